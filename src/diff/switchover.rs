//! Planned switchovers and re-pointed secondaries of the migration runbook. A switchover
//! hands a replication set's primary role to one of its secondaries while the old primary
//! still answers, so the old primary is demoted first, then the secondary promoted (§3
//! "Which order": GUIDES-LR, PERF-MANAGE; API-DR and API-PERF: never more than one
//! primary). After a DR promotion the set keeps its identity and the performance
//! secondaries are pointed at the new primary's addresses; after a performance promotion
//! every other secondary needs a new secondary token (API-PERF).

use super::migration::{Plan, Switch};
use super::runbook::{Command, Effect, Repl, RiskWindow};
use crate::spec::Role;

/// The first Vault version with `update_primary_addrs` (hashicorp/vault PR #22677).
const ADDRS_SINCE: (u64, u64, u64) = (1, 13, 0);

impl Plan<'_> {
    /// The secondaries of `from` in OLD that replicate from `to` in NEW with the same role.
    fn followers(&self, from: &str, to: &str) -> Vec<(String, Repl)> {
        self.before
            .iter()
            .filter(|(name, (role, up))| {
                name.as_str() != to
                    && up.as_deref() == Some(from)
                    && self
                        .after
                        .get(*name)
                        .is_some_and(|(r, u)| r == role && u.as_deref() == Some(to))
            })
            .filter_map(|(name, (role, _))| Repl::of(*role).map(|k| (name.clone(), k)))
            .collect()
    }

    /// `generate-public-key` on `s`, `secondary-token … secondary_public_key` on `to`,
    /// then `update-primary` on `s` with the DR operation token in `var` (ENOS-DR).
    fn dr_reattach(&mut self, s: &str, to: &str, var: &str) -> Vec<Command> {
        vec![
            self.book.capture(
                "SECONDARY_PUBLIC_KEY",
                s,
                "write -field=secondary_public_key -f sys/replication/dr/secondary/generate-public-key",
            ),
            self.book.capture(
                "ACTIVATION_TOKEN",
                to,
                &format!("write -field=token sys/replication/dr/primary/secondary-token id={s} secondary_public_key=\"$SECONDARY_PUBLIC_KEY\""),
            ),
            self.book.vault(
                s,
                &format!("write sys/replication/dr/secondary/update-primary dr_operation_token=\"${var}\" token=\"$ACTIVATION_TOKEN\""),
            ),
            self.status_check(s, Repl::Dr),
        ]
    }

    /// `secondary-token` on `to`, `update-primary token=…` on the performance secondary `s`.
    fn perf_new_token(&mut self, s: &str, to: &str) -> Vec<Command> {
        vec![
            self.book.capture(
                "ACTIVATION_TOKEN",
                to,
                &format!("write -field=wrapping_token sys/replication/performance/primary/secondary-token id={s}"),
            ),
            self.book.vault(
                s,
                "write sys/replication/performance/secondary/update-primary token=\"$ACTIVATION_TOKEN\"",
            ),
            self.status_check(s, Repl::Performance),
        ]
    }

    #[allow(clippy::too_many_lines)] // one switchover, step by step
    pub(super) fn switchover(&mut self, s: &Switch, delta: &super::delta::Delta) {
        let (p, x) = (s.from.clone(), s.to.clone());
        let k = s.kind;
        let had_perf = self
            .before
            .values()
            .any(|(r, u)| *r == Role::PerformanceSecondary && u.as_deref() == Some(&p));
        let checks = vec![self.status_check(&p, k), self.status_check(&x, k)];
        self.book.push(
            format!("Check that `{x}` has caught up with `{p}`"),
            vec![format!(
                "`{x}` must read `data.state: stream-wals`, its `last_remote_wal` must match `{p}`'s `last_wal`, and `corrupted_merkle_tree` must be `false` before the switchover (API-{}).",
                if k == Repl::Dr { "DR" } else { "PERF" }
            )],
            checks,
            Vec::new(),
        );
        let mut demote = Vec::new();
        if had_perf {
            demote.push(
                self.book
                    .vault(&p, "write -f sys/replication/performance/primary/demote"),
            );
        }
        // A performance switchover moves only the performance primary role: `p` stays the DR
        // primary of its own DR secondaries (HVD-PR: a performance secondary may be a DR
        // primary).
        if k == Repl::Dr {
            demote.push(
                self.book
                    .vault(&p, "write -f sys/replication/dr/primary/demote"),
            );
        }
        let demoted = self.book.push(
            format!("Demote `{p}`"),
            vec![format!(
                "A planned switchover: `{p}` still answers, so it is demoted before `{x}` is promoted, and there is never more than one primary (\"Multiple primaries may result in data loss!\", API-DR; API-PERF; GUIDES-LR; PERF-MANAGE). A demoted primary keeps its cluster ID and connects to no primary (API-DR). From here until `{x}` is promoted, no cluster of the set accepts writes.{}",
                if k == Repl::Performance {
                    " Only its performance role is demoted: it stays the DR primary of its DR secondaries, as a performance secondary may be (HVD-PR)."
                } else {
                    ""
                }
            )],
            demote,
            vec![Effect::Demote(p.clone())],
        );
        let mut promote = match k {
            Repl::Dr => {
                let var = self.token_var(&p);
                format!("write sys/replication/dr/secondary/promote dr_operation_token=\"${var}\"")
            }
            Repl::Performance => {
                "write -f sys/replication/performance/secondary/promote".to_string()
            }
        };
        if let Some(addr) = self.book.lb_cluster_addr(&x) {
            promote.push_str(" primary_cluster_addr=");
            promote.push_str(&addr);
        }
        let commands = vec![
            self.book.vault(&x, &promote),
            self.book
                .vault(&x, "read -format=json sys/replication/status"),
        ];
        let text = match k {
            Repl::Dr => vec![format!(
                "`{x}` becomes the DR primary{}; clients keep their tokens and leases, which `{x}` mirrored (API-DR \"Promote DR secondary\"; REPL-IDX; MULTI).",
                if had_perf {
                    " and, as `{p}` was a performance primary, is \"promoted into that replication set\" as its performance primary"
                } else {
                    ""
                }
            ).replace("{p}", &p)],
            Repl::Performance => vec![format!(
                "`{x}` becomes the performance primary with a normal Vault token (PERF-MANAGE). Its tokens and leases are its own: clients that move to it from `{p}` must authenticate again (REPL-IDX; PERF-MANAGE)."
            )],
        };
        let promoted = self.book.push(
            format!("Promote `{x}` to primary"),
            text,
            commands,
            vec![Effect::Promote(x.clone())],
        );
        self.book.windows.push(RiskWindow {
            cluster: p.clone(),
            from: demoted,
            to: promoted,
            why: format!(
                "from step {demoted} until step {promoted} the replication set of `{p}` has no primary: writes fail and performance secondaries forward none (API-DR)"
            ),
        });
        self.primaries.insert((Repl::Dr, x.clone()));
        if had_perf || k == Repl::Performance {
            self.primaries.insert((Repl::Performance, x.clone()));
        }
        self.done.insert(x.clone());
        // Clients of the demoted primary fail until they reach the new one: move them first.
        self.client_moves(delta, Some(&x));
        for (f, fk) in self.followers(&p, &x) {
            self.follow(&f, fk, &p, &x, k);
        }
        self.old_primary(&p, &x, k, had_perf);
    }

    /// Points a secondary of the old primary `p` at the new primary `x`.
    fn follow(&mut self, f: &str, fk: Repl, p: &str, x: &str, k: Repl) {
        let (commands, text) = match (fk, k) {
            (Repl::Performance, Repl::Dr)
                if self.book.version(f).is_some_and(|v| v.core >= ADDRS_SINCE) =>
            {
                let addr = self.book.advertised(x);
                (
                    vec![
                        self.book.vault(f, &format!("write sys/replication/performance/secondary/update-primary update_primary_addrs={addr}")),
                        self.status_check(f, Repl::Performance),
                    ],
                    format!("After a DR promotion the set keeps its identity: `update_primary_addrs` points `{f}` at `{x}`'s cluster address without a new token (API-PERF; Vault 1.13 and later). If it does not reconnect, use a new `secondary-token` from `{x}` with `update-primary token=…` and set its paths filter again (API-PERF)."),
                )
            }
            (Repl::Performance, _) => {
                let mut commands = self.perf_new_token(f, x);
                let (more, filter) = self.refilter(f, x);
                commands.extend(more);
                (
                    commands,
                    match k {
                        Repl::Performance => format!(
                            "After a performance promotion \"new secondary tokens will need to be issued to other secondaries\" (API-PERF): `{f}` takes one from `{x}`. {filter}"
                        ),
                        Repl::Dr => format!(
                            "The file gives `{f}` no Vault version of 1.13 or later, so it takes a new secondary token from `{x}` instead of `update_primary_addrs` (API-PERF). {filter}"
                        ),
                    },
                )
            }
            (Repl::Dr, _) => {
                let var = self.token_var(p);
                (
                    self.dr_reattach(f, x, &var),
                    format!(
                        "A DR secondary takes `token`, not addresses, with `update-primary`, plus the DR operation token prepared on `{p}` (API-DR; ENOS-DR). The public-key method needs no call to `{x}`'s API (API-DR)."
                    ),
                )
            }
        };
        self.book.push(
            format!("Point `{f}` at `{x}`"),
            vec![text],
            commands,
            vec![Effect::Attach(f.to_string(), fk, x.to_string())],
        );
        self.done.insert(f.to_string());
    }

    /// The old primary's role in NEW, after the switchover.
    fn old_primary(&mut self, p: &str, x: &str, k: Repl, had_perf: bool) {
        let target = self.after.get(p).cloned();
        match target {
            Some((Role::DrSecondary, Some(up))) if up == x && k == Repl::Dr => {
                let var = self.token_var(p);
                let mut commands = Vec::new();
                if had_perf {
                    commands.push(
                        self.book
                            .vault(p, "write -f sys/replication/performance/secondary/disable"),
                    );
                }
                commands.extend(self.dr_reattach(p, x, &var));
                self.book.push(
                    format!("Make `{p}` a DR secondary of `{x}`"),
                    vec![format!(
                        "ENOS-DR's \"point demoted cluster A to the new primary cluster B\": the demoted `{p}` takes an activation token from `{x}` by the public-key method and the DR operation token prepared on it (API-DR).{}",
                        if had_perf {
                            " Its performance role was demoted too, which leaves it a performance secondary with no primary: that role is disabled first, as a cluster cannot be a DR and a performance secondary at once (HVD-PR; API-PERF)."
                        } else {
                            ""
                        }
                    )],
                    commands,
                    vec![Effect::Attach(p.to_string(), Repl::Dr, x.to_string())],
                );
                self.done.insert(p.to_string());
            }
            Some((Role::PerformanceSecondary, Some(up))) if up == x && k == Repl::Performance => {
                let mut commands = self.perf_new_token(p, x);
                let mut text = vec![format!(
                    "The demoted `{p}` is a performance secondary that connects to no primary and keeps its cluster ID (PERF-MANAGE); a new secondary token from `{x}` attaches it (API-PERF)."
                )];
                let (filter, said) = self.refilter(p, x);
                if !filter.is_empty() {
                    commands.extend(filter);
                    text.push(said);
                }
                self.book.push(
                    format!("Make `{p}` a performance secondary of `{x}`"),
                    text,
                    commands,
                    vec![Effect::Attach(
                        p.to_string(),
                        Repl::Performance,
                        x.to_string(),
                    )],
                );
                self.done.insert(p.to_string());
            }
            None => {}
            Some((role, _)) => {
                self.manual(
                    p,
                    &format!(
                        "after the switchover to `{x}`, `{p}` becomes a {} in NEW: vrt generates commands only for making it a {} secondary of `{x}`",
                        role.as_str(),
                        k.word()
                    ),
                );
            }
        }
    }

    /// Secondaries whose upstream changes outside a switchover: same role → `update-primary`;
    /// another kind → rebuilt (disabled, then enabled again, which wipes it).
    pub(super) fn repoints(&mut self) {
        let names: Vec<String> = self.after.keys().cloned().collect();
        for s in names {
            if self.done.contains(&s) {
                continue;
            }
            let (Some((old_role, old_up)), Some((new_role, new_up))) =
                (self.before.get(&s).cloned(), self.after.get(&s).cloned())
            else {
                continue;
            };
            if old_role == new_role && old_up == new_up {
                continue;
            }
            match (Repl::of(old_role), Repl::of(new_role), old_up, new_up) {
                (Some(k1), Some(k2), Some(u1), Some(u2)) if k1 == k2 => self.repoint(&s, k1, &u1, &u2),
                (Some(k1), Some(k2), Some(u1), Some(u2)) => self.rebuild(&s, k1, &u1, k2, &u2),
                _ => self.manual(
                    &s,
                    &format!(
                        "`{s}` changes from {} to {} outside a switchover vrt recognises (a DR or performance secondary taking over from its primary)",
                        old_role.as_str(),
                        new_role.as_str()
                    ),
                ),
            }
        }
    }

    fn other_set(&self, a: &str, b: &str) -> bool {
        let root = |name: &str| {
            self.book
                .find(name)
                .map(|(t, c)| t.name(t.root(c)).to_string())
        };
        root(a) != root(b)
    }

    fn repoint(&mut self, s: &str, k: Repl, u1: &str, u2: &str) {
        self.ensure_primary(k, u2);
        let mut filter = String::new();
        let mut commands = match k {
            Repl::Performance => {
                let mut c = self.perf_new_token(s, u2);
                let (more, text) = self.refilter(s, u2);
                c.extend(more);
                filter = format!(" {text}");
                c
            }
            Repl::Dr => {
                let var = self.token_var(u1);
                self.dr_reattach(s, u2, &var)
            }
        };
        if self.after.contains_key(u1) {
            commands.push(self.book.vault(
                u1,
                &format!(
                    "write sys/replication/{}/primary/revoke-secondary id={s}",
                    k.path()
                ),
            ));
        }
        let mut text = vec![format!(
            "`update-primary` changes `{s}`'s primary with a new activation token from `{u2}` and does not wipe it (API-{api}); `{u1}` then revokes its old secondary id.{}",
            if k == Repl::Performance {
                filter.as_str()
            } else {
                " A DR secondary also needs the DR operation token prepared on its old primary (API-DR)."
            },
            api = if k == Repl::Dr { "DR" } else { "PERF" }
        )];
        if self.other_set(u1, u2) {
            text.push(format!(
                "`{u2}` is in another replication set than `{u1}`: `update-primary` expects the new primary to hold the data `{s}` replicated. If it does not, rebuild `{s}` instead (`{}/secondary/disable`, then `secondary/enable` from `{u2}`, which wipes it; API-{api}).",
                k.path(),
                api = if k == Repl::Dr { "DR" } else { "PERF" }
            ));
        }
        self.book.push(
            format!("Point `{s}` at `{u2}` instead of `{u1}`"),
            text,
            commands,
            vec![Effect::Attach(s.to_string(), k, u2.to_string())],
        );
        self.done.insert(s.to_string());
    }

    fn rebuild(&mut self, s: &str, k1: Repl, u1: &str, k2: Repl, u2: &str) {
        let mut commands = Vec::new();
        if self.before.contains_key(u1) {
            commands.push(self.book.vault(
                u1,
                &format!(
                    "write sys/replication/{}/primary/revoke-secondary id={s}",
                    k1.path()
                ),
            ));
        }
        commands.push(match k1 {
            Repl::Performance => self
                .book
                .vault(s, "write -f sys/replication/performance/secondary/disable"),
            Repl::Dr => self.book.vault(
                s,
                "write sys/replication/dr/secondary/disable dr_operation_token=\"${DR_OPERATION_TOKEN:?}\"",
            ),
        });
        self.book.push(
            format!("Detach `{s}` from `{u1}`"),
            vec![format!(
                "`{s}` changes from a {} secondary to a {} secondary: it leaves `{u1}` (`revoke-secondary`, then its secondary role disabled; API-{api}) and is enabled again below, which wipes it. Disabling replication changes its cluster ID (API-DR; API-PERF).{}",
                k1.word(),
                k2.word(),
                if k1 == Repl::Dr { " Disabling a DR secondary takes a DR operation token (API-DR): set `DR_OPERATION_TOKEN` to one, generated on it from the primary's key shares or prepared on the primary (DR-OPTOK)." } else { "" },
                api = if k1 == Repl::Dr { "DR" } else { "PERF" }
            )],
            commands,
            vec![Effect::Detach(s.to_string())],
        );
        self.ensure_primary(k2, u2);
        let public_key = super::runbook::public_key(self.new, s);
        self.book
            .enable_secondary(k2, s, u2, public_key, Vec::new());
        self.done.insert(s.to_string());
    }

    /// A change vrt writes no commands for: a step that says so, and a warning.
    pub(super) fn manual(&mut self, name: &str, why: &str) {
        self.book
            .warn(format!("{why}; plan the steps for `{name}` by hand"));
        self.book.push(
            format!("Change `{name}` by hand"),
            vec![format!(
                "{why}. vrt writes no commands for it rather than guess: take the endpoints from API-DR and API-PERF (demote, promote, disable, `secondary/enable`), remembering that enabling a secondary wipes it."
            )],
            Vec::new(),
            Vec::new(),
        );
        self.done.insert(name.to_string());
    }
}
