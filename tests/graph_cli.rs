//! `vrt graph`: DOT rendered by Graphviz for every example and fixture (tests/graph_dot.rs
//! checks its layout), Mermaid checked structurally against the flowchart syntax GitHub renders
//! (tests/graph_mermaid.rs renders it), and the committed README diagram
//! (`docs/two-datacenters.{dot,svg}`) kept in step with the current output.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::{output as run, vrt, yaml_files};

fn graph(format: &str, file: &str) -> String {
    let (code, out, err) = run(vrt().args(["graph", "--format", format, file]));
    assert_eq!(code, 0, "{file}: {err}");
    out
}

/// Renders DOT with Graphviz; returns the SVG. Any warning on stderr fails.
fn render_dot(dot: &str) -> String {
    String::from_utf8(common::graphviz("svg", dot)).unwrap()
}

#[test]
fn dot_of_every_example_and_rule_fixture_renders_with_graphviz() {
    if !common::tool_available("dot") {
        return;
    }
    let mut files = yaml_files("examples");
    files.extend(yaml_files("tests/fixtures/rules"));
    assert!(files.len() >= 18);
    for file in files {
        let svg = render_dot(&graph("dot", &file));
        assert!(svg.contains("<svg"), "{file}");
        // Every cluster of the topology is drawn with its name.
        let source = common::source(&common::root().join(&file));
        let t = vrt::topology(&source, vrt::yaml::Limits::default()).unwrap();
        for c in t.cluster_ids() {
            assert!(
                svg.contains(&format!(">{}</text>", t.name(c).replace('-', "&#45;"))),
                "{file}: `{}` missing",
                t.name(c)
            );
        }
    }
}

#[test]
fn dot_groups_sites_by_region_and_draws_edges_by_kind() {
    let dot = graph("dot", "examples/two-datacenters.yaml");
    // Two regions, each holding one site.
    assert_eq!(dot.matches("subgraph cluster_r").count(), 2, "{dot}");
    assert_eq!(dot.matches("subgraph cluster_s").count(), 2, "{dot}");
    let region = dot.find("label=\"region us-east\"").unwrap();
    let site = dot.find("label=\"site dc-a · on-prem\"").unwrap();
    let primary = dot
        .find("c0 [label=\"primary-a\\nprimary · 1.17.3+ent · 5 nodes\"")
        .unwrap();
    assert!(region < site && site < primary, "{dot}");
    // Each link runs through its label's node: DR dashed red, performance solid blue.
    assert!(
        dot.contains("l0 [label=\"DR: data + tokens\", shape=plaintext"),
        "{dot}"
    );
    assert!(dot.contains(
        "c0 -> l0 [color=\"#dc2626\", style=dashed, penwidth=2, arrowhead=none];\n  l0 -> c1 [color=\"#dc2626\", style=dashed, penwidth=2];"
    ), "{dot}");
    assert!(
        dot.contains("l1 [label=\"performance: data\", shape=plaintext"),
        "{dot}"
    );
    assert!(dot.contains(
        "c0 -> l1 [color=\"#2563eb\", penwidth=2, arrowhead=none];\n  l1 -> c2 [color=\"#2563eb\", penwidth=2];"
    ), "{dot}");
    // A label is drawn in the innermost box holding both ends: dc-a's for the DR link, no box
    // for the link between the two regions.
    let site_a = dot.find("subgraph cluster_s0").unwrap();
    let site_b = dot.find("subgraph cluster_r1").unwrap();
    let l0 = dot.find("l0 [").unwrap();
    assert!(site_a < l0 && l0 < site_b, "{dot}");
    assert!(dot.find("l1 [").unwrap() < dot.find("subgraph cluster_r0").unwrap());
    // Clients attach to their cluster: apps-a (k0) to primary-a, apps-b (k1) to perf-b.
    assert!(dot.contains("k0 -> c0 [style=dotted"), "{dot}");
    assert!(dot.contains("k1 -> c2 [style=dotted"), "{dot}");
    // A region that is only its same-named site is not drawn twice.
    let global = graph("dot", "examples/global.yaml");
    assert_eq!(global.matches("subgraph cluster_r").count(), 0, "{global}");
    assert_eq!(global.matches("subgraph cluster_s").count(), 3, "{global}");
}

