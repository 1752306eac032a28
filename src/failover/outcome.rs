//! The topology after the failover, as the decisions leave it: every cluster's role and
//! upstream, the replication sets the failure touches, the clusters left without a DR
//! secondary, the network paths that come alive, and the version traps of new paths.

use super::decide::Decisions;
use super::plan::{
    AfterCluster, AfterRole, ClientImpact, LivePath, Node, RecoveryPath, SetImpact, SetStatus,
};
use super::prose::{names, quoted};
use crate::graph::Topology;
use crate::ids::{ClusterId, ServiceId};
use crate::spec::Role;

/// The topology after the failover: every cluster, in file order.
pub(super) fn after(t: &Topology, d: &Decisions) -> Vec<AfterCluster> {
    // Sorted by cluster (the ids ascend): a vector searched by halves, not a map.
    let mut now: Vec<AfterCluster> = t
        .cluster_ids()
        .map(|c| {
            let (role, upstream) = if d.is_lost(c) {
                (AfterRole::Lost, None)
            } else {
                (
                    AfterRole::from_role(t.role(c)),
                    t.upstream(c).and_then(|(u, _)| d.current(u)),
                )
            };
            AfterCluster {
                cluster: c,
                before: t.role(c),
                role,
                upstream,
                changed: false,
            }
        })
        .collect();
    // DR promotions first: a cluster that replaced a lost performance secondary may then
    // be promoted to primary.
    for path in [
        RecoveryPath::DrPromotion,
        RecoveryPath::PerformancePromotion,
    ] {
        for r in d.recoveries.iter().filter(|r| r.path == path) {
            let Some(to) = r.to else { continue };
            let Ok(at) = now.binary_search_by_key(&to, |a| a.cluster) else {
                continue;
            };
            let a = &mut now[at];
            (a.role, a.upstream) = if path == RecoveryPath::DrPromotion {
                (
                    AfterRole::from_role(t.role(r.lost)),
                    t.upstream(r.lost).and_then(|(u, _)| d.current(u)),
                )
            } else {
                (AfterRole::Primary, None)
            };
        }
    }
    for a in &mut now {
        let before_up = t.upstream(a.cluster).map(|(u, _)| u);
        a.changed = a.role != AfterRole::from_role(a.before) || a.upstream != before_up;
    }
    now
}

/// The serving clusters a failure leaves without a DR secondary beyond `before` (the answer
/// when nothing fails, ascending), appended to `out` in ascending order: `without_dr` of
/// [`after`], less `before`, found from what the failure changes rather than from every
/// cluster of the replication sets it touches, so that a row costs what its failure loses
/// and decides (one primary with 50,000 DR secondaries made each row cost the whole set).
///
/// A serving cluster `s` not in `before` had a DR secondary. After the failure it has none
/// only when each of its DR secondaries is lost or promoted, so `s` is the upstream of a
/// lost or promoted cluster, or was itself promoted into a serving role: those are the
/// candidates. Each is checked as [`without_dr`] would: a DR secondary that is neither lost
/// nor promoted protects the cluster doing its upstream's job ([`Decisions::current`]).
/// `tests/consistency.rs` and `tests/properties.rs` compare every row with its runbook's
/// [`without_dr`].
pub(super) fn newly_without_dr(
    t: &Topology,
    d: &Decisions,
    before: &[ClusterId],
    scratch: &mut Scratch,
    out: &mut Vec<ClusterId>,
) {
    let Scratch {
        promoted,
        replacing,
        candidates,
    } = scratch;
    promoted.clear();
    promoted.extend(
        d.recoveries
            .iter()
            .filter(|r| {
                matches!(
                    r.path,
                    RecoveryPath::DrPromotion | RecoveryPath::PerformancePromotion
                )
            })
            .filter_map(|r| r.to),
    );
    promoted.sort_unstable();
    promoted.dedup();
    // Each replaced cluster under the cluster now doing its job: its DR secondaries that
    // are neither lost nor promoted follow that cluster.
    replacing.clear();
    replacing.extend(
        d.replaced
            .iter()
            .filter_map(|(x, _)| d.current(*x).map(|now| (now, *x))),
    );
    replacing.sort_unstable();
    // The promoted clusters, and the upstreams of the lost DR secondaries and of the
    // promoted clusters.
    candidates.clear();
    candidates.extend_from_slice(promoted);
    let lost_drs = d.lost.iter().filter(|c| t.role(**c) == Role::DrSecondary);
    candidates.extend(
        lost_drs
            .chain(promoted.iter())
            .filter_map(|c| t.upstream(*c).map(|(u, _)| u)),
    );
    candidates.sort_unstable();
    candidates.dedup();
    let stays_dr = |x: &ClusterId| !d.is_lost(*x) && promoted.binary_search(x).is_err();
    for &s in candidates.iter() {
        let is_promoted = promoted.binary_search(&s).is_ok();
        let serving = !d.is_lost(s) && (is_promoted || t.role(s) != Role::DrSecondary);
        if !serving || before.binary_search(&s).is_ok() {
            continue;
        }
        let from = replacing.partition_point(|(now, _)| *now < s);
        let protected = std::iter::once(s)
            .chain(
                replacing[from..]
                    .iter()
                    .take_while(|(now, _)| *now == s)
                    .map(|(_, x)| *x),
            )
            .any(|u| t.dr_secondaries_of(u).any(|x| stays_dr(&x)));
        if !protected {
            out.push(s);
        }
    }
}

