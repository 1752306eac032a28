//! Scaffolding (`vrt init`): the five reference topologies of the architecture notes as
//! templates, filled with the user's site names. The output is a topology file that
//! validates without errors and already carries the firewall and DNS facts of the design,
//! each placeholder marked `# FILL` and each assumed network fact marked `# CONFIRM`.

use std::fmt::Write as _;

use crate::text::wrap;
use crate::values;

/// A reference topology.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// Two on-premises data centers: primary + DR in one, performance replica + DR in the
    /// other.
    TwoDatacenters,
    /// Two AWS regions, each with a local DR cluster.
    AwsRegions,
    /// One primary replicating to every other site, each with its own DR cluster.
    Global,
    /// VMware active-active: two production data centers plus a non-production lab with
    /// QA and sandbox mirrors.
    VmwareActiveActive,
    /// On-premises primary with a performance replica in AWS, plus non-production dev and
    /// QA clusters.
    HybridOnpremAws,
}

/// What a site of a template is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// A production site: the primary's, or one with a performance replica.
    Production(&'static str),
    /// A non-production site holding isolated replication sets with these names.
    NonProduction(&'static str, &'static [&'static str]),
}

struct Shape {
    name: &'static str,
    reference: &'static str,
    summary: &'static str,
    slots: &'static [Slot],
    /// The last production slot may repeat (`global`): any number of sites from
    /// `slots.len()` less one.
    repeat: bool,
    defaults: &'static [&'static str],
}

impl Template {
    /// Every template, in the order of the architecture notes.
    pub const ALL: [Self; 5] = [
        Self::TwoDatacenters,
        Self::AwsRegions,
        Self::Global,
        Self::VmwareActiveActive,
        Self::HybridOnpremAws,
    ];

    /// The template's name on the command line.
    pub const fn name(self) -> &'static str {
        self.shape().name
    }

    /// The site names used when `--sites` is not given.
    pub const fn default_sites(self) -> &'static [&'static str] {
        self.shape().defaults
    }

    /// How many sites the template takes, as text ("exactly 2", "2 or more").
    pub fn site_count(self) -> String {
        let s = self.shape();
        if s.repeat {
            format!("{} or more", s.slots.len() - 1)
        } else {
            format!("exactly {}", s.slots.len())
        }
    }

    /// The sites in order, and what each is for, as help text.
    pub fn site_roles(self) -> String {
        let s = self.shape();
        let mut parts: Vec<String> = s
            .slots
            .iter()
            .map(|slot| match slot {
                Slot::Production(what) | Slot::NonProduction(what, _) => (*what).to_string(),
            })
            .collect();
        if s.repeat {
            parts.push("…".into());
        }
        parts.join(", ")
    }

    const fn shape(self) -> Shape {
        match self {
            Self::TwoDatacenters => Shape {
                name: "two-datacenters",
                reference: "Example: Two Data Centers",
                summary: "the primary and its DR cluster in one data center, a performance replica and its DR cluster in the other",
                slots: &[
                    Slot::Production("on-prem data center"),
                    Slot::Production("on-prem data center"),
                ],
                repeat: false,
                defaults: &["dc-a", "dc-b"],
            },
            Self::AwsRegions => Shape {
                name: "aws-regions",
                reference: "AWS Regional Replication",
                summary: "the primary and its DR cluster in one AWS region, a performance replica and its DR cluster in another",
                slots: &[
                    Slot::Production("AWS region"),
                    Slot::Production("AWS region"),
                ],
                repeat: false,
                defaults: &["us-east-1", "us-west-2"],
            },
            Self::Global => Shape {
                name: "global",
                reference: "Global Deployment",
                summary: "one primary replicating to a performance replica in every other site; every cluster has its own DR cluster",
                slots: &[
                    Slot::Production("site"),
                    Slot::Production("site"),
                    Slot::Production("site"),
                ],
                repeat: true,
                defaults: &["dallas", "london", "sydney"],
            },
            Self::VmwareActiveActive => Shape {
                name: "vmware-active-active",
                reference: "Customer A: VMware Active-Active",
                summary: "two production VMware data centers serving clients (primary + DR, performance replica + DR) and a non-production lab with QA and sandbox mirrors",
                slots: &[
                    Slot::Production("production VMware data center"),
                    Slot::Production("production VMware data center"),
                    Slot::NonProduction("non-production lab", &["qa", "sandbox"]),
                ],
                repeat: false,
                defaults: &["dc-a", "dc-b", "np-lab"],
            },
            Self::HybridOnpremAws => Shape {
                name: "hybrid-onprem-aws",
                reference: "Customer B: On-Premises to AWS",
                summary: "an on-premises primary + DR, a performance replica + DR in AWS, and separate non-production dev and QA clusters",
                slots: &[
                    Slot::Production("on-prem data center"),
                    Slot::Production("AWS region"),
                    Slot::NonProduction("non-production site", &["dev", "qa"]),
                ],
                repeat: false,
                defaults: &["onprem-dc", "aws-use1", "nonprod"],
            },
        }
    }

    /// The template with this name.
    pub fn find(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Why a template cannot be filled with the names given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitError(
    /// What is wrong with the names, for the user.
    pub String,
);

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InitError {}

/// What to fill a template with.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Site names, in the template's order; empty for the defaults.
    pub sites: Vec<String>,
    /// The site of the primary; default the first site.
    pub primary: Option<String>,
    /// The topology's name; default the template's name.
    pub name: Option<String>,
    /// The command line to record in the header comment.
    pub command: String,
}

