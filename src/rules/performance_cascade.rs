//! VRT103 `cascading-performance-replication`: A performance secondary replicates from another performance secondary (cascading).
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT103`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// A performance secondary replicates from another performance secondary (cascading).
    ///
    /// ## What it checks
    /// A `performance-secondary` must replicate from a `primary`.
    ///
    /// ## Why it matters
    /// Vault has no cascading performance replication: the enable-primary endpoint is for
    /// clusters where replication "is currently disabled … (if the cluster is already a
    /// secondary, it must be promoted)" (API-PERF "Enable performance primary
    /// replication"). A request for cascaded replication (hashicorp/vault#9291) is still
    /// open. A performance secondary can be a DR primary, never a performance primary
    /// (HVD-PR).
    ///
    /// ## Example
    /// ```yaml
    /// - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a}
    /// - {name: perf-c, site: dc-c, role: performance-secondary, replicates_from: perf-b}
    /// ```
    ///
    /// ## How to fix
    /// Replicate from the primary directly (`replicates_from: <primary>`).
    pub static RULE = "VRT103", "cascading-performance-replication", Error, unsuppressible;
}

/// Reports each performance secondary replicating from a performance secondary.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter(|c| t.role(*c) == Role::PerformanceSecondary)
        .filter_map(|c| {
            let (up, _) = t.upstream(c)?;
            if t.role(up) != Role::PerformanceSecondary {
                return None;
            }
            let cluster = t.cluster(c);
            // A primary replicates from nothing, so the only one above `c` is its root.
            let primary = Some(t.root(c)).filter(|r| t.role(*r) == Role::Primary);
            Some(
                Finding::new(
                    &RULE,
                    cluster.upstream.as_ref()?.span(),
                    format!(
                        "performance secondary `{}` replicates from performance secondary `{}`",
                        cluster.name.get(),
                        t.name(up)
                    ),
                )
                .cluster(c)
                .label("performance replication does not cascade")
                .related(
                    t.cluster(up).role.span(),
                    "a performance secondary, declared here",
                )
                .help(match primary {
                    Some(p) => format!(
                        "replicate from the primary: `replicates_from: {}`",
                        t.name(p)
                    ),
                    None => "replicate from a primary".to_string(),
                }),
            )
        })
        .collect()
}
