//! `Spec` → `Model`: names resolved to ids, defaults applied, values parsed. Every
//! structural problem (bad values, unknown or duplicate names, misplaced `replicates_from`)
//! is collected, so one run reports them all.

use std::collections::BTreeMap;

mod facts;
mod mounts;
pub use mounts::{
    CONSUL_HTTP_PORT, InfraEndpoint, Mount, PathsFilter, Seal, StorageFacts, covers,
    default_seal_port,
};

use crate::date::Date;
use crate::diag::structure as code;
use crate::diag::{Finding, Severity};
use crate::ids::{ClientId, ClusterId, MountId, ServiceId, SiteId};
use crate::source::Span;
use crate::spec::{self, Activation, ClusterPort, Environment, Protocol, Provider, Role, Spec};
use crate::values::{self, Addr, Cidr, PortRange, Version};
use crate::yaml::Sp;

/// The resolved topology: every reference is an id, every default applied.
#[derive(Debug, Clone)]
pub struct Model {
    /// The topology's name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Sites, in file order.
    pub sites: Vec<Site>,
    /// Clusters, in file order.
    pub clusters: Vec<Cluster>,
    /// Clients, in file order.
    pub clients: Vec<Client>,
    /// External services, in file order.
    pub services: Vec<Service>,
    /// Declared firewall rules; `None` when the file declares none (no facts, no checks).
    pub firewall: Option<Vec<FirewallRule>>,
    /// Declared DNS resolution; `None` when the file declares none.
    pub dns: Option<Vec<DnsEntry>>,
    /// Suppressions (`ignore`), in file order; applied by [`crate::suppress`].
    pub ignores: Vec<Ignore>,
    /// Mounts, in file order.
    pub mounts: Vec<Mount>,
}

/// A suppression entry, its cluster resolved and its date parsed.
#[derive(Debug, Clone)]
pub struct Ignore {
    /// The rule as written, a code or a name (resolved against the rule registry by
    /// [`crate::suppress`], which comes after the rules).
    pub rule: Sp<String>,
    /// The cluster the entry is limited to.
    pub cluster: Option<Sp<ClusterId>>,
    /// Why the findings are accepted; `None` when the entry has no `reason`.
    pub reason: Option<Sp<String>>,
    /// The last day the entry applies.
    pub until: Option<Sp<Date>>,
}

/// A site.
#[derive(Debug, Clone)]
pub struct Site {
    /// Its name.
    pub name: Sp<String>,
    /// Its region (default: the site's name).
    pub region: Sp<String>,
    /// Where it runs.
    pub provider: Provider,
    /// Production or not.
    pub environment: Environment,
    /// Span of the `environment` value, or of the name when defaulted.
    pub environment_span: Span,
    /// Zones.
    pub zones: Vec<Sp<String>>,
    /// Address space.
    pub cidrs: Vec<Sp<Cidr>>,
}

/// A Vault cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Its name.
    pub name: Sp<String>,
    /// Its site.
    pub site: Sp<SiteId>,
    /// Its role.
    pub role: Sp<Role>,
    /// The cluster it replicates from (secondaries only).
    pub upstream: Option<Sp<ClusterId>>,
    /// Its API address.
    pub api_addr: Option<Sp<Addr>>,
    /// Its cluster address.
    pub cluster_addr: Option<Sp<Addr>>,
    /// Its Vault version.
    pub version: Option<Sp<Version>>,
    /// Its Raft voter count.
    pub nodes: Option<Sp<u32>>,
    /// Zones its nodes are in.
    pub zones: Vec<Sp<String>>,
    /// Its address ranges.
    pub cidrs: Vec<Sp<Cidr>>,
    /// Its load balancer.
    pub load_balancer: Option<LoadBalancer>,
    /// How it is activated as a secondary, as declared (`None`: the default,
    /// `wrapped-token`); read it through [`Cluster::activation`].
    pub activation_declared: Option<Sp<Activation>>,
    /// Its own `environment`, overriding its site's.
    pub environment: Option<Sp<Environment>>,
    /// The operator's preferred successor (`failover_to`).
    pub failover_to: Option<Sp<ClusterId>>,
    /// Its storage backend, non-voters, seal and paths filter.
    pub storage: StorageFacts,
}

impl Cluster {
    /// The API port (default 8200).
    pub fn api_port(&self) -> u16 {
        self.api_addr.as_ref().map_or(8200, |a| a.port)
    }

    /// The cluster port (default 8201).
    pub fn cluster_port(&self) -> u16 {
        self.cluster_addr.as_ref().map_or(8201, |a| a.port)
    }

