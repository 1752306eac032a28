//! The neutral table the network team reviews: CSV, Markdown or JSON, one row per rule with
//! its ends, networks, ports and why it exists. These are the directions that open
//! connections; a stateless filter also needs the return traffic, which each format states.

use serde::Serialize;
use tabled::builder::Builder;
use tabled::settings::Style;

use super::Context;
use crate::firewall::{EPHEMERAL_PORTS, FirewallRule};
use crate::report::escape::md_text;

fn join<T: ToString>(items: impl IntoIterator<Item = T>, sep: &str) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

fn ports(r: &FirewallRule) -> String {
    join(&r.ports, " ")
}

/// What a stateless filter must also allow for a rule.
fn return_traffic(r: &FirewallRule) -> String {
    format!(
        "{} from destination ports {} to source ports {}-{}",
        r.protocol.as_str(),
        join(&r.ports, ","),
        EPHEMERAL_PORTS.0,
        EPHEMERAL_PORTS.1
    )
}

const RETURN_NOTE: &str = "Stateful firewalls (security groups, NSGs, conntrack) admit the return traffic by themselves. A stateless filter (network ACL, router ACL) must also allow it: for each rule, the protocol from the destination ports back to the source's ephemeral ports 1024-65535 (PORTS).";

/// CSV: `name,family,source,source_cidrs,destination,destination_cidrs,protocol,ports,standby,comment,return_traffic`;
/// lists inside a field are space-separated.
pub fn csv(rules: &[FirewallRule]) -> String {
    let mut out = crate::report::csv::line(&[
        "name",
        "family",
        "source",
        "source_cidrs",
        "destination",
        "destination_cidrs",
        "protocol",
        "ports",
        "standby",
        "comment",
        "return_traffic",
    ]);
    for r in rules {
        out.push_str(&crate::report::csv::line(&[
            r.name.clone(),
            r.family.as_str().to_string(),
            r.from.label.clone(),
            join(&r.sources, " "),
            r.to.label.clone(),
            join(&r.destinations, " "),
            r.protocol.as_str().to_string(),
            ports(r),
            r.standby.to_string(),
            r.comment(),
            return_traffic(r),
        ]));
    }
    out
}

/// A Markdown document: a heading line, the table, and the note on return traffic; every
/// value escaped with [`md_text`].
pub fn markdown(rules: &[FirewallRule], ctx: &Context<'_>) -> String {
    let mut b = Builder::default();
    b.push_record([
        "name",
        "source",
        "destination",
        "protocol",
        "ports",
        "standby",
        "why",
    ]);
    for r in rules {
        b.push_record([
            md_text(&r.name),
            md_text(&format!("{}: {}", r.from.label, join(&r.sources, ", "))),
            md_text(&format!("{}: {}", r.to.label, join(&r.destinations, ", "))),
            r.protocol.as_str().to_string(),
            join(&r.ports, ", "),
            if r.standby { "standby" } else { "-" }.to_string(),
            md_text(&r.reasons.join("; ")),
        ]);
    }
    let mut table = b.build();
    table.with(Style::markdown());
    format!(
        "{}\n\n{table}\n\n{RETURN_NOTE}\n",
        ctx.provenance_markdown()
    )
}

/// One end of a rule, as JSON.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct JsonEnd<'a> {
    /// `cluster`, `load-balancer`, `client`, `service`, `seal`, `consul`, `cluster-group` or `client-group`.
    #[schemars(extend("enum" = crate::net::flows::Node::KINDS))]
    kind: &'a str,
    /// As shown in tables: `primary-a`, `primary-a (load balancer)`, `apps-a (client)`.
    label: &'a str,
    /// A short name: the cluster's, `NAME-lb` for its load balancer, the client group's or
    /// the service's.
    key: &'a str,
    /// Its networks.
    cidrs: Vec<String>,
}

/// One allow rule, as JSON.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct JsonRule<'a> {
    /// Unique, named after the flow's purpose.
    name: &'a str,
    /// `ipv4` or `ipv6`.
    #[schemars(extend("enum" = ["ipv4", "ipv6"]))]
    family: &'a str,
    /// Who opens the connection.
    source: JsonEnd<'a>,
    /// Who accepts it.
    destination: JsonEnd<'a>,
    /// `tcp` or `udp`.
    #[schemars(extend("enum" = ["tcp", "udp"]))]
    protocol: &'a str,
    /// Destination ports.
    ports: Vec<u16>,
    /// Needed only after a failover.
    standby: bool,
    /// One line saying why it exists.
    comment: String,
    /// Every flow it allows, described.
    reasons: &'a [String],
}

/// What a stateless filter must also allow.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReturnTraffic {
    /// The source's ephemeral ports, `1024-65535`.
    ephemeral_ports: String,
    /// The explanation.
    note: &'static str,
}

/// The document of `vrt firewall --format json`.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt firewall --format json")]
struct JsonDoc<'a> {
    /// The topology's `name`.
    topology: &'a str,
    /// The file, as given on the command line.
    file: &'a str,
    /// Whether the standby flows are included (not with `--no-standby`).
    standby_included: bool,
    /// The return traffic of every rule.
    return_traffic: ReturnTraffic,
    /// The allow rules, deterministic and de-duplicated.
    rules: Vec<JsonRule<'a>>,
}

/// The draft-07 JSON Schema of `vrt firewall --format json` (`schemas/firewall.schema.json`):
/// the rules, or the findings document when the topology has errors.
pub fn schema() -> serde_json::Value {
    crate::report::json::plan_or_findings::<JsonDoc<'_>>("urn:vrt:schema:firewall:v1")
}

/// `{"topology","file","standby_included","return_traffic":{"ephemeral_ports","note"},"rules":[…]}`.
pub fn json(rules: &[FirewallRule], ctx: &Context<'_>) -> serde_json::Result<String> {
    let doc = JsonDoc {
        topology: ctx.topology,
        file: ctx.file,
        standby_included: ctx.standby,
        return_traffic: ReturnTraffic {
            ephemeral_ports: format!("{}-{}", EPHEMERAL_PORTS.0, EPHEMERAL_PORTS.1),
            note: RETURN_NOTE,
        },
        rules: rules
            .iter()
            .map(|r| JsonRule {
                name: &r.name,
                family: r.family.as_str(),
                source: JsonEnd {
                    kind: r.from.kind,
                    label: &r.from.label,
                    key: &r.from.key,
                    cidrs: r.sources.iter().map(ToString::to_string).collect(),
                },
                destination: JsonEnd {
                    kind: r.to.kind,
                    label: &r.to.label,
                    key: &r.to.key,
                    cidrs: r.destinations.iter().map(ToString::to_string).collect(),
                },
                protocol: r.protocol.as_str(),
                ports: r.ports.iter().copied().collect(),
                standby: r.standby,
                comment: r.comment(),
                reasons: &r.reasons,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}
