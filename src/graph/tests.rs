//! Unit tests of the graph's indexed answers.

use std::fmt::Write;

use super::*;
use crate::source::Source;
use crate::yaml::Limits;

/// Every way four clusters can replicate from each other (no self-replication), each with
/// its upstreams (`None` for a primary).
fn every_small_topology() -> Vec<(Vec<Option<usize>>, Topology)> {
    let n: usize = 4;
    let mut out = Vec::new();
    for code in 0..(n + 1).pow(4) {
        let ups: Vec<Option<usize>> = (0..n)
            .map(|i| match (code / (n + 1).pow(i as u32)) % (n + 1) {
                0 => None,
                u => Some(u - 1),
            })
            .collect();
        if ups.iter().enumerate().any(|(i, u)| *u == Some(i)) {
            continue;
        }
        let mut text = String::from(
            "version: 1\nname: t\nsites: [{name: a, region: r}, {name: b, region: r}, {name: c}]\nclusters:\n",
        );
        for (i, u) in ups.iter().enumerate() {
            let site = ["a", "b", "c"][i % 3];
            let role = match u {
                None => "primary".to_string(),
                Some(u) if i % 2 == 0 => format!("dr-secondary, replicates_from: c{u}"),
                Some(u) => format!("performance-secondary, replicates_from: c{u}"),
            };
            let _ = writeln!(text, "  - {{name: c{i}, site: {site}, role: {role}}}");
        }
        out.push((
            ups,
            crate::topology(&Source::new("t", text), Limits::default()).unwrap(),
        ));
    }
    assert_eq!(out.len(), 4usize.pow(4));
    out
}

/// The first cycle is the first of the cycles, and there is one exactly when the graph has
/// no topological order.
#[test]
fn first_cycle_is_there_exactly_when_no_order_is() {
    for (ups, t) in every_small_topology() {
        assert_eq!(
            t.first_cycle(),
            t.cycles().first().map(Vec::as_slice),
            "{ups:?}"
        );
        assert_eq!(
            t.first_cycle().is_none(),
            t.upstream_first().is_some(),
            "{ups:?}"
        );
    }
}

/// On every small topology, the indexed answers equal their definitions by walking the
/// graph.
#[test]
fn indexed_answers_match_their_definitions_on_every_small_graph() {
    for (ups, t) in every_small_topology() {
        let cycles = t.cycles();
        let mut sccs: Vec<Vec<ClusterId>> = petgraph::algo::tarjan_scc(&t.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1)
            .map(|scc| {
                let mut ids: Vec<_> = scc.into_iter().map(|n| ClusterId(n.index())).collect();
                ids.sort();
                ids
            })
            .collect();
        sccs.sort();
        assert_eq!(cycles, sccs, "{ups:?}");
        assert_eq!(
            t.first_cycle(),
            cycles.first().map(Vec::as_slice),
            "{ups:?}"
        );
        assert_eq!(
            t.first_cycle().is_none(),
            t.upstream_first().is_some(),
            "{ups:?}"
        );
        for c in t.cluster_ids() {
            // By definition: the top of the chain, or the first cluster of the cycle the
            // chain runs into.
            let chain = t.ancestors(c);
            let expected = cycles
                .iter()
                .find(|cy| cy.contains(&c) || chain.iter().any(|a| cy.contains(a)))
                .map_or_else(|| chain.last().copied().unwrap_or(c), |cy| cy[0]);
            assert_eq!(t.root(c), expected, "{ups:?} {c:?}");
            assert_eq!(t.depth(c), chain.len(), "{ups:?} {c:?}");
            // By definition: `c`, then what replicates from it, breadth-first in file order.
            let mut set = vec![c];
            let mut k = 0;
            while k < set.len() {
                let at = set[k].0;
                for d in t.cluster_ids().filter(|d| ups[d.0] == Some(at)) {
                    if !set.contains(&d) {
                        set.push(d);
                    }
                }
                k += 1;
            }
            assert_eq!(t.replication_set(c), set, "{ups:?} {c:?}");
            assert_eq!(t.on_cycle(c), cycles.iter().any(|cy| cy.contains(&c)));
            let mut below: Vec<_> = t.cluster_ids().filter(|d| ups[d.0] == Some(c.0)).collect();
            below.sort();
            assert_eq!(
                t.downstream(c)
                    .into_iter()
                    .map(|(d, _)| d)
                    .collect::<Vec<_>>(),
                below
            );
        }
        let mut roots: Vec<_> = t.cluster_ids().map(|c| t.root(c)).collect();
        roots.sort();
        roots.dedup();
        assert_eq!(t.roots(), roots);
        for region in ["r", "c", "nowhere"] {
            let expected: Vec<_> = t
                .cluster_ids()
                .filter(|c| t.region_of(t.site_of(*c)) == region)
                .collect();
            assert_eq!(t.clusters_in_region(region), expected, "{ups:?} {region}");
        }
        for c in t.cluster_ids() {
            for d in t.cluster_ids() {
                assert_eq!(
                    t.same_region(c, d),
                    t.region_of(t.site_of(c)) == t.region_of(t.site_of(d))
                );
            }
        }
        for s in 0..3 {
            let expected: Vec<_> = t
                .cluster_ids()
                .filter(|c| t.site_of(*c) == SiteId(s))
                .collect();
            assert_eq!(t.clusters_in_site(SiteId(s)), expected);
        }
        assert_eq!(t.regions(), vec!["r", "c"]);
        assert_eq!(t.sites_in_region("r"), vec![SiteId(0), SiteId(1)]);
        assert_eq!(t.sites_in_region("nowhere"), Vec::<SiteId>::new());
    }
}
