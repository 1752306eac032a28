//! Failover planning: what a single failure (a cluster, a site or a region) takes out, how
//! each lost cluster is recovered and why, the ordered runbook with the exact commands, and
//! the topology afterwards. Pure: [`plan`] goes from a [`Topology`] and a [`Failure`] to a
//! [`Plan`], [`sweep`] runs every single failure; `report::failover` renders them.
//!
//! Every step rests on HashiCorp's replication documentation (promotion, demotion and failover)
//! and cites its source keys (API-DR, ENOS-DR, PERF-MANAGE, REPL-IDX, BREAKGLASS, …), which
//! `vrt explain` and [`crate::sources`] resolve to documents.
//!
//! One file per job:
//! - `resolve`: the `--lose` name to a [`Failure`], and the plan's label for it;
//! - `plan`: the plan's types;
//! - `decide`: who takes over, the one place successors and client moves are chosen
//!   ([`decide()`]);
//! - `outcome`: the topology after the failover;
//! - `commands`: the command lines and their addresses;
//! - `candidate`: before a promotion, demote or fence the lost cluster and check the candidate;
//! - `prepare`, `steps`, `failback`: the runbook's steps before, during and after the failover;
//! - `prose`: how the text names clusters and clients;
//! - `sweep`: every single failure's choices ([`sweep()`]), kept compactly.

// Throughout, `t` is the topology, `l` the lost cluster, `d` a DR secondary, `p` a performance
// secondary or primary, `r` a recovery: short names keep the recipes readable.
#![allow(clippy::many_single_char_names)]

mod candidate;
mod commands;
mod decide;
mod failback;
mod mounts;
mod outcome;
mod plan;
mod prepare;
mod prose;
mod resolve;
mod steps;
mod sweep;
mod switchover;

use std::collections::{BTreeMap, BTreeSet};

pub use self::decide::{Decisions, Promotion, Reasons, decide, decide_lost, decide_primary};
pub use self::plan::{
    AfterCluster, AfterRole, ClientImpact, Command, LivePath, Node, On, Paragraph, Phase, Plan,
    Recovery, RecoveryPath, Scenario, SetImpact, SetStatus, Step, TokenFate,
};
pub use self::resolve::{ResolveError, resolve};
pub use self::sweep::{Sweep, SweepRecovery, SweepRow, sweep};
pub use self::switchover::{SwitchoverError, switchover};
pub use crate::graph::Failure;
use crate::graph::{Cyclic, Topology};
use crate::ids::ClusterId;

/// Plans the failover for one failure.
pub fn plan(t: &Topology, failure: &Failure) -> Result<Plan, Cyclic> {
    let order = upstream_first(t)?;
    Ok(build(t, failure, &order))
}

/// Every cluster, replication set by replication set (in file order of their primaries),
/// upstream first within a set, then in file order.
pub(super) fn upstream_first(t: &Topology) -> Result<Vec<ClusterId>, Cyclic> {
    acyclic(t)?;
    let mut order: Vec<ClusterId> = t.cluster_ids().collect();
    order.sort_by_cached_key(|c| order_key(t, *c));
    Ok(order)
}

/// `Ok` when no cluster replicates from itself, directly or not; else the first cycle.
pub(super) fn acyclic(t: &Topology) -> Result<(), Cyclic> {
    match t.first_cycle() {
        None => Ok(()),
        Some(cycle) => Err(Cyclic::through(t, cycle)),
    }
}

/// A cluster's place in [`upstream_first`]: its replication set, its depth, its id.
pub(super) fn order_key(t: &Topology, c: ClusterId) -> (ClusterId, usize, ClusterId) {
    (t.root(c), t.depth(c), c)
}

/// Plans the failover for `failure`, with every cluster in upstream-first `order`.
fn build(t: &Topology, failure: &Failure, order: &[ClusterId]) -> Plan {
    let d = Decisions::new(t, t.lost_by(failure), Reasons::Written);
    build_from(t, failure, order, d, resolve::label(t, failure))
}

/// Writes the plan for decisions already made (a failover's, or a planned switchover's
/// when `d.forced` is set).
fn build_from(
    t: &Topology,
    failure: &Failure,
    order: &[ClusterId],
    d: Decisions,
    label: String,
) -> Plan {
    let after = outcome::after(t, &d);
    let scenario = Scenario {
        failure: failure.clone(),
        label,
        lost: d.lost.clone(),
        sites: t.sites_lost_by(failure),
        planned: d.forced.is_some(),
    };
    let clients = d.clients(t, &scenario.sites);
    let sets = outcome::sets(t, &d);
    let mut warnings = Vec::new();
    outcome::version_checks(t, &after, &mut warnings);
    let mut b = Builder {
        t,
        order,
        planned: d.forced.is_some(),
        d,
        warnings,
        steps: Vec::new(),
        token_vars: BTreeMap::new(),
        prepared: BTreeMap::new(),
        restored: BTreeSet::new(),
    };
    b.write_steps(&after, &clients);
    let without_dr = outcome::without_dr(&after);
    let live_paths = outcome::live_paths(t, &b.d, &after, &clients, &mut b.warnings);
    Plan {
        scenario,
        sets,
        clients,
        recoveries: b.d.recoveries,
        steps: b.steps,
        after,
        without_dr,
        live_paths,
        warnings: b.warnings,
    }
}

