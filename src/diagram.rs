//! The topology as a diagram (`vrt graph`): regions holding sites holding clusters and
//! clients, replication edges labelled with what flows over them, clients attached to their
//! cluster. Pure data in file order; `report::diagram` draws it as Mermaid or DOT.
//! [`after`] draws the topology after a failover plan instead: lost clusters greyed out,
//! promoted and re-pointed clusters in their new roles, clients on the cluster they moved to.
//!
//! Every box holds clusters of one environment: a site whose clusters override its environment
//! (`environment:` on a cluster) is drawn as two boxes, the site's own (with its clients) and a
//! second one, [`SiteBox::split`], holding the clusters of the other environment. So a
//! production cluster is never drawn inside a non-production box, nor the other way round.

use crate::failover::{AfterRole, Plan};
use crate::graph::{EdgeKind, Topology};
use crate::ids::{ClientId, ClusterId, SiteId};
use crate::spec::{Environment, Provider, Role};

/// The whole diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// The topology's name.
    pub title: String,
    /// Regions in order of first appearance.
    pub regions: Vec<RegionBox>,
    /// Replication edges, upstream to downstream, in the file order of the downstream
    /// cluster.
    pub edges: Vec<Edge>,
    /// Which cluster each client uses, in file order.
    pub uses: Vec<(ClientId, ClusterId)>,
}

/// A region and its sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionBox {
    /// The region's name.
    pub name: String,
    /// Whether the region is just its one site (same name, the default): then only the
    /// site is drawn.
    pub implicit: bool,
    /// Its sites, in file order.
    pub sites: Vec<SiteBox>,
}

/// A site and what runs in it: all of it, or the part of one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteBox {
    /// The site.
    pub id: SiteId,
    /// Its name.
    pub name: String,
    /// Where it runs.
    pub provider: Provider,
    /// The environment of every cluster in the box.
    pub environment: Environment,
    /// Whether the box holds the clusters of the site that override the site's environment
    /// (the site's second box); the site's own box is not split.
    pub split: bool,
    /// Its clusters, in file order.
    pub clusters: Vec<ClusterNode>,
    /// Its client groups, in file order.
    pub clients: Vec<ClientNode>,
}

/// A cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNode {
    /// The cluster.
    pub id: ClusterId,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its Vault version, when given.
    pub version: Option<String>,
    /// Its Raft voter count, when given.
    pub nodes: Option<u32>,
    /// Lost in the failure the diagram shows (`role` is then its role before).
    pub lost: bool,
    /// Its role before the failure, when the failure changed it.
    pub was: Option<Role>,
}

/// A client group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientNode {
    /// The client group.
    pub id: ClientId,
    /// Its name.
    pub name: String,
}

/// A replication edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The upstream cluster.
    pub from: ClusterId,
    /// The cluster replicating from it.
    pub to: ClusterId,
    /// Performance or DR.
    pub kind: EdgeKind,
    /// Whether tokens and leases travel over it, not only data.
    pub tokens: bool,
}

impl Edge {
    /// What flows over the edge: `data` or `data + tokens`.
    pub const fn carries(&self) -> &'static str {
        if self.tokens { "data + tokens" } else { "data" }
    }
}

/// Builds the diagram of a topology.
pub fn build(t: &Topology) -> Diagram {
    let regions = t
        .regions()
        .into_iter()
        .map(|region| {
            let sites: Vec<SiteBox> = t
                .sites_in_region(region)
                .into_iter()
                .flat_map(|s| site(t, s))
                .collect();
            RegionBox {
                name: region.to_string(),
                implicit: sites.len() == 1 && sites[0].name == region,
                sites,
            }
        })
        .collect();
    let edges = t
        .cluster_ids()
        .filter_map(|c| {
            let (up, kind) = t.upstream(c)?;
            // As in `Topology::token_holdings`: tokens and leases travel over DR edges, and
            // over any edge out of a DR secondary (a copy of its full store).
            let tokens = kind == EdgeKind::Dr || t.role(up) == Role::DrSecondary;
            Some(Edge {
                from: up,
                to: c,
                kind,
                tokens,
            })
        })
        .collect();
    let uses = t
        .model
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (ClientId(i), *c.cluster.get()))
        .collect();
    Diagram {
        title: t.model.name.clone(),
        regions,
        edges,
        uses,
    }
}

