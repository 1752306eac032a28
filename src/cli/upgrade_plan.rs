use crate::error::Error;
use crate::values::Version;
use crate::{report, upgrade};

use super::{Exit, Io};

/// Print the safe upgrade order: downstream clusters first, in waves that can run in
/// parallel, each primary last, with the version each cluster runs now.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt upgrade-plan examples/global.yaml
  vrt upgrade-plan examples/vmware-active-active.yaml --format markdown -o upgrade.md
  vrt upgrade-plan examples/two-datacenters.yaml --format json
  vrt upgrade-plan examples/global.yaml --to 1.19.2

Exit codes: 0 plan printed, 1 the topology has errors that prevent an order (syntax, shape,
references, a replication cycle), 2 vrt could not run (including a `--to` that is not a
version or would be a downgrade).")]
pub struct Args {
    /// The version to upgrade to: clusters already at or above it are listed as done, not
    /// scheduled; a version older than every cluster's is refused as a downgrade.
    #[arg(long, value_name = "VERSION")]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    output: super::OutputArgs,
    // Last: the limits' help heading applies to the flags after it.
    #[command(flatten)]
    input: super::InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// For the terminal.
    Text,
    /// To paste into a wiki or change ticket.
    Markdown,
    /// One JSON document (schemas/upgrade-plan.schema.json); on errors, the findings.
    Json,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let to = match &args.to {
        Some(v) => Some(Version::parse(v).map_err(|e| {
            Error::BadTarget(format!("`--to {v}`: {e}; give a version such as `1.19.2`"))
        })?),
        None => None,
    };
    let json = args.format == Format::Json;
    let Some((output, source, t)) = args.input.start_planner(&args.output, json, io)? else {
        return Ok(Exit::Findings);
    };
    let plan = match upgrade::plan_to(&t, to.as_ref()) {
        Ok(p) => p,
        Err(e @ upgrade::UpgradeError::Downgrade { .. }) => {
            return Err(Error::BadTarget(e.to_string()));
        }
        Err(upgrade::UpgradeError::Cyclic(cycle)) => {
            return super::planner::refuse_cycle(output, json, &source, &t, &cycle, io);
        }
    };
    let mut out = Vec::new();
    match args.format {
        Format::Text => report::upgrade::text(&mut out, &t, &plan)?,
        Format::Markdown => report::upgrade::markdown(&mut out, &t, &plan)?,
        Format::Json => report::upgrade::json(&mut out, &t, &plan)?,
    }
    output.finish(&out, io.out)?;
    Ok(Exit::Clean)
}
