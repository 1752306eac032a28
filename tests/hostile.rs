//! Hostile and broken input: every file of `tests/fixtures/hostile/` ends in a clear, located
//! error or a clean pass, and so do the inputs too big to commit (a 50 MB file, a 10 MB line,
//! /dev/zero, a FIFO), which are generated here into the target's temporary directory.
//! Everything runs under a watchdog: "bounded time" means finishing well inside
//! [`WATCHDOG`] even in a debug build on a busy machine; speed itself is measured by
//! `cargo bench`.

mod common;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use vrt::diag::{Finding, Severity};
use vrt::source::Source;
use vrt::yaml::Limits;

/// The longest any one hostile input may take.
const WATCHDOG: Duration = Duration::from_secs(90);

/// What a corpus file must produce.
#[derive(Debug)]
enum Expect {
    /// No errors (warnings and notes allowed).
    Clean,
    /// The first error: its code, line and column.
    Error(&'static str, usize, usize),
}

use Expect::{Clean, Error};

/// Every file of the corpus and what it must produce.
const CORPUS: &[(&str, Expect)] = &[
    ("alias-bomb-nodes.yaml", Error("VRT006", 1990, 5)),
    ("alias-recursive.yaml", Error("VRT001", 8, 5)),
    ("alias-undefined.yaml", Error("VRT001", 8, 85)),
    ("anchors-reused.yaml", Clean),
    ("bom-inside.yaml", Error("VRT001", 9, 1)),
    ("bom-utf16le.yaml", Error("VRT001", 1, 1)),
    // The BOM is not a column: `2` is the tenth character of `version: 2`.
    ("bom-utf8-error.yaml", Error("VRT007", 1, 10)),
    ("bom-utf8.yaml", Clean),
    ("bools-and-nulls-for-strings.yaml", Error("VRT004", 7, 24)),
    ("control-escaped.yaml", Error("VRT010", 10, 39)),
    ("control-raw.yaml", Error("VRT001", 9, 14)),
    // Old Mac line ends count as lines, as they do for the YAML parser.
    ("cr-only.yaml", Error("VRT010", 10, 39)),
    ("crlf-syntax.yaml", Error("VRT001", 10, 39)),
    ("crlf.yaml", Error("VRT010", 10, 39)),
    ("deep-nesting-10000-block.yaml", Error("VRT004", 6, 3)),
    ("deep-nesting-10000.yaml", Error("VRT004", 5, 14)),
    ("document-after-end.yaml", Error("VRT001", 10, 1)),
    ("explicit-document.yaml", Clean),
    ("floats-for-integers.yaml", Error("VRT004", 1, 10)),
    ("huge-integer.yaml", Error("VRT004", 7, 57)),
    ("invalid-utf8.yaml", Error("VRT001", 9, 17)),
    ("json-topology.yaml", Clean),
    ("list-at-top.yaml", Error("VRT004", 1, 1)),
    ("lists-for-strings.yaml", Error("VRT004", 7, 29)),
    ("long-key.yaml", Error("VRT001", 9, 1)),
    ("long-name.yaml", Error("VRT004", 8, 12)),
    ("mappings-for-lists.yaml", Error("VRT004", 4, 25)),
    ("merge-keys-bad-value.yaml", Error("VRT004", 6, 63)),
    ("merge-keys.yaml", Clean),
    ("nul-byte.yaml", Error("VRT001", 9, 20)),
    ("numbers-for-strings.yaml", Error("VRT004", 5, 12)),
    ("only-bom.yaml", Error("VRT001", 1, 1)),
    ("only-whitespace.yaml", Error("VRT001", 1, 1)),
    ("scalar-at-top.yaml", Error("VRT004", 1, 1)),
    ("second-document-empty.yaml", Error("VRT001", 9, 1)),
    ("strings-for-numbers.yaml", Error("VRT004", 7, 57)),
    ("tab-indentation.yaml", Error("VRT001", 10, 2)),
    ("tab-separators.yaml", Clean),
    ("tags-binary.yaml", Clean),
    ("tags-foreign.yaml", Error("VRT001", 9, 46)),
    ("tags-mismatched.yaml", Error("VRT004", 7, 63)),
    ("tags-standard.yaml", Clean),
    ("unicode-names.yaml", Error("VRT004", 3, 16)),
    ("yes-no-booleans.yaml", Error("VRT004", 11, 69)),
];

/// Runs `f` on another thread and fails the test if it takes longer than [`WATCHDOG`].
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not finish within {WATCHDOG:?}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// Reads bytes as `vrt validate` does and validates them, under the watchdog.
fn check_bytes(name: &str, bytes: Vec<u8>, limits: Limits) -> (Source, Vec<Finding>) {
    let name = name.to_string();
    within(&name.clone(), move || {
        let (source, not_utf8) = vrt::load::decode(name, bytes);
        let findings = match not_utf8 {
            Some(f) => vec![f],
            None => vrt::validate(&source, limits, |_| true).findings,
        };
        (source, findings)
    })
}

/// Every label lies inside the text, on a line and column that exist.
fn assert_located(source: &Source, findings: &[Finding]) {
    for f in findings {
        for label in std::iter::once(&f.primary).chain(&f.related) {
            assert!(
                label.span.end() <= source.text.len(),
                "{}: {} points past the end",
                source.name,
                f.message
            );
            let (start, end) = source.range(label.span);
            assert!(
                start.line >= 1 && end.line <= source.line_count(),
                "{}: {}",
                source.name,
                f.message
            );
        }
    }
}

fn first_error(source: &Source, findings: &[Finding]) -> Option<(&'static str, usize, usize)> {
    findings
        .iter()
        .find(|f| f.severity == Severity::Error)
        .map(|f| {
            let p = source.position(f.primary.span.offset);
            (f.rule.code, p.line, p.column)
        })
}

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/hostile").join(name)
}