/// The buffers of [`newly_without_dr`], kept from one sweep row to the next: a row then
/// allocates only what it keeps.
#[derive(Default)]
pub(super) struct Scratch {
    /// The clusters promoted into a serving role, ascending.
    promoted: Vec<ClusterId>,
    /// (the cluster now doing a replaced cluster's job, that replaced cluster), ascending.
    replacing: Vec<(ClusterId, ClusterId)>,
    /// The clusters that may have lost their last DR secondary, ascending.
    candidates: Vec<ClusterId>,
}

/// The replication sets the failure touches, in file order of their primaries.
pub(super) fn sets(t: &Topology, d: &Decisions) -> Vec<SetImpact> {
    let mut roots: Vec<ClusterId> = d.lost.iter().map(|c| t.root(*c)).collect();
    roots.sort();
    roots.dedup();
    roots
            .into_iter()
            .filter_map(|root| {
                let set = t.replication_set(root);
                let mut lost: Vec<ClusterId> =
                    set.iter().copied().filter(|c| d.is_lost(*c)).collect();
                if lost.is_empty() {
                    return None;
                }
                lost.sort();
                let (status, note) = if t.set_lost(root, |c| d.is_lost(c)) {
                    (
                        SetStatus::Lost,
                        "nothing of the set survives: restore it from snapshots".to_string(),
                    )
                } else if !d.is_lost(root) {
                    let lost_serving: Vec<ClusterId> = lost
                        .iter()
                        .copied()
                        .filter(|c| t.role(*c) != Role::DrSecondary)
                        .collect();
                    let note = if lost_serving.is_empty() {
                        format!(
                            "{} still serves; only DR secondaries are lost",
                            quoted(t, root)
                        )
                    } else {
                        format!(
                            "{} still serves; {} must be recovered (below)",
                            quoted(t, root),
                            names(t, &lost_serving)
                        )
                    };
                    (SetStatus::Serving, note)
                } else {
                    let readers: Vec<ClusterId> = t
                        .performance_secondaries(root)
                        .into_iter()
                        .filter(|s| !d.is_lost(*s))
                        .collect();
                    let by = d.replacement(root).map(|(c, _)| quoted(t, c));
                    let note = if let Some(by) = &by
                        && readers.is_empty()
                    {
                        format!("no primary and nothing serving until {by} is promoted")
                    } else if let Some(by) = &by {
                        format!(
                            "no primary until {by} is promoted; {} still {} reads, but writes to shared data need a primary (REPL-IDX; REPL-INT)",
                            names(t, &readers),
                            if readers.len() == 1 { "serves" } else { "serve" }
                        )
                    } else {
                        "no primary, and no surviving cluster of the set can be promoted: restore it from snapshots".to_string()
                    };
                    (SetStatus::ServingAfterRecovery, note)
                };
                Some(SetImpact {
                    root,
                    lost,
                    status,
                    note,
                })
            })
            .collect()
}

