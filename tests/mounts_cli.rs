//! `vrt mounts`: placement before and after a loss in every format, and the errors for
//! mount values that could carry markup or control characters into an output.

mod common;

#[test]
fn global_placement_keeps_us_data_in_dallas() {
    let (code, out, err) = common::run(&["mounts", "--format", "json", "examples/global.yaml"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let held = |path: &str| common::held_by(&doc, path);
    assert_eq!(held("secret-us/"), ["dallas-primary", "dallas-dr"]);
    assert_eq!(held("secret-eu/"), ["london-perf", "london-dr"]);
    assert_eq!(
        held("secret/"),
        [
            "dallas-primary",
            "dallas-dr",
            "london-perf",
            "sydney-perf",
            "london-dr",
            "sydney-dr"
        ]
    );
    assert!(doc["after_loss"].is_null());
}

#[test]
fn after_loss_moves_lost_holders_and_marks_lost_data() {
    let (code, out, err) = common::run(&[
        "mounts",
        "--format",
        "csv",
        "--after-loss",
        "site:dallas",
        "examples/global.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "mount,type,cluster,scope,regions,held_by,lost_with,note"
    );
    assert!(
        lines.contains(&"secret-us/,kv,dallas-primary,shared,dallas,,dallas-primary;dallas-dr,"),
        "{out}"
    );
    assert!(
        lines.contains(&"secret-eu/,kv,london-perf,local,london,london-perf;london-dr,,"),
        "{out}"
    );
    let (_, table, _) = common::run(&[
        "mounts",
        "--after-loss",
        "site:dallas",
        "examples/global.yaml",
    ]);
    assert!(table.contains("NONE: data lost"), "{table}");
    assert!(table.contains("lost with"), "{table}");
}

#[test]
fn unknown_loss_target_is_a_usage_error() {
    let (code, _, err) =
        common::run(&["mounts", "--after-loss", "nowhere", "examples/global.yaml"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn markdown_has_one_row_per_mount() {
    let (code, out, _) = common::run(&["mounts", "--format", "markdown", "examples/global.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2 + 4, "{out}");
}

#[test]
fn hostile_mount_values_are_located_errors() {
    let (code, out, err) = common::run(&["mounts", "tests/fixtures/mounts/hostile.yaml"]);
    assert_eq!(code, 1, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("hostile.yaml:6:"), "{all}");
    assert!(all.contains("hostile.yaml:7:"), "{all}");
    assert!(!all.contains('\u{1b}'), "{all:?}");
}

#[test]
fn the_sample_outputs_in_docs_mounts_are_real_output() {
    let doc = std::fs::read_to_string(common::root().join("docs/mounts.md")).unwrap();
    let mut samples = 0;
    for block in doc.split("```console\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let (command, shown) = block.split_once('\n').unwrap();
        let args: Vec<&str> = command
            .strip_prefix("$ vrt ")
            .unwrap()
            .split_whitespace()
            .collect();
        let (code, out, err) = common::run(&args);
        assert_eq!(code, 0, "{command}: {err}");
        assert_eq!(out, shown, "{command}: the docs show other output");
        samples += 1;
    }
    assert_eq!(samples, 2);
}
