//! JSON output of findings: a contract other tools read.
//!
//! `{"findings":[{"file","code","name","severity","message","line","column","end_line",
//! "end_column","help"}],"summary":{"files","errors","warnings","notes","suppressed"},
//! "suppressed":[{…the finding's keys…,"reason"}]}`: lines and columns are 1-based, columns
//! count characters, and `end_column` is one past the last character. `suppressed` lists the
//! findings the file's `ignore` entries suppressed, with the entry's reason.
//!
//! Also the findings document a planner prints with `--format json` when the topology has
//! errors ([`findings_document`]), and the JSON Schemas of both ([`schema`],
//! [`plan_or_findings`]), committed in `schemas/`.

use std::collections::BTreeMap;
use std::io::Write;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::{FileReport, Summary, SuppressedReport};
use crate::diag::Finding;
use crate::graph::Topology;
use crate::source::Source;

/// One finding as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonFinding<'a> {
    /// The file, as given on the command line.
    pub file: &'a str,
    /// Stable code (`vrt explain CODE`).
    #[schemars(regex(pattern = r"^VRT[0-9]{3}$"))]
    pub code: &'static str,
    /// Rule name.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub name: &'static str,
    /// `error`, `warning` or `note`.
    #[schemars(extend("enum" = ["error", "warning", "note"]))]
    pub severity: &'static str,
    /// What is wrong.
    pub message: &'a str,
    /// 1-based line.
    #[schemars(range(min = 1))]
    pub line: usize,
    /// 1-based column, counted in characters.
    #[schemars(range(min = 1))]
    pub column: usize,
    /// 1-based end line.
    #[schemars(range(min = 1))]
    pub end_line: usize,
    /// 1-based end column (exclusive).
    #[schemars(range(min = 1))]
    pub end_column: usize,
    /// What to do.
    pub help: Option<&'a str>,
}

/// The whole JSON document.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonReport<'a> {
    /// Every finding of every file.
    pub findings: Vec<JsonFinding<'a>>,
    /// Counts.
    pub summary: JsonSummary,
    /// The findings that `ignore` entries suppressed.
    pub suppressed: Vec<JsonSuppressed<'a>>,
}

/// A suppressed finding as JSON: the finding's keys and the entry's reason.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct JsonSuppressed<'a> {
    /// The finding.
    #[serde(flatten)]
    pub finding: JsonFinding<'a>,
    /// Why it is accepted.
    pub reason: &'a str,
}

/// Counts, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSummary {
    /// Files checked.
    pub files: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
    /// Findings suppressed by `ignore` entries (not counted above).
    pub suppressed: usize,
}

/// The document of `vrt validate --format json`: the findings, their counts, the findings
/// `ignore` entries suppressed and, with `--explain-tokens`, the token flow of each file.
/// `vrt status --format json` prints the same document without `tokens`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt validate --format json")]
pub struct JsonValidate<'a> {
    /// Every finding of every file.
    pub findings: Vec<JsonFinding<'a>>,
    /// Counts.
    pub summary: JsonSummary,
    /// The findings that `ignore` entries suppressed.
    pub suppressed: Vec<JsonSuppressed<'a>>,
    /// With `--explain-tokens`: for each file that loaded (by its name as given), which
    /// clusters hold which clusters' tokens and leases, in file order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BTreeMap<String, Vec<JsonTokenRow>>")]
    pub tokens: Option<BTreeMap<&'a str, Vec<JsonTokenRow>>>,
}

/// One row of the token flow (`--explain-tokens`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonTokenRow {
    /// The cluster.
    pub cluster: String,
    /// Its role: `primary`, `performance-secondary` or `dr-secondary`.
    pub role: &'static str,
    /// The clusters whose tokens and leases it holds (itself included), comma-separated;
    /// `-` for none; past 20 names, `… and N more`.
    pub holds: String,
    /// The clusters that hold copies of its tokens and leases, written as `holds` is.
    pub copies: String,
}

