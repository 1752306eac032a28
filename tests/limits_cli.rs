//! The input-limit flags of `vrt validate`: each one, set below what a file needs, stops it
//! with an error naming the flag; at its default the same file passes.

use std::io::Write;
use std::process::Stdio;

mod common;

use common::run as vrt;

const GLOBAL: &str = "examples/global.yaml";
const ANCHORS: &str = "tests/fixtures/hostile/anchors-reused.yaml";

/// Runs `validate --format json` and returns the exit code and the single VRT006 finding's
/// message, line and column, if there is one.
fn limit_finding(args: &[&str]) -> (i32, Option<(String, u64, u64)>) {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = vrt(&all);
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let limit: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "VRT006")
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(limit.len() <= 1, "{out}");
    (code, limit.into_iter().next())
}

#[test]
fn max_file_size_refuses_a_larger_file_and_admits_it_when_raised() {
    let (code, finding) = limit_finding(&["--max-file-size", "1000", GLOBAL]);
    assert_eq!(code, 1);
    assert_eq!(
        finding,
        Some((
            "the file is larger than 1000 bytes, the limit; raise it with `--max-file-size`"
                .to_string(),
            1,
            1
        ))
    );
    let (code, out, _) = vrt(&["validate", "--max-file-size", "100000", GLOBAL]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn max_file_size_applies_to_standard_input() {
    let text = std::fs::read(common::root().join(GLOBAL)).unwrap();
    let mut child = common::vrt()
        .args(["validate", "--max-file-size", "1000", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // vrt stops reading at the limit, so the rest of the write may find the pipe closed.
    let _ = child.stdin.take().unwrap().write_all(&text);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.contains("<stdin>:1:1") && out.contains("the file is larger than 1000 bytes"),
        "{out}"
    );
}

#[test]
fn max_nodes_stops_a_file_with_more_nodes() {
    let (code, finding) = limit_finding(&["--max-nodes", "100", GLOBAL]);
    assert_eq!(code, 1);
    let (message, line, _) = finding.expect("a limit finding");
    assert!(
        message.starts_with("the file has more than 100 YAML nodes")
            && message.ends_with("raise it with `--max-nodes`"),
        "{message}"
    );
    assert!(line > 1, "located where the count passes 100: line {line}");
    let (code, finding) = limit_finding(&["--max-nodes", "2000", GLOBAL]);
    assert_eq!((code, finding), (0, None));
}

#[test]
fn max_depth_stops_nesting_deeper_than_it() {
    // global.yaml nests five deep: the file, `clusters`, a cluster, its `paths_filter`, its
    // `paths`; the first `paths` list is on line 53.
    let (code, finding) = limit_finding(&["--max-depth", "4", GLOBAL]);
    assert_eq!(code, 1);
    let (message, line, column) = finding.expect("a limit finding");
    assert_eq!(
        message,
        "nesting is deeper than 4 levels, the limit; raise it with `--max-depth`"
    );
    assert_eq!((line, column), (53, 39));
    let (code, finding) = limit_finding(&["--max-depth", "5", GLOBAL]);
    assert_eq!((code, finding), (0, None));
}

#[test]
fn max_aliases_stops_a_file_with_more_alias_uses() {
    // The fixture uses its anchors 402 times.
    let (code, finding) = limit_finding(&["--max-aliases", "401", ANCHORS]);
    assert_eq!(code, 1);
    let (message, line, _) = finding.expect("a limit finding");
    assert_eq!(
        message,
        "the file uses aliases (`*name`) more than 401 times, the limit; raise it with `--max-aliases`"
    );
    assert_eq!(line, 210, "the last cluster holds the 402nd alias");
    let (code, finding) = limit_finding(&["--max-aliases", "402", ANCHORS]);
    assert_eq!((code, finding), (0, None));
}

#[test]
fn max_list_entries_stops_a_longer_list_at_its_first_extra_entry() {
    // global.yaml has six clusters; the fourth is `london-dr` on line 63.
    let (code, finding) = limit_finding(&["--max-list-entries", "3", GLOBAL]);
    assert_eq!(code, 1);
    let (message, line, column) = finding.expect("a limit finding");
    assert_eq!(
        message,
        "`clusters` has more than 3 entries, the limit; raise it with `--max-list-entries`"
    );
    assert_eq!((line, column), (63, 11));
    // Its longest list is `firewall`, with 13 rules.
    let (code, finding) = limit_finding(&["--max-list-entries", "13", GLOBAL]);
    assert_eq!((code, finding), (0, None));
}

#[test]
fn help_lists_the_limits_with_their_defaults() {
    let (code, out, _) = vrt(&["validate", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--max-file-size <BYTES>",
        "--max-nodes <N>",
        "--max-depth <N>",
        "--max-aliases <N>",
        "--max-list-entries <N>",
        "--max-flows <N>",
    ] {
        assert!(out.contains(flag), "{flag}: {out}");
    }
    assert!(out.contains("Input limits"), "{out}");
    assert!(out.contains("[default: 2000000]"), "{out}");
}

#[test]
fn a_limit_must_be_a_number() {
    let (code, _, err) = vrt(&["validate", "--max-nodes", "many", GLOBAL]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid value 'many' for '--max-nodes <N>'"),
        "{err}"
    );
}

/// A star topology (one primary, `clusters - 1` DR secondaries, `clients` clients) written
/// under the test's target directory as `limits-<test>.yaml` (one file per test: tests run
/// in parallel).
fn star_file(test: &str, clusters: usize, clients: usize) -> String {
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("limits-{test}.yaml"));
    std::fs::write(&path, vrt::synthetic::star_yaml(clusters, clients)).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn max_flows_stops_a_star_topology_at_its_primary_before_building_a_flow() {
    // 99 DR secondaries paired with each other are one standby set: two group flows (the
    // API and the cluster port), not 4,851 pairs; the 20 clients that move to them, one more.
    // `hub` is charged 25 (its 20 clients, their move, its nodes on two ports, the set's
    // two flows), each DR secondary 6 (its replication edge both ways on two ports, its
    // nodes): 619 flows in all.
    let file = star_file("star-validate", 100, 20);
    let (code, finding) = limit_finding(&["--max-flows", "618", &file]);
    assert_eq!(code, 1);
    let (message, line, column) = finding.expect("a limit finding");
    assert_eq!(
        message,
        "the topology needs up to 619 network flows, more than 618, the limit; raise it with `--max-flows`"
    );
    // `hub` is the first cluster, on line 17: `  - {name: hub, ...`.
    assert_eq!((line, column), (17, 12));
    let (code, finding) = limit_finding(&["--max-flows", "619", &file]);
    assert_eq!((code, finding), (0, None));
    let (code, finding) = limit_finding(&[&file]);
    assert_eq!((code, finding), (0, None), "within the default");
}

#[test]
fn max_flows_applies_to_every_command_that_builds_flows() {
    let file = star_file("star-commands", 100, 20);
    for command in ["ports", "firewall"] {
        let (code, out, err) = vrt(&[command, "--max-flows", "600", &file]);
        assert_eq!(code, 1, "{command}: {out}");
        assert!(out.is_empty(), "{command}: no product: {out}");
        assert!(
            err.contains("VRT006") && err.contains("`--max-flows`"),
            "{command}: {err}"
        );
        let (code, out, err) = vrt(&[command, &file]);
        assert_eq!(code, 0, "{command}: {err}");
        assert!(!out.is_empty());
    }
}

#[test]
fn ten_thousand_dr_secondaries_are_planned_within_the_default_flow_limit() {
    // The case: 10,000 DR secondaries and 2,000 clients needed about 220 million
    // flows pair by pair; as standby sets they need 62,005 (each DR secondary 6, `hub` 2,005)
    // and validate within the default limit. A lower limit still refuses them, at `hub`.
    let file = star_file("star-10000", 10_001, 2_000);
    let (code, finding) = limit_finding(&[&file]);
    assert_eq!((code, finding), (0, None));
    let (code, finding) = limit_finding(&["--max-flows", "62004", &file]);
    assert_eq!(code, 1);
    let (message, line, _) = finding.expect("a limit finding");
    assert!(
        message.starts_with("the topology needs up to 62005 network flows")
            && message.contains("more than 62004, the limit"),
        "{message}"
    );
    assert_eq!(line, 17);
}
