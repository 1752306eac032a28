//! How vrt reads and writes: `--output` on every kind of path (files, `-`, devices, FIFOs,
//! links, planted names), signals during a write, `vrt init` racing itself, a closed
//! standard output, the depth cap, the file-size limit, colour and `VRT_TODAY`.

#![cfg(unix)]

mod common;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use insta_cmd::get_cargo_bin;

const TWO_DC: &str = "examples/two-datacenters.yaml";

/// The shared harness's `vrt` (fixed environment, crate root).
fn vrt() -> Command {
    common::vrt()
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.stdin(Stdio::null()).output().expect("vrt runs");
    text(&out)
}

fn text(out: &Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tempdir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("vrt-cli-io-{name}-"))
        .tempdir()
        .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every command that writes a product, with arguments that make it succeed.
fn writers() -> Vec<Vec<&'static str>> {
    vec![
        vec!["validate", TWO_DC],
        vec!["validate", "--format", "sarif", TWO_DC],
        vec!["graph", TWO_DC],
        vec!["ports", TWO_DC],
        vec!["firewall", "--format", "nftables", TWO_DC],
        vec!["failover", TWO_DC, "--lose", "dc-a"],
        vec!["failover", TWO_DC, "--all"],
        vec!["upgrade-plan", TWO_DC],
        vec!["init", "--template", "global"],
    ]
}

#[test]
fn a_dash_is_standard_output_for_every_writer() {
    for args in writers() {
        let (code, plain, err) = run(vrt().args(&args));
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!plain.is_empty(), "{args:?}");
        let (code, dash, err) = run(vrt().args(&args).args(["--output", "-"]));
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(dash, plain, "{args:?}");
    }
}

#[test]
fn output_files_hold_what_standard_output_gets_and_no_temporary() {
    let dir = tempdir("files");
    for (i, args) in writers().into_iter().enumerate() {
        let (_, expected, _) = run(vrt().args(&args));
        let path = dir.path().join(format!("out-{i}.txt"));
        std::fs::write(&path, "old").unwrap();
        let force: &[&str] = if args[0] == "init" { &["--force"] } else { &[] };
        let (code, out, err) = run(vrt().args(&args).arg("-o").arg(&path).args(force));
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            expected,
            "{args:?}"
        );
    }
    assert!(
        names(dir.path()).iter().all(|n| n.starts_with("out-")),
        "{:?}",
        names(dir.path())
    );
}

#[test]
fn every_write_error_names_its_path() {
    let dir = tempdir("errors");
    let missing = dir.path().join("no/such/folder/out.txt");
    for args in writers() {
        let (code, out, err) = run(vrt().args(&args).arg("--output").arg(&missing));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(
            err.contains(&format!("`{}`", missing.display()))
                && err.contains("create its folder first"),
            "{args:?}: {err}"
        );
    }
    let pages = dir.path().join("no/man");
    let (code, _, err) = run(vrt().args(["man", "--output-dir"]).arg(&pages));
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("`{}`", pages.join("vrt.1").display())),
        "{err}"
    );
    assert!(names(dir.path()).is_empty());
}

#[test]
fn a_device_is_written_in_place_not_replaced() {
    for args in writers() {
        let (code, out, err) = run(vrt().args(&args).args(["-o", "/dev/null"]));
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        let meta = std::fs::symlink_metadata("/dev/null").unwrap();
        assert!(
            std::os::unix::fs::FileTypeExt::is_char_device(&meta.file_type()),
            "{args:?} replaced /dev/null"
        );
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

fn is_fifo(path: &Path) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(&std::fs::symlink_metadata(path).unwrap().file_type())
}

#[test]
fn a_fifo_is_written_in_place() {
    let dir = tempdir("fifo");
    let fifo = dir.path().join("plan.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (_, expected, _) = run(vrt().args(["graph", TWO_DC]));
    let (code, out, err) = run(vrt().args(["graph", TWO_DC, "-o"]).arg(&fifo));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert_eq!(reader.join().unwrap(), expected);
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    assert_eq!(names(dir.path()), ["plan.fifo"]);
}

#[test]
fn a_link_to_standard_output_writes_to_it_when_it_is_a_pipe_and_is_refused_otherwise() {
    let dir = tempdir("proc-link");
    let link = dir.path().join("out.md");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let (_, expected, _) = run(vrt().args(["ports", TWO_DC]));
    // Standard output is a pipe: the link ends at a FIFO, which is written in place.
    let (code, out, err) = run(vrt().args(["ports", TWO_DC, "-o"]).arg(&link));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    // Standard output is a regular file: the link ends at a file, which is refused.
    let file = dir.path().join("stdout.txt");
    let status = vrt()
        .args(["ports", TWO_DC, "-o"])
        .arg(&link)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&file).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let (code, _, err) = text(&status);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is a symbolic link to the file `/proc/self/fd/1`")
            && err.contains("`-` for standard output"),
        "{err}"
    );
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");
    assert_eq!(names(dir.path()), ["out.md", "stdout.txt"]);
}

