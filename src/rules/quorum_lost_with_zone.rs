//! VRT403 `quorum-lost-with-zone`: Losing one zone loses a cluster's Raft quorum.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT403`).

use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Storage;

declare_rule! {
    /// Losing one zone loses a cluster's Raft quorum.
    ///
    /// ## What it checks
    /// For a cluster on Integrated Storage (Raft) with its voter count (`voters` or `nodes`)
    /// and two or more `zones`: with the voters spread as evenly as possible, the voters
    /// left after losing the zone with the most still form a majority.
    ///
    /// ## Why it matters
    /// Raft needs a majority of voters, (n+1)/2 (IS-INT). Five voters over three zones
    /// survive the loss of a whole zone (REFARCH), but five voters over two zones put three
    /// in one of them: losing it leaves two of five, no quorum, and the cluster stops. Non-
    /// voters do not count: with redundancy zones Autopilot promotes a non-voter only while
    /// the cluster still has a leader (RZ), so they cannot restore a lost quorum.
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary, voters: 5, zones: [a1, a2]}
    /// ```
    ///
    /// ## How to fix
    /// Spread the voters over three or more zones (5 over 3, or 3 voters plus non-voters
    /// with one voter per redundancy zone).
    pub static RULE = "VRT403", "quorum-lost-with-zone", Warning;
}

/// Reports each Raft cluster whose biggest zone holds enough voters to take quorum with it.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.clusters()
        .filter_map(|(id, c)| {
            if c.storage.storage != Storage::Raft {
                return None;
            }
            let voters = c.nodes.as_ref()?;
            let n = *voters.get();
            let zones: BTreeSet<&str> = c.zones.iter().map(|z| z.as_str()).collect();
            let z = u32::try_from(zones.len()).ok().filter(|z| *z >= 2)?;
            let biggest = n.div_ceil(z);
            let left = n - biggest.min(n);
            let quorum = n / 2 + 1;
            if left >= quorum {
                return None;
            }
            Some(
                Finding::new(
                    &RULE,
                    voters.span(),
                    format!(
                        "losing one zone of cluster `{}` leaves {left} of {n} Raft voters, below the quorum of {quorum}",
                        c.name.get()
                    ),
                )
                .cluster(id)
                .label(format!("{n} voters over {z} zones: {biggest} in the biggest"))
                .related(c.zones.first().map_or(voters.span(), crate::yaml::Sp::span), "zones")
                .help("spread the voters over three or more zones, such as 5 voters over 3 zones"),
            )
        })
        .collect()
}
