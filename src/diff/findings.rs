//! The findings delta: what NEW reports that OLD did not (introduced by the change) and what
//! OLD reported that NEW does not (fixed by it). Findings are matched by rule code, the
//! cluster they are about and their message — never by line, which every edit above them
//! moves. A finding that appears more often in NEW than in OLD counts as new that many times.

use std::collections::BTreeMap;

use super::Side;
use crate::diag::{Finding, Severity};

/// A finding of one version, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The rule code (`VRT101`).
    pub code: &'static str,
    /// The rule name (`missing-dr-secondary`).
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The cluster it is about, when there is one.
    pub cluster: Option<String>,
    /// The message.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// The file it is in, as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Findings introduced and fixed by the change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingsDelta {
    /// In NEW, not in OLD, in NEW's order.
    pub new: Vec<Item>,
    /// In OLD, not in NEW, in OLD's order (none when NEW stops before its rules run: they
    /// are then unchecked, not fixed).
    pub fixed: Vec<Item>,
    /// Findings of NEW that OLD had too.
    pub unchanged: usize,
    /// Errors in NEW, new or not.
    pub errors_in_new: usize,
}

impl FindingsDelta {
    /// Errors among the new findings.
    pub fn new_errors(&self) -> usize {
        self.new
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count()
    }
}

type Key = (&'static str, Option<String>, String);

fn cluster_name(side: Side<'_>, f: &Finding) -> Option<String> {
    let t = side.topology?;
    f.cluster
        .filter(|c| c.0 < t.model.clusters.len())
        .map(|c| t.name(c).to_string())
}

fn key(side: Side<'_>, f: &Finding) -> Key {
    (f.rule.code, cluster_name(side, f), f.message.clone())
}

fn item(side: Side<'_>, f: &Finding) -> Item {
    let pos = side.source.position(f.primary.span.offset);
    Item {
        code: f.rule.code,
        rule: f.rule.name,
        severity: f.severity,
        cluster: cluster_name(side, f),
        message: f.message.clone(),
        help: f.help.clone(),
        file: side.source.name.clone(),
        line: pos.line,
        column: pos.column,
    }
}

/// The items of `side` left after taking away, key by key, as many as `other` has.
fn minus(side: Side<'_>, other: Option<Side<'_>>) -> (Vec<Item>, usize) {
    let mut budget: BTreeMap<Key, usize> = BTreeMap::new();
    if let Some(o) = other {
        for f in o.findings {
            *budget.entry(key(o, f)).or_default() += 1;
        }
    }
    let mut left = Vec::new();
    let mut matched = 0;
    for f in side.findings {
        match budget.get_mut(&key(side, f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                matched += 1;
            }
            _ => left.push(item(side, f)),
        }
    }
    (left, matched)
}

/// Compares the findings of OLD (`None` when empty) and NEW.
pub fn compare(old: Option<Side<'_>>, new: Side<'_>) -> FindingsDelta {
    let (new_items, unchanged) = minus(new, old);
    // When NEW stops before its rules run, OLD's rule findings are unchecked, not fixed.
    let fixed = match old {
        Some(o) if new.topology.is_some() || o.topology.is_none() => minus(o, Some(new)).0,
        _ => Vec::new(),
    };
    FindingsDelta {
        new: new_items,
        fixed,
        unchanged,
        errors_in_new: new
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
    }
}
