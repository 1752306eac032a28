//! The paths that open only after a failover: standby sets of clusters (who will replicate
//! from whom once a cluster is lost), and the performance secondary a site loss would
//! promote.
//!
//! A set is a product: every cluster of `secondaries` may have to replicate from every
//! cluster of `primaries`. It is kept as a product ([`StandbySet`]) so that one primary with
//! N DR secondaries costs N, not N², to describe; [`StandbySet::pairs`] lists its pairs when
//! a consumer wants them one by one. Every set stays inside one environment: the clusters of
//! a set are the lost cluster's successor candidates ([`Topology::successor_candidates`])
//! and the clusters that re-point to them, all of the lost cluster's environment, so no
//! standby path is ever opened between production and non-production.

use super::{EdgeKind, Topology};
use crate::ids::ClusterId;
use crate::spec::Role;

/// Why two clusters open a connection only after a failover (vault-replication.md,
/// "Implications", point 6): the paths that must be open before it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StandbyReason {
    /// `dr`, a DR secondary of `primary`, is promoted in its place and `secondary`, a
    /// performance secondary of `primary`, re-points to it (`update-primary`; API-DR).
    PromotedDrOfPrimary {
        /// The cluster that fails.
        primary: ClusterId,
        /// Its DR secondary, promoted.
        dr: ClusterId,
        /// Its performance secondary, re-pointed.
        secondary: ClusterId,
    },
    /// `dr`, a DR secondary of performance secondary `secondary`, is promoted and connects
    /// to `primary` "using the same secondary token" (API-DR).
    PromotedDrOfSecondary {
        /// The performance primary.
        primary: ClusterId,
        /// The performance secondary that fails.
        secondary: ClusterId,
        /// Its DR secondary, promoted.
        dr: ClusterId,
    },
    /// `promoted` and `other` are both DR secondaries of `protected`; once `promoted` takes
    /// over, `other` must replicate from it.
    SiblingDr {
        /// The cluster both protect.
        protected: ClusterId,
        /// The DR secondary promoted.
        promoted: ClusterId,
        /// The DR secondary that re-points to it.
        other: ClusterId,
    },
    /// `primary`'s site holds it and all its DR secondaries: losing the site leaves only a
    /// performance promotion of `candidate`, and `other` then replicates from it
    /// (PERF-MANAGE).
    PerformancePromotion {
        /// The primary lost with its site.
        primary: ClusterId,
        /// The performance secondary promoted.
        candidate: ClusterId,
        /// Another performance secondary that re-points to it.
        other: ClusterId,
    },
}

/// Two clusters that replicate only after a failover: `secondary` then replicates from (or
/// fails back to) `primary`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StandbyPair {
    /// The cluster that will dial as a secondary.
    pub secondary: ClusterId,
    /// The cluster that will be its primary.
    pub primary: ClusterId,
    /// The failover that creates the connection.
    pub reason: StandbyReason,
}

/// Which failover a [`StandbySet`] prepares for; the kinds of [`StandbyReason`], for a
/// whole set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StandbyKind {
    /// A DR secondary of primary `lost` is promoted; its performance secondaries re-point.
    PromotedDrOfPrimary,
    /// A DR secondary of performance secondary `lost` is promoted and connects to the
    /// performance primary.
    PromotedDrOfSecondary,
    /// One DR secondary of `lost` is promoted; the others re-point to it.
    SiblingDr,
    /// `lost`'s site is lost with all its DR secondaries; a performance secondary is
    /// promoted and the others re-point to it.
    PerformancePromotion,
}

/// Clusters named by how they relate to one cluster: the ends of a [`StandbySet`]. Every
/// variant keeps only clusters of the named cluster's environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Members {
    /// The DR secondaries of the cluster, of its environment (file order).
    DrSecondaries(ClusterId),
    /// The performance secondaries of the primary, of its environment, but `except`.
    PerformanceSecondaries {
        /// The primary.
        primary: ClusterId,
        /// A performance secondary left out (the one promoted).
        except: Option<ClusterId>,
    },
    /// The cluster alone.
    One(ClusterId),
}

impl Members {
    /// The clusters, in file order.
    pub fn clusters(self, t: &Topology) -> Vec<ClusterId> {
        match self {
            Self::DrSecondaries(c) => {
                let mut out = t.dr_secondaries(c);
                out.retain(|d| t.same_environment(c, *d));
                out
            }
            Self::PerformanceSecondaries { primary, except } => {
                let mut out = t.performance_secondaries(primary);
                out.retain(|s| Some(*s) != except && t.same_environment(primary, *s));
                out
            }
            Self::One(c) => vec![c],
        }
    }

    /// The cluster the members are named after.
    pub const fn anchor(self) -> ClusterId {
        match self {
            Self::DrSecondaries(c)
            | Self::PerformanceSecondaries { primary: c, .. }
            | Self::One(c) => c,
        }
    }
}

/// Clusters that connect only after a failover, as a product: every cluster of
/// `secondaries` replicates from (dials) every cluster of `primaries` once `lost` fails (for
/// [`StandbyKind::SiblingDr`] both are the same clusters, and each pair of two of them
/// counts once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StandbySet {
    /// Which failover it prepares for.
    pub kind: StandbyKind,
    /// The cluster whose loss opens the paths.
    pub lost: ClusterId,
    /// The clusters that will dial as secondaries.
    pub secondaries: Members,
    /// The clusters that may become their primary.
    pub primaries: Members,
}

