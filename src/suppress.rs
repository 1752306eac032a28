//! Suppressions: the topology file's `ignore` entries applied to the rules' findings.
//!
//! An entry names a rule (code or name) and optionally a cluster; it suppresses the findings
//! of that rule whose subject ([`Finding::cluster`]) is that cluster, or every finding of the
//! rule when it names none. Each finding is credited to the first entry that matches it. An
//! entry without a reason, past its `until` date, naming an unknown rule or a rule that
//! cannot be suppressed suppresses nothing and is reported; so is an entry in force that
//! matched nothing (VRT020–VRT023, VRT010).

use crate::date::Date;
use crate::diag::structure as code;
use crate::diag::{Finding, Rule};
use crate::graph::Topology;
use crate::model::Ignore;
use crate::rules;
use crate::source::Span;
use crate::values;
use crate::yaml::Sp;

/// A finding that an `ignore` entry suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    /// The finding as the rule reported it.
    pub finding: Finding,
    /// The entry's reason.
    pub reason: String,
    /// The span of the entry's `rule`, where the suppression is written.
    pub entry: Span,
}

/// What applying the suppressions leaves.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The findings still reported, followed by the findings about the entries themselves.
    pub findings: Vec<Finding>,
    /// The findings the entries suppressed.
    pub suppressed: Vec<Suppressed>,
}

/// An entry that is in force: its rule resolved, a reason given, not expired.
struct Active<'a> {
    entry: &'a Ignore,
    rule: &'static Rule,
    reason: &'a str,
    used: bool,
}

/// Applies the topology's `ignore` entries to `findings` on day `today`. Findings about the
/// entries are produced only for codes accepted by `enabled`, and staleness is judged only
/// for entries whose rule ran (was accepted by `enabled`).
pub fn apply(
    t: &Topology,
    findings: Vec<Finding>,
    today: Date,
    enabled: impl Fn(&Rule) -> bool,
) -> Outcome {
    let mut problems = Vec::new();
    let mut active: Vec<Active<'_>> = t
        .model
        .ignores
        .iter()
        .filter_map(|entry| in_force(t, entry, today, &mut problems))
        .collect();

    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let hit = active.iter_mut().find(|a| {
            a.rule == finding.rule
                && a.entry
                    .cluster
                    .as_ref()
                    .is_none_or(|c| Some(*c.get()) == finding.cluster)
        });
        match hit {
            Some(a) => {
                a.used = true;
                suppressed.push(Suppressed {
                    finding,
                    reason: a.reason.to_string(),
                    entry: a.entry.rule.span(),
                });
            }
            None => kept.push(finding),
        }
    }

    for (i, a) in active.iter().enumerate() {
        if !a.used && enabled(a.rule) {
            problems.push(unused(t, a, &active[..i]));
        }
    }

    let mut findings = kept;
    findings.extend(problems.into_iter().filter(|f| enabled(f.rule)));
    Outcome {
        findings,
        suppressed,
    }
}

/// The entry, when it is in force; otherwise the findings saying why not go to `problems`.
fn in_force<'a>(
    t: &Topology,
    entry: &'a Ignore,
    today: Date,
    problems: &mut Vec<Finding>,
) -> Option<Active<'a>> {
    let rule = rules::find(entry.rule.get());
    match rule {
        None => problems.push(unknown_rule(entry)),
        Some(r) if !r.suppressible => problems.push(
            Finding::new(
                &code::UNSUPPRESSIBLE_RULE,
                entry.rule.span(),
                format!("`{}` ({}) cannot be suppressed", r.name, r.code),
            )
            .label("not suppressible")
            .help(format!(
                "remove this entry and fix the topology; `vrt explain {}` says why the rule cannot be waived",
                r.code
            )),
        ),
        Some(_) => {}
    }
    let reason = entry
        .reason
        .as_ref()
        .map(|r| r.get().trim())
        .filter(|r| !r.is_empty());
    if reason.is_none() {
        let span = entry.reason.as_ref().map_or(entry.rule.span(), Sp::span);
        problems.push(
            Finding::new(
                &code::SUPPRESSION_WITHOUT_REASON,
                span,
                format!("{} has no reason", describe(t, entry, rule)),
            )
            .label(if entry.reason.is_some() {
                "blank reason"
            } else {
                "no `reason` in this entry"
            })
            .help("add `reason: \"…\"` saying why the finding is accepted; until then the entry suppresses nothing"),
        );
    }
    let rule = rule.filter(|r| r.suppressible)?;
    let reason = reason?;
    if let Some(until) = &entry.until
        && *until.get() < today
    {
        problems.push(
            Finding::new(
                &code::EXPIRED_SUPPRESSION,
                until.span(),
                format!(
                    "{} expired on {} (today is {today})",
                    describe(t, entry, Some(rule)),
                    until.get()
                ),
            )
            .label("the last day it applied")
            .related(entry.rule.span(), "suppression declared here")
            .help("the findings it covered are reported again: fix them and remove the entry, or review the decision and move `until`"),
        );
        return None;
    }
    Some(Active {
        entry,
        rule,
        reason,
        used: false,
    })
}

/// The finding for an entry in force that matched nothing; `earlier` are the entries in
/// force before it.
fn unused(t: &Topology, a: &Active<'_>, earlier: &[Active<'_>]) -> Finding {
    let covering = earlier.iter().find(|e| {
        e.rule == a.rule
            && e.entry
                .cluster
                .as_ref()
                .is_none_or(|c| a.entry.cluster.as_ref().is_some_and(|d| c.get() == d.get()))
    });
    let f = Finding::new(
        &code::UNUSED_SUPPRESSION,
        a.entry.rule.span(),
        format!("{} suppresses nothing", describe(t, a.entry, Some(a.rule))),
    )
    .label("no finding matches this entry");
    match covering {
        Some(e) => f
            .related(e.entry.rule.span(), "this earlier entry already covers it")
            .help("remove the repeated entry"),
        None => f.help(
            "remove the entry: the finding it accepted is gone (or correct its `rule` or `cluster`)",
        ),
    }
}

/// "`ignore` entry for `missing-dr-secondary` (VRT101) on cluster `perf-b`".
fn describe(t: &Topology, entry: &Ignore, rule: Option<&Rule>) -> String {
    let rule = match rule {
        Some(r) => format!("`{}` ({})", r.name, r.code),
        None => format!("`{}`", entry.rule.get()),
    };
    match &entry.cluster {
        Some(c) => format!(
            "`ignore` entry for {rule} on cluster `{}`",
            t.name(*c.get())
        ),
        None => format!("`ignore` entry for {rule}"),
    }
}

fn unknown_rule(entry: &Ignore) -> Finding {
    let all = rules::all();
    let written = entry.rule.get();
    let candidates = all.iter().flat_map(|r| [r.code, r.name]);
    let upper = written.to_ascii_uppercase();
    let guess = values::closest(written, candidates.clone())
        .or_else(|| values::closest(&upper, candidates));
    let f = Finding::new(
        &code::UNKNOWN_REFERENCE,
        entry.rule.span(),
        format!("no rule has the code or name `{written}`"),
    )
    .label("unknown rule");
    match guess {
        Some(g) => f.help(format!("did you mean `{g}`?")),
        None => f.help("name a rule by its code (`VRT101`) or name (`missing-dr-secondary`); `vrt explain` lists them"),
    }
}
