//! `vrt status --from DIR` and `vrt import` through the real binary, on status files built
//! on HashiCorp's documented shapes (fact sheet §7: current and older, API body and CLI
//! envelope; see tests/fixtures/status/README.md). One fixture folder per finding kind:
//! the kind is reported at the right cluster's line, and its rendering is snapshotted.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

const EXAMPLE: &str = "examples/two-datacenters.yaml";

fn root() -> PathBuf {
    common::root().to_path_buf()
}

/// Runs vrt through the shared harness, on a fixed day.
fn run(args: &[&str]) -> (i32, String, String) {
    common::output(common::vrt().env("VRT_TODAY", "2026-12-01").args(args))
}

/// The 1-based line of `key:` in the cluster `cluster` of `text` (`name` for its name).
fn line_of(text: &str, cluster: &str, key: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {cluster}"))
        .unwrap_or_else(|| panic!("no cluster {cluster}"));
    if key == "name" {
        return start + 1;
    }
    start
        + 2
        + lines[start + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with(&format!("{key}:")))
            .unwrap_or_else(|| panic!("no {key} in {cluster}"))
}

/// (file, code, line) of every finding of a JSON report.
fn located(json: &str) -> Vec<(String, String, usize)> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                usize::try_from(f["line"].as_u64().unwrap()).unwrap(),
            )
        })
        .collect()
}

/// Where each fixture's finding must be: (code, cluster, key in the topology).
const EXPECTED: &[(&str, &str, &str)] = &[
    ("VRT501", "dr-a", "role"),
    ("VRT502", "perf-b", "replicates_from"),
    ("VRT503", "dr-a", "name"),
    ("VRT504", "primary-a", "name"),
    ("VRT505", "dr-b", "name"),
    ("VRT506", "perf-b", "name"),
    ("VRT507", "dr-a", "name"),
    ("VRT508", "dr-b", "name"),
    ("VRT509", "dr-a", "name"),
    ("VRT510", "perf-b", "version"),
    ("VRT511", "dr-b", "name"),
];

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/status"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_drift_kind_is_reported_at_its_cluster() {
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    for (code, cluster, key) in EXPECTED {
        let dir = fixture_dirs()
            .into_iter()
            .find(|d| d.file_name().unwrap().to_str().unwrap().starts_with(code))
            .unwrap_or_else(|| panic!("no fixture for {code}"));
        let dir = rel(&dir);
        let (exit, out, err) = run(&["status", EXAMPLE, "--from", &dir, "--format", "json"]);
        let found = located(&out);
        let want = (
            EXAMPLE.to_string(),
            code.to_string(),
            line_of(&text, cluster, key),
        );
        assert!(
            found.contains(&want),
            "{dir}: want {want:?}, found {found:?} {err}"
        );
        let errors = serde_json::from_str::<Value>(&out).unwrap()["summary"]["errors"]
            .as_u64()
            .unwrap();
        assert_eq!(exit, i32::from(errors > 0), "{dir}: {err}");
        let (_, human, _) = run(&["status", EXAMPLE, "--from", &dir]);
        insta::assert_snapshot!(format!("status-{code}"), human);
    }
}

#[test]
fn invalid_bodies_are_located_in_their_files() {
    let dir = "tests/fixtures/status/VRT512-invalid-status";
    let (exit, out, _) = run(&["status", EXAMPLE, "--from", dir, "--format", "json"]);
    assert_eq!(exit, 1);
    let mut found = located(&out);
    found.sort();
    assert_eq!(
        found,
        [
            (format!("{dir}/dr-a.json"), "VRT512".into(), 1),
            (format!("{dir}/dr-b.json"), "VRT512".into(), 1),
            (format!("{dir}/perf-b.json"), "VRT512".into(), 32),
        ]
    );
    let (_, human, _) = run(&["status", EXAMPLE, "--from", dir]);
    insta::assert_snapshot!("status-VRT512", human);
}

#[test]
fn healthy_current_and_older_shapes_are_clean() {
    for dir in ["healthy", "older-shapes"] {
        let dir = format!("tests/fixtures/status/{dir}");
        let (exit, out, err) = run(&["status", EXAMPLE, "--from", &dir]);
        assert_eq!(exit, 0, "{out}{err}");
        assert!(
            out.contains("┘\n1 file checked: 0 errors, 0 warnings, 0 notes\n"),
            "{out}"
        );
        assert!(!out.contains('×') && !out.contains('⚠'), "{out}");
        assert!(
            out.contains("live status compared for 4 of 4 clusters"),
            "{out}"
        );
    }
}

/// A scratch folder under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

