//! The port matrix: every network flow a topology needs, derived from the roles alone (never
//! from declared firewall rules). A pure function of the [`Topology`]; `vrt ports` renders
//! it, the network rules check it against the declared firewall and DNS, and `vrt firewall`
//! turns it into allow rules.
//!
//! Coverage follows the port reference of the architecture notes (KK) and PORTS:
//! - Vault ↔ Vault between replicating clusters: the API port (bootstrap / activation) and
//!   the cluster port (replication and RPC forwarding), opened both ways as the notes say;
//!   the docs need the API port only secondary → primary during activation (PERF-ENABLE,
//!   TS-CONN), which the explanation text says;
//! - client → load balancer (or → the cluster without one), load balancer → Vault;
//! - Vault → external services;
//! - node ↔ node inside each cluster (Raft on the cluster port, joins on the API port);
//! - node → its seal endpoint and its Consul storage, where the file gives their addresses
//!   (`infra`);
//! - standby flows, open before a failover needs them ([`Topology::standby_pairs`], clients
//!   moving to a promoted DR secondary, services a DR secondary uses once promoted).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

pub use self::describe::Wording;
pub use self::group::{Group, Holds, Via};
use crate::graph::{EdgeKind, Members, StandbyPair, StandbySet, Topology};
use crate::ids::{ClientId, ClusterId, ServiceId, SiteId};
pub use crate::net::addresses::{AddressSource, addresses};
use crate::source::Span;
use crate::spec::{Activation, ClusterPort, Protocol, Role};
use crate::values::Host;

mod describe;
pub(crate) mod group;
mod infra;
#[cfg(test)]
mod tests;

/// One end of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    /// The nodes of a Vault cluster.
    Cluster(ClusterId),
    /// The load balancer in front of a cluster.
    LoadBalancer(ClusterId),
    /// A group of clients.
    Client(ClientId),
    /// An external service.
    Service(ServiceId),
    /// A cluster's seal endpoint (KMS, transit cluster or HSM), from `seal.cidrs`.
    Seal(ClusterId),
    /// The Consul agents or servers a cluster stores its data in, from `consul.cidrs`.
    Consul(ClusterId),
    /// Several clusters or clients that take part in the same standby flows.
    Group(Group),
}

impl Node {
    /// The name of the declared object: the cluster's name for a load balancer, a seal
    /// endpoint or a Consul endpoint, the name of the cluster a group is named after.
    pub fn name<'a>(&self, t: &'a Topology) -> &'a str {
        match *self {
            Self::Cluster(c) | Self::LoadBalancer(c) | Self::Seal(c) | Self::Consul(c) => t.name(c),
            Self::Client(k) => t.client(k).name.get(),
            Self::Service(s) => t.service(s).name.get(),
            Self::Group(g) => t.name(g.anchor()),
        }
    }

    /// Every value of [`Node::kind`]: the `enum` of the JSON Schemas of `ports` and
    /// `firewall --format json`.
    pub const KINDS: [&'static str; 8] = [
        "cluster",
        "load-balancer",
        "client",
        "service",
        "seal",
        "consul",
        "cluster-group",
        "client-group",
    ];

    /// `cluster`, `load-balancer`, `client`, `service`, `seal`, `consul`, `cluster-group`
    /// or `client-group` (one of [`Node::KINDS`]).
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Seal(_) => "seal",
            Self::Consul(_) => "consul",
            Self::Cluster(_) => "cluster",
            Self::LoadBalancer(_) => "load-balancer",
            Self::Client(_) => "client",
            Self::Service(_) => "service",
            Self::Group(g) => g.kind(),
        }
    }

    /// The nodes it stands for: the members of a group, else itself.
    pub fn members(&self, t: &Topology) -> Vec<Node> {
        match self {
            Self::Group(g) => g.nodes(t),
            other => vec![*other],
        }
    }

    /// The name as shown in tables: `primary-a`, `primary-a (load balancer)`,
    /// `apps-a (client)`, `orders-db (service)`, `primary-a (seal endpoint)`,
    /// `primary-a (Consul)`.
    pub fn label(&self, t: &Topology) -> String {
        match self {
            Self::Seal(_) => format!("{} (seal endpoint)", self.name(t)),
            Self::Consul(_) => format!("{} (Consul)", self.name(t)),
            Self::Cluster(_) => self.name(t).to_string(),
            Self::LoadBalancer(_) => format!("{} (load balancer)", self.name(t)),
            Self::Client(_) => format!("{} (client)", self.name(t)),
            Self::Service(_) => format!("{} (service)", self.name(t)),
            Self::Group(g) => g.label(t),
        }
    }

    /// The site it is in (a load balancer, seal or Consul endpoint is in its cluster's
    /// site: the cloud outputs scope it by that site's provider). A group's members may be
    /// in several sites: this is its site filter, else the site of the cluster it is named
    /// after; ask [`Node::members`] for theirs.
    pub fn site(&self, t: &Topology) -> SiteId {
        match *self {
            Self::Cluster(c) | Self::LoadBalancer(c) | Self::Seal(c) | Self::Consul(c) => {
                t.site_of(c)
            }
            Self::Client(k) => *t.client(k).site.get(),
            Self::Service(s) => *t.service(s).site.get(),
            Self::Group(g) => g.site.unwrap_or_else(|| t.site_of(g.anchor())),
        }
    }

    /// The declared object a firewall rule names to reach it: a load balancer is reached
    /// by naming its cluster.
    #[must_use]
    pub const fn entity(&self) -> Node {
        match *self {
            Self::LoadBalancer(c) => Self::Cluster(c),
            other => other,
        }
    }

    /// Whether it is Vault (a cluster's nodes or its load balancer, or a group of them).
    pub const fn is_vault(&self) -> bool {
        matches!(
            self,
            Self::Cluster(_)
                | Self::LoadBalancer(_)
                | Self::Group(Group {
                    holds: Holds::Clusters(_),
                    ..
                })
        )
    }
}

