//! VRT202 `broad-firewall-rule`: A firewall rule opens Vault's ports to any address, or to more than the peers need.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT202`).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::ids::SiteId;
use crate::model::{Endpoint, FirewallRule};
use crate::net::cidrset::{self, Ranges};
use crate::net::flows::{self, Node};
use crate::source::Span;
use crate::spec::Protocol;
use crate::values::Cidr;

declare_rule! {
    /// A firewall rule opens Vault's ports to any address, or to more than the peers need.
    ///
    /// ## What it checks
    /// When the file declares `network.firewall`, each TCP rule whose `ports` include a
    /// Vault port (any cluster's API or cluster port, 8200 and 8201 by default) and whose
    /// `to` holds Vault clusters is compared with the flows of `vrt ports` into those sites
    /// on those ports. It is reported when its source (`from`, and `to` for the reverse way
    /// of a `bidirectional` rule) is `any` or `0.0.0.0/0` / `::/0`; when it names a site,
    /// cluster, client or service that no such flow comes from; or when it is a CIDR reaching
    /// beyond the sites those flows come from.
    ///
    /// ## Why it matters
    /// The reference architecture opens TCP 8200 and 8201 between clusters and says:
    /// "Restrict access using firewalls or security groups" (KK). HashiCorp's own module
    /// admits the API and cluster ports only from the cluster itself, the load balancer and
    /// named CIDR lists (HVD-TF). Anything that reaches the cluster port can attempt
    /// replication and request-forwarding connections, and anything that reaches the API
    /// port, the port of client operations (PORTS), can attempt to authenticate.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   firewall:
    ///     - {name: vault-open, from: any, to: dc-a, ports: [8200, 8201]}
    ///     - {name: corp-to-vault, from: 10.0.0.0/8, to: primary-a, ports: [8201]}
    /// ```
    ///
    /// ## How to fix
    /// Replace the source with the sites, clusters or clients that need the ports (the help
    /// lists the sites the flows come from); `vrt firewall` generates rules from exactly the
    /// needed addresses. Precision is per site: a rule between two sites that both hold
    /// peers is not reported. When only one direction of a `bidirectional` rule is too
    /// broad, the other one is needed (the cluster port is needed both ways between a
    /// secondary and its primary: PERF-ENABLE): do not remove the rule; the help names the
    /// direction to keep (remove `bidirectional: true`, swapping `from` and `to` if the
    /// reverse is the one to keep) and where the other direction is needed from.
    pub static RULE = "VRT202", "broad-firewall-rule", Warning;
}

/// Up to eight of the sites, in backticks.
fn site_list(t: &Topology, sites: &BTreeSet<SiteId>) -> Vec<String> {
    let mut out: Vec<String> = sites
        .iter()
        .take(8)
        .map(|s| format!("`{}`", t.site(*s).name.get()))
        .collect();
    if sites.len() > 8 {
        out.push(format!("… ({} sites in all)", sites.len()));
    }
    out
}

/// A rule end as the file writes it.
fn endpoint_text(t: &Topology, e: Endpoint) -> String {
    match e {
        Endpoint::Any => "any".into(),
        Endpoint::Cidr(c) => c.to_string(),
        Endpoint::Site(s) => t.site(s).name.get().clone(),
        Endpoint::Cluster(c) => t.name(c).to_string(),
        Endpoint::Client(k) => t.client(k).name.get().clone(),
        Endpoint::Service(s) => t.service(s).name.get().clone(),
    }
}

/// The advice for a bidirectional rule of which only the `reverse` (or forward) direction
/// is too broad: keep the needed direction alone, and open the other one, if anything
/// needs it, from the sites that do.
fn one_way_help(
    t: &Topology,
    rule: &FirewallRule,
    reverse: bool,
    sites: &BTreeSet<SiteId>,
) -> String {
    let (from, to) = (
        endpoint_text(t, *rule.from.get()),
        endpoint_text(t, *rule.to.get()),
    );
    let (keep_from, keep_to, other_to) = if reverse {
        (&from, &to, &from)
    } else {
        (&to, &from, &to)
    };
    let keep = if reverse {
        format!(
            "remove `bidirectional: true` to keep only `{keep_from}` → `{keep_to}`, which the flows need"
        )
    } else {
        format!(
            "keep only `{keep_from}` → `{keep_to}`, which the flows need: swap `from` and `to` and remove `bidirectional: true`"
        )
    };
    let needing = site_list(t, sites);
    if needing.is_empty() {
        keep
    } else {
        format!(
            "{keep}; open `{other_to}` in a separate rule from the sites that need it: {}",
            needing.join(", ")
        )
    }
}

