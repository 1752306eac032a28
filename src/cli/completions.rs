use clap::CommandFactory;

use crate::error::Error;

use super::{Exit, Io};

/// Print a shell completion script, generated from vrt's command-line definition.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt completions bash > ~/.local/share/bash-completion/completions/vrt
  vrt completions zsh > \"${fpath[1]}/_vrt\"
  vrt completions fish > ~/.config/fish/completions/vrt.fish
  vrt completions powershell >> $PROFILE
  vrt completions elvish >> ~/.config/elvish/rc.elv")]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    // Generated into memory first: the generator panics on a failed write, and stdout may
    // be a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut super::Cli::command(), "vrt", &mut script);
    io.out.write_all(&script)?;
    Ok(Exit::Clean)
}
