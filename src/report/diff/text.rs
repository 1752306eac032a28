//! `vrt diff` for the terminal: the summary, then one section per part of the diff, the
//! runbook last with its commands unindented so they paste as they are.

use std::io::{self, Write};

use super::walk::{ChangeRow, Section, names_or_none, sections};
use super::{Context, artifacts, clean, clean_lines, rule_text, summary};
use crate::diff::Diff;
use crate::diff::findings::Item;
use crate::diff::runbook::Runbook;
use crate::text::wrap;

const WIDTH: usize = 100;

/// Wraps `text` after `prefix`; continuation lines align with the text after it.
fn para(w: &mut dyn Write, prefix: &str, text: &str) -> io::Result<()> {
    let pad = " ".repeat(prefix.chars().count());
    for (i, line) in wrap(&clean(text), WIDTH - pad.len()).iter().enumerate() {
        writeln!(w, "{}{line}", if i == 0 { prefix } else { &pad })?;
    }
    Ok(())
}

/// Renders the whole diff.
pub fn render(w: &mut dyn Write, d: &Diff, ctx: &Context<'_>) -> io::Result<()> {
    let old = if d.old_file.is_empty() {
        "(empty)"
    } else {
        &d.old_file
    };
    writeln!(
        w,
        "vrt diff {} → {} ({})",
        clean(old),
        clean(&d.new_file),
        d.mode.key()
    )?;
    para(w, "", &summary(d))?;
    for section in sections(d) {
        match section {
            Section::Changes(rows) => changes(w, &rows)?,
            Section::Placement(places) => {
                writeln!(w, "\nData placement (clusters holding each mount's data)")?;
                for p in places {
                    para(
                        w,
                        "  ",
                        &format!(
                            "`{}`: was {}; now {}",
                            p.mount,
                            names_or_none(&p.before),
                            names_or_none(&p.after)
                        ),
                    )?;
                }
            }
            Section::Findings { new, fixed } => findings(w, new, fixed)?,
            Section::Resilience { rows, unchanged } => {
                writeln!(
                    w,
                    "\nResilience ({unchanged} failure scenario(s) unchanged)"
                )?;
                if rows.is_empty() {
                    writeln!(w, "  no failure scenario recovers differently")?;
                }
                for r in rows {
                    let worse = if r.worse { " [worse]" } else { "" };
                    para(
                        w,
                        "  ",
                        &format!("losing {}{worse}: was {}; now {}", r.label, r.was, r.now),
                    )?;
                }
            }
            Section::Network(n) => {
                writeln!(w, "\nNetwork ({} rule(s) kept)", n.kept)?;
                writeln!(w, "  open before the change ({}):", n.add.len())?;
                for r in &n.add {
                    para(w, "    + ", &rule_text(r))?;
                }
                writeln!(w, "  close after the change ({}):", n.remove.len())?;
                for r in &n.remove {
                    para(w, "    - ", &rule_text(r))?;
                }
                for a in artifacts(n, d, ctx) {
                    writeln!(w, "\n  {} ({}, firewall target)", ctx.target.key(), a.when)?;
                    para(w, "  ", &a.how)?;
                    match &a.text {
                        Ok(t) => write!(w, "{}", clean_lines(t))?,
                        Err(e) => para(w, "  cannot be written: ", e)?,
                    }
                }
            }
            Section::Runbook(b) => runbook(w, b)?,
            Section::Notes(notes) => {
                writeln!(w, "\nNotes")?;
                for x in notes {
                    para(w, "  - ", x)?;
                }
            }
        }
    }
    Ok(())
}

fn changes(w: &mut dyn Write, rows: &[ChangeRow<'_>]) -> io::Result<()> {
    writeln!(w, "\nChanges")?;
    if rows.is_empty() {
        writeln!(w, "  none")?;
    }
    for r in rows {
        let c = r.change;
        let tags = if r.tags.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.tags)
        };
        writeln!(
            w,
            "  {} {} `{}` {}{tags}",
            r.sign,
            c.kind.as_str(),
            c.name,
            c.how.key()
        )?;
        for v in &r.values {
            para(w, "      ", v)?;
        }
        for m in &c.meaning {
            para(w, "      → ", m)?;
        }
    }
    Ok(())
}

fn findings(w: &mut dyn Write, new: &[Item], fixed: &[Item]) -> io::Result<()> {
    writeln!(w, "\nFindings")?;
    for (label, items) in [("new", new), ("fixed", fixed)] {
        if items.is_empty() {
            writeln!(w, "  {label}: none")?;
        }
        for i in items {
            let cluster = i
                .cluster
                .as_ref()
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default();
            para(
                w,
                "  ",
                &format!(
                    "{label}: {} {}[{}]{cluster}: {} ({}:{}:{})",
                    i.severity.as_str(),
                    i.code,
                    i.rule,
                    i.message,
                    i.file,
                    i.line,
                    i.column
                ),
            )?;
        }
    }
    Ok(())
}

fn runbook(w: &mut dyn Write, b: &Runbook) -> io::Result<()> {
    writeln!(w, "\nRunbook ({})", b.mode.key())?;
    if b.steps.is_empty() {
        writeln!(
            w,
            "  nothing to carry out: the two versions describe the same estate"
        )?;
    }
    if b.windows.is_empty() {
        writeln!(w, "  risk windows: none")?;
    } else {
        writeln!(w, "  risk windows:")?;
        for win in &b.windows {
            para(w, "    ! ", &win.why)?;
        }
    }
    for (i, s) in b.steps.iter().enumerate() {
        writeln!(w)?;
        para(w, "", &format!("{}. {}", i + 1, s.title))?;
        for t in &s.text {
            para(w, "   ", t)?;
        }
        for c in &s.commands {
            writeln!(w, "   # on {}", clean(&c.on))?;
            writeln!(w, "{}", clean_lines(&c.line))?;
        }
        if !s.sources.is_empty() {
            writeln!(w, "   sources: {}", s.sources.join(", "))?;
        }
    }
    if !b.warnings.is_empty() {
        writeln!(w, "\nCheck by hand")?;
        for x in &b.warnings {
            para(w, "  - ", x)?;
        }
    }
    Ok(())
}
