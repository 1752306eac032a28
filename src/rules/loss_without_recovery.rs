//! VRT302 `loss-without-recovery`: One failure takes out a whole replication set: nothing is left to promote.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT302`).

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::graph::{Failure, Topology};
use crate::ids::ClusterId;
use crate::spec::Environment;

declare_rule! {
    /// One failure takes out a whole replication set: nothing is left to promote.
    ///
    /// ## What it checks
    /// For every replication set (a primary and everything replicating from it), vrt
    /// simulates each single failure: each cluster, each site, each region of several
    /// sites. When one of them takes out every cluster of the set, no DR secondary and no
    /// performance secondary is left to promote and the set can only be restored from
    /// snapshots. The smallest such failure is reported, once per set. It is an error in
    /// production and a warning in non-production sites, where a sandbox often runs alone.
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

/// Reports each replication set that one failure takes out whole, at the smallest such
/// failure.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.roots()
        .into_iter()
        .filter_map(|root| {
            let set = t.replication_set(root);
            let failure = &smallest_failure(t, &set)?;
            let cluster = t.cluster(root);
            let members: Vec<String> = set.iter().map(|c| format!("`{}`", t.name(*c))).collect();
            let mut f = match failure {
                Failure::Cluster(_) => Finding::new(
                    &RULE,
                    cluster.name.span(),
                    format!(
                        "losing `{}` loses its whole replication set: nothing can be promoted",
                        cluster.name.get()
                    ),
                )
                .label("the only cluster of its replication set"),
                Failure::Site(_) | Failure::Region(_) => Finding::new(
                    &RULE,
                    cluster.site.span(),
                    format!(
                        "losing {} `{}` loses the whole replication set of `{}` ({}): nothing can be promoted",
                        failure.kind(),
                        t.failure_name(failure),
                        cluster.name.get(),
                        members.join(", ")
                    ),
                )
                .label(match failure {
                    Failure::Region(r) => format!("every cluster of the set is in region `{r}`"),
                    _ => "every cluster of the set is in this site".to_string(),
                }),
            };
            f = f.cluster(root);
            for c in set.iter().skip(1) {
                f = f.related(
                    t.cluster(*c).site.span(),
                    format!("`{}` is here", t.name(*c)),
                );
            }
            let outside = match failure {
                Failure::Cluster(_) => "in another site".to_string(),
                _ => format!("outside {} `{}`", failure.kind(), t.failure_name(failure)),
            };
            f = f.help(format!(
                "add a DR secondary of `{}` {outside} (or at least a performance secondary); until then only its snapshots can restore it",
                cluster.name.get()
            ));
            Some(if t.environment(root) == Environment::Production {
                f
            } else {
                f.severity(Severity::Warning)
            })
        })
        .collect()
}

/// The smallest single failure ([`Topology::single_failures`]) that takes out every cluster
/// of `set`: the cluster itself, their one site, or their one region of several sites.
fn smallest_failure(t: &Topology, set: &[ClusterId]) -> Option<Failure> {
    let (&first, rest) = set.split_first()?;
    if rest.is_empty() {
        return Some(Failure::Cluster(first));
    }
    let site = t.site_of(first);
    if rest.iter().all(|c| t.site_of(*c) == site) {
        return Some(Failure::Site(site));
    }
    let region = t.region_of(site);
    (rest.iter().all(|c| t.region_of(t.site_of(*c)) == region)
        && t.sites_in_region(region).len() > 1)
        .then(|| Failure::Region(region.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::yaml::Limits;

    /// The shortcut agrees with simulating every single failure.
    #[test]
    fn smallest_failure_matches_the_simulation() {
        let text = "version: 1\nname: x\nsites: [{name: a, region: r}, {name: b, region: r}, {name: c}]\nclusters:\n  - {name: p1, site: a, role: primary}\n  - {name: d1, site: a, role: dr-secondary, replicates_from: p1}\n  - {name: p2, site: a, role: primary}\n  - {name: d2, site: b, role: dr-secondary, replicates_from: p2}\n  - {name: p3, site: a, role: primary}\n  - {name: d3, site: c, role: dr-secondary, replicates_from: p3}\n  - {name: p4, site: c, role: primary}\n";
        let t = crate::topology(&Source::new("t.yaml", text), Limits::default()).unwrap();
        let failures = t.single_failures();
        let mut found = Vec::new();
        for root in t.roots() {
            let set = t.replication_set(root);
            let simulated = failures
                .iter()
                .find(|f| t.set_lost(root, &t.lost_by(f)))
                .cloned();
            assert_eq!(smallest_failure(&t, &set), simulated, "{}", t.name(root));
            found.push(simulated.map(|f| f.kind()));
        }
        assert_eq!(found, [Some("site"), Some("region"), None, Some("cluster")]);
    }
}
