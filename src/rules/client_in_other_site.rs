//! VRT110 `client-in-other-site`: A client uses a cluster in another site.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT110`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// A client uses a cluster in another site.
    ///
    /// ## What it checks
    /// A client's `cluster` should be in the client's own `site`.
    ///
    /// ## Why it matters
    /// "Clients always connect to their local cluster for both reads and writes" (KK).
    /// Performance secondaries exist to serve reads and local writes with low latency
    /// (REPL-IDX; HVD-PR); a client crossing sites pays the latency and depends on the
    /// inter-site link.
    ///
    /// ## Example
    /// ```yaml
    /// clients:
    ///   - {name: apps-b, site: dc-b, cluster: primary-a}   # primary-a is in dc-a
    /// ```
    ///
    /// ## How to fix
    /// Attach the client to the serving cluster of its own site, or add a performance
    /// secondary there.
    pub static RULE = "VRT110", "client-in-other-site", Warning;
}

/// Reports each client whose cluster is in another site.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.model
        .clients
        .iter()
        .filter(|c| t.site_of(*c.cluster.get()) != *c.site.get())
        .map(|client| {
            let cluster = *client.cluster.get();
            let site = t.site(*client.site.get());
            let local = t
                .clusters_in_site(*client.site.get())
                .into_iter()
                .find(|c| t.role(*c) != Role::DrSecondary);
            Finding::new(
                &RULE,
                client.cluster.span(),
                format!(
                    "client `{}` in site `{}` uses `{}` in site `{}`",
                    client.name.get(),
                    site.name.get(),
                    t.name(cluster),
                    t.site(t.site_of(cluster)).name.get()
                ),
            )
            .cluster(cluster)
            .label("not the client's site")
            .related(client.site.span(), "the client's site")
            .help(match local {
                Some(l) => format!("use the local cluster: `cluster: {}`", t.name(l)),
                None => format!(
                    "add a performance secondary in site `{}` for these clients",
                    site.name.get()
                ),
            })
        })
        .collect()
}
