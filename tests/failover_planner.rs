//! The failover and upgrade planners as a library: over every topology in `examples/` and
//! `tests/fixtures/` (broken ones included) and every single failure, each plan keeps its
//! invariants, renders in all formats without panicking, and is deterministic. Also the
//! recovery choices on hand-made topologies: tie-break, two-step recovery, clients moving.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use vrt::failover::{self, AfterRole, Failure, Plan, RecoveryPath, SetStatus, TokenFate};
use vrt::graph::Topology;
use vrt::ids::ClusterId;
use vrt::source::Source;
use vrt::spec::Role;
use vrt::yaml::Limits;

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// Every topology that loads, by file name.
fn topologies() -> Vec<(String, Topology)> {
    let root = common::root();
    let mut files = Vec::new();
    yaml_files(&root.join("examples"), &mut files);
    yaml_files(&root.join("tests/fixtures"), &mut files);
    files.sort();
    let out: Vec<_> = files
        .iter()
        .filter_map(|p| {
            // Through the loader users run, so the hostile fixtures (other encodings, BOMs)
            // are read as vrt reads them; the ones that do not load are skipped.
            let (source, not_utf8) =
                vrt::load::read(&p.to_string_lossy(), Limits::default().max_file_size).ok()?;
            if not_utf8.is_some() {
                return None;
            }
            vrt::topology(&source, Limits::default())
                .ok()
                .map(|t| (source.name.clone(), t))
        })
        .collect();
    assert!(out.len() > 20, "fixtures load: {}", out.len());
    out
}

fn topology(text: &str) -> Topology {
    vrt::topology(&Source::new("t.yaml", text), Limits::default()).expect("loads")
}

fn id(t: &Topology, name: &str) -> ClusterId {
    t.cluster_ids().find(|c| t.name(*c) == name).unwrap()
}

fn site(t: &Topology, name: &str) -> vrt::ids::SiteId {
    t.site_ids().find(|s| t.site_name(*s) == name).unwrap()
}