/// The boxes of a site: its own (its environment, its clients, the clusters of that
/// environment), then, when some of its clusters declare the other environment, a split box
/// holding them.
fn site(t: &Topology, id: SiteId) -> Vec<SiteBox> {
    let s = &t.model.sites[id.0];
    let node = |c: ClusterId| {
        let cluster = t.cluster(c);
        ClusterNode {
            id: c,
            name: cluster.name.get().clone(),
            role: t.role(c),
            version: cluster.version.as_ref().map(|v| v.get().to_string()),
            nodes: cluster.nodes.as_ref().map(|n| *n.get()),
            lost: false,
            was: None,
        }
    };
    let (own, other): (Vec<ClusterId>, Vec<ClusterId>) = t
        .clusters_in_site(id)
        .into_iter()
        .partition(|&c| t.environment(c) == s.environment);
    let mut boxes = vec![SiteBox {
        id,
        name: s.name.get().clone(),
        provider: s.provider,
        environment: s.environment,
        split: false,
        clusters: own.into_iter().map(node).collect(),
        clients: t
            .model
            .clients
            .iter()
            .enumerate()
            .filter(|(_, c)| *c.site.get() == id)
            .map(|(i, c)| ClientNode {
                id: ClientId(i),
                name: c.name.get().clone(),
            })
            .collect(),
    }];
    if !other.is_empty() {
        boxes.push(SiteBox {
            id,
            name: s.name.get().clone(),
            provider: s.provider,
            environment: match s.environment {
                Environment::Production => Environment::NonProduction,
                Environment::NonProduction => Environment::Production,
            },
            split: true,
            clusters: other.into_iter().map(node).collect(),
            clients: Vec::new(),
        });
    }
    boxes
}

/// The diagram of the topology after the failover `plan`: lost clusters are marked and keep
/// no edges, promoted clusters show their new role (and the old one), edges follow the
/// upstreams after the failover, and clients hang off the cluster they moved to (a client
/// with nowhere to go is drawn unattached).
pub fn after(t: &Topology, plan: &Plan) -> Diagram {
    let mut d = build(t);
    d.title = format!(
        "{} after losing {}",
        d.title,
        plan.scenario.label.replace('`', "")
    );
    for site in d.regions.iter_mut().flat_map(|r| r.sites.iter_mut()) {
        for node in &mut site.clusters {
            let Some(a) = plan.role_after(node.id) else {
                continue;
            };
            match after_role(a.role) {
                None => node.lost = true,
                Some(role) if role != node.role => {
                    node.was = Some(node.role);
                    node.role = role;
                }
                Some(_) => {}
            }
        }
    }
    d.edges = plan
        .after
        .iter()
        .filter_map(|a| {
            let up = a.upstream?;
            let kind = match a.role {
                AfterRole::DrSecondary => EdgeKind::Dr,
                _ => EdgeKind::Performance,
            };
            Some(Edge {
                from: up,
                to: a.cluster,
                kind,
                tokens: kind == EdgeKind::Dr,
            })
        })
        .collect();
    d.uses = d
        .uses
        .iter()
        .filter_map(
            |&(client, cluster)| match plan.clients.iter().find(|c| c.client == client) {
                Some(impact) => impact.to.map(|to| (client, to)),
                None => Some((client, cluster)),
            },
        )
        .collect();
    d
}

const fn after_role(role: AfterRole) -> Option<Role> {
    match role {
        AfterRole::Primary => Some(Role::Primary),
        AfterRole::PerformanceSecondary => Some(Role::PerformanceSecondary),
        AfterRole::DrSecondary => Some(Role::DrSecondary),
        AfterRole::Lost => None,
    }
}

/// The provider as written in the file.
pub const fn provider_name(p: Provider) -> &'static str {
    match p {
        Provider::OnPrem => "on-prem",
        Provider::Vmware => "vmware",
        Provider::Aws => "aws",
        Provider::Azure => "azure",
        Provider::Gcp => "gcp",
        Provider::Other => "other",
    }
}
