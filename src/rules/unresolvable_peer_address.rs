//! VRT203 `unresolvable-peer-address`: A peer address a cluster must dial is not resolvable from the cluster's site.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT203`).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::graph::Topology;
use crate::ids::{ClusterId, SiteId};
use crate::net::flows::{self, Dialled, Need, Node};
use crate::source::Span;

declare_rule! {
    /// A peer address a cluster must dial is not resolvable from the cluster's site.
    ///
    /// ## What it checks
    /// When the file declares `network.dns`, each address a cluster dials to reach a
    /// replication peer — the peer's `api_addr` (activation), its `cluster_addr`
    /// (replication), or its `load_balancer.address` where the load balancer carries that
    /// port — must be resolvable from the dialling cluster's site: the site's `resolves`
    /// list holds the name or a suffix of it. IP literals always resolve. A site without a
    /// DNS entry resolves nothing.
    ///
    /// Severity follows the direction. A secondary that cannot resolve its primary's
    /// `cluster_addr` (or load balancer), or its `api_addr` when it is activated with a
    /// wrapped token, is an error: replication cannot start. A primary that cannot resolve
    /// a secondary's address, and any address dialled only after a failover (standby flows)
    /// or for failback, is a warning: a split-horizon design where only the secondaries'
    /// sites resolve the primary replicates. The primary's API is not dialled at all with
    /// `activation: public-key`.
    ///
    /// ## Why it matters
    /// "Ensure each cluster can resolve its peers' DNS names" (KK). The secondary unwraps its
    /// activation token at the primary's API address carried in the token, and then
    /// connects to the cluster address the primary gives it (REPL-IDX; API-DR); every
    /// address in `known_primary_cluster_addrs` must be "reachable from the secondary"
    /// (TS-CONN). The secondary stays connected to the primary's active node (TS-CONN); no
    /// source has the primary dial its secondaries, so their names matter on the primary's
    /// side only when roles change. After a failover, the surviving clusters dial the
    /// promoted cluster's addresses, and after failback the old primary dials its promoted
    /// DR secondary, so those names must resolve before it happens (API-DR).
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - {name: primary-a, site: dc-a, role: primary, api_addr: "https://vault.dc-a.example.com:8200"}
    ///   - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a}
    /// network:
    ///   dns:
    ///     - {site: dc-b, resolves: [dc-b.example.com]}   # dc-a.example.com missing
    /// ```
    ///
    /// ## How to fix
    /// Make the site's resolvers answer for the peer's zone (conditional forwarding, a
    /// shared private zone) and add the suffix to the site's `resolves`, or advertise an
    /// address the site can resolve.
    pub static RULE = "VRT203", "unresolvable-peer-address", Error;
}

struct Group {
    dialled: Dialled,
    name: String,
    peer: ClusterId,
    site: SiteId,
    dialers: Vec<ClusterId>,
    /// Groups of dialers, described (`the DR secondaries of `hub` in site `s1``).
    groups: Vec<String>,
    required: bool,
}

/// Reports each peer address that a dialling cluster's site cannot resolve.
pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(dns) = &t.model.dns else {
        return Vec::new();
    };
    let mut zones: HashMap<SiteId, HashSet<&str>> = HashMap::new();
    let mut entry_span: HashMap<SiteId, Span> = HashMap::new();
    for entry in dns {
        let site = *entry.site.get();
        entry_span.entry(site).or_insert(entry.site.span());
        zones
            .entry(site)
            .or_default()
            .extend(entry.resolves.iter().map(|r| r.as_str()));
    }
    let resolvable = |site: SiteId, name: &str| {
        zones.get(&site).is_some_and(|z| {
            let mut rest = name;
            loop {
                if z.contains(rest) {
                    return true;
                }
                match rest.split_once('.') {
                    Some((_, tail)) => rest = tail,
                    None => return false,
                }
            }
        })
    };
    let mut groups: BTreeMap<(usize, SiteId), Group> = BTreeMap::new();
    for group_flow in flows::flows(t) {
        // With public-key activation nobody dials the API port: the flow is only opened.
        if group_flow.need == Need::Advised {
            continue;
        }
        let flow = group_flow;
        if matches!(flow.from, Node::Group(_)) || matches!(flow.to, Node::Group(_)) {
            grouped(t, &flow, &resolvable, &mut groups);
            continue;
        }
        let Some(dialled) = flow.dialled(t) else {
            continue;
        };
        let Some(name) = dialled.name.clone() else {
            continue;
        };
        let (Node::Cluster(dialer), Node::Cluster(peer) | Node::LoadBalancer(peer)) =
            (flow.from, flow.to)
        else {
            continue;
        };
        let site = t.site_of(dialer);
        if resolvable(site, &name) {
            continue;
        }
        let group = groups
            .entry((dialled.span.offset, site))
            .or_insert_with(|| Group {
                dialled,
                name,
                peer,
                site,
                dialers: Vec::new(),
                groups: Vec::new(),
                required: false,
            });
        if !group.dialers.contains(&dialer) {
            group.dialers.push(dialer);
        }
        group.required |= flow.is_needed_now() && flow.towards_primary();
    }
    groups
        .into_values()
        .map(|g| finding(t, &g, entry_span.get(&g.site).copied()))
        .collect()
}

