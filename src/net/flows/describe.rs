//! How a flow is described: the one wording of flow causes, shared by firewall comments,
//! the port matrix and findings, and the address a flow dials.

use std::net::IpAddr;

use super::{Cause, Dialled, Flow, Need, Node, Purpose};
use crate::graph::{EdgeKind, Members, StandbyKind, StandbyReason, StandbySet, Topology};
use crate::ids::ClusterId;
use crate::values::Host;

/// Who reads a flow's description ([`Flow::describe`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wording {
    /// A comment beside a firewall rule or in the port matrix: names bare, the replication
    /// kind in parentheses.
    Plain,
    /// A finding's message: names in backticks (rustc style), a standby flow said as what
    /// must happen, a load balancer by what it forwards to.
    Message,
}

impl Wording {
    /// A name as this reader sees it: in backticks in a message, bare otherwise.
    fn name(self, name: &str) -> String {
        match self {
            Self::Message => format!("`{name}`"),
            Self::Plain => name.to_string(),
        }
    }
}

impl Flow {
    /// The relationship behind the flow, in one line, worded for `wording`'s reader: the
    /// one description of flow causes, shared by firewall comments and findings.
    pub fn describe(&self, t: &Topology, wording: Wording) -> String {
        let message = wording == Wording::Message;
        let q = |name: &str| wording.name(name);
        let n = |c: ClusterId| q(t.name(c));
        match self.cause {
            Cause::Replication {
                secondary,
                primary,
                kind,
            } => {
                let lead = format!("{} replicates from {}", n(secondary), n(primary));
                if message {
                    lead
                } else {
                    let kind = match kind {
                        EdgeKind::Performance => "performance",
                        EdgeKind::Dr => "DR",
                    };
                    format!("{lead} ({kind})")
                }
            }
            Cause::Standby(pair) => standby(t, pair.reason, wording),
            Cause::StandbySet { set, .. } => standby_set(t, set, wording),
            Cause::Client { client } => {
                let k = t.client(client);
                format!("client {} uses {}", q(k.name.get()), n(*k.cluster.get()))
            }
            Cause::ClientFailover { client, dr } => {
                let k = t.client(client);
                format!(
                    "client {} moves to {} once {} is promoted for {}",
                    q(k.name.get()),
                    n(dr),
                    n(dr),
                    n(*k.cluster.get())
                )
            }
            Cause::ClientsFailover { cluster } => format!(
                "the clients of {} move to the DR secondary of {} promoted in its place",
                n(cluster),
                n(cluster)
            ),
            Cause::LoadBalancer { cluster } => {
                let lb = t.cluster(cluster).load_balancer.as_ref();
                let address = q(lb.map_or("", |l| l.address.as_str()));
                if message {
                    format!(
                        "load balancer {address} forwards to the nodes of {}",
                        n(cluster)
                    )
                } else {
                    format!("load balancer {address} fronts {}", n(cluster))
                }
            }
            Cause::Service {
                service, cluster, ..
            } => format!(
                "{} uses external service {}{}",
                n(cluster),
                q(t.service(service).name.get()),
                if self.standby { " once promoted" } else { "" }
            ),
            Cause::Intra { cluster } => format!(
                "{}nodes of {} talk to each other",
                if message { "the " } else { "" },
                n(cluster)
            ),
            Cause::Seal { cluster } => {
                let kind = t
                    .cluster(cluster)
                    .storage
                    .seal
                    .as_ref()
                    .map_or("", |s| s.kind.get().as_str());
                format!("{} unseals with its {} seal", n(cluster), q(kind))
            }
            Cause::Consul { cluster } => format!("{} stores its data in Consul", n(cluster)),
        }
    }

