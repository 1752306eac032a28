//! JSON output of findings: a contract other tools read.
//!
//! `{"findings":[{"file","code","name","severity","message","line","column","end_line",
//! "end_column","help"}],"summary":{"files","errors","warnings","notes"}}`: lines and columns
//! are 1-based, columns count characters, and `end_column` is one past the last character.

use serde::Serialize;

use super::{FileReport, Summary};

/// One finding as JSON.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    /// The file, as given on the command line.
    pub file: &'a str,
    /// Stable code.
    pub code: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// `error`, `warning` or `note`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive).
    pub end_column: usize,
    /// What to do.
    pub help: Option<&'a str>,
}

/// The whole JSON document.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Every finding of every file.
    pub findings: Vec<JsonFinding<'a>>,
    /// Counts.
    pub summary: JsonSummary,
}

/// Counts, as JSON.
#[derive(Debug, Serialize)]
pub struct JsonSummary {
    /// Files checked.
    pub files: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
}

/// Builds the JSON document.
pub fn build<'a>(files: &'a [FileReport<'a>]) -> JsonReport<'a> {
    let findings = files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |f| {
                let start = file.source.position(f.primary.span.offset);
                let end = file.source.position(f.primary.span.end());
                JsonFinding {
                    file: &file.source.name,
                    code: f.rule.code,
                    name: f.rule.name,
                    severity: f.severity.as_str(),
                    message: &f.message,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    help: f.help.as_deref(),
                }
            })
        })
        .collect();
    let s = Summary::of(files);
    JsonReport {
        findings,
        summary: JsonSummary {
            files: s.files,
            errors: s.errors,
            warnings: s.warnings,
            notes: s.notes,
        },
    }
}
