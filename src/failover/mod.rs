//! Failover planning: what a single failure (a cluster, a site or a region) takes out, how
//! each lost cluster is recovered and why, the ordered runbook with the exact commands, and
//! the topology afterwards. Pure: [`plan`] goes from a [`Topology`] and a [`Failure`] to a
//! [`Plan`], [`sweep`] runs every single failure; `report::failover` renders them.
//!
//! Every step rests on ../shared/domain/vault-replication.md (§3 and "Implications" 11–12)
//! and cites its source keys (API-DR, ENOS-DR, PERF-MANAGE, REPL-IDX, BREAKGLASS, …), which
//! `vrt explain` and [`crate::sources`] resolve to documents.
//!
//! The recovery rule, per lost primary or performance secondary:
//! 1. a surviving DR secondary → DR promotion; tokens and leases are preserved;
//! 2. otherwise, for a primary, a surviving performance secondary (or one that a DR
//!    promotion has just replaced) → performance promotion; every client of the lost
//!    primary re-authenticates;
//! 3. otherwise, for a performance secondary, its clients move to a serving cluster of its
//!    replication set and re-authenticate;
//! 4. otherwise the replication set is lost and is restored from snapshots.
//!
//! Several candidates are ranked by [`Topology::rank_replacements`]: same region as the
//! lost cluster first, then the newest Vault version, then name.

// Throughout, `t` is the topology, `l` the lost cluster, `d` a DR secondary, `p` a performance
// secondary or primary, `r` a recovery: short names keep the recipes readable.
#![allow(clippy::many_single_char_names)]

use std::collections::{BTreeMap, BTreeSet};

mod steps;

pub use crate::graph::Failure;
use crate::graph::Topology;
use crate::ids::{ClientId, ClusterId, ServiceId, SiteId};
use crate::spec::Role;
use crate::values;

/// Why a name given to `--lose` names nothing, or more than one thing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Nothing has that name.
    #[error("no {kinds} is named `{name}`{hint}")]
    Unknown {
        /// The name as given (without its prefix).
        name: String,
        /// What was searched: `cluster, site or region`, or one kind.
        kinds: &'static str,
        /// `; did you mean …?` or the list of names, possibly empty.
        hint: String,
    },
    /// Several kinds of object have that name and their failures differ.
    #[error("`{name}` names {what}; write {options} to choose")]
    Ambiguous {
        /// The name.
        name: String,
        /// `a cluster and a site`.
        what: String,
        /// `` `cluster:x` or `site:x` ``.
        options: String,
    },
    /// The text has a prefix other than `cluster:`, `site:` or `region:`.
    #[error("unknown prefix `{prefix}:` in `{text}`; use `cluster:`, `site:` or `region:`")]
    Prefix {
        /// The prefix.
        prefix: String,
        /// The whole text.
        text: String,
    },
}

/// The replication graph has a cycle, so no upstream-first order exists to plan in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the replication graph has a cycle through {clusters}; fix it first (`vrt validate` reports it as VRT104)"
)]
pub struct Cyclic {
    /// The clusters on the first cycle, as `` `a`, `b` ``.
    pub clusters: String,
}

/// Resolves `--lose` text: a cluster, site or region name, optionally prefixed with
/// `cluster:`, `site:` or `region:`. A site and a one-site region of the same name (the
/// default region of a site is its name) fail identically and resolve to the site.
pub fn resolve(t: &Topology, text: &str) -> Result<Failure, ResolveError> {
    let clusters = || t.cluster_ids().map(|c| (t.name(c), Failure::Cluster(c)));
    let sites = || {
        t.model
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), Failure::Site(SiteId(i))))
    };
    let regions = || {
        t.regions()
            .into_iter()
            .map(|r| (r, Failure::Region(r.to_string())))
    };
    let unknown = |name: &str, kinds: &'static str, names: Vec<&str>| {
        let hint = match values::closest(name, names.iter().copied()) {
            Some(m) => format!("; did you mean `{m}`?"),
            None if names.is_empty() => String::new(),
            None => format!(
                "; the topology has {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        ResolveError::Unknown {
            name: name.to_string(),
            kinds,
            hint,
        }
    };
    if let Some((prefix, name)) = text.split_once(':') {
        let (kind, all): (&'static str, Vec<(&str, Failure)>) = match prefix {
            "cluster" => ("cluster", clusters().collect()),
            "site" => ("site", sites().collect()),
            "region" => ("region", regions().collect()),
            _ => {
                return Err(ResolveError::Prefix {
                    prefix: prefix.to_string(),
                    text: text.to_string(),
                });
            }
        };
        return match all.iter().find(|(n, _)| *n == name) {
            Some((_, f)) => Ok(f.clone()),
            None => Err(unknown(name, kind, all.iter().map(|(n, _)| *n).collect())),
        };
    }
    let mut hits: Vec<Failure> = clusters()
        .chain(sites())
        .chain(regions())
        .filter(|(n, _)| *n == text)
        .map(|(_, f)| f)
        .collect();
    let site_hit = hits.iter().find_map(|f| match f {
        Failure::Site(s) => Some(*s),
        _ => None,
    });
    if let Some(s) = site_hit {
        hits.retain(|f| !matches!(f, Failure::Region(r) if t.sites_in_region(r) == [s]));
    }
    match hits.len() {
        0 => {
            let names: Vec<&str> = clusters()
                .chain(sites())
                .chain(regions())
                .map(|(n, _)| n)
                .collect();
            let mut unique: Vec<&str> = Vec::new();
            for n in names {
                if !unique.contains(&n) {
                    unique.push(n);
                }
            }
            Err(unknown(text, "cluster, site or region", unique))
        }
        1 => Ok(hits.remove(0)),
        _ => {
            let kinds: Vec<&str> = hits.iter().map(Failure::kind).collect();
            Err(ResolveError::Ambiguous {
                name: text.to_string(),
                what: format!("a {}", kinds.join(" and a ")),
                options: kinds
                    .iter()
                    .map(|k| format!("`{k}:{text}`"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            })
        }
    }
}

/// How a lost primary or performance secondary is recovered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecoveryPath {
    /// A surviving DR secondary is promoted: tokens and leases are preserved.
    DrPromotion,
    /// A performance secondary is promoted to primary: clients of the lost primary
    /// re-authenticate.
    PerformancePromotion,
    /// A lost performance secondary's clients move to another serving cluster of its set
    /// and re-authenticate.
    ClientsMove,
    /// Nothing of the replication set survives: restore from snapshots.
    None,
}

