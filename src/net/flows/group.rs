//! Standby groups as flow ends: the clusters (or clients) of one end of a standby set,
//! named by their relation to one cluster ([`Members`]), so that one flow stands for every
//! pair of a large set. A group holds no list: its members are worked out from the
//! topology when a consumer needs them ([`Group::nodes`]), in linear time.
//!
//! A product of a standby set is listed pair by pair while that is no longer than listing
//! its members ([`expands`]); larger products become group flows, so the port matrix, the
//! firewall rules and the flow budget grow with the clusters, not with their pairs.

use super::{
    Builder, Cause, Direction, Flow, Need, Node, Purpose, api_entry, client_entry, cluster_entry,
};
use crate::graph::{Members, StandbyKind, StandbySet, Topology};
use crate::ids::{ClusterId, SiteId};
use crate::spec::{Activation, Protocol};

/// Who a group holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holds {
    /// Clusters of one end of a standby set.
    Clusters(Members),
    /// The clients of the cluster.
    Clients(ClusterId),
}

/// How a group's members are reached: as a source, the members themselves; as a
/// destination, where peers or clients reach each member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Via {
    /// The members themselves (a cluster's nodes, a client).
    Nodes,
    /// Where peers reach a member's API: its load balancer when `api_addr` names it.
    Api,
    /// Where peers reach a member's cluster port: its load balancer when it carries it.
    ClusterPort,
    /// Where clients reach a member: its load balancer when it has one.
    Clients,
}

/// Several clusters or clients that open, or accept, the same standby flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Group {
    /// Who it holds.
    pub holds: Holds,
    /// How each member is reached.
    pub via: Via,
    /// Only the members whose port for `via` is this one (the destination of one flow).
    pub port: Option<u16>,
    /// Only the members activated with a wrapped token (`true`) or a public key (`false`).
    pub wrapped: Option<bool>,
    /// Only the members in this site (a firewall `--site` or `--provider` scope).
    pub site: Option<SiteId>,
}

impl Group {
    /// A group of every member of `holds`, reached as `via`.
    pub const fn of(holds: Holds, via: Via) -> Self {
        Self {
            holds,
            via,
            port: None,
            wrapped: None,
            site: None,
        }
    }

    /// The cluster the group is named after.
    pub const fn anchor(&self) -> ClusterId {
        match self.holds {
            Holds::Clusters(m) => m.anchor(),
            Holds::Clients(c) => c,
        }
    }

    /// The members, each as the node a flow reaches or leaves from, in file order.
    pub fn nodes(&self, t: &Topology) -> Vec<Node> {
        match self.holds {
            Holds::Clusters(m) => m
                .clusters(t)
                .into_iter()
                .filter(|c| self.admits(t, *c))
                .map(|c| match self.via {
                    Via::Nodes => Node::Cluster(c),
                    Via::Api => api_entry(t, c),
                    Via::ClusterPort => cluster_entry(t, c),
                    Via::Clients => client_entry(t, c),
                })
                .collect(),
            Holds::Clients(c) => t
                .clients_of(c)
                .into_iter()
                .filter(|(_, k)| self.site.is_none_or(|s| s == *k.site.get()))
                .map(|(k, _)| Node::Client(k))
                .collect(),
        }
    }

    fn admits(&self, t: &Topology, c: ClusterId) -> bool {
        let cluster = t.cluster(c);
        let port = match self.via {
            Via::Nodes => None,
            Via::Api | Via::Clients => Some(cluster.api_port()),
            Via::ClusterPort => Some(cluster.cluster_port()),
        };
        self.port.is_none_or(|p| port.is_none_or(|q| q == p))
            && self
                .wrapped
                .is_none_or(|w| w == (cluster.activation() == Activation::WrappedToken))
            && self.site.is_none_or(|s| s == t.site_of(c))
    }

