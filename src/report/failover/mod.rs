//! Rendering failover plans and the N-1 sweep: a terminal runbook (`text`), a runbook to
//! paste into a wiki or change ticket (`markdown`), and a JSON document for automation
//! (`json`) whose shape is the JSON Schema in `schemas/failover-plan.schema.json`
//! (`schemas/failover-sweep.schema.json` for the sweep of `--all`, rendered by `sweep`).
//! This file holds what the renderers share: names, lists, wrapping and the table rows.
//! Computes nothing.

mod json;
mod markdown;
mod sh;
mod sweep;
mod text;

use tabled::settings::Style;

pub use self::json::{
    JsonAfter, JsonClient, JsonCommand, JsonLost, JsonNode, JsonOn, JsonPath, JsonPlan,
    JsonRecovery, JsonScenario, JsonSet, JsonSource, JsonStep, document, json, plan_schema,
    schema_of,
};
pub use self::markdown::markdown;
pub(crate) use self::markdown::table as markdown_table;
pub use self::sh::sh;
pub use self::sweep::{
    JsonSweep, JsonSweepRecovery, JsonSweepRow, sweep_document, sweep_json, sweep_markdown,
    sweep_schema, sweep_text,
};
pub use self::text::text;
use crate::failover::{
    AfterCluster, ClientImpact, Command, Node, On, Plan, Recovery, RecoveryPath,
};
use crate::graph::Topology;
use crate::ids::{ClientId, ClusterId};

/// Width text output wraps prose at.
const WIDTH: usize = 100;

fn cluster_name(t: &Topology, c: ClusterId) -> String {
    t.name(c).to_string()
}

fn client_name(t: &Topology, c: ClientId) -> String {
    t.model.clients[c.0].name.get().clone()
}

fn node_name(t: &Topology, n: Node) -> String {
    match n {
        Node::Cluster(c) => cluster_name(t, c),
        Node::LoadBalancer(c) => format!("{}'s load balancer", cluster_name(t, c)),
        Node::Client(c) => client_name(t, c),
        Node::Service(s) => t.model.services[s.0].name.get().clone(),
        Node::Seal(c) => format!("{}'s seal endpoint", cluster_name(t, c)),
        Node::Consul(c) => format!("{}'s Consul", cluster_name(t, c)),
        Node::Group(_) => n.label(t),
    }
}

const fn node_kind(n: Node) -> &'static str {
    match n {
        Node::Cluster(_) => "cluster",
        Node::LoadBalancer(_) => "load-balancer",
        Node::Client(_) => "client",
        Node::Service(_) => "service",
        Node::Seal(_) => "seal",
        Node::Consul(_) => "consul",
        Node::Group(g) => g.kind(),
    }
}

fn on_label(t: &Topology, on: On) -> String {
    match on {
        On::Cluster(c) => format!("on {}", t.name(c)),
        On::Client(c) => format!("from the network of client {}", client_name(t, c)),
    }
}

/// `on dr-a`, `on dr-a: once reinstalled`.
fn command_header(t: &Topology, c: &Command) -> String {
    match &c.comment {
        Some(comment) => format!("{}: {comment}", on_label(t, c.on)),
        None => on_label(t, c.on),
    }
}

