//! Rendering failover plans and the N-1 sweep: a terminal runbook (text), a runbook to paste
//! into a wiki or change ticket (Markdown), and a JSON document for automation whose shape
//! is the JSON Schema in `schemas/failover-plan.schema.json` (and
//! `schemas/failover-sweep.schema.json` for `--all`). Computes nothing.

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;
use tabled::settings::Style;

use crate::failover::{
    AfterCluster, ClientImpact, Command, Node, On, Phase, Plan, Recovery, RecoveryPath, SweepRow,
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
        Node::Client(c) => client_name(t, c),
        Node::Service(s) => t.model.services[s.0].name.get().clone(),
    }
}

const fn node_kind(n: Node) -> &'static str {
    match n {
        Node::Cluster(_) => "cluster",
        Node::Client(_) => "client",
        Node::Service(_) => "service",
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

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

fn cluster_list(t: &Topology, ids: &[ClusterId]) -> String {
    list(&ids.iter().map(|c| cluster_name(t, *c)).collect::<Vec<_>>())
}

fn client_list(t: &Topology, ids: &[ClientId]) -> String {
    list(&ids.iter().map(|c| client_name(t, *c)).collect::<Vec<_>>())
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
/// after `prefix` (a bullet or a step number).
fn hang(prefix: &str, text: &str, indent: usize) -> String {
    let first = format!("{}{prefix}", " ".repeat(indent));
    let rest = " ".repeat(indent + prefix.chars().count());
    let mut out = String::new();
    let mut line = String::new();
    let mut pad = first.as_str();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && pad.chars().count() + line.chars().count() + 1 + word.chars().count() > WIDTH
        {
            out.push_str(pad);
            out.push_str(&line);
            out.push('\n');
            line.clear();
            pad = rest.as_str();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(pad);
        out.push_str(&line);
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
            cluster: cluster_name(t, *c),
            role: t.role(*c).as_str(),
            site: site(t, *c),
            region: region(t, *c),
            version: version(t, *c),
        })
        .collect()
}

fn client_rows(t: &Topology, clients: &[ClientImpact]) -> Vec<ClientRow> {
    clients
        .iter()
        .map(|c| ClientRow {
            client: client_name(t, c.client),
            site: format!(
                "{}{}",
                t.model.sites[t.model.clients[c.client.0].site.get().0]
                    .name
                    .get(),
                if c.site_lost { " (lost)" } else { "" }
            ),
            cluster: cluster_name(t, c.cluster),
            to: c.to.map_or_else(|| "-".to_string(), |x| cluster_name(t, x)),
            tokens: c.tokens.as_str(),
        })
        .collect()
}

fn after_rows(t: &Topology, after: &[AfterCluster]) -> Vec<AfterRow> {
    after
        .iter()
        .map(|a| AfterRow {
            cluster: cluster_name(t, a.cluster),
            before: a.before.as_str(),
            after: a.role.as_str(),
            upstream: a
                .upstream
                .map_or_else(|| "-".to_string(), |u| cluster_name(t, u)),
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

/// Renders a plan as a terminal runbook.
pub fn text(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(
        w,
        "Failover runbook for {}: loss of {}\n",
        t.model.name, plan.scenario.label
    )?;
    text_lost(w, t, plan)?;
    text_recovery(w, t, plan)?;
    text_steps(w, t, plan)?;
    text_after(w, t, plan)?;
    text_footer(w, plan)?;
    Ok(())
}

fn text_lost(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "1. What is lost\n")?;
    if plan.scenario.lost.is_empty() {
        write!(
            w,
            "{}",
            wrap("No Vault cluster is lost; nothing to fail over.", 2)
        )?;
    } else {
        write!(w, "{}", indent_table(&table(lost_rows(t, plan)), 2))?;
    }
    if !plan.clients.is_empty() {
        writeln!(w, "\n  Clients of lost clusters:")?;
        write!(
            w,
            "{}",
            indent_table(&table(client_rows(t, &plan.clients)), 2)
        )?;
    }
    if !plan.sets.is_empty() {
        writeln!(w, "\n  Replication sets:")?;
        for s in &plan.sets {
            write!(
                w,
                "{}",
                hang(
                    "- ",
                    &format!(
                        "set of `{}`: {} (lost: {}); {}",
                        t.name(s.root),
                        s.status.as_str(),
                        cluster_list(t, &s.lost),
                        s.note
                    ),
                    2
                )
            )?;
        }
    }
    Ok(())
}

fn text_recovery(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "\n2. Recovery\n")?;
    if plan.recoveries.is_empty() {
        write!(
            w,
            "{}",
            wrap(
                "No primary or performance secondary is lost: nothing needs promoting.",
                2
            )
        )?;
    }
    for r in &plan.recoveries {
        writeln!(
            w,
            "  `{}` ({}): {}; tokens preserved: {}",
            t.name(r.lost),
            t.role(r.lost).as_str(),
            recovery_summary(t, r),
            if r.tokens_preserved { "yes" } else { "no" }
        )?;
        write!(w, "{}", wrap(&r.why, 4))?;
    }
    Ok(())
}

fn text_steps(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "\n3. Steps")?;
    if plan.steps.is_empty() {
        write!(w, "\n{}", wrap("None.", 2))?;
    }
    let mut phase = None;
    let digits = plan.steps.len().to_string().len();
    let body = 2 + digits + 2;
    for (i, s) in plan.steps.iter().enumerate() {
        if phase == Some(s.phase) {
            writeln!(w)?;
        } else {
            writeln!(w, "\n  {}\n", s.phase.title())?;
            phase = Some(s.phase);
        }
        write!(
            w,
            "{}",
            hang(
                &format!("{:>digits$}. ", i + 1),
                &format!("{} [{}]", s.title, sources_line(&s.sources)),
                2
            )
        )?;
        for p in &s.text {
            write!(w, "{}", wrap(p, body))?;
        }
        for c in &s.commands {
            write_command_text(w, t, c, body + 2)?;
        }
    }
    Ok(())
}

fn text_after(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "\n4. After the failover\n")?;
    write!(w, "{}", indent_table(&table(after_rows(t, &plan.after)), 2))?;
    writeln!(
        w,
        "\n  Left without a DR secondary: {}",
        cluster_list(t, &plan.without_dr)
    )?;
    if plan.live_paths.is_empty() {
        writeln!(w, "  Network paths now live: none")?;
    } else {
        writeln!(w, "  Network paths now live:")?;
        for p in &plan.live_paths {
            write!(
                w,
                "{}",
                hang(
                    "- ",
                    &format!(
                        "{} -> {} {}{}: {}",
                        node_name(t, p.from),
                        node_name(t, p.to),
                        ports(&p.ports),
                        if p.both_ways { " (both ways)" } else { "" },
                        p.why
                    ),
                    4
                )
            )?;
        }
    }
    Ok(())
}

