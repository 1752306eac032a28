//! The N-1 sweep (`vrt failover --all`): one row per single failure, as a terminal table,
//! Markdown, or JSON (`schemas/failover-sweep.schema.json`).

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::json::{JsonScenario, names, scenario_json};
use super::{client_name, cluster_name, table, term, wrap};
use crate::failover::{RecoveryPath, Sweep, SweepRow};
use crate::graph::Topology;
use crate::report::escape::{md_code, md_prose};

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

/// How a renderer writes a file-derived value into a cell: the terminal escaper for text,
/// a Markdown code span for Markdown.
type Cell = fn(&str) -> String;

/// How a renderer writes vrt's prose that quotes values in backticks (a scenario label such
/// as ``site `dc-a` (all of region `east`)``): [`text_label`] for text, [`md_prose`] for
/// Markdown, which escapes every part whatever backticks a value holds.
type Prose = fn(&str) -> String;

fn sweep_recovery(t: &Topology, row: &SweepRow<'_>, sep: &str, cell: Cell) -> String {
    if row.recoveries.is_empty() {
        return if row.lost.is_empty() {
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
                    format!("{} {}", r.path.as_str(), cell(t.name(to)))
                }
                (RecoveryPath::ClientsMove, Some(to)) => {
                    format!("clients move to {}", cell(t.name(to)))
                }
                _ => "none, restore from snapshots".to_string(),
            };
            format!("{}: {what}", cell(t.name(r.lost)))
        })
        .collect::<Vec<_>>()
        .join(sep)
}

fn cell_list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

fn sweep_rows(
    t: &Topology,
    rows: &Sweep,
    sep: &str,
    (cell, prose): (Cell, Prose),
) -> Vec<SweepTableRow> {
    rows.rows()
        .map(|r| SweepTableRow {
            scenario: prose(&r.label(t)),
            lost: cell_list(r.lost.iter().map(|c| cell(t.name(*c)))),
            recovery: sweep_recovery(t, &r, sep, cell),
            tokens: if r.tokens_preserved { "yes" } else { "no" },
            reauth: cell_list(r.reauthenticate.iter().map(|c| cell(&client_name(t, *c)))),
            without_dr: cell_list(r.without_dr.iter().map(|c| cell(t.name(*c)))),
        })
        .collect()
}

/// A value in the text table: shown as it is, hidden characters escaped.
fn text_cell(s: &str) -> String {
    term(s)
}

/// A scenario label in the text table: its names without their backticks (the columns set
/// them apart), hidden characters escaped.
fn text_label(s: &str) -> String {
    term(&s.replace('`', ""))
}

fn failing(rows: &Sweep) -> usize {
    rows.rows().filter(|r| !r.tokens_preserved).count()
}

/// Renders the N-1 sweep as a terminal table.
pub fn sweep_text(w: &mut dyn Write, t: &Topology, rows: &Sweep) -> io::Result<()> {
    writeln!(
        w,
        "N-1 sweep of {}: every single cluster, site and region loss\n",
        term(&t.model.name)
    )?;
    writeln!(
        w,
        "{}",
        table(sweep_rows(t, rows, "\n", (text_cell, text_label)))
    )?;
    write!(
        w,
        "\n{}",
        wrap(&sweep_summary(rows, &term(&before_text(t, rows))), 0)
    )
}

/// The sentence on the clusters without DR before any failure (the first eight named, each
/// in backticks as vrt's prose quotes values), or nothing when every serving cluster has
/// one. Escaped by the caller for its format.
fn before_text(t: &Topology, rows: &Sweep) -> String {
    let before = rows.without_dr_before();
    if before.is_empty() {
        return String::new();
    }
    let shown = crate::text::first_few(before.iter().map(|c| format!("`{}`", t.name(*c))), 8);
    format!(
        " Before any failure, {} serving {} no DR secondary ({shown}; VRT101): \"left without DR\" lists only the clusters each failure adds.",
        before.len(),
        if before.len() == 1 {
            "cluster has"
        } else {
            "clusters have"
        },
    )
}

fn sweep_summary(rows: &Sweep, before: &str) -> String {
    let bad = failing(rows);
    let mut summary = if bad == 0 {
        format!(
            "{} scenarios: every one is recovered without losing tokens (DR promotion or nothing to promote).",
            rows.len()
        )
    } else {
        format!(
            "{} scenarios: {bad} without a token-preserving recovery (performance promotion, clients moving, or nothing left). `vrt failover FILE --lose NAME` prints the runbook of one.",
            rows.len()
        )
    };
    summary.push_str(before);
    summary
}

/// Renders the N-1 sweep as a Markdown table.
pub fn sweep_markdown(w: &mut dyn Write, t: &Topology, rows: &Sweep) -> io::Result<()> {
    writeln!(w, "# N-1 sweep of {}\n", md_code(&t.model.name))?;
    let cells = sweep_rows(t, rows, "<br>", (md_code, md_prose))
        .into_iter()
        .map(|r| {
            vec![
                r.scenario,
                r.lost,
                r.recovery,
                r.tokens.to_string(),
                r.reauth,
                r.without_dr,
            ]
        });
    super::markdown_table(
        w,
        &[
            "scenario",
            "lost",
            "recovery",
            "tokens preserved",
            "must re-authenticate",
            "left without DR",
        ],
        cells,
    )?;
    writeln!(
        w,
        "\n{}",
        sweep_summary(rows, &md_prose(&before_text(t, rows)))
    )
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
    /// Serving clusters the failure leaves without a DR secondary, beyond
    /// `without_dr_before` (those are not repeated in every scenario).
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
    /// Serving clusters without a DR secondary before any failure (VRT101). After a
    /// failure, those that survive still have none: with a scenario's `without_dr`, they
    /// are every serving cluster without one.
    pub without_dr_before: Vec<String>,
    /// Every single failure: clusters, then sites, then regions of several sites.
    pub scenarios: Vec<JsonSweepRow>,
}

/// Renders the N-1 sweep as one JSON document ([`sweep_document`]), pretty-printed, with a
/// final newline.
pub fn sweep_json(w: &mut dyn Write, t: &Topology, rows: &Sweep) -> io::Result<()> {
    super::json::write(w, &sweep_document(t, rows))
}

/// Builds the JSON document of a sweep.
pub fn sweep_document(t: &Topology, rows: &Sweep) -> JsonSweep {
    JsonSweep {
        topology: t.model.name.clone(),
        all_tokens_preserved: failing(rows) == 0,
        without_dr_before: names(t, rows.without_dr_before()),
        scenarios: rows
            .rows()
            .map(|r| JsonSweepRow {
                scenario: scenario_json(t, &r.scenario(t)),
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
                without_dr: names(t, r.without_dr),
            })
            .collect(),
    }
}

/// The draft-07 JSON Schema of [`JsonSweep`] (`schemas/failover-sweep.schema.json`).
pub fn sweep_schema() -> serde_json::Value {
    crate::report::json::plan_or_findings::<JsonSweep>("urn:vrt:schema:failover-sweep:v1")
}
