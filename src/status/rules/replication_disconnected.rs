//! VRT505 `replication-disconnected`: A secondary is not connected to its primary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT505`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::status::live::Mode;
use crate::status::{Live, label};

declare_rule! {
    /// A secondary is not connected to its primary.
    ///
    /// ## What it checks
    /// For each declared secondary: its own status's `connection_state` (newer versions;
    /// `ready` when connected) and the `connection_status` of its `primaries[]`; and the
    /// `connection_status` its declared primary reports for it in `secondaries[]` (matched by
    /// `node_id`, which equals the secondary's `secondary_id`). Anything but `ready` /
    /// `connected` is reported, with every side's evidence.
    ///
    /// ## Why it matters
    /// Each peer of `primaries[]` and `secondaries[]` carries `connection_status`
    /// (`connected` or `disconnected`), and a connected secondary's `connection_state` is
    /// `ready` (API-REPL; API-DR; MONITOR). A disconnected DR secondary is a standby that
    /// falls further behind every hour: after a promotion, everything written since it
    /// disconnected is lost. Replication needs the cluster port open both ways and the
    /// addresses in `known_primary_cluster_addrs` reachable from the secondary (TS-CONN).
    ///
    /// ## Example
    /// `dr-b`'s status has `"connection_state": "transient_failure"` and
    /// `"primaries": [{"connection_status": "disconnected", ...}]`.
    ///
    /// ## How to fix
    /// Check the path from the secondary to the primary's cluster port (8201) and the
    /// primary's `primary_cluster_addr`; `vrt ports` lists the flows it needs.
    pub static RULE = "VRT505", "replication-disconnected", Error;
}

/// Reports each secondary that some side says is not connected, at its name.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for s in t.cluster_ids() {
        let Some((p, kind)) = t.upstream(s) else {
            continue;
        };
        let mut evidence = Vec::new();
        if let Some(r) = live.status(s).map(|st| st.of(kind))
            && r.mode == Mode::Secondary
        {
            if let Some(state) = r.connection_state.as_deref().filter(|v| *v != "ready") {
                evidence.push(format!("its `connection_state` is `{state}`"));
            }
            for peer in &r.primaries {
                if let Some(v) = peer
                    .connection_status
                    .as_deref()
                    .filter(|v| *v != "connected")
                {
                    let at = peer.cluster_address.as_deref().unwrap_or("?");
                    evidence.push(format!("its primary `{at}` is `{v}`"));
                }
            }
        }
        if let Some(r) = live.status(p).map(|st| st.of(kind))
            && r.mode == Mode::Primary
        {
            for peer in &r.secondaries {
                let Some(id) = peer.node_id.as_deref() else {
                    continue;
                };
                if !live.is_known_as(s, kind, id) {
                    continue;
                }
                if let Some(v) = peer
                    .connection_status
                    .as_deref()
                    .filter(|v| *v != "connected")
                {
                    evidence.push(format!("`{}` reports it `{v}`", t.name(p)));
                }
            }
        }
        if evidence.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                t.cluster(s).name.span(),
                format!(
                    "{} secondary `{}` is not connected to `{}`: {}",
                    label(kind),
                    t.name(s),
                    t.name(p),
                    evidence.join("; ")
                ),
            )
            .label("disconnected")
            .related(t.cluster(p).name.span(), "its primary")
            .cluster(s)
            .help(format!(
                "check that `{}` reaches `{}`'s cluster port (and the addresses in its `known_primary_cluster_addrs`); `vrt ports` lists the flows",
                t.name(s),
                t.name(p)
            )),
        );
    }
    out
}
