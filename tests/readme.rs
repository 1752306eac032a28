//! The README stays true: its first commands are the ones CI runs, and its rules table lists
//! every rule with its severity.

mod common;

fn read(path: &str) -> String {
    std::fs::read_to_string(common::root().join(path)).unwrap()
}

#[test]
fn readme_starts_with_the_two_setup_commands_and_ci_runs_the_test_one() {
    let readme = read("README.md");
    let block: Vec<&str> = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a sh code block near the top")
        .lines()
        .collect();
    assert_eq!(block.len(), 2, "two commands: {block:?}");
    assert!(block[0].contains("validate examples/"), "{}", block[0]);
    let ci = read(".ci/run");
    let last = ci
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .expect(".ci/run has commands");
    assert_eq!(
        last.trim(),
        block[1],
        ".ci/run must end with the README's test command"
    );
    assert!(
        readme.find("```sh").unwrap() < 200,
        "the commands open the README"
    );
}

#[test]
fn readme_lists_every_rule() {
    let readme = read("README.md");
    for rule in vrt::rules::all() {
        let row = format!(
            "| {} | {} | {}",
            rule.code,
            rule.name,
            rule.severity.as_str()
        );
        assert!(readme.contains(&row), "README lacks `{row}`");
    }
}

#[test]
fn changelog_lists_every_rule() {
    let changelog = read("CHANGELOG.md")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for rule in vrt::rules::all() {
        let entry = format!("{} `{}`", rule.code, rule.name);
        assert!(changelog.contains(&entry), "CHANGELOG lacks {entry}");
    }
}
