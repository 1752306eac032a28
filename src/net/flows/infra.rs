//! Flows from a cluster's nodes to what it depends on outside Vault: its seal endpoint and
//! the Consul cluster that stores its data. Both exist only where the file gives their
//! addresses (`seal.cidrs`, `consul.cidrs`): a cloud KMS reached over its public endpoint or
//! a Consul agent on each Vault node has no network range a rule could name.
//!
//! Both are needed now, by every cluster, DR secondaries included: an auto-unsealed node
//! that restarts stays sealed until it reaches its seal (recovery keys cannot unseal it,
//! SEAL), Vault Enterprise seal wrapping uses the seal at runtime too (SEAL-CONFIG), and a
//! cluster without its storage serves nothing (CONSUL-STORAGE).

use super::{Builder, Cause, Direction, Flow, Need, Node, Purpose};
use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::source::Span;
use crate::spec::Protocol;
use crate::values::Cidr;
use crate::yaml::Sp;

/// Adds, per cluster in file order, the flow to its seal endpoint and the flow to its
/// Consul storage.
pub(super) fn flows(b: &mut Builder<'_>) {
    let t = b.t;
    for c in t.cluster_ids() {
        let facts = &t.cluster(c).storage;
        let ends = [
            facts
                .seal
                .as_ref()
                .and_then(|s| s.endpoint.as_ref())
                .map(|e| {
                    (
                        Node::Seal(c),
                        e.port,
                        Purpose::Unseal,
                        Cause::Seal { cluster: c },
                    )
                }),
            facts.consul.as_ref().map(|e| {
                (
                    Node::Consul(c),
                    e.port,
                    Purpose::ConsulStorage,
                    Cause::Consul { cluster: c },
                )
            }),
        ];
        for (to, port, purpose, cause) in ends.into_iter().flatten() {
            b.push(Flow {
                from: Node::Cluster(c),
                to,
                port,
                protocol: Protocol::Tcp,
                direction: Direction::Outbound,
                purpose,
                standby: false,
                need: Need::Required,
                cause,
            });
        }
    }
}

impl Node {
    /// The declared `cidrs` of a seal or Consul endpoint (empty for any other end, and for
    /// an endpoint the file gives no addresses).
    pub fn endpoint_cidrs<'t>(&self, t: &'t Topology) -> &'t [Sp<Cidr>] {
        let facts = match *self {
            Self::Seal(c) | Self::Consul(c) => &t.cluster(c).storage,
            _ => return &[],
        };
        let endpoint = match self {
            Self::Seal(_) => facts.seal.as_ref().and_then(|s| s.endpoint.as_ref()),
            _ => facts.consul.as_ref(),
        };
        endpoint.map_or(&[], |e| e.cidrs.as_slice())
    }

    /// Where a `vrt firewall` error about this seal or Consul endpoint of cluster `c` points
    /// (the cluster), what it names and what to give. Flows to these exist only with their
    /// `cidrs` and always start at a cluster, so no such error arises; this keeps the
    /// errors' matches total.
    pub fn unaddressed(&self, t: &Topology, c: ClusterId) -> (Span, String, String) {
        (
            t.cluster(c).name.span(),
            self.label(t),
            format!("give cluster `{}` `{}.cidrs`", t.name(c), self.kind()),
        )
    }

    /// How a `network.firewall` rule's `from` or `to` writes this end: its name, or for a
    /// seal or Consul endpoint (which no name denotes) each of its CIDRs.
    pub fn rule_ends(&self, t: &Topology) -> Vec<String> {
        match self {
            Self::Seal(_) | Self::Consul(_) => self
                .endpoint_cidrs(t)
                .iter()
                .map(|c| c.get().to_string())
                .collect(),
            _ => vec![self.entity().name(t).to_string()],
        }
    }
}
