//! The N-1 sweep (`vrt failover --all`): the choices of every single failure, kept in a few
//! shared vectors rather than a handful of small ones per row.
//!
//! A sweep has one row per cluster, site and region of several sites, so its size grows
//! with the topology and each row is small. Rows that each own five to seven vectors cost
//! more to allocate, keep and drop than to decide (BENCHMARKS.md, "Failover sweep"): here a
//! row is where its parts end in [`Sweep`]'s vectors, and [`SweepRow`] borrows them.

use std::collections::BTreeSet;

use super::decide::{self, Decisions, Reasons};
use super::outcome;
use super::plan::{Recovery, RecoveryPath, Scenario};
use super::resolve;
use crate::graph::{Cyclic, Failure, Topology};
use crate::ids::{ClientId, ClusterId, SiteId};

/// One recovery of a sweep row: the choice a runbook makes, without the reasons and the
/// ranked candidates it prints (`vrt failover --lose` explains one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepRecovery {
    /// The lost cluster.
    pub lost: ClusterId,
    /// How it is recovered.
    pub path: RecoveryPath,
    /// The cluster that takes over, if any.
    pub to: Option<ClusterId>,
    /// For a two-step performance promotion: the performance secondary replaced first.
    pub via: Option<ClusterId>,
    /// Whether the lost cluster's tokens and leases survive.
    pub tokens_preserved: bool,
}

impl From<&Recovery> for SweepRecovery {
    /// The choice of a runbook's recovery.
    fn from(r: &Recovery) -> Self {
        Self {
            lost: r.lost,
            path: r.path,
            to: r.to,
            via: r.via,
            tokens_preserved: r.tokens_preserved,
        }
    }
}

/// Where a row's parts end in the shared vectors of [`Sweep`]; each starts where the
/// previous row's ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Ends {
    lost: usize,
    sites: usize,
    recoveries: usize,
    reauthenticate: usize,
    without_dr: usize,
}

/// Every single failure ([`Topology::single_failures`]) and what it leads to, in that order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    /// The serving clusters without a DR secondary when nothing fails, ascending.
    before: Vec<ClusterId>,
    failures: Vec<Failure>,
    /// Per row: where its parts end, and whether every lost cluster's tokens survive.
    rows: Vec<(Ends, bool)>,
    lost: Vec<ClusterId>,
    sites: Vec<SiteId>,
    recoveries: Vec<SweepRecovery>,
    reauthenticate: Vec<ClientId>,
    without_dr: Vec<ClusterId>,
}

/// One row of the N-1 sweep, borrowed from its [`Sweep`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepRow<'a> {
    /// The failure.
    pub failure: &'a Failure,
    /// The clusters it takes out, in file order.
    pub lost: &'a [ClusterId],
    /// The sites it takes out whole.
    pub sites: &'a [SiteId],
    /// Its recoveries, upstream first.
    pub recoveries: &'a [SweepRecovery],
    /// Whether every lost cluster's tokens survive.
    pub tokens_preserved: bool,
    /// Clients that must re-authenticate, in file order.
    pub reauthenticate: &'a [ClientId],
    /// Serving clusters the failure leaves without a DR secondary, in file order: those
    /// it adds to [`Sweep::without_dr_before`] (a promoted cluster with no DR secondary of
    /// its own, a cluster whose DR secondaries are lost). A cluster without one before the
    /// failure is not listed again in every row: a design without DR would make the sweep
    /// as long as its scenarios times its clusters.
    pub without_dr: &'a [ClusterId],
}

impl SweepRow<'_> {
    /// `cluster `x``, `site `dc-a`` or `region `east``, as a runbook's scenario names it.
    pub fn label(&self, t: &Topology) -> String {
        resolve::label(t, self.failure)
    }

    /// The row's failure as a runbook's [`Scenario`].
    pub fn scenario(&self, t: &Topology) -> Scenario {
        Scenario {
            failure: self.failure.clone(),
            label: self.label(t),
            lost: self.lost.to_vec(),
            sites: self.sites.to_vec(),
            planned: false,
        }
    }
}

impl Sweep {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The serving clusters that have no DR secondary when nothing fails (VRT101's), in
    /// file order. After a failure, those of them that survive still have none, and each
    /// row lists what the failure adds ([`SweepRow::without_dr`]).
    pub fn without_dr_before(&self) -> &[ClusterId] {
        &self.before
    }

    /// Whether the sweep has no row (a topology without clusters or sites).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<SweepRow<'_>> {
        (i < self.len()).then(|| self.row(i))
    }

