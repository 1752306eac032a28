//! Every example in `examples/` validates with zero errors and starts with the
//! yaml-language-server modeline.

mod common;

use vrt::diag::Severity;
use vrt::yaml::Limits;

#[test]
fn every_example_validates_without_errors() {
    let dir = common::root().join("examples");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        count += 1;
        let source = common::source(&path);
        assert!(
            source
                .text
                .starts_with("# yaml-language-server: $schema=../schemas/vrt.schema.json\n"),
            "{}: first line must be the modeline",
            source.name
        );
        let vrt::Validation {
            findings, topology, ..
        } = vrt::validate(&source, Limits::default(), |_| true);
        assert!(
            topology.is_some(),
            "{}",
            common::rendered(&source, &findings)
        );
        let errors: Vec<_> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "{}",
            common::rendered(&source, &findings)
        );
    }
    assert_eq!(count, 5, "the five reference topologies");
}
