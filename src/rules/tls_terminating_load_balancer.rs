//! VRT204 `tls-terminating-load-balancer`: A load balancer terminates TLS on the cluster port.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT204`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::ClusterPort;

declare_rule! {
    /// A load balancer terminates TLS on the cluster port.
    ///
    /// ## What it checks
    /// A cluster's `load_balancer.cluster_port` must not be `terminate-tls`: the load
    /// balancer either does not carry the cluster port (`none`) or passes it through as
    /// plain TCP to the active node (`passthrough`).
    ///
    /// ## Why it matters
    /// Replication uses mutual TLS with certificates the primary issues inside the
    /// activation token from a CA it never shares, and ALPN to carry replication and request
    /// forwarding on one port: "the cluster traffic can NOT be terminated at the cluster
    /// port at a load balancer level" (REPL-IDX). A load balancer in front of the cluster
    /// port "must pass TCP through without terminating TLS and route to the active node"
    /// (PERF-ENABLE); HashiCorp's module uses a TCP listener on 8201 (HVD-TF).
    ///
    /// ## Example
    /// ```yaml
    /// load_balancer:
    ///   address: vault.dc-a.example.com
    ///   cluster_port: terminate-tls
    /// ```
    ///
    /// ## How to fix
    /// Make the listener on the cluster port a TCP pass-through routed to the active node
    /// (health check `/v1/sys/health`, active = 200) and set `cluster_port: passthrough`;
    /// keep TLS termination, if wanted, to the API port.
    pub static RULE = "VRT204", "tls-terminating-load-balancer", Error, unsuppressible;
}

/// Reports each load balancer that terminates TLS on the cluster port.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter_map(|c| {
            let cluster = t.cluster(c);
            let lb = cluster.load_balancer.as_ref()?;
            (lb.cluster_port == ClusterPort::TerminateTls).then(|| {
                Finding::new(
                    &RULE,
                    lb.cluster_port_span,
                    format!(
                        "load balancer `{}` of `{}` terminates TLS on the cluster port {}",
                        lb.address.get(),
                        cluster.name.get(),
                        cluster.cluster_port()
                    ),
                )
                .cluster(c)
                .label("breaks replication's mutual TLS")
                .related(lb.address.span(), "load balancer declared here")
                .help("pass the cluster port through as plain TCP to the active node: `cluster_port: passthrough`")
            })
        })
        .collect()
}
