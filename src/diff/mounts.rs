//! The mount part of the delta: mounts added, removed or changed (type, cluster, local,
//! regions), performance secondaries' paths filters added, removed or changed, and where each
//! mount's data lives before and after the change. Placement is [`crate::mounts::holders`]'s,
//! never recomputed here; what each change means is said in prose that cites its source
//! (REPL-IDX for local and shared mounts, API-PERF for paths filters).

use std::collections::{BTreeMap, BTreeSet};

use super::delta::{Change, Field, How, Kind};
use crate::graph::Topology;
use crate::ids::MountId;
use crate::mounts;
use crate::spec::Role;

/// Where one mount's data lives in OLD and in NEW, for a mount whose holders differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The mount: its path, or `path on cluster` when a local path repeats on several
    /// clusters.
    pub mount: String,
    /// The clusters holding its data in OLD (empty: not in OLD), from its cluster outward.
    pub before: Vec<String>,
    /// The clusters holding its data in NEW (empty: not in NEW).
    pub after: Vec<String>,
}

impl Placement {
    /// The clusters that hold the data before and not after.
    pub fn leaves(&self) -> Vec<String> {
        self.before
            .iter()
            .filter(|c| !self.after.contains(c))
            .cloned()
            .collect()
    }

    /// The clusters that hold the data after and not before.
    pub fn reaches(&self) -> Vec<String> {
        self.after
            .iter()
            .filter(|c| !self.before.contains(c))
            .cloned()
            .collect()
    }
}

