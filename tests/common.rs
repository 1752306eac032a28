//! Helpers shared by the integration tests.

#![allow(dead_code)]

use vrt::diag::Finding;
use vrt::report::FileReport;
use vrt::report::human::{Style, render};
use vrt::source::Source;

/// Reads a fixture into a source named by its path relative to the crate root.
pub fn source(path: &std::path::Path) -> Source {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rel = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    Source::new(rel, text)
}

/// Renders findings the way snapshots store them: no colour, no links, 80 columns.
pub fn rendered(source: &Source, findings: &[Finding]) -> String {
    let mut out = Vec::new();
    render(
        &mut out,
        &[FileReport { source, findings }],
        Style {
            color: false,
            width: 80,
        },
    )
    .expect("rendering to memory cannot fail");
    String::from_utf8(out).expect("miette renders UTF-8")
}
