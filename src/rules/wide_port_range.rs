//! VRT212 `wide-port-range`: A firewall rule opens a port range much wider than the ports Vault uses.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT212`).

use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::net::flows;

declare_rule! {
    /// A firewall rule opens a port range much wider than the ports Vault uses.
    ///
    /// ## What it checks
    /// When the file declares `network.firewall`, each port range of a rule (`"1-65535"`,
    /// `"8000-9000"`) that holds a Vault port (any cluster's API or cluster port, 8200 and
    /// 8201 by default) must not hold ports that no flow of `vrt ports` uses. Single ports
    /// and ranges made only of used ports (`"8200-8201"`) pass.
    ///
    /// ## Why it matters
    /// Replication needs the cluster port, and the API port for activation (PERF-ENABLE;
    /// PORTS); nothing else between the clusters. "Restrict access using firewalls or
    /// security groups" (KK): a range such as 1-65535 between peers exposes every other
    /// service on those hosts (SSH, node exporters, databases) to the other site, and hides
    /// which ports Vault depends on, so the next change to it cannot be reviewed.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   firewall:
    ///     - {name: dc-a-dc-b, from: dc-a, to: dc-b, ports: ["1-65535"], bidirectional: true}
    /// ```
    ///
    /// ## How to fix
    /// List the ports the flows use (the help gives them), such as `ports: [8200, 8201]`.
    pub static RULE = "VRT212", "wide-port-range", Warning;
}

/// Reports each declared port range that holds a Vault port and ports no flow uses.
pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(rules) = &t.model.firewall else {
        return Vec::new();
    };
    let vault: BTreeSet<u16> = t
        .model
        .clusters
        .iter()
        .flat_map(|c| [c.api_port(), c.cluster_port()])
        .collect();
    let used: BTreeSet<u16> = flows::flows(t).iter().map(|f| f.port).collect();
    let mut out = Vec::new();
    for rule in rules {
        for range in &rule.ports {
            let r = range.get();
            if r.start == r.end || !vault.iter().any(|p| r.contains(*p)) {
                continue;
            }
            let inside: Vec<u16> = used.range(r.start..=r.end).copied().collect();
            let width = usize::from(r.end - r.start) + 1;
            if inside.len() == width {
                continue;
            }
            let list = inside
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            out.push(
                Finding::new(
                    &RULE,
                    range.span(),
                    format!(
                        "firewall rule `{}` opens ports {}-{} ({width} ports) where the topology's flows use {}",
                        rule.name.get(),
                        r.start,
                        r.end,
                        if inside.len() == 1 { format!("port {list}") } else { format!("ports {list}") }
                    ),
                )
                .label(format!("{} ports no flow uses", width - inside.len()))
                .help(format!("list only the ports the flows use: `ports: [{list}]`")),
            );
        }
    }
    out
}
