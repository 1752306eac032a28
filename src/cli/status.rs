use std::path::PathBuf;
use std::time::Duration;

use crate::date::Date;
use crate::diag::structure;
use crate::diag::{Finding, Rule, Severity};
use crate::error::Error;
use crate::report::{self, FileReport, Summary, SuppressedReport};
use crate::source::Source;
use crate::status::{self, fetch, rules::is_live};

use super::{Exit, Io};

/// Compare the design with the clusters' live replication status (codes VRT5xx): roles,
/// upstreams, registered secondaries, connections, streaming state, WAL lag, Merkle
/// corruption, DR cluster ids and versions.
#[derive(Debug, clap::Args)]
#[command(
    group(clap::ArgGroup::new("state").required(true).args(["from", "live"])),
    after_help = "Examples:
  # capture one file per cluster, then compare
  for c in primary-a dr-a perf-b dr-b; do
    VAULT_ADDR=https://$c.example.com:8200 vault read -format=json sys/replication/status > status/$c.json
  done
  vrt status topology.yaml --from status/
  vrt status topology.yaml --live --ca-file internal-ca.pem --timeout 5
  vrt status topology.yaml --from status/ --format sarif > status.sarif

`DIR/<cluster>.health.json` (the `sys/health` body or `vault status -format=json`) adds the
version check. `--live` sends no token and ignores VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE
and proxy variables: it asks each cluster's `api_addr` directly.

Exit codes: 0 no errors, 1 the topology or its live state has errors, 2 vrt could not run."
)]
pub struct Args {
    /// The topology file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    file: String,
    /// Read the status of each cluster from `DIR/<cluster>.json`.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// Ask each cluster's `api_addr` for `/v1/sys/replication/status` (and `/v1/sys/health`)
    /// over HTTPS.
    #[arg(long)]
    live: bool,
    /// With --live: trust only the CA certificates of this PEM file instead of the system's.
    #[arg(long, value_name = "PATH", requires = "live")]
    ca_file: Option<PathBuf>,
    /// With --live: the most seconds one request may take.
    #[arg(long, value_name = "SECONDS", requires = "live", default_value_t = 10.0, value_parser = parse_timeout)]
    timeout: f64,
    /// With --live: how many clusters are asked at once.
    #[arg(long, value_name = "N", requires = "live", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// Report a secondary more than this many WAL entries behind its primary (VRT507).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_wal_lag: u64,
    /// Output format [default: human, or github when GITHUB_ACTIONS=true].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Exit 1 when there are warnings, not only errors.
    #[arg(long)]
    deny_warnings: bool,
    /// The day `ignore` entries' `until` dates are compared with (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", env = "VRT_TODAY", hide = true, value_parser = Date::parse)]
    today: Option<Date>,
    #[command(flatten)]
    limits: super::LimitArgs,
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if v.is_finite() && v > 0.0 && v <= 3600.0 {
        Ok(v)
    } else {
        Err("the timeout must be more than 0 and at most 3600 seconds".into())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Diagnostics with source snippets, then a summary line.
    Human,
    /// One JSON document: findings, summary and suppressed findings.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// JUnit XML: one test suite per file, one test case per finding.
    Junit,
}

/// What `vrt status` reports: the live codes, and unused `ignore` entries of live codes.
fn reported(rule: &Rule) -> bool {
    is_live(rule) || *rule == structure::UNUSED_SUPPRESSION
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let format = args.format.unwrap_or_else(|| {
        if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        }
    });
    let Some((source, t)) = super::load_source_and_topology(&args.file, args.limits.limits(), io)?
    else {
        return Ok(Exit::Findings);
    };
    let observed = if let Some(dir) = &args.from {
        if !dir.is_dir() {
            writeln!(
                io.err,
                "error: `{}` is not a folder; give the folder holding `<cluster>.json` status files",
                dir.display()
            )?;
            return Ok(Exit::CouldNotRun);
        }
        status::capture::read_dir(&t, dir)
    } else {
        let roots = match fetch::roots(args.ca_file.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                writeln!(io.err, "error: {e}")?;
                return Ok(Exit::CouldNotRun);
            }
        };
        let options = fetch::Options {
            timeout: Duration::from_secs_f64(args.timeout),
            concurrency: usize::from(args.concurrency),
        };
        fetch::fetch_all(&t, roots, &options)
    };
    let comparison = status::compare(&t, &observed, args.max_wal_lag, is_live);
    let today = args.today.unwrap_or_else(Date::today);
    let outcome = crate::suppress::apply(&t, comparison.findings, today, reported);
    let mut findings: Vec<Finding> = outcome
        .findings
        .into_iter()
        .filter(|f| reported(f.rule))
        .collect();
    findings.sort_by(|a, b| {
        (a.primary.span.offset, a.rule.code, &a.message).cmp(&(
            b.primary.span.offset,
            b.rule.code,
            &b.message,
        ))
    });
    let mut suppressed = outcome.suppressed;
    suppressed.sort_by_key(|s| (s.finding.primary.span.offset, s.finding.rule.code));
    let invalid: Vec<(Source, Vec<Finding>)> = comparison
        .invalid
        .into_iter()
        .map(|(s, f)| (s, vec![f]))
        .collect();
    let mut files = vec![FileReport {
        source: &source,
        findings: &findings,
    }];
    files.extend(invalid.iter().map(|(s, f)| FileReport {
        source: s,
        findings: f,
    }));
    let suppressed_reports = [SuppressedReport {
        source: &source,
        suppressed: &suppressed,
    }];
    render(format, args, &t, &observed, &files, &suppressed_reports, io)?;
    let worst = files
        .iter()
        .flat_map(|f| f.findings)
        .map(|f| f.severity)
        .max();
    Ok(match worst {
        Some(Severity::Error) => Exit::Findings,
        Some(Severity::Warning) if args.deny_warnings => Exit::Findings,
        _ => Exit::Clean,
    })
}

