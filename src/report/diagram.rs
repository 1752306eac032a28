//! Draws a [`Diagram`] as Mermaid (a `flowchart` that GitHub renders in Markdown) or as
//! Graphviz DOT. Both show regions and sites as nested boxes, clusters labelled with role
//! and version, performance edges (solid, blue, "data") and DR edges (dashed, red,
//! "data + tokens"), and clients attached to their cluster by a dotted line.
//!
//! When a diagram holds both environments, each is drawn in a box of its own (`lanes`);
//! in DOT every link runs through a node carrying its label (`dot_label_boxes`).
//!
//! Node ids are positional (`c0` cluster, `k0` client, `l0` link label, `e0` environment,
//! `r0`/`q0` region, `s0` site, `t0` the part of a site in the other environment) so that
//! names never collide with the syntax of either language.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape;
use crate::diagram::{ClusterNode, Diagram, Edge, SiteBox, provider_name};
use crate::graph::EdgeKind;
use crate::spec::{Environment, Role};

const PERF_COLOR: &str = "#2563eb";
const DR_COLOR: &str = "#dc2626";
const CLIENT_COLOR: &str = "#6b7280";

fn role_label(role: Role) -> &'static str {
    role.as_str()
}

fn cluster_lines(c: &ClusterNode) -> Vec<String> {
    let mut second = if c.lost {
        format!("LOST (was {})", role_label(c.role))
    } else {
        match c.was {
            Some(was) => format!("now {} (was {})", role_label(c.role), role_label(was)),
            None => role_label(c.role).to_string(),
        }
    };
    if let Some(v) = &c.version {
        let _ = write!(second, " · {v}");
    }
    if let Some(n) = c.nodes {
        let _ = write!(second, " · {n} node{}", if n == 1 { "" } else { "s" });
    }
    vec![c.name.clone(), second]
}

fn site_label(s: &SiteBox) -> String {
    let mut label = format!("site {} · {}", s.name, provider_name(s.provider));
    if s.environment == Environment::NonProduction {
        label.push_str(" · non-production");
    }
    label
}

fn edge_label(e: &Edge) -> String {
    let kind = match e.kind {
        EdgeKind::Performance => "performance",
        EdgeKind::Dr => "DR",
    };
    format!("{kind}: {}", e.carries())
}

/// Escapes text inside a double-quoted Mermaid label.
fn mermaid_text(text: &str) -> String {
    escape::mermaid(text)
}

/// Element ids per class: `primary`, `perf`, `dr`, `client`, `lost`.
type Classes = [(&'static str, Vec<String>); 5];

/// The diagram as a Mermaid flowchart.
pub fn mermaid(d: &Diagram) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results below are ignored for that reason.
    let _ = writeln!(out, "%% vrt graph of `{}`", escape::terminal(&d.title));
    out.push_str("flowchart TB\n");
    let (classes, nonprod) = mermaid_boxes(&mut out, d);
    let mut perf_links = Vec::new();
    let mut dr_links = Vec::new();
    let mut link = 0;
    for e in &d.edges {
        let arrow = match e.kind {
            EdgeKind::Performance => "-->",
            EdgeKind::Dr => "-.->",
        };
        let _ = writeln!(
            out,
            "  c{} {arrow}|\"{}\"| c{}",
            e.from.0,
            mermaid_text(&edge_label(e)),
            e.to.0
        );
        match e.kind {
            EdgeKind::Performance => perf_links.push(link.to_string()),
            EdgeKind::Dr => dr_links.push(link.to_string()),
        }
        link += 1;
    }
    let mut client_links = Vec::new();
    for (client, cluster) in &d.uses {
        let _ = writeln!(out, "  k{} -.- c{}", client.0, cluster.0);
        client_links.push(link.to_string());
        link += 1;
    }
    out.push_str("  classDef primary fill:#fde68a,stroke:#92400e,stroke-width:2px,color:#111827\n");
    out.push_str("  classDef perf fill:#bfdbfe,stroke:#1e40af,color:#111827\n");
    out.push_str("  classDef dr fill:#fecaca,stroke:#991b1b,stroke-dasharray:4 3,color:#111827\n");
    out.push_str("  classDef client fill:#f3f4f6,stroke:#9ca3af,color:#111827\n");
    out.push_str(
        "  classDef lost fill:#e5e7eb,stroke:#6b7280,stroke-dasharray:6 3,color:#6b7280\n",
    );
    for (name, ids) in &classes {
        if !ids.is_empty() {
            let _ = writeln!(out, "  class {} {name}", ids.join(","));
        }
    }
    for s in &nonprod {
        let _ = writeln!(
            out,
            "  style {s} fill:#f9fafb,stroke:#9ca3af,stroke-dasharray:2 2"
        );
    }
    for (links, style) in [
        (&perf_links, format!("stroke:{PERF_COLOR},stroke-width:2px")),
        (&dr_links, format!("stroke:{DR_COLOR},stroke-width:2px")),
        (&client_links, format!("stroke:{CLIENT_COLOR}")),
    ] {
        if !links.is_empty() {
            let _ = writeln!(out, "  linkStyle {} {style}", links.join(","));
        }
    }
    out
}

/// The id of a site's box: `s` for the site's own box, `t` for its split box.
fn box_id(site: &SiteBox) -> String {
    format!("{}{}", if site.split { 't' } else { 's' }, site.id.0)
}

/// The boxes of one environment: all of the diagram's when it holds one environment.
struct Lane<'a> {
    /// `e0` (production) or `e1` (non-production) when the diagram holds both, else none.
    id: Option<String>,
    /// `production` or `non-production`.
    title: &'static str,
    /// Its regions, in order, with the sites of the lane's environment.
    regions: Vec<RegionPart<'a>>,
}