#[test]
fn an_edge_out_of_a_dr_secondary_carries_tokens() {
    let dot = graph("dot", "tests/fixtures/suppress/unsuppressible.yaml");
    // perf-b (c2) replicates from DR secondary dr-a (c1): it would receive dr-a's full
    // store, tokens included (VRT102/VRT105 report it; the diagram shows it).
    assert!(
        dot.contains("l1 [label=\"performance: data + tokens\"")
            && dot.contains("c1 -> l1 [")
            && dot.contains("l1 -> c2 ["),
        "{dot}"
    );
    assert!(
        dot.contains("l0 [label=\"DR: data + tokens\"")
            && dot.contains("c0 -> l0 [")
            && dot.contains("l0 -> c1 ["),
        "{dot}"
    );
}

/// A parsed Mermaid flowchart: what the structural checks need.
#[derive(Default)]
struct Flowchart {
    nodes: BTreeMap<String, String>,
    subgraphs: BTreeMap<String, String>,
    links: Vec<(String, &'static str, String, String)>,
    classes: BTreeMap<String, String>,
}

fn quoted(text: &str) -> &str {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or_else(|| panic!("not a quoted label: {text}"));
    assert!(!inner.contains('"'), "raw quote in {text}");
    inner
}

fn is_id(s: &str) -> bool {
    s.len() >= 2
        && s.as_bytes()[0].is_ascii_lowercase()
        && s[1..].chars().all(|c| c.is_ascii_digit())
}

/// Parses the output line by line, accepting only the syntax vrt means to use (all of it
/// rendered by GitHub's Mermaid): `flowchart`, `subgraph id["…"]`/`end`, `id["…"]`,
/// `id(["…"])`, `-->|"…"|`, `-.->|"…"|`, `-.-`, `classDef`, `class`, `style`,
/// `linkStyle`, `%%` comments.
fn parse_mermaid(text: &str) -> Flowchart {
    let mut f = Flowchart::default();
    let mut depth = 0usize;
    let mut lines = text.lines().filter(|l| !l.trim_start().starts_with("%%"));
    assert_eq!(lines.next(), Some("flowchart TB"));
    let mut declared = BTreeSet::new();
    for line in lines {
        let l = line.trim();
        let words: Vec<&str> = l.split(' ').collect();
        if let Some(rest) = l.strip_prefix("subgraph ") {
            let (id, label) = rest.split_once('[').expect("subgraph id[\"label\"]");
            assert!(is_id(id) && declared.insert(id.to_string()), "{l}");
            f.subgraphs.insert(
                id.to_string(),
                quoted(label.strip_suffix(']').unwrap()).to_string(),
            );
            depth += 1;
        } else if l == "end" {
            depth = depth.checked_sub(1).expect("`end` without `subgraph`");
        } else if words[0] == "classDef" {
            assert!(words.len() >= 3, "{l}");
        } else if words[0] == "class" {
            assert_eq!(words.len(), 3, "{l}");
            for id in words[1].split(',') {
                assert!(f.nodes.contains_key(id), "{l}");
                f.classes.insert(id.to_string(), words[2].to_string());
            }
        } else if words[0] == "style" {
            assert!(
                f.subgraphs.contains_key(words[1]) || f.nodes.contains_key(words[1]),
                "{l}"
            );
        } else if words[0] == "linkStyle" {
            for i in words[1].split(',') {
                let i: usize = i.parse().expect("link index");
                assert!(i < f.links.len(), "{l}");
            }
        } else if words.len() >= 3
            && ["-->|", "-.->|", "-.-"]
                .iter()
                .any(|a| words[1].starts_with(a))
        {
            let from = words[0];
            let to = *words.last().unwrap();
            assert!(
                f.nodes.contains_key(from) && f.nodes.contains_key(to),
                "{l}"
            );
            let (arrow, label) = if words[1] == "-.-" {
                ("-.-", String::new())
            } else {
                let arrow = if words[1].starts_with("-->") {
                    "-->"
                } else {
                    "-.->"
                };
                let middle = l[from.len()..l.len() - to.len()].trim();
                let label = middle
                    .strip_prefix(arrow)
                    .and_then(|m| m.strip_prefix('|'))
                    .and_then(|m| m.strip_suffix('|'))
                    .expect("arrow|\"label\"|");
                (arrow, quoted(label).to_string())
            };
            f.links
                .push((from.to_string(), arrow, to.to_string(), label));
        } else {
            let (id, rest) = l
                .split_once(['[', '('])
                .unwrap_or_else(|| panic!("unknown line: {l}"));
            assert!(is_id(id) && declared.insert(id.to_string()), "{l}");
            let label = if let Some(r) = rest.strip_prefix('[') {
                r.strip_suffix("])").expect("id([\"…\"])")
            } else {
                rest.strip_suffix(']').expect("id[\"…\"]")
            };
            f.nodes.insert(id.to_string(), quoted(label).to_string());
        }
    }
    assert_eq!(depth, 0, "unbalanced subgraphs");
    f
}

#[test]
fn mermaid_of_every_example_is_well_formed() {
    for file in yaml_files("examples") {
        let text = graph("mermaid", &file);
        let f = parse_mermaid(&text);
        let source = common::source(&common::root().join(&file));
        let t = vrt::topology(&source, vrt::yaml::Limits::default()).unwrap();
        let clusters = t.cluster_ids().count();
        let edges = t.cluster_ids().filter(|c| t.upstream(*c).is_some()).count();
        assert_eq!(
            f.nodes.len(),
            clusters + t.model.clients.len(),
            "{file}: a node per cluster and client group"
        );
        assert_eq!(
            f.links.len(),
            edges + t.model.clients.len(),
            "{file}: a link per edge and client group"
        );
        for (from, arrow, to, label) in &f.links {
            let class = |id: &String| f.classes.get(id).map_or("", String::as_str);
            match *arrow {
                "-->" => assert_eq!(label, "performance: data", "{file}"),
                "-.->" => {
                    assert_eq!(label, "DR: data + tokens", "{file}");
                    assert_eq!(class(to), "dr", "{file}");
                }
                _ => {
                    assert_eq!(class(from), "client", "{file}");
                    assert_ne!(class(to), "client", "{file}");
                }
            }
        }
    }
}

#[test]
fn mermaid_labels_clusters_with_role_and_version_and_nests_sites_in_regions() {
    let text = graph("mermaid", "examples/two-datacenters.yaml");
    let f = parse_mermaid(&text);
    assert_eq!(
        f.nodes["c0"],
        "primary-a<br/>primary · 1.17.3+ent · 5 nodes"
    );
    assert_eq!(
        f.nodes["c2"],
        "perf-b<br/>performance-secondary · 1.17.3+ent · 5 nodes"
    );
    assert_eq!(f.nodes["k0"], "apps-a<br/>clients");
    assert_eq!(f.subgraphs["r0"], "region us-east");
    assert_eq!(f.subgraphs["s1"], "site dc-b · on-prem");
    let r0 = text.find("subgraph r0").unwrap();
    let s0 = text.find("subgraph s0").unwrap();
    let c0 = text.find("c0[").unwrap();
    assert!(r0 < s0 && s0 < c0);
    assert!(
        f.links
            .contains(&("k1".to_string(), "-.-", "c2".to_string(), String::new()))
    );
    // Non-production sites are styled apart.
    let vm = graph("mermaid", "examples/vmware-active-active.yaml");
    assert!(
        vm.contains("subgraph s2[\"site np-lab · vmware · non-production\"]"),
        "{vm}"
    );
    assert!(vm.contains("  style s2 fill:"), "{vm}");
}

fn manifest(rel: &str) -> PathBuf {
    common::root().join(rel)
}

/// The text content of an SVG's `<text>` elements, in order.
fn svg_texts(svg: &str) -> Vec<&str> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, r)| r.split_once("</text>")))
        .map(|(t, _)| t)
        .collect()
}

