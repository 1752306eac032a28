//! VRT508 `corrupted-merkle-tree`: A cluster reports a corrupted Merkle tree.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT508`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::EdgeKind;
use crate::status::{Live, label};

declare_rule! {
    /// A cluster reports a corrupted Merkle tree.
    ///
    /// ## What it checks
    /// `corrupted_merkle_tree` in each replication type's status of every cluster (newer
    /// versions report it; older ones are not judged).
    ///
    /// ## Why it matters
    /// Replication compares Merkle trees to find what a secondary lacks (REPL-INT); the
    /// status reports `corrupted_merkle_tree` with `last_corruption_check_epoch` (API-REPL;
    /// API-DR). A corrupted tree means replication cannot be trusted to converge until the
    /// index is rebuilt.
    ///
    /// ## Example
    /// `dr-a`'s status has `"dr": {"corrupted_merkle_tree": true, ...}`.
    ///
    /// ## How to fix
    /// Reindex the cluster (`vault write -f sys/replication/reindex`, or the DR secondary's
    /// `sys/replication/dr/secondary/reindex` with a DR operation token) and capture again.
    pub static RULE = "VRT508", "corrupted-merkle-tree", Error;
}

/// Reports each cluster with a corrupted Merkle tree, at its name.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for c in t.cluster_ids() {
        let Some(status) = live.status(c) else {
            continue;
        };
        let kinds: Vec<&str> = [EdgeKind::Dr, EdgeKind::Performance]
            .into_iter()
            .filter(|k| status.of(*k).corrupted_merkle_tree == Some(true))
            .map(label)
            .collect();
        if kinds.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                t.cluster(c).name.span(),
                format!(
                    "`{}` reports a corrupted Merkle tree ({} replication)",
                    t.name(c),
                    kinds.join(" and ")
                ),
            )
            .label("corrupted Merkle tree")
            .cluster(c)
            .help("reindex the cluster (`vault write -f sys/replication/reindex`; on a DR secondary `sys/replication/dr/secondary/reindex` with a DR operation token) and capture the status again"),
        );
    }
    out
}
