//! `vrt graph` (Mermaid) drawn by the real renderer: mermaid-cli with Debian's chromium renders
//! every example, some `--after-loss` variants and the fixtures of `tests/fixtures/graph/` to
//! SVG, and the drawing is read back: it renders without error, every link label of the source
//! is drawn as text and not hidden under a box, no production link passes through a
//! non-production box, and every cluster's box shows its name.
//!
//! mermaid-cli comes from `ci/package.json` (installed by `.ci/run`, found through
//! `VRT_NODE_BIN`, else `PATH`); without it the test is skipped, or fails under
//! `VRT_REQUIRE_TOOLS=1`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{output as run, vrt};

/// A tool installed by `npm ci` of `ci/package.json`: in `$VRT_NODE_BIN`, else on `PATH`.
pub fn node_tool(name: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("VRT_NODE_BIN") {
        let path = Path::new(&dir).join(name);
        if path.is_file() {
            return Some(path);
        }
    }
    common::tool_available(name).then(|| PathBuf::from(name))
}

/// Chromium's switches for a machine without network: no sandbox (root in CI), no GPU, and no
/// background connections that the closed network would refuse.
const PUPPETEER: &str = r#"{"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]}"#;

/// Renders Mermaid diagrams with mermaid-cli in one browser session (a Markdown file with one
/// block per diagram); returns each SVG in order.
fn render(mmdc: &Path, diagrams: &[String]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("vrt-mermaid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("puppeteer.json");
    std::fs::write(&config, PUPPETEER).unwrap();
    let mut markdown = String::new();
    for d in diagrams {
        markdown.push_str("```mermaid\n");
        markdown.push_str(d);
        markdown.push_str("```\n\n");
    }
    std::fs::write(dir.join("in.md"), markdown).unwrap();
    let out = Command::new(mmdc)
        .current_dir(&dir)
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .args(["--quiet", "-p", "puppeteer.json", "-e", "svg"])
        .args(["-i", "in.md", "-o", "out.md"])
        .output()
        .expect("mmdc runs");
    assert!(
        out.status.success(),
        "mmdc failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let svgs = (1..=diagrams.len())
        .map(|i| std::fs::read_to_string(dir.join(format!("out-{i}.svg"))).unwrap())
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    svgs
}

/// An axis-aligned box in the SVG's coordinates.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    /// Whether the point lies inside, more than `margin` from every side.
    fn holds(&self, (x, y): (f64, f64), margin: f64) -> bool {
        x > self.x + margin
            && x < self.x + self.w - margin
            && y > self.y + margin
            && y < self.y + self.h - margin
    }
}

/// A point of the drawing.
type Point = (f64, f64);

/// A link's ends: (`c0`, `c2`).
type Ends = (String, String);

/// The root groups an element is drawn in, innermost first.
type Roots = Vec<usize>;

/// What the tests read back from a rendered flowchart.
#[derive(Debug, Default)]
struct Drawing {
    /// Subgraph boxes by id: the box and the `root` group it is drawn in.
    boxes: BTreeMap<String, (Rect, usize)>,
    /// Subgraph titles by id, as drawn.
    titles: BTreeMap<String, String>,
    /// Link paths by (from, to): sampled points and the root groups they are drawn in.
    links: BTreeMap<Ends, (Vec<Point>, Roots)>,
    /// Link labels by (from, to): drawn text, centre, size, root groups.
    labels: BTreeMap<Ends, (String, Point, Point, Roots)>,
    /// Node text by id (`c0`, `k1`) and the node's box, if drawn as a rectangle.
    nodes: BTreeMap<String, (String, Option<Rect>)>,
    /// Root groups drawn as one node of an outer layout (a subgraph no link leaves): opaque,
    /// above the outer links.
    nested_roots: Vec<usize>,
}

fn attr_f(n: roxmltree::Node<'_, '_>, name: &str) -> f64 {
    n.attribute(name).map_or(0.0, |v| v.parse().unwrap_or(0.0))
}

fn translate(n: roxmltree::Node<'_, '_>) -> (f64, f64) {
    let Some(t) = n.attribute("transform") else {
        return (0.0, 0.0);
    };
    let inner = t
        .strip_prefix("translate(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected transform {t}"));
    let mut parts = inner
        .split([',', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<f64>().unwrap());
    (parts.next().unwrap_or(0.0), parts.next().unwrap_or(0.0))
}

/// The offset of a node's own coordinates: the sum of its and its ancestors' translations.
fn offset(n: roxmltree::Node<'_, '_>) -> (f64, f64) {
    n.ancestors()
        .map(translate)
        .fold((0.0, 0.0), |(x, y), (dx, dy)| (x + dx, y + dy))
}

/// The `root` groups a node is drawn in, innermost first.
fn roots_of(n: roxmltree::Node<'_, '_>) -> Vec<usize> {
    n.ancestors()
        .filter(|a| a.attribute("class") == Some("root"))
        .map(|r| r.id().get_usize())
        .collect()
}

fn root_of(n: roxmltree::Node<'_, '_>) -> usize {
    roots_of(n).first().copied().unwrap_or(0)
}

fn classes<'a>(n: roxmltree::Node<'a, '_>) -> Vec<&'a str> {
    n.attribute("class")
        .map(|c| c.split(' ').collect())
        .unwrap_or_default()
}

fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.descendants()
        .filter(roxmltree::Node::is_text)
        .filter(|t| !t.ancestors().any(|a| a.tag_name().name() == "style"))
        .filter_map(|t| t.text())
        .collect::<String>()
}