/// Who needs a port into one site.
#[derive(Default)]
struct Need {
    sites: BTreeSet<SiteId>,
    entities: HashSet<Node>,
}

struct Ctx<'t> {
    t: &'t Topology,
    needed: HashMap<(u16, SiteId), Need>,
    vault_sites: BTreeSet<SiteId>,
    /// Networks of every cluster and load balancer, with their site, for CIDR destinations.
    vault_nets: HashMap<Cidr, BTreeSet<SiteId>>,
    vault_nets_sorted: Vec<((u8, u128, u128), SiteId)>,
}

/// Reports rules that open Vault ports to `any` or to sources no flow needs.
pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(rules) = &t.model.firewall else {
        return Vec::new();
    };
    let vault_ports: BTreeSet<u16> = t
        .model
        .clusters
        .iter()
        .flat_map(|c| [c.api_port(), c.cluster_port()])
        .collect();
    let mut ctx = Ctx {
        t,
        needed: HashMap::new(),
        vault_sites: t.model.clusters.iter().map(|c| *c.site.get()).collect(),
        vault_nets: HashMap::new(),
        vault_nets_sorted: Vec::new(),
    };
    for f in flows::flows(t) {
        if f.to.is_vault() {
            // A group flow: each destination site once, with every source member.
            let sources = f.from.members(t);
            let sites: BTreeSet<SiteId> = f.to.members(t).iter().map(|m| m.site(t)).collect();
            for site in sites {
                let need = ctx.needed.entry((f.port, site)).or_default();
                for m in &sources {
                    need.sites.insert(m.site(t));
                    need.entities.insert(m.entity());
                }
            }
        }
    }
    for c in t.cluster_ids() {
        let site = t.site_of(c);
        let mut nodes = vec![Node::Cluster(c)];
        if t.cluster(c).load_balancer.is_some() {
            nodes.push(Node::LoadBalancer(c));
        }
        for node in nodes {
            for net in flows::addresses(t, node).0 {
                ctx.vault_nets.entry(net).or_default().insert(site);
                ctx.vault_nets_sorted.push((cidrset::bounds(&net), site));
            }
        }
    }
    ctx.vault_nets_sorted.sort_unstable();
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| r.protocol == Protocol::Tcp) {
        let open: Vec<u16> = vault_ports
            .iter()
            .copied()
            .filter(|p| rule.ports.iter().any(|r| r.contains(*p)))
            .collect();
        if open.is_empty() {
            continue;
        }
        let mut ways = vec![(*rule.from.get(), *rule.to.get(), rule.from.span(), false)];
        if rule.bidirectional {
            ways.push((*rule.to.get(), *rule.from.get(), rule.to.span(), true));
        }
        let mut found: Vec<(bool, Finding, BTreeSet<SiteId>)> = Vec::new();
        for (from, to, span, reverse) in ways {
            if let Some((f, sites)) = ctx.judge(rule, &open, from, to, span, reverse) {
                found.push((reverse, f, sites));
            }
        }
        // A bidirectional rule with one direction needed: removing it or narrowing an end
        // both directions share would break the needed direction.
        if rule.bidirectional
            && let [(reverse, f, sites)] = found.as_mut_slice()
        {
            f.help = Some(one_way_help(t, rule, *reverse, sites));
        }
        out.extend(found.into_iter().map(|(_, f, _)| f));
    }
    out
}

enum Verdict {
    Any,
    Wider(Cidr),
    NotNeeded(String),
}

