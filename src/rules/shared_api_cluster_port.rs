//! VRT206 `shared-api-cluster-port`: A cluster's `api_addr` and `cluster_addr` use the same port.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT206`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;

declare_rule! {
    /// A cluster's `api_addr` and `cluster_addr` use the same port.
    ///
    /// ## What it checks
    /// The port of `api_addr` (default 8200) must differ from the port of `cluster_addr`
    /// (default 8201).
    ///
    /// ## Why it matters
    /// Each node runs two listeners: the API on the listener's `address` and the cluster
    /// port on its `cluster_address`, which defaults to the API port + 1 (HA; PORTS). They
    /// carry different protocols — HTTP API requests on one, Raft, replication and request
    /// forwarding over mutual TLS with ALPN on the other (REPL-IDX) — and firewall rules,
    /// load balancer listeners and health checks tell them apart by port.
    ///
    /// ## Example
    /// ```yaml
    /// api_addr: https://vault.dc-a.example.com:8200
    /// cluster_addr: https://vault.dc-a.example.com:8200
    /// ```
    ///
    /// ## How to fix
    /// Give the cluster listener its own port, 8201 by convention.
    pub static RULE = "VRT206", "shared-api-cluster-port", Error;
}

/// Reports each cluster whose API and cluster addresses share a port.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.clusters()
        .filter(|(_, c)| c.api_port() == c.cluster_port())
        .filter_map(|(id, c)| {
            let (primary, other, what) = match (&c.cluster_addr, &c.api_addr) {
                (Some(cl), api) => (cl.span(), api.as_ref().map(crate::yaml::Sp::span), "cluster"),
                (None, Some(api)) => (api.span(), None, "API"),
                (None, None) => return None,
            };
            let mut f = Finding::new(
                &RULE,
                primary,
                format!(
                    "`{}` uses port {} for both `api_addr` and `cluster_addr`",
                    c.name.get(),
                    c.api_port()
                ),
            )
            .cluster(id)
            .label(format!("{what} port {}", c.api_port()))
            .help(if what == "API" {
                "write a `cluster_addr` with its own port, or move the API off 8201, the default cluster port".to_string()
            } else {
                format!(
                    "give the cluster listener its own port, such as {}",
                    c.api_port().checked_add(1).unwrap_or(8201)
                )
            });
            if let Some(span) = other {
                f = f.related(span, "API port");
            }
            Some(f)
        })
        .collect()
}