fn text_footer(w: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    if !plan.warnings.is_empty() {
        writeln!(w, "\nWarnings\n")?;
        for warning in &plan.warnings {
            write!(w, "{}", hang("- ", warning, 2))?;
        }
    }
    let sources = plan.sources();
    if !sources.is_empty() {
        writeln!(w, "\nSources\n")?;
        for (key, what) in sources {
            write!(w, "{}", hang("- ", &format!("{key}: {what}"), 2))?;
        }
    }
    Ok(())
}

fn write_command_text(
    w: &mut dyn Write,
    t: &Topology,
    c: &Command,
    indent: usize,
) -> io::Result<()> {
    let pad = " ".repeat(indent);
    writeln!(w)?;
    writeln!(w, "{pad}# {}", command_header(t, c))?;
    for line in c.line.lines() {
        writeln!(w, "{pad}{line}")?;
    }
    Ok(())
}

/// Renders a plan as a Markdown runbook.
pub fn markdown(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "# Failover runbook: loss of {}\n", plan.scenario.label)?;
    writeln!(
        w,
        "Topology `{}`. Generated by `vrt failover`; every step cites the sources it rests on (listed at the end).\n",
        t.model.name
    )?;
    md_lost(w, t, plan)?;
    md_recovery(w, t, plan)?;
    md_steps(w, t, plan)?;
    md_after(w, t, plan)?;
    md_footer(w, plan)?;
    Ok(())
}

