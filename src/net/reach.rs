//! Which flows the declared firewall (`network.firewall`) allows. The declared rules are
//! indexed once, by the names their ends denote and by the networks they hold, so checking
//! a flow costs a few hash look-ups rather than a scan of every rule (topologies of 10,000
//! clusters have tens of thousands of flows and rules).
//!
//! A rule end matches a flow end when it denotes it by name (`any`; the end's site; the
//! cluster, client or service itself; a cluster for its load balancer) or by address (every
//! network of the flow end, as [`flows::addresses`] gives them, lies inside the rule end's
//! networks: a CIDR, a site's `cidrs`, or the named object's own `cidrs`).
//!
//! A group flow (a standby set's product) is allowed when every pair of its members is.
//! Members that no rule can tell apart (the same site and addresses, not named by a rule)
//! form one class, and one pair per pair of classes is checked: a set of 10,000 DR
//! secondaries in ten sites costs a hundred checks, not a hundred million.

use std::collections::{HashMap, HashSet};

use crate::graph::Topology;
use crate::ids::{ClientId, ClusterId, ServiceId, SiteId};
use crate::model::{Endpoint, FirewallRule};
use crate::net::cidrset;
use crate::net::flows::{self, Flow, Node};
use crate::values::Cidr;

/// What a rule end names, for the name index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Any,
    Site(SiteId),
    Cluster(ClusterId),
    Client(ClientId),
    Service(ServiceId),
}

fn key_of(endpoint: Endpoint) -> Option<Key> {
    match endpoint {
        Endpoint::Any => Some(Key::Any),
        Endpoint::Cidr(_) => None,
        Endpoint::Site(s) => Some(Key::Site(s)),
        Endpoint::Cluster(c) => Some(Key::Cluster(c)),
        Endpoint::Client(k) => Some(Key::Client(k)),
        Endpoint::Service(s) => Some(Key::Service(s)),
    }
}

/// The names that denote a flow end: `any`, its site, and itself (its cluster for a load
/// balancer); only `any` for a seal or Consul endpoint.
fn keys_of(t: &Topology, node: Node) -> [Key; 3] {
    let own = match node.entity() {
        Node::Cluster(c) | Node::LoadBalancer(c) => Key::Cluster(c),
        Node::Client(k) => Key::Client(k),
        Node::Service(s) => Key::Service(s),
        // No name denotes a seal or Consul endpoint but `any`: its addresses need not lie
        // in its cluster's site, so a rule reaches it by address only.
        Node::Seal(_) | Node::Consul(_) => return [Key::Any; 3],
        // Never asked: groups are checked member by member (`Declared::first_blocked`).
        Node::Group(_) => Key::Any,
    };
    [Key::Any, Key::Site(node.site(t)), own]
}

/// The networks a rule end declares (not defaulted: naming a cluster without `cidrs` says
/// nothing about addresses).
pub fn declared_addresses(t: &Topology, endpoint: Endpoint) -> Vec<Cidr> {
    let own = |cidrs: &[crate::yaml::Sp<Cidr>]| cidrs.iter().map(|c| *c.get()).collect();
    match endpoint {
        Endpoint::Any => vec![
            "0.0.0.0/0".parse().expect("a valid CIDR literal"),
            "::/0".parse().expect("a valid CIDR literal"),
        ],
        Endpoint::Cidr(c) => vec![c],
        Endpoint::Site(s) => own(&t.site(s).cidrs),
        Endpoint::Cluster(c) => own(&t.cluster(c).cidrs),
        Endpoint::Client(k) => own(&t.client(k).cidrs),
        Endpoint::Service(s) => own(&t.service(s).cidrs),
    }
}

/// One direction of a declared rule: `bidirectional` rules appear twice.
#[derive(Clone, Copy, Debug)]
struct Way {
    rule: usize,
    from: Endpoint,
    to: Endpoint,
}

/// The declared firewall, indexed.
pub struct Declared<'t> {
    t: &'t Topology,
    rules: &'t [FirewallRule],
    ways: Vec<Way>,
    /// Networks of each way's ends: `(from, to)`.
    nets: Vec<(Vec<Cidr>, Vec<Cidr>)>,
    by_pair: HashMap<(Key, Key), Vec<usize>>,
    by_from_key: HashMap<Key, Vec<usize>>,
    by_from_net: HashMap<Cidr, Vec<usize>>,
    /// The objects some rule names as its source, and as its destination.
    named: [HashSet<Key>; 2],
}

/// What decides whether rules allow a flow end: the names that denote it (its own only
/// when a rule names it on that side) and its addresses.
type Signature = ([Key; 3], Vec<Cidr>);

