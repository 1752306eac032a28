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

/// The pages a newcomer reads, relative to the crate root.
fn pages() -> Vec<String> {
    let mut pages = vec!["README.md".to_string(), "CONTRIBUTING.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(common::root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|x| x == "md")
        })
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// Samples compared line by line by a test of their own (the runbook omits its sources).
const CHECKED_ELSEWHERE: [&str; 3] = [
    "vrt failover examples/two-datacenters.yaml --lose dc-a",
    "vrt failover examples/two-datacenters.yaml --all",
    "vrt upgrade-plan examples/two-datacenters.yaml",
];

/// Whether `shown` is `real` with elisions: a line `...` or `…` stands for any number of
/// lines (none included); every other line must be there, in order, exactly.
fn matches(shown: &[&str], real: &[&str]) -> bool {
    match shown.split_first() {
        None => real.is_empty(),
        Some((first, rest)) if matches!(first.trim(), "..." | "…") => {
            (0..=real.len()).any(|skip| matches(rest, &real[skip..]))
        }
        Some((first, rest)) => real
            .split_first()
            .is_some_and(|(line, more)| line.trim_end() == first.trim_end() && matches(rest, more)),
    }
}

#[test]
fn every_console_sample_in_the_docs_is_real_output() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_vrt"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        for block in text.split("```console\n").skip(1) {
            let block = block.split("```").next().unwrap();
            let mut lines = block.lines();
            let command = lines
                .next()
                .and_then(|l| l.strip_prefix("$ "))
                .unwrap_or_else(|| panic!("{page}: a console block opens with `$ command`"));
            let shown: Vec<&str> = lines.collect();
            if CHECKED_ELSEWHERE.contains(&command) {
                continue;
            }
            assert!(
                command.starts_with("vrt "),
                "{page}: `{command}` is not vrt"
            );
            let out = common::in_fixed_environment(
                std::process::Command::new("sh").args(["-c", command]),
            )
            .env("PATH", &path)
            .output()
            .unwrap();
            let real = String::from_utf8_lossy(&out.stdout).into_owned();
            let real: Vec<&str> = real.lines().collect();
            assert!(
                matches(&shown, &real),
                "{page}: the sample of `{command}` is not its output:\n{}",
                real.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked} samples");
}

#[test]
fn every_topology_sample_in_the_docs_loads() {
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        for block in text.split("```yaml\n").skip(1) {
            let block = block.split("```").next().unwrap();
            if !block.contains("\nclusters:") {
                continue; // a fragment (an `ignore` entry, a CI job), not a topology
            }
            let source = vrt::source::Source::new(page.clone(), block.to_string());
            if let Err(findings) = vrt::topology(&source, vrt::yaml::Limits::default()) {
                panic!("{page}: {}", common::rendered(&source, &findings));
            }
            checked += 1;
        }
    }
    assert!(checked >= 1, "{checked} topology samples");
}
