//! Mounts and paths filters in `vrt diff`, through the real binary: the delta of the mount
//! pairs built from `examples/global.yaml` (add a paths filter, change a mount's regions,
//! make a mount local, add mounts) with what each change means and where each mount's data
//! lives before and after; residency findings new in NEW; the runbook's filter and mount
//! steps in a safe order; the bootstrap's filters after the secondaries and before the
//! mounts; hostile mount paths in Markdown. The snapshots of these pairs are in
//! `tests/diff_cli.rs`.

mod common;

use std::path::PathBuf;

use common::root;
use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    common::diff_in(root(), args)
}

fn json(old: &str, new: &str) -> Value {
    let (code, out, err) = run(&[old, new, "--format", "json"]);
    assert!(code == 0 || code == 1, "{old} {new}: exit {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}"))
}

fn case(name: &str) -> Value {
    json(
        &format!("tests/fixtures/diff/{name}.old.yaml"),
        &format!("tests/fixtures/diff/{name}.new.yaml"),
    )
}

fn change<'a>(doc: &'a Value, kind: &str, name: &str) -> &'a Value {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind && c["name"] == name)
        .unwrap_or_else(|| panic!("no change of {kind} `{name}`: {:#}", doc["changes"]))
}

fn meaning(c: &Value) -> String {
    c["meaning"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn placement<'a>(doc: &'a Value, mount: &str) -> &'a Value {
    doc["placement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["mount"] == mount)
        .unwrap_or_else(|| panic!("no placement of `{mount}`"))
}

fn names(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
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

/// Every command as (step number, step title, cluster, line).
fn commands(doc: &Value) -> Vec<(u64, String, String, String)> {
    doc["runbook"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            let n = s["number"].as_u64().unwrap();
            let title = s["title"].as_str().unwrap().to_string();
            s["commands"].as_array().unwrap().iter().map(move |c| {
                (
                    n,
                    title.clone(),
                    c["on"].as_str().unwrap().to_string(),
                    c["line"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect()
}

/// The step of the first command on `on` containing `text`.
fn step_of(doc: &Value, on: &str, text: &str) -> u64 {
    commands(doc)
        .into_iter()
        .find(|(_, _, o, l)| o == on && l.contains(text))
        .unwrap_or_else(|| panic!("no command `{text}` on `{on}`"))
        .0
}

fn step_titled(doc: &Value, title: &str) -> u64 {
    doc["runbook"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == title)
        .unwrap_or_else(|| panic!("no step `{title}`"))["number"]
        .as_u64()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-diffm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `examples/global.yaml` with each `(from, to)` replaced (each must occur).
fn global_with(edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(root().join("examples/global.yaml")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "`{from}` not in global.yaml");
        text = text.replacen(from, to, 1);
    }
    text
}

const SYDNEY_FILTER: &str =
    "    paths_filter: {mode: deny, paths: [secret-us/]}   # and out of Sydney\n";
const LAST_MOUNT: &str = "  - {path: secret-eu/, type: kv, cluster: london-perf, local: true, regions: [london]} # EU-resident\n";

#[test]
fn adding_a_paths_filter_is_a_residency_change_set_after_a_residency_check() {
    let doc = case("add-paths-filter");
    let c = change(&doc, "paths-filter", "sydney-perf");
    assert_eq!(c["how"], "added");
    assert_eq!(c["fields"][0]["new"], "deny");
    assert_eq!(c["fields"][1]["new"], "secret-us/");
    let m = meaning(c);
    assert!(m.contains("keeps `secret-us/` away"), "{m}");
    assert!(m.contains("DR secondary `sydney-dr`"), "{m}");
    assert!(m.contains("API-PERF"), "{m}");
    assert!(m.contains("Data already replicated"), "{m}");
    let p = placement(&doc, "secret-us/");
    assert_eq!(
        names(&p["before"]),
        ["dallas-primary", "dallas-dr", "sydney-perf", "sydney-dr"]
    );
    assert_eq!(names(&p["after"]), ["dallas-primary", "dallas-dr"]);
    assert_eq!(names(&p["leaves"]), ["sydney-perf", "sydney-dr"]);
    // The residency errors the filter fixes are matched by code and cluster.
    assert_eq!(
        codes(&doc, "fixed"),
        ["VRT111 sydney-dr", "VRT111 sydney-perf"]
    );
    assert!(codes(&doc, "new").is_empty());
    let id = step_of(
        &doc,
        "sydney-perf",
        "CLUSTER_ID_SYDNEY_PERF=$(VAULT_ADDR=https://vault.syd.corp.example.com:8200 vault read -field=cluster_id sys/replication/performance/status)",
    );
    let check = step_titled(
        &doc,
        "Check the residency of what `sydney-perf`'s filter removes",
    );
    let write = step_of(
        &doc,
        "dallas-primary",
        "vault write sys/replication/performance/primary/paths-filter/\"$CLUSTER_ID_SYDNEY_PERF\" mode=deny paths=secret-us/",
    );
    assert!(id == check && check < write, "{id} {check} {write}");
    assert_eq!(
        step_titled(&doc, "Set the paths filter of `sydney-perf`"),
        write
    );
}

#[test]
fn removing_a_paths_filter_deletes_it_and_brings_residency_errors_as_new() {
    let doc = json(
        "tests/fixtures/diff/add-paths-filter.new.yaml",
        "tests/fixtures/diff/add-paths-filter.old.yaml",
    );
    let c = change(&doc, "paths-filter", "sydney-perf");
    assert_eq!(c["how"], "removed");
    assert!(
        meaning(c).contains("now lets `secret-us/` through"),
        "{}",
        meaning(c)
    );
    assert_eq!(
        codes(&doc, "new"),
        ["VRT111 sydney-dr", "VRT111 sydney-perf"]
    );
    let delete = step_of(
        &doc,
        "dallas-primary",
        "vault delete sys/replication/performance/primary/paths-filter/\"$CLUSTER_ID_SYDNEY_PERF\"",
    );
    assert_eq!(
        step_titled(&doc, "Delete the paths filter of `sydney-perf`"),
        delete
    );
    // Nothing is removed from sydney-perf, so no residency check.
    assert!(
        !commands(&doc)
            .iter()
            .any(|(_, t, _, _)| t.starts_with("Check the residency"))
    );
}

#[test]
fn changing_a_mount_s_regions_shows_the_new_residency_errors_as_new() {
    let doc = case("change-mount-regions");
    let c = change(&doc, "mount", "secret/");
    assert_eq!(c["how"], "changed");
    assert_eq!(c["fields"][0]["name"], "regions");
    assert_eq!(c["fields"][0]["old"], Value::Null);
    assert_eq!(c["fields"][0]["new"], "dallas, london");
    assert!(meaning(c).contains("held outside them by `sydney-perf`, `sydney-dr`"));
    assert_eq!(
        codes(&doc, "new"),
        ["VRT111 sydney-dr", "VRT111 sydney-perf"]
    );
    assert_eq!(doc["findings"]["new_errors"], 2);
    // Holders do not change, so there is no placement entry and no command to run.
    assert!(doc["placement"].as_array().unwrap().is_empty());
    assert!(commands(&doc).is_empty());
    let (code, _, _) = run(&[
        "tests/fixtures/diff/change-mount-regions.old.yaml",
        "tests/fixtures/diff/change-mount-regions.new.yaml",
    ]);
    assert_eq!(code, 1, "new residency errors fail `--fail-on new`");
}

#[test]
fn making_a_mount_local_is_a_move_left_to_the_operator_with_its_enable_command() {
    let doc = case("make-mount-local");
    let c = change(&doc, "mount", "secret-apac/");
    let fields: Vec<(&str, &str, &str)> = c["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["old"].as_str().unwrap(),
                f["new"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("cluster", "dallas-primary", "sydney-perf"),
            ("local", "false", "true")
        ]
    );
    let m = meaning(c);
    assert!(
        m.contains("becomes local to `sydney-perf`: its data leaves `dallas-primary`, `dallas-dr`, `london-perf`, `london-dr`"),
        "{m}"
    );
    let p = placement(&doc, "secret-apac/");
    assert_eq!(names(&p["after"]), ["sydney-perf", "sydney-dr"]);
    assert!(names(&p["reaches"]).is_empty());
    let client = change(&doc, "client", "apps-sydney");
    assert_eq!(client["fields"][0]["name"], "mounts");
    assert!(
        meaning(client)
            .contains("`apps-sydney` now uses `secret-apac/`, which `sydney-perf` holds")
    );
    assert_eq!(codes(&doc, "fixed").len(), 4);
    let enable = step_of(
        &doc,
        "sydney-perf",
        "vault secrets enable -local -path=secret-apac kv",
    );
    assert_eq!(
        step_titled(&doc, "Move mount `secret-apac/` to `sydney-perf`"),
        enable
    );
    let export = step_titled(
        &doc,
        "Copy the data of mount `secret-apac/` out of `dallas-primary`",
    );
    assert!(export < enable);
    let step = &doc["runbook"]["steps"][usize::try_from(enable).unwrap() - 1];
    let text = step["text"].to_string();
    assert!(text.contains("vrt cannot move secrets"), "{text}");
    assert!(
        text.contains("disable the old mount on `dallas-primary`"),
        "{text}"
    );
    assert!(
        doc["runbook"]["warnings"]
            .to_string()
            .contains("moving its data is yours")
    );
}

#[test]
fn new_mounts_are_enabled_on_their_cluster_with_their_type() {
    let doc = case("add-mounts");
    for m in ["transit/", "auth/approle/", "pki-syd/"] {
        assert_eq!(change(&doc, "mount", m)["how"], "added");
    }
    assert_eq!(
        names(&placement(&doc, "pki-syd/")["after"]),
        ["sydney-perf", "sydney-dr"]
    );
    step_of(
        &doc,
        "dallas-primary",
        "vault secrets enable -path=transit transit",
    );
    step_of(
        &doc,
        "dallas-primary",
        "vault auth enable -path=approle approle",
    );
    step_of(
        &doc,
        "sydney-perf",
        "vault secrets enable -local -path=pki-syd pki",
    );
    // A new mount without a type stops its command until the type is given.
    let dir = scratch("untyped");
    let new = dir.join("new.yaml");
    std::fs::write(
        &new,
        global_with(&[(
            LAST_MOUNT,
            &format!("{LAST_MOUNT}  - {{path: kv-x/, cluster: dallas-primary}}\n"),
        )]),
    )
    .unwrap();
    let doc = json("examples/global.yaml", new.to_str().unwrap());
    step_of(
        &doc,
        "dallas-primary",
        "vault secrets enable -path=kv-x \"${MOUNT_TYPE_KV_X:?}\"",
    );
    assert!(
        doc["runbook"]["warnings"]
            .to_string()
            .contains("MOUNT_TYPE_KV_X")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A filter that lets data through runs before the mounts and the client moves; a filter that
/// keeps existing data away runs after the client moves, behind a residency check; a new
/// shared mount that such a filter keeps away is enabled only after it.
#[test]
fn filters_and_mounts_run_in_a_safe_order_around_client_moves() {
    let dir = scratch("order");
    let new = dir.join("new.yaml");
    std::fs::write(
        &new,
        global_with(&[
            (SYDNEY_FILTER, "    # no filter: secret-us/ replicates here\n"),
            (
                "    paths_filter: {mode: deny, paths: [secret-us/]}   # US-resident data stays out of London\n",
                "    paths_filter: {mode: deny, paths: [secret-us/, secret/, secret-x/]}\n",
            ),
            (
                LAST_MOUNT,
                &format!(
                    "{LAST_MOUNT}  - {{path: secret-x/, type: kv, cluster: dallas-primary}}\n  - {{path: transit/, type: transit, cluster: dallas-primary}}\n"
                ),
            ),
            (
                "  - {name: apps-dallas, site: dallas, cluster: dallas-primary, cidrs: [10.30.64.0/18]}",
                "  - {name: apps-dallas, site: dallas, cluster: sydney-perf, cidrs: [10.30.64.0/18], mounts: [secret-us/]}",
            ),
            (
                "cluster: london-perf, cidrs: [10.40.64.0/18], mounts: [secret/, secret-eu/]}",
                "cluster: dallas-primary, cidrs: [10.40.64.0/18], mounts: [secret/]}",
            ),
        ]),
    )
    .unwrap();
    let doc = json("examples/global.yaml", new.to_str().unwrap());
    let delete = step_titled(&doc, "Delete the paths filter of `sydney-perf`");
    let transit = step_of(
        &doc,
        "dallas-primary",
        "secrets enable -path=transit transit",
    );
    let to_sydney = step_titled(
        &doc,
        "Move client `apps-dallas` from `dallas-primary` to `sydney-perf`",
    );
    let from_london = step_titled(
        &doc,
        "Move client `apps-london` from `london-perf` to `dallas-primary`",
    );
    let check = step_titled(
        &doc,
        "Check the residency of what `london-perf`'s filter removes",
    );
    let london = step_titled(&doc, "Set the paths filter of `london-perf`");
    let secret_x = step_of(&doc, "dallas-primary", "secrets enable -path=secret-x kv");
    assert!(delete < transit, "{delete} {transit}");
    assert!(transit < to_sydney && transit < from_london);
    assert!(to_sydney < check && from_london < check);
    assert_eq!(check + 1, london);
    assert!(london < secret_x, "{london} {secret_x}");
    step_of(
        &doc,
        "dallas-primary",
        "paths-filter/\"$CLUSTER_ID_LONDON_PERF\" mode=deny paths=secret-us/ paths=secret/ paths=secret-x/",
    );
    // London loses `secret/` (existing), never held `secret-x/` (new): only `secret/` leaves.
    let c = change(&doc, "paths-filter", "london-perf");
    let m = meaning(c);
    assert!(m.contains("keeps `secret/` away"), "{m}");
    assert!(!m.contains("`secret-x/` away"), "{m}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bootstrap_sets_filters_after_the_secondaries_and_enables_mounts_last() {
    for file in common::examples() {
        let doc = json("/dev/null", &file);
        let cmds = commands(&doc);
        let last_secondary = cmds
            .iter()
            .filter(|(_, _, _, l)| l.contains("/secondary/enable"))
            .map(|c| c.0)
            .max()
            .unwrap_or(0);
        let filters: Vec<u64> = cmds
            .iter()
            .filter(|(_, _, _, l)| l.contains("primary/paths-filter/"))
            .map(|c| c.0)
            .collect();
        let mounts: Vec<u64> = cmds
            .iter()
            .filter(|(_, _, _, l)| l.contains(" secrets enable ") || l.contains(" auth enable "))
            .map(|c| c.0)
            .collect();
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        assert_eq!(
            mounts.len(),
            text.lines()
                .filter(|l| l.trim_start().starts_with("- {path:"))
                .count(),
            "{file}: one enable per mount"
        );
        assert_eq!(
            filters.len() / 2,
            text.matches("paths_filter:").count(),
            "{file}: a write and a read-back per filter"
        );
        let first_mount = mounts.iter().min().copied().unwrap_or(u64::MAX);
        assert!(
            filters
                .iter()
                .all(|f| *f > last_secondary && *f < first_mount),
            "{file}: {filters:?} {last_secondary} {first_mount}"
        );
        assert!(first_mount > last_secondary, "{file}");
    }
}

#[test]
fn hostile_mount_paths_stay_inert_in_markdown() {
    let dir = scratch("hostile-paths");
    let new = dir.join("new.yaml");
    std::fs::write(
        &new,
        global_with(&[
            (
                LAST_MOUNT,
                &format!(
                    "{LAST_MOUNT}  - {{path: __init__/, type: kv, cluster: dallas-primary}}\n  - {{path: _x_._y_/, type: kv, cluster: london-perf, local: true}}\n"
                ),
            ),
            (
                "    paths_filter: {mode: deny, paths: [secret-us/]}   # US-resident data stays out of London\n",
                "    paths_filter: {mode: deny, paths: [secret-us/, __init__/]}\n",
            ),
        ]),
    )
    .unwrap();
    let (_, md, err) = run(&[
        "examples/global.yaml",
        new.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert!(err.is_empty(), "{err}");
    let mut depth = 0usize;
    let mut text = String::new();
    for event in pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
        use pulldown_cmark::{Event, Tag, TagEnd};
        match event {
            Event::Start(Tag::Emphasis | Tag::Strong) => depth += 1,
            Event::End(TagEnd::Emphasis | TagEnd::Strong) => depth -= 1,
            Event::Text(t) | Event::Code(t) => {
                assert!(
                    depth == 0 || !t.contains("init"),
                    "a mount path turned into emphasis: {t}\n{md}"
                );
                text.push_str(&t);
            }
            _ => {}
        }
    }
    assert!(text.contains("__init__/"), "{md}");
    assert!(text.contains("_x_._y_/"), "{md}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A planned performance switchover to `london-perf`: `secret/` follows the primary role
/// (London holds it, nothing to move), `secret-us/` does not (London's filter kept it away:
/// a move with the operator's migration), and `sydney-perf`, which takes a new token from
/// `london-perf`, gets its paths filter set again there right after.
#[test]
fn a_performance_switchover_sets_the_followers_filters_again_on_the_new_primary() {
    let dir = scratch("switch");
    let new = dir.join("new.yaml");
    std::fs::write(
        &new,
        global_with(&[
            (
                "  - name: dallas-primary\n    site: dallas\n    role: primary\n",
                "  - name: dallas-primary\n    site: dallas\n    role: performance-secondary\n    replicates_from: london-perf\n    paths_filter: {mode: deny, paths: [secret-eu-shared/]}\n",
            ),
            (
                "    role: performance-secondary\n    replicates_from: dallas-primary\n    paths_filter: {mode: deny, paths: [secret-us/]}   # US-resident data stays out of London\n",
                "    role: primary\n",
            ),
            (
                "    replicates_from: dallas-primary\n    paths_filter: {mode: deny, paths: [secret-us/]}   # and out of Sydney\n",
                "    replicates_from: london-perf\n    paths_filter: {mode: deny, paths: [secret-us/]}\n",
            ),
            (
                "  - {path: secret/, type: kv, cluster: dallas-primary}",
                "  - {path: secret/, type: kv, cluster: london-perf}",
            ),
            (
                "  - {path: secret-us/, type: kv, cluster: dallas-primary, regions: [dallas]}",
                "  - {path: secret-us/, type: kv, cluster: london-perf, regions: [dallas, london]}",
            ),
        ]),
    )
    .unwrap();
    let doc = json("examples/global.yaml", new.to_str().unwrap());
    let promote = step_of(
        &doc,
        "london-perf",
        "write -f sys/replication/performance/secondary/promote",
    );
    let token = step_of(
        &doc,
        "london-perf",
        "sys/replication/performance/primary/secondary-token id=sydney-perf",
    );
    let filter = step_of(
        &doc,
        "london-perf",
        "paths-filter/\"$CLUSTER_ID_SYDNEY_PERF\" mode=deny paths=secret-us/",
    );
    let id = step_of(&doc, "sydney-perf", "CLUSTER_ID_SYDNEY_PERF=$(");
    // The demoted primary, attached to london-perf, gets the filter NEW gives it there.
    assert_eq!(
        step_of(
            &doc,
            "london-perf",
            "paths-filter/\"$CLUSTER_ID_DALLAS_PRIMARY\" mode=deny paths=secret-eu-shared/",
        ),
        step_titled(
            &doc,
            "Make `dallas-primary` a performance secondary of `london-perf`"
        )
    );
    assert!(
        promote < token && token == id && id == filter,
        "{promote} {token} {id} {filter}"
    );
    // Written once: the filter's own change is not written again.
    let writes = commands(&doc)
        .into_iter()
        .filter(|(_, _, _, l)| l.contains("write sys/replication/performance/primary/paths-filter/\"$CLUSTER_ID_SYDNEY_PERF\""))
        .count();
    assert_eq!(writes, 1);
    let secret = change(&doc, "mount", "secret/");
    assert!(
        meaning(secret).contains("nothing to move"),
        "{}",
        meaning(secret)
    );
    assert!(
        !commands(&doc)
            .iter()
            .any(|(_, t, _, _)| t == "Move mount `secret/` to `london-perf`")
    );
    let enable = step_of(
        &doc,
        "london-perf",
        "vault secrets enable -path=secret-us kv",
    );
    // Its data is copied out of dallas-primary before dallas-primary is demoted and attached
    // to london-perf, which never held it.
    let export = step_titled(
        &doc,
        "Copy the data of mount `secret-us/` out of `dallas-primary`",
    );
    let demote = step_of(
        &doc,
        "dallas-primary",
        "write -f sys/replication/performance/primary/demote",
    );
    assert!(
        export < demote && demote < enable,
        "{export} {demote} {enable}"
    );
    let secret_us = change(&doc, "mount", "secret-us/");
    assert!(meaning(secret_us).contains("moves from `dallas-primary` to `london-perf`"));
    std::fs::remove_dir_all(dir).unwrap();
}