/// What a flow carries, in the words of the port reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// API port between clusters: bootstrap and activation.
    Bootstrap,
    /// Cluster port between clusters: replication and RPC forwarding.
    Replication,
    /// Clients to the API.
    ClientOperations,
    /// Load balancer to the nodes.
    LoadBalanced,
    /// Vault to an external service.
    SecretsEngine,
    /// API port inside a cluster: Raft joins.
    RaftJoin,
    /// Cluster port inside a cluster: Raft and request forwarding.
    Raft,
    /// A cluster's nodes to its seal endpoint: unseal and seal wrapping.
    Unseal,
    /// A cluster's nodes to Consul's HTTP API: the storage backend.
    ConsulStorage,
}

impl Purpose {
    /// Every purpose, in declaration order (a new one must be added here: the schemas'
    /// `enum` of purposes is [`Purpose::LABELS`]).
    pub const ALL: [Self; 9] = [
        Self::Bootstrap,
        Self::Replication,
        Self::ClientOperations,
        Self::LoadBalanced,
        Self::SecretsEngine,
        Self::RaftJoin,
        Self::Raft,
        Self::Unseal,
        Self::ConsulStorage,
    ];

    /// [`Purpose::as_str`] of every purpose: the `enum` of the JSON Schemas of `ports` and
    /// `firewall --format json`.
    pub const LABELS: [&'static str; 9] = {
        let mut out = [""; 9];
        let mut i = 0;
        while i < Self::ALL.len() {
            out[i] = Self::ALL[i].as_str();
            i += 1;
        }
        out
    };

    /// The purpose as shown in tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Bootstrap => "cluster bootstrap",
            Self::Replication => "replication and RPC forwarding",
            Self::ClientOperations => "client operations",
            Self::LoadBalanced => "load-balanced traffic",
            Self::SecretsEngine => "secrets engine access",
            Self::RaftJoin => "Raft joins",
            Self::Raft => "Raft and request forwarding",
            Self::Unseal => "auto-unseal and seal wrapping",
            Self::ConsulStorage => "Consul storage",
        }
    }

    /// A short kebab-case word for rule names.
    pub const fn slug(self) -> &'static str {
        match self {
            Self::Bootstrap | Self::Replication => "replication",
            Self::ClientOperations => "client",
            Self::LoadBalanced => "lb",
            Self::SecretsEngine => "service",
            Self::RaftJoin | Self::Raft => "raft",
            Self::Unseal => "seal",
            Self::ConsulStorage => "consul",
        }
    }
}

/// The direction column of the port reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Open both ways (this row is one of the two).
    Bidirectional,
    /// Into Vault from outside.
    Inbound,
    /// Inside a deployment (load balancer to its nodes).
    Internal,
    /// From Vault to something else.
    Outbound,
}

impl Direction {
    /// The direction as shown in tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Bidirectional => "bidirectional",
            Self::Inbound => "inbound",
            Self::Internal => "internal",
            Self::Outbound => "outbound",
        }
    }
}

