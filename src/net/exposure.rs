//! Exposure: whether a firewall rule written from the topology's addresses would open
//! Vault's ports to or from a network that means "everything". `vrt firewall` asks before it
//! writes anything.

use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::net::flows::{self, AddressSource, Flow, Node};
use crate::source::Span;
use crate::values::Cidr;

// Reported by `vrt firewall`: a catch-all network is only a warning in `vrt validate`
// (VRT209), but writing it into an allow rule for Vault's ports is refused.
declare_rule! {
    /// `vrt firewall` would write an allow rule opening Vault's ports to or from a network
    /// that means "everything".
    ///
    /// ## What it checks
    /// Before writing rules, `vrt firewall` looks at every flow into a Vault cluster or load
    /// balancer: when the addresses of either end (as `vrt firewall` takes them: the
    /// object's own `cidrs`, else its cluster's or its site's) hold `0.0.0.0/0`, `::/0`,
    /// `::ffff:0:0/96` or a network broader than a /8, it writes nothing and reports the
    /// declaration, unless `--allow-broad` is given.
    ///
    /// ## Why it matters
    /// Such a rule is an any-to-any allow on the API and cluster ports: "Restrict access
    /// using firewalls or security groups" (KK), and HashiCorp's own module admits these
    /// ports only from named sources (HVD-TF). Operators paste generated rules into
    /// production; a rule that opens Vault to the world must be a deliberate choice, not
    /// the side effect of a placeholder CIDR (PORTS).
    ///
    /// ## Example
    /// ```yaml
    /// sites:
    ///   - {name: dc-a, cidrs: [0.0.0.0/0]}
    /// ```
    ///
    /// ## How to fix
    /// Declare the networks really used (the site's or cluster's subnets, the clients' NAT
    /// addresses). If the rule is wanted — Vault's API served to the Internet through its
    /// load balancer — pass `--allow-broad`.
    pub static CATCH_ALL = "VRT213", "catch-all-generated-rule", Error;
}

/// The declarations that would put a catch-all network into an allow rule for Vault's
/// ports: one finding per declared network, at the network. Empty when none would.
pub fn catch_all(t: &Topology, flows: &[Flow]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<Span> = BTreeSet::new();
    for flow in flows.iter().filter(|f| f.to.is_vault()) {
        let ends = [(flow.from, "source"), (flow.to, "destination")];
        for (node, end) in ends
            .into_iter()
            .flat_map(|(n, end)| n.members(t).into_iter().map(move |m| (m, end)))
        {
            let (_, source) = flows::addresses(t, node);
            let (declared, by): (&[crate::yaml::Sp<Cidr>], String) = match (source, node) {
                (AddressSource::Own, Node::Cluster(c))
                | (AddressSource::Cluster, Node::LoadBalancer(c)) => {
                    (&t.cluster(c).cidrs, format!("cluster `{}`", t.name(c)))
                }
                (AddressSource::Own, Node::LoadBalancer(c)) => (
                    t.cluster(c)
                        .load_balancer
                        .as_ref()
                        .map_or(&[][..], |l| l.cidrs.as_slice()),
                    format!("the load balancer of `{}`", t.name(c)),
                ),
                (AddressSource::Own, Node::Client(k)) => (
                    &t.client(k).cidrs,
                    format!("client `{}`", t.client(k).name.get()),
                ),
                (AddressSource::Own, Node::Service(s)) => (
                    &t.service(s).cidrs,
                    format!("external service `{}`", t.service(s).name.get()),
                ),
                (AddressSource::Site, _) => {
                    let site = t.site(node.site(t));
                    (&site.cidrs, format!("site `{}`", site.name.get()))
                }
                _ => continue,
            };
            for c in declared.iter().filter(|c| c.get().is_catch_all()) {
                if !seen.insert(c.span()) {
                    continue;
                }
                out.push(
                    Finding::new(
                        &CATCH_ALL,
                        c.span(),
                        format!(
                            "refusing to write an allow rule for `{}` → `{}` on {}: {by} declares `{}`, which means every address, as its {end}",
                            flow.from.label(t),
                            flow.to.label(t),
                            flow.port,
                            c.get()
                        ),
                    )
                    .label("means every address")
                    .help("declare the networks really used, or pass `--allow-broad` to write the rule anyway"),
                );
            }
        }
    }
    out
}
