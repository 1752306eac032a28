//! VRT101 `missing-dr-secondary`: A primary or performance secondary has no DR secondary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT101`).

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::graph::Topology;
use crate::spec::{Environment, Role};

declare_rule! {
    /// A primary or performance secondary has no DR secondary.
    ///
    /// ## What it checks
    /// Every cluster with role `primary` or `performance-secondary` must have at least one
    /// cluster with role `dr-secondary` replicating from it. It is an error in production
    /// sites and a warning in non-production sites (sandboxes often run alone).
    ///
    /// ## Why it matters
    /// Only DR replication carries tokens and leases (REPL-IDX: "Tokens and leases are
    /// written to `local` storage entries", which go only to DR secondaries). When a cluster
    /// without a DR secondary is lost, the only way back is promoting a performance
    /// secondary, and then "applications must reauthenticate and obtain new leases"
    /// (REPL-IDX; PERF-MANAGE). HashiCorp's multi-cluster pattern gives the primary and every
    /// performance replica its own DR cluster (MULTI), as do the reference topologies (KK).
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - {name: primary-a, site: dc-a, role: primary}
    ///   - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a}
    ///   # no dr-secondary replicates from primary-a or perf-b
    /// ```
    ///
    /// ## How to fix
    /// Add a cluster with `role: dr-secondary` and `replicates_from: <the cluster>`.
    pub static RULE = "VRT101", "missing-dr-secondary", Error;
}

/// Reports each primary and performance secondary without a DR secondary.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter(|c| t.role(*c) != Role::DrSecondary && t.dr_secondaries(*c).is_empty())
        .map(|c| {
            let cluster = t.cluster(c);
            let production = t.environment(c) == Environment::Production;
            let f = Finding::new(
                &RULE,
                cluster.name.span(),
                format!(
                    "{} `{}` has no DR secondary",
                    t.role(c).as_str(),
                    cluster.name.get()
                ),
            )
            .cluster(c)
            .label("nothing holds this cluster's tokens and leases")
            .related(cluster.role.span(), "role declared here")
            .help(format!(
                "add a cluster with `role: dr-secondary` and `replicates_from: {}`; without one, losing it means promoting a performance secondary and every client re-authenticating",
                cluster.name.get()
            ));
            if production {
                f
            } else {
                f.severity(Severity::Warning)
            }
        })
        .collect()
}