impl RecoveryPath {
    /// Words for tables: `DR promotion`, `performance promotion`, `clients move`, `none`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DrPromotion => "DR promotion",
            Self::PerformancePromotion => "performance promotion",
            Self::ClientsMove => "clients move",
            Self::None => "none",
        }
    }

    /// The JSON value: `dr-promotion`, `performance-promotion`, `clients-move`, `none`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::DrPromotion => "dr-promotion",
            Self::PerformancePromotion => "performance-promotion",
            Self::ClientsMove => "clients-move",
            Self::None => "none",
        }
    }
}

/// The recovery of one lost primary or performance secondary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// The lost cluster.
    pub lost: ClusterId,
    /// How it is recovered.
    pub path: RecoveryPath,
    /// The cluster that takes over: the promoted cluster, or the cluster the clients move
    /// to; `None` when nothing can.
    pub to: Option<ClusterId>,
    /// For a performance promotion of a cluster that a DR promotion has just put in place
    /// of a lost performance secondary: that performance secondary.
    pub via: Option<ClusterId>,
    /// Every candidate, best first (the chosen one first).
    pub candidates: Vec<ClusterId>,
    /// Why this path and this cluster, citing sources.
    pub why: String,
    /// Whether the lost cluster's tokens and leases survive.
    pub tokens_preserved: bool,
    /// The lost cluster's clients that must re-authenticate.
    pub reauthenticate: Vec<ClientId>,
}

impl Recovery {
    /// The recovery of `lost` when nothing of its replication set survives.
    fn set_lost(lost: ClusterId, why: String) -> Self {
        Self {
            lost,
            path: RecoveryPath::None,
            to: None,
            via: None,
            candidates: Vec::new(),
            why,
            tokens_preserved: false,
            reauthenticate: Vec::new(),
        }
    }
}

/// Whether a replication set can still serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetStatus {
    /// Its primary survives.
    Serving,
    /// Its primary is lost; a promotion brings writes back.
    ServingAfterRecovery,
    /// Nothing of it survives.
    Lost,
}

impl SetStatus {
    /// Words for tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Serving => "still serving",
            Self::ServingAfterRecovery => "serves after promotion",
            Self::Lost => "lost",
        }
    }

    /// The JSON value.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Serving => "serving",
            Self::ServingAfterRecovery => "serving-after-recovery",
            Self::Lost => "lost",
        }
    }
}

/// A replication set the failure touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetImpact {
    /// Its primary (the root of the set).
    pub root: ClusterId,
    /// Its lost clusters, in file order.
    pub lost: Vec<ClusterId>,
    /// Whether it can still serve.
    pub status: SetStatus,
    /// One sentence on what still serves.
    pub note: String,
}

/// What happens to a client's tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFate {
    /// It keeps its tokens and leases (DR promotion).
    Kept,
    /// It must re-authenticate and obtain new leases.
    Reauthenticate,
    /// No cluster can serve it until a restore.
    NoService,
}

impl TokenFate {
    /// Words for tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Kept => "kept",
            Self::Reauthenticate => "re-authenticate",
            Self::NoService => "no service until restored",
        }
    }

    /// The JSON value.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Kept => "kept",
            Self::Reauthenticate => "re-authenticate",
            Self::NoService => "no-service",
        }
    }
}