    /// Why the flow exists: its relationship and what this direction and port do.
    pub fn why(&self, t: &Topology) -> String {
        let note = match self.cause {
            Cause::Replication { secondary, .. } => {
                let mut note = self.replication_note(secondary).to_string();
                if let Cause::Replication {
                    primary,
                    kind: EdgeKind::Dr,
                    ..
                } = self.cause
                    && self.from == Node::Cluster(primary)
                    && self.purpose != Purpose::Bootstrap
                {
                    note = format!(
                        "{note}; also failback, when {} replicates from a promoted {}",
                        t.name(primary),
                        t.name(secondary)
                    );
                }
                note
            }
            Cause::Standby(pair) => self.replication_note(pair.secondary).to_string(),
            Cause::StandbySet { .. } => self.note(self.towards_primary()).to_string(),
            Cause::Client { .. } => "API requests".into(),
            Cause::ClientFailover { .. } | Cause::ClientsFailover { .. } => {
                "API requests; a DR promotion keeps the clients' tokens and leases".into()
            }
            Cause::LoadBalancer { .. } => match self.purpose {
                Purpose::Replication => "TCP pass-through of the cluster port to the active node",
                _ => "API requests and /sys/health checks",
            }
            .into(),
            Cause::Service { .. } => "secrets engine or auth method connection".into(),
            Cause::Intra { .. } => match self.purpose {
                Purpose::RaftJoin => "Raft joins (retry_join, auto_join) on the API port",
                _ => "Raft, replication and request forwarding between nodes",
            }
            .into(),
            Cause::Seal { .. } => {
                "a restarted node stays sealed until it reaches its seal; Enterprise seal wrapping uses it at runtime"
                    .into()
            }
            Cause::Consul { .. } => {
                "Vault's storage backend, Consul's HTTP API (Consul's own ports are Consul's to open)"
                    .into()
            }
        };
        format!("{}: {note}", self.describe(t, Wording::Plain))
    }

    fn replication_note(&self, secondary: ClusterId) -> &'static str {
        self.note(self.from == Node::Cluster(secondary))
    }

    fn note(&self, outbound: bool) -> &'static str {
        match (self.purpose, outbound, self.need) {
            (Purpose::Bootstrap, true, Need::Advised) => {
                "opened both ways as the notes advise; public-key activation makes no API call to the primary"
            }
            (Purpose::Bootstrap, true, _) => {
                "the secondary unwraps its activation token on the primary's API"
            }
            (Purpose::Bootstrap, false, Need::Failback) => {
                "opened both ways as the notes advise; needed only for failback, when the primary unwraps a token on its promoted DR secondary's API"
            }
            (Purpose::Bootstrap, false, _) => {
                "opened both ways as the notes advise; the docs need it only secondary → primary at activation"
            }
            (_, true, _) => "the secondary streams from the primary's active node",
            (_, false, _) => "the cluster port is opened both ways (TS-CONN)",
        }
    }

    /// Whether the flow goes from the secondary of its replication or standby pair to the
    /// primary (the direction a secondary dials; the other way is the primary's).
    pub fn towards_primary(&self) -> bool {
        match self.cause {
            Cause::Replication { secondary, .. } => self.from == Node::Cluster(secondary),
            Cause::Standby(pair) => self.from == Node::Cluster(pair.secondary),
            Cause::StandbySet {
                towards_primary, ..
            } => towards_primary,
            _ => false,
        }
    }

    /// Whether a blocked flow is an error: Vault needs it now (not only after a failover,
    /// and not only because the notes open it).
    pub fn is_needed_now(&self) -> bool {
        !self.standby && self.need == Need::Required
    }

    /// The address a cluster dials for this flow, when a cluster dials a peer cluster
    /// (replication and standby flows) and the file writes it. `None` towards a group:
    /// each of its members advertises its own (ask it of a flow to one member).
    pub fn dialled(&self, t: &Topology) -> Option<Dialled> {
        if !matches!(
            self.cause,
            Cause::Replication { .. } | Cause::Standby(_) | Cause::StandbySet { .. }
        ) {
            return None;
        }
        match self.to {
            Node::LoadBalancer(c) => {
                let lb = t.cluster(c).load_balancer.as_ref()?;
                let name = lb
                    .address
                    .parse::<IpAddr>()
                    .is_err()
                    .then(|| lb.address.trim_end_matches('.').to_ascii_lowercase());
                Some(Dialled {
                    name,
                    span: lb.address.span(),
                    field: "load_balancer.address",
                })
            }
            Node::Cluster(c) => {
                let cluster = t.cluster(c);
                let (addr, field) = if self.purpose == Purpose::Bootstrap {
                    (cluster.api_addr.as_ref()?, "api_addr")
                } else {
                    (cluster.cluster_addr.as_ref()?, "cluster_addr")
                };
                let name = match &addr.host {
                    Host::Name(n) => Some(n.clone()),
                    Host::Ip(_) => None,
                };
                Some(Dialled {
                    name,
                    span: addr.span(),
                    field,
                })
            }
            _ => None,
        }
    }
}

