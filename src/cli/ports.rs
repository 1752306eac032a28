use crate::error::Error;
use crate::report::ports as render;

use super::{Exit, Io};

/// Print the port matrix: every flow the topology needs, derived from the roles.
///
/// One row per connection (source, destination, port, protocol, direction, purpose, why):
/// replication between clusters (8200 and 8201, both ways), clients to their cluster or its
/// load balancer, load balancers to their nodes, clusters to external services, node to
/// node inside each cluster, and the standby flows that only a failover uses, marked
/// `standby`. `--strict-ports` lists only the flows Vault itself uses.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt ports examples/two-datacenters.yaml
  vrt ports --format markdown examples/global.yaml > PORTS.md
  vrt ports --format csv --output ports.csv topology.yaml
  vrt ports --strict-ports examples/two-datacenters.yaml
  vrt ports --format json topology.yaml | jq '.flows[] | select(.standby)'

Exit codes: 0 printed, 1 the topology has errors, 2 vrt could not run.")]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    output: super::OutputArgs,
    /// List only what Vault needs: leave out the API port primary → secondary, and
    /// secondary → primary for a secondary with `activation: public-key`, which the
    /// architecture notes open "bi-directionally" but no Vault flow uses.
    #[arg(long)]
    strict_ports: bool,
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
    /// `{"topology", "flows": [...]}` (schemas/ports.schema.json); on errors, the findings.
    Json,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let json = args.format == Format::Json;
    let Some((output, _, t)) = args.input.start_planner(&args.output, json, io)? else {
        return Ok(Exit::Findings);
    };
    let flows: Vec<_> = crate::net::flows::flows(&t)
        .into_iter()
        .filter(|f| !args.strict_ports || f.need != crate::net::flows::Need::Advised)
        .collect();
    let rows = render::rows(&t, &flows);
    let text = match args.format {
        Format::Table => render::table(&rows),
        Format::Markdown => render::markdown(&rows),
        Format::Csv => render::csv(&rows),
        Format::Json => render::json(&t.model.name, &rows).map_err(std::io::Error::other)?,
    };
    output.finish(text.as_bytes(), io.out)?;
    Ok(Exit::Clean)
}
