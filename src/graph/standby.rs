//! The paths that open only after a failover: standby pairs of clusters, and the performance
//! secondary a site loss would promote.

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

    /// Every pair of clusters that connects only after a failover, grouped by the cluster
    /// that fails (file order): a primary's DR secondaries ↔ its performance secondaries, a
    /// performance secondary's DR secondaries ↔ the primary, DR secondaries of one cluster ↔
    /// each other, and the performance secondaries ↔ the promotion candidate when a site
    /// loss leaves only a performance promotion. (Failback of the old primary to its DR
    /// secondary runs over the DR edge itself, which is always open both ways.)
    pub fn standby_pairs(&self) -> Vec<StandbyPair> {
        let mut out = Vec::new();
        for c in self.cluster_ids() {
            let drs = self.dr_secondaries(c);
            let perfs = self.performance_secondaries(c);
            for &dr in &drs {
                for &secondary in &perfs {
                    out.push(StandbyPair {
                        secondary,
                        primary: dr,
                        reason: StandbyReason::PromotedDrOfPrimary {
                            primary: c,
                            dr,
                            secondary,
                        },
                    });
                }
            }
            if let Some((primary, EdgeKind::Performance)) = self.upstream(c) {
                for &dr in &drs {
                    out.push(StandbyPair {
                        secondary: dr,
                        primary,
                        reason: StandbyReason::PromotedDrOfSecondary {
                            primary,
                            secondary: c,
                            dr,
                        },
                    });
                }
            }
            for (i, &promoted) in drs.iter().enumerate() {
                for &other in &drs[i + 1..] {
                    out.push(StandbyPair {
                        secondary: other,
                        primary: promoted,
                        reason: StandbyReason::SiblingDr {
                            protected: c,
                            promoted,
                            other,
                        },
                    });
                }
            }
            if self.role(c) == Role::Primary
                && let Some(candidate) = self.performance_promotion_candidate(c)
            {
                for &other in perfs.iter().filter(|p| **p != candidate) {
                    out.push(StandbyPair {
                        secondary: other,
                        primary: candidate,
                        reason: StandbyReason::PerformancePromotion {
                            primary: c,
                            candidate,
                            other,
                        },
                    });
                }
            }
        }
        out
    }
}
