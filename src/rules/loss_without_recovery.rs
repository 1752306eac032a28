//! VRT302 `loss-without-recovery`: One failure takes out a whole replication set: nothing is left to promote.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT302`).

use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::failover::{self, RecoveryPath};
use crate::graph::{Failure, Topology};
use crate::ids::ClusterId;
use crate::spec::Environment;

declare_rule! {
    /// One failure takes out a whole replication set: nothing is left to promote.
    ///
    /// ## What it checks
    /// For every replication set (a primary and everything replicating from it), vrt
    /// simulates each single failure: each cluster, each site, each region of several
    /// sites. When one of them leaves no DR secondary and no performance secondary of the
    /// primary's environment to promote, the set can only be restored from snapshots: this is
    /// the decision `vrt failover` makes, so clusters of another environment that survive
    /// (a staging DR secondary of a production primary) do not count, as vrt never promotes
    /// across environments. The smallest such failure is reported, once per set. It is an
    /// error in production and a warning in non-production, where a sandbox often runs alone.
    ///
    /// A failure that leaves only a performance promotion (tokens lost, service restored)
    /// is VRT301 (`site-loss-without-dr`) or VRT101 (`missing-dr-secondary`), not this rule.
    ///
    /// ## Why it matters
    /// DR secondaries exist to take over with the primary's data, tokens and leases
    /// (REPL-IDX; MULTI); performance secondaries can at least be promoted, with every client
    /// re-authenticating (PERF-MANAGE). With neither outside the failed cluster, site or
    /// region, the only way back is a restore, and Vault does not replicate automated
    /// integrated-storage snapshots through performance replication: each cluster's own
    /// snapshots are all there is (REPL-IDX). HashiCorp's multi-cluster guide places DR
    /// clusters in another region for n-2 redundancy (MULTI).
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary}
    /// - {name: dr-a, site: dc-a, role: dr-secondary, replicates_from: primary-a}
    /// # losing dc-a loses the whole set
    /// ```
    ///
    /// ## How to fix
    /// Place a DR secondary (or at least a performance secondary) of the primary in another
    /// site, or another region for region failures. `vrt failover FILE --lose <site>` shows
    /// what a loss leaves; `vrt failover FILE --all` shows every single failure.
    pub static RULE = "VRT302", "loss-without-recovery", Error;
}

/// Reports each replication set that one failure leaves with nothing to promote, at the
/// smallest such failure. "Nothing to promote" is what `vrt failover` decides
/// ([`failover::decide_lost`]): no surviving cluster of the set's environment can take over
/// from its primary, even when clusters of another environment survive.
pub fn check(t: &Topology) -> Vec<Finding> {
    // A replication cycle is VRT104's finding, and `failover` refuses to plan one.
    if t.first_cycle().is_some() {
        return Vec::new();
    }
    t.roots()
        .into_iter()
        .filter_map(|root| {
            let failure = smallest_failure(t, root)?;
            Some(finding(t, root, &failure))
        })
        .collect()
}