    /// How it is activated as a secondary (default `wrapped-token`).
    pub fn activation(&self) -> Activation {
        self.activation_declared
            .as_ref()
            .map_or(Activation::WrappedToken, |a| *a.get())
    }
}

/// A load balancer in front of a cluster.
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    /// Its address.
    pub address: Sp<String>,
    /// What it does with the cluster port.
    pub cluster_port: ClusterPort,
    /// Span of `cluster_port`, or of the address when defaulted.
    pub cluster_port_span: Span,
    /// Its own addresses, when declared.
    pub cidrs: Vec<Sp<Cidr>>,
}

/// A group of clients.
#[derive(Debug, Clone)]
pub struct Client {
    /// Its name.
    pub name: Sp<String>,
    /// Its site.
    pub site: Sp<SiteId>,
    /// The cluster it uses.
    pub cluster: Sp<ClusterId>,
    /// Its address ranges.
    pub cidrs: Vec<Sp<Cidr>>,
    /// The cluster they move to when theirs is lost (`fallback`).
    pub fallback: Option<Sp<ClusterId>>,
    /// The mounts it uses: for each path written, the mounts with that path (a local
    /// mount's path may exist on several clusters).
    pub mounts: Vec<Sp<Vec<MountId>>>,
}

/// An external service.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its name.
    pub name: Sp<String>,
    /// Its site.
    pub site: Sp<SiteId>,
    /// Its port.
    pub port: Sp<u16>,
    /// Its addresses.
    pub cidrs: Vec<Sp<Cidr>>,
    /// Clusters that use it.
    pub used_by: Vec<Sp<ClusterId>>,
}

/// One end of a firewall rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Anything.
    Any,
    /// An address range.
    Cidr(Cidr),
    /// Every address of a site.
    Site(SiteId),
    /// A cluster's addresses.
    Cluster(ClusterId),
    /// A client group's addresses.
    Client(ClientId),
    /// A service's addresses.
    Service(ServiceId),
}

/// A declared firewall allow rule.
#[derive(Debug, Clone)]
pub struct FirewallRule {
    /// Its name.
    pub name: Sp<String>,
    /// Source.
    pub from: Sp<Endpoint>,
    /// Destination.
    pub to: Sp<Endpoint>,
    /// Ports.
    pub ports: Vec<Sp<PortRange>>,
    /// Protocol.
    pub protocol: Protocol,
    /// Whether it also allows `to` → `from`.
    pub bidirectional: bool,
}

/// What one site's resolvers resolve.
#[derive(Debug, Clone)]
pub struct DnsEntry {
    /// The site.
    pub site: Sp<SiteId>,
    /// DNS suffixes, lowercased, without a trailing dot.
    pub resolves: Vec<Sp<String>>,
}

/// Builds the model, or returns every structural finding.
pub fn build(spec: &Spec) -> Result<Model, Vec<Finding>> {
    let mut b = Builder::default();
    let model = b.model(spec);
    if b.findings.iter().any(|f| f.severity == Severity::Error) {
        Err(b.findings)
    } else {
        Ok(model)
    }
}

struct Builder {
    findings: Vec<Finding>,
    /// Name comparisons left for "did you mean" suggestions. Each unknown reference costs
    /// one comparison per declared name; a file with thousands of unknown references among
    /// thousands of names gets suggestions for the first of them, then the plain help, so
    /// that a broken file costs at most a fraction of a second more.
    comparisons_left: usize,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            findings: Vec::new(),
            comparisons_left: 2_000_000,
        }
    }
}

/// A site's zones and networks as sets, so that checking a cluster's or client's zones and
/// CIDRs against them costs a few look-ups each, not a scan of the site's lists.
struct SiteSets {
    zones: std::collections::BTreeSet<String>,
    networks: std::collections::BTreeSet<Cidr>,
}

impl SiteSets {
    fn new(site: &Site) -> Self {
        Self {
            zones: site.zones.iter().map(|z| z.get().clone()).collect(),
            networks: site.cidrs.iter().map(|c| *c.get()).collect(),
        }
    }

    /// Whether one of the site's networks contains `c`: the network of `c` truncated to
    /// some prefix no longer than its own is one of them.
    fn covers(&self, c: &Cidr) -> bool {
        (0..=c.prefix).any(|p| self.networks.contains(&c.truncated(p)))
    }
}

/// Names of one kind, for resolving references and spotting duplicates.
struct Names<'a> {
    kind: &'static str,
    index: BTreeMap<&'a str, (usize, Span)>,
}

