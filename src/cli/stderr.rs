//! Standard error as vrt writes it: every line passes through [`line`], so that nothing a
//! topology file or a command-line argument holds (a file name, a value quoted in an error)
//! can drive the terminal or forge a GitHub workflow command (`::warning …`) in a CI log.

use std::io::{self, Write};

use crate::report::escape;

/// A writer that sanitises each line before passing it on (see [`line`]). Incomplete lines
/// are held until their line break, a flush, or the writer's end.
pub struct Sanitized<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Sanitized<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, bytes: &[u8], newline: bool) -> io::Result<()> {
        let text = String::from_utf8_lossy(bytes);
        self.inner.write_all(line(&text).as_bytes())?;
        if newline {
            self.inner.write_all(b"\n")?;
        }
        Ok(())
    }
}

impl<W: Write> Write for Sanitized<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            let rest = self.pending.split_off(i + 1);
            let mut done = std::mem::replace(&mut self.pending, rest);
            done.pop();
            self.emit(&done, true)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let done = std::mem::take(&mut self.pending);
            self.emit(&done, false)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Sanitized<W> {
    fn drop(&mut self) {
        // Nothing is left to report a failure to.
        let _ = self.flush();
    }
}

/// One line of standard error: tabs kept, every other control or invisible character shown
/// escaped (`\u{1b}`), and a line that would start a GitHub workflow command (`::` after
/// optional blanks) written with that `::` percent-encoded (`%3A%3A`), as the runner would
/// otherwise obey it. vrt itself never writes a workflow command to standard error.
pub fn line(text: &str) -> String {
    let shown: String = text
        .split('\t')
        .map(escape::terminal)
        .collect::<Vec<_>>()
        .join("\t");
    let blanks = shown.len() - shown.trim_start().len();
    if shown[blanks..].starts_with("::") {
        format!("{}%3A%3A{}", &shown[..blanks], &shown[blanks + 2..])
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cannot_forge_commands_nor_drive_the_terminal() {
        assert_eq!(line("error: `a\u{1b}[2J`"), "error: `a\\u{1b}[2J`");
        assert_eq!(
            line("::warning file=x::forged"),
            "%3A%3Awarning file=x::forged"
        );
        assert_eq!(line("  ::error::x"), "  %3A%3Aerror::x");
        assert_eq!(line("a\tb\u{202e}"), "a\tb\\u{202e}");
        let mut out = Vec::new();
        {
            let mut w = Sanitized::new(&mut out);
            write!(w, "one\n::two").unwrap();
            write!(w, "\nthree").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "one\n%3A%3Atwo\nthree");
    }
}
