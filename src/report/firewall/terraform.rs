//! Terraform for the AWS provider: one `aws_vpc_security_group_ingress_rule` per rule,
//! source network and port range (the resource takes one CIDR and one range), attached to
//! the security group of the rule's destination, looked up in the `security_group_ids`
//! variable the file declares. Resource names are stable: rule name, network and ports.

// `write!` into a String cannot fail, so its `fmt::Result` is dropped (`let _ =`).
use std::fmt::Write as _;

use std::collections::{BTreeMap, BTreeSet};

use super::{Context, clip};
use crate::firewall::{Family, FirewallRule};
use crate::report::escape;
use crate::text::unique_name;
use crate::text::wrap;

/// The longest description AWS accepts.
const DESCRIPTION_MAX: usize = 255;

fn aws_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c)
}

/// A snake_case Terraform identifier from arbitrary text.
fn ident(text: &str) -> String {
    escape::identifier(text, &[], '_').to_ascii_lowercase()
}

/// An HCL string literal ([`escape::hcl`]: quotes, backslashes, controls and the template
/// sequences `${` and `%{`).
fn string(text: &str) -> String {
    format!("\"{}\"", escape::hcl(text))
}

/// The whole `.tf` file.
pub fn render(rules: &[FirewallRule], ctx: &Context<'_>) -> String {
    render_with(rules, ctx, &BTreeMap::new())
}

/// The whole `.tf` file; `group_ids` (destination key → `sg-…`), when given, are the
/// default of the `security_group_ids` variable.
pub fn render_with(
    rules: &[FirewallRule],
    ctx: &Context<'_>,
    group_ids: &BTreeMap<String, String>,
) -> String {
    let mut out = String::new();
    for line in wrap(&ctx.provenance(), 96) {
        let _ = writeln!(out, "# {line}");
    }
    out.push_str("# Security groups are stateful: return traffic needs no rule.\n\n");
    let keys: BTreeSet<&str> = rules.iter().map(|r| r.to.key.as_str()).collect();
    let keys: Vec<&str> = keys.into_iter().collect();
    let _ = write!(
        out,
        "variable \"security_group_ids\" {{\n  description = {}\n  type        = map(string)\n",
        string(&format!(
            "Security group ID of each destination, by key: {}",
            if keys.is_empty() {
                "none (no flow ends in AWS)".to_string()
            } else {
                keys.join(", ")
            }
        ))
    );
    if !group_ids.is_empty() {
        out.push_str("  default = {\n");
        let width = group_ids
            .keys()
            .map(|k| string(k).chars().count())
            .max()
            .unwrap_or(0);
        for (key, id) in group_ids {
            let key = string(key);
            let pad = width - key.chars().count();
            let _ = writeln!(out, "    {key}{} = {}", " ".repeat(pad), string(id));
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for r in rules {
        let description = clip(&r.comment(), DESCRIPTION_MAX, aws_char);
        for s in &r.sources {
            for (from, to) in r.port_ranges() {
                let base = ident(&format!("{}_{}_{from}_{to}", r.name, s));
                let name = unique_name(&base, '_', usize::MAX, str::to_string, |n| {
                    taken.contains(n)
                });
                taken.insert(name.clone());
                let cidr_key = match r.family {
                    Family::V4 => "cidr_ipv4",
                    Family::V6 => "cidr_ipv6",
                };
                let _ = write!(
                    out,
                    "\nresource \"aws_vpc_security_group_ingress_rule\" \"{name}\" {{\n  \
                     security_group_id = var.security_group_ids[{key}]\n  \
                     description       = {description}\n  \
                     ip_protocol       = {proto}\n  \
                     from_port         = {from}\n  \
                     to_port           = {to}\n  \
                     {cidr_key:<17} = {cidr}\n}}\n",
                    key = string(&r.to.key),
                    description = string(&description),
                    proto = string(r.protocol.as_str()),
                    cidr = string(&s.to_string()),
                );
            }
        }
    }
    out
}
