//! `vrt diff` as one JSON document for automation. Its shape is the draft-07 JSON Schema
//! [`schema`], committed as `schemas/diff.schema.json`.

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::{Context, artifacts, summary};
use crate::diff::delta::{Change, How, Kind, Tag};
use crate::diff::findings::Item;
use crate::diff::resilience::{Outcome, ScenarioChange};
use crate::diff::{Diff, Mode};
use crate::firewall::FirewallRule;

/// The whole document.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt diff")]
pub struct JsonDiff {
    /// `migration` (OLD is a running estate) or `bootstrap` (OLD is empty).
    pub mode: JsonMode,
    /// OLD as given (`/dev/null`, `main:topology.yaml`).
    pub old: String,
    /// NEW as given.
    pub new: String,
    /// The one-line summary.
    pub summary: String,
    /// Objects added, removed or changed; null when a version has errors that stop vrt
    /// before its topology is built.
    pub changes: Option<Vec<JsonChange>>,
    /// Where the data of each mount whose holders differ lives before and after (from
    /// `vrt mounts`' placement); null when the changes are not computed.
    pub placement: Option<Vec<JsonPlacement>>,
    /// Findings new in NEW and fixed since OLD.
    pub findings: JsonFindings,
    /// Failure scenarios whose recovery changes; null when not computed.
    pub resilience: Option<JsonResilience>,
    /// Firewall rules to open before and close after the change; null when not computed.
    pub network: Option<JsonNetwork>,
    /// The runbook; null when not computed.
    pub runbook: Option<JsonRunbook>,
    /// Why a section is missing, or what to check by hand.
    pub notes: Vec<String>,
}

/// Migration or bootstrap.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JsonMode {
    /// OLD is a running estate.
    Migration,
    /// OLD is empty.
    Bootstrap,
}

/// What kind of object changed.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JsonKind {
    /// A site.
    Site,
    /// A cluster.
    Cluster,
    /// A client group.
    Client,
    /// An external service.
    Service,
    /// A declared firewall rule.
    FirewallRule,
    /// A site's declared DNS.
    Dns,
    /// A mount, by path (`path on cluster` when a local path repeats on several clusters).
    Mount,
    /// A performance secondary's paths filter, by the secondary's name.
    PathsFilter,
}

/// Added, removed or changed.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JsonHow {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, with other values.
    Changed,
}

/// A named cluster change.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JsonTag {
    /// `role` changed.
    ReRoled,
    /// `replicates_from` changed.
    RePointed,
    /// Newer version.
    Upgraded,
    /// Older version.
    Downgraded,
    /// `site` changed.
    Moved,
}

/// One object's change.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonChange {
    /// What it is.
    pub kind: JsonKind,
    /// Its name (for DNS: the site's).
    pub name: String,
    /// How it changed.
    pub how: JsonHow,
    /// Named cluster changes.
    pub tags: Vec<JsonTag>,
    /// The values that differ (all values for an added or removed object).
    pub fields: Vec<JsonField>,
    /// What the change means, in sentences citing their sources (mounts, paths filters
    /// and client mounts; empty for the other kinds).
    pub meaning: Vec<String>,
}

/// Where one mount's data lives before and after the change.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonPlacement {
    /// The mount (as in `changes`).
    pub mount: String,
    /// The clusters holding its data in OLD, from its cluster outward (empty: not in OLD).
    pub before: Vec<String>,
    /// The clusters holding its data in NEW (empty: not in NEW).
    pub after: Vec<String>,
    /// Clusters that hold it before and not after.
    pub leaves: Vec<String>,
    /// Clusters that hold it after and not before.
    pub reaches: Vec<String>,
}

/// One value in OLD and NEW.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonField {
    /// The key as written in the file.
    pub name: String,
    /// Its value in OLD (null: not set).
    pub old: Option<String>,
    /// Its value in NEW (null: not set).
    pub new: Option<String>,
}

/// The findings delta.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonFindings {
    /// In NEW, not in OLD.
    pub new: Vec<JsonFinding>,
    /// In OLD, not in NEW.
    pub fixed: Vec<JsonFinding>,
    /// Findings of NEW that OLD had too.
    pub unchanged: usize,
    /// Errors among the new findings (what `--fail-on new` counts).
    pub new_errors: usize,
    /// Errors in NEW (what `--fail-on any` counts).
    pub errors_in_new: usize,
}

/// One finding.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonFinding {
    /// Rule code.
    pub code: String,
    /// Rule name.
    pub rule: String,
    /// `error`, `warning` or `note`.
    #[schemars(regex(pattern = r"^(error|warning|note)$"))]
    pub severity: String,
    /// The cluster it is about.
    pub cluster: Option<String>,
    /// The message.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The resilience delta.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonResilience {
    /// Failures whose recovery changes.
    pub changes: Vec<JsonScenario>,
    /// Failures that recover the same way.
    pub unchanged: usize,
}

