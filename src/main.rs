//! The `vrt` binary: hands the process's streams to [`vrt::cli::run`].

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut out = stdout.lock();
    let mut err = std::io::stderr().lock();
    let mut io = vrt::cli::Io {
        out: &mut out,
        err: &mut err,
        color,
    };
    let exit = vrt::cli::run(std::env::args_os(), &mut io);
    ExitCode::from(exit as u8)
}
