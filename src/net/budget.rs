//! The cost of the port matrix, known before it is built: [`count`] reads the flows a
//! topology needs off the replication graph, and [`check_limit`] turns `--max-flows` into
//! the located VRT006 error. Standby sets are counted as the flow builder emits them: a
//! small product pair by pair, a large one as a few group flows, so the count grows with
//! the clusters, clients and services, and the limit stops only genuinely huge files.

use crate::diag::Finding;
use crate::diag::structure::INPUT_LIMIT;
use crate::graph::{Members, StandbyKind, Topology};
use crate::ids::ClusterId;
use crate::net::flows::group::{clients_expand, distinct, expands};
use crate::source::Span;
use crate::spec::{Activation, ClusterPort};

/// How many flows [`flows`](super::flows::flows) can return at most, counted from the
/// replication graph without building one: the same kinds of flow, before connections
/// shared by two reasons are merged. Each flow is charged to one cluster (the secondary of
/// a replication edge, the cluster a client, load balancer or service use serves, the
/// cluster whose failover opens a standby path); returns the total and the cluster charged
/// most (`None` without clusters).
pub fn count(t: &Topology) -> (u64, Option<(ClusterId, u64)>) {
    let mut share = vec![0u64; t.model.clusters.len()];
    let api_ports = |list: &[ClusterId]| distinct(list, |c| t.cluster(c).api_port()).len() as u64;
    let cluster_ports =
        |list: &[ClusterId]| distinct(list, |c| t.cluster(c).cluster_port()).len() as u64;
    for c in t.cluster_ids() {
        // The clients' own flows, and their moves to the DR secondaries that take them over.
        let k = t.clients_of(c).len() as u64;
        let drs = Members::DrSecondaries(c).clusters(t);
        let moves = if clients_expand(k, drs.len() as u64) {
            k.saturating_mul(drs.len() as u64)
        } else {
            api_ports(&drs)
        };
        share[c.0] = share[c.0].saturating_add(k).saturating_add(moves);
    }
    for (_, service) in t.services() {
        for user in &service.used_by {
            let c = *user.get();
            share[c.0] = share[c.0].saturating_add(1);
        }
    }
    for c in t.cluster_ids() {
        let cluster = t.cluster(c);
        let lb = match &cluster.load_balancer {
            Some(lb) if lb.cluster_port != ClusterPort::None => 2,
            Some(_) => 1,
            None => 0,
        };
        let replication = if t.upstream(c).is_some() { 4 } else { 0 };
        // The nodes to their seal endpoint and Consul storage, where the file addresses them.
        let infra = u64::from(
            cluster
                .storage
                .seal
                .as_ref()
                .is_some_and(|s| s.endpoint.is_some()),
        ) + u64::from(cluster.storage.consul.is_some());
        // The nodes talk on both ports.
        share[c.0] = share[c.0].saturating_add(replication + lb + 2 + infra);
    }
    for set in t.standby_sets() {
        let s = set.secondaries.clusters(t);
        let p = set.primaries.clusters(t);
        let n = if expands(set.kind, s.len() as u64, p.len() as u64) {
            // Each pair opens the API and cluster port both ways.
            crate::graph::StandbySet::pair_count(set.kind, s.len() as u64, p.len() as u64)
                .saturating_mul(4)
        } else {
            let activations = distinct(&s, |c| {
                t.cluster(c).activation() == Activation::WrappedToken
            })
            .len() as u64;
            let forward = activations * api_ports(&p) + cluster_ports(&p);
            if set.kind == StandbyKind::SiblingDr {
                forward
            } else {
                forward + api_ports(&s) + cluster_ports(&s)
            }
        };
        share[set.lost.0] = share[set.lost.0].saturating_add(n);
    }
    let total = share.iter().fold(0u64, |a, b| a.saturating_add(*b));
    let most = share
        .iter()
        .enumerate()
        .fold(None, |best: Option<(ClusterId, u64)>, (i, s)| match best {
            Some((_, b)) if b >= *s => best,
            _ => Some((ClusterId(i), *s)),
        });
    (total, most)
}

