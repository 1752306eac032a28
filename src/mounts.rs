//! Where each mount's data lives: its placement over the replication graph, before and
//! after a loss, and what a performance promotion loses (REPL-IDX; API-PERF paths filter).
//! Pure functions of the [`Topology`], for rules, planners and `vrt mounts`.

use std::collections::BTreeSet;

use crate::graph::{EdgeKind, Topology};
use crate::ids::{ClusterId, MountId};
use crate::model::{Mount, PathsFilter};
use crate::spec::Role;

/// Every mount with its id, in file order.
pub fn mounts(t: &Topology) -> impl Iterator<Item = (MountId, &Mount)> + '_ {
    t.model
        .mounts
        .iter()
        .enumerate()
        .map(|(i, m)| (MountId(i), m))
}

/// A mount.
pub fn mount(t: &Topology, id: MountId) -> &Mount {
    &t.model.mounts[id.0]
}

/// The paths filter of a performance secondary, if it has one.
pub fn filter(t: &Topology, id: ClusterId) -> Option<&PathsFilter> {
    t.cluster(id).storage.paths_filter.as_ref()
}

/// Whether the performance secondary `id` receives the shared mount at `path`.
pub fn receives(t: &Topology, id: ClusterId, path: &str) -> bool {
    filter(t, id).is_none_or(|f| f.lets_through(path))
}

/// The clusters that hold the mount's data, in order from its cluster outward: a shared
/// mount on its primary, the primary's DR secondaries, every performance secondary whose
/// paths filter lets it through and their DR secondaries; a local mount on its cluster and
/// that cluster's DR secondaries only (REPL-IDX).
pub fn holders(t: &Topology, id: MountId) -> Vec<ClusterId> {
    let m = mount(t, id);
    let start = *m.cluster.get();
    let mut out = vec![start];
    let mut seen: BTreeSet<ClusterId> = BTreeSet::from([start]);
    let mut i = 0;
    while let Some(&c) = out.get(i) {
        i += 1;
        for (d, kind) in t.downstream(c) {
            let through = match kind {
                EdgeKind::Dr => true,
                EdgeKind::Performance => !m.local && receives(t, d, &m.path),
            };
            if through && seen.insert(d) {
                out.push(d);
            }
        }
    }
    out
}

/// The holders of the mount's data that survive the loss of `lost`.
pub fn holders_after(t: &Topology, id: MountId, lost: &BTreeSet<ClusterId>) -> Vec<ClusterId> {
    holders(t, id)
        .into_iter()
        .filter(|c| !lost.contains(c))
        .collect()
}

/// Whether cluster `c` holds the data of any mount with the client's path `ids` (a path
/// written by a client names every mount with that path).
pub fn holds_any(t: &Topology, c: ClusterId, ids: &[MountId]) -> bool {
    ids.iter().any(|m| holders(t, *m).contains(&c))
}

/// What a performance promotion of `promoted` loses when the clusters `lost` are gone:
/// computed over the replication set of `promoted`'s primary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromotionLoss {
    /// Local mounts of the old primary (or of a lost cluster in its set) that the new
    /// primary does not hold: their data is not on the new primary (a surviving DR
    /// secondary of their cluster may still hold it).
    pub local: Vec<MountId>,
    /// Shared mounts that the new primary's paths filter kept away from it: they do not
    /// exist on the new primary, so they end with the old primary.
    pub filtered: Vec<MountId>,
    /// The surviving performance secondaries whose paths filters must be set again on the
    /// new primary once each is attached to it with a new secondary token (API-PERF).
    pub refilter: Vec<ClusterId>,
}

