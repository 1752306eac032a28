//! Helpers shared by the integration tests.

#![allow(dead_code)]
// Tests may tell the developer why they skipped.
#![allow(clippy::print_stderr)]

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

/// Whether an external tool (`nft`, `iptables-restore`, `dot`) is installed. When it is not,
/// the test is skipped with a message — unless `VRT_REQUIRE_TOOLS=1` (set by `.ci/run`),
/// where a missing tool fails the test.
pub fn tool_available(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        || ["/usr/sbin", "/sbin"]
            .iter()
            .any(|d| std::path::Path::new(d).join(name).is_file());
    if !found {
        assert!(
            std::env::var("VRT_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "`{name}` is required (VRT_REQUIRE_TOOLS=1) but not installed"
        );
        eprintln!("skipping: `{name}` is not installed (set VRT_REQUIRE_TOOLS=1 to fail instead)");
    }
    found
}
