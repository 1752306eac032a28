//! VRT501 `live-role-mismatch`: A cluster's live replication mode contradicts the role the file declares.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT501`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::EdgeKind;
use crate::spec::Role;
use crate::status::live::Mode;
use crate::status::{Live, label};

declare_rule! {
    /// A cluster's live replication mode contradicts the role the file declares.
    ///
    /// ## What it checks
    /// The `dr.mode` and `performance.mode` of each cluster's replication status (`disabled`,
    /// `primary` or `secondary`) against its declared `role`:
    /// - a `primary` is not a secondary of either kind, and is the primary of each kind it has
    ///   declared secondaries of;
    /// - a `performance-secondary` has `performance.mode: secondary`, and `dr.mode: primary`
    ///   when it has DR secondaries;
    /// - a `dr-secondary` has `dr.mode: secondary` (its `performance.mode` reads `disabled`
    ///   even when its primary is a performance primary, GUIDES-LR, so it is not checked).
    ///
    /// ## Why it matters
    /// The status endpoint reports each type's mode as `disabled`, `primary` or `secondary`
    /// (API-REPL; MONITOR). A DR secondary that reports `primary` was promoted; a primary
    /// that reports `secondary` was demoted (API-DR, API-PERF). Every failover plan and
    /// firewall table vrt derives from a file whose roles are no longer true is wrong.
    ///
    /// ## Example
    /// The file declares `dr-a` as `role: dr-secondary`; `status/dr-a.json` holds
    /// `"dr": {"mode": "primary", ...}` after an unrecorded promotion.
    ///
    /// ## How to fix
    /// Update the file to the roles the clusters have now (`vrt import --from DIR` drafts
    /// them from the captured status), or return the cluster to its declared role.
    pub static RULE = "VRT501", "live-role-mismatch", Error;
}

/// Reports each cluster whose live modes contradict its role, at its `role`.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for c in t.cluster_ids() {
        let Some(status) = live.status(c) else {
            continue;
        };
        let mut wrong = Vec::new();
        for kind in [EdgeKind::Dr, EdgeKind::Performance] {
            let has_secondaries = !live.secondaries(c, kind).is_empty();
            let expected: &[Mode] = match (t.role(c), kind) {
                (Role::DrSecondary, EdgeKind::Performance) => continue,
                (Role::DrSecondary, EdgeKind::Dr)
                | (Role::PerformanceSecondary, EdgeKind::Performance) => &[Mode::Secondary],
                _ if has_secondaries => &[Mode::Primary],
                _ => &[Mode::Primary, Mode::Disabled],
            };
            let mode = &status.of(kind).mode;
            if !expected.contains(mode) {
                let want: Vec<String> = expected
                    .iter()
                    .map(|m| format!("`{}`", m.as_str()))
                    .collect();
                wrong.push(format!(
                    "{} mode `{}` (expected {})",
                    label(kind),
                    mode.as_str(),
                    want.join(" or ")
                ));
            }
        }
        if wrong.is_empty() {
            continue;
        }
        let cluster = t.cluster(c);
        out.push(
            Finding::new(
                &RULE,
                cluster.role.span(),
                format!(
                    "`{}` is declared `{}` but is live in {}",
                    t.name(c),
                    t.role(c).as_str(),
                    wrong.join(", ")
                ),
            )
            .label("declared role")
            .cluster(c)
            .help("update the file to the roles the clusters have now (`vrt import --from DIR` drafts them), or return the cluster to its declared role"),
        );
    }
    out
}
