use std::path::PathBuf;

use clap::CommandFactory;

use crate::error::Error;
use crate::output::{Clobber, Output};

use super::{Exit, Io};

/// Print the man page (roff), generated from vrt's command-line definition.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt man | man -l -
  vrt man validate | man -l -
  vrt man --output-dir /usr/local/share/man/man1   # vrt.1 and vrt-<command>.1")]
pub struct Args {
    /// A subcommand whose page to print (`vrt-validate(1)`); default the main page `vrt(1)`.
    #[arg(value_name = "COMMAND", conflicts_with = "output_dir")]
    command: Option<String>,
    /// Write every page (`vrt.1` and `vrt-<command>.1`) into this directory instead.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

/// Every page: the file name and the roff text.
fn pages() -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    for c in std::iter::once(&cmd).chain(cmd.get_subcommands().filter(|s| !s.is_hide_set())) {
        let man = clap_mangen::Man::new(c.clone())
            .source(format!("vrt {}", env!("CARGO_PKG_VERSION")))
            .manual("vrt manual");
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        out.push((man.get_filename(), roff));
    }
    Ok(out)
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let pages = pages()?;
    if let Some(dir) = &args.output_dir {
        for (name, roff) in &pages {
            crate::output::write(&dir.join(name), Clobber::Replace, roff, io.out)?;
        }
        return Ok(Exit::Clean);
    }
    let wanted = match &args.command {
        Some(c) => format!("vrt-{c}.1"),
        None => "vrt.1".to_string(),
    };
    match pages.iter().find(|(name, _)| *name == wanted) {
        Some((_, roff)) => Output::stdout().finish(roff, io.out)?,
        None => {
            let names: Vec<&str> = pages
                .iter()
                .skip(1)
                .filter_map(|(n, _)| n.strip_prefix("vrt-")?.strip_suffix(".1"))
                .collect();
            writeln!(
                io.err,
                "error: vrt has no command `{}`; pages exist for: {}",
                args.command.as_deref().unwrap_or(""),
                names.join(", ")
            )?;
            return Ok(Exit::CouldNotRun);
        }
    }
    Ok(Exit::Clean)
}
