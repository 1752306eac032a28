//! SARIF 2.1.0 output (`vrt validate --format sarif`) for GitHub code scanning and other
//! SARIF viewers: one run, one rule descriptor per vrt code, one result per finding with a
//! physical location. Columns count Unicode code points, as everywhere in vrt, and the end
//! column is one past the last character (SARIF's convention).
//!
//! Findings suppressed by the file's `ignore` entries are not results. GitHub code scanning
//! reads a documented subset of SARIF and ignores every other property; `result.suppressions`
//! is not in that subset ("SARIF support for code scanning", GitHub Docs,
//! <https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning>,
//! section "`result` object"), and the maintainers of `github/codeql-action/upload-sarif` have
//! said support for it is not planned (github/codeql-action issue 1230). A result carrying an
//! accepted `inSource` suppression therefore becomes an open alert, the opposite of what an
//! accepted `ignore` entry means; once the result is absent, code scanning closes the alert
//! on the next upload. The suppressed findings are listed instead in the run's property bag
//! (`properties.suppressed`: code, file, line, message and the entry's reason), which viewers
//! keep and code scanning ignores; `--format json` lists them too.
//!
//! The types below are the small subset of the OASIS schema vrt writes; the tests validate
//! the output against the schema itself.

use std::fmt::Write as _;

use serde::Serialize;

use super::{FileReport, SuppressedReport};
use crate::diag::{Finding, Rule, Severity};
use crate::source::Source;

/// The `$schema` of the documents vrt writes.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A SARIF log: the whole document.
#[derive(Debug, Serialize)]
pub struct Log {
    /// The schema URI.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `2.1.0`.
    pub version: &'static str,
    /// One run of vrt.
    pub runs: Vec<Run>,
}

/// One run of one tool.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// vrt and its rules.
    pub tool: Tool,
    /// How columns are counted: `unicodeCodePoints`.
    pub column_kind: &'static str,
    /// The findings still reported (not those suppressed by `ignore` entries).
    pub results: Vec<SarifResult>,
    /// The findings that `ignore` entries suppressed.
    pub properties: RunProperties,
}

/// vrt's facts about a run that are not results.
#[derive(Debug, Serialize)]
pub struct RunProperties {
    /// The findings suppressed by the files' `ignore` entries, in file order: not results, so
    /// that code scanning does not open alerts for them.
    pub suppressed: Vec<SuppressedFinding>,
}

/// A finding an `ignore` entry suppressed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuppressedFinding {
    /// The code.
    pub rule_id: &'static str,
    /// The finding's message.
    pub message: String,
    /// Where the finding is.
    pub location: Location,
    /// The entry's reason.
    pub justification: String,
    /// Where the entry is written.
    pub suppressed_at: Location,
}

/// The tool that ran.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// vrt itself.
    pub driver: Driver,
}

/// The tool component: name, version and rule descriptors.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `vrt`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
    /// The crate version, as a semantic version.
    pub semantic_version: &'static str,
    /// Where to learn about vrt: the package's `repository` (else `homepage`) from
    /// Cargo.toml; absent when the package declares neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<&'static str>,
    /// Every code vrt can report, in code order; results point at them by index.
    pub rules: Vec<Descriptor>,
}

/// A rule descriptor.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The code, `VRT101`.
    pub id: &'static str,
    /// The kebab-case name.
    pub name: &'static str,
    /// The rule's summary line.
    pub short_description: Text,
    /// What the rule checks.
    pub full_description: Text,
    /// The rule's whole documentation with its sources (what `vrt explain` prints), as text
    /// and Markdown.
    pub help: Help,
    /// The default severity.
    pub default_configuration: Configuration,
    /// `suppressible` and tags.
    pub properties: DescriptorProperties,
}

/// A plain-text message.
#[derive(Debug, Serialize)]
pub struct Text {
    /// The text.
    pub text: String,
}

/// A message in text and Markdown.
#[derive(Debug, Serialize)]
pub struct Help {
    /// Plain text.
    pub text: String,
    /// Markdown.
    pub markdown: String,
}

/// A rule's default configuration.
#[derive(Debug, Serialize)]
pub struct Configuration {
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// vrt's extra facts about a rule.
#[derive(Debug, Serialize)]
pub struct DescriptorProperties {
    /// Whether a topology file's `ignore` entry may suppress it.
    pub suppressible: bool,
    /// Tags shown by viewers: `vrt` and the rule's band.
    pub tags: Vec<&'static str>,
}

/// One finding.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The code.
    pub rule_id: &'static str,
    /// Index of the rule in `driver.rules`.
    pub rule_index: usize,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// The message, with the help appended.
    pub message: Text,
    /// Where: exactly one physical location.
    pub locations: Vec<Location>,
    /// The finding's related places.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
}

/// A place in a file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Index among the result's related locations (absent for the primary one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    /// The file and region.
    pub physical_location: PhysicalLocation,
    /// What the place is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

/// A file and a region in it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The region.
    pub region: Region,
}

/// A file, as a URI reference (relative paths stay relative).
#[derive(Debug, Serialize)]
pub struct ArtifactLocation {
    /// The URI.
    pub uri: String,
}

/// A region: 1-based lines and columns; the end column is exclusive.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// First line.
    pub start_line: usize,
    /// First column.
    pub start_column: usize,
    /// Last line.
    pub end_line: usize,
    /// The column after the last character.
    pub end_column: usize,
}

