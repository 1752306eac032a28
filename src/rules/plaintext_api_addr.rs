//! VRT210 `plaintext-api-addr`: A cluster's `api_addr` is a plain `http://` address.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT210`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;

declare_rule! {
    /// A cluster's `api_addr` is a plain `http://` address.
    ///
    /// ## What it checks
    /// Every `api_addr` should use the `https` scheme.
    ///
    /// ## Why it matters
    /// Unlike `cluster_addr`, whose scheme Vault forces to https (HA), the API listener can
    /// really serve plain HTTP. `api_addr` is the address advertised to clients and the
    /// redirect address carried in activation tokens (HA; REPL-IDX): a secondary activated
    /// with a wrapped token unwraps it on that address, and verifies the primary's API
    /// certificate only over TLS (API-DR; API-PERF). Over `http://` the activation token —
    /// the secret that lets a cluster join replication — and every client token cross the
    /// network in clear text. HashiCorp's production hardening asks for end-to-end TLS.
    ///
    /// ## Example
    /// ```yaml
    /// api_addr: http://vault.dc-a.example.com:8200
    /// ```
    ///
    /// ## How to fix
    /// Give the API listener a certificate (`tls_cert_file`, `tls_key_file`) and write the
    /// address as `https://host:8200`.
    pub static RULE = "VRT210", "plaintext-api-addr", Warning;
}

/// Reports each `api_addr` whose scheme is `http`.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.clusters()
        .filter_map(|(id, c)| {
            let addr = c.api_addr.as_ref()?;
            (addr.scheme == "http").then(|| {
                Finding::new(
                    &RULE,
                    addr.span(),
                    format!(
                        "`api_addr` of `{}` is plain HTTP: activation and client tokens cross the network unencrypted",
                        c.name.get()
                    ),
                )
                .cluster(id)
                .label("plain http")
                .help(format!(
                    "serve the API over TLS and write it as `https://{}:{}`",
                    addr.host, addr.port
                ))
            })
        })
        .collect()
}
