//! Mount placement (`vrt mounts`): one row per mount with the clusters holding its data,
//! before or after a loss, as a terminal table, Markdown, CSV or JSON. Renders
//! [`crate::mounts::holders`]; computes nothing else.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;
use tabled::builder::Builder;
use tabled::settings::Style;

use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::mounts;
use crate::report::escape;

/// One mount as printed.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Its path.
    pub path: String,
    /// Its type, or empty.
    #[serde(rename = "type")]
    pub kind: String,
    /// The cluster it is mounted on.
    pub cluster: String,
    /// `shared` or `local`.
    #[schemars(extend("enum" = ["shared", "local"]))]
    pub scope: &'static str,
    /// The regions it may be stored in; empty for anywhere.
    pub regions: Vec<String>,
    /// The clusters holding its data (the survivors, after a loss).
    pub held_by: Vec<String>,
    /// The clusters that held it and are lost (after a loss only).
    pub lost_with: Vec<String>,
    /// What the placement does not show (PKI certificates, identity entities).
    pub note: String,
}

/// The rows, after the loss of `lost` (empty for the placement as declared).
pub fn rows(t: &Topology, lost: &BTreeSet<ClusterId>) -> Vec<Row> {
    mounts::mounts(t)
        .map(|(id, m)| {
            let all = mounts::holders(t, id);
            let name = |c: &ClusterId| t.name(*c).to_string();
            let note = if m.is_pki() && !m.local {
                "PKI: roles replicate; issued certificates stay on the cluster that issued them"
            } else if m.is_auth() && m.local {
                "local auth method: the entities it creates still replicate; its aliases stay on this cluster"
            } else {
                ""
            };
            Row {
                path: m.path.get().clone(),
                kind: m.kind.as_ref().map(|k| k.get().clone()).unwrap_or_default(),
                cluster: t.name(*m.cluster.get()).to_string(),
                scope: if m.local { "local" } else { "shared" },
                regions: m
                    .regions
                    .as_ref()
                    .map(|r| r.iter().map(|r| r.get().clone()).collect())
                    .unwrap_or_default(),
                held_by: all.iter().filter(|c| !lost.contains(c)).map(name).collect(),
                lost_with: all.iter().filter(|c| lost.contains(c)).map(name).collect(),
                note: note.to_string(),
            }
        })
        .collect()
}

/// The cells of a row, the values (paths, types, names) shown with `esc`.
fn cells(r: &Row, after_loss: bool, esc: impl Fn(&str) -> String) -> Vec<String> {
    let list = |names: &[String]| names.iter().map(|n| esc(n)).collect::<Vec<_>>().join(", ");
    let mut out = vec![
        esc(&r.path),
        if r.kind.is_empty() {
            "-".into()
        } else {
            esc(&r.kind)
        },
        esc(&r.cluster),
        r.scope.to_string(),
        if r.regions.is_empty() {
            "any".into()
        } else {
            list(&r.regions)
        },
        if r.held_by.is_empty() {
            "NONE: data lost".into()
        } else {
            list(&r.held_by)
        },
    ];
    if after_loss {
        out.push(if r.lost_with.is_empty() {
            "-".into()
        } else {
            list(&r.lost_with)
        });
    }
    out.push(r.note.clone());
    out
}

fn columns(after_loss: bool) -> Vec<&'static str> {
    let mut c = vec!["mount", "type", "cluster", "scope", "regions", "held by"];
    if after_loss {
        c.push("lost with");
    }
    c.push("note");
    c
}

/// A terminal table; values shown with [`escape::terminal`], the `note` column wrapped at
/// 40 characters.
pub fn table(rows: &[Row], after_loss: bool) -> String {
    let mut b = Builder::default();
    b.push_record(columns(after_loss));
    for r in rows {
        let mut cells = cells(r, after_loss, |v| escape::terminal(v).into_owned());
        if let Some(last) = cells.last_mut() {
            *last = crate::text::wrap(last, 40).join("\n");
        }
        b.push_record(cells);
    }
    let mut table = b.build();
    table.with(Style::sharp());
    format!("{table}\n")
}

/// A Markdown table; values escaped with [`escape::md_text`].
pub fn markdown(rows: &[Row], after_loss: bool) -> String {
    let mut b = Builder::default();
    b.push_record(columns(after_loss));
    for r in rows {
        b.push_record(cells(r, after_loss, escape::md_text));
    }
    let mut table = b.build();
    table.with(Style::markdown());
    format!("{table}\n")
}

/// CSV with a header line; lists are joined with `;`.
pub fn csv(rows: &[Row]) -> String {
    let mut out = super::csv::line(&[
        "mount",
        "type",
        "cluster",
        "scope",
        "regions",
        "held_by",
        "lost_with",
        "note",
    ]);
    for r in rows {
        out.push_str(&super::csv::line(&[
            r.path.as_str(),
            r.kind.as_str(),
            r.cluster.as_str(),
            r.scope,
            &r.regions.join(";"),
            &r.held_by.join(";"),
            &r.lost_with.join(";"),
            r.note.as_str(),
        ]));
    }
    out
}

/// The document of `vrt mounts --format json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt mounts --format json")]
pub struct JsonMounts<'a> {
    /// The topology's `name`.
    pub topology: &'a str,
    /// With `--after-loss`, the cluster, site or region lost; otherwise null.
    pub after_loss: Option<&'a str>,
    /// Every mount, in file order.
    pub mounts: &'a [Row],
}

/// `{"topology": NAME, "after_loss": NAME or null, "mounts": [Row…]}`.
pub fn json(topology: &str, after_loss: Option<&str>, rows: &[Row]) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(&JsonMounts {
        topology,
        after_loss,
        mounts: rows,
    })?;
    text.push('\n');
    Ok(text)
}

/// The draft-07 JSON Schema of `vrt mounts --format json` (`schemas/mounts.schema.json`):
/// the placement, or the findings document when the topology has errors.
pub fn schema() -> serde_json::Value {
    super::json::plan_or_findings::<JsonMounts<'_>>("urn:vrt:schema:mounts:v1")
}