    /// `cluster-group` or `client-group`.
    pub const fn kind(&self) -> &'static str {
        match self.holds {
            Holds::Clusters(_) => "cluster-group",
            Holds::Clients(_) => "client-group",
        }
    }

    fn what(&self, t: &Topology) -> String {
        let mut what = match self.holds {
            Holds::Clusters(Members::DrSecondaries(c)) => {
                format!("DR secondaries of {}", t.name(c))
            }
            Holds::Clusters(Members::PerformanceSecondaries { primary, except }) => {
                let but = except.map_or(String::new(), |e| format!(" but {}", t.name(e)));
                format!("performance secondaries of {}{but}", t.name(primary))
            }
            Holds::Clusters(Members::One(c)) => t.name(c).to_string(),
            Holds::Clients(c) => format!("clients of {}", t.name(c)),
        };
        match self.wrapped {
            Some(true) => what.push_str(" activated with a wrapped token"),
            Some(false) => what.push_str(" activated with a public key"),
            None => {}
        }
        if let Some(s) = self.site {
            what.push_str(" in site ");
            what.push_str(t.site_name(s));
        }
        what
    }

    /// The members in a finding's words, names in backticks (`the DR secondaries of
    /// `hub``), without the filters.
    pub fn phrase(&self, t: &Topology) -> String {
        match self.holds {
            Holds::Clusters(Members::DrSecondaries(c)) => {
                format!("the DR secondaries of `{}`", t.name(c))
            }
            Holds::Clusters(Members::PerformanceSecondaries { primary, except }) => {
                let but = except.map_or(String::new(), |e| format!(" but `{}`", t.name(e)));
                format!("the performance secondaries of `{}`{but}", t.name(primary))
            }
            Holds::Clusters(Members::One(c)) => format!("`{}`", t.name(c)),
            Holds::Clients(c) => format!("the clients of `{}`", t.name(c)),
        }
    }

    /// The name as shown in tables: what the members are, how many, and the first three
    /// (`DR secondaries of hub (4: dr-1, dr-2, dr-3, …)`).
    pub fn label(&self, t: &Topology) -> String {
        let nodes = self.nodes(t);
        let mut names: Vec<&str> = nodes.iter().take(3).map(|n| n.name(t)).collect();
        if nodes.len() > 3 {
            names.push("…");
        }
        format!("{} ({}: {})", self.what(t), nodes.len(), names.join(", "))
    }

    /// A short kebab-case key for security groups and rule names
    /// (`hub-dr-secondaries`, `hub-dr-secondaries-s1`).
    pub fn key(&self, t: &Topology) -> String {
        let mut key = match self.holds {
            Holds::Clusters(Members::DrSecondaries(c)) => format!("{}-dr-secondaries", t.name(c)),
            Holds::Clusters(Members::PerformanceSecondaries { primary, except }) => {
                let but = except.map_or(String::new(), |e| format!("-but-{}", t.name(e)));
                format!("{}-performance-secondaries{but}", t.name(primary))
            }
            Holds::Clusters(Members::One(c)) => t.name(c).to_string(),
            Holds::Clients(c) => format!("{}-clients", t.name(c)),
        };
        // The port only tells groups apart when the members do not all use it.
        if let Some(p) = self.port
            && (Group {
                port: None,
                ..*self
            })
            .nodes(t)
            .len()
                != self.nodes(t).len()
        {
            key.push('-');
            key.push_str(&p.to_string());
        }
        match self.wrapped {
            Some(true) => key.push_str("-wrapped-token"),
            Some(false) => key.push_str("-public-key"),
            None => {}
        }
        if let Some(s) = self.site {
            key.push('-');
            key.push_str(t.site_name(s));
        }
        key
    }
}

/// Whether a product of `s` secondaries and `p` primaries (for
/// [`StandbyKind::SiblingDr`], `p` clusters paired with each other) is listed pair by pair:
/// while its pairs are no more than its members. Beyond, one group flow stands for it.
pub const fn expands(kind: StandbyKind, s: u64, p: u64) -> bool {
    let members = match kind {
        StandbyKind::SiblingDr => p,
        _ => s.saturating_add(p),
    };
    StandbySet::pair_count(kind, s, p) <= members
}

