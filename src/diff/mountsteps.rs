//! The runbook steps for mounts and paths filters, for both runbooks.
//!
//! A paths filter is set on the performance primary with
//! `sys/replication/performance/primary/paths-filter/:id`, where `:id` is the secondary's
//! `cluster_id` from its replication status (API-PERF); the runbook reads it into
//! `$CLUSTER_ID_<NAME>` on the secondary, as the failover runbooks do. Order in a migration:
//! filters that only let data through run before the new mounts and before the clients that
//! need them move; filters that keep existing data away run after the client moves, each
//! behind a residency check; a new shared mount that such a filter must keep away is enabled
//! only after it. The bootstrap sets every filter before any mount exists, so no filtered
//! mount's data ever reaches a secondary it must not.

use std::collections::BTreeSet;

use super::delta::{Change, Delta, How, Kind};
use super::migration::Plan;
use super::mounts::{self as dm, quoted};
use super::runbook::{Book, Command};
use crate::graph::Topology;
use crate::ids::{ClusterId, MountId};
use crate::mounts;
use crate::spec::Role;
use crate::text::shell_word;

/// `NAME` in shell-variable form: upper case, anything else than letters and digits `_`.
fn var_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_matches('_')
        .to_string()
}

/// `vault secrets enable` (or `vault auth enable`) of a mount on its cluster, `-local` for a
/// local one (REPL-IDX).
pub(super) fn enable_command(book: &mut Book<'_>, t: &Topology, id: MountId) -> Command {
    let m = mounts::mount(t, id);
    let on = t.name(*m.cluster.get()).to_string();
    let local = if m.local { " -local" } else { "" };
    let path = m.path.trim_end_matches('/');
    let kind = match &m.kind {
        Some(k) => shell_word(k.strip_prefix("auth/").unwrap_or(k)),
        None => {
            let var = format!("MOUNT_TYPE_{}", var_part(path));
            book.warn(format!(
                "the file gives no `type` for mount `{}`: its enable command reads it from `${var}` and stops until it is set; add `type` to the mount to have it filled in",
                m.path.get()
            ));
            format!("\"${{{var}:?}}\"")
        }
    };
    let (verb, path) = if m.is_auth() {
        ("auth", path.strip_prefix("auth/").unwrap_or(path))
    } else {
        ("secrets", path)
    };
    if path.contains('/') {
        book.warn(format!(
            "mount `{}` has a path of several segments: the runbook enables it as written in the root namespace; if its first segments are a namespace, run its command with `-namespace=` set to that namespace instead",
            m.path.get()
        ));
    }
    book.vault(
        &on,
        &format!("{verb} enable{local} -path={} {kind}", shell_word(path)),
    )
}

/// `$CLUSTER_ID_<S>`, and the command reading it on the performance secondary `s`.
fn cluster_id(book: &mut Book<'_>, t: &Topology, s: ClusterId) -> (String, Command) {
    let var = format!("CLUSTER_ID_{}", var_part(t.name(s)));
    let read = book.capture(
        &var,
        t.name(s),
        "read -field=cluster_id sys/replication/performance/status",
    );
    (var, read)
}

/// Writes (or, without a filter in `t`, deletes) the paths filter of `s` on its primary,
/// then reads it back.
fn filter_commands(book: &mut Book<'_>, t: &Topology, s: ClusterId, var: &str) -> Vec<Command> {
    let Some((p, _)) = t.upstream(s) else {
        return Vec::new();
    };
    let p = t.name(p).to_string();
    let at = format!("sys/replication/performance/primary/paths-filter/\"${var}\"");
    let write = match mounts::filter(t, s) {
        Some(f) if !f.paths.is_empty() => {
            let paths: Vec<String> = f
                .paths
                .iter()
                .map(|x| format!("paths={}", shell_word(x)))
                .collect();
            book.vault(
                &p,
                &format!(
                    "write {at} mode={} {}",
                    f.mode.get().as_str(),
                    paths.join(" ")
                ),
            )
        }
        Some(f) => book.vault(
            &p,
            &format!(
                "write {at} - <<'EOF'\n{{\"mode\": \"{}\", \"paths\": []}}\nEOF",
                f.mode.get().as_str()
            ),
        ),
        None => book.vault(&p, &format!("delete {at}")),
    };
    let read = book.vault(&p, &format!("read -format=json {at}"));
    vec![write, read]
}

