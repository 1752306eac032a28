use crate::error::Error;
use crate::report::diagram;

use super::{Exit, Io};

/// Draw the topology: regions and sites as boxes, clusters with role and version,
/// performance and DR edges labelled with what flows, clients attached to their cluster.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt graph examples/two-datacenters.yaml                 # Mermaid, for Markdown on GitHub
  vrt graph --format dot examples/global.yaml | dot -Tsvg > global.svg
  vrt graph --format dot --output docs/topology.dot topology.yaml
  vrt graph --after-loss site:dc-a examples/two-datacenters.yaml   # after that failover

Exit codes: 0 drawn, 1 the topology has errors that stop it loading, 2 vrt could not run.")]
pub struct Args {
    /// Diagram language.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    format: Format,
    #[command(flatten)]
    output: super::OutputArgs,
    /// Draw the topology after the failover that `vrt failover --lose` plans for the loss
    /// of this cluster, site or region (`cluster:`, `site:` or `region:` disambiguates).
    #[arg(long, value_name = "CLUSTER|SITE|REGION")]
    after_loss: Option<String>,
    // Last: the limits' help heading applies to the flags after it.
    #[command(flatten)]
    input: super::InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A Mermaid flowchart (GitHub renders it in ```mermaid blocks).
    Mermaid,
    /// Graphviz DOT (render with `dot -Tsvg`).
    Dot,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let output = args.output.open()?;
    let Some(t) = args.input.load(io)? else {
        return Ok(Exit::Findings);
    };
    let d = match &args.after_loss {
        None => crate::diagram::build(&t),
        Some(name) => {
            let failure =
                crate::failover::resolve(&t, name).map_err(|e| Error::BadTarget(e.to_string()))?;
            match crate::failover::plan(&t, &failure) {
                Ok(plan) => crate::diagram::after(&t, &plan),
                Err(e) => {
                    writeln!(io.err, "error: {e}")?;
                    return Ok(Exit::Findings);
                }
            }
        }
    };
    let text = match args.format {
        Format::Mermaid => diagram::mermaid(&d),
        Format::Dot => diagram::dot(&d),
    };
    output.finish(text.as_bytes(), io.out)?;
    Ok(Exit::Clean)
}
