//! JSON output of findings: a contract other tools read.
//!
//! `{"findings":[{"file","code","name","severity","message","line","column","end_line",
//! "end_column","help"}],"summary":{"files","errors","warnings","notes","suppressed"},
//! "suppressed":[{…the finding's keys…,"reason"}]}`: lines and columns are 1-based, columns
//! count characters, and `end_column` is one past the last character. `suppressed` lists the
//! findings the file's `ignore` entries suppressed, with the entry's reason.

use std::io::Write;

use serde::Serialize;

use super::{FileReport, Summary, SuppressedReport};
use crate::diag::Finding;
use crate::graph::Topology;
use crate::source::Source;

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
    /// The findings that `ignore` entries suppressed.
    pub suppressed: Vec<JsonSuppressed<'a>>,
}

/// A suppressed finding as JSON: the finding's keys and the entry's reason.
#[derive(Debug, Serialize)]
pub struct JsonSuppressed<'a> {
    /// The finding.
    #[serde(flatten)]
    pub finding: JsonFinding<'a>,
    /// Why it is accepted.
    pub reason: &'a str,
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
    /// Findings suppressed by `ignore` entries (not counted above).
    pub suppressed: usize,
}

/// Writes the JSON document of `vrt validate` (keys in alphabetical order), with a `tokens`
/// object (file name → token-flow rows) when `tokens` is given.
pub fn render(
    out: &mut dyn Write,
    files: &[FileReport<'_>],
    suppressed: &[SuppressedReport<'_>],
    tokens: Option<&[(&str, &Topology)]>,
) -> std::io::Result<()> {
    let mut doc = serde_json::to_value(build_with_suppressed(files, suppressed))
        .map_err(std::io::Error::other)?;
    if let (Some(tokens), Some(obj)) = (tokens, doc.as_object_mut()) {
        let mut by_file = serde_json::Map::new();
        for (name, t) in tokens {
            let rows =
                serde_json::to_value(super::tokens::rows(t)).map_err(std::io::Error::other)?;
            by_file.insert((*name).to_string(), rows);
        }
        obj.insert("tokens".into(), by_file.into());
    }
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}

/// Builds the JSON document.
pub fn build<'a>(files: &'a [FileReport<'a>]) -> JsonReport<'a> {
    build_with_suppressed(files, &[])
}

/// Builds the JSON document, listing the suppressed findings too.
pub fn build_with_suppressed<'a>(
    files: &'a [FileReport<'a>],
    suppressed: &'a [SuppressedReport<'a>],
) -> JsonReport<'a> {
    let findings = files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |f| finding(file.source, f)))
        .collect();
    let suppressed: Vec<JsonSuppressed<'a>> = suppressed
        .iter()
        .flat_map(|file| {
            file.suppressed.iter().map(move |s| JsonSuppressed {
                finding: finding(file.source, &s.finding),
                reason: &s.reason,
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
            suppressed: suppressed.len(),
        },
        suppressed,
    }
}

fn finding<'a>(source: &'a Source, f: &'a Finding) -> JsonFinding<'a> {
    let start = source.position(f.primary.span.offset);
    let end = source.position(f.primary.span.end());
    JsonFinding {
        file: &source.name,
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
}
