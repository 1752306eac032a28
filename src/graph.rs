//! `Model` → `Topology`: the replication graph (petgraph) and the domain questions rules
//! and planners ask of it, so that they never touch petgraph themselves.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::ids::{ClientId, ClusterId, ServiceId, SiteId};
use crate::model::{Client, Cluster, Model, Service, Site};
use crate::spec::{Environment, Role};
use crate::values::Version;

mod standby;
mod successor;
#[cfg(test)]
mod tests;

pub use self::standby::{Members, StandbyKind, StandbyPair, StandbyReason, StandbySet};
pub use self::successor::Capacity;

/// What an edge of the replication graph carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Performance replication: shared data only; tokens and leases stay on each cluster.
    Performance,
    /// DR replication: all data, including tokens and leases.
    Dr,
}

impl EdgeKind {
    /// Short name: `performance` or `dr`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Performance => "performance",
            Self::Dr => "dr",
        }
    }
}

/// A single failure: one cluster, one site (all its clusters) or one region (all its sites).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Failure {
    /// One cluster.
    Cluster(ClusterId),
    /// One site and every cluster in it.
    Site(SiteId),
    /// One region and every site in it.
    Region(String),
}

impl Failure {
    /// `cluster`, `site` or `region`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Cluster(_) => "cluster",
            Self::Site(_) => "site",
            Self::Region(_) => "region",
        }
    }
}

/// The replication graph has a cycle, so no upstream-first order exists to plan in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the replication graph has a cycle through {clusters}; fix it first (`vrt validate` reports it as VRT104)"
)]
pub struct Cyclic {
    /// The clusters on the first cycle, as `` `a`, `b` ``.
    pub clusters: String,
}

