//! The plan's types: what a failure takes out, each recovery, the runbook's steps and
//! commands, and the topology after the failover. Data only; the planner fills them in.

use crate::graph::Failure;
use crate::ids::{ClientId, ClusterId, SiteId};
pub use crate::net::flows::Node;
use crate::spec::Role;

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
    pub(super) fn set_lost(lost: ClusterId, why: String) -> Self {
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

/// A paragraph of a step, with an optional label: the case it applies to ("If `a`
/// answers"), or a caution ("Undocumented by HashiCorp"). Each renderer sets the label apart
/// in its own way (bold in Markdown, a line of its own in text, `label: text` in JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    /// The label, without punctuation after it.
    pub label: Option<String>,
    /// The paragraph.
    pub text: String,
}

impl Paragraph {
    /// A paragraph under `label`.
    pub fn labelled(label: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            label: Some(label.into()),
            text: text.into(),
        }
    }

    /// `label: text`, or the text alone: the paragraph as one line of prose.
    pub fn joined(&self) -> String {
        match &self.label {
            Some(label) => format!("{label}: {}", self.text),
            None => self.text.clone(),
        }
    }
}

impl From<String> for Paragraph {
    fn from(text: String) -> Self {
        Self { label: None, text }
    }
}

/// One step of the runbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// When it runs.
    pub phase: Phase,
    /// What it does, imperative.
    pub title: String,
    /// Paragraphs: why, what to expect, what to watch for.
    pub text: Vec<Paragraph>,
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

    pub(super) const fn from_role(role: Role) -> Self {
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
    /// A planned switchover (`vrt switchover`) rather than a failure: the cluster handed over
    /// still answers.
    pub planned: bool,
}

impl Scenario {
    /// The runbook's heading: `loss of <label>`, or the planned switchover's label.
    pub fn heading(&self) -> String {
        if self.planned {
            self.label.clone()
        } else {
            format!("loss of {}", self.label)
        }
    }
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
            parts.extend(
                s.text
                    .iter()
                    .flat_map(|p| p.label.iter().chain(std::iter::once(&p.text)))
                    .map(String::as_str),
            );
        }
        parts.extend(self.recoveries.iter().map(|r| r.why.as_str()));
        parts.extend(self.sets.iter().map(|s| s.note.as_str()));
        parts.extend(self.live_paths.iter().map(|p| p.why.as_str()));
        parts.extend(self.warnings.iter().map(String::as_str));
        let text = parts.join(" ");
        crate::sources::cited(&text)
    }
}
