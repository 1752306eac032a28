//! Drives the real `vrt` binary: exit codes 0/1/2, JSON output, stdin, explain and schema.

mod common;

use common::{run, run_with_stdin as with_stdin, vrt};
use insta_cmd::assert_cmd_snapshot;

#[test]
fn clean_example_exits_zero_with_a_summary() {
    let (code, out, _) = run(&["validate", "examples/two-datacenters.yaml"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.trim_end()
            .ends_with("1 file checked: 0 errors, 2 warnings, 0 notes"),
        "{out}"
    );
}

#[test]
fn deny_warnings_turns_warnings_into_exit_one() {
    let (code, _, _) = run(&[
        "validate",
        "--deny-warnings",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn rule_errors_exit_one() {
    let (code, out, _) = run(&[
        "validate",
        "tests/fixtures/rules/VRT102-replication-from-dr-secondary.yaml",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("VRT102(replication-from-dr-secondary)"),
        "{out}"
    );
    assert!(
        out.contains("replication-from-dr-secondary.yaml:18:22"),
        "{out}"
    );
}

#[test]
fn missing_path_exits_two_and_says_why_on_stderr() {
    let (code, out, err) = run(&["validate", "does/not/exist.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read `does/not/exist.yaml`"), "{err}");
    assert!(out.contains("0 files checked"), "{out}");
}

#[test]
fn a_directory_exits_two() {
    let (code, _, err) = run(&["validate", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("is a directory"), "{err}");
}

#[test]
fn bad_usage_exits_two() {
    let (code, _, err) = run(&["validate", "--format", "xml", "examples/global.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'xml'"), "{err}");
    let (code, _, _) = run(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn help_documents_exit_codes() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("2  vrt could not run"), "{out}");
    let (_, out, _) = run(&["validate", "--help"]);
    assert!(
        out.contains("Examples:") && out.contains("Exit codes:"),
        "{out}"
    );
}

#[test]
fn stdin_is_read_with_dash() {
    let text = std::fs::read("examples/global.yaml").unwrap();
    let (code, out, _) = with_stdin(&["validate", "--format", "json", "-"], &text);
    assert_eq!(code, 0, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["summary"]["files"], 1);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["file"] == "<stdin>")
    );
}

#[test]
fn non_utf8_input_is_a_located_error() {
    let (code, out, _) = with_stdin(
        &["validate", "--format", "json", "-"],
        b"version: 1\nname: \xff\xfe\n",
    );
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["code"], "VRT001");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(7))
    );
}

#[test]
fn an_empty_file_is_an_error() {
    let (code, out, _) = with_stdin(&["validate", "-"], b"");
    assert_eq!(code, 1);
    assert!(out.contains("the file holds no YAML document"), "{out}");
}

#[test]
fn json_output_has_the_contract_shape() {
    let (code, out, _) = run(&[
        "validate",
        "--format",
        "json",
        "tests/fixtures/structural/unknown-key.yaml",
        "examples/global.yaml",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &doc["findings"][0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "code",
            "column",
            "end_column",
            "end_line",
            "file",
            "help",
            "line",
            "message",
            "name",
            "severity"
        ]
    );
    assert_eq!(first["file"], "tests/fixtures/structural/unknown-key.yaml");
    assert_eq!(first["code"], "VRT002");
    assert_eq!(first["severity"], "error");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(12), Some(5))
    );
    assert_eq!(
        (first["end_line"].as_u64(), first["end_column"].as_u64()),
        (Some(12), Some(19))
    );
    assert_eq!(first["help"], "did you mean `replicates_from`?");
    assert_eq!(doc["summary"]["files"], 2);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 3);
}

#[test]
fn explain_tokens_shows_the_computed_flow() {
    let (code, out, _) = run(&[
        "validate",
        "--explain-tokens",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 0);
    assert_snapshot_tail(&out);
}

fn assert_snapshot_tail(out: &str) {
    let table = out
        .split("Token and lease flow in")
        .nth(1)
        .expect("token table printed");
    insta::assert_snapshot!(table);
}

#[test]
fn explain_lists_rules_and_explains_one() {
    assert_cmd_snapshot!(vrt().args(["explain", "VRT101"]));
    let (code, out, _) = run(&["explain"]);
    assert_eq!(code, 0);
    for rule in vrt::rules::all() {
        assert!(
            out.contains(rule.code) && out.contains(rule.name),
            "{}",
            rule.code
        );
    }
    let (code, out, _) = run(&["explain", "missing-dr-secondary"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("VRT101 missing-dr-secondary (error)"),
        "{out}"
    );
    let (code, _, err) = run(&["explain", "VRT999"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no rule has the code or name `VRT999`"),
        "{err}"
    );
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let (code, out, _) = run(&["schema"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        std::fs::read_to_string("schemas/vrt.schema.json").unwrap()
    );
}

#[test]
fn no_color_output_has_no_escape_codes() {
    let (_, out, _) = run(&[
        "validate",
        "tests/fixtures/rules/VRT101-missing-dr-secondary.yaml",
    ]);
    assert!(!out.contains('\u{1b}'), "{out}");
}
