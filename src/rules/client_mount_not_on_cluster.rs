//! VRT112 `client-mount-not-on-cluster`: A client uses a mount that its cluster does not hold.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT112`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::mounts;

declare_rule! {
    /// A client uses a mount that its cluster does not hold.
    ///
    /// ## What it checks
    /// Each path in a client's `mounts` is held by the client's `cluster` (see `vrt mounts`).
    ///
    /// ## Why it matters
    /// A local mount is not visible to the performance secondaries of its cluster, nor to
    /// the primary when it is on a secondary; local mounts replicate only to DR secondaries
    /// (REPL-IDX). A paths filter keeps the mounts it removes off the performance secondary
    /// (API-PERF "Create paths filter"). The client's requests for that path fail on its
    /// cluster.
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - {name: lon, site: eu, role: performance-secondary, replicates_from: dal,
    ///      paths_filter: {mode: deny, paths: [secret-us/]}}
    /// clients:
    ///   - {name: eu-apps, site: eu, cluster: lon, mounts: [secret-us/]}
    /// ```
    ///
    /// ## How to fix
    /// Point the client at a cluster that holds the mount, or change the paths filter (or
    /// make the mount shared) so that its cluster holds it.
    pub static RULE = "VRT112", "client-mount-not-on-cluster", Error;
}

/// Reports each client mount its cluster does not hold.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, client) in t.clients() {
        let c = *client.cluster.get();
        for ids in &client.mounts {
            if mounts::holds_any(t, c, ids.get()) {
                continue;
            }
            let Some(first) = ids.get().first() else {
                continue;
            };
            let m = mounts::mount(t, *first);
            let why = if m.local {
                format!(
                    "local mount on `{}`: only that cluster and its DR secondaries hold it",
                    t.name(*m.cluster.get())
                )
            } else if mounts::filter(t, c).is_some() {
                format!("the paths filter of `{}` removes it", t.name(c))
            } else {
                format!(
                    "shared mount of `{}`, another replication set",
                    t.name(*m.cluster.get())
                )
            };
            let mut f = Finding::new(
                &RULE,
                ids.span(),
                format!(
                    "client `{}` uses mount `{}`, which cluster `{}` does not hold",
                    client.name.get(),
                    m.path.get(),
                    t.name(c)
                ),
            )
            .cluster(c)
            .label(why)
            .related(m.path.span(), "mount declared here");
            if let Some(pf) = mounts::filter(t, c).filter(|_| !m.local) {
                f = f.related(pf.paths.span(), "paths filter");
            }
            let reach = if m.local {
                "or make the mount shared".to_string()
            } else {
                format!("or let the mount reach `{}`", t.name(c))
            };
            out.push(f.help(format!(
                "point `{}` at a cluster that holds `{}` (see `vrt mounts`), {reach}",
                client.name.get(),
                m.path.get(),
            )));
        }
    }
    out
}