/// A client whose cluster is lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientImpact {
    /// The client.
    pub client: ClientId,
    /// The lost cluster it used.
    pub cluster: ClusterId,
    /// The cluster it uses after the failover.
    pub to: Option<ClusterId>,
    /// Its tokens.
    pub tokens: TokenFate,
    /// Whether the client's own site is lost too.
    pub site_lost: bool,
}

/// When a step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Before any failure.
    Prepare,
    /// During the failover.
    Failover,
    /// Later, once the lost clusters are back (failback, rebuilds).
    Later,
}

impl Phase {
    /// A heading.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Prepare => "Before the failure",
            Self::Failover => "During the failover",
            Self::Later => "Later: failback and rebuilds",
        }
    }

    /// The JSON value.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Prepare => "prepare",
            Self::Failover => "failover",
            Self::Later => "later",
        }
    }
}

/// Where a command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    /// Against a cluster's API (`VAULT_ADDR` is its `api_addr`).
    Cluster(ClusterId),
    /// From a client's network.
    Client(ClientId),
}

/// A shell command of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// Where it runs.
    pub on: On,
    /// A remark shown before it, if any.
    pub comment: Option<String>,
    /// The command line (a heredoc spans several lines).
    pub line: String,
}

/// One step of the runbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// When it runs.
    pub phase: Phase,
    /// What it does, imperative.
    pub title: String,
    /// Paragraphs: why, what to expect, what to watch for.
    pub text: Vec<String>,
    /// Commands, in order.
    pub commands: Vec<Command>,
    /// The fact-sheet source keys its text cites, in the order of [`crate::sources::SOURCES`].
    pub sources: Vec<&'static str>,
}

/// A cluster's role after the failover (before any failback).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterRole {
    /// The primary of its replication set.
    Primary,
    /// A performance secondary.
    PerformanceSecondary,
    /// A DR secondary.
    DrSecondary,
    /// Lost in the failure.
    Lost,
}

impl AfterRole {
    /// As written in topology files, or `lost`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::PerformanceSecondary => "performance-secondary",
            Self::DrSecondary => "dr-secondary",
            Self::Lost => "lost",
        }
    }

    const fn from_role(role: Role) -> Self {
        match role {
            Role::Primary => Self::Primary,
            Role::PerformanceSecondary => Self::PerformanceSecondary,
            Role::DrSecondary => Self::DrSecondary,
        }
    }
}

/// One cluster in the topology after the failover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AfterCluster {
    /// The cluster.
    pub cluster: ClusterId,
    /// Its role before the failure.
    pub before: Role,
    /// Its role after the failover.
    pub role: AfterRole,
    /// The cluster it replicates from after the failover (`None` for a primary or a lost
    /// cluster).
    pub upstream: Option<ClusterId>,
    /// Whether its role or upstream changed.
    pub changed: bool,
}

/// One end of a network path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    /// A cluster.
    Cluster(ClusterId),
    /// A client group.
    Client(ClientId),
    /// An external service.
    Service(ServiceId),
}

/// A network path that was standby before the failure and carries traffic after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LivePath {
    /// Who connects.
    pub from: Node,
    /// To whom.
    pub to: Node,
    /// TCP ports.
    pub ports: Vec<u16>,
    /// Whether the docs advise opening it in both directions (the cluster port).
    pub both_ways: bool,
    /// What flows over it.
    pub why: String,
}

/// The failure being planned for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The failure.
    pub failure: Failure,
    /// `cluster `x``, `site `dc-a`` or `region `east`` (a one-site region is named with
    /// its site).
    pub label: String,
    /// The clusters it takes out, in file order.
    pub lost: Vec<ClusterId>,
    /// The sites it takes out whole.
    pub sites: Vec<SiteId>,
}

/// A failover runbook for one failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The failure.
    pub scenario: Scenario,
    /// The replication sets it touches, in file order of their primaries.
    pub sets: Vec<SetImpact>,
    /// The clients of lost clusters, in file order.
    pub clients: Vec<ClientImpact>,
    /// One recovery per lost primary or performance secondary, upstream first.
    pub recoveries: Vec<Recovery>,
    /// The ordered steps.
    pub steps: Vec<Step>,
    /// Every cluster after the failover, in file order (`after[i]` is `ClusterId(i)`): the
    /// post-failover topology, for tables and diagrams. Each entry gives the role and the
    /// upstream after the failover and before any failback; see [`Plan::role_after`].
    pub after: Vec<AfterCluster>,
    /// Clusters serving clients after the failover that have no DR secondary, so the next
    /// failure of one of them costs its tokens.
    pub without_dr: Vec<ClusterId>,
    /// Network paths that carry traffic only after the failover.
    pub live_paths: Vec<LivePath>,
    /// What the operator must check or fill in (missing addresses, version traps, …).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Whether every lost cluster's tokens and leases survive (no recovery other than DR
    /// promotion is needed).
    pub fn tokens_preserved(&self) -> bool {
        self.recoveries.iter().all(|r| r.tokens_preserved)
    }

    /// Every client that must re-authenticate, in file order.
    pub fn reauthenticate(&self) -> Vec<ClientId> {
        let mut out: Vec<ClientId> = self
            .recoveries
            .iter()
            .flat_map(|r| r.reauthenticate.iter().copied())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// A cluster's role and upstream after the failover.
    pub fn role_after(&self, id: ClusterId) -> Option<&AfterCluster> {
        self.after.get(id.0).filter(|a| a.cluster == id)
    }

    /// Every source key the plan cites, in the order of [`crate::sources::SOURCES`].
    pub fn sources(&self) -> Vec<(&'static str, &'static str)> {
        let mut parts: Vec<&str> = Vec::new();
        for s in &self.steps {
            parts.extend(s.sources.iter().copied());
            parts.extend(s.text.iter().map(String::as_str));
        }
        parts.extend(self.recoveries.iter().map(|r| r.why.as_str()));
        parts.extend(self.sets.iter().map(|s| s.note.as_str()));
        parts.extend(self.live_paths.iter().map(|p| p.why.as_str()));
        parts.extend(self.warnings.iter().map(String::as_str));
        let text = parts.join(" ");
        crate::sources::cited(&text)
    }
}

