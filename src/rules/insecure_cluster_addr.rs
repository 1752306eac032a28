//! VRT205 `insecure-cluster-addr`: A cluster's `cluster_addr` is not an `https` address.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT205`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;

declare_rule! {
    /// A cluster's `cluster_addr` is written with `http://`, a scheme Vault never uses there.
    ///
    /// ## What it checks
    /// Every `cluster_addr` should use the `https` scheme.
    ///
    /// ## Why it matters
    /// Vault forces the scheme of `cluster_addr` to `https` "because only TLS is used
    /// between servers" (HA), and replication between clusters is mutual TLS with
    /// certificates the primary issues (REPL-IDX). So an `http://` cluster address does not
    /// send anything in plain text: Vault still speaks TLS on that port. It misleads the
    /// people and tools that read the design — a load balancer, proxy or firewall rule
    /// planned for plain HTTP on a port that only ever carries TLS — which is why it is a
    /// warning, not an error.
    ///
    /// ## Example
    /// ```yaml
    /// cluster_addr: http://vault.dc-a.example.com:8201
    /// ```
    ///
    /// ## How to fix
    /// Write the address as `https://host:8201`, and plan every device on the path for TLS
    /// passing through untouched.
    pub static RULE = "VRT205", "insecure-cluster-addr", Warning;
}

/// Reports each `cluster_addr` whose scheme is not `https`.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.clusters()
        .filter_map(|(id, c)| {
            let addr = c.cluster_addr.as_ref()?;
            (addr.scheme != "https").then(|| {
                Finding::new(
                    &RULE,
                    addr.span(),
                    format!(
                        "`cluster_addr` of `{}` is written with `{}`, but Vault forces it to https: the cluster port speaks only TLS",
                        c.name.get(),
                        addr.scheme
                    ),
                )
                .cluster(id)
                .label("Vault uses https here")
                .help(format!("write it as `https://{}:{}`", addr.host, addr.port))
            })
        })
        .collect()
}