fn md_lost(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "## 1. What is lost\n")?;
    if plan.scenario.lost.is_empty() {
        writeln!(w, "No Vault cluster is lost; nothing to fail over.\n")?;
    } else {
        writeln!(w, "| cluster | role | site | region | version |")?;
        writeln!(w, "|---|---|---|---|---|")?;
        for r in lost_rows(t, plan) {
            writeln!(
                w,
                "| `{}` | {} | {} | {} | {} |",
                r.cluster, r.role, r.site, r.region, r.version
            )?;
        }
        writeln!(w)?;
    }
    if !plan.clients.is_empty() {
        writeln!(w, "**Clients of lost clusters**\n")?;
        writeln!(w, "| client | site | used | after the failover | tokens |")?;
        writeln!(w, "|---|---|---|---|---|")?;
        for r in client_rows(t, &plan.clients) {
            writeln!(
                w,
                "| `{}` | {} | `{}` | {} | {} |",
                r.client,
                r.site,
                r.cluster,
                if r.to == "-" {
                    r.to
                } else {
                    format!("`{}`", r.to)
                },
                r.tokens
            )?;
        }
        writeln!(w)?;
    }
    if !plan.sets.is_empty() {
        writeln!(w, "**Replication sets**\n")?;
        writeln!(w, "| set of | lost | status | what still serves |")?;
        writeln!(w, "|---|---|---|---|")?;
        for s in &plan.sets {
            writeln!(
                w,
                "| `{}` | {} | {} | {} |",
                t.name(s.root),
                md_list(t, &s.lost),
                s.status.as_str(),
                s.note
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn md_recovery(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "## 2. Recovery\n")?;
    if plan.recoveries.is_empty() {
        writeln!(
            w,
            "No primary or performance secondary is lost: nothing needs promoting.\n"
        )?;
    }
    for r in &plan.recoveries {
        writeln!(
            w,
            "### `{}` ({}): {}\n",
            t.name(r.lost),
            t.role(r.lost).as_str(),
            recovery_summary(t, r)
        )?;
        writeln!(
            w,
            "Tokens preserved: **{}**. {}\n",
            if r.tokens_preserved { "yes" } else { "no" },
            r.why
        )?;
    }
    Ok(())
}

fn md_steps(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "## 3. Steps\n")?;
    if plan.steps.is_empty() {
        writeln!(w, "None.\n")?;
    }
    let mut phase: Option<Phase> = None;
    for (i, s) in plan.steps.iter().enumerate() {
        if phase != Some(s.phase) {
            writeln!(w, "### {}\n", s.phase.title())?;
            phase = Some(s.phase);
        }
        writeln!(
            w,
            "#### {}. {}\n\n*Sources: {}*\n",
            i + 1,
            s.title,
            sources_line(&s.sources)
        )?;
        for p in &s.text {
            writeln!(w, "{p}\n")?;
        }
        if !s.commands.is_empty() {
            writeln!(w, "```sh")?;
            for c in &s.commands {
                writeln!(w, "# {}\n{}", command_header(t, c), c.line)?;
            }
            writeln!(w, "```\n")?;
        }
    }
    Ok(())
}

fn md_after(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "## 4. After the failover\n")?;
    writeln!(
        w,
        "| cluster | before | after | replicates from | changed |"
    )?;
    writeln!(w, "|---|---|---|---|---|")?;
    for r in after_rows(t, &plan.after) {
        writeln!(
            w,
            "| `{}` | {} | {} | {} | {} |",
            r.cluster,
            r.before,
            r.after,
            if r.upstream == "-" {
                r.upstream
            } else {
                format!("`{}`", r.upstream)
            },
            r.changed
        )?;
    }
    writeln!(
        w,
        "\n**Left without a DR secondary:** {}\n",
        md_list(t, &plan.without_dr)
    )?;
    if plan.live_paths.is_empty() {
        writeln!(w, "**Network paths now live:** none\n")?;
    } else {
        writeln!(w, "**Network paths now live**\n")?;
        writeln!(w, "| from | to | ports | both ways | what |")?;
        writeln!(w, "|---|---|---|---|---|")?;
        for p in &plan.live_paths {
            writeln!(
                w,
                "| `{}` | `{}` | {} | {} | {} |",
                node_name(t, p.from),
                node_name(t, p.to),
                ports(&p.ports),
                if p.both_ways { "yes" } else { "no" },
                p.why
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn md_footer(w: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    if !plan.warnings.is_empty() {
        writeln!(w, "## Warnings\n")?;
        for warning in &plan.warnings {
            writeln!(w, "- {warning}")?;
        }
        writeln!(w)?;
    }
    let sources = plan.sources();
    if !sources.is_empty() {
        writeln!(w, "## Sources\n")?;
        for (key, what) in sources {
            writeln!(w, "- **{key}**: {what}")?;
        }
    }
    Ok(())
}

fn md_list(t: &Topology, ids: &[ClusterId]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.iter()
            .map(|c| format!("`{}`", t.name(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The failure of a scenario, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonScenario {
    /// `cluster`, `site` or `region`.
    pub kind: &'static str,
    /// The name of the cluster, site or region.
    pub name: String,
    /// Human label, e.g. "site `dc-a`".
    pub label: String,
    /// Clusters it takes out, in file order.
    pub lost_clusters: Vec<String>,
    /// Sites it takes out whole.
    pub lost_sites: Vec<String>,
}

/// A lost cluster, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonLost {
    /// Its name.
    pub cluster: String,
    /// `primary`, `performance-secondary` or `dr-secondary`.
    pub role: &'static str,
    /// Its site.
    pub site: String,
    /// Its region.
    pub region: String,
    /// Its Vault version, when the file gives one.
    pub version: Option<String>,
}

/// A replication set the failure touches, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSet {
    /// Its primary.
    pub primary: String,
    /// Its lost clusters.
    pub lost: Vec<String>,
    /// `serving`, `serving-after-recovery` or `lost`.
    pub status: &'static str,
    /// What still serves.
    pub note: String,
}

/// A client of a lost cluster, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonClient {
    /// The client.
    pub client: String,
    /// Its site.
    pub site: String,
    /// Whether its site is lost too.
    pub site_lost: bool,
    /// The lost cluster it used.
    pub cluster: String,
    /// The cluster it uses after the failover, if any.
    pub after: Option<String>,
    /// `kept`, `re-authenticate` or `no-service`.
    pub tokens: &'static str,
}

/// A recovery, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonRecovery {
    /// The lost cluster.
    pub lost: String,
    /// Its role.
    pub role: &'static str,
    /// `dr-promotion`, `performance-promotion`, `clients-move` or `none`.
    pub path: &'static str,
    /// The cluster that takes over, if any.
    pub to: Option<String>,
    /// For a two-step performance promotion: the lost performance secondary `to` replaced
    /// first by DR promotion.
    pub via: Option<String>,
    /// Every candidate, best first.
    pub candidates: Vec<String>,
    /// Whether the lost cluster's tokens and leases survive.
    pub tokens_preserved: bool,
    /// Its clients that must re-authenticate.
    pub reauthenticate: Vec<String>,
    /// Why, citing source keys.
    pub why: String,
}

/// Where a command runs, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonOn {
    /// `cluster` (against its API) or `client` (from its network).
    pub kind: &'static str,
    /// The cluster or client.
    pub name: String,
}

/// A command, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonCommand {
    /// Where it runs.
    pub on: JsonOn,
    /// A remark, if any.
    pub comment: Option<String>,
    /// The shell command (several lines for a heredoc).
    pub line: String,
}

/// A step, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonStep {
    /// 1-based; the text refers to steps by this number.
    pub number: usize,
    /// `prepare`, `failover` or `later`.
    pub phase: &'static str,
    /// What it does.
    pub title: String,
    /// Paragraphs.
    pub text: Vec<String>,
    /// Commands, in order.
    pub commands: Vec<JsonCommand>,
    /// Source keys.
    pub sources: Vec<&'static str>,
}

/// A cluster after the failover, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonAfter {
    /// The cluster.
    pub cluster: String,
    /// Its role before.
    pub before: &'static str,
    /// Its role after: `primary`, `performance-secondary`, `dr-secondary` or `lost`.
    pub role: &'static str,
    /// What it replicates from after the failover.
    pub replicates_from: Option<String>,
    /// Whether its role or upstream changed.
    pub changed: bool,
}

