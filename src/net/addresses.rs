//! The addresses of a flow end, as firewall rules take them: its own `cidrs`, else its
//! cluster's (a load balancer), else its site's.

use std::net::IpAddr;

use crate::graph::Topology;
use crate::net::flows::Node;
use crate::values::Cidr;

/// Where a node's addresses come from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressSource {
    /// Its own `cidrs` (or a load balancer's IP `address`).
    Own,
    /// The `cidrs` of its cluster (a load balancer without its own).
    Cluster,
    /// The `cidrs` of its site.
    Site,
    /// Nothing declares any.
    None,
}

/// The addresses a node uses, and where they come from: its own `cidrs`; for a load
/// balancer, its `cidrs`, its `address` when that is an IP, or its cluster's; otherwise its
/// site's `cidrs`, which hold every address of the site (never for a seal or Consul
/// endpoint, which has only its own). A group uses the addresses of its members (each once,
/// in order); its source is [`AddressSource::None`] when a member has none, else
/// [`AddressSource::Own`].
pub fn addresses(t: &Topology, node: Node) -> (Vec<Cidr>, AddressSource) {
    let own: Vec<Cidr> = match node {
        Node::Group(g) => {
            let mut seen = std::collections::HashSet::new();
            let mut all = Vec::new();
            let mut source = AddressSource::Own;
            for member in g.nodes(t) {
                let (cidrs, from) = addresses(t, member);
                if from == AddressSource::None {
                    source = AddressSource::None;
                }
                all.extend(cidrs.into_iter().filter(|c| seen.insert(*c)));
            }
            return (all, source);
        }
        Node::Cluster(c) => t.cluster(c).cidrs.iter().map(|c| *c.get()).collect(),
        Node::LoadBalancer(c) => {
            let lb = t.cluster(c).load_balancer.as_ref();
            let mut own: Vec<Cidr> = lb
                .map(|l| l.cidrs.iter().map(|c| *c.get()).collect())
                .unwrap_or_default();
            if own.is_empty()
                && let Some(ip) = lb.and_then(|l| l.address.parse::<IpAddr>().ok())
            {
                own.push(Cidr {
                    addr: ip,
                    prefix: if ip.is_ipv4() { 32 } else { 128 },
                });
            }
            if own.is_empty() {
                let (cluster, source) = addresses(t, Node::Cluster(c));
                let source = if source == AddressSource::Own {
                    AddressSource::Cluster
                } else {
                    source
                };
                return (cluster, source);
            }
            own
        }
        Node::Client(k) => t.client(k).cidrs.iter().map(|c| *c.get()).collect(),
        Node::Service(s) => t.service(s).cidrs.iter().map(|c| *c.get()).collect(),
        // Only their own: a seal or Consul endpoint is not every address of the site, and
        // flows to it exist only where the file gives its `cidrs`.
        Node::Seal(_) | Node::Consul(_) => {
            let own: Vec<Cidr> = node.endpoint_cidrs(t).iter().map(|c| *c.get()).collect();
            let source = if own.is_empty() {
                AddressSource::None
            } else {
                AddressSource::Own
            };
            return (own, source);
        }
    };
    if !own.is_empty() {
        return (own, AddressSource::Own);
    }
    let site: Vec<Cidr> = t
        .site(node.site(t))
        .cidrs
        .iter()
        .map(|c| *c.get())
        .collect();
    if site.is_empty() {
        (site, AddressSource::None)
    } else {
        (site, AddressSource::Site)
    }
}