/// Points along an SVG path of `M`, `L` and `C` commands (absolute, as Mermaid writes them);
/// curves are sampled.
fn path_points(data: &str) -> Vec<Point> {
    let mut tokens = Vec::new();
    let mut num = String::new();
    for ch in data.chars() {
        if ch.is_ascii_alphabetic() && ch != 'e' {
            if !num.is_empty() {
                tokens.push(num.clone());
                num.clear();
            }
            tokens.push(ch.to_string());
        } else if ch == ',' || ch == ' ' {
            if !num.is_empty() {
                tokens.push(num.clone());
                num.clear();
            }
        } else {
            num.push(ch);
        }
    }
    if !num.is_empty() {
        tokens.push(num);
    }
    let mut points = Vec::new();
    let mut command = "M".to_string();
    let mut values: Vec<f64> = Vec::new();
    let mut at = (0.0, 0.0);
    let mut flush = |command: &str, values: &mut Vec<f64>, at: &mut (f64, f64)| {
        match command {
            "M" | "L" => {
                for p in values.chunks(2).filter(|c| c.len() == 2) {
                    *at = (p[0], p[1]);
                    points.push(*at);
                }
            }
            "C" => {
                for c in values.chunks(6).filter(|c| c.len() == 6) {
                    let p0 = *at;
                    for step in 1..=10 {
                        let along = f64::from(step) / 10.0;
                        let rest = 1.0 - along;
                        let bezier = |start: f64, c1: f64, c2: f64, end: f64| {
                            rest * rest * rest * start
                                + 3.0 * rest * rest * along * c1
                                + 3.0 * rest * along * along * c2
                                + along * along * along * end
                        };
                        points.push((
                            bezier(p0.0, c[0], c[2], c[4]),
                            bezier(p0.1, c[1], c[3], c[5]),
                        ));
                    }
                    *at = (c[4], c[5]);
                }
            }
            "Z" | "z" => {}
            other => panic!("unexpected path command {other} in {data}"),
        }
        values.clear();
    };
    for t in tokens {
        if t.chars().all(|c| c.is_ascii_alphabetic()) {
            flush(&command, &mut values, &mut at);
            command = t;
        } else {
            values.push(t.parse().unwrap_or_else(|_| panic!("number {t} in {data}")));
        }
    }
    flush(&command, &mut values, &mut at);
    points
}