/// A region's box in a lane.
struct RegionPart<'a> {
    /// `r3` (`q3` in the non-production lane), or none when the region is just its one
    /// same-named site.
    id: Option<String>,
    /// The region's name.
    name: &'a str,
    /// Its sites' boxes of the lane's environment.
    sites: Vec<&'a SiteBox>,
}

/// How the boxes nest, for both languages.
///
/// When the diagram holds both environments, each has a box of its own with its own regions.
/// Mermaid lays a subgraph that no link leaves out on its own and then draws it as one opaque
/// node above the other links; a non-production site sharing a region box with production
/// clusters hid the production links routed across it (and their labels), which then seemed
/// to leave from the non-production box. Graphviz routed the same link straight through that
/// box. Boxes of one environment stay together and apart from the other's, so production links
/// are routed around non-production boxes.
fn lanes(d: &Diagram) -> Vec<Lane<'_>> {
    let envs: Vec<(Environment, &'static str, char)> = [
        (Environment::Production, "production", 'r'),
        (Environment::NonProduction, "non-production", 'q'),
    ]
    .into_iter()
    .filter(|(env, _, _)| {
        d.regions
            .iter()
            .flat_map(|r| r.sites.iter())
            .any(|b| b.environment == *env)
    })
    .collect();
    let laned = envs.len() > 1;
    envs.into_iter()
        .enumerate()
        .map(|(li, (env, title, prefix))| Lane {
            id: laned.then(|| format!("e{li}")),
            title,
            regions: d
                .regions
                .iter()
                .enumerate()
                .filter_map(|(ri, region)| {
                    let sites: Vec<&SiteBox> = region
                        .sites
                        .iter()
                        .filter(|s| s.environment == env)
                        .collect();
                    let implicit = sites.len() == 1 && sites[0].name == region.name;
                    (!sites.is_empty()).then(|| RegionPart {
                        id: (!implicit).then(|| format!("{prefix}{ri}")),
                        name: &region.name,
                        sites,
                    })
                })
                .collect(),
        })
        .collect()
}