/// One row of the N-1 sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepRow {
    /// The failure.
    pub scenario: Scenario,
    /// Its recoveries.
    pub recoveries: Vec<Recovery>,
    /// Whether every lost cluster's tokens survive.
    pub tokens_preserved: bool,
    /// Clients that must re-authenticate.
    pub reauthenticate: Vec<ClientId>,
    /// Serving clusters left without a DR secondary.
    pub without_dr: Vec<ClusterId>,
}

/// Plans every single failure ([`Topology::single_failures`]): each cluster, each site,
/// each region of several sites.
pub fn sweep(t: &Topology) -> Result<Vec<SweepRow>, Cyclic> {
    let order = upstream_first(t)?;
    Ok(t.single_failures()
        .iter()
        .map(|f| {
            let p = Builder::new(t, f, &order).build();
            SweepRow {
                tokens_preserved: p.tokens_preserved(),
                reauthenticate: p.reauthenticate(),
                scenario: p.scenario,
                recoveries: p.recoveries,
                without_dr: p.without_dr,
            }
        })
        .collect())
}

/// Plans the failover for one failure.
pub fn plan(t: &Topology, failure: &Failure) -> Result<Plan, Cyclic> {
    let order = upstream_first(t)?;
    Ok(Builder::new(t, failure, &order).build())
}

/// Every cluster, replication set by replication set (in file order of their primaries),
/// upstream first within a set, then in file order.
fn upstream_first(t: &Topology) -> Result<Vec<ClusterId>, Cyclic> {
    if t.upstream_first().is_none() {
        return Err(Cyclic {
            clusters: t.cycles().first().map(|c| names(t, c)).unwrap_or_default(),
        });
    }
    let mut order: Vec<ClusterId> = t.cluster_ids().collect();
    order.sort_by_key(|c| (t.root(*c), t.ancestors(*c).len(), *c));
    Ok(order)
}

/// The scenario label: a site whose region holds only it says so.
fn label(t: &Topology, failure: &Failure) -> String {
    match failure {
        Failure::Cluster(c) => format!("cluster `{}`", t.name(*c)),
        Failure::Site(s) => {
            let site = &t.model.sites[s.0];
            let region = site.region.as_str();
            if t.sites_in_region(region) == [*s] && region != site.name.as_str() {
                format!("site `{}` (all of region `{region}`)", site.name.get())
            } else {
                format!("site `{}`", site.name.get())
            }
        }
        Failure::Region(r) => format!("region `{r}`"),
    }
}

fn quoted(t: &Topology, c: ClusterId) -> String {
    format!("`{}`", t.name(c))
}

