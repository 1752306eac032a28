//! VRT506 `replication-not-streaming`: A secondary is not streaming WALs from its primary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT506`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::status::live::Mode;
use crate::status::{Live, label};

declare_rule! {
    /// A secondary is not streaming WALs from its primary.
    ///
    /// ## What it checks
    /// The `state` of each declared secondary's status for its replication type. A healthy
    /// secondary reports `stream-wals`; anything else is reported (older versions that do
    /// not report `state` are not judged).
    ///
    /// ## Why it matters
    /// Steady state is `running` on a primary and `stream-wals` on a secondary (API-REPL;
    /// API-DR). A secondary catches up with a Merkle sync when WALs are not enough
    /// (REPL-INT; MONITOR), and `idle` is a sign that communication may be disrupted
    /// (HVD-OPS). Until it streams again, the secondary is behind its primary. A Merkle sync
    /// can be a normal, passing state, so this is a warning: look again if it persists.
    ///
    /// ## Example
    /// `perf-b`'s status has `"performance": {"mode": "secondary", "state": "merkle-sync", ...}`.
    ///
    /// ## How to fix
    /// Capture the status again in a few minutes; if the state persists, follow the
    /// replication troubleshooting guide (connection, then reindex).
    pub static RULE = "VRT506", "replication-not-streaming", Warning;
}

/// Reports each secondary whose state is not `stream-wals`, at its name.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for s in t.cluster_ids() {
        let Some((p, kind)) = t.upstream(s) else {
            continue;
        };
        let Some(r) = live.status(s).map(|st| st.of(kind)) else {
            continue;
        };
        if r.mode != Mode::Secondary {
            continue;
        }
        let Some(state) = r.state.as_deref().filter(|v| *v != "stream-wals") else {
            continue;
        };
        out.push(
            Finding::new(
                &RULE,
                t.cluster(s).name.span(),
                format!(
                    "{} secondary `{}` is in state `{state}`, not `stream-wals`",
                    label(kind),
                    t.name(s)
                ),
            )
            .label("not streaming")
            .related(t.cluster(p).name.span(), "its primary")
            .cluster(s)
            .help("capture the status again in a few minutes; if the state persists, check the connection to the primary and the secondary's logs"),
        );
    }
    out
}
