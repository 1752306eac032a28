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
//! Several candidates are ranked by [`Topology::rank_replacements`]: same region as the
//! lost cluster first, then the newest Vault version, then name.

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{ClientImpact, Recovery, RecoveryPath, TokenFate};
use super::prose::{client_names, names, quoted, version_text};
use crate::graph::{Cyclic, Failure, Topology};
use crate::ids::{ClientId, ClusterId, SiteId};
use crate::spec::Role;

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
    /// The clusters the failure takes out.
    pub lost: BTreeSet<ClusterId>,
    /// One recovery per lost primary or performance secondary, upstream first.
    pub recoveries: Vec<Recovery>,
    /// Lost cluster → the cluster that took its place, and how.
    pub replaced: BTreeMap<ClusterId, (ClusterId, Promotion)>,
}

/// Decides who takes over after `failure`: the successor of every lost primary or
/// performance secondary and the new home of its clients ([`Decisions::clients`]). The
/// failover plan and the sweep decide through this function.
pub fn decide(t: &Topology, failure: &Failure) -> Result<Decisions, Cyclic> {
    let order = super::upstream_first(t)?;
    Ok(Decisions::new(t, t.lost_by(failure), &order))
}

impl Decisions {
    /// The decisions for the loss of `lost`, with every cluster in upstream-first `order`.
    pub(super) fn new(t: &Topology, lost: BTreeSet<ClusterId>, order: &[ClusterId]) -> Self {
        let mut d = Self {
            lost,
            recoveries: Vec::new(),
            replaced: BTreeMap::new(),
        };
        d.decide(t, order);
        d
    }

    /// Whether the failure takes `c` out.
    pub fn is_lost(&self, c: ClusterId) -> bool {
        self.lost.contains(&c)
    }

    /// The cluster doing `c`'s job after the failover: `c` itself, its replacement, or
    /// nothing.
    pub fn current(&self, c: ClusterId) -> Option<ClusterId> {
        let mut cur = c;
        for _ in 0..=self.replaced.len() {
            if !self.is_lost(cur) {
                return Some(cur);
            }
            cur = self.replaced.get(&cur)?.0;
        }
        None
    }

    fn serving_lost(&self, t: &Topology, order: &[ClusterId]) -> Vec<ClusterId> {
        order
            .iter()
            .copied()
            .filter(|c| self.is_lost(*c) && t.role(*c) != Role::DrSecondary)
            .collect()
    }

    /// Chooses each lost serving cluster's recovery.
    fn decide(&mut self, t: &Topology, order: &[ClusterId]) {
        let serving_lost = self.serving_lost(t, order);
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
                self.primary_without_dr(t, l, &dr_note, clients)
            } else {
                self.secondary_without_dr(t, l, &dr_note, clients)
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

    fn primary_without_dr(
        &self,
        t: &Topology,
        l: ClusterId,
        dr_note: &str,
        clients: Vec<ClientId>,
    ) -> Recovery {
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
        t: &Topology,
        l: ClusterId,
        dr_note: &str,
        clients: Vec<ClientId>,
    ) -> Recovery {
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
