//! VRT207 `port-outside-firewall`: An address uses a port that no declared firewall rule opens.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT207`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Protocol;

declare_rule! {
    /// An address uses a port that no declared firewall rule opens.
    ///
    /// ## What it checks
    /// When the file declares `network.firewall`, the port of every written `api_addr` and
    /// `cluster_addr` must lie in the ports of at least one declared TCP rule.
    ///
    /// ## Why it matters
    /// Clients, load balancers and peers dial exactly these addresses (HA; REPL-IDX); a port
    /// that the firewall never opens is usually a typo in the address or a rule written for
    /// the defaults (8200, 8201) after the listener moved (PORTS). `VRT201` reports each
    /// blocked flow; this rule points at the address itself.
    ///
    /// ## Example
    /// ```yaml
    /// cluster_addr: https://vault.dc-a.example.com:8301   # the firewall opens 8200 and 8201
    /// ```
    ///
    /// ## How to fix
    /// Correct the port in the address, or open it in `network.firewall` for the peers
    /// that need it.
    pub static RULE = "VRT207", "port-outside-firewall", Warning;
}

/// Reports each written address whose port no declared TCP rule opens.
pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(rules) = &t.model.firewall else {
        return Vec::new();
    };
    let mut open: Vec<(u16, u16)> = rules
        .iter()
        .filter(|r| r.protocol == Protocol::Tcp)
        .flat_map(|r| r.ports.iter().map(|p| (p.start, p.end)))
        .collect();
    open.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::new();
    for (s, e) in open {
        match merged.last_mut() {
            Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let opened = |port: u16| {
        let i = merged.partition_point(|(s, _)| *s <= port);
        i > 0 && merged[i - 1].1 >= port
    };
    let listed = if merged.is_empty() {
        "none".to_string()
    } else {
        merged
            .iter()
            .map(|(s, e)| {
                if s == e {
                    s.to_string()
                } else {
                    format!("{s}-{e}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for (id, c) in t.clusters() {
        for (addr, field) in [(&c.api_addr, "api_addr"), (&c.cluster_addr, "cluster_addr")] {
            let Some(addr) = addr else { continue };
            if opened(addr.port) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    addr.span(),
                    format!(
                        "`{field}` of `{}` uses port {}, which no declared firewall rule opens",
                        c.name.get(),
                        addr.port
                    ),
                )
                .cluster(id)
                .label(format!("port {}", addr.port))
                .help(format!(
                    "correct the port, or open {} in `network.firewall` for the peers that need it (the rules open: {listed})",
                    addr.port
                )),
            );
        }
    }
    out
}