fn finding(t: &Topology, root: ClusterId, failure: &Failure) -> Finding {
    let set = t.replication_set(root);
    let lost: BTreeSet<ClusterId> = set
        .iter()
        .copied()
        .filter(|c| takes(t, failure, *c))
        .collect();
    let cluster = t.cluster(root);
    let survivors: Vec<ClusterId> = set.iter().copied().filter(|c| !lost.contains(c)).collect();
    let quoted = |ids: &[ClusterId]| {
        ids.iter()
            .map(|c| format!("`{}`", t.name(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Clusters of the set that survive but cannot take over: of another environment (vrt
    // never promotes across environments), or not a candidate for the primary at all.
    let survive = survivors_note(t, root, &survivors);
    let mut f = match failure {
        Failure::Cluster(_) => Finding::new(
            &RULE,
            cluster.name.span(),
            if survivors.is_empty() {
                format!(
                    "losing `{}` loses its whole replication set: nothing can be promoted",
                    cluster.name.get()
                )
            } else {
                format!(
                    "losing `{}` leaves its replication set nothing to promote{survive}",
                    cluster.name.get()
                )
            },
        )
        .label(if survivors.is_empty() {
            "the only cluster of its replication set"
        } else {
            "nothing of its environment survives its loss to take over"
        }),
        Failure::Site(_) | Failure::Region(_) => Finding::new(
            &RULE,
            cluster.site.span(),
            if survivors.is_empty() {
                format!(
                    "losing {} `{}` loses the whole replication set of `{}` ({}): nothing can be promoted",
                    failure.kind(),
                    t.failure_name(failure),
                    cluster.name.get(),
                    quoted(&set)
                )
            } else {
                format!(
                    "losing {} `{}` leaves the replication set of `{}` ({}) nothing to promote{survive}",
                    failure.kind(),
                    t.failure_name(failure),
                    cluster.name.get(),
                    quoted(&set)
                )
            },
        )
        .label(match failure {
            Failure::Region(r) if survivors.is_empty() => {
                format!("every cluster of the set is in region `{r}`")
            }
            Failure::Region(r) => {
                format!("every cluster of the set that could take over is in region `{r}`")
            }
            _ if survivors.is_empty() => "every cluster of the set is in this site".to_string(),
            _ => "every cluster of the set that could take over is in this site".to_string(),
        }),
    };
    f = related(t, f.cluster(root), root, &set, &lost);
    let outside = match failure {
        Failure::Cluster(_) => "in another site".to_string(),
        _ => format!("outside {} `{}`", failure.kind(), t.failure_name(failure)),
    };
    let own = if survivors.is_empty() {
        ""
    } else {
        ", of its own environment,"
    };
    f = f.help(format!(
        "add a DR secondary of `{}`{own} {outside} (or at least a performance secondary); until then only its snapshots can restore it",
        cluster.name.get()
    ));
    if t.environment(root) == Environment::Production {
        f
    } else {
        f.severity(Severity::Warning)
    }
}

/// Labels every other cluster of the set: lost here, or surviving but unable to take over.
fn related(
    t: &Topology,
    mut f: Finding,
    root: ClusterId,
    set: &[ClusterId],
    lost: &BTreeSet<ClusterId>,
) -> Finding {
    for c in set.iter().skip(1) {
        let what = if lost.contains(c) {
            format!("`{}` is here", t.name(*c))
        } else if t.same_environment(root, *c) {
            format!("`{}` survives but cannot take over", t.name(*c))
        } else {
            format!(
                "`{}` survives but is of another environment ({})",
                t.name(*c),
                environment(t.environment(*c))
            )
        };
        f = f.related(t.cluster(*c).site.span(), what);
    }
    f
}

/// `: `x` survives but is of another environment, …` for the clusters of the set that survive
/// but cannot take over, or nothing when none survives.
fn survivors_note(t: &Topology, root: ClusterId, survivors: &[ClusterId]) -> String {
    let quoted = |ids: &[ClusterId]| {
        ids.iter()
            .map(|c| format!("`{}`", t.name(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match survivors {
        [] => String::new(),
        [one] if !t.same_environment(root, *one) => format!(
            ": `{}` survives but is of another environment, and vrt never promotes across environments",
            t.name(*one)
        ),
        many if many.iter().all(|c| !t.same_environment(root, *c)) => format!(
            ": {} survive but are of another environment, and vrt never promotes across environments",
            quoted(many)
        ),
        many => format!(
            ": {} cannot take over from `{}`",
            quoted(many),
            t.name(root)
        ),
    }
}

/// Whether `failure` takes out cluster `c`.
fn takes(t: &Topology, failure: &Failure, c: ClusterId) -> bool {
    match failure {
        Failure::Cluster(x) => *x == c,
        Failure::Site(s) => t.site_of(c) == *s,
        Failure::Region(r) => t.region_of(t.site_of(c)) == r,
    }
}

const fn environment(e: Environment) -> &'static str {
    match e {
        Environment::Production => "production",
        Environment::NonProduction => "non-production",
    }
}

/// The smallest single failure ([`Topology::single_failures`]) after which `vrt failover`
/// finds nothing to promote in place of `root`: the cluster itself, its site, or its region
/// of several sites (a failure that spares the primary leaves it serving). The failover
/// planner decides only when every cluster that could be promoted directly (a DR or
/// performance secondary of `root` in its environment) is lost, which in a sound topology is
/// never, so `validate` stays linear.
fn smallest_failure(t: &Topology, root: ClusterId) -> Option<Failure> {
    let site = t.site_of(root);
    let region = t.region_of(site);
    let mut failures = vec![Failure::Cluster(root), Failure::Site(site)];
    if t.sites_in_region(region).len() > 1 {
        failures.push(Failure::Region(region.to_string()));
    }
    let direct: Vec<ClusterId> = t
        .dr_secondaries(root)
        .into_iter()
        .chain(t.performance_secondaries(root))
        .filter(|c| t.same_environment(root, *c))
        .collect();
    failures.into_iter().find(|failure| {
        if !direct.iter().all(|c| takes(t, failure, *c)) {
            return false;
        }
        // Only the set's own clusters bear on who can take over from its primary, so the
        // decision is asked about them alone: linear in the set, not in the failure.
        let lost: BTreeSet<ClusterId> = t
            .replication_set(root)
            .into_iter()
            .filter(|c| takes(t, failure, *c))
            .collect();
        failover::decide_primary(t, lost, root)
            .recovery(root)
            .is_some_and(|r| r.path == RecoveryPath::None)
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::yaml::Limits;

    /// The shortcut agrees with planning every single failure: the first failure after which
    /// `failover` has nothing to promote in place of the primary. `p5`'s only DR secondary is
    /// non-production, so losing `p5` alone loses its set.
    #[test]
    fn smallest_failure_matches_the_failover_plan_of_every_failure() {
        let text = "version: 1\nname: x\nsites: [{name: a, region: r}, {name: b, region: r}, {name: c}, {name: e}, {name: f, environment: non-production}]\nclusters:\n  - {name: p1, site: a, role: primary}\n  - {name: d1, site: a, role: dr-secondary, replicates_from: p1}\n  - {name: p2, site: a, role: primary}\n  - {name: d2, site: b, role: dr-secondary, replicates_from: p2}\n  - {name: p3, site: a, role: primary}\n  - {name: d3, site: c, role: dr-secondary, replicates_from: p3}\n  - {name: p4, site: c, role: primary}\n  - {name: p5, site: e, role: primary}\n  - {name: d5, site: f, role: dr-secondary, replicates_from: p5}\n  - {name: d6, site: e, role: dr-secondary, replicates_from: p5, environment: non-production}\n";
        let t = crate::topology(&Source::new("t.yaml", text), Limits::default()).unwrap();
        let failures = t.single_failures();
        let mut found = Vec::new();
        for root in t.roots() {
            let simulated = failures
                .iter()
                .find(|f| {
                    crate::failover::plan(&t, f)
                        .unwrap()
                        .recoveries
                        .iter()
                        .any(|r| r.lost == root && r.path == RecoveryPath::None)
                })
                .cloned();
            assert_eq!(smallest_failure(&t, root), simulated, "{}", t.name(root));
            found.push(simulated.map(|f| f.kind()));
        }
        assert_eq!(
            found,
            [
                Some("site"),
                Some("region"),
                None,
                Some("cluster"),
                Some("cluster")
            ]
        );
    }
}
