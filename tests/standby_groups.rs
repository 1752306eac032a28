//! Standby sets as group flows (issue 12) and standby paths within one environment (issue
//! 10), through the real binary: every consumer of the standby flows — `ports`, `firewall`
//! in every format, VRT201 and the flow budget — agrees with the pairs the sets stand for,
//! and their size grows with the clusters, not with their pairs.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{root, run};
use serde_json::Value;
use vrt::graph::Topology;
use vrt::source::Source;
use vrt::values::Cidr;
use vrt::yaml::Limits;

const GROUPS: &str = "tests/fixtures/net/standby-groups.yaml";
const ENVIRONMENTS: &str = "tests/fixtures/net/standby-environments.yaml";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn topology(path: &str) -> Topology {
    let source = common::source(&root().join(path));
    vrt::topology(&source, Limits::default()).expect("loads")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-standby-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `(source, destination, port)` of the standby rows of `vrt ports --format json`.
fn standby_rows(path: &str) -> Vec<(String, String, u64, String, String)> {
    let (code, out, err) = run(&["ports", "--format", "json", path]);
    assert_eq!(code, 0, "{err}");
    json(&out)["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["standby"] == true)
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["destination"].as_str().unwrap().to_string(),
                r["port"].as_u64().unwrap(),
                r["source_kind"].as_str().unwrap().to_string(),
                r["destination_kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The networks of a cluster or client of the fixtures (each declares its own).
fn cidrs_of(t: &Topology, name: &str) -> Vec<Cidr> {
    if let Some((_, c)) = t.clusters().find(|(_, c)| c.name.get() == name) {
        return c.cidrs.iter().map(|c| *c.get()).collect();
    }
    let (_, k) = t.clients().find(|(_, k)| k.name.get() == name).unwrap();
    k.cidrs.iter().map(|c| *c.get()).collect()
}

/// Whether a rule of `vrt firewall --format json` allows every network of `from` to every
/// network of `to` on `port`.
fn allowed(rules: &[Value], t: &Topology, from: &str, to: &str, port: u64) -> bool {
    let nets = |v: &Value| -> Vec<Cidr> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().parse().unwrap())
            .collect()
    };
    let within =
        |inner: &[Cidr], outer: &[Cidr]| inner.iter().all(|i| outer.iter().any(|o| o.contains(i)));
    rules.iter().any(|r| {
        r["ports"].as_array().unwrap().contains(&port.into())
            && within(&cidrs_of(t, from), &nets(&r["source"]["cidrs"]))
            && within(&cidrs_of(t, to), &nets(&r["destination"]["cidrs"]))
    })
}

#[test]
fn large_standby_sets_are_group_rows_in_the_port_matrix() {
    let rows = standby_rows(GROUPS);
    let group = |r: &(String, String, u64, String, String)| {
        r.3.ends_with("-group") || r.4.ends_with("-group")
    };
    // Four DR secondaries paired with each other, three performance secondaries re-pointing
    // to them, three clients moving to them: group rows, not pairs.
    assert!(
        rows.iter().any(|r| r.0
            == "DR secondaries of p activated with a wrapped token (3: p-dr1, p-dr2, p-dr4)"
            && r.1 == "DR secondaries of p (4: p-dr1, p-dr2, p-dr3, …)"
            && r.2 == 8200),
        "{rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "DR secondaries of p (4: p-dr1, p-dr2, p-dr3, …)"
                && r.1 == "DR secondaries of p (4: p-dr1, p-dr2, p-dr3, …)"
                && r.2 == 8201),
        "{rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "clients of p (3: apps-1, apps-2, apps-3)"
                && r.4 == "cluster-group"
                && r.2 == 8200),
        "{rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "performance secondaries of p (3: s1, s2, s3)" && r.2 == 8201),
        "{rows:#?}"
    );
    // No pair of those sets is listed one by one.
    let drs = ["p-dr1", "p-dr2", "p-dr3", "p-dr4"];
    assert!(
        !rows
            .iter()
            .any(|r| drs.contains(&r.0.as_str()) && drs.contains(&r.1.as_str()))
    );
    // Each DR secondary of a performance secondary alone is still a pair with `p`.
    assert!(
        rows.iter()
            .any(|r| r.0 == "s1-dr" && r.1 == "p" && r.2 == 8201 && !group(r))
    );
    for format in ["table", "markdown", "csv"] {
        let (code, out, err) = run(&["ports", "--format", format, GROUPS]);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(out.contains("DR secondaries of p"), "{format}: {out}");
    }
}

