//! The planners agree with each other: the performance secondary that `vrt ports` pre-opens
//! paths to for a site loss (standby flows) is the one `vrt failover` promotes for that loss.

mod common;

use vrt::failover::{self, RecoveryPath};
use vrt::graph::Failure;
use vrt::spec::Role;
use vrt::yaml::Limits;

#[test]
fn the_pre_opened_promotion_candidate_is_the_one_the_runbook_promotes() {
    let root = common::root();
    let mut checked = 0;
    for dir in [
        "examples",
        "tests/fixtures/rules",
        "tests/fixtures/failover",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let source = common::source(&path);
            let Ok(t) = vrt::topology(&source, Limits::default()) else {
                continue;
            };
            for primary in t.cluster_ids().filter(|c| t.role(*c) == Role::Primary) {
                let Some(candidate) = t.performance_promotion_candidate(primary) else {
                    continue;
                };
                let Ok(plan) = failover::plan(&t, &Failure::Site(t.site_of(primary))) else {
                    continue;
                };
                let recovery = plan
                    .recoveries
                    .iter()
                    .find(|r| r.lost == primary)
                    .expect("the lost primary has a recovery");
                assert_eq!(
                    recovery.path,
                    RecoveryPath::PerformancePromotion,
                    "{}: {}",
                    source.name,
                    t.name(primary)
                );
                assert_eq!(
                    recovery.to.map(|c| t.name(c)),
                    Some(t.name(candidate)),
                    "{}: standby paths are pre-opened to another cluster than the runbook promotes",
                    source.name
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "{checked}");
}

/// Every topology the consistency properties run over: the examples, the rule and failover
/// fixtures that load, and every `vrt init` template with its default sites.
fn every_topology() -> Vec<(String, vrt::graph::Topology)> {
    let root = common::root();
    let mut out = Vec::new();
    for dir in [
        "examples",
        "tests/fixtures/rules",
        "tests/fixtures/failover",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let source = common::source(&path);
            if let Ok(t) = vrt::topology(&source, Limits::default()) {
                out.push((source.name.clone(), t));
            }
        }
    }
    for template in vrt::templates::Template::ALL {
        let text = vrt::templates::render(template, &vrt::templates::Params::default()).unwrap();
        let source = vrt::source::Source::new(template.name(), text);
        let t = vrt::topology(&source, Limits::default()).expect("templates load");
        out.push((template.name().to_string(), t));
    }
    out
}

/// The first name in backticks in `text`.
fn first_quoted(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let len = text[start..].find('`')?;
    Some(&text[start..start + len])
}

#[test]
fn no_failover_promotes_or_moves_clients_across_environments() {
    let mut recoveries = 0;
    for (name, t) in every_topology() {
        for failure in t.single_failures() {
            let Ok(plan) = failover::plan(&t, &failure) else {
                continue;
            };
            for r in &plan.recoveries {
                for to in r.to.iter().chain(r.via.iter()).chain(&r.candidates) {
                    assert_eq!(
                        t.environment(r.lost),
                        t.environment(*to),
                        "{name}: {failure:?}: `{}` would take over from `{}`",
                        t.name(*to),
                        t.name(r.lost)
                    );
                }
                recoveries += 1;
            }
            for c in &plan.clients {
                if let Some(to) = c.to {
                    assert_eq!(t.environment(c.cluster), t.environment(to), "{name}");
                }
            }
        }
    }
    assert!(recoveries > 100, "{recoveries}");
}

/// For every scenario VRT301 and VRT304 report (every site and region loss, every cluster
/// loss), the help names the cluster `vrt failover` promotes or moves the clients to, and it
/// is of the lost cluster's environment (the fixtures `environments.yaml`, `fallback.yaml`
/// and VRT302's mix environments in one replication set).
#[test]
fn validate_and_failover_name_the_same_successor() {
    let mut checked = 0;
    for (name, t) in every_topology() {
        let findings = vrt::rules::run(&t, |r| matches!(r.code, "VRT301" | "VRT304"));
        for f in findings {
            let cluster = f.cluster.expect("the finding names its cluster");
            let failure = if f.rule.code == "VRT304" {
                Failure::Cluster(cluster)
            } else {
                let what = f.message.strip_prefix("losing ").unwrap();
                let (kind, rest) = what.split_once(' ').unwrap();
                let place = first_quoted(rest).unwrap();
                failover::resolve(&t, &format!("{kind}:{place}")).unwrap()
            };
            let plan = failover::plan(&t, &failure).unwrap();
            let recovery = plan
                .recoveries
                .iter()
                .find(|r| r.lost == cluster)
                .unwrap_or_else(|| panic!("{name}: no recovery of `{}`", t.name(cluster)));
            let said = if f.rule.code == "VRT304" {
                f.message
                    .split(" fails over to ")
                    .nth(1)
                    .and_then(first_quoted)
            } else {
                f.help.as_deref().and_then(first_quoted)
            };
            let expected = recovery.to.map(|c| t.name(c));
            // Never a successor of another environment, in either command.
            if let Some(to) = recovery.to {
                assert_eq!(t.environment(cluster), t.environment(to), "{name}");
            }
            match expected {
                Some(e) => assert_eq!(
                    said,
                    Some(e),
                    "{name}: {} for {failure:?}: {:?} / {}",
                    f.rule.code,
                    f.help,
                    recovery.why
                ),
                None => assert!(
                    f.help.as_deref().is_some_and(|h| h.contains("snapshots")),
                    "{name}: {:?}",
                    f.help
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

/// VRT302 and `failover` agree on which losses leave a replication set nothing to promote,
/// environments included: every set VRT302 reports is one that `failover` of the reported
/// failure restores from snapshots, and every set that some single failure leaves with nothing
/// to promote in `failover` is reported by VRT302 (at the smallest such failure).
#[test]
fn validate_and_failover_agree_on_which_sets_are_lost() {
    let mut reported = 0;
    let mut lost_sets = 0;
    for (name, t) in every_topology() {
        let findings = vrt::rules::run(&t, |r| r.code == "VRT302");
        if t.upstream_first().is_none() {
            // `failover` refuses a replication cycle (VRT104), and VRT302 stays silent.
            assert!(findings.is_empty(), "{name}");
            continue;
        }
        let failures = t.single_failures();
        for root in t.roots() {
            let first_lost = failures.iter().find(|f| {
                failover::plan(&t, f)
                    .unwrap()
                    .recoveries
                    .iter()
                    .any(|r| r.lost == root && r.path == RecoveryPath::None && r.to.is_none())
            });
            let finding = findings.iter().find(|f| f.cluster == Some(root));
            match (first_lost, finding) {
                (None, None) => {}
                (Some(failure), Some(f)) => {
                    // The finding names the failure: `losing cluster|site|region `x`` or
                    // `losing `x`` for the primary alone.
                    let named = match failure {
                        Failure::Cluster(_) => format!("losing `{}` ", t.name(root)),
                        _ => format!("losing {} `{}` ", failure.kind(), t.failure_name(failure)),
                    };
                    assert!(
                        f.message.starts_with(&named),
                        "{name}: VRT302 says {:?}, failover loses the set at {failure:?}",
                        f.message
                    );
                    reported += 1;
                }
                (lost, f) => panic!(
                    "{name}: set of `{}`: failover loses it at {lost:?}, VRT302 says {:?}",
                    t.name(root),
                    f.map(|f| &f.message)
                ),
            }
            lost_sets += usize::from(first_lost.is_some());
        }
    }
    assert_eq!(reported, lost_sets);
    assert!(reported >= 5, "{reported}");
}

/// The fixture where only a staging DR secondary survives the loss of a production primary:
/// VRT302 reports the set lost, and `failover` restores it from snapshots, saying why.
#[test]
fn a_surviving_staging_cluster_does_not_save_a_production_set() {
    let path = common::root().join("tests/fixtures/rules/VRT302-loss-without-recovery.yaml");
    let source = common::source(&path);
    let t = vrt::topology(&source, Limits::default()).unwrap();
    let findings = vrt::rules::run(&t, |r| r.code == "VRT302");
    assert!(
        findings.iter().any(|f| f.message
            == "losing `primary-s` leaves its replication set nothing to promote: `dr-s-staging` survives but is of another environment, and vrt never promotes across environments"
            && f.severity == vrt::diag::Severity::Error),
        "{:?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    let (code, out, _) = common::run(&[
        "failover",
        "tests/fixtures/rules/VRT302-loss-without-recovery.yaml",
        "--lose",
        "primary-s",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("`primary-s` (primary): none: restore from snapshots; tokens preserved: no"),
        "{out}"
    );
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("no cluster of its replication set of `primary-s`'s environment survives to take over (`dr-s-staging` is of another environment, and vrt never hands a cluster's role or clients across environments)"),
        "{out}"
    );
}

/// Decisions made without their reasons (the sweep's, `validate`'s) choose exactly what the
/// runbook's decisions choose: the same recoveries, the same replacements; only `why` and
/// the ranked candidates are left empty. And each row of the sweep shows the recoveries of the runbook of its
/// failure.
#[test]
fn decisions_without_reasons_choose_what_the_runbook_chooses() {
    let mut compared = 0;
    for (name, t) in every_topology() {
        let Ok(rows) = failover::sweep(&t) else {
            continue;
        };
        for (failure, row) in t.single_failures().iter().zip(rows.rows()) {
            let written = failover::decide(&t, failure).unwrap();
            let omitted = failover::decide_lost(&t, t.lost_by(failure));
            assert_eq!(omitted.reasons, failover::Reasons::Omitted);
            assert!(
                omitted
                    .recoveries
                    .iter()
                    .all(|r| r.why.is_empty() && r.candidates.is_empty())
            );
            assert!(
                written.recoveries.iter().all(|r| !r.why.is_empty()),
                "{name}: {failure:?}"
            );
            let unexplained = |rs: &[failover::Recovery]| {
                rs.iter()
                    .map(|r| failover::Recovery {
                        why: String::new(),
                        candidates: Vec::new(),
                        ..r.clone()
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                unexplained(&written.recoveries),
                unexplained(&omitted.recoveries),
                "{name}: {failure:?}"
            );
            assert_eq!(written.replaced, omitted.replaced, "{name}: {failure:?}");
            let plan = failover::plan(&t, failure).unwrap();
            let shown: Vec<failover::SweepRecovery> =
                plan.recoveries.iter().map(Into::into).collect();
            assert_eq!(row.recoveries, shown, "{name}: {failure:?}");
            // The row's parts are its own, not a neighbour's (they share vectors).
            assert_eq!(row.failure, failure, "{name}");
            assert_eq!(row.scenario(&t), plan.scenario, "{name}: {failure:?}");
            let mut reauth: Vec<_> = plan
                .recoveries
                .iter()
                .flat_map(|r| r.reauthenticate.iter().copied())
                .collect();
            reauth.sort();
            reauth.dedup();
            assert_eq!(row.reauthenticate, reauth, "{name}: {failure:?}");
            common::assert_row_adds_to_without_dr(&rows, &row, &plan);
            assert_eq!(
                row.tokens_preserved,
                plan.recoveries.iter().all(|r| r.tokens_preserved),
                "{name}: {failure:?}"
            );
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared}");
}
