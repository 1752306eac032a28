//! VRT509 `dr-cluster-id-mismatch`: A DR secondary reports a different DR `cluster_id` from its primary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT509`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::EdgeKind;
use crate::status::Live;
use crate::status::live::Mode;

declare_rule! {
    /// A DR secondary reports a different DR `cluster_id` from its primary.
    ///
    /// ## What it checks
    /// For each declared DR secondary whose status says it is a DR secondary, and whose
    /// declared primary reports itself DR primary: the two `dr.cluster_id` values are equal.
    ///
    /// ## Why it matters
    /// HashiCorp's current API examples show a DR secondary with its primary's DR
    /// `cluster_id` (API-REPL; API-DR), as a replica that can take the primary's place
    /// should. A different id suggests the secondary belongs to another replication set (it
    /// was enabled against another primary, or its primary was disabled and re-enabled, which
    /// changes the cluster id; API-DR). The evidence is not uniform: one real capture in
    /// HashiCorp's own guide shows different DR ids on a healthy pair (GUIDES-LR), so this
    /// is a warning to look at, not an error, and `cluster_id` is never used to pair
    /// clusters.
    ///
    /// ## Example
    /// `primary-a` reports `"dr": {"cluster_id": "eef2a5ab-..."}` and `dr-a`
    /// `"dr": {"cluster_id": "2f665cf6-..."}`.
    ///
    /// ## How to fix
    /// Confirm which primary the secondary was activated against (its `primaries[]`); if it
    /// belongs to another set, activate it again against its declared primary.
    pub static RULE = "VRT509", "dr-cluster-id-mismatch", Warning;
}

/// Reports each DR secondary whose DR cluster id differs from its primary's, at its name.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for s in t.cluster_ids() {
        let Some((p, EdgeKind::Dr)) = t.upstream(s) else {
            continue;
        };
        let (Some(sr), Some(pr)) = (
            live.status(s).map(|st| &st.dr),
            live.status(p).map(|st| &st.dr),
        ) else {
            continue;
        };
        if sr.mode != Mode::Secondary || pr.mode != Mode::Primary {
            continue;
        }
        let (Some(own), Some(theirs)) = (&sr.cluster_id, &pr.cluster_id) else {
            continue;
        };
        if own == theirs {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                t.cluster(s).name.span(),
                format!(
                    "DR secondary `{}` has DR cluster id `{own}`, its primary `{}` has `{theirs}`",
                    t.name(s),
                    t.name(p)
                ),
            )
            .label("different DR cluster id")
            .related(t.cluster(p).name.span(), "its declared primary")
            .cluster(s)
            .help("confirm which primary the secondary was activated against (its `primaries[]`); if it belongs to another replication set, activate it again against its declared primary"),
        );
    }
    out
}