#[test]
fn the_committed_readme_diagram_is_current() {
    let committed = std::fs::read_to_string(manifest("docs/two-datacenters.dot")).unwrap();
    let current = graph("dot", "examples/two-datacenters.yaml");
    assert!(
        committed == current,
        "docs/two-datacenters.dot is stale: run `cargo run -- graph --format dot -o docs/two-datacenters.dot examples/two-datacenters.yaml && dot -Tsvg docs/two-datacenters.dot -o docs/two-datacenters.svg`"
    );
    let svg = std::fs::read_to_string(manifest("docs/two-datacenters.svg")).unwrap();
    assert!(svg.contains("Generated by graphviz"), "made by dot");
    assert!(svg_texts(&svg).contains(&"DR: data + tokens"));
    if common::tool_available("dot") {
        // Layout coordinates depend on the Graphviz version and fonts; the drawn text must
        // be exactly what `dot` draws from the committed DOT today.
        let rendered = render_dot(&committed);
        assert_eq!(
            svg_texts(&svg),
            svg_texts(&rendered),
            "docs/two-datacenters.svg was not made from docs/two-datacenters.dot: regenerate it with dot"
        );
        assert!(svg.contains("<svg width="), "an SVG document");
    }
    let readme = std::fs::read_to_string(manifest("README.md")).unwrap();
    assert!(
        readme.contains("docs/two-datacenters.svg"),
        "README shows it"
    );
}

