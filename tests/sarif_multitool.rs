//! `vrt validate --format sarif` checked by Microsoft's SARIF multitool (npm
//! `@microsoft/sarif-multitool`, pinned in ci/package.json, installed by `.ci/run`) with the
//! SARIF rules and GitHub's ingestion rules, for every example, every suppression fixture, all
//! inputs at once, standard input and an absolute path. Without the tool the test is skipped,
//! or fails under `VRT_REQUIRE_TOOLS=1`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{output as run, vrt};

use serde_json::Value;

const FAILING: &str = "tests/fixtures/rules/VRT107-downstream-older-version.yaml";

fn manifest(rel: &str) -> PathBuf {
    common::root().join(rel)
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Microsoft's SARIF multitool (npm `@microsoft/sarif-multitool`, pinned in ci/package.json):
/// the platform binary beside `$VRT_NODE_BIN`, else `sarif-multitool` on `PATH` (an npm
/// wrapper that runs its arguments through a shell: they are quoted for it).
fn sarif_multitool() -> Option<(PathBuf, bool)> {
    if let Some(dir) = std::env::var_os("VRT_NODE_BIN") {
        let binary =
            std::path::Path::new(&dir).join("../@microsoft/sarif-multitool-linux/Sarif.Multitool");
        if binary.is_file() {
            return Some((binary, false));
        }
    }
    common::tool_available("sarif-multitool").then(|| (PathBuf::from("sarif-multitool"), true))
}

/// Runs `sarif-multitool validate` with the SARIF rules and GitHub's ingestion rules over the
/// logs; returns its results as (level, rule, file, message) (SARIF's default level is
/// `warning`).
fn multitool_results(
    tool: &(PathBuf, bool),
    logs: &[PathBuf],
) -> Vec<(String, String, String, String)> {
    let dir = tempdir("multitool");
    let out = dir.join("validation.sarif");
    let quote = |a: &str| {
        if tool.1 {
            format!("'{a}'")
        } else {
            a.to_string()
        }
    };
    let status = Command::new(&tool.0)
        .arg("validate")
        .args(["--rule-kind", &quote("Sarif;Gh")])
        .args(["--log", &quote("ForceOverwrite;PrettyPrint")])
        .arg("--output")
        .arg(&out)
        .args(logs)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("the SARIF multitool runs");
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&status.stdout),
            String::from_utf8_lossy(&status.stderr)
        )
    });
    std::fs::remove_dir_all(dir).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let run = &doc["runs"][0];
    // The run's own notifications (a file it could not read, a rule that failed) are errors.
    for n in run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_ne!(n["level"], "error", "multitool failed: {n}");
    }
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let file = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let message = r["message"]["arguments"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .or_else(|| r["message"]["text"].as_str().map(str::to_string))
                .unwrap_or_default();
            (
                r["level"].as_str().unwrap_or("warning").to_string(),
                r["ruleId"].as_str().unwrap_or("").to_string(),
                file,
                message,
            )
        })
        .collect()
}

#[test]
fn the_sarif_multitool_with_github_rules_accepts_every_example_and_suppressions() {
    let Some(tool) = sarif_multitool() else {
        return;
    };
    let dir = tempdir("sarif-logs");
    let mut logs = Vec::new();
    let mut write = |name: &str, args: &[&str], stdin: Option<&str>| {
        let mut cmd = vrt();
        cmd.args(["validate", "--format", "sarif", "--today", "2026-06-01"])
            .args(args);
        if let Some(file) = stdin {
            cmd.stdin(std::fs::File::open(manifest(file)).unwrap());
        }
        let (_, out, err) = run(&mut cmd);
        assert!(out.starts_with('{'), "{name}: {err}");
        let path = dir.join(format!("{name}.sarif"));
        std::fs::write(&path, out).unwrap();
        logs.push(path);
    };
    for example in common::examples() {
        let name = example
            .trim_start_matches("examples/")
            .trim_end_matches(".yaml");
        write(name, &[example.as_str()], None);
    }
    for file in common::yaml_files("tests/fixtures/suppress") {
        let name = file.rsplit('/').next().unwrap().trim_end_matches(".yaml");
        write(&format!("suppress-{name}"), &[file.as_str()], None);
    }
    let inputs = common::all_inputs();
    let all: Vec<&str> = inputs.iter().map(String::as_str).collect();
    write("everything", &all, None);
    write("stdin", &["-"], Some(FAILING));
    let absolute = manifest(FAILING).to_string_lossy().to_string();
    write("absolute", &[absolute.as_str()], None);
    // A log the checks must refuse: a result without a location (GitHub cannot show it).
    let (_, out, _) = run(vrt().args(["validate", "--format", "sarif", FAILING]));
    let mut broken: Value = serde_json::from_str(&out).unwrap();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("locations");
    let broken_path = dir.join("broken.sarif");
    std::fs::write(&broken_path, broken.to_string()).unwrap();
    logs.push(broken_path);

    let logs_count = logs.len();
    let results = multitool_results(&tool, &logs);
    std::fs::remove_dir_all(&dir).unwrap();
    let (refused, ours): (Vec<_>, Vec<_>) = results
        .into_iter()
        .partition(|(_, _, file, _)| file.ends_with("broken.sarif"));
    assert!(
        refused
            .iter()
            .any(|(level, rule, _, _)| level == "error" && rule.starts_with("GH")),
        "the GitHub rules ran: {refused:?}"
    );
    // No error; no warning either, except that the tool has no `informationUri` when
    // Cargo.toml declares no repository or homepage.
    let documented =
        !env!("CARGO_PKG_REPOSITORY").is_empty() || !env!("CARGO_PKG_HOMEPAGE").is_empty();
    let problems: Vec<_> = ours
        .iter()
        .filter(|(level, rule, _, _)| {
            level == "error" || (level == "warning" && (documented || rule != "SARIF2005"))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    if !documented {
        // Every log was read: each draws that one warning.
        let warned = ours
            .iter()
            .filter(|(_, rule, _, _)| rule == "SARIF2005")
            .count();
        assert_eq!(warned, logs_count - 1, "{ours:#?}");
    }
}
