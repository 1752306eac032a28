//! `vrt failover` and `vrt upgrade-plan` through the real binary: runbooks for every site of
//! every example in all three formats (snapshots), commands checked against the fact sheet's
//! recipes, the N-1 sweep and its CI gate, name resolution, exit codes, `--output`, and the
//! JSON outputs against their committed schemas.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

mod common;

use common::{root, run, vrt};
use serde_json::Value;

/// Runs a command that must succeed and returns its standard output.
fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The examples, by file stem, with their site names.
fn examples() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for file in common::examples() {
        let path = root().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = vrt::yaml::to_json(&text).unwrap();
        let sites = doc["sites"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        out.push((
            path.file_stem().unwrap().to_string_lossy().to_string(),
            sites,
        ));
    }
    out.sort();
    assert_eq!(out.len(), 5, "the five reference topologies");
    out
}

fn example_path(stem: &str) -> String {
    format!("examples/{stem}.yaml")
}

#[test]
fn every_site_of_every_example_has_a_runbook_in_three_formats() {
    for (stem, sites) in examples() {
        let file = example_path(&stem);
        for site in sites {
            for format in ["text", "markdown", "json"] {
                let out = ok(&["failover", &file, "--lose", &site, "--format", format]);
                insta::assert_snapshot!(format!("failover-{stem}-{site}-{format}"), out);
            }
        }
    }
}

#[test]
fn every_example_has_a_sweep_and_an_upgrade_plan_in_three_formats() {
    for (stem, _) in examples() {
        let file = example_path(&stem);
        for format in ["text", "markdown", "json"] {
            let out = ok(&["failover", &file, "--all", "--format", format]);
            insta::assert_snapshot!(format!("sweep-{stem}-{format}"), out);
            let out = ok(&["upgrade-plan", &file, "--format", format]);
            insta::assert_snapshot!(format!("upgrade-{stem}-{format}"), out);
        }
    }
}

#[test]
fn losing_the_primary_alone_is_a_dr_promotion_runbook() {
    for format in ["text", "markdown", "json"] {
        let out = ok(&[
            "failover",
            "examples/two-datacenters.yaml",
            "--lose",
            "primary-a",
            "--format",
            format,
        ]);
        insta::assert_snapshot!(format!("failover-two-datacenters-primary-a-{format}"), out);
    }
}

