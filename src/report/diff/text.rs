//! `vrt diff` for the terminal: the summary, then one section per part of the diff, the
//! runbook last with its commands unindented so they paste as they are.

use std::io::{self, Write};

use super::{
    Context, artifacts, clean, clean_lines, field_text, outcome_text, rule_text, sign, summary,
};
use crate::diff::Diff;
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

/// `a, b` or `none`.
pub(super) fn placement_list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Renders the whole diff.
#[allow(clippy::too_many_lines)] // one section after another
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
    if let Some(delta) = &d.delta {
        writeln!(w, "\nChanges")?;
        if delta.changes.is_empty() {
            writeln!(w, "  none")?;
        }
        for c in &delta.changes {
            let tags = if c.tags.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    c.tags
                        .iter()
                        .map(|t| t.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            writeln!(
                w,
                "  {} {} `{}` {}{tags}",
                sign(c),
                c.kind.as_str(),
                c.name,
                c.how.key()
            )?;
            for f in &c.fields {
                para(w, "      ", &field_text(c, f))?;
            }
            for m in &c.meaning {
                para(w, "      → ", m)?;
            }
        }
        if !delta.placement.is_empty() {
            writeln!(w, "\nData placement (clusters holding each mount's data)")?;
            for p in &delta.placement {
                para(
                    w,
                    "  ",
                    &format!(
                        "`{}`: was {}; now {}",
                        p.mount,
                        placement_list(&p.before),
                        placement_list(&p.after)
                    ),
                )?;
            }
        }
    }
    writeln!(w, "\nFindings")?;
    for (label, items) in [("new", &d.findings.new), ("fixed", &d.findings.fixed)] {
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
    if let Some(r) = &d.resilience {
        writeln!(
            w,
            "\nResilience ({} failure scenario(s) unchanged)",
            r.unchanged
        )?;
        if r.changes.is_empty() {
            writeln!(w, "  no failure scenario recovers differently")?;
        }
        for c in &r.changes {
            let label = c
                .new
                .as_ref()
                .or(c.old.as_ref())
                .map_or("", |o| o.label.as_str());
            let was = c
                .old
                .as_ref()
                .map_or_else(|| "no such failure".to_string(), outcome_text);
            let now = c
                .new
                .as_ref()
                .map_or_else(|| "no such failure".to_string(), outcome_text);
            let worse = if c.worse { " [worse]" } else { "" };
            para(
                w,
                "  ",
                &format!("losing {label}{worse}: was {was}; now {now}"),
            )?;
        }
    }
    if let Some(n) = &d.network {
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
    if let Some(b) = &d.runbook {
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
    }
    if !d.notes.is_empty() {
        writeln!(w, "\nNotes")?;
        for x in &d.notes {
            para(w, "  - ", x)?;
        }
    }
    Ok(())
}