/// The title of the step that sets or deletes a paths filter.
fn filter_step_title(c: &Change) -> String {
    let verb = if c.how == How::Removed {
        "Delete"
    } else {
        "Set"
    };
    format!("{verb} the paths filter of `{}`", c.name)
}

/// The filter's text: where it is set and what `:id` is.
fn filter_text(t: &Topology, id: ClusterId) -> String {
    let p = t
        .upstream(id)
        .map_or_else(String::new, |(p, _)| t.name(p).to_string());
    let s = t.name(id);
    match mounts::filter(t, id) {
        Some(f) => format!(
            "The filter of `{s}` is set on its primary `{p}`: mode `{}`, paths {}. Its `:id` is `{s}`'s `cluster_id` from its replication status, read into the variable first (API-PERF \"Create paths filter\"). Reading it back returns the mode and paths just written (API-PERF \"Read paths filter\").",
            f.mode.get().as_str(),
            quoted(&f.paths.iter().map(|x| x.get().clone()).collect::<Vec<_>>())
        ),
        None => format!(
            "NEW gives `{s}` no paths filter: delete it on its primary `{p}`, by `{s}`'s `cluster_id` from its replication status (API-PERF \"Delete paths filter\"); every shared mount of `{p}` then replicates to `{s}`. Reading it back returns an empty body."
        ),
    }
}

fn perf_secondary(t: &Topology, name: &str) -> Option<ClusterId> {
    t.cluster_ids()
        .find(|c| t.name(*c) == name && t.role(*c) == Role::PerformanceSecondary)
}

/// The bootstrap's mount steps: every paths filter, then every mount, cluster by cluster.
pub(super) fn bootstrap(book: &mut Book<'_>, t: &Topology) {
    let keys = dm::keys(None, t);
    for s in t.cluster_ids() {
        if mounts::filter(t, s).is_none() || t.role(s) != Role::PerformanceSecondary {
            continue;
        }
        let (var, read) = cluster_id(book, t, s);
        let mut commands = vec![read];
        commands.extend(filter_commands(book, t, s, &var));
        book.push(
            format!("Set the paths filter of `{}`", t.name(s)),
            vec![
                filter_text(t, s),
                "Filters are set before any mount is enabled, so the data of a mount a filter keeps away never reaches that secondary (API-PERF).".to_string(),
            ],
            commands,
            Vec::new(),
        );
    }
    let mut clusters: Vec<ClusterId> = Vec::new();
    for (_, m) in mounts::mounts(t) {
        if !clusters.contains(m.cluster.get()) {
            clusters.push(*m.cluster.get());
        }
    }
    for c in clusters {
        let ids: Vec<(String, MountId)> = keys
            .new
            .iter()
            .filter(|(_, id)| *mounts::mount(t, *id).cluster.get() == c)
            .cloned()
            .collect();
        let mut text = vec![format!(
            "Enable the mounts declared on `{}`. A local mount (`-local`) replicates only to its cluster's DR secondaries; a shared one to every performance secondary its paths filter lets it through to, and to DR secondaries (REPL-IDX; API-PERF).",
            t.name(c)
        )];
        let mut commands = Vec::new();
        for (key, id) in &ids {
            text.push(format!(
                "`{key}`: held by {}.",
                quoted(&dm::holders(t, *id))
            ));
            commands.push(enable_command(book, t, *id));
        }
        book.push(
            format!("Enable the mounts of `{}`", t.name(c)),
            text,
            commands,
            Vec::new(),
        );
    }
}