impl Cyclic {
    /// The error for a cycle through `cycle`.
    pub fn through(t: &Topology, cycle: &[ClusterId]) -> Self {
        Self {
            clusters: cycle
                .iter()
                .map(|c| format!("`{}`", t.name(*c)))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The topology as a graph: nodes are clusters (node index = cluster index), an edge runs
/// from the upstream cluster to the one replicating from it.
///
/// The answers that rules ask for every cluster or site are indexed once here, so that no
/// question scans all clusters per call: validation stays linear at 10,000 clusters.
#[derive(Debug, Clone)]
pub struct Topology {
    /// The resolved model.
    pub model: Model,
    graph: DiGraph<ClusterId, EdgeKind>,
    index: Index,
}

/// What [`Topology::new`] computes once.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Each cluster's downstream clusters with the edge kind, in file order.
    downstream: Vec<Vec<(ClusterId, EdgeKind)>>,
    /// The replication cycles, each in file order, sorted.
    cycles: Vec<Vec<ClusterId>>,
    /// Whether each cluster lies on a cycle.
    on_cycle: Vec<bool>,
    /// Each cluster's root (see [`Topology::root`]).
    root: Vec<ClusterId>,
    /// The clusters of each replication set ([`Topology::replication_set`]) at its root's
    /// index; empty for a cluster that is not a root.
    sets: Vec<Vec<ClusterId>>,
    /// Each cluster's number of ancestors ([`Topology::depth`]).
    depth: Vec<usize>,
    /// The clusters of each site, in file order.
    site_clusters: Vec<Vec<ClusterId>>,
    /// The regions in order of first appearance, with their sites in file order.
    regions: Vec<(String, Vec<SiteId>)>,
    /// The position of each region in `regions`.
    region_at: BTreeMap<String, usize>,
    /// The position of each site's region in `regions`: region comparisons of the failover
    /// planner compare these numbers, not the names.
    site_region: Vec<usize>,
    /// Each cluster's environment ([`Topology::environment`]).
    environment: Vec<Environment>,
    /// Each cluster's role and upstream ([`Topology::role`], [`Topology::upstream`]), read
    /// for every cluster of every set a failure touches: dense arrays rather than a field of
    /// a model entry of some 800 bytes and a walk of the graph's edge lists.
    role: Vec<Role>,
    upstream: Vec<Option<(ClusterId, EdgeKind)>>,
    /// The clients of each cluster, in file order.
    cluster_clients: Vec<Vec<ClientId>>,
}

impl Topology {
    /// Builds the graph over a model. Cannot fail.
    pub fn new(model: Model) -> Self {
        let mut graph = DiGraph::with_capacity(model.clusters.len(), model.clusters.len());
        for i in 0..model.clusters.len() {
            graph.add_node(ClusterId(i));
        }
        for (i, c) in model.clusters.iter().enumerate() {
            if let Some(up) = &c.upstream {
                let kind = match c.role.get() {
                    Role::DrSecondary => EdgeKind::Dr,
                    _ => EdgeKind::Performance,
                };
                graph.add_edge(NodeIndex::new(up.get().0), NodeIndex::new(i), kind);
            }
        }
        let mut t = Self {
            model,
            graph,
            index: Index::default(),
        };
        t.index = t.build_index();
        t
    }

    fn build_index(&self) -> Index {
        let n = self.model.clusters.len();
        let mut downstream: Vec<Vec<(ClusterId, EdgeKind)>> = (0..n)
            .map(|i| {
                self.graph
                    .edges_directed(NodeIndex::new(i), petgraph::Direction::Outgoing)
                    .map(|e| (ClusterId(e.target().index()), *e.weight()))
                    .collect()
            })
            .collect();
        for d in &mut downstream {
            d.sort();
        }
        let upstream: Vec<Option<(ClusterId, EdgeKind)>> = (0..n)
            .map(|i| {
                self.graph
                    .edges_directed(NodeIndex::new(i), petgraph::Direction::Incoming)
                    .next()
                    .map(|e| (ClusterId(e.source().index()), *e.weight()))
            })
            .collect();
        let up = |c: usize| upstream[c].map(|(u, _)| u.0);
        let cycles = Self::find_cycles(n, up);
        let mut on_cycle = vec![false; n];
        for c in cycles.iter().flatten() {
            on_cycle[c.0] = true;
        }
        let root = Self::roots_by_cluster(n, up, &cycles);
        let sets = Self::sets_by_root(&root, &downstream);
        let depth = Self::depths(n, up, &cycles, &on_cycle);
        let mut site_clusters = vec![Vec::new(); self.model.sites.len()];
        for (i, c) in self.model.clusters.iter().enumerate() {
            site_clusters[c.site.get().0].push(ClusterId(i));
        }
        let mut regions: Vec<(String, Vec<SiteId>)> = Vec::new();
        let mut region_at: BTreeMap<String, usize> = BTreeMap::new();
        let mut site_region = Vec::with_capacity(self.model.sites.len());
        for (i, s) in self.model.sites.iter().enumerate() {
            let at = *region_at.entry(s.region.get().clone()).or_insert_with(|| {
                regions.push((s.region.get().clone(), Vec::new()));
                regions.len() - 1
            });
            regions[at].1.push(SiteId(i));
            site_region.push(at);
        }
        let environment = self
            .model
            .clusters
            .iter()
            .map(|c| {
                c.environment
                    .as_ref()
                    .map_or(self.site(*c.site.get()).environment, |e| *e.get())
            })
            .collect();
        let mut cluster_clients = vec![Vec::new(); n];
        for (i, c) in self.model.clients.iter().enumerate() {
            cluster_clients[c.cluster.get().0].push(ClientId(i));
        }
        Index {
            downstream,
            cycles,
            on_cycle,
            root,
            sets,
            depth,
            site_clusters,
            regions,
            region_at,
            site_region,
            environment,
            role: self.model.clusters.iter().map(|c| *c.role.get()).collect(),
            upstream,
            cluster_clients,
        }
    }

    /// The replication cycles, each sorted, in order. A cluster has at most one upstream, so
    /// following upstream edges from any cluster either ends or runs into a cycle: one walk
    /// per cluster, each cluster visited once. (petgraph's `tarjan_scc` recurses once per
    /// cluster of a chain and overflows the stack on a chain of some 10,000 clusters.)
    fn find_cycles(n: usize, up: impl Fn(usize) -> Option<usize>) -> Vec<Vec<ClusterId>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Seen {
            Not,
            OnPath,
            Done,
        }
        let mut seen = vec![Seen::Not; n];
        let mut cycles = Vec::new();
        for start in 0..n {
            let mut path = Vec::new();
            let mut cur = Some(start);
            while let Some(c) = cur {
                match seen[c] {
                    Seen::Done => break,
                    Seen::OnPath => {
                        let from = path.iter().position(|p| *p == c).unwrap_or(0);
                        let mut cycle: Vec<ClusterId> =
                            path[from..].iter().map(|p| ClusterId(*p)).collect();
                        cycle.sort();
                        cycles.push(cycle);
                        break;
                    }
                    Seen::Not => {
                        seen[c] = Seen::OnPath;
                        path.push(c);
                        cur = up(c);
                    }
                }
            }
            for p in path {
                seen[p] = Seen::Done;
            }
        }
        cycles.sort();
        cycles
    }

    /// [`Self::root`] of every cluster, in linear time: following upstream edges from a
    /// cluster either ends at a cluster with no upstream, the root of every cluster on the
    /// way, or enters a cycle, whose first cluster in file order is then the root.
    fn roots_by_cluster(
        n: usize,
        up: impl Fn(usize) -> Option<usize>,
        cycles: &[Vec<ClusterId>],
    ) -> Vec<ClusterId> {
        let mut root: Vec<Option<ClusterId>> = vec![None; n];
        for cycle in cycles {
            for c in cycle {
                root[c.0] = Some(cycle[0]);
            }
        }
        for start in 0..n {
            let mut path = Vec::new();
            let mut cur = start;
            let found = loop {
                if let Some(r) = root[cur] {
                    break r;
                }
                path.push(cur);
                match up(cur) {
                    Some(u) => cur = u,
                    None => break ClusterId(cur),
                }
            };
            for p in path {
                root[p] = Some(found);
            }
        }
        root.into_iter()
            .enumerate()
            .map(|(i, r)| r.unwrap_or(ClusterId(i)))
            .collect()
    }

    /// Every replication set, at its root's index (root first, then breadth-first in file
    /// order, as [`Self::replication_set`]): each cluster is reached from its own root only,
    /// so the walks together visit each cluster once.
    fn sets_by_root(
        root: &[ClusterId],
        downstream: &[Vec<(ClusterId, EdgeKind)>],
    ) -> Vec<Vec<ClusterId>> {
        let mut sets = vec![Vec::new(); root.len()];
        // The root whose walk last reached each cluster (a cycle leads a walk back to its
        // root).
        let mut reached: Vec<Option<ClusterId>> = vec![None; root.len()];
        for (i, r) in root.iter().enumerate() {
            if r.0 != i {
                continue;
            }
            let mut out = vec![*r];
            reached[i] = Some(*r);
            let mut k = 0;
            while k < out.len() {
                for (d, _) in &downstream[out[k].0] {
                    if reached[d.0] != Some(*r) {
                        reached[d.0] = Some(*r);
                        out.push(*d);
                    }
                }
                k += 1;
            }
            sets[i] = out;
        }
        sets
    }

    /// [`Self::depth`] of every cluster, in linear time: a cluster on a cycle has the rest
    /// of its cycle above it; any other cluster has one more ancestor than its upstream.
    fn depths(
        n: usize,
        up: impl Fn(usize) -> Option<usize>,
        cycles: &[Vec<ClusterId>],
        on_cycle: &[bool],
    ) -> Vec<usize> {
        let mut depth: Vec<Option<usize>> = vec![None; n];
        for cycle in cycles {
            for c in cycle {
                depth[c.0] = Some(cycle.len() - 1);
            }
        }
        for start in 0..n {
            let mut path = Vec::new();
            let mut cur = start;
            let mut found = loop {
                if let Some(d) = depth[cur] {
                    break d;
                }
                path.push(cur);
                match up(cur) {
                    // Not on a cycle (those are set above), so the walk ends.
                    Some(u) if !on_cycle[cur] => cur = u,
                    _ => break usize::MAX,
                }
            };
            // The last cluster of the path replicates from nothing (depth 0) or from a
            // cluster whose depth is known.
            while let Some(p) = path.pop() {
                found = found.wrapping_add(1);
                depth[p] = Some(found);
            }
        }
        depth.into_iter().map(|d| d.unwrap_or(0)).collect()
    }

    /// A cluster.
    pub fn cluster(&self, id: ClusterId) -> &Cluster {
        &self.model.clusters[id.0]
    }

    /// Every cluster id, in file order.
    pub fn cluster_ids(&self) -> impl Iterator<Item = ClusterId> + '_ {
        (0..self.model.clusters.len()).map(ClusterId)
    }

