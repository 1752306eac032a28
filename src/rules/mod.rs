//! The rules: one file per rule, each declaring its [`Rule`] (code, name, severity,
//! documentation) and a `check` function over the [`Topology`]. [`CHECKS`] is the one
//! ordered registry; a retired code is never reused.

use crate::diag::{Finding, Rule};
use crate::graph::Topology;

pub mod blocked_flow;
pub mod broad_firewall_rule;
pub mod client_in_other_site;
pub mod client_mount_not_on_cluster;
pub mod client_on_dr_secondary;
pub mod cross_environment_replication;
pub mod downstream_older_version;
pub mod failback_blocked_by_version;
pub mod failover_outside_client_site;
pub mod insecure_cluster_addr;
pub mod loss_without_recovery;
pub mod missing_dr_secondary;
pub mod mixed_versions;
pub mod mount_outside_regions;
pub mod paths_filter_removes_everything;
pub mod paths_filter_unknown_mount;
pub mod performance_cascade;
pub mod port_outside_firewall;
pub mod promotion_missing_mounts;
pub mod quorum_lost_with_zone;
pub mod raft_voter_count;
pub mod replication_cycle;
pub mod replication_from_dr_secondary;
pub mod shared_api_cluster_port;
pub mod single_zone_cluster;
pub mod site_loss_without_dr;
pub mod tls_terminating_load_balancer;
pub mod tokens_on_performance_secondary;
pub mod unresolvable_peer_address;

/// A rule and the function that checks it.
pub struct Check {
    /// The rule.
    pub rule: &'static Rule,
    /// Its check.
    pub run: fn(&Topology) -> Vec<Finding>,
}

/// Every rule with a check, in code order.
pub static CHECKS: &[Check] = &[
    Check {
        rule: &missing_dr_secondary::RULE,
        run: missing_dr_secondary::check,
    },
    Check {
        rule: &replication_from_dr_secondary::RULE,
        run: replication_from_dr_secondary::check,
    },
    Check {
        rule: &performance_cascade::RULE,
        run: performance_cascade::check,
    },
    Check {
        rule: &replication_cycle::RULE,
        run: replication_cycle::check,
    },
    Check {
        rule: &tokens_on_performance_secondary::RULE,
        run: tokens_on_performance_secondary::check,
    },
    Check {
        rule: &cross_environment_replication::RULE,
        run: cross_environment_replication::check,
    },
    Check {
        rule: &downstream_older_version::RULE,
        run: downstream_older_version::check,
    },
    Check {
        rule: &mixed_versions::RULE,
        run: mixed_versions::check,
    },
    Check {
        rule: &client_on_dr_secondary::RULE,
        run: client_on_dr_secondary::check,
    },
    Check {
        rule: &client_in_other_site::RULE,
        run: client_in_other_site::check,
    },
    Check {
        rule: &mount_outside_regions::RULE,
        run: mount_outside_regions::check,
    },
    Check {
        rule: &client_mount_not_on_cluster::RULE,
        run: client_mount_not_on_cluster::check,
    },
    Check {
        rule: &paths_filter_unknown_mount::RULE,
        run: paths_filter_unknown_mount::check,
    },
    Check {
        rule: &paths_filter_removes_everything::RULE,
        run: paths_filter_removes_everything::check,
    },
    Check {
        rule: &blocked_flow::RULE,
        run: blocked_flow::check,
    },
    Check {
        rule: &broad_firewall_rule::RULE,
        run: broad_firewall_rule::check,
    },
    Check {
        rule: &unresolvable_peer_address::RULE,
        run: unresolvable_peer_address::check,
    },
    Check {
        rule: &tls_terminating_load_balancer::RULE,
        run: tls_terminating_load_balancer::check,
    },
    Check {
        rule: &insecure_cluster_addr::RULE,
        run: insecure_cluster_addr::check,
    },
    Check {
        rule: &shared_api_cluster_port::RULE,
        run: shared_api_cluster_port::check,
    },
    Check {
        rule: &port_outside_firewall::RULE,
        run: port_outside_firewall::check,
    },
    Check {
        rule: &site_loss_without_dr::RULE,
        run: site_loss_without_dr::check,
    },
    Check {
        rule: &loss_without_recovery::RULE,
        run: loss_without_recovery::check,
    },
    Check {
        rule: &failback_blocked_by_version::RULE,
        run: failback_blocked_by_version::check,
    },
    Check {
        rule: &failover_outside_client_site::RULE,
        run: failover_outside_client_site::check,
    },
    Check {
        rule: &promotion_missing_mounts::RULE,
        run: promotion_missing_mounts::check,
    },
    Check {
        rule: &raft_voter_count::RULE,
        run: raft_voter_count::check,
    },
    Check {
        rule: &single_zone_cluster::RULE,
        run: single_zone_cluster::check,
    },
    Check {
        rule: &quorum_lost_with_zone::RULE,
        run: quorum_lost_with_zone::check,
    },
];

/// Codes reported by planners rather than by `vrt validate` (no check function); each is
/// declared by the planner that reports it.
pub static PLANNER: &[&Rule] = &[&crate::firewall::UNADDRESSABLE];

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