impl StandbySet {
    /// The pairs of the set, in the order of their clusters in the file. Quadratic in the
    /// size of the set: for consumers of small sets and tests.
    pub fn pairs(&self, t: &Topology) -> Vec<StandbyPair> {
        let secondaries = self.secondaries.clusters(t);
        let primaries = self.primaries.clusters(t);
        let lost = self.lost;
        let mut out = Vec::new();
        match self.kind {
            StandbyKind::SiblingDr => {
                for (i, &promoted) in primaries.iter().enumerate() {
                    for &other in &primaries[i + 1..] {
                        out.push(StandbyPair {
                            secondary: other,
                            primary: promoted,
                            reason: StandbyReason::SiblingDr {
                                protected: lost,
                                promoted,
                                other,
                            },
                        });
                    }
                }
            }
            StandbyKind::PromotedDrOfPrimary => {
                for &dr in &primaries {
                    for &secondary in &secondaries {
                        out.push(StandbyPair {
                            secondary,
                            primary: dr,
                            reason: StandbyReason::PromotedDrOfPrimary {
                                primary: lost,
                                dr,
                                secondary,
                            },
                        });
                    }
                }
            }
            StandbyKind::PromotedDrOfSecondary => {
                for &primary in &primaries {
                    for &dr in &secondaries {
                        out.push(StandbyPair {
                            secondary: dr,
                            primary,
                            reason: StandbyReason::PromotedDrOfSecondary {
                                primary,
                                secondary: lost,
                                dr,
                            },
                        });
                    }
                }
            }
            StandbyKind::PerformancePromotion => {
                for &candidate in &primaries {
                    for &other in &secondaries {
                        out.push(StandbyPair {
                            secondary: other,
                            primary: candidate,
                            reason: StandbyReason::PerformancePromotion {
                                primary: lost,
                                candidate,
                                other,
                            },
                        });
                    }
                }
            }
        }
        out
    }

    /// How many pairs [`StandbySet::pairs`] lists, from the sizes of the two ends (`s`
    /// secondaries, `p` primaries), without listing them.
    pub const fn pair_count(kind: StandbyKind, s: u64, p: u64) -> u64 {
        match kind {
            StandbyKind::SiblingDr => p.saturating_mul(p.saturating_sub(1)) / 2,
            _ => s.saturating_mul(p),
        }
    }
}

impl Topology {
    /// The performance secondary promoted when `primary`'s site is lost together with all
    /// its DR secondaries (or it has none): the one outside that site that the failover
    /// planner ranks first ([`Topology::rank_replacements`]). `None` when a DR secondary survives the site or no performance secondary does.
    pub fn performance_promotion_candidate(&self, primary: ClusterId) -> Option<ClusterId> {
        let site = self.site_of(primary);
        if self
            .dr_secondaries(primary)
            .iter()
            .any(|d| self.site_of(*d) != site)
        {
            return None;
        }
        let outside = self
            .performance_secondaries(primary)
            .into_iter()
            .filter(|s| self.site_of(*s) != site);
        // The same choice the failover planner makes, so the pre-opened paths are the ones
        // the runbook will use.
        self.rank_replacements(primary, outside).first().copied()
    }

    /// Every set of clusters that connect only after a failover, grouped by the cluster
    /// that fails (file order): a primary's performance secondaries → its DR secondaries, a
    /// performance secondary's DR secondaries → the primary, DR secondaries of one cluster ↔
    /// each other, and the other performance secondaries → the promotion candidate when a
    /// site loss leaves only a performance promotion. Only clusters of the lost cluster's
    /// environment take part (a DR secondary of another environment is never its successor;
    /// [`Topology::successor_candidates`]); sets without a pair are left out. (Failback of
    /// the old primary to its DR secondary runs over the DR edge itself, which is always open
    /// both ways.) Linear in the clusters: each set is a product, not its pairs.
    pub fn standby_sets(&self) -> Vec<StandbySet> {
        let mut out = Vec::new();
        let mut push = |set: StandbySet| {
            let s = set.secondaries.clusters(self).len() as u64;
            let p = set.primaries.clusters(self).len() as u64;
            if StandbySet::pair_count(set.kind, s, p) > 0 {
                out.push(set);
            }
        };
        for c in self.cluster_ids() {
            let drs = Members::DrSecondaries(c);
            push(StandbySet {
                kind: StandbyKind::PromotedDrOfPrimary,
                lost: c,
                secondaries: Members::PerformanceSecondaries {
                    primary: c,
                    except: None,
                },
                primaries: drs,
            });
            if let Some((primary, EdgeKind::Performance)) = self.upstream(c)
                && self.same_environment(c, primary)
            {
                push(StandbySet {
                    kind: StandbyKind::PromotedDrOfSecondary,
                    lost: c,
                    secondaries: drs,
                    primaries: Members::One(primary),
                });
            }
            push(StandbySet {
                kind: StandbyKind::SiblingDr,
                lost: c,
                secondaries: drs,
                primaries: drs,
            });
            if self.role(c) == Role::Primary
                && let Some(candidate) = self.performance_promotion_candidate(c)
            {
                push(StandbySet {
                    kind: StandbyKind::PerformancePromotion,
                    lost: c,
                    secondaries: Members::PerformanceSecondaries {
                        primary: c,
                        except: Some(candidate),
                    },
                    primaries: Members::One(candidate),
                });
            }
        }
        out
    }

    /// Every pair of [`Topology::standby_sets`], one by one: quadratic in the DR secondaries
    /// of a cluster, so only for small topologies and tests.
    pub fn standby_pairs(&self) -> Vec<StandbyPair> {
        self.standby_sets()
            .iter()
            .flat_map(|s| s.pairs(self))
            .collect()
    }
}
