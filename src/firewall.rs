//! Firewall rule tables: the allow rules for every flow of [`flows::flows`], built from the
//! `cidrs` of the flows' ends. A pure function of the topology; the renderers in
//! `report::firewall` write it for each target.
//!
//! Rules are per address family (IPv4 and IPv6 never mix in one rule), de-duplicated
//! (flows with the same sources, destinations and protocol share one rule and merge their
//! ports; a standby port already open for a required flow is not repeated) and named after
//! the first flow's purpose. Each keeps the reasons of its flows for its comment. A flow
//! whose end has no addresses is an error ([`UNADDRESSABLE`], declared here: only this planner reports it), never a
//! missing rule.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::net::cidrset;
use crate::net::flows::{self, Cause, Flow, Node, Wording};
use crate::source::Span;
use crate::spec::Protocol;
use crate::values::Cidr;

// Reported by `vrt firewall`, not by `vrt validate`: addresses are optional in the format,
// and only generating firewall rules needs them.
declare_rule! {
    /// A flow needs a firewall rule, but one of its ends has no addresses.
    ///
    /// ## What it checks
    /// `vrt firewall` turns every flow of `vrt ports` into allow rules from the `cidrs` of
    /// the flow's ends: a cluster's own `cidrs`, else its site's; a client's or service's
    /// own, else its site's; a load balancer's own, its IP `address`, else its cluster's.
    /// When an end has none, or the two ends share no address family (IPv4 / IPv6), no rule
    /// can be written and vrt stops with this error rather than leave the flow out.
    ///
    /// ## Why it matters
    /// A rule table that silently lacks a flow is worse than none: the missing path is found
    /// when replication or a failover needs it (PORTS; TS-CONN). Security groups and
    /// firewalls admit addresses, not names (HVD-TF).
    ///
    /// ## Example
    /// ```yaml
    /// sites:
    ///   - {name: dc-b}                       # no cidrs
    /// clusters:
    ///   - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a}
    /// ```
    ///
    /// ## How to fix
    /// Give the cluster (its nodes' subnets) or its site `cidrs`; for a load balancer with a
    /// DNS name, give it `cidrs` or rely on its cluster's.
    pub static UNADDRESSABLE = "VRT208", "unaddressable-flow", Error;
}

/// An IP address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// `ipv4` or `ipv6`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V4 => "ipv4",
            Self::V6 => "ipv6",
        }
    }

    fn of(c: &Cidr) -> Self {
        if c.is_ipv4() { Self::V4 } else { Self::V6 }
    }
}

/// One end of a generated rule, as people name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct End {
    /// What it is: `cluster`, `load-balancer`, `client`, `service`, `seal` or `consul`.
    pub kind: &'static str,
    /// The label shown in tables (`primary-a (load balancer)`).
    pub label: String,
    /// A short kebab-case key for security groups and names (`primary-a-lb`, `a-seal`).
    pub key: String,
}

impl End {
    fn of(t: &Topology, node: Node) -> Self {
        let key = match node {
            Node::LoadBalancer(_) => format!("{}-lb", node.name(t)),
            Node::Seal(_) | Node::Consul(_) => format!("{}-{}", node.name(t), node.kind()),
            Node::Group(g) => g.key(t),
            _ => node.name(t).to_string(),
        };
        Self {
            kind: node.kind(),
            label: node.label(t),
            key,
        }
    }
}

/// A generated allow rule: connections from any of `sources` to any of `destinations` on
/// any of `ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirewallRule {
    /// Unique name, after the first flow's purpose (`replication-perf-b-to-primary-a-lb`).
    pub name: String,
    /// Address family of every network in it.
    pub family: Family,
    /// Who opens the connections (the first flow's source).
    pub from: End,
    /// Who accepts them (the first flow's destination).
    pub to: End,
    /// Source networks, minimal and sorted.
    pub sources: Vec<Cidr>,
    /// Destination networks, minimal and sorted.
    pub destinations: Vec<Cidr>,
    /// Transport protocol.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: BTreeSet<u16>,
    /// Whether every flow of the rule is a standby flow.
    pub standby: bool,
    /// Why it exists: the reasons of its flows, first appearance first.
    pub reasons: Vec<String>,
}