/// `L_c0_c2_0` → (`c0`, `c2`).
fn link_ends(id: &str) -> Option<(String, String)> {
    let rest = id.rsplit_once("L_").map(|(_, r)| r)?;
    let mut parts = rest.split('_');
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

fn read(svg: &str) -> Drawing {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}"));
    let root = doc.root_element();
    assert_ne!(
        root.attribute("aria-roledescription"),
        Some("error"),
        "mermaid drew an error"
    );
    let mut d = Drawing::default();
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let class = classes(n);
        let id = n.attribute("id").unwrap_or("");
        if class.contains(&"root")
            && n.ancestors()
                .skip(1)
                .any(|a| a.attribute("class") == Some("nodes"))
        {
            d.nested_roots.push(n.id().get_usize());
        }
        if class.contains(&"cluster") && n.tag_name().name() == "g" {
            let rect = n
                .children()
                .find(|c| c.tag_name().name() == "rect")
                .expect("a cluster draws a rect");
            let (ox, oy) = offset(rect);
            let name = id.rsplit('-').next().unwrap().to_string();
            if let Some(title) = n
                .children()
                .find(|c| classes(*c).contains(&"cluster-label"))
            {
                d.titles.insert(name.clone(), text_of(title));
            }
            d.boxes.insert(
                name,
                (
                    Rect {
                        x: ox + attr_f(rect, "x"),
                        y: oy + attr_f(rect, "y"),
                        w: attr_f(rect, "width"),
                        h: attr_f(rect, "height"),
                    },
                    root_of(n),
                ),
            );
        }
        if n.tag_name().name() == "path" && class.contains(&"flowchart-link") {
            let ends = link_ends(id).unwrap_or_else(|| panic!("link id {id}"));
            let (ox, oy) = offset(n);
            let points = path_points(n.attribute("d").unwrap_or(""))
                .into_iter()
                .map(|(x, y)| (x + ox, y + oy))
                .collect();
            d.links.insert(ends, (points, roots_of(n)));
        }
        if class.contains(&"label") && n.attribute("data-id").is_some() {
            let ends = link_ends(n.attribute("data-id").unwrap()).unwrap();
            let fo = n
                .children()
                .find(|c| c.tag_name().name() == "foreignObject");
            let (w, h) = fo.map_or((0.0, 0.0), |f| (attr_f(f, "width"), attr_f(f, "height")));
            let (ox, oy) = offset(n);
            d.labels.insert(
                ends,
                (
                    text_of(n),
                    (ox + w / 2.0, oy + h / 2.0),
                    (w, h),
                    roots_of(n),
                ),
            );
        }
        if class.contains(&"node") && n.tag_name().name() == "g" {
            let node = id
                .split_once("flowchart-")
                .and_then(|(_, r)| r.rsplit_once('-'))
                .map_or_else(|| panic!("node id {id}"), |(n, _)| n.to_string());
            let shape = n.children().find(|c| {
                c.tag_name().name() == "rect" && classes(*c).contains(&"label-container")
            });
            let rect = shape.map(|r| {
                let (ox, oy) = offset(r);
                Rect {
                    x: ox + attr_f(r, "x"),
                    y: oy + attr_f(r, "y"),
                    w: attr_f(r, "width"),
                    h: attr_f(r, "height"),
                }
            });
            d.nodes.insert(node, (text_of(n), rect));
        }
    }
    d
}

/// One diagram to check: its Mermaid text and the environment of each cluster node (`c0` →
/// production?).
struct Case {
    name: String,
    mermaid: String,
    production: BTreeMap<String, bool>,
    names: BTreeMap<String, String>,
}

fn case(name: &str, file: &str, extra: &[&str]) -> Case {
    let (code, mermaid, err) = run(vrt().args(["graph"]).args(extra).arg(file));
    assert_eq!(code, 0, "{name}: {err}");
    with_source(name, file, mermaid)
}

fn with_source(name: &str, file: &str, mermaid: String) -> Case {
    let source = common::source(&common::root().join(file));
    let t = vrt::topology(&source, vrt::yaml::Limits::default()).unwrap();
    let production = t
        .cluster_ids()
        .map(|c| {
            (
                format!("c{}", c.index()),
                t.environment(c) == vrt::spec::Environment::Production,
            )
        })
        .collect();
    let names = t
        .cluster_ids()
        .map(|c| (format!("c{}", c.index()), t.name(c).to_string()))
        .collect();
    Case {
        name: name.to_string(),
        mermaid,
        production,
        names,
    }
}

/// The labelled links of a Mermaid source: (from, to, label).
fn source_links(mermaid: &str) -> Vec<(String, String, String)> {
    mermaid
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (from, rest) = l.split_once(' ')?;
            let (arrow_label, to) = rest.rsplit_once(' ')?;
            let (_, label) = arrow_label.split_once("|\"")?;
            Some((
                from.to_string(),
                to.to_string(),
                label.strip_suffix("\"|")?.to_string(),
            ))
        })
        .collect()
}

