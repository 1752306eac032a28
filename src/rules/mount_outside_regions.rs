//! VRT111 `mount-outside-regions`: A mount's data is stored in a cluster outside the regions it may be stored in.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT111`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::{EdgeKind, Topology};
use crate::mounts;

declare_rule! {
    /// A mount's data is stored in a cluster outside the regions it may be stored in.
    ///
    /// ## What it checks
    /// For each mount with `regions`, every cluster that holds its data (see `vrt mounts`)
    /// is in a site whose region is one of them. A shared mount's data goes to its primary's
    /// DR secondaries, to every performance secondary whose paths filter lets it through and
    /// to their DR secondaries; a local mount's data goes to its cluster's DR secondaries.
    ///
    /// ## Why it matters
    /// Shared (replicated) storage entries go to all downstream clusters; local mounts
    /// replicate only to DR secondaries, and "unlike with Performance Replication, local
    /// secret engines, auth methods and audit devices are replicated to a DR secondary"
    /// (REPL-IDX). Paths filters are how a performance secondary is kept from receiving a
    /// mount (API-PERF "Create paths filter"); HVD guidance names paths filters and local
    /// mounts as what controls which secrets move between clusters (HVD-PR). A DR secondary
    /// of a performance secondary holds everything that secondary holds, so a DR site in
    /// another region breaches residency too (MULTI keeps DR clusters in their source's
    /// region for this reason).
    ///
    /// ## Example
    /// ```yaml
    /// mounts:
    ///   - {path: secret-eu/, cluster: dal-primary, regions: [emea]}
    /// # dal-primary is in region amer
    /// ```
    ///
    /// ## How to fix
    /// Mount the data on a cluster in an allowed region (a local mount there, or a shared
    /// mount whose primary is there), and add the mount to the `deny` paths filter (or leave
    /// it out of the `allow` filter) of every performance secondary outside those regions.
    pub static RULE = "VRT111", "mount-outside-regions", Error;
}

/// Reports each cluster holding a mount's data outside the mount's regions.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, m) in mounts::mounts(t) {
        let Some(regions) = &m.regions else { continue };
        let allowed: Vec<String> = regions.iter().map(|r| format!("`{}`", r.get())).collect();
        for c in mounts::breaches(t, id) {
            let cluster = t.cluster(c);
            let region = t.region_of(t.site_of(c));
            let how = if c == *m.cluster.get() {
                "mounted here".to_string()
            } else {
                match t.upstream(c) {
                    Some((up, EdgeKind::Dr)) => {
                        format!("DR secondary of `{}`, so it holds all its data", t.name(up))
                    }
                    Some((up, EdgeKind::Performance)) => match mounts::filter(t, c) {
                        Some(_) => format!(
                            "performance secondary of `{}` whose paths filter lets `{}` through",
                            t.name(up),
                            m.path.get()
                        ),
                        None => format!(
                            "performance secondary of `{}` without a paths filter",
                            t.name(up)
                        ),
                    },
                    None => "holds its data".to_string(),
                }
            };
            let mut f = Finding::new(
                &RULE,
                regions.span(),
                format!(
                    "data of mount `{}` is stored in cluster `{}` in region `{region}`, outside its regions",
                    m.path.get(),
                    cluster.name.get()
                ),
            )
            .cluster(c)
            .label(format!("allowed regions: {}", allowed.join(", ")))
            .related(cluster.name.span(), how);
            f = if let Some(pf) = mounts::filter(t, c).filter(|_| c != *m.cluster.get()) {
                f.related(pf.paths.span(), "paths filter")
                    .help(format!(
                        "keep `{}` away from `{}`: add it to a `deny` filter, or leave it out of the `allow` filter",
                        m.path.get(),
                        cluster.name.get()
                    ))
            } else if c == *m.cluster.get() {
                f.help(format!(
                    "mount `{}` on a cluster in {}",
                    m.path.get(),
                    allowed.join(", ")
                ))
            } else if let Some((up, EdgeKind::Dr)) =
                t.upstream(c).filter(|(u, _)| *u != *m.cluster.get())
            {
                f.help(format!(
                    "keep `{}` away from `{}` (which `{}` copies) with a paths filter, or move `{}` to an allowed region",
                    m.path.get(),
                    t.name(up),
                    cluster.name.get(),
                    cluster.name.get()
                ))
            } else {
                f.help(format!(
                    "move `{}` to a site in {}, or mount `{}` on a cluster there",
                    cluster.name.get(),
                    allowed.join(", "),
                    m.path.get()
                ))
            };
            out.push(f);
        }
    }
    out
}
