//! Who takes over: for each lost primary or performance secondary, the cluster that replaces
//! it, and where its clients go. Every successor choice and client move of a failover is made
//! here, in [`decide`]; the runbook, the sweep and the topology after the failover only
//! follow what it decided.
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
//! Several candidates are ranked by [`Topology::rank_replacements`] (never across
//! environments; `failover_to`, capacity, region, version, name), and the clients of a lost
//! performance secondary go where [`Topology::client_homes`] says: a serving cluster of its
//! set in its region, else the primary.

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{ClientImpact, Recovery, RecoveryPath, TokenFate};
use super::prose::{client_names, names, quoted};
use crate::graph::{Cyclic, Failure, Topology};
use crate::ids::{ClientId, ClusterId, SiteId};
use crate::spec::{Environment, Role};

/// How a lost cluster was replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Promotion {
    /// A DR secondary was promoted in its place.
    Dr,
    /// A performance secondary was promoted to primary in its place.
    Performance,
}

/// Who takes over after one failure: the recovery of each lost primary or performance
/// secondary, and the cluster that replaced each lost cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decisions {
    /// The clusters the failure takes out, ascending (in file order), each once.
    pub lost: Vec<ClusterId>,
    /// One recovery per lost primary or performance secondary, upstream first.
    pub recoveries: Vec<Recovery>,
    /// Each lost cluster that something replaced, ascending, with the cluster that took
    /// its place and how ([`Decisions::replacement`]).
    pub replaced: Vec<(ClusterId, (ClusterId, Promotion))>,
    /// A planned switchover's choice: the cluster handed over and the one that takes over.
    pub forced: Option<(ClusterId, ClusterId)>,
    /// Whether each recovery's [`Recovery::why`] is written.
    pub reasons: Reasons,
}

/// Whether decisions carry their reasons. A runbook prints why each cluster was chosen; the
/// sweep and `validate`'s rules use only the choices, and writing the prose for each of
/// thousands of scenarios was most of the sweep's allocations (BENCHMARKS.md, "Failover
/// sweep").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reasons {
    /// Every [`Recovery::why`] explains the choice, citing its sources.
    Written,
    /// Every [`Recovery::why`] is empty and every [`Recovery::candidates`] too (the ranking
    /// is made, only not kept); the choices are the same.
    Omitted,
}

/// Decides who takes over after `failure`: the successor of every lost primary or
/// performance secondary and the new home of its clients ([`Decisions::clients`]). The
/// failover plan and the sweep decide through this function.
pub fn decide(t: &Topology, failure: &Failure) -> Result<Decisions, Cyclic> {
    super::acyclic(t)?;
    Ok(Decisions::new(t, t.lost_by(failure), Reasons::Written))
}

/// What a lost secondary's client homes depend on: its set's root, region, environment
/// (production or not), voters and `failover_to`.
type HomeKey = (ClusterId, usize, bool, Option<u32>, Option<ClusterId>);

/// What the recoveries of one failure share, found once per replication set rather than once
/// per lost cluster, so a failure that takes out thousands of secondaries of one primary costs
/// what it loses, not its square.
#[derive(Default)]
struct Memo {
    /// Set root → the clusters doing its performance secondaries' jobs after the failure.
    serving: BTreeMap<ClusterId, Vec<ClusterId>>,
    /// (root, region, production, voters, `failover_to`) of a lost secondary → its clients'
    /// homes, best first.
    homes: BTreeMap<HomeKey, Vec<ClusterId>>,
    /// (root, production) → the set's surviving clusters of the other environment.
    others: BTreeMap<(ClusterId, bool), Vec<ClusterId>>,
}

