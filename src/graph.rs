//! `Model` → `Topology`: the replication graph (petgraph) and the domain questions rules
//! and planners ask of it, so that they never touch petgraph themselves.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{Client, ClientId, Cluster, ClusterId, Model, SiteId};
use crate::spec::{Environment, Role};
use crate::values::Version;

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

/// The topology as a graph: nodes are clusters (node index = cluster index), an edge runs
/// from the upstream cluster to the one replicating from it.
#[derive(Debug, Clone)]
pub struct Topology {
    /// The resolved model.
    pub model: Model,
    graph: DiGraph<ClusterId, EdgeKind>,
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
        Self { model, graph }
    }

    /// A cluster.
    pub fn cluster(&self, id: ClusterId) -> &Cluster {
        &self.model.clusters[id.0]
    }

    /// Every cluster id, in file order.
    pub fn cluster_ids(&self) -> impl Iterator<Item = ClusterId> + '_ {
        (0..self.model.clusters.len()).map(ClusterId)
    }

    /// A cluster's name.
    pub fn name(&self, id: ClusterId) -> &str {
        self.cluster(id).name.get()
    }

    /// A cluster's role.
    pub fn role(&self, id: ClusterId) -> Role {
        *self.cluster(id).role.get()
    }

    /// The cluster `id` replicates from, with the kind of the edge.
    pub fn upstream(&self, id: ClusterId) -> Option<(ClusterId, EdgeKind)> {
        self.graph
            .edges_directed(NodeIndex::new(id.0), petgraph::Direction::Incoming)
            .next()
            .map(|e| (ClusterId(e.source().index()), *e.weight()))
    }

    /// The clusters replicating from `id`, in file order.
    pub fn downstream(&self, id: ClusterId) -> Vec<(ClusterId, EdgeKind)> {
        let mut out: Vec<_> = self
            .graph
            .edges_directed(NodeIndex::new(id.0), petgraph::Direction::Outgoing)
            .map(|e| (ClusterId(e.target().index()), *e.weight()))
            .collect();
        out.sort();
        out
    }

    /// The DR secondaries of `id`, in file order.
    pub fn dr_secondaries(&self, id: ClusterId) -> Vec<ClusterId> {
        self.downstream_of_kind(id, EdgeKind::Dr)
    }

    /// The performance secondaries of `id`, in file order.
    pub fn performance_secondaries(&self, id: ClusterId) -> Vec<ClusterId> {
        self.downstream_of_kind(id, EdgeKind::Performance)
    }

    fn downstream_of_kind(&self, id: ClusterId, kind: EdgeKind) -> Vec<ClusterId> {
        self.downstream(id)
            .into_iter()
            .filter(|(_, k)| *k == kind)
            .map(|(c, _)| c)
            .collect()
    }

    /// The replication cycles: each is a set of clusters that (transitively) replicate
    /// from each other, in file order.
    pub fn cycles(&self) -> Vec<Vec<ClusterId>> {
        let mut out: Vec<Vec<ClusterId>> = petgraph::algo::tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1)
            .map(|scc| {
                let mut ids: Vec<_> = scc.into_iter().map(|n| ClusterId(n.index())).collect();
                ids.sort();
                ids
            })
            .collect();
        out.sort();
        out
    }

    /// Whether `id` lies on a replication cycle.
    pub fn on_cycle(&self, id: ClusterId) -> bool {
        self.cycles().iter().any(|c| c.contains(&id))
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

    /// The root of the replication set `id` belongs to (a primary, or the top of a broken
    /// chain); `id` itself when it replicates from nothing.
    pub fn root(&self, id: ClusterId) -> ClusterId {
        self.ancestors(id).last().copied().unwrap_or(id)
    }

    /// The clusters of the replication set rooted at `root` (root first, then breadth-first
    /// in file order).
    pub fn replication_set(&self, root: ClusterId) -> Vec<ClusterId> {
        let mut out = vec![root];
        let mut seen = BTreeSet::from([root]);
        let mut i = 0;
        while i < out.len() {
            for (d, _) in self.downstream(out[i]) {
                if seen.insert(d) {
                    out.push(d);
                }
            }
            i += 1;
        }
        out
    }

    /// The roots of every replication set, in file order.
    pub fn roots(&self) -> Vec<ClusterId> {
        let mut roots: Vec<_> = self.cluster_ids().map(|c| self.root(c)).collect();
        roots.sort();
        roots.dedup();
        roots
    }

    /// Whose tokens and leases each cluster holds. Tokens and leases are `local` storage
    /// entries: they travel only over DR edges (REPL-IDX), so a DR secondary holds what its
    /// upstream holds. A cluster that replicates from a DR secondary would receive a copy
    /// of that secondary's full store, tokens included.
    pub fn token_holdings(&self) -> BTreeMap<ClusterId, BTreeSet<ClusterId>> {
        let mut out = BTreeMap::new();
        for id in self.cluster_ids() {
            let mut held = BTreeSet::from([id]);
            let mut cur = id;
            let mut seen = BTreeSet::from([id]);
            while let Some((up, kind)) = self.upstream(cur) {
                let carries = kind == EdgeKind::Dr || self.role(up) == Role::DrSecondary;
                if !carries || !seen.insert(up) {
                    break;
                }
                held.insert(up);
                cur = up;
            }
            out.insert(id, held);
        }
        out
    }

    /// The environment of a cluster's site.
    pub fn environment(&self, id: ClusterId) -> Environment {
        self.model.sites[self.cluster(id).site.get().0].environment
    }

    /// The site of a cluster.
    pub fn site_of(&self, id: ClusterId) -> SiteId {
        *self.cluster(id).site.get()
    }

    /// The region of a site.
    pub fn region_of(&self, site: SiteId) -> &str {
        self.model.sites[site.0].region.get()
    }

    /// The regions, in order of first appearance.
    pub fn regions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.model.sites {
            if !out.contains(&s.region.as_str()) {
                out.push(s.region.as_str());
            }
        }
        out
    }

    /// The clusters in a site, in file order.
    pub fn clusters_in_site(&self, site: SiteId) -> Vec<ClusterId> {
        self.cluster_ids()
            .filter(|c| self.site_of(*c) == site)
            .collect()
    }

    /// The sites in a region, in file order.
    pub fn sites_in_region(&self, region: &str) -> Vec<SiteId> {
        (0..self.model.sites.len())
            .map(SiteId)
            .filter(|s| self.region_of(*s) == region)
            .collect()
    }

    /// The clients attached to a cluster, in file order.
    pub fn clients_of(&self, id: ClusterId) -> Vec<(ClientId, &Client)> {
        self.model
            .clients
            .iter()
            .enumerate()
            .filter(|(_, c)| *c.cluster.get() == id)
            .map(|(i, c)| (ClientId(i), c))
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
        self.cluster_ids()
            .filter(|c| self.region_of(self.site_of(*c)) == region)
            .collect()
    }

    /// The name of a failure's object (cluster, site or region).
    pub fn failure_name<'a>(&'a self, failure: &'a Failure) -> &'a str {
        match failure {
            Failure::Cluster(c) => self.name(*c),
            Failure::Site(s) => self.model.sites[s.0].name.get(),
            Failure::Region(r) => r,
        }
    }

    /// The clusters a failure takes out.
    pub fn lost_by(&self, failure: &Failure) -> BTreeSet<ClusterId> {
        match failure {
            Failure::Cluster(c) => BTreeSet::from([*c]),
            Failure::Site(s) => self.clusters_in_site(*s).into_iter().collect(),
            Failure::Region(r) => self.clusters_in_region(r).into_iter().collect(),
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
            self.regions()
                .into_iter()
                .filter(|r| self.sites_in_region(r).len() > 1)
                .map(|r| Failure::Region(r.to_string())),
        );
        out
    }

    /// Whether a failure that takes out `lost` leaves nothing of the replication set rooted
    /// at `root`: no cluster of it survives to be promoted or to serve.
    pub fn set_lost(&self, root: ClusterId, lost: &BTreeSet<ClusterId>) -> bool {
        self.replication_set(root).iter().all(|c| lost.contains(c))
    }

    /// Orders the clusters that could take over from `replaced`, best first: same region as
    /// `replaced`, then the newest Vault version (clusters without one last), then name.
    pub fn rank_replacements(
        &self,
        replaced: ClusterId,
        candidates: impl IntoIterator<Item = ClusterId>,
    ) -> Vec<ClusterId> {
        let region = self.region_of(self.site_of(replaced));
        let mut out: Vec<ClusterId> = candidates.into_iter().collect();
        out.sort_by(|a, b| {
            let key = |c: &ClusterId| {
                (
                    self.region_of(self.site_of(*c)) != region,
                    std::cmp::Reverse(self.version(*c)),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| self.name(*a).cmp(self.name(*b)))
        });
        out.dedup();
        out
    }

    /// A cluster's Vault version, when the file gives one.
    pub fn version(&self, id: ClusterId) -> Option<&Version> {
        self.cluster(id).version.as_ref().map(crate::yaml::Sp::get)
    }
}