/// An end of a network path, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonNode {
    /// `cluster`, `client` or `service`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
}

/// A network path now live, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonPath {
    /// Who connects.
    pub from: JsonNode,
    /// To whom.
    pub to: JsonNode,
    /// TCP ports.
    pub ports: Vec<u16>,
    /// Whether to open it both ways.
    pub both_ways: bool,
    /// What flows over it.
    pub why: String,
}

/// A cited source, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSource {
    /// The source key (`API-DR`).
    pub key: &'static str,
    /// What and where it is.
    pub reference: &'static str,
}

/// A failover plan as JSON (`vrt failover --lose NAME --format json`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt failover plan (v1)")]
pub struct JsonPlan {
    /// The topology's name.
    pub topology: String,
    /// The failure.
    pub scenario: JsonScenario,
    /// Whether every lost cluster's tokens and leases survive.
    pub tokens_preserved: bool,
    /// Every client that must re-authenticate.
    pub reauthenticate: Vec<String>,
    /// The lost clusters.
    pub lost: Vec<JsonLost>,
    /// Replication sets the failure touches.
    pub sets: Vec<JsonSet>,
    /// Clients of lost clusters.
    pub clients: Vec<JsonClient>,
    /// One recovery per lost primary or performance secondary, upstream first.
    pub recoveries: Vec<JsonRecovery>,
    /// The ordered steps.
    pub steps: Vec<JsonStep>,
    /// Every cluster after the failover.
    pub after: Vec<JsonAfter>,
    /// Serving clusters left without a DR secondary.
    pub without_dr: Vec<String>,
    /// Network paths now live.
    pub live_paths: Vec<JsonPath>,
    /// What to check or fill in.
    pub warnings: Vec<String>,
    /// Sources cited.
    pub sources: Vec<JsonSource>,
}

