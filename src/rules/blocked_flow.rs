//! VRT201 `blocked-flow`: A flow the topology needs is not allowed by any declared firewall rule.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT201`).

use std::collections::{BTreeSet, HashMap};

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::net::flows::{self, Cause, Flow, Need, Node, Wording};
use crate::net::reach::Declared;
use crate::source::Span;

declare_rule! {
    /// A flow the topology needs is not allowed by any declared firewall rule.
    ///
    /// ## What it checks
    /// When the file declares `network.firewall`, every flow of `vrt ports` must be allowed
    /// by a declared rule: replication between clusters (API and cluster port, both ways),
    /// clients to their cluster or its load balancer, load balancers to their nodes,
    /// clusters to the external services they use, node to node inside each cluster, and
    /// each cluster's nodes to its seal endpoint and its Consul storage where the file gives
    /// their addresses (`seal.cidrs`, `consul.cidrs`; a rule reaches those by address or
    /// `any`, since no name denotes them).
    /// A rule allows a flow when its `protocol` matches, its `ports` hold the port, and its
    /// `from` and `to` denote the flow's ends: by name (`any`, the end's site, the cluster,
    /// client or service itself, a cluster for its load balancer) or by address (the end's
    /// `cidrs` lie inside the rule's CIDR, site or object). `bidirectional: true` allows
    /// both ways. Standby flows (paths only a failover opens: a primary's DR secondaries ↔
    /// its performance secondaries, a performance secondary's DR secondaries ↔ the primary,
    /// DR secondaries of one cluster ↔ each other, clients → the DR secondary that takes
    /// them over, services a DR secondary uses once promoted, and the performance
    /// secondaries ↔ the one promoted when a site holds a primary with all its DR
    /// secondaries) are reported as warnings, and so are the flows Vault does not need
    /// (see below). One finding per pair of ends and severity, at the cluster or client the
    /// flow comes from, with the exact rule to add.
    ///
    /// Severity follows what Vault needs, direction by direction. Errors: the cluster port
    /// both ways between a secondary and its primary, and the primary's API port from a
    /// secondary with `activation: wrapped-token` (the default). Warnings: the API port
    /// primary → secondary (no Vault flow uses it; for a DR pair whose primary is activated
    /// with a wrapped token it serves failback), and the API port secondary → primary with
    /// `activation: public-key`.
    ///
    /// ## Why it matters
    /// The notes and the PORTS table open TCP 8200 and 8201 "bi-directionally" between
    /// replicating clusters (KK; PORTS). The detailed pages are narrower: "Allow TCP traffic
    /// in both directions between the clusters on the cluster port", and "The secondary also
    /// needs the primary's API port, 8200 by default, unless you activate it with a public
    /// key" (PERF-ENABLE; TS-CONN); with `secondary_public_key` the secondary makes no API
    /// call to the primary (API-DR). No HashiCorp flow has a primary call a secondary's API,
    /// so a missing rule for it is not an outage risk. `vrt firewall` still opens both ports
    /// both ways unless `--strict-ports` is given. Every cluster that could become primary must be
    /// reachable before it does: a promoted DR secondary of a performance secondary "will
    /// attempt to connect to the performance primary cluster using the same secondary
    /// token", and performance secondaries re-point to a promoted DR secondary of the
    /// primary (API-DR); after a performance promotion the other secondaries re-point to
    /// the promoted one (PERF-MANAGE). A closed standby path is found at the worst time.
    /// Inside a cluster, Raft and request forwarding use 8201 and joins 8200 (HA; HVD-TF).
    /// A blocked seal flow is an error: a restarted node of an auto-unsealed cluster stays
    /// sealed until it reaches its seal, and recovery keys cannot unseal it (SEAL); Vault
    /// Enterprise seal wrapping also uses the seal at runtime (SEAL-CONFIG). A blocked
    /// Consul flow leaves the cluster without its storage (CONSUL-STORAGE).
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - {name: primary-a, site: dc-a, role: primary}
    ///   - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a}
    /// network:
    ///   firewall:
    ///     - {name: a-to-b, from: dc-a, to: dc-b, ports: [8200, 8201]}   # dc-b → dc-a missing
    /// ```
    ///
    /// ## How to fix
    /// Add the rule the help gives to `network.firewall` (or widen an existing rule), and
    /// open it in the real firewall: `vrt firewall --format <target>` writes it for nftables,
    /// iptables, AWS security groups, Terraform and Azure NSGs.
    pub static RULE = "VRT201", "blocked-flow", Error;
}

/// How much a blocked flow matters, for grouping and severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Class {
    /// Vault needs it now: an error.
    Needed,
    /// Vault needs it after a failover: a warning.
    Standby,
    /// Only for failback with a wrapped token, or only the notes open it: a warning.
    Optional,
}

