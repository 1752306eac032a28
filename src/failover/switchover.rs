//! A planned switchover (`vrt switchover --to CLUSTER`): the named cluster takes over from the
//! cluster it replicates from, which still answers. The same decisions and steps as a
//! failover of that cluster ([`super::plan`]), with the successor named by the operator and
//! the runbook in the planned order: demote first, then promote, re-point, verify, and the
//! failback (vault-replication.md §3 "Which order"; GUIDES-LR; PERF-MANAGE).

use super::decide::Decisions;
use super::plan::Plan;
use super::prose::quoted;
use crate::graph::{Cyclic, Failure, Topology};
use crate::spec::Role;

/// Why no switchover to a cluster can be planned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SwitchoverError {
    /// No cluster has the name.
    #[error("no cluster is named `{0}`; the topology has {1}")]
    Unknown(String, String),
    /// The cluster cannot take over from the cluster it replicates from.
    #[error("{0}")]
    NotCandidate(String),
    /// The replication graph has a cycle.
    #[error(transparent)]
    Cyclic(#[from] Cyclic),
}

/// Plans the planned switchover to the cluster named `to`: a DR secondary, or a performance
/// secondary of a primary, of the same environment as the cluster it replicates from.
pub fn switchover(t: &Topology, to: &str) -> Result<Plan, SwitchoverError> {
    let Some(target) = t.cluster_ids().find(|c| t.name(*c) == to) else {
        let mut names: Vec<String> = t.cluster_ids().map(|c| quoted(t, c)).collect();
        names.truncate(20);
        return Err(SwitchoverError::Unknown(to.to_string(), names.join(", ")));
    };
    let Some((from, _)) = t.upstream(target) else {
        return Err(SwitchoverError::NotCandidate(format!(
            "{} is a {} and replicates from nothing: name the DR or performance secondary that is to take over from it",
            quoted(t, target),
            t.role(target).as_str()
        )));
    };
    if !t.successor_candidates(from).contains(&target) {
        let why = if !t.same_environment(from, target) {
            "it is in another environment, and vrt never hands a cluster's role across environments"
        } else if t.role(target) == Role::PerformanceSecondary {
            "a performance secondary takes over only from a primary"
        } else {
            "it cannot be promoted in its place"
        };
        return Err(SwitchoverError::NotCandidate(format!(
            "{} cannot take over from {}: {why}",
            quoted(t, target),
            quoted(t, from)
        )));
    }
    let order = super::upstream_first(t)?;
    let d = Decisions::switchover(t, from, target);
    let label = format!(
        "planned switchover from {} to {}",
        quoted(t, from),
        quoted(t, target)
    );
    Ok(super::build_from(
        t,
        &Failure::Cluster(from),
        &order,
        d,
        label,
    ))
}
