//! VRT104 `replication-cycle`: Clusters replicate from each other in a cycle.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT104`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;

declare_rule! {
    /// Clusters replicate from each other in a cycle.
    ///
    /// ## What it checks
    /// Following `replicates_from` from any cluster must end at a primary; it must never
    /// come back to a cluster already visited.
    ///
    /// ## Why it matters
    /// Only the primary writes replicated storage and secondaries forward writes to it
    /// (REPL-INT); a cycle has no primary, so no cluster could accept a write, and Vault
    /// allows no cascading or multi-master replication (API-PERF; hashicorp/vault#9291).
    ///
    /// ## Example
    /// ```yaml
    /// - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: perf-c}
    /// - {name: perf-c, site: dc-c, role: performance-secondary, replicates_from: perf-b}
    /// ```
    ///
    /// ## How to fix
    /// Make one cluster of the cycle the `primary` (without `replicates_from`), or point
    /// the chain at an existing primary.
    pub static RULE = "VRT104", "replication-cycle", Error, unsuppressible;
}

/// Reports each replication cycle once, at its first cluster in file order.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cycles()
        .into_iter()
        .filter_map(|cycle| {
            let first = *cycle.first()?;
            let names: Vec<String> = cycle.iter().map(|c| format!("`{}`", t.name(*c))).collect();
            let mut f = Finding::new(
                &RULE,
                t.cluster(first).upstream.as_ref()?.span(),
                format!("replication cycle through {}", names.join(", ")),
            )
            .cluster(first)
            .label("this chain comes back to where it started")
            .help("make one of these clusters the `primary`, or point the chain at an existing primary");
            for c in &cycle[1..] {
                if let Some(u) = &t.cluster(*c).upstream {
                    f = f.related(u.span(), format!("`{}` replicates from here", t.name(*c)));
                }
            }
            Some(f)
        })
        .collect()
}