struct SiteDecl {
    name: String,
    slot: Slot,
    aws: bool,
    /// The site is named after its AWS region (`us-east-1`), so zones are `us-east-1a`….
    region_named: bool,
    domain: String,
    cidr_base: u32,
}

struct ClusterDecl {
    name: String,
    site: usize,
    role: &'static str,
    upstream: Option<String>,
    host: String,
    subnet: u32,
    nodes: u32,
    load_balancer: bool,
}

struct ClientDecl {
    name: String,
    site: usize,
    cluster: String,
    subnet: u32,
}

/// Fills the template: the topology file's text.
pub fn render(template: Template, params: &Params) -> Result<String, InitError> {
    let shape = template.shape();
    let names: Vec<String> = if params.sites.is_empty() {
        shape.defaults.iter().map(|s| (*s).to_string()).collect()
    } else {
        params.sites.iter().map(|s| s.trim().to_string()).collect()
    };
    let count_ok = if shape.repeat {
        names.len() >= shape.slots.len() - 1
    } else {
        names.len() == shape.slots.len()
    };
    if !count_ok {
        return Err(InitError(format!(
            "template `{}` takes {} sites ({}); --sites gave {}",
            shape.name,
            template.site_count(),
            template.site_roles(),
            names.len()
        )));
    }
    for (i, n) in names.iter().enumerate() {
        values::check_name(n).map_err(|e| InitError(format!("--sites: {e}")))?;
        if names[..i].contains(n) {
            return Err(InitError(format!("--sites names `{n}` twice")));
        }
    }
    let topology = params
        .name
        .clone()
        .unwrap_or_else(|| shape.name.to_string());
    values::check_name(&topology).map_err(|e| InitError(format!("--name: {e}")))?;

    let sites: Vec<SiteDecl> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let slot = shape.slots.get(i).copied().unwrap_or(shape.slots[0]);
            let aws = match template {
                Template::AwsRegions => true,
                Template::HybridOnpremAws => i == 1,
                _ => false,
            };
            SiteDecl {
                name: n.clone(),
                slot,
                aws,
                region_named: template == Template::AwsRegions,
                domain: format!("{n}.example.com"),
                cidr_base: 10 + 10 * u32::try_from(i).unwrap_or(0),
            }
        })
        .collect();
    if sites.len() > 24 {
        return Err(InitError(format!(
            "template `{}` numbers site address ranges 10.10.0.0/16 to 10.240.0.0/16: at most 24 sites",
            shape.name
        )));
    }
    let production: Vec<usize> = (0..sites.len())
        .filter(|i| matches!(sites[*i].slot, Slot::Production(_)))
        .collect();
    let primary = match &params.primary {
        None => production[0],
        Some(p) => sites
            .iter()
            .position(|s| &s.name == p)
            .filter(|i| production.contains(i))
            .ok_or_else(|| {
                let choices: Vec<String> = production
                    .iter()
                    .map(|i| format!("`{}`", sites[*i].name))
                    .collect();
                InitError(format!(
                    "--primary `{p}` is not one of the template's production sites: {}",
                    choices.join(", ")
                ))
            })?,
    };

    let (clusters, clients) = layout(&sites, &production, primary);
    let mut all: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
    all.extend(clients.iter().map(|c| c.name.as_str()));
    all.extend(sites.iter().map(|s| s.name.as_str()));
    for (i, n) in all.iter().enumerate() {
        values::check_name(n).map_err(|e| {
            InitError(format!(
                "the site names give a cluster or client name vrt cannot use: {e}; choose shorter site names"
            ))
        })?;
        if all[..i].contains(n) {
            return Err(InitError(format!(
                "the site names give the name `{n}` to two objects (sites, clusters and client groups share firewall names); choose other site names"
            )));
        }
    }
    Ok(write(
        template, params, &topology, &sites, &clusters, &clients,
    ))
}

