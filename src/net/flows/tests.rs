//! Unit tests of the port matrix.

use std::collections::HashSet;

use super::*;
use crate::graph::StandbyReason;

fn topology(yaml: &str) -> Topology {
    let source = crate::source::Source::new("t.yaml", yaml);
    crate::topology(&source, crate::yaml::Limits::default()).expect("loads")
}

const TWO_SITES: &str = "version: 1
name: t
sites: [{name: a, cidrs: [10.1.0.0/16]}, {name: b}]
clusters:
  - {name: p, site: a, role: primary, load_balancer: {address: vault.a.example, cluster_port: passthrough}}
  - {name: pd, site: a, role: dr-secondary, replicates_from: p}
  - {name: s, site: b, role: performance-secondary, replicates_from: p}
  - {name: sd, site: b, role: dr-secondary, replicates_from: s}
  - {name: sd2, site: b, role: dr-secondary, replicates_from: s}
clients: [{name: apps, site: a, cluster: p}]
external_services: [{name: db, site: a, port: 5432, used_by: [p, pd]}]
";

fn rows(t: &Topology) -> Vec<String> {
    flows(t)
        .iter()
        .map(|f| {
            format!(
                "{} -> {} {}{}",
                f.from.label(t),
                f.to.label(t),
                f.port,
                if f.standby { " standby" } else { "" }
            )
        })
        .collect()
}

#[test]
fn replication_edges_open_both_ports_both_ways_through_the_load_balancer() {
    let t = topology(TWO_SITES);
    let rows = rows(&t);
    for want in [
        "pd -> p (load balancer) 8200",
        "pd -> p (load balancer) 8201",
        "p -> pd 8200",
        "p -> pd 8201",
        "s -> p (load balancer) 8201",
        "p -> s 8201",
        "p (load balancer) -> p 8200",
        "p (load balancer) -> p 8201",
        "apps (client) -> p (load balancer) 8200",
        "p -> db (service) 5432",
        "pd -> db (service) 5432 standby",
        "p -> p 8201",
        "sd -> sd 8200",
        "apps (client) -> pd 8200 standby",
    ] {
        assert!(
            rows.contains(&want.to_string()),
            "{want} missing: {rows:#?}"
        );
    }
}

#[test]
fn standby_flows_cover_the_three_failovers_and_sibling_dr_secondaries() {
    let t = topology(TWO_SITES);
    let rows = rows(&t);
    for want in [
        // a primary's DR secondary <-> its performance secondary
        "s -> pd 8201 standby",
        "pd -> s 8201 standby",
        // a performance secondary's DR secondaries <-> the primary
        "sd -> p (load balancer) 8201 standby",
        "p -> sd2 8200 standby",
        // DR secondaries of one cluster <-> each other
        "sd2 -> sd 8201 standby",
    ] {
        assert!(
            rows.contains(&want.to_string()),
            "{want} missing: {rows:#?}"
        );
    }
    // Failback p <-> pd runs over the DR edge, which is already required both ways.
    assert!(!rows.contains(&"p -> pd 8201 standby".to_string()));
    // No performance promotion path: only one performance secondary.
    assert!(
        t.standby_pairs()
            .iter()
            .all(|p| !matches!(p.reason, StandbyReason::PerformancePromotion { .. }))
    );
}

#[test]
fn a_site_loss_without_dr_elsewhere_adds_the_performance_promotion_paths() {
    let t = topology(
        "version: 1
name: t
sites: [{name: a}, {name: b}, {name: c}]
clusters:
  - {name: p, site: a, role: primary}
  - {name: pd, site: a, role: dr-secondary, replicates_from: p}
  - {name: s1, site: b, role: performance-secondary, replicates_from: p}
  - {name: s2, site: c, role: performance-secondary, replicates_from: p}
",
    );
    let rows = rows(&t);
    assert!(
        rows.contains(&"s2 -> s1 8201 standby".to_string()),
        "{rows:#?}"
    );
    assert!(
        rows.contains(&"s1 -> s2 8200 standby".to_string()),
        "{rows:#?}"
    );
}

#[test]
fn flows_are_unique_and_required_ones_come_first() {
    let t = topology(TWO_SITES);
    let all = flows(&t);
    let mut seen = HashSet::new();
    for f in &all {
        assert!(seen.insert((f.from, f.to, f.port)), "duplicate {f:?}");
    }
    let first_standby = all.iter().position(|f| f.standby).unwrap();
    assert!(all[first_standby..].iter().all(|f| f.standby));
}

#[test]
fn addresses_fall_back_from_own_to_cluster_to_site() {
    let t = topology(TWO_SITES);
    let (p, src) = addresses(&t, Node::Cluster(ClusterId(0)));
    assert_eq!(
        (p[0].to_string(), src),
        ("10.1.0.0/16".into(), AddressSource::Site)
    );
    let (_, src) = addresses(&t, Node::LoadBalancer(ClusterId(0)));
    assert_eq!(src, AddressSource::Site);
    let (none, src) = addresses(&t, Node::Cluster(ClusterId(2)));
    assert!(none.is_empty());
    assert_eq!(src, AddressSource::None);
}

#[test]
fn the_dialled_address_is_the_one_the_peer_advertises() {
    let t = topology(
        "version: 1
name: t
sites: [{name: a}, {name: b}]
clusters:
  - {name: p, site: a, role: primary, api_addr: 'https://api.a.example:8200', cluster_addr: 'https://10.0.0.1:8201'}
  - {name: s, site: b, role: performance-secondary, replicates_from: p}
",
    );
    let all = flows(&t);
    let to_p: Vec<_> = all
        .iter()
        .filter(|f| f.from == Node::Cluster(ClusterId(1)) && f.to == Node::Cluster(ClusterId(0)))
        .collect();
    let api = to_p[0].dialled(&t).unwrap();
    assert_eq!(
        (api.name.as_deref(), api.field),
        (Some("api.a.example"), "api_addr")
    );
    let cluster = to_p[1].dialled(&t).unwrap();
    assert_eq!((cluster.name, cluster.field), (None, "cluster_addr"));
}

/// `Purpose::ALL` holds every purpose once, at the place of its declaration: the match
/// below stops compiling when a purpose is added, which is the reminder to add it there too.
#[test]
fn purpose_all_holds_every_purpose_once() {
    for (i, p) in Purpose::ALL.into_iter().enumerate() {
        let at = match p {
            Purpose::Bootstrap => 0,
            Purpose::Replication => 1,
            Purpose::ClientOperations => 2,
            Purpose::LoadBalanced => 3,
            Purpose::SecretsEngine => 4,
            Purpose::RaftJoin => 5,
            Purpose::Raft => 6,
            Purpose::Unseal => 7,
            Purpose::ConsulStorage => 8,
        };
        assert_eq!(at, i, "{p:?}");
        assert_eq!(Purpose::LABELS[i], p.as_str());
    }
}