fn names(t: &Topology, ids: &[ClusterId]) -> Vec<String> {
    ids.iter().map(|c| cluster_name(t, *c)).collect()
}

fn scenario_json(t: &Topology, s: &crate::failover::Scenario) -> JsonScenario {
    JsonScenario {
        kind: s.failure.kind(),
        name: t.failure_name(&s.failure).to_string(),
        label: s.label.clone(),
        lost_clusters: names(t, &s.lost),
        lost_sites: s
            .sites
            .iter()
            .map(|x| t.model.sites[x.0].name.get().clone())
            .collect(),
    }
}

fn recovery_json(t: &Topology, r: &Recovery) -> JsonRecovery {
    JsonRecovery {
        lost: cluster_name(t, r.lost),
        role: t.role(r.lost).as_str(),
        path: r.path.key(),
        to: r.to.map(|c| cluster_name(t, c)),
        via: r.via.map(|c| cluster_name(t, c)),
        candidates: names(t, &r.candidates),
        tokens_preserved: r.tokens_preserved,
        reauthenticate: r
            .reauthenticate
            .iter()
            .map(|c| client_name(t, *c))
            .collect(),
        why: r.why.clone(),
    }
}

/// Builds the JSON document of a plan.
#[allow(clippy::too_many_lines)] // one struct literal, mapping the plan field by field
pub fn json(t: &Topology, plan: &Plan) -> JsonPlan {
    JsonPlan {
        topology: t.model.name.clone(),
        scenario: scenario_json(t, &plan.scenario),
        tokens_preserved: plan.tokens_preserved(),
        reauthenticate: plan
            .reauthenticate()
            .iter()
            .map(|c| client_name(t, *c))
            .collect(),
        lost: plan
            .scenario
            .lost
            .iter()
            .map(|c| JsonLost {
                cluster: cluster_name(t, *c),
                role: t.role(*c).as_str(),
                site: site(t, *c),
                region: region(t, *c),
                version: t.version(*c).map(ToString::to_string),
            })
            .collect(),
        sets: plan
            .sets
            .iter()
            .map(|s| JsonSet {
                primary: cluster_name(t, s.root),
                lost: names(t, &s.lost),
                status: s.status.key(),
                note: s.note.clone(),
            })
            .collect(),
        clients: plan
            .clients
            .iter()
            .map(|c| JsonClient {
                client: client_name(t, c.client),
                site: t.model.sites[t.model.clients[c.client.0].site.get().0]
                    .name
                    .get()
                    .clone(),
                site_lost: c.site_lost,
                cluster: cluster_name(t, c.cluster),
                after: c.to.map(|x| cluster_name(t, x)),
                tokens: c.tokens.key(),
            })
            .collect(),
        recoveries: plan
            .recoveries
            .iter()
            .map(|r| recovery_json(t, r))
            .collect(),
        steps: plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| JsonStep {
                number: i + 1,
                phase: s.phase.key(),
                title: s.title.clone(),
                text: s.text.clone(),
                commands: s
                    .commands
                    .iter()
                    .map(|c| JsonCommand {
                        on: match c.on {
                            On::Cluster(x) => JsonOn {
                                kind: "cluster",
                                name: cluster_name(t, x),
                            },
                            On::Client(x) => JsonOn {
                                kind: "client",
                                name: client_name(t, x),
                            },
                        },
                        comment: c.comment.clone(),
                        line: c.line.clone(),
                    })
                    .collect(),
                sources: s.sources.clone(),
            })
            .collect(),
        after: plan
            .after
            .iter()
            .map(|a| JsonAfter {
                cluster: cluster_name(t, a.cluster),
                before: a.before.as_str(),
                role: a.role.as_str(),
                replicates_from: a.upstream.map(|u| cluster_name(t, u)),
                changed: a.changed,
            })
            .collect(),
        without_dr: names(t, &plan.without_dr),
        live_paths: plan
            .live_paths
            .iter()
            .map(|p| JsonPath {
                from: JsonNode {
                    kind: node_kind(p.from),
                    name: node_name(t, p.from),
                },
                to: JsonNode {
                    kind: node_kind(p.to),
                    name: node_name(t, p.to),
                },
                ports: p.ports.clone(),
                both_ways: p.both_ways,
                why: p.why.clone(),
            })
            .collect(),
        warnings: plan.warnings.clone(),
        sources: plan
            .sources()
            .into_iter()
            .map(|(key, reference)| JsonSource { key, reference })
            .collect(),
    }
}

