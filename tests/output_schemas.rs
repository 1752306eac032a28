//! The JSON documents of `validate`, `status`, `ports`, `mounts` and `firewall` follow the
//! committed schemas in `schemas/` (generated from their types; `VRT_WRITE_SCHEMAS=1`
//! rewrites them), for every example; the schemas are strict (a mutated document fails);
//! and every planner prints the findings document, valid against its own schema, when the
//! topology has errors: a file that does not load, and the errors the planner itself stops
//! on (an address-less flow, a catch-all address, a replication cycle).

mod common;

use common::{examples, root, run};
use serde_json::{Value, json};

type Generator = fn() -> Value;

const SCHEMAS: &[(&str, Generator)] = &[
    ("schemas/validate.schema.json", vrt::report::json::schema),
    ("schemas/ports.schema.json", vrt::report::ports::schema),
    ("schemas/mounts.schema.json", vrt::report::mounts::schema),
    (
        "schemas/firewall.schema.json",
        vrt::report::firewall::neutral::schema,
    ),
];

#[test]
fn committed_output_schemas_match_generated() {
    for (path, generate) in SCHEMAS {
        let schema = generate();
        common::assert_committed_schema(
            path,
            &schema,
            "cargo test --test output_schemas committed",
        );
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        let id = schema["$id"].as_str().unwrap();
        assert!(
            id.starts_with("urn:vrt:schema:") && id.ends_with(":v1"),
            "{id}"
        );
        // Every object the documents hold is closed.
        for (name, def) in schema["definitions"].as_object().into_iter().flatten() {
            if def["type"] == "object" {
                assert_eq!(def["additionalProperties"], false, "{path}: {name}");
            }
        }
    }
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft7::new(schema).expect("the schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Runs vrt, expecting `code`, and parses its standard output.
fn json_of(args: &[&str], code: i32) -> Value {
    let (exit, out, err) = run(args);
    assert_eq!(exit, code, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

fn assert_valid(schema: &Value, doc: &Value, what: &str) {
    let found = errors(&validator(schema), doc);
    assert!(found.is_empty(), "{what}: {found:#?}");
}

fn first_site(example: &str) -> String {
    let text = std::fs::read_to_string(root().join(example)).unwrap();
    let value = vrt::yaml::to_json(&text).unwrap();
    value["sites"][0]["name"].as_str().unwrap().to_string()
}

#[test]
fn every_example_output_follows_its_schema() {
    let validate = vrt::report::json::schema();
    let ports = vrt::report::ports::schema();
    let mounts = vrt::report::mounts::schema();
    let firewall = vrt::report::firewall::neutral::schema();
    let mut with_mounts = 0;
    for example in examples() {
        let e = example.as_str();
        let doc = json_of(&["validate", "--format", "json", e], 0);
        assert_valid(&validate, &doc, e);
        let doc = json_of(&["validate", "--format", "json", "--explain-tokens", e], 0);
        assert!(doc["tokens"][e].as_array().is_some_and(|r| !r.is_empty()));
        assert_valid(&validate, &doc, e);
        for extra in [&[][..], &["--strict-ports"][..]] {
            let mut args = vec!["ports", "--format", "json", e];
            args.extend_from_slice(extra);
            let doc = json_of(&args, 0);
            assert!(!doc["flows"].as_array().unwrap().is_empty());
            assert_valid(&ports, &doc, &format!("{args:?}"));
        }
        let site = first_site(e);
        for extra in [&[][..], &["--after-loss", &site][..]] {
            let mut args = vec!["mounts", "--format", "json", e];
            args.extend_from_slice(extra);
            let doc = json_of(&args, 0);
            with_mounts += usize::from(!doc["mounts"].as_array().unwrap().is_empty());
            assert_valid(&mounts, &doc, &format!("{args:?}"));
        }
        for extra in [&[][..], &["--no-standby"][..], &["--strict-ports"][..]] {
            let mut args = vec!["firewall", "--format", "json", e];
            args.extend_from_slice(extra);
            let doc = json_of(&args, 0);
            assert!(!doc["rules"].as_array().unwrap().is_empty());
            assert_valid(&firewall, &doc, &format!("{args:?}"));
        }
    }
    assert!(with_mounts >= 5, "mount rows were checked");
    // Seal and Consul endpoints (no example uses Consul storage).
    let fixture = "tests/fixtures/net/seal-consul.yaml";
    let doc = json_of(&["ports", "--format", "json", fixture], 0);
    let kinds: Vec<&str> = doc["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["destination_kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"seal") && kinds.contains(&"consul"),
        "{kinds:?}"
    );
    assert_valid(&ports, &doc, fixture);
    let doc = json_of(&["firewall", "--format", "json", fixture], 0);
    assert_valid(&firewall, &doc, fixture);
    // Standby groups (`cluster-group` and `client-group` ends).
    let fixture = "tests/fixtures/net/standby-groups.yaml";
    let doc = json_of(&["ports", "--format", "json", fixture], 0);
    let text = doc.to_string();
    assert!(text.contains("\"cluster-group\""), "{text}");
    assert_valid(&ports, &doc, fixture);
    let doc = json_of(&["firewall", "--format", "json", fixture], 0);
    assert_valid(&firewall, &doc, fixture);
    // Several files in one document, with findings and suppressed findings.
    let doc = json_of(
        &[
            "validate",
            "--format",
            "json",
            "tests/fixtures/rules/VRT104-replication-cycle.yaml",
            "tests/fixtures/suppress/unsuppressible.yaml",
            "examples/global.yaml",
        ],
        1,
    );
    assert!(!doc["findings"].as_array().unwrap().is_empty());
    assert_valid(&validate, &doc, "several files");
}

#[test]
fn status_json_follows_the_validate_schema() {
    let doc = json_of(
        &[
            "status",
            "examples/two-datacenters.yaml",
            "--from",
            "tests/fixtures/status/VRT501-live-role-mismatch",
            "--format",
            "json",
        ],
        1,
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "VRT501")
    );
    assert_valid(&vrt::report::json::schema(), &doc, "status");
}

/// Each change makes a real document wrong in one place; the schema must refuse it.
/// A named change to a document.
type Change = (&'static str, fn(&mut Value));

fn assert_rejects(schema: &Value, doc: &Value, changes: &[Change]) {
    let v = validator(schema);
    assert!(
        errors(&v, doc).is_empty(),
        "the unchanged document is valid"
    );
    for (what, change) in changes {
        let mut bad = doc.clone();
        change(&mut bad);
        assert_ne!(&bad, doc, "{what} changed nothing");
        assert!(!v.is_valid(&bad), "the schema accepted {what}");
    }
}

const EXAMPLE: &str = "examples/two-datacenters.yaml";

#[test]
fn the_validate_schema_refuses_a_wrong_document() {
    let e = EXAMPLE;
    let doc = json_of(&["validate", "--format", "json", "--explain-tokens", e], 0);
    let mut with_finding = json_of(
        &[
            "validate",
            "--format",
            "json",
            "tests/fixtures/rules/VRT104-replication-cycle.yaml",
        ],
        1,
    );
    with_finding["tokens"] = doc["tokens"].clone();
    assert_rejects(
        &vrt::report::json::schema(),
        &with_finding,
        &[
            ("an unknown top-level key", |d| d["surprise"] = json!(1)),
            ("an unknown key in a finding", |d| {
                d["findings"][0]["url"] = json!("x");
            }),
            ("a severity that does not exist", |d| {
                d["findings"][0]["severity"] = json!("fatal");
            }),
            ("a code that is not VRTnnn", |d| {
                d["findings"][0]["code"] = json!("E104");
            }),
            ("a line 0", |d| d["findings"][0]["line"] = json!(0)),
            ("a finding without its column", |d| {
                d["findings"][0].as_object_mut().unwrap().remove("column");
            }),
            ("a summary without errors", |d| {
                d["summary"].as_object_mut().unwrap().remove("errors");
            }),
            ("an unknown key in a token row", |d| {
                let file = d["tokens"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .next()
                    .unwrap()
                    .clone();
                d["tokens"][file][0]["leases"] = json!("x");
            }),
        ],
    );
}

#[test]
fn the_planner_schemas_refuse_a_wrong_document() {
    let e = EXAMPLE;
    assert_rejects(
        &vrt::report::ports::schema(),
        &json_of(&["ports", "--format", "json", e], 0),
        &[
            ("an unknown top-level key", |d| d["surprise"] = json!(1)),
            ("a plan with findings", |d| d["findings"] = json!([])),
            ("an unknown key in a flow", |d| {
                d["flows"][0]["zone"] = json!("x");
            }),
            ("a kind that does not exist", |d| {
                d["flows"][0]["source_kind"] = json!("router");
            }),
            ("port 0", |d| d["flows"][0]["port"] = json!(0)),
            ("a flow without why", |d| {
                d["flows"][0].as_object_mut().unwrap().remove("why");
            }),
            ("no flows", |d| {
                d.as_object_mut().unwrap().remove("flows");
            }),
        ],
    );
    assert_rejects(
        &vrt::report::mounts::schema(),
        &json_of(&["mounts", "--format", "json", e], 0),
        &[
            ("an unknown key in a mount", |d| {
                d["mounts"][0]["owner"] = json!("x");
            }),
            ("a scope that does not exist", |d| {
                d["mounts"][0]["scope"] = json!("global");
            }),
            ("held_by as a string", |d| {
                d["mounts"][0]["held_by"] = json!("a");
            }),
            ("no after_loss key", |d| {
                d.as_object_mut().unwrap().remove("after_loss");
            }),
        ],
    );
    assert_rejects(
        &vrt::report::firewall::neutral::schema(),
        &json_of(&["firewall", "--format", "json", e], 0),
        &[
            ("an unknown top-level key", |d| d["surprise"] = json!(1)),
            ("an unknown key in a rule's end", |d| {
                d["rules"][0]["source"]["zone"] = json!("x");
            }),
            ("a family that does not exist", |d| {
                d["rules"][0]["family"] = json!("ipx");
            }),
            ("ports as a string", |d| {
                d["rules"][0]["ports"] = json!("8200");
            }),
            ("no return_traffic", |d| {
                d.as_object_mut().unwrap().remove("return_traffic");
            }),
        ],
    );
}

/// A topology with a quoted number: it does not load (VRT004 at line 4, column 53).
const NOT_LOADING: &str = "version: 1\nname: x\nsites: [{name: a}]\nclusters: [{name: c, site: a, role: primary, nodes: \"5\"}]\n";

/// The commands of every planner with `--format json`, each with the schema of its output.
fn planners(file: &str) -> Vec<(Vec<String>, Value)> {
    let args = |a: &[&str]| -> Vec<String> {
        let mut out: Vec<String> = a.iter().map(|s| (*s).to_string()).collect();
        out.extend(["--format".to_string(), "json".to_string(), file.to_string()]);
        out
    };
    vec![
        (args(&["ports"]), vrt::report::ports::schema()),
        (args(&["mounts"]), vrt::report::mounts::schema()),
        (
            args(&["firewall"]),
            vrt::report::firewall::neutral::schema(),
        ),
        (
            args(&["failover", "--lose", "c"]),
            vrt::report::failover::plan_schema(),
        ),
        (
            args(&["failover", "--all"]),
            vrt::report::failover::sweep_schema(),
        ),
        (
            args(&["switchover", "--to", "c"]),
            vrt::report::failover::plan_schema(),
        ),
        (args(&["upgrade-plan"]), vrt::report::upgrade::schema()),
    ]
}

/// A findings document: exactly these keys, the file, and findings with the located keys.
fn assert_findings_document(doc: &Value, file: &str, topology: Option<&str>, code: &str) {
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["file", "findings", "topology"], "{doc:#}");
    assert_eq!(doc["file"], file);
    assert_eq!(doc["topology"], json!(topology));
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["code"] == code), "{doc:#}");
    for f in findings {
        assert_eq!(f["file"], file);
        for key in ["severity", "message", "line", "column"] {
            assert!(!f[key].is_null(), "{key}: {doc:#}");
        }
    }
}

#[test]
fn every_planner_prints_the_findings_of_a_file_that_does_not_load() {
    let dir = std::env::temp_dir().join(format!("vrt-findings-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("quoted.yaml");
    std::fs::write(&file, NOT_LOADING).unwrap();
    let file = file.to_string_lossy().to_string();
    for (args, schema) in planners(&file) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        // The diagnostics still go to standard error, for people reading a CI log.
        assert!(err.contains("VRT004"), "{args:?}: {err}");
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_findings_document(&doc, &file, None, "VRT004");
        assert_eq!(
            (
                doc["findings"][0]["line"].as_u64(),
                doc["findings"][0]["column"].as_u64()
            ),
            (Some(4), Some(53))
        );
        assert_valid(&schema, &doc, &format!("{args:?}"));
    }
    // Without --format json, nothing on standard output, as before.
    let (code, out, _) = run(&["ports", &file]);
    assert_eq!((code, out.as_str()), (1, ""));
    // With --output, the document is the file written.
    let written = dir.join("out.json");
    let (code, out, _) = run(&[
        "ports",
        "--format",
        "json",
        "-o",
        &written.to_string_lossy(),
        &file,
    ]);
    assert_eq!((code, out.as_str()), (1, ""));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
    assert_findings_document(&doc, &file, None, "VRT004");
    // Exit 2 (vrt could not run) prints no document.
    let missing = dir.join("missing.yaml");
    let (code, out, _) = run(&["ports", "--format", "json", &missing.to_string_lossy()]);
    assert_eq!((code, out.as_str()), (2, ""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn planners_print_the_findings_they_stop_on() {
    let cycle = "tests/fixtures/rules/VRT104-replication-cycle.yaml";
    for (args, schema) in planners(cycle) {
        if !["failover", "switchover", "upgrade-plan"].contains(&args[0].as_str()) {
            continue;
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // A cluster on the cycle to lose; a switchover to a cluster off it, which is a
        // candidate: the planner then stops on the cycle, not on the target.
        let name = if args[0] == "switchover" {
            "dr-a"
        } else {
            "perf-b"
        };
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "c" { name } else { a })
            .collect();
        let doc = json_of(&args, 1);
        assert_findings_document(&doc, cycle, Some("cycle"), "VRT104");
        assert_valid(&schema, &doc, &format!("{args:?}"));
    }
    let firewall = vrt::report::firewall::neutral::schema();
    for (file, name, code) in [
        ("tests/fixtures/net/no-cidrs.yaml", "no-cidrs", "VRT208"),
        ("tests/fixtures/net/catch-all.yaml", "catch-all", "VRT213"),
    ] {
        let doc = json_of(&["firewall", "--format", "json", file], 1);
        assert_findings_document(&doc, file, Some(name), code);
        assert_valid(&firewall, &doc, file);
    }
    // `ports` and `mounts` plan every topology that loads: a cycle is no reason to stop.
    for command in ["ports", "mounts"] {
        let doc = json_of(&[command, "--format", "json", cycle], 0);
        assert!(doc.get("findings").is_none(), "{doc:#}");
    }
}

#[test]
fn a_findings_document_is_not_a_plan() {
    let doc = json_of(
        &[
            "firewall",
            "--format",
            "json",
            "tests/fixtures/net/no-cidrs.yaml",
        ],
        1,
    );
    assert_rejects(
        &vrt::report::firewall::neutral::schema(),
        &doc,
        &[
            ("no findings", |d| d["findings"] = json!([])),
            ("a plan key beside the findings", |d| d["rules"] = json!([])),
            ("a finding with an unknown key", |d| {
                d["findings"][0]["fix"] = json!("x");
            }),
            ("a topology that is a number", |d| d["topology"] = json!(1)),
        ],
    );
}