#[test]
fn a_link_planted_at_the_target_is_not_followed() {
    let dir = tempdir("planted-target");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let target = dir.path().join("runbook.md");
    std::os::unix::fs::symlink(&victim, &target).unwrap();
    let (code, _, err) = run(vrt()
        .args(["failover", TWO_DC, "--lose", "dc-a", "-o"])
        .arg(&target));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("vrt replaces no file through a link"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&target).unwrap().is_symlink());
    assert_eq!(names(dir.path()), ["runbook.md", "victim"]);
}

#[test]
fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
    // vrt used to write `.NAME.vrt-tmp-PID` beside the output, following a link there. The
    // topology comes on standard input, so the link is planted once the PID is known and
    // before vrt has read its input.
    let dir = tempdir("planted-temp");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let target = dir.path().join("runbook.md");
    let mut child = vrt()
        .args(["failover", "-", "--lose", "dc-a", "-o"])
        .arg(&target)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let planted = dir
        .path()
        .join(format!(".runbook.md.vrt-tmp-{}", child.id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let topology = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(TWO_DC)).unwrap();
    child.stdin.take().unwrap().write_all(&topology).unwrap();
    let (code, _, err) = text(&child.wait_with_output().unwrap());
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&planted).unwrap().is_symlink());
    let (_, expected, _) = run(vrt().args(["failover", TWO_DC, "--lose", "dc-a"]));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        expected.replace("examples/two-datacenters.yaml", "<stdin>")
    );
}

/// Starts `vrt ports - -o DIR/out.txt` with nothing on standard input: it opens its output
/// (the temporary file) first, then waits for its input. Returns the child and the
/// temporary file once it exists.
// The child is returned to the caller, which waits on it; on a timeout it is killed and
// waited on here.
#[allow(clippy::zombie_processes)]
fn writer_waiting_for_input(dir: &Path) -> (std::process::Child, PathBuf) {
    let mut child = vrt()
        .args(["ports", "-", "-o"])
        .arg(dir.join("out.txt"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(tmp) = names(dir).into_iter().find(|n| n.starts_with(".vrt-tmp-")) {
            return (child, dir.join(tmp));
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no temporary file appeared");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_signal_removes_the_temporary_file_and_leaves_the_output_as_it_was() {
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let dir = tempdir("signal");
        std::fs::write(dir.path().join("out.txt"), "old").unwrap();
        let (mut child, tmp) = writer_waiting_for_input(dir.path());
        assert!(tmp.exists());
        // Held open until vrt is dead: waiting on a child closes its standard input, and
        // vrt must die of the signal while it still waits for input.
        let stdin = child.stdin.take();
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .expect("kill");
        assert!(killed.success());
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        assert_eq!(out.status.signal(), Some(number), "{signal}: {out:?}");
        assert_eq!(names(dir.path()), ["out.txt"], "{signal}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out.txt")).unwrap(),
            "old"
        );
    }
}

