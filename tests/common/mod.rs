//! The one harness of the integration tests (`mod common;` in each test file): the crate
//! root, the `vrt` binary in a fixed environment, the examples and fixtures on disk, the
//! `# expect:` markers of fixtures, rendering as snapshots store it, and external tools.

#![allow(dead_code)]
// Tests may tell the developer why they skipped.
#![allow(clippy::print_stderr)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use vrt::diag::Finding;
use vrt::report::FileReport;
use vrt::report::human::{Style, render};
use vrt::source::Source;

/// Reads a fixture into a source named by its path relative to the crate root.
pub fn source(path: &std::path::Path) -> Source {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rel = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    Source::new(rel, text)
}

/// Renders findings the way snapshots store them: no colour, no links, 80 columns.
pub fn rendered(source: &Source, findings: &[Finding]) -> String {
    let mut out = Vec::new();
    render(
        &mut out,
        &[FileReport { source, findings }],
        Style {
            color: false,
            width: 80,
        },
    )
    .expect("rendering to memory cannot fail");
    String::from_utf8(out).expect("miette renders UTF-8")
}

/// Whether an external tool (`nft`, `iptables-restore`, `dot`) is installed. When it is not,
/// the test is skipped with a message — unless `VRT_REQUIRE_TOOLS=1` (set by `.ci/run`),
/// where a missing tool fails the test.
pub fn tool_available(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        || ["/usr/sbin", "/sbin"]
            .iter()
            .any(|d| std::path::Path::new(d).join(name).is_file());
    if !found {
        assert!(
            std::env::var("VRT_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "`{name}` is required (VRT_REQUIRE_TOOLS=1) but not installed"
        );
        eprintln!("skipping: `{name}` is not installed (set VRT_REQUIRE_TOOLS=1 to fail instead)");
    }
    found
}

/// The crate root: every path a test names is relative to it, and `vrt` runs in it.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Variables of the caller's environment that change what `vrt` prints: the default format
/// under GitHub Actions, the injected date of suppressions, colour and graphics switches of
/// miette, and the terminal size clap wraps help to.
const AMBIENT: [&str; 9] = [
    "GITHUB_ACTIONS",
    "VRT_TODAY",
    "NO_GRAPHICS",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "TERM",
];

/// The `vrt` binary, run in the crate root, with none of the [`AMBIENT`] variables of the
/// caller and `NO_COLOR=1`: every test sees the same output whatever shell or CI runs it. A
/// test that needs one of them sets it on the returned command.
pub fn vrt() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vrt"));
    in_fixed_environment(&mut cmd);
    cmd
}