// The sweep ---------------------------------------------------------------------------

#[derive(tabled::Tabled)]
struct SweepTableRow {
    scenario: String,
    lost: String,
    recovery: String,
    #[tabled(rename = "tokens preserved")]
    tokens: &'static str,
    #[tabled(rename = "must re-authenticate")]
    reauth: String,
    #[tabled(rename = "left without DR")]
    without_dr: String,
}

fn sweep_recovery(t: &Topology, row: &SweepRow, sep: &str) -> String {
    if row.recoveries.is_empty() {
        return if row.scenario.lost.is_empty() {
            "nothing lost".to_string()
        } else {
            "none needed".to_string()
        };
    }
    row.recoveries
        .iter()
        .map(|r| {
            let what = match (r.path, r.to) {
                (RecoveryPath::DrPromotion | RecoveryPath::PerformancePromotion, Some(to)) => {
                    format!("{} {}", r.path.as_str(), t.name(to))
                }
                (RecoveryPath::ClientsMove, Some(to)) => format!("clients move to {}", t.name(to)),
                _ => "none, restore from snapshots".to_string(),
            };
            format!("{}: {what}", t.name(r.lost))
        })
        .collect::<Vec<_>>()
        .join(sep)
}

fn sweep_rows(t: &Topology, rows: &[SweepRow], sep: &str) -> Vec<SweepTableRow> {
    rows.iter()
        .map(|r| SweepTableRow {
            scenario: r.scenario.label.replace('`', ""),
            lost: cluster_list(t, &r.scenario.lost),
            recovery: sweep_recovery(t, r, sep),
            tokens: if r.tokens_preserved { "yes" } else { "no" },
            reauth: client_list(t, &r.reauthenticate),
            without_dr: cluster_list(t, &r.without_dr),
        })
        .collect()
}

fn failing(rows: &[SweepRow]) -> usize {
    rows.iter().filter(|r| !r.tokens_preserved).count()
}

/// Renders the N-1 sweep as a terminal table.
pub fn sweep_text(w: &mut dyn Write, t: &Topology, rows: &[SweepRow]) -> io::Result<()> {
    writeln!(
        w,
        "N-1 sweep of {}: every single cluster, site and region loss\n",
        t.model.name
    )?;
    writeln!(w, "{}", table(sweep_rows(t, rows, "\n")))?;
    write!(w, "\n{}", wrap(&sweep_summary(rows), 0))
}

