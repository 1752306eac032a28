//! VRT401 `raft-voter-count`: A cluster has fewer than three Raft voters, or an even number of them.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT401`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;

declare_rule! {
    /// A cluster has fewer than three Raft voters, or an even number of them.
    ///
    /// ## What it checks
    /// A cluster's Raft voter count (`voters`, or `nodes`), when given, is odd and at least
    /// 3. Clusters with `storage: consul` are skipped: Consul's own servers hold the data.
    ///
    /// ## Why it matters
    /// Raft needs a majority: 1 or 2 voters tolerate no failure, 4 tolerate one like 3
    /// do, 6 tolerate two like 5 do (IS-INT deployment table). "The recommended
    /// configuration is to either run 3 or 5 Vault servers per cluster", and the reference
    /// architecture recommends five voters across three availability zones (IS-INT;
    /// REFARCH). Extra nodes beyond the voters can run as non-voters with redundancy zones.
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary, nodes: 4}
    /// ```
    ///
    /// ## How to fix
    /// Run 3 or 5 voters (scale in pairs: 5 → 7 → 5 while replacing nodes).
    pub static RULE = "VRT401", "raft-voter-count", Warning;
}

/// Reports each cluster whose voter count is below 3 or even.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.clusters()
        .filter(|(_, c)| c.storage.storage == crate::spec::Storage::Raft)
        .filter_map(|(id, c)| {
            let nodes = c.nodes.as_ref()?;
            let n = *nodes.get();
            let tolerates = (n.saturating_sub(1)) / 2;
            let message = if n < 3 {
                format!(
                    "cluster `{}` has {n} Raft voter{}, which tolerates no failure",
                    c.name.get(),
                    if n == 1 { "" } else { "s" }
                )
            } else if n % 2 == 0 {
                format!(
                    "cluster `{}` has an even number of Raft voters ({n}), which tolerates {tolerates} failure{} like {} voters do",
                    c.name.get(),
                    if tolerates == 1 { "" } else { "s" },
                    n - 1
                )
            } else {
                return None;
            };
            Some(
                Finding::new(&RULE, nodes.span(), message)
                    .cluster(id)
                    .label("Raft voters")
                    .help(if n < 3 {
                        "run 3 voters, or 5 across three zones".to_string()
                    } else {
                        format!("run {} or {} voters", n - 1, n + 1)
                    }),
            )
        })
        .collect()
}