#[test]
fn huge_non_utf8_and_non_file_captures_are_findings_not_crashes() {
    let dir = scratch("status-hostile");
    copy_dir(&root().join("tests/fixtures/status/healthy"), &dir);
    // 5 MiB of whitespace inside otherwise valid JSON: over the 4 MiB cap
    let huge = format!("{{\"data\": {{{}}}}}", " ".repeat(5 * 1024 * 1024));
    std::fs::write(dir.join("dr-b.json"), huge).unwrap();
    std::fs::write(dir.join("dr-a.json"), b"{\"data\": \"\xff\xfe\"}").unwrap();
    std::fs::remove_file(dir.join("perf-b.json")).unwrap();
    std::fs::create_dir(dir.join("perf-b.json")).unwrap();
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let (exit, out, err) = run(&[
        "status",
        EXAMPLE,
        "--from",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(exit, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let messages: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert!(
        messages.iter().any(|(c, m)| *c == "VRT511"
            && m.contains("dr-b")
            && m.contains("more than the 4194304")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|(c, m)| *c == "VRT511"
            && m.contains("perf-b")
            && m.contains("not a regular file")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(c, m)| *c == "VRT512" && m.contains("dr-a") && m.contains("not UTF-8")),
        "{messages:?}"
    );
    let found = located(&out);
    assert!(found.contains(&(
        EXAMPLE.into(),
        "VRT511".into(),
        line_of(&text, "dr-b", "name")
    )));
}

#[test]
fn every_output_format_carries_the_findings() {
    let dir = "tests/fixtures/status/VRT505-replication-disconnected";
    let (exit, sarif, _) = run(&["status", EXAMPLE, "--from", dir, "--format", "sarif"]);
    assert_eq!(exit, 1);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "VRT505");
    let (exit, github, _) = run(&["status", EXAMPLE, "--from", dir, "--format", "github"]);
    assert_eq!(exit, 1);
    assert!(
        github.starts_with("::error file=examples/two-datacenters.yaml,line="),
        "{github}"
    );
    assert!(github.contains("VRT505"), "{github}");
    let (exit, junit, _) = run(&["status", EXAMPLE, "--from", dir, "--format", "junit"]);
    assert_eq!(exit, 1);
    assert!(
        junit.contains("VRT505") && junit.contains("<failure"),
        "{junit}"
    );
    let (exit, _, _) = run(&[
        "status",
        EXAMPLE,
        "--from",
        "tests/fixtures/status/VRT506-replication-not-streaming",
    ]);
    assert_eq!(exit, 0, "warnings alone pass");
    let (exit, _, _) = run(&[
        "status",
        EXAMPLE,
        "--from",
        "tests/fixtures/status/VRT506-replication-not-streaming",
        "--deny-warnings",
    ]);
    assert_eq!(exit, 1);
}

#[test]
fn ignore_entries_suppress_live_findings_and_stale_ones_are_reported() {
    let dir = scratch("status-suppress");
    let mut text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    text.push_str(
        "\nignore:\n  - {rule: VRT506, cluster: perf-b, reason: \"reindex running, CHG-1\"}\n  - {rule: replication-disconnected, cluster: dr-b, reason: \"link maintenance, CHG-2\"}\n",
    );
    let file = dir.join("topology.yaml");
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let (exit, out, err) = run(&[
        "status",
        file,
        "--from",
        "tests/fixtures/status/VRT506-replication-not-streaming",
        "--format",
        "json",
    ]);
    assert_eq!(exit, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["suppressed"][0]["code"], "VRT506");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["VRT022"], "the VRT505 entry matched nothing: {out}");
    // `vrt validate` runs no live check, so it does not call the live entries stale
    let (exit, out, _) = run(&["validate", file]);
    assert!(!out.contains("VRT022"), "{out}");
    assert_eq!(exit, 0, "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let (exit, _, err) = run(&[
        "status",
        EXAMPLE,
        "--from",
        "tests/fixtures/status/nothing-here",
    ]);
    assert_eq!(exit, 2);
    assert!(err.contains("is not a folder"), "{err}");
    let (exit, _, _) = run(&["status", EXAMPLE]);
    assert_eq!(exit, 2, "--from or --live is required");
    let (exit, _, _) = run(&["status", EXAMPLE, "--from", "x", "--live"]);
    assert_eq!(exit, 2);
    let (exit, _, err) = run(&["status", EXAMPLE, "--from", "x", "--ca-file", "ca.pem"]);
    assert_eq!(
        exit, 2,
        "--ca-file without --live is refused, not ignored: {err}"
    );
    let (exit, _, _) = run(&["status", EXAMPLE, "--live", "--timeout", "0"]);
    assert_eq!(exit, 2);
}

#[test]
fn explain_documents_every_live_code() {
    for code in EXPECTED.iter().map(|e| e.0).chain(["VRT512"]) {
        let (exit, out, _) = run(&["explain", code]);
        assert_eq!(exit, 0);
        assert!(out.contains("## Sources"), "{code}: {out}");
    }
}

