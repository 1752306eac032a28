//! The safe upgrade order: downstream clusters before their upstream, grouped into waves that
//! can run in parallel. Pure: [`plan`] goes from a [`Topology`] to an [`UpgradePlan`] (and
//! [`plan_to`] to one for a target version); `report::upgrade` renders it.
//!
//! "It is not safe to replicate from a newer version of Vault to an older version. When
//! upgrading replicated clusters, ensure that upstream clusters are always on older versions
//! of Vault than downstream clusters" (UPGRADE). Each replication set is upgraded from its
//! deepest clusters up: the DR secondaries of performance secondaries first, then the
//! performance secondaries and the primary's DR secondaries, the primary last. When a wave is
//! upgraded, everything downstream of it already is, so no cluster ever replicates from a
//! newer one. A cluster's wave is its height: every cluster with nothing downstream (the DR
//! secondaries of the primary as much as those of performance secondaries) goes in the first
//! wave, and a cluster goes one wave after the last of its downstream clusters.

use crate::graph::{Cyclic, Topology};
use crate::ids::ClusterId;
use crate::spec::Role;
use crate::values::Version;

/// One wave: clusters that do not replicate from each other and can be upgraded together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wave {
    /// What the wave holds, e.g. "performance secondaries and DR secondaries of the primary".
    pub stage: String,
    /// Its clusters, in file order.
    pub clusters: Vec<ClusterId>,
    /// For each cluster (same order), the command that snapshots it before its upgrade.
    pub snapshots: Vec<String>,
}

/// The upgrade order of one replication set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetUpgrade {
    /// Its primary.
    pub root: ClusterId,
    /// The distinct versions its clusters run, oldest first.
    pub versions: Vec<Version>,
    /// The waves, first to last (the primary's wave last).
    pub waves: Vec<Wave>,
    /// Clusters already at or above the target version (`--to`), in file order: done, not
    /// scheduled.
    pub done: Vec<ClusterId>,
}

/// The upgrade order of a topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpgradePlan {
    /// Each replication set, in file order of its primary.
    pub sets: Vec<SetUpgrade>,
    /// What to check before starting (missing versions, clusters already older than their
    /// upstream).
    pub warnings: Vec<String>,
    /// The target version (`--to`), when one was given.
    pub to: Option<Version>,
}

/// Why there is no upgrade plan.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeError {
    /// The replication graph has a cycle.
    #[error(transparent)]
    Cyclic(#[from] Cyclic),
    /// The target is older than every version the file gives: only a downgrade would reach it.
    #[error(
        "`--to {to}` is a downgrade: every cluster with a version already runs newer (the oldest runs {oldest}); Vault upgrades only go forward (UPGRADE)"
    )]
    Downgrade {
        /// The target.
        to: String,
        /// The oldest version the file gives.
        oldest: String,
    },
}

/// Plans the upgrade order of every replication set.
pub fn plan(t: &Topology) -> Result<UpgradePlan, Cyclic> {
    build(t, None)
}

/// Plans the upgrade of every replication set to `to` (or to a newer version, when `None`):
/// clusters already at or above `to` are done; a target older than every declared version is
/// refused.
pub fn plan_to(t: &Topology, to: Option<&Version>) -> Result<UpgradePlan, UpgradeError> {
    if let Some(to) = to {
        let declared: Vec<&Version> = t.cluster_ids().filter_map(|c| t.version(c)).collect();
        if let Some(oldest) = declared.iter().min()
            && declared.len() == t.cluster_ids().count()
            && *oldest > to
        {
            return Err(UpgradeError::Downgrade {
                to: to.to_string(),
                oldest: oldest.to_string(),
            });
        }
    }
    Ok(build(t, to)?)
}

fn build(t: &Topology, to: Option<&Version>) -> Result<UpgradePlan, Cyclic> {
    if let Some(cycle) = t.cycles().first() {
        return Err(Cyclic::through(t, cycle));
    }
    let is_done = |c: ClusterId| to.is_some_and(|to| t.version(c).is_some_and(|v| v >= to));
    let sets = t
        .roots()
        .into_iter()
        .map(|root| {
            let set = t.replication_set(root);
            let heights = heights(t, &set);
            let tallest = heights.iter().map(|(_, h)| *h).max().unwrap_or(0);
            let waves = (0..=tallest)
                .filter_map(|h| {
                    let mut clusters: Vec<ClusterId> = heights
                        .iter()
                        .filter(|(c, ch)| *ch == h && !is_done(*c))
                        .map(|(c, _)| *c)
                        .collect();
                    clusters.sort();
                    if clusters.is_empty() {
                        return None;
                    }
                    Some(Wave {
                        stage: stage(t, &clusters),
                        snapshots: clusters.iter().map(|c| snapshot(t, *c, to)).collect(),
                        clusters,
                    })
                })
                .collect();
            let mut versions: Vec<Version> =
                set.iter().filter_map(|c| t.version(*c).cloned()).collect();
            versions.sort();
            versions.dedup();
            let mut done: Vec<ClusterId> = set.iter().copied().filter(|c| is_done(*c)).collect();
            done.sort();
            SetUpgrade {
                root,
                versions,
                waves,
                done,
            }
        })
        .collect();
    let mut warnings = Vec::new();
    let missing: Vec<String> = t
        .cluster_ids()
        .filter(|c| t.version(*c).is_none())
        .map(|c| format!("`{}`", t.name(c)))
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "the file gives no `version` for {}: check what they run before starting",
            missing.join(", ")
        ));
    }
    for c in t.cluster_ids() {
        let Some((up, _)) = t.upstream(c) else {
            continue;
        };
        if let (Some(v), Some(up_v)) = (t.version(c), t.version(up))
            && v < up_v
        {
            warnings.push(format!(
                "`{}` ({v}) is already older than `{}` ({up_v}), which it replicates from: upgrade it to {up_v} or later first (UPGRADE; VRT107)",
                t.name(c),
                t.name(up)
            ));
        }
    }
    if let Some(to) = to {
        for c in t.cluster_ids() {
            let Some((up, _)) = t.upstream(c) else {
                continue;
            };
            if let Some(up_v) = t.version(up)
                && up_v > to
                && !is_done(c)
            {
                warnings.push(format!(
                    "`{}` runs {up_v}, newer than the target {to}: `{}`, which replicates from it, should be upgraded to {up_v} or later instead (UPGRADE; VRT107)",
                    t.name(up),
                    t.name(c)
                ));
            }
        }
    }
    Ok(UpgradePlan {
        sets,
        warnings,
        to: to.cloned(),
    })
}

