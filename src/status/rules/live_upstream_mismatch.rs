//! VRT502 `live-upstream-mismatch`: A secondary follows a different primary than its `replicates_from`, or none.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT502`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::ids::ClusterId;
use crate::status::live::Mode;
use crate::status::{Live, label};
use crate::yaml::Sp;

declare_rule! {
    /// A secondary follows a different primary than its `replicates_from`, or none.
    ///
    /// ## What it checks
    /// For each secondary whose live status says it is a secondary of its declared kind, the
    /// primary it actually follows, from the first of these that names a declared cluster:
    /// the cluster and API addresses of the primaries it is connected to (`primaries[]`);
    /// then every address it keeps for its primary (`primary_cluster_addr`,
    /// `known_primary_cluster_addrs`); then the primaries whose `known_secondaries` hold its
    /// `secondary_id` (the pairing key of the status bodies, API-REPL; API-DR). Addresses are
    /// matched, host and port, against every cluster's declared `api_addr`, `cluster_addr`
    /// and load balancer; one that matches no declared cluster (a node's own address) is not
    /// evidence either way. It reports a secondary that follows another declared cluster,
    /// and a secondary that follows no primary at all.
    ///
    /// ## Why it matters
    /// The commonest drift after a failover is a secondary that was never re-pointed: after a
    /// DR promotion the performance secondaries need `update-primary`, and after a
    /// performance promotion every other secondary needs a new secondary token (API-DR;
    /// API-PERF). A demoted cluster, or one updated with `token=""`, is a secondary that
    /// connects to no primary (API-DR, API-PERF). Either way the replication the file
    /// promises is not happening.
    ///
    /// ## Example
    /// `perf-b` declares `replicates_from: primary-a`, but its status lists
    /// `"primaries": [{"cluster_address": "https://vault-dr.dc-a.corp.example.com:8201", ...}]`,
    /// the address of `dr-a`, which was promoted.
    ///
    /// ## How to fix
    /// Re-point the secondary (`vault write sys/replication/performance/secondary/update-primary
    /// ...` or a new secondary token), or correct `replicates_from` when the new shape is
    /// the intended one.
    pub static RULE = "VRT502", "live-upstream-mismatch", Error;
}

/// Reports each secondary that follows another cluster or none, at its `replicates_from`.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for s in t.cluster_ids() {
        let Some((declared, kind)) = t.upstream(s) else {
            continue;
        };
        let Some(status) = live.status(s) else {
            continue;
        };
        let r = status.of(kind);
        if r.mode != Mode::Secondary {
            continue;
        }
        // The primaries it is connected to say most; then the addresses it keeps for its
        // primary; then the registrations (a primary keeps those after a failover).
        let connected: Vec<&str> = r
            .primaries
            .iter()
            .filter(|p| p.connection_status.as_deref() != Some("disconnected"))
            .flat_map(|p| [p.cluster_address.as_deref(), p.api_address.as_deref()])
            .flatten()
            .collect();
        let addresses = r.primary_addresses();
        let at = |list: &[&str]| -> Vec<ClusterId> {
            let mut out: Vec<ClusterId> = list
                .iter()
                .flat_map(|a| live.clusters_at(a).iter().copied())
                .filter(|c| *c != s)
                .collect();
            out.sort();
            out.dedup();
            out
        };
        let mut followed = at(&connected);
        if followed.is_empty() {
            followed = at(&addresses);
        }
        if followed.is_empty()
            && let Some(id) = &r.secondary_id
        {
            followed.extend(t.cluster_ids().filter(|p| {
                *p != s
                    && live.status(*p).is_some_and(|ps| {
                        let pr = ps.of(kind);
                        pr.mode == Mode::Primary && pr.known_secondaries.contains(id)
                    })
            }));
        }
        if followed.contains(&declared) {
            continue;
        }
        let Some(anchor) = t.cluster(s).upstream.as_ref().map(Sp::span) else {
            continue;
        };
        let finding = if followed.is_empty() && addresses.is_empty() {
            Finding::new(
                &RULE,
                anchor,
                format!(
                    "`{}` is a {} secondary that follows no primary (it should follow `{}`)",
                    t.name(s),
                    label(kind),
                    t.name(declared)
                ),
            )
            .label("declared upstream")
            .help(format!(
                "point it at `{}` again with `update-primary` and a secondary token from it",
                t.name(declared)
            ))
        } else if followed.is_empty() {
            continue;
        } else {
            let names: Vec<String> = followed
                .iter()
                .map(|c| format!("`{}`", t.name(*c)))
                .collect();
            let mut f = Finding::new(
                &RULE,
                anchor,
                format!(
                    "`{}` follows {} live, not `{}` as declared",
                    t.name(s),
                    names.join(" and "),
                    t.name(declared)
                ),
            )
            .label(format!("declared {} upstream", label(kind)))
            .help(format!(
                "re-point `{}` to `{}` (`update-primary`), or set `replicates_from` to the cluster it follows if the new shape is intended",
                t.name(s),
                t.name(declared)
            ));
            if let Some(q) = followed.first() {
                f = f.related(t.cluster(*q).name.span(), "the cluster it follows");
            }
            f
        };
        out.push(finding.cluster(s));
    }
    out
}
