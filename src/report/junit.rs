//! JUnit XML (`vrt validate --format junit`) for CI systems that show test reports (GitLab,
//! Jenkins, Azure Pipelines): one test suite per file, one test case per finding, or one
//! passing test case for a file without findings. Errors are failures; warnings are failures
//! only with `--deny-warnings` (as for the exit code), otherwise passing cases whose text is
//! in `system-out`; notes always pass.
//!
//! The document keeps to the common JUnit schema (Jenkins' `junit-10.xsd`, vendored in
//! `tests/schemas/` and checked with `xmllint --schema`): a test case carries only `name` and
//! `classname`. CI systems track a test case by its name across runs, so the name is the
//! rule's code and name and the finding's message (which names the objects concerned), never
//! its line: a line inserted above a finding leaves the name alone. The line and column are in
//! the failure's (or `system-out`'s) text.

use std::fmt::Write as _;
use std::io::Write;

use super::FileReport;
use crate::diag::Severity;

/// Writes the XML document.
pub fn render(
    out: &mut dyn Write,
    files: &[FileReport<'_>],
    deny_warnings: bool,
) -> std::io::Result<()> {
    let fails = |s: Severity| s == Severity::Error || (deny_warnings && s == Severity::Warning);
    let total: usize = files.iter().map(|f| f.findings.len().max(1)).sum();
    let failed: usize = files
        .iter()
        .flat_map(|f| f.findings)
        .filter(|f| fails(f.severity))
        .count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // Writing to a String cannot fail.
    let _ = writeln!(
        xml,
        "<testsuites name=\"vrt validate\" tests=\"{total}\" failures=\"{failed}\" errors=\"0\">"
    );
    for file in files {
        let name = escape(&file.source.name);
        let suite_failed = file.findings.iter().filter(|f| fails(f.severity)).count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{suite_failed}\" errors=\"0\" skipped=\"0\">",
            file.findings.len().max(1)
        );
        if file.findings.is_empty() {
            let _ = writeln!(
                xml,
                "    <testcase name=\"no findings\" classname=\"{name}\"/>"
            );
        }
        let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for f in file.findings {
            let start = file.source.position(f.primary.span.offset);
            let mut case = format!("{} {}: {}", f.rule.code, f.rule.name, f.message);
            // Two findings with the same message in one file (rare): numbered in file order.
            let n = seen.entry(case.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                let _ = write!(case, " (#{n})");
            }
            let mut body = format!(
                "{}:{}:{}: {} {}: {}",
                file.source.name,
                start.line,
                start.column,
                f.severity.as_str(),
                f.rule.code,
                f.message
            );
            if let Some(h) = &f.help {
                let _ = write!(body, "\nhelp: {h}");
            }
            let _ = writeln!(
                xml,
                "    <testcase name=\"{}\" classname=\"{name}\">",
                escape(&case)
            );
            if fails(f.severity) {
                let _ = writeln!(
                    xml,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    f.rule.code,
                    escape(&f.message),
                    escape(&body)
                );
            } else {
                let _ = writeln!(xml, "      <system-out>{}</system-out>", escape(&body));
            }
            xml.push_str("    </testcase>\n");
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
}

/// Escapes text for XML content and attribute values (see [`super::escape::xml`]).
pub fn escape(text: &str) -> String {
    super::escape::xml(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            super::escape("a<b & \"c\"\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&#10;\\u{1}"
        );
    }
}
