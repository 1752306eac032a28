//! VRT511 `status-unavailable`: A cluster's live replication status could not be had.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT511`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::ids::ClusterId;

declare_rule! {
    /// A cluster's live replication status could not be had.
    ///
    /// ## What it checks
    /// With `--from DIR`: that `DIR/<cluster>.json` exists, is a regular file and is at most
    /// 4 MiB. With `--live`: that the cluster declares an `https` `api_addr`, and that
    /// `GET <api_addr>/v1/sys/replication/status` answers 200 within `--timeout` over a TLS
    /// connection whose certificate chains to the system roots (or `--ca-file`) and names the
    /// host. Every other live check needs this status, so nothing else is checked for the
    /// cluster.
    ///
    /// ## Why it matters
    /// The status endpoint needs no token (API-REPL; MONITOR), so a cluster that does not
    /// answer it is down, sealed, unreachable from where vrt runs, or behind a certificate
    /// vrt cannot verify. A reality check that silently skipped it would report a clean
    /// topology it never saw.
    ///
    /// ## Example
    /// `dr-b` declares `api_addr: https://vault-dr.dc-b.corp.example.com:8200`, which does
    /// not answer within 10 seconds.
    ///
    /// ## How to fix
    /// Capture the file (`vault read -format=json sys/replication/status > DIR/<cluster>.json`
    /// with `VAULT_ADDR` set to the cluster), or make the cluster reachable from where vrt
    /// runs; pass `--ca-file` for an internal CA. Suppress it for a cluster vrt cannot reach
    /// by design.
    pub static RULE = "VRT511", "status-unavailable", Error;
}

/// The finding for a cluster whose status could not be had, at its name.
pub fn finding(t: &Topology, c: ClusterId, reason: &str, help: &str) -> Finding {
    Finding::new(
        &RULE,
        t.cluster(c).name.span(),
        format!("no live status for `{}`: {reason}", t.name(c)),
    )
    .label("not checked")
    .cluster(c)
    .help(help.to_string())
}