    /// Every cluster with its id, in file order.
    pub fn clusters(&self) -> impl Iterator<Item = (ClusterId, &Cluster)> + '_ {
        self.model
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (ClusterId(i), c))
    }

    /// A site.
    pub fn site(&self, id: SiteId) -> &Site {
        &self.model.sites[id.0]
    }

    /// Every site id, in file order.
    pub fn site_ids(&self) -> impl Iterator<Item = SiteId> + '_ {
        (0..self.model.sites.len()).map(SiteId)
    }

    /// Every site with its id, in file order.
    pub fn sites(&self) -> impl Iterator<Item = (SiteId, &Site)> + '_ {
        self.model
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| (SiteId(i), s))
    }

    /// The name of a site.
    pub fn site_name(&self, id: SiteId) -> &str {
        self.site(id).name.get()
    }

    /// A client.
    pub fn client(&self, id: ClientId) -> &Client {
        &self.model.clients[id.0]
    }

    /// Every client id, in file order.
    pub fn client_ids(&self) -> impl Iterator<Item = ClientId> + '_ {
        (0..self.model.clients.len()).map(ClientId)
    }

    /// Every client with its id, in file order.
    pub fn clients(&self) -> impl Iterator<Item = (ClientId, &Client)> + '_ {
        self.model
            .clients
            .iter()
            .enumerate()
            .map(|(i, c)| (ClientId(i), c))
    }

    /// An external service.
    pub fn service(&self, id: ServiceId) -> &Service {
        &self.model.services[id.0]
    }

    /// Every external service with its id, in file order.
    pub fn services(&self) -> impl Iterator<Item = (ServiceId, &Service)> + '_ {
        self.model
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (ServiceId(i), s))
    }

    /// A cluster's name.
    pub fn name(&self, id: ClusterId) -> &str {
        self.cluster(id).name.get()
    }

    /// A cluster's role.
    pub fn role(&self, id: ClusterId) -> Role {
        self.index.role[id.0]
    }

    /// The cluster `id` replicates from, with the kind of the edge.
    pub fn upstream(&self, id: ClusterId) -> Option<(ClusterId, EdgeKind)> {
        self.index.upstream[id.0]
    }

    /// The clusters replicating from `id`, in file order.
    pub fn downstream(&self, id: ClusterId) -> Vec<(ClusterId, EdgeKind)> {
        self.index.downstream[id.0].clone()
    }

    /// The DR secondaries of `id`, in file order.
    pub fn dr_secondaries(&self, id: ClusterId) -> Vec<ClusterId> {
        self.dr_secondaries_of(id).collect()
    }

    /// [`Self::dr_secondaries`] without collecting them.
    pub fn dr_secondaries_of(&self, id: ClusterId) -> impl Iterator<Item = ClusterId> + '_ {
        self.downstream_of_kind(id, EdgeKind::Dr)
    }

    /// The performance secondaries of `id`, in file order.
    pub fn performance_secondaries(&self, id: ClusterId) -> Vec<ClusterId> {
        self.downstream_of_kind(id, EdgeKind::Performance).collect()
    }

    fn downstream_of_kind(
        &self,
        id: ClusterId,
        kind: EdgeKind,
    ) -> impl Iterator<Item = ClusterId> + '_ {
        self.index.downstream[id.0]
            .iter()
            .filter(move |(_, k)| *k == kind)
            .map(|(c, _)| *c)
    }

    /// The replication cycles: each is a set of clusters that (transitively) replicate
    /// from each other, in file order.
    pub fn cycles(&self) -> Vec<Vec<ClusterId>> {
        self.index.cycles.clone()
    }

    /// The first of [`Self::cycles`], without copying them: `None` when the replication
    /// graph has no cycle (then [`Self::upstream_first`] is `Some`).
    pub fn first_cycle(&self) -> Option<&[ClusterId]> {
        self.index.cycles.first().map(Vec::as_slice)
    }

    /// Whether `id` lies on a replication cycle.
    pub fn on_cycle(&self, id: ClusterId) -> bool {
        self.index.on_cycle[id.0]
    }

    /// The chain of clusters above `id`, nearest first; stops at a cycle.
    pub fn ancestors(&self, id: ClusterId) -> Vec<ClusterId> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::from([id]);
        let mut cur = id;
        while let Some((up, _)) = self.upstream(cur) {
            if !seen.insert(up) {
                break;
            }
            out.push(up);
            cur = up;
        }
        out
    }

    /// [`Self::replication_set`] of a root, borrowed; empty for a cluster that is not the
    /// root of its set.
    pub fn set_members(&self, root: ClusterId) -> &[ClusterId] {
        &self.index.sets[root.0]
    }

    /// The number of clusters above `id`: `ancestors(id).len()`, without walking the chain.
    pub fn depth(&self, id: ClusterId) -> usize {
        self.index.depth[id.0]
    }

    /// The root of the replication set `id` belongs to: a primary, the top of a broken
    /// chain, or, for a chain that runs into a replication cycle, the cycle's first cluster in
    /// file order (so a cycle and what hangs below it form one set); `id` itself when it
    /// replicates from nothing.
    pub fn root(&self, id: ClusterId) -> ClusterId {
        self.index.root[id.0]
    }

    /// The clusters of the replication set rooted at `root` (root first, then breadth-first
    /// in file order).
    pub fn replication_set(&self, root: ClusterId) -> Vec<ClusterId> {
        if self.root(root) == root {
            return self.set_members(root).to_vec();
        }
        // Below a root: what replicates from `root`, directly or not.
        let mut out = vec![root];
        let mut seen = BTreeSet::from([root]);
        let mut i = 0;
        while i < out.len() {
            for (d, _) in &self.index.downstream[out[i].0] {
                if seen.insert(*d) {
                    out.push(*d);
                }
            }
            i += 1;
        }
        out
    }

    /// The roots of every replication set, in file order.
    pub fn roots(&self) -> Vec<ClusterId> {
        let mut roots = self.index.root.clone();
        roots.sort();
        roots.dedup();
        roots
    }

    /// Whose tokens and leases each cluster holds (see [`Self::tokens_held_by`]). Its size
    /// is the sum of every cluster's DR chain; ask [`Self::tokens_held_by`] for the clusters
    /// you need.
    pub fn token_holdings(&self) -> BTreeMap<ClusterId, BTreeSet<ClusterId>> {
        self.cluster_ids()
            .map(|id| (id, self.tokens_held_by(id)))
            .collect()
    }

    /// Whose tokens and leases cluster `id` holds, itself included. Tokens and leases are
    /// `local` storage entries: they travel only over DR edges (REPL-IDX), so a DR secondary
    /// holds what its upstream holds. A cluster that replicates from a DR secondary would
    /// receive a copy of that secondary's full store, tokens included.
    pub fn tokens_held_by(&self, id: ClusterId) -> BTreeSet<ClusterId> {
        let mut held = BTreeSet::from([id]);
        let mut cur = id;
        while let Some((up, kind)) = self.upstream(cur) {
            let carries = kind == EdgeKind::Dr || self.role(up) == Role::DrSecondary;
            if !carries || !held.insert(up) {
                break;
            }
            cur = up;
        }
        held
    }

    /// The clusters other than `id` that hold `id`'s tokens and leases (those for which
    /// [`Self::tokens_held_by`] contains `id`), in file order: everything below `id` along
    /// edges that carry tokens.
    pub fn token_copies(&self, id: ClusterId) -> Vec<ClusterId> {
        let mut seen = BTreeSet::from([id]);
        let mut queue = vec![id];
        while let Some(p) = queue.pop() {
            let from_dr = self.role(p) == Role::DrSecondary;
            for (d, kind) in &self.index.downstream[p.0] {
                if (*kind == EdgeKind::Dr || from_dr) && seen.insert(*d) {
                    queue.push(*d);
                }
            }
        }
        seen.remove(&id);
        seen.into_iter().collect()
    }

    /// The environment of a cluster: its own `environment`, else its site's.
    pub fn environment(&self, id: ClusterId) -> Environment {
        self.index.environment[id.0]
    }

    /// The site of a cluster.
    pub fn site_of(&self, id: ClusterId) -> SiteId {
        *self.cluster(id).site.get()
    }

    /// The region of a site.
    pub fn region_of(&self, site: SiteId) -> &str {
        self.site(site).region.get()
    }

    /// The position of a site's region among [`Self::regions`]: two sites are in the same
    /// region when these are equal.
    pub fn region_index(&self, site: SiteId) -> usize {
        self.index.site_region[site.0]
    }

    /// Whether two clusters' sites are in the same region.
    pub fn same_region(&self, a: ClusterId, b: ClusterId) -> bool {
        self.region_index(self.site_of(a)) == self.region_index(self.site_of(b))
    }

    /// The sites of a site's region (the site among them), in file order.
    pub fn region_sites(&self, site: SiteId) -> &[SiteId] {
        &self.index.regions[self.region_index(site)].1
    }

    /// The regions, in order of first appearance.
    pub fn regions(&self) -> Vec<&str> {
        self.index.regions.iter().map(|(r, _)| r.as_str()).collect()
    }

    /// The clusters in a site, in file order.
    pub fn clusters_in_site(&self, site: SiteId) -> Vec<ClusterId> {
        self.index.site_clusters[site.0].clone()
    }

    /// The sites in a region, in file order.
    pub fn sites_in_region(&self, region: &str) -> Vec<SiteId> {
        self.index
            .region_at
            .get(region)
            .map(|at| self.index.regions[*at].1.clone())
            .unwrap_or_default()
    }

    /// The clients attached to a cluster, in file order.
    pub fn clients_of(&self, id: ClusterId) -> Vec<(ClientId, &Client)> {
        self.index.cluster_clients[id.0]
            .iter()
            .map(|c| (*c, self.client(*c)))
            .collect()
    }

    /// The clusters in topological order, upstream before downstream; `None` when the
    /// graph has a cycle.
    pub fn upstream_first(&self) -> Option<Vec<ClusterId>> {
        petgraph::algo::toposort(&self.graph, None)
            .ok()
            .map(|order| order.into_iter().map(|n| ClusterId(n.index())).collect())
    }
    /// The clusters in a region, in file order.
    pub fn clusters_in_region(&self, region: &str) -> Vec<ClusterId> {
        let mut out: Vec<ClusterId> = self
            .sites_in_region(region)
            .iter()
            .flat_map(|s| self.index.site_clusters[s.0].iter().copied())
            .collect();
        out.sort_unstable();
        out
    }

    /// The name of a failure's object (cluster, site or region).
    pub fn failure_name<'a>(&'a self, failure: &'a Failure) -> &'a str {
        match failure {
            Failure::Cluster(c) => self.name(*c),
            Failure::Site(s) => self.site_name(*s),
            Failure::Region(r) => r,
        }
    }

    /// The clusters a failure takes out.
    pub fn lost_by(&self, failure: &Failure) -> BTreeSet<ClusterId> {
        let mut lost = Vec::new();
        self.lost_by_into(failure, &mut lost);
        lost.into_iter().collect()
    }

    /// [`Self::lost_by`] appended to `out`, ascending (in file order), each once.
    pub fn lost_by_into(&self, failure: &Failure, out: &mut Vec<ClusterId>) {
        match failure {
            Failure::Cluster(c) => out.push(*c),
            // A site's clusters are indexed in file order.
            Failure::Site(s) => out.extend_from_slice(&self.index.site_clusters[s.0]),
            Failure::Region(r) => out.extend(self.clusters_in_region(r)),
        }
    }

    /// The sites a failure takes out whole (none for a single cluster).
    pub fn sites_lost_by(&self, failure: &Failure) -> Vec<SiteId> {
        match failure {
            Failure::Cluster(_) => Vec::new(),
            Failure::Site(s) => vec![*s],
            Failure::Region(r) => self.sites_in_region(r),
        }
    }

    /// Every single failure worth simulating: each cluster, each site, and each region of
    /// two or more sites (a one-site region fails exactly as its site does), in file order.
    pub fn single_failures(&self) -> Vec<Failure> {
        let mut out: Vec<Failure> = self.cluster_ids().map(Failure::Cluster).collect();
        out.extend((0..self.model.sites.len()).map(|s| Failure::Site(SiteId(s))));
        out.extend(
            self.index
                .regions
                .iter()
                .filter(|(_, sites)| sites.len() > 1)
                .map(|(r, _)| Failure::Region(r.clone())),
        );
        out
    }

    /// Whether a failure that takes out the clusters for which `lost` holds leaves nothing
    /// of the replication set rooted at `root`: no cluster of it survives to be promoted or
    /// to serve.
    pub fn set_lost(&self, root: ClusterId, lost: impl Fn(ClusterId) -> bool) -> bool {
        self.replication_set(root).into_iter().all(lost)
    }

    /// A cluster's Vault version, when the file gives one.
    pub fn version(&self, id: ClusterId) -> Option<&Version> {
        self.cluster(id).version.as_ref().map(crate::yaml::Sp::get)
    }
}