    /// The rows, in the order of [`Topology::single_failures`].
    pub fn rows(&self) -> impl ExactSizeIterator<Item = SweepRow<'_>> + DoubleEndedIterator {
        (0..self.len()).map(|i| self.row(i))
    }

    /// Row `i`, which must be below [`Self::len`].
    fn row(&self, i: usize) -> SweepRow<'_> {
        let (end, tokens_preserved) = self.rows[i];
        let start = i
            .checked_sub(1)
            .map_or_else(Ends::default, |p| self.rows[p].0);
        SweepRow {
            failure: &self.failures[i],
            lost: &self.lost[start.lost..end.lost],
            sites: &self.sites[start.sites..end.sites],
            recoveries: &self.recoveries[start.recoveries..end.recoveries],
            tokens_preserved,
            reauthenticate: &self.reauthenticate[start.reauthenticate..end.reauthenticate],
            without_dr: &self.without_dr[start.without_dr..end.without_dr],
        }
    }

    /// Appends the row of `failure`, decided by `d`.
    fn push(
        &mut self,
        t: &Topology,
        failure: Failure,
        d: &Decisions,
        scratch: &mut outcome::Scratch,
    ) {
        self.lost.extend(d.lost.iter().copied());
        match &failure {
            Failure::Cluster(_) => {}
            Failure::Site(s) => self.sites.push(*s),
            Failure::Region(_) => self.sites.extend(t.sites_lost_by(&failure)),
        }
        self.recoveries
            .extend(d.recoveries.iter().map(SweepRecovery::from));
        let from = self.reauthenticate.len();
        self.reauthenticate.extend(
            d.recoveries
                .iter()
                .flat_map(|r| r.reauthenticate.iter().copied()),
        );
        sort_dedup_tail(&mut self.reauthenticate, from);
        outcome::newly_without_dr(t, d, &self.before, scratch, &mut self.without_dr);
        let ends = Ends {
            lost: self.lost.len(),
            sites: self.sites.len(),
            recoveries: self.recoveries.len(),
            reauthenticate: self.reauthenticate.len(),
            without_dr: self.without_dr.len(),
        };
        self.rows
            .push((ends, d.recoveries.iter().all(|r| r.tokens_preserved)));
        self.failures.push(failure);
    }
}

/// Sorts `v[from..]` and removes its repeats.
fn sort_dedup_tail<T: Ord + Copy>(v: &mut Vec<T>, from: usize) {
    v[from..].sort_unstable();
    let mut kept = from;
    for i in from..v.len() {
        if kept == from || v[kept - 1] != v[i] {
            v[kept] = v[i];
            kept += 1;
        }
    }
    v.truncate(kept);
}

/// Plans every single failure ([`Topology::single_failures`]): each cluster, each site,
/// each region of several sites. Each row holds the choices of the runbook of its failure
/// (`tests/consistency.rs`).
pub fn sweep(t: &Topology) -> Result<Sweep, Cyclic> {
    super::acyclic(t)?;
    // Once per sweep: the clusters without a DR secondary when nothing fails. Each row then
    // lists what its failure adds, found from what it loses and promotes
    // (`outcome::newly_without_dr`): a row costs its failure, not the topology's size.
    let before = outcome::without_dr(&outcome::after(
        t,
        &Decisions::new(t, BTreeSet::new(), Reasons::Omitted),
    ));
    let mut scratch = outcome::Scratch::default();
    let failures = t.single_failures();
    // Each cluster is lost once alone and once with its site, and once more with its region
    // when regions of several sites fail: the lost clusters and recoveries of every row fit.
    let regions = failures.iter().any(|f| matches!(f, Failure::Region(_)));
    let most = t.model.clusters.len() * if regions { 3 } else { 2 };
    debug_assert!(before.is_sorted());
    let mut out = Sweep {
        before,
        rows: Vec::with_capacity(failures.len()),
        failures: Vec::with_capacity(failures.len()),
        lost: Vec::with_capacity(most),
        recoveries: Vec::with_capacity(most),
        ..Sweep::default()
    };
    let mut d = Decisions::undecided(Vec::new(), None, Reasons::Omitted);
    let mut deciding = decide::Scratch::default();
    for f in failures {
        d.redecide(t, |lost| t.lost_by_into(&f, lost), &mut deciding);
        out.push(t, f, &d, &mut scratch);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::sort_dedup_tail;

    #[test]
    fn sort_dedup_tail_leaves_the_head_alone() {
        let mut v = vec![3, 1, 1, 9, 2, 9, 2, 5];
        sort_dedup_tail(&mut v, 3);
        assert_eq!(v, [3, 1, 1, 2, 5, 9]);
        let mut v: Vec<u8> = vec![];
        sort_dedup_tail(&mut v, 0);
        assert!(v.is_empty());
        let mut v = vec![4, 4, 4];
        sort_dedup_tail(&mut v, 0);
        assert_eq!(v, [4]);
        let mut v = vec![7, 7];
        sort_dedup_tail(&mut v, 2);
        assert_eq!(v, [7, 7]);
    }
}