/// Whether Vault itself uses a flow, direction by direction (PERF-ENABLE; TS-CONN; the
/// fact sheet's "Implications" 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// Vault uses it: the cluster port both ways, the primary's API port from a secondary
    /// activated with a wrapped token, clients, load balancers, services, Raft.
    Required,
    /// Used only when the primary rejoins its promoted DR secondary as a secondary with a
    /// wrapped token (failback): the primary dials the DR secondary's API port.
    Failback,
    /// No Vault flow uses it; the architecture notes and the PORTS table open it
    /// "bi-directionally" (the API port primary → secondary, or secondary → primary with
    /// public-key activation). `--strict-ports` leaves it out.
    Advised,
}

impl Need {
    /// `required`, `failback` or `advised`, as written in the JSON outputs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Failback => "failback",
            Self::Advised => "advised",
        }
    }
}

/// Why a flow exists: the declaration or failover it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// A replication edge: `secondary` replicates from `primary`.
    Replication {
        /// The downstream cluster.
        secondary: ClusterId,
        /// The upstream cluster.
        primary: ClusterId,
        /// The kind of replication.
        kind: EdgeKind,
    },
    /// A connection that exists only after a failover.
    Standby(StandbyPair),
    /// Connections that exist only after a failover, for every pair of a standby set: a
    /// group flow ([`Node::Group`] at one end or both).
    StandbySet {
        /// The set.
        set: StandbySet,
        /// Whether the flow goes from the set's secondaries to its primaries (the way a
        /// secondary dials), not back.
        towards_primary: bool,
    },
    /// A client uses its cluster.
    Client {
        /// The client.
        client: ClientId,
    },
    /// A client moves to its cluster's DR secondary when that is promoted.
    ClientFailover {
        /// The client.
        client: ClientId,
        /// The DR secondary it moves to.
        dr: ClusterId,
    },
    /// The clients of `cluster` move to its DR secondary promoted in its place (a group
    /// flow: many clients, many DR secondaries).
    ClientsFailover {
        /// The cluster whose clients move.
        cluster: ClusterId,
    },
    /// A load balancer forwards to its cluster's nodes.
    LoadBalancer {
        /// The cluster behind it.
        cluster: ClusterId,
    },
    /// A cluster uses an external service (the `entry`-th of its `used_by`).
    Service {
        /// The service.
        service: ServiceId,
        /// The cluster.
        cluster: ClusterId,
        /// Index into the service's `used_by`.
        entry: usize,
    },
    /// The nodes of a cluster talk to each other.
    Intra {
        /// The cluster.
        cluster: ClusterId,
    },
    /// A cluster's nodes reach its seal endpoint.
    Seal {
        /// The cluster.
        cluster: ClusterId,
    },
    /// A cluster's nodes reach the Consul cluster that stores its data.
    Consul {
        /// The cluster.
        cluster: ClusterId,
    },
}

/// One connection the topology needs: opened by `from` towards `to` on `port`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Who opens the connection.
    pub from: Node,
    /// Who accepts it.
    pub to: Node,
    /// Destination port.
    pub port: u16,
    /// Transport protocol (TCP for everything Vault does).
    pub protocol: Protocol,
    /// The port reference's direction.
    pub direction: Direction,
    /// What it carries.
    pub purpose: Purpose,
    /// Whether it is needed only after a failover (and must be open before it).
    pub standby: bool,
    /// Whether Vault uses it or only the notes open it.
    pub need: Need,
    /// Why it exists.
    pub cause: Cause,
}

/// An address a cluster dials for a flow, as written in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialled {
    /// The host, lowercased; `None` for an IP literal (always resolvable).
    pub name: Option<String>,
    /// Where it is written.
    pub span: Span,
    /// Which field it is: `api_addr`, `cluster_addr` or `load_balancer.address`.
    pub field: &'static str,
}

/// Where peers and clients reach a cluster's API: its load balancer when there is one and
/// `api_addr` (if written) names it, else the nodes.
fn api_entry(t: &Topology, c: ClusterId) -> Node {
    let cluster = t.cluster(c);
    match &cluster.load_balancer {
        Some(lb)
            if cluster
                .api_addr
                .as_ref()
                .is_none_or(|a| same_host(&a.host, &lb.address)) =>
        {
            Node::LoadBalancer(c)
        }
        _ => Node::Cluster(c),
    }
}