impl FirewallRule {
    /// The comment every target carries: the name, then why the rule exists.
    pub fn comment(&self) -> String {
        let standby = if self.standby {
            "standby, open before failover: "
        } else {
            ""
        };
        format!("{}: {standby}{}", self.name, self.reasons.join("; "))
    }

    /// The ports as contiguous inclusive ranges (`8200-8201`, `5432`).
    pub fn port_ranges(&self) -> Vec<(u16, u16)> {
        let mut out: Vec<(u16, u16)> = Vec::new();
        for &p in &self.ports {
            match out.last_mut() {
                Some(last) if last.1.checked_add(1) == Some(p) => last.1 = p,
                _ => out.push((p, p)),
            }
        }
        out
    }
}

/// The ephemeral port range return traffic goes to, for stateless filters (PORTS: network
/// ACLs need rules both ways plus 1024–65535).
pub const EPHEMERAL_PORTS: (u16, u16) = (1024, 65535);

/// A rule's identity: family, interned source and destination networks, protocol, standby.
type Key = (Family, usize, usize, Protocol, bool);

struct Draft {
    family: Family,
    first: Flow,
    sources: usize,
    destinations: usize,
    protocol: Protocol,
    ports: BTreeSet<u16>,
    standby: bool,
    reasons: Vec<String>,
    /// `reasons` as a set: a rule between two sites can gather thousands of them.
    seen: HashSet<String>,
}

impl Draft {
    fn reason(&mut self, reason: String) {
        if !self.seen.contains(&reason) {
            self.seen.insert(reason.clone());
            self.reasons.push(reason);
        }
    }
}

/// The networks of each flow end, worked out once per end: all of them, and per family the
/// minimal list, interned so that flows between the same networks share a key cheaply.
#[derive(Default)]
struct Networks {
    ends: HashMap<Node, (Vec<Cidr>, [Option<usize>; 2])>,
    lists: Vec<Vec<Cidr>>,
    ids: HashMap<Vec<Cidr>, usize>,
}

impl Networks {
    fn of(&mut self, t: &Topology, node: Node) -> &(Vec<Cidr>, [Option<usize>; 2]) {
        if !self.ends.contains_key(&node) {
            let (all, _) = flows::addresses(t, node);
            let mut per = [None, None];
            for (slot, family) in per.iter_mut().zip([Family::V4, Family::V6]) {
                let list = cidrset::minimal(
                    all.iter()
                        .copied()
                        .filter(|c| Family::of(c) == family)
                        .collect(),
                );
                if list.is_empty() {
                    continue;
                }
                let next = self.lists.len();
                let id = *self.ids.entry(list.clone()).or_insert(next);
                if id == next {
                    self.lists.push(list);
                }
                *slot = Some(id);
            }
            self.ends.insert(node, (all, per));
        }
        &self.ends[&node]
    }
}