/// Why two clusters open a connection only after a failover (vault-replication.md,
/// "Implications", point 6): the paths that must be open before it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StandbyReason {
    /// `dr`, a DR secondary of `primary`, is promoted in its place and `secondary`, a
    /// performance secondary of `primary`, re-points to it (`update-primary`; API-DR).
    PromotedDrOfPrimary {
        /// The cluster that fails.
        primary: ClusterId,
        /// Its DR secondary, promoted.
        dr: ClusterId,
        /// Its performance secondary, re-pointed.
        secondary: ClusterId,
    },
    /// `dr`, a DR secondary of performance secondary `secondary`, is promoted and connects
    /// to `primary` "using the same secondary token" (API-DR).
    PromotedDrOfSecondary {
        /// The performance primary.
        primary: ClusterId,
        /// The performance secondary that fails.
        secondary: ClusterId,
        /// Its DR secondary, promoted.
        dr: ClusterId,
    },
    /// `promoted` and `other` are both DR secondaries of `protected`; once `promoted` takes
    /// over, `other` must replicate from it.
    SiblingDr {
        /// The cluster both protect.
        protected: ClusterId,
        /// The DR secondary promoted.
        promoted: ClusterId,
        /// The DR secondary that re-points to it.
        other: ClusterId,
    },
    /// `primary`'s site holds it and all its DR secondaries: losing the site leaves only a
    /// performance promotion of `candidate`, and `other` then replicates from it
    /// (PERF-MANAGE).
    PerformancePromotion {
        /// The primary lost with its site.
        primary: ClusterId,
        /// The performance secondary promoted.
        candidate: ClusterId,
        /// Another performance secondary that re-points to it.
        other: ClusterId,
    },
}

