use crate::date::{Date, DateOrUnset};
use crate::diag::{Finding, Severity};
use crate::error::Error;
use crate::graph::Topology;
use crate::load;
use crate::report::{self, FileReport, Summary, SuppressedReport};
use crate::source::Source;
use crate::suppress::Suppressed;

use super::{Exit, Io};

/// Validate topology files: structure, references and every replication rule.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt validate examples/two-datacenters.yaml
  vrt validate --format json topologies/*.yaml
  vrt validate --format sarif --output vrt.sarif topologies/*.yaml
  cat topology.yaml | vrt validate -
  vrt validate --deny-warnings --explain-tokens topology.yaml
  vrt validate --max-nodes 4000000 --max-file-size 134217728 huge.yaml

Under GitHub Actions (GITHUB_ACTIONS=true) the default format is `github`.

Exit codes: 0 no errors, 1 the topology has errors, 2 vrt could not run.")]
pub struct Args {
    /// Topology files to validate; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Output format [default: human, or github when GITHUB_ACTIONS=true and
    /// --explain-tokens is not given].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Exit 1 when there are warnings, not only errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Also print which clusters hold which clusters' tokens and leases.
    #[arg(long)]
    explain_tokens: bool,
    /// The day `ignore` entries' `until` dates are compared with (default: today, UTC); for
    /// reproducible runs and tests.
    /// An empty value (`VRT_TODAY=`) is the same as none.
    #[arg(long, value_name = "YYYY-MM-DD", env = "VRT_TODAY", hide = true, value_parser = DateOrUnset::parse)]
    today: Option<DateOrUnset>,
    #[command(flatten)]
    output: super::OutputArgs,
    #[command(flatten)]
    limits: super::LimitArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Diagnostics with source snippets, then a summary line.
    Human,
    /// One JSON document: findings, summary and suppressed findings
    /// (schemas/validate.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// JUnit XML: one test suite per file, one test case per finding.
    Junit,
}

impl Format {
    /// The format when `--format` is not given: `github` inside GitHub Actions.
    fn default_for(github_actions: Option<&std::ffi::OsStr>) -> Self {
        if github_actions.is_some_and(|v| v == "true") {
            Self::Github
        } else {
            Self::Human
        }
    }
}

struct Checked {
    source: Source,
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
    topology: Option<Topology>,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    // Asking for the token table picks the format that shows it.
    let format = args.format.unwrap_or_else(|| {
        if args.explain_tokens {
            Format::Human
        } else {
            Format::default_for(std::env::var_os("GITHUB_ACTIONS").as_deref())
        }
    });
    if args.explain_tokens && !matches!(format, Format::Human | Format::Json) {
        writeln!(
            io.err,
            "error: --explain-tokens needs --format human or json; SARIF, GitHub and JUnit output carry findings only"
        )?;
        return Ok(Exit::CouldNotRun);
    }
    let output = args.output.open()?;
    let today = args.today.and_then(|t| t.0).unwrap_or_else(Date::today);
    let mut checked = Vec::new();
    let mut could_not_run = false;
    for path in &args.files {
        match load::read(path, args.limits.max_file_size) {
            Ok((source, Some(not_utf8))) => checked.push(Checked {
                source,
                findings: vec![not_utf8],
                suppressed: Vec::new(),
                topology: None,
            }),
            Ok((source, None)) => {
                let v = crate::validate_on(&source, args.limits.limits(), |_| true, today);
                checked.push(Checked {
                    source,
                    findings: v.findings,
                    suppressed: v.suppressed,
                    topology: v.topology,
                });
            }
            Err(e) => {
                writeln!(io.err, "error: {e}")?;
                could_not_run = true;
            }
        }
    }
    let mut product = Vec::new();
    render(
        format,
        args,
        &checked,
        &mut Io {
            out: &mut product,
            err: &mut *io.err,
            color: io.color && output.is_stdout(),
        },
    )?;
    output.finish(&product, io.out)?;
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

fn render(format: Format, args: &Args, checked: &[Checked], io: &mut Io<'_>) -> Result<(), Error> {
    let files: Vec<FileReport<'_>> = checked
        .iter()
        .map(|c| FileReport {
            source: &c.source,
            findings: &c.findings,
        })
        .collect();
    let suppressed: Vec<SuppressedReport<'_>> = checked
        .iter()
        .map(|c| SuppressedReport {
            source: &c.source,
            suppressed: &c.suppressed,
        })
        .collect();
    let summary = Summary {
        suppressed: checked.iter().map(|c| c.suppressed.len()).sum(),
        ..Summary::of(&files)
    };
    match format {
        Format::Human => {
            report::human::render_findings(
                io.out,
                &files,
                report::human::Style {
                    color: io.color,
                    width: 100,
                },
            )?;
            writeln!(io.out, "{summary}")?;
            if args.explain_tokens {
                for c in checked {
                    if let Some(t) = &c.topology {
                        writeln!(io.out, "\nToken and lease flow in {}:", c.source.name)?;
                        writeln!(io.out, "{}", report::tokens::table(t))?;
                    }
                }
            }
        }
        Format::Json => {
            let tokens: Vec<(&str, &crate::graph::Topology)> = checked
                .iter()
                .filter_map(|c| Some((c.source.name.as_str(), c.topology.as_ref()?)))
                .collect();
            report::json::render(
                io.out,
                &files,
                &suppressed,
                args.explain_tokens.then_some(tokens.as_slice()),
            )?;
        }
        Format::Sarif => report::sarif::render(io.out, &files, &suppressed)?,
        Format::Github => report::github::render(io.out, &files, summary)?,
        Format::Junit => report::junit::render(io.out, &files, args.deny_warnings)?,
    }
    Ok(())
}
