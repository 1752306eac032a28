//! VRT301 `site-loss-without-dr`: Losing one site or region takes out a cluster together with all its DR secondaries.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT301`).

use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diag::Finding;
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
    /// secondary's case). When nothing of the replication set survives at all, VRT302
    /// (`loss-without-recovery`) reports it instead.
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
/// secondaries.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, site) in t.sites() {
        let lost: BTreeSet<ClusterId> = t.clusters_in_site(id).into_iter().collect();
        for c in exposed(t, &lost) {
            out.push(finding(t, c, &lost, &format!("site `{}`", site.name.get())));
        }
    }
    for region in t.regions() {
        let sites = t.sites_in_region(region);
        if sites.len() < 2 {
            continue;
        }
        let lost: BTreeSet<ClusterId> = sites.iter().flat_map(|s| t.clusters_in_site(*s)).collect();
        for c in exposed(t, &lost) {
            // Already reported when one site alone takes the cluster and its DR secondaries.
            let own_site = t.site_of(c);
            if t.dr_secondaries(c)
                .iter()
                .all(|d| t.site_of(*d) == own_site)
            {
                continue;
            }
            out.push(finding(t, c, &lost, &format!("region `{region}`")));
        }
    }
    out
}

/// Lost primaries and performance secondaries whose DR secondaries are all lost too, in
/// replication sets that keep a cluster to recover with (VRT302 reports the others).
fn exposed(t: &Topology, lost: &BTreeSet<ClusterId>) -> Vec<ClusterId> {
    lost.iter()
        .copied()
        .filter(|c| t.role(*c) != Role::DrSecondary)
        .filter(|c| {
            let drs = t.dr_secondaries(*c);
            !drs.is_empty() && drs.iter().all(|d| lost.contains(d))
        })
        .filter(|c| !t.set_lost(t.root(*c), lost))
        .collect()
}

fn finding(t: &Topology, c: ClusterId, lost: &BTreeSet<ClusterId>, what: &str) -> Finding {
    let cluster = t.cluster(c);
    let drs: Vec<String> = t
        .dr_secondaries(c)
        .iter()
        .map(|d| format!("`{}`", t.name(*d)))
        .collect();
    let survivors = |ids: Vec<ClusterId>| -> Vec<ClusterId> {
        ids.into_iter().filter(|p| !lost.contains(p)).collect()
    };
    let recovery = if t.role(c) == Role::Primary {
        // The failover planner's choice: each lost performance secondary replaced by its
        // best surviving DR secondary, and the best of those promoted again.
        let replacements = t.performance_secondaries(c).into_iter().filter_map(|p| {
            t.rank_replacements(p, survivors(t.dr_secondaries(p)))
                .first()
                .copied()
        });
        let twice = t.rank_replacements(c, replacements).first().copied();
        let perf = t.rank_replacements(c, survivors(t.performance_secondaries(c)));
        match (perf.first(), twice) {
            (Some(p), _) => format!(
                "the only recovery left is promoting performance secondary `{}`, after which every client must re-authenticate and obtain new leases",
                t.name(*p)
            ),
            (None, Some(d)) => format!(
                "its performance secondaries are lost too: the only recovery left is promoting `{}` in place of its performance secondary and then to primary, after which every client of `{}` must re-authenticate and obtain new leases",
                t.name(d),
                cluster.name.get()
            ),
            (None, None) => format!(
                "no surviving cluster of its replication set can take over from `{}`: restore it from snapshots",
                cluster.name.get()
            ),
        }
    } else {
        // Where the failover planner sends the clients: the same choice
        // (`Topology::client_homes`), with the set's primary replaced by its best surviving
        // DR secondary when the loss takes it too.
        let root = t.root(c);
        let primary = if lost.contains(&root) {
            t.rank_replacements(root, survivors(t.dr_secondaries(root)))
                .first()
                .copied()
        } else {
            Some(root)
        };
        let serving = t.performance_secondaries(root).into_iter().filter_map(|s| {
            if lost.contains(&s) {
                t.rank_replacements(s, survivors(t.dr_secondaries(s)))
                    .first()
                    .copied()
            } else {
                Some(s)
            }
        });
        match t.client_homes(c, serving, primary).first() {
            Some(o) => format!(
                "its clients must move to `{}` and re-authenticate; its local mounts and tokens are lost",
                t.name(*o)
            ),
            None => "no serving cluster of its replication set survives: restore from snapshots"
                .to_string(),
        }
    };
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