#[test]
fn planner_fixtures_have_runbooks() {
    for (fixture, lose) in [
        ("cross-region", "dc-a"),
        ("two-step", "dc-a"),
        ("clients-move", "perf-w"),
        ("clients-move", "west"),
        ("gaps", "dc-a"),
        ("gaps", "dc-empty"),
        ("gaps", "sandbox"),
        ("dr-everywhere", "dc-b"),
    ] {
        let file = format!("tests/fixtures/failover/{fixture}.yaml");
        let out = ok(&["failover", &file, "--lose", lose]);
        insta::assert_snapshot!(format!("failover-fixture-{fixture}-{lose}"), out);
    }
    let out = ok(&[
        "failover",
        "tests/fixtures/failover/two-step.yaml",
        "--lose",
        "dc-a",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("failover-fixture-two-step-dc-a-markdown", out);
}

/// Every `vault` command of the fact sheet a runbook may use (§3 and Implications 11–12,
/// ENOS-DR), as the text after `vault `.
const VAULT_COMMANDS: &[&str] = &[
    "policy write dr-secondary-promotion - <<'EOF'",
    "write auth/token/roles/failover-handler allowed_policies=dr-secondary-promotion orphan=true renewable=false token_type=batch",
    "token create -field=token -role=failover-handler -ttl=8h",
    "token capabilities sys/replication/performance/secondary/promote",
    "token capabilities sys/replication/performance/secondary/update-primary",
    "write -f sys/replication/dr/secondary/promote dr_operation_token=",
    "write -f sys/replication/performance/primary/demote",
    "write -f sys/replication/dr/primary/demote",
    "write -f sys/replication/performance/secondary/promote",
    "write sys/replication/performance/secondary/update-primary update_primary_addrs=",
    "write sys/replication/performance/secondary/update-primary token=",
    "write -field=secondary_public_key -f sys/replication/performance/secondary/generate-public-key",
    "write -field=token sys/replication/performance/primary/secondary-token id=",
    "write -field=wrapping_token sys/replication/dr/primary/secondary-token id=",
    "write -field=wrapping_token sys/replication/performance/primary/secondary-token id=",
    "read -format=json sys/replication/performance/status",
    "write -field=secondary_public_key -f sys/replication/dr/secondary/generate-public-key",
    "write -field=token sys/replication/dr/primary/secondary-token id=",
    "write sys/replication/dr/secondary/update-primary dr_operation_token=",
    "write sys/replication/dr/secondary/enable token=",
    "write -f sys/replication/dr/primary/enable",
    "write -f sys/replication/performance/secondary/disable",
    "write -f sys/replication/dr/primary/disable",
    "read -format=json sys/replication/status",
    "read -format=json sys/replication/dr/status",
    "operator raft snapshot restore -force \"$SNAPSHOT_FILE\"",
    "operator raft snapshot restore \"$SNAPSHOT_FILE\"",
    // The optional check before a promotion (API-REPL "/sys/replication/merkle-check"; the
    // DR secondary's form takes a DR operation token: API-DR; DR-OPTOK), emitted only for
    // versions that have it (Vault 1.13.7+, 1.14.3+, 1.15+; HashiCorp's "Check for Merkle tree
    // corruption" page, source key MERKLE).
    "write -f -format=json sys/replication/merkle-check",
    "write -format=json sys/replication/dr/secondary/merkle-check dr_operation_token=",
    // API-PERF "Create paths filter": `:id` is the secondary's `cluster_id` from its status.
    "read -field=cluster_id sys/replication/performance/status",
    "write sys/replication/performance/primary/paths-filter/\"$CLUSTER_ID_",
];

/// The policy body of the batch DR operation token, line for line as the fact sheet gives it
/// (ENOS-DR `configure-vault-dr-primary.sh`).
const POLICY: &str = r#"path "sys/replication/dr/secondary/promote"        { capabilities = [ "update" ] }
path "sys/replication/dr/secondary/update-primary" { capabilities = [ "update" ] }
path "sys/storage/raft/autopilot/state"            { capabilities = [ "update", "read" ] }   # only with raft storage
EOF"#;

struct Cluster {
    api: Option<String>,
    lb_passthrough: Option<String>,
}

fn clusters(doc: &Value) -> std::collections::BTreeMap<String, Cluster> {
    doc["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let lb = &c["load_balancer"];
            let passthrough = (lb["cluster_port"] == "passthrough").then(|| {
                let port = c["cluster_addr"]
                    .as_str()
                    .and_then(|a| a.rsplit(':').next())
                    .unwrap_or("8201");
                format!("https://{}:{port}", lb["address"].as_str().unwrap())
            });
            (
                c["name"].as_str().unwrap().to_string(),
                Cluster {
                    api: c["api_addr"].as_str().map(str::to_string),
                    lb_passthrough: passthrough,
                },
            )
        })
        .collect()
}

/// The batch DR operation token's policy: HashiCorp's recipe, plus the DR secondary's
/// `merkle-check` exactly where the runbook runs that optional check with this token.
fn check_policy(file: &str, body: &str, steps: &[Value]) {
    let merkle = "path \"sys/replication/dr/secondary/merkle-check\"   { capabilities = [ \"update\" ] }   # optional check before promoting\n";
    let with_check = POLICY.replacen("EOF", &format!("{merkle}EOF"), 1);
    assert!(body == POLICY || body == with_check, "{file}: {body}");
    let all: String = steps
        .iter()
        .flat_map(|s| s["commands"].as_array().unwrap())
        .filter_map(|c| c["line"].as_str())
        .collect();
    assert_eq!(
        body == with_check,
        all.contains("sys/replication/dr/secondary/merkle-check dr_operation_token="),
        "{file}: the policy grants the check exactly when the runbook runs it"
    );
}

/// Checks one JSON plan's commands against the fact sheet and the topology's addresses, and
/// the order of its steps.
fn check_plan(file: &str, plan: &Value) {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let doc = vrt::yaml::to_json(&text).unwrap();
    let clusters = clusters(&doc);
    let steps = plan["steps"].as_array().unwrap();
    let phase_rank = |p: &str| match p {
        "prepare" => 0,
        "failover" => 1,
        "later" => 2,
        other => panic!("unknown phase {other}"),
    };
    let mut last = 0;
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step["number"], i + 1);
        let rank = phase_rank(step["phase"].as_str().unwrap());
        assert!(
            rank >= last,
            "{file}: phases out of order at step {}",
            i + 1
        );
        last = rank;
        assert!(
            !step["sources"].as_array().unwrap().is_empty(),
            "{file}: step {} cites no source",
            i + 1
        );
        for cmd in step["commands"].as_array().unwrap() {
            let line = cmd["line"].as_str().unwrap();
            let on = cmd["on"]["name"].as_str().unwrap();
            if cmd["on"]["kind"] == "client" {
                assert!(line.starts_with("curl -s -o /dev/null -w '%{http_code}\\n' https://"));
                assert!(line.ends_with("/v1/sys/health"), "{line}");
                continue;
            }
            let api = clusters[on].api.as_deref().expect("examples give api_addr");
            // Every replication command runs in the root namespace.
            let prefix = format!("VAULT_ADDR={api} VAULT_NAMESPACE='' vault ");
            let rest = match line.split_once('=') {
                Some((var, rest)) if var.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
                    // VAR=$(VAULT_ADDR=… vault …)
                    rest.strip_prefix("$(")
                        .and_then(|r| r.strip_suffix(')'))
                        .and_then(|r| r.strip_prefix(&prefix))
                        .filter(|_| var != "VAULT_ADDR")
                        .or_else(|| line.strip_prefix(&prefix))
                }
                _ => None,
            }
            .unwrap_or_else(|| panic!("{file}: `{line}` does not run on {on} at {api}"));
            assert!(
                VAULT_COMMANDS.iter().any(|c| rest.starts_with(c)),
                "{file}: `{rest}` is not a fact-sheet command"
            );
            if rest.starts_with("policy write") {
                check_policy(file, rest.split_once('\n').unwrap().1, steps);
            }
            if rest.starts_with("write -f sys/replication/dr/secondary/promote") {
                assert!(rest.contains("dr_operation_token=\"$DR_OPERATION_TOKEN"));
                match &clusters[on].lb_passthrough {
                    Some(lb) => assert!(rest.ends_with(&format!(" primary_cluster_addr={lb}"))),
                    None => assert!(!rest.contains("primary_cluster_addr")),
                }
            }
        }
    }
    // Every promotion (vault-replication.md §3 "Which order"): demote the old cluster if it
    // answers, else fence it, then check the candidate, then promote, then check.
    let index = |needle: &str| {
        steps
            .iter()
            .position(|s| s["title"].as_str().unwrap().starts_with(needle))
    };
    for r in plan["recoveries"].as_array().unwrap() {
        let gone = r["lost"].as_str().unwrap();
        let fence = index(&format!("Demote `{gone}` if it answers, else fence it"));
        match r["path"].as_str().unwrap() {
            "dr-promotion" => {
                let to = r["to"].as_str().unwrap();
                let promote = index(&format!("Promote `{to}` (DR secondary of `{gone}`)")).unwrap();
                let check = index(&format!("Check that `{to}` has taken over")).unwrap();
                let prepare =
                    index(&format!("Prepare a batch DR operation token on `{gone}`")).unwrap();
                let candidate = index(&format!("Check `{to}` before promoting it")).unwrap();
                assert!(
                    prepare < fence.unwrap()
                        && fence < Some(candidate)
                        && candidate < promote
                        && promote < check,
                    "{file}: demote or fence, check, promote, check"
                );
                assert_eq!(r["tokens_preserved"], true);
            }
            "performance-promotion" => {
                let to = r["to"].as_str().unwrap();
                let promote = index(&format!("Promote `{to}` to primary")).unwrap();
                assert!(fence.unwrap() < promote, "{file}: fence before promotion");
                assert_eq!(r["tokens_preserved"], false);
            }
            _ => assert_eq!(r["tokens_preserved"], false),
        }
    }
}