/// Writes the lane, region and site subgraphs with their nodes; returns the node ids per
/// class and the non-production box ids.
fn mermaid_boxes(out: &mut String, d: &Diagram) -> (Classes, Vec<String>) {
    let mut classes: Classes = [
        ("primary", Vec::new()),
        ("perf", Vec::new()),
        ("dr", Vec::new()),
        ("client", Vec::new()),
        ("lost", Vec::new()),
    ];
    let mut nonprod = Vec::new();
    for lane in lanes(d) {
        let base = match &lane.id {
            Some(id) => {
                let _ = writeln!(out, "  subgraph {id}[\"{}\"]", lane.title);
                "    "
            }
            None => "  ",
        };
        for region in &lane.regions {
            let indent = match &region.id {
                Some(id) => {
                    let _ = writeln!(
                        out,
                        "{base}subgraph {id}[\"region {}\"]",
                        mermaid_text(region.name)
                    );
                    format!("{base}  ")
                }
                None => base.to_string(),
            };
            for site in &region.sites {
                let id = box_id(site);
                let _ = writeln!(
                    out,
                    "{indent}subgraph {id}[\"{}\"]",
                    mermaid_text(&site_label(site))
                );
                if site.environment == Environment::NonProduction {
                    nonprod.push(id);
                }
                for c in &site.clusters {
                    let label: Vec<String> =
                        cluster_lines(c).iter().map(|l| mermaid_text(l)).collect();
                    let _ = writeln!(out, "{indent}  c{}[\"{}\"]", c.id.0, label.join("<br/>"));
                    let class = match c.role {
                        _ if c.lost => 4,
                        Role::Primary => 0,
                        Role::PerformanceSecondary => 1,
                        Role::DrSecondary => 2,
                    };
                    classes[class].1.push(format!("c{}", c.id.0));
                }
                for k in &site.clients {
                    let _ = writeln!(
                        out,
                        "{indent}  k{}([\"{}<br/>clients\"])",
                        k.id.0,
                        mermaid_text(&k.name)
                    );
                    classes[3].1.push(format!("k{}", k.id.0));
                }
                let _ = writeln!(out, "{indent}end");
            }
            if region.id.is_some() {
                let _ = writeln!(out, "{base}end");
            }
        }
        if lane.id.is_some() {
            out.push_str("  end\n");
        }
    }
    (classes, nonprod)
}

const fn edge_color(e: &Edge) -> &'static str {
    match e.kind {
        EdgeKind::Performance => PERF_COLOR,
        EdgeKind::Dr => DR_COLOR,
    }
}

