use std::path::PathBuf;

use crate::error::Error;
use crate::report::FileReport;
use crate::status::import;

use super::{Exit, Io};

/// Write a draft topology from captured replication status files (`DIR/<cluster>.json`):
/// roles, upstreams, addresses and versions; placeholders to fill are marked `# FILL`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt import --from status/ --output topology.yaml
  vrt import --from status/ | vrt validate -

Each `DIR/<cluster>.json` holds `vault read -format=json sys/replication/status` (or the API
body); an optional `DIR/<cluster>.health.json` (the `sys/health` body or
`vault status -format=json`) gives the version.

Exit codes: 0 draft written, 1 a status file is unusable, 2 vrt could not run.")]
pub struct Args {
    /// The folder holding `<cluster>.json` status files.
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    #[command(flatten)]
    output: super::OutputArgs,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let output = args.output.open()?;
    let files = import::status_files(&args.from).map_err(|source| Error::Read {
        path: args.from.display().to_string(),
        source,
    })?;
    if files.is_empty() {
        writeln!(
            io.err,
            "error: `{}` holds no `<cluster>.json` status files; capture them with `vault read -format=json sys/replication/status > {}/<cluster>.json`",
            args.from.display(),
            args.from.display()
        )?;
        return Ok(Exit::CouldNotRun);
    }
    match import::draft(&args.from, &files) {
        Ok(yaml) => {
            output.finish(yaml.as_bytes(), io.out)?;
            Ok(Exit::Clean)
        }
        Err(problems) => {
            let reports: Vec<FileReport<'_>> = problems
                .invalid
                .iter()
                .map(|(source, f)| FileReport {
                    source,
                    findings: std::slice::from_ref(f),
                })
                .collect();
            crate::report::human::render_findings(
                io.err,
                &reports,
                crate::report::human::Style {
                    color: false,
                    width: 100,
                },
            )?;
            for p in &problems.other {
                writeln!(io.err, "error: {p}")?;
            }
            writeln!(io.err, "no draft written")?;
            Ok(Exit::Findings)
        }
    }
}
