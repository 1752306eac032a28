//! VRT503 `secondary-unknown-to-primary`: A declared secondary is not among its primary's live `known_secondaries`.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT503`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::status::live::Mode;
use crate::status::{Live, label};

declare_rule! {
    /// A declared secondary is not among its primary's live `known_secondaries`.
    ///
    /// ## What it checks
    /// For each secondary whose own status gives its `secondary_id`, and whose declared
    /// upstream reports itself primary of that kind: the id is in the upstream's
    /// `known_secondaries`. The `secondary_id` of a secondary equals an entry of its
    /// primary's `known_secondaries` and the `node_id` in its `secondaries[]` (API-REPL;
    /// API-DR). A secondary without a captured status is not judged (its id is unknown).
    ///
    /// ## Why it matters
    /// `known_secondaries` holds the ids given to `secondary-token` (API-DR, API-PERF): a
    /// secondary missing from it was revoked, never activated against this primary, or
    /// activated against another one. Its data is not being replicated from where the file
    /// says.
    ///
    /// ## Example
    /// `dr-b` reports `"secondary_id": "dr-b"`, but `perf-b`'s
    /// `"dr": {"known_secondaries": []}` is empty.
    ///
    /// ## How to fix
    /// Activate the secondary against its declared primary: `vault write
    /// sys/replication/dr/primary/secondary-token id=<id>` on the primary, then
    /// `secondary/enable` (or `update-primary`) on the secondary; or correct the file.
    pub static RULE = "VRT503", "secondary-unknown-to-primary", Error;
}

/// Reports each secondary its declared primary does not know, at the secondary's name.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for s in t.cluster_ids() {
        let Some((p, kind)) = t.upstream(s) else {
            continue;
        };
        let Some(id) = live.secondary_id(s, kind) else {
            continue;
        };
        let Some(primary) = live.status(p).map(|st| st.of(kind)) else {
            continue;
        };
        if primary.mode != Mode::Primary || primary.known_secondaries.iter().any(|k| k == id) {
            continue;
        }
        let known: Vec<String> = primary
            .known_secondaries
            .iter()
            .take(10)
            .map(|k| format!("`{k}`"))
            .collect();
        let known = if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        out.push(
            Finding::new(
                &RULE,
                t.cluster(s).name.span(),
                format!(
                    "`{}` (secondary id `{id}`) is not among `{}`'s known {} secondaries ({known})",
                    t.name(s),
                    t.name(p),
                    label(kind)
                ),
            )
            .label(format!("its status says `secondary_id: {id}`"))
            .related(t.cluster(p).name.span(), "its declared primary")
            .cluster(s)
            .help(format!(
                "activate it against `{}` (`secondary-token id=...` there, then `update-primary` on it), or correct the file",
                t.name(p)
            )),
        );
    }
    out
}