/// Runs `cmd` (`vrt`, or a shell that runs it) in the crate root, without the [`AMBIENT`]
/// variables and with `NO_COLOR=1`.
pub fn in_fixed_environment(cmd: &mut Command) -> &mut Command {
    cmd.current_dir(root());
    for var in AMBIENT {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1")
}

/// Runs a command to completion: its exit code, standard output and standard error.
pub fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("vrt runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// Runs `vrt` with `args`: exit code, standard output, standard error.
pub fn run(args: &[&str]) -> (i32, String, String) {
    output(vrt().args(args))
}

/// Runs `cmd` with `input` on its standard input; returns its status and output. The input
/// is written from a thread while the output is read, so a command that answers before it
/// has read everything cannot stall on a full pipe.
pub fn piped(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?} runs: {e}"));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("the command ends");
    writer
        .join()
        .expect("the writer ends")
        .unwrap_or_else(|e| panic!("{cmd:?} reads its input: {e}"));
    out
}

/// Runs `vrt` with `args` and `input` on its standard input.
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let out = piped(vrt().args(args), input);
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// The `.yaml` files of `dir` (relative to the crate root), as relative paths, sorted.
pub fn yaml_files(dir: &str) -> Vec<String> {
    let entries = std::fs::read_dir(root().join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
    let mut out: Vec<String> = entries
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .to_string()
        })
        .filter(|n| Path::new(n).extension().is_some_and(|x| x == "yaml"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    out.sort();
    out
}

/// The five reference topologies of `examples/`, as relative paths, sorted.
pub fn examples() -> Vec<String> {
    let out = yaml_files("examples");
    assert_eq!(out.len(), 5, "the five reference topologies");
    out
}

/// The findings a fixture announces, as sorted (line, code) pairs: `# expect: CODE[, CODE]`
/// at the end of the line a finding points at, or `# expect-at: LINE CODE` (a whole comment
/// line) for errors whose line cannot carry a comment.
pub fn expect_markers(text: &str) -> Vec<(usize, String)> {
    let mut expected = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.split("# expect: ").nth(1) {
            for code in rest.split(',') {
                expected.push((i + 1, code.trim().to_string()));
            }
        }
        if let Some(rest) = line.strip_prefix("# expect-at: ") {
            let (l, c) = rest
                .trim()
                .split_once(' ')
                .expect("`# expect-at: LINE CODE`");
            expected.push((l.parse().expect("line number"), c.trim().to_string()));
        }
    }
    expected.sort();
    expected
}

/// Every YAML input of the CI-format tests: the examples and the rule, structural and
/// suppression fixtures, sorted.
pub fn all_inputs() -> Vec<String> {
    let mut out: Vec<String> = [
        "examples",
        "tests/fixtures/rules",
        "tests/fixtures/structural",
        "tests/fixtures/suppress",
    ]
    .into_iter()
    .flat_map(yaml_files)
    .collect();
    out.sort();
    out
}

/// The clusters `vrt mounts --format json` says hold the mount at `path`.
pub fn held_by(doc: &serde_json::Value, path: &str) -> Vec<String> {
    doc["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["path"] == path)
        .unwrap()["held_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Asserts that the committed JSON Schema at `path` (from the crate root) is `schema`
/// pretty-printed with a final newline; with `VRT_WRITE_SCHEMAS=1` it is rewritten first.
/// `rerun` is the command the failure message tells the developer to run.
pub fn assert_committed_schema(path: &str, schema: &serde_json::Value, rerun: &str) {
    let generated = serde_json::to_string_pretty(schema).unwrap() + "\n";
    let file = root().join(path);
    if std::env::var("VRT_WRITE_SCHEMAS").as_deref() == Ok("1") {
        std::fs::write(&file, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is stale: run `VRT_WRITE_SCHEMAS=1 {rerun}`"
    );
}

/// Runs Graphviz's `dot -T<format>` on `input`; returns what it prints. Any warning on
/// stderr fails, with the input shown.
pub fn graphviz(format: &str, input: &str) -> Vec<u8> {
    let out = piped(
        Command::new("dot").arg(format!("-T{format}")),
        input.as_bytes(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.is_empty(), "{err}\n{input}");
    out.stdout
}

/// `vrt diff ARGS` in `dir`, in the fixed environment and on a fixed date (2026-12-01).
pub fn diff_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    output(
        vrt()
            .current_dir(dir)
            .env("VRT_TODAY", "2026-12-01")
            .arg("diff")
            .args(args),
    )
}

/// Asserts that a sweep row lists what its failure adds to the clusters without DR before
/// any failure: its runbook's `without_dr` less [`vrt::failover::Sweep::without_dr_before`].
/// The sweep finds them from what the failure changes; the runbook recomputes every cluster
/// after the failure.
pub fn assert_row_adds_to_without_dr(
    sweep: &vrt::failover::Sweep,
    row: &vrt::failover::SweepRow<'_>,
    plan: &vrt::failover::Plan,
) {
    let added: Vec<_> = plan
        .without_dr
        .iter()
        .copied()
        .filter(|c| !sweep.without_dr_before().contains(c))
        .collect();
    assert_eq!(row.without_dr, added, "{}", plan.scenario.label);
}