/// The ids of the non-production boxes of a Mermaid source: sites and parts of sites labelled
/// `non-production`, and the non-production lane.
fn nonprod_boxes(mermaid: &str) -> Vec<String> {
    mermaid
        .lines()
        .filter_map(|l| l.trim().strip_prefix("subgraph "))
        .filter(|l| l.contains("non-production"))
        .map(|l| l.split('[').next().unwrap().to_string())
        .collect()
}

/// Every box shows its title as written in the source (Mermaid's `#…;` entities decoded).
fn title_problems(case: &Case, d: &Drawing) -> Vec<String> {
    let mut out = Vec::new();
    for line in case.mermaid.lines() {
        let Some(rest) = line.trim().strip_prefix("subgraph ") else {
            continue;
        };
        let (id, title) = rest.split_once('[').unwrap();
        let title = title
            .trim_end_matches(']')
            .trim_matches('"')
            .replace("#quot;", "\"")
            .replace("#lt;", "<")
            .replace("#gt;", ">")
            .replace("#35;", "#")
            .replace("#37;", "%")
            .replace("#96;", "`")
            .replace("#amp;", "&");
        match d.titles.get(id) {
            Some(drawn) if *drawn == title => {}
            other => out.push(format!("box `{id}` titled {other:?}, not `{title}`")),
        }
    }
    out
}

/// What is wrong with a drawing, one line per problem.
fn problems(case: &Case, svg: &str) -> Vec<String> {
    let d = read(svg);
    let mut out = Vec::new();
    let opaque: Vec<(&String, Rect, usize)> = d
        .boxes
        .iter()
        .filter(|(_, (_, root))| d.nested_roots.contains(root))
        .map(|(id, (r, root))| (id, *r, *root))
        .collect();
    // A subgraph laid out on its own is drawn above everything of the layouts around it, but
    // below what is drawn inside it.
    let hidden = |p: (f64, f64), roots: &[usize]| {
        opaque
            .iter()
            .find(|(_, r, box_root)| !roots.contains(box_root) && r.holds(p, 0.0))
            .map(|(id, ..)| (*id).clone())
    };
    for (from, to, label) in source_links(&case.mermaid) {
        let key = (from.clone(), to.clone());
        match d.labels.get(&key) {
            None => out.push(format!("{from} → {to}: label `{label}` not drawn")),
            Some((text, centre, (w, h), root)) => {
                if text != &label {
                    out.push(format!(
                        "{from} → {to}: label drawn as `{text}`, not `{label}`"
                    ));
                }
                if *w <= 0.0 || *h <= 0.0 {
                    out.push(format!("{from} → {to}: label `{label}` has no size"));
                }
                if let Some(b) = hidden(*centre, root) {
                    out.push(format!(
                        "{from} → {to}: label `{label}` hidden under box `{b}`"
                    ));
                }
                for (node, (_, rect)) in &d.nodes {
                    if rect.is_some_and(|r| r.holds(*centre, 0.0)) {
                        out.push(format!(
                            "{from} → {to}: label `{label}` under node `{node}`"
                        ));
                    }
                }
            }
        }
    }
    let nonprod = nonprod_boxes(&case.mermaid);
    for ((from, to), (points, root)) in &d.links {
        let inner = if points.len() > 4 {
            &points[2..points.len() - 2]
        } else {
            &points[..]
        };
        if let Some(b) = inner.iter().find_map(|p| hidden(*p, root)) {
            out.push(format!("{from} → {to}: link passes under box `{b}`"));
        }
        let production = |c: &String| case.production.get(c).copied().unwrap_or(false);
        if production(from) && production(to) {
            // Nor under another cluster, where it would seem to leave from that cluster.
            // (Links between non-production clusters are not held to this: dagre draws the
            // DR link `qa-primary` → `staging-dr` of tests/fixtures/graph/mixed-environments.yaml
            // under `qa-perf`.)
            for (node, (_, rect)) in &d.nodes {
                if node != from
                    && node != to
                    && rect.is_some_and(|r| inner.iter().any(|p| r.holds(*p, 2.0)))
                {
                    out.push(format!(
                        "production link {from} → {to} passes under node `{node}`"
                    ));
                }
            }
            for id in &nonprod {
                if let Some((r, _)) = d.boxes.get(id)
                    && inner.iter().any(|p| r.holds(*p, 1.0))
                {
                    out.push(format!(
                        "production link {from} → {to} passes through non-production box `{id}`"
                    ));
                }
            }
        }
    }
    out.extend(title_problems(case, &d));
    for (id, name) in &case.names {
        match d.nodes.get(id) {
            Some((text, _)) if text.starts_with(name.as_str()) => {}
            other => out.push(format!("cluster `{name}` ({id}) drawn as {other:?}")),
        }
    }
    out
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = common::examples().iter().map(|f| case(f, f, &[])).collect();
    for (file, target) in [
        ("examples/two-datacenters.yaml", "site:dc-a"),
        ("examples/vmware-active-active.yaml", "region:east"),
        ("examples/global.yaml", "region:london"),
        ("tests/fixtures/graph/mixed-environments.yaml", "site:dc-a"),
    ] {
        cases.push(case(
            &format!("{file} --after-loss {target}"),
            file,
            &["--after-loss", target],
        ));
    }
    for file in [
        "tests/fixtures/graph/mixed-environments.yaml",
        "tests/fixtures/graph/keyword-names.yaml",
    ] {
        cases.push(case(file, file, &[]));
    }
    cases
}