#[allow(clippy::too_many_lines)] // the invariants of a plan, one paragraph each
fn check(name: &str, t: &Topology, failure: &Failure, plan: &Plan) {
    let lost: BTreeSet<ClusterId> = t.lost_by(failure);
    let ctx = format!("{name}: {}", plan.scenario.label);
    assert_eq!(
        plan.scenario.lost,
        lost.iter().copied().collect::<Vec<_>>(),
        "{ctx}"
    );
    // One recovery per lost primary or performance secondary.
    let serving: BTreeSet<ClusterId> = lost
        .iter()
        .copied()
        .filter(|c| t.role(*c) != Role::DrSecondary)
        .collect();
    let recovered: BTreeSet<ClusterId> = plan.recoveries.iter().map(|r| r.lost).collect();
    assert_eq!(recovered, serving, "{ctx}");
    assert_eq!(plan.recoveries.len(), serving.len(), "{ctx}");
    for r in &plan.recoveries {
        assert_eq!(
            r.candidates.first().copied(),
            r.to,
            "{ctx}: chosen is ranked first"
        );
        assert_eq!(
            r.tokens_preserved,
            r.path == RecoveryPath::DrPromotion,
            "{ctx}"
        );
        assert!(r.why.ends_with('.'), "{ctx}");
        if let Some(to) = r.to {
            assert!(
                !lost.contains(&to),
                "{ctx}: {} takes over but is lost",
                t.name(to)
            );
        }
        match r.path {
            RecoveryPath::DrPromotion => {
                assert!(t.dr_secondaries(r.lost).contains(&r.to.unwrap()), "{ctx}");
            }
            RecoveryPath::PerformancePromotion => {
                let to = r.to.unwrap();
                assert!(t.upstream(r.lost).is_none(), "{ctx}: only primaries");
                match r.via {
                    None => assert!(t.performance_secondaries(r.lost).contains(&to), "{ctx}"),
                    Some(s) => {
                        assert!(lost.contains(&s), "{ctx}");
                        assert!(t.dr_secondaries(s).contains(&to), "{ctx}");
                    }
                }
            }
            RecoveryPath::ClientsMove => {
                let to = r.to.unwrap();
                assert!(t.upstream(r.lost).is_some(), "{ctx}: only secondaries");
                assert!(
                    t.replication_set(t.root(r.lost)).contains(&to),
                    "{ctx}: clients stay in the set"
                );
            }
            RecoveryPath::None => {
                assert!(r.to.is_none(), "{ctx}");
            }
        }
    }
    // The topology afterwards.
    assert_eq!(plan.after.len(), t.model.clusters.len(), "{ctx}");
    for a in &plan.after {
        assert_eq!(
            a.role == AfterRole::Lost,
            lost.contains(&a.cluster),
            "{ctx}"
        );
        if let Some(up) = a.upstream {
            assert!(
                !lost.contains(&up),
                "{ctx}: {} follows a lost cluster",
                t.name(a.cluster)
            );
            assert_ne!(up, a.cluster, "{ctx}");
        }
        assert_eq!(plan.role_after(a.cluster), Some(a), "{ctx}");
    }
    for c in &plan.without_dr {
        let a = plan.role_after(*c).unwrap();
        assert!(
            matches!(a.role, AfterRole::Primary | AfterRole::PerformanceSecondary),
            "{ctx}"
        );
    }
    // Sets and clients.
    for s in &plan.sets {
        assert_eq!(
            s.status == SetStatus::Lost,
            t.set_lost(s.root, |c| lost.contains(&c)),
            "{ctx}"
        );
    }
    for c in &plan.clients {
        assert!(lost.contains(&c.cluster), "{ctx}");
        assert_eq!(c.to.is_none(), c.tokens == TokenFate::NoService, "{ctx}");
    }
    // Steps: phases in order, every step cites a source, "step N" references exist.
    let mut phase = None;
    for (i, s) in plan.steps.iter().enumerate() {
        assert!(phase <= Some(s.phase), "{ctx}: step {}", i + 1);
        phase = Some(s.phase);
        assert!(!s.sources.is_empty(), "{ctx}: step {} cites nothing", i + 1);
        for p in s.text.iter().map(failover::Paragraph::joined) {
            for (pos, _) in p.match_indices("(step ") {
                let n: usize = p[pos + 6..]
                    .split(')')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap_or_else(|_| panic!("{ctx}: {p}"));
                assert!(
                    (1..=plan.steps.len()).contains(&n) && n != i + 1,
                    "{ctx}: {p}"
                );
            }
        }
    }
    // Rendering never panics, and the JSON round-trips.
    let mut out = Vec::new();
    vrt::report::failover::text(&mut out, t, plan).unwrap();
    vrt::report::failover::markdown(&mut out, t, plan).unwrap();
    let doc = serde_json::to_value(vrt::report::failover::document(t, plan)).unwrap();
    assert_eq!(doc["steps"].as_array().unwrap().len(), plan.steps.len());
}

#[test]
fn every_plan_of_every_fixture_keeps_its_invariants() {
    let mut plans = 0;
    for (name, t) in topologies() {
        let cyclic = !t.cycles().is_empty();
        for failure in t.single_failures() {
            match failover::plan(&t, &failure) {
                Ok(plan) => {
                    assert!(!cyclic, "{name}");
                    check(&name, &t, &failure, &plan);
                    assert_eq!(failover::plan(&t, &failure).unwrap(), plan, "deterministic");
                    plans += 1;
                }
                Err(e) => {
                    assert!(cyclic, "{name}: {e}");
                }
            }
        }
        match failover::sweep(&t) {
            Ok(rows) => {
                assert_eq!(rows.len(), t.single_failures().len(), "{name}");
                let mut out = Vec::new();
                vrt::report::failover::sweep_text(&mut out, &t, &rows).unwrap();
                vrt::report::failover::sweep_markdown(&mut out, &t, &rows).unwrap();
            }
            Err(_) => assert!(cyclic, "{name}"),
        }
        match vrt::upgrade::plan(&t) {
            Ok(plan) => {
                let mut out = Vec::new();
                vrt::report::upgrade::text(&mut out, &t, &plan).unwrap();
                vrt::report::upgrade::markdown(&mut out, &t, &plan).unwrap();
                let upgraded: usize = plan
                    .sets
                    .iter()
                    .flat_map(|s| &s.waves)
                    .map(|w| w.clusters.len())
                    .sum();
                assert_eq!(
                    upgraded,
                    t.model.clusters.len(),
                    "{name}: every cluster once"
                );
            }
            Err(_) => assert!(cyclic, "{name}"),
        }
    }
    assert!(plans > 100, "{plans} plans checked");
}

