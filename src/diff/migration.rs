//! The migration runbook: the steps that change the running estate OLD into NEW, in a safe
//! order. Protection first (new DR secondaries before anything else), then planned
//! switchovers (demote the old primary first, as the primary answers: §3 "Which order"),
//! then new secondaries under the new primaries, re-pointed and rebuilt secondaries, client
//! moves, removals (leaves first, so nothing loses its upstream while it still serves), and
//! upgrades last, in the upgrade planner's order ([`crate::upgrade::plan`]).

use std::collections::{BTreeMap, BTreeSet};

use super::Mode;
use super::delta::{Delta, How, Kind, Tag};
use super::runbook::{Book, Command, Effect, Repl, Runbook, state_of};
use crate::graph::Topology;
use crate::spec::Role;

pub(super) type Roles = BTreeMap<String, (Role, Option<String>)>;

fn roles(t: &Topology) -> Roles {
    t.cluster_ids()
        .map(|c| {
            (
                t.name(c).to_string(),
                (t.role(c), t.upstream(c).map(|(u, _)| t.name(u).to_string())),
            )
        })
        .collect()
}

fn depth(t: &Topology, name: &str) -> usize {
    t.cluster_ids()
        .find(|c| t.name(*c) == name)
        .map_or(0, |c| t.depth(c))
}

/// A planned switchover: `from` (a primary) hands the primary role to `to`, its DR or
/// performance secondary.
pub(super) struct Switch {
    pub from: String,
    pub to: String,
    pub kind: Repl,
}

pub(super) struct Plan<'a> {
    pub book: Book<'a>,
    pub old: &'a Topology,
    pub new: &'a Topology,
    pub before: Roles,
    pub after: Roles,
    /// (kind, cluster) pairs whose primary role of that kind is enabled.
    pub primaries: BTreeSet<(Repl, String)>,
    /// Clusters whose steps are written.
    pub done: BTreeSet<String>,
    /// The shell variable of the DR operation token prepared on each primary.
    pub dr_tokens: BTreeMap<String, String>,
    /// Clients whose move is written.
    pub moved: BTreeSet<String>,
    /// Performance secondaries whose NEW paths filter is written (after a new token).
    pub filtered: BTreeSet<String>,
}

/// The runbook that changes `old` into `new`.
pub fn migration(old: &Topology, new: &Topology, delta: &Delta) -> Runbook {
    let mut p = Plan {
        book: Book::new(Some(old), new),
        old,
        new,
        before: roles(old),
        after: roles(new),
        primaries: BTreeSet::new(),
        done: BTreeSet::new(),
        dr_tokens: BTreeMap::new(),
        moved: BTreeSet::new(),
        filtered: BTreeSet::new(),
    };
    for (role, up) in p.before.values() {
        if let (Some(k), Some(up)) = (Repl::of(*role), up) {
            p.primaries.insert((k, up.clone()));
        }
    }
    p.book.push(
        "Before the change: check the replication status and open the new firewall rules".to_string(),
        vec![
            "Every cluster the runbook touches must report a healthy replication status before anything changes: secondaries in `stream-wals`, primaries listing their `known_secondaries` (API-REPL).".to_string(),
            "Open every rule listed under \"Open before the change\" in the network section now: a new secondary unwraps its activation token at its primary's API port and replicates over the cluster port, and a re-pointed one dials its new primary (PERF-ENABLE; TS-CONN). Run every command in the root namespace (leave `VAULT_NAMESPACE` unset).".to_string(),
        ],
        Vec::new(),
        Vec::new(),
    );
    let switches = p.switches();
    p.prepare_tokens(&switches);
    p.mount_exports(delta);
    p.additions(&switches, false);
    for s in &switches {
        p.switchover(s, delta);
    }
    p.additions(&switches, true);
    p.repoints();
    let late = p.early_filters(delta);
    p.mounts(delta, &late, false);
    p.client_moves(delta, None);
    p.late_filters(delta, &late);
    p.mounts(delta, &late, true);
    p.removals();
    p.upgrades(delta);
    p.other_changes(delta);
    p.mount_warnings(delta);
    p.book.push(
        "After the change: close the firewall rules NEW no longer needs".to_string(),
        vec!["Once every step above is done and each secondary reads `stream-wals` again, remove the rules listed under \"Close after the change\" in the network section: nothing in NEW uses them (PORTS).".to_string()],
        Vec::new(),
        Vec::new(),
    );
    let touched: Vec<String> = {
        let mut seen = BTreeSet::new();
        p.book
            .steps
            .iter()
            .flat_map(|s| s.commands.iter().map(|c| c.on.clone()))
            .filter(|n| p.before.contains_key(n) && seen.insert(n.clone()))
            .collect()
    };
    let checks: Vec<Command> = touched
        .iter()
        .map(|n| p.book.vault(n, "read -format=json sys/replication/status"))
        .collect();
    p.book.steps[0].commands = checks;
    let windows = p.book.windows(state_of(old));
    Runbook {
        mode: Mode::Migration,
        steps: p.book.steps,
        windows,
        warnings: p.book.warnings,
    }
}

