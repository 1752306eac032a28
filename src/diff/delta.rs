//! The delta of the model: sites, clusters, clients and external services added, removed
//! or changed (re-roled, re-pointed, upgraded, moved), and the declared firewall and DNS
//! facts that changed; mounts and paths filters come from [`super::mounts`], with the
//! placement of each mount's data before and after. Objects are matched by name; values are
//! compared as the file's model holds them (defaults applied), so a default spelled out is
//! no change.

use std::collections::BTreeMap;

use crate::graph::Topology;
use crate::model::{Endpoint, Model};
use crate::spec::Provider;

/// What kind of object changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A site.
    Site,
    /// A Vault cluster.
    Cluster,
    /// A client group.
    Client,
    /// An external service.
    Service,
    /// A declared firewall rule (`network.firewall`).
    FirewallRule,
    /// A site's declared DNS resolution (`network.dns`).
    Dns,
    /// A mount (`mounts`), by path.
    Mount,
    /// A performance secondary's paths filter, by the secondary's name.
    PathsFilter,
}

impl Kind {
    /// Words for prose and tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::Cluster => "cluster",
            Self::Client => "client",
            Self::Service => "external service",
            Self::FirewallRule => "firewall rule",
            Self::Dns => "DNS of site",
            Self::Mount => "mount",
            Self::PathsFilter => "paths filter of",
        }
    }

    /// The JSON value.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::Cluster => "cluster",
            Self::Client => "client",
            Self::Service => "service",
            Self::FirewallRule => "firewall-rule",
            Self::Dns => "dns",
            Self::Mount => "mount",
            Self::PathsFilter => "paths-filter",
        }
    }
}

/// How an object changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, with different values.
    Changed,
}

impl How {
    /// The JSON value and the word for prose.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

/// A cluster change with a name of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tag {
    /// Its `role` changed.
    ReRoled,
    /// Its `replicates_from` changed.
    RePointed,
    /// Its `version` is newer.
    Upgraded,
    /// Its `version` is older: Vault does not support downgrades.
    Downgraded,
    /// Its `site` changed.
    Moved,
}

impl Tag {
    /// The word used in summaries and JSON.
    pub const fn key(self) -> &'static str {
        match self {
            Self::ReRoled => "re-roled",
            Self::RePointed => "re-pointed",
            Self::Upgraded => "upgraded",
            Self::Downgraded => "downgraded",
            Self::Moved => "moved",
        }
    }
}

/// One field whose value changed (`None`: not set on that side).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The key as written in the file (`replicates_from`, `load_balancer.cluster_port`).
    pub name: &'static str,
    /// The value in OLD.
    pub old: Option<String>,
    /// The value in NEW.
    pub new: Option<String>,
}

/// One object added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What it is.
    pub kind: Kind,
    /// Its name (for DNS, the site's).
    pub name: String,
    /// Added, removed or changed.
    pub how: How,
    /// For clusters: re-roled, re-pointed, upgraded, downgraded, moved.
    pub tags: Vec<Tag>,
    /// The fields that differ (for an added or removed object: its main fields).
    pub fields: Vec<Field>,
    /// What it means, in sentences citing their sources (mounts, paths filters and client
    /// mounts; empty for the other kinds).
    pub meaning: Vec<String>,
}

/// Every change, in NEW's file order for what NEW holds, then the removed objects in OLD's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    /// The changes, grouped by kind (sites, clusters, clients, services, firewall, DNS,
    /// mounts, paths filters).
    pub changes: Vec<Change>,
    /// Where the data of each mount whose holders differ lives before and after.
    pub placement: Vec<super::mounts::Placement>,
}

impl Delta {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.placement.is_empty()
    }

    /// How many changes of `kind` are `how`.
    pub fn count(&self, kind: Kind, how: How) -> usize {
        self.changes
            .iter()
            .filter(|c| c.kind == kind && c.how == how)
            .count()
    }

    /// The change of the cluster named `name`, if any.
    pub fn cluster(&self, name: &str) -> Option<&Change> {
        self.changes
            .iter()
            .find(|c| c.kind == Kind::Cluster && c.name == name)
    }
}

