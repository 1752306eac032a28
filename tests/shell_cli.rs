//! Shell and docs integration: completions and man pages generated from the clap
//! definitions (checked by `bash` and `groff` where installed), examples in every
//! subcommand's `--help`, the pre-commit hook definition, and `vrt explain` marking rules
//! that cannot be suppressed.

mod common;

use std::path::PathBuf;
use std::process::Command;

use clap::CommandFactory;
use common::run;

/// The visible subcommands, from the clap definition itself (so commands added later are
/// covered too).
fn subcommands() -> Vec<String> {
    vrt::cli::Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-shell-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    let names = subcommands();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        let (code, out, _) = run(&[&name, "--help"]);
        assert_eq!(code, 0, "{name}");
        assert!(
            out.contains("Example:") || out.contains("Examples:"),
            "`vrt {name} --help` has no examples:\n{out}"
        );
        assert!(
            out.contains(&format!("vrt {name}")),
            "`vrt {name} --help` examples do not run `vrt {name}`"
        );
    }
}

#[test]
fn completions_are_generated_for_every_shell() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for name in &names {
            assert!(
                out.contains(name.as_str()),
                "{shell} completion lacks `{name}`"
            );
        }
        // Values of options are completed too, where the shell's generator supports it.
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(out.contains("sarif"), "{shell}: --format values");
            assert!(
                out.contains("vmware-active-active"),
                "{shell}: --template values"
            );
        }
    }
    let (code, _, err) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn bash_completion_loads_and_completes_subcommands() {
    if !common::tool_available("bash") {
        return;
    }
    let dir = tempdir("bash");
    let script = dir.join("vrt.bash");
    let (_, out, _) = run(&["completions", "bash"]);
    std::fs::write(&script, out).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Load it and ask for the completions of `vrt gr` and of `vrt init --template `.
    let probe = format!(
        r#"source {script}
complete -p vrt
COMP_WORDS=(vrt gr); COMP_CWORD=1; COMP_LINE="vrt gr"; COMP_POINT=6
_vrt vrt gr vrt
echo "words: ${{COMPREPLY[*]}}"
COMP_WORDS=(vrt init --template ""); COMP_CWORD=3; COMP_LINE="vrt init --template "; COMP_POINT=20
_vrt vrt "" --template
echo "templates: ${{COMPREPLY[*]}}""#,
        script = script.display()
    );
    let out = Command::new("bash").arg("-c").arg(probe).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("-F _vrt vrt"), "{text}");
    assert!(text.contains("words: graph"), "{text}");
    assert!(
        text.contains(
            "templates: two-datacenters aws-regions global vmware-active-active hybrid-onprem-aws"
        ),
        "{text}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_man_page_is_generated_and_renders() {
    let (code, page, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH vrt 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for name in subcommands() {
        assert!(
            page.contains(&format!("vrt\\-{}(1)", name.replace('-', "\\-"))),
            "vrt(1) does not list `{name}`"
        );
    }
    let (code, validate, _) = run(&["man", "validate"]);
    assert_eq!(code, 0);
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        page.contains(&format!(".TH vrt 1  \"vrt {version}\"")),
        "{page}"
    );
    assert!(
        validate.contains(&format!(".TH vrt-validate 1  \"vrt {version}\"")),
        "{validate}"
    );
    assert!(validate.contains("sarif"), "{validate}");
    let (code, _, err) = run(&["man", "frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("vrt has no command `frobnicate`"), "{err}");

    if common::tool_available("groff") {
        let dir = tempdir("groff");
        for (name, text) in [("vrt.1", &page), ("vrt-validate.1", &validate)] {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            // -ww: all warnings; -z: no output, only diagnostics.
            let out = Command::new("groff")
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .arg(&path)
                .output()
                .unwrap();
            let warnings = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && warnings.is_empty(),
                "{name}: {warnings}"
            );
            let rendered = Command::new("groff")
                .args(["-man", "-Tutf8", "-P-cbou"])
                .arg(&path)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&rendered.stdout);
            assert!(text.contains("NAME") && text.contains("SYNOPSIS"), "{text}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn man_output_dir_writes_one_page_per_command() {
    let dir = tempdir("mandir");
    let (code, out, err) = run(&["man", "--output-dir", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut expected: Vec<String> = subcommands().iter().map(|n| format!("vrt-{n}.1")).collect();
    expected.push("vrt.1".into());
    expected.sort();
    assert_eq!(files, expected);
    let (_, graph, _) = run(&["man", "graph"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("vrt-graph.1")).unwrap(),
        graph
    );
    std::fs::remove_dir_all(dir).unwrap();
    let (code, _, err) = run(&["man", "graph", "--output-dir", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

fn manifest(rel: &str) -> PathBuf {
    common::root().join(rel)
}

#[test]
fn the_pre_commit_hook_runs_vrt_validate_on_topology_files() {
    let text = std::fs::read_to_string(manifest(".pre-commit-hooks.yaml")).unwrap();
    let hooks = vrt::yaml::to_json(&text).expect("valid YAML");
    let hook = &hooks[0];
    assert_eq!(hooks.as_array().unwrap().len(), 1);
    assert_eq!(hook["id"], "vrt-validate");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["entry"], "vrt validate");
    // The entry is a real command line: it validates the files pre-commit passes.
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split(' ').collect();
    let (code, _, _) = run(&[
        entry[1],
        "examples/global.yaml",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&[
        entry[1],
        "tests/fixtures/rules/VRT104-replication-cycle.yaml",
    ]);
    assert_eq!(code, 1);

    // `files` is a search pattern (Python `re.search`); JSON Schema's `pattern` has the
    // same unanchored semantics, so the jsonschema crate evaluates it.
    let pattern = hook["files"].as_str().unwrap();
    let validator =
        jsonschema::draft7::new(&serde_json::json!({"type": "string", "pattern": pattern}))
            .expect("the pattern compiles");
    for yes in [
        "prod.vrt.yaml",
        "infra/vault/prod.vrt.yml",
        "topology.yaml",
        "vault/topology-eu.yml",
    ] {
        assert!(validator.is_valid(&yes.into()), "should match {yes}");
    }
    for no in [
        "docker-compose.yaml",
        "prod.vrt.yaml.bak",
        "mytopology.yaml",
        "topology/docker-compose.yaml",
        "README.md",
    ] {
        assert!(!validator.is_valid(&no.into()), "should not match {no}");
    }
}

#[test]
fn explain_says_which_rules_cannot_be_suppressed() {
    for code in ["VRT102", "VRT104", "VRT001", "VRT023"] {
        let (_, out, _) = run(&["explain", code]);
        let first = out.lines().next().unwrap();
        assert!(first.ends_with(", not suppressible)"), "{first}");
        assert!(
            out.contains("Not possible: an `ignore` entry naming"),
            "{out}"
        );
    }
    let (_, out, _) = run(&["explain", "VRT401"]);
    assert!(out.lines().next().unwrap().ends_with("(warning)"));
    assert!(
        out.contains("  - {rule: VRT401, cluster: <cluster>, reason:"),
        "{out}"
    );
    let (_, table, _) = run(&["explain"]);
    let row = table
        .lines()
        .find(|l| l.contains("replication-cycle"))
        .unwrap();
    assert!(row.contains(" no "), "{row}");
}
