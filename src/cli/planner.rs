//! What a planner does when the topology has errors: the diagnostics on standard error as
//! always, and with `--format json` the findings document
//! ([`crate::report::json::JsonFindingsDocument`]) as its product, so that a tool reading
//! the JSON gets a document on every exit 1. Exit 2 stays "vrt could not run" (no document).

use crate::diag::Finding;
use crate::error::Error;
use crate::graph::Topology;
use crate::output::Output;
use crate::source::Source;

use super::{Exit, InputArgs, Io, OutputArgs};

/// A planner's topology, or the findings that keep the file from loading.
pub enum Loaded {
    /// The file loaded.
    Ready(Source, Box<Topology>),
    /// It did not: its structural errors (syntax, shape, references, limits).
    Refused(Source, Vec<Finding>),
}

/// Reads `path` and builds its topology within `limits`, returning the findings (not
/// rendering them) when it does not load.
pub fn load(path: &str, limits: crate::yaml::Limits) -> Result<Loaded, Error> {
    let (source, not_utf8) = crate::load::read(path, limits.max_file_size)?;
    let findings = match not_utf8 {
        Some(f) => vec![f],
        None => match crate::topology(&source, limits) {
            Ok(t) => return Ok(Loaded::Ready(source, Box::new(t))),
            Err(findings) => findings,
        },
    };
    Ok(Loaded::Refused(source, findings))
}

impl InputArgs {
    /// Opens a planner's `output` and loads its topology. When the file does not load, the
    /// planner stops there ([`refuse`], exit 1) and this returns `None`: with `json`, the
    /// findings document is the product written.
    pub fn start_planner(
        &self,
        output: &OutputArgs,
        json: bool,
        io: &mut Io<'_>,
    ) -> Result<Option<(Output, Source, Topology)>, Error> {
        let output = output.open()?;
        match load(&self.file, self.limits.limits())? {
            Loaded::Ready(source, t) => Ok(Some((output, source, *t))),
            Loaded::Refused(source, findings) => {
                refuse(output, json, &source, None, &findings, io)?;
                Ok(None)
            }
        }
    }
}

/// Stops a planner on `findings` (exit 1): rendered on standard error, and with `json` the
/// findings document written to `output` (`topology` names the file's topology when it
/// loaded).
pub fn refuse(
    output: Output,
    json: bool,
    source: &Source,
    topology: Option<&Topology>,
    findings: &[Finding],
    io: &mut Io<'_>,
) -> Result<Exit, Error> {
    super::render_findings(source, findings, io)?;
    if json {
        let name = topology.map(|t| t.model.name.as_str());
        let text = crate::report::json::findings_document(source, name, findings)
            .map_err(std::io::Error::other)?;
        output.finish(text.as_bytes(), io.out)?;
    }
    Ok(Exit::Findings)
}

/// Stops a planner that met a replication cycle: the planner's message, then the cycle
/// located by VRT104 (`replication-cycle`, which `vrt validate` reports and no `ignore`
/// entry suppresses).
pub fn refuse_cycle(
    output: Output,
    json: bool,
    source: &Source,
    t: &Topology,
    cycle: &crate::graph::Cyclic,
    io: &mut Io<'_>,
) -> Result<Exit, Error> {
    writeln!(io.err, "error: {cycle}")?;
    let findings = crate::rules::run(t, |r| r.code == "VRT104");
    if findings.is_empty() {
        // VRT104 reports every cycle the graph has; should it ever miss one, the planner's
        // own message above still stops the run.
        return Ok(Exit::Findings);
    }
    refuse(output, json, source, Some(t), &findings, io)
}
