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
