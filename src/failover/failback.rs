//! The runbook's later steps, once the lost clusters are back: fail back (re-attach or rebuild
//! each replaced cluster as a DR secondary of its replacement) and bring the other lost
//! clusters back into service.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Builder;
use super::decide::Promotion;
use super::plan::{AfterCluster, AfterRole, Paragraph, Phase, Recovery, RecoveryPath};
use super::prose::{client_names, quoted};
use crate::ids::ClusterId;
use crate::spec::Role;

impl Builder<'_> {
    pub(super) fn later(&mut self, after: &[AfterCluster], fenced: &BTreeMap<ClusterId, usize>) {
        let t = self.t;
        let lost: Vec<ClusterId> = self
            .order
            .iter()
            .copied()
            .filter(|c| self.d.is_lost(*c))
            .collect();
        for l in lost {
            if let Some((r, how)) = self.d.replacement(l) {
                let step = fenced.get(&l).copied().unwrap_or(0);
                match how {
                    Promotion::Dr => self.failback_dr(l, r, step),
                    Promotion::Performance => self.failback_perf(l, r, step, after),
                }
                continue;
            }
            if t.role(l) == Role::DrSecondary {
                self.returning_dr(l);
            } else if let Some(rec) = self.d.recoveries.iter().find(|x| x.lost == l).cloned()
                && rec.path == RecoveryPath::ClientsMove
            {
                self.returning_perf(l, &rec);
            }
        }
    }

    fn version_trap(&self, old: ClusterId, new: ClusterId) -> Option<String> {
        let t = self.t;
        match (t.version(old), t.version(new)) {
            (Some(o), Some(n)) if o < n => Some(format!(
                "{} runs {o}, older than {} ({n}): it cannot replicate from it until it is upgraded to {n} or later (UPGRADE: \"It is not safe to replicate from a newer version of Vault to an older version\").",
                quoted(t, old),
                quoted(t, new)
            )),
            _ => None,
        }
    }

    fn failback_dr(&mut self, l: ClusterId, d: ClusterId, fence_step: usize) {
        let t = self.t;
        if t.role(l) != Role::Primary {
            self.rebuild_replaced_secondary(l, d);
            return;
        }
        let var = self.token_var(l);
        let commands = self.reattach_commands(
            l,
            d,
            &format!(
                "write sys/replication/dr/secondary/update-primary dr_operation_token=\"${var}\" token=\"$ACTIVATION_TOKEN\""
            ),
        );
        let mut text = vec![
            format!(
                "Once {} is demoted (step {fence_step}), and after a failure once it is also repaired, make it a DR secondary of {}: ENOS-DR's \"point demoted cluster A to the new primary cluster B\". The public-key method needs only the cluster port between them, no call to {}'s API (API-DR; PERF-ENABLE); `secondary-token` takes a Vault token with `sudo` there (API-DR).",
                quoted(t, l),
                quoted(t, d),
                quoted(t, d)
            ),
            format!(
                "`${var}` is the batch token prepared in step {} (ENOS-DR uses the same token here); if it has expired, generate a DR operation token on {} from key shares (DR-OPTOK; on Vault 2.x that needs a Vault token, else BREAKGLASS).",
                self.prepared.get(&l).copied().unwrap_or(0),
                quoted(t, l)
            ),
            format!(
                "Verify that data replicates: on {}, `data.secondaries` lists {} with `connection_status` `connected` (API-DR; ENOS-DR). To make {} the {} again later (the planned failback), update the topology file and run `vrt switchover FILE --to` with its name: the same steps in the other direction (GUIDES-LR).",
                quoted(t, d),
                quoted(t, l),
                quoted(t, l),
                if t.role(l) == Role::Primary {
                    "primary"
                } else {
                    "performance secondary"
                }
            ),
        ];
        if let Some(w) = self.version_trap(l, d) {
            text.insert(1, w);
        }
        self.push(
            Phase::Later,
            format!(
                "Re-attach {} as a DR secondary of {} (failback)",
                quoted(t, l),
                quoted(t, d)
            ),
            text,
            commands,
        );
    }

    /// A performance secondary replaced by its own DR secondary: HashiCorp documents no way
    /// to fence it and fail it back, so it is rebuilt as a DR secondary of its replacement.
    fn rebuild_replaced_secondary(&mut self, l: ClusterId, d: ClusterId) {
        let t = self.t;
        let mut commands = self.reattach_commands(
            l,
            d,
            "write sys/replication/dr/secondary/enable token=\"$ACTIVATION_TOKEN\"",
        );
        commands[0].comment = Some("once reinstalled".to_string());
        let mut text = vec![
            Paragraph::labelled(
                "Undocumented by HashiCorp",
                format!(
                    "no HashiCorp page describes fencing or failing back a performance secondary that its own DR secondary replaced. {} took over with {}'s secondary token (API-DR), so {} must not return to service as it was: it would connect to the performance primary as the same secondary. vrt therefore prefers a rebuild, which uses only documented steps: keep {} stopped, reinstall it, and enable it as a DR secondary of {}; enabling \"will immediately clear all data in the secondary cluster\" (API-DR).",
                    quoted(t, d),
                    quoted(t, l),
                    quoted(t, l),
                    quoted(t, l),
                    quoted(t, d)
                ),
            ),
            Paragraph::from(format!(
                "Verify that data replicates: on {}, `data.secondaries` lists {} with `connection_status` `connected`, and on {} `data.dr.state` reaches `stream-wals` (API-DR; API-REPL).",
                quoted(t, d),
                quoted(t, l),
                quoted(t, l)
            )),
        ];
        if let Some(w) = self.version_trap(l, d) {
            text.insert(1, Paragraph::from(w));
        }
        self.push(
            Phase::Later,
            format!(
                "Rebuild {} as a DR secondary of {} (failback)",
                quoted(t, l),
                quoted(t, d)
            ),
            text,
            commands,
        );
    }

    fn failback_perf(
        &mut self,
        l: ClusterId,
        p: ClusterId,
        fence_step: usize,
        after: &[AfterCluster],
    ) {
        let t = self.t;
        let p_has_dr = after
            .iter()
            .any(|a| a.role == AfterRole::DrSecondary && a.upstream == Some(p));
        let mut commands = Vec::new();
        if !p_has_dr {
            let mut args = "write -f sys/replication/dr/primary/enable".to_string();
            if let Some(addr) = self.lb_cluster_addr(p) {
                let _ = write!(args, " primary_cluster_addr={addr}");
            }
            commands.push(self.vault(p, &args));
        }
        commands.push(self.vault(l, "write -f sys/replication/performance/secondary/disable"));
        if !t.dr_secondaries(l).is_empty() {
            commands.push(self.vault(l, "write -f sys/replication/dr/primary/disable"));
        }
        commands.extend(self.reattach_commands(
            l,
            p,
            "write sys/replication/dr/secondary/enable token=\"$ACTIVATION_TOKEN\"",
        ));
        let mut text = vec![
            format!(
                "{}'s tokens and leases are no longer in use: its clients re-authenticated on {}. Once it is repaired and demoted (step {fence_step}), rebuild it as a DR secondary of {} so the new primary is protected again.",
                quoted(t, l),
                quoted(t, p),
                quoted(t, p)
            ),
            format!(
                "After its demotion {} is a performance secondary with no primary: disable that role{}, as API-PERF and API-DR describe. Enabling it as a DR secondary then \"will immediately clear all data in the secondary cluster\", which is intended: it receives {}'s data, tokens and leases (API-DR; GUIDES-LR failback). `secondary-token` takes a Vault token with `sudo` on the new primary (API-DR).",
                quoted(t, l),
                if t.dr_secondaries(l).is_empty() {
                    String::new()
                } else {
                    " and, as its DR secondaries are lost, its DR primary role".to_string()
                },
                quoted(t, p)
            ),
        ];
        if !p_has_dr {
            text.push(format!(
                "{} has no DR secondary yet, so it first becomes a DR primary (API-DR \"Enable DR primary replication\").",
                quoted(t, p)
            ));
        }
        if let Some(w) = self.version_trap(l, p) {
            text.push(w);
        }
        self.push(
            Phase::Later,
            format!(
                "Rebuild {} as a DR secondary of {} (failback)",
                quoted(t, l),
                quoted(t, p)
            ),
            text,
            commands,
        );
    }

    /// A lost DR secondary that nobody promoted.
    fn returning_dr(&mut self, x: ClusterId) {
        let t = self.t;
        let Some((u, _)) = t.upstream(x) else { return };
        if t.set_lost(t.root(x), |c| self.d.is_lost(c)) {
            return; // the whole set is restored from snapshots
        }
        match self.d.replacement(u) {
            None => {
                let verify = self.vault(x, "read -format=json sys/replication/dr/status");
                let when = if self.d.is_lost(u) {
                    format!(
                        "{} is lost too and nothing replaced it: when both return, {} reconnects to it",
                        quoted(t, u),
                        quoted(t, x)
                    )
                } else {
                    format!(
                        "{} still replicates to {}: when {} returns it reconnects",
                        quoted(t, u),
                        quoted(t, x),
                        quoted(t, x)
                    )
                };
                self.push(
                    Phase::Later,
                    format!("Check that {} rejoins {}", quoted(t, x), quoted(t, u)),
                    vec![format!(
                        "{when} and catches up by itself (REPL-INT). `data.state` must reach `stream-wals` (API-REPL). If it was destroyed, rebuild it: on {} revoke its old identity (`vault write sys/replication/dr/primary/revoke-secondary id={}`), then issue a new `secondary-token` and enable the rebuilt cluster with `sys/replication/dr/secondary/enable`, which wipes it (API-DR).",
                        quoted(t, u),
                        t.name(x)
                    )],
                    vec![verify],
        );
            }
            Some((d, Promotion::Dr)) => {
                let var = self.token_var(u);
                let commands = self.reattach_commands(
                    x,
                    d,
                    &format!(
                        "write sys/replication/dr/secondary/update-primary dr_operation_token=\"${var}\" token=\"$ACTIVATION_TOKEN\""
                    ),
                );
                self.push(
                    Phase::Later,
                    format!(
                        "Point {} at {} when it returns",
                        quoted(t, x),
                        quoted(t, d)
                    ),
                    vec![format!(
                        "{} was a DR secondary of {}, which {} replaced. When it returns, attach it to {} like the failback above: DR secondaries take `token` with `update-primary` (API-DR; ENOS-DR).",
                        quoted(t, x),
                        quoted(t, u),
                        quoted(t, d),
                        quoted(t, d)
                    )],
                    commands,
        );
            }
            Some((p, Promotion::Performance)) => {
                let mut commands = self.reattach_commands(
                    x,
                    p,
                    "write sys/replication/dr/secondary/enable token=\"$ACTIVATION_TOKEN\"",
                );
                commands[0].comment = Some("once reinstalled".to_string());
                self.push(
                    Phase::Later,
                    format!(
                        "Rebuild {} as a DR secondary of {}",
                        quoted(t, x),
                        quoted(t, p)
                    ),
                    vec![format!(
                        "{} is still a DR secondary of {} and holds its superseded data; disabling that takes a DR operation token (API-DR), so reinstall it instead. Then enable it as a DR secondary of {}, which wipes it and gives {} another DR secondary (API-DR).",
                        quoted(t, x),
                        quoted(t, u),
                        quoted(t, p),
                        quoted(t, p)
                    )],
                    commands,
        );
            }
        }
    }

    /// A lost performance secondary whose clients moved elsewhere.
    fn returning_perf(&mut self, l: ClusterId, rec: &Recovery) {
        let t = self.t;
        let Some((u, _)) = t.upstream(l) else { return };
        let Some(now) = self.d.current(u) else { return };
        let mut commands = Vec::new();
        let mut text = Vec::new();
        if now == u {
            text.push(format!(
                "{} is still a performance secondary of {}: when it returns it reconnects by itself, with its own tokens, leases and local mounts (REPL-IDX). `data.performance.state` must reach `stream-wals` (API-REPL).",
                quoted(t, l),
                quoted(t, u)
            ));
        } else {
            let dr_failover = matches!(self.d.replacement(u), Some((_, Promotion::Dr)));
            if dr_failover && t.version(l).is_some_and(|v| v.core >= (1, 13, 0)) {
                let addr = self.advertised(now);
                commands.push(self.vault(
                    l,
                    &format!(
                        "write sys/replication/performance/secondary/update-primary update_primary_addrs={addr}"
                    ),
                ));
                text.push(format!(
                    "{} replicated from {}, which {} replaced by DR promotion: when it returns, point it at {} with `update_primary_addrs` (Vault 1.13+; API-PERF); it keeps its own tokens, leases and local mounts (REPL-IDX).",
                    quoted(t, l),
                    quoted(t, u),
                    quoted(t, now),
                    quoted(t, now)
                ));
            } else {
                commands.extend(self.activation(l, now, "performance"));
                commands.push(self.vault(
                    l,
                    "write sys/replication/performance/secondary/update-primary token=\"$ACTIVATION_TOKEN\"",
                ));
                text.push(format!(
                    "{} replicated from {}, which {} replaced: when it returns, point it at {} with a new secondary token ({}; API-PERF), and set its paths filter again on {} if it had one (API-PERF); it keeps its own tokens, leases and local mounts (REPL-IDX).",
                    quoted(t, l),
                    quoted(t, u),
                    quoted(t, now),
                    quoted(t, now),
                    if dr_failover {
                        "`update_primary_addrs` needs Vault 1.13 or newer, which the file does not give it"
                    } else {
                        "after a performance promotion \"new secondary tokens will need to be issued to other secondaries\""
                    },
                    quoted(t, now)
                ));
            }
        }
        commands.push(self.vault(l, "read -format=json sys/replication/status"));
        if let Some(to) = rec.to
            && !rec.reauthenticate.is_empty()
        {
            text.push(format!(
                "Then move {} back from {} if you wish; tokens they obtained on {} do not work on {} (PERF-DOC).",
                client_names(t, &rec.reauthenticate),
                quoted(t, to),
                quoted(t, to),
                quoted(t, l)
            ));
        }
        self.push(
            Phase::Later,
            format!("Bring {} back into service", quoted(t, l)),
            text,
            commands,
        );
    }
}
