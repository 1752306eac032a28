//! GitHub Actions workflow commands (`vrt validate --format github`): one `::error`,
//! `::warning` or `::notice` line per finding, which the runner turns into an annotation on
//! the file and line (in the pull request's diff when the line changed). Lines and columns
//! are 1-based; columns count characters and `endColumn` is one past the last character, as
//! in the JSON and SARIF outputs.

use std::io::Write;

use super::{FileReport, Summary};
use crate::diag::Severity;

/// Writes one workflow command per finding, then the summary as a plain log line.
pub fn render(
    out: &mut dyn Write,
    files: &[FileReport<'_>],
    summary: Summary,
) -> std::io::Result<()> {
    for file in files {
        for f in file.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            let start = file.source.position(f.primary.span.offset);
            let end = file.source.position(f.primary.span.end());
            let mut properties = Vec::new();
            // Standard input has no file in the repository: the annotation is not attached.
            if file.source.name != "<stdin>" {
                properties.push(format!("file={}", property(&file.source.name)));
            }
            properties.extend([
                format!("line={}", start.line),
                format!("col={}", start.column),
                format!("endLine={}", end.line),
                format!("endColumn={}", end.column),
                format!(
                    "title={}",
                    property(&format!("{} {}", f.rule.code, f.rule.name))
                ),
            ]);
            let text = match &f.help {
                Some(h) => format!("{}\nhelp: {h}", f.message),
                None => f.message.clone(),
            };
            writeln!(out, "::{command} {}::{}", properties.join(","), data(&text))?;
        }
    }
    writeln!(out, "{summary}")
}

/// Escapes a command's message: `%`, CR and LF, and hidden characters shown escaped.
pub fn data(text: &str) -> String {
    super::escape::github_data(text)
}

/// Escapes a property value: as [`data`], plus `:` and `,`.
pub fn property(text: &str) -> String {
    super::escape::github_property(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(data("50% a:b, c\r\nd"), "50%25 a:b, c%0D%0Ad");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