/// Decides who takes over when exactly the clusters of `lost` are lost, for a caller that
/// asks about many losses and has checked once that `t` has no replication cycle
/// ([`Topology::upstream_first`] is `Some`), as [`decide`] does on every call: `validate`'s
/// VRT301 and VRT302 ask here, so they name the successors `failover` names. The
/// recoveries carry no reasons ([`Reasons::Omitted`]): the rules word their own.
pub fn decide_lost(t: &Topology, lost: BTreeSet<ClusterId>) -> Decisions {
    Decisions::new(t, lost, Reasons::Omitted)
}

/// [`decide_lost`] for the primary `root` alone: its recovery is the one [`decide_lost`]
/// gives it, but only the DR promotions it depends on (of `root` and of its lost performance
/// secondaries) are decided, so the cost is that of `root`'s neighbours, not of everything
/// the failure takes out. VRT302 asks this once per replication set and failure. Without
/// reasons, as [`decide_lost`].
pub fn decide_primary(t: &Topology, lost: BTreeSet<ClusterId>, root: ClusterId) -> Decisions {
    let mut d = Decisions::undecided(lost.into_iter().collect(), None, Reasons::Omitted);
    d.decide(t, Some(root), &mut Scratch::default());
    d
}

/// The buffers of one decision, kept from one decision to the next by a caller that
/// decides many ([`super::sweep()`]): a decision then allocates only what it keeps.
#[derive(Default)]
pub(super) struct Scratch {
    /// The lost primaries and performance secondaries, upstream first.
    serving_lost: Vec<ClusterId>,
    /// Their recoveries, by position in `serving_lost`.
    decided: Vec<Option<Recovery>>,
    /// The candidates of one promotion.
    candidates: Vec<ClusterId>,
}

impl Decisions {
    /// Nothing decided yet about the loss of `lost`.
    pub(super) fn undecided(
        lost: Vec<ClusterId>,
        forced: Option<(ClusterId, ClusterId)>,
        reasons: Reasons,
    ) -> Self {
        debug_assert!(lost.is_sorted() && lost.windows(2).all(|w| w[0] != w[1]));
        Self {
            lost,
            recoveries: Vec::new(),
            replaced: Vec::new(),
            forced,
            reasons,
        }
    }

    /// The cluster that took lost cluster `l`'s place, and how.
    pub fn replacement(&self, l: ClusterId) -> Option<(ClusterId, Promotion)> {
        self.replaced
            .binary_search_by_key(&l, |(c, _)| *c)
            .ok()
            .map(|at| self.replaced[at].1)
    }

    /// Records that `to` took lost cluster `l`'s place.
    fn replace(&mut self, l: ClusterId, to: ClusterId, how: Promotion) {
        match self.replaced.binary_search_by_key(&l, |(c, _)| *c) {
            Ok(at) => self.replaced[at].1 = (to, how),
            Err(at) => self.replaced.insert(at, (l, (to, how))),
        }
    }

    /// Decides again, for the loss of the clusters `fill` appends (ascending, each once),
    /// keeping every buffer: the sweep's way to decide thousands of failures without
    /// allocating for each.
    pub(super) fn redecide(
        &mut self,
        t: &Topology,
        fill: impl FnOnce(&mut Vec<ClusterId>),
        scratch: &mut Scratch,
    ) {
        self.lost.clear();
        fill(&mut self.lost);
        debug_assert!(self.lost.is_sorted() && self.lost.windows(2).all(|w| w[0] != w[1]));
        self.recoveries.clear();
        self.replaced.clear();
        self.decide(t, None, scratch);
    }

    /// The recovery decided for lost primary or performance secondary `l`, if it is lost.
    pub fn recovery(&self, l: ClusterId) -> Option<&Recovery> {
        self.recoveries.iter().find(|r| r.lost == l)
    }

    /// The decisions for the loss of `lost` (in a topology without replication cycles).
    pub(super) fn new(t: &Topology, lost: BTreeSet<ClusterId>, reasons: Reasons) -> Self {
        let mut d = Self::undecided(lost.into_iter().collect(), None, reasons);
        d.decide(t, None, &mut Scratch::default());
        d
    }