/// Where clients reach a cluster: its load balancer when there is one.
fn client_entry(t: &Topology, c: ClusterId) -> Node {
    if t.cluster(c).load_balancer.is_some() {
        Node::LoadBalancer(c)
    } else {
        Node::Cluster(c)
    }
}

/// Where peers reach a cluster's cluster port: the load balancer when it carries that port
/// (`primary_cluster_addr` points at it), else the nodes' `cluster_addr`.
fn cluster_entry(t: &Topology, c: ClusterId) -> Node {
    match &t.cluster(c).load_balancer {
        Some(lb) if lb.cluster_port != ClusterPort::None => Node::LoadBalancer(c),
        _ => Node::Cluster(c),
    }
}

fn same_host(host: &Host, address: &str) -> bool {
    match host {
        Host::Name(n) => n.eq_ignore_ascii_case(address.trim_end_matches('.')),
        Host::Ip(ip) => address.parse::<IpAddr>().is_ok_and(|a| a == *ip),
    }
}

/// A multiply-and-rotate hasher for the flows' de-duplication set. Its keys are positions of
/// declarations in the file (dense indices a file cannot pick freely) and the set holds at
/// most `--max-flows` of them; SipHash cost a tenth of building a large port matrix.
#[derive(Default)]
struct FoldHasher(u64);

impl Hasher for FoldHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.write_u64(n.unsigned_abs() as u64);
    }
}

struct Builder<'t> {
    t: &'t Topology,
    flows: Vec<Flow>,
    index: HashMap<(Node, Node, u16), usize, BuildHasherDefault<FoldHasher>>,
}

impl Builder<'_> {
    fn push(&mut self, flow: Flow) {
        // The first reason for a connection wins: required flows come before standby ones.
        // A later reason that Vault uses keeps a connection first opened only as advised.
        match self.index.entry((flow.from, flow.to, flow.port)) {
            Entry::Vacant(v) => {
                v.insert(self.flows.len());
                self.flows.push(flow);
            }
            Entry::Occupied(o) => {
                let first = &mut self.flows[*o.get()];
                first.need = first.need.min(flow.need);
            }
        }
    }

    /// The four flows between a secondary and its primary: API and cluster port, each way.
    /// The cluster port is needed both ways; the API port secondary → primary only with a
    /// wrapped-token activation, primary → secondary only for a wrapped-token failback of a
    /// DR pair; otherwise it is opened as the notes advise.
    fn replication(
        &mut self,
        secondary: ClusterId,
        primary: ClusterId,
        standby: bool,
        cause: Cause,
    ) {
        let t = self.t;
        let dr = matches!(
            cause,
            Cause::Replication {
                kind: EdgeKind::Dr,
                ..
            }
        );
        for (from, to) in [(secondary, primary), (primary, secondary)] {
            let peer = t.cluster(to);
            let wrapped = t.cluster(from).activation() == Activation::WrappedToken;
            let api_need = match (from == secondary, wrapped) {
                (true, true) => Need::Required,
                (false, true) if dr => Need::Failback,
                _ => Need::Advised,
            };
            for (entry, port, purpose, need) in [
                (
                    api_entry(t, to),
                    peer.api_port(),
                    Purpose::Bootstrap,
                    api_need,
                ),
                (
                    cluster_entry(t, to),
                    peer.cluster_port(),
                    Purpose::Replication,
                    Need::Required,
                ),
            ] {
                self.push(Flow {
                    from: Node::Cluster(from),
                    to: entry,
                    port,
                    protocol: Protocol::Tcp,
                    direction: Direction::Bidirectional,
                    purpose,
                    standby,
                    need,
                    cause,
                });
            }
        }
    }
}

