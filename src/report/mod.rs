//! Rendering: findings, tables and plans to a writer. Computes nothing.

pub mod csv;
pub mod diagram;
pub mod diff;
pub mod escape;
pub mod failover;
pub mod firewall;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod mounts;
pub mod ports;
pub mod sarif;
pub mod tokens;
pub mod upgrade;

use crate::diag::{Finding, Severity};
use crate::source::Source;

/// The findings of one file, with its source.
pub struct FileReport<'a> {
    /// The file.
    pub source: &'a Source,
    /// Its findings, sorted by position then code.
    pub findings: &'a [Finding],
}

/// The findings that `ignore` entries suppressed in one file, with its source.
pub struct SuppressedReport<'a> {
    /// The file.
    pub source: &'a Source,
    /// Its suppressed findings.
    pub suppressed: &'a [crate::suppress::Suppressed],
}

/// Counts of findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
    /// Findings suppressed by `ignore` entries (not counted above).
    pub suppressed: usize,
}

impl Summary {
    /// Counts the findings of every file.
    pub fn of(files: &[FileReport<'_>]) -> Self {
        let mut s = Self {
            files: files.len(),
            ..Self::default()
        };
        for f in files.iter().flat_map(|f| f.findings) {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
        }
        s
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} checked: {}, {}, {}",
            plural(self.files, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.notes, "note")
        )?;
        if self.suppressed > 0 {
            write!(f, " ({} suppressed)", self.suppressed)?;
        }
        Ok(())
    }
}