/// Two clusters that replicate only after a failover: `secondary` then replicates from (or
/// fails back to) `primary`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StandbyPair {
    /// The cluster that will dial as a secondary.
    pub secondary: ClusterId,
    /// The cluster that will be its primary.
    pub primary: ClusterId,
    /// The failover that creates the connection.
    pub reason: StandbyReason,
}

impl Topology {
    /// The performance secondary promoted when `primary`'s site is lost together with all
    /// its DR secondaries (or it has none): the one outside that site that the failover
    /// planner ranks first ([`Topology::rank_replacements`]). `None` when a DR secondary survives the site or no performance secondary does.
    pub fn performance_promotion_candidate(&self, primary: ClusterId) -> Option<ClusterId> {
        let site = self.site_of(primary);
        if self
            .dr_secondaries(primary)
            .iter()
            .any(|d| self.site_of(*d) != site)
        {
            return None;
        }
        let outside = self
            .performance_secondaries(primary)
            .into_iter()
            .filter(|s| self.site_of(*s) != site);
        // The same choice the failover planner makes, so the pre-opened paths are the ones
        // the runbook will use.
        self.rank_replacements(primary, outside).first().copied()
    }

    /// Every pair of clusters that connects only after a failover, grouped by the cluster
    /// that fails (file order): a primary's DR secondaries ↔ its performance secondaries, a
    /// performance secondary's DR secondaries ↔ the primary, DR secondaries of one cluster ↔
    /// each other, and the performance secondaries ↔ the promotion candidate when a site
    /// loss leaves only a performance promotion. (Failback of the old primary to its DR
    /// secondary runs over the DR edge itself, which is always open both ways.)
    pub fn standby_pairs(&self) -> Vec<StandbyPair> {
        let mut out = Vec::new();
        for c in self.cluster_ids() {
            let drs = self.dr_secondaries(c);
            let perfs = self.performance_secondaries(c);
            for &dr in &drs {
                for &secondary in &perfs {
                    out.push(StandbyPair {
                        secondary,
                        primary: dr,
                        reason: StandbyReason::PromotedDrOfPrimary {
                            primary: c,
                            dr,
                            secondary,
                        },
                    });
                }
            }
            if let Some((primary, EdgeKind::Performance)) = self.upstream(c) {
                for &dr in &drs {
                    out.push(StandbyPair {
                        secondary: dr,
                        primary,
                        reason: StandbyReason::PromotedDrOfSecondary {
                            primary,
                            secondary: c,
                            dr,
                        },
                    });
                }
            }
            for (i, &promoted) in drs.iter().enumerate() {
                for &other in &drs[i + 1..] {
                    out.push(StandbyPair {
                        secondary: other,
                        primary: promoted,
                        reason: StandbyReason::SiblingDr {
                            protected: c,
                            promoted,
                            other,
                        },
                    });
                }
            }
            if self.role(c) == Role::Primary
                && let Some(candidate) = self.performance_promotion_candidate(c)
            {
                for &other in perfs.iter().filter(|p| **p != candidate) {
                    out.push(StandbyPair {
                        secondary: other,
                        primary: candidate,
                        reason: StandbyReason::PerformancePromotion {
                            primary: c,
                            candidate,
                            other,
                        },
                    });
                }
            }
        }
        out
    }
}