/// Writes the JSON document of `vrt validate` (keys in alphabetical order), with a `tokens`
/// object (file name → token-flow rows) when `tokens` is given.
pub fn render(
    out: &mut dyn Write,
    files: &[FileReport<'_>],
    suppressed: &[SuppressedReport<'_>],
    tokens: Option<&[(&str, &Topology)]>,
) -> std::io::Result<()> {
    let report = build_with_suppressed(files, suppressed);
    let doc = JsonValidate {
        findings: report.findings,
        summary: report.summary,
        suppressed: report.suppressed,
        tokens: tokens.map(|tokens| {
            tokens
                .iter()
                .map(|(name, t)| {
                    let rows = super::tokens::rows(t)
                        .into_iter()
                        .map(|r| JsonTokenRow {
                            cluster: r.cluster,
                            role: r.role,
                            holds: r.holds,
                            copies: r.copies,
                        })
                        .collect();
                    (*name, rows)
                })
                .collect()
        }),
    };
    // Through a `Value`, whose keys are sorted: the documented alphabetical order.
    let doc = serde_json::to_value(doc).map_err(std::io::Error::other)?;
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}

/// What a planner (`ports`, `firewall`, `mounts`, `failover`, `upgrade-plan`) prints with
/// `--format json` when the topology has errors and it exits 1: the findings, and no plan.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonFindingsDocument<'a> {
    /// The file, as given on the command line.
    pub file: &'a str,
    /// The topology's `name`; null when the file did not load (syntax, shape, references).
    pub topology: Option<&'a str>,
    /// The findings that stop the planner: the file's structural errors, or the errors the
    /// planner itself reports (an address-less flow, a catch-all address, a replication
    /// cycle).
    #[schemars(length(min = 1))]
    pub findings: Vec<JsonFinding<'a>>,
}

/// The findings document of a planner that cannot plan `source` (see
/// [`JsonFindingsDocument`]), pretty-printed with a final newline.
pub fn findings_document(
    source: &Source,
    topology: Option<&str>,
    findings: &[Finding],
) -> serde_json::Result<String> {
    let doc = JsonFindingsDocument {
        file: &source.name,
        topology,
        findings: findings.iter().map(|f| finding(source, f)).collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

/// The draft-07 JSON Schema of [`JsonValidate`] (`schemas/validate.schema.json`).
pub fn schema() -> Value {
    let mut schema = super::failover::schema_of::<JsonValidate<'_>>("urn:vrt:schema:validate:v1");
    require_every_property(&mut schema);
    // `tokens` is written with `--explain-tokens` only.
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|k| k != "tokens");
    }
    schema
}

/// Marks every property of every object in `schema` as required: these documents write
/// every key, `null` included, so a missing key is a wrong document (serde's `Option` fields
/// would otherwise be optional).
fn require_every_property(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            let keys: Option<Vec<Value>> = match (obj.get("type"), obj.get("properties")) {
                (Some(t), Some(Value::Object(props))) if t == "object" => {
                    Some(props.keys().cloned().map(Value::String).collect())
                }
                _ => None,
            };
            if let Some(keys) = keys {
                obj.insert("required".into(), Value::Array(keys));
            }
            for v in obj.values_mut() {
                require_every_property(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(require_every_property),
        _ => {}
    }
}

/// A planner's JSON Schema, with `id`: its plan document `T`, or the findings document the
/// planner prints instead when it exits 1. `T` becomes a definition, and the root is a
/// `oneOf` of the two, which cannot both match (each forbids the other's required keys).
pub fn plan_or_findings<T: JsonSchema>(id: &str) -> Value {
    let mut plan = super::failover::schema_of::<T>(id);
    require_every_property(&mut plan);
    let name = T::schema_name().to_string();
    let mut findings = super::failover::schema_of::<JsonFindingsDocument<'_>>("");
    require_every_property(&mut findings);
    let Some(obj) = plan.as_object_mut() else {
        return plan;
    };
    let schema = obj.remove("$schema").unwrap_or(Value::Null);
    let id = obj.remove("$id").unwrap_or(Value::Null);
    let mut definitions = match obj.remove("definitions") {
        Some(Value::Object(d)) => d,
        _ => serde_json::Map::new(),
    };
    let title = obj.get("title").cloned().unwrap_or(Value::Null);
    let description = obj.get("description").cloned().unwrap_or(Value::Null);
    definitions.insert(name.clone(), Value::Object(obj.clone()));
    if let Value::Object(mut f) = findings {
        if let Some(Value::Object(d)) = f.remove("definitions") {
            definitions.extend(d);
        }
        f.remove("$schema");
        f.remove("$id");
        definitions.insert("JsonFindingsDocument".into(), Value::Object(f));
    }
    serde_json::json!({
        "$schema": schema,
        "$id": id,
        "title": title,
        "description": format!(
            "{} Exit 0: the plan ({name}). Exit 1 (the topology has errors): the findings \
             document (JsonFindingsDocument), with no plan.",
            description.as_str().unwrap_or("")
        ).trim_start().to_string(),
        "oneOf": [
            {"$ref": format!("#/definitions/{name}")},
            {"$ref": "#/definitions/JsonFindingsDocument"}
        ],
        "definitions": definitions,
    })
}

/// Builds the JSON document.
pub fn build<'a>(files: &'a [FileReport<'a>]) -> JsonReport<'a> {
    build_with_suppressed(files, &[])
}

/// Builds the JSON document, listing the suppressed findings too.
pub fn build_with_suppressed<'a>(
    files: &'a [FileReport<'a>],
    suppressed: &'a [SuppressedReport<'a>],
) -> JsonReport<'a> {
    let findings = files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |f| finding(file.source, f)))
        .collect();
    let suppressed: Vec<JsonSuppressed<'a>> = suppressed
        .iter()
        .flat_map(|file| {
            file.suppressed.iter().map(move |s| JsonSuppressed {
                finding: finding(file.source, &s.finding),
                reason: &s.reason,
            })
        })
        .collect();
    let s = Summary::of(files);
    JsonReport {
        findings,
        summary: JsonSummary {
            files: s.files,
            errors: s.errors,
            warnings: s.warnings,
            notes: s.notes,
            suppressed: suppressed.len(),
        },
        suppressed,
    }
}

fn finding<'a>(source: &'a Source, f: &'a Finding) -> JsonFinding<'a> {
    let start = source.position(f.primary.span.offset);
    let end = source.position(f.primary.span.end());
    JsonFinding {
        file: &source.name,
        code: f.rule.code,
        name: f.rule.name,
        severity: f.severity.as_str(),
        message: &f.message,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        help: f.help.as_deref(),
    }
}