/// The allow rules for `flows` (all of [`flows::flows`], or only the required ones), or
/// the findings for the flows no rule can be written for.
#[allow(clippy::too_many_lines)] // gather, fold standby duplicates, name: one pass each
pub fn rules(t: &Topology, flows: &[Flow]) -> Result<Vec<FirewallRule>, Vec<Finding>> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut errors = Errors::default();
    let mut networks = Networks::default();
    for flow in flows {
        if !errors.members_addressed(t, flow) {
            continue;
        }
        let (src_empty, src) = {
            let (all, per) = networks.of(t, flow.from);
            (all.is_empty(), *per)
        };
        let (dst_empty, dst) = {
            let (all, per) = networks.of(t, flow.to);
            (all.is_empty(), *per)
        };
        if src_empty || dst_empty {
            for (node, empty) in [(flow.from, src_empty), (flow.to, dst_empty)] {
                if empty {
                    errors.no_addresses(t, node, flow);
                }
            }
            continue;
        }
        let mut written = false;
        for (f, family) in [Family::V4, Family::V6].into_iter().enumerate() {
            let (Some(s), Some(d)) = (src[f], dst[f]) else {
                continue;
            };
            written = true;
            let key: Key = (family, s, d, flow.protocol, flow.standby);
            let i = *index.entry(key).or_insert_with(|| {
                drafts.push(Draft {
                    family,
                    first: *flow,
                    sources: s,
                    destinations: d,
                    protocol: flow.protocol,
                    ports: BTreeSet::new(),
                    standby: flow.standby,
                    reasons: Vec::new(),
                    seen: HashSet::new(),
                });
                drafts.len() - 1
            });
            let draft = &mut drafts[i];
            draft.ports.insert(flow.port);
            draft.reason(flow.describe(t, Wording::Plain));
        }
        if !written {
            let src = networks.of(t, flow.from).0.clone();
            let dst = networks.of(t, flow.to).0.clone();
            errors.no_common_family(t, flow, &src, &dst);
        }
    }
    if !errors.findings.is_empty() {
        return Err(errors.findings);
    }
    // A standby port already open for a required flow between the same networks is not
    // written twice; its reasons join the required rule's comment.
    for i in 0..drafts.len() {
        if !drafts[i].standby {
            continue;
        }
        let key: Key = (
            drafts[i].family,
            drafts[i].sources,
            drafts[i].destinations,
            drafts[i].protocol,
            false,
        );
        if let Some(&r) = index.get(&key) {
            let covered: Vec<u16> = drafts[i]
                .ports
                .intersection(&drafts[r].ports)
                .copied()
                .collect();
            if covered.is_empty() {
                continue;
            }
            for p in &covered {
                drafts[i].ports.remove(p);
            }
            let reasons = drafts[i].reasons.clone();
            for reason in reasons {
                drafts[r].reason(reason);
            }
        }
    }
    let mut taken: BTreeSet<String> = BTreeSet::new();
    Ok(drafts
        .into_iter()
        .filter(|d| !d.ports.is_empty())
        .map(|d| {
            let from = End::of(t, d.first.from);
            let to = End::of(t, d.first.to);
            let mut base = match (d.first.cause, d.first.purpose) {
                (Cause::Intra { .. }, _) => format!("raft-{}", from.key),
                (Cause::LoadBalancer { cluster }, _) => format!("lb-{}", t.name(cluster)),
                (Cause::Seal { cluster }, _) => format!("seal-{}", t.name(cluster)),
                (Cause::Consul { cluster }, _) => format!("consul-{}", t.name(cluster)),
                (_, purpose) => {
                    let slug = if d.standby { "standby" } else { purpose.slug() };
                    format!("{slug}-{}-to-{}", from.key, to.key)
                }
            };
            if d.family == Family::V6 {
                base.push_str("-v6");
            }
            let name = crate::text::unique_name(&base, '-', usize::MAX, str::to_string, |n| {
                taken.contains(n)
            });
            taken.insert(name.clone());
            FirewallRule {
                name,
                family: d.family,
                from,
                to,
                sources: networks.lists[d.sources].clone(),
                destinations: networks.lists[d.destinations].clone(),
                protocol: d.protocol,
                ports: d.ports,
                standby: d.standby,
                reasons: d.reasons,
            }
        })
        .collect())
}

#[derive(Default)]
struct Errors {
    findings: Vec<Finding>,
    seen: BTreeSet<(Node, Option<Node>)>,
}

