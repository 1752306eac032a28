//! Fixtures for the load and model stages (`tests/fixtures/structural/`): each file is
//! broken in one or more ways; the snapshot holds the rendered diagnostics, and the test
//! checks the codes and lines marked `# expect: <CODE>` (or, for errors that cannot carry a
//! comment on their line, the `# expect-at: <LINE> <CODE>` header lines).

mod common;

use vrt::yaml::Limits;

#[test]
fn structural_errors_are_reported_at_their_line() {
    insta::glob!("fixtures/structural/*.yaml", |path| {
        let source = common::source(path);
        let vrt::Validation {
            findings, topology, ..
        } = vrt::validate(&source, Limits::default(), |_| true);
        assert!(
            topology.is_none(),
            "{}: expected structural errors",
            source.name
        );
        let expected = common::expect_markers(&source.text);
        let mut actual: Vec<(usize, String)> = findings
            .iter()
            .map(|f| {
                (
                    source.position(f.primary.span.offset).line,
                    f.rule.code.to_string(),
                )
            })
            .collect();
        actual.sort();
        assert_eq!(actual, expected, "{}", source.name);
        insta::assert_snapshot!(common::rendered(&source, &findings));
    });
}
