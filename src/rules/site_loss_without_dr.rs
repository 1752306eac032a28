//! VRT301 `site-loss-without-dr`: Losing one site or region takes out a cluster together with all its DR secondaries.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT301`).

use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diag::Finding;
use crate::failover::{self, Decisions, RecoveryPath};
use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::spec::Role;

declare_rule! {
    /// Losing one site or region takes out a cluster together with all its DR secondaries.
    ///
    /// ## What it checks
    /// For every site, and every region of several sites, vrt simulates its loss. When a
    /// primary or performance secondary is lost along with every one of its DR secondaries,
    /// the warning says which recovery is left: promoting a surviving performance secondary
    /// (the primary's case), or moving clients to another serving cluster (a performance
    /// secondary's case): the recovery `vrt failover` plans for that loss, from the same
    /// decision, so clients with their own `fallback` are named where they go. When nothing of
    /// the set in its environment can take over, VRT302 (`loss-without-recovery`) reports it
    /// instead.
    ///
    /// ## Why it matters
    /// A DR promotion keeps tokens and leases, so clients carry on (REPL-IDX; MULTI). Without
    /// a surviving DR secondary, the fallback is performance promotion, after which "clients
    /// must authenticate again on the new primary" (PERF-MANAGE; REPL-IDX). The reference
    /// topologies keep each DR cluster in the same data center as what it protects (KK); that
    /// covers the loss of a cluster, not of the site. HashiCorp's multi-cluster guide also
    /// shows DR clusters in another region for n-2 region redundancy (MULTI).
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary}
    /// - {name: dr-a, site: dc-a, role: dr-secondary, replicates_from: primary-a}
    /// ```
    ///
    /// ## How to fix
    /// Accept the documented fallback (`vrt failover --lose <site>` shows it), or place a DR
    /// secondary of the cluster in another site (or region).
    pub static RULE = "VRT301", "site-loss-without-dr", Warning;
}

/// Reports each cluster that one site's (or region's) loss takes out with all its DR
/// secondaries, with the recovery `vrt failover` plans for it ([`failover::decide_lost`]).
pub fn check(t: &Topology) -> Vec<Finding> {
    // A replication cycle is VRT104's finding, and `failover` refuses to plan one.
    if t.first_cycle().is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, site) in t.sites() {
        let lost: BTreeSet<ClusterId> = t.clusters_in_site(id).into_iter().collect();
        for (c, r) in exposed(t, lost) {
            out.push(finding(t, c, &r, &format!("site `{}`", site.name.get())));
        }
    }
    for region in t.regions() {
        let sites = t.sites_in_region(region);
        if sites.len() < 2 {
            continue;
        }
        let lost: BTreeSet<ClusterId> = sites.iter().flat_map(|s| t.clusters_in_site(*s)).collect();
        for (c, r) in exposed(t, lost) {
            // Already reported when one site alone takes the cluster and its DR secondaries.
            let own_site = t.site_of(c);
            if t.dr_secondaries(c)
                .iter()
                .all(|d| t.site_of(*d) == own_site)
            {
                continue;
            }
            out.push(finding(t, c, &r, &format!("region `{region}`")));
        }
    }
    out
}

/// Lost primaries and performance secondaries whose DR secondaries are all lost too, with the
/// recovery the failover planner decides for each; those it can recover with nothing
/// (VRT302's case: nothing of the set can take over) are left out. The planner decides only
/// when some cluster is exposed, which in a sound topology is never.
fn exposed(t: &Topology, lost: BTreeSet<ClusterId>) -> Vec<(ClusterId, String)> {
    let exposed: Vec<ClusterId> = lost
        .iter()
        .copied()
        .filter(|c| t.role(*c) != Role::DrSecondary)
        .filter(|c| {
            let drs = t.dr_secondaries(*c);
            !drs.is_empty() && drs.iter().all(|d| lost.contains(d))
        })
        .collect();
    if exposed.is_empty() {
        return Vec::new();
    }
    let decided = failover::decide_lost(t, lost);
    exposed
        .into_iter()
        .filter_map(|c| Some((c, recovery_left(t, c, &decided)?)))
        .collect()
}

/// What the failover planner does instead of a DR promotion, as the help says it; `None` for a
/// recovery that promotes nothing and moves no client.
fn recovery_left(t: &Topology, c: ClusterId, decided: &Decisions) -> Option<String> {
    let r = decided.recovery(c)?;
    let to = t.name(r.to?);
    match (r.path, r.via) {
        (RecoveryPath::PerformancePromotion, None) => Some(format!(
            "the only recovery left is promoting performance secondary `{to}`, after which every client must re-authenticate and obtain new leases"
        )),
        (RecoveryPath::PerformancePromotion, Some(via)) => Some(format!(
            "its performance secondaries are lost too: the only recovery left is promoting `{to}` in place of its performance secondary `{}` and then to primary, after which every client of `{}` must re-authenticate and obtain new leases",
            t.name(via),
            t.name(c)
        )),
        (RecoveryPath::ClientsMove, _) => {
            // Clients whose own `fallback` survives go there instead (the planner's choice).
            let pinned: Vec<String> = decided
                .clients(t, &[])
                .into_iter()
                .filter(|m| m.cluster == c && m.to != r.to)
                .filter_map(|m| {
                    Some(format!(
                        "`{}` to its `fallback` `{}`",
                        t.client(m.client).name.get(),
                        t.name(m.to?)
                    ))
                })
                .collect();
            let pinned = if pinned.is_empty() {
                String::new()
            } else {
                format!(" ({})", pinned.join(", "))
            };
            Some(format!(
                "its clients must move to `{to}`{pinned} and re-authenticate; its local mounts and tokens are lost"
            ))
        }
        (RecoveryPath::DrPromotion | RecoveryPath::None, _) => None,
    }
}

fn finding(t: &Topology, c: ClusterId, recovery: &str, what: &str) -> Finding {
    let cluster = t.cluster(c);
    let drs: Vec<String> = t
        .dr_secondaries(c)
        .iter()
        .map(|d| format!("`{}`", t.name(*d)))
        .collect();
    let mut f = Finding::new(
        &RULE,
        cluster.site.span(),
        format!(
            "losing {what} takes out {} `{}` and all its DR secondaries ({})",
            t.role(c).as_str(),
            cluster.name.get(),
            drs.join(", ")
        ),
    )
    .cluster(c)
    .label("the cluster's site")
    .help(format!(
        "{recovery}; to keep tokens and leases, place a DR secondary of `{}` outside {what}",
        cluster.name.get()
    ));
    for d in t.dr_secondaries(c) {
        f = f.related(
            t.cluster(d).site.span(),
            format!("DR secondary `{}` is here", t.name(d)),
        );
    }
    f
}