/// Where each link's label is drawn in DOT: the innermost box holding both ends (`""` for
/// none, else a lane's, region's or site's box id).
///
/// Graphviz places an edge label as a virtual node of the edge's middle rank without regard
/// to clusters, so the label of a link between two sites was drawn across the sites' and
/// regions' borders. A label drawn as a node of the innermost box holding both ends stays
/// inside that box and outside every box nested in it that does not hold both ends.
fn dot_label_boxes(d: &Diagram, lanes: &[Lane<'_>]) -> Vec<String> {
    let mut path: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for lane in lanes {
        for region in &lane.regions {
            for site in &region.sites {
                for c in &site.clusters {
                    let boxes = [lane.id.clone(), region.id.clone(), Some(box_id(site))];
                    path.insert(c.id.0, boxes.into_iter().flatten().collect());
                }
            }
        }
    }
    d.edges
        .iter()
        .map(|e| match (path.get(&e.from.0), path.get(&e.to.0)) {
            (Some(a), Some(b)) => a
                .iter()
                .zip(b)
                .take_while(|(x, y)| x == y)
                .last()
                .map_or_else(String::new, |(x, _)| x.clone()),
            _ => String::new(),
        })
        .collect()
}

/// Quotes a DOT id or string.
fn dot_string(text: &str) -> String {
    // The label's own line breaks become DOT's `\n`; everything else of a value is escaped.
    let lines: Vec<String> = text.split('\n').map(escape::dot).collect();
    format!("\"{}\"", lines.join("\\n"))
}

/// Writes the label nodes of the links whose label box is `key`.
fn dot_label_nodes(out: &mut String, d: &Diagram, labels: &[String], indent: &str, key: &str) {
    for (i, e) in d.edges.iter().enumerate() {
        if labels[i] == key {
            let _ = writeln!(
                out,
                "{indent}l{i} [label={}, shape=plaintext, margin=0.04, height=0.2, fontsize=10, fontcolor=\"{}\"];",
                dot_string(&edge_label(e)),
                edge_color(e)
            );
        }
    }
}

/// Writes one site's box with its clusters, clients and the labels drawn in it.
fn dot_site(out: &mut String, d: &Diagram, labels: &[String], indent: &str, site: &SiteBox) {
    let id = box_id(site);
    let _ = writeln!(out, "{indent}subgraph cluster_{id} {{");
    let fill = if site.environment == Environment::NonProduction {
        "style=\"rounded,filled,dashed\"; fillcolor=\"#f9fafb\";"
    } else {
        "style=\"rounded\";"
    };
    let _ = writeln!(
        out,
        "{indent}  label={}; {fill} color=\"#374151\";",
        dot_string(&site_label(site))
    );
    dot_label_nodes(out, d, labels, &format!("{indent}  "), &id);
    for c in &site.clusters {
        let (fill, border, style) = match c.role {
            _ if c.lost => ("#e5e7eb", "#6b7280", "rounded,filled,dashed"),
            Role::Primary => ("#fde68a", "#92400e", "rounded,filled,bold"),
            Role::PerformanceSecondary => ("#bfdbfe", "#1e40af", "rounded,filled"),
            Role::DrSecondary => ("#fecaca", "#991b1b", "rounded,filled,dashed"),
        };
        let _ = writeln!(
            out,
            "{indent}  c{} [label={}, shape=box, style=\"{style}\", fillcolor=\"{fill}\", color=\"{border}\"];",
            c.id.0,
            dot_string(&cluster_lines(c).join("\n"))
        );
    }
    for k in &site.clients {
        let _ = writeln!(
            out,
            "{indent}  k{} [label={}, shape=ellipse, style=filled, fillcolor=\"#f3f4f6\", color=\"#9ca3af\"];",
            k.id.0,
            dot_string(&format!("{}\nclients", k.name))
        );
    }
    let _ = writeln!(out, "{indent}}}");
}

/// The diagram as a Graphviz DOT digraph.
pub fn dot(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", dot_string(&d.title));
    let _ = writeln!(
        out,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=16, rankdir=TB, newrank=true, nodesep=0.35, ranksep=0.8];",
        dot_string(&d.title)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    let lanes = lanes(d);
    let labels = dot_label_boxes(d, &lanes);
    dot_label_nodes(&mut out, d, &labels, "  ", "");
    for lane in &lanes {
        let base = match &lane.id {
            Some(id) => {
                let _ = writeln!(out, "  subgraph cluster_{id} {{");
                let _ = writeln!(
                    out,
                    "    label={}; style=\"rounded\"; color=\"#d1d5db\"; fontcolor=\"#6b7280\";",
                    dot_string(lane.title)
                );
                dot_label_nodes(&mut out, d, &labels, "    ", id);
                "    "
            }
            None => "  ",
        };
        for region in &lane.regions {
            let indent = match &region.id {
                Some(id) => {
                    let _ = writeln!(out, "{base}subgraph cluster_{id} {{");
                    let _ = writeln!(
                        out,
                        "{base}  label={}; style=\"rounded,dashed\"; color=\"#9ca3af\"; fontcolor=\"#4b5563\";",
                        dot_string(&format!("region {}", region.name))
                    );
                    dot_label_nodes(&mut out, d, &labels, &format!("{base}  "), id);
                    format!("{base}  ")
                }
                None => base.to_string(),
            };
            for site in &region.sites {
                dot_site(&mut out, d, &labels, &indent, site);
            }
            if region.id.is_some() {
                let _ = writeln!(out, "{base}}}");
            }
        }
        if lane.id.is_some() {
            out.push_str("  }\n");
        }
    }
    // Each link is drawn in two halves through its label's node, the arrowhead on the second.
    for (i, e) in d.edges.iter().enumerate() {
        let color = edge_color(e);
        let style = match e.kind {
            EdgeKind::Performance => format!("color=\"{color}\", penwidth=2"),
            EdgeKind::Dr => format!("color=\"{color}\", style=dashed, penwidth=2"),
        };
        let _ = writeln!(out, "  c{} -> l{i} [{style}, arrowhead=none];", e.from.0);
        let _ = writeln!(out, "  l{i} -> c{} [{style}];", e.to.0);
    }
    for (client, cluster) in &d.uses {
        let _ = writeln!(
            out,
            "  k{} -> c{} [style=dotted, arrowhead=none, color=\"{CLIENT_COLOR}\"];",
            client.0, cluster.0
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_for_each_language() {
        assert_eq!(
            mermaid_text("a \"b\" <c> & d"),
            "a #quot;b#quot; #lt;c#gt; #amp; d"
        );
        assert_eq!(dot_string("a \"b\"\\\nc"), "\"a \\\"b\\\"\\\\\\nc\"");
    }
}
