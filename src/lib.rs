//! vrt: a planner and validator for HashiCorp Vault Enterprise replication topologies.
//!
//! The pipeline runs one way: [`load`] (text → [`spec::Spec`]) → [`model`] (references
//! resolved, all structural errors collected) → [`graph`] (the replication graph and the
//! domain questions) → [`rules`] / planners → [`report`]. [`cli`] wires it to the command
//! line; `main` only hands it the process's streams.

pub mod cli;
pub mod diag;
pub mod error;
pub mod graph;
pub mod load;
pub mod model;
pub mod output;
pub mod report;
pub mod rules;
pub mod source;
pub mod sources;
pub mod spec;
pub mod structure;
pub mod synthetic;
pub mod values;
pub mod yaml;

use diag::{Finding, Rule};
use graph::Topology;
use source::Source;
use yaml::Limits;

/// Loads a source up to the topology graph, or returns the findings that stop it (syntax,
/// shape, references).
pub fn topology(source: &Source, limits: Limits) -> Result<Topology, Vec<Finding>> {
    let spec = load::parse(source, limits).map_err(|f| vec![f])?;
    let model = model::build(&spec).map_err(sorted)?;
    Ok(Topology::new(model))
}

/// Validates a source: every finding (structural, or of the rules accepted by `enabled`),
/// sorted by position then code, and the topology when the file got that far.
pub fn validate(
    source: &Source,
    limits: Limits,
    enabled: impl Fn(&Rule) -> bool,
) -> (Vec<Finding>, Option<Topology>) {
    match topology(source, limits) {
        Ok(t) => (sorted(rules::run(&t, enabled)), Some(t)),
        Err(findings) => (findings, None),
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
    findings.sort_by(|a, b| {
        (a.primary.span.offset, a.rule.code, &a.message).cmp(&(
            b.primary.span.offset,
            b.rule.code,
            &b.message,
        ))
    });
    findings
}