impl Plan<'_> {
    /// After the performance secondary `s` takes a new secondary token from `x`: the
    /// commands setting its NEW paths filter on `x` (none without one), and the sentence
    /// saying so. Filters must be re-created after `update-primary` with a new token
    /// (API-PERF).
    pub(super) fn refilter(&mut self, s: &str, x: &str) -> (Vec<Command>, String) {
        let t = self.new;
        let sid =
            perf_secondary(t, s).filter(|c| t.upstream(*c).is_some_and(|(u, _)| t.name(u) == x));
        let Some(sid) = sid.filter(|c| mounts::filter(t, *c).is_some()) else {
            return (
                Vec::new(),
                format!(
                    "The file gives `{s}` no paths filter, so there is none to set again on `{x}` (a filter set outside the file must be re-created after `update-primary` with a new token: API-PERF)."
                ),
            );
        };
        let (var, read) = cluster_id(&mut self.book, t, sid);
        let mut commands = vec![read];
        commands.extend(filter_commands(&mut self.book, t, sid, &var));
        self.filtered.insert(s.to_string());
        (
            commands,
            format!(
                "Its paths filter is then set again on `{x}`: filters must be re-created after `update-primary` with a new token (API-PERF). {}",
                filter_text(t, sid)
            ),
        )
    }

    fn mount_keys(&self) -> dm::Keys {
        dm::keys(Some(self.old), self.new)
    }

    /// The filter changes of clusters that are performance secondaries in NEW, with whether
    /// each keeps existing data away (those run late).
    fn filter_changes<'d>(&self, delta: &'d Delta) -> Vec<(&'d Change, Vec<String>, bool)> {
        let keys = self.mount_keys();
        delta
            .changes
            .iter()
            .filter(|c| c.kind == Kind::PathsFilter && !self.filtered.contains(&c.name))
            .filter(|c| perf_secondary(self.new, &c.name).is_some())
            .map(|c| {
                let (denied, _) = dm::filter_effect(&c.name, Some(self.old), self.new, &keys);
                let late = !denied.is_empty();
                (c, denied, late)
            })
            .collect()
    }

    /// Filters that keep no existing data away: before the new mounts and the client moves.
    /// Returns the secondaries whose filters run late.
    pub(super) fn early_filters(&mut self, delta: &Delta) -> BTreeSet<String> {
        let mut late = BTreeSet::new();
        let keys = self.mount_keys();
        for (c, _, is_late) in self.filter_changes(delta) {
            if is_late {
                late.insert(c.name.clone());
                continue;
            }
            let Some(s) = perf_secondary(self.new, &c.name) else {
                continue;
            };
            let (var, read) = cluster_id(&mut self.book, self.new, s);
            let mut commands = vec![read];
            commands.extend(filter_commands(&mut self.book, self.new, s, &var));
            let mut text = vec![filter_text(self.new, s)];
            text.extend(c.meaning.iter().cloned());
            if !self.before.contains_key(&c.name) {
                // A new secondary received every shared mount between its enable and now.
                let sn = self.new;
                let leaked: Vec<String> = keys
                    .new
                    .iter()
                    .filter(|(k, id)| {
                        let m = mounts::mount(sn, *id);
                        keys.old.contains_key(k)
                            && !m.local
                            && sn.upstream(s).is_some_and(|(p, _)| p == *m.cluster.get())
                            && !mounts::receives(sn, s, &m.path)
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                if !leaked.is_empty() {
                    let w = format!(
                        "`{}` replicates every shared mount from the moment it is enabled until its paths filter is set, since the filter's `:id` is its `cluster_id`, known only once it is enabled (API-PERF): {} reach it in between. If that is not acceptable, enable it before those mounts hold data, or set the filter with the primary's UI when generating its secondary token",
                        c.name,
                        quoted(&leaked)
                    );
                    text.push(format!("{w}."));
                    self.book.warn(w);
                }
            }
            self.book
                .push(filter_step_title(c), text, commands, Vec::new());
        }
        late
    }

    /// Filters that keep existing data away: after the client moves, each behind a
    /// residency check.
    pub(super) fn late_filters(&mut self, delta: &Delta, late: &BTreeSet<String>) {
        for (c, denied, _) in self.filter_changes(delta) {
            if !late.contains(&c.name) {
                continue;
            }
            let Some(s) = perf_secondary(self.new, &c.name) else {
                continue;
            };
            let Some((p, _)) = self.new.upstream(s) else {
                continue;
            };
            let p = self.new.name(p).to_string();
            let (var, read) = cluster_id(&mut self.book, self.new, s);
            let at = format!("sys/replication/performance/primary/paths-filter/\"${var}\"");
            let current = self.book.vault(&p, &format!("read -format=json {at}"));
            let held = self.book.vault(&c.name, "secrets list -format=json");
            let placement: Vec<String> = denied
                .iter()
                .filter_map(|k| {
                    delta
                        .placement
                        .iter()
                        .find(|x| &x.mount == k)
                        .map(|x| format!("`{k}` stays on {}", quoted(&x.after)))
                })
                .collect();
            self.book.push(
                format!("Check the residency of what `{}`'s filter removes", c.name),
                vec![
                    format!(
                        "The next step keeps {} away from `{}`. Before it runs, check that no client of `{}` still needs {}: clients that move away in this change have moved in the steps above, and NEW reports VRT112 for any that still uses it there. The data stays where NEW wants it: {}.",
                        quoted(&denied),
                        c.name,
                        c.name,
                        if denied.len() == 1 { "it" } else { "them" },
                        if placement.is_empty() { "see the placement section".to_string() } else { placement.join("; ") }
                    ),
                    format!(
                        "Read the filter in force on `{p}` (an empty body: none) and the mounts `{}` lists now (API-PERF \"Read paths filter\").",
                        c.name
                    ),
                ],
                vec![read, current, held],
                Vec::new(),
            );
            let commands = filter_commands(&mut self.book, self.new, s, &var);
            let mut text = vec![filter_text(self.new, s)];
            text.extend(c.meaning.iter().cloned());
            self.book
                .push(filter_step_title(c), text, commands, Vec::new());
        }
    }

    /// The mounts that move (cluster or locality), with the cluster their data is on in OLD.
    fn moves(&self, delta: &Delta) -> Vec<(String, String)> {
        let keys = self.mount_keys();
        delta
            .changes
            .iter()
            .filter(|c| c.kind == Kind::Mount && c.how == How::Changed)
            .filter(|c| {
                c.fields
                    .iter()
                    .any(|f| f.name == "cluster" || f.name == "local")
            })
            .filter_map(|c| {
                let id = keys.old.get(&c.name)?;
                let held = dm::holders(self.old, *id);
                if dm::follows(&c.fields, &held) {
                    return None;
                }
                let on = self.old.name(*mounts::mount(self.old, *id).cluster.get());
                Some((c.name.clone(), on.to_string()))
            })
            .collect()
    }

    /// Before anything changes: the data of every mount that moves is copied out, while its
    /// old cluster still holds it (a switchover or a re-pointing later in the runbook may
    /// leave it without the mount).
    pub(super) fn mount_exports(&mut self, delta: &Delta) {
        for (key, on) in self.moves(delta) {
            self.book.push(
                format!("Copy the data of mount `{key}` out of `{on}`"),
                vec![format!(
                    "`{key}` moves in this change, and vrt cannot move secrets: copy its data out of `{on}` now, before any replication change, with your own tooling (for a KV mount, read every secret under it). Keep the old mount enabled: its clients still use it, and the step \"Move mount `{key}`\" below enables the new one (REPL-IDX)."
                )],
                Vec::new(),
                Vec::new(),
            );
        }
    }

    /// New mounts and mounts that change cluster or locality; `deferred` selects those a
    /// late filter must keep away from a secondary (enabled after it).
    pub(super) fn mounts(&mut self, delta: &Delta, late: &BTreeSet<String>, deferred: bool) {
        let keys = self.mount_keys();
        let t = self.new;
        let mut fresh: Vec<(ClusterId, String, MountId)> = Vec::new();
        for c in delta.changes.iter().filter(|c| c.kind == Kind::Mount) {
            let moved = c.how == How::Changed
                && c.fields
                    .iter()
                    .any(|f| f.name == "cluster" || f.name == "local");
            let held_before = keys
                .old
                .get(&c.name)
                .map(|id| dm::holders(self.old, *id))
                .unwrap_or_default();
            if c.how != How::Added && (!moved || dm::follows(&c.fields, &held_before)) {
                continue;
            }
            let Some((_, id)) = keys.new.iter().find(|(k, _)| *k == c.name) else {
                continue;
            };
            let m = mounts::mount(t, *id);
            let on = *m.cluster.get();
            let waits = !m.local
                && t.performance_secondaries(on)
                    .into_iter()
                    .any(|s| late.contains(t.name(s)) && !mounts::receives(t, s, &m.path));
            if waits != deferred {
                continue;
            }
            if moved {
                let command = enable_command(&mut self.book, t, *id);
                let was_on = c
                    .fields
                    .iter()
                    .find(|f| f.name == "cluster")
                    .and_then(|f| f.old.clone())
                    .unwrap_or_else(|| t.name(on).to_string());
                let mut text = c.meaning.clone();
                text.push(format!(
                    "With the data of `{}` copied out of `{was_on}` (the step at the start of the runbook), disable the old mount on `{was_on}` yourself if it still exists (`vault secrets disable` deletes its data on every cluster that holds it), which frees the path; enable the new mount below on `{}`; write the data back. Its clients find nothing between the disable and the write-back.",
                    c.name,
                    t.name(on)
                ));
                if deferred {
                    text.push(deferred_text(t, on, late));
                }
                self.book.warn(format!(
                    "mount `{}` changes cluster or locality: vrt writes the new mount's enable command, and moving its data is yours (REPL-IDX)",
                    c.name
                ));
                self.book.push(
                    format!("Move mount `{}` to `{}`", c.name, t.name(on)),
                    text,
                    vec![command],
                    Vec::new(),
                );
            } else {
                fresh.push((on, c.name.clone(), *id));
            }
        }
        let mut clusters: Vec<ClusterId> = fresh.iter().map(|(c, _, _)| *c).collect();
        clusters.dedup();
        let mut seen = BTreeSet::new();
        for on in clusters {
            if !seen.insert(on) {
                continue;
            }
            let mut text = vec![format!(
                "Enable the new mounts of `{}`. A local mount (`-local`) replicates only to its cluster's DR secondaries; a shared one to every performance secondary its paths filter lets it through to, and to DR secondaries (REPL-IDX; API-PERF).",
                t.name(on)
            )];
            let mut commands = Vec::new();
            for (_, key, id) in fresh.iter().filter(|(c, _, _)| *c == on) {
                text.push(format!(
                    "`{key}`: held by {}.",
                    quoted(&dm::holders(t, *id))
                ));
                commands.push(enable_command(&mut self.book, t, *id));
            }
            if deferred {
                text.push(deferred_text(t, on, late));
            }
            self.book.push(
                format!("Enable the new mounts of `{}`", t.name(on)),
                text,
                commands,
                Vec::new(),
            );
        }
    }

    /// What the runbook leaves to the operator: removed mounts and type changes.
    pub(super) fn mount_warnings(&mut self, delta: &Delta) {
        for c in delta.changes.iter().filter(|c| c.kind == Kind::Mount) {
            if c.how == How::Removed {
                self.book.warn(format!(
                    "mount `{}` is no longer declared: vrt writes no `vault secrets disable`, which deletes its data on every cluster that holds it; disable it yourself once its data is no longer needed",
                    c.name
                ));
            }
            if c.how == How::Changed && c.fields.iter().any(|f| f.name == "type") {
                self.book.warn(format!(
                    "mount `{}` changes type: a mount's type is chosen when it is enabled, so vrt writes no command for it; enable a new mount of the new type and migrate the data yourself",
                    c.name
                ));
            }
        }
    }
}

fn deferred_text(t: &Topology, on: ClusterId, late: &BTreeSet<String>) -> String {
    let after: Vec<String> = t
        .performance_secondaries(on)
        .into_iter()
        .map(|s| t.name(s).to_string())
        .filter(|s| late.contains(s))
        .collect();
    format!(
        "This runs after the paths filters of {} are in place, so the new data never reaches them (API-PERF); clients that use it get it only from here on.",
        quoted(&after)
    )
}
