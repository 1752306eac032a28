//! What a change to a topology file means and how to carry it out (`vrt diff OLD NEW`).
//! Pure: [`diff`] goes from the two validated versions to a [`Diff`]; `report::diff`
//! renders it.
//!
//! Objects are matched by name across the two versions, findings by (code, cluster,
//! message) rather than by line. The resilience delta compares the failover planner's sweep
//! of both versions ([`crate::failover::sweep`]), so it follows the planner's decisions; the
//! network delta compares the firewall planner's rules ([`crate::firewall::rules`]); the
//! mount delta compares where each mount's data lives ([`crate::mounts::holders`]). The
//! migration runbook (or, from an empty OLD, the bootstrap runbook) rests on §3 of the fact
//! sheet and cites its source keys.

pub mod bootstrap;
pub mod delta;
pub mod findings;
mod migration;
pub mod mounts;
mod mountsteps;
pub mod network;
pub mod resilience;
pub mod runbook;
mod switchover;

use crate::diag::Finding;
use crate::graph::Topology;
use crate::source::Source;

/// One version of the topology file, validated.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// The file as read.
    pub source: &'a Source,
    /// Its topology, when the file got that far (no syntax, shape or reference errors).
    pub topology: Option<&'a Topology>,
    /// Every finding of the file (structural and rules, after its `ignore` entries).
    pub findings: &'a [Finding],
}

/// Whether the runbook migrates an existing estate or builds one from nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// OLD describes a running estate: the runbook changes it into NEW.
    Migration,
    /// OLD is empty (`/dev/null`, an empty file): the runbook builds NEW from scratch.
    Bootstrap,
}

impl Mode {
    /// `migration` or `bootstrap`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Migration => "migration",
            Self::Bootstrap => "bootstrap",
        }
    }
}

/// Everything `vrt diff` reports.
#[derive(Clone, Debug)]
pub struct Diff {
    /// Migration or bootstrap.
    pub mode: Mode,
    /// The name of OLD as given (`/dev/null`, `main:topology.yaml`).
    pub old_file: String,
    /// The name of NEW as given.
    pub new_file: String,
    /// What changed, object by object; `None` when a version has errors that stop it before
    /// its topology is built.
    pub delta: Option<delta::Delta>,
    /// Findings new in NEW and fixed since OLD.
    pub findings: findings::FindingsDelta,
    /// Failure scenarios whose recovery changes.
    pub resilience: Option<resilience::ResilienceDelta>,
    /// Firewall rules to add before the change and to remove after it.
    pub network: Option<network::NetworkDelta>,
    /// The ordered steps that carry the change out.
    pub runbook: Option<runbook::Runbook>,
    /// Why a section is missing, or what to check by hand.
    pub notes: Vec<String>,
}

impl Diff {
    /// Whether the two versions mean the same design: no object, finding, recovery or rule
    /// changed.
    pub fn is_empty(&self) -> bool {
        self.delta.as_ref().is_none_or(delta::Delta::is_empty)
            && self.findings.new.is_empty()
            && self.findings.fixed.is_empty()
            && self
                .resilience
                .as_ref()
                .is_none_or(|r| r.changes.is_empty())
            && self
                .network
                .as_ref()
                .is_none_or(|n| n.add.is_empty() && n.remove.is_empty())
    }
}

/// Compares OLD (`None` when it is empty; `old_file` names it) with NEW.
pub fn diff(old_file: &str, old: Option<Side<'_>>, new: Side<'_>) -> Diff {
    let mode = if old.is_none() {
        Mode::Bootstrap
    } else {
        Mode::Migration
    };
    let mut notes = Vec::new();
    let findings = findings::compare(old, new);
    // Both topologies, or NEW alone from an empty OLD; `None` when a version did not load.
    let pair: Option<(Option<&Topology>, &Topology)> = match (old, new.topology) {
        (None, Some(n)) => Some((None, n)),
        (Some(o), Some(n)) => match o.topology {
            Some(ot) => Some((Some(ot), n)),
            None => {
                notes.push(format!(
                    "`{}` has errors that stop vrt before its topology is built, so only the findings are compared; fix them (run `vrt validate` on it) for the full comparison",
                    o.source.name
                ));
                None
            }
        },
        (_, None) => {
            notes.push(format!(
                "`{}` has errors that stop vrt before its topology is built, so only the findings are compared; fix them (run `vrt validate` on it) for the full comparison",
                new.source.name
            ));
            None
        }
    };
    let (delta, resilience, network, runbook) = match pair {
        Some((o, n)) => {
            let d = delta::compare(o, n);
            let r = resilience::compare(o, n);
            let net = network::compare(o, n);
            let book = match o {
                // Nothing changed: nothing to carry out.
                Some(_) if d.is_empty() => runbook::Runbook {
                    mode,
                    steps: Vec::new(),
                    windows: Vec::new(),
                    warnings: Vec::new(),
                },
                Some(ot) => runbook::migration(ot, n, &d),
                None => bootstrap::runbook(n),
            };
            (Some(d), r, net, Some(book))
        }
        None => (None, None, None, None),
    };
    if let Some(r) = &resilience {
        notes.extend(r.notes.iter().cloned());
    }
    if let Some(n) = &network {
        notes.extend(n.notes.iter().cloned());
    }
    Diff {
        mode,
        old_file: old_file.to_string(),
        new_file: new.source.name.clone(),
        delta,
        findings,
        resilience,
        network,
        runbook,
        notes,
    }
}