const TIE: &str = "
version: 1
name: tie
sites:
  - {name: dc-a, region: east}
  - {name: dc-e, region: east}
  - {name: dc-w, region: west}
clusters:
  - {name: primary-a, site: dc-a, role: primary, version: 1.17.3}
  - {name: dr-west-new, site: dc-w, role: dr-secondary, replicates_from: primary-a, version: 1.19.0}
  - {name: dr-east-b, site: dc-e, role: dr-secondary, replicates_from: primary-a, version: 1.18.0}
  - {name: dr-east-a, site: dc-e, role: dr-secondary, replicates_from: primary-a, version: 1.18.0}
  - {name: dr-east-old, site: dc-e, role: dr-secondary, replicates_from: primary-a, version: 1.17.3}
";

#[test]
fn candidates_rank_by_region_then_version_then_name() {
    let t = topology(TIE);
    let plan = failover::plan(&t, &Failure::Cluster(id(&t, "primary-a"))).unwrap();
    let r = &plan.recoveries[0];
    let ranked: Vec<&str> = r.candidates.iter().map(|c| t.name(*c)).collect();
    assert_eq!(
        ranked,
        ["dr-east-a", "dr-east-b", "dr-east-old", "dr-west-new"]
    );
    assert!(
        r.why.contains("vrt picks `dr-east-a`: both are in region `east`, both run 1.18.0, so name order decides"),
        "{}",
        r.why
    );
    // The other DR secondaries follow the promoted one, with a token (API-DR).
    let follow = plan
        .steps
        .iter()
        .find(|s| s.title == "Point the other secondaries at `dr-east-a`")
        .unwrap();
    let on: Vec<&str> = follow
        .commands
        .iter()
        .filter(|c| c.line.contains("update-primary"))
        .map(|c| match c.on {
            failover::On::Cluster(x) => t.name(x),
            failover::On::Client(_) => unreachable!(),
        })
        .collect();
    assert_eq!(
        on,
        ["dr-west-new", "dr-east-b", "dr-east-old"],
        "file order"
    );
    // `dr-east-old` would now replicate from a newer cluster: the plan warns.
    assert!(
        plan.warnings.iter().any(
            |w| w.contains("`dr-east-old` (1.17.3) replicates from newer `dr-east-a` (1.18.0)")
        ),
        "{:#?}",
        plan.warnings
    );
    // Losing the whole east region leaves the newest cluster, in another region.
    let plan = failover::plan(&t, &Failure::Region("east".into())).unwrap();
    assert_eq!(plan.recoveries[0].to, Some(id(&t, "dr-west-new")));
    assert!(plan.recoveries[0].candidates.len() == 1);
}

