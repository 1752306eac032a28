//! The runbook as a bash script (`--format sh`): `set -euo pipefail`, the clusters'
//! addresses and the variables the commands read at the top, a pre-flight check of which
//! clusters answer, one function per step with its prose as comments, a confirmation before
//! every step that promotes, demotes, disables or enables replication, `--yes` to skip the
//! confirmations, `--dry-run` to print every command without running any, `--from N` to
//! start at a step and `--list` to list the steps. Each command line is the plan's own,
//! with `VAULT_ADDR` read from the variable at the top.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::{WIDTH, command_header};
use crate::failover::{Command, On, Plan};
use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::report::escape::terminal;
use crate::text::{shell_var_part, shell_word};

/// Writes the plan as a bash script.
pub fn sh(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    let clusters = clusters(plan);
    let lines: Vec<Vec<String>> = plan
        .steps
        .iter()
        .map(|s| s.commands.iter().map(|c| line(t, c)).collect())
        .collect();
    header(w, t, plan)?;
    variables(w, t, &clusters, &lines)?;
    w.write_all(HELPERS.as_bytes())?;
    preflight(w, t, &clusters)?;
    for (i, step) in plan.steps.iter().enumerate() {
        let n = i + 1;
        writeln!(w)?;
        comment(
            w,
            &format!("Step {n}. {} ({})", step.title, step.phase.title()),
            "",
        )?;
        for p in &step.text {
            comment(w, &p.joined(), "")?;
        }
        writeln!(w, "step_{n}() {{")?;
        writeln!(w, "  begin {n} {}", quote(&step.title))?;
        if step.commands.iter().any(|c| changes_replication(&c.line)) {
            writeln!(
                w,
                "  confirm {} || return 0",
                quote(&format!("Step {n}: {}.", step.title))
            )?;
        }
        if step.commands.is_empty() {
            writeln!(w, "  note 'nothing to run: read the step above'")?;
        }
        for (c, l) in step.commands.iter().zip(&lines[i]) {
            comment(w, &command_header(t, c), "  ")?;
            writeln!(w, "  if run {}; then", quote_command(l))?;
            // Flush left: a heredoc's terminator must start its line.
            writeln!(w, "{l}")?;
            writeln!(w, "  fi")?;
        }
        writeln!(w, "}}")?;
    }
    footer(w, plan)
}

/// The clusters the commands run on, in order of first use.
fn clusters(plan: &Plan) -> Vec<ClusterId> {
    let mut seen = BTreeSet::new();
    plan.steps
        .iter()
        .flat_map(|s| &s.commands)
        .filter_map(|c| match c.on {
            On::Cluster(id) => Some(id),
            On::Client(_) => None,
        })
        .filter(|c| seen.insert(*c))
        .collect()
}

/// `ADDR_DC_A`: the variable holding a cluster's API address, of `A-Z`, `0-9` and `_` only
/// and one per cluster whatever the names hold ([`crate::text::shell_var_part`]).
fn addr_var(t: &Topology, c: ClusterId) -> String {
    format!("ADDR_{}", shell_var_part(t.name(c), c.0))
}

/// The API address the plan's commands use for `c`, when the file gives one.
fn api(t: &Topology, c: ClusterId) -> Option<String> {
    t.cluster(c)
        .api_addr
        .as_ref()
        .map(|a| format!("{}://{}:{}", a.scheme, a.host, a.port))
}

/// The command line with its cluster's address read from the variable at the top.
fn line(t: &Topology, c: &Command) -> String {
    match c.on {
        On::Cluster(id) => match api(t, id) {
            Some(a) => c.line.replacen(
                &format!("VAULT_ADDR={} ", shell_word(&a)),
                &format!("VAULT_ADDR=\"${}\" ", addr_var(t, id)),
                1,
            ),
            None => c.line.clone(),
        },
        On::Client(_) => c.line.clone(),
    }
}

/// Whether a command promotes, demotes, disables or enables replication.
fn changes_replication(line: &str) -> bool {
    ["/promote", "/demote", "/disable", "/enable"]
        .iter()
        .any(|p| line.contains(p))
}

/// `'text'` for bash, with each `'` written as `'\''`, for text the script prints: hidden
/// characters shown escaped first ([`terminal`]), so the script neither breaks a line nor
/// sends a control sequence to the operator's terminal.
fn quote(text: &str) -> String {
    format!("'{}'", terminal(text).replace('\'', r"'\''"))
}

