//! Benchmarks at 100, 1,000 and 10,000 clusters (`vrt::synthetic::topology_yaml`, two
//! clusters per site): parsing alone (the floor), `validate` (parse, model, graph, rules),
//! and the rules alone over a built topology. Results and targets: BENCHMARKS.md.
//!
//! A command that works on a topology (a planner) gets its own group with
//! [`bench_on_topology`]: it builds each size's topology once and times only the command.
//!
//! The run also writes the 10,000-cluster file to `target/tmp/synthetic-10000-clusters.yaml`
//! for measuring peak memory of the release binary (`/usr/bin/time -v`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use vrt::graph::Topology;
use vrt::source::Source;
use vrt::yaml::Limits;

/// The sizes, in clusters.
const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// The synthetic topology of `clusters` clusters, as a source.
fn source(clusters: usize) -> Source {
    Source::new(
        format!("synthetic-{clusters}"),
        vrt::synthetic::topology_yaml(clusters / 2),
    )
}

/// Fewer samples for the larger sizes, so that a run stays a few minutes on a shared machine.
fn configure<M: criterion::measurement::Measurement>(
    group: &mut BenchmarkGroup<'_, M>,
    clusters: usize,
) {
    if clusters >= 10_000 {
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(20));
    } else {
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(8));
    }
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for clusters in SIZES {
        let source = source(clusters);
        configure(&mut group, clusters);
        group.throughput(Throughput::Bytes(source.text.len() as u64));
        group.bench_function(clusters.to_string(), |b| {
            b.iter(|| vrt::load::parse(black_box(&source), Limits::default()).expect("parses"));
        });
    }
    group.finish();
}

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    for clusters in SIZES {
        let source = source(clusters);
        if clusters == 10_000 {
            let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("synthetic-10000-clusters.yaml");
            std::fs::write(&path, &source.text).expect("writes the 10,000-cluster file");
        }
        configure(&mut group, clusters);
        group.throughput(Throughput::Bytes(source.text.len() as u64));
        group.bench_function(clusters.to_string(), |b| {
            b.iter(|| {
                let vrt::Validation {
                    findings, topology, ..
                } = vrt::validate(black_box(&source), Limits::default(), |_| true);
                // Only the VRT304 notes of the synthetic design (DR in the next site).
                assert!(findings.iter().all(|f| f.rule.code == "VRT304") && topology.is_some());
                (findings, topology)
            });
        });
    }
    group.finish();
}

/// Times `command` on the topology of each size, built once per size.
fn bench_on_topology<R>(c: &mut Criterion, name: &str, command: impl Fn(&Topology) -> R) {
    let mut group = c.benchmark_group(name);
    for clusters in SIZES {
        let topology = vrt::topology(&source(clusters), Limits::default()).expect("valid");
        configure(&mut group, clusters);
        group.bench_function(clusters.to_string(), |b| {
            b.iter(|| command(black_box(&topology)));
        });
    }
    group.finish();
}

fn rules(c: &mut Criterion) {
    bench_on_topology(c, "rules", |t| vrt::rules::run(t, |_| true));
}

fn ports(c: &mut Criterion) {
    bench_on_topology(c, "ports", vrt::net::flows::flows);
}

fn firewall(c: &mut Criterion) {
    bench_on_topology(c, "firewall-nftables", |t| {
        let flows = vrt::net::flows::flows(t);
        let rules = vrt::firewall::rules(t, &flows).expect("every end has addresses");
        let ctx = vrt::report::firewall::Context {
            topology: &t.model.name,
            file: "synthetic.yaml",
            standby: true,
        };
        vrt::report::firewall::nftables::render(&rules, &ctx)
    });
}

fn failover_all(c: &mut Criterion) {
    bench_on_topology(c, "failover-all", |t| {
        vrt::failover::sweep(t).expect("no replication cycle")
    });
    // The floor under the sweep: for each cluster's loss, read the role and the name of every
    // cluster of its replication set, as the sweep's scenarios do, and nothing else (no
    // allocation, no decision). Its growth from 1,000 to 10,000 clusters is what the memory
    // hierarchy alone adds (BENCHMARKS.md, "Failover sweep").
    bench_on_topology(c, "failover-floor", |t| {
        let mut n = 0usize;
        for c in t.cluster_ids() {
            for x in t.set_members(t.root(c)) {
                n += t.name(*x).len() + usize::from(t.role(*x) == vrt::spec::Role::Primary);
            }
        }
        n
    });
    // One primary with N DR secondaries: every cluster's loss touches the one replication
    // set, so a row that walked its whole set made the sweep quadratic here.
    let mut group = c.benchmark_group("failover-all-star");
    for clusters in STAR_SIZES {
        let topology = vrt::topology(&star_source(clusters), Limits::default()).expect("valid");
        configure(&mut group, clusters);
        group.bench_function(clusters.to_string(), |b| {
            b.iter(|| vrt::failover::sweep(black_box(&topology)).expect("no cycle"));
        });
    }
    group.finish();
}

/// Star sizes, in clusters: one primary, the rest its DR secondaries, a fifth as many client
/// groups (`vrt::synthetic::star_yaml`). Standby flows of the DR secondaries are group flows,
/// so every size is validated and planned (issue 12: the 10,000-cluster star in under twice
/// the time of the 10,000-cluster synthetic file).
const STAR_SIZES: [usize; 2] = [1_000, 10_000];

fn star_source(clusters: usize) -> Source {
    Source::new(
        format!("star-{clusters}"),
        vrt::synthetic::star_yaml(clusters, clusters / 5),
    )
}

/// `validate` and `firewall` to nftables on the star beside the same on the synthetic
/// topology of the same size, in one group so that one run gives both medians.
fn star(c: &mut Criterion) {
    let mut group = c.benchmark_group("star");
    // Ten samples each: eight functions must fit a few minutes of a shared machine.
    group.sample_size(10);
    for clusters in STAR_SIZES {
        group.measurement_time(Duration::from_secs(if clusters >= 10_000 { 15 } else { 5 }));
        for (shape, source) in [
            ("synthetic", source(clusters)),
            ("star", star_source(clusters)),
        ] {
            group.bench_function(format!("validate/{shape}/{clusters}"), |b| {
                b.iter(|| {
                    let v = vrt::validate(black_box(&source), Limits::default(), |_| true);
                    // Planned, not refused: no error (a VRT006 refusal would be one).
                    assert!(
                        v.topology.is_some()
                            && v.findings
                                .iter()
                                .all(|f| f.severity != vrt::diag::Severity::Error)
                    );
                    v
                });
            });
            group.bench_function(format!("firewall-nftables/{shape}/{clusters}"), |b| {
                b.iter(|| {
                    let t = vrt::topology(black_box(&source), Limits::default());
                    t.map(|t| {
                        let flows = vrt::net::flows::flows(&t);
                        let rules = vrt::firewall::rules(&t, &flows).expect("addressed");
                        let ctx = vrt::report::firewall::Context {
                            topology: &t.model.name,
                            file: "star.yaml",
                            standby: true,
                        };
                        vrt::report::firewall::nftables::render(&rules, &ctx)
                    })
                });
            });
        }
        if clusters == 10_000 {
            let path =
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("star-10000-clusters.yaml");
            std::fs::write(&path, &star_source(clusters).text).expect("writes the star file");
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    parse,
    validate,
    rules,
    ports,
    firewall,
    failover_all,
    star
);
criterion_main!(benches);
