use tabled::settings::Style;

use crate::error::Error;
use crate::rules;

use super::{Exit, Io};

/// Explain a rule (by code or name), or list every rule.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  vrt explain\n  vrt explain VRT101\n  vrt explain missing-dr-secondary"
)]
pub struct Args {
    /// A rule code (`VRT101`) or name (`missing-dr-secondary`); omit to list every rule.
    rule: Option<String>,
}

#[derive(tabled::Tabled)]
struct Row {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    suppressible: &'static str,
    summary: &'static str,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    match &args.rule {
        Some(wanted) => {
            let rule = rules::find(wanted).ok_or_else(|| Error::UnknownRule(wanted.clone()))?;
            writeln!(
                io.out,
                "{} {} ({}{})\n",
                rule.code,
                rule.name,
                rule.severity.as_str(),
                if rule.suppressible {
                    ""
                } else {
                    ", not suppressible"
                }
            )?;
            writeln!(io.out, "{}", rule.markdown().trim_end())?;
            let sources = crate::sources::cited(rule.doc);
            if !sources.is_empty() {
                writeln!(io.out, "\n## Sources")?;
                for (key, what) in sources {
                    writeln!(io.out, "- {key}: {what}")?;
                }
            }
            writeln!(io.out, "\n## Suppressing it")?;
            if rule.suppressible {
                writeln!(
                    io.out,
                    "Accept a reviewed finding in the topology file (`cluster` and `until` are optional):\n```yaml\nignore:\n  - {{rule: {}, cluster: <cluster>, reason: \"<why, who, ticket>\", until: <YYYY-MM-DD>}}\n```",
                    rule.code
                )?;
            } else {
                writeln!(
                    io.out,
                    "Not possible: an `ignore` entry naming {} is reported (VRT023) and suppresses nothing.",
                    rule.code
                )?;
            }
        }
        None => {
            let rows: Vec<Row> = rules::all()
                .into_iter()
                .map(|r| Row {
                    code: r.code,
                    name: r.name,
                    severity: r.severity.as_str(),
                    suppressible: if r.suppressible { "yes" } else { "no" },
                    summary: r.summary(),
                })
                .collect();
            let mut table = tabled::Table::new(rows);
            table.with(Style::sharp());
            writeln!(io.out, "{table}")?;
        }
    }
    Ok(Exit::Clean)
}