/// [`Flow::describe`] for a standby flow: who must replicate from whom, and when.
fn standby(t: &Topology, reason: StandbyReason, wording: Wording) -> String {
    let message = wording == Wording::Message;
    let q = |name: &str| wording.name(name);
    let n = |c: ClusterId| q(t.name(c));
    let (from, to, when) = match reason {
        StandbyReason::PromotedDrOfPrimary {
            primary,
            dr,
            secondary,
        } => (
            secondary,
            dr,
            format!("once {} is promoted for {}", n(dr), n(primary)),
        ),
        StandbyReason::PromotedDrOfSecondary {
            primary,
            secondary,
            dr,
        } => (
            dr,
            primary,
            format!("once {} is promoted for {}", n(dr), n(secondary)),
        ),
        StandbyReason::SiblingDr {
            protected,
            promoted,
            other,
        } => (
            other,
            promoted,
            format!("once {} is promoted for {}", n(promoted), n(protected)),
        ),
        StandbyReason::PerformancePromotion {
            primary,
            candidate,
            other,
        } => (
            other,
            candidate,
            format!(
                "if site {} is lost with {} and its DR secondaries",
                q(t.site_name(t.site_of(primary))),
                n(primary)
            ),
        ),
    };
    let verb = if message {
        "must replicate"
    } else {
        "replicates"
    };
    format!("{} {verb} from {} {when}", n(from), n(to))
}

/// [`Flow::describe`] for the group flows of a standby set: who must replicate from whom,
/// and when.
fn standby_set(t: &Topology, set: StandbySet, wording: Wording) -> String {
    let message = wording == Wording::Message;
    let q = |name: &str| wording.name(name);
    let n = |c: ClusterId| q(t.name(c));
    let end = |m: Members| match m {
        Members::DrSecondaries(c) => format!("the DR secondaries of {}", n(c)),
        Members::PerformanceSecondaries { primary, except } => format!(
            "the performance secondaries of {}{}",
            n(primary),
            except.map_or(String::new(), |e| format!(" but {}", n(e)))
        ),
        Members::One(c) => n(c),
    };
    let verb = if message {
        "must replicate"
    } else {
        "replicate"
    };
    let lost = set.lost;
    match set.kind {
        StandbyKind::SiblingDr => format!(
            "{} {verb} from the one of them promoted for {}",
            end(set.secondaries),
            n(lost)
        ),
        StandbyKind::PromotedDrOfPrimary => format!(
            "{} {verb} from the one of {} promoted for {}",
            end(set.secondaries),
            end(set.primaries),
            n(lost)
        ),
        StandbyKind::PromotedDrOfSecondary => format!(
            "{} {verb} from {} once one of them is promoted for {}",
            end(set.secondaries),
            end(set.primaries),
            n(lost)
        ),
        StandbyKind::PerformancePromotion => format!(
            "{} {verb} from {} if site {} is lost with {} and its DR secondaries",
            end(set.secondaries),
            end(set.primaries),
            q(t.site_name(t.site_of(lost))),
            n(lost)
        ),
    }
}