/// Warns of every changed replication path that would run from a newer version to an
/// older one.
pub(super) fn version_checks(t: &Topology, after: &[AfterCluster], warnings: &mut Vec<String>) {
    for a in after {
        let Some(up) = a.upstream else { continue };
        if !a.changed {
            continue;
        }
        if let (Some(down_v), Some(up_v)) = (t.version(a.cluster), t.version(up))
            && down_v < up_v
        {
            warnings.push(format!(
                    "after the failover {} ({down_v}) replicates from newer {} ({up_v}): \"It is not safe to replicate from a newer version of Vault to an older version\" (UPGRADE); upgrade {} first",
                    quoted(t, a.cluster),
                    quoted(t, up),
                    quoted(t, a.cluster),
                ));
        }
    }
}

/// The network paths that carry traffic only after the failover; warns of external
/// services whose `used_by` misses the cluster that takes over.
pub(super) fn live_paths(
    t: &Topology,
    d: &Decisions,
    after: &[AfterCluster],
    clients: &[ClientImpact],
    warnings: &mut Vec<String>,
) -> Vec<LivePath> {
    let mut out = Vec::new();
    for a in after {
        let Some(up) = a.upstream else { continue };
        let before = t.upstream(a.cluster).map(|(u, _)| u);
        if before == Some(up) {
            continue;
        }
        let kind = if a.role == AfterRole::DrSecondary {
            "DR"
        } else {
            "performance"
        };
        out.push(LivePath {
            from: Node::Cluster(a.cluster),
            to: Node::Cluster(up),
            ports: vec![t.cluster(up).cluster_port()],
            both_ways: true,
            why: format!(
                "{} replicates from {} ({kind} replication on the cluster port; PORTS)",
                quoted(t, a.cluster),
                quoted(t, up)
            ),
        });
    }
    for c in clients {
        let Some(to) = c.to else { continue };
        out.push(LivePath {
            from: Node::Client(c.client),
            to: Node::Cluster(to),
            ports: vec![t.cluster(to).api_port()],
            both_ways: false,
            why: format!(
                "client `{}` uses {} in place of {}",
                t.model.clients[c.client.0].name.get(),
                quoted(t, to),
                quoted(t, c.cluster)
            ),
        });
    }
    for r in &d.recoveries {
        let Some(to) = r.to else { continue };
        for (i, s) in t.model.services.iter().enumerate() {
            if !s.used_by.iter().any(|u| *u.get() == r.lost) {
                continue;
            }
            let declared = s.used_by.iter().any(|u| *u.get() == to);
            match r.path {
                    RecoveryPath::DrPromotion => {
                        out.push(LivePath {
                            from: Node::Cluster(to),
                            to: Node::Service(ServiceId(i)),
                            ports: vec![*s.port.get()],
                            both_ways: false,
                            why: format!(
                                "{} now runs {}'s secrets engines, local mounts included (REPL-IDX)",
                                quoted(t, to),
                                quoted(t, r.lost)
                            ),
                        });
                        if !declared {
                            warnings.push(format!(
                                "external service `{}` is used by {} but does not list {} in `used_by`: after the promotion {} connects to it; add it and open the path",
                                s.name.get(),
                                quoted(t, r.lost),
                                quoted(t, to),
                                quoted(t, to)
                            ));
                        }
                    }
                    _ if !declared => warnings.push(format!(
                        "external service `{}` was used by {}, and {} does not list it in `used_by`: if {} reached it through a local mount, that mount is gone with it; if through a shared mount, {} now needs a path to it (REPL-IDX)",
                        s.name.get(),
                        quoted(t, r.lost),
                        quoted(t, to),
                        quoted(t, r.lost),
                        quoted(t, to)
                    )),
                    _ => {}
                }
        }
    }
    out
}

/// Serving clusters after the failover that have no DR secondary.
pub(super) fn without_dr(after: &[AfterCluster]) -> Vec<ClusterId> {
    let mut protected: Vec<ClusterId> = after
        .iter()
        .filter(|d| d.role == AfterRole::DrSecondary)
        .filter_map(|d| d.upstream)
        .collect();
    protected.sort_unstable();
    after
        .iter()
        .filter(|a| matches!(a.role, AfterRole::Primary | AfterRole::PerformanceSecondary))
        .filter(|a| protected.binary_search(&a.cluster).is_err())
        .map(|a| a.cluster)
        .collect()
}
