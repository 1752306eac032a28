//! VRT402 `single-zone-cluster`: All of a cluster's nodes are in one zone although its site has several.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT402`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;

declare_rule! {
    /// All of a cluster's nodes are in one zone although its site has several.
    ///
    /// ## What it checks
    /// When a site declares more than one zone and a cluster in it lists its `zones`, the
    /// cluster uses more than one.
    ///
    /// ## Why it matters
    /// Five nodes across three availability zones survive the loss of two nodes or one
    /// whole zone (REFARCH); a cluster in one zone is lost with that zone, and fewer than 3
    /// zones is possible only "at the expense of significant reliability risk" (REFARCH).
    /// Redundancy zones keep a voter in each zone (RZ).
    ///
    /// ## Example
    /// ```yaml
    /// sites: [{name: dc-a, zones: [a1, a2, a3]}]
    /// clusters: [{name: primary-a, site: dc-a, role: primary, zones: [a1]}]
    /// ```
    ///
    /// ## How to fix
    /// Spread the nodes over the site's zones (`zones: [a1, a2, a3]`).
    pub static RULE = "VRT402", "single-zone-cluster", Warning;
}

/// Reports each cluster confined to one zone of a multi-zone site.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.clusters()
        .filter_map(|(id, c)| {
            let site = t.site(*c.site.get());
            if site.zones.len() < 2 || c.zones.is_empty() {
                return None;
            }
            let first = c.zones.first()?;
            if c.zones.iter().any(|z| z.get() != first.get()) {
                return None;
            }
            let zones: Vec<String> = site
                .zones
                .iter()
                .map(|z| format!("`{}`", z.get()))
                .collect();
            Some(
                Finding::new(
                    &RULE,
                    first.span(),
                    format!(
                        "all nodes of cluster `{}` are in zone `{}`",
                        c.name.get(),
                        first.get()
                    ),
                )
                .cluster(id)
                .label("the only zone")
                .related(
                    site.name.span(),
                    format!("site `{}` has zones {}", site.name.get(), zones.join(", ")),
                )
                .help("spread the nodes over at least three zones of the site"),
            )
        })
        .collect()
}
