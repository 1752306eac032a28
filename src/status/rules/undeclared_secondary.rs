//! VRT504 `undeclared-secondary`: A primary knows secondaries that the file does not declare.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT504`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::EdgeKind;
use crate::status::live::Mode;
use crate::status::{Live, label};

declare_rule! {
    /// A primary knows secondaries that the file does not declare.
    ///
    /// ## What it checks
    /// Each entry of a primary's live `known_secondaries` (per replication type) stands for
    /// one of its declared secondaries of that type: the secondary's own `secondary_id`, or
    /// its name when its status was not captured. When a declared secondary without a status
    /// is not listed by name, the entries cannot be attributed and nothing is reported.
    ///
    /// ## Why it matters
    /// `known_secondaries` holds the ids given to `secondary-token` (API-DR, API-PERF): an
    /// entry the file does not know is a cluster that receives this primary's data (all of
    /// it, tokens and leases too, for DR; REPL-IDX) without being in the design, or a
    /// registration left behind by a decommissioned cluster that was never revoked. Either
    /// is worth knowing; neither stops replication.
    ///
    /// ## Example
    /// The file declares one DR secondary of `primary-a`, `dr-a`; `primary-a`'s status has
    /// `"known_secondaries": ["dr-a", "old-dr"]`.
    ///
    /// ## How to fix
    /// Declare the cluster in the file, or revoke the registration on the primary:
    /// `vault write sys/replication/dr/primary/revoke-secondary id=<id>`.
    pub static RULE = "VRT504", "undeclared-secondary", Warning;
}

/// Reports, per primary and type, the known secondaries no declared cluster stands for.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for p in t.cluster_ids() {
        let Some(status) = live.status(p) else {
            continue;
        };
        for kind in [EdgeKind::Dr, EdgeKind::Performance] {
            let r = status.of(kind);
            if r.mode != Mode::Primary {
                continue;
            }
            let declared = live.secondaries(p, kind);
            let attributable = declared.iter().all(|s| {
                live.status(*s).is_some() || r.known_secondaries.iter().any(|k| k == t.name(*s))
            });
            if !attributable {
                continue;
            }
            let unknown: Vec<&String> = r
                .known_secondaries
                .iter()
                .filter(|id| !declared.iter().any(|s| live.is_known_as(*s, kind, id)))
                .collect();
            if unknown.is_empty() {
                continue;
            }
            let shown = crate::text::first_few(
                unknown.iter().map(|id| {
                    let at = r
                        .secondaries
                        .iter()
                        .find(|peer| peer.node_id.as_deref() == Some(id.as_str()))
                        .and_then(|peer| peer.api_address.as_deref());
                    match at {
                        Some(a) => format!("`{id}` (at `{a}`)"),
                        None => format!("`{id}`"),
                    }
                }),
                10,
            );
            out.push(
                Finding::new(
                    &RULE,
                    t.cluster(p).name.span(),
                    format!(
                        "`{}` knows {} {} secondar{} the file does not declare: {shown}",
                        t.name(p),
                        unknown.len(),
                        label(kind),
                        if unknown.len() == 1 { "y" } else { "ies" },
                    ),
                )
                .label(format!("its live {} status", label(kind)))
                .cluster(p)
                .help(format!(
                    "declare the cluster with `replicates_from: {}`, or revoke the registration: `vault write sys/replication/{}/primary/revoke-secondary id=<id>`",
                    t.name(p),
                    kind.as_str()
                )),
            );
        }
    }
    out
}
