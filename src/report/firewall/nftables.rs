//! An nftables file (`nft -f`): one `inet` table named after the topology, replaced as a
//! whole on every load, with a regular chain of allow rules that the `input` and `forward`
//! base chains jump to. IPv4 and IPv6 rules live side by side (`ip` / `ip6` matches).

// `write!` into a String cannot fail, so its `fmt::Result` is dropped (`let _ =`).
use std::fmt::Write as _;

use super::{Context, clip};
use crate::firewall::{Family, FirewallRule};
use crate::report::escape;
use crate::text::wrap;

/// The longest rule comment nftables accepts.
const COMMENT_MAX: usize = 128;

/// The nftables table name for a topology: `vrt_` and the name with every character but
/// ASCII letters, digits and `_` (such as `-`) as `_`.
pub fn table_name(topology: &str) -> String {
    format!("vrt_{}", escape::identifier(topology, &['_'], '_'))
}

fn set<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if items.len() == 1 {
        items[0].clone()
    } else {
        format!("{{ {} }}", items.join(", "))
    }
}

fn ports(r: &FirewallRule) -> String {
    set(r.port_ranges().into_iter().map(|(a, b)| {
        if a == b {
            a.to_string()
        } else {
            format!("{a}-{b}")
        }
    }))
}

/// The whole file.
pub fn render(rules: &[FirewallRule], ctx: &Context<'_>) -> String {
    let table = table_name(ctx.topology);
    let mut out = String::from("#!/usr/sbin/nft -f\n");
    for line in wrap(&ctx.provenance(), 96) {
        let _ = writeln!(out, "# {line}");
    }
    let _ = write!(
        out,
        "#\n\
         # Load with `nft -f FILE`; it replaces table inet {table} as a whole. The chains accept\n\
         # the listed flows and their return traffic (conntrack) and leave every other packet to\n\
         # the rest of the ruleset (policy accept): to enforce, drop other traffic to the Vault\n\
         # ports in your own ruleset, or set the base chains' policy to drop.\n\
         table inet {table}\n\
         delete table inet {table}\n\
         table inet {table} {{\n\
         \tchain vault_flows {{\n\
         \t\tct state established,related accept comment \"return traffic of the flows below\"\n"
    );
    for r in rules {
        let ip = match r.family {
            Family::V4 => "ip",
            Family::V6 => "ip6",
        };
        let _ = writeln!(
            out,
            "\t\t{ip} saddr {} {ip} daddr {} {} dport {} accept comment \"{}\"",
            set(&r.sources),
            set(&r.destinations),
            r.protocol.as_str(),
            ports(r),
            escape::nft_string(&clip(&r.comment(), usize::MAX, |_| true), COMMENT_MAX)
        );
    }
    out.push_str(
        "\t}\n\
         \tchain input {\n\
         \t\ttype filter hook input priority filter; policy accept;\n\
         \t\tjump vault_flows\n\
         \t}\n\
         \tchain forward {\n\
         \t\ttype filter hook forward priority filter; policy accept;\n\
         \t\tjump vault_flows\n\
         \t}\n\
         }\n",
    );
    out
}
