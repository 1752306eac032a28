//! VRT113 `paths-filter-unknown-mount`: A paths filter names a path that matches no declared mount.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT113`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::model::covers;
use crate::mounts;

declare_rule! {
    /// A paths filter names a path that matches no declared mount.
    ///
    /// ## What it checks
    /// When the file declares `mounts`, each path of a performance secondary's
    /// `paths_filter` is a declared mount of its primary, or a namespace (`ns1/`) holding one.
    ///
    /// ## Why it matters
    /// A filter's `paths` are mount and namespace paths (API-PERF "Create paths filter"); a
    /// path that names nothing filters nothing, so a misspelt `deny` entry lets the mount it
    /// meant replicate (a residency breach the filter was written to prevent), and a
    /// misspelt `allow` entry keeps the intended mount away.
    ///
    /// ## Example
    /// ```yaml
    /// paths_filter: {mode: deny, paths: [secret-us]}   # the mount is secret-us/
    /// ```
    ///
    /// ## How to fix
    /// Write the path exactly as the mount is declared (ending in `/`), or declare the
    /// mount under `mounts`.
    pub static RULE = "VRT113", "paths-filter-unknown-mount", Warning;
}

/// Reports each filter path that matches no mount of the secondary's primary.
pub fn check(t: &Topology) -> Vec<Finding> {
    if t.model.mounts.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, c) in t.clusters() {
        let Some(pf) = &c.storage.paths_filter else {
            continue;
        };
        let primary = t.upstream(id).map(|(u, _)| u);
        for p in pf.paths.iter() {
            let named = mounts::mounts(t)
                .any(|(_, m)| !m.local && Some(*m.cluster.get()) == primary && covers(p, &m.path));
            if named {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    p.span(),
                    format!(
                        "paths filter of `{}` names `{}`, which matches no shared mount of its primary",
                        c.name.get(),
                        p.get()
                    ),
                )
                .cluster(id)
                .label("filters nothing")
                .help("write the path of a declared shared mount (ending in `/`), or declare the mount under `mounts`"),
            );
        }
    }
    out
}
