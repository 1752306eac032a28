use std::collections::BTreeSet;

use crate::error::Error;
use crate::report::mounts as render;

use super::{Exit, Io};

/// Print where each mount's data lives: the clusters that hold it, before or after a loss.
///
/// A shared mount is held by its primary, the primary's DR secondaries, every performance
/// secondary whose paths filter lets it through, and their DR secondaries; a local mount by
/// its cluster and that cluster's DR secondaries only. With `--after-loss`, the clusters
/// lost are moved to their own column and a mount no survivor holds is shown as lost.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt mounts examples/global.yaml
  vrt mounts --after-loss site:dc-a examples/two-datacenters.yaml
  vrt mounts --format json topology.yaml | jq '.mounts[] | select(.scope == \"local\")'

Exit codes: 0 printed, 1 the topology has errors, 2 vrt could not run.")]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    output: super::OutputArgs,
    /// Show the placement after the loss of this cluster, site or region (`cluster:`,
    /// `site:` or `region:` disambiguates).
    #[arg(long, value_name = "CLUSTER|SITE|REGION")]
    after_loss: Option<String>,
    // Last: the limits' help heading applies to the flags after it.
    #[command(flatten)]
    input: super::InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A terminal table.
    Table,
    /// A Markdown table for wikis and pull requests.
    Markdown,
    /// CSV with a header line.
    Csv,
    /// `{"topology", "after_loss", "mounts": [...]}` (schemas/mounts.schema.json); on errors,
    /// the findings.
    Json,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let json = args.format == Format::Json;
    let Some((output, _, t)) = args.input.start_planner(&args.output, json, io)? else {
        return Ok(Exit::Findings);
    };
    let (lost, loss_name) = match &args.after_loss {
        None => (BTreeSet::new(), None),
        Some(name) => {
            let failure =
                crate::failover::resolve(&t, name).map_err(|e| Error::BadTarget(e.to_string()))?;
            (
                t.lost_by(&failure),
                Some(t.failure_name(&failure).to_string()),
            )
        }
    };
    let after = loss_name.is_some();
    let rows = render::rows(&t, &lost);
    let text = match args.format {
        Format::Table => render::table(&rows, after),
        Format::Markdown => render::markdown(&rows, after),
        Format::Csv => render::csv(&rows),
        Format::Json => render::json(&t.model.name, loss_name.as_deref(), &rows)
            .map_err(std::io::Error::other)?,
    };
    output.finish(text.as_bytes(), io.out)?;
    Ok(Exit::Clean)
}