#[test]
fn the_firewall_allows_every_pair_a_standby_set_stands_for() {
    let t = topology(GROUPS);
    let (code, out, err) = run(&["firewall", "--format", "json", GROUPS]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let rules = doc["rules"].as_array().unwrap();
    let pairs = t.standby_pairs();
    assert!(pairs.len() > 20, "{}", pairs.len());
    for pair in &pairs {
        let (s, p) = (t.name(pair.secondary), t.name(pair.primary));
        for port in [8200, 8201] {
            assert!(allowed(rules, &t, s, p, port), "{s} -> {p} on {port}");
            assert!(allowed(rules, &t, p, s, port), "{p} -> {s} on {port}");
        }
    }
    for client in ["apps-1", "apps-2", "apps-3"] {
        for dr in ["p-dr1", "p-dr2", "p-dr3", "p-dr4"] {
            assert!(allowed(rules, &t, client, dr, 8200), "{client} -> {dr}");
        }
    }
    // One rule per group flow: the rule table grows with the sets, not with their pairs.
    let standby = rules.iter().filter(|r| r["standby"] == true).count();
    assert!(standby < 16, "{standby} standby rules");
    // `--strict-ports` drops the API port the public-key DR secondary never dials.
    let (_, strict, _) = run(&["firewall", "--format", "json", "--strict-ports", GROUPS]);
    let strict = json(&strict);
    let names: Vec<&str> = strict["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("public-key")),
        "{names:#?}"
    );
    assert!(
        names.iter().any(|n| n.contains("wrapped-token")),
        "{names:#?}"
    );
}

#[test]
fn a_blocked_standby_set_names_its_first_blocked_pair_and_the_rule_to_add() {
    let text = std::fs::read_to_string(root().join(GROUPS)).unwrap();
    let mut text = text.replace(
        "    - {name: east-west, from: east, to: west, ports: [8200-8201], bidirectional: true}\n",
        "",
    );
    let dir = scratch("blocked");
    let file = dir.join("t.yaml");
    let mut rounds = 0;
    let mut first_message = None;
    loop {
        std::fs::write(&file, &text).unwrap();
        let (_, out, _) = run(&["validate", "--format", "json", file.to_str().unwrap()]);
        let doc = json(&out);
        let blocked: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "VRT201")
            .collect();
        if blocked.is_empty() {
            break;
        }
        rounds += 1;
        assert!(
            rounds < 40,
            "the suggested rules never clear VRT201: {blocked:#?}"
        );
        let f = blocked[0];
        first_message.get_or_insert_with(|| f["message"].as_str().unwrap().to_string());
        // Every suggestion is a rule between two named objects: add them all.
        let help = f["help"].as_str().unwrap();
        let rules: Vec<&str> = help
            .trim_start_matches("add to `network.firewall`: ")
            .split(" and ")
            .map(|r| r.trim_matches('`'))
            .collect();
        for rule in rules {
            assert!(rule.starts_with("- {name: "), "{help}");
            text.push_str("    ");
            text.push_str(rule);
            text.push('\n');
        }
    }
    // The DR secondaries in `east` and `west` must reach each other: the first pair of the
    // set that the file blocks is reported with the rule that opens it.
    let message = first_message.expect("a blocked standby flow");
    assert_eq!(
        message,
        "the DR secondaries of `p` must replicate from the one of them promoted for `p`, but no firewall rule allows `p-dr1` → `p-dr2` on 8200, 8201"
    );
    assert!(rounds >= 2, "{rounds}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_dr_secondary_of_another_environment_gets_no_standby_path() {
    let rows = standby_rows(ENVIRONMENTS);
    let between = |a: &str, b: &str| {
        rows.iter()
            .any(|r| r.0 == a && r.1 == b || r.0 == b && r.1 == a)
    };
    // The production DR secondary takes over from `p`: the performance secondaries must
    // reach it, and the clients move to it.
    for s in ["s1", "s2"] {
        assert!(between(s, "d-prod"), "{s}: {rows:#?}");
    }
    assert!(
        rows.iter()
            .any(|r| r.0 == "apps (client)" && r.1 == "d-prod"),
        "{rows:#?}"
    );
    // The non-production one never does: no standby flow leads to it or leaves it.
    assert!(
        !rows
            .iter()
            .any(|r| r.0.contains("d-stage") || r.1.contains("d-stage")),
        "{rows:#?}"
    );
    // Nor does the firewall open anything between it and the performance secondaries.
    let t = topology(ENVIRONMENTS);
    let (_, out, _) = run(&["firewall", "--format", "json", ENVIRONMENTS]);
    let doc = json(&out);
    let rules = doc["rules"].as_array().unwrap();
    for s in ["s1", "s2"] {
        assert!(allowed(rules, &t, s, "d-prod", 8201));
        assert!(!allowed(rules, &t, s, "d-stage", 8201), "{s} -> d-stage");
        assert!(!allowed(rules, &t, "d-stage", s, 8201), "d-stage -> {s}");
    }
    assert!(!allowed(rules, &t, "apps", "d-stage", 8200));
    // It still replicates from `p`.
    assert!(allowed(rules, &t, "d-stage", "p", 8201));
}

#[test]
fn standby_sets_stay_inside_the_lost_clusters_environment() {
    let t = topology(ENVIRONMENTS);
    let sets = t.standby_sets();
    assert!(!sets.is_empty());
    for set in &sets {
        for c in set
            .secondaries
            .clusters(&t)
            .into_iter()
            .chain(set.primaries.clusters(&t))
        {
            assert!(t.same_environment(set.lost, c), "{set:?}: {}", t.name(c));
        }
    }
    let names: BTreeSet<(&str, &str)> = t
        .standby_pairs()
        .iter()
        .map(|p| (t.name(p.secondary), t.name(p.primary)))
        .collect();
    assert_eq!(names, BTreeSet::from([("s1", "d-prod"), ("s2", "d-prod")]));
}

#[test]
fn a_star_grows_linearly_in_flows_and_rules_and_the_budget_counts_them_exactly() {
    let sizes = [(201, 40), (2_001, 400)];
    let mut measured = Vec::new();
    for (clusters, clients) in sizes {
        let source = Source::new("star", vrt::synthetic::star_yaml(clusters, clients));
        let t = vrt::topology(&source, Limits::default()).expect("within the default limit");
        let flows = vrt::net::flows::flows(&t);
        assert_eq!(vrt::net::budget::count(&t).0, flows.len() as u64);
        let rules = vrt::firewall::rules(&t, &flows).expect("addressed");
        assert!(vrt::firewall::uncovered(&t, &flows, &rules).is_empty());
        let standby = flows.iter().filter(|f| f.standby).count();
        measured.push((flows.len(), standby, rules.len()));
    }
    let (small, large) = (measured[0], measured[1]);
    // Ten times the clusters: at most ten times the flows, the same standby flows (one
    // set), and the same rules (the DR secondaries share their sites' networks).
    assert!(large.0 <= 10 * small.0 + 10, "{measured:?}");
    assert_eq!(large.1, small.1, "{measured:?}");
    assert_eq!(large.2, small.2, "{measured:?}");
}

#[test]
fn the_budget_is_exact_for_a_fixture_of_mixed_standby_sets() {
    let t = topology(GROUPS);
    let flows = vrt::net::flows::flows(&t);
    let (total, _) = vrt::net::budget::count(&t);
    // Connections shared by two reasons are merged: the count bounds the flows.
    assert!(total >= flows.len() as u64);
    assert!(
        total <= flows.len() as u64 + 8,
        "{total} for {} flows",
        flows.len()
    );
}

#[test]
fn a_scoped_firewall_keeps_only_the_members_inside_the_scope() {
    let (code, out, err) = run(&["firewall", "--format", "json", "--site", "east", GROUPS]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    for r in doc["rules"].as_array().unwrap() {
        for c in r["destination"]["cidrs"].as_array().unwrap() {
            assert!(c.as_str().unwrap().starts_with("10.1."), "{r:#}");
        }
    }
    let keys: Vec<&str> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["destination"]["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"p-dr-secondaries-east"), "{keys:#?}");
}
