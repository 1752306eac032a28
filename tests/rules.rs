//! One fixture per rule under `tests/fixtures/rules/`, named `<CODE>-<name>.yaml`, with both a
//! violating and a compliant case. Each runs with only its rule enabled; the rendered
//! diagnostics are snapshotted, and the test also checks that the rule fires at least once
//! and only on the lines the fixture marks with `# expect: <CODE>`.

mod common;

use vrt::yaml::Limits;

#[test]
fn every_rule_fires_on_its_fixture() {
    insta::glob!("fixtures/rules/*.yaml", |path| {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let code = &file[..6];
        let rule = vrt::rules::find(code).unwrap_or_else(|| panic!("{file}: no rule {code}"));
        assert!(
            file[7..].starts_with(rule.name),
            "{file}: fixture name must be <CODE>-{}.yaml",
            rule.name
        );
        let source = common::source(path);
        let vrt::Validation {
            findings, topology, ..
        } = vrt::validate(&source, Limits::default(), |r| r.code == code);
        assert!(
            topology.is_some(),
            "{file}: fixture must load cleanly: {findings:#?}"
        );
        assert!(!findings.is_empty(), "{file}: {code} did not fire");

        // Lines marked `# expect: CODE` are exactly the lines findings point at.
        let mut expected: Vec<usize> = common::expect_markers(&source.text)
            .into_iter()
            .filter(|(_, c)| c == code)
            .map(|(line, _)| line)
            .collect();
        let mut actual: Vec<usize> = findings
            .iter()
            .map(|f| source.position(f.primary.span.offset).line)
            .collect();
        expected.dedup();
        actual.dedup();
        assert_eq!(
            actual, expected,
            "{file}: finding lines differ from `# expect` markers"
        );

        insta::assert_snapshot!(common::rendered(&source, &findings));
    });
}

#[test]
fn every_check_rule_has_a_fixture() {
    let dir = common::root().join("tests/fixtures/rules");
    for check in vrt::rules::CHECKS {
        let name = format!("{}-{}.yaml", check.rule.code, check.rule.name);
        assert!(dir.join(&name).exists(), "missing fixture {name}");
    }
}
