//! The one walk over a [`Diff`] that the text and Markdown renderers share: the sections in
//! their order, each with the phrases both show already worded (a change's tags and values,
//! a scenario's before and after), so the two renderers only lay them out.

use super::{field_text, outcome_text, sign};
use crate::diff::Diff;
use crate::diff::delta::Change;
use crate::diff::findings::Item;
use crate::diff::mounts::Placement;
use crate::diff::network::NetworkDelta;
use crate::diff::runbook::Runbook;

/// One object change as both renderers show it.
pub struct ChangeRow<'a> {
    /// The change.
    pub change: &'a Change,
    /// `+`, `-` or `~`.
    pub sign: char,
    /// Its tags joined by `, ` (`re-roled, re-pointed`); empty without tags.
    pub tags: String,
    /// Each changed field in words (`version: 1.17.3 → 1.18.1`).
    pub values: Vec<String>,
}

/// One failure scenario whose recovery changes, in words.
pub struct ScenarioRow {
    /// The planner's label of the failure.
    pub label: String,
    /// Whether NEW recovers worse.
    pub worse: bool,
    /// How OLD recovers.
    pub was: String,
    /// How NEW recovers.
    pub now: String,
}

/// A part of the diff, in the order both renderers show them.
pub enum Section<'a> {
    /// The object changes (present when the topologies were compared).
    Changes(Vec<ChangeRow<'a>>),
    /// Mounts whose holders differ (only when there are some).
    Placement(&'a [Placement]),
    /// Findings new in NEW and fixed since OLD.
    Findings {
        /// New in NEW.
        new: &'a [Item],
        /// Fixed since OLD.
        fixed: &'a [Item],
    },
    /// Failure scenarios whose recovery changes.
    Resilience {
        /// The changed scenarios.
        rows: Vec<ScenarioRow>,
        /// How many recover the same way.
        unchanged: usize,
    },
    /// Firewall rules to open and close.
    Network(&'a NetworkDelta),
    /// The runbook.
    Runbook(&'a Runbook),
    /// Why a section is missing, or what to check by hand (only when there are some).
    Notes(&'a [String]),
}

/// The sections of `d`, in order.
pub fn sections(d: &Diff) -> Vec<Section<'_>> {
    let mut out = Vec::new();
    if let Some(delta) = &d.delta {
        out.push(Section::Changes(
            delta
                .changes
                .iter()
                .map(|c| ChangeRow {
                    change: c,
                    sign: sign(c),
                    tags: c
                        .tags
                        .iter()
                        .map(|t| t.key())
                        .collect::<Vec<_>>()
                        .join(", "),
                    values: c.fields.iter().map(|f| field_text(c, f)).collect(),
                })
                .collect(),
        ));
        if !delta.placement.is_empty() {
            out.push(Section::Placement(&delta.placement));
        }
    }
    out.push(Section::Findings {
        new: &d.findings.new,
        fixed: &d.findings.fixed,
    });
    if let Some(r) = &d.resilience {
        let rows = r
            .changes
            .iter()
            .map(|c| {
                let said = |o: Option<&crate::diff::resilience::Outcome>| {
                    o.map_or_else(|| "no such failure".to_string(), outcome_text)
                };
                ScenarioRow {
                    label: c
                        .new
                        .as_ref()
                        .or(c.old.as_ref())
                        .map_or_else(String::new, |o| o.label.clone()),
                    worse: c.worse,
                    was: said(c.old.as_ref()),
                    now: said(c.new.as_ref()),
                }
            })
            .collect();
        out.push(Section::Resilience {
            rows,
            unchanged: r.unchanged,
        });
    }
    if let Some(n) = &d.network {
        out.push(Section::Network(n));
    }
    if let Some(b) = &d.runbook {
        out.push(Section::Runbook(b));
    }
    if !d.notes.is_empty() {
        out.push(Section::Notes(&d.notes));
    }
    out
}

/// `a, b` or `none`.
pub fn names_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