#[test]
fn the_corpus_is_exactly_the_files_on_disk() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let listed: Vec<String> = CORPUS.iter().map(|(n, _)| (*n).to_string()).collect();
    assert_eq!(on_disk, listed);
}

#[test]
fn every_hostile_file_ends_in_a_located_error_or_a_clean_pass() {
    for (name, expect) in CORPUS {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let display = format!("tests/fixtures/hostile/{name}");
        let (source, findings) = check_bytes(&display, bytes, Limits::default());
        assert_located(&source, &findings);
        let first = first_error(&source, &findings);
        match expect {
            Clean => assert_eq!(first, None, "{name}"),
            Error(code, line, column) => {
                assert_eq!(first, Some((*code, *line, *column)), "{name}");
            }
        }
        insta::assert_snapshot!(
            format!("hostile@{name}"),
            common::rendered(&source, &findings)
        );
    }
}

/// The text of the one finding of `bytes` under `limits` (it must be VRT006).
fn limit_message(bytes: &[u8], limits: Limits) -> String {
    let (_, findings) = check_bytes("limits.yaml", bytes.to_vec(), limits);
    let limit: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.code == "VRT006")
        .collect();
    assert_eq!(limit.len(), 1, "{findings:#?}");
    limit[0].message.clone()
}

fn no_limit_error(bytes: &[u8], limits: Limits) {
    let (_, findings) = check_bytes("limits.yaml", bytes.to_vec(), limits);
    assert!(
        findings.iter().all(|f| f.rule.code != "VRT006"),
        "{findings:#?}"
    );
}

#[test]
fn each_limit_stops_input_beyond_it_and_names_its_flag() {
    let global = std::fs::read(common::root().join("examples/global.yaml")).unwrap();
    let defaults = Limits::default();

    let depth = Limits {
        max_depth: 3,
        ..defaults
    };
    let m = limit_message(&global, depth);
    assert!(
        m.contains("deeper than 3 levels") && m.contains("--max-depth"),
        "{m}"
    );
    no_limit_error(&global, defaults);

    let nodes = Limits {
        max_nodes: 100,
        ..defaults
    };
    let m = limit_message(&global, nodes);
    assert!(
        m.contains("more than 100 YAML nodes") && m.contains("--max-nodes"),
        "{m}"
    );

    let anchors = std::fs::read(fixture("anchors-reused.yaml")).unwrap();
    let aliases = Limits {
        max_aliases: 50,
        ..defaults
    };
    let m = limit_message(&anchors, aliases);
    assert!(
        m.contains("more than 50 times") && m.contains("--max-aliases"),
        "{m}"
    );
    no_limit_error(&anchors, defaults);

    let merge = std::fs::read(fixture("merge-keys.yaml")).unwrap();
    let m = limit_message(
        &merge,
        Limits {
            max_aliases: 0,
            ..defaults
        },
    );
    assert!(m.contains("--max-aliases"), "{m}");
    no_limit_error(&merge, defaults);

    let lists = Limits {
        max_list_entries: 5,
        ..defaults
    };
    let m = limit_message(&global, lists);
    assert_eq!(
        m,
        "`clusters` has more than 5 entries, the limit; raise it with `--max-list-entries`"
    );

    let file_size = Limits {
        max_file_size: 100,
        ..defaults
    };
    let m = limit_message(&global, file_size);
    assert!(m.contains("--max-file-size"), "{m}");
}