/// One failure in both versions.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonScenario {
    /// `cluster`, `site` or `region`.
    #[schemars(regex(pattern = r"^(cluster|site|region)$"))]
    pub kind: String,
    /// What fails.
    pub name: String,
    /// Whether NEW recovers worse.
    pub worse: bool,
    /// In OLD (null: no such failure).
    pub old: Option<JsonOutcome>,
    /// In NEW (null: no such failure).
    pub new: Option<JsonOutcome>,
}

/// How a failure is recovered.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonOutcome {
    /// The planner's label.
    pub label: String,
    /// Clusters lost.
    pub lost: Vec<String>,
    /// Recoveries.
    pub recoveries: Vec<JsonRecovery>,
    /// Whether tokens and leases survive.
    pub tokens_preserved: bool,
    /// Clients that re-authenticate.
    pub reauthenticate: Vec<String>,
    /// Serving clusters the failure leaves without a DR secondary that had one before it
    /// (or that it puts in a serving role without one); those without one before any
    /// failure are the findings' business (VRT101), not every scenario's.
    pub without_dr: Vec<String>,
}

/// One lost cluster's recovery.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonRecovery {
    /// The lost cluster.
    pub lost: String,
    /// `dr-promotion`, `performance-promotion`, `clients-move` or `none`.
    #[schemars(regex(pattern = r"^(dr-promotion|performance-promotion|clients-move|none)$"))]
    pub path: String,
    /// The cluster that takes over.
    pub to: Option<String>,
    /// The performance secondary a DR promotion replaced first.
    pub via: Option<String>,
}

/// The network delta.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonNetwork {
    /// Rules to open before the change.
    pub add: Vec<JsonRule>,
    /// Rules to close after it.
    pub remove: Vec<JsonRule>,
    /// Rules common to both.
    pub kept: usize,
    /// The `--firewall-format` target.
    pub target: String,
    /// The target's files (none for `table`).
    pub files: Vec<JsonArtifact>,
}

/// A firewall rule as the planner writes it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonRule {
    /// Its name.
    pub name: String,
    /// `ipv4` or `ipv6`.
    pub family: String,
    /// Who opens the connections.
    pub from: String,
    /// Who accepts them.
    pub to: String,
    /// Source networks.
    pub sources: Vec<String>,
    /// Destination networks.
    pub destinations: Vec<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// Destination ports.
    pub ports: Vec<u16>,
    /// Whether only failovers use it.
    pub standby: bool,
    /// Why it exists.
    pub reasons: Vec<String>,
}

/// One target file.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonArtifact {
    /// `before` or `after` the change.
    #[schemars(regex(pattern = r"^(before|after)$"))]
    pub when: String,
    /// How to apply it.
    pub how: String,
    /// The file (null when it cannot be written).
    pub text: Option<String>,
    /// Why it cannot be written.
    pub error: Option<String>,
}

/// The runbook.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonRunbook {
    /// Migration or bootstrap.
    pub mode: JsonMode,
    /// The steps, first to last.
    pub steps: Vec<JsonStep>,
    /// Stretches of the runbook during which something is unprotected.
    pub risk_windows: Vec<JsonWindow>,
    /// What to check or do by hand.
    pub warnings: Vec<String>,
}

/// One step.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonStep {
    /// 1-based.
    pub number: usize,
    /// What it does.
    pub title: String,
    /// Why and what to check.
    pub text: Vec<String>,
    /// Commands in order.
    pub commands: Vec<JsonCommand>,
    /// Source keys cited.
    pub sources: Vec<String>,
}

/// One command.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonCommand {
    /// The cluster it runs against.
    pub on: String,
    /// The shell command.
    pub line: String,
}

/// A risk window.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonWindow {
    /// The cluster concerned.
    pub cluster: String,
    /// The step after which it opens (0: before step 1).
    pub from_step: usize,
    /// The step that closes it.
    pub to_step: usize,
    /// What is at risk.
    pub why: String,
}

const fn mode(m: Mode) -> JsonMode {
    match m {
        Mode::Migration => JsonMode::Migration,
        Mode::Bootstrap => JsonMode::Bootstrap,
    }
}

fn change(c: &Change) -> JsonChange {
    JsonChange {
        kind: match c.kind {
            Kind::Site => JsonKind::Site,
            Kind::Cluster => JsonKind::Cluster,
            Kind::Client => JsonKind::Client,
            Kind::Service => JsonKind::Service,
            Kind::FirewallRule => JsonKind::FirewallRule,
            Kind::Dns => JsonKind::Dns,
            Kind::Mount => JsonKind::Mount,
            Kind::PathsFilter => JsonKind::PathsFilter,
        },
        name: c.name.clone(),
        how: match c.how {
            How::Added => JsonHow::Added,
            How::Removed => JsonHow::Removed,
            How::Changed => JsonHow::Changed,
        },
        tags: c
            .tags
            .iter()
            .map(|t| match t {
                Tag::ReRoled => JsonTag::ReRoled,
                Tag::RePointed => JsonTag::RePointed,
                Tag::Upgraded => JsonTag::Upgraded,
                Tag::Downgraded => JsonTag::Downgraded,
                Tag::Moved => JsonTag::Moved,
            })
            .collect(),
        fields: c
            .fields
            .iter()
            .map(|f| JsonField {
                name: f.name.to_string(),
                old: f.old.clone(),
                new: f.new.clone(),
            })
            .collect(),
        meaning: c.meaning.clone(),
    }
}