impl Ctx<'_> {
    /// The sites holding Vault that a rule end covers.
    fn destination_sites(&self, to: Endpoint) -> BTreeSet<SiteId> {
        let t = self.t;
        let sites: BTreeSet<SiteId> = match to {
            Endpoint::Any => self.vault_sites.clone(),
            Endpoint::Site(s) => BTreeSet::from([s]),
            Endpoint::Cluster(c) => BTreeSet::from([t.site_of(c)]),
            Endpoint::Client(_) | Endpoint::Service(_) => BTreeSet::new(),
            Endpoint::Cidr(n) => {
                // Vault networks that hold `n`, then those inside it.
                let mut sites: BTreeSet<SiteId> = cidrset::supernets(n)
                    .filter_map(|s| self.vault_nets.get(&s))
                    .flatten()
                    .copied()
                    .collect();
                let (family, start, end) = cidrset::bounds(&n);
                let from = self
                    .vault_nets_sorted
                    .partition_point(|((f, s, _), _)| (*f, *s) < (family, start));
                for ((f, s, _), site) in &self.vault_nets_sorted[from..] {
                    if *f != family || *s > end {
                        break;
                    }
                    sites.insert(*site);
                }
                sites
            }
        };
        sites.intersection(&self.vault_sites).copied().collect()
    }

    fn judge(
        &self,
        rule: &FirewallRule,
        open: &[u16],
        from: Endpoint,
        to: Endpoint,
        span: Span,
        reverse: bool,
    ) -> Option<(Finding, BTreeSet<SiteId>)> {
        let t = self.t;
        let destinations = self.destination_sites(to);
        if destinations.is_empty() {
            return None;
        }
        // The needs of the (port, destination site) pairs the rule opens; membership is
        // asked of each, so a rule into a site many peers dial costs no union of them.
        let needs: Vec<&Need> = open
            .iter()
            .flat_map(|p| destinations.iter().map(move |d| (*p, *d)))
            .filter_map(|k| self.needed.get(&k))
            .collect();
        let needing_sites =
            || -> BTreeSet<SiteId> { needs.iter().flat_map(|n| n.sites.iter().copied()).collect() };
        let entity = |node: Node, what: &str, name: &str| {
            (!needs.iter().any(|n| n.entities.contains(&node)))
                .then(|| Verdict::NotNeeded(format!("{what} `{name}`")))
        };
        let verdict = match from {
            Endpoint::Any => Some(Verdict::Any),
            Endpoint::Cidr(n) if n.is_everything() => Some(Verdict::Any),
            Endpoint::Site(s) => (!needs.iter().any(|n| n.sites.contains(&s)))
                .then(|| Verdict::NotNeeded(format!("site `{}`", t.site(s).name.get()))),
            Endpoint::Cluster(c) => entity(Node::Cluster(c), "cluster", t.name(c)),
            Endpoint::Client(k) => entity(Node::Client(k), "client", t.client(k).name.get()),
            Endpoint::Service(s) => entity(
                Node::Service(s),
                "external service",
                t.service(s).name.get(),
            ),
            Endpoint::Cidr(n) => {
                let sites = needing_sites();
                let site_nets: Vec<&[crate::yaml::Sp<Cidr>]> =
                    sites.iter().map(|s| t.site(*s).cidrs.as_slice()).collect();
                if sites.is_empty() {
                    Some(Verdict::NotNeeded(format!("`{n}`")))
                } else if site_nets.iter().any(|c| c.is_empty()) {
                    // A needing site without addresses: whether the CIDR is wider cannot be
                    // told, so it is not reported.
                    None
                } else {
                    let nets: Vec<Cidr> = site_nets
                        .iter()
                        .flat_map(|c| c.iter().map(|n| *n.get()))
                        .collect();
                    (!Ranges::new(&nets).covers(&n)).then_some(Verdict::Wider(n))
                }
            }
        }?;
        let sites = needing_sites();
        Some((
            self.finding(rule, open, &verdict, &sites, from, to, span, reverse),
            sites,
        ))
    }

    /// The finding for a verdict, naming (up to eight of) the sites the flows come from.
    #[allow(clippy::too_many_arguments)] // the rule, the way (its two ends and direction), the verdict
    fn finding(
        &self,
        rule: &FirewallRule,
        open: &[u16],
        verdict: &Verdict,
        sites: &BTreeSet<SiteId>,
        from: Endpoint,
        to: Endpoint,
        span: Span,
        reverse: bool,
    ) -> Finding {
        let t = self.t;
        let ports = match open {
            [one] => format!("port {one}"),
            many => format!(
                "ports {}",
                many.iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let them = if open.len() == 1 { "it" } else { "them" };
        let end = if reverse { "to" } else { "from" };
        let way = if reverse {
            format!(
                " in its reverse direction (`{}` → `{}`)",
                endpoint_text(t, from),
                endpoint_text(t, to)
            )
        } else {
            String::new()
        };
        let needing = site_list(t, sites);
        let narrow = if needing.is_empty() {
            "remove the rule: no flow of the topology needs these ports there".to_string()
        } else {
            format!(
                "limit `{end}` to the sites, clusters or clients that need them; the flows come from {}",
                needing.join(", ")
            )
        };
        let name = rule.name.get();
        let (message, label) = match verdict {
            Verdict::Any => (
                format!("firewall rule `{name}` opens Vault {ports} to any address{way}"),
                "any address".to_string(),
            ),
            Verdict::Wider(n) => (
                format!(
                    "firewall rule `{name}` opens Vault {ports} to `{n}`{way}, wider than the peers that need {them}"
                ),
                "wider than the needing sites".to_string(),
            ),
            Verdict::NotNeeded(who) => (
                format!(
                    "firewall rule `{name}` opens Vault {ports} to {who}{way}, but no flow from there needs {them}"
                ),
                "no flow from here needs these ports".to_string(),
            ),
        };
        Finding::new(&RULE, span, message).label(label).help(narrow)
    }
}
