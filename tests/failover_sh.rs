//! `vrt failover --format sh`: for every scenario of every example, the script passes
//! `bash -n` and `shellcheck`, and run with `--yes` against a `vault` stub on `PATH` that
//! records its calls it calls exactly the plan's commands, in the plan's order (after the
//! pre-flight status reads); `--dry-run` calls nothing; without `--yes` it stops before the
//! first step that changes replication when the answer is not `yes`. The text runbook of
//! every scenario keeps heredoc terminators flush left, so it pastes as it is. With hostile
//! values written into every name, address and path after the parser, every script still
//! passes `bash -n` and its dry run executes none of them.

mod common;

// The fuzz core's injection (`render::inject`) and, which it needs, its checks.
#[allow(dead_code)]
#[path = "../fuzz/src/checks.rs"]
mod checks;
#[allow(dead_code)]
#[path = "../fuzz/src/render.rs"]
mod render;

use std::path::{Path, PathBuf};
use std::process::Command;

use vrt::graph::Failure;
use vrt::yaml::Limits;

const STUB: &str = r#"#!/usr/bin/env bash
printf '%s|%s|%s\n' "${VAULT_ADDR-}" "${VAULT_NAMESPACE-unset}" "$*" >> "$VRT_STUB_LOG"
echo "stub-value"
"#;

/// The clients' health checks call `curl`: recorded too, never sent.
const CURL_STUB: &str = r#"#!/usr/bin/env bash
printf 'curl|%s|%s\n' "${VAULT_NAMESPACE-unset}" "$*" >> "$VRT_STUB_LOG"
echo 200
"#;

/// A scratch directory with the `vault` stub in `bin/`.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    for (name, text) in [("vault", STUB), ("curl", CURL_STUB)] {
        let stub = dir.join("bin").join(name);
        std::fs::write(&stub, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    dir
}

/// Every `--lose` argument of every single failure of `file`.
fn scenarios(file: &str) -> Vec<String> {
    let source = common::source(&common::root().join(file));
    let t = vrt::topology(&source, Limits::default()).unwrap();
    t.single_failures()
        .iter()
        .map(|f| {
            let kind = match f {
                Failure::Cluster(_) => "cluster",
                Failure::Site(_) => "site",
                Failure::Region(_) => "region",
            };
            format!("{kind}:{}", t.failure_name(f))
        })
        .collect()
}