/// Whether `k` clients moving to `d` DR secondaries are listed client by client.
pub const fn clients_expand(k: u64, d: u64) -> bool {
    k.saturating_mul(d) <= k.saturating_add(d)
}

/// The distinct values of `f` over `items`, in order of first appearance.
pub fn distinct<T: Copy, K: Ord + Copy>(items: &[T], f: impl Fn(T) -> K) -> Vec<K> {
    let mut seen = std::collections::BTreeSet::new();
    items
        .iter()
        .map(|i| f(*i))
        .filter(|k| seen.insert(*k))
        .collect()
}

impl Builder<'_> {
    /// The flows of a standby set: pair by pair while that is no longer than listing its
    /// members ([`group::expands`]), else group flows that stand for every pair: the API
    /// and cluster port from the secondaries to the primaries and back (once for DR
    /// secondaries paired with each other), one flow per destination port, the API port
    /// split by the secondaries' activation when they differ.
    pub(super) fn standby_set(&mut self, set: StandbySet) {
        let t = self.t;
        let secondaries = set.secondaries.clusters(t);
        let primaries = set.primaries.clusters(t);
        if expands(set.kind, secondaries.len() as u64, primaries.len() as u64) {
            for pair in set.pairs(t) {
                self.replication(pair.secondary, pair.primary, true, Cause::Standby(pair));
            }
            return;
        }
        let sibling = set.kind == StandbyKind::SiblingDr;
        let mut ways = vec![(
            set.secondaries,
            &secondaries,
            set.primaries,
            &primaries,
            true,
        )];
        if !sibling {
            ways.push((
                set.primaries,
                &primaries,
                set.secondaries,
                &secondaries,
                false,
            ));
        }
        for (from, from_list, to, to_list, towards_primary) in ways {
            let cause = Cause::StandbySet {
                set,
                towards_primary,
            };
            let source = |wrapped: Option<bool>| match from_list.as_slice() {
                [one] => Node::Cluster(*one),
                _ => Node::Group(Group {
                    wrapped,
                    ..Group::of(Holds::Clusters(from), Via::Nodes)
                }),
            };
            let destination = |via: Via, port: u16| match to_list.as_slice() {
                [one] => match via {
                    Via::Api => api_entry(t, *one),
                    _ => cluster_entry(t, *one),
                },
                _ => Node::Group(Group {
                    port: Some(port),
                    ..Group::of(Holds::Clusters(to), via)
                }),
            };
            // Only a secondary dials its primary's API, and only a wrapped token needs it.
            let activations = if towards_primary {
                distinct(from_list, |c| {
                    t.cluster(c).activation() == Activation::WrappedToken
                })
            } else {
                vec![false]
            };
            let split = activations.len() > 1;
            for wrapped in activations {
                for port in distinct(to_list, |c| t.cluster(c).api_port()) {
                    self.push(Flow {
                        from: source(if split { Some(wrapped) } else { None }),
                        to: destination(Via::Api, port),
                        port,
                        protocol: Protocol::Tcp,
                        direction: Direction::Bidirectional,
                        purpose: Purpose::Bootstrap,
                        standby: true,
                        need: if wrapped && towards_primary {
                            Need::Required
                        } else {
                            Need::Advised
                        },
                        cause,
                    });
                }
            }
            for port in distinct(to_list, |c| t.cluster(c).cluster_port()) {
                self.push(Flow {
                    from: source(None),
                    to: destination(Via::ClusterPort, port),
                    port,
                    protocol: Protocol::Tcp,
                    direction: Direction::Bidirectional,
                    purpose: Purpose::Replication,
                    standby: true,
                    need: Need::Required,
                    cause,
                });
            }
        }
    }
}
