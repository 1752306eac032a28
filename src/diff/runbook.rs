//! The runbook of a change: ordered steps, each with the exact commands and the cluster each
//! runs on, and the risk windows (a serving cluster without a DR secondary, or a replication
//! set without a primary, between two steps). Shared by the migration
//! ([`super::migration`]) and bootstrap ([`super::bootstrap`]) runbooks, which decide the
//! steps; this module holds the data and the command recipes of §3 of the fact sheet
//! (API-DR, API-PERF, ENOS-DR).

use std::collections::BTreeMap;

use super::Mode;
use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::spec::{ClusterPort, Role};

pub use super::migration::migration;

/// A replication type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Repl {
    /// Disaster recovery replication.
    Dr,
    /// Performance replication.
    Performance,
}

impl Repl {
    /// The path segment: `dr` or `performance`.
    pub const fn path(self) -> &'static str {
        match self {
            Self::Dr => "dr",
            Self::Performance => "performance",
        }
    }

    /// `DR` or `performance`, for prose.
    pub const fn word(self) -> &'static str {
        match self {
            Self::Dr => "DR",
            Self::Performance => "performance",
        }
    }

    /// The replication type a secondary of `role` belongs to.
    pub const fn of(role: Role) -> Option<Self> {
        match role {
            Role::Primary => None,
            Role::PerformanceSecondary => Some(Self::Performance),
            Role::DrSecondary => Some(Self::Dr),
        }
    }
}

/// A shell command and the cluster whose API it runs against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The cluster (`VAULT_ADDR` is its `api_addr`).
    pub on: String,
    /// The command line; a heredoc spans several lines, its terminator at column 0.
    pub line: String,
}

/// One step of a runbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What it does, imperative.
    pub title: String,
    /// Why, what to expect and what to check.
    pub text: Vec<String>,
    /// Commands, in order.
    pub commands: Vec<Command>,
    /// The fact-sheet source keys the text cites.
    pub sources: Vec<&'static str>,
}

/// A stretch of the runbook during which something is unprotected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskWindow {
    /// The cluster concerned.
    pub cluster: String,
    /// The first step after which the risk exists (0: before step 1).
    pub from: usize,
    /// The step that ends it.
    pub to: usize,
    /// What is at risk.
    pub why: String,
}

/// The runbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runbook {
    /// Migration or bootstrap.
    pub mode: Mode,
    /// The steps, first to last.
    pub steps: Vec<Step>,
    /// The risk windows, in order of their first step.
    pub windows: Vec<RiskWindow>,
    /// What to check or do by hand; what vrt generates no command for.
    pub warnings: Vec<String>,
}

/// A replication role in the window simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Primary,
    Secondary(Repl),
    /// Demoted or disabled: replicates with nothing.
    Idle,
}

/// What a step does to the replication graph, for the risk windows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Effect {
    /// The cluster becomes a secondary of `upstream`.
    Attach(String, Repl, String),
    /// The cluster no longer replicates (revoked, disabled, decommissioned).
    Detach(String),
    /// The cluster becomes a primary.
    Promote(String),
    /// The cluster is demoted: no primary role, no upstream.
    Demote(String),
}

/// The step builder shared by both runbooks.
pub(super) struct Book<'a> {
    pub old: Option<&'a Topology>,
    pub new: &'a Topology,
    pub steps: Vec<Step>,
    pub effects: Vec<Vec<Effect>>,
    pub warnings: Vec<String>,
    /// Windows the builder knows of directly (a set without a primary).
    pub windows: Vec<RiskWindow>,
    /// Clusters by name, in NEW and in OLD.
    new_index: BTreeMap<String, ClusterId>,
    old_index: BTreeMap<String, ClusterId>,
}

fn index(t: &Topology) -> BTreeMap<String, ClusterId> {
    t.cluster_ids()
        .map(|c| (t.name(c).to_string(), c))
        .collect()
}