    /// The decisions of a planned switchover from `from` to `to`, which must be one of
    /// `from`'s successor candidates ([`Topology::successor_candidates`]).
    pub(super) fn switchover(t: &Topology, from: ClusterId, to: ClusterId) -> Self {
        let mut d = Self::undecided(vec![from], Some((from, to)), Reasons::Written);
        d.decide(t, None, &mut Scratch::default());
        d
    }

    /// `survives`, or, when clusters of the set survive in another environment only, which
    /// they are (the first eight) and why they do not count. The survivors of each set and
    /// environment are found once per failure ([`Memo`]).
    fn only_other_environments(&self, t: &Topology, l: ClusterId, memo: &mut Memo) -> String {
        let root = t.root(l);
        let production = t.environment(l) == Environment::Production;
        let others = memo.others.entry((root, production)).or_insert_with(|| {
            t.replication_set(root)
                .into_iter()
                .filter(|c| !self.is_lost(*c) && !t.same_environment(l, *c))
                .collect()
        });
        if others.is_empty() {
            "survives to take over".to_string()
        } else {
            let shown = crate::text::first_few(others.iter().map(|c| quoted(t, *c)), 8);
            format!(
                "of {}'s environment survives to take over ({shown} {} of another environment, and vrt never hands a cluster's role or clients across environments)",
                quoted(t, l),
                if others.len() == 1 { "is" } else { "are" }
            )
        }
    }

    /// `why()` when the decisions carry reasons, else an empty string (no allocation).
    fn explain(&self, why: impl FnOnce() -> String) -> String {
        match self.reasons {
            Reasons::Written => why(),
            Reasons::Omitted => String::new(),
        }
    }

    /// Keeps only the switchover's chosen cluster among `candidates` when `l` is the cluster
    /// handed over.
    fn only_forced(&self, l: ClusterId, candidates: &mut Vec<ClusterId>) {
        if let Some((from, to)) = self.forced
            && from == l
        {
            candidates.retain(|c| *c == to);
        }
    }

    /// Whether the failure takes `c` out.
    pub fn is_lost(&self, c: ClusterId) -> bool {
        self.lost.binary_search(&c).is_ok()
    }

    /// The cluster doing `c`'s job after the failover: `c` itself, its replacement, or
    /// nothing.
    pub fn current(&self, c: ClusterId) -> Option<ClusterId> {
        let mut cur = c;
        for _ in 0..=self.replaced.len() {
            if !self.is_lost(cur) {
                return Some(cur);
            }
            cur = self.replacement(cur)?.0;
        }
        None
    }

    /// The lost primaries and performance secondaries, upstream first: in the order of
    /// [`super::upstream_first`], found from the lost clusters alone, so a sweep's scenario
    /// costs what it loses, not the size of the topology.
    fn serving_lost(&self, t: &Topology, only: Option<ClusterId>, out: &mut Vec<ClusterId>) {
        out.clear();
        match only {
            // The primary and the lost performance secondaries its recovery may go through.
            Some(root) => out.extend(
                std::iter::once(root)
                    .chain(t.performance_secondaries(root))
                    .filter(|c| self.is_lost(*c)),
            ),
            None => out.extend_from_slice(&self.lost),
        }
        out.retain(|c| t.role(*c) != Role::DrSecondary);
        out.sort_unstable_by_key(|c| super::order_key(t, *c));
    }

