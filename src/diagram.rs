//! The topology as a diagram (`vrt graph`): regions holding sites holding clusters and
//! clients, replication edges labelled with what flows over them, clients attached to their
//! cluster. Pure data in file order; `report::diagram` draws it as Mermaid or DOT.

use crate::graph::{EdgeKind, Topology};
use crate::model::{ClientId, ClusterId, SiteId};
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

/// A site and what runs in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteBox {
    /// The site.
    pub id: SiteId,
    /// Its name.
    pub name: String,
    /// Where it runs.
    pub provider: Provider,
    /// Production or not.
    pub environment: Environment,
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
                .map(|s| site(t, s))
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

fn site(t: &Topology, id: SiteId) -> SiteBox {
    let s = &t.model.sites[id.0];
    SiteBox {
        id,
        name: s.name.get().clone(),
        provider: s.provider,
        environment: s.environment,
        clusters: t
            .clusters_in_site(id)
            .into_iter()
            .map(|c| {
                let cluster = t.cluster(c);
                ClusterNode {
                    id: c,
                    name: cluster.name.get().clone(),
                    role: t.role(c),
                    version: cluster.version.as_ref().map(|v| v.get().to_string()),
                    nodes: cluster.nodes.as_ref().map(|n| *n.get()),
                }
            })
            .collect(),
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
