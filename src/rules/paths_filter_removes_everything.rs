//! VRT114 `paths-filter-removes-everything`: A performance secondary's paths filter removes every mount of its primary.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT114`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::mounts;
use crate::spec::FilterMode;

declare_rule! {
    /// A performance secondary's paths filter removes every mount of its primary.
    ///
    /// ## What it checks
    /// A `paths_filter` with mode `allow` lists at least one path, and when the primary's
    /// shared mounts are declared, at least one of them passes the filter.
    ///
    /// ## Why it matters
    /// With `allow`, only the listed mount and namespace paths replicate; with `deny`, the
    /// listed ones do not (API-PERF "Create paths filter"). A filter that lets nothing
    /// through leaves a performance secondary without the data it exists to serve: its
    /// clients find none of the shared mounts there.
    ///
    /// ## Example
    /// ```yaml
    /// paths_filter: {mode: allow, paths: []}
    /// ```
    ///
    /// ## How to fix
    /// List the mounts the secondary should receive (`allow`), or only those it must not
    /// (`deny`).
    pub static RULE = "VRT114", "paths-filter-removes-everything", Warning;
}

/// Reports each paths filter that lets no shared mount through.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, c) in t.clusters() {
        let Some(pf) = &c.storage.paths_filter else {
            continue;
        };
        let Some((primary, _)) = t.upstream(id) else {
            continue;
        };
        let shared: Vec<&str> = mounts::mounts(t)
            .filter(|(_, m)| !m.local && *m.cluster.get() == primary)
            .map(|(_, m)| m.path.as_str())
            .collect();
        let empty_allow = *pf.mode.get() == FilterMode::Allow && pf.paths.is_empty();
        let none_pass = !shared.is_empty() && shared.iter().all(|p| !pf.lets_through(p));
        if !empty_allow && !none_pass {
            continue;
        }
        let why = if empty_allow {
            "an `allow` filter with no paths".to_string()
        } else {
            format!(
                "removes every shared mount of `{}` ({})",
                t.name(primary),
                shared.len()
            )
        };
        out.push(
            Finding::new(
                &RULE,
                pf.mode.span(),
                format!(
                    "paths filter of `{}` lets no mount of `{}` through",
                    c.name.get(),
                    t.name(primary)
                ),
            )
            .cluster(id)
            .label(why)
            .help("list the mounts the secondary should receive (`allow`), or only those it must not (`deny`)"),
        );
    }
    out
}