impl Errors {
    /// For a group flow: whether every member of its ends has addresses and every pair of
    /// a source and a destination member shares an address family; records the first
    /// problem otherwise. Always true for a flow between two single nodes.
    fn members_addressed(&mut self, t: &Topology, flow: &Flow) -> bool {
        if !matches!(flow.from, Node::Group(_)) && !matches!(flow.to, Node::Group(_)) {
            return true;
        }
        // Per end: the first member with only IPv4, and the first with only IPv6.
        let mut only = [[None, None], [None, None]];
        let mut ok = true;
        for (side, end) in [flow.from, flow.to].into_iter().enumerate() {
            for member in end.members(t) {
                let (cidrs, _) = flows::addresses(t, member);
                if cidrs.is_empty() {
                    self.no_addresses(t, member, flow);
                    ok = false;
                    continue;
                }
                let v4 = cidrs.iter().any(Cidr::is_ipv4);
                let v6 = cidrs.iter().any(|c| !c.is_ipv4());
                let slot = match (v4, v6) {
                    (true, false) => 0,
                    (false, true) => 1,
                    _ => continue,
                };
                only[side][slot].get_or_insert((member, cidrs));
            }
        }
        if !ok {
            return false;
        }
        for (a, b) in [(0, 1), (1, 0)] {
            if let (Some((x, src)), Some((y, dst))) = (&only[0][a], &only[1][b]) {
                let one = Flow {
                    from: *x,
                    to: *y,
                    ..*flow
                };
                self.no_common_family(t, &one, src, dst);
                return false;
            }
        }
        true
    }

    fn no_addresses(&mut self, t: &Topology, node: Node, flow: &Flow) {
        if !self.seen.insert((node, None)) {
            return;
        }
        let site = t.site(node.site(t));
        let site_name = site.name.get();
        let (span, what, give): (Span, String, String) = match node {
            Node::Cluster(c) | Node::LoadBalancer(c) => {
                let cluster = t.cluster(c);
                let span = match (node, &cluster.load_balancer) {
                    (Node::LoadBalancer(_), Some(lb)) => lb.address.span(),
                    _ => cluster.name.span(),
                };
                let what = if matches!(node, Node::LoadBalancer(_)) {
                    format!("the load balancer of cluster `{}`", cluster.name.get())
                } else {
                    format!("cluster `{}`", cluster.name.get())
                };
                (
                    span,
                    what,
                    format!(
                        "give cluster `{}` `cidrs` (its nodes' subnets) or site `{site_name}` `cidrs`",
                        cluster.name.get()
                    ),
                )
            }
            Node::Client(k) => {
                let client = t.client(k);
                (
                    client.name.span(),
                    format!("client `{}`", client.name.get()),
                    format!(
                        "give client `{}` `cidrs` or site `{site_name}` `cidrs`",
                        client.name.get()
                    ),
                )
            }
            Node::Service(s) => {
                let service = t.service(s);
                (
                    service.name.span(),
                    format!("external service `{}`", service.name.get()),
                    format!(
                        "give external service `{}` `cidrs` or site `{site_name}` `cidrs`",
                        service.name.get()
                    ),
                )
            }
            Node::Seal(c) | Node::Consul(c) => node.unaddressed(t, c),
            // Groups are checked member by member (`members_addressed`).
            Node::Group(g) => (
                t.cluster(g.anchor()).name.span(),
                g.label(t),
                "give every member `cidrs` or its site `cidrs`".to_string(),
            ),
        };
        self.findings.push(
            Finding::new(
                &UNADDRESSABLE,
                span,
                format!(
                    "{what} has no addresses, so no firewall rule can allow `{}` → `{}` on {} ({})",
                    flow.from.label(t),
                    flow.to.label(t),
                    flow.port,
                    flow.purpose.as_str()
                ),
            )
            .label(format!("no `cidrs` here nor in site `{site_name}`"))
            .related(site.name.span(), "site declared here")
            .help(give),
        );
    }

    fn no_common_family(&mut self, t: &Topology, flow: &Flow, src: &[Cidr], dst: &[Cidr]) {
        if !self
            .seen
            .insert((flow.from.entity(), Some(flow.to.entity())))
        {
            return;
        }
        let families = |v: &[Cidr]| {
            let f: BTreeSet<&str> = v.iter().map(|c| Family::of(c).as_str()).collect();
            f.into_iter().collect::<Vec<_>>().join("+")
        };
        let span = match flow.from {
            Node::Cluster(c) | Node::LoadBalancer(c) => t.cluster(c).name.span(),
            Node::Seal(c) | Node::Consul(c) => flow.from.unaddressed(t, c).0,
            Node::Client(k) => t.client(k).name.span(),
            Node::Service(s) => t.service(s).name.span(),
            Node::Group(g) => t.cluster(g.anchor()).name.span(),
        };
        self.findings.push(
            Finding::new(
                &UNADDRESSABLE,
                span,
                format!(
                    "`{}` ({}) and `{}` ({}) share no address family, so no firewall rule can allow the flow on {}",
                    flow.from.label(t),
                    families(src),
                    flow.to.label(t),
                    families(dst),
                    flow.port
                ),
            )
            .label("source of the flow")
            .help("give both ends `cidrs` of one family (IPv4 or IPv6)"),
        );
    }
}