    /// Chooses each lost serving cluster's recovery; with `only`, the recovery of that
    /// primary alone ([`decide_primary`]).
    fn decide(&mut self, t: &Topology, only: Option<ClusterId>, scratch: &mut Scratch) {
        let Scratch {
            serving_lost,
            decided,
            candidates,
        } = scratch;
        self.serving_lost(t, only, serving_lost);
        // Recoveries by position in `serving_lost`: a vector, not a map keyed by cluster,
        // because a map node of recoveries is an allocation large enough to make the
        // allocator consolidate its free lists once per scenario of a sweep.
        decided.clear();
        decided.resize_with(serving_lost.len(), || None);
        let mut memo = Memo::default();
        // DR promotions first: they never depend on other choices.
        for (&l, slot) in serving_lost.iter().zip(decided.iter_mut()) {
            candidates.clear();
            candidates.extend(t.dr_secondaries_of(l).filter(|d| !self.is_lost(*d)));
            self.only_forced(l, candidates);
            t.rank_in_place(l, candidates);
            if let Some(&d) = candidates.first() {
                self.replace(l, d, Promotion::Dr);
                let why = self.explain(|| self.why_dr_promotion(t, l, d, candidates));
                *slot = Some(Recovery {
                    lost: l,
                    path: RecoveryPath::DrPromotion,
                    to: Some(d),
                    via: None,
                    candidates: self.kept(candidates.as_slice()),
                    why,
                    tokens_preserved: true,
                    reauthenticate: Vec::new(),
                });
            }
        }
        for (&l, slot) in serving_lost.iter().zip(decided.iter_mut()) {
            if slot.is_some() || only.is_some_and(|root| root != l) {
                continue;
            }
            let clients: Vec<ClientId> = t.clients_of(l).into_iter().map(|(i, _)| i).collect();
            let dr_note = self.explain(|| match t.dr_secondaries(l).as_slice() {
                _ if self.forced.is_some() => format!(
                    "The planned switchover hands {}'s role to a performance secondary rather than to a DR secondary",
                    quoted(t, l)
                ),
                [] => format!("{} has no DR secondary", quoted(t, l)),
                [d] => format!("Its DR secondary {} is lost with it", quoted(t, *d)),
                drs => format!("Its DR secondaries ({}) are lost with it", names(t, drs)),
            });
            let recovery = if t.upstream(l).is_none() {
                self.primary_without_dr(t, l, &dr_note, clients, &mut memo)
            } else {
                self.secondary_without_dr(t, l, &dr_note, clients, &mut memo)
            };
            if let (Some(to), RecoveryPath::PerformancePromotion) = (recovery.to, recovery.path) {
                self.replace(l, to, Promotion::Performance);
            }
            *slot = Some(recovery);
        }
        let written = self.reasons == Reasons::Written;
        self.recoveries
            .extend(decided.drain(..).flatten().map(|mut r| {
                if written {
                    r.why.push('.');
                }
                r
            }));
    }

    /// The ranked candidates a recovery keeps: all of them when the decisions carry their
    /// reasons, none otherwise ([`Reasons::Omitted`]).
    fn kept(&self, ranked: impl Into<Vec<ClusterId>>) -> Vec<ClusterId> {
        match self.reasons {
            Reasons::Written => ranked.into(),
            Reasons::Omitted => Vec::new(),
        }
    }

    /// Why DR secondary `d` is promoted in place of `l`, the first of `ranked`.
    fn why_dr_promotion(
        &self,
        t: &Topology,
        l: ClusterId,
        d: ClusterId,
        ranked: &[ClusterId],
    ) -> String {
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
        if self.forced.is_some() {
            why.push_str(". It is the cluster the planned switchover names");
        } else {
            why.push_str(&t.why_first(l, ranked, "DR secondaries"));
        }
        why
    }

