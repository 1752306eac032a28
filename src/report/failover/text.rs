//! The failover runbook for the terminal: numbered sections, tables, prose wrapped at 100
//! columns and indented commands. Plain text, no Markdown: a step's case labels ("If `a`
//! answers") are lines of their own above their paragraph. Every file-derived value, and
//! every line of prose or command that carries one, goes through the terminal escaper
//! ([`super::term`]), so no value can send a control sequence or break a line.

use std::io::{self, Write};

use super::{
    after_rows, client_rows, cluster_list, command_header, hang, indent_table, lost_rows,
    node_name, ports, recovery_summary, sources_line, table, term, wrap,
};
use crate::failover::{Command, Plan};
use crate::graph::Topology;

/// Renders a plan as a terminal runbook.
pub fn text(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(
        w,
        "{} runbook for {}: {}\n",
        if plan.scenario.planned {
            "Switchover"
        } else {
            "Failover"
        },
        term(&t.model.name),
        term(&plan.scenario.heading())
    )?;
    text_lost(w, t, plan)?;
    text_recovery(w, t, plan)?;
    text_steps(w, t, plan)?;
    text_after(w, t, plan)?;
    text_footer(w, plan)?;
    Ok(())
}

fn text_lost(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "1. What is lost\n")?;
    if plan.scenario.lost.is_empty() {
        write!(
            w,
            "{}",
            wrap("No Vault cluster is lost; nothing to fail over.", 2)
        )?;
    } else {
        write!(w, "{}", indent_table(&table(lost_rows(t, plan)), 2))?;
    }
    if !plan.clients.is_empty() {
        writeln!(w, "\n  Clients of lost clusters:")?;
        write!(
            w,
            "{}",
            indent_table(&table(client_rows(t, &plan.clients)), 2)
        )?;
    }
    if !plan.sets.is_empty() {
        writeln!(w, "\n  Replication sets:")?;
        for s in &plan.sets {
            write!(
                w,
                "{}",
                hang(
                    "- ",
                    &format!(
                        "set of `{}`: {} (lost: {}); {}",
                        term(t.name(s.root)),
                        s.status.as_str(),
                        cluster_list(t, &s.lost),
                        term(&s.note)
                    ),
                    2
                )
            )?;
        }
    }
    Ok(())
}

fn text_recovery(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "\n2. Recovery\n")?;
    if plan.recoveries.is_empty() {
        write!(
            w,
            "{}",
            wrap(
                "No primary or performance secondary is lost: nothing needs promoting.",
                2
            )
        )?;
    }
    for r in &plan.recoveries {
        writeln!(
            w,
            "  `{}` ({}): {}; tokens preserved: {}",
            term(t.name(r.lost)),
            t.role(r.lost).as_str(),
            term(&recovery_summary(t, r)),
            if r.tokens_preserved { "yes" } else { "no" }
        )?;
        write!(w, "{}", wrap(&term(&r.why), 4))?;
    }
    Ok(())
}

fn text_steps(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "\n3. Steps")?;
    if plan.steps.is_empty() {
        write!(w, "\n{}", wrap("None.", 2))?;
    }
    let mut phase = None;
    let digits = plan.steps.len().to_string().len();
    let body = 2 + digits + 2;
    for (i, s) in plan.steps.iter().enumerate() {
        if phase == Some(s.phase) {
            writeln!(w)?;
        } else {
            writeln!(w, "\n  {}\n", s.phase.title())?;
            phase = Some(s.phase);
        }
        write!(
            w,
            "{}",
            hang(
                &format!("{:>digits$}. ", i + 1),
                &format!("{} [{}]", term(&s.title), sources_line(&s.sources)),
                2
            )
        )?;
        for p in &s.text {
            // A labelled paragraph (a case of the step) is its label on a line of its own,
            // then the paragraph indented under it.
            match &p.label {
                Some(label) => {
                    write!(w, "{}", wrap(&format!("{}:", term(label)), body))?;
                    write!(w, "{}", wrap(&term(&p.text), body + 2))?;
                }
                None => write!(w, "{}", wrap(&term(&p.text), body))?,
            }
        }
        for c in &s.commands {
            write_command_text(w, t, c, body + 2)?;
        }
    }
    Ok(())
}

