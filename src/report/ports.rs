//! The port matrix (`vrt ports`): one row per flow, as a terminal table, Markdown, CSV or
//! JSON. Renders [`crate::net::flows::flows`]; computes nothing.

use schemars::JsonSchema;
use serde::Serialize;
use tabled::builder::Builder;
use tabled::settings::Style;

use crate::graph::Topology;
use crate::net::flows::Flow;
use crate::report::escape;

/// One flow as printed.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Who opens the connection (`primary-a`, `apps-a (client)`).
    pub source: String,
    /// `cluster`, `load-balancer`, `client`, `service`, `seal`, `consul`, `cluster-group` or `client-group`.
    #[schemars(extend("enum" = crate::net::flows::Node::KINDS))]
    pub source_kind: &'static str,
    /// Who accepts it.
    pub destination: String,
    /// `cluster`, `load-balancer`, `client`, `service`, `seal`, `consul`, `cluster-group` or `client-group`.
    #[schemars(extend("enum" = crate::net::flows::Node::KINDS))]
    pub destination_kind: &'static str,
    /// Destination port.
    #[schemars(range(min = 1))]
    pub port: u16,
    /// `tcp`.
    #[schemars(extend("enum" = ["tcp", "udp"]))]
    pub protocol: &'static str,
    /// `bidirectional`, `inbound`, `internal` or `outbound` (the port reference's column).
    #[schemars(extend("enum" = ["bidirectional", "inbound", "internal", "outbound"]))]
    pub direction: &'static str,
    /// What it carries.
    #[schemars(extend("enum" = crate::net::flows::Purpose::LABELS))]
    pub purpose: &'static str,
    /// Needed only after a failover (and must be open before it).
    pub standby: bool,
    /// Why it exists.
    pub why: String,
}

/// The rows, in the planner's order.
pub fn rows(t: &Topology, flows: &[Flow]) -> Vec<Row> {
    flows
        .iter()
        .map(|f| Row {
            source: f.from.label(t),
            source_kind: f.from.kind(),
            destination: f.to.label(t),
            destination_kind: f.to.kind(),
            port: f.port,
            protocol: f.protocol.as_str(),
            direction: f.direction.as_str(),
            purpose: f.purpose.as_str(),
            standby: f.standby,
            why: f.why(t),
        })
        .collect()
}

const COLUMNS: [&str; 8] = [
    "source",
    "destination",
    "port",
    "protocol",
    "direction",
    "purpose",
    "standby",
    "why",
];

/// The cells of a row, the values (names, and the `why` that quotes them) shown with `esc`.
fn cells(r: &Row, esc: impl Fn(&str) -> String) -> [String; 8] {
    [
        esc(&r.source),
        esc(&r.destination),
        r.port.to_string(),
        r.protocol.to_string(),
        r.direction.to_string(),
        r.purpose.to_string(),
        if r.standby { "standby" } else { "-" }.to_string(),
        esc(&r.why),
    ]
}

/// A terminal table; values shown with [`escape::terminal`], the `why` column wrapped at 60
/// characters.
pub fn table(rows: &[Row]) -> String {
    let mut b = Builder::default();
    b.push_record(COLUMNS);
    for r in rows {
        let mut cells = cells(r, |v| escape::terminal(v).into_owned());
        cells[7] = crate::text::wrap(&cells[7], 60).join("\n");
        b.push_record(cells);
    }
    let mut table = b.build();
    table.with(Style::sharp());
    format!("{table}\n")
}

/// A Markdown table; values escaped with [`escape::md_text`].
pub fn markdown(rows: &[Row]) -> String {
    let mut b = Builder::default();
    b.push_record(COLUMNS);
    for r in rows {
        b.push_record(cells(r, escape::md_text));
    }
    let mut table = b.build();
    table.with(Style::markdown());
    format!("{table}\n")
}

/// CSV with a header line; `standby` is `true` or `false`.
pub fn csv(rows: &[Row]) -> String {
    let mut out = super::csv::line(&[
        "source",
        "source_kind",
        "destination",
        "destination_kind",
        "port",
        "protocol",
        "direction",
        "purpose",
        "standby",
        "why",
    ]);
    for r in rows {
        out.push_str(&super::csv::line(&[
            r.source.as_str(),
            r.source_kind,
            r.destination.as_str(),
            r.destination_kind,
            &r.port.to_string(),
            r.protocol,
            r.direction,
            r.purpose,
            if r.standby { "true" } else { "false" },
            r.why.as_str(),
        ]));
    }
    out
}

/// The document of `vrt ports --format json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt ports --format json")]
pub struct JsonPorts<'a> {
    /// The topology's `name`.
    pub topology: &'a str,
    /// Every flow the topology needs, in the planner's order.
    pub flows: &'a [Row],
}

/// `{"topology": NAME, "flows": [Row…]}`.
pub fn json(topology: &str, rows: &[Row]) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(&JsonPorts {
        topology,
        flows: rows,
    })?;
    text.push('\n');
    Ok(text)
}

/// The draft-07 JSON Schema of `vrt ports --format json` (`schemas/ports.schema.json`): the
/// flows, or the findings document when the topology has errors.
pub fn schema() -> serde_json::Value {
    super::json::plan_or_findings::<JsonPorts<'_>>("urn:vrt:schema:ports:v1")
}
