//! The resilience delta: the single failures of the `failover --all` sweep (each cluster,
//! site and region) whose recovery differs between OLD and NEW — "losing site `dc-a`: was DR
//! promotion of `dr-a`, now performance promotion of `perf-b`". Both sweeps come from the
//! failover planner ([`crate::failover::sweep`]); nothing here decides a recovery, so the
//! delta follows the planner's decisions as they change.

use std::collections::BTreeMap;

use crate::failover::{self, RecoveryPath, Sweep};
use crate::graph::Topology;

/// How one lost cluster is recovered, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// The lost primary or performance secondary.
    pub lost: String,
    /// How.
    pub path: RecoveryPath,
    /// The cluster that takes over.
    pub to: Option<String>,
    /// For a performance promotion after a DR promotion: the cluster that DR promotion
    /// replaced.
    pub via: Option<String>,
}

/// The outcome of one failure in one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The scenario as the planner labels it.
    pub label: String,
    /// The clusters the failure takes out.
    pub lost: Vec<String>,
    /// The recoveries, in the planner's order.
    pub recoveries: Vec<Recovery>,
    /// Whether every lost cluster's tokens and leases survive.
    pub tokens_preserved: bool,
    /// Clients that must re-authenticate.
    pub reauthenticate: Vec<String>,
    /// Serving clusters the failure leaves without a DR secondary that had one before it
    /// (or that it puts in a serving role without one); those without one before any
    /// failure are the findings' business (VRT101), not every scenario's.
    pub without_dr: Vec<String>,
}

impl Outcome {
    fn same_recovery(&self, other: &Self) -> bool {
        self.recoveries == other.recoveries
            && self.tokens_preserved == other.tokens_preserved
            && self.reauthenticate == other.reauthenticate
            && self.without_dr == other.without_dr
    }
}

/// A failure whose recovery changes (or that exists in only one version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioChange {
    /// `cluster`, `site` or `region`.
    pub kind: &'static str,
    /// The name of what fails.
    pub name: String,
    /// Its outcome in OLD (`None`: no such failure there).
    pub old: Option<Outcome>,
    /// Its outcome in NEW (`None`: no such failure there).
    pub new: Option<Outcome>,
    /// Whether NEW recovers worse: tokens preserved before and not now, a recovery that
    /// became `none`, or more serving clusters left without DR when the tokens fare no
    /// better (a DR promotion in place of clients moving leaves the promoted cluster
    /// without DR of its own, and is still the better recovery).
    pub worse: bool,
}

/// The failures whose recovery changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResilienceDelta {
    /// In NEW's sweep order, then failures only OLD had.
    pub changes: Vec<ScenarioChange>,
    /// Failures whose recovery is the same in both.
    pub unchanged: usize,
    /// Why a side could not be swept.
    pub notes: Vec<String>,
}