#[test]
fn the_alias_bomb_loads_once_the_node_limit_is_raised() {
    let bomb = std::fs::read(fixture("alias-bomb-nodes.yaml")).unwrap();
    let raised = Limits {
        max_nodes: 2_100_000,
        ..Limits::default()
    };
    let (source, findings) = check_bytes("alias-bomb-nodes.yaml", bomb, raised);
    assert!(findings.iter().all(|f| f.rule.code != "VRT006"));
    // Every cluster is the same `*c`: the errors are now about the file's content.
    assert!(findings.iter().any(|f| f.rule.code == "VRT011"));
    assert_located(&source, &findings);
}

#[test]
fn more_aliases_than_the_default_limit_are_refused() {
    let mut text =
        String::from("version: 1\nname: aliases\nsites:\n  - name: dc-a\n    zones: [&z a1, ");
    text.push_str(&"*z, ".repeat(100_001));
    text.push_str("a2]\nclusters: [{name: primary-a, site: dc-a, role: primary}]\n");
    let m = limit_message(text.as_bytes(), Limits::default());
    assert!(
        m.contains("more than 100000 times") && m.contains("--max-aliases"),
        "{m}"
    );
}

#[test]
#[ignore = "slow: 16 s in a debug build, a minute on a busy machine; CI runs it (--include-ignored)"]
fn pathological_structures_validate_in_bounded_time_and_output() {
    let n = 10_000;
    let head =
        "version: 1\nname: t\nsites: [{name: a, zones: [z1, z2, z3]}, {name: b}]\nclusters:\n";
    let mut shapes = Vec::new();
    // A DR chain (each replicating from the last), whose token sets are quadratic in total.
    let mut t = format!("{head}  - {{name: c0, site: a, role: primary, version: 1.17.0}}\n");
    for i in 1..n {
        let _ = writeln!(
            t,
            "  - {{name: c{i}, site: a, role: dr-secondary, replicates_from: c{}, version: 1.{}.0}}",
            i - 1,
            17 + i % 2
        );
    }
    shapes.push(("dr-chain", t));
    // One replication cycle through every cluster, with mixed versions.
    let mut t = head.to_string();
    for i in 0..n {
        let _ = writeln!(
            t,
            "  - {{name: c{i}, site: a, role: dr-secondary, replicates_from: c{}, version: 1.{}.0}}",
            (i + 1) % n,
            17 + i % 2
        );
    }
    shapes.push(("cycle", t));
    // A cascade of performance secondaries.
    let mut t = format!("{head}  - {{name: c0, site: a, role: primary}}\n");
    for i in 1..n {
        let _ = writeln!(
            t,
            "  - {{name: c{i}, site: b, role: performance-secondary, replicates_from: c{}}}",
            i - 1
        );
    }
    shapes.push(("cascade", t));
    // Every cluster names a site that does not exist, among 5,000 sites.
    let mut t = String::from("version: 1\nname: t\nsites:\n");
    for i in 0..n / 2 {
        let _ = writeln!(t, "  - {{name: s{i}}}");
    }
    t += "clusters:\n";
    for i in 0..n {
        let _ = writeln!(t, "  - {{name: c{i}, site: x{i}, role: primary}}");
    }
    shapes.push(("unknown-sites", t));
    for (name, text) in shapes {
        let rendered = within(name, move || {
            let source = Source::new(name, text);
            let vrt::Validation { findings, .. } =
                vrt::validate(&source, Limits::default(), |_| true);
            assert_located(&source, &findings);
            let out = common::rendered(&source, &findings);
            (findings.len(), out.len())
        });
        let (findings, bytes) = rendered;
        // Findings grow with the clusters (a few rules per cluster, e.g. VRT102, VRT107 and
        // VRT303 on a cycle of DR secondaries with alternating versions) and output with the
        // findings, never with their square.
        assert!(findings <= 3 * n, "{name}: {findings} findings");
        assert!(bytes < 2_000 * findings, "{name}: {bytes} bytes");
    }
}

