//! `vrt diff` as a pull-request comment: a heading with the summary line, then one
//! collapsible `<details>` section per part of the diff. Every value from a topology file is
//! escaped: prose splits at backticks into escaped text and code spans, table cells escape
//! their pipes, and commands and firewall files sit in fences longer than any backtick run
//! they contain.

use std::io::{self, Write};

use super::walk::{ChangeRow, Section, sections};
use super::{Context, artifacts, clean, rule_text, summary};
use crate::diff::Diff;
use crate::diff::findings::Item;
use crate::diff::mounts::Placement;
use crate::diff::network::NetworkDelta;
use crate::diff::runbook::Runbook;

/// Escapes text outside code spans: HTML, emphasis, links, math, table pipes; control
/// characters (newlines included) are shown escaped.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '`' => out.push_str("&#96;"),
            '\\' | '*' | '_' | '[' | ']' | '#' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Inline Markdown for prose whose `` `names` `` become code spans, everything escaped.
pub fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let n = parts.len();
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&escape_text(p));
        } else if i + 1 == n {
            // An unbalanced backtick: shown, not opening a code span.
            out.push_str("&#96;");
            out.push_str(&escape_text(p));
        } else if p.is_empty() {
            out.push_str("&#96;&#96;");
        } else {
            let inner = clean(p).replace('|', "\\|");
            let pad = if inner.starts_with(' ') || inner.ends_with(' ') {
                " "
            } else {
                ""
            };
            out.push('`');
            out.push_str(pad);
            out.push_str(&inner);
            out.push_str(pad);
            out.push('`');
        }
    }
    out
}

/// A fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn block(w: &mut dyn Write, lang: &str, text: &str) -> io::Result<()> {
    let text = text.split('\n').map(clean).collect::<Vec<_>>().join("\n");
    let f = fence(&text);
    writeln!(w, "{f}{lang}")?;
    write!(w, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(w)?;
    }
    writeln!(w, "{f}")
}

/// `<summary>` holds HTML, not Markdown: only HTML is escaped there.
fn open(w: &mut dyn Write, title: &str, expanded: bool) -> io::Result<()> {
    let title = clean(title)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    writeln!(
        w,
        "<details{}><summary>{title}</summary>\n",
        if expanded { " open" } else { "" },
    )
}

fn close(w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n</details>\n")
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
        "### vrt diff `{}` → `{}` ({})\n",
        clean(old).replace('`', "'"),
        clean(&d.new_file).replace('`', "'"),
        d.mode.key()
    )?;
    writeln!(w, "{}\n", inline(&summary(d)))?;
    for section in sections(d) {
        match section {
            Section::Changes(rows) => changes(w, &rows)?,
            Section::Placement(places) => placement(w, places)?,
            Section::Findings { new, fixed } => findings(w, d, new, fixed)?,
            Section::Resilience { rows, unchanged } => {
                open(
                    w,
                    &format!(
                        "Resilience: {} failure scenario(s) recover differently",
                        rows.len()
                    ),
                    rows.iter().any(|r| r.worse),
                )?;
                if rows.is_empty() {
                    writeln!(
                        w,
                        "No failure scenario recovers differently ({unchanged} unchanged)."
                    )?;
                } else {
                    writeln!(w, "| losing | before | after |\n|---|---|---|")?;
                    for r in &rows {
                        writeln!(
                            w,
                            "| {}{} | {} | {} |",
                            inline(&r.label),
                            if r.worse { " ⚠️ worse" } else { "" },
                            inline(&r.was),
                            inline(&r.now)
                        )?;
                    }
                    writeln!(w, "\n{unchanged} failure scenario(s) unchanged.")?;
                }
                close(w)?;
            }
            Section::Network(n) => network(w, d, ctx, n)?,
            Section::Runbook(b) => runbook(w, b)?,
            Section::Notes(notes) => {
                writeln!(w, "**Notes**\n")?;
                for x in notes {
                    writeln!(w, "- {}", inline(x))?;
                }
            }
        }
    }
    Ok(())
}

fn changes(w: &mut dyn Write, rows: &[ChangeRow<'_>]) -> io::Result<()> {
    open(w, &format!("Changes ({})", rows.len()), false)?;
    if rows.is_empty() {
        writeln!(w, "No object changed.")?;
    } else {
        writeln!(
            w,
            "| | kind | name | change | values |\n|---|---|---|---|---|"
        )?;
        for r in rows {
            let c = r.change;
            let mut how = c.how.key().to_string();
            if !r.tags.is_empty() {
                how = format!("{how}: {}", r.tags);
            }
            let values = r
                .values
                .iter()
                .map(|v| escape_text(v))
                .chain(c.meaning.iter().map(|m| format!("→ {}", inline(m))))
                .collect::<Vec<_>>()
                .join("<br>");
            writeln!(
                w,
                "| {} | {} | {} | {} | {values} |",
                match r.sign {
                    '+' => "➕",
                    '-' => "➖",
                    _ => "✏️",
                },
                c.kind.as_str(),
                inline(&format!("`{}`", c.name)),
                how
            )?;
        }
    }
    close(w)
}

fn placement(w: &mut dyn Write, places: &[Placement]) -> io::Result<()> {
    open(
        w,
        &format!("Data placement ({} mount(s))", places.len()),
        false,
    )?;
    writeln!(
        w,
        "| mount | held before | held after | leaves | reaches |\n|---|---|---|---|---|"
    )?;
    let cells = |names: &[String]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names
                .iter()
                .map(|n| inline(&format!("`{n}`")))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    for p in places {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            inline(&format!("`{}`", p.mount)),
            cells(&p.before),
            cells(&p.after),
            cells(&p.leaves()),
            cells(&p.reaches())
        )?;
    }
    close(w)
}

