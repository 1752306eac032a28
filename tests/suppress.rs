//! Suppressions (`ignore` entries): fixtures under `tests/fixtures/suppress/` run with every
//! rule on a fixed day (2026-06-01). Lines marked `# expect: CODE[, CODE]` are exactly the
//! lines (and codes) of the reported findings; the snapshot holds the rendered findings and
//! the suppressed ones with their reasons. CLI tests cover the injected date and the summary.

mod common;

use std::fmt::Write as _;

use common::{output as run, vrt};
use vrt::date::Date;
use vrt::yaml::Limits;

const TODAY: &str = "2026-06-01";

#[test]
fn suppression_fixtures_report_exactly_the_marked_lines() {
    insta::glob!("fixtures/suppress/*.yaml", |path| {
        let source = common::source(path);
        let v = vrt::validate_on(
            &source,
            Limits::default(),
            |_| true,
            Date::parse(TODAY).unwrap(),
        );
        assert!(v.topology.is_some(), "{}", source.name);
        let expected = common::expect_markers(&source.text);
        let mut actual: Vec<(usize, String)> = v
            .findings
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

        let mut snapshot = common::rendered(&source, &v.findings);
        snapshot.push_str("\nsuppressed:\n");
        for s in &v.suppressed {
            let p = source.position(s.finding.primary.span.offset);
            let entry = source.position(s.entry.offset).line;
            writeln!(
                snapshot,
                "  {}:{} {} {} (entry on line {entry}: {})",
                p.line, p.column, s.finding.rule.code, s.finding.message, s.reason
            )
            .unwrap();
        }
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn findings_of_the_topology_rules_name_their_cluster() {
    // The subject is what `cluster:` in an `ignore` entry matches: it must be set, and be
    // the cluster the message is about.
    let dir = common::root().join("tests/fixtures/rules");
    let codes = [
        "VRT101", "VRT102", "VRT103", "VRT104", "VRT105", "VRT106", "VRT107", "VRT108", "VRT109",
        "VRT110", "VRT201", "VRT203", "VRT204", "VRT205", "VRT206", "VRT207", "VRT301", "VRT302",
        "VRT303", "VRT304", "VRT401", "VRT402",
    ];
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let source = common::source(&path);
        let vrt::Validation {
            findings, topology, ..
        } = vrt::validate(&source, Limits::default(), |_| true);
        let t = topology.expect("rule fixtures load");
        for f in findings.iter().filter(|f| codes.contains(&f.rule.code)) {
            let id = f
                .cluster
                .unwrap_or_else(|| panic!("{}: {} has no cluster", source.name, f.message));
            assert!(
                f.message.contains(&format!("`{}`", t.name(id))),
                "{}: subject `{}` is not in `{}`",
                source.name,
                t.name(id),
                f.message
            );
            seen += 1;
        }
    }
    assert!(seen > 20, "{seen}");
}

const EXPIRY: &str = "tests/fixtures/suppress/expiry.yaml";

fn codes_on(day: &str, by_env: bool) -> (i32, Vec<String>, usize) {
    let mut cmd = vrt();
    cmd.args(["validate", "--format", "json", EXPIRY]);
    if by_env {
        cmd.env("VRT_TODAY", day);
    } else {
        cmd.args(["--today", day]);
    }
    let (code, out, err) = run(&mut cmd);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}{err}"));
    let codes = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}@{}", f["code"].as_str().unwrap(), f["line"]))
        .collect();
    let suppressed = usize::try_from(doc["summary"]["suppressed"].as_u64().unwrap()).unwrap();
    assert_eq!(doc["suppressed"].as_array().unwrap().len(), suppressed);
    (code, codes, suppressed)
}

#[test]
fn expiry_follows_the_injected_date() {
    // Up to and including `until`, the entry applies.
    assert_eq!(codes_on("2026-05-31", false), (0, vec![], 5));
    assert_eq!(codes_on("2026-05-31", true), (0, vec![], 5));
    // The day after, its finding comes back with the expired entry.
    assert_eq!(
        codes_on("2026-06-01", true),
        (1, vec!["VRT101@13".into(), "VRT021@19".into()], 4)
    );
    // A day later the second entry has expired too.
    assert_eq!(
        codes_on("2026-06-02", false),
        (
            1,
            vec![
                "VRT101@13".into(),
                "VRT401@13".into(),
                "VRT021@19".into(),
                "VRT021@23".into()
            ],
            3
        )
    );
    // And in 2027 all three dated entries have.
    let (_, codes, suppressed) = codes_on("2027-03-02", false);
    assert_eq!(codes.iter().filter(|c| c.starts_with("VRT021")).count(), 3);
    assert_eq!(suppressed, 2);
}

#[test]
fn a_bad_injected_date_is_a_usage_error() {
    let (code, _, err) = run(vrt()
        .env("VRT_TODAY", "2026-02-30")
        .args(["validate", EXPIRY]));
    assert_eq!(code, 2);
    assert!(err.contains("2026-02 has 28 days"), "{err}");
}

#[test]
fn the_human_summary_counts_suppressed_findings() {
    let (code, out, _) = run(vrt().args(["validate", "--today", TODAY, EXPIRY]));
    assert_eq!(code, 1);
    assert!(
        out.trim_end()
            .ends_with("1 file checked: 1 error, 1 warning, 0 notes (4 suppressed)"),
        "{out}"
    );
    let (_, out, _) = run(vrt().args(["validate", "examples/global.yaml"]));
    assert!(!out.contains("suppressed"), "{out}");
}

#[test]
fn suppressed_findings_do_not_become_annotations_or_test_failures() {
    let (_, out, _) = run(vrt().args(["validate", "--format", "github", "--today", TODAY, EXPIRY]));
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("::error ") && lines[0].contains("title=VRT101 "));
    assert!(lines[1].starts_with("::warning ") && lines[1].contains("title=VRT021 "));
    let (_, out, _) = run(vrt().args(["validate", "--format", "junit", "--today", TODAY, EXPIRY]));
    assert_eq!(out.matches("<testcase ").count(), 2, "{out}");
}

#[test]
fn the_schema_describes_ignore_entries_for_editors() {
    let validator = jsonschema::draft7::new(&vrt::schema()).expect("the schema compiles");
    let dir = common::root().join("tests/fixtures/suppress");
    for (file, valid) in [
        ("expiry.yaml", true),
        ("unused.yaml", true),
        ("unsuppressible.yaml", true),
        // An entry without `reason`: editors flag it before vrt does (VRT020).
        ("reasons.yaml", false),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let value = vrt::yaml::to_json(&text).unwrap();
        assert_eq!(validator.is_valid(&value), valid, "{file}");
    }
    let bad_date = "version: 1\nname: x\nsites: [{name: a}]\nclusters: [{name: c, site: a, role: primary}]\nignore: [{rule: VRT101, reason: r, until: 1 March 2027}]\n";
    assert!(!validator.is_valid(&vrt::yaml::to_json(bad_date).unwrap()));
}
