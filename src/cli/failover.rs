use clap::ArgGroup;

use crate::error::Error;
use crate::{failover, report};

use super::{Exit, Io};

/// Plan the failover for a lost cluster, site or region, or sweep every single failure.
///
/// With `--lose NAME` vrt prints a runbook: what is lost, how each lost cluster is recovered
/// and why, the ordered steps with exact commands for each cluster, and the topology after
/// the failover. With `--all` it runs every single-cluster, single-site and single-region
/// loss and prints one table.
#[derive(Debug, clap::Args)]
#[command(
    group(ArgGroup::new("scenario").required(true).args(["lose", "all"])),
    after_help = "Examples:
  vrt failover examples/two-datacenters.yaml --lose dc-a
  vrt failover examples/global.yaml --lose cluster:dallas-primary --format markdown -o runbook.md
  vrt failover examples/aws-two-regions.yaml --lose region:us-east-1 --format json
  vrt failover examples/two-datacenters.yaml --lose dc-a --format sh -o runbook.sh
  vrt failover examples/two-datacenters.yaml --all --require-dr-recovery

Exit codes: 0 plan printed, 1 the topology has errors or --require-dr-recovery failed,
2 vrt could not run (unreadable file, unknown or ambiguous name)."
)]
pub struct Args {
    /// The cluster, site or region to lose. Prefix it with `cluster:`, `site:` or `region:`
    /// when the name is ambiguous.
    #[arg(long, value_name = "NAME")]
    lose: Option<String>,
    /// Run every single-cluster, single-site and single-region loss and print one table.
    #[arg(long)]
    all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when a scenario has no token-preserving recovery (anything but DR promotion),
    /// so that CI can hold a design to that bar.
    #[arg(long)]
    require_dr_recovery: bool,
    #[command(flatten)]
    output: super::OutputArgs,
    // Last: the limits' help heading applies to the flags after it.
    #[command(flatten)]
    input: super::InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A runbook (or table) for the terminal.
    Text,
    /// A runbook (or table) to paste into a wiki or change ticket.
    Markdown,
    /// One JSON document (schemas/failover-plan.schema.json, failover-sweep.schema.json); on
    /// errors, the findings.
    Json,
    /// A bash script of the runbook (`--lose` only): one function per step, a confirmation
    /// before each promote, demote, disable or enable, `--yes` and `--dry-run`.
    Sh,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    if args.all && args.format == Format::Sh {
        return Err(Error::BadTarget(
            "`--format sh` writes one runbook: use it with `--lose NAME`, not with `--all`"
                .to_string(),
        ));
    }
    let json = args.format == Format::Json;
    let Some((output, source, t)) = args.input.start_planner(&args.output, json, io)? else {
        return Ok(Exit::Findings);
    };
    let mut out = Vec::new();
    let preserved = if let Some(name) = &args.lose {
        let failure = failover::resolve(&t, name).map_err(|e| Error::BadTarget(e.to_string()))?;
        let plan = match failover::plan(&t, &failure) {
            Ok(p) => p,
            Err(cycle) => {
                return super::planner::refuse_cycle(output, json, &source, &t, &cycle, io);
            }
        };
        match args.format {
            Format::Text => report::failover::text(&mut out, &t, &plan)?,
            Format::Markdown => report::failover::markdown(&mut out, &t, &plan)?,
            Format::Json => report::failover::json(&mut out, &t, &plan)?,
            Format::Sh => report::failover::sh(&mut out, &t, &plan)?,
        }
        if plan.tokens_preserved() {
            Ok(())
        } else {
            Err(format!(
                "losing {} has no token-preserving recovery",
                plan.scenario.label
            ))
        }
    } else {
        let rows = match failover::sweep(&t) {
            Ok(r) => r,
            Err(cycle) => {
                return super::planner::refuse_cycle(output, json, &source, &t, &cycle, io);
            }
        };
        match args.format {
            Format::Text => report::failover::sweep_text(&mut out, &t, &rows)?,
            Format::Markdown => report::failover::sweep_markdown(&mut out, &t, &rows)?,
            // `sh` with `--all` is refused at the start.
            Format::Json | Format::Sh => report::failover::sweep_json(&mut out, &t, &rows)?,
        }
        let bad: Vec<String> = rows
            .rows()
            .filter(|r| !r.tokens_preserved)
            .map(|r| r.label(&t))
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} of {} scenarios have no token-preserving recovery: {}",
                bad.len(),
                rows.len(),
                bad.join(", ")
            ))
        }
    };
    output.finish(&out, io.out)?;
    match preserved {
        Err(why) if args.require_dr_recovery => {
            writeln!(io.err, "error: {why} (--require-dr-recovery)")?;
            Ok(Exit::Findings)
        }
        _ => Ok(Exit::Clean),
    }
}