/// A file-derived value (or prose that carries one) for text output: hidden and control
/// characters shown escaped ([`crate::report::escape::terminal`]). Idempotent, so a value
/// escaped here renders the same through the Markdown escapers.
fn term(s: &str) -> String {
    crate::report::escape::terminal(s).into_owned()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

/// Cluster names for text output, escaped ([`term`]), or `-`.
fn cluster_list(t: &Topology, ids: &[ClusterId]) -> String {
    list(&ids.iter().map(|c| term(t.name(*c))).collect::<Vec<_>>())
}

fn version(t: &Topology, c: ClusterId) -> String {
    t.version(c)
        .map_or_else(|| "-".to_string(), ToString::to_string)
}

fn region(t: &Topology, c: ClusterId) -> String {
    t.region_of(t.site_of(c)).to_string()
}

fn site(t: &Topology, c: ClusterId) -> String {
    t.model.sites[t.site_of(c).0].name.get().clone()
}

/// `DR promotion of `dr-a``, `clients move to `x``, `none: restore from snapshots`.
fn recovery_summary(t: &Topology, r: &Recovery) -> String {
    match (r.path, r.to) {
        (RecoveryPath::DrPromotion | RecoveryPath::PerformancePromotion, Some(to)) => {
            let via = r
                .via
                .map(|v| format!(" (after its DR promotion in place of `{}`)", t.name(v)))
                .unwrap_or_default();
            format!("{} of `{}`{via}", r.path.as_str(), t.name(to))
        }
        (RecoveryPath::ClientsMove, Some(to)) => format!("clients move to `{}`", t.name(to)),
        _ => "none: restore from snapshots".to_string(),
    }
}

/// Wraps `text` at [`WIDTH`], every line indented by `indent`.
fn wrap(text: &str, indent: usize) -> String {
    hang("", text, indent)
}

/// Wraps `prefix` + `text` for text output; continuation lines align after the prefix.
pub(crate) fn hang_text(prefix: &str, text: &str, indent: usize) -> String {
    hang(prefix, text, indent)
}

/// Wraps `prefix` + `text` at [`WIDTH`] with `indent`; continuation lines align with the text
/// after `prefix` (a bullet or a step number). The one wrapper, [`crate::text::wrap`].
fn hang(prefix: &str, text: &str, indent: usize) -> String {
    let first = format!("{}{prefix}", " ".repeat(indent));
    let rest = " ".repeat(first.chars().count());
    let width = WIDTH.saturating_sub(first.chars().count());
    let mut out = String::new();
    for (i, line) in crate::text::wrap(text, width).iter().enumerate() {
        out.push_str(if i == 0 { &first } else { &rest });
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn indent_table(table: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for l in table.lines() {
        out.push_str(&pad);
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn table<R: tabled::Tabled>(rows: Vec<R>) -> String {
    let mut table = tabled::Table::new(rows);
    table.with(Style::sharp());
    table.to_string()
}

#[derive(tabled::Tabled)]
struct LostRow {
    cluster: String,
    role: &'static str,
    site: String,
    region: String,
    version: String,
}

#[derive(tabled::Tabled)]
struct ClientRow {
    client: String,
    site: String,
    #[tabled(rename = "used")]
    cluster: String,
    #[tabled(rename = "after the failover")]
    to: String,
    tokens: &'static str,
}

#[derive(tabled::Tabled)]
struct AfterRow {
    cluster: String,
    before: &'static str,
    after: &'static str,
    #[tabled(rename = "replicates from")]
    upstream: String,
    changed: &'static str,
}

fn lost_rows(t: &Topology, plan: &Plan) -> Vec<LostRow> {
    plan.scenario
        .lost
        .iter()
        .map(|c| LostRow {
            cluster: term(t.name(*c)),
            role: t.role(*c).as_str(),
            site: term(&site(t, *c)),
            region: term(&region(t, *c)),
            version: term(&version(t, *c)),
        })
        .collect()
}

fn client_rows(t: &Topology, clients: &[ClientImpact]) -> Vec<ClientRow> {
    clients
        .iter()
        .map(|c| ClientRow {
            client: term(&client_name(t, c.client)),
            site: format!(
                "{}{}",
                term(
                    t.model.sites[t.model.clients[c.client.0].site.get().0]
                        .name
                        .get()
                ),
                if c.site_lost { " (lost)" } else { "" }
            ),
            cluster: term(t.name(c.cluster)),
            to: c.to.map_or_else(|| "-".to_string(), |x| term(t.name(x))),
            tokens: c.tokens.as_str(),
        })
        .collect()
}

fn after_rows(t: &Topology, after: &[AfterCluster]) -> Vec<AfterRow> {
    after
        .iter()
        .map(|a| AfterRow {
            cluster: term(t.name(a.cluster)),
            before: a.before.as_str(),
            after: a.role.as_str(),
            upstream: a
                .upstream
                .map_or_else(|| "-".to_string(), |u| term(t.name(u))),
            changed: if a.changed { "yes" } else { "" },
        })
        .collect()
}

fn ports(p: &[u16]) -> String {
    p.iter()
        .map(|p| format!("{p}/tcp"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sources_line(sources: &[&str]) -> String {
    sources.join("; ")
}