/// Writes the report in `format`.
fn render(
    format: Format,
    args: &Args,
    t: &crate::graph::Topology,
    observed: &[status::Observed],
    files: &[FileReport<'_>],
    suppressed_reports: &[SuppressedReport<'_>],
    io: &mut Io<'_>,
) -> Result<(), Error> {
    let summary = Summary {
        suppressed: suppressed_reports.iter().map(|s| s.suppressed.len()).sum(),
        ..Summary::of(files)
    };
    match format {
        Format::Human => {
            report::human::render_findings(
                io.out,
                files,
                report::human::Style {
                    color: io.color,
                    width: 100,
                },
            )?;
            let mut builder = tabled::builder::Builder::default();
            builder.push_record([
                "cluster",
                "declared",
                "live DR",
                "live performance",
                "status from",
            ]);
            for o in status::overview(t, observed) {
                builder.push_record([o.cluster, o.declared, o.dr, o.performance, o.source]);
            }
            let mut table = builder.build();
            table.with(tabled::settings::Style::sharp());
            writeln!(io.out, "{table}")?;
            writeln!(io.out, "{summary}")?;
            let compared = observed
                .iter()
                .filter(|o| matches!(o.observation, status::Observation::Live(_)))
                .count();
            writeln!(
                io.out,
                "live status compared for {compared} of {} clusters ({})",
                t.model.clusters.len(),
                match &args.from {
                    Some(dir) => format!("from `{}`", dir.display().to_string().escape_debug()),
                    None => "asked live".to_string(),
                }
            )?;
        }
        Format::Json => {
            let doc = report::json::build_with_suppressed(files, suppressed_reports);
            let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
            writeln!(io.out, "{text}")?;
        }
        Format::Sarif => {
            let log = report::sarif::build(files, suppressed_reports);
            let text = serde_json::to_string_pretty(&log).map_err(std::io::Error::other)?;
            writeln!(io.out, "{text}")?;
        }
        Format::Github => report::github::render(io.out, files, summary)?,
        Format::Junit => report::junit::render(io.out, files, args.deny_warnings)?,
    }
    Ok(())
}
