//! VRT109 `client-on-dr-secondary`: A client is attached to a DR secondary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT109`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// A client is attached to a DR secondary.
    ///
    /// ## What it checks
    /// A client's `cluster` must not be a `dr-secondary`.
    ///
    /// ## Why it matters
    /// Only performance replication lets a secondary handle client requests (REPL-IDX
    /// capability table); DR secondaries "do not forward service read or write requests
    /// until they are elected and become a new primary" (REPL-IDX). Clients pointed at a DR
    /// secondary get no service.
    ///
    /// ## Example
    /// ```yaml
    /// clients:
    ///   - {name: apps-a, site: dc-a, cluster: dr-a}   # dr-a is a dr-secondary
    /// ```
    ///
    /// ## How to fix
    /// Attach the client to the primary or a performance secondary in its site; after a
    /// failover, re-point it to the promoted cluster.
    pub static RULE = "VRT109", "client-on-dr-secondary", Error;
}

/// Reports each client attached to a DR secondary.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.model
        .clients
        .iter()
        .filter(|c| t.role(*c.cluster.get()) == Role::DrSecondary)
        .map(|client| {
            let dr = *client.cluster.get();
            let serving = match t.upstream(dr) {
                Some((u, _)) => format!(
                    "attach `{}` to `{}`, the cluster `{}` protects",
                    client.name.get(),
                    t.name(u),
                    t.name(dr)
                ),
                None => "attach the client to a primary or performance secondary".to_string(),
            };
            Finding::new(
                &RULE,
                client.cluster.span(),
                format!(
                    "client `{}` uses DR secondary `{}`, which serves no clients",
                    client.name.get(),
                    t.name(dr)
                ),
            )
            .cluster(dr)
            .label("a DR secondary")
            .related(t.cluster(dr).role.span(), "declared a DR secondary here")
            .help(serving)
        })
        .collect()
}