#[test]
fn runbook_commands_match_the_fact_sheet_and_the_file() {
    for (stem, sites) in examples() {
        let file = example_path(&stem);
        for site in sites {
            let plan = json(&["failover", &file, "--lose", &site, "--format", "json"]);
            check_plan(&file, &plan);
        }
        let doc =
            vrt::yaml::to_json(&std::fs::read_to_string(root().join(&file)).unwrap()).unwrap();
        for c in doc["clusters"].as_array().unwrap() {
            let name = c["name"].as_str().unwrap();
            let plan = json(&[
                "failover",
                &file,
                "--lose",
                &format!("cluster:{name}"),
                "--format",
                "json",
            ]);
            check_plan(&file, &plan);
        }
    }
    for fixture in ["cross-region", "two-step", "clients-move", "dr-everywhere"] {
        let file = format!("tests/fixtures/failover/{fixture}.yaml");
        for lose in ["dc-a", "dc-b", "west"] {
            let (code, out, _) = run(&["failover", &file, "--lose", lose, "--format", "json"]);
            if code == 0 {
                check_plan(&file, &serde_json::from_str(&out).unwrap());
            }
        }
    }
}

#[test]
fn losing_data_center_a_leaves_only_performance_promotion_with_reauthentication() {
    let plan = json(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-a",
        "--format",
        "json",
    ]);
    assert_eq!(
        plan["scenario"]["lost_clusters"],
        serde_json::json!(["primary-a", "dr-a"])
    );
    let recoveries = plan["recoveries"].as_array().unwrap();
    assert_eq!(recoveries.len(), 1);
    assert_eq!(recoveries[0]["lost"], "primary-a");
    assert_eq!(recoveries[0]["path"], "performance-promotion");
    assert_eq!(recoveries[0]["to"], "perf-b");
    assert_eq!(recoveries[0]["candidates"], serde_json::json!(["perf-b"]));
    assert_eq!(plan["tokens_preserved"], false);
    assert_eq!(plan["reauthenticate"], serde_json::json!(["apps-a"]));
    let text = ok(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-a",
    ]);
    assert!(text.contains(
        "`primary-a` (primary): performance promotion of `perf-b`; tokens preserved: no"
    ));
    assert!(text.contains(
        "every client of `primary-a` (`apps-a`) must re-authenticate and obtain new leases"
    ));
}