/// Runs bash on `script` with the stub first on `PATH`; returns the exit code and the
/// recorded calls.
fn run_bash(
    dir: &Path,
    script: &Path,
    args: &[&str],
    stdin: &str,
    env: &[(String, String)],
) -> (i32, Vec<String>) {
    let log = dir.join("calls.log");
    let _ = std::fs::remove_file(&log);
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .args(args)
        .env("PATH", path)
        .env("VRT_STUB_LOG", &log)
        .env_remove("VAULT_NAMESPACE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().unwrap();
    let calls = std::fs::read_to_string(&log)
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default();
    assert!(
        out.status.code().is_some(),
        "{}: killed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), calls)
}

/// The variables the plan's lines require (`${NAME:?}`) plus the snapshot file, with values.
fn environment(lines: &[String]) -> Vec<(String, String)> {
    let mut env = vec![(
        "SNAPSHOT_FILE".to_string(),
        "/tmp/snapshot.snap".to_string(),
    )];
    for l in lines {
        for part in l.split("${").skip(1) {
            if let Some((name, _)) = part.split_once(":?}") {
                env.push((
                    name.to_string(),
                    format!("https://{}.invalid:8200", name.to_ascii_lowercase()),
                ));
            }
        }
    }
    env
}

#[test]
fn sh_runbooks_check_and_call_exactly_the_plan() {
    let dir = scratch("failover-sh");
    let mut scripts = Vec::new();
    let mut scenarios_run = 0;
    let mut calls_checked = 0;
    for file in common::examples() {
        for lose in scenarios(&file) {
            let (code, sh, err) =
                common::run(&["failover", &file, "--lose", &lose, "--format", "sh"]);
            assert_eq!(code, 0, "{file} {lose}: {err}");
            let (code, json, err) =
                common::run(&["failover", &file, "--lose", &lose, "--format", "json"]);
            assert_eq!(code, 0, "{file} {lose}: {err}");
            let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
            let lines: Vec<String> = plan["steps"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["commands"].as_array().unwrap().iter())
                .map(|c| c["line"].as_str().unwrap().to_string())
                .collect();
            let stem = format!(
                "{}-{}",
                Path::new(&file).file_stem().unwrap().to_string_lossy(),
                lose.replace(':', "-")
            );
            let script = dir.join(format!("{stem}.sh"));
            std::fs::write(&script, &sh).unwrap();
            let status = Command::new("bash")
                .arg("-n")
                .arg(&script)
                .status()
                .unwrap();
            assert!(status.success(), "{file} {lose}: bash -n failed");

            // The plan's own lines, run as they are: what the runbook must call.
            let reference = dir.join(format!("{stem}.plain.sh"));
            std::fs::write(
                &reference,
                format!("set -euo pipefail\n{}\n", lines.join("\n")),
            )
            .unwrap();
            let env = environment(&lines);
            let (code, expected) = run_bash(&dir, &reference, &[], "", &env);
            assert_eq!(
                code, 0,
                "{file} {lose}: the plan's lines fail against the stub"
            );

            let (code, calls) = run_bash(&dir, &script, &["--yes"], "", &env);
            assert_eq!(code, 0, "{file} {lose}: the runbook fails against the stub");
            let preflight = calls.len() - expected.len().min(calls.len());
            assert!(
                calls[..preflight]
                    .iter()
                    .all(|c| c.ends_with("||read -format=json sys/replication/status")),
                "{file} {lose}: pre-flight calls {:?}",
                &calls[..preflight]
            );
            assert_eq!(
                &calls[preflight..],
                expected.as_slice(),
                "{file} {lose}: the runbook's calls differ from the plan's commands"
            );
            assert!(
                calls
                    .iter()
                    .all(|c| c.starts_with("curl|") || c.split('|').nth(1) == Some("")),
                "{file} {lose}: a call outside the root namespace"
            );
            calls_checked += expected.len();

            let (code, calls) = run_bash(&dir, &script, &["--dry-run"], "", &env);
            assert_eq!(code, 0, "{file} {lose}: --dry-run failed");
            assert!(
                calls.is_empty(),
                "{file} {lose}: --dry-run called {calls:?}"
            );

            scripts.push(script);
            scenarios_run += 1;
        }
    }
    assert!(scenarios_run >= 40, "{scenarios_run}");
    assert!(calls_checked >= 300, "{calls_checked}");
    if common::tool_available("shellcheck") {
        let out = Command::new("shellcheck")
            .args(["-s", "bash"])
            .args(&scripts)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "shellcheck:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_yes_the_runbook_stops_before_promoting_unless_told_yes() {
    let dir = scratch("failover-sh-confirm");
    let file = "examples/two-datacenters.yaml";
    let lose = &scenarios(file)[0];
    let (_, sh, _) = common::run(&["failover", file, "--lose", lose, "--format", "sh"]);
    let script = dir.join("runbook.sh");
    std::fs::write(&script, &sh).unwrap();
    let env = environment(&[]);
    let (code, calls) = run_bash(&dir, &script, &[], "", &env);
    assert_eq!(code, 1, "no answer stops the runbook");
    assert!(
        calls
            .iter()
            .all(|c| !c.contains("/promote") && !c.contains("/demote")),
        "{calls:?}"
    );
    let (_, all) = run_bash(&dir, &script, &["--yes"], "", &env);
    assert!(all.iter().any(|c| c.contains("/promote")), "{all:?}");
    let answers = "yes\n".repeat(50);
    let (code, answered) = run_bash(&dir, &script, &[], &answers, &env);
    assert_eq!((code, &answered), (0, &all));
    let (code, _) = run_bash(&dir, &script, &["--from", "x"], "", &env);
    assert_eq!(code, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sh_is_refused_with_all() {
    let (code, _, err) = common::run(&[
        "failover",
        "examples/two-datacenters.yaml",
        "--all",
        "--format",
        "sh",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("`--format sh` writes one runbook"), "{err}");
}

#[test]
fn text_runbooks_keep_heredoc_terminators_flush_left() {
    let mut heredocs = 0;
    for file in common::examples() {
        for lose in scenarios(&file) {
            for format in ["text", "markdown"] {
                let (_, out, _) =
                    common::run(&["failover", &file, "--lose", &lose, "--format", format]);
                for line in out.lines() {
                    if line.trim() == "EOF" {
                        assert_eq!(line, "EOF", "{file} {lose} {format}: indented terminator");
                        heredocs += 1;
                    }
                }
            }
        }
    }
    assert!(heredocs > 0, "no heredoc seen");
}

/// Names, addresses and paths holding shell syntax, quotes, line breaks and control
/// characters, written in after the parser (which would refuse them): each script of each
/// single failure of each example passes `bash -n`, and its dry run, `--list` and
/// `--help` exit 0 without running any of the values (no `PWNED` file, no call).
#[test]
fn hostile_names_cannot_inject_into_the_script() {
    let payloads = [
        "x\n$(touch PWNED)`touch PWNED`\n",
        "'; touch PWNED; '\"; touch PWNED; \"}",
        "${x:-$(touch PWNED)}\r\n\u{1b}]0;t\u{7}\u{202e}\u{200b}\\",
        "\nEOF\ntouch PWNED\n",
    ];
    let dir = scratch("hostile-sh");
    let script = dir.join("runbook.sh");
    for example in common::examples() {
        let source = common::source(&common::root().join(&example));
        let t = vrt::topology(&source, Limits::default()).unwrap();
        for p in payloads {
            let hostile = vrt::graph::Topology::new(render::inject(&t.model, p));
            for f in hostile.single_failures() {
                let plan = vrt::failover::plan(&hostile, &f).unwrap();
                let mut out = Vec::new();
                vrt::report::failover::sh(&mut out, &hostile, &plan).unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(
                    !text
                        .chars()
                        .any(|c| c != '\n' && vrt::report::escape::is_hidden(c)),
                    "{example} {p:?}: a raw control character:\n{text}"
                );
                std::fs::write(&script, &text).unwrap();
                let status = Command::new("bash")
                    .arg("-n")
                    .arg(&script)
                    .status()
                    .unwrap();
                assert!(status.success(), "{example} {p:?}: bash -n fails:\n{text}");
                for args in [&["--dry-run"][..], &["--list"], &["--help"]] {
                    let (code, calls) = run_bash(&dir, &script, args, "", &[]);
                    assert_eq!(code, 0, "{example} {p:?} {args:?}:\n{text}");
                    assert!(calls.is_empty(), "{example} {p:?}: {calls:?}");
                    assert!(
                        !dir.join("PWNED").exists() && !Path::new("PWNED").exists(),
                        "{example} {p:?} {args:?}: a value ran:\n{text}"
                    );
                }
            }
        }
    }
}
