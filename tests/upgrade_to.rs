//! `vrt upgrade-plan --to VERSION`: clusters at or above the target are done, not scheduled; a
//! downgrade is refused; every scheduled cluster has a snapshot command; the notes are named.

mod common;

use serde_json::Value;

fn plan(args: &[&str]) -> Value {
    let (code, out, err) = common::run(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn clusters_at_the_target_are_done_and_the_rest_scheduled_with_snapshots() {
    for file in common::examples() {
        let source = common::source(&common::root().join(&file));
        let t = vrt::topology(&source, vrt::yaml::Limits::default()).unwrap();
        let mut versions: Vec<_> = t
            .cluster_ids()
            .filter_map(|c| t.version(c).cloned())
            .collect();
        versions.sort();
        let Some(newest) = versions.last() else {
            continue;
        };
        let to = format!("{}.{}.{}", newest.core.0, newest.core.1, newest.core.2);
        let p = plan(&["upgrade-plan", &file, "--to", &to, "--format", "json"]);
        assert_eq!(p["to"], to.as_str());
        assert!(p["upgrade_notes"].as_str().unwrap().contains("upgrade-to-"));
        for set in p["sets"].as_array().unwrap() {
            for c in set["done"].as_array().unwrap() {
                let v = vrt::values::Version::parse(c["version"].as_str().unwrap()).unwrap();
                assert!(v.core >= newest.core, "{file}: {c}");
            }
            for w in set["waves"].as_array().unwrap() {
                for c in w["clusters"].as_array().unwrap() {
                    if let Some(v) = c["version"].as_str() {
                        let v = vrt::values::Version::parse(v).unwrap();
                        assert!(v.core < newest.core, "{file}: {c} is scheduled");
                    }
                    let snap = c["snapshot"].as_str().unwrap();
                    assert!(
                        snap.ends_with(&format!(
                            "vault operator raft snapshot save {}-before-{to}.snap",
                            c["cluster"].as_str().unwrap()
                        )),
                        "{snap}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_downgrade_or_a_bad_version_is_refused() {
    let (code, _, err) = common::run(&[
        "upgrade-plan",
        "examples/two-datacenters.yaml",
        "--to",
        "1.10.0",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is a downgrade"), "{err}");
    let (code, _, err) = common::run(&[
        "upgrade-plan",
        "examples/two-datacenters.yaml",
        "--to",
        "latest",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("`--to latest`"), "{err}");
}

#[test]
fn leaves_go_first_and_the_text_lists_done_clusters() {
    let (code, out, _) = common::run(&[
        "upgrade-plan",
        "examples/two-datacenters.yaml",
        "--to",
        "1.17.3",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("Done (already at 1.17.3 or newer):"), "{out}");
    let p = plan(&["upgrade-plan", "examples/global.yaml", "--format", "json"]);
    let first: Vec<&str> = p["sets"][0]["waves"][0]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cluster"].as_str().unwrap())
        .collect();
    assert!(first.contains(&"dallas-dr"), "{first:?}");
}