/// Every flow the topology needs: the required ones first (replication, clients, load
/// balancers, services, inside clusters), then the standby ones, each group in file order.
/// A connection (source, destination, port) appears once, under its first reason.
#[allow(clippy::too_many_lines)] // one pass per kind of flow, in the order of the table
pub fn flows(t: &Topology) -> Vec<Flow> {
    let mut b = Builder {
        t,
        flows: Vec::with_capacity(t.model.clusters.len() * 12),
        // Sized once from the count (at most `--max-flows`): no rehashing while it fills.
        index: HashMap::with_capacity_and_hasher(
            usize::try_from(crate::net::budget::count(t).0).unwrap_or(0),
            BuildHasherDefault::default(),
        ),
    };
    for c in t.cluster_ids() {
        if let Some((primary, kind)) = t.upstream(c) {
            b.replication(
                c,
                primary,
                false,
                Cause::Replication {
                    secondary: c,
                    primary,
                    kind,
                },
            );
        }
    }
    for (id, client) in t.clients() {
        let c = *client.cluster.get();
        b.push(Flow {
            from: Node::Client(id),
            to: client_entry(t, c),
            port: t.cluster(c).api_port(),
            protocol: Protocol::Tcp,
            direction: Direction::Inbound,
            purpose: Purpose::ClientOperations,
            standby: false,
            need: Need::Required,
            cause: Cause::Client { client: id },
        });
    }
    for c in t.cluster_ids() {
        let cluster = t.cluster(c);
        if let Some(lb) = &cluster.load_balancer {
            let mut ports = vec![(cluster.api_port(), Purpose::LoadBalanced)];
            if lb.cluster_port != ClusterPort::None {
                ports.push((cluster.cluster_port(), Purpose::Replication));
            }
            for (port, purpose) in ports {
                b.push(Flow {
                    from: Node::LoadBalancer(c),
                    to: Node::Cluster(c),
                    port,
                    protocol: Protocol::Tcp,
                    direction: Direction::Internal,
                    purpose,
                    standby: false,
                    need: Need::Required,
                    cause: Cause::LoadBalancer { cluster: c },
                });
            }
        }
    }
    let service_flows = |standby: bool, b: &mut Builder<'_>| {
        for (id, service) in t.services() {
            for (entry, user) in service.used_by.iter().enumerate() {
                let c = *user.get();
                if (t.role(c) == Role::DrSecondary) != standby {
                    continue;
                }
                b.push(Flow {
                    from: Node::Cluster(c),
                    to: Node::Service(id),
                    port: *service.port.get(),
                    protocol: Protocol::Tcp,
                    direction: Direction::Outbound,
                    purpose: Purpose::SecretsEngine,
                    standby,
                    need: Need::Required,
                    cause: Cause::Service {
                        service: id,
                        cluster: c,
                        entry,
                    },
                });
            }
        }
    };
    service_flows(false, &mut b);
    for c in t.cluster_ids() {
        let cluster = t.cluster(c);
        for (port, purpose) in [
            (cluster.api_port(), Purpose::RaftJoin),
            (cluster.cluster_port(), Purpose::Raft),
        ] {
            b.push(Flow {
                from: Node::Cluster(c),
                to: Node::Cluster(c),
                port,
                protocol: Protocol::Tcp,
                direction: Direction::Bidirectional,
                purpose,
                standby: false,
                need: Need::Required,
                cause: Cause::Intra { cluster: c },
            });
        }
    }
    infra::flows(&mut b);
    for set in t.standby_sets() {
        b.standby_set(set);
    }
    // Clients move to their cluster's DR secondaries of its environment: client by client
    // while that is no longer than listing both, else one group flow per cluster.
    let takers: Vec<Vec<ClusterId>> = t
        .cluster_ids()
        .map(|c| Members::DrSecondaries(c).clusters(t))
        .collect();
    let grouped = |c: ClusterId| {
        !group::clients_expand(t.clients_of(c).len() as u64, takers[c.0].len() as u64)
    };
    for (id, client) in t.clients() {
        let c = *client.cluster.get();
        if grouped(c) {
            continue;
        }
        for &dr in &takers[c.0] {
            b.push(Flow {
                from: Node::Client(id),
                to: client_entry(t, dr),
                port: t.cluster(dr).api_port(),
                protocol: Protocol::Tcp,
                direction: Direction::Inbound,
                purpose: Purpose::ClientOperations,
                standby: true,
                need: Need::Required,
                cause: Cause::ClientFailover { client: id, dr },
            });
        }
    }
    for c in t.cluster_ids().filter(|c| grouped(*c)) {
        let drs = &takers[c.0];
        for port in group::distinct(drs, |d| t.cluster(d).api_port()) {
            b.push(Flow {
                from: Node::Group(Group::of(Holds::Clients(c), Via::Nodes)),
                to: Node::Group(Group {
                    port: Some(port),
                    ..Group::of(Holds::Clusters(Members::DrSecondaries(c)), Via::Clients)
                }),
                port,
                protocol: Protocol::Tcp,
                direction: Direction::Inbound,
                purpose: Purpose::ClientOperations,
                standby: true,
                need: Need::Required,
                cause: Cause::ClientsFailover { cluster: c },
            });
        }
    }
    service_flows(true, &mut b);
    b.flows
}
