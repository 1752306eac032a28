//! VRT305 `failover-to-not-candidate`: A cluster's `failover_to` or a client's `fallback` names a cluster that cannot take over.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT305`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// A cluster's `failover_to` or a client's `fallback` names a cluster that cannot take over.
    ///
    /// ## What it checks
    /// `failover_to` is the operator's preferred successor. It must name a cluster that could
    /// be promoted in the lost cluster's place: one of its DR secondaries or, for a primary,
    /// one of its performance secondaries; and one of the same environment (the cluster's
    /// own `environment`, else its site's).
    ///
    /// A client's `fallback` is where its clients go when their cluster is lost and no DR
    /// secondary of it survives. It must name another cluster of the same replication set and
    /// environment that can serve them: a performance secondary, the primary, or a DR
    /// secondary of the primary (which serves once promoted). `vrt failover` sends the clients
    /// there whenever it survives the failure.
    ///
    /// ## Why it matters
    /// A promotion makes a DR secondary or performance secondary of the lost cluster a
    /// primary (API-DR "Promote DR secondary"; API-PERF "Promote performance secondary"):
    /// any other cluster holds none of its data. A non-production cluster taking over
    /// production traffic puts production secrets on it; that vrt never does so is
    /// organisational policy, not a HashiCorp requirement (vault-replication.md,
    /// "Corrections"). A preference that cannot be honoured is an error, not silently
    /// ignored: the runbook would otherwise promote a cluster the operator did not expect.
    /// Clients can only use a cluster that serves their replication set's data: a performance
    /// secondary shares its primary's replicated data, a DR secondary does not serve requests
    /// until it is promoted, and tokens never cross clusters (REPL-IDX; PERF-DOC).
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary, failover_to: perf-b}
    /// - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a}
    /// - {name: qa-b, site: dc-b, role: performance-secondary, replicates_from: primary-a,
    ///    environment: non-production}
    /// ```
    /// `failover_to: qa-b` would be reported: `qa-b` is a non-production cluster.
    ///
    /// ## How to fix
    /// Name one of the DR secondaries of the cluster (for a primary, one of its performance
    /// secondaries), of the same environment, or remove `failover_to` and let vrt choose. For
    /// a `fallback`, name a serving cluster of the client's replication set and environment,
    /// or remove it.
    pub static RULE = "VRT305", "failover-to-not-candidate", Error;
}

/// Reports each `failover_to` that names no candidate successor, and each client `fallback`
/// that can never serve the client.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = fallbacks(t);
    for (c, cluster) in t.clusters() {
        let Some(to) = &cluster.failover_to else {
            continue;
        };
        let target = *to.get();
        if t.successor_candidates(c).contains(&target) {
            continue;
        }
        let why = if t.role(c) == Role::DrSecondary {
            format!(
                "`{}` is a DR secondary: it is promoted, never replaced",
                t.name(c)
            )
        } else if !t.same_environment(c, target)
            && (t.dr_secondaries(c).contains(&target)
                || (t.role(c) == Role::Primary && t.performance_secondaries(c).contains(&target)))
        {
            format!(
                "`{}` is a {} cluster and `{}` a {} one",
                t.name(target),
                env(t, target),
                t.name(c),
                env(t, c)
            )
        } else {
            format!(
                "`{}` is not a DR secondary of `{}`{}",
                t.name(target),
                t.name(c),
                if t.role(c) == Role::Primary {
                    " nor one of its performance secondaries"
                } else {
                    ""
                }
            )
        };
        let candidates: Vec<String> = t
            .successor_candidates(c)
            .iter()
            .map(|s| format!("`{}`", t.name(*s)))
            .collect();
        let help = if t.role(c) == Role::DrSecondary {
            "remove `failover_to`: a DR secondary takes over from its upstream, and its own loss needs no successor".to_string()
        } else if candidates.is_empty() {
            format!(
                "remove `failover_to`: no cluster of `{}`'s environment can be promoted in its place",
                t.name(c)
            )
        } else {
            format!(
                "name one of {}, or remove `failover_to` and let vrt choose",
                candidates.join(", ")
            )
        };
        out.push(
            Finding::new(
                &RULE,
                to.span(),
                format!(
                    "`failover_to` of `{}` names `{}`, which cannot take over from it",
                    t.name(c),
                    t.name(target)
                ),
            )
            .cluster(c)
            .label(why)
            .related(cluster.name.span(), "the cluster it would replace")
            .help(help),
        );
    }
    out
}

fn env(t: &Topology, c: crate::ids::ClusterId) -> &'static str {
    match t.environment(c) {
        crate::spec::Environment::Production => "production",
        crate::spec::Environment::NonProduction => "non-production",
    }
}

/// Reports each client `fallback` that names a cluster that can never serve the client: its
/// own cluster, a cluster of another replication set or environment, or a DR secondary that
/// is not one of the primary's (the failover planner would ignore it; `decide.rs`).
fn fallbacks(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, client) in t.clients() {
        let Some(fallback) = &client.fallback else {
            continue;
        };
        let (f, c) = (*fallback.get(), *client.cluster.get());
        let root = t.root(c);
        let why = if f == c {
            format!("`{}` is the cluster the clients already use", t.name(f))
        } else if t.root(f) != root {
            format!(
                "`{}` is in another replication set than `{}`",
                t.name(f),
                t.name(c)
            )
        } else if !t.same_environment(c, f) {
            format!(
                "`{}` is a {} cluster and `{}` a {} one",
                t.name(f),
                env(t, f),
                t.name(c),
                env(t, c)
            )
        } else if t.role(f) == Role::DrSecondary && !t.dr_secondaries(root).contains(&f) {
            format!(
                "`{}` is a DR secondary, but not of the primary `{}`: it never serves these clients",
                t.name(f),
                t.name(root)
            )
        } else {
            continue;
        };
        out.push(
            Finding::new(
                &RULE,
                fallback.span(),
                format!(
                    "`fallback` of client `{}` names `{}`, which cannot serve it",
                    client.name.get(),
                    t.name(f)
                ),
            )
            .cluster(c)
            .label(why)
            .related(client.cluster.span(), "the cluster it uses")
            .help(format!(
                "name a performance secondary or the primary of `{}`'s replication set, of its environment, or remove `fallback` and let vrt choose",
                t.name(c)
            )),
        );
    }
    out
}