fn names(t: &Topology, ids: &[ClusterId]) -> String {
    ids.iter()
        .map(|c| quoted(t, *c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn and_list(t: &Topology, ids: &[ClusterId]) -> String {
    match ids {
        [] => String::new(),
        [one] => quoted(t, *one),
        [rest @ .., last] => format!("{} and {}", names(t, rest), quoted(t, *last)),
    }
}

fn client_names(t: &Topology, ids: &[ClientId]) -> String {
    ids.iter()
        .map(|c| format!("`{}`", t.model.clients[c.0].name.get()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn site_name(t: &Topology, c: ClusterId) -> &str {
    t.model.sites[t.site_of(c).0].name.get()
}

fn version_text(t: &Topology, c: ClusterId) -> String {
    t.version(c)
        .map_or_else(|| "no version given".to_string(), ToString::to_string)
}

/// How a lost cluster was replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Promotion {
    Dr,
    Performance,
}

struct Builder<'a> {
    t: &'a Topology,
    failure: &'a Failure,
    order: &'a [ClusterId],
    lost: BTreeSet<ClusterId>,
    recoveries: Vec<Recovery>,
    /// Lost cluster → the cluster that took its place, and how.
    replaced: BTreeMap<ClusterId, (ClusterId, Promotion)>,
    warnings: Vec<String>,
    steps: Vec<Step>,
    token_vars: BTreeMap<ClusterId, String>,
    /// Lost cluster → the step that prepared its batch DR operation token.
    prepared: BTreeMap<ClusterId, usize>,
    /// Roots of the replication sets already given a restore step.
    restored: BTreeSet<ClusterId>,
}

impl<'a> Builder<'a> {
    fn new(t: &'a Topology, failure: &'a Failure, order: &'a [ClusterId]) -> Self {
        Self {
            t,
            failure,
            order,
            lost: t.lost_by(failure),
            recoveries: Vec::new(),
            replaced: BTreeMap::new(),
            warnings: Vec::new(),
            steps: Vec::new(),
            token_vars: BTreeMap::new(),
            prepared: BTreeMap::new(),
            restored: BTreeSet::new(),
        }
    }

    fn build(mut self) -> Plan {
        let t = self.t;
        self.decide();
        let after = self.after();
        let scenario = Scenario {
            failure: self.failure.clone(),
            label: label(t, self.failure),
            lost: self.lost.iter().copied().collect(),
            sites: t.sites_lost_by(self.failure),
        };
        let clients = self.clients(&scenario.sites);
        let sets = self.sets();
        self.version_checks(&after);
        self.write_steps(&after, &clients);
        let without_dr = without_dr(&after);
        let live_paths = self.live_paths(&after, &clients);
        Plan {
            scenario,
            sets,
            clients,
            recoveries: self.recoveries,
            steps: self.steps,
            after,
            without_dr,
            live_paths,
            warnings: self.warnings,
        }
    }

    fn is_lost(&self, c: ClusterId) -> bool {
        self.lost.contains(&c)
    }

    /// The cluster doing `c`'s job after the failover: `c` itself, its replacement, or
    /// nothing.
    fn current(&self, c: ClusterId) -> Option<ClusterId> {
        let mut cur = c;
        for _ in 0..=self.replaced.len() {
            if !self.is_lost(cur) {
                return Some(cur);
            }
            cur = self.replaced.get(&cur)?.0;
        }
        None
    }

    fn serving_lost(&self) -> Vec<ClusterId> {
        self.order
            .iter()
            .copied()
            .filter(|c| self.is_lost(*c) && self.t.role(*c) != Role::DrSecondary)
            .collect()
    }

    /// Chooses each lost serving cluster's recovery.
    fn decide(&mut self) {
        let t = self.t;
        let serving_lost = self.serving_lost();
        let mut decided: BTreeMap<ClusterId, Recovery> = BTreeMap::new();
        // DR promotions first: they never depend on other choices.
        for &l in &serving_lost {
            let drs: Vec<ClusterId> = t
                .dr_secondaries(l)
                .into_iter()
                .filter(|d| !self.is_lost(*d))
                .collect();
            let ranked = t.rank_replacements(l, drs);
            if let Some(&d) = ranked.first() {
                self.replaced.insert(l, (d, Promotion::Dr));
                let mut why = format!(
                    "{} survives as a DR secondary of {}: promoting it keeps {}'s data, tokens and leases, so clients keep their tokens (REPL-IDX; MULTI)",
                    quoted(t, d),
                    quoted(t, l),
                    quoted(t, l),
                );
                if t.role(l) == Role::Primary && !t.performance_secondaries(l).is_empty() {
                    why.push_str(
                        ". A DR secondary is preferred over promoting a performance secondary: \"If the performance primary failed and has a DR secondary, promote the DR secondary instead\" (PERF-MANAGE)",
                    );
                }
                why.push_str(&tie_break(t, l, &ranked, "DR secondaries"));
                decided.insert(
                    l,
                    Recovery {
                        lost: l,
                        path: RecoveryPath::DrPromotion,
                        to: Some(d),
                        via: None,
                        candidates: ranked,
                        why,
                        tokens_preserved: true,
                        reauthenticate: Vec::new(),
                    },
                );
            }
        }
        for &l in &serving_lost {
            if decided.contains_key(&l) {
                continue;
            }
            let clients: Vec<ClientId> = t.clients_of(l).into_iter().map(|(i, _)| i).collect();
            let dr_note = match t.dr_secondaries(l).as_slice() {
                [] => format!("{} has no DR secondary", quoted(t, l)),
                [d] => format!("Its DR secondary {} is lost with it", quoted(t, *d)),
                drs => format!("Its DR secondaries ({}) are lost with it", names(t, drs)),
            };
            let recovery = if t.upstream(l).is_none() {
                self.primary_without_dr(l, &dr_note, clients)
            } else {
                self.secondary_without_dr(l, &dr_note, clients)
            };
            if let (Some(to), RecoveryPath::PerformancePromotion) = (recovery.to, recovery.path) {
                self.replaced.insert(l, (to, Promotion::Performance));
            }
            decided.insert(l, recovery);
        }
        self.recoveries = serving_lost
            .iter()
            .filter_map(|l| decided.remove(l))
            .map(|mut r| {
                r.why.push('.');
                r
            })
            .collect();
    }

    fn primary_without_dr(&self, l: ClusterId, dr_note: &str, clients: Vec<ClientId>) -> Recovery {
        let t = self.t;
        let perf = t.performance_secondaries(l);
        let direct: Vec<ClusterId> = perf.iter().copied().filter(|p| !self.is_lost(*p)).collect();
        let (ranked, via) = if direct.is_empty() {
            // A lost performance secondary that a DR promotion replaced can be promoted in
            // turn: two steps, but the set serves again.
            let replacements: BTreeMap<ClusterId, ClusterId> = perf
                .iter()
                .filter_map(|p| match self.replaced.get(p) {
                    Some((r, Promotion::Dr)) => Some((*r, *p)),
                    _ => None,
                })
                .collect();
            let ranked = t.rank_replacements(l, replacements.keys().copied());
            let via = ranked.first().and_then(|r| replacements.get(r).copied());
            (ranked, via)
        } else {
            (t.rank_replacements(l, direct), None)
        };
        let reauth = if clients.is_empty() {
            format!(
                "every client of {} must re-authenticate and obtain new leases (none is listed in the file)",
                quoted(t, l)
            )
        } else {
            format!(
                "every client of {} ({}) must re-authenticate and obtain new leases",
                quoted(t, l),
                client_names(t, &clients)
            )
        };
        match ranked.first() {
            Some(&p) => {
                let mut why = format!(
                    "{dr_note}, so the only way to bring back writes is promoting performance secondary {} to primary. Tokens and leases are `local` entries that never reach performance secondaries: {reauth} on {} (REPL-IDX; PERF-MANAGE)",
                    quoted(t, p),
                    quoted(t, p),
                );
                if let Some(s) = via {
                    why = format!(
                        "{dr_note}, and every performance secondary of {} is lost too. {} has just replaced performance secondary {} by DR promotion, so it is promoted again, to primary. Tokens and leases are `local` entries that never reach performance secondaries: {reauth} on {} (REPL-IDX; PERF-MANAGE)",
                        quoted(t, l),
                        quoted(t, p),
                        quoted(t, s),
                        quoted(t, p),
                    );
                }
                why.push_str(&tie_break(t, l, &ranked, "performance secondaries"));
                Recovery {
                    lost: l,
                    path: RecoveryPath::PerformancePromotion,
                    to: Some(p),
                    via,
                    candidates: ranked,
                    why,
                    tokens_preserved: false,
                    reauthenticate: clients,
                }
            }
            None => Recovery::set_lost(
                l,
                format!(
                    "{dr_note} and no cluster of its replication set survives: the set is lost and must be restored from snapshots (REPL-IDX)"
                ),
            ),
        }
    }

    fn secondary_without_dr(
        &self,
        l: ClusterId,
        dr_note: &str,
        clients: Vec<ClientId>,
    ) -> Recovery {
        let t = self.t;
        let root = t.root(l);
        let mut serving: Vec<ClusterId> = Vec::new();
        if let Some(p) = self.current(root) {
            serving.push(p);
        }
        for s in t.performance_secondaries(root) {
            if s != l
                && let Some(c) = self.current(s)
                && !serving.contains(&c)
            {
                serving.push(c);
            }
        }
        let ranked = t.rank_replacements(l, serving);
        match ranked.first() {
            Some(&to) => {
                let mut why = format!(
                    "{dr_note}: nothing else holds its tokens, leases and local mounts, so they are unavailable until it returns (REPL-IDX). Its replication set still serves, so its clients move to {} and must re-authenticate and obtain new leases there (PERF-DOC: \"A client that authenticates to one cluster cannot use that token on another cluster\")",
                    quoted(t, to)
                );
                why.push_str(&tie_break(t, l, &ranked, "serving clusters of the set"));
                Recovery {
                    lost: l,
                    path: RecoveryPath::ClientsMove,
                    to: Some(to),
                    via: None,
                    candidates: ranked,
                    why,
                    tokens_preserved: false,
                    reauthenticate: clients,
                }
            }
            None => Recovery::set_lost(
                l,
                format!(
                    "{dr_note} and no cluster of its replication set can serve: the set is lost and must be restored from snapshots (REPL-IDX)"
                ),
            ),
        }
    }

    /// The topology after the failover.
    fn after(&self) -> Vec<AfterCluster> {
        let t = self.t;
        // Indexed by cluster id: a sweep builds one of these per scenario.
        let mut role: Vec<AfterRole> = Vec::with_capacity(t.model.clusters.len());
        let mut up: Vec<Option<ClusterId>> = Vec::with_capacity(t.model.clusters.len());
        for c in t.cluster_ids() {
            if self.is_lost(c) {
                role.push(AfterRole::Lost);
                up.push(None);
            } else {
                role.push(AfterRole::from_role(t.role(c)));
                up.push(t.upstream(c).and_then(|(u, _)| self.current(u)));
            }
        }
        // DR promotions first: a cluster that replaced a lost performance secondary may then
        // be promoted to primary.
        for path in [
            RecoveryPath::DrPromotion,
            RecoveryPath::PerformancePromotion,
        ] {
            for r in self.recoveries.iter().filter(|r| r.path == path) {
                let Some(to) = r.to else { continue };
                if path == RecoveryPath::DrPromotion {
                    role[to.0] = AfterRole::from_role(t.role(r.lost));
                    up[to.0] = t.upstream(r.lost).and_then(|(u, _)| self.current(u));
                } else {
                    role[to.0] = AfterRole::Primary;
                    up[to.0] = None;
                }
            }
        }
        t.cluster_ids()
            .map(|c| {
                let before_up = t.upstream(c).map(|(u, _)| u);
                let role = role[c.0];
                let upstream = up[c.0];
                AfterCluster {
                    cluster: c,
                    before: t.role(c),
                    role,
                    upstream,
                    changed: role != AfterRole::from_role(t.role(c)) || upstream != before_up,
                }
            })
            .collect()
    }

    fn clients(&self, sites: &[SiteId]) -> Vec<ClientImpact> {
        let t = self.t;
        t.model
            .clients
            .iter()
            .enumerate()
            .filter(|(_, c)| self.is_lost(*c.cluster.get()))
            .map(|(i, c)| {
                let cluster = *c.cluster.get();
                let recovery = self.recoveries.iter().find(|r| r.lost == cluster);
                let (to, tokens) = match recovery {
                    Some(r) if r.path == RecoveryPath::DrPromotion => (r.to, TokenFate::Kept),
                    Some(r) if r.to.is_some() => (r.to, TokenFate::Reauthenticate),
                    _ => (None, TokenFate::NoService),
                };
                ClientImpact {
                    client: ClientId(i),
                    cluster,
                    to,
                    tokens,
                    site_lost: sites.contains(c.site.get()),
                }
            })
            .collect()
    }

    fn sets(&self) -> Vec<SetImpact> {
        let t = self.t;
        let mut roots: Vec<ClusterId> = self.lost.iter().map(|c| t.root(*c)).collect();
        roots.sort();
        roots.dedup();
        roots
            .into_iter()
            .filter_map(|root| {
                let set = t.replication_set(root);
                let mut lost: Vec<ClusterId> =
                    set.iter().copied().filter(|c| self.is_lost(*c)).collect();
                if lost.is_empty() {
                    return None;
                }
                lost.sort();
                let (status, note) = if t.set_lost(root, &self.lost) {
                    (
                        SetStatus::Lost,
                        "nothing of the set survives: restore it from snapshots".to_string(),
                    )
                } else if !self.is_lost(root) {
                    let lost_serving: Vec<ClusterId> = lost
                        .iter()
                        .copied()
                        .filter(|c| t.role(*c) != Role::DrSecondary)
                        .collect();
                    let note = if lost_serving.is_empty() {
                        format!(
                            "{} still serves; only DR secondaries are lost",
                            quoted(t, root)
                        )
                    } else {
                        format!(
                            "{} still serves; {} must be recovered (below)",
                            quoted(t, root),
                            names(t, &lost_serving)
                        )
                    };
                    (SetStatus::Serving, note)
                } else {
                    let readers: Vec<ClusterId> = t
                        .performance_secondaries(root)
                        .into_iter()
                        .filter(|s| !self.is_lost(*s))
                        .collect();
                    let by = self.replaced.get(&root).map(|(c, _)| quoted(t, *c));
                    let note = if let Some(by) = &by
                        && readers.is_empty()
                    {
                        format!("no primary and nothing serving until {by} is promoted")
                    } else if let Some(by) = &by {
                        format!(
                            "no primary until {by} is promoted; {} still {} reads, but writes to shared data need a primary (REPL-IDX; REPL-INT)",
                            names(t, &readers),
                            if readers.len() == 1 { "serves" } else { "serve" }
                        )
                    } else {
                        "no primary, and no surviving cluster of the set can be promoted: restore it from snapshots".to_string()
                    };
                    (SetStatus::ServingAfterRecovery, note)
                };
                Some(SetImpact {
                    root,
                    lost,
                    status,
                    note,
                })
            })
            .collect()
    }

    fn version_checks(&mut self, after: &[AfterCluster]) {
        let t = self.t;
        for a in after {
            let Some(up) = a.upstream else { continue };
            if !a.changed {
                continue;
            }
            if let (Some(down_v), Some(up_v)) = (t.version(a.cluster), t.version(up))
                && down_v < up_v
            {
                self.warnings.push(format!(
                    "after the failover {} ({down_v}) replicates from newer {} ({up_v}): \"It is not safe to replicate from a newer version of Vault to an older version\" (UPGRADE); upgrade {} first",
                    quoted(t, a.cluster),
                    quoted(t, up),
                    quoted(t, a.cluster),
                ));
            }
        }
    }
}

/// Serving clusters after the failover that have no DR secondary.
fn without_dr(after: &[AfterCluster]) -> Vec<ClusterId> {
    let protected: BTreeSet<ClusterId> = after
        .iter()
        .filter(|d| d.role == AfterRole::DrSecondary)
        .filter_map(|d| d.upstream)
        .collect();
    after
        .iter()
        .filter(|a| matches!(a.role, AfterRole::Primary | AfterRole::PerformanceSecondary))
        .filter(|a| !protected.contains(&a.cluster))
        .map(|a| a.cluster)
        .collect()
}

/// `. <why the first candidate wins>` when there were several.
fn tie_break(t: &Topology, lost: ClusterId, ranked: &[ClusterId], what: &str) -> String {
    let [first, second, ..] = ranked else {
        return String::new();
    };
    let region = t.region_of(t.site_of(lost));
    let in_region = |c: ClusterId| t.region_of(t.site_of(c)) == region;
    let reason = if in_region(*first) && !in_region(*second) {
        format!(
            "it is in {}'s region `{region}` and {} is not",
            quoted(t, lost),
            quoted(t, *second)
        )
    } else if t.version(*first) != t.version(*second) {
        format!(
            "it runs the newest version ({}; {} runs {})",
            version_text(t, *first),
            quoted(t, *second),
            version_text(t, *second)
        )
    } else {
        let place = if in_region(*first) {
            format!("both are in region `{region}`")
        } else {
            format!("neither is in region `{region}`")
        };
        match t.version(*first) {
            Some(v) => format!("{place}, both run {v}, so name order decides"),
            None => format!("{place}, neither gives a version, so name order decides"),
        }
    };
    format!(
        ". Of the {} {what} ({}), vrt picks {}: {reason}. The tie-break is: same region as the lost cluster first, then the newest Vault version, then name",
        ranked.len(),
        names(t, ranked),
        quoted(t, *first)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::yaml::Limits;

    fn topology(text: &str) -> Topology {
        crate::topology(&Source::new("t.yaml", text), Limits::default()).unwrap()
    }

    const TWO: &str = "version: 1\nname: x\nsites: [{name: dc-a, region: east}, {name: dc-b, region: west}]\nclusters:\n  - {name: p, site: dc-a, role: primary, version: 1.18.0}\n  - {name: d1, site: dc-b, role: dr-secondary, replicates_from: p, version: 1.18.0}\n  - {name: d2, site: dc-b, role: dr-secondary, replicates_from: p, version: 1.19.0}\n  - {name: s, site: dc-b, role: performance-secondary, replicates_from: p, version: 1.18.0}\n";

    #[test]
    fn resolve_names_prefixes_and_errors() {
        let t = topology(TWO);
        assert_eq!(resolve(&t, "p"), Ok(Failure::Cluster(ClusterId(0))));
        assert_eq!(resolve(&t, "cluster:s"), Ok(Failure::Cluster(ClusterId(3))));
        assert_eq!(resolve(&t, "dc-b"), Ok(Failure::Site(SiteId(1))));
        assert_eq!(resolve(&t, "west"), Ok(Failure::Region("west".into())));
        assert_eq!(
            resolve(&t, "dc-c").unwrap_err().to_string(),
            "no cluster, site or region is named `dc-c`; did you mean `dc-a`?"
        );
        assert_eq!(
            resolve(&t, "site:west").unwrap_err().to_string(),
            "no site is named `west`; the topology has `dc-a`, `dc-b`"
        );
        assert!(matches!(
            resolve(&t, "rack:1"),
            Err(ResolveError::Prefix { .. })
        ));
    }

    #[test]
    fn the_newest_dr_secondary_wins_when_regions_tie_and_says_so() {
        let t = topology(TWO);
        let plan = plan(&t, &Failure::Cluster(ClusterId(0))).unwrap();
        let r = &plan.recoveries[0];
        assert_eq!(
            (r.path, r.to),
            (RecoveryPath::DrPromotion, Some(ClusterId(2)))
        );
        assert!(
            r.why
                .contains("vrt picks `d2`: it runs the newest version (1.19.0; `d1` runs 1.18.0)"),
            "{}",
            r.why
        );
        assert!(r.why.contains("\"If the performance primary failed and has a DR secondary, promote the DR secondary instead\" (PERF-MANAGE)"));
        // One token variable when one DR promotion is planned.
        assert!(
            plan.steps[0].commands[2]
                .line
                .starts_with("DR_OPERATION_TOKEN=$(")
        );
        // `d1` follows `d2`, so the new primary is protected; `s` never had a DR secondary.
        assert_eq!(plan.without_dr, [ClusterId(3)]);
        assert_eq!(
            plan.role_after(ClusterId(1)).unwrap().upstream,
            Some(ClusterId(2))
        );
    }

    #[test]
    fn labels_name_one_site_regions() {
        let t = topology(TWO);
        assert_eq!(
            label(&t, &Failure::Site(SiteId(0))),
            "site `dc-a` (all of region `east`)"
        );
        assert_eq!(label(&t, &Failure::Region("east".into())), "region `east`");
        assert_eq!(label(&t, &Failure::Cluster(ClusterId(3))), "cluster `s`");
    }
}
