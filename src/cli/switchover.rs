use crate::error::Error;
use crate::{failover, report};

use super::{Exit, Io};

/// Plan a planned switchover to a cluster: demote its upstream first, then promote it,
/// re-point, verify, and the failback.
///
/// The named cluster (a DR secondary, or a performance secondary of the primary) takes over
/// from the cluster it replicates from, which still answers. The decisions and commands are
/// those of `vrt failover` for the loss of that cluster, from the same code, in the planned
/// order.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt switchover examples/two-datacenters.yaml --to dr-a
  vrt switchover examples/global.yaml --to dallas-dr --format sh -o switchover.sh

Exit codes: 0 plan printed, 1 the topology has errors, 2 vrt could not run (unreadable file,
a cluster that cannot take over).")]
pub struct Args {
    /// The cluster that takes over.
    #[arg(long, value_name = "CLUSTER")]
    to: String,
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
    /// A runbook for the terminal.
    Text,
    /// A runbook to paste into a wiki or change ticket.
    Markdown,
    /// One JSON document (schemas/failover-plan.schema.json); on errors, the findings.
    Json,
    /// A bash script: one function per step, a confirmation before each promote, demote,
    /// disable or enable, `--yes` and `--dry-run`.
    Sh,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let json = args.format == Format::Json;
    let Some((output, source, t)) = args.input.start_planner(&args.output, json, io)? else {
        return Ok(Exit::Findings);
    };
    let plan = match failover::switchover(&t, &args.to) {
        Ok(p) => p,
        Err(failover::SwitchoverError::Cyclic(cycle)) => {
            return super::planner::refuse_cycle(output, json, &source, &t, &cycle, io);
        }
        Err(e) => return Err(Error::BadTarget(e.to_string())),
    };
    let mut out = Vec::new();
    match args.format {
        Format::Text => report::failover::text(&mut out, &t, &plan)?,
        Format::Markdown => report::failover::markdown(&mut out, &t, &plan)?,
        Format::Json => report::failover::json(&mut out, &t, &plan)?,
        Format::Sh => report::failover::sh(&mut out, &t, &plan)?,
    }
    output.finish(&out, io.out)?;
    Ok(Exit::Clean)
}