impl Class {
    fn of(flow: &Flow) -> Self {
        if flow.need != Need::Required {
            Self::Optional
        } else if flow.standby {
            Self::Standby
        } else {
            Self::Needed
        }
    }
}

/// The blocked flows between two ends, gathered for one finding.
struct Group {
    first: Flow,
    class: Class,
    /// Whether a flow of the group serves failback.
    failback: bool,
    a: Node,
    b: Node,
    /// Ports blocked a → b.
    forward: BTreeSet<u16>,
    /// Ports blocked b → a.
    backward: BTreeSet<u16>,
    leads: Vec<String>,
}

/// Reports, per pair of ends, the needed flows no declared firewall rule allows.
pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(rules) = &t.model.firewall else {
        return Vec::new();
    };
    let declared = Declared::new(t, rules);
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(Node, Node, Class), usize> = HashMap::new();
    for flow in flows::flows(t) {
        // A group flow is blocked when one pair of its members is: that pair is reported.
        let Some(flow) = declared.first_blocked(&flow) else {
            continue;
        };
        let (x, y) = (flow.from.entity(), flow.to.entity());
        let key = (x.min(y), x.max(y), Class::of(&flow));
        let g = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                first: flow,
                class: Class::of(&flow),
                failback: false,
                a: x,
                b: y,
                forward: BTreeSet::new(),
                backward: BTreeSet::new(),
                leads: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[g];
        group.failback |= flow.need == Need::Failback;
        if x == group.a {
            group.forward.insert(flow.port);
        } else {
            group.backward.insert(flow.port);
        }
        let lead = flow.describe(t, Wording::Message);
        if !group.leads.contains(&lead) {
            group.leads.push(lead);
        }
    }
    // Suggested names are unique across the findings too: applying every suggestion works.
    let mut taken: BTreeSet<String> = rules.iter().map(|r| r.name.get().clone()).collect();
    groups.iter().map(|g| finding(t, g, &mut taken)).collect()
}

