//! VRT306 `promotion-missing-mounts`: A failover would promote a performance secondary that lacks mounts its new clients
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT306`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::mounts;
use crate::spec::Role;

declare_rule! {
    /// A failover would promote a performance secondary that lacks mounts its new clients
    /// use.
    ///
    /// ## What it checks
    /// For each primary whose loss leaves only a performance promotion (no DR secondary
    /// outside its site), the performance secondary the failover planner would promote holds
    /// every mount that the primary's clients list in their `mounts`.
    ///
    /// ## Why it matters
    /// A promoted performance secondary has only what it held: local mounts of the old
    /// primary replicate only to DR secondaries, and mounts its paths filter removed never
    /// reached it (REPL-IDX; API-PERF "Create paths filter"). The primary's clients move to
    /// it and find those paths missing; applications also reauthenticate and obtain new
    /// leases (REPL-IDX).
    ///
    /// ## Example
    /// ```yaml
    /// mounts:
    ///   - {path: local-us/, cluster: dal, local: true}
    /// clients:
    ///   - {name: us-apps, site: us, cluster: dal, mounts: [local-us/]}
    /// # dal has no DR secondary outside its site; lon would be promoted
    /// ```
    ///
    /// ## How to fix
    /// Give the primary a DR secondary in another site (it holds local mounts too), or make
    /// the mount shared and let it through the candidate's paths filter.
    pub static RULE = "VRT306", "promotion-missing-mounts", Warning;
}

/// Reports each client mount the performance promotion candidate does not hold.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in t.cluster_ids().filter(|c| t.role(*c) == Role::Primary) {
        let Some(candidate) = t.performance_promotion_candidate(p) else {
            continue;
        };
        for (cid, client) in t.clients_of(p) {
            for path in mounts::missing_for_client(t, cid, candidate) {
                let Some(span) = client
                    .mounts
                    .iter()
                    .find(|ids| {
                        ids.get()
                            .first()
                            .is_some_and(|m| mounts::mount(t, *m).path.as_str() == path)
                    })
                    .map(crate::yaml::Sp::span)
                else {
                    continue;
                };
                out.push(
                    Finding::new(
                        &RULE,
                        span,
                        format!(
                            "if `{}` is lost with its site, client `{}` moves to `{}`, which does not hold `{path}`",
                            t.name(p),
                            client.name.get(),
                            t.name(candidate)
                        ),
                    )
                    .cluster(p)
                    .label("not on the promotion candidate")
                    .related(t.cluster(candidate).name.span(), "the performance secondary that would be promoted")
                    .help(format!(
                        "give `{}` a DR secondary in another site, or let `{path}` reach `{}`",
                        t.name(p),
                        t.name(candidate)
                    )),
                );
            }
        }
    }
    out
}