/// Writes the runbook's steps for decisions already made.
struct Builder<'a> {
    t: &'a Topology,
    /// Every cluster, upstream first.
    order: &'a [ClusterId],
    /// Who takes over.
    d: Decisions,
    /// A planned switchover: the cluster handed over answers and is demoted first.
    planned: bool,
    warnings: Vec<String>,
    steps: Vec<Step>,
    token_vars: BTreeMap<ClusterId, String>,
    /// Lost cluster → the step that prepared its batch DR operation token.
    prepared: BTreeMap<ClusterId, usize>,
    /// Roots of the replication sets already given a restore step.
    restored: BTreeSet<ClusterId>,
}

#[cfg(test)]
mod tests {
    use super::resolve::label;
    use super::*;
    use crate::ids::SiteId;
    use crate::source::Source;
    use crate::yaml::Limits;

    fn topology(text: &str) -> Topology {
        crate::topology(&Source::new("t.yaml", text), Limits::default()).unwrap()
    }

    const TWO: &str = "version: 1\nname: x\nsites: [{name: dc-a, region: east}, {name: dc-b, region: west}]\nclusters:\n  - {name: p, site: dc-a, role: primary, version: 1.18.0}\n  - {name: d1, site: dc-b, role: dr-secondary, replicates_from: p, version: 1.18.0}\n  - {name: d2, site: dc-b, role: dr-secondary, replicates_from: p, version: 1.19.0}\n  - {name: s, site: dc-b, role: performance-secondary, replicates_from: p, version: 1.18.0}\n";

    #[test]
    fn resolve_names_prefixes_and_errors() {
        let t = topology(TWO);
        assert_eq!(resolve(&t, "p"), Ok(Failure::Cluster(ClusterId(0))));
        assert_eq!(resolve(&t, "cluster:s"), Ok(Failure::Cluster(ClusterId(3))));
        assert_eq!(resolve(&t, "dc-b"), Ok(Failure::Site(SiteId(1))));
        assert_eq!(resolve(&t, "west"), Ok(Failure::Region("west".into())));
        assert_eq!(
            resolve(&t, "dc-c").unwrap_err().to_string(),
            "no cluster, site or region is named `dc-c`; did you mean `dc-a`?"
        );
        assert_eq!(
            resolve(&t, "site:west").unwrap_err().to_string(),
            "no site is named `west`; the topology has `dc-a`, `dc-b`"
        );
        assert!(matches!(
            resolve(&t, "rack:1"),
            Err(ResolveError::Prefix { .. })
        ));
    }

    #[test]
    fn the_newest_dr_secondary_wins_when_regions_tie_and_says_so() {
        let t = topology(TWO);
        let plan = plan(&t, &Failure::Cluster(ClusterId(0))).unwrap();
        let r = &plan.recoveries[0];
        assert_eq!(
            (r.path, r.to),
            (RecoveryPath::DrPromotion, Some(ClusterId(2)))
        );
        assert!(
            r.why
                .contains("vrt picks `d2`: it runs the newest version (1.19.0; `d1` runs 1.18.0)"),
            "{}",
            r.why
        );
        assert!(r.why.contains("\"If the performance primary failed and has a DR secondary, promote the DR secondary instead\" (PERF-MANAGE)"));
        // One token variable when one DR promotion is planned.
        assert!(
            plan.steps[0].commands[2]
                .line
                .starts_with("DR_OPERATION_TOKEN=$(")
        );
        // `d1` follows `d2`, so the new primary is protected; `s` never had a DR secondary.
        assert_eq!(plan.without_dr, [ClusterId(3)]);
        assert_eq!(
            plan.role_after(ClusterId(1)).unwrap().upstream,
            Some(ClusterId(2))
        );
    }

    #[test]
    fn the_plan_follows_what_decide_chose() {
        let t = topology(TWO);
        for failure in t.single_failures() {
            let d = decide(&t, &failure).unwrap();
            let plan = plan(&t, &failure).unwrap();
            assert_eq!(d.recoveries, plan.recoveries, "{failure:?}");
            assert_eq!(d.clients(&t, &plan.scenario.sites), plan.clients);
        }
    }

    #[test]
    fn labels_name_one_site_regions() {
        let t = topology(TWO);
        assert_eq!(
            label(&t, &Failure::Site(SiteId(0))),
            "site `dc-a` (all of region `east`)"
        );
        assert_eq!(label(&t, &Failure::Region("east".into())), "region `east`");
        assert_eq!(label(&t, &Failure::Cluster(ClusterId(3))), "cluster `s`");
    }
}
