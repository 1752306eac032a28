//! VRT304 `failover-outside-client-site`: After a failover, a client's cluster is replaced by a DR secondary in another site.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT304`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// After a failover, a client's cluster is replaced by a DR secondary in another site.
    ///
    /// ## What it checks
    /// For every client that uses a primary or performance secondary in its own site: the DR
    /// secondary that `vrt failover` would promote when that cluster is lost (of the same
    /// environment only; then `failover_to`, capacity, the same region, the newest version,
    /// then name) is in the client's site too. Clients
    /// already using a cluster in another site are VRT110 (`client-in-other-site`).
    ///
    /// ## Why it matters
    /// "Clients always connect to their local cluster for both reads and writes" (KK). A DR
    /// secondary serves no clients until it is promoted (REPL-IDX), so the path from the
    /// clients to it is unused until the day it is needed: after a failover the clients
    /// cross sites, paying the latency and depending on the inter-site link, and the
    /// firewall rules and DNS names for that path must already exist. A DR secondary in
    /// another site or region is still the right answer to site loss (MULTI; VRT301); this
    /// note makes the trade-off visible.
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - {name: primary-a, site: dc-a, role: primary}
    ///   - {name: dr-a, site: dc-c, role: dr-secondary, replicates_from: primary-a}
    /// clients:
    ///   - {name: apps-a, site: dc-a, cluster: primary-a}
    /// ```
    ///
    /// ## How to fix
    /// Open the clients' path to the DR secondary's API port in advance and plan the DNS or
    /// load balancer change (`vrt failover FILE --lose <cluster>` lists both), or add a DR
    /// secondary in the clients' site for failures of the cluster alone.
    pub static RULE = "VRT304", "failover-outside-client-site", Note;
}

/// Notes each client whose cluster would fail over to a DR secondary in another site.
pub fn check(t: &Topology) -> Vec<Finding> {
    // The choice is the cluster's, not the client's: ranked once per cluster, so that many
    // clients of a cluster with many DR secondaries cost one ranking.
    let mut chosen_for: std::collections::HashMap<_, Option<_>> = std::collections::HashMap::new();
    t.model
        .clients
        .iter()
        .filter_map(|client| {
            let cluster = *client.cluster.get();
            let site = *client.site.get();
            if t.role(cluster) == Role::DrSecondary || t.site_of(cluster) != site {
                return None;
            }
            let chosen = (*chosen_for.entry(cluster).or_insert_with(|| {
                t.rank_replacements(cluster, t.dr_secondaries(cluster))
                    .first()
                    .copied()
            }))?;
            if t.site_of(chosen) == site {
                return None;
            }
            let other = t.site(t.site_of(chosen)).name.get();
            let site_name = t.site(site).name.get();
            let port = t.cluster(chosen).api_port();
            let local = t
                .dr_secondaries(cluster)
                .into_iter()
                .find(|d| t.site_of(*d) == site);
            Some(
                Finding::new(
                    &RULE,
                    client.cluster.span(),
                    format!(
                        "client `{}` in site `{site_name}` fails over to `{}` in site `{other}` when `{}` is lost",
                        client.name.get(),
                        t.name(chosen),
                        t.name(cluster)
                    ),
                )
                .cluster(cluster)
                .label("its failover target is in another site")
                .related(
                    t.cluster(chosen).site.span(),
                    format!("`{}` would take over here", t.name(chosen)),
                )
                .help(match local {
                    Some(l) if !t.same_environment(cluster, l) => format!(
                        "open port {port} from `{}` to `{}` in advance and plan the DNS change; `{}` in site `{site_name}` is of another environment than `{}`, and vrt never promotes across environments",
                        client.name.get(),
                        t.name(chosen),
                        t.name(l),
                        t.name(cluster)
                    ),
                    Some(l) => format!(
                        "open port {port} from `{}` to `{}` in advance and plan the DNS change; `{}` in site `{site_name}` loses the failover tie-break to `{}` (same environment only, then `failover_to`, capacity, the same region, the newest version, then name)",
                        client.name.get(),
                        t.name(chosen),
                        t.name(l),
                        t.name(chosen)
                    ),
                    None => format!(
                        "open port {port} from `{}` to `{}` in advance and plan the DNS change, or add a DR secondary of `{}` in site `{site_name}`",
                        client.name.get(),
                        t.name(chosen),
                        t.name(cluster)
                    ),
                }),
            )
        })
        .collect()
}
