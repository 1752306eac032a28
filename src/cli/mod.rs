//! The command line: clap types, wiring and exit codes. It writes only to the streams it is
//! given, so tests can run it in-process and `main` stays a few lines.

mod explain;
mod limits;
mod schema;
mod validate;

pub use limits::LimitArgs;

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand};

/// Exit codes, documented in `--help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// No errors (warnings allowed unless `--deny-warnings`).
    Clean = 0,
    /// The topology has errors of some kind (syntax, shape, references, rules).
    Findings = 1,
    /// vrt could not run: bad usage, unreadable path, failed write.
    CouldNotRun = 2,
}

const EXIT_CODES: &str = "\
Exit codes:
  0  no errors (warnings allowed unless --deny-warnings)
  1  the topology has errors (syntax, shape, references or rules)
  2  vrt could not run (bad usage, unreadable path, failed write)";

/// Plan and validate HashiCorp Vault Enterprise replication topologies.
#[derive(Debug, Parser)]
#[command(name = "vrt", version, about, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Validate(validate::Args),
    Explain(explain::Args),
    Schema(schema::Args),
}

/// The process's streams and terminal facts.
pub struct Io<'a> {
    /// Product output.
    pub out: &'a mut dyn Write,
    /// Failures.
    pub err: &'a mut dyn Write,
    /// Whether `out` may be coloured (a terminal, and `NO_COLOR` unset).
    pub color: bool,
}

/// Parses `args` (program name first) and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>, io: &mut Io<'_>) -> Exit {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let to_out = !e.use_stderr();
            let text = if io.color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let stream: &mut dyn Write = if to_out { io.out } else { io.err };
            // A failed write of usage text leaves nothing better to do than exit.
            let _ = write!(stream, "{text}");
            return if to_out {
                Exit::Clean
            } else {
                Exit::CouldNotRun
            };
        }
    };
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args, io),
        Command::Explain(args) => explain::run(&args, io),
        Command::Schema(args) => schema::run(&args, io),
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            Exit::CouldNotRun
        }
    }
}

/// Reads `path` and builds its topology for a planner command, with the default limits
/// except the file size. When the file has errors, they are rendered to `io.err` and
/// `Ok(None)` is returned: the caller exits 1.
pub fn load_topology(
    path: &str,
    max_file_size: u64,
    io: &mut Io<'_>,
) -> Result<Option<crate::graph::Topology>, crate::error::Error> {
    let limits = crate::yaml::Limits {
        max_file_size,
        ..crate::yaml::Limits::default()
    };
    load_topology_with(path, limits, io)
}

/// Reads `path` and builds its topology for a planner command, within `limits` (from a
/// flattened [`LimitArgs`]). When the file has errors, they are rendered to `io.err` and
/// `Ok(None)` is returned: the caller exits 1.
pub fn load_topology_with(
    path: &str,
    limits: crate::yaml::Limits,
    io: &mut Io<'_>,
) -> Result<Option<crate::graph::Topology>, crate::error::Error> {
    let (source, not_utf8) = crate::load::read(path, limits.max_file_size)?;
    let findings = match not_utf8 {
        Some(f) => vec![f],
        None => match crate::topology(&source, limits) {
            Ok(t) => return Ok(Some(t)),
            Err(findings) => findings,
        },
    };
    crate::report::human::render(
        io.err,
        &[crate::report::FileReport {
            source: &source,
            findings: &findings,
        }],
        crate::report::human::Style {
            color: false,
            width: 100,
        },
    )?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
