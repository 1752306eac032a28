//! The runbook's steps during the failover, in order: demote (when it answers) or fence the
//! lost cluster, check the candidate, promote it and verify (vault-replication.md §3 "Which
//! order"), restore lost replication sets, point the other secondaries at their new upstream
//! and re-point the clients; [`Builder::write_steps`] runs the three phases in order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::Builder;
use super::plan::{
    AfterCluster, AfterRole, ClientImpact, Command, On, Paragraph, Phase, Recovery, RecoveryPath,
    Step,
};
use super::prose::{client_names, names, planned_demotion, quoted};
use crate::ids::{ClientId, ClusterId};
use crate::spec::Role;

/// A secondary that must be pointed at a new upstream.
struct Follower {
    cluster: ClusterId,
    /// Whether it is a DR secondary (always `token`) rather than a performance secondary.
    dr: bool,
    /// The cluster whose batch DR operation token it accepts (the one it replicates from).
    mirrors: ClusterId,
}

impl Builder<'_> {
    /// Adds a step; its sources are the keys its text cites. Returns its number.
    pub(super) fn push<P: Into<Paragraph>>(
        &mut self,
        phase: Phase,
        title: String,
        text: Vec<P>,
        commands: Vec<Command>,
    ) -> usize {
        let text: Vec<Paragraph> = text.into_iter().map(Into::into).collect();
        let cited: Vec<String> = text.iter().map(Paragraph::joined).collect();
        let sources = crate::sources::cited(&cited.join(" "))
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        self.steps.push(Step {
            phase,
            title,
            text,
            commands,
            sources,
        });
        self.steps.len()
    }

    pub(super) fn write_steps(&mut self, after: &[AfterCluster], clients: &[ClientImpact]) {
        let recoveries = self.d.recoveries.clone();
        for r in &recoveries {
            if r.path == RecoveryPath::DrPromotion {
                self.prepare_dr_token(r);
            }
        }
        for r in &recoveries {
            if r.path == RecoveryPath::PerformancePromotion {
                self.prepare_perf_login(r);
            }
        }
        self.key_holder_steps();
        let mut fenced: BTreeMap<ClusterId, usize> = BTreeMap::new();
        for pass in [true, false] {
            // Primaries first, then performance secondaries (upstream first in both).
            for r in recoveries
                .iter()
                .filter(|r| r.path == RecoveryPath::DrPromotion)
                .filter(|r| (self.t.upstream(r.lost).is_none()) == pass)
            {
                let n = self.promote_dr(r);
                fenced.insert(r.lost, n);
            }
        }
        for r in recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::PerformancePromotion)
        {
            let n = self.promote_perf(r);
            fenced.insert(r.lost, n);
        }
        for r in recoveries.iter().filter(|r| r.path == RecoveryPath::None) {
            self.restore(r);
        }
        self.update_followers(after);
        self.mount_steps();
        for r in &recoveries {
            self.repoint_clients(r, clients);
        }
        self.later(after, &fenced);
        if let Some(first) = self.steps.first_mut() {
            first.text.push(Paragraph::from(
                "Every `vault` command of this runbook sets `VAULT_NAMESPACE=''` (empty): replication runs in the root namespace, whatever namespace your shell exports."
                    .to_string(),
            ));
        }
    }

    /// Demote or fence the lost cluster, check the candidate, promote, verify (vault-replication.md
    /// §3 "Which order"). Returns the fencing step's number.
    fn promote_dr(&mut self, r: &Recovery) -> usize {
        let t = self.t;
        let (l, Some(d)) = (r.lost, r.to) else {
            return 0;
        };
        let fenced = self.fence_dr(l, d);
        self.check_candidate(d, l, true);
        let var = self.token_var(l);
        let mut args =
            format!("write -f sys/replication/dr/secondary/promote dr_operation_token=\"${var}\"");
        let lb = self.lb_cluster_addr(d);
        if let Some(addr) = &lb {
            let _ = write!(args, " primary_cluster_addr={addr}");
        }
        let promote = self.vault(d, &args);
        let mut text = Vec::new();
        if t.role(l) == Role::Primary {
            text.push(format!(
                "{} becomes the primary in place of {}, with all its data, tokens and leases (REPL-IDX; MULTI). When the lost primary led a performance replication set, \"the DR secondary will be promoted into that replication set\" (API-DR).",
                quoted(t, d),
                quoted(t, l)
            ));
        } else {
            let primary = t.upstream(l).map(|(u, _)| u);
            let target = match primary {
                Some(p) if self.d.is_lost(p) => format!(
                    ", that is to {}, which is lost too: it stays unconnected until the steps below give the set a primary",
                    quoted(t, p)
                ),
                Some(p) => format!(", that is to {}", quoted(t, p)),
                None => String::new(),
            };
            text.push(format!(
                "{} takes over as performance secondary in place of {}, with {}'s tokens and leases; it \"will attempt to connect to the performance primary cluster using the same secondary token\" (API-DR){target}.",
                quoted(t, d),
                quoted(t, l),
                quoted(t, l),
            ));
        }
        if let Some(addr) = &lb {
            text.push(format!(
                "`primary_cluster_addr={addr}` is the load balancer passing {}'s cluster port through, so secondaries dial it rather than a single node (API-DR; PERF-ENABLE).",
                quoted(t, d)
            ));
        }
        text.push(format!(
            "Run this only once {} is demoted or fenced (step {fenced}): \"there should never be more than one primary at a time\" (API-DR). Do not add `force=true` unless you accept losing what was not yet replicated (API-DR).",
            quoted(t, l)
        ));
        self.push(
            Phase::Failover,
            format!(
                "Promote {} (DR secondary of {})",
                quoted(t, d),
                quoted(t, l)
            ),
            text,
            vec![promote],
        );
        self.verify_dr(l, d);
        fenced
    }

    /// Checks the promoted cluster (ENOS-DR step 4).
    fn verify_dr(&mut self, l: ClusterId, d: ClusterId) {
        let t = self.t;
        let status = self.vault(d, "read -format=json sys/replication/status");
        let expect = if t.role(l) == Role::Primary {
            if t.performance_secondaries(l).is_empty() {
                "`data.dr.mode` must be `primary` (API-REPL; MONITOR)"
            } else {
                "`data.dr.mode` and `data.performance.mode` must both be `primary`, with the performance secondaries inherited in `known_secondaries` (API-REPL; GUIDES-LR)"
            }
        } else if t.upstream(l).is_some_and(|(p, _)| self.d.is_lost(p)) {
            "`data.dr.mode` must be `primary` and `data.performance.mode` `secondary`; it cannot connect while the performance primary is lost (API-REPL; MONITOR)"
        } else {
            "`data.dr.mode` must be `primary` and `data.performance.mode` `secondary`, with `state` `stream-wals` once it is connected to the performance primary (API-REPL; MONITOR)"
        };
        self.push(
            Phase::Failover,
            format!("Check that {} has taken over", quoted(t, d)),
            vec![format!(
                "{expect}. Then read a known secret through {} (ENOS-DR: \"test access to data\").",
                quoted(t, d)
            )],
            vec![status],
        );
    }

    /// Fence, promote, verify (PERF-MANAGE order). Returns the fencing step's number.
    fn promote_perf(&mut self, r: &Recovery) -> usize {
        let t = self.t;
        let (l, Some(p)) = (r.lost, r.to) else {
            return 0;
        };
        let fence = vec![self.vault(l, "write -f sys/replication/performance/primary/demote")];
        let fenced = if self.planned {
            self.push(
                Phase::Failover,
                format!("Demote {} (planned switchover)", quoted(t, l)),
                vec![planned_demotion(t, l, p)],
                fence,
            )
        } else {
            self.push(
            Phase::Failover,
            format!(
                "Demote {} if it answers, else fence it, before promoting",
                quoted(t, l)
            ),
            vec![
                Paragraph::from(
                    "Only one performance primary may be active: \"Multiple primaries may result in data loss!\" (API-PERF).".to_string(),
                ),
                Paragraph::labelled(
                    format!("If {} answers", quoted(t, l)),
                    "demote it first, as PERF-MANAGE's step 1 does; it \"becomes a performance secondary that does not connect to any primary. It keeps its cluster ID\".",
                ),
                Paragraph::labelled(
                    "If it does not answer",
                    "fence it first, out of its load balancer pool and stopped (or powered off), then promote; demote it first thing when it returns.",
                ),
                Paragraph::from("The command below is for the first case.".to_string()),
            ],
            fence,
        )
        };
        if r.via.is_none() {
            self.check_candidate(p, l, false);
        }
        let mut args = "write -f sys/replication/performance/secondary/promote".to_string();
        let lb = self.lb_cluster_addr(p);
        if let Some(addr) = &lb {
            let _ = write!(args, " primary_cluster_addr={addr}");
        }
        let promote = self.vault(p, &args);
        let clients: Vec<ClientId> = r.reauthenticate.clone();
        let mut text = vec![format!(
            "{} becomes the primary. This is a performance promotion, so tokens and leases do not carry over: every client of {}{} must re-authenticate and obtain new leases on {} (REPL-IDX; PERF-MANAGE: \"Clients do not keep their tokens and leases across a promotion\"). {}'s own clients keep theirs. Local mounts of {} exist only on it and its DR secondaries, so they are gone (REPL-IDX).",
            quoted(t, p),
            quoted(t, l),
            if clients.is_empty() {
                String::new()
            } else {
                format!(" ({})", client_names(t, &clients))
            },
            quoted(t, p),
            quoted(t, p),
            quoted(t, l),
        )];
        if let Some(s) = r.via {
            text.insert(
                0,
                format!(
                    "{} replaced {} by DR promotion above; with no primary left it is now promoted again, to primary.",
                    quoted(t, p),
                    quoted(t, s)
                ),
            );
        }
        if let Some(addr) = &lb {
            text.push(format!(
                "`primary_cluster_addr={addr}` is the load balancer passing {}'s cluster port through (API-PERF).",
                quoted(t, p)
            ));
        }
        self.push(
            Phase::Failover,
            format!(
                "Promote {} to primary (performance promotion)",
                quoted(t, p)
            ),
            text,
            vec![promote],
        );
        let status = self.vault(p, "read -format=json sys/replication/status");
        let has_dr = !t.dr_secondaries(p).is_empty();
        self.push(
            Phase::Failover,
            format!("Check that {} is the primary", quoted(t, p)),
            vec![format!(
                "`data.performance.mode` must be `primary`{} (API-REPL; MONITOR).",
                if has_dr {
                    ", and `data.dr.mode` `primary` with its DR secondaries connected"
                } else {
                    ""
                }
            )],
            vec![status],
        );
        fenced
    }

    fn restore(&mut self, r: &Recovery) {
        let t = self.t;
        let l = r.lost;
        let root = t.root(l);
        if !self.restored.insert(root) {
            return;
        }
        let set = t.replication_set(root);
        let serving: Vec<ClusterId> = set
            .iter()
            .copied()
            .filter(|c| t.role(*c) != Role::DrSecondary)
            .collect();
        let mut order = format!("Rebuild {} first and restore its snapshot", quoted(t, root));
        if serving.len() > 1 {
            order.push_str(", then the performance secondaries from their own snapshots (their tokens, leases and local mounts exist only there)");
        }
        if serving.len() < set.len() {
            order.push_str(", then re-create the DR secondaries by enabling replication anew, which wipes each secondary (API-DR; API-PERF)");
        }
        order.push('.');
        let commands: Vec<Command> = serving
            .iter()
            .map(|c| {
                let mut cmd =
                    self.vault(*c, "operator raft snapshot restore -force \"$SNAPSHOT_FILE\"");
                cmd.comment = Some(
                    "once rebuilt, initialised and unsealed, with SNAPSHOT_FILE set to its own latest snapshot"
                        .to_string(),
                );
                cmd
            })
            .collect();
        self.push(
            Phase::Failover,
            format!("Restore the replication set of {}", quoted(t, root)),
            vec![
                format!(
                    "Nothing of the set survives ({}): no cluster can serve its data, tokens and leases until they come back. If they are destroyed, restore from snapshots: Vault does not replicate automated integrated-storage snapshots through performance replication, so each cluster's own snapshots are what you restore (REPL-IDX).",
                    names(t, &set)
                ),
                order,
                "A rebuilt cluster is initialised anew, so its seal keys differ from the snapshot's: `-force` \"bypasses checks ensuring the Autounseal or shamir keys are consistent with the snapshot data\" (`vault operator raft snapshot restore -help`, hashicorp/vault). After the restore the cluster holds the snapshot's keyring: unseal it with the unseal (or recovery) keys of the cluster the snapshot was taken from, or give it the same auto-unseal key, and log in with a token from that cluster; the keys made when the rebuilt cluster was initialised no longer apply. Run the restore against the active node with a token of the rebuilt cluster.".to_string(),
            ],
            commands,
        );
    }

    fn update_followers(&mut self, after: &[AfterCluster]) {
        for (new_up, followers) in self.followers(after) {
            self.point_followers(new_up, followers);
        }
    }

    /// The secondaries whose upstream changed, grouped by their new upstream, upstream first.
    fn followers(&self, after: &[AfterCluster]) -> Vec<(ClusterId, Vec<Follower>)> {
        let t = self.t;
        let promoted_dr: BTreeMap<ClusterId, ClusterId> = self
            .d
            .recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::DrPromotion)
            .filter_map(|r| r.to.map(|to| (to, r.lost)))
            .collect();
        let promoted_perf: BTreeSet<ClusterId> = self
            .d
            .recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::PerformancePromotion)
            .filter_map(|r| r.to)
            .collect();
        // Group followers by their new upstream, in upstream-first order.
        let mut groups: Vec<(ClusterId, Vec<Follower>)> = Vec::new();
        for &c in self.order {
            let Some(a) = after.get(c.0).filter(|a| a.cluster == c) else {
                continue;
            };
            let Some(new_up) = a.upstream else { continue };
            if a.role == AfterRole::Lost || promoted_perf.contains(&c) {
                continue;
            }
            // What the cluster would connect to without an update: its own upstream, or,
            // for a DR-promoted replacement, the upstream of the cluster it replaced.
            let (old_up, mirrors) = match promoted_dr.get(&c) {
                Some(&replaced) => (t.upstream(replaced).map(|(u, _)| u), replaced),
                None => (
                    t.upstream(c).map(|(u, _)| u),
                    t.upstream(c).map_or(c, |(u, _)| u),
                ),
            };
            if old_up == Some(new_up) {
                continue;
            }
            let follower = Follower {
                cluster: c,
                dr: a.role == AfterRole::DrSecondary,
                mirrors,
            };
            match groups.iter_mut().find(|(u, _)| *u == new_up) {
                Some((_, v)) => v.push(follower),
                None => groups.push((new_up, vec![follower])),
            }
        }
        groups
    }

    /// Points a group of followers at their new upstream.
    fn point_followers(&mut self, new_up: ClusterId, followers: Vec<Follower>) {
        let t = self.t;
        let addr = self.advertised(new_up);
        // After a performance promotion the new primary is a new replication primary: every
        // other secondary needs a new secondary token from it (API-PERF "Promote performance
        // secondary"). After a DR failover the set and its secondaries' identities stay the
        // same, and `update_primary_addrs` (Vault 1.13+) is enough (API-DR; API-PERF).
        let performance_promotion = self
            .d
            .recoveries
            .iter()
            .any(|r| r.path == RecoveryPath::PerformancePromotion && r.to == Some(new_up));
        let mut commands = Vec::new();
        let mut dr_followers = Vec::new();
        let mut by_addrs = Vec::new();
        let mut by_token = Vec::new();
        let mut too_old = Vec::new();
        for Follower {
            cluster: f,
            dr,
            mirrors,
        } in followers
        {
            if dr {
                dr_followers.push(f);
                let var = self.token_var(mirrors);
                commands.extend(self.activation(f, new_up, "dr"));
                commands.push(self.vault(
                    f,
                    &format!(
                        "write sys/replication/dr/secondary/update-primary dr_operation_token=\"${var}\" token=\"$ACTIVATION_TOKEN\""
                    ),
                ));
            } else if !performance_promotion && at_least(t, f, (1, 13, 0)) {
                by_addrs.push(f);
                commands.push(self.vault(
                    f,
                    &format!(
                        "write sys/replication/performance/secondary/update-primary update_primary_addrs={addr}"
                    ),
                ));
            } else {
                by_token.push(f);
                if !performance_promotion {
                    too_old.push(f);
                }
                commands.extend(self.activation(f, new_up, "performance"));
                commands.push(self.vault(
                    f,
                    "write sys/replication/performance/secondary/update-primary token=\"$ACTIVATION_TOKEN\"",
                ));
            }
        }
        let mut text = vec![format!(
            "Every other secondary that followed a lost cluster now replicates from {}; \"there should never be more than one primary at a time\" (API-DR; API-PERF).",
            quoted(t, new_up)
        )];
        if !by_addrs.is_empty() {
            text.push(format!(
                "On {}: after a DR failover the replication set is the same, so `update_primary_addrs` is enough: it pings the listed cluster addresses and keeps the first that answers, lighter than a new token (API-DR; API-PERF). It exists from Vault 1.13. If it does not reconnect, issue a new `secondary-token` from {} and run `update-primary token=…` instead; path filters must then be set again (API-PERF).",
                names(t, &by_addrs),
                quoted(t, new_up)
            ));
        }
        if !by_token.is_empty() {
            let why = if performance_promotion {
                format!(
                    "{} was promoted by a performance promotion, so it is a new primary: \"new secondary tokens will need to be issued to other secondaries\" (API-PERF)",
                    quoted(t, new_up)
                )
            } else {
                format!(
                    "`update_primary_addrs` exists from Vault 1.13 on, and the file gives {} an older version or none, so a new secondary token is used (API-PERF; hashicorp/vault PR #22677)",
                    names(t, &too_old)
                )
            };
            text.push(format!(
                "On {}: {why}. `secondary-token` runs on {} with a Vault token with `sudo`, and the `id` must be unique there (API-PERF). A performance secondary's paths filter belongs to its primary: if {} had one, set it again on {} with `vault write sys/replication/performance/primary/paths-filter/<its cluster_id> mode=… paths=…` (API-PERF: \"If a new secondary token is created and used with update-primary, the path filters must be re-created\").",
                names(t, &by_token),
                quoted(t, new_up),
                names(t, &by_token),
                quoted(t, new_up)
            ));
        }
        if !dr_followers.is_empty() {
            text.push(format!(
                "On {}: a DR secondary takes an activation token from its new primary and a DR operation token (API-DR): the batch token prepared above is accepted by the DR secondaries of the cluster it was created on, which replicate what its verification needs (ENOS-DR; TOKENS). `secondary-token` takes a Vault token with `sudo` on {}, and the `id` must be unique there; if it is already in its `known_secondaries`, revoke it first with `sys/replication/dr/primary/revoke-secondary` (API-DR).",
                names(t, &dr_followers),
                quoted(t, new_up)
            ));
        }
        self.push(
            Phase::Failover,
            format!("Point the other secondaries at {}", quoted(t, new_up)),
            text,
            commands,
        );
    }

    /// The commands that leave an activation token for `secondary` from `primary` in
    /// `$ACTIVATION_TOKEN`: by the public-key method (Vault 1.3+, no call to the primary's
    /// API port), or response-wrapped when the file gives `secondary` an older version.
    pub(super) fn activation(
        &mut self,
        secondary: ClusterId,
        primary: ClusterId,
        kind: &str,
    ) -> Vec<Command> {
        let t = self.t;
        let id = crate::text::shell_word(t.name(secondary));
        if t.version(secondary).is_some_and(|v| v.core < (1, 3, 0)) {
            return vec![self.capture(
                "ACTIVATION_TOKEN",
                primary,
                &format!(
                    "write -field=wrapping_token sys/replication/{kind}/primary/secondary-token id={id}"
                ),
            )];
        }
        vec![
            self.capture(
                "SECONDARY_PUBLIC_KEY",
                secondary,
                &format!(
                    "write -field=secondary_public_key -f sys/replication/{kind}/secondary/generate-public-key"
                ),
            ),
            self.capture(
                "ACTIVATION_TOKEN",
                primary,
                &format!(
                    "write -field=token sys/replication/{kind}/primary/secondary-token id={id} secondary_public_key=\"$SECONDARY_PUBLIC_KEY\""
                ),
            ),
        ]
    }

    /// One step per new home of the lost cluster's clients (a client's `fallback` may send it
    /// elsewhere than the recovery's choice).
    fn repoint_clients(&mut self, r: &Recovery, clients: &[ClientImpact]) {
        let mut homes: Vec<ClusterId> = Vec::new();
        for c in clients.iter().filter(|c| c.cluster == r.lost) {
            if let Some(to) = c.to
                && !homes.contains(&to)
            {
                homes.push(to);
            }
        }
        for to in homes {
            let mine: Vec<&ClientImpact> = clients
                .iter()
                .filter(|c| c.cluster == r.lost && c.to == Some(to))
                .collect();
            self.repoint_clients_to(r, to, &mine);
        }
    }

    fn repoint_clients_to(&mut self, r: &Recovery, to: ClusterId, mine: &[&ClientImpact]) {
        let t = self.t;
        let l = r.lost;
        let from_addr = self.api(l);
        let to_addr = self.api(to);
        let lb = t
            .cluster(l)
            .load_balancer
            .as_ref()
            .map(|lb| format!(" (load balancer `{}`)", lb.address.get()))
            .unwrap_or_default();
        let ids: Vec<ClientId> = mine.iter().map(|c| c.client).collect();
        let mut text = vec![format!(
            "Clients {} reach {} at `{from_addr}`{lb}. Point that name (DNS record or load balancer pool) at {} (`{to_addr}`), or set the clients' `VAULT_ADDR` to `{to_addr}`.",
            client_names(t, &ids),
            quoted(t, l),
            quoted(t, to)
        )];
        text.push(match r.path {
            RecoveryPath::DrPromotion => {
                "They keep their tokens and leases: DR replication carries them (REPL-IDX; MULTI)."
                    .to_string()
            }
            RecoveryPath::ClientsMove => format!(
                "They must re-authenticate and obtain new leases: their tokens and leases stay on {}, and \"A client that authenticates to one cluster cannot use that token on another cluster\" (PERF-DOC).",
                quoted(t, l)
            ),
            _ => format!(
                "They must re-authenticate and obtain new leases: their tokens and leases existed only on {} (REPL-IDX; PERF-MANAGE).",
                quoted(t, l)
            ),
        });
        let down: Vec<ClientId> = mine
            .iter()
            .filter(|c| c.site_lost)
            .map(|c| c.client)
            .collect();
        if !down.is_empty() {
            text.push(format!(
                "{} went down with their site; this applies when they return or run elsewhere.",
                client_names(t, &down)
            ));
        }
        text.push(
            "From each client network, `sys/health` on that address must answer 200 (active node) or, behind a load balancer, 429 or 473 (standby), never 472 (DR secondary) or 503 (sealed) (API-HEALTH)."
                .to_string(),
        );
        let health = if t.cluster(l).api_addr.is_none() {
            to
        } else {
            l
        };
        let health = self.api_word(health, "/v1/sys/health");
        let commands = mine
            .iter()
            .map(|c| Command {
                on: On::Client(c.client),
                comment: None,
                line: format!("curl -s -o /dev/null -w '%{{http_code}}\\n' {health}"),
            })
            .collect();
        self.push(
            Phase::Failover,
            format!(
                "Re-point the clients of {} to {}",
                quoted(t, l),
                quoted(t, to)
            ),
            text,
            commands,
        );
    }
}

/// Whether the file gives `c` a version of at least `min`.
fn at_least(t: &crate::graph::Topology, c: ClusterId, min: (u64, u64, u64)) -> bool {
    t.version(c).is_some_and(|v| v.core >= min)
}