fn findings(w: &mut dyn Write, d: &Diff, new: &[Item], fixed: &[Item]) -> io::Result<()> {
    open(
        w,
        &format!("Findings: {} new, {} fixed", new.len(), fixed.len()),
        d.findings.new_errors() > 0,
    )?;
    for (label, items) in [("New", new), ("Fixed", fixed)] {
        writeln!(w, "**{label}**\n")?;
        if items.is_empty() {
            writeln!(w, "none\n")?;
            continue;
        }
        writeln!(
            w,
            "| severity | code | cluster | message | where |\n|---|---|---|---|---|"
        )?;
        for i in items {
            writeln!(
                w,
                "| {} | {} {} | {} | {} | {} |",
                i.severity.as_str(),
                i.code,
                i.rule,
                i.cluster
                    .as_ref()
                    .map_or_else(String::new, |c| inline(&format!("`{c}`"))),
                inline(&i.message),
                inline(&format!("`{}:{}:{}`", i.file, i.line, i.column))
            )?;
        }
        writeln!(w)?;
    }
    close(w)
}

fn network(w: &mut dyn Write, d: &Diff, ctx: &Context<'_>, n: &NetworkDelta) -> io::Result<()> {
    open(
        w,
        &format!(
            "Network: {} rule(s) to add, {} to remove",
            n.add.len(),
            n.remove.len()
        ),
        false,
    )?;
    for (label, rules) in [
        ("Open before the change", &n.add),
        ("Close after the change", &n.remove),
    ] {
        writeln!(w, "**{label}** ({})\n", rules.len())?;
        for r in rules {
            writeln!(w, "- {}", escape_text(&rule_text(r)))?;
        }
        writeln!(w)?;
    }
    for a in artifacts(n, d, ctx) {
        writeln!(
            w,
            "**{} ({})**: {}\n",
            ctx.target.key(),
            a.when,
            inline(&a.how)
        )?;
        match &a.text {
            Ok(t) => block(w, ctx.target.fence(), t)?,
            Err(e) => writeln!(w, "cannot be written: {}", inline(e))?,
        }
        writeln!(w)?;
    }
    close(w)
}

fn runbook(w: &mut dyn Write, b: &Runbook) -> io::Result<()> {
    open(
        w,
        &format!(
            "Runbook ({}): {} step(s), {} risk window(s)",
            b.mode.key(),
            b.steps.len(),
            b.windows.len()
        ),
        false,
    )?;
    if b.steps.is_empty() {
        writeln!(
            w,
            "Nothing to carry out: the two versions describe the same estate."
        )?;
    }
    if !b.windows.is_empty() {
        writeln!(w, "**Risk windows**\n")?;
        for win in &b.windows {
            writeln!(w, "- ⚠️ {}", inline(&win.why))?;
        }
        writeln!(w)?;
    }
    for (i, s) in b.steps.iter().enumerate() {
        // Steps are paragraphs, not list items, so commands sit in unindented fences and a
        // pasted heredoc keeps its terminator at column 0.
        writeln!(w, "**{}. {}**\n", i + 1, inline(&s.title))?;
        for t in &s.text {
            writeln!(w, "{}\n", inline(t))?;
        }
        for c in &s.commands {
            writeln!(w, "On `{}`:\n", clean(&c.on).replace('`', "'"))?;
            block(w, "sh", &c.line)?;
            writeln!(w)?;
        }
        if !s.sources.is_empty() {
            writeln!(w, "Sources: {}\n", s.sources.join(", "))?;
        }
    }
    if !b.warnings.is_empty() {
        writeln!(w, "**Check by hand**\n")?;
        for x in &b.warnings {
            writeln!(w, "- {}", inline(x))?;
        }
    }
    close(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_html_pipes_and_unbalanced_backticks() {
        assert_eq!(inline("a `b|c` <x>"), "a `b\\|c` &lt;x&gt;");
        assert_eq!(inline("x `y` z `w"), "x `y` z &#96;w");
        assert_eq!(inline("1.0+`<script>`"), "1.0+`<script>`");
        assert_eq!(inline("v\n# h"), "v\\\\u{a}\\# h");
        assert_eq!(fence("a ``` b"), "````");
        assert_eq!(escape_text("a`b|c"), "a&#96;b\\|c");
    }
}
