//! Rendering `vrt diff`: a terminal report (text), a pull-request comment (Markdown) and a
//! JSON document whose shape is `schemas/diff.schema.json`. Computes nothing but each
//! firewall target's own files, through `report::firewall`.
//!
//! Every value that comes from a topology file is hostile: text output shows control,
//! bidirectional and zero-width characters escaped; Markdown escapes HTML, table pipes,
//! backticks and emphasis, and puts commands in fences longer than any backtick run they
//! hold; JSON is serde's.

pub mod json;
pub mod markdown;
pub mod text;
pub mod walk;

use crate::diff::Diff;
use crate::diff::delta::{Change, Field, How};
use crate::diff::network::NetworkDelta;
use crate::diff::resilience::{Outcome, Recovery};
use crate::failover::RecoveryPath;
use crate::firewall::{Family, FirewallRule};
use crate::report::firewall::{self as fw};

/// The firewall target the network section is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// vrt's neutral table.
    Table,
    /// An nftables file.
    Nftables,
    /// An `iptables-restore` file (IPv4).
    Iptables,
    /// An `ip6tables-restore` file (IPv6).
    Ip6tables,
    /// AWS security-group ingress (JSON).
    AwsSg,
    /// Terraform `aws_vpc_security_group_ingress_rule` resources.
    Terraform,
    /// Azure network security groups (JSON).
    AzureNsg,
}

impl Target {
    /// The `--firewall-format` value.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Nftables => "nftables",
            Self::Iptables => "iptables",
            Self::Ip6tables => "ip6tables",
            Self::AwsSg => "aws-sg",
            Self::Terraform => "terraform",
            Self::AzureNsg => "azure-nsg",
        }
    }

    /// The language tag of a Markdown fence holding the target's file.
    const fn fence(self) -> &'static str {
        match self {
            Self::AwsSg | Self::AzureNsg => "json",
            Self::Terraform => "hcl",
            Self::Table | Self::Nftables | Self::Iptables | Self::Ip6tables => "text",
        }
    }
}

/// What the renderers need beyond the diff.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The firewall target of the network section.
    pub target: Target,
    /// OLD's topology name, when it loaded.
    pub old_topology: Option<&'a str>,
    /// NEW's topology name, when it loaded.
    pub new_topology: Option<&'a str>,
}

/// One file of the firewall target to apply at one moment of the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// `before` (open before the change) or `after` (close after it).
    pub when: &'static str,
    /// How to apply it.
    pub how: String,
    /// The file, or why it cannot be written.
    pub text: Result<String, String>,
}

/// The target's files for the change: for targets that own a whole table, chain or rule
/// list, OLD's rules plus those to add before the change and NEW's rules after it; for AWS
/// security groups, the permissions to authorize before and to revoke after.
pub fn artifacts(net: &NetworkDelta, d: &Diff, ctx: &Context<'_>) -> Vec<Artifact> {
    let topology = ctx.new_topology.unwrap_or("");
    let fctx = fw::Context {
        topology,
        file: &d.new_file,
        standby: true,
    };
    let whole = |render: &dyn Fn(&[FirewallRule]) -> Result<String, String>, load: &str| {
        vec![
            Artifact {
                when: "before",
                how: format!(
                    "Before the change, {load} this file: OLD's {} rule(s) and the {} to add, so nothing in use closes.",
                    net.during.len() - net.add.len(),
                    net.add.len()
                ),
                text: render(&net.during),
            },
            Artifact {
                when: "after",
                how: format!(
                    "After the change, {load} this file: NEW's {} rule(s), without the {} to remove.",
                    net.after.len(),
                    net.remove.len()
                ),
                text: render(&net.after),
            },
        ]
    };
    let table = fw::nftables::table_name(topology);
    let chain = fw::iptables::chain_name(topology);
    match ctx.target {
        Target::Table => Vec::new(),
        Target::Nftables => whole(
            &|r| Ok(fw::nftables::render(r, &fctx)),
            &format!("load (`nft -f`, which replaces table inet {table} as a whole)"),
        ),
        Target::Iptables => whole(
            &|r| Ok(fw::iptables::render(r, &fctx, Family::V4)),
            &format!("load (`iptables-restore --noflush`, which re-creates chain {chain})"),
        ),
        Target::Ip6tables => whole(
            &|r| Ok(fw::iptables::render(r, &fctx, Family::V6)),
            &format!("load (`ip6tables-restore --noflush`, which re-creates chain {chain})"),
        ),
        Target::Terraform => whole(
            &|r| Ok(fw::terraform::render(r, &fctx)),
            "apply (`terraform apply`, in place of the generated file)",
        ),
        Target::AzureNsg => whole(
            &|r| fw::azure::render(r, &fctx),
            "deploy (each NSG's `securityRules` replaced as a whole)",
        ),
        Target::AwsSg => vec![
            Artifact {
                when: "before",
                how: format!(
                    "Before the change, authorize these {} rule(s): `aws ec2 authorize-security-group-ingress --group-id <sg> --ip-permissions '<IpPermissions>'` per security group.",
                    net.add.len()
                ),
                text: fw::aws::render(&net.add, &fctx).map_err(|e| e.to_string()),
            },
            Artifact {
                when: "after",
                how: format!(
                    "After the change, revoke these {} rule(s): `aws ec2 revoke-security-group-ingress --group-id <sg> --ip-permissions '<IpPermissions>'` per security group.",
                    net.remove.len()
                ),
                text: fw::aws::render(&net.remove, &fctx).map_err(|e| e.to_string()),
            },
        ],
    }
}

