//! The `vrt` binary: hands the process's streams to [`vrt::cli::run`], and removes a
//! half-written temporary output file when a signal stops it.

// No `unwrap` in the library and the binary (tests may: clippy.toml); integration tests
// and benches are crates of their own and are not covered.
#![warn(clippy::unwrap_used)]

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(unix)]
    remove_temporaries_on_signals();
    let stdout = std::io::stdout();
    let color = vrt::cli::color_allowed(
        stdout.is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    );
    let mut out = stdout.lock();
    // Every line of standard error is sanitised: no value can drive the terminal or forge a
    // GitHub workflow command there.
    let mut err = vrt::cli::stderr::Sanitized::new(std::io::stderr().lock());
    let mut io = vrt::cli::Io {
        out: &mut out,
        err: &mut err,
        color,
    };
    let exit = vrt::cli::run(std::env::args_os(), &mut io);
    ExitCode::from(exit as u8)
}

/// On SIGINT, SIGTERM or SIGHUP: removes the temporary output file, if one exists, then
/// dies of the signal as if vrt had not caught it (so the shell sees 130, 143 or 129).
/// The signals are received on a thread of their own, so no unsafe handler code is needed.
#[cfg(unix)]
fn remove_temporaries_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    // Without the handler vrt still dies of the signal; only the cleanup is lost.
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            vrt::output::remove_temporaries();
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}