fn layout(
    sites: &[SiteDecl],
    production: &[usize],
    primary: usize,
) -> (Vec<ClusterDecl>, Vec<ClientDecl>) {
    let mut clusters = Vec::new();
    let mut clients = Vec::new();
    let primary_name = format!("{}-primary", sites[primary].name);
    let mut order: Vec<usize> = vec![primary];
    order.extend(production.iter().copied().filter(|i| *i != primary));
    for &i in &order {
        let s = &sites[i];
        let (serving, role, upstream) = if i == primary {
            (primary_name.clone(), "primary", None)
        } else {
            (
                format!("{}-perf", s.name),
                "performance-secondary",
                Some(primary_name.clone()),
            )
        };
        clusters.push(ClusterDecl {
            name: serving.clone(),
            site: i,
            role,
            upstream,
            host: format!("vault.{}", s.domain),
            subnet: 1,
            nodes: 5,
            load_balancer: true,
        });
        clusters.push(ClusterDecl {
            name: format!("{}-dr", s.name),
            site: i,
            role: "dr-secondary",
            upstream: Some(serving.clone()),
            host: format!("vault-dr.{}", s.domain),
            subnet: 2,
            nodes: 5,
            load_balancer: false,
        });
        clients.push(ClientDecl {
            name: format!("apps-{}", s.name),
            site: i,
            cluster: serving,
            subnet: 50,
        });
    }
    for (i, s) in sites.iter().enumerate() {
        let Slot::NonProduction(_, sets) = s.slot else {
            continue;
        };
        for (k, set) in sets.iter().enumerate() {
            let k = u32::try_from(k).unwrap_or(0);
            let primary = format!("{set}-primary");
            clusters.push(ClusterDecl {
                name: primary.clone(),
                site: i,
                role: "primary",
                upstream: None,
                host: format!("vault-{set}.{}", s.domain),
                subnet: 10 + 20 * k,
                nodes: 3,
                load_balancer: false,
            });
            clusters.push(ClusterDecl {
                name: format!("{set}-dr"),
                site: i,
                role: "dr-secondary",
                upstream: Some(primary.clone()),
                host: format!("vault-{set}-dr.{}", s.domain),
                subnet: 20 + 20 * k,
                nodes: 3,
                load_balancer: false,
            });
            clients.push(ClientDecl {
                name: format!("{set}-users"),
                site: i,
                cluster: primary,
                subnet: 100 + k,
            });
        }
    }
    (clusters, clients)
}

fn zones(s: &SiteDecl) -> Vec<String> {
    if s.aws && s.region_named {
        ["a", "b", "c"]
            .iter()
            .map(|z| format!("{}{z}", s.name))
            .collect()
    } else {
        let prefix = if s.aws { "az" } else { "z" };
        (1..=3).map(|z| format!("{}-{prefix}{z}", s.name)).collect()
    }
}

