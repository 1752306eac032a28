//! The runbook's steps: exact commands per cluster, from the fact sheet's recipes (§3 and
//! "Implications" 11–12, the ENOS-DR order), with the addresses of the topology file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{
    AfterCluster, AfterRole, Builder, ClientImpact, Command, LivePath, Node, On, Phase, Promotion,
    Recovery, RecoveryPath, Step, and_list, client_names, names, quoted, site_name,
};
use crate::ids::{ClientId, ClusterId, ServiceId};
use crate::spec::{ClusterPort, Role};

/// A secondary that must be pointed at a new upstream.
struct Follower {
    cluster: ClusterId,
    /// Whether it is a DR secondary (`token`) rather than a performance secondary
    /// (`update_primary_addrs`).
    dr: bool,
    /// The cluster whose token store it mirrors (where its DR operation token was made).
    mirrors: ClusterId,
}

impl Builder<'_> {
    // Addresses ----------------------------------------------------------------------

    /// An address the file does not give: a shell variable that stops the command with an
    /// error until it is set (`${API_ADDR_DR_A:?}`), and a warning saying so.
    fn gap(&mut self, c: ClusterId, field: &str) -> String {
        let t = self.t;
        let var = format!(
            "{}_{}",
            field.to_ascii_uppercase(),
            t.name(c).to_ascii_uppercase().replace('-', "_")
        );
        let warning = format!(
            "the file gives no `{field}` for {}: commands read it from `${var}` and stop until it is set; add `{field}` to the file to have it filled in",
            quoted(t, c)
        );
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
        format!("${{{var}:?}}")
    }

    fn api(&mut self, c: ClusterId) -> String {
        match &self.t.cluster(c).api_addr {
            Some(a) => format!("{}://{}:{}", a.scheme, a.host, a.port),
            None => self.gap(c, "api_addr"),
        }
    }

    /// `primary_cluster_addr` to pass when `c` becomes a primary: its load balancer when that
    /// passes the cluster port through.
    fn lb_cluster_addr(&mut self, c: ClusterId) -> Option<String> {
        let cluster = self.t.cluster(c);
        let lb = cluster.load_balancer.as_ref()?;
        match lb.cluster_port {
            ClusterPort::Passthrough => Some(format!(
                "https://{}:{}",
                lb.address.get(),
                cluster.cluster_port()
            )),
            ClusterPort::TerminateTls => {
                let w = format!(
                    "the load balancer of {} terminates TLS on the cluster port, which replication's mutual TLS cannot pass (REPL-IDX: \"the cluster traffic can NOT be terminated at the cluster port at a load balancer level\"); the plan uses its `cluster_addr` instead",
                    quoted(self.t, c)
                );
                if !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
                None
            }
            ClusterPort::None => None,
        }
    }

    /// The cluster address secondaries dial to reach `c` as their primary.
    fn advertised(&mut self, c: ClusterId) -> String {
        if let Some(lb) = self.lb_cluster_addr(c) {
            return lb;
        }
        match &self.t.cluster(c).cluster_addr {
            Some(a) => format!("https://{}:{}", a.host, a.port),
            None => self.gap(c, "cluster_addr"),
        }
    }

    fn vault(&mut self, c: ClusterId, args: &str) -> Command {
        Command {
            on: On::Cluster(c),
            comment: None,
            line: format!("VAULT_ADDR={} vault {args}", self.api(c)),
        }
    }

    /// `VAR=$(VAULT_ADDR=… vault …)`.
    fn capture(&mut self, var: &str, c: ClusterId, args: &str) -> Command {
        Command {
            on: On::Cluster(c),
            comment: None,
            line: format!("{var}=$(VAULT_ADDR={} vault {args})", self.api(c)),
        }
    }

    /// The shell variable holding the batch DR operation token created on `c`.
    fn token_var(&mut self, c: ClusterId) -> String {
        if let Some(v) = self.token_vars.get(&c) {
            return v.clone();
        }
        let needed: BTreeSet<ClusterId> = self
            .recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::DrPromotion)
            .map(|r| r.lost)
            .collect();
        let var = if needed.len() <= 1 {
            "DR_OPERATION_TOKEN".to_string()
        } else {
            format!(
                "DR_OPERATION_TOKEN_{}",
                self.t.name(c).to_ascii_uppercase().replace('-', "_")
            )
        };
        self.token_vars.insert(c, var.clone());
        var
    }

    /// Adds a step; its sources are the keys its text cites. Returns its number.
    fn push(
        &mut self,
        phase: Phase,
        title: String,
        text: Vec<String>,
        commands: Vec<Command>,
    ) -> usize {
        let sources = crate::sources::cited(&text.join(" "))
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

    // Steps --------------------------------------------------------------------------

    pub(super) fn write_steps(&mut self, after: &[AfterCluster], clients: &[ClientImpact]) {
        let recoveries = self.recoveries.clone();
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
        for r in &recoveries {
            self.repoint_clients(r, clients);
        }
        self.later(after, &fenced);
    }

    fn prepare_dr_token(&mut self, r: &Recovery) {
        let t = self.t;
        let (l, Some(d)) = (r.lost, r.to) else { return };
        let var = self.token_var(l);
        let policy = format!(
            "policy write dr-secondary-promotion - <<'EOF'\n{}\nEOF",
            [
                r#"path "sys/replication/dr/secondary/promote"        { capabilities = [ "update" ] }"#,
                r#"path "sys/replication/dr/secondary/update-primary" { capabilities = [ "update" ] }"#,
                r#"path "sys/storage/raft/autopilot/state"            { capabilities = [ "update", "read" ] }   # only with raft storage"#,
            ]
            .join("\n")
        );
        let commands = vec![
            self.vault(l, &policy),
            self.vault(
                l,
                "write auth/token/roles/failover-handler allowed_policies=dr-secondary-promotion orphan=true renewable=false token_type=batch",
            ),
            self.capture(&var, l, "token create -field=token -role=failover-handler -ttl=8h"),
        ];
        let fallback = match t.version(d) {
            Some(v) if v.core.0 < 2 => format!(
                "Without it, a DR operation token can still be generated on {} from a quorum of {}'s unseal or recovery key shares (`vault operator generate-root -dr-token`; DR-OPTOK; GUIDES-LR), which takes the key holders' time during the outage. From Vault 2.x that route needs a Vault token too (BREAKGLASS).",
                quoted(t, d),
                quoted(t, l)
            ),
            Some(_) => format!(
                "{} runs Vault 2.x or later, where \"the generate-operation-token endpoints require a Vault token\": without this prepared batch token the only route left is the break-glass procedure (temporarily setting `enable_unauthenticated_access` in the DR secondary's server configuration), a last resort; \"A prepared batch token is the supported approach\" (BREAKGLASS).",
                quoted(t, d)
            ),
            None => format!(
                "The file gives no version for {}. In Vault 2.x and later the generate-operation-token endpoints require a Vault token, so without this prepared batch token only the break-glass procedure remains (BREAKGLASS); before 2.x a token can also be generated from {}'s key shares (`vault operator generate-root -dr-token`; DR-OPTOK).",
                quoted(t, d),
                quoted(t, l)
            ),
        };
        let n = self.push(
            Phase::Prepare,
            format!(
                "Prepare a batch DR operation token on {} for promoting {}",
                quoted(t, l),
                quoted(t, d)
            ),
            vec![
                format!(
                    "Run on {} ({}, site `{}`) while it is healthy. The token is an orphan batch token: DR secondaries mirror {}'s token store, so {} {} it (ENOS-DR; API-DR). The policy and token role are HashiCorp's own test recipe; the `sys/storage/raft/autopilot/state` rule is needed only with Integrated Storage (Raft).",
                    quoted(t, l),
                    t.role(l).as_str(),
                    site_name(t, l),
                    quoted(t, l),
                    and_list(t, &r.candidates),
                    if r.candidates.len() == 1 { "accepts" } else { "accept" }
                ),
                format!(
                    "Batch tokens have a fixed TTL (8h here): re-create it on a schedule before it expires, and keep `${var}` where the on-call engineer can read it without this Vault. Treat it like a root token (DR-OPTOK)."
                ),
                fallback,
            ],
            commands,
        );
        self.prepared.insert(l, n);
    }

    fn prepare_perf_login(&mut self, r: &Recovery) {
        let t = self.t;
        let Some(p) = r.to else { return };
        // A DR secondary answers no requests today: check on the cluster it will replace.
        let check = r.via.unwrap_or(p);
        let commands = vec![
            self.vault(
                check,
                "token capabilities sys/replication/performance/secondary/promote",
            ),
            self.vault(
                check,
                "token capabilities sys/replication/performance/secondary/update-primary",
            ),
        ];
        let mut text = vec![format!(
            "Promoting a performance secondary takes a normal Vault token on that cluster, not a DR operation token (PERF-MANAGE; API-PERF). {} keeps its own tokens, so make sure operators can log in to it with a policy granting `update` on `sys/replication/performance/secondary/promote` and `sys/replication/performance/secondary/update-primary`. Both commands must print `update` (or `root`).",
            quoted(t, p)
        )];
        if let Some(s) = r.via {
            text.push(format!(
                "{} becomes a performance secondary only after its own DR promotion in place of {}; run these checks against {} today, where the same policies apply to the tokens it mirrors.",
                quoted(t, p),
                quoted(t, s),
                quoted(t, s)
            ));
        }
        self.push(
            Phase::Prepare,
            format!(
                "Make sure operators can promote {} with a Vault token",
                quoted(t, p)
            ),
            text,
            commands,
        );
    }

    /// Promote, fence, verify (ENOS-DR order). Returns the fencing step's number.
    fn promote_dr(&mut self, r: &Recovery) -> usize {
        let t = self.t;
        let (l, Some(d)) = (r.lost, r.to) else {
            return 0;
        };
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
                Some(p) if self.is_lost(p) => format!(
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
        text.push(
            "HashiCorp's DR failover order is: promote, then demote the old primary, then test access to data (ENOS-DR). Do not add `force=true` unless you accept losing what was not yet replicated (API-DR)."
                .to_string(),
        );
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

        let fenced = self.fence_dr(l, d);
        self.verify_dr(l, d);
        fenced
    }

    /// Demotes the lost cluster if it answers (ENOS-DR step 3). Returns the step's number.
    fn fence_dr(&mut self, l: ClusterId, d: ClusterId) -> usize {
        let t = self.t;
        let mut fence = Vec::new();
        let text = if t.role(l) == Role::Primary {
            let perf = !t.performance_secondaries(l).is_empty();
            if perf {
                fence.push(self.vault(l, "write -f sys/replication/performance/primary/demote"));
            }
            fence.push(self.vault(l, "write -f sys/replication/dr/primary/demote"));
            format!(
                "Never run two primaries: \"Multiple primaries may result in data loss!\" ({}). If {} answers, demote {}: it keeps its cluster ID and can rejoin later as a DR secondary (API-DR; ENOS-DR). If it does not answer, keep it from coming back as a primary (out of its load balancer pool, or powered off) and demote it first thing when it returns.",
                if perf { "API-DR; API-PERF" } else { "API-DR" },
                quoted(t, l),
                if perf { "both its primary roles" } else { "it" }
            )
        } else {
            fence.push(self.vault(l, "write -f sys/replication/dr/primary/demote"));
            format!(
                "Only {} may act for {} now. If {} answers, demote its DR primary role: it keeps its cluster ID and can rejoin later as a DR secondary of {} (API-DR; ENOS-DR). If it does not answer, keep it out of service (out of its load balancer pool, or powered off) and demote it first thing when it returns.",
                quoted(t, d),
                quoted(t, l),
                quoted(t, l),
                quoted(t, d)
            )
        };
        self.push(
            Phase::Failover,
            format!("Fence {}: demote it if it is reachable", quoted(t, l)),
            vec![text],
            fence,
        )
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
        } else if t.upstream(l).is_some_and(|(p, _)| self.is_lost(p)) {
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
        let fenced = self.push(
            Phase::Failover,
            format!("Fence {}: demote it if it is reachable", quoted(t, l)),
            vec![format!(
                "PERF-MANAGE demotes the original primary first: it \"becomes a performance secondary that does not connect to any primary. It keeps its cluster ID\". Only one performance primary may be active: \"Multiple primaries may result in data loss!\" (API-PERF). If {} does not answer, keep it from coming back as a primary (out of its load balancer pool, or powered off) and demote it first thing when it returns.",
                quoted(t, l)
            )],
            fence,
        );
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
                let mut cmd = self.vault(*c, "operator raft snapshot restore \"$SNAPSHOT_FILE\"");
                cmd.comment = Some(
                    "once rebuilt, with SNAPSHOT_FILE set to its own latest snapshot".to_string(),
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
            .recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::DrPromotion)
            .filter_map(|r| r.to.map(|to| (to, r.lost)))
            .collect();
        let promoted_perf: BTreeSet<ClusterId> = self
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
        let mut commands = Vec::new();
        let mut dr_followers = Vec::new();
        let mut perf_followers = Vec::new();
        for Follower {
            cluster: f,
            dr,
            mirrors,
        } in followers
        {
            if dr {
                dr_followers.push(f);
                let var = self.token_var(mirrors);
                commands.push(self.capture(
                    "SECONDARY_PUBLIC_KEY",
                    f,
                    "write -field=secondary_public_key -f sys/replication/dr/secondary/generate-public-key",
                ));
                commands.push(self.capture(
                    "ACTIVATION_TOKEN",
                    new_up,
                    &format!(
                        "write -field=token sys/replication/dr/primary/secondary-token id={} secondary_public_key=\"$SECONDARY_PUBLIC_KEY\"",
                        t.name(f)
                    ),
                ));
                commands.push(self.vault(
                    f,
                    &format!(
                        "write sys/replication/dr/secondary/update-primary dr_operation_token=\"${var}\" token=\"$ACTIVATION_TOKEN\""
                    ),
                ));
            } else {
                perf_followers.push(f);
                commands.push(self.vault(
                    f,
                    &format!(
                        "write sys/replication/performance/secondary/update-primary update_primary_addrs={addr}"
                    ),
                ));
            }
        }
        let mut text = vec![format!(
            "Every other secondary that followed a lost cluster now replicates from {}. Rule of thumb: `token` on DR secondaries, `update_primary_addrs` on performance secondaries (API-DR); \"there should never be more than one primary at a time\" (API-DR; API-PERF).",
            quoted(t, new_up)
        )];
        if !perf_followers.is_empty() {
            text.push(format!(
                "On {}: `update_primary_addrs` pings the listed cluster addresses and keeps the first that answers, lighter than a new token (API-PERF). If it does not reconnect, issue a new `secondary-token` from {} and run `update-primary token=…` instead; path filters must then be re-created (API-PERF).",
                names(t, &perf_followers),
                quoted(t, new_up)
            ));
        }
        if !dr_followers.is_empty() {
            text.push(format!(
                "On {}: a DR secondary takes an activation token from its new primary (here by the public-key method, which needs no call to {}'s API port) and a DR operation token: the batch token prepared above works, as these clusters mirror the same token store (ENOS-DR; API-DR). `secondary-token` takes a Vault token with `sudo` on {}, and the `id` must be unique there; if it is already in its `known_secondaries`, revoke it first with `sys/replication/dr/primary/revoke-secondary` (API-DR).",
                names(t, &dr_followers),
                quoted(t, new_up),
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

    fn repoint_clients(&mut self, r: &Recovery, clients: &[ClientImpact]) {
        let t = self.t;
        let mine: Vec<&ClientImpact> = clients.iter().filter(|c| c.cluster == r.lost).collect();
        let Some(to) = r.to else { return };
        if mine.is_empty() {
            return;
        }
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
        let health = if from_addr.starts_with('$') {
            to_addr.clone()
        } else {
            from_addr.clone()
        };
        let commands = mine
            .iter()
            .map(|c| Command {
                on: On::Client(c.client),
                comment: None,
                line: format!("curl -s -o /dev/null -w '%{{http_code}}\\n' {health}/v1/sys/health"),
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

    fn later(&mut self, after: &[AfterCluster], fenced: &BTreeMap<ClusterId, usize>) {
        let t = self.t;
        let lost: Vec<ClusterId> = self
            .order
            .iter()
            .copied()
            .filter(|c| self.is_lost(*c))
            .collect();
        for l in lost {
            if let Some(&(r, how)) = self.replaced.get(&l) {
                let step = fenced.get(&l).copied().unwrap_or(0);
                match how {
                    Promotion::Dr => self.failback_dr(l, r, step),
                    Promotion::Performance => self.failback_perf(l, r, step, after),
                }
                continue;
            }
            if t.role(l) == Role::DrSecondary {
                self.returning_dr(l);
            } else if let Some(rec) = self.recoveries.iter().find(|x| x.lost == l).cloned()
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

    fn reattach_commands(&mut self, old: ClusterId, new: ClusterId, finish: &str) -> Vec<Command> {
        let t = self.t;
        vec![
            self.capture(
                "SECONDARY_PUBLIC_KEY",
                old,
                "write -field=secondary_public_key -f sys/replication/dr/secondary/generate-public-key",
            ),
            self.capture(
                "ACTIVATION_TOKEN",
                new,
                &format!(
                    "write -field=token sys/replication/dr/primary/secondary-token id={} secondary_public_key=\"$SECONDARY_PUBLIC_KEY\"",
                    t.name(old)
                ),
            ),
            self.vault(old, finish),
            self.vault(new, "read -format=json sys/replication/dr/status"),
        ]
    }

    fn failback_dr(&mut self, l: ClusterId, d: ClusterId, fence_step: usize) {
        let t = self.t;
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
                "Once {} is repaired and demoted (step {fence_step}), make it a DR secondary of {}: ENOS-DR's \"point demoted cluster A to the new primary cluster B\". The public-key method needs only the cluster port between them, no call to {}'s API (API-DR; PERF-ENABLE); `secondary-token` takes a Vault token with `sudo` there (API-DR).",
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
                "Verify that data replicates: on {}, `data.secondaries` lists {} with `connection_status` `connected` (API-DR; ENOS-DR). To make {} the {} again later, run a planned switchover the same way in the other direction (GUIDES-LR).",
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
        if t.set_lost(t.root(x), &self.lost) {
            return; // the whole set is restored from snapshots
        }
        match self.replaced.get(&u).copied() {
            None => {
                let verify = self.vault(x, "read -format=json sys/replication/dr/status");
                let when = if self.is_lost(u) {
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
                        "{when} and catches up by itself (REPL-INT). `data.state` must reach `stream-wals` (API-REPL). If it was destroyed, enable a rebuilt cluster as a DR secondary of {} instead, which wipes it (API-DR).",
                        quoted(t, u)
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
        let Some(now) = self.current(u) else { return };
        let mut commands = Vec::new();
        let mut text = Vec::new();
        if now == u {
            text.push(format!(
                "{} is still a performance secondary of {}: when it returns it reconnects by itself, with its own tokens, leases and local mounts (REPL-IDX). `data.performance.state` must reach `stream-wals` (API-REPL).",
                quoted(t, l),
                quoted(t, u)
            ));
        } else {
            let addr = self.advertised(now);
            commands.push(self.vault(
                l,
                &format!(
                    "write sys/replication/performance/secondary/update-primary update_primary_addrs={addr}"
                ),
            ));
            text.push(format!(
                "{} replicated from {}, which {} replaced: when it returns, point it at {} (API-PERF); it keeps its own tokens, leases and local mounts (REPL-IDX).",
                quoted(t, l),
                quoted(t, u),
                quoted(t, now),
                quoted(t, now)
            ));
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

    pub(super) fn live_paths(
        &mut self,
        after: &[AfterCluster],
        clients: &[ClientImpact],
    ) -> Vec<LivePath> {
        let t = self.t;
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
        for r in &self.recoveries {
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
                            self.warnings.push(format!(
                                "external service `{}` is used by {} but does not list {} in `used_by`: after the promotion {} connects to it; add it and open the path",
                                s.name.get(),
                                quoted(t, r.lost),
                                quoted(t, to),
                                quoted(t, to)
                            ));
                        }
                    }
                    _ if !declared => self.warnings.push(format!(
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
}