/// The located VRT006 error when the topology needs more than `max_flows` flows
/// ([`count`]), at the cluster charged most: checked before any flow is built, so a
/// topology of many DR secondaries per cluster fails at once instead of exhausting memory.
pub fn check_limit(t: &Topology, max_flows: u64) -> Result<(), Finding> {
    let (total, most) = count(t);
    if total <= max_flows {
        return Ok(());
    }
    let message = format!(
        "the topology needs up to {total} network flows, more than {max_flows}, the limit; raise it with `--max-flows`"
    );
    let Some((c, share)) = most else {
        return Err(Finding::new(&INPUT_LIMIT, Span::new(0, 0), message).help(FLOWS_HELP));
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let label = format!(
        "{share} of them for this cluster, with its {}, {} and {}",
        plural(t.dr_secondaries(c).len(), "DR secondary", "DR secondaries"),
        plural(
            t.performance_secondaries(c).len(),
            "performance secondary",
            "performance secondaries"
        ),
        plural(t.clients_of(c).len(), "client", "clients"),
    );
    Err(
        Finding::new(&INPUT_LIMIT, t.cluster(c).name.span(), message)
            .label(label)
            .help(FLOWS_HELP),
    )
}

const FLOWS_HELP: &str = "every replication edge, client, load balancer, service use and standby set needs flows, so their number grows with the size of the file; if the topology is genuine, raise the limit with the flag named above";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::flows::flows;

    fn topology(yaml: &str) -> Topology {
        let source = crate::source::Source::new("t.yaml", yaml);
        crate::topology(&source, crate::yaml::Limits::default()).expect("loads")
    }

    const TWO_SITES: &str = "version: 1
name: t
sites: [{name: a, cidrs: [10.1.0.0/16]}, {name: b}]
clusters:
  - {name: p, site: a, role: primary, load_balancer: {address: vault.a.example, cluster_port: passthrough}}
  - {name: pd, site: a, role: dr-secondary, replicates_from: p}
  - {name: s, site: b, role: performance-secondary, replicates_from: p}
  - {name: sd, site: b, role: dr-secondary, replicates_from: s}
  - {name: sd2, site: b, role: dr-secondary, replicates_from: s}
clients: [{name: apps, site: a, cluster: p}]
external_services: [{name: db, site: a, port: 5432, used_by: [p, pd]}]
";

    #[test]
    fn the_count_bounds_the_flows_and_is_exact_without_shared_connections() {
        let t = topology(TWO_SITES);
        let (total, most) = count(&t);
        assert!(total >= flows(&t).len() as u64, "{total}");
        // `s` carries its two DR secondaries' pairing with each other and with `p` (three
        // pairs, twelve flows), more than `p` carries for its client, service and `pd`.
        assert_eq!(most.map(|(c, n)| (t.name(c), n)), Some(("s", 18)));
        for (clusters, clients) in [(1, 0), (2, 1), (12, 3), (40, 7)] {
            let yaml = crate::synthetic::star_yaml(clusters, clients);
            let t = topology(&yaml);
            assert_eq!(
                count(&t).0,
                flows(&t).len() as u64,
                "{clusters} clusters, {clients} clients"
            );
        }
    }

    #[test]
    fn past_the_flow_limit_the_error_points_at_the_cluster_charged_most() {
        let t = topology(&crate::synthetic::star_yaml(40, 7));
        let (total, _) = count(&t);
        // 39 DR secondaries paired with each other: one group flow per port, not 741 pairs;
        // 7 clients moving to 39 of them: one group flow. `hub`: its clients, that move,
        // its nodes on both ports and the DR group's two flows; each DR secondary: its
        // replication edge (4) and its nodes (2).
        assert_eq!(total, 7 + 1 + 2 + 2 + 39 * 6);
        assert!(check_limit(&t, total).is_ok());
        let err = check_limit(&t, total - 1).unwrap_err();
        assert_eq!(err.rule.code, "VRT006");
        assert_eq!(
            err.message,
            format!(
                "the topology needs up to {total} network flows, more than {}, the limit; raise it with `--max-flows`",
                total - 1
            )
        );
        assert_eq!(err.primary.span, t.cluster(ClusterId(0)).name.span());
        assert_eq!(
            err.primary.text,
            "12 of them for this cluster, with its 39 DR secondaries, 0 performance secondaries and 7 clients"
        );
    }
}