fn outcomes(t: &Topology, rows: &Sweep) -> Vec<((&'static str, String), Outcome)> {
    let name = |c| t.name(c).to_string();
    rows.rows()
        .map(|r| {
            let f = r.failure;
            let key = (f.kind(), t.failure_name(f).to_string());
            let outcome = Outcome {
                label: r.label(t),
                lost: r.lost.iter().map(|c| name(*c)).collect(),
                recoveries: r
                    .recoveries
                    .iter()
                    .map(|x| Recovery {
                        lost: name(x.lost),
                        path: x.path,
                        to: x.to.map(name),
                        via: x.via.map(name),
                    })
                    .collect(),
                tokens_preserved: r.tokens_preserved,
                reauthenticate: r
                    .reauthenticate
                    .iter()
                    .map(|c| t.model.clients[c.0].name.get().clone())
                    .collect(),
                without_dr: r.without_dr.iter().map(|c| name(*c)).collect(),
            };
            (key, outcome)
        })
        .collect()
}

fn sweep(
    t: &Topology,
    which: &str,
    notes: &mut Vec<String>,
) -> Vec<((&'static str, String), Outcome)> {
    match failover::sweep(t) {
        Ok(rows) => outcomes(t, &rows),
        Err(e) => {
            notes.push(format!(
                "{which} cannot be swept for failures: {e}; its failure scenarios are left out of the resilience comparison"
            ));
            Vec::new()
        }
    }
}

fn worse(old: Option<&Outcome>, new: Option<&Outcome>) -> bool {
    match (old, new) {
        (Some(o), Some(n)) => {
            (o.tokens_preserved && !n.tokens_preserved)
                || n.recoveries.iter().any(|r| {
                    r.path == RecoveryPath::None
                        && o.recoveries
                            .iter()
                            .any(|x| x.lost == r.lost && x.path != RecoveryPath::None)
                })
                // Tokens no better (not newly kept), and more clusters without DR.
                || ((o.tokens_preserved || !n.tokens_preserved)
                    && n.without_dr.len() > o.without_dr.len())
        }
        (None, Some(n)) => n.recoveries.iter().any(|r| r.path == RecoveryPath::None),
        _ => false,
    }
}

/// Compares the sweeps of OLD (`None` when empty) and NEW.
pub fn compare(old: Option<&Topology>, new: &Topology) -> Option<ResilienceDelta> {
    let mut notes = Vec::new();
    let before: BTreeMap<(&'static str, String), Outcome> = old
        .map(|o| sweep(o, "OLD", &mut notes).into_iter().collect())
        .unwrap_or_default();
    let after = sweep(new, "NEW", &mut notes);
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let mut seen = std::collections::BTreeSet::new();
    for (key, n) in after {
        seen.insert(key.clone());
        let o = before.get(&key);
        if o.is_some_and(|o| o.same_recovery(&n)) {
            unchanged += 1;
            continue;
        }
        changes.push(ScenarioChange {
            kind: key.0,
            worse: worse(o, Some(&n)),
            name: key.1,
            old: o.cloned(),
            new: Some(n),
        });
    }
    for (key, o) in before {
        if !seen.contains(&key) {
            changes.push(ScenarioChange {
                kind: key.0,
                name: key.1,
                old: Some(o),
                new: None,
                worse: false,
            });
        }
    }
    Some(ResilienceDelta {
        changes,
        unchanged,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(path: RecoveryPath, tokens_preserved: bool, without_dr: &[&str]) -> Outcome {
        Outcome {
            label: "cluster `p`".to_string(),
            lost: vec!["p".to_string()],
            recoveries: vec![Recovery {
                lost: "p".to_string(),
                path,
                to: (path != RecoveryPath::None).then(|| "q".to_string()),
                via: None,
            }],
            tokens_preserved,
            reauthenticate: Vec::new(),
            without_dr: without_dr.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn worse_is_losing_tokens_a_recovery_or_dr_cover_without_gaining_tokens() {
        use RecoveryPath::{ClientsMove, DrPromotion, None as Nothing};
        let dr = outcome(DrPromotion, true, &[]);
        let moved = outcome(ClientsMove, false, &[]);
        // Tokens kept before, lost now.
        assert!(worse(Some(&dr), Some(&moved)));
        // A recovery that became none.
        assert!(worse(Some(&moved), Some(&outcome(Nothing, false, &[]))));
        assert!(worse(None, Some(&outcome(Nothing, false, &[]))));
        // More clusters left without DR, tokens no better.
        assert!(worse(Some(&dr), Some(&outcome(DrPromotion, true, &["q"]))));
        // A DR promotion in place of clients moving leaves the promoted cluster without DR
        // of its own, and is still the better recovery.
        assert!(!worse(
            Some(&moved),
            Some(&outcome(DrPromotion, true, &["q"]))
        ));
        assert!(!worse(Some(&dr), Some(&dr)));
        assert!(!worse(Some(&dr), None));
    }
}