#[test]
fn graph_writes_atomically_reads_stdin_and_refuses_broken_files() {
    let dir = std::env::temp_dir().join(format!("vrt-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.dot");
    std::fs::write(&path, "old").unwrap();
    let (code, out, _) = run(vrt()
        .args([
            "graph",
            "--format",
            "dot",
            "examples/global.yaml",
            "--output",
        ])
        .arg(&path));
    assert_eq!(code, 0);
    assert!(out.is_empty());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        graph("dot", "examples/global.yaml")
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary left"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let out = vrt()
        .args(["graph", "-"])
        .stdin(std::fs::File::open(manifest("examples/global.yaml")).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        graph("mermaid", "examples/global.yaml")
    );

    let (code, out, err) = run(vrt().args(["graph", "tests/fixtures/structural/references.yaml"]));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("VRT010(unknown-reference)"), "{err}");

    let (code, _, err) = run(vrt().args(["graph", "no/such/file.yaml"]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot read `no/such/file.yaml`"), "{err}");
}

#[test]
fn after_loss_draws_the_failover_plan_of_every_site_of_every_example() {
    let check_dot = common::tool_available("dot");
    for file in yaml_files("examples") {
        let source = common::source(&common::root().join(&file));
        let t = vrt::topology(&source, vrt::yaml::Limits::default()).unwrap();
        for site in &t.model.sites {
            let target = format!("site:{}", site.name.get());
            let failure = vrt::failover::resolve(&t, &target).unwrap();
            let plan = vrt::failover::plan(&t, &failure).unwrap();
            let (code, text, err) = run(vrt().args(["graph", "--after-loss", &target, &file]));
            assert_eq!(code, 0, "{file} {target}: {err}");
            let f = parse_mermaid(&text);
            // Lost clusters are marked and have no replication edges; every other cluster is
            // drawn in its role after the failover, with its upstream after the failover.
            for a in &plan.after {
                let id = format!("c{}", a.cluster.index());
                let lost = a.role == vrt::failover::AfterRole::Lost;
                assert_eq!(f.classes[&id] == "lost", lost, "{file} {target} {id}");
                assert_eq!(
                    f.nodes[&id].contains(&format!("now {}", a.role.as_str())),
                    !lost && a.role.as_str() != a.before.as_str(),
                    "{file} {target}: {}",
                    f.nodes[&id]
                );
                let incoming: Vec<&String> = f
                    .links
                    .iter()
                    .filter(|(_, arrow, to, _)| *arrow != "-.-" && *to == id)
                    .map(|(from, ..)| from)
                    .collect();
                let expected: Vec<String> = a
                    .upstream
                    .iter()
                    .map(|u| format!("c{}", u.index()))
                    .collect();
                assert_eq!(
                    incoming.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    expected.iter().map(String::as_str).collect::<Vec<_>>(),
                    "{file} {target} {id}"
                );
            }
            // Clients hang off the cluster the plan moves them to.
            for impact in &plan.clients {
                let from = format!("k{}", impact.client.index());
                let attached: Vec<&String> = f
                    .links
                    .iter()
                    .filter(|(k, arrow, ..)| *arrow == "-.-" && *k == from)
                    .map(|(_, _, to, _)| to)
                    .collect();
                let expected: Vec<String> = impact
                    .to
                    .iter()
                    .map(|c| format!("c{}", c.index()))
                    .collect();
                assert_eq!(
                    attached.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    expected.iter().map(String::as_str).collect::<Vec<_>>(),
                    "{file} {target} {from}"
                );
            }
            if check_dot {
                let (code, dot, err) =
                    run(vrt().args(["graph", "--format", "dot", "--after-loss", &target, &file]));
                assert_eq!(code, 0, "{err}");
                render_dot(&dot);
            }
        }
    }
}

#[test]
fn after_loss_of_data_center_a_shows_perf_b_promoted() {
    let (code, text, _) = run(vrt().args([
        "graph",
        "--after-loss",
        "dc-a",
        "examples/two-datacenters.yaml",
    ]));
    assert_eq!(code, 0);
    insta::assert_snapshot!(text);
}

#[test]
fn after_loss_of_an_unknown_target_exits_two() {
    let (code, _, err) = run(vrt().args([
        "graph",
        "--after-loss",
        "dc-z",
        "examples/two-datacenters.yaml",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("dc-z"), "{err}");
}