impl Plan<'_> {
    fn switches(&self) -> Vec<Switch> {
        let mut out = Vec::new();
        for (x, (role, _)) in &self.after {
            let Some((old_role, Some(p))) = self.before.get(x).cloned() else {
                continue;
            };
            if *role != Role::Primary {
                continue;
            }
            let p_was_primary = self.before.get(&p).is_some_and(|r| r.0 == Role::Primary);
            let p_still_primary = self.after.get(&p).is_some_and(|r| r.0 == Role::Primary);
            if let (Some(kind), true, false) = (Repl::of(old_role), p_was_primary, p_still_primary)
            {
                out.push(Switch {
                    from: p,
                    to: x.clone(),
                    kind,
                });
            }
        }
        out
    }

    pub(super) fn token_var(&mut self, primary: &str) -> String {
        if let Some(v) = self.dr_tokens.get(primary) {
            return v.clone();
        }
        let var = format!(
            "DR_OPERATION_TOKEN_{}",
            primary.to_ascii_uppercase().replace('-', "_")
        );
        self.dr_tokens.insert(primary.to_string(), var.clone());
        var
    }

    /// A batch DR operation token on every primary one of whose DR secondaries is promoted
    /// or re-pointed (ENOS-DR's recipe).
    fn prepare_tokens(&mut self, switches: &[Switch]) {
        let mut on: Vec<String> = switches
            .iter()
            .filter(|s| s.kind == Repl::Dr)
            .map(|s| s.from.clone())
            .collect();
        for (x, (role, up)) in &self.after {
            if let (Role::DrSecondary, Some((Role::DrSecondary, Some(old_up)))) =
                (role, self.before.get(x))
                && up.as_ref() != Some(old_up)
                && !switches.iter().any(|s| &s.from == old_up)
                && !on.contains(old_up)
            {
                on.push(old_up.clone());
            }
        }
        for p in on {
            let var = self.token_var(&p);
            let policy = format!(
                "policy write dr-secondary-promotion - <<'EOF'\n{}\nEOF",
                [
                    r#"path "sys/replication/dr/secondary/promote"        { capabilities = [ "update" ] }"#,
                    r#"path "sys/replication/dr/secondary/update-primary" { capabilities = [ "update" ] }"#,
                    r#"path "sys/storage/raft/autopilot/state"            { capabilities = [ "update", "read" ] }"#,
                ]
                .join("\n")
            );
            let commands = vec![
                self.book.vault(&p, &policy),
                self.book.vault(&p, "write auth/token/roles/failover-handler allowed_policies=dr-secondary-promotion orphan=true renewable=false token_type=batch"),
                self.book.capture(&var, &p, "token create -field=token -role=failover-handler -ttl=8h"),
            ];
            self.book.push(
                format!("Prepare a batch DR operation token on `{p}`"),
                vec![
                    format!("Promoting or re-pointing a DR secondary of `{p}` takes a DR operation token. This is HashiCorp's own recipe: an orphan batch token of a role limited to `promote` and `update-primary`, created on `{p}` and accepted by its DR secondaries, which replicate what its verification needs (ENOS-DR; API-DR). The autopilot path is needed only with Integrated Storage."),
                    format!("The token lives 8 hours: run the rest of the runbook within that time, and treat `${var}` like a root token (DR-OPTOK)."),
                ],
                commands,
                Vec::new(),
            );
        }
    }

    pub(super) fn ensure_primary(&mut self, kind: Repl, p: &str) {
        if self.primaries.insert((kind, p.to_string())) {
            self.book.enable_primary(kind, p);
        }
    }

    /// New clusters, upstream first and DR before performance; `late` selects those whose
    /// upstream takes part in a switchover (written after it).
    fn additions(&mut self, switches: &[Switch], late: bool) {
        let mut added: Vec<(usize, Repl, usize, String, String)> = Vec::new();
        for (i, c) in self.new.cluster_ids().enumerate() {
            let name = self.new.name(c).to_string();
            if self.before.contains_key(&name) {
                continue;
            }
            let (Some(kind), Some((u, _))) = (Repl::of(self.new.role(c)), self.new.upstream(c))
            else {
                continue;
            };
            let up = self.new.name(u).to_string();
            let under_switch = switches.iter().any(|s| s.to == up || s.from == up)
                || self
                    .new
                    .ancestors(c)
                    .iter()
                    .any(|a| switches.iter().any(|s| s.to == self.new.name(*a)));
            if under_switch == late {
                added.push((depth(self.new, &name), kind, i, name, up));
            }
        }
        added.sort();
        for (_, kind, _, name, up) in added {
            self.ensure_primary(kind, &up);
            let public_key = super::runbook::public_key(self.new, &name);
            self.book
                .enable_secondary(kind, &name, &up, public_key, Vec::new());
            self.done.insert(name);
        }
    }

    pub(super) fn status_check(&mut self, on: &str, kind: Repl) -> Command {
        self.book.vault(
            on,
            &format!("read -format=json sys/replication/{}/status", kind.path()),
        )
    }
}

