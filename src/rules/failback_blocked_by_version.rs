//! VRT303 `failback-blocked-by-version`: A DR secondary runs a newer Vault version than the cluster it would replace.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT303`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::{EdgeKind, Topology};

declare_rule! {
    /// A DR secondary runs a newer Vault version than the cluster it would replace.
    ///
    /// ## What it checks
    /// On every DR replication edge where both versions are given, the DR secondary's
    /// `version` is not newer than its upstream's (build suffixes such as `+ent` are
    /// ignored). A DR secondary that is older than its upstream is VRT107
    /// (`downstream-older-version`), not this rule.
    ///
    /// ## Why it matters
    /// After a failover the DR secondary is promoted, and the old primary comes back as its
    /// DR secondary (the failback of ENOS-DR). "It is not safe to replicate from a newer
    /// version of Vault to an older version" (UPGRADE; repeated in API-DR "Promote DR
    /// secondary"): a promoted cluster on a newer version cannot replicate to the demoted
    /// older one until that one is upgraded, so failback waits for an upgrade in the middle
    /// of an incident. Every other secondary still on the older version would also
    /// replicate from a newer one once it follows the promoted cluster.
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary, version: 1.17.3}
    /// - {name: dr-a, site: dc-b, role: dr-secondary, replicates_from: primary-a, version: 1.18.0}
    /// ```
    ///
    /// ## How to fix
    /// Finish the upgrade: bring the upstream cluster to the DR secondary's version (upstream
    /// last, `vrt upgrade-plan` gives the order), so both sides of a failover match.
    pub static RULE = "VRT303", "failback-blocked-by-version", Warning;
}

/// Reports each DR secondary newer than its upstream.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter_map(|d| {
            let (up, kind) = t.upstream(d)?;
            if kind != EdgeKind::Dr {
                return None;
            }
            let d_v = t.cluster(d).version.as_ref()?;
            let up_v = t.cluster(up).version.as_ref()?;
            if d_v.get() <= up_v.get() {
                return None;
            }
            Some(
                Finding::new(
                    &RULE,
                    d_v.span(),
                    format!(
                        "DR secondary `{}` runs {}, newer than `{}` ({}), the cluster it would replace",
                        t.name(d),
                        d_v.get(),
                        t.name(up),
                        up_v.get()
                    ),
                )
                .cluster(d)
                .label("newer than its upstream")
                .related(up_v.span(), "upstream version")
                .help(format!(
                    "upgrade `{}` to {} soon; after a failover to `{}` it cannot rejoin as its DR secondary until it is upgraded",
                    t.name(up),
                    d_v.get(),
                    t.name(d)
                )),
            )
        })
        .collect()
}