#[test]
fn import_round_trips_the_example_captures_to_a_topology_that_validates() {
    let example = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    for fixture in ["healthy", "older-shapes"] {
        let dir = scratch(&format!("import-{fixture}"));
        let out = dir.join("draft.yaml");
        let from = format!("tests/fixtures/status/{fixture}");
        let (exit, stdout, err) =
            run(&["import", "--from", &from, "--output", out.to_str().unwrap()]);
        assert_eq!(exit, 0, "{err}");
        assert!(stdout.is_empty());
        let draft = std::fs::read_to_string(&out).unwrap();
        assert!(draft.contains("# FILL"), "{draft}");
        let (exit, report, err) = run(&["validate", out.to_str().unwrap(), "--format", "json"]);
        let v: Value = serde_json::from_str(&report).unwrap_or_else(|_| panic!("{err}"));
        assert_eq!(v["summary"]["errors"], 0, "{fixture}: {report}\n{draft}");
        assert_eq!(exit, 0);
        // the replication shape is the example's: every cluster's role and upstream
        for cluster in ["primary-a", "dr-a", "perf-b", "dr-b"] {
            for key in ["role", "replicates_from"] {
                let in_example = value_of(&example, cluster, key);
                assert_eq!(
                    value_of(&draft, cluster, key),
                    in_example,
                    "{fixture} {cluster} {key}"
                );
            }
        }
        // and the draft compares clean with the captures it came from
        let (exit, status, _) = run(&["status", out.to_str().unwrap(), "--from", &from]);
        assert_eq!(exit, 0, "{status}");
        assert!(status.contains("0 errors, 0 warnings"), "{status}");
        if fixture == "healthy" {
            insta::assert_snapshot!("import-healthy", draft);
        }
    }
}

fn value_of(text: &str, cluster: &str, key: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {cluster}"))?;
    lines[start + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with("- "))
        .find_map(|l| l.trim().strip_prefix(&format!("{key}:")))
        .map(|v| v.split('#').next().unwrap_or("").trim().to_string())
}

#[test]
fn import_refuses_unusable_captures() {
    let (exit, _, err) = run(&[
        "import",
        "--from",
        "tests/fixtures/status/VRT512-invalid-status",
    ]);
    assert_eq!(exit, 1);
    assert!(
        err.contains("VRT512-invalid-status/perf-b.json:32:23"),
        "{err}"
    );
    assert!(err.contains("no draft written"), "{err}");
    let dir = scratch("import-empty");
    let (exit, _, err) = run(&["import", "--from", dir.to_str().unwrap()]);
    assert_eq!(exit, 2);
    assert!(err.contains("holds no `<cluster>.json`"), "{err}");
    std::fs::write(dir.join("Not A Name.json"), "{}").unwrap();
    let (exit, _, err) = run(&["import", "--from", dir.to_str().unwrap()]);
    assert_eq!(exit, 1);
    assert!(err.contains("cluster name"), "{err}");
}

#[test]
fn the_sample_report_in_the_docs_is_real_output() {
    let doc = std::fs::read_to_string(root().join("docs/status.md")).unwrap();
    let (exit, out, _) = run(&[
        "status",
        EXAMPLE,
        "--from",
        "tests/fixtures/status/VRT502-live-upstream-mismatch",
    ]);
    assert_eq!(exit, 1);
    assert!(
        doc.contains(&format!("```text\n{out}```")),
        "docs/status.md must show this output:\n{out}"
    );
    assert!(doc.contains("vault read -format=json sys/replication/status > \"status/$c.json\""));
}

#[test]
fn every_truncation_of_every_capture_parses_or_fails_inside_the_body() {
    for dir in fixture_dirs() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
                let source = vrt::source::Source::new("cut.json", &text[..end]);
                if let Err(e) = vrt::status::live::parse_status(&source) {
                    assert!(
                        e.span.offset + e.span.len <= end,
                        "{}: cut at {end}: {e:?}",
                        path.display()
                    );
                    assert!(!e.message.is_empty());
                }
            }
        }
    }
}

#[test]
fn values_from_the_bodies_are_escaped_in_the_report() {
    let dir = scratch("status-escape");
    copy_dir(&root().join("tests/fixtures/status/healthy"), &dir);
    let path = dir.join("dr-b.json");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "\"state\": \"stream-wals\"",
        "\"state\": \"\\u001b[31mred\\nline\"",
    );
    assert!(text.contains("u001b"));
    std::fs::write(&path, text).unwrap();
    let (exit, out, _) = run(&["status", EXAMPLE, "--from", dir.to_str().unwrap()]);
    assert_eq!(exit, 0, "a warning: {out}");
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(out.contains("secondary, \\u{1b}[31mred\\nline"), "{out}");
    assert!(out.contains("in state `\\u{1b}[31mred"), "{out}");
}