#[allow(clippy::too_many_lines)] // the file, top to bottom
fn write(
    template: Template,
    params: &Params,
    topology: &str,
    sites: &[SiteDecl],
    clusters: &[ClusterDecl],
    clients: &[ClientDecl],
) -> String {
    let shape = template.shape();
    let mut o = String::new();
    // Writing to a String cannot fail; the results below are ignored for that reason.
    let _ = writeln!(o, "# Generated by `{}`.", params.command);
    let _ = writeln!(
        o,
        "# Reference topology \"{}\" (Vault replication architecture notes):",
        shape.reference
    );
    for line in wrap(&format!("{}.", shape.summary), 88) {
        let _ = writeln!(o, "#   {line}");
    }
    o.push_str(
        "# Before relying on this file, replace every value marked FILL (placeholders: addresses,\n\
         # versions, DNS names) and check every fact marked CONFIRM (firewall rules, DNS\n\
         # resolution with the network team; mounts, paths filters and data residency with the\n\
         # Vault owners); then run `vrt validate` on it.\n\
         # As in the reference, each DR cluster sits in the site of the cluster it protects, so vrt\n\
         # warns (VRT301) that losing a whole site leaves only a performance promotion, and\n\
         # (VRT302) that a non-production set kept in one site is lost with it: move a DR\n\
         # cluster to another site, or accept the risk with an `ignore` entry and a reason.\n\
         # Editor support: `vrt schema > vrt.schema.json`, then make the first line of this file\n\
         #   # yaml-language-server: $schema=./vrt.schema.json\n",
    );
    o.push_str("version: 1\n");
    let _ = writeln!(o, "name: {topology}");
    o.push_str("description: >-\n");
    for line in wrap(
        &format!("{} ({}).", capitalise(shape.summary), shape.name),
        88,
    ) {
        let _ = writeln!(o, "  {line}");
    }

    o.push_str("\nsites:\n");
    for s in sites {
        let _ = writeln!(o, "  - name: {}", s.name);
        let provider = if s.aws {
            "aws"
        } else if template == Template::VmwareActiveActive {
            "vmware"
        } else {
            "on-prem"
        };
        let _ = writeln!(o, "    provider: {provider}");
        let env = match s.slot {
            Slot::Production(_) => "production",
            Slot::NonProduction(..) => "non-production",
        };
        let _ = writeln!(o, "    environment: {env}");
        let zone_note = if s.aws {
            "# CONFIRM: the region's availability zones you use"
        } else {
            "# FILL: racks, rooms or host groups that fail independently"
        };
        let _ = writeln!(o, "    zones: [{}]  {zone_note}", zones(s).join(", "));
        let _ = writeln!(
            o,
            "    cidrs: [10.{}.0.0/16]  # FILL: the site's address space",
            s.cidr_base
        );
    }

    // In `global`, a mount resident in the primary's site that every performance replica's
    // paths filter denies (as examples/global.yaml does).
    let primary_site = clusters
        .iter()
        .find(|c| c.role == "primary")
        .map(|c| sites[c.site].name.as_str());
    let residency = primary_site.filter(|_| template == Template::Global);
    o.push_str("\nclusters:\n");
    for c in clusters {
        let s = &sites[c.site];
        let _ = writeln!(o, "  - name: {}", c.name);
        let _ = writeln!(o, "    site: {}", s.name);
        let _ = writeln!(o, "    role: {}", c.role);
        if let Some(u) = &c.upstream {
            let flows = if c.role == "dr-secondary" {
                "data + tokens + leases"
            } else {
                "data only; tokens and leases stay local"
            };
            let _ = writeln!(o, "    replicates_from: {u}  # {flows}");
        }
        let _ = writeln!(
            o,
            "    api_addr: https://{}:8200  # FILL: the DNS name clients and peers use",
            c.host
        );
        let _ = writeln!(o, "    cluster_addr: https://{}:8201", c.host);
        let _ = writeln!(
            o,
            "    version: 1.19.0+ent  # FILL: the Vault Enterprise version you run"
        );
        let _ = writeln!(o, "    nodes: {}", c.nodes);
        let _ = writeln!(o, "    zones: [{}]", zones(s).join(", "));
        let _ = writeln!(
            o,
            "    cidrs: [10.{}.{}.0/24]  # FILL: the nodes' subnet",
            s.cidr_base, c.subnet
        );
        if let Some(resident) = residency.filter(|_| c.role == "performance-secondary") {
            let _ = writeln!(
                o,
                "    paths_filter: {{mode: deny, paths: [secret-{resident}/]}}  # CONFIRM: keeps {resident}-resident data out of this site"
            );
        }
        if c.load_balancer {
            o.push_str("    load_balancer:\n");
            let _ = writeln!(
                o,
                "      address: {}  # FILL: the load balancer's DNS name",
                c.host
            );
            o.push_str(
                "      cluster_port: passthrough  # CONFIRM: 8201 is plain TCP to the active node, TLS not terminated\n",
            );
        }
    }

    let local = write_mounts(&mut o, template, sites, clusters);
    o.push_str("\nclients:\n");
    for k in clients {
        // In `global`, the clients of the site with a resident local mount use it.
        let uses = match &local {
            Some((cluster, path)) if template == Template::Global && *cluster == k.cluster => {
                format!(", mounts: [secret/, {path}]")
            }
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "  - {{name: {}, site: {}, cluster: {}, cidrs: [10.{}.{}.0/24]{uses}}}  # FILL: who uses Vault here",
            k.name, sites[k.site].name, k.cluster, sites[k.site].cidr_base, k.subnet
        );
    }

    o.push_str("\nnetwork:\n  firewall:\n");
    let production: Vec<&SiteDecl> = sites
        .iter()
        .filter(|s| matches!(s.slot, Slot::Production(_)))
        .collect();
    o.push_str(
        "    # Replication between production sites, both ports both ways: today's edges and the\n    \
         # ones after a failover (a promoted DR cluster talks to the other sites' clusters; if the\n    \
         # primary's whole site is lost, one performance replica is promoted and the others\n    \
         # follow it). Pairs that never replicate stay closed.\n",
    );
    // The sites a replication path can end at: the primary's, and the site of the performance
    // secondary that a loss of the primary's site promotes. Every site is its own region and
    // every cluster runs the same version here, so the failover planner's tie-break comes
    // down to the cluster name.
    let hub_of = |role: &str| {
        clusters
            .iter()
            .filter(|c| c.role == role)
            .min_by(|a, b| a.name.cmp(&b.name))
            .map(|c| sites[c.site].name.as_str())
    };
    let hubs = [hub_of("primary"), hub_of("performance-secondary")];
    for (i, a) in production.iter().enumerate() {
        for b in production[i + 1..].iter().filter(|b| {
            hubs.contains(&Some(a.name.as_str())) || hubs.contains(&Some(b.name.as_str()))
        }) {
            let _ = writeln!(
                o,
                "    - {{name: {a}-{b}-vault, from: {a}, to: {b}, ports: [8200, 8201], bidirectional: true}}  # CONFIRM",
                a = a.name,
                b = b.name
            );
        }
    }
    o.push_str(
        "    # Raft inside each cluster, and each cluster with its DR cluster in the same site.\n",
    );
    for s in sites {
        let _ = writeln!(
            o,
            "    - {{name: {n}-internal-vault, from: {n}, to: {n}, ports: [8200, 8201]}}  # CONFIRM",
            n = s.name
        );
    }
    o.push_str("    # Clients to the API port of their site (the serving cluster, and its DR cluster once promoted).\n");
    for k in clients {
        let _ = writeln!(
            o,
            "    - {{name: {n}-to-vault, from: {n}, to: {s}, ports: [8200]}}  # CONFIRM",
            n = k.name,
            s = sites[k.site].name
        );
    }
    o.push_str("  dns:\n");
    o.push_str(
        "    # Every production site resolves every production cluster's name; non-production\n    \
         # sites resolve only their own.\n",
    );
    let production_domains: Vec<&str> = production.iter().map(|s| s.domain.as_str()).collect();
    for s in sites {
        let resolves = match s.slot {
            Slot::Production(_) => production_domains.join(", "),
            Slot::NonProduction(..) => s.domain.clone(),
        };
        let _ = writeln!(
            o,
            "    - {{site: {}, resolves: [{resolves}]}}  # CONFIRM: the resolvers of this site",
            s.name
        );
    }
    o
}