/// The local mounts lost, the filtered mounts missing and the filters to set again when
/// the performance secondary `promoted` becomes the primary after the loss of `lost`.
/// Empty when `promoted` is not a performance secondary.
pub fn lost_on_promotion(
    t: &Topology,
    lost: &BTreeSet<ClusterId>,
    promoted: ClusterId,
) -> PromotionLoss {
    let mut out = PromotionLoss::default();
    if t.role(promoted) != Role::PerformanceSecondary {
        return out;
    }
    let Some((old, _)) = t.upstream(promoted) else {
        return out;
    };
    let set: BTreeSet<ClusterId> = t.replication_set(t.root(old)).into_iter().collect();
    for (id, m) in mounts(t) {
        let on = *m.cluster.get();
        if !set.contains(&on) {
            continue;
        }
        let held = holders(t, id).contains(&promoted);
        if held {
            continue;
        }
        if m.local {
            if lost.contains(&on) {
                out.local.push(id);
            }
        } else if on == old {
            out.filtered.push(id);
        }
    }
    out.refilter = t
        .performance_secondaries(old)
        .into_iter()
        .filter(|s| *s != promoted && !lost.contains(s) && filter(t, *s).is_some())
        .collect();
    out
}

/// The mounts a client uses that cluster `c` does not hold, by the client's paths.
pub fn missing_for_client(t: &Topology, client: crate::ids::ClientId, c: ClusterId) -> Vec<String> {
    t.client(client)
        .mounts
        .iter()
        .filter(|ids| !holds_any(t, c, ids.get()))
        .filter_map(|ids| ids.get().first().map(|m| mount(t, *m).path.get().clone()))
        .collect()
}

/// The regions of the clusters holding a mount's data that its `regions` do not allow,
/// with the clusters in each.
pub fn breaches(t: &Topology, id: MountId) -> Vec<ClusterId> {
    let m = mount(t, id);
    let Some(allowed) = &m.regions else {
        return Vec::new();
    };
    holders(t, id)
        .into_iter()
        .filter(|c| {
            let region = t.region_of(t.site_of(*c));
            !allowed.iter().any(|r| r.as_str() == region)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology(yaml: &str) -> Topology {
        let source = crate::source::Source::new("t.yaml", yaml);
        let v = crate::validate(&source, crate::yaml::Limits::default(), |_| false);
        v.topology.unwrap_or_else(|| panic!("{:#?}", v.findings))
    }

    const GLOBAL: &str = "version: 1
name: t
sites:
  - {name: us, region: amer}
  - {name: eu, region: emea}
clusters:
  - {name: p, site: us, role: primary}
  - {name: p-dr, site: us, role: dr-secondary, replicates_from: p}
  - name: lon
    site: eu
    role: performance-secondary
    replicates_from: p
    paths_filter: {mode: deny, paths: [secret-us/]}
  - {name: lon-dr, site: eu, role: dr-secondary, replicates_from: lon}
mounts:
  - {path: secret-us/, cluster: p, regions: [amer]}
  - {path: shared/, cluster: p}
  - {path: local/, cluster: p, local: true}
  - {path: lon-local/, cluster: lon, local: true}
";

    fn names(t: &Topology, ids: &[ClusterId]) -> Vec<String> {
        ids.iter().map(|c| t.name(*c).to_string()).collect()
    }

    #[test]
    fn placement_follows_filters_and_dr_edges() {
        let t = topology(GLOBAL);
        let h = |i| names(&t, &holders(&t, MountId(i)));
        assert_eq!(h(0), ["p", "p-dr"]);
        assert_eq!(h(1), ["p", "p-dr", "lon", "lon-dr"]);
        assert_eq!(h(2), ["p", "p-dr"]);
        assert_eq!(h(3), ["lon", "lon-dr"]);
        assert!(breaches(&t, MountId(0)).is_empty());
    }

    #[test]
    fn promotion_loses_local_and_filtered_mounts() {
        let t = topology(GLOBAL);
        let lost: BTreeSet<ClusterId> = [ClusterId(0), ClusterId(1)].into();
        let missing = lost_on_promotion(&t, &lost, ClusterId(2));
        assert_eq!(missing.local, [MountId(2)]);
        assert_eq!(missing.filtered, [MountId(0)]);
        assert!(missing.refilter.is_empty());
    }
}
