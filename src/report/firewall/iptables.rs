//! An `iptables-restore` file (or `ip6tables-restore` for the IPv6 rules): a chain of its
//! own in the filter table, loaded with `--noflush` so nothing else is touched. Each rule is
//! one line per source and destination network, with `multiport` for port lists (at most 15
//! ports per line) and a `comment` saying why it exists. A rule between many networks (a
//! standby group's) would need a line per pair: its networks go as comma-separated lists of
//! up to [`ADDRESSES_MAX`] instead (`-s a,b,c`, which `iptables-restore` expands), so the
//! file grows with the networks, not with their pairs.

// `write!` into a String cannot fail, so its `fmt::Result` is dropped (`let _ =`).
use std::fmt::Write as _;

use super::{Context, clip};
use crate::firewall::{Family, FirewallRule};
use crate::report::escape;
use crate::text::wrap;

/// The longest comment the `comment` match accepts.
const COMMENT_MAX: usize = 255;
/// Ports per `multiport` match (a range counts as two).
const MULTIPORT_MAX: usize = 15;
/// Networks per `-s` or `-d` list.
const ADDRESSES_MAX: usize = 32;

/// The chain name for a topology: `vrt-` and the name (every character but ASCII letters,
/// digits, `-` and `_` as `_`), within iptables' 28 characters.
pub fn chain_name(topology: &str) -> String {
    let name: String = format!("vrt-{}", escape::identifier(topology, &['-', '_'], '_'))
        .chars()
        .take(28)
        .collect();
    name.trim_end_matches('-').to_string()
}

fn port_chunks(r: &FirewallRule) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut used = 0;
    for (a, b) in r.port_ranges() {
        let (text, cost) = if a == b {
            (a.to_string(), 1)
        } else {
            (format!("{a}:{b}"), 2)
        };
        if used + cost > MULTIPORT_MAX {
            chunks.push(current.join(","));
            current.clear();
            used = 0;
        }
        current.push(text);
        used += cost;
    }
    if !current.is_empty() {
        chunks.push(current.join(","));
    }
    chunks
}

/// The networks one by one.
fn one_each(networks: &[crate::values::Cidr]) -> Vec<String> {
    networks.iter().map(ToString::to_string).collect()
}

/// The networks as comma-separated lists of at most [`ADDRESSES_MAX`].
fn address_lists(networks: &[crate::values::Cidr]) -> Vec<String> {
    networks
        .chunks(ADDRESSES_MAX)
        .map(|c| {
            c.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

/// The whole file for one family; `other` is the number of rules of the other family left
/// to the other target, stated in the header.
pub fn render(rules: &[FirewallRule], ctx: &Context<'_>, family: Family) -> String {
    let chain = chain_name(ctx.topology);
    let (tool, other_format) = match family {
        Family::V4 => ("iptables", "ip6tables"),
        Family::V6 => ("ip6tables", "iptables"),
    };
    let mine: Vec<&FirewallRule> = rules.iter().filter(|r| r.family == family).collect();
    let other = rules.len() - mine.len();
    let mut out = String::new();
    for line in wrap(&ctx.provenance(), 96) {
        let _ = writeln!(out, "# {line}");
    }
    let _ = write!(
        out,
        "#\n\
         # Load with `{tool}-restore --noflush FILE`: it (re)creates chain {chain} and touches\n\
         # nothing else. Then send traffic through it once, for example:\n\
         #   {tool} -I INPUT -j {chain}\n\
         #   {tool} -I FORWARD -j {chain}\n\
         # The chain accepts the listed flows and their return traffic (conntrack) and returns\n\
         # every other packet to the calling chain.\n"
    );
    if other > 0 {
        let _ = write!(
            out,
            "# {other} rule(s) of the other address family are not in this file: write them with\n\
             # `vrt firewall --format {other_format}`.\n"
        );
    }
    let _ = write!(
        out,
        "*filter\n\
         :{chain} - [0:0]\n\
         -A {chain} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment \"return traffic of the flows below\" -j ACCEPT\n"
    );
    for r in mine {
        let comment =
            escape::iptables_string(&clip(&r.comment(), usize::MAX, |_| true), COMMENT_MAX);
        let (sources, destinations) = (address_lists(&r.sources), address_lists(&r.destinations));
        let paired =
            r.sources.len() * r.destinations.len() <= r.sources.len() + r.destinations.len();
        let (sources, destinations) = if paired {
            (one_each(&r.sources), one_each(&r.destinations))
        } else {
            (sources, destinations)
        };
        for s in &sources {
            for d in &destinations {
                for ports in port_chunks(r) {
                    let matcher = if ports.contains([',', ':']) {
                        format!("-m multiport --dports {ports}")
                    } else {
                        format!("--dport {ports}")
                    };
                    let _ = writeln!(
                        out,
                        "-A {chain} -s {s} -d {d} -p {proto} {matcher} -m comment --comment \"{comment}\" -j ACCEPT",
                        proto = r.protocol.as_str(),
                    );
                }
            }
        }
    }
    out.push_str("COMMIT\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_names_fit_iptables() {
        assert_eq!(chain_name("two-datacenters"), "vrt-two-datacenters");
        let long = chain_name(&"a".repeat(40));
        assert_eq!(long.len(), 28);
        assert_eq!(chain_name("x\" -j DROP\n"), "vrt-x__-j_DROP_");
    }
}