/// Writes the SARIF log (pretty-printed JSON) for the findings of every file.
pub fn render(
    out: &mut dyn std::io::Write,
    files: &[FileReport<'_>],
    suppressed: &[SuppressedReport<'_>],
) -> std::io::Result<()> {
    let text =
        serde_json::to_string_pretty(&build(files, suppressed)).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}

/// Builds the SARIF log for the findings (and suppressed findings) of every file.
pub fn build(files: &[FileReport<'_>], suppressed: &[SuppressedReport<'_>]) -> Log {
    let rules = crate::rules::all();
    let index = |rule: &Rule| rules.iter().position(|r| r.code == rule.code).unwrap_or(0);
    let mut results = Vec::new();
    for file in files {
        for f in file.findings {
            results.push(result(file.source, f, index(f.rule)));
        }
    }
    let mut hidden = Vec::new();
    for file in suppressed {
        for s in file.suppressed {
            let f = &s.finding;
            hidden.push(SuppressedFinding {
                rule_id: f.rule.code,
                message: f.message.clone(),
                location: location(file.source, f.primary.span, None, None),
                justification: s.reason.clone(),
                suppressed_at: location(file.source, s.entry, None, None),
            });
        }
    }
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "vrt",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules: rules.iter().map(|r| descriptor(r)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties { suppressed: hidden },
        }],
    }
}

/// The package's repository, else its homepage, as Cargo.toml declares them.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
}

fn descriptor(rule: &Rule) -> Descriptor {
    let mut markdown = rule.markdown().trim_end().to_string();
    let checks = section(&markdown, "What it checks");
    let sources = crate::sources::cited(rule.doc);
    if !sources.is_empty() {
        markdown.push_str("\n\n## Sources");
        for (key, what) in sources {
            // Writing to a String cannot fail.
            let _ = write!(markdown, "\n- {key}: {what}");
        }
    }
    Descriptor {
        id: rule.code,
        name: rule.name,
        short_description: Text {
            text: rule.summary().to_string(),
        },
        full_description: Text {
            text: if checks.is_empty() {
                rule.summary().to_string()
            } else {
                checks
            },
        },
        help: Help {
            text: format!(
                "{}\n\nRun `vrt explain {}` for this text with its sources.",
                markdown, rule.code
            ),
            markdown,
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: DescriptorProperties {
            suppressible: rule.suppressible,
            tags: vec!["vrt", band(rule.code)],
        },
    }
}

/// The paragraph under `## <title>` of a rule's Markdown, joined into one line.
fn section(markdown: &str, title: &str) -> String {
    let heading = format!("## {title}");
    markdown
        .lines()
        .skip_while(|l| l.trim() != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn band(code: &str) -> &'static str {
    match code.as_bytes().get(3) {
        Some(b'0') => "file-and-references",
        Some(b'1') => "replication-topology",
        Some(b'2') => "network",
        Some(b'3') => "failover-readiness",
        Some(b'4') => "cluster-health",
        _ => "other",
    }
}

const fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn result(source: &Source, f: &Finding, rule_index: usize) -> SarifResult {
    let text = match &f.help {
        Some(h) => format!("{}\nhelp: {h}", f.message),
        None => f.message.clone(),
    };
    SarifResult {
        rule_id: f.rule.code,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations: vec![location(
            source,
            f.primary.span,
            None,
            Some(&f.primary.text).filter(|t| !t.is_empty()),
        )],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, l)| {
                location(
                    source,
                    l.span,
                    Some(i),
                    Some(&l.text).filter(|t| !t.is_empty()),
                )
            })
            .collect(),
    }
}

fn location(
    source: &Source,
    span: crate::source::Span,
    id: Option<usize>,
    text: Option<&String>,
) -> Location {
    let start = source.position(span.offset);
    let end = source.position(span.end());
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&source.name),
            },
            region: Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
            },
        },
        message: text.map(|t| Text { text: t.clone() }),
    }
}

/// A file name as a URI reference: relative paths stay relative (code scanning resolves
/// them against the repository root), absolute ones become `file://` URIs, and every byte
/// outside the unreserved set and `/` is percent-encoded (standard input is `%3Cstdin%3E`).
pub fn uri(name: &str) -> String {
    let path = name.replace('\\', "/");
    let (prefix, path) = if path.starts_with('/') {
        ("file://", path.as_str())
    } else if path.len() > 2 && path.as_bytes()[1] == b':' && path.as_bytes()[2] == b'/' {
        ("file:///", path.as_str())
    } else {
        ("", path.strip_prefix("./").unwrap_or(&path))
    };
    let mut out = String::from(prefix);
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || (b == b':' && !prefix.is_empty()) {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("examples/global.yaml"), "examples/global.yaml");
        assert_eq!(uri("./a b/é.yaml"), "a%20b/%C3%A9.yaml");
        assert_eq!(uri("/srv/topo.yaml"), "file:///srv/topo.yaml");
        assert_eq!(uri("C:\\topo\\x.yaml"), "file:///C:/topo/x.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("a:b.yaml"), "a%3Ab.yaml");
    }

    #[test]
    fn sections_are_read_from_the_rule_doc() {
        let md = "Summary.\n\n## What it checks\nLine one\nline two.\n\n## Why it matters\nX.";
        assert_eq!(section(md, "What it checks"), "Line one line two.");
        assert_eq!(section(md, "Nope"), "");
    }
}
