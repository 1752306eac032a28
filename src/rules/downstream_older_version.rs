//! VRT107 `downstream-older-version`: A cluster runs an older Vault version than the cluster it replicates from.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT107`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;

declare_rule! {
    /// A cluster runs an older Vault version than the cluster it replicates from.
    ///
    /// ## What it checks
    /// On every replication edge where both versions are given, the downstream cluster's
    /// `version` is at least the upstream's (build suffixes such as `+ent` are ignored).
    ///
    /// ## Why it matters
    /// "It is not safe to replicate from a newer version of Vault to an older version. When
    /// upgrading replicated clusters, ensure that upstream clusters are always on older
    /// versions of Vault than downstream clusters." (UPGRADE; repeated in API-DR "Promote DR
    /// secondary"). "The secondary can run the same Vault version as the primary or a newer
    /// one." (PERF-ENABLE)
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary, version: 1.17.3}
    /// - {name: dr-a, site: dc-a, role: dr-secondary, replicates_from: primary-a, version: 1.16.9}
    /// ```
    ///
    /// ## How to fix
    /// Upgrade the downstream cluster first (`vrt upgrade-plan` gives the order), then the
    /// upstream.
    pub static RULE = "VRT107", "downstream-older-version", Error;
}

/// Reports each edge whose downstream is older than its upstream.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter_map(|c| {
            let (up, _) = t.upstream(c)?;
            let down_v = t.cluster(c).version.as_ref()?;
            let up_v = t.cluster(up).version.as_ref()?;
            if down_v.get() >= up_v.get() {
                return None;
            }
            Some(
                Finding::new(
                    &RULE,
                    down_v.span(),
                    format!(
                        "`{}` runs {} but replicates from `{}` on newer {}",
                        t.name(c),
                        down_v.get(),
                        t.name(up),
                        up_v.get()
                    ),
                )
                .cluster(c)
                .label("older than its upstream")
                .related(up_v.span(), "upstream version")
                .help(format!(
                    "upgrade `{}` to {} or later before upgrading `{}`",
                    t.name(c),
                    up_v.get(),
                    t.name(up)
                )),
            )
        })
        .collect()
}