fn sweep_summary(rows: &[SweepRow]) -> String {
    let bad = failing(rows);
    if bad == 0 {
        format!(
            "{} scenarios: every one is recovered without losing tokens (DR promotion or nothing to promote).",
            rows.len()
        )
    } else {
        format!(
            "{} scenarios: {bad} without a token-preserving recovery (performance promotion, clients moving, or nothing left). `vrt failover FILE --lose NAME` prints the runbook of one.",
            rows.len()
        )
    }
}

/// Renders the N-1 sweep as a Markdown table.
pub fn sweep_markdown(w: &mut dyn Write, t: &Topology, rows: &[SweepRow]) -> io::Result<()> {
    writeln!(w, "# N-1 sweep of `{}`\n", t.model.name)?;
    writeln!(
        w,
        "| scenario | lost | recovery | tokens preserved | must re-authenticate | left without DR |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|")?;
    for r in sweep_rows(t, rows, "<br>") {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            r.scenario, r.lost, r.recovery, r.tokens, r.reauth, r.without_dr
        )?;
    }
    writeln!(w, "\n{}", sweep_summary(rows))
}

/// A recovery in the sweep, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSweepRecovery {
    /// The lost cluster.
    pub lost: String,
    /// `dr-promotion`, `performance-promotion`, `clients-move` or `none`.
    pub path: &'static str,
    /// The cluster that takes over, if any.
    pub to: Option<String>,
    /// For a two-step performance promotion: the performance secondary replaced first.
    pub via: Option<String>,
    /// Whether the lost cluster's tokens survive.
    pub tokens_preserved: bool,
}

/// One scenario of the sweep, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSweepRow {
    /// The failure.
    pub scenario: JsonScenario,
    /// Its recoveries, upstream first.
    pub recoveries: Vec<JsonSweepRecovery>,
    /// Whether every lost cluster's tokens survive.
    pub tokens_preserved: bool,
    /// Clients that must re-authenticate.
    pub reauthenticate: Vec<String>,
    /// Serving clusters left without a DR secondary.
    pub without_dr: Vec<String>,
}

/// The N-1 sweep as JSON (`vrt failover --all --format json`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt failover sweep (v1)")]
pub struct JsonSweep {
    /// The topology's name.
    pub topology: String,
    /// Whether every scenario keeps every token (what `--require-dr-recovery` demands).
    pub all_tokens_preserved: bool,
    /// Every single failure: clusters, then sites, then regions of several sites.
    pub scenarios: Vec<JsonSweepRow>,
}

/// Builds the JSON document of a sweep.
pub fn sweep_json(t: &Topology, rows: &[SweepRow]) -> JsonSweep {
    JsonSweep {
        topology: t.model.name.clone(),
        all_tokens_preserved: failing(rows) == 0,
        scenarios: rows
            .iter()
            .map(|r| JsonSweepRow {
                scenario: scenario_json(t, &r.scenario),
                recoveries: r
                    .recoveries
                    .iter()
                    .map(|x| JsonSweepRecovery {
                        lost: cluster_name(t, x.lost),
                        path: x.path.key(),
                        to: x.to.map(|c| cluster_name(t, c)),
                        via: x.via.map(|c| cluster_name(t, c)),
                        tokens_preserved: x.tokens_preserved,
                    })
                    .collect(),
                tokens_preserved: r.tokens_preserved,
                reauthenticate: r
                    .reauthenticate
                    .iter()
                    .map(|c| client_name(t, *c))
                    .collect(),
                without_dr: names(t, &r.without_dr),
            })
            .collect(),
    }
}

/// The draft-07 JSON Schema of [`JsonPlan`] (`schemas/failover-plan.schema.json`).
pub fn plan_schema() -> serde_json::Value {
    schema_of::<JsonPlan>("urn:vrt:schema:failover-plan:v1")
}

/// The draft-07 JSON Schema of [`JsonSweep`] (`schemas/failover-sweep.schema.json`).
pub fn sweep_schema() -> serde_json::Value {
    schema_of::<JsonSweep>("urn:vrt:schema:failover-sweep:v1")
}

/// A draft-07 schema of `T` with the given `$id`.
pub fn schema_of<T: JsonSchema>(id: &str) -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".into(), serde_json::Value::String(id.into()));
    }
    value
}