fn var_name(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

impl<'a> Book<'a> {
    pub fn new(old: Option<&'a Topology>, new: &'a Topology) -> Self {
        Self {
            old,
            new,
            steps: Vec::new(),
            effects: Vec::new(),
            warnings: Vec::new(),
            windows: Vec::new(),
            new_index: index(new),
            old_index: old.map(index).unwrap_or_default(),
        }
    }

    /// The cluster named `name`, as NEW has it, else as OLD had it.
    pub fn find(&self, name: &str) -> Option<(&'a Topology, ClusterId)> {
        let look =
            |index: &BTreeMap<String, ClusterId>, t: &'a Topology| index.get(name).map(|c| (t, *c));
        look(&self.new_index, self.new).or_else(|| self.old.and_then(|o| look(&self.old_index, o)))
    }

    pub fn warn(&mut self, text: String) {
        if !self.warnings.contains(&text) {
            self.warnings.push(text);
        }
    }

    /// An address the file does not give: a shell variable that stops the command until it
    /// is set, and a warning saying so.
    fn gap(&mut self, name: &str, field: &str) -> String {
        let var = format!("{}_{}", field.to_ascii_uppercase(), var_name(name));
        self.warn(format!(
            "the file gives no `{field}` for `{name}`: commands read it from `${var}` and stop until it is set; add `{field}` to the file to have it filled in"
        ));
        format!("${{{var}:?}}")
    }

    fn api(&mut self, name: &str) -> String {
        let addr = self
            .find(name)
            .and_then(|(t, c)| t.cluster(c).api_addr.as_ref().map(|a| a.get().clone()));
        match addr {
            Some(a) => url(&a.scheme, &a.host, a.port),
            None => self.gap(name, "api_addr"),
        }
    }

    /// `primary_cluster_addr` for a cluster that becomes a primary behind a load balancer
    /// passing the cluster port through (API-DR, API-PERF).
    pub fn lb_cluster_addr(&mut self, name: &str) -> Option<String> {
        let (t, c) = self.find(name)?;
        let cluster = t.cluster(c);
        let lb = cluster.load_balancer.as_ref()?;
        match lb.cluster_port {
            ClusterPort::Passthrough => Some(format!(
                "https://{}:{}",
                host_text(lb.address.get()),
                cluster.cluster_port()
            )),
            ClusterPort::TerminateTls => {
                self.warn(format!(
                    "the load balancer of `{name}` terminates TLS on the cluster port, which replication's mutual TLS cannot pass (REPL-IDX); the runbook leaves `primary_cluster_addr` unset so secondaries dial its `cluster_addr`"
                ));
                None
            }
            ClusterPort::None => None,
        }
    }

    /// The cluster address secondaries dial to reach `name` (its load balancer or its
    /// `cluster_addr`).
    pub fn advertised(&mut self, name: &str) -> String {
        if let Some(lb) = self.lb_cluster_addr(name) {
            return lb;
        }
        let addr = self
            .find(name)
            .and_then(|(t, c)| t.cluster(c).cluster_addr.as_ref().map(|a| a.get().clone()));
        match addr {
            Some(a) => url("https", &a.host, a.port),
            None => self.gap(name, "cluster_addr"),
        }
    }

    /// `VAULT_ADDR=… vault ARGS` on `name`.
    pub fn vault(&mut self, name: &str, args: &str) -> Command {
        Command {
            on: name.to_string(),
            line: format!("VAULT_ADDR={} vault {args}", self.api(name)),
        }
    }

    /// `VAR=$(VAULT_ADDR=… vault ARGS)` on `name`.
    pub fn capture(&mut self, var: &str, name: &str, args: &str) -> Command {
        Command {
            on: name.to_string(),
            line: format!("{var}=$(VAULT_ADDR={} vault {args})", self.api(name)),
        }
    }

    /// Adds a step; its sources are the keys its text cites. Returns its number (1-based).
    pub fn push(
        &mut self,
        title: String,
        text: Vec<String>,
        commands: Vec<Command>,
        effects: Vec<Effect>,
    ) -> usize {
        let joined = text.join(" ");
        let sources = crate::sources::cited(&joined)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        self.steps.push(Step {
            title,
            text,
            commands,
            sources,
        });
        self.effects.push(effects);
        self.steps.len()
    }

    /// The version of `name` in NEW (else OLD), for gating commands.
    pub fn version(&self, name: &str) -> Option<crate::values::Version> {
        self.find(name).and_then(|(t, c)| t.version(c).cloned())
    }

    /// `sys/replication/K/primary/enable` on `p`: the first secondary of a kind needs its
    /// primary role enabled (API-DR, API-PERF).
    pub fn enable_primary(&mut self, kind: Repl, p: &str) -> usize {
        let mut args = format!("write -f sys/replication/{}/primary/enable", kind.path());
        let lb = self.lb_cluster_addr(p);
        if let Some(addr) = &lb {
            args.push_str(" primary_cluster_addr=");
            args.push_str(addr);
        }
        let commands = vec![
            self.vault(p, &args),
            self.vault(
                p,
                &format!("read -format=json sys/replication/{}/status", kind.path()),
            ),
        ];
        let mut text = vec![format!(
            "`{p}` gets its first {} secondary, so it becomes a {} primary (API-{} \"Enable {} primary replication\"). `data.mode` must read `primary`.",
            kind.word(),
            kind.word(),
            if kind == Repl::Dr { "DR" } else { "PERF" },
            kind.word(),
        )];
        if lb.is_some() {
            text.push(format!(
                "`primary_cluster_addr` is the load balancer that passes `{p}`'s cluster port through: it is the address `{p}` hands its secondaries (API-DR; API-PERF)."
            ));
        }
        self.push(
            format!("Enable {} primary replication on `{p}`", kind.word()),
            text,
            commands,
            Vec::new(),
        )
    }

    /// `secondary-token` on `p`, `secondary/enable` on `s`, then its status. With
    /// `public_key` (the secondary declares `activation: public-key`), `s` first generates
    /// its public key and the token is encrypted for it, so `s` makes no call to `p`'s API.
    pub fn enable_secondary(
        &mut self,
        kind: Repl,
        s: &str,
        p: &str,
        public_key: bool,
        extra: Vec<String>,
    ) -> usize {
        let k = kind.path();
        let mut commands = Vec::new();
        if public_key {
            commands.push(self.capture(
                "SECONDARY_PUBLIC_KEY",
                s,
                &format!(
                    "write -field=secondary_public_key -f sys/replication/{k}/secondary/generate-public-key"
                ),
            ));
            commands.push(self.capture(
                "ACTIVATION_TOKEN",
                p,
                &format!(
                    "write -field=token sys/replication/{k}/primary/secondary-token id={s} secondary_public_key=\"$SECONDARY_PUBLIC_KEY\""
                ),
            ));
        } else {
            commands.push(self.capture(
                "ACTIVATION_TOKEN",
                p,
                &format!(
                    "write -field=wrapping_token sys/replication/{k}/primary/secondary-token id={s}"
                ),
            ));
        }
        commands.push(self.vault(
            s,
            &format!("write sys/replication/{k}/secondary/enable token=\"$ACTIVATION_TOKEN\""),
        ));
        commands.push(self.vault(s, &format!("read -format=json sys/replication/{k}/status")));
        let mut text = vec![
            format!(
                "On `{p}`, `secondary-token` takes a Vault token with `sudo`; the `id` (`{s}`) must be unique among `{p}`'s secondaries, and the response-wrapped activation token is valid for 30 minutes by default (API-{api}).",
                api = if kind == Repl::Dr { "DR" } else { "PERF" }
            ),
            format!(
                "Enabling `{s}` as a {} secondary \"will immediately clear all data in the secondary cluster\" (API-{api}): run it on a new or expendable cluster only, with a token of `{s}` itself. `{s}` unwraps the token at `{p}`'s API address carried in it, so its firewall path to `{p}`'s API and cluster ports must already be open (PERF-ENABLE; TS-CONN). Wait until `data.state` reads `stream-wals` before going on (API-REPL).",
                kind.word(),
                api = if kind == Repl::Dr { "DR" } else { "PERF" }
            ),
        ];
        if public_key {
            text.push(format!(
                "`{s}` declares `activation: public-key`: it generates a key pair, `{p}` encrypts the activation token for its public key (`secondary_public_key`, Vault 1.3 and later) and returns it as a plain `token` field, and `{s}` makes no API call to `{p}` during activation (API-{api} \"Generate secondary public key\")."
                ,
                api = if kind == Repl::Dr { "DR" } else { "PERF" }
            ));
        }
        text.extend(extra);
        self.push(
            format!("Enable `{s}` as a {} secondary of `{p}`", kind.word()),
            text,
            commands,
            vec![Effect::Attach(s.to_string(), kind, p.to_string())],
        )
    }

    /// The risk windows: serving clusters without a DR secondary between steps (those that
    /// had one in OLD or have one in NEW), plus the windows the builder recorded.
    pub fn windows(&self, start: BTreeMap<String, (State, Option<String>)>) -> Vec<RiskWindow> {
        // Clusters that have a DR secondary in OLD or NEW: the ones a window can concern.
        let mut wants: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for t in std::iter::once(self.new).chain(self.old) {
            wants.extend(
                t.cluster_ids()
                    .filter(|c| !t.dr_secondaries(*c).is_empty())
                    .map(|c| t.name(c).to_string()),
            );
        }
        let mut state = start;
        let mut open: BTreeMap<String, usize> = BTreeMap::new();
        let mut out = Vec::new();
        let check = |state: &BTreeMap<String, (State, Option<String>)>,
                     i: usize,
                     open: &mut BTreeMap<String, usize>,
                     out: &mut Vec<RiskWindow>| {
            let covered: std::collections::BTreeSet<&str> = state
                .values()
                .filter(|(r, _)| *r == State::Secondary(Repl::Dr))
                .filter_map(|(_, up)| up.as_deref())
                .collect();
            for (name, (role, _)) in state {
                let serving = matches!(role, State::Primary | State::Secondary(Repl::Performance));
                let exposed =
                    serving && !covered.contains(name.as_str()) && wants.contains(name.as_str());
                match (exposed, open.contains_key(name)) {
                    (true, false) => {
                        open.insert(name.clone(), i);
                    }
                    (false, true) => {
                        let from = open.remove(name).unwrap_or(i);
                        out.push(window(name, from, i));
                    }
                    _ => {}
                }
            }
            let gone: Vec<String> = open
                .keys()
                .filter(|n| !state.contains_key(*n))
                .cloned()
                .collect();
            for name in gone {
                let from = open.remove(&name).unwrap_or(i);
                out.push(window(&name, from, i));
            }
        };
        check(&state, 0, &mut open, &mut out);
        for (i, effects) in self.effects.iter().enumerate() {
            for e in effects {
                match e {
                    Effect::Attach(c, k, up) => {
                        state.insert(c.clone(), (State::Secondary(*k), Some(up.clone())));
                    }
                    Effect::Detach(c) => {
                        state.remove(c);
                    }
                    Effect::Promote(c) => {
                        state.insert(c.clone(), (State::Primary, None));
                    }
                    Effect::Demote(c) => {
                        state.insert(c.clone(), (State::Idle, None));
                    }
                }
            }
            check(&state, i + 1, &mut open, &mut out);
        }
        let last = self.steps.len();
        for (name, from) in open {
            out.push(RiskWindow {
                cluster: name.clone(),
                from,
                to: last,
                why: format!(
                    "`{name}` serves without a DR secondary from {} until the end of the runbook and after it: losing it then loses its tokens and leases (REPL-IDX)",
                    if from == 0 { "the start".to_string() } else { format!("step {from}") }
                ),
            });
        }
        out.extend(self.windows.iter().cloned());
        out.sort_by(|a, b| (a.from, a.to, &a.cluster).cmp(&(b.from, b.to, &b.cluster)));
        out
    }
}

fn window(name: &str, from: usize, to: usize) -> RiskWindow {
    let span = if from == 0 {
        format!("from the start until step {to}")
    } else {
        format!("from step {from} until step {to}")
    };
    RiskWindow {
        cluster: name.to_string(),
        from,
        to,
        why: format!(
            "`{name}` serves without a DR secondary {span}: losing it then loses its tokens and leases (REPL-IDX)"
        ),
    }
}

/// `scheme://host:port`, an IPv6 host in brackets.
pub(super) fn url(scheme: &str, host: &crate::values::Host, port: u16) -> String {
    match host {
        crate::values::Host::Ip(std::net::IpAddr::V6(ip)) => format!("{scheme}://[{ip}]:{port}"),
        h => format!("{scheme}://{h}:{port}"),
    }
}

fn host_text(h: &str) -> String {
    match h.parse::<std::net::Ipv6Addr>() {
        Ok(ip) => format!("[{ip}]"),
        Err(_) => h.to_string(),
    }
}

/// The replication state of every cluster of `t`, as the window simulation starts it.
pub(super) fn state_of(t: &Topology) -> BTreeMap<String, (State, Option<String>)> {
    t.cluster_ids()
        .map(|c| {
            let state = match Repl::of(t.role(c)) {
                None => State::Primary,
                Some(k) => State::Secondary(k),
            };
            let up = t.upstream(c).map(|(u, _)| t.name(u).to_string());
            (t.name(c).to_string(), (state, up))
        })
        .collect()
}

/// Whether the cluster named `name` in `t` declares `activation: public-key`.
pub fn public_key(t: &crate::graph::Topology, name: &str) -> bool {
    t.cluster_ids().any(|c| {
        t.name(c) == name && t.cluster(c).activation() == crate::spec::Activation::PublicKey
    })
}
