//! The rules: one file per rule, each declaring its [`Rule`] (code, name, severity,
//! documentation) and a `check` function over the [`Topology`]. [`CHECKS`] is the one
//! ordered registry; a retired code is never reused.

use crate::diag::{Finding, Rule};
use crate::graph::Topology;

pub mod blocked_flow;
pub mod broad_firewall_rule;
pub mod catch_all_address_space;
pub mod client_in_other_site;
pub mod client_mount_not_on_cluster;
pub mod client_on_dr_secondary;
pub mod cross_environment_replication;
pub mod downstream_older_version;
pub mod failback_blocked_by_version;
pub mod failover_outside_client_site;
pub mod failover_to_not_candidate;
pub mod insecure_cluster_addr;
pub mod loss_without_recovery;
pub mod missing_dr_secondary;
pub mod mixed_versions;
pub mod mount_outside_regions;
pub mod paths_filter_removes_everything;
pub mod paths_filter_unknown_mount;
pub mod performance_cascade;
pub mod plaintext_api_addr;
pub mod port_outside_firewall;
pub mod promotion_missing_mounts;
pub mod quorum_lost_with_zone;
pub mod raft_voter_count;
pub mod replication_cycle;
pub mod replication_from_dr_secondary;
pub mod seal_endpoint_without_addresses;
pub mod service_missing_dr_secondary;
pub mod shared_api_cluster_port;
pub mod single_zone_cluster;
pub mod site_loss_without_dr;
pub mod tls_terminating_load_balancer;
pub mod tokens_on_performance_secondary;
pub mod unresolvable_peer_address;
pub mod wide_port_range;

/// A rule and the function that checks it.
pub struct Check {
    /// The rule.
    pub rule: &'static Rule,
    /// Its check.
    pub run: fn(&Topology) -> Vec<Finding>,
}

/// One registry entry: the rule a module declares (`RULE`) and its `check`.
macro_rules! check {
    ($rule:ident) => {
        Check {
            rule: &$rule::RULE,
            run: $rule::check,
        }
    };
}

/// Every rule with a check, in code order.
pub static CHECKS: &[Check] = &[
    check!(missing_dr_secondary),
    check!(replication_from_dr_secondary),
    check!(performance_cascade),
    check!(replication_cycle),
    check!(tokens_on_performance_secondary),
    check!(cross_environment_replication),
    check!(downstream_older_version),
    check!(mixed_versions),
    check!(client_on_dr_secondary),
    check!(client_in_other_site),
    check!(mount_outside_regions),
    check!(client_mount_not_on_cluster),
    check!(paths_filter_unknown_mount),
    check!(paths_filter_removes_everything),
    check!(blocked_flow),
    check!(broad_firewall_rule),
    check!(unresolvable_peer_address),
    check!(tls_terminating_load_balancer),
    check!(insecure_cluster_addr),
    check!(shared_api_cluster_port),
    check!(port_outside_firewall),
    check!(catch_all_address_space),
    check!(plaintext_api_addr),
    check!(service_missing_dr_secondary),
    check!(wide_port_range),
    check!(seal_endpoint_without_addresses),
    check!(site_loss_without_dr),
    check!(loss_without_recovery),
    check!(failback_blocked_by_version),
    check!(failover_outside_client_site),
    check!(failover_to_not_candidate),
    check!(promotion_missing_mounts),
    check!(raft_voter_count),
    check!(single_zone_cluster),
    check!(quorum_lost_with_zone),
];

/// Codes reported by planners rather than by `vrt validate` (no check function); each is
/// declared by the planner that reports it.
pub static PLANNER: &[&Rule] = &[
    &crate::firewall::UNADDRESSABLE,
    &crate::net::exposure::CATCH_ALL,
];

/// Every code vrt can report (structural codes first), in code order.
pub fn all() -> Vec<&'static Rule> {
    let mut out: Vec<&'static Rule> = crate::diag::structure::ALL.to_vec();
    out.extend(CHECKS.iter().map(|c| c.rule));
    out.extend(PLANNER.iter().copied());
    out.extend(crate::status::rules::ALL.iter().copied());
    out.sort_by_key(|r| r.code);
    out
}

/// The rule with this code (any case) or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    all()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Runs every rule accepted by `enabled` over the topology.
pub fn run(topology: &Topology, enabled: impl Fn(&Rule) -> bool) -> Vec<Finding> {
    CHECKS
        .iter()
        .filter(|c| enabled(c.rule))
        .flat_map(|c| (c.run)(topology))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let rules = all();
        for (i, r) in rules.iter().enumerate() {
            assert!(r.code.len() == 6 && r.code.starts_with("VRT"), "{}", r.code);
            assert!(
                r.code[3..].chars().all(|c| c.is_ascii_digit()),
                "{}",
                r.code
            );
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.name
            );
            for other in &rules[i + 1..] {
                assert_ne!(r.code, other.code);
                assert_ne!(r.name, other.name);
            }
        }
    }

    #[test]
    fn every_rule_is_documented_with_the_sections() {
        for r in all() {
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## How to fix",
            ] {
                assert!(r.doc.contains(section), "{} lacks {section}", r.code);
            }
            assert!(!r.summary().is_empty(), "{}", r.code);
        }
    }

    #[test]
    fn every_check_rule_cites_a_source() {
        for c in CHECKS {
            assert!(
                !crate::sources::cited(c.rule.doc).is_empty(),
                "{} cites no source key",
                c.rule.code
            );
        }
    }
}