/// A command line (the plan's, built of shell words that hold no control character; a
/// heredoc keeps its line breaks) as one single-quoted word for `run` to show.
fn quote_command(line: &str) -> String {
    format!("'{}'", line.replace('\'', r"'\''"))
}

/// Writes `text` as `# ` comment lines, hidden characters shown escaped ([`terminal`]), so no
/// value ends the comment.
fn comment(w: &mut dyn Write, text: &str, indent: &str) -> io::Result<()> {
    let clean = terminal(text);
    let width = WIDTH.saturating_sub(indent.len() + 2);
    for l in crate::text::wrap(&clean, width) {
        writeln!(w, "{indent}# {l}")?;
    }
    Ok(())
}

fn header(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "#!/usr/bin/env bash")?;
    comment(
        w,
        &format!(
            "Runbook for the {} in topology `{}`, written by vrt. Read each step before running it: the prose above each function is the plan's.",
            plan.scenario.heading(),
            t.model.name
        ),
        "",
    )?;
    writeln!(w, "#")?;
    writeln!(
        w,
        "# Usage: bash runbook.sh [--yes] [--dry-run] [--from N] [--list]"
    )?;
    writeln!(
        w,
        "#   --yes      do not ask before the steps that promote, demote, disable or enable"
    )?;
    writeln!(w, "#   --dry-run  print every command without running any")?;
    writeln!(
        w,
        "#   --from N   start at step N (earlier steps are skipped)"
    )?;
    writeln!(w, "#   --list     list the steps and exit")?;
    // The dry-run prints commands in single quotes on purpose: they are shown, not expanded.
    writeln!(w, "# shellcheck disable=SC2016")?;
    writeln!(w, "set -euo pipefail")?;
    Ok(())
}

fn variables(
    w: &mut dyn Write,
    t: &Topology,
    clusters: &[ClusterId],
    lines: &[Vec<String>],
) -> io::Result<()> {
    writeln!(w)?;
    writeln!(
        w,
        "# API addresses from the topology file; export a variable to override it."
    )?;
    for &c in clusters {
        let var = addr_var(t, c);
        match api(t, c) {
            // An address that is plain inside double quotes keeps the one-line form; any
            // other (which the parser refuses) is assigned as one quoted shell word.
            Some(a)
                if a.chars()
                    .all(|c| c.is_ascii_graphic() && !"\"$`\\}".contains(c)) =>
            {
                writeln!(w, "{var}=\"${{{var}:-{a}}}\"")?;
            }
            Some(a) => {
                writeln!(w, "{var}=\"${{{var}:-}}\"")?;
                writeln!(w, "[ -n \"${var}\" ] || {var}={}", shell_word(&a))?;
            }
            None => {
                comment(
                    w,
                    &format!(
                        "The file gives no `api_addr` for `{}`: its commands read `$API_ADDR_{}` and stop until it is set.",
                        t.name(c),
                        var.trim_start_matches("ADDR_")
                    ),
                    "",
                )?;
                writeln!(w, "{var}=''")?;
            }
        }
    }
    let vars = read_variables(lines, &clusters.iter().map(|c| addr_var(t, *c)).collect());
    if !vars.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "# Variables the commands read: export them, or let the steps that capture them set them."
        )?;
        for v in vars {
            writeln!(w, "{v}=\"${{{v}:-}}\"")?;
        }
    }
    Ok(())
}

/// Every `$NAME` or `${NAME…}` the command lines read, in order of first use, except `skip`:
/// outside single quotes and ANSI-C quotes (`$'…'`), where a `$` is literal text of a value.
fn read_variables(lines: &[Vec<String>], skip: &BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in lines.iter().flatten() {
        let chars: Vec<char> = l.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\'' => i = closing(&chars, i + 1, false),
                '$' if chars.get(i + 1) == Some(&'\'') => i = closing(&chars, i + 2, true),
                '$' => {
                    let name: String = chars[i + 1..]
                        .iter()
                        .skip_while(|c| **c == '{')
                        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == '_')
                        .collect();
                    if !name.is_empty() && !skip.contains(&name) && !out.contains(&name) {
                        out.push(name);
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// The index of the `'` that closes a quote opened before `from` (in ANSI-C quotes, `escapes`,
/// a backslash escapes the next character), or the end.
fn closing(chars: &[char], from: usize, escapes: bool) -> usize {
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '\\' if escapes => i += 1,
            '\'' => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

const HELPERS: &str = r#"
YES=0
DRY_RUN=0
FROM=1
LIST=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --yes) YES=1 ;;
    --dry-run) DRY_RUN=1 ;;
    --from)
      [ "$#" -ge 2 ] || { echo "--from needs a step number" >&2; exit 2; }
      FROM="$2"
      shift
      ;;
    --list) LIST=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d'
      exit 0
      ;;
    *)
      echo "unknown option: $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
