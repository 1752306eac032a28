//! The safe upgrade order: downstream clusters before their upstream, grouped into waves that
//! can run in parallel. Pure: [`plan`] goes from a [`Topology`] to an [`UpgradePlan`];
//! `report::upgrade` renders it.
//!
//! "It is not safe to replicate from a newer version of Vault to an older version. When
//! upgrading replicated clusters, ensure that upstream clusters are always on older versions
//! of Vault than downstream clusters" (UPGRADE). Each replication set is upgraded from its
//! deepest clusters up: the DR secondaries of performance secondaries first, then the
//! performance secondaries and the primary's DR secondaries, the primary last. When a wave is
//! upgraded, everything downstream of it already is, so no cluster ever replicates from a
//! newer one.

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
}

/// The upgrade order of a topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpgradePlan {
    /// Each replication set, in file order of its primary.
    pub sets: Vec<SetUpgrade>,
    /// What to check before starting (missing versions, clusters already older than their
    /// upstream).
    pub warnings: Vec<String>,
}

/// Plans the upgrade order of every replication set.
pub fn plan(t: &Topology) -> Result<UpgradePlan, Cyclic> {
    if let Some(cycle) = t.cycles().first() {
        return Err(Cyclic::through(t, cycle));
    }
    let sets = t
        .roots()
        .into_iter()
        .map(|root| {
            let set = t.replication_set(root);
            let depth = |c: ClusterId| t.ancestors(c).len();
            let deepest = set.iter().map(|c| depth(*c)).max().unwrap_or(0);
            let waves = (0..=deepest)
                .rev()
                .filter_map(|d| {
                    let mut clusters: Vec<ClusterId> =
                        set.iter().copied().filter(|c| depth(*c) == d).collect();
                    clusters.sort();
                    if clusters.is_empty() {
                        return None;
                    }
                    Some(Wave {
                        stage: stage(t, &clusters),
                        clusters,
                    })
                })
                .collect();
            let mut versions: Vec<Version> =
                set.iter().filter_map(|c| t.version(*c).cloned()).collect();
            versions.sort();
            versions.dedup();
            SetUpgrade {
                root,
                versions,
                waves,
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
    Ok(UpgradePlan { sets, warnings })
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
