//! Unit tests of the firewall planner.

use super::*;

fn topology(yaml: &str) -> Topology {
    let source = crate::source::Source::new("t.yaml", yaml);
    crate::topology(&source, crate::yaml::Limits::default()).expect("loads")
}

const YAML: &str = "version: 1
name: t
sites:
  - {name: a, cidrs: [10.1.0.0/16, 'fd01::/48']}
  - {name: b, cidrs: [10.2.0.0/16]}
clusters:
  - {name: p, site: a, role: primary, cidrs: [10.1.1.0/24, 'fd01::/64'], load_balancer: {address: 10.1.9.9, cluster_port: passthrough}}
  - {name: pd, site: a, role: dr-secondary, replicates_from: p, cidrs: [10.1.2.0/24]}
  - {name: s, site: b, role: performance-secondary, replicates_from: p, cidrs: [10.2.1.0/24]}
";

#[test]
fn ports_merge_standby_duplicates_fold_and_families_split() {
    let t = topology(YAML);
    let rules = rules(&t, &flows::flows(&t)).unwrap();
    let find = |name: &str| {
        rules
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("{name}: {rules:#?}"))
    };
    let r = find("replication-s-to-p-lb");
    assert_eq!(r.ports, BTreeSet::from([8200, 8201]));
    assert_eq!(r.sources[0].to_string(), "10.2.1.0/24");
    assert_eq!(r.destinations[0].to_string(), "10.1.9.9/32");
    // The load balancer's own /32 and the IPv6 half of p: two families, two rules.
    assert!(
        rules
            .iter()
            .any(|r| r.name == "raft-p-v6" && r.family == Family::V6)
    );
    assert!(
        rules
            .iter()
            .any(|r| r.name == "raft-p" && r.family == Family::V4)
    );
    // Standby s <-> pd.
    let standby = find("standby-s-to-pd");
    assert!(standby.standby);
    assert_eq!(standby.ports, BTreeSet::from([8200, 8201]));
    // Names are unique.
    let names: BTreeSet<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), rules.len());
    // Every rule says why it exists.
    assert!(rules.iter().all(|r| !r.reasons.is_empty()));
}

#[test]
fn a_flow_without_addresses_is_an_error_naming_the_cluster_and_site() {
    let t = topology(
        "version: 1
name: t
sites: [{name: a, cidrs: [10.1.0.0/16]}, {name: b}]
clusters:
  - {name: p, site: a, role: primary}
  - {name: s, site: b, role: performance-secondary, replicates_from: p}
",
    );
    let errors = rules(&t, &flows::flows(&t)).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].rule.code, "VRT208");
    assert!(
        errors[0]
            .message
            .starts_with("cluster `s` has no addresses")
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("give cluster `s` `cidrs` (its nodes' subnets) or site `b` `cidrs`")
    );
}

#[test]
fn ends_without_a_common_family_are_an_error() {
    let t = topology(
        "version: 1
name: t
sites: [{name: a, cidrs: [10.1.0.0/16]}, {name: b, cidrs: ['fd02::/48']}]
clusters:
  - {name: p, site: a, role: primary}
  - {name: s, site: b, role: performance-secondary, replicates_from: p}
",
    );
    let errors = rules(&t, &flows::flows(&t)).unwrap_err();
    assert!(
        errors[0].message.contains("share no address family"),
        "{errors:#?}"
    );
}

#[test]
fn standby_ports_already_open_for_a_required_flow_are_folded_into_it() {
    // Without cluster cidrs, every cluster of a site has the site's addresses: the
    // standby path perf-b -> dr-a is the required path perf-b -> primary-a.
    let t = topology(
        "version: 1
name: t
sites: [{name: a, cidrs: [10.1.0.0/16]}, {name: b, cidrs: [10.2.0.0/16]}]
clusters:
  - {name: p, site: a, role: primary}
  - {name: pd, site: a, role: dr-secondary, replicates_from: p}
  - {name: s, site: b, role: performance-secondary, replicates_from: p}
",
    );
    let rules = rules(&t, &flows::flows(&t)).unwrap();
    let b_to_a: Vec<&FirewallRule> = rules
        .iter()
        .filter(|r| {
            r.sources[0].to_string() == "10.2.0.0/16"
                && r.destinations[0].to_string() == "10.1.0.0/16"
        })
        .collect();
    assert_eq!(b_to_a.len(), 1, "{rules:#?}");
    assert!(!b_to_a[0].standby);
    assert_eq!(
        b_to_a[0].reasons,
        [
            "s replicates from p (performance)",
            "s replicates from pd once pd is promoted for p",
        ]
    );
    assert!(
        rules.iter().all(|r| !r.standby),
        "every standby port is already open: {rules:#?}"
    );
}

#[test]
fn port_ranges_coalesce_neighbours() {
    let t = topology(YAML);
    let rules = rules(&t, &flows::flows(&t)).unwrap();
    let mut r = rules[0].clone();
    r.ports = BTreeSet::from([5432, 8200, 8201, 8203]);
    assert_eq!(r.port_ranges(), [(5432, 5432), (8200, 8201), (8203, 8203)]);
}
#[test]
fn a_scope_keeps_the_flows_into_its_sites_and_their_sources() {
    let t = topology(
        "version: 1
name: t
sites:
  - {name: a, provider: aws, cidrs: [10.1.0.0/16]}
  - {name: b, provider: on-prem, cidrs: [10.2.0.0/16]}
clusters:
  - {name: p, site: a, role: primary}
  - {name: s, site: b, role: performance-secondary, replicates_from: p}
",
    );
    let all = flows::flows(&t);
    let aws = Scope {
        site: None,
        provider: Some(crate::spec::Provider::Aws),
    }
    .flows(&t, all.clone());
    assert!(!aws.is_empty());
    assert!(aws.len() < all.len());
    assert!(aws.iter().all(|f| f.to.site(&t).0 == 0), "{aws:#?}");
    // The on-premises secondary still appears, as the source of its flows into `a`.
    assert!(aws.iter().any(|f| f.from.site(&t).0 == 1));
    let b = Scope {
        site: Some(crate::ids::SiteId(1)),
        provider: None,
    }
    .flows(&t, all.clone());
    assert!(!b.is_empty() && b.iter().all(|f| f.to.site(&t).0 == 1));
    let none = Scope {
        site: Some(crate::ids::SiteId(1)),
        provider: Some(crate::spec::Provider::Aws),
    }
    .flows(&t, all);
    assert!(none.is_empty());
}
