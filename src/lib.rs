//! vrt: a planner and validator for HashiCorp Vault Enterprise replication topologies.
//!
//! The pipeline runs one way: [`load`] (text → [`spec::Spec`]) → [`model`] (references
//! resolved, all structural errors collected) → [`graph`] (the replication graph and the
//! domain questions) → [`rules`] / planners → [`report`]. [`cli`] wires it to the command
//! line; `main` only hands it the process's streams.
//!
//! Layers, from the bottom up (a module uses only its own layer and those below it; enforced
//! by `tests/architecture.rs`, explained in `docs/architecture.md`): foundations (`source`,
//! `ids`, `text`, `date`, `error`, `sources`) → `yaml` → format (`spec`, `values`) → `diag` →
//! `load` → `model` → `graph` → `net` → rules and planners (`rules`, `suppress`, `firewall`,
//! `failover`, `upgrade`, `diagram`, `status`, `templates`, `synthetic`) → the pipeline
//! functions of this file → `report` → `cli` and `output`.

// No `unwrap` in the library and the binary (tests may: clippy.toml); integration tests
// and benches are crates of their own and are not covered.
#![warn(clippy::unwrap_used)]

pub mod cli;
pub mod date;
pub mod diag;
pub mod diagram;
pub mod diff;
pub mod error;
pub mod failover;
pub mod firewall;
pub mod graph;
pub mod ids;
pub mod load;
pub mod model;
pub mod mounts;
pub mod net;
pub mod output;
pub mod report;
pub mod rules;
pub mod source;
pub mod sources;
pub mod spec;
pub mod status;
pub mod suppress;
pub mod synthetic;
pub mod templates;
pub mod text;
pub mod upgrade;
pub mod values;
pub mod yaml;

use diag::{Finding, Rule};
use graph::Topology;
use source::Source;
use yaml::Limits;

/// Loads a source up to the topology graph, or returns the findings that stop it (syntax,
/// shape, references, more flows than `limits.max_flows`).
pub fn topology(source: &Source, limits: Limits) -> Result<Topology, Vec<Finding>> {
    let spec = load::parse(source, limits).map_err(|f| vec![f])?;
    let model = model::build(&spec).map_err(sorted)?;
    let topology = Topology::new(model);
    net::budget::check_limit(&topology, limits.max_flows).map_err(|f| vec![f])?;
    Ok(topology)
}

/// Validates a source: every finding (structural, or of the rules accepted by `enabled`),
/// sorted by position then code, what `ignore` entries suppressed, and the topology when the
/// file got that far. The file's `ignore` entries are applied as of today (UTC).
pub fn validate(source: &Source, limits: Limits, enabled: impl Fn(&Rule) -> bool) -> Validation {
    validate_on(source, limits, enabled, date::Date::today())
}

/// What validating one source found.
#[derive(Debug)]
pub struct Validation {
    /// The findings reported (structural, rules, and problems with `ignore` entries), sorted
    /// by position then code.
    pub findings: Vec<Finding>,
    /// The findings that `ignore` entries suppressed, sorted the same way.
    pub suppressed: Vec<suppress::Suppressed>,
    /// The topology, when the file got that far.
    pub topology: Option<Topology>,
}

/// Validates a source as [`validate`] does, applying the `ignore` entries as of `today`.
pub fn validate_on(
    source: &Source,
    limits: Limits,
    enabled: impl Fn(&Rule) -> bool,
    today: date::Date,
) -> Validation {
    // The live codes (VRT5xx) run in `vrt status` only: their `ignore` entries are not stale here.
    let enabled = |r: &Rule| enabled(r) && !status::rules::is_live(r);
    match topology(source, limits) {
        Ok(t) => {
            let found = rules::run(&t, enabled);
            let outcome = suppress::apply(&t, found, today, enabled);
            let mut suppressed = outcome.suppressed;
            suppressed.sort_by(|a, b| order(&a.finding, &b.finding));
            Validation {
                findings: sorted(outcome.findings),
                suppressed,
                topology: Some(t),
            }
        }
        Err(findings) => Validation {
            findings,
            suppressed: Vec::new(),
            topology: None,
        },
    }
}

/// The JSON Schema (draft-07) of the topology format.
pub fn schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<spec::Spec>();
    let mut value = schema.to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".into(), serde_json::Value::String(SCHEMA_ID.into()));
    }
    value
}

/// The stable `$id` of the format v1 schema.
pub const SCHEMA_ID: &str = "urn:vrt:schema:topology:v1";

fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(order);
    findings
}

fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.primary.span.offset, a.rule.code, &a.message).cmp(&(
        b.primary.span.offset,
        b.rule.code,
        &b.message,
    ))
}