    fn primary_without_dr(
        &self,
        t: &Topology,
        l: ClusterId,
        dr_note: &str,
        clients: Vec<ClientId>,
        memo: &mut Memo,
    ) -> Recovery {
        let perf = t.performance_secondaries(l);
        // Only candidates of `l`'s environment count: a surviving performance secondary of
        // another environment must not hide the two-step recovery below.
        let mut direct: Vec<ClusterId> = perf
            .iter()
            .copied()
            .filter(|p| !self.is_lost(*p) && t.same_environment(l, *p))
            .collect();
        let (ranked, via) = if direct.is_empty() {
            // A lost performance secondary that a DR promotion replaced can be promoted in
            // turn: two steps, but the set serves again.
            let replacements: BTreeMap<ClusterId, ClusterId> = perf
                .iter()
                .filter_map(|p| match self.replacement(*p) {
                    Some((r, Promotion::Dr)) => Some((r, *p)),
                    _ => None,
                })
                .collect();
            let ranked = t.rank_replacements(l, replacements.keys().copied());
            let via = ranked.first().and_then(|r| replacements.get(r).copied());
            (ranked, via)
        } else {
            self.only_forced(l, &mut direct);
            (t.rank_replacements(l, direct), None)
        };
        match ranked.first() {
            Some(&p) => {
                let why = self.explain(|| {
                    why_performance_promotion(t, (l, p, via), dr_note, &clients, &ranked)
                });
                Recovery {
                    lost: l,
                    path: RecoveryPath::PerformancePromotion,
                    to: Some(p),
                    via,
                    candidates: self.kept(ranked),
                    why,
                    tokens_preserved: false,
                    reauthenticate: clients,
                }
            }
            None => self.set_lost(
                t,
                l,
                (
                    dr_note,
                    "the set is lost and must be restored from snapshots",
                ),
                memo,
            ),
        }
    }

    fn secondary_without_dr(
        &self,
        t: &Topology,
        l: ClusterId,
        dr_note: &str,
        clients: Vec<ClientId>,
        memo: &mut Memo,
    ) -> Recovery {
        let root = t.root(l);
        // Once per set: every DR promotion is decided, and the primary's recovery too
        // (upstream first), so this list is the same for each of its lost secondaries. `l`
        // itself is not in it: it is lost and no DR secondary replaced it.
        let serving = memo.serving.entry(root).or_insert_with(|| {
            t.performance_secondaries(root)
                .into_iter()
                .filter_map(|s| self.current(s))
                .collect()
        });
        // The homes depend on `l` only through its region, environment, voters and
        // `failover_to` (`Topology::client_homes`), so lost secondaries alike share them.
        let key = (
            root,
            t.region_index(t.site_of(l)),
            t.environment(l) == Environment::Production,
            t.cluster(l).nodes.as_ref().map(|n| *n.get()),
            t.cluster(l).failover_to.as_ref().map(|f| *f.get()),
        );
        let ranked = match memo.homes.get(&key) {
            Some(ranked) => ranked.clone(),
            None => {
                let ranked = t.client_homes(l, serving.iter().copied(), self.current(root));
                memo.homes.insert(key, ranked.clone());
                ranked
            }
        };
        match ranked.first() {
            Some(&to) => {
                let why =
                    self.explain(|| self.why_clients_move(t, (l, to), dr_note, &clients, &ranked));
                Recovery {
                    lost: l,
                    path: RecoveryPath::ClientsMove,
                    to: Some(to),
                    via: None,
                    candidates: self.kept(ranked),
                    why,
                    tokens_preserved: false,
                    reauthenticate: clients,
                }
            }
            None => self.set_lost(
                t,
                l,
                (
                    dr_note,
                    "its clients have nowhere to go until it is back or rebuilt, and restoring it from snapshots is left",
                ),
                memo,
            ),
        }
    }

    /// The recovery of `l` when nothing of its replication set and environment survives:
    /// `dr_note`, then what survives elsewhere, then `then`.
    fn set_lost(
        &self,
        t: &Topology,
        l: ClusterId,
        (dr_note, then): (&str, &str),
        memo: &mut Memo,
    ) -> Recovery {
        let why = self.explain(|| {
            format!(
                "{dr_note} and no cluster of its replication set {}: {then} (REPL-IDX)",
                self.only_other_environments(t, l, memo)
            )
        });
        Recovery::set_lost(l, why)
    }

