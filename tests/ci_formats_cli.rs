//! `vrt validate --format sarif|github|junit`: SARIF validated against the OASIS schema (and by
//! Microsoft's SARIF multitool in tests/sarif_multitool.rs), one GitHub annotation per finding at the
//! finding's line, JUnit XML validated against the common JUnit schema (Jenkins'
//! `junit-10.xsd`) by `xmllint --schema` with test-case names that survive moved lines, and
//! `github` chosen by default under GitHub Actions.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{output as run, vrt};

use serde_json::Value;

const FAILING: &str = "tests/fixtures/rules/VRT107-downstream-older-version.yaml";

fn manifest(rel: &str) -> PathBuf {
    common::root().join(rel)
}

fn sarif_validator() -> jsonschema::Validator {
    // The OASIS schema, vendored (tests/schemas/README.md says where it comes from).
    let path = manifest("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn json_of(args: &[&str]) -> Value {
    let (_, out, err) = run(vrt().args(["validate", "--format", "json"]).args(args));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

#[test]
fn sarif_for_a_failing_example_passes_the_oasis_schema() {
    let (code, out, err) = run(vrt().args(["validate", "--format", "sarif", FAILING]));
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let errors = schema_errors(&sarif_validator(), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &doc["runs"][0];
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["tool"]["driver"]["name"], "vrt");
    let error = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "VRT107")
        .expect("the VRT107 result");
    assert_eq!(error["level"], "error");
    let region = &error["locations"][0]["physicalLocation"]["region"];
    // `version: 1.16.9 # expect: VRT107` on line 16, the value in columns 14–19.
    assert_eq!(
        [
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ],
        [16, 14, 16, 20]
    );
    assert_eq!(
        error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        FAILING
    );
    assert_eq!(
        error["relatedLocations"][0]["message"]["text"],
        "upstream version"
    );
}

#[test]
fn sarif_of_every_fixture_and_example_is_valid_and_matches_the_json_findings() {
    let inputs = common::all_inputs();
    let args: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let (_, out, err) = run(vrt()
        .args(["validate", "--format", "sarif", "--today", "2026-06-01"])
        .args(&args));
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let errors = schema_errors(&sarif_validator(), &doc);
    assert!(errors.is_empty(), "{errors:#?}");

    let sarif_run = &doc["runs"][0];
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    let all = vrt::rules::all();
    assert_eq!(rules.len(), all.len(), "one descriptor per rule");
    for (d, r) in rules.iter().zip(&all) {
        assert_eq!(d["id"], r.code);
        assert_eq!(d["name"], r.name);
        assert_eq!(d["shortDescription"]["text"], r.summary());
        assert!(
            !d["fullDescription"]["text"].as_str().unwrap().is_empty()
                && d["help"]["markdown"]
                    .as_str()
                    .unwrap()
                    .contains("## How to fix"),
            "{}",
            r.code
        );
        assert_eq!(d["defaultConfiguration"]["level"], r.severity.as_str());
        assert_eq!(d["properties"]["suppressible"], r.suppressible);
    }

    let json = {
        let mut cmd = vrt();
        cmd.args(["validate", "--format", "json", "--today", "2026-06-01"])
            .args(&args);
        let (_, out, _) = run(&mut cmd);
        serde_json::from_str::<Value>(&out).unwrap()
    };
    let findings = json["findings"].as_array().unwrap();
    let suppressed = json["suppressed"].as_array().unwrap();
    let results = sarif_run["results"].as_array().unwrap();
    // Suppressed findings are not results (code scanning would open alerts for them): they are
    // listed in the run's property bag with their reason.
    assert_eq!(results.len(), findings.len());
    assert!(!suppressed.is_empty(), "the suppression fixtures suppress");
    let listed = sarif_run["properties"]["suppressed"].as_array().unwrap();
    assert_eq!(listed.len(), suppressed.len());
    for (l, f) in listed.iter().zip(suppressed) {
        assert_eq!(l["ruleId"], f["code"]);
        assert_eq!(l["message"], f["message"]);
        assert_eq!(l["justification"], f["reason"]);
        let p = &l["location"]["physicalLocation"];
        assert_eq!(p["artifactLocation"]["uri"], f["file"]);
        assert_eq!(p["region"]["startLine"], f["line"]);
        assert!(l["suppressedAt"]["physicalLocation"]["region"]["startLine"].is_u64());
    }
    for (r, f) in results.iter().zip(findings) {
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], f["code"]);
        assert_eq!(r["level"], f["severity"]);
        let locations = r["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "exactly one location: {r}");
        let p = &locations[0]["physicalLocation"];
        assert_eq!(p["artifactLocation"]["uri"], f["file"]);
        let region = &p["region"];
        assert_eq!(region["startLine"], f["line"]);
        assert_eq!(region["startColumn"], f["column"]);
        assert_eq!(region["endLine"], f["end_line"]);
        assert_eq!(region["endColumn"], f["end_column"]);
        assert!(r.get("suppressions").is_none(), "{r}");
    }
    // The driver says where to learn about vrt when Cargo.toml declares where that is.
    let uri = &sarif_run["tool"]["driver"]["informationUri"];
    match [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
    {
        Some(expected) => assert_eq!(uri, expected),
        None => assert!(uri.is_null(), "{uri}"),
    }
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let (_, out, _) = run(vrt().args(["validate", "--format", "sarif", FAILING]));
    let validator = sarif_validator();
    let mut doc: Value = serde_json::from_str(&out).unwrap();
    doc["runs"][0]["columnKind"] = "characters".into();
    assert!(!validator.is_valid(&doc));
    let mut doc: Value = serde_json::from_str(&out).unwrap();
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&doc));
    // Draft-04 formats are checked too: `$schema` must be an absolute URI.
    let mut doc: Value = serde_json::from_str(&out).unwrap();
    doc["$schema"] = "sarif-schema.json".into();
    assert!(!validator.is_valid(&doc));
}