/// An object reduced to named field values, for comparing.
type Fields = Vec<(&'static str, Option<String>)>;

fn list(items: impl IntoIterator<Item = String>) -> Option<String> {
    let v: Vec<String> = items.into_iter().collect();
    if v.is_empty() {
        None
    } else {
        Some(v.join(", "))
    }
}

fn site_fields(m: &Model, i: usize) -> Fields {
    let s = &m.sites[i];
    vec![
        ("region", Some(s.region.get().clone())),
        (
            "provider",
            Some(
                match s.provider {
                    Provider::OnPrem => "on-prem",
                    Provider::Vmware => "vmware",
                    Provider::Aws => "aws",
                    Provider::Azure => "azure",
                    Provider::Gcp => "gcp",
                    Provider::Other => "other",
                }
                .to_string(),
            ),
        ),
        (
            "environment",
            Some(
                match s.environment {
                    crate::spec::Environment::Production => "production",
                    crate::spec::Environment::NonProduction => "non-production",
                }
                .to_string(),
            ),
        ),
        ("zones", list(s.zones.iter().map(|z| z.get().clone()))),
        ("cidrs", list(s.cidrs.iter().map(|c| c.get().to_string()))),
    ]
}

fn cluster_fields(m: &Model, i: usize) -> Fields {
    let c = &m.clusters[i];
    let lb = c.load_balancer.as_ref();
    vec![
        ("role", Some(c.role.get().as_str().to_string())),
        (
            "replicates_from",
            c.upstream
                .as_ref()
                .map(|u| m.clusters[u.get().0].name.get().clone()),
        ),
        ("site", Some(m.sites[c.site.get().0].name.get().clone())),
        ("version", c.version.as_ref().map(|v| v.get().to_string())),
        ("api_addr", c.api_addr.as_ref().map(|a| addr(a.get()))),
        (
            "cluster_addr",
            c.cluster_addr.as_ref().map(|a| addr(a.get())),
        ),
        ("nodes", c.nodes.as_ref().map(|n| n.get().to_string())),
        ("zones", list(c.zones.iter().map(|z| z.get().clone()))),
        ("cidrs", list(c.cidrs.iter().map(|c| c.get().to_string()))),
        ("load_balancer.address", lb.map(|l| l.address.get().clone())),
        (
            "load_balancer.cluster_port",
            lb.map(|l| {
                match l.cluster_port {
                    crate::spec::ClusterPort::None => "none",
                    crate::spec::ClusterPort::Passthrough => "passthrough",
                    crate::spec::ClusterPort::TerminateTls => "terminate-tls",
                }
                .to_string()
            }),
        ),
        (
            "load_balancer.cidrs",
            lb.and_then(|l| list(l.cidrs.iter().map(|c| c.get().to_string()))),
        ),
    ]
}

fn addr(a: &crate::values::Addr) -> String {
    match &a.host {
        crate::values::Host::Ip(std::net::IpAddr::V6(ip)) => {
            format!("{}://[{ip}]:{}", a.scheme, a.port)
        }
        h => format!("{}://{h}:{}", a.scheme, a.port),
    }
}

fn client_fields(m: &Model, i: usize) -> Fields {
    let c = &m.clients[i];
    vec![
        ("site", Some(m.sites[c.site.get().0].name.get().clone())),
        (
            "cluster",
            Some(m.clusters[c.cluster.get().0].name.get().clone()),
        ),
        ("cidrs", list(c.cidrs.iter().map(|c| c.get().to_string()))),
        (
            "mounts",
            list(c.mounts.iter().filter_map(|ids| {
                ids.get()
                    .first()
                    .map(|id| m.mounts[id.0].path.get().clone())
            })),
        ),
    ]
}

fn service_fields(m: &Model, i: usize) -> Fields {
    let s = &m.services[i];
    vec![
        ("site", Some(m.sites[s.site.get().0].name.get().clone())),
        ("port", Some(s.port.get().to_string())),
        ("cidrs", list(s.cidrs.iter().map(|c| c.get().to_string()))),
        (
            "used_by",
            list(
                s.used_by
                    .iter()
                    .map(|u| m.clusters[u.get().0].name.get().clone()),
            ),
        ),
    ]
}

fn endpoint(m: &Model, e: Endpoint) -> String {
    match e {
        Endpoint::Any => "any".to_string(),
        Endpoint::Cidr(c) => c.to_string(),
        Endpoint::Site(s) => m.sites[s.0].name.get().clone(),
        Endpoint::Cluster(c) => m.clusters[c.0].name.get().clone(),
        Endpoint::Client(c) => m.clients[c.0].name.get().clone(),
        Endpoint::Service(s) => m.services[s.0].name.get().clone(),
    }
}

fn firewall_fields(m: &Model, i: usize) -> Fields {
    let Some(rules) = &m.firewall else {
        return Vec::new();
    };
    let r = &rules[i];
    vec![
        ("from", Some(endpoint(m, *r.from.get()))),
        ("to", Some(endpoint(m, *r.to.get()))),
        ("ports", list(r.ports.iter().map(|p| p.get().to_string()))),
        ("protocol", Some(r.protocol.as_str().to_string())),
        ("bidirectional", Some(r.bidirectional.to_string())),
    ]
}

fn dns_fields(m: &Model, i: usize) -> Fields {
    let Some(entries) = &m.dns else {
        return Vec::new();
    };
    vec![(
        "resolves",
        list(entries[i].resolves.iter().map(|s| s.get().clone())),
    )]
}

/// The names of one kind of object in file order, with their index.
fn names(m: &Model, kind: Kind) -> Vec<(String, usize)> {
    let named = |it: Vec<&String>| -> Vec<(String, usize)> {
        it.into_iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect()
    };
    match kind {
        Kind::Site => named(m.sites.iter().map(|s| s.name.get()).collect()),
        Kind::Cluster => named(m.clusters.iter().map(|s| s.name.get()).collect()),
        Kind::Client => named(m.clients.iter().map(|s| s.name.get()).collect()),
        Kind::Service => named(m.services.iter().map(|s| s.name.get()).collect()),
        Kind::FirewallRule => m.firewall.as_ref().map_or_else(Vec::new, |r| {
            named(r.iter().map(|r| r.name.get()).collect())
        }),
        Kind::Dns => m.dns.as_ref().map_or_else(Vec::new, |d| {
            d.iter()
                .enumerate()
                .map(|(i, e)| (m.sites[e.site.get().0].name.get().clone(), i))
                .collect()
        }),
        // Compared by `super::mounts`.
        Kind::Mount | Kind::PathsFilter => Vec::new(),
    }
}

fn fields(m: &Model, kind: Kind, i: usize) -> Fields {
    match kind {
        Kind::Site => site_fields(m, i),
        Kind::Cluster => cluster_fields(m, i),
        Kind::Client => client_fields(m, i),
        Kind::Service => service_fields(m, i),
        Kind::FirewallRule => firewall_fields(m, i),
        Kind::Dns => dns_fields(m, i),
        Kind::Mount | Kind::PathsFilter => Vec::new(),
    }
}

fn tags(old: &Topology, new: &Topology, name: &str, changed: &[Field]) -> Vec<Tag> {
    let mut tags = Vec::new();
    for f in changed {
        match f.name {
            "role" => tags.push(Tag::ReRoled),
            "replicates_from" => tags.push(Tag::RePointed),
            "site" => tags.push(Tag::Moved),
            "version" => {
                let v = |t: &Topology| {
                    t.cluster_ids()
                        .find(|c| t.name(*c) == name)
                        .and_then(|c| t.version(c).cloned())
                };
                if let (Some(a), Some(b)) = (v(old), v(new)) {
                    match b.cmp(&a) {
                        std::cmp::Ordering::Greater => tags.push(Tag::Upgraded),
                        std::cmp::Ordering::Less => tags.push(Tag::Downgraded),
                        std::cmp::Ordering::Equal => {}
                    }
                }
            }
            _ => {}
        }
    }
    tags.sort();
    tags
}

/// Compares OLD (`None` when empty: everything is added) with NEW.
pub fn compare(old: Option<&Topology>, new: &Topology) -> Delta {
    let mut changes = Vec::new();
    for kind in [
        Kind::Site,
        Kind::Cluster,
        Kind::Client,
        Kind::Service,
        Kind::FirewallRule,
        Kind::Dns,
    ] {
        let before: BTreeMap<String, usize> = old
            .map(|o| names(&o.model, kind).into_iter().collect())
            .unwrap_or_default();
        let after = names(&new.model, kind);
        let after_set: std::collections::BTreeSet<&str> =
            after.iter().map(|(n, _)| n.as_str()).collect();
        for (name, i) in &after {
            let now = fields(&new.model, kind, *i);
            match (old, before.get(name)) {
                (Some(o), Some(j)) => {
                    let was = fields(&o.model, kind, *j);
                    let diff: Vec<Field> = was
                        .into_iter()
                        .zip(now)
                        .filter(|(a, b)| a.1 != b.1)
                        .map(|(a, b)| Field {
                            name: a.0,
                            old: a.1,
                            new: b.1,
                        })
                        .collect();
                    if !diff.is_empty() {
                        let tags = if kind == Kind::Cluster {
                            tags(o, new, name, &diff)
                        } else {
                            Vec::new()
                        };
                        let meaning = if kind == Kind::Client {
                            client_meaning(new, name, &diff)
                        } else {
                            Vec::new()
                        };
                        changes.push(Change {
                            kind,
                            name: name.clone(),
                            how: How::Changed,
                            tags,
                            fields: diff,
                            meaning,
                        });
                    }
                }
                _ => changes.push(Change {
                    kind,
                    name: name.clone(),
                    how: How::Added,
                    tags: Vec::new(),
                    fields: now
                        .into_iter()
                        .filter(|f| f.1.is_some())
                        .map(|(n, v)| Field {
                            name: n,
                            old: None,
                            new: v,
                        })
                        .collect(),
                    meaning: Vec::new(),
                }),
            }
        }
        if let Some(o) = old {
            for (name, j) in names(&o.model, kind) {
                if !after_set.contains(name.as_str()) {
                    changes.push(Change {
                        kind,
                        name,
                        how: How::Removed,
                        tags: Vec::new(),
                        fields: fields(&o.model, kind, j)
                            .into_iter()
                            .filter(|f| f.1.is_some())
                            .map(|(n, v)| Field {
                                name: n,
                                old: v,
                                new: None,
                            })
                            .collect(),
                        meaning: Vec::new(),
                    });
                }
            }
        }
    }
    let (mount_changes, placement) = super::mounts::compare(old, new);
    changes.extend(mount_changes);
    Delta { changes, placement }
}

/// What a client's changed `mounts` mean: each path it starts using, held or not by its
/// cluster in NEW.
fn client_meaning(new: &Topology, name: &str, diff: &[Field]) -> Vec<String> {
    let Some(f) = diff.iter().find(|f| f.name == "mounts") else {
        return Vec::new();
    };
    let split = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .map(|s| s.split(", ").map(str::to_string).collect())
            .unwrap_or_default()
    };
    let was = split(&f.old);
    let added: Vec<String> = split(&f.new)
        .into_iter()
        .filter(|p| !was.contains(p))
        .collect();
    super::mounts::client_meaning(new, name, &added)
}
