//! VRT105 `tokens-on-performance-secondary`: The design would put another cluster's tokens and leases on a performance secondary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT105`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// The design would put another cluster's tokens and leases on a performance secondary.
    ///
    /// ## What it checks
    /// vrt computes which clusters hold which clusters' tokens and leases (see `vrt validate
    /// --explain-tokens`): tokens created on a primary or performance secondary replicate
    /// only over DR edges, to its DR secondaries; a cluster fed by a DR secondary would
    /// receive that secondary's whole store, tokens included. A performance secondary must
    /// hold only its own tokens.
    ///
    /// ## Why it matters
    /// "Tokens and leases are written to `local` storage entries", which replicate only to
    /// DR secondaries (REPL-IDX); "Secondaries keep track of their own tokens and leases"
    /// (REPL-IDX) and a token from one cluster cannot be used on another (PERF-DOC, TOKENS).
    /// The notes put it as: performance secondaries never receive tokens from the primary
    /// (KK). A design that would move another cluster's tokens to a performance secondary
    /// misunderstands what it protects: those tokens are only safe on a DR secondary.
    /// (Orphan batch tokens are the exception: they are not stored, so they are not
    /// replicated, yet performance secondaries accept them — TOKENS.)
    ///
    /// ## Example
    /// ```yaml
    /// - {name: dr-a, site: dc-a, role: dr-secondary, replicates_from: primary-a}
    /// - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: dr-a}
    /// ```
    ///
    /// ## How to fix
    /// Replicate the performance secondary from the primary; protect tokens with a DR
    /// secondary instead.
    pub static RULE = "VRT105", "tokens-on-performance-secondary", Error;
}

/// Reports each performance secondary that would hold foreign tokens.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter(|c| t.role(*c) == Role::PerformanceSecondary)
        .filter_map(|c| {
            let foreign: Vec<String> = t
                .tokens_held_by(c)
                .iter()
                .filter(|h| **h != c)
                .map(|h| format!("`{}`", t.name(*h)))
                .collect();
            if foreign.is_empty() {
                return None;
            }
            let cluster = t.cluster(c);
            Some(
                Finding::new(
                    &RULE,
                    cluster.upstream.as_ref()?.span(),
                    format!(
                        "performance secondary `{}` would hold the tokens and leases of {}",
                        cluster.name.get(),
                        foreign.join(", ")
                    ),
                )
                .cluster(c)
                .label("tokens would flow over this edge")
                .help("replicate performance secondaries from the primary; tokens belong only on DR secondaries"),
            )
        })
        .collect()
}