/// The one-line summary of the change.
pub fn summary(d: &Diff) -> String {
    let mut parts = Vec::new();
    if let Some(delta) = &d.delta {
        let added = delta.changes.iter().filter(|c| c.how == How::Added).count();
        let removed = delta
            .changes
            .iter()
            .filter(|c| c.how == How::Removed)
            .count();
        let changed = delta
            .changes
            .iter()
            .filter(|c| c.how == How::Changed)
            .count();
        parts.push(format!(
            "{added} added, {removed} removed, {changed} changed"
        ));
    }
    let new_errors = d.findings.new_errors();
    parts.push(format!(
        "{} new finding(s) ({new_errors} error(s)), {} fixed",
        d.findings.new.len(),
        d.findings.fixed.len()
    ));
    if let Some(r) = &d.resilience {
        let worse = r.changes.iter().filter(|c| c.worse).count();
        parts.push(format!(
            "{} failure scenario(s) recover differently ({worse} worse)",
            r.changes.len()
        ));
    }
    if let Some(n) = &d.network {
        parts.push(format!(
            "{} firewall rule(s) to add, {} to remove",
            n.add.len(),
            n.remove.len()
        ));
    }
    if let Some(b) = &d.runbook {
        parts.push(format!(
            "{} runbook step(s), {} risk window(s)",
            b.steps.len(),
            b.windows.len()
        ));
    }
    parts.join("; ")
}

/// A field of a change: `version: 1.17.3 → 1.18.1` for a changed object, the value alone
/// for an added or removed one.
pub fn field_text(c: &Change, f: &Field) -> String {
    match (c.how, &f.old, &f.new) {
        (How::Changed, Some(o), Some(n)) => format!("{}: {o} → {n}", f.name),
        (How::Changed, None, Some(n)) => format!("{}: (unset) → {n}", f.name),
        (How::Changed, Some(o), None) => format!("{}: {o} → (unset)", f.name),
        (_, Some(v), _) | (_, None, Some(v)) => format!("{}: {v}", f.name),
        (_, None, None) => f.name.to_string(),
    }
}

/// `+`, `-` or `~`.
pub const fn sign(c: &Change) -> char {
    match c.how {
        How::Added => '+',
        How::Removed => '-',
        How::Changed => '~',
    }
}

/// `DR promotion of `dr-a``, `clients move to `x``, `none: restore from snapshots`.
pub fn recovery_text(r: &Recovery) -> String {
    match (r.path, &r.to) {
        (RecoveryPath::DrPromotion | RecoveryPath::PerformancePromotion, Some(to)) => {
            let via = r
                .via
                .as_ref()
                .map(|v| format!(" (after its DR promotion in place of `{v}`)"))
                .unwrap_or_default();
            format!("{} of `{to}`{via}", r.path.as_str())
        }
        (RecoveryPath::ClientsMove, Some(to)) => format!("clients move to `{to}`"),
        _ => "none: restore from snapshots".to_string(),
    }
}

/// An outcome in one phrase: the recoveries, then what clients and DR coverage become.
pub fn outcome_text(o: &Outcome) -> String {
    let mut parts: Vec<String> = o
        .recoveries
        .iter()
        .map(|r| format!("`{}`: {}", r.lost, recovery_text(r)))
        .collect();
    if parts.is_empty() {
        parts.push("nothing to recover".to_string());
    }
    let mut text = parts.join("; ");
    if o.tokens_preserved {
        text.push_str("; tokens kept");
    } else if !o.reauthenticate.is_empty() {
        text.push_str("; re-authentication: ");
        text.push_str(&quoted(&o.reauthenticate));
    }
    if !o.without_dr.is_empty() {
        text.push_str("; left without DR: ");
        text.push_str(&quoted(&o.without_dr));
    }
    text
}

/// `` `a`, `b` ``.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A rule in one line: `name: sources → destinations tcp/8200,8201 (standby)`.
pub fn rule_text(r: &FirewallRule) -> String {
    let list = |c: &[crate::values::Cidr]| {
        c.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ports = r
        .port_ranges()
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "{}: {} ({}) → {} ({}) {}/{ports}{}",
        r.name,
        r.from.label,
        list(&r.sources),
        r.to.label,
        list(&r.destinations),
        r.protocol.as_str(),
        if r.standby { " (standby)" } else { "" }
    )
}

/// Text safe for a terminal: control (but tab), bidirectional and zero-width characters
/// escaped.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`clean`], keeping newlines (for multi-line command text).
pub fn clean_lines(text: &str) -> String {
    text.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// Control characters other than tab, bidirectional controls and zero-width characters.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn clean_escapes_what_a_terminal_would_run() {
        assert_eq!(
            super::clean("a\u{1b}[31mb\u{202e}c\nd"),
            "a\\u{1b}[31mb\\u{202e}c\\u{a}d"
        );
        assert_eq!(super::clean_lines("x\ny\u{7}"), "x\ny\\u{7}");
    }
}