/// The flows that `rules` do not allow: for some pair of a source and a destination
/// network of the same address family, no rule of the flow's protocol and port covers both.
/// Empty for the output of [`rules`] over the same flows; a self-check for tests and fuzzing.
pub fn uncovered<'a>(t: &Topology, flows: &'a [Flow], rules: &[FirewallRule]) -> Vec<&'a Flow> {
    let mut by_port: HashMap<(Protocol, u16), Vec<&FirewallRule>> = HashMap::new();
    for r in rules {
        for p in &r.ports {
            by_port.entry((r.protocol, *p)).or_default().push(r);
        }
    }
    let covered = |candidates: &[&FirewallRule], src: &Cidr, dst: &Cidr| {
        candidates.iter().any(|r| {
            r.sources.iter().any(|s| s.contains(src))
                && r.destinations.iter().any(|d| d.contains(dst))
        })
    };
    flows
        .iter()
        .filter(|flow| {
            let (src, _) = flows::addresses(t, flow.from);
            let (dst, _) = flows::addresses(t, flow.to);
            let candidates = by_port
                .get(&(flow.protocol, flow.port))
                .map_or(&[][..], Vec::as_slice);
            src.iter().any(|s| {
                dst.iter()
                    .filter(|d| d.is_ipv4() == s.is_ipv4())
                    .any(|d| !covered(candidates, s, d))
            })
        })
        .collect()
}

/// Which destinations a rule table covers: the flows into the sites chosen by `vrt firewall
/// --site` and `--provider` (or the cloud a target describes). Sources are never filtered:
/// a flow from anywhere into a chosen site keeps its source networks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only destinations in this site.
    pub site: Option<crate::ids::SiteId>,
    /// Only destinations in sites of this provider.
    pub provider: Option<crate::spec::Provider>,
}

impl Scope {
    /// Whether `node`, as a destination, is inside the scope (a group: when one of its
    /// members is).
    pub fn admits(&self, t: &Topology, node: Node) -> bool {
        match node {
            Node::Group(g) if g.site.is_none() => {
                g.nodes(t).iter().any(|m| self.admits_site(t, m.site(t)))
            }
            _ => self.admits_site(t, node.site(t)),
        }
    }

    /// The flows of `flows` whose destination is inside the scope, in order. A flow to a
    /// group becomes one flow per site of the scope that holds members of it, to those
    /// members only.
    pub fn flows(&self, t: &Topology, flows: Vec<Flow>) -> Vec<Flow> {
        let mut out = Vec::with_capacity(flows.len());
        for f in flows {
            match f.to {
                Node::Group(g) if self.site.is_some() || self.provider.is_some() => {
                    let members = g.nodes(t);
                    let mut seen = BTreeSet::new();
                    for site in members.iter().map(|m| m.site(t)) {
                        if seen.insert(site) && self.admits_site(t, site) {
                            out.push(Flow {
                                to: Node::Group(flows::Group {
                                    site: Some(site),
                                    ..g
                                }),
                                ..f
                            });
                        }
                    }
                }
                to if self.admits(t, to) => out.push(f),
                _ => {}
            }
        }
        out
    }

    fn admits_site(&self, t: &Topology, site: crate::ids::SiteId) -> bool {
        self.site.is_none_or(|s| s == site)
            && self.provider.is_none_or(|p| t.site(site).provider == p)
    }
}

#[cfg(test)]
mod tests;
