//! `vrt switchover FILE --to CLUSTER`: a planned switchover from the failover planner's code:
//! it demotes before it promotes, names the chosen cluster, refuses clusters that cannot take
//! over, and its sh runbook is the same kind of script as `vrt failover --format sh`.

mod common;

use serde_json::Value;

fn plan(file: &str, to: &str) -> Value {
    let (code, out, err) = common::run(&["switchover", file, "--to", to, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn every_switchover_of_every_example_demotes_before_it_promotes() {
    let mut checked = 0;
    for file in common::examples() {
        let source = common::source(&common::root().join(&file));
        let t = vrt::topology(&source, vrt::yaml::Limits::default()).unwrap();
        for c in t.cluster_ids() {
            let Some((from, _)) = t.upstream(c) else {
                continue;
            };
            if !t.successor_candidates(from).contains(&c) {
                let (code, _, err) = common::run(&["switchover", &file, "--to", t.name(c)]);
                assert_eq!(code, 2, "{file} {}", t.name(c));
                assert!(err.contains("cannot take over"), "{err}");
                continue;
            }
            let p = plan(&file, t.name(c));
            assert_eq!(p["recoveries"][0]["to"], t.name(c), "{file}");
            let titles: Vec<&str> = p["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["title"].as_str().unwrap())
                .collect();
            let demote = titles
                .iter()
                .position(|s| {
                    s.starts_with(&format!("Demote `{}` (planned switchover)", t.name(from)))
                })
                .unwrap_or_else(|| panic!("{file}: {titles:?}"));
            let promote = titles
                .iter()
                .position(|s| s.starts_with(&format!("Promote `{}`", t.name(c))))
                .unwrap_or_else(|| panic!("{file}: {titles:?}"));
            assert!(demote < promote, "{file}: {titles:?}");
            let (code, text, _) = common::run(&["switchover", &file, "--to", t.name(c)]);
            assert_eq!(code, 0);
            assert!(text.starts_with("Switchover runbook for "), "{text}");
            let (code, sh, _) =
                common::run(&["switchover", &file, "--to", t.name(c), "--format", "sh"]);
            assert_eq!(code, 0);
            assert!(sh.starts_with("#!/usr/bin/env bash\n"));
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

#[test]
fn switchover_refuses_primaries_unknown_names_and_other_environments() {
    let (code, _, err) = common::run(&[
        "switchover",
        "examples/two-datacenters.yaml",
        "--to",
        "primary-a",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("replicates from nothing"), "{err}");
    let (code, _, err) = common::run(&[
        "switchover",
        "examples/two-datacenters.yaml",
        "--to",
        "nowhere",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no cluster is named `nowhere`"), "{err}");
    let (code, _, err) = common::run(&[
        "switchover",
        "tests/fixtures/failover/environments.yaml",
        "--to",
        "a-staging-dr",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("another environment"), "{err}");
}