impl<'t> Declared<'t> {
    /// Indexes `rules` (the model's `network.firewall`).
    pub fn new(t: &'t Topology, rules: &'t [FirewallRule]) -> Self {
        let mut d = Self {
            t,
            rules,
            ways: Vec::with_capacity(rules.len() * 2),
            nets: Vec::with_capacity(rules.len() * 2),
            by_pair: HashMap::new(),
            by_from_key: HashMap::new(),
            by_from_net: HashMap::new(),
            named: [HashSet::new(), HashSet::new()],
        };
        for (i, r) in rules.iter().enumerate() {
            let (from, to) = (*r.from.get(), *r.to.get());
            let mut ways = vec![Way { rule: i, from, to }];
            if r.bidirectional {
                ways.push(Way {
                    rule: i,
                    from: to,
                    to: from,
                });
            }
            for way in ways {
                let w = d.ways.len();
                let from_nets = declared_addresses(t, way.from);
                let to_nets = declared_addresses(t, way.to);
                if let (Some(a), Some(b)) = (key_of(way.from), key_of(way.to)) {
                    d.by_pair.entry((a, b)).or_default().push(w);
                }
                if let Some(a) = key_of(way.from) {
                    d.by_from_key.entry(a).or_default().push(w);
                    d.named[0].insert(a);
                }
                if let Some(b) = key_of(way.to) {
                    d.named[1].insert(b);
                }
                for n in &from_nets {
                    d.by_from_net.entry(*n).or_default().push(w);
                }
                d.ways.push(way);
                d.nets.push((from_nets, to_nets));
            }
        }
        d
    }