/// The `mounts` section: a shared mount on the primary and a local one on the first
/// performance replica (in `global`, also a mount resident in the primary's site and the
/// local one resident in its own). Every line is a fact to confirm. Returns the local
/// mount's cluster and path.
fn write_mounts(
    o: &mut String,
    template: Template,
    sites: &[SiteDecl],
    clusters: &[ClusterDecl],
) -> Option<(String, String)> {
    let primary = clusters.iter().find(|c| c.role == "primary")?;
    o.push_str(
        "\nmounts:  # CONFIRM: the secrets engines and auth methods that matter; `vrt mounts FILE` shows where each one's data is stored\n",
    );
    let _ = writeln!(
        o,
        "  - {{path: secret/, type: kv, cluster: {}}}  # CONFIRM: shared: replicated to every performance replica and DR cluster",
        primary.name
    );
    let global = template == Template::Global;
    let primary_site = &sites[primary.site].name;
    if global {
        let _ = writeln!(
            o,
            "  - {{path: secret-{primary_site}/, type: kv, cluster: {}, regions: [{primary_site}]}}  # CONFIRM: resident in {primary_site}: every performance replica's paths filter denies it",
            primary.name
        );
    }
    let perf = clusters
        .iter()
        .find(|c| c.role == "performance-secondary")?;
    let site = &sites[perf.site].name;
    let path = if global {
        format!("secret-{site}/")
    } else {
        format!("pki-{site}/")
    };
    if global {
        let _ = writeln!(
            o,
            "  - {{path: {path}, type: kv, cluster: {}, local: true, regions: [{site}]}}  # CONFIRM: resident in {site}: a local mount stays on {} and its DR cluster",
            perf.name, perf.name
        );
    } else {
        let _ = writeln!(
            o,
            "  - {{path: {path}, type: pki, cluster: {}, local: true}}  # CONFIRM: local: stays on {} and its DR cluster",
            perf.name, perf.name
        );
    }
    Some((perf.name.clone(), path))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
