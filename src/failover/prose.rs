//! How plan text names clusters, clients and sites: in backticks, in lists, with versions.

use crate::graph::Topology;
use crate::ids::{ClientId, ClusterId};

/// `` `name` ``: a cluster as prose names it.
pub(super) fn quoted(t: &Topology, c: ClusterId) -> String {
    format!("`{}`", t.name(c))
}

/// `` `a`, `b` ``.
pub(super) fn names(t: &Topology, ids: &[ClusterId]) -> String {
    ids.iter()
        .map(|c| quoted(t, *c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
pub(super) fn and_list(t: &Topology, ids: &[ClusterId]) -> String {
    match ids {
        [] => String::new(),
        [one] => quoted(t, *one),
        [rest @ .., last] => format!("{} and {}", names(t, rest), quoted(t, *last)),
    }
}

/// `` `apps-a`, `apps-b` ``.
pub(super) fn client_names(t: &Topology, ids: &[ClientId]) -> String {
    ids.iter()
        .map(|c| format!("`{}`", t.model.clients[c.0].name.get()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of the site a cluster is in.
pub(super) fn site_name(t: &Topology, c: ClusterId) -> &str {
    t.model.sites[t.site_of(c).0].name.get()
}

/// Why a planned switchover demotes `l` before promoting `to`.
pub(super) fn planned_demotion(t: &crate::graph::Topology, l: ClusterId, to: ClusterId) -> String {
    format!(
        "A planned switchover: {} answers, so it is demoted first and {} promoted only then (GUIDES-LR; PERF-MANAGE step 1: \"Demote the original primary\"); \"there should never be more than one primary at a time\" and \"Multiple primaries may result in data loss!\" (API-DR; API-PERF). A demoted cluster keeps its cluster ID, so it can be attached again as a secondary (API-DR). Stop the clients' writes to {} before demoting it.",
        quoted(t, l),
        quoted(t, to),
        quoted(t, l)
    )
}