fn text_after(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    writeln!(w, "\n4. After the failover\n")?;
    write!(w, "{}", indent_table(&table(after_rows(t, &plan.after)), 2))?;
    writeln!(
        w,
        "\n  Left without a DR secondary: {}",
        cluster_list(t, &plan.without_dr)
    )?;
    if plan.live_paths.is_empty() {
        writeln!(w, "  Network paths now live: none")?;
    } else {
        writeln!(w, "  Network paths now live:")?;
        for p in &plan.live_paths {
            write!(
                w,
                "{}",
                hang(
                    "- ",
                    &format!(
                        "{} -> {} {}{}: {}",
                        term(&node_name(t, p.from)),
                        term(&node_name(t, p.to)),
                        ports(&p.ports),
                        if p.both_ways { " (both ways)" } else { "" },
                        term(&p.why)
                    ),
                    4
                )
            )?;
        }
    }
    Ok(())
}

fn text_footer(w: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    if !plan.warnings.is_empty() {
        writeln!(w, "\nWarnings\n")?;
        for warning in &plan.warnings {
            write!(w, "{}", hang("- ", &term(warning), 2))?;
        }
    }
    let sources = plan.sources();
    if !sources.is_empty() {
        writeln!(w, "\nSources\n")?;
        for (key, what) in sources {
            write!(w, "{}", hang("- ", &format!("{key}: {what}"), 2))?;
        }
    }
    Ok(())
}

fn write_command_text(
    w: &mut dyn Write,
    t: &Topology,
    c: &Command,
    indent: usize,
) -> io::Result<()> {
    let pad = " ".repeat(indent);
    writeln!(w)?;
    writeln!(w, "{pad}# {}", term(&command_header(t, c)))?;
    // A command of several lines (a heredoc) is written flush left, so a pasted block keeps
    // its terminator at the start of a line: an indented `EOF` would not end the heredoc and
    // it would swallow the commands after it.
    let pad = if c.line.contains('\n') {
        ""
    } else {
        pad.as_str()
    };
    for line in c.line.lines() {
        writeln!(w, "{pad}{}", term(line))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::failover::{Failure, plan, sweep};
    use crate::ids::ClusterId;
    use crate::source::Source;
    use crate::yaml::{Limits, Sp};

    /// Names that the format's grammar would refuse, forced into a topology after loading:
    /// the text runbook and the text sweep show their control characters escaped, so no byte
    /// below 0x20 but the newline reaches the terminal and every line stays a line.
    #[test]
    fn text_runbook_and_sweep_escape_every_value() {
        let text = "version: 1\nname: x\nsites: [{name: a, region: east}, {name: b, region: west}]\nclusters:\n  - {name: p, site: a, role: primary}\n  - {name: d, site: b, role: dr-secondary, replicates_from: p}\n  - {name: s, site: b, role: performance-secondary, replicates_from: p}\nclients:\n  - {name: apps, site: a, cluster: p}\n";
        let mut t = crate::topology(&Source::new("t.yaml", text), Limits::default()).unwrap();
        let evil = |s: &str| format!("{s}\u{1b}]0;owned\u{7}\u{202e}\n\r");
        t.model.name = evil("topo");
        for c in &mut t.model.clusters {
            c.name = Sp::new(evil(c.name.get()), c.name.span());
        }
        for s in &mut t.model.sites {
            s.name = Sp::new(evil(s.name.get()), s.name.span());
        }
        for c in &mut t.model.clients {
            c.name = Sp::new(evil(c.name.get()), c.name.span());
        }
        let mut out = Vec::new();
        super::text(
            &mut out,
            &t,
            &plan(&t, &Failure::Cluster(ClusterId(0))).unwrap(),
        )
        .unwrap();
        super::super::sweep_text(&mut out, &t, &sweep(&t).unwrap()).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            !out.chars()
                .any(|c| c != '\n' && crate::report::escape::is_hidden(c)),
            "{out}"
        );
        assert!(
            out.contains("topo\\u{1b}]0;owned\\u{7}\\u{202e}\\n\\r"),
            "{out}"
        );
        assert!(out.contains("p\\u{1b}"), "{out}");
        assert!(out.contains("apps\\u{1b}"), "{out}");
    }
}