fn finding(t: &Topology, g: &Group, taken: &mut BTreeSet<String>) -> Finding {
    // A seal or Consul endpoint is shown by its label and written in rules by its CIDRs.
    let shown = |n: Node| match n {
        Node::Seal(_) | Node::Consul(_) => n.label(t),
        _ => n.name(t).to_string(),
    };
    let (from, to) = (shown(g.a), shown(g.b));
    let (from_ends, to_ends) = (g.a.rule_ends(t), g.b.rule_ends(t));
    // Rule names are kebab-case: a CIDR end is named after what it is.
    let key = |n: Node| match n {
        Node::Seal(_) => format!("{}-seal", n.name(t)),
        Node::Consul(_) => format!("{}-consul", n.name(t)),
        _ => n.name(t).to_string(),
    };
    let (a_key, b_key) = (key(g.a), key(g.b));
    let list = |ports: &BTreeSet<u16>| {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut ways = Vec::new();
    if !g.forward.is_empty() {
        ways.push(format!("`{from}` → `{to}` on {}", list(&g.forward)));
    }
    if !g.backward.is_empty() {
        ways.push(format!("`{to}` → `{from}` on {}", list(&g.backward)));
    }
    let mut rules = Vec::new();
    for from in &from_ends {
        for to in &to_ends {
            let ab = (
                [from.as_str(), to.as_str()],
                [a_key.as_str(), b_key.as_str()],
            );
            let ba = (
                [to.as_str(), from.as_str()],
                [b_key.as_str(), a_key.as_str()],
            );
            if g.forward == g.backward {
                rules.push(suggestion(ab, &g.forward, true, taken));
            } else {
                if !g.forward.is_empty() {
                    rules.push(suggestion(ab, &g.forward, false, taken));
                }
                if !g.backward.is_empty() {
                    rules.push(suggestion(ba, &g.backward, false, taken));
                }
            }
        }
    }
    let (span, label) = anchor(t, &g.first);
    let optional = match g.class {
        Class::Optional if g.failback => "; Vault needs it only for failback with a wrapped token",
        Class::Optional => "; no Vault flow needs it, the notes open it both ways",
        _ => "",
    };
    let message = format!(
        "{}, but no firewall rule allows {}{optional}",
        g.leads.join("; "),
        ways.join(", nor ")
    );
    let mut finding = Finding::new(&RULE, span, message)
        .cluster(subject(t, &g.first))
        .label(label)
        .help(format!(
            "add to `network.firewall`: {}",
            rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    if g.class != Class::Needed {
        finding = finding.severity(Severity::Warning);
    }
    finding
}

/// The rule that allows the ports, in the flow style the examples use: `ends` are the
/// `from` and `to` as written and the keys its name is made of.
fn suggestion(
    ends: ([&str; 2], [&str; 2]),
    ports: &BTreeSet<u16>,
    both: bool,
    taken: &mut BTreeSet<String>,
) -> String {
    let ([from, to], [from_key, to_key]) = ends;
    let base = if from == to {
        format!("{from_key}-internal")
    } else if both {
        format!("{from_key}-{to_key}")
    } else {
        format!("{from_key}-to-{to_key}")
    };
    let name = unique_name(&base, taken);
    taken.insert(name.clone());
    let ports = ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let both = if both && from != to {
        ", bidirectional: true"
    } else {
        ""
    };
    format!("- {{name: {name}, from: {from}, to: {to}, ports: [{ports}]{both}}}")
}

/// A valid rule name (at most 63 characters) that no declared rule uses.
fn unique_name(base: &str, taken: &BTreeSet<String>) -> String {
    crate::text::unique_name(
        base,
        '-',
        63,
        |s| s.trim_end_matches('-').to_string(),
        |n| taken.contains(n),
    )
}

/// The cluster a blocked flow is about (what an `ignore` entry's `cluster` matches).
fn subject(t: &Topology, flow: &Flow) -> ClusterId {
    match flow.cause {
        Cause::Replication { secondary, .. } => secondary,
        Cause::Standby(pair) => pair.secondary,
        // The member pair reported: the secondary is the one that dials its primary.
        Cause::StandbySet { set, .. } => {
            let secondary = if flow.towards_primary() {
                flow.from
            } else {
                flow.to
            };
            match secondary.entity() {
                Node::Cluster(c) => c,
                _ => set.lost,
            }
        }
        Cause::Client { client } | Cause::ClientFailover { client, .. } => {
            *t.client(client).cluster.get()
        }
        Cause::LoadBalancer { cluster }
        | Cause::ClientsFailover { cluster }
        | Cause::Service { cluster, .. }
        | Cause::Intra { cluster }
        | Cause::Seal { cluster }
        | Cause::Consul { cluster } => cluster,
    }
}

/// Where the finding points: the declaration the flow comes from.
fn anchor(t: &Topology, flow: &Flow) -> (Span, String) {
    match flow.cause {
        Cause::Replication { secondary, .. } => (
            t.cluster(secondary)
                .upstream
                .as_ref()
                .map_or(t.cluster(secondary).name.span(), crate::yaml::Sp::span),
            "replication declared here".into(),
        ),
        Cause::Standby(_) | Cause::StandbySet { .. } => (
            t.cluster(subject(t, flow)).name.span(),
            "needs the path before a failover".into(),
        ),
        Cause::ClientsFailover { cluster } => match (flow.from, flow.to.entity()) {
            (Node::Client(client), Node::Cluster(dr)) => (
                t.client(client).cluster.span(),
                format!("`{}` takes these clients over", t.name(dr)),
            ),
            _ => (
                t.cluster(cluster).name.span(),
                "its clients move to a promoted DR secondary".into(),
            ),
        },
        Cause::Client { client } => (
            t.client(client).cluster.span(),
            "the client's cluster".into(),
        ),
        Cause::ClientFailover { client, dr } => (
            t.client(client).cluster.span(),
            format!("`{}` takes these clients over", t.name(dr)),
        ),
        Cause::LoadBalancer { cluster } => (
            t.cluster(cluster)
                .load_balancer
                .as_ref()
                .map_or(t.cluster(cluster).name.span(), |l| l.address.span()),
            "load balancer declared here".into(),
        ),
        Cause::Service { service, entry, .. } => (
            t.service(service).used_by[entry].span(),
            "uses the service".into(),
        ),
        Cause::Intra { cluster } => (
            t.cluster(cluster).name.span(),
            "cluster declared here".into(),
        ),
        Cause::Seal { .. } | Cause::Consul { .. } => (
            flow.to.endpoint_cidrs(t).first().map_or(
                t.cluster(subject(t, flow)).name.span(),
                crate::yaml::Sp::span,
            ),
            if matches!(flow.cause, Cause::Seal { .. }) {
                "seal endpoint declared here".into()
            } else {
                "Consul endpoint declared here".into()
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_names_are_unique_and_short_enough() {
        let taken = BTreeSet::from(["a-b".to_string(), "a-b-2".to_string()]);
        assert_eq!(unique_name("a-b", &taken), "a-b-3");
        let long = "x".repeat(80);
        let name = unique_name(&long, &BTreeSet::new());
        assert_eq!(name.len(), 63);
        let taken = BTreeSet::from([name.clone()]);
        let next = unique_name(&long, &taken);
        assert!(next.len() <= 63 && next.ends_with("-2"), "{next}");
    }
}