    /// Why the clients of lost performance secondary `l` move to `to`, the first of `ranked`.
    fn why_clients_move(
        &self,
        t: &Topology,
        (l, to): (ClusterId, ClusterId),
        dr_note: &str,
        clients: &[ClientId],
        ranked: &[ClusterId],
    ) -> String {
        let mut why = format!(
            "{dr_note}: nothing else holds its tokens, leases and local mounts, so they are unavailable until it returns (REPL-IDX). Its replication set still serves, so its clients move to {} and must re-authenticate and obtain new leases there (PERF-DOC: \"A client that authenticates to one cluster cannot use that token on another cluster\")",
            quoted(t, to)
        );
        why.push_str(&t.why_home(l, ranked));
        let pinned: Vec<String> = clients
            .iter()
            .filter_map(|c| {
                let f = self.fallback(t, *c).filter(|f| *f != to)?;
                Some(format!("`{}` to {}", t.client(*c).name.get(), quoted(t, f)))
            })
            .collect();
        if !pinned.is_empty() {
            why.push_str(
                ". A client whose `fallback` survives and serves the set goes there instead: ",
            );
            why.push_str(&pinned.join("; "));
        }
        why
    }

    /// The client's own `fallback`, when it survives and serves the client's replication set
    /// in its environment: it wins over vrt's choice when the client's cluster is lost with
    /// no DR secondary to take over.
    fn fallback(&self, t: &Topology, client: ClientId) -> Option<ClusterId> {
        let c = t.client(client);
        let cluster = *c.cluster.get();
        let root = t.root(cluster);
        c.fallback.as_ref().map(|f| *f.get()).filter(|f| {
            !self.is_lost(*f)
                && t.same_environment(cluster, *f)
                && t.root(*f) == root
                && (t.role(*f) != Role::DrSecondary || self.current(root) == Some(*f))
        })
    }

    /// Where each client of a lost cluster goes, and what happens to its tokens: the
    /// client moves that follow from the recoveries, in file order.
    pub fn clients(&self, t: &Topology, sites: &[SiteId]) -> Vec<ClientImpact> {
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
                    // The client's own `fallback` wins when it survives and serves the same
                    // replication set in the same environment.
                    Some(r) if r.path == RecoveryPath::ClientsMove => (
                        self.fallback(t, ClientId(i)).or(r.to),
                        TokenFate::Reauthenticate,
                    ),
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
}

/// Why performance secondary `p` is promoted in place of lost primary `l` (`via`: the lost
/// performance secondary `p` has just replaced by DR promotion), the first of `ranked`.
fn why_performance_promotion(
    t: &Topology,
    (l, p, via): (ClusterId, ClusterId, Option<ClusterId>),
    dr_note: &str,
    clients: &[ClientId],
    ranked: &[ClusterId],
) -> String {
    let reauth = if clients.is_empty() {
        format!(
            "every client of {} must re-authenticate and obtain new leases (none is listed in the file)",
            quoted(t, l)
        )
    } else {
        format!(
            "every client of {} ({}) must re-authenticate and obtain new leases",
            quoted(t, l),
            client_names(t, clients)
        )
    };
    let mut why = match via {
        None => format!(
            "{dr_note}, so the only way to bring back writes is promoting performance secondary {} to primary. Tokens and leases are `local` entries that never reach performance secondaries: {reauth} on {} (REPL-IDX; PERF-MANAGE)",
            quoted(t, p),
            quoted(t, p),
        ),
        Some(s) => format!(
            "{dr_note}, and every performance secondary of {} is lost too. {} has just replaced performance secondary {} by DR promotion, so it is promoted again, to primary. Tokens and leases are `local` entries that never reach performance secondaries: {reauth} on {} (REPL-IDX; PERF-MANAGE)",
            quoted(t, l),
            quoted(t, p),
            quoted(t, s),
            quoted(t, p),
        ),
    };
    why.push_str(&t.why_first(l, ranked, "performance secondaries"));
    why
}