case "$FROM" in
  '' | *[!0-9]*)
    echo "--from needs a step number, not '$FROM'" >&2
    exit 2
    ;;
esac

# Prints a step's heading.
begin() {
  printf '\n== Step %s. %s\n' "$1" "$2" >&2
}

# Prints a note.
note() {
  printf '   %s\n' "$1" >&2
}

# Asks before a step that promotes, demotes, disables or enables replication: yes runs it,
# skip skips it (for instance a demotion when the old primary does not answer and has been
# fenced), anything else stops the runbook.
confirm() {
  if [ "$YES" = 1 ] || [ "$DRY_RUN" = 1 ]; then
    return 0
  fi
  local answer
  printf '%s Run it? [yes/skip/stop] ' "$1" >&2
  read -r answer || answer=stop
  case "$answer" in
    yes) return 0 ;;
    skip)
      note 'skipped'
      return 1
      ;;
    *)
      echo 'stopped' >&2
      exit 1
      ;;
  esac
}

# Shows a command; true when it is to be run (not with --dry-run).
run() {
  printf '+ %s\n' "$1" >&2
  [ "$DRY_RUN" = 0 ]
}
"#;

fn preflight(w: &mut dyn Write, t: &Topology, clusters: &[ClusterId]) -> io::Result<()> {
    writeln!(w)?;
    comment(
        w,
        "Pre-flight: vault must be on PATH; then each cluster the runbook uses is asked for its replication status, so you know which case applies (a lost cluster that answers is demoted; one that does not is fenced). Nothing is changed.",
        "",
    )?;
    writeln!(w, "preflight() {{")?;
    writeln!(
        w,
        "  command -v vault >/dev/null 2>&1 || {{ echo 'vault is not on PATH' >&2; exit 2; }}"
    )?;
    for &c in clusters {
        let check = format!(
            "VAULT_ADDR=\"${}\" VAULT_NAMESPACE='' vault read -format=json sys/replication/status",
            addr_var(t, c)
        );
        let name = quote(&format!("`{}`", t.name(c)));
        writeln!(w, "  if [ \"$DRY_RUN\" = 1 ]; then")?;
        writeln!(w, "    printf '+ %s\\n' {} >&2", quote_command(&check))?;
        writeln!(w, "  elif [ -z \"${}\" ]; then", addr_var(t, c))?;
        writeln!(w, "    note {name}' has no address'")?;
        writeln!(w, "  elif {check} >/dev/null 2>&1; then")?;
        writeln!(w, "    note {name}' answers'")?;
        writeln!(w, "  else")?;
        writeln!(w, "    note {name}' does not answer'")?;
        writeln!(w, "  fi")?;
    }
    writeln!(w, "}}")
}

fn footer(w: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    writeln!(w)?;
    writeln!(w, "STEPS=(")?;
    for (i, s) in plan.steps.iter().enumerate() {
        writeln!(w, "  {}", quote(&format!("{}. {}", i + 1, s.title)))?;
    }
    writeln!(w, ")")?;
    writeln!(w, "if [ \"$LIST\" = 1 ]; then")?;
    writeln!(w, "  printf '%s\\n' \"${{STEPS[@]}}\"")?;
    writeln!(w, "  exit 0")?;
    writeln!(w, "fi")?;
    writeln!(w, "preflight")?;
    for n in 1..=plan.steps.len() {
        writeln!(w, "if [ \"$FROM\" -le {n} ]; then")?;
        writeln!(w, "  step_{n}")?;
        writeln!(w, "fi")?;
    }
    Ok(())
}