#[test]
fn sarif_uris_are_encoded_and_stdin_has_one() {
    let dir = tempdir("sarif-uri");
    let path = dir.join("my topology.yaml");
    std::fs::copy(manifest(FAILING), &path).unwrap();
    let (_, out, _) = run(vrt().args(["validate", "--format", "sarif"]).arg(&path));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(schema_errors(&sarif_validator(), &doc).is_empty());
    let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(uri.ends_with("/my%20topology.yaml"), "{uri}");

    let out = vrt()
        .args(["validate", "--format", "sarif", "-"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema_errors(&sarif_validator(), &doc).is_empty());
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "%3Cstdin%3E"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A parsed workflow command: the command, its properties, its message.
type Annotation = (String, Vec<(String, String)>, String);

/// The `::command properties::message` lines of the output.
fn annotations(out: &str) -> Vec<Annotation> {
    out.lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| {
            let rest = &l[2..];
            let (head, message) = rest.split_once("::").expect("`::` before the message");
            let (command, props) = head.split_once(' ').expect("properties");
            let props = props
                .split(',')
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("key=value");
                    (k.to_string(), v.to_string())
                })
                .collect();
            (command.to_string(), props, message.to_string())
        })
        .collect()
}

fn prop<'a>(props: &'a [(String, String)], key: &str) -> &'a str {
    props
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