// The inputs below are generated: they are too big to commit.

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs the `vrt` binary under the watchdog: exit code, stdout, stderr.
fn vrt(args: &[&str]) -> (i32, String, String) {
    let mut child = common::vrt()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    // Drain both pipes while waiting, so that a large output cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > WATCHDOG {
            let _ = child.kill();
            panic!(
                "`vrt {}` did not finish within {WATCHDOG:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    )
}

#[test]
fn a_50_mb_file_stops_at_the_node_limit_or_before_reading() {
    let path = scratch("fifty-megabytes.yaml");
    let text = vrt::synthetic::topology_yaml(33_000);
    assert!(text.len() > 50_000_000, "{} bytes", text.len());
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();

    let (code, out, _) = vrt(&["validate", "--format", "json", p]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{out}");
    let f = &findings[0];
    assert_eq!(f["code"], "VRT006");
    assert!(
        f["message"].as_str().unwrap().contains("--max-nodes"),
        "{f}"
    );
    assert!(f["line"].as_u64().unwrap() > 1, "{f}");

    let (code, out, err) = vrt(&["validate", "--max-file-size", "10000000", p]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("the file is larger than 10000000 bytes") && out.contains("--max-file-size"),
        "{out}"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
#[ignore = "slow: 16 s in a debug build, a minute on a busy machine; CI runs it (--include-ignored)"]
fn a_single_10_mb_line_gets_a_located_error_and_a_short_snippet() {
    // A minified JSON topology: one line of more than 10 MB, with one bad reference near
    // its end.
    let yaml = vrt::synthetic::topology_yaml(7_000);
    let value = vrt::yaml::to_json(&yaml).unwrap();
    let mut line = serde_json::to_string(&value).unwrap();
    assert!(line.len() > 10_000_000, "{} bytes", line.len());
    let needle = "\"cluster\":\"vault-6999\"";
    let at = line.rfind(needle).unwrap() + "\"cluster\":".len();
    line.replace_range(at..at + "\"vault-6999\"".len(), "\"vault-7000\"");
    let path = scratch("ten-megabyte-line.json");
    std::fs::write(&path, &line).unwrap();
    let p = path.to_str().unwrap();

    let (code, out, _) = vrt(&["validate", "--format", "json", p]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["code"], "VRT010", "{out}");
    assert_eq!(f["line"], 1);
    // Columns count characters from 1; the text is ASCII.
    assert_eq!(f["column"].as_u64(), Some(at as u64 + 1));

    let (code, out, _) = vrt(&["validate", p]);
    assert_eq!(code, 1);
    assert!(out.contains(&format!(":1:{}]", at + 1)), "{out}");
    assert!(out.contains("vault-7000"), "{out}");
    assert!(
        out.len() < 4_000,
        "the snippet is a window, not the line: {out}"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn dev_zero_stops_at_the_size_limit() {
    let (code, out, _) = vrt(&["validate", "--max-file-size", "1000", "/dev/zero"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("/dev/zero:1:1") && out.contains("the file is larger than 1000 bytes"),
        "{out}"
    );
    // With the default limit it reads 64 MiB and stops.
    let (code, out, _) = vrt(&["validate", "/dev/zero"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("the file is larger than 67108864 bytes"),
        "{out}"
    );
}

#[test]
fn a_directory_is_refused() {
    let (code, _, err) = vrt(&["validate", "tests/fixtures/hostile"]);
    assert_eq!(code, 2);
    assert!(err.contains("is a directory"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_without_a_writer_is_an_error_not_a_hang() {
    if !common::tool_available("mkfifo") {
        return;
    }
    let path = scratch("no-writer.fifo");
    let _ = std::fs::remove_file(&path);
    let made = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success());
    let (code, _, err) = vrt(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a FIFO and nothing wrote to it"), "{err}");
    std::fs::remove_file(&path).unwrap();
}

#[cfg(unix)]
#[test]
fn process_substitution_is_read_like_a_file() {
    if !common::tool_available("bash") {
        return;
    }
    // `vrt validate <(cat examples/global.yaml)`: the path is a pipe whose writer is there.
    let out = common::in_fixed_environment(Command::new("bash").args([
        "-c",
        "exec \"$0\" validate --format json <(cat examples/global.yaml)",
        env!("CARGO_BIN_EXE_vrt"),
    ]))
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["summary"]["errors"], 0);
}
