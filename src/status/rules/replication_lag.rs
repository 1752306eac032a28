//! VRT507 `replication-lag`: A secondary is further behind its primary than the WAL lag threshold.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT507`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::status::live::Mode;
use crate::status::{Live, label};

declare_rule! {
    /// A secondary is further behind its primary than the WAL lag threshold.
    ///
    /// ## What it checks
    /// The primary's WAL index for the secondary's replication type (`last_dr_wal` or
    /// `last_performance_wal`, else `last_wal`) minus the secondary's `last_remote_wal`,
    /// against `--max-wal-lag` (default 1000; vrt's choice, no HashiCorp page gives a
    /// number). Both statuses must be known. The captures of the two clusters are taken
    /// moments apart, so a small lag is noise; a secondary captured after its primary can
    /// even look ahead, which is not reported.
    ///
    /// ## Why it matters
    /// The lag check HashiCorp's material describes is this comparison: the primary's
    /// `last_performance_wal` (or `last_dr_wal`) with the secondary's `last_remote_wal`
    /// (API-REPL; MONITOR). A DR secondary that is far behind loses those writes on
    /// promotion; a performance secondary serves stale data.
    ///
    /// ## Example
    /// `primary-a` reports `"last_dr_wal": 90223` and `dr-a` `"last_remote_wal": 223`.
    ///
    /// ## How to fix
    /// Find why the secondary falls behind (bandwidth, a disconnected period, a Merkle sync
    /// in progress); capture again to see whether the lag shrinks. Raise `--max-wal-lag` if
    /// the primary's write rate makes the default too strict.
    pub static RULE = "VRT507", "replication-lag", Warning;
}

/// Reports each secondary whose WAL lag exceeds the threshold, at its name.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for s in t.cluster_ids() {
        let Some((p, kind)) = t.upstream(s) else {
            continue;
        };
        let (Some(sr), Some(pr)) = (
            live.status(s).map(|st| st.of(kind)),
            live.status(p).map(|st| st.of(kind)),
        ) else {
            continue;
        };
        if sr.mode != Mode::Secondary || pr.mode != Mode::Primary {
            continue;
        }
        let (Some(remote), Some(last)) = (sr.last_remote_wal, pr.last_wal) else {
            continue;
        };
        let lag = last.saturating_sub(remote);
        if lag <= live.max_wal_lag {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                t.cluster(s).name.span(),
                format!(
                    "{} secondary `{}` is {lag} WAL entries behind `{}` (its `last_remote_wal` is {remote}, the primary's WAL index {last}; threshold {})",
                    label(kind),
                    t.name(s),
                    t.name(p),
                    live.max_wal_lag
                ),
            )
            .label("lagging")
            .related(t.cluster(p).name.span(), "its primary")
            .cluster(s)
            .help("capture both clusters again to see whether the lag shrinks; find why the secondary falls behind, or raise `--max-wal-lag` for a primary with a high write rate"),
        );
    }
    out
}