impl Names<'_> {
    fn new(kind: &'static str) -> Self {
        Self {
            kind,
            index: BTreeMap::new(),
        }
    }

    fn resolve(&self, name: &Sp<String>, b: &mut Builder) -> Option<usize> {
        if let Some((i, _)) = self.index.get(name.as_str()) {
            return Some(*i);
        }
        let mut f = Finding::new(
            &code::UNKNOWN_REFERENCE,
            name.span(),
            format!("unknown {} `{}`", self.kind, name.get()),
        )
        .label(format!("no {} has this name", self.kind));
        f = match b.closest(name, self.index.len(), self.index.keys().copied()) {
            Some(c) => f.help(format!("did you mean `{c}`?")),
            None if self.index.is_empty() => {
                f.help(format!("declare a {} named `{}`", self.kind, name.get()))
            }
            None => f.help(format!(
                "use one of the declared {}s: {}",
                self.kind,
                list(self.index.keys().copied())
            )),
        };
        b.findings.push(f);
        None
    }
}

fn list<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let count = names.len();
    let shown: Vec<String> = names.take(8).map(|n| format!("`{n}`")).collect();
    if count > 8 {
        format!("{}, … ({count} in all)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

impl Builder {
    /// [`values::closest`] within the comparison budget; `None` once it is spent.
    fn closest<'a>(
        &mut self,
        word: &str,
        count: usize,
        candidates: impl Iterator<Item = &'a str>,
    ) -> Option<&'a str> {
        self.comparisons_left = self.comparisons_left.checked_sub(count)?;
        values::closest(word, candidates)
    }

    fn error(&mut self, rule: &'static crate::diag::Rule, span: Span, message: String) {
        self.findings.push(Finding::new(rule, span, message));
    }

    fn name<'a>(&mut self, name: &'a Sp<String>, names: &mut Names<'a>) -> bool {
        if let Err(e) = values::check_name(name) {
            self.findings.push(
                Finding::new(&code::INVALID_VALUE, name.span(), e)
                    .help("use lowercase letters, digits and `-`, such as `dc-a` or `primary-1`"),
            );
            return false;
        }
        let next = names.index.len();
        if let Some((_, first)) = names.index.get(name.as_str()) {
            self.findings.push(
                Finding::new(
                    &code::DUPLICATE_NAME,
                    name.span(),
                    format!("{} `{}` is declared twice", names.kind, name.get()),
                )
                .label("second declaration")
                .related(*first, "first declared here")
                .help(format!("rename one of the two {}s", names.kind)),
            );
            return false;
        }
        names.index.insert(name.as_str(), (next, name.span()));
        true
    }

    #[allow(clippy::too_many_lines)] // one pass over the file, section by section
    fn model(&mut self, spec: &Spec) -> Model {
        if *spec.version.get() != 1 {
            self.findings.push(
                Finding::new(
                    &code::UNSUPPORTED_FORMAT,
                    spec.version.span(),
                    format!("format version {} is not supported", spec.version.get()),
                )
                .help("set `version: 1`; this vrt reads format version 1"),
            );
        }
        let mut topology_names = Names::new("topology");
        self.name(&spec.name, &mut topology_names);
        if spec.sites.is_empty() {
            self.findings.push(
                Finding::new(&code::EMPTY_SECTION, spec.sites.span(), "`sites` is empty")
                    .help("declare at least one site: `- name: dc-a`"),
            );
        }
        if spec.clusters.is_empty() {
            self.findings.push(
                Finding::new(&code::EMPTY_SECTION, spec.clusters.span(), "`clusters` is empty")
                    .help("declare at least one cluster: `- {name: primary-a, site: dc-a, role: primary}`"),
            );
        }

        let mut site_names = Names::new("site");
        let sites: Vec<Site> = spec
            .sites
            .iter()
            .map(|s| {
                self.name(&s.name, &mut site_names);
                if let Some(r) = &s.region
                    && let Err(e) = values::check_name(r)
                {
                    self.error(&code::INVALID_VALUE, r.span(), e);
                }
                Site {
                    name: s.name.clone(),
                    region: s.region.clone().unwrap_or_else(|| s.name.clone()),
                    provider: s.provider.as_ref().map_or(Provider::OnPrem, |p| *p.get()),
                    environment: s
                        .environment
                        .as_ref()
                        .map_or(Environment::Production, |e| *e.get()),
                    environment_span: s.environment.as_ref().map_or(s.name.span(), Sp::span),
                    zones: s.zones.clone(),
                    cidrs: self.cidrs(&s.cidrs),
                }
            })
            .collect();

        let site_sets: Vec<SiteSets> = sites.iter().map(SiteSets::new).collect();

        let mut cluster_names = Names::new("cluster");
        for c in spec.clusters.iter() {
            self.name(&c.name, &mut cluster_names);
        }
        let clusters: Vec<Cluster> = spec
            .clusters
            .iter()
            .filter_map(|c| self.cluster(c, &sites, &site_sets, &site_names, &cluster_names))
            .collect();

        let regions: std::collections::BTreeSet<&str> =
            sites.iter().map(|s| s.region.as_str()).collect();
        let roles: Vec<Option<Role>> = spec.clusters.iter().map(|c| Some(*c.role.get())).collect();
        let mounts = self.mounts(&spec.mounts, &cluster_names, &roles, &regions);

        let mut client_names = Names::new("client");
        let clients: Vec<Client> = spec
            .clients
            .iter()
            .filter_map(|c| {
                self.name(&c.name, &mut client_names);
                let site = site_names.resolve(&c.site, self);
                let cluster = cluster_names.resolve(&c.cluster, self);
                let fallback = c.fallback.as_ref().and_then(|f| {
                    cluster_names
                        .resolve(f, self)
                        .map(|i| Sp::new(ClusterId(i), f.span()))
                });
                let cidrs = self.cidrs(&c.cidrs);
                if let Some(site) = site {
                    self.inside_site(&cidrs, &sites[site], &site_sets[site], "client", &c.name);
                }
                let client_mounts = self.client_mounts(&c.mounts, &mounts);
                Some(Client {
                    name: c.name.clone(),
                    site: Sp::new(SiteId(site?), c.site.span()),
                    cluster: Sp::new(ClusterId(cluster?), c.cluster.span()),
                    cidrs,
                    fallback,
                    mounts: client_mounts,
                })
            })
            .collect();

        let mut service_names = Names::new("external service");
        let services: Vec<Service> = spec
            .external_services
            .iter()
            .filter_map(|s| {
                self.name(&s.name, &mut service_names);
                let site = site_names.resolve(&s.site, self);
                let port = match values::check_port(*s.port.get()) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        self.error(&code::INVALID_VALUE, s.port.span(), e);
                        None
                    }
                };
                let used_by: Vec<_> = s
                    .used_by
                    .iter()
                    .filter_map(|u| {
                        cluster_names
                            .resolve(u, self)
                            .map(|i| Sp::new(ClusterId(i), u.span()))
                    })
                    .collect();
                Some(Service {
                    name: s.name.clone(),
                    site: Sp::new(SiteId(site?), s.site.span()),
                    port: Sp::new(port?, s.port.span()),
                    cidrs: self.cidrs(&s.cidrs),
                    used_by,
                })
            })
            .collect();

        let network = spec.network.as_ref();
        let kinds = [
            (&site_names, 0),
            (&cluster_names, 1),
            (&client_names, 2),
            (&service_names, 3),
        ];
        let firewall = network.and_then(|n| n.firewall.as_ref()).map(|rules| {
            let mut rule_names = Names::new("firewall rule");
            rules
                .iter()
                .filter_map(|r| self.firewall_rule(r, &mut rule_names, &kinds))
                .collect()
        });
        let dns = network.and_then(|n| n.dns.as_ref()).map(|entries| {
            entries
                .iter()
                .filter_map(|d| {
                    let site = site_names.resolve(&d.site, self);
                    let resolves = d
                        .resolves
                        .iter()
                        .filter_map(|s| match values::check_dns_name(s) {
                            Ok(()) => Some(Sp::new(
                                s.trim_end_matches('.').to_ascii_lowercase(),
                                s.span(),
                            )),
                            Err(e) => {
                                self.error(&code::INVALID_VALUE, s.span(), e);
                                None
                            }
                        })
                        .collect();
                    Some(DnsEntry {
                        site: Sp::new(SiteId(site?), d.site.span()),
                        resolves,
                    })
                })
                .collect()
        });

        let ignores = spec
            .ignore
            .iter()
            .filter_map(|i| self.ignore(i, &cluster_names))
            .collect();

        Model {
            name: spec.name.get().clone(),
            description: spec.description.as_ref().map(|d| d.get().clone()),
            sites,
            clusters,
            clients,
            services,
            firewall,
            dns,
            ignores,
            mounts,
        }
    }

    #[allow(clippy::too_many_lines)] // one cluster's keys, checked in file order
    fn cluster(
        &mut self,
        c: &spec::ClusterSpec,
        sites: &[Site],
        site_sets: &[SiteSets],
        site_names: &Names<'_>,
        cluster_names: &Names<'_>,
    ) -> Option<Cluster> {
        let site = site_names.resolve(&c.site, self);
        let upstream = match (c.role.get(), &c.replicates_from) {
            (Role::Primary, Some(r)) => {
                self.findings.push(
                    Finding::new(
                        &code::REPLICATES_FROM,
                        r.span(),
                        format!("primary `{}` has `replicates_from`", c.name.get()),
                    )
                    .label("a primary replicates from nothing")
                    .related(c.role.span(), "declared a primary here")
                    .help("remove `replicates_from`, or make the cluster a `performance-secondary` or `dr-secondary`"),
                );
                None
            }
            (role, None) if *role != Role::Primary => {
                self.findings.push(
                    Finding::new(
                        &code::REPLICATES_FROM,
                        c.role.span(),
                        format!(
                            "{} `{}` has no `replicates_from`",
                            role.as_str(),
                            c.name.get()
                        ),
                    )
                    .label("a secondary needs an upstream cluster")
                    .help("add `replicates_from: <cluster>` naming the cluster it replicates from"),
                );
                None
            }
            (_, Some(r)) if r.get() == c.name.get() => {
                self.findings.push(
                    Finding::new(
                        &code::REPLICATES_FROM,
                        r.span(),
                        format!("cluster `{}` replicates from itself", c.name.get()),
                    )
                    .help("name the cluster it replicates from"),
                );
                None
            }
            (_, Some(r)) => cluster_names
                .resolve(r, self)
                .map(|i| Sp::new(ClusterId(i), r.span())),
            (_, None) => None,
        };
        let version = c.version.as_ref().and_then(|v| match Version::parse(v) {
            Ok(p) => Some(Sp::new(p, v.span())),
            Err(e) => {
                self.error(&code::INVALID_VALUE, v.span(), e);
                None
            }
        });
        let nodes = self.voters(c);
        let storage = self.storage_facts(c);
        let failover_to = c.failover_to.as_ref().and_then(|f| {
            cluster_names
                .resolve(f, self)
                .map(|i| Sp::new(ClusterId(i), f.span()))
        });
        let api_addr = self.addr(c.api_addr.as_ref(), 8200);
        let cluster_addr = self.addr(c.cluster_addr.as_ref(), 8201);
        let cidrs = self.cidrs(&c.cidrs);
        if let Some(site) = site {
            let sets = &site_sets[site];
            let site = &sites[site];
            for z in &c.zones {
                if !sets.zones.contains(z.as_str()) {
                    let mut f = Finding::new(
                        &code::ZONE_NOT_IN_SITE,
                        z.span(),
                        format!(
                            "zone `{}` is not a zone of site `{}`",
                            z.get(),
                            site.name.get()
                        ),
                    )
                    .related(site.name.span(), "site declared here");
                    f = match self.closest(
                        z,
                        site.zones.len(),
                        site.zones.iter().map(|s| s.as_str()),
                    ) {
                        Some(m) => f.help(format!("did you mean `{m}`?")),
                        None => f.help(format!(
                            "add `{}` to the `zones` of site `{}`",
                            z.get(),
                            site.name.get()
                        )),
                    };
                    self.findings.push(f);
                }
            }
            self.inside_site(&cidrs, site, sets, "cluster", &c.name);
        }
        let load_balancer = c.load_balancer.as_ref().map(|lb| LoadBalancer {
            address: lb.address.clone(),
            cluster_port: lb
                .cluster_port
                .as_ref()
                .map_or(ClusterPort::None, |p| *p.get()),
            cluster_port_span: lb.cluster_port.as_ref().map_or(lb.address.span(), Sp::span),
            cidrs: self.cidrs(&lb.cidrs),
        });
        if let Some(lb) = &load_balancer
            && lb.address.parse::<std::net::IpAddr>().is_err()
            && let Err(e) = values::check_dns_name(&lb.address)
        {
            self.error(&code::INVALID_VALUE, lb.address.span(), e);
        }
        Some(Cluster {
            name: c.name.clone(),
            site: Sp::new(SiteId(site?), c.site.span()),
            role: c.role.clone(),
            upstream,
            api_addr,
            cluster_addr,
            version,
            nodes,
            zones: c.zones.clone(),
            cidrs,
            load_balancer,
            activation_declared: c.activation.clone(),
            environment: c.environment.clone(),
            failover_to,
            storage,
        })
    }
}
