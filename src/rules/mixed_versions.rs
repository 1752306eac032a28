//! VRT108 `mixed-versions`: The clusters of one replication set run different Vault versions.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT108`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::values::Version;
use crate::yaml::Sp;

declare_rule! {
    /// The clusters of one replication set run different Vault versions.
    ///
    /// ## What it checks
    /// Within each replication set (a primary and everything replicating from it, directly
    /// or not), all given `version`s are equal (build suffixes such as `+ent` are ignored).
    ///
    /// ## Why it matters
    /// A secondary may run a newer version than its primary, but mixed versions should not be
    /// kept "any longer than necessary to perform the upgrade" (REPL-IDX "Vault versions").
    /// A promoted DR secondary on a newer version also cannot replicate back to an older
    /// demoted primary until that one is upgraded (UPGRADE; DR tutorial).
    ///
    /// ## Example
    /// ```yaml
    /// - {name: primary-a, site: dc-a, role: primary, version: 1.17.3}
    /// - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a, version: 1.18.0}
    /// ```
    ///
    /// ## How to fix
    /// Finish the upgrade: bring every cluster of the set to the same version, downstream
    /// first.
    pub static RULE = "VRT108", "mixed-versions", Note;
}

/// Notes each replication set with more than one version, at its root.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.roots()
        .into_iter()
        .filter_map(|root| {
            let set = t.replication_set(root);
            let mut versions: Vec<&Version> = set
                .iter()
                .filter_map(|c| t.cluster(*c).version.as_ref().map(Sp::get))
                .collect();
            versions.sort();
            versions.dedup();
            if versions.len() < 2 {
                return None;
            }
            let anchor = set.iter().find_map(|c| t.cluster(*c).version.as_ref())?;
            let listed: Vec<String> = versions.iter().map(ToString::to_string).collect();
            let mut f = Finding::new(
                &RULE,
                anchor.span(),
                format!(
                    "replication set of `{}` runs mixed versions: {}",
                    t.name(root),
                    listed.join(", ")
                ),
            )
            .cluster(root)
            .help("finish the upgrade so every cluster of the set runs one version");
            for c in &set {
                if let Some(v) = &t.cluster(*c).version
                    && v.span() != anchor.span()
                    && v.get() != anchor.get()
                {
                    f = f.related(v.span(), format!("`{}` runs {}", t.name(*c), v.get()));
                }
            }
            Some(f)
        })
        .collect()
}
