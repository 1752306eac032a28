//! The command line: clap types, wiring and exit codes. It writes only to the streams it is
//! given, so tests can run it in-process and `main` stays a few lines.

mod args;
mod completions;
mod diff;
mod explain;
mod failover;
mod firewall;
mod graph;
mod import;
mod init;
mod limits;
mod man;
mod mounts;
mod planner;
mod ports;
mod schema;
mod status;
pub mod stderr;
mod switchover;
mod upgrade_plan;
mod validate;

pub use args::{InputArgs, OutputArgs};
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
    /// Standard output (or the `--output` FIFO) was closed before vrt finished writing,
    /// as when `head` stops reading: vrt stops quietly with the status of a program killed
    /// by SIGPIPE (128 + 13), so a cut-short run never looks clean.
    ClosedOutput = 141,
}

const EXIT_CODES: &str = "\
Exit codes:
  0  no errors (warnings allowed unless --deny-warnings)
  1  the topology has errors (syntax, shape, references or rules), or a planner's CI gate
     (failover --require-dr-recovery) failed
  2  vrt could not run (bad usage, unreadable path, failed write)
  141  standard output was closed early (`vrt ... | head`): vrt stops quietly, as a program
       killed by SIGPIPE would";

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
    Graph(graph::Args),
    Init(init::Args),
    Completions(completions::Args),
    Man(man::Args),
    Ports(ports::Args),
    Mounts(mounts::Args),
    Firewall(firewall::Args),
    Failover(failover::Args),
    Switchover(switchover::Args),
    UpgradePlan(upgrade_plan::Args),
    Diff(diff::Args),
    Status(status::Args),
    Import(import::Args),
}

/// The process's streams and terminal facts.
pub struct Io<'a> {
    /// Product output.
    pub out: &'a mut dyn Write,
    /// Failures.
    pub err: &'a mut dyn Write,
    /// Whether `out` may be coloured (see [`color_allowed`]).
    pub color: bool,
}

/// Whether standard output may be coloured: it is a terminal, `NO_COLOR` is unset or empty
/// (no-color.org), and `TERM` is not `dumb`.
pub fn color_allowed(
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    is_terminal
        && no_color.is_none_or(std::ffi::OsStr::is_empty)
        && term.is_none_or(|t| t != "dumb")
}

/// Whether an error is a closed standard output (or output FIFO): a reader that stopped
/// early, which vrt answers quietly with [`Exit::ClosedOutput`].
fn closed_output(e: &crate::error::Error) -> bool {
    matches!(e, crate::error::Error::Write(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Parses `args` (program name first) and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>, io: &mut Io<'_>) -> Exit {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let to_out = !e.use_stderr();
            // Standard error is sanitised line by line (`stderr::Sanitized`), which would show
            // clap's colour codes escaped: errors there are plain.
            let text = if io.color && to_out {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let stream: &mut dyn Write = if to_out { io.out } else { io.err };
            let written = write!(stream, "{text}").and_then(|()| stream.flush());
            return match written {
                Err(e) if to_out && e.kind() == std::io::ErrorKind::BrokenPipe => {
                    Exit::ClosedOutput
                }
                _ if to_out => Exit::Clean,
                _ => Exit::CouldNotRun,
            };
        }
    };
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args, io),
        Command::Explain(args) => explain::run(&args, io),
        Command::Schema(args) => schema::run(&args, io),
        Command::Graph(args) => graph::run(&args, io),
        Command::Init(args) => init::run(&args, io),
        Command::Completions(args) => completions::run(&args, io),
        Command::Man(args) => man::run(&args, io),
        Command::Ports(args) => ports::run(&args, io),
        Command::Mounts(args) => mounts::run(&args, io),
        Command::Firewall(args) => firewall::run(&args, io),
        Command::Failover(args) => failover::run(&args, io),
        Command::Switchover(args) => switchover::run(&args, io),
        Command::UpgradePlan(args) => upgrade_plan::run(&args, io),
        Command::Diff(args) => diff::run(&args, io),
        Command::Status(args) => status::run(&args, io),
        Command::Import(args) => import::run(&args, io),
    };
    // Standard output is line-buffered: what is left is written, and can fail, here.
    let result = result.and_then(|exit| {
        io.out.flush()?;
        Ok(exit)
    });
    match result {
        Ok(exit) => exit,
        Err(e) if closed_output(&e) => Exit::ClosedOutput,
        Err(e) => {
            // A failure to report the failure leaves nothing better to do than exit.
            let _ = writeln!(io.err, "error: {e}");
            Exit::CouldNotRun
        }
    }
}

/// Reads `path` and builds its topology for a planner command, within `limits` (from a
/// flattened [`LimitArgs`]). When the file has errors, they are rendered to `io.err` and
/// `Ok(None)` is returned: the caller exits 1.
pub fn load_topology_with(
    path: &str,
    limits: crate::yaml::Limits,
    io: &mut Io<'_>,
) -> Result<Option<crate::graph::Topology>, crate::error::Error> {
    Ok(load_source_and_topology(path, limits, io)?.map(|(_, t)| t))
}

/// [`load_topology_with`], also returning the source (read once, so standard input works)
/// for planners that report findings of their own.
pub fn load_source_and_topology(
    path: &str,
    limits: crate::yaml::Limits,
    io: &mut Io<'_>,
) -> Result<Option<(crate::source::Source, crate::graph::Topology)>, crate::error::Error> {
    match planner::load(path, limits)? {
        planner::Loaded::Ready(source, t) => Ok(Some((source, *t))),
        planner::Loaded::Refused(source, findings) => {
            render_findings(&source, &findings, io)?;
            Ok(None)
        }
    }
}

/// Renders a planner's findings to `io.err` (plain, 100 columns).
pub fn render_findings(
    source: &crate::source::Source,
    findings: &[crate::diag::Finding],
    io: &mut Io<'_>,
) -> std::io::Result<()> {
    crate::report::human::render(
        io.err,
        &[crate::report::FileReport { source, findings }],
        crate::report::human::Style {
            color: false,
            width: 100,
        },
    )
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn colour_needs_a_terminal_and_no_opt_out() {
        use super::color_allowed;
        use std::ffi::OsStr;
        let s = |v: &'static str| Some(OsStr::new(v));
        assert!(color_allowed(true, None, s("xterm-256color")));
        assert!(color_allowed(true, None, None));
        assert!(
            color_allowed(true, s(""), s("xterm")),
            "an empty NO_COLOR is unset"
        );
        assert!(!color_allowed(false, None, s("xterm")));
        assert!(!color_allowed(true, s("1"), s("xterm")));
        assert!(!color_allowed(true, None, s("dumb")));
    }
}
