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

use std::collections::{BTreeMap, BTreeSet};

pub use crate::graph::Failure;
use crate::graph::Topology;
use crate::model::{ClientId, ClusterId, ServiceId, SiteId};
use crate::spec::{ClusterPort, Role};
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
    /// Source keys of the fact sheet it rests on.
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
    /// Every cluster after the failover, in file order: the post-failover topology (for
    /// tables and diagrams). See [`Plan::role_after`].
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
        self.after.iter().find(|a| a.cluster == id)
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
            None => Recovery {
                lost: l,
                path: RecoveryPath::None,
                to: None,
                via: None,
                candidates: Vec::new(),
                why: format!(
                    "{dr_note} and no cluster of its replication set survives: the set is lost and must be restored from snapshots (REPL-IDX)"
                ),
                tokens_preserved: false,
                reauthenticate: Vec::new(),
            },
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
            None => Recovery {
                lost: l,
                path: RecoveryPath::None,
                to: None,
                via: None,
                candidates: Vec::new(),
                why: format!(
                    "{dr_note} and no cluster of its replication set can serve: the set is lost and must be restored from snapshots (REPL-IDX)"
                ),
                tokens_preserved: false,
                reauthenticate: Vec::new(),
            },
        }
    }

    /// The topology after the failover.
    fn after(&self) -> Vec<AfterCluster> {
        let t = self.t;
        let mut role: BTreeMap<ClusterId, AfterRole> = BTreeMap::new();
        let mut up: BTreeMap<ClusterId, Option<ClusterId>> = BTreeMap::new();
        for c in t.cluster_ids() {
            if self.is_lost(c) {
                role.insert(c, AfterRole::Lost);
                up.insert(c, None);
            } else {
                role.insert(c, AfterRole::from_role(t.role(c)));
                up.insert(c, t.upstream(c).and_then(|(u, _)| self.current(u)));
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
                    role.insert(to, AfterRole::from_role(t.role(r.lost)));
                    up.insert(to, t.upstream(r.lost).and_then(|(u, _)| self.current(u)));
                } else {
                    role.insert(to, AfterRole::Primary);
                    up.insert(to, None);
                }
            }
        }
        t.cluster_ids()
            .map(|c| {
                let before_up = t.upstream(c).map(|(u, _)| u);
                let role = role[&c];
                let upstream = up[&c];
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
        t.roots()
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

    // Addresses ----------------------------------------------------------------------

    fn gap(&mut self, c: ClusterId, field: &str) -> String {
        let t = self.t;
        let warning = format!(
            "the file gives no `{field}` for {}: commands show `<{field} of {}>`; fill it in",
            quoted(t, c),
            t.name(c)
        );
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
        format!("<{field} of {}>", t.name(c))
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

    fn push(
        &mut self,
        phase: Phase,
        title: String,
        text: Vec<String>,
        commands: Vec<Command>,
        sources: &[&'static str],
    ) -> usize {
        self.steps.push(Step {
            phase,
            title,
            text,
            commands,
            sources: sources.to_vec(),
        });
        self.steps.len()
    }

    // Steps --------------------------------------------------------------------------

    fn write_steps(&mut self, after: &[AfterCluster], clients: &[ClientImpact]) {
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
            &["ENOS-DR", "API-DR", "DR-OPTOK", "BREAKGLASS"],
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
            &["PERF-MANAGE", "API-PERF"],
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
            args.push_str(&format!(" primary_cluster_addr={addr}"));
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
            "Do not add `force=true` unless you accept losing what was not yet replicated (API-DR)."
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
            &["ENOS-DR", "API-DR"],
        );

        let mut fence = Vec::new();
        let fence_text = if t.role(l) == Role::Primary {
            let mut sources = vec!["ENOS-DR", "API-DR"];
            if !t.performance_secondaries(l).is_empty() {
                fence.push(self.vault(l, "write -f sys/replication/performance/primary/demote"));
                sources.push("API-PERF");
            }
            fence.push(self.vault(l, "write -f sys/replication/dr/primary/demote"));
            (
                format!(
                    "Never run two primaries: \"Multiple primaries may result in data loss!\" (API-DR). If {} answers, demote it: it keeps its cluster ID and can rejoin later as a DR secondary (API-DR; ENOS-DR). If it does not answer, keep it from coming back as a primary (out of its load balancer pool, or powered off) and demote it first thing when it returns.",
                    quoted(t, l)
                ),
                sources,
            )
        } else {
            fence.push(self.vault(l, "write -f sys/replication/dr/primary/demote"));
            (
                format!(
                    "Only {} may act for {} now. If {} answers, demote its DR primary role: it keeps its cluster ID and can rejoin later as a DR secondary of {} (API-DR; ENOS-DR). If it does not answer, keep it out of service (out of its load balancer pool, or powered off) and demote it first thing when it returns.",
                    quoted(t, d),
                    quoted(t, l),
                    quoted(t, l),
                    quoted(t, d)
                ),
                vec!["ENOS-DR", "API-DR"],
            )
        };
        let fenced = self.push(
            Phase::Failover,
            format!("Fence {}: demote it if it is reachable", quoted(t, l)),
            vec![fence_text.0],
            fence,
            &fence_text.1,
        );

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
            &["API-REPL", "MONITOR", "GUIDES-LR", "ENOS-DR"],
        );
        fenced
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
            &["PERF-MANAGE", "API-PERF"],
        );
        let mut args = "write -f sys/replication/performance/secondary/promote".to_string();
        let lb = self.lb_cluster_addr(p);
        if let Some(addr) = &lb {
            args.push_str(&format!(" primary_cluster_addr={addr}"));
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
            &["PERF-MANAGE", "API-PERF", "REPL-IDX"],
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
            &["API-REPL", "MONITOR"],
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
                    "Nothing of the set survives ({}): its data, tokens and leases are unavailable until restored. Vault does not replicate automated integrated-storage snapshots through performance replication; each cluster's own snapshots are what you restore (REPL-IDX).",
                    names(t, &set)
                ),
                order,
            ],
            commands,
            &["REPL-IDX", "API-DR", "API-PERF"],
        );
    }

    fn update_followers(&mut self, after: &[AfterCluster]) {
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
        let mut groups: Vec<(ClusterId, Vec<(ClusterId, bool, ClusterId)>)> = Vec::new();
        for &c in self.order {
            let Some(a) = after.iter().find(|a| a.cluster == c) else {
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
            let is_dr = a.role == AfterRole::DrSecondary;
            match groups.iter_mut().find(|(u, _)| *u == new_up) {
                Some((_, v)) => v.push((c, is_dr, mirrors)),
                None => groups.push((new_up, vec![(c, is_dr, mirrors)])),
            }
        }
        for (new_up, followers) in groups {
            let addr = self.advertised(new_up);
            let mut commands = Vec::new();
            let mut dr_followers = Vec::new();
            let mut perf_followers = Vec::new();
            for (f, is_dr, mirrors) in followers {
                if is_dr {
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
                    "On {}: a DR secondary takes an activation token from its new primary (here by the public-key method, which needs no call to {}'s API port) and a DR operation token: the batch token prepared above works, as these clusters mirror the same token store (ENOS-DR; API-DR). The `id` must be unique on {}; if it is already in its `known_secondaries`, revoke it first with `sys/replication/dr/primary/revoke-secondary` (API-DR).",
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
                &["API-DR", "API-PERF", "ENOS-DR"],
            );
        }
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
        let health = if from_addr.starts_with('<') {
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
            match r.path {
                RecoveryPath::DrPromotion => &["REPL-IDX", "MULTI", "API-HEALTH"],
                RecoveryPath::ClientsMove => &["PERF-DOC", "API-HEALTH"],
                _ => &["REPL-IDX", "PERF-MANAGE", "API-HEALTH"],
            },
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
                "Once {} is repaired and demoted (step {fence_step}), make it a DR secondary of {}: ENOS-DR's \"point demoted cluster A to the new primary cluster B\". The public-key method needs only the cluster port between them, no call to {}'s API (API-DR; PERF-ENABLE).",
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
                "Verify that data replicates: on {}, `data.secondaries` lists {} with `connection_status` `connected` (API-DR; ENOS-DR). To make {} the primary again later, run a planned switchover the same way in the other direction (GUIDES-LR).",
                quoted(t, d),
                quoted(t, l),
                quoted(t, l)
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
            &["ENOS-DR", "API-DR", "PERF-ENABLE", "GUIDES-LR", "UPGRADE"],
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
                args.push_str(&format!(" primary_cluster_addr={addr}"));
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
                "After its demotion {} is a performance secondary with no primary: disable that role{} (API-PERF; API-DR). Enabling it as a DR secondary then \"will immediately clear all data in the secondary cluster\", which is intended: it receives {}'s data, tokens and leases (API-DR; GUIDES-LR failback).",
                quoted(t, l),
                if t.dr_secondaries(l).is_empty() {
                    String::new()
                } else {
                    " and its DR primary role (its DR secondaries are lost)".to_string()
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
            &["API-DR", "API-PERF", "GUIDES-LR", "UPGRADE"],
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
                    &["REPL-INT", "API-REPL", "API-DR"],
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
                    &["API-DR", "ENOS-DR"],
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
                    &["API-DR"],
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
            &["REPL-IDX", "API-PERF", "API-REPL", "PERF-DOC"],
        );
    }

    fn live_paths(&mut self, after: &[AfterCluster], clients: &[ClientImpact]) -> Vec<LivePath> {
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

/// Serving clusters after the failover that have no DR secondary.
fn without_dr(after: &[AfterCluster]) -> Vec<ClusterId> {
    after
        .iter()
        .filter(|a| matches!(a.role, AfterRole::Primary | AfterRole::PerformanceSecondary))
        .filter(|a| {
            !after
                .iter()
                .any(|d| d.role == AfterRole::DrSecondary && d.upstream == Some(a.cluster))
        })
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
