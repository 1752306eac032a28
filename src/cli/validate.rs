use crate::diag::{Finding, Severity};
use crate::error::Error;
use crate::graph::Topology;
use crate::load;
use crate::report::{self, FileReport};
use crate::source::Source;

use super::{Exit, Io};

/// Validate topology files: structure, references and every replication rule.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt validate examples/two-datacenters.yaml
  vrt validate --format json topologies/*.yaml
  cat topology.yaml | vrt validate -
  vrt validate --deny-warnings --explain-tokens topology.yaml
  vrt validate --max-nodes 4000000 --max-file-size 134217728 huge.yaml

Exit codes: 0 no errors, 1 the topology has errors, 2 vrt could not run.")]
pub struct Args {
    /// Topology files to validate; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 when there are warnings, not only errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Also print which clusters hold which clusters' tokens and leases.
    #[arg(long)]
    explain_tokens: bool,
    #[command(flatten)]
    limits: super::LimitArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Diagnostics with source snippets, then a summary line.
    Human,
    /// One JSON document: findings and summary.
    Json,
}

struct Checked {
    source: Source,
    findings: Vec<Finding>,
    topology: Option<Topology>,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let mut checked = Vec::new();
    let mut could_not_run = false;
    for path in &args.files {
        match load::read(path, args.limits.max_file_size) {
            Ok((source, Some(not_utf8))) => checked.push(Checked {
                source,
                findings: vec![not_utf8],
                topology: None,
            }),
            Ok((source, None)) => {
                let (findings, topology) = crate::validate(&source, args.limits.limits(), |_| true);
                checked.push(Checked {
                    source,
                    findings,
                    topology,
                });
            }
            Err(e) => {
                writeln!(io.err, "error: {e}")?;
                could_not_run = true;
            }
        }
    }
    let files: Vec<FileReport<'_>> = checked
        .iter()
        .map(|c| FileReport {
            source: &c.source,
            findings: &c.findings,
        })
        .collect();
    match args.format {
        Format::Human => {
            report::human::render(
                io.out,
                &files,
                report::human::Style {
                    color: io.color,
                    width: 100,
                },
            )?;
            if args.explain_tokens {
                for c in &checked {
                    if let Some(t) = &c.topology {
                        writeln!(io.out, "\nToken and lease flow in {}:", c.source.name)?;
                        writeln!(io.out, "{}", report::tokens::table(t))?;
                    }
                }
            }
        }
        Format::Json => {
            let mut doc =
                serde_json::to_value(report::json::build(&files)).map_err(std::io::Error::other)?;
            if args.explain_tokens
                && let Some(obj) = doc.as_object_mut()
            {
                let tokens: serde_json::Map<String, serde_json::Value> = checked
                    .iter()
                    .filter_map(|c| {
                        let t = c.topology.as_ref()?;
                        Some((
                            c.source.name.clone(),
                            serde_json::to_value(report::tokens::rows(t)).ok()?,
                        ))
                    })
                    .collect();
                obj.insert("tokens".into(), tokens.into());
            }
            let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
            writeln!(io.out, "{text}")?;
        }
    }
    if could_not_run {
        return Ok(Exit::CouldNotRun);
    }
    let worst = checked
        .iter()
        .flat_map(|c| &c.findings)
        .map(|f| f.severity)
        .max();
    Ok(match worst {
        Some(Severity::Error) => Exit::Findings,
        Some(Severity::Warning) if args.deny_warnings => Exit::Findings,
        _ => Exit::Clean,
    })
}
