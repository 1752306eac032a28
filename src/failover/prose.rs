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