/// Each cluster of `set` with its height: 0 with nothing downstream, else one more than its
/// tallest downstream cluster.
fn heights(t: &Topology, set: &[ClusterId]) -> Vec<(ClusterId, usize)> {
    // `set` is breadth-first from the root, so walking it backwards meets every downstream
    // cluster before its upstream.
    let mut height: std::collections::BTreeMap<ClusterId, usize> =
        std::collections::BTreeMap::new();
    for &c in set.iter().rev() {
        let h = t
            .downstream(c)
            .iter()
            .map(|(d, _)| height.get(d).map_or(0, |h| h + 1))
            .max()
            .unwrap_or(0);
        height.insert(c, h);
    }
    set.iter().map(|c| (*c, height[c])).collect()
}

/// The command that snapshots `c` (Integrated Storage) before its upgrade.
fn snapshot(t: &Topology, c: ClusterId, to: Option<&Version>) -> String {
    let addr = t.cluster(c).api_addr.as_ref().map_or_else(
        || {
            // A variable name whatever the cluster name holds (`-` and anything else as `_`).
            let var: String = t
                .name(c)
                .chars()
                .map(|ch| {
                    if ch.is_ascii_alphanumeric() {
                        ch.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("${{API_ADDR_{var}:?}}")
        },
        |a| crate::text::shell_word(&format!("{}://{}:{}", a.scheme, a.host, a.port)),
    );
    let file = match to {
        Some(v) => format!(
            "{}-before-{}.{}.{}.snap",
            t.name(c),
            v.core.0,
            v.core.1,
            v.core.2
        ),
        None => format!("{}-before-upgrade.snap", t.name(c)),
    };
    format!(
        "VAULT_ADDR={addr} VAULT_NAMESPACE='' vault operator raft snapshot save {}",
        crate::text::shell_word(&file)
    )
}

/// Describes a wave by the kinds of cluster in it.
fn stage(t: &Topology, clusters: &[ClusterId]) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for &c in clusters {
        let kind = match (t.role(c), t.upstream(c).map(|(u, _)| t.role(u))) {
            (_, None) => "the primary".to_string(),
            (Role::PerformanceSecondary, Some(Role::Primary)) => {
                "performance secondaries".to_string()
            }
            (Role::DrSecondary, Some(Role::Primary)) => "DR secondaries of the primary".to_string(),
            (Role::DrSecondary, Some(Role::PerformanceSecondary)) => {
                "DR secondaries of performance secondaries".to_string()
            }
            (role, Some(up)) => format!(
                "{} clusters replicating from {} clusters",
                role.as_str(),
                up.as_str()
            ),
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    // Performance secondaries read first, as the issue and UPGRADE's example list them.
    kinds.sort_by_key(|k| !k.starts_with("performance"));
    kinds.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::yaml::Limits;

    #[test]
    fn cascades_get_plain_stage_names_and_cycles_no_plan() {
        let text = "version: 1\nname: x\nsites: [{name: a}]\nclusters:\n  - {name: p, site: a, role: primary}\n  - {name: s, site: a, role: performance-secondary, replicates_from: p}\n  - {name: s2, site: a, role: performance-secondary, replicates_from: s}\n";
        let t = crate::topology(&Source::new("t.yaml", text), Limits::default()).unwrap();
        let plan = plan(&t).unwrap();
        let stages: Vec<&str> = plan.sets[0]
            .waves
            .iter()
            .map(|w| w.stage.as_str())
            .collect();
        assert_eq!(
            stages,
            [
                "performance-secondary clusters replicating from performance-secondary clusters",
                "performance secondaries",
                "the primary"
            ]
        );
        let cyclic = "version: 1\nname: x\nsites: [{name: a}]\nclusters:\n  - {name: a1, site: a, role: dr-secondary, replicates_from: a2}\n  - {name: a2, site: a, role: dr-secondary, replicates_from: a1}\n";
        let t = crate::topology(&Source::new("t.yaml", cyclic), Limits::default()).unwrap();
        assert_eq!(plan_err(&t), "`a1`, `a2`");
    }

    fn plan_err(t: &Topology) -> String {
        plan(t).unwrap_err().clusters
    }
}