#[test]
fn a_lost_performance_secondary_replaced_by_dr_can_become_the_primary() {
    let root = common::root();
    let source = common::source(&root.join("tests/fixtures/failover/two-step.yaml"));
    let t = vrt::topology(&source, Limits::default()).unwrap();
    let plan = failover::resolve(&t, "dc-a")
        .map(|f| failover::plan(&t, &f).unwrap())
        .unwrap();
    let paths: Vec<(&str, RecoveryPath, Option<&str>, Option<&str>)> = plan
        .recoveries
        .iter()
        .map(|r| {
            (
                t.name(r.lost),
                r.path,
                r.to.map(|c| t.name(c)),
                r.via.map(|c| t.name(c)),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            (
                "primary-a",
                RecoveryPath::PerformancePromotion,
                Some("dr-b"),
                Some("perf-b")
            ),
            ("perf-b", RecoveryPath::DrPromotion, Some("dr-b"), None),
        ]
    );
    let dr_b = plan.role_after(id(&t, "dr-b")).unwrap();
    assert_eq!((dr_b.role, dr_b.upstream), (AfterRole::Primary, None));
    // apps-b keeps its tokens (DR promotion of perf-b), apps-a re-authenticates.
    let fates: Vec<(&str, TokenFate)> = plan
        .clients
        .iter()
        .map(|c| (t.client(c.client).name.as_str(), c.tokens))
        .collect();
    assert_eq!(
        fates,
        [
            ("apps-a", TokenFate::Reauthenticate),
            ("apps-b", TokenFate::Kept)
        ]
    );
    // The DR promotion comes before the performance promotion that depends on it.
    let pos = |title: &str| {
        plan.steps
            .iter()
            .position(|s| s.title.starts_with(title))
            .unwrap()
    };
    assert!(pos("Promote `dr-b` (DR secondary of `perf-b`)") < pos("Promote `dr-b` to primary"));
    assert_eq!(plan.without_dr, [id(&t, "dr-b")]);
}

#[test]
fn a_site_and_its_one_site_region_are_one_failure() {
    let t = topology(
        "version: 1\nname: x\nsites: [{name: a}, {name: b, region: r}, {name: c, region: r}]\nclusters: [{name: p, site: a, role: primary}]\n",
    );
    assert_eq!(failover::resolve(&t, "a"), Ok(Failure::Site(site(&t, "a"))));
    assert_eq!(
        failover::resolve(&t, "region:a"),
        Ok(Failure::Region("a".into()))
    );
    assert_eq!(failover::resolve(&t, "r"), Ok(Failure::Region("r".into())));
    let singles = t.single_failures();
    assert_eq!(
        singles,
        [
            Failure::Cluster(id(&t, "p")),
            Failure::Site(site(&t, "a")),
            Failure::Site(site(&t, "b")),
            Failure::Site(site(&t, "c")),
            Failure::Region("r".into()),
        ]
    );
}

#[test]
fn upgrade_waves_follow_height_even_for_uneven_sets() {
    let t = topology(
        "
version: 1
name: u
sites: [{name: a}]
clusters:
  - {name: p, site: a, role: primary, version: 1.18.0}
  - {name: p-dr, site: a, role: dr-secondary, replicates_from: p, version: 1.18.0}
  - {name: s, site: a, role: performance-secondary, replicates_from: p, version: 1.18.0}
  - {name: s-dr, site: a, role: dr-secondary, replicates_from: s, version: 1.17.0}
  - {name: lone, site: a, role: primary}
",
    );
    let plan = vrt::upgrade::plan(&t).unwrap();
    let waves: Vec<Vec<Vec<&str>>> = plan
        .sets
        .iter()
        .map(|s| {
            s.waves
                .iter()
                .map(|w| w.clusters.iter().map(|c| t.name(*c)).collect())
                .collect()
        })
        .collect();
    assert_eq!(
        waves,
        vec![
            // Leaves first (issue 10): the primary's DR secondary no longer waits for wave 2.
            vec![vec!["p-dr", "s-dr"], vec!["s"], vec!["p"]],
            vec![vec!["lone"]],
        ]
    );
    assert_eq!(plan.sets[1].waves[0].stage, "the primary");
    assert_eq!(
        plan.warnings,
        [
            "the file gives no `version` for `lone`: check what they run before starting",
            "`s-dr` (1.17.0) is already older than `s` (1.18.0), which it replicates from: upgrade it to 1.18.0 or later first (UPGRADE; VRT107)",
        ]
    );
}

/// The plan for losing cluster `lose` in a topology given as text.
fn plan_of(text: &str, lose: &str) -> Plan {
    let t = vrt::topology(&Source::new("t.yaml", text), Limits::default()).unwrap();
    let failure = failover::resolve(&t, lose).unwrap();
    failover::plan(&t, &failure).unwrap()
}

/// Every command line of a plan, in order.
fn command_lines(plan: &Plan) -> String {
    plan.steps
        .iter()
        .flat_map(|s| s.commands.iter().map(|c| c.line.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every paragraph of a plan's steps, as prose.
fn step_text(plan: &Plan) -> String {
    plan.steps
        .iter()
        .flat_map(|s| s.text.iter().map(failover::Paragraph::joined))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A primary `p` with DR secondary `d` and performance secondaries `s1`, `s2`, each at the
/// version given.
fn versioned(p: &str, d: &str, s1: &str, s2: &str) -> String {
    let v = |v: &str| {
        if v.is_empty() {
            String::new()
        } else {
            format!(", version: {v}")
        }
    };
    format!(
        "version: 1\nname: x\nsites: [{{name: a}}, {{name: b}}]\nclusters:\n  - {{name: p, site: a, role: primary{}}}\n  - {{name: d, site: b, role: dr-secondary, replicates_from: p{}}}\n  - {{name: s1, site: b, role: performance-secondary, replicates_from: p{}}}\n  - {{name: s2, site: b, role: performance-secondary, replicates_from: p{}}}\n",
        v(p),
        v(d),
        v(s1),
        v(s2)
    )
}

/// The optional `merkle-check` before a promotion appears only when the candidate's declared
/// version has the endpoint (1.13.7+, 1.14.3+, 1.15+; MERKLE), with the DR operation token
/// (and the policy path for it) for a DR candidate; otherwise the step says why it is left out.
#[test]
fn merkle_check_is_emitted_only_where_the_declared_version_has_it() {
    for (version, has) in [
        ("1.15.0", true),
        ("1.14.3", true),
        ("1.13.7+ent", true),
        ("1.19.0", true),
        ("1.14.2", false),
        ("1.13.6", false),
        ("1.15.0-rc1", false),
        ("", false),
    ] {
        // A DR promotion of `d` (the primary is lost).
        let plan = plan_of(&versioned("1.12.0", version, "1.12.0", "1.12.0"), "p");
        let lines = command_lines(&plan);
        let text = step_text(&plan);
        assert_eq!(
            lines.contains(
                "vault write -format=json sys/replication/dr/secondary/merkle-check dr_operation_token=\"$DR_OPERATION_TOKEN\""
            ),
            has,
            "{version}: {lines}"
        );
        assert_eq!(
            lines.contains(r#"path "sys/replication/dr/secondary/merkle-check""#),
            has,
            "{version}"
        );
        assert_eq!(
            text.contains("vrt leaves out the optional `merkle-check` of `d`"),
            !has,
            "{version}: {text}"
        );
        // The check comes after the status read and before the promotion.
        if has {
            let check = lines
                .find("dr/secondary/merkle-check dr_operation_token")
                .unwrap();
            let status = lines
                .find("read -format=json sys/replication/dr/status")
                .unwrap();
            let promote = lines
                .find("vault write -f sys/replication/dr/secondary/promote")
                .unwrap();
            assert!(status < check && check < promote, "{lines}");
        }
        // A performance promotion of `s1` (no DR secondary left): the general endpoint.
        let text = versioned("1.12.0", "1.12.0", version, "1.12.0").replace(
            "  - {name: d, site: b, role: dr-secondary, replicates_from: p, version: 1.12.0}\n",
            "",
        );
        let plan = plan_of(&text, "p");
        assert_eq!(
            command_lines(&plan)
                .contains("vault write -f -format=json sys/replication/merkle-check"),
            has,
            "{version}"
        );
    }
}

/// The other version gates of the runbook follow the declared versions: public-key activation
/// from 1.3 (a wrapped token before), `update_primary_addrs` from 1.13 (a new token before), and
/// the Vault 2.x change to DR operation tokens (BREAKGLASS).
#[test]
fn version_gates_follow_the_declared_versions() {
    // After a performance promotion, the other secondary `s2` gets a new token: by public key
    // from 1.3, wrapped before.
    let without_dr = |s2: &str| {
        versioned("1.12.0", "", "1.18.0", s2).replace(
            "  - {name: d, site: b, role: dr-secondary, replicates_from: p}\n",
            "",
        )
    };
    let lines = command_lines(&plan_of(&without_dr("1.18.0"), "p"));
    assert!(
        lines.contains("sys/replication/performance/secondary/generate-public-key")
            && lines.contains("secondary-token id=s2 secondary_public_key="),
        "{lines}"
    );
    let lines = command_lines(&plan_of(&without_dr("1.2.4"), "p"));
    assert!(
        !lines.contains(
            "${API_ADDR_S2:?} VAULT_NAMESPACE='' vault write -field=secondary_public_key"
        ) && lines.contains(
            "write -field=wrapping_token sys/replication/performance/primary/secondary-token id=s2"
        ),
        "{lines}"
    );
    // After a DR failover, a performance secondary is pointed at the new primary with
    // `update_primary_addrs` from 1.13, with a new token before.
    let lines = command_lines(&plan_of(
        &versioned("1.18.0", "1.18.0", "1.13.0", "1.12.9"),
        "p",
    ));
    let s1 = lines
        .lines()
        .filter(|l| l.contains("update-primary"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        s1.contains("update_primary_addrs=") && s1.contains("update-primary token="),
        "{lines}"
    );
    let addrs: Vec<&str> = lines
        .lines()
        .filter(|l| l.contains("update_primary_addrs="))
        .collect();
    assert_eq!(addrs.len(), 1, "{addrs:?}");
    // Vault 2.x: generate-operation-token needs a Vault token, so the prepared batch token is
    // the supported route and key shares are no longer enough.
    let text = step_text(&plan_of(&versioned("2.0.0", "2.0.0", "", ""), "p"));
    assert!(
        text.contains("runs Vault 2.x or later, where \"the generate-operation-token endpoints require a Vault token\""),
        "{text}"
    );
    let text = step_text(&plan_of(&versioned("1.18.0", "1.18.0", "", ""), "p"));
    assert!(
        text.contains("`vault operator generate-root -dr-token`")
            && !text.contains("runs Vault 2.x or later"),
        "{text}"
    );
}

/// A surviving performance secondary of another environment does not hide the two-step
/// recovery of the same environment: losing site `a` (the primary and its performance
/// secondary `s`) promotes `s`'s DR secondary in `s`'s place and then to primary, never the QA
/// cluster, and VRT302 agrees the set is not lost.
#[test]
fn another_environment_does_not_hide_the_two_step_recovery() {
    let text = "version: 1\nname: x\nsites: [{name: a}, {name: b}, {name: qa, environment: non-production}]\nclusters:\n  - {name: p, site: a, role: primary}\n  - {name: s, site: a, role: performance-secondary, replicates_from: p}\n  - {name: ds, site: b, role: dr-secondary, replicates_from: s}\n  - {name: qa-perf, site: qa, role: performance-secondary, replicates_from: p}\n";
    let t = vrt::topology(&Source::new("t.yaml", text), Limits::default()).unwrap();
    let plan = plan_of(text, "a");
    let name = |c: Option<ClusterId>| c.map(|c| t.name(c).to_string());
    let r = plan
        .recoveries
        .iter()
        .find(|r| t.name(r.lost) == "p")
        .unwrap();
    assert_eq!(r.path, RecoveryPath::PerformancePromotion, "{}", r.why);
    assert_eq!(
        (name(r.to), name(r.via)),
        (Some("ds".to_string()), Some("s".to_string()))
    );
    assert!(vrt::rules::run(&t, |r| r.code == "VRT302").is_empty());
}
