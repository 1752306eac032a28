//! The layering of `src/`, enforced: each module may use only modules of its own layer or
//! of the layers below it, and no two modules may use each other through any chain. The
//! table is `LAYERS`; `docs/architecture.md` explains it. Unit tests (`#[cfg(test)]` code and
//! `tests.rs` files) are not dependencies. A module missing from the table
//! fails the test, so a new module has to be placed deliberately.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Layers from the bottom up; a module may use its own layer and those before it.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &["source", "ids", "text", "date", "error", "sources"],
    ),
    ("yaml", &["yaml"]),
    ("format", &["spec", "values"]),
    ("diagnostics", &["diag"]),
    ("load", &["load"]),
    ("model", &["model"]),
    ("graph", &["graph"]),
    ("network", &["net"]),
    (
        "rules and planners",
        &[
            "rules",
            "suppress",
            "firewall",
            "failover",
            "upgrade",
            "diagram",
            "status",
            "templates",
            "synthetic",
            "mounts",
            "diff",
        ],
    ),
    // The library's own pipeline functions (`crate::validate`, `crate::topology`, …).
    ("pipeline", &["lib"]),
    ("report", &["report"]),
    ("command line", &["cli", "output"]),
];

/// Names the crate root defines itself (functions and macros), not modules.
const ROOT_ITEMS: &[&str] = &[
    "validate",
    "validate_on",
    "topology",
    "schema",
    "SCHEMA_ID",
    "Validation",
];

/// `crate::` uses of each module, from source texts keyed by their path under `src/`.
/// Comments (doc links included) and everything from `#[cfg(test)]` on are not uses.
fn uses(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in files {
        let module = path
            .split('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".rs")
            .to_string();
        // `main` is the binary; a `tests.rs` file is a unit-test module (`#[cfg(test)] mod
        // tests;`), which may use the whole crate like the integration tests.
        if module == "main" || path.ends_with("/tests.rs") {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or(text);
        for line in code.lines() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            let line = line.split("//").next().unwrap_or(line);
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let target = if ROOT_ITEMS.contains(&name.as_str()) {
                    "lib".to_string()
                } else {
                    name
                };
                if !target.is_empty() && target != module && !target.starts_with("declare_") {
                    out.entry(module.clone()).or_default().insert(target);
                }
            }
        }
        out.entry(module).or_default();
    }
    out
}

/// Every violation: unknown modules, uses of a higher layer, and cycles.
fn violations(uses: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let layer = |m: &str| LAYERS.iter().position(|(_, mods)| mods.contains(&m));
    let mut problems = Vec::new();
    for (module, targets) in uses {
        let Some(own) = layer(module) else {
            problems.push(format!(
                "module `{module}` is in no layer: add it to LAYERS and docs/architecture.md"
            ));
            continue;
        };
        for t in targets {
            match layer(t) {
                None if uses.contains_key(t) => {}
                None => problems.push(format!("`{module}` uses `crate::{t}`, which is no module")),
                Some(l) if l > own => problems.push(format!(
                    "`{module}` ({}) uses `{t}` ({}), a layer above it",
                    LAYERS[own].0, LAYERS[l].0
                )),
                Some(_) => {}
            }
        }
    }
    for cycle in cycles(uses) {
        problems.push(format!("import cycle: {}", cycle.join(" → ")));
    }
    problems
}

/// The import cycles, each as the path from its smallest module back to it.
fn cycles(uses: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut found = BTreeSet::new();
    for start in uses.keys() {
        // Depth-first search for a path from `start` back to `start`.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in uses.get(&node).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, m)| *m)
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(min);
                    let first = cycle[0].clone();
                    cycle.push(first);
                    found.insert(cycle);
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    found.into_iter().collect()
}

fn sources(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src/");
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.insert(
                rel,
                std::fs::read_to_string(&path).expect("source is UTF-8"),
            );
        }
    }
}

#[test]
fn every_module_uses_only_its_layer_and_those_below_and_no_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&root, &root, &mut files);
    assert!(files.len() > 50, "found only {} source files", files.len());
    let problems = violations(&uses(&files));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_finds_upward_uses_cycles_and_unplaced_modules() {
    let file = |p: &str, t: &str| (p.to_string(), t.to_string());
    let files: BTreeMap<String, String> = [
        // graph may use model: fine. model using graph is upward, and a cycle.
        file("graph.rs", "use crate::model::Model;\n"),
        file(
            "model.rs",
            "use crate::graph::Topology;\n/// [`crate::report`] in a doc link is no use\n",
        ),
        // A use in unit tests is not a dependency of the module.
        file(
            "ids.rs",
            "pub struct X;\n#[cfg(test)]\nmod tests { use crate::cli; }\n",
        ),
        file("newthing.rs", "use crate::ids::X;\n"),
    ]
    .into_iter()
    .collect();
    let problems = violations(&uses(&files));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`model` (model) uses `graph` (graph), a layer above it")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p == "import cycle: graph → model → graph"),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("module `newthing` is in no layer")),
        "{problems:?}"
    );
    assert!(
        !problems
            .iter()
            .any(|p| p.contains("report") || p.contains("cli")),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 3, "{problems:?}");
}