#[test]
fn init_without_force_never_writes_twice() {
    let dir = tempdir("init-race");
    let path = dir.path().join("topology.vrt.yaml");
    let children: Vec<_> = (0..8)
        .map(|i| {
            let template = if i % 2 == 0 {
                "global"
            } else {
                "two-datacenters"
            };
            vrt()
                .args(["init", "--template", template, "--output"])
                .arg(&path)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let results: Vec<_> = children
        .into_iter()
        .map(|c| text(&c.wait_with_output().unwrap()))
        .collect();
    let wrote: Vec<_> = results.iter().filter(|(code, _, _)| *code == 0).collect();
    assert_eq!(wrote.len(), 1, "{results:?}");
    for (code, _, err) in &results {
        if *code != 0 {
            assert_eq!(*code, 2);
            assert!(
                err.contains("exists; pass --force to overwrite it"),
                "{err}"
            );
        }
    }
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("# Generated by `vrt init --template"));
    assert_eq!(names(dir.path()), ["topology.vrt.yaml"]);
}

#[test]
fn a_closed_standard_output_stops_every_command_quietly_with_141() {
    let mut commands = writers();
    commands.extend([
        vec!["validate", "tests/fixtures/hostile/nul-byte.yaml"],
        vec!["explain"],
        vec!["explain", "VRT101"],
        vec!["schema"],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["--help"],
        vec!["--version"],
        vec!["validate", "--help"],
    ]);
    for args in commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = vrt()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let (code, _, err) = text(&out);
        assert_eq!(code, 141, "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn max_depth_is_capped_at_what_the_parser_can_take() {
    let cap = vrt::yaml::MAX_DEPTH_CAP;
    let (code, help, _) = run(vrt().args(["validate", "--help"]));
    assert_eq!(code, 0);
    assert!(help.contains(&format!("at most {cap}")), "{help}");
    let above = (cap + 1).to_string();
    let (code, out, err) = run(vrt().args(["graph", "--max-depth", &above, TWO_DC]));
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains(&format!("invalid value '{above}' for '--max-depth <N>'")),
        "{err}"
    );
}

/// Nesting that the parser recurses into: a merge-key value and a complex key.
fn deep(shape: &str, depth: usize) -> String {
    let head = "version: 1\nname: deep\nsites: [{name: dc-a}]\n";
    match shape {
        "merge-list" => format!(
            "{head}clusters: [{{name: c0, site: dc-a, role: primary, <<: {}{}}}]\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        "merge-map" => format!(
            "{head}clusters: [{{name: c0, site: dc-a, role: primary, <<: {}1{}}}]\n",
            "{a: ".repeat(depth),
            "}".repeat(depth)
        ),
        "complex-key" => format!(
            "{head}clusters: [{{name: c0, site: dc-a, role: primary}}]\n? {}{}\n: 1\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        _ => unreachable!(),
    }
}

#[test]
fn max_depth_at_the_cap_cannot_overflow_the_stack() {
    // Each of these crashed vrt (stack overflow, exit 134) at 4,000 levels with a raised
    // --max-depth. At the cap, nesting to the cap and past it are findings (exit 1).
    let cap = vrt::yaml::MAX_DEPTH_CAP;
    let dir = tempdir("deep");
    for shape in ["merge-list", "merge-map", "complex-key"] {
        for depth in [cap - 2, cap + 10] {
            let path = dir.path().join(format!("{shape}-{depth}.yaml"));
            std::fs::write(&path, deep(shape, depth)).unwrap();
            let (code, out, err) = run(vrt()
                .args([
                    "validate",
                    "--format",
                    "json",
                    "--max-depth",
                    &cap.to_string(),
                ])
                .arg(&path));
            assert_eq!(code, 1, "{shape} at {depth}: {err}");
            let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
            let codes: Vec<&str> = doc["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap())
                .collect();
            assert!(!codes.is_empty(), "{shape} at {depth}: {out}");
            if depth > cap {
                assert_eq!(codes, ["VRT006"], "{shape} at {depth}");
            }
        }
    }
}

#[test]
fn a_file_over_max_file_size_is_a_located_vrt006_error() {
    let (code, out, err) = run(vrt().args([
        "validate",
        "--format",
        "json",
        "--max-file-size",
        "1000",
        TWO_DC,
    ]));
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["code"], "VRT006");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        f["message"],
        "the file is larger than 1000 bytes, the limit; raise it with `--max-file-size`"
    );
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    // Planners too, and the human rendering names file:1:1.
    let (code, out, err) = run(vrt().args(["ports", "--max-file-size", "1000", TWO_DC]));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("VRT006") && err.contains(&format!("{TWO_DC}:1:1")),
        "{err}"
    );
}

#[test]
fn an_empty_vrt_today_is_unset() {
    let file = "tests/fixtures/suppress/expiry.yaml";
    let (code_unset, unset, _) = run(vrt().args(["validate", file]));
    let (code_empty, empty, err) = run(vrt().env("VRT_TODAY", "").args(["validate", file]));
    assert_eq!(code_empty, code_unset, "{err}");
    assert_eq!(empty, unset);
    assert!(err.is_empty(), "{err}");
    let (code, _, err) = run(vrt()
        .env("VRT_TODAY", "2026-02-30")
        .args(["validate", file]));
    assert_eq!(code, 2, "a bad date is still a usage error");
    assert!(err.contains("2026-02 has 28 days"), "{err}");
}

/// Runs `vrt validate` on a file with errors under a terminal (`script`), with `TERM` set.
fn validate_on_a_terminal(term: &str) -> String {
    let bin = get_cargo_bin("vrt");
    let command = format!(
        "{} validate tests/fixtures/hostile/nul-byte.yaml",
        bin.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", term)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_dumb_terminal_gets_no_colour() {
    if !common::tool_available("script") {
        return;
    }
    let xterm = validate_on_a_terminal("xterm-256color");
    assert!(xterm.contains("VRT001"), "{xterm}");
    assert!(
        xterm.contains('\x1b'),
        "a real terminal is coloured: {xterm:?}"
    );
    let dumb = validate_on_a_terminal("dumb");
    assert!(dumb.contains("VRT001"), "{dumb}");
    assert!(!dumb.contains('\x1b'), "{dumb:?}");
}

#[test]
fn the_input_limits_heading_holds_only_the_limits() {
    for command in [
        "validate",
        "graph",
        "ports",
        "firewall",
        "failover",
        "upgrade-plan",
    ] {
        let (code, help, _) = run(vrt().args([command, "--help"]));
        assert_eq!(code, 0);
        let limits = help.find("Input limits").expect("a limits heading");
        let output = help.find("-o, --output <PATH>").expect("--output");
        let format = help.find("--format <FORMAT>").expect("--format");
        assert!(output < limits && format < limits, "{command}: {help}");
        let after: Vec<&str> = help[limits..]
            .lines()
            .filter(|l| l.trim_start().starts_with("--"))
            .collect();
        assert!(
            after.iter().all(|l| l.trim_start().starts_with("--max-")),
            "{command}: {after:?}"
        );
    }
}