/// The diagram of `vmware-active-active` as vrt drew it before each environment had boxes of
/// its own (kept as a fixture): the checks must find the production link hidden under, and
/// seeming to leave from, the non-production site.
fn before() -> Case {
    let text = std::fs::read_to_string(
        common::root().join("tests/fixtures/graph/vmware-before-environment-boxes.mmd"),
    )
    .unwrap();
    with_source("before", "examples/vmware-active-active.yaml", text)
}

#[test]
fn mermaid_cli_draws_every_diagram_with_its_labels_and_environments_apart() {
    let Some(mmdc) = node_tool("mmdc") else {
        return;
    };
    if !common::tool_available("chromium") {
        return;
    }
    let mut all = cases();
    assert!(all.len() >= 11);
    all.push(before());
    let svgs = render(
        &mmdc,
        &all.iter().map(|c| c.mermaid.clone()).collect::<Vec<_>>(),
    );
    let (before_svg, svgs) = svgs.split_last().unwrap();
    let (before_case, all) = all.split_last().unwrap();
    let mut failures = Vec::new();
    for (case, svg) in all.iter().zip(svgs) {
        for p in problems(case, svg) {
            failures.push(format!("{}: {p}", case.name));
        }
        // Every labelled link of the source is drawn (none dropped by the renderer).
        assert_eq!(
            read(svg).labels.len(),
            case.mermaid
                .lines()
                .filter(|l| l.contains("-.-") || l.contains("-->"))
                .count(),
            "{}",
            case.name
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The checks see the fault vrt used to draw.
    let found = problems(before_case, before_svg);
    assert!(
        found
            .iter()
            .any(|p| p.contains("production link c0 → c2 passes through non-production box `s2`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("label `performance: data` hidden under box")),
        "{found:#?}"
    );
}

#[test]
fn each_environment_gets_boxes_of_its_own() {
    let (code, text, _) =
        run(vrt().args(["graph", "tests/fixtures/graph/mixed-environments.yaml"]));
    assert_eq!(code, 0);
    let production = text.find("subgraph e0[\"production\"]").expect(&text);
    let nonprod = text.find("subgraph e1[\"non-production\"]").expect(&text);
    assert!(production < nonprod);
    let (prod_part, nonprod_part) = text.split_at(nonprod);
    // The production part of site dc-a keeps its clients; its non-production clusters sit in
    // a box of their own, labelled as non-production, in the non-production lane.
    assert!(
        prod_part.contains("subgraph s0[\"site dc-a · on-prem\"]"),
        "{text}"
    );
    assert!(prod_part.contains("c0[\"primary-a"), "{text}");
    assert!(!prod_part.contains("qa-perf"), "{text}");
    assert!(
        nonprod_part.contains("subgraph t0[\"site dc-a · on-prem · non-production\"]"),
        "{text}"
    );
    assert!(nonprod_part.contains("c2[\"qa-perf"), "{text}");
    assert!(nonprod_part.contains("c3[\"staging-dr"), "{text}");
    assert!(nonprod_part.contains("subgraph s1[\"site lab · on-prem · non-production\"]"));
    assert!(text.contains("  style t0 fill:"), "{text}");
    // A file of one environment has no lanes.
    let (_, two, _) = run(vrt().args(["graph", "examples/two-datacenters.yaml"]));
    assert!(!two.contains("subgraph e"), "{two}");
}