/// `` `a`, `b` `` (or `none`).
pub(super) fn quoted(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The paths that name more than one mount in OLD or NEW (local mounts of the same path on
/// several clusters): such mounts are keyed by path and cluster.
fn repeated(sides: &[&Topology]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in sides {
        let mut seen = BTreeSet::new();
        for (_, m) in mounts::mounts(t) {
            if !seen.insert(m.path.as_str()) {
                out.insert(m.path.get().clone());
            }
        }
    }
    out
}

/// Every mount of `t` by its key, in file order.
pub(super) fn keyed(t: &Topology, repeated: &BTreeSet<String>) -> Vec<(String, MountId)> {
    mounts::mounts(t)
        .map(|(id, m)| {
            let key = if repeated.contains(m.path.as_str()) {
                format!("{} on {}", m.path.get(), t.name(*m.cluster.get()))
            } else {
                m.path.get().clone()
            };
            (key, id)
        })
        .collect()
}

/// The mount keys of both sides, for the runbook.
pub(super) struct Keys {
    /// OLD's mounts by key.
    pub old: BTreeMap<String, MountId>,
    /// NEW's mounts by key, in file order.
    pub new: Vec<(String, MountId)>,
}

/// Keys both sides' mounts the same way.
pub(super) fn keys(old: Option<&Topology>, new: &Topology) -> Keys {
    let sides: Vec<&Topology> = old.into_iter().chain([new]).collect();
    let rep = repeated(&sides);
    Keys {
        old: old
            .map(|o| keyed(o, &rep).into_iter().collect())
            .unwrap_or_default(),
        new: keyed(new, &rep),
    }
}

fn names(t: &Topology, ids: &[crate::ids::ClusterId]) -> Vec<String> {
    ids.iter().map(|c| t.name(*c).to_string()).collect()
}

/// The holders of a mount by name, in `t`.
pub(super) fn holders(t: &Topology, id: MountId) -> Vec<String> {
    names(t, &mounts::holders(t, id))
}

fn mount_fields(t: &Topology, id: MountId) -> Vec<(&'static str, Option<String>)> {
    let m = mounts::mount(t, id);
    vec![
        ("type", m.kind.as_ref().map(|k| k.get().clone())),
        ("cluster", Some(t.name(*m.cluster.get()).to_string())),
        ("local", Some(m.local.to_string())),
        (
            "regions",
            m.regions.as_ref().map(|r| {
                r.iter()
                    .map(|x| x.get().clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
    ]
}

fn filter_fields(t: &Topology, c: crate::ids::ClusterId) -> Vec<(&'static str, Option<String>)> {
    let Some(f) = mounts::filter(t, c) else {
        return Vec::new();
    };
    vec![
        ("mode", Some(f.mode.get().as_str().to_string())),
        (
            "paths",
            Some(
                f.paths
                    .iter()
                    .map(|p| p.get().clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
    ]
}

fn fields_of(
    how: How,
    was: Vec<(&'static str, Option<String>)>,
    now: Vec<(&'static str, Option<String>)>,
) -> Vec<Field> {
    match how {
        How::Added => now
            .into_iter()
            .filter(|f| f.1.is_some())
            .map(|(name, new)| Field {
                name,
                old: None,
                new,
            })
            .collect(),
        How::Removed => was
            .into_iter()
            .filter(|f| f.1.is_some())
            .map(|(name, old)| Field {
                name,
                old,
                new: None,
            })
            .collect(),
        How::Changed => was
            .into_iter()
            .zip(now)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, b)| Field {
                name: a.0,
                old: a.1,
                new: b.1,
            })
            .collect(),
    }
}

/// What the mount change means, from its fields and its placement.
fn mount_meaning(
    how: How,
    key: &str,
    fields: &[Field],
    place: &Placement,
    new: Option<(&Topology, MountId)>,
) -> Vec<String> {
    let mut out = Vec::new();
    let field = |n: &str| fields.iter().find(|f| f.name == n);
    match how {
        How::Added => {
            let local = field("local").and_then(|f| f.new.as_deref()) == Some("true");
            out.push(format!(
                "`{key}` is a new {} mount: its data will be held by {} ({}).",
                if local { "local" } else { "shared" },
                quoted(&place.after),
                if local {
                    "a local mount replicates only to its cluster's DR secondaries: REPL-IDX"
                } else {
                    "a shared mount replicates to every performance secondary its paths filters let it through to, and to DR secondaries: REPL-IDX; API-PERF"
                }
            ));
        }
        How::Removed => out.push(format!(
            "`{key}` is no longer declared. Its data is on {}; disabling the mount deletes it there, so vrt writes no `vault secrets disable`: disable it yourself once the data is no longer needed.",
            quoted(&place.before)
        )),
        How::Changed => {
            let cluster = field("cluster");
            let local = field("local");
            let on = new.map_or_else(String::new, |(t, id)| {
                t.name(*mounts::mount(t, id).cluster.get()).to_string()
            });
            let leaves = place.leaves();
            let reaches = place.reaches();
            let mut moved = None;
            if follows(fields, &place.before) {
                out.push(format!(
                    "`{key}` stays where it was in the replication set: its cluster becomes `{on}`, which already holds its data (REPL-IDX), so there is nothing to move."
                ));
            } else if let Some(l) = local {
                moved = Some(if l.new.as_deref() == Some("true") {
                    format!("`{key}` becomes local to `{on}`")
                } else {
                    format!("`{key}` becomes a shared mount on `{on}`")
                });
            } else if let Some(c) = cluster {
                moved = Some(format!(
                    "`{key}` moves from `{}` to `{on}`",
                    c.old.as_deref().unwrap_or("?")
                ));
            }
            if let Some(m) = moved {
                let mut s = m;
                if !leaves.is_empty() {
                    s = format!("{s}: its data leaves {}", quoted(&leaves));
                }
                if !reaches.is_empty() {
                    s = format!(
                        "{s}{} its data reaches {}",
                        if leaves.is_empty() { ":" } else { ";" },
                        quoted(&reaches)
                    );
                }
                if local.is_some() {
                    s.push_str(". Whether a mount is local is chosen when it is enabled (`vault secrets enable -local`, REPL-IDX), and vrt cannot move secrets: this is a new mount plus a data migration that is yours to carry out.");
                } else {
                    s.push_str(". A mount lives on the cluster it was enabled on (REPL-IDX), and vrt cannot move secrets: this is a new mount plus a data migration that is yours to carry out.");
                }
                out.push(s);
            } else {
                if !leaves.is_empty() {
                    out.push(format!("`{key}`'s data leaves {}.", quoted(&leaves)));
                }
                if !reaches.is_empty() {
                    out.push(format!("`{key}`'s data now reaches {}.", quoted(&reaches)));
                }
            }
            if let Some(f) = field("type") {
                out.push(format!(
                    "Its type changes ({} → {}): a mount's type is chosen when it is enabled, so vrt writes no command to change it in place.",
                    f.old.as_deref().unwrap_or("unset"),
                    f.new.as_deref().unwrap_or("unset")
                ));
            }
            if let Some(f) = field("regions") {
                out.push(regions_sentence(f, new));
            }
        }
    }
    out
}

/// What a change of `regions` means, with the clusters outside them in NEW.
fn regions_sentence(f: &Field, new: Option<(&Topology, MountId)>) -> String {
    let now = f
        .new
        .as_deref()
        .map_or_else(|| "anywhere".to_string(), |r| format!("only in {r}"));
    let outside = new.map(|(t, id)| names(t, &mounts::breaches(t, id)));
    let breach = match outside {
        Some(o) if !o.is_empty() => format!(
            " In NEW it is held outside them by {} (VRT111 mount-outside-regions).",
            quoted(&o)
        ),
        _ => String::new(),
    };
    format!(
        "Its data may now be stored {now} (was {}): a declaration, with no command to run.{breach}",
        f.old
            .as_deref()
            .map_or_else(|| "anywhere".to_string(), |r| format!("only in {r}"))
    )
}

/// Whether a mount whose `cluster` changes (and not whether it is local) lands on a
/// cluster that already held its data (`before`): a promoted secondary taking over its
/// primary's mounts. Nothing moves then.
pub(super) fn follows(fields: &[Field], before: &[String]) -> bool {
    let cluster = fields.iter().find(|f| f.name == "cluster");
    let local = fields.iter().any(|f| f.name == "local");
    match cluster.and_then(|f| f.new.as_ref()) {
        Some(n) => !local && before.contains(n),
        None => false,
    }
}

/// The performance secondary `s` (by name) in `t`, when it is one.
fn perf_secondary(t: &Topology, s: &str) -> Option<crate::ids::ClusterId> {
    t.cluster_ids()
        .find(|c| t.name(*c) == s && t.role(*c) == Role::PerformanceSecondary)
}

/// What a filter change means: the mounts that stop or start replicating to `s`.
fn filter_meaning(
    s: &str,
    old: Option<&Topology>,
    new: &Topology,
    keys: &Keys,
    places: &BTreeMap<String, Placement>,
) -> Vec<String> {
    let (denied, allowed) = filter_effect(s, old, new, keys);
    let mut out = Vec::new();
    if old.and_then(|o| perf_secondary(o, s)).is_none() {
        // A new performance secondary (or a whole new estate): what the filter keeps away.
        let kept = kept_away(s, new, keys);
        if let Some(sn) = perf_secondary(new, s) {
            out.push(format!(
                "`{s}` is a new performance secondary: its filter keeps {} away from it and its DR secondaries {} (API-PERF; REPL-IDX).",
                quoted(&kept),
                quoted(&names(new, &new.dr_secondaries(sn)))
            ));
        }
        return out;
    }
    let dr = |t: &Topology| {
        perf_secondary(t, s)
            .map(|c| names(t, &t.dr_secondaries(c)))
            .unwrap_or_default()
    };
    let with_dr = |names: Vec<String>| {
        if names.is_empty() {
            format!("`{s}`")
        } else {
            format!(
                "`{s}` and its DR {} {}, which replicate{} what `{s}` holds",
                if names.len() == 1 {
                    "secondary"
                } else {
                    "secondaries"
                },
                quoted(&names),
                if names.len() == 1 { "s" } else { "" }
            )
        }
    };
    if !denied.is_empty() {
        let kept: Vec<String> = denied
            .iter()
            .map(|k| {
                let after = places.get(k).map_or_else(Vec::new, |p| p.after.clone());
                format!("`{k}` stays on {}", quoted(&after))
            })
            .collect();
        out.push(format!(
            "`{s}`'s filter now keeps {} away: Vault stops replicating {} to {} (API-PERF). {}.",
            quoted(&denied),
            if denied.len() == 1 { "it" } else { "them" },
            with_dr(old.map(dr).unwrap_or_default()),
            kept.join("; ")
        ));
        out.push(format!(
            "Data already replicated: the API reference (API-PERF) does not say what becomes of the copy `{s}` already holds; Vault's changelog (1.13.4) describes performance secondaries deleting stored data that their filter excludes. Treat the data as present on `{s}` until you have checked it is gone."
        ));
    }
    if !allowed.is_empty() {
        out.push(format!(
            "`{s}`'s filter now lets {} through: Vault replicates {} to {} (API-PERF; REPL-IDX).",
            quoted(&allowed),
            if allowed.len() == 1 { "it" } else { "them" },
            with_dr(dr(new))
        ));
    }
    out
}

/// The shared mounts (keys) of `s`'s primary in NEW that `s`'s filter keeps away.
fn kept_away(s: &str, new: &Topology, keys: &Keys) -> Vec<String> {
    let Some(sn) = perf_secondary(new, s) else {
        return Vec::new();
    };
    let Some((p, _)) = new.upstream(sn) else {
        return Vec::new();
    };
    keys.new
        .iter()
        .filter(|(_, id)| {
            let m = mounts::mount(new, *id);
            !m.local && *m.cluster.get() == p && !mounts::receives(new, sn, &m.path)
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// The mounts (keys) existing on both sides that the filter change of `s` stops replicating
/// to it, and those (new or not) it now lets through. A new mount a filter keeps away was
/// never on `s`, so it is in neither list.
pub(super) fn filter_effect(
    s: &str,
    old: Option<&Topology>,
    new: &Topology,
    keys: &Keys,
) -> (Vec<String>, Vec<String>) {
    let Some(sn) = perf_secondary(new, s) else {
        return (Vec::new(), Vec::new());
    };
    let Some((p, _)) = new.upstream(sn) else {
        return (Vec::new(), Vec::new());
    };
    let so = old.and_then(|o| perf_secondary(o, s).map(|c| (o, c)));
    let mut denied = Vec::new();
    let mut allowed = Vec::new();
    for (key, id) in &keys.new {
        let m = mounts::mount(new, *id);
        if m.local || *m.cluster.get() != p {
            continue;
        }
        let now = mounts::receives(new, sn, &m.path);
        let was = so.and_then(|(o, c)| {
            let oid = keys.old.get(key)?;
            let om = mounts::mount(o, *oid);
            let shared_from_upstream =
                !om.local && o.upstream(c).is_some_and(|(u, _)| u == *om.cluster.get());
            Some(shared_from_upstream && mounts::receives(o, c, &om.path))
        });
        match (was, now) {
            (Some(true), false) => denied.push(key.clone()),
            (Some(false) | None, true) => allowed.push(key.clone()),
            _ => {}
        }
    }
    (denied, allowed)
}

/// The mount and paths-filter changes between OLD (`None`: empty) and NEW, and the
/// placement of every mount whose holders differ.
pub fn compare(old: Option<&Topology>, new: &Topology) -> (Vec<Change>, Vec<Placement>) {
    let keys = keys(old, new);
    let mut places: BTreeMap<String, Placement> = BTreeMap::new();
    let mut order = Vec::new();
    for (key, id) in &keys.new {
        let before = old
            .zip(keys.old.get(key))
            .map(|(o, oid)| holders(o, *oid))
            .unwrap_or_default();
        order.push(key.clone());
        places.insert(
            key.clone(),
            Placement {
                mount: key.clone(),
                before,
                after: holders(new, *id),
            },
        );
    }
    if let Some(o) = old {
        for (key, oid) in &keys.old {
            if !places.contains_key(key) {
                order.push(key.clone());
                places.insert(
                    key.clone(),
                    Placement {
                        mount: key.clone(),
                        before: holders(o, *oid),
                        after: Vec::new(),
                    },
                );
            }
        }
    }
    let mut changes = Vec::new();
    for key in &order {
        let Some(place) = places.get(key) else {
            continue;
        };
        let new_id = keys.new.iter().find(|(k, _)| k == key).map(|(_, id)| *id);
        let old_id = keys.old.get(key).copied();
        let (how, was, now) = match (old.zip(old_id), new_id) {
            (Some((o, oid)), Some(nid)) => {
                (How::Changed, mount_fields(o, oid), mount_fields(new, nid))
            }
            (None, Some(nid)) => (How::Added, Vec::new(), mount_fields(new, nid)),
            (Some((o, oid)), None) => (How::Removed, mount_fields(o, oid), Vec::new()),
            (None, None) => continue,
        };
        let fields = fields_of(how, was, now);
        if how == How::Changed && fields.is_empty() {
            continue;
        }
        let meaning = mount_meaning(how, key, &fields, place, new_id.map(|id| (new, id)));
        changes.push(Change {
            kind: Kind::Mount,
            name: key.clone(),
            how,
            tags: Vec::new(),
            fields,
            meaning,
        });
    }
    changes.extend(filter_changes(old, new, &keys, &places));
    let placement = order
        .into_iter()
        .filter_map(|k| places.remove(&k))
        .filter(|p| {
            let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
            set(&p.before) != set(&p.after)
        })
        .collect();
    (changes, placement)
}

fn filter_changes(
    old: Option<&Topology>,
    new: &Topology,
    keys: &Keys,
    places: &BTreeMap<String, Placement>,
) -> Vec<Change> {
    let with_filter = |t: &Topology| -> Vec<String> {
        t.cluster_ids()
            .filter(|c| mounts::filter(t, *c).is_some())
            .map(|c| t.name(c).to_string())
            .collect()
    };
    let find = |t: &Topology, n: &str| t.cluster_ids().find(|c| t.name(*c) == n);
    let mut out = Vec::new();
    let before: Vec<String> = old.map(with_filter).unwrap_or_default();
    for s in with_filter(new) {
        let now = find(new, &s)
            .map(|c| filter_fields(new, c))
            .unwrap_or_default();
        let (how, was) = match old.and_then(|o| find(o, &s).map(|c| (o, c))) {
            Some((o, c)) if mounts::filter(o, c).is_some() => (How::Changed, filter_fields(o, c)),
            _ => (How::Added, Vec::new()),
        };
        let fields = fields_of(how, was, now);
        if how == How::Changed && fields.is_empty() {
            continue;
        }
        out.push(Change {
            kind: Kind::PathsFilter,
            meaning: filter_meaning(&s, old, new, keys, places),
            name: s,
            how,
            tags: Vec::new(),
            fields,
        });
    }
    if let Some(o) = old {
        for s in before {
            if find(new, &s).is_some_and(|c| mounts::filter(new, c).is_some()) {
                continue;
            }
            let was = find(o, &s).map(|c| filter_fields(o, c)).unwrap_or_default();
            let meaning = if perf_secondary(new, &s).is_some() {
                filter_meaning(&s, old, new, keys, places)
            } else {
                vec![format!(
                    "`{s}` is no longer a performance secondary in NEW, so it has no paths filter."
                )]
            };
            out.push(Change {
                kind: Kind::PathsFilter,
                name: s,
                how: How::Removed,
                tags: Vec::new(),
                fields: fields_of(How::Removed, was, Vec::new()),
                meaning,
            });
        }
    }
    out
}

/// What a change of a client's mounts means: for each mount it starts using, whether its
/// cluster in NEW holds the data.
pub fn client_meaning(new: &Topology, client: &str, added: &[String]) -> Vec<String> {
    let Some(id) = (0..new.model.clients.len())
        .map(crate::ids::ClientId)
        .find(|c| new.client(*c).name.as_str() == client)
    else {
        return Vec::new();
    };
    let cluster = *new.client(id).cluster.get();
    let missing = mounts::missing_for_client(new, id, cluster);
    added
        .iter()
        .map(|p| {
            if missing.contains(p) {
                format!(
                    "`{client}` now uses `{p}`, which `{}` does not hold: it finds nothing there (VRT112 client-mount-not-on-cluster).",
                    new.name(cluster)
                )
            } else {
                format!(
                    "`{client}` now uses `{p}`, which `{}` holds.",
                    new.name(cluster)
                )
            }
        })
        .collect()
}