    /// The rules, as declared.
    pub fn rules(&self) -> &'t [FirewallRule] {
        self.rules
    }

    fn carries(&self, w: usize, flow: &Flow) -> bool {
        let r = &self.rules[self.ways[w].rule];
        r.protocol == flow.protocol && r.ports.iter().any(|p| p.contains(flow.port))
    }

    fn end_matches(&self, endpoint: Endpoint, nets: &[Cidr], node: Node) -> bool {
        if let Some(k) = key_of(endpoint)
            && keys_of(self.t, node).contains(&k)
        {
            return true;
        }
        if nets.is_empty() {
            return false;
        }
        let (addrs, _) = flows::addresses(self.t, node);
        !addrs.is_empty() && addrs.iter().all(|a| nets.iter().any(|n| n.contains(a)))
    }

    fn way_allows(&self, w: usize, flow: &Flow) -> bool {
        let way = self.ways[w];
        let (from_nets, to_nets) = &self.nets[w];
        self.carries(w, flow)
            && self.end_matches(way.from, from_nets, flow.from)
            && self.end_matches(way.to, to_nets, flow.to)
    }

    /// The index of the first declared rule that allows `flow`, if any. For a group flow:
    /// the rule that allows its first pair, when every pair is allowed.
    pub fn allowing(&self, flow: &Flow) -> Option<usize> {
        if matches!(flow.from, Node::Group(_)) || matches!(flow.to, Node::Group(_)) {
            return self.check_pairs(flow).unwrap_or_default();
        }
        self.allowing_one(flow)
    }

    /// The first pair of members of `flow` that no declared rule allows, as a flow between
    /// them (`flow` itself when neither end is a group); `None` when every pair is allowed.
    pub fn first_blocked(&self, flow: &Flow) -> Option<Flow> {
        if matches!(flow.from, Node::Group(_)) || matches!(flow.to, Node::Group(_)) {
            return self.check_pairs(flow).err();
        }
        if self.allowing_one(flow).is_some() {
            None
        } else {
            Some(*flow)
        }
    }

    /// The members of one end of a group flow, by class (`side` 0 the source, 1 the
    /// destination), classes and members in file order.
    fn classes(&self, node: Node, side: usize) -> Vec<Vec<Node>> {
        let mut out: Vec<Vec<Node>> = Vec::new();
        let mut index: HashMap<Signature, usize> = HashMap::new();
        for member in node.members(self.t) {
            let mut keys = keys_of(self.t, member);
            if !self.named[side].contains(&keys[2]) {
                keys[2] = Key::Any;
            }
            let sig = (keys, flows::addresses(self.t, member).0);
            let next = out.len();
            let i = *index.entry(sig).or_insert(next);
            if i == next {
                out.push(Vec::new());
            }
            out[i].push(member);
        }
        out
    }

    /// Every pair of two different members of `flow`'s ends, one pair per pair of classes:
    /// `Ok` with the rule allowing the first pair (`None` when there is no pair), or `Err`
    /// with the first pair no rule allows.
    fn check_pairs(&self, flow: &Flow) -> Result<Option<usize>, Flow> {
        let sources = self.classes(flow.from, 0);
        let destinations = self.classes(flow.to, 1);
        let mut first = None;
        for cs in &sources {
            for cd in &destinations {
                let pick = |x: Node| cd.iter().take(2).find(|y| y.entity() != x.entity());
                let pair = match pick(cs[0]) {
                    Some(y) => Some((cs[0], *y)),
                    None => cs.get(1).and_then(|x| pick(*x).map(|y| (*x, *y))),
                };
                let Some((from, to)) = pair else {
                    continue;
                };
                let one = Flow { from, to, ..*flow };
                match self.allowing_one(&one) {
                    Some(rule) => {
                        first = first.or(Some(rule));
                    }
                    None => return Err(one),
                }
            }
        }
        Ok(first)
    }

    fn allowing_one(&self, flow: &Flow) -> Option<usize> {
        let from_keys = keys_of(self.t, flow.from);
        let to_keys = keys_of(self.t, flow.to);
        for a in from_keys {
            for b in to_keys {
                if let Some(ways) = self.by_pair.get(&(a, b))
                    && let Some(w) = ways.iter().find(|w| self.carries(**w, flow))
                {
                    return Some(self.ways[*w].rule);
                }
            }
        }
        // By address: candidates are the ways whose source names the flow's source, or
        // holds a network containing the source's first network.
        let mut candidates: Vec<usize> = from_keys
            .iter()
            .filter_map(|k| self.by_from_key.get(k))
            .flatten()
            .copied()
            .collect();
        let (addrs, _) = flows::addresses(self.t, flow.from);
        if let Some(first) = addrs.first() {
            for net in cidrset::supernets(*first) {
                if let Some(ways) = self.by_from_net.get(&net) {
                    candidates.extend(ways);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .find(|w| self.way_allows(*w, flow))
            .map(|w| self.ways[w].rule)
    }

    /// Whether declared rules allow `flow` (for a group flow: every pair of its members).
    pub fn allows(&self, flow: &Flow) -> bool {
        self.first_blocked(flow).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology(yaml: &str) -> Topology {
        let source = crate::source::Source::new("t.yaml", yaml);
        crate::topology(&source, crate::yaml::Limits::default()).expect("loads")
    }

    fn blocked(yaml: &str) -> Vec<String> {
        let t = topology(yaml);
        let rules = t.model.firewall.clone().unwrap_or_default();
        let d = Declared::new(&t, &rules);
        flows::flows(&t)
            .iter()
            .filter(|f| !f.standby && !d.allows(f))
            .map(|f| format!("{} -> {} {}", f.from.label(&t), f.to.label(&t), f.port))
            .collect()
    }

    const BASE: &str = "version: 1
name: t
sites:
  - {name: a, cidrs: [10.1.0.0/16]}
  - {name: b, cidrs: [10.2.0.0/16]}
clusters:
  - {name: p, site: a, role: primary, cidrs: [10.1.1.0/24], load_balancer: {address: vault.a.example}}
  - {name: s, site: b, role: performance-secondary, replicates_from: p, cidrs: [10.2.1.0/24]}
clients: [{name: apps, site: b, cluster: s, cidrs: [10.2.50.0/24]}]
network:
  firewall:
";

    #[test]
    fn names_sites_cidrs_and_any_all_match() {
        let rules = "
    - {name: ab, from: a, to: b, ports: [8200, 8201], bidirectional: true}
    - {name: in-a, from: 10.1.0.0/16, to: p, ports: ['8200-8201']}
    - {name: in-b, from: b, to: 10.2.1.0/24, ports: [8200, 8201]}
";
        assert_eq!(blocked(&format!("{BASE}{rules}")), Vec::<String>::new());
    }

    #[test]
    fn a_missing_direction_port_or_protocol_blocks() {
        let rules = "
    - {name: ab, from: a, to: b, ports: [8200, 8201]}
    - {name: ba, from: b, to: a, ports: [8201]}
    - {name: ba-udp, from: b, to: a, ports: [8200], protocol: udp}
    - {name: in-a, from: any, to: a, ports: [8200, 8201]}
    - {name: in-b, from: 10.2.0.0/16, to: 10.2.0.0/16, ports: [8200, 8201]}
";
        // `in-a` (from any) covers everything into site a, `in-b` everything inside b.
        assert_eq!(blocked(&format!("{BASE}{rules}")), Vec::<String>::new());
        let rules = "
    - {name: ab, from: a, to: b, ports: [8200, 8201]}
    - {name: ba, from: b, to: a, ports: [8201]}
    - {name: ba-udp, from: b, to: a, ports: [8200], protocol: udp}
    - {name: in-a, from: a, to: a, ports: [8200, 8201]}
    - {name: in-b, from: 10.2.0.0/16, to: 10.2.0.0/16, ports: [8200, 8201]}
";
        assert_eq!(
            blocked(&format!("{BASE}{rules}")),
            ["s -> p (load balancer) 8200"]
        );
    }

    #[test]
    fn a_network_that_does_not_hold_the_whole_end_does_not_match() {
        let rules = "
    - {name: ab, from: 10.1.1.0/25, to: b, ports: [8200, 8201]}
    - {name: ba, from: b, to: a, ports: [8200, 8201]}
    - {name: in, from: any, to: any, ports: [8200, 8201]}
";
        // `in` from any to any allows everything: the narrow rule is irrelevant.
        assert!(blocked(&format!("{BASE}{rules}")).is_empty());
        let rules = "
    - {name: ab, from: 10.1.1.0/25, to: b, ports: [8200, 8201]}
    - {name: ba, from: b, to: a, ports: [8200, 8201]}
    - {name: ia, from: a, to: a, ports: [8200, 8201]}
    - {name: ib, from: b, to: b, ports: [8200, 8201]}
";
        assert_eq!(
            blocked(&format!("{BASE}{rules}")),
            ["p -> s 8200", "p -> s 8201"]
        );
    }
}