#[test]
fn the_sweep_covers_every_single_failure() {
    for (stem, sites) in examples() {
        let file = example_path(&stem);
        let sweep = json(&["failover", &file, "--all", "--format", "json"]);
        let doc =
            vrt::yaml::to_json(&std::fs::read_to_string(root().join(&file)).unwrap()).unwrap();
        let scenarios = sweep["scenarios"].as_array().unwrap();
        let seen: BTreeSet<(String, String)> = scenarios
            .iter()
            .map(|s| {
                (
                    s["scenario"]["kind"].as_str().unwrap().to_string(),
                    s["scenario"]["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for c in doc["clusters"].as_array().unwrap() {
            let name = c["name"].as_str().unwrap().to_string();
            assert!(seen.contains(&("cluster".into(), name)), "{stem}");
        }
        for site in &sites {
            assert!(
                seen.contains(&("site".into(), site.clone())),
                "{stem}: {site}"
            );
        }
        // Every region of two or more sites is its own scenario; a one-site region fails
        // exactly as its site.
        let mut regions = std::collections::BTreeMap::<String, usize>::new();
        for s in doc["sites"].as_array().unwrap() {
            let region = s["region"]
                .as_str()
                .unwrap_or_else(|| s["name"].as_str().unwrap());
            *regions.entry(region.to_string()).or_default() += 1;
        }
        for (region, count) in regions {
            assert_eq!(
                seen.contains(&("region".into(), region.clone())),
                count > 1,
                "{stem}: region {region}"
            );
        }
        let clusters = doc["clusters"].as_array().unwrap().len();
        let multi = seen.iter().filter(|(k, _)| k == "region").count();
        assert_eq!(scenarios.len(), clusters + sites.len() + multi);
        // The sweep agrees with the single plans.
        for s in scenarios {
            let kind = s["scenario"]["kind"].as_str().unwrap();
            let name = s["scenario"]["name"].as_str().unwrap();
            let plan = json(&[
                "failover",
                &file,
                "--lose",
                &format!("{kind}:{name}"),
                "--format",
                "json",
            ]);
            assert_eq!(
                plan["tokens_preserved"], s["tokens_preserved"],
                "{stem} {name}"
            );
            assert_eq!(plan["reauthenticate"], s["reauthenticate"], "{stem} {name}");
            // The sweep lists what the failure adds to `without_dr_before`.
            let added: Vec<&Value> = plan["without_dr"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| !sweep["without_dr_before"].as_array().unwrap().contains(c))
                .collect();
            let listed: Vec<&Value> = s["without_dr"].as_array().unwrap().iter().collect();
            assert_eq!(added, listed, "{stem} {name}");
        }
    }
}

#[test]
fn require_dr_recovery_gates_the_sweep_and_single_plans() {
    let (code, out, err) = run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--all",
        "--require-dr-recovery",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("N-1 sweep of two-datacenters"), "{out}");
    assert!(
        err.contains("2 of 6 scenarios have no token-preserving recovery: site `dc-a`"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "failover",
        "tests/fixtures/failover/dr-everywhere.yaml",
        "--all",
        "--require-dr-recovery",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = run(&["failover", "examples/two-datacenters.yaml", "--all"]);
    assert_eq!(code, 0, "without the gate the sweep only reports");
    let (code, _, err) = run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-a",
        "--require-dr-recovery",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("losing site `dc-a`"), "{err}");
    let (code, _, _) = run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "primary-a",
        "--require-dr-recovery",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn names_resolve_with_prefixes_and_suggestions() {
    let names = "tests/fixtures/failover/names.yaml";
    let (code, _, err) = run(&["failover", names, "--lose", "east"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`east` names a site and a region; write `site:east` or `region:east`"),
        "{err}"
    );
    let (code, _, err) = run(&["failover", names, "--lose", "core"]);
    assert_eq!(code, 2);
    assert!(err.contains("write `cluster:core` or `site:core`"), "{err}");
    for (lose, label) in [
        ("site:east", "loss of site `east`"),
        ("region:east", "loss of region `east`"),
        ("cluster:core", "loss of cluster `core`"),
        ("site:core", "loss of site `core` (all of region `central`)"),
        // a site and a one-site region of the same name fail alike: the site
        ("west", "loss of site `west`"),
    ] {
        let out = ok(&["failover", names, "--lose", lose]);
        assert!(
            out.lines().next().unwrap().ends_with(label),
            "{lose}: {out}"
        );
    }
    let (code, out, err) = run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-c",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("no cluster, site or region is named `dc-c`; did you mean `dc-a`?"),
        "{err}"
    );
    let (code, _, err) = run(&["failover", names, "--lose", "region:wes"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no region is named `wes`; did you mean `west`?"),
        "{err}"
    );
    let (code, _, err) = run(&["failover", names, "--lose", "zone:x"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown prefix `zone:`"), "{err}");
}

#[test]
fn usage_errors_and_broken_topologies() {
    let (code, _, err) = run(&["failover", "examples/global.yaml"]);
    assert_eq!(code, 2, "--lose or --all is required");
    assert!(err.contains("--lose"), "{err}");
    let (code, _, _) = run(&[
        "failover",
        "examples/global.yaml",
        "--all",
        "--lose",
        "dallas",
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&[
        "failover",
        "examples/global.yaml",
        "--all",
        "--format",
        "pdf",
    ]);
    assert_eq!(code, 2);
    let (code, _, err) = run(&["failover", "does/not/exist.yaml", "--all"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    for args in [
        vec![
            "failover",
            "tests/fixtures/failover/cycle.yaml",
            "--lose",
            "a",
        ],
        vec!["failover", "tests/fixtures/failover/cycle.yaml", "--all"],
        vec!["upgrade-plan", "tests/fixtures/failover/cycle.yaml"],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(out.is_empty());
        assert!(
            err.contains("the replication graph has a cycle through `a`, `b`"),
            "{err}"
        );
    }
    let (code, out, err) = run(&[
        "failover",
        "tests/fixtures/structural/references.yaml",
        "--all",
    ]);
    assert_eq!(code, 1, "structural errors stop the planner");
    assert!(out.is_empty());
    assert!(err.contains("VRT010"), "{err}");
}

#[test]
fn help_has_examples_and_exit_codes() {
    for cmd in ["failover", "upgrade-plan"] {
        let out = ok(&[cmd, "--help"]);
        assert!(
            out.contains("Examples:") && out.contains("Exit codes:"),
            "{out}"
        );
    }
    let out = ok(&["--help"]);
    assert!(
        out.contains("failover") && out.contains("upgrade-plan"),
        "{out}"
    );
}

#[test]
fn stdin_is_read_with_dash() {
    use std::io::Write;
    let mut child = vrt()
        .args(["failover", "-", "--lose", "dc-a", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(root().join("examples/two-datacenters.yaml")).unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["topology"], "two-datacenters");
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-failover-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn output_writes_the_file_and_nothing_to_stdout() {
    let dir = temp_dir("output");
    for (cmd, extra) in [
        ("failover", vec!["--lose", "dc-a", "--format", "markdown"]),
        ("failover", vec!["--all"]),
        ("upgrade-plan", vec!["--format", "json"]),
    ] {
        let path = dir.join(format!("{cmd}.out"));
        std::fs::write(&path, "old").unwrap();
        let mut args = vec![cmd, "examples/two-datacenters.yaml"];
        args.extend(extra.iter().copied());
        let expected = ok(&args);
        let p = path.to_string_lossy().to_string();
        args.extend(["--output", p.as_str()]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        assert!(out.is_empty());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("vrt-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let missing = dir.join("no/such/dir/plan.md");
    let (code, out, err) = run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-a",
        "-o",
        &missing.to_string_lossy(),
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("cannot write output"), "{err}");
    // The CI gate still applies when writing to a file, after the file is written.
    let path = dir.join("gate.txt");
    let (code, _, _) = run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--all",
        "--require-dr-recovery",
        "-o",
        &path.to_string_lossy(),
    ]);
    assert_eq!(code, 1);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("N-1 sweep")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

type Generator = fn() -> Value;

const SCHEMAS: &[(&str, Generator)] = &[
    (
        "schemas/failover-plan.schema.json",
        vrt::report::failover::plan_schema,
    ),
    (
        "schemas/failover-sweep.schema.json",
        vrt::report::failover::sweep_schema,
    ),
    (
        "schemas/upgrade-plan.schema.json",
        vrt::report::upgrade::schema,
    ),
];

#[test]
fn committed_output_schemas_match_generated() {
    for (path, generate) in SCHEMAS {
        let schema = generate();
        common::assert_committed_schema(
            path,
            &schema,
            "cargo test --test failover_cli committed_output_schemas",
        );
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        // The plan or, on exit 1, the findings document (tests/output_schemas.rs).
        let plan = schema["oneOf"][0]["$ref"].as_str().unwrap();
        let plan = plan.trim_start_matches("#/definitions/");
        assert_eq!(schema["definitions"][plan]["additionalProperties"], false);
    }
}

fn validate(schema: &Value, doc: &Value, what: &str) {
    let validator = jsonschema::draft7::new(schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn json_outputs_validate_against_their_schemas() {
    let plan_schema = vrt::report::failover::plan_schema();
    let sweep_schema = vrt::report::failover::sweep_schema();
    let upgrade_schema = vrt::report::upgrade::schema();
    for (stem, sites) in examples() {
        let file = example_path(&stem);
        for site in sites {
            let doc = json(&["failover", &file, "--lose", &site, "--format", "json"]);
            validate(&plan_schema, &doc, &format!("{stem} {site}"));
        }
        let doc = json(&["failover", &file, "--all", "--format", "json"]);
        validate(&sweep_schema, &doc, &stem);
        let doc = json(&["upgrade-plan", &file, "--format", "json"]);
        validate(&upgrade_schema, &doc, &stem);
    }
    // The schema is strict: an unexpected field or a wrong enumeration value fails.
    let mut doc = json(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-a",
        "--format",
        "json",
    ]);
    doc["surprise"] = Value::Bool(true);
    let validator = jsonschema::draft7::new(&plan_schema).unwrap();
    assert!(!validator.is_valid(&doc));
}

#[test]
fn upgrade_waves_run_downstream_first() {
    let plan = json(&["upgrade-plan", "examples/global.yaml", "--format", "json"]);
    let waves = plan["sets"][0]["waves"].as_array().unwrap();
    let names = |w: &Value| -> Vec<String> {
        w["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["cluster"].as_str().unwrap().to_string())
            .collect()
    };
    // Every cluster with nothing downstream goes first, the primary's DR secondary too.
    assert_eq!(names(&waves[0]), ["dallas-dr", "london-dr", "sydney-dr"]);
    assert_eq!(names(&waves[1]), ["london-perf", "sydney-perf"]);
    assert_eq!(names(&waves[2]), ["dallas-primary"]);
    assert_eq!(waves[1]["stage"], "performance secondaries");
    // Every cluster appears after everything downstream of it, in every example.
    for (stem, _) in examples() {
        let plan = json(&["upgrade-plan", &example_path(&stem), "--format", "json"]);
        for set in plan["sets"].as_array().unwrap() {
            let mut wave_of = std::collections::BTreeMap::new();
            for w in set["waves"].as_array().unwrap() {
                for c in w["clusters"].as_array().unwrap() {
                    wave_of.insert(
                        c["cluster"].as_str().unwrap().to_string(),
                        (w["wave"].as_u64().unwrap(), c["replicates_from"].clone()),
                    );
                }
            }
            for (name, (wave, up)) in &wave_of {
                if let Some(up) = up.as_str() {
                    assert!(wave_of[up].0 > *wave, "{stem}: {name} before {up}");
                }
            }
        }
    }
}

/// The block in a Markdown page that follows `$ <command>` in a console code block.
fn readme_sample(readme: &str, command: &str) -> String {
    let start = readme
        .find(&format!("$ {command}\n"))
        .unwrap_or_else(|| panic!("README shows `{command}`"))
        + command.len()
        + 3;
    let end = start + readme[start..].find("\n```").unwrap();
    readme[start..end].to_string()
}

#[test]
fn readme_samples_are_real_output() {
    // The samples moved from the README to docs/failover.md.
    let readme = std::fs::read_to_string(root().join("docs/failover.md")).unwrap();
    let cut = |out: String, at: &str| out[..out.find(at).unwrap()].trim_end().to_string();
    let runbook = ok(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--lose",
        "dc-a",
    ]);
    assert_eq!(
        readme_sample(
            &readme,
            "vrt failover examples/two-datacenters.yaml --lose dc-a"
        ),
        cut(runbook, "\nSources\n"),
        "README's sample runbook is stale"
    );
    let sweep = ok(&["failover", "examples/two-datacenters.yaml", "--all"]);
    assert_eq!(
        readme_sample(&readme, "vrt failover examples/two-datacenters.yaml --all"),
        sweep.trim_end(),
        "README's sample sweep is stale"
    );
    let upgrade = ok(&["upgrade-plan", "examples/two-datacenters.yaml"]);
    assert_eq!(
        readme_sample(&readme, "vrt upgrade-plan examples/two-datacenters.yaml"),
        format!("{}\n…", cut(upgrade, "\nProcedure\n")),
        "README's sample upgrade plan is stale"
    );
}

/// The `sh` blocks of a Markdown runbook.
fn shell_blocks(markdown: &str) -> Vec<String> {
    markdown
        .split("```sh\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn runbook_commands_are_valid_shell() {
    if !common::tool_available("bash") {
        return;
    }
    let dir = temp_dir("shell");
    let mut files = Vec::new();
    for (stem, sites) in examples() {
        for site in sites {
            files.push((example_path(&stem), site));
        }
    }
    for (fixture, lose) in [
        ("cross-region", "dc-a"),
        ("two-step", "dc-a"),
        ("gaps", "dc-a"),
    ] {
        files.push((
            format!("tests/fixtures/failover/{fixture}.yaml"),
            lose.to_string(),
        ));
    }
    files.push(("examples/two-datacenters.yaml".into(), "primary-a".into()));
    let mut checked = 0;
    for (file, lose) in files {
        let md = ok(&["failover", &file, "--lose", &lose, "--format", "markdown"]);
        for (i, block) in shell_blocks(&md).iter().enumerate() {
            let path = dir.join(format!("block-{checked}.sh"));
            std::fs::write(&path, block).unwrap();
            let out = Command::new("bash").arg("-n").arg(&path).output().unwrap();
            assert!(
                out.status.success(),
                "{file} --lose {lose}, block {i}: {}\n{block}",
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} blocks");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A client's `fallback` that differs from vrt's own choice wins, in `failover` and in VRT301:
/// losing `dc-a` moves `perf-a`'s clients to `perf-b` (region, then name order), but
/// `apps-pinned` declares `fallback: perf-c` and goes there; the non-production `a-staging`
/// is never a home. An unusable `fallback` is VRT305 (`tests/fixtures/rules/VRT305-*`).
#[test]
fn a_client_fallback_that_differs_from_vrts_choice_wins() {
    let file = "tests/fixtures/failover/fallback.yaml";
    let plan = json(&["failover", file, "--lose", "dc-a", "--format", "json"]);
    let recovery = &plan["recoveries"][0];
    assert_eq!(recovery["lost"], "perf-a");
    assert_eq!(recovery["path"], "clients-move");
    assert_eq!(recovery["to"], "perf-b");
    let after = |client: &str| {
        plan["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["client"] == client)
            .map(|c| c["after"].clone())
    };
    assert_eq!(after("apps-pinned"), Some(Value::from("perf-c")));
    assert_eq!(after("apps-free"), Some(Value::from("perf-b")));
    assert!(
        recovery["why"]
            .as_str()
            .unwrap()
            .contains("A client whose `fallback` survives and serves the set goes there instead: `apps-pinned` to `perf-c`."),
        "{}",
        recovery["why"]
    );
    let steps: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert!(
        steps.contains(&"Re-point the clients of `perf-a` to `perf-c`")
            && steps.contains(&"Re-point the clients of `perf-a` to `perf-b`"),
        "{steps:?}"
    );
    assert!(
        !recovery["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "a-staging"),
        "{recovery}"
    );
    // VRT301 names vrt's choice and the client that goes to its fallback.
    let (_, out, _) = run(&["validate", file, "--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let text = report.to_string();
    assert!(
        text.contains("its clients must move to `perf-b` (`apps-pinned` to its `fallback` `perf-c`) and re-authenticate"),
        "{out}"
    );
    // Without the fallback, vrt's own choice applies to both clients.
    let dir = tempfile::tempdir().unwrap();
    let unpinned = dir.path().join("unpinned.yaml");
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    std::fs::write(&unpinned, text.replace(", fallback: perf-c", "")).unwrap();
    let plan = json(&[
        "failover",
        unpinned.to_str().unwrap(),
        "--lose",
        "dc-a",
        "--format",
        "json",
    ]);
    assert!(
        plan["clients"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["after"] == "perf-b"),
        "{plan}"
    );
}

/// A design without DR lists its clusters once, not in every scenario: the sweep of `n`
/// primaries without DR secondaries grows with `n`, not with `n` squared (it printed
/// 427 MB for 5,000 such clusters), and each row lists only what its failure adds.
#[test]
fn a_design_without_dr_lists_its_clusters_once_not_in_every_scenario() {
    let dir = temp_dir("no-dr");
    let mut sizes = Vec::new();
    for n in [200usize, 2_000] {
        use std::fmt::Write as _;
        let mut text = String::from("version: 1\nname: no-dr\nsites:\n");
        for s in 0..20 {
            let _ = writeln!(text, "  - name: s{s}");
        }
        text.push_str("clusters:\n");
        for c in 0..n {
            let _ = writeln!(text, "  - {{name: p{c}, site: s{}, role: primary}}", c % 20);
        }
        let file = dir.join(format!("no-dr-{n}.yaml"));
        std::fs::write(&file, text).unwrap();
        let file = file.to_string_lossy().to_string();
        let out = ok(&["failover", &file, "--all", "--format", "json"]);
        let sweep: Value = serde_json::from_str(&out).unwrap();
        let before = sweep["without_dr_before"].as_array().unwrap();
        assert_eq!(before.len(), n);
        assert_eq!(before[0], "p0");
        let scenarios = sweep["scenarios"].as_array().unwrap();
        assert_eq!(scenarios.len(), n + 20);
        assert!(
            scenarios
                .iter()
                .all(|s| s["without_dr"].as_array().unwrap().is_empty())
        );
        sizes.push(out.len());
        // The text table says why the column is empty.
        let table = ok(&["failover", &file, "--all"]);
        let table = table.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            table.contains(&format!(
                "Before any failure, {n} serving clusters have no DR secondary (`p0`, `p1`"
            )) && table.contains(&format!("and {} more; VRT101)", n - 8)),
            "{table}"
        );
    }
    // Ten times the clusters, about ten times the document (a quadratic one would be 100×).
    assert!(sizes[1] < sizes[0] * 12, "{sizes:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