impl Plan<'_> {
    /// Clients whose cluster changes: pointed at the new one once it serves.
    pub(super) fn client_moves(&mut self, delta: &Delta, only_to: Option<&str>) {
        for c in &delta.changes {
            if c.kind != Kind::Client || c.how != How::Changed || self.moved.contains(&c.name) {
                continue;
            }
            let Some(f) = c.fields.iter().find(|f| f.name == "cluster") else {
                continue;
            };
            let (Some(from), Some(to)) = (f.old.clone(), f.new.clone()) else {
                continue;
            };
            if only_to.is_some_and(|x| x != to) {
                continue;
            }
            self.moved.insert(c.name.clone());
            let keeps =
                self.after
                    .get(&to)
                    .is_some_and(|(r, _)| *r == Role::Primary)
                    && self.before.get(&to).is_some_and(|(r, u)| {
                        *r == Role::DrSecondary && u.as_deref() == Some(&from)
                    });
            let addr = self
                .book
                .find(&to)
                .and_then(|(t, id)| t.cluster(id).api_addr.as_ref().map(|a| a.get().clone()))
                .map_or_else(
                    || "its `api_addr` (not in the file)".to_string(),
                    |a| format!("`{}`", super::runbook::url(&a.scheme, &a.host, a.port)),
                );
            let tokens = if keeps {
                format!(
                    "`{to}` was `{from}`'s DR secondary and holds its tokens and leases: the clients keep them (REPL-IDX; MULTI)."
                )
            } else {
                format!(
                    "Tokens stay on the cluster that issued them: the clients authenticate again on `{to}` (PERF-DOC; TOKENS)."
                )
            };
            self.book.push(
                format!("Move client `{}` from `{from}` to `{to}`", c.name),
                vec![
                    format!("Point the clients' Vault address (DNS record, load balancer pool or `VAULT_ADDR`) at `{to}`, {addr}. vrt cannot run this for you: it is your DNS or application configuration."),
                    tokens,
                ],
                Vec::new(),
                Vec::new(),
            );
        }
    }

    /// Removed clusters, leaves first: their primary revokes them, then they are shut down.
    pub(super) fn removals(&mut self) {
        let mut gone: Vec<(std::cmp::Reverse<usize>, String)> = self
            .before
            .keys()
            .filter(|n| !self.after.contains_key(*n) && !self.done.contains(*n))
            .map(|n| (std::cmp::Reverse(depth(self.old, n)), n.clone()))
            .collect();
        gone.sort();
        for (_, x) in gone {
            let Some((role, up)) = self.before.get(&x).cloned() else {
                continue;
            };
            let mut commands = Vec::new();
            let text = match (Repl::of(role), up) {
                (Some(k), Some(u)) => {
                    // The upstream still runs here (leaves go first), even if it goes too.
                    if self.before.contains_key(&u) {
                        commands.push(self.book.vault(
                            &u,
                            &format!(
                                "write sys/replication/{}/primary/revoke-secondary id={x}",
                                k.path()
                            ),
                        ));
                    }
                    format!(
                        "`{u}` revokes `{x}` (the `id` it was activated with; vrt's runbooks use the cluster name: check `known_secondaries` in `{u}`'s `sys/replication/{}/status`), which stops replication to it (API-{api}). Then shut `{x}` down and decommission it.",
                        k.path(),
                        api = if k == Repl::Dr { "DR" } else { "PERF" }
                    )
                }
                _ => format!(
                    "`{x}` is a primary that NEW no longer has: its replication set ends with it. Take a snapshot first if its data is still needed, then shut it down and decommission it."
                ),
            };
            self.book.push(
                format!("Remove `{x}`"),
                vec![text],
                commands,
                vec![Effect::Detach(x.clone())],
            );
            self.done.insert(x);
        }
    }

    /// Upgrades in the upgrade planner's order (downstream before upstream).
    pub(super) fn upgrades(&mut self, delta: &Delta) {
        let upgraded: BTreeSet<&str> = delta
            .changes
            .iter()
            .filter(|c| c.kind == Kind::Cluster && c.tags.contains(&Tag::Upgraded))
            .map(|c| c.name.as_str())
            .collect();
        for c in delta
            .changes
            .iter()
            .filter(|c| c.tags.contains(&Tag::Downgraded))
        {
            self.book.warn(format!(
                "`{}` goes to an older Vault version: vrt writes no downgrade steps, and an older cluster cannot replicate from a newer one (UPGRADE)",
                c.name
            ));
        }
        if upgraded.is_empty() {
            return;
        }
        for c in self.new.cluster_ids() {
            let Some(v) = self.new.version(c) else {
                continue;
            };
            if !upgraded.contains(self.new.name(c)) {
                continue;
            }
            for (d, _) in self.new.downstream(c) {
                if self.new.version(d).is_some_and(|dv| dv < v) {
                    self.book.warn(format!(
                        "after the upgrade `{}` runs an older version than `{}`, which it replicates from: \"It is not safe to replicate from a newer version of Vault to an older version\" (UPGRADE; VRT107); upgrade `{}` in the same change",
                        self.new.name(d),
                        self.new.name(c),
                        self.new.name(d)
                    ));
                }
            }
        }
        let plan = match crate::upgrade::plan(self.new) {
            Ok(p) => p,
            Err(e) => {
                self.book.warn(format!("NEW's upgrade order cannot be planned: {e}; upgrade by hand, secondaries first (UPGRADE)"));
                return;
            }
        };
        for set in &plan.sets {
            for wave in &set.waves {
                let names: Vec<String> = wave
                    .clusters
                    .iter()
                    .map(|c| self.new.name(*c).to_string())
                    .filter(|n| upgraded.contains(n.as_str()))
                    .collect();
                if names.is_empty() {
                    continue;
                }
                let mut text = Vec::new();
                let mut commands = Vec::new();
                for n in &names {
                    let versions = delta
                        .cluster(n)
                        .and_then(|c| c.fields.iter().find(|f| f.name == "version"));
                    if let Some(f) = versions {
                        text.push(format!(
                            "Upgrade `{n}` from {} to {}.",
                            f.old.as_deref().unwrap_or("?"),
                            f.new.as_deref().unwrap_or("?")
                        ));
                    }
                    commands.push(self.book.vault(n, "status"));
                    commands.push(
                        self.book
                            .vault(n, "read -format=json sys/replication/status"),
                    );
                }
                text.push(format!(
                    "This wave holds the {}. Upgrade the replication secondaries first and verify each, then the primary (UPGRADE): downstream clusters must never run an older version than their upstream. After each upgrade `vault status` shows the new version and replication returns to `stream-wals` (API-REPL).",
                    wave.stage
                ));
                let title = format!(
                    "Upgrade {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                self.book.push(title, text, commands, Vec::new());
            }
        }
    }

    /// Changes the runbook has no commands for: addresses, load balancers, moved clusters.
    pub(super) fn other_changes(&mut self, delta: &Delta) {
        for c in delta
            .changes
            .iter()
            .filter(|c| c.kind == Kind::Cluster && c.how == How::Changed)
        {
            for f in &c.fields {
                let note = match f.name {
                    "api_addr"
                    | "cluster_addr"
                    | "load_balancer.address"
                    | "load_balancer.cluster_port" => format!(
                        "`{}`'s `{}` changes: its secondaries and clients dial the new address only once it resolves and routes from them; check `known_primary_cluster_addrs` on each secondary after the change (TS-CONN). vrt writes no commands for re-addressing",
                        c.name, f.name
                    ),
                    "site" => format!(
                        "`{}` moves to another site under the same name: vrt treats it as the same running cluster. If it is a new installation, give it a new name so the runbook builds it and removes the old one",
                        c.name
                    ),
                    _ => continue,
                };
                self.book.warn(note);
            }
        }
    }
}