#[test]
fn github_format_gives_one_annotation_per_finding_at_its_line() {
    let files = [
        FAILING,
        "examples/global.yaml",
        "tests/fixtures/structural/unknown-key.yaml",
    ];
    let (code, out, _) = run(vrt().args(["validate", "--format", "github"]).args(files));
    assert_eq!(code, 1);
    let json = json_of(&files);
    let findings = json["findings"].as_array().unwrap();
    let found = annotations(&out);
    assert_eq!(found.len(), findings.len(), "{out}");
    for ((command, props, message), f) in found.iter().zip(findings) {
        let expected = match f["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        assert_eq!(command, expected);
        assert_eq!(prop(props, "file"), f["file"].as_str().unwrap());
        for (key, json_key) in [
            ("line", "line"),
            ("col", "column"),
            ("endLine", "end_line"),
            ("endColumn", "end_column"),
        ] {
            assert_eq!(prop(props, key), f[json_key].to_string(), "{key}");
        }
        assert_eq!(
            prop(props, "title"),
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["name"].as_str().unwrap()
            )
        );
        assert!(
            message.starts_with(f["message"].as_str().unwrap()),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }
    assert!(
        out.trim_end()
            .ends_with("3 files checked: 3 errors, 3 warnings, 1 note"),
        "{out}"
    );
    // The VRT107 error is on line 16.
    assert!(
        found.iter().any(|(c, p, _)| c == "error"
            && prop(p, "line") == "16"
            && prop(p, "title") == "VRT107 downstream-older-version"),
        "{out}"
    );
    // Help moves to a second line of the annotation, escaped.
    assert!(
        found.iter().all(|(_, _, m)| m.contains("%0Ahelp: ")),
        "{out}"
    );
}

#[test]
fn github_properties_are_escaped() {
    let dir = tempdir("gh-escape");
    let path = dir.join("a,b:c%.yaml");
    std::fs::copy(manifest(FAILING), &path).unwrap();
    let (_, out, _) = run(vrt().args(["validate", "--format", "github"]).arg(&path));
    let expected = format!("{}/a%2Cb%3Ac%25.yaml", dir.display()).replace(':', "%3A");
    let found = annotations(&out);
    assert!(!found.is_empty());
    for (_, props, _) in &found {
        assert_eq!(prop(props, "file"), expected);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn github_is_the_default_under_github_actions_only() {
    let (code, out, _) = run(vrt()
        .env("GITHUB_ACTIONS", "true")
        .args(["validate", FAILING]));
    assert_eq!(code, 1);
    assert_eq!(annotations(&out).len(), 3, "{out}");
    assert!(!out.contains('╭'), "{out}");

    let (_, out, _) = run(vrt().args(["validate", FAILING]));
    assert!(annotations(&out).is_empty(), "{out}");
    assert!(out.contains("VRT107(downstream-older-version)"), "{out}");

    let (_, out, _) = run(vrt()
        .env("GITHUB_ACTIONS", "false")
        .args(["validate", FAILING]));
    assert!(annotations(&out).is_empty(), "{out}");

    // An explicit --format wins.
    let (_, out, _) = run(vrt()
        .env("GITHUB_ACTIONS", "true")
        .args(["validate", "--format", "human", FAILING]));
    assert!(annotations(&out).is_empty(), "{out}");
    assert!(out.contains("VRT107(downstream-older-version)"), "{out}");
}

#[test]
fn explain_tokens_is_refused_where_it_cannot_be_shown() {
    for format in ["sarif", "github", "junit"] {
        let (code, out, err) = run(vrt().args([
            "validate",
            "--explain-tokens",
            "--format",
            format,
            "examples/global.yaml",
        ]));
        assert_eq!(code, 2, "{format}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("--explain-tokens needs --format human or json"),
            "{err}"
        );
    }
    // Without --format it shows the table, even under GitHub Actions.
    let (code, out, _) = run(vrt().env("GITHUB_ACTIONS", "true").args([
        "validate",
        "--explain-tokens",
        "examples/global.yaml",
    ]));
    assert_eq!(code, 0);
    assert!(
        out.contains("Token and lease flow in examples/global.yaml"),
        "{out}"
    );
}

const CLEAN: &str = "version: 1\nname: tiny\nsites: [{name: a}, {name: b}]\nclusters:\n  - {name: p, site: a, role: primary}\n  - {name: d, site: b, role: dr-secondary, replicates_from: p}\n";

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_finding() {
    let dir = tempdir("junit");
    let clean = dir.join("clean.yaml");
    std::fs::write(&clean, CLEAN).unwrap();
    let clean = clean.to_string_lossy().to_string();
    let files = [FAILING, "examples/global.yaml", clean.as_str()];
    let (code, out, _) = run(vrt().args(["validate", "--format", "junit"]).args(files));
    assert_eq!(code, 1);
    if common::tool_available("xmllint") {
        let xml = dir.join("report.xml");
        std::fs::write(&xml, &out).unwrap();
        let check = Command::new("xmllint")
            .arg("--noout")
            .arg(&xml)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}\n{out}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    assert_eq!(out.matches("<testsuite ").count(), 3, "{out}");
    // 3 findings + 3 findings + 1 passing case; only the two errors fail.
    assert!(
        out.contains("<testsuites name=\"vrt validate\" tests=\"7\" failures=\"2\" errors=\"0\">"),
        "{out}"
    );
    assert!(out.contains(&format!(
        "<testsuite name=\"{FAILING}\" tests=\"3\" failures=\"2\""
    )));
    assert!(out.contains("<testcase name=\"VRT107 downstream-older-version: `dr-a` runs 1.16.9 but replicates from `primary-a` on newer 1.17.3\" classname=\"tests/fixtures/rules/VRT107-downstream-older-version.yaml\">"), "{out}");
    assert!(
        out.contains(
            ">tests/fixtures/rules/VRT107-downstream-older-version.yaml:16:14: error VRT107: "
        ),
        "{out}"
    );
    assert!(out.contains("<failure type=\"VRT107\" message=\"`dr-a` runs 1.16.9 but replicates from `primary-a` on newer 1.17.3\">"));
    assert!(out.contains(&format!(
        "<testcase name=\"no findings\" classname=\"{clean}\""
    )));
    assert_eq!(out.matches("<failure ").count(), 2);

    let (_, out, _) = run(vrt()
        .args(["validate", "--format", "junit", "--deny-warnings"])
        .args(files));
    // With --deny-warnings the 3 warnings fail too; the note still passes.
    assert_eq!(out.matches("<failure ").count(), 5, "{out}");
    assert!(out.contains("tests=\"7\" failures=\"5\""), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Validates a JUnit document against the vendored `junit-10.xsd` with `xmllint --schema`.
fn junit_schema_errors(xml: &str) -> Option<String> {
    if !common::tool_available("xmllint") {
        return None;
    }
    let dir = tempdir("junit-xsd");
    let path = dir.join("report.xml");
    std::fs::write(&path, xml).unwrap();
    let check = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(manifest("tests/schemas/junit-10.xsd"))
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_dir_all(dir).unwrap();
    (!check.status.success()).then(|| String::from_utf8_lossy(&check.stderr).to_string())
}

#[test]
fn junit_of_every_fixture_and_example_passes_the_junit_schema() {
    let inputs = common::all_inputs();
    let args: Vec<&str> = inputs.iter().map(String::as_str).collect();
    for extra in [&[][..], &["--deny-warnings"][..]] {
        let (_, out, err) = run(vrt()
            .args(["validate", "--format", "junit", "--today", "2026-06-01"])
            .args(extra)
            .args(&args));
        assert!(out.starts_with("<?xml"), "{err}");
        if let Some(errors) = junit_schema_errors(&out) {
            panic!("{errors}");
        }
        // Test cases carry only a name and a class name; names are unique per suite.
        let doc = roxmltree::Document::parse(&out).unwrap();
        for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
            let mut names = std::collections::BTreeSet::new();
            for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
                let attrs: Vec<&str> = case.attributes().map(|a| a.name()).collect();
                assert_eq!(attrs, ["name", "classname"], "{out}");
                assert!(names.insert(case.attribute("name").unwrap()), "{out}");
            }
        }
    }
    // The check is not vacuous: the attributes vrt used to write on test cases are refused.
    let (_, out, _) = run(vrt().args(["validate", "--format", "junit", FAILING]));
    let old = out.replacen(
        "\">\n      <failure",
        "\" file=\"x.yaml\" line=\"16\">\n      <failure",
        1,
    );
    assert_ne!(old, out);
    if let Some(errors) = junit_schema_errors(&old) {
        assert!(
            errors.contains("attribute 'file' is not allowed"),
            "{errors}"
        );
    } else {
        assert!(!common::tool_available("xmllint"), "xmllint accepted {old}");
    }
}

#[test]
fn junit_test_case_names_do_not_move_with_their_line() {
    let text = std::fs::read_to_string(manifest(FAILING)).unwrap();
    // Three comment lines inserted just above the VRT107 finding (line 16) push it to line 19.
    let mut lines: Vec<&str> = text.lines().collect();
    let indent: String = lines[15]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let comment = format!("{indent}# moved down by a comment");
    for _ in 0..3 {
        lines.insert(15, &comment);
    }
    let moved_text = lines.join("\n") + "\n";
    let dir = tempdir("junit-moved");
    let (a, b) = (dir.join("a"), dir.join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("topology.yaml"), &text).unwrap();
    std::fs::write(b.join("topology.yaml"), &moved_text).unwrap();
    let report = |dir: &std::path::Path| {
        let (_, out, _) =
            run(vrt()
                .current_dir(dir)
                .args(["validate", "--format", "junit", "topology.yaml"]));
        out
    };
    let (before, after) = (report(&a), report(&b));
    assert_ne!(before, after, "the line moved");
    let cases = |xml: &str| -> Vec<(String, String)> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|c| {
                let text = c
                    .descendants()
                    .filter(roxmltree::Node::is_text)
                    .filter_map(|n| n.text())
                    .collect::<String>()
                    .trim()
                    .to_string();
                (c.attribute("name").unwrap().to_string(), text)
            })
            .collect()
    };
    let (before, after) = (cases(&before), cases(&after));
    assert_eq!(before.len(), 3);
    assert_eq!(
        before.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        after.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "names unchanged"
    );
    let vrt107 = |cases: &[(String, String)]| {
        cases
            .iter()
            .find(|(n, _)| n.starts_with("VRT107 "))
            .unwrap()
            .1
            .clone()
    };
    assert!(
        vrt107(&before).starts_with("topology.yaml:16:14: error VRT107"),
        "{before:?}"
    );
    assert!(
        vrt107(&after).starts_with("topology.yaml:19:14: error VRT107"),
        "{after:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