fn finding(i: &Item) -> JsonFinding {
    JsonFinding {
        code: i.code.to_string(),
        rule: i.rule.to_string(),
        severity: i.severity.as_str().to_string(),
        cluster: i.cluster.clone(),
        message: i.message.clone(),
        help: i.help.clone(),
        file: i.file.clone(),
        line: i.line,
        column: i.column,
    }
}

fn outcome(o: &Outcome) -> JsonOutcome {
    JsonOutcome {
        label: o.label.clone(),
        lost: o.lost.clone(),
        recoveries: o
            .recoveries
            .iter()
            .map(|r| JsonRecovery {
                lost: r.lost.clone(),
                path: r.path.key().to_string(),
                to: r.to.clone(),
                via: r.via.clone(),
            })
            .collect(),
        tokens_preserved: o.tokens_preserved,
        reauthenticate: o.reauthenticate.clone(),
        without_dr: o.without_dr.clone(),
    }
}

fn scenario(c: &ScenarioChange) -> JsonScenario {
    JsonScenario {
        kind: c.kind.to_string(),
        name: c.name.clone(),
        worse: c.worse,
        old: c.old.as_ref().map(outcome),
        new: c.new.as_ref().map(outcome),
    }
}

fn rule(r: &FirewallRule) -> JsonRule {
    JsonRule {
        name: r.name.clone(),
        family: r.family.as_str().to_string(),
        from: r.from.label.clone(),
        to: r.to.label.clone(),
        sources: r.sources.iter().map(ToString::to_string).collect(),
        destinations: r.destinations.iter().map(ToString::to_string).collect(),
        protocol: r.protocol.as_str().to_string(),
        ports: r.ports.iter().copied().collect(),
        standby: r.standby,
        reasons: r.reasons.clone(),
    }
}

/// The document.
pub fn build(d: &Diff, ctx: &Context<'_>) -> JsonDiff {
    JsonDiff {
        mode: mode(d.mode),
        old: d.old_file.clone(),
        new: d.new_file.clone(),
        summary: summary(d),
        changes: d
            .delta
            .as_ref()
            .map(|x| x.changes.iter().map(change).collect()),
        placement: d.delta.as_ref().map(|x| {
            x.placement
                .iter()
                .map(|p| JsonPlacement {
                    mount: p.mount.clone(),
                    before: p.before.clone(),
                    after: p.after.clone(),
                    leaves: p.leaves(),
                    reaches: p.reaches(),
                })
                .collect()
        }),
        findings: JsonFindings {
            new: d.findings.new.iter().map(finding).collect(),
            fixed: d.findings.fixed.iter().map(finding).collect(),
            unchanged: d.findings.unchanged,
            new_errors: d.findings.new_errors(),
            errors_in_new: d.findings.errors_in_new,
        },
        resilience: d.resilience.as_ref().map(|r| JsonResilience {
            changes: r.changes.iter().map(scenario).collect(),
            unchanged: r.unchanged,
        }),
        network: d.network.as_ref().map(|n| JsonNetwork {
            add: n.add.iter().map(rule).collect(),
            remove: n.remove.iter().map(rule).collect(),
            kept: n.kept,
            target: ctx.target.key().to_string(),
            files: artifacts(n, d, ctx)
                .into_iter()
                .map(|a| JsonArtifact {
                    when: a.when.to_string(),
                    how: a.how,
                    error: a.text.as_ref().err().cloned(),
                    text: a.text.ok(),
                })
                .collect(),
        }),
        runbook: d.runbook.as_ref().map(|b| JsonRunbook {
            mode: mode(b.mode),
            steps: b
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| JsonStep {
                    number: i + 1,
                    title: s.title.clone(),
                    text: s.text.clone(),
                    commands: s
                        .commands
                        .iter()
                        .map(|c| JsonCommand {
                            on: c.on.clone(),
                            line: c.line.clone(),
                        })
                        .collect(),
                    sources: s.sources.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            risk_windows: b
                .windows
                .iter()
                .map(|w| JsonWindow {
                    cluster: w.cluster.clone(),
                    from_step: w.from,
                    to_step: w.to,
                    why: w.why.clone(),
                })
                .collect(),
            warnings: b.warnings.clone(),
        }),
        notes: d.notes.clone(),
    }
}

/// Writes the document as pretty JSON and a newline.
pub fn render(w: &mut dyn Write, d: &Diff, ctx: &Context<'_>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &build(d, ctx)).map_err(io::Error::other)?;
    writeln!(w)
}

/// The draft-07 JSON Schema of [`JsonDiff`] (`schemas/diff.schema.json`).
pub fn schema() -> serde_json::Value {
    crate::report::failover::schema_of::<JsonDiff>("urn:vrt:schema:diff:v1")
}