/// A group flow: its dialers by site (each site once, described as a group when it holds
/// several), each destination member's dialled address checked once per dialer site.
fn grouped(
    t: &Topology,
    flow: &flows::Flow,
    resolvable: &impl Fn(SiteId, &str) -> bool,
    groups: &mut BTreeMap<(usize, SiteId), Group>,
) {
    let mut sites: Vec<(SiteId, Vec<ClusterId>)> = Vec::new();
    let mut index: HashMap<SiteId, usize> = HashMap::new();
    for member in flow.from.members(t) {
        let Node::Cluster(c) = member else {
            return;
        };
        let site = t.site_of(c);
        let next = sites.len();
        let i = *index.entry(site).or_insert(next);
        if i == next {
            sites.push((site, Vec::new()));
        }
        sites[i].1.push(c);
    }
    for peer_node in flow.to.members(t) {
        let (Node::Cluster(peer) | Node::LoadBalancer(peer)) = peer_node else {
            continue;
        };
        let one = flows::Flow {
            from: Node::Cluster(sites.first().map_or(peer, |s| s.1[0])),
            to: peer_node,
            ..*flow
        };
        let Some(dialled) = one.dialled(t) else {
            continue;
        };
        let Some(name) = dialled.name.clone() else {
            continue;
        };
        for (site, dialers) in &sites {
            let dialers: Vec<ClusterId> = dialers
                .iter()
                .copied()
                .filter(|d| *d != peer)
                .take(2)
                .collect();
            if dialers.is_empty() || resolvable(*site, &name) {
                continue;
            }
            let group = groups
                .entry((dialled.span.offset, *site))
                .or_insert_with(|| Group {
                    dialled: dialled.clone(),
                    name: name.clone(),
                    peer,
                    site: *site,
                    dialers: Vec::new(),
                    groups: Vec::new(),
                    required: false,
                });
            match flow.from {
                Node::Group(g) => {
                    let what = format!("{} in site `{}`", g.phrase(t), t.site_name(*site));
                    if !group.groups.contains(&what) {
                        group.groups.push(what);
                    }
                }
                _ => {
                    if !group.dialers.contains(&dialers[0]) {
                        group.dialers.push(dialers[0]);
                    }
                }
            }
            group.required |= flow.is_needed_now() && flow.towards_primary();
        }
    }
}

fn finding(t: &Topology, g: &Group, entry: Option<Span>) -> Finding {
    let site = t.site(g.site).name.get();
    let mut dialers: Vec<String> = g
        .dialers
        .iter()
        .map(|d| format!("`{}`", t.name(*d)))
        .collect();
    let single = dialers.len() == 1 && g.groups.is_empty();
    dialers.extend(g.groups.iter().cloned());
    let primary_side = !g.required
        && t.upstream(g.peer)
            .is_some_and(|(p, _)| g.dialers.contains(&p));
    let (verb, when) = if g.required {
        (if single { "dials" } else { "dial" }, "")
    } else if primary_side {
        (
            "would dial",
            "; secondaries dial their primary, so this matters only once roles change (failback, failover)",
        )
    } else {
        (if single { "dials" } else { "dial" }, " after a failover")
    };
    let zone = {
        let labels = g.name.split('.').count();
        if labels >= 3 {
            g.name.split_once('.').map_or(g.name.as_str(), |(_, z)| z)
        } else {
            g.name.as_str()
        }
    };
    let help = if entry.is_some() {
        format!(
            "make site `{site}`'s resolvers answer for `{zone}` and add it to the site's `resolves`, or advertise an address site `{site}` resolves"
        )
    } else {
        format!(
            "declare what site `{site}` resolves under `network.dns`: `- {{site: {site}, resolves: [{zone}]}}`"
        )
    };
    let mut f = Finding::new(
        &RULE,
        g.dialled.span,
        format!(
            "`{}` (`{}` of `{}`) is not resolvable from site `{site}`, where {} {verb} it{when}",
            g.name,
            g.dialled.field,
            t.name(g.peer),
            dialers.join(", "),
        ),
    )
    .cluster(g.peer)
    .label(format!("not resolvable from site `{site}`"))
    .help(help);
    if let Some(span) = entry {
        f = f.related(span, format!("what site `{site}` resolves"));
    }
    if !g.required {
        f = f.severity(Severity::Warning);
    }
    f
}
