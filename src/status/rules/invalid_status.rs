//! VRT512 `invalid-status`: A captured or fetched status body is not a replication status.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT512`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::source::Source;
use crate::status::live::Invalid;

declare_rule! {
    /// A captured or fetched status body is not a replication status.
    ///
    /// ## What it checks
    /// That the body is UTF-8 JSON holding the replication status: the API body or the
    /// `vault read -format=json` envelope, with `data.dr` and `data.performance` (or the two
    /// at the top level), each with a `mode`, and fields of the documented types. Unknown
    /// fields are ignored and missing ones tolerated (older versions report fewer; API-REPL,
    /// API-PERF). The finding points at the line and column in the body.
    ///
    /// ## Why it matters
    /// A truncated capture, an HTML error page from a proxy, or the status of only one
    /// replication type (`sys/replication/dr/status`) cannot be compared with the design;
    /// guessing would report drift that is not there.
    ///
    /// ## Example
    /// `status/perf-b.json` ends after `{"data": {"dr": {`: the capture was cut short.
    ///
    /// ## How to fix
    /// Capture it again: `vault read -format=json sys/replication/status > DIR/<cluster>.json`
    /// (or `curl -s $VAULT_ADDR/v1/sys/replication/status`).
    pub static RULE = "VRT512", "invalid-status", Error, unsuppressible;
}

/// The finding for a body that is not a replication status, located in the body.
pub fn finding(t: &Topology, c: ClusterId, source: &Source, invalid: &Invalid) -> Finding {
    Finding::new(
        &RULE,
        invalid.span,
        format!(
            "the status of `{}` is unusable: {}",
            t.name(c),
            invalid.message
        ),
    )
    .label("here")
    .cluster(c)
    .help(format!(
        "capture it again: `vault read -format=json sys/replication/status > {}` with VAULT_ADDR pointing at `{}`",
        if source.name.starts_with("https://") {
            format!("{}.json", t.name(c))
        } else {
            source.name.clone()
        },
        t.name(c)
    ))
}
