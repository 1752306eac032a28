//! VRT102 `replication-from-dr-secondary`: A cluster replicates from a DR secondary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT102`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// A cluster replicates from a DR secondary.
    ///
    /// ## What it checks
    /// No cluster's `replicates_from` names a `dr-secondary`. DR secondaries must replicate
    /// from a primary or a performance secondary, and performance secondaries from a
    /// primary.
    ///
    /// ## Why it matters
    /// A DR secondary serves no requests and "cannot serve as a DR secondary and PR
    /// secondary" (HVD-PR); enabling a primary role on a cluster that is already a secondary
    /// requires promoting it first (API-DR "Enable DR primary replication"), so a DR
    /// secondary has no secondaries of its own until it is promoted. Replication from it
    /// cannot be set up.
    ///
    /// ## Example
    /// ```yaml
    /// - {name: dr-a, site: dc-a, role: dr-secondary, replicates_from: primary-a}
    /// - {name: dr-a2, site: dc-b, role: dr-secondary, replicates_from: dr-a}
    /// ```
    ///
    /// ## How to fix
    /// Point `replicates_from` at the primary or performance secondary that the DR
    /// secondary itself protects.
    pub static RULE = "VRT102", "replication-from-dr-secondary", Error, unsuppressible;
}

/// Reports each cluster whose upstream is a DR secondary.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter_map(|c| {
            let (up, _) = t.upstream(c)?;
            if t.role(up) != Role::DrSecondary {
                return None;
            }
            let cluster = t.cluster(c);
            let upstream = t.cluster(up);
            let target = t.upstream(up).map_or_else(
                || "the cluster it protects".to_string(),
                |(u, _)| format!("`{}`", t.name(u)),
            );
            Some(
                Finding::new(
                    &RULE,
                    cluster.upstream.as_ref()?.span(),
                    format!(
                        "`{}` replicates from DR secondary `{}`",
                        cluster.name.get(),
                        upstream.name.get()
                    ),
                )
                .cluster(c)
                .label("a DR secondary has no secondaries")
                .related(upstream.role.span(), "declared a DR secondary here")
                .help(format!("replicate from {target} instead")),
            )
        })
        .collect()
}
