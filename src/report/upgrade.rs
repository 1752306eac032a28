//! Rendering the upgrade order (`vrt upgrade-plan`): text, Markdown, and JSON whose shape is
//! `schemas/upgrade-plan.schema.json`. Computes nothing.

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::report::escape::{md_code, md_prose, md_text, terminal};
use crate::upgrade::UpgradePlan;

/// What every upgrade plan says about the procedure, with its sources.
pub const PROCEDURE: &[&str] = &[
    "\"It is not safe to replicate from a newer version of Vault to an older version. When upgrading replicated clusters, ensure that upstream clusters are always on older versions of Vault than downstream clusters\" (UPGRADE). Each wave holds clusters that do not replicate from each other: upgrade them in parallel.",
    "\"Upgrade the replication secondary instances first\", verify each secondary, then upgrade the primary (UPGRADE): before starting the next wave, `vault read -format=json sys/replication/status` on each upgraded secondary must show `state` `stream-wals` (API-REPL; MONITOR).",
    "Within one cluster, let Autopilot automated upgrades do the nodes (Vault 1.11 and later with Integrated Storage), or upgrade its nodes one at a time as the upgrade guide describes for high-availability clusters (UPGRADE). Do not keep mixed versions \"any longer than necessary to perform the upgrade\" (REPL-IDX).",
];

/// Where HashiCorp's notes for the target version are.
fn upgrade_notes(plan: &UpgradePlan) -> Option<String> {
    plan.to.as_ref().map(|v| {
        format!(
            "Before starting, read HashiCorp's upgrade notes for {}.{}.x and every version between: https://developer.hashicorp.com/vault/docs/upgrading (each version's page is named `upgrade-to-{}.{}.x`), and the release notes for breaking changes (UPGRADE).",
            v.core.0, v.core.1, v.core.0, v.core.1
        )
    })
}

/// The snapshot advice that goes with each wave's commands.
const SNAPSHOT: &str = "Before upgrading a cluster, take a snapshot of it on its active node (the command under each cluster; Integrated Storage; with Consul storage, take a Consul snapshot instead) and keep it off the cluster: Vault does not replicate automated snapshots through performance replication (REPL-IDX).";

/// A cluster for the terminal: its name, role, site, version and upstream, each value shown
/// with [`terminal`].
fn describe(t: &Topology, c: ClusterId) -> String {
    let version = t
        .version(c)
        .map_or_else(|| "version not given".to_string(), |v| shown(&v));
    let site = terminal(t.model.sites[t.site_of(c).0].name.get());
    let name = terminal(t.name(c));
    match t.upstream(c) {
        Some((up, _)) => format!(
            "{name} ({}, site {site}, {version}), replicates from {}",
            t.role(c).as_str(),
            terminal(t.name(up))
        ),
        None => format!("{name} ({}, site {site}, {version})", t.role(c).as_str()),
    }
}

/// A value that prints itself (a version), escaped with [`terminal`].
fn shown(v: &impl ToString) -> String {
    terminal(&v.to_string()).into_owned()
}

/// The versions a set runs now, each escaped with `esc`.
fn versions(plan: &crate::upgrade::SetUpgrade, esc: impl Fn(&str) -> String) -> String {
    if plan.versions.is_empty() {
        "no versions given".to_string()
    } else {
        plan.versions
            .iter()
            .map(|v| esc(&v.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn sources(plan: &UpgradePlan) -> Vec<(&'static str, &'static str)> {
    let mut text = procedure(plan).join(" ");
    for w in &plan.warnings {
        text.push(' ');
        text.push_str(w);
    }
    crate::sources::cited(&text)
}

/// Renders the upgrade order for the terminal; every value of the file (names, versions, the
/// snapshot commands and warnings that quote them) shown with [`terminal`].
pub fn text(w: &mut dyn Write, t: &Topology, plan: &UpgradePlan) -> io::Result<()> {
    let name = terminal(&t.model.name);
    match &plan.to {
        Some(to) => writeln!(
            w,
            "Upgrade order for {name} to {}: downstream clusters first, each primary last\n",
            shown(to)
        )?,
        None => writeln!(
            w,
            "Upgrade order for {name}: downstream clusters first, each primary last\n"
        )?,
    }
    for s in &plan.sets {
        writeln!(
            w,
            "Replication set of `{}` (now on {})\n",
            terminal(t.name(s.root)),
            versions(s, |v| terminal(v).into_owned())
        )?;
        if let Some(to) = &plan.to
            && !s.done.is_empty()
        {
            writeln!(w, "  Done (already at {} or newer):", shown(to))?;
            for c in &s.done {
                writeln!(w, "    - {}", describe(t, *c))?;
            }
        }
        if s.waves.is_empty() {
            writeln!(w, "  Nothing to upgrade.")?;
        }
        for (i, wave) in s.waves.iter().enumerate() {
            writeln!(w, "  Wave {}: {}", i + 1, wave.stage)?;
            for (c, snap) in wave.clusters.iter().zip(&wave.snapshots) {
                writeln!(w, "    - {}", describe(t, *c))?;
                writeln!(w, "      {}", terminal(snap))?;
            }
        }
        writeln!(w)?;
    }
    writeln!(w, "Procedure\n")?;
    for p in procedure(plan) {
        write!(w, "{}", super::failover::hang_text("- ", &p, 2))?;
    }
    if !plan.warnings.is_empty() {
        writeln!(w, "\nWarnings\n")?;
        for warning in &plan.warnings {
            write!(
                w,
                "{}",
                super::failover::hang_text("- ", &terminal(warning), 2)
            )?;
        }
    }
    writeln!(w, "\nSources\n")?;
    for (key, what) in sources(plan) {
        write!(
            w,
            "{}",
            super::failover::hang_text("- ", &format!("{key}: {what}"), 2)
        )?;
    }
    Ok(())
}

/// Renders the upgrade order as Markdown; every value of the file escaped with [`md_code`]
/// (names, snapshot commands) or [`md_text`] (sites, versions), and warnings, which quote
/// names, with [`md_prose`].
pub fn markdown(w: &mut dyn Write, t: &Topology, plan: &UpgradePlan) -> io::Result<()> {
    let name = md_code(&t.model.name);
    match &plan.to {
        Some(to) => writeln!(
            w,
            "# Upgrade order for {name} to {}\n",
            md_text(&to.to_string())
        )?,
        None => writeln!(w, "# Upgrade order for {name}\n")?,
    }
    writeln!(
        w,
        "Downstream clusters first, each primary last. Generated by `vrt upgrade-plan`.\n"
    )?;
    for s in &plan.sets {
        writeln!(
            w,
            "## Replication set of {} (now on {})\n",
            md_code(t.name(s.root)),
            versions(s, md_text)
        )?;
        let stages: Vec<String> = s
            .waves
            .iter()
            .enumerate()
            .map(|(i, wave)| format!("Wave {}: {}", i + 1, wave.stage))
            .collect();
        if let Some(to) = &plan.to
            && !s.done.is_empty()
        {
            let done: Vec<String> = s.done.iter().map(|c| md_code(t.name(*c))).collect();
            writeln!(
                w,
                "Done (already at {} or newer): {}.\n",
                md_text(&to.to_string()),
                done.join(", ")
            )?;
        }
        if s.waves.is_empty() {
            writeln!(w, "Nothing to upgrade.\n")?;
            continue;
        }
        writeln!(w, "{}.\n", stages.join("; "))?;
        let rows = s.waves.iter().enumerate().flat_map(|(i, wave)| {
            wave.clusters
                .iter()
                .zip(&wave.snapshots)
                .map(move |(c, snap)| {
                    vec![
                        (i + 1).to_string(),
                        md_code(t.name(*c)),
                        t.role(*c).as_str().to_string(),
                        md_text(t.model.sites[t.site_of(*c).0].name.get()),
                        t.version(*c)
                            .map_or_else(|| "-".to_string(), |v| md_text(&v.to_string())),
                        t.upstream(*c)
                            .map_or_else(|| "-".to_string(), |(u, _)| md_code(t.name(u))),
                        md_code(snap),
                    ]
                })
        });
        super::failover::markdown_table(
            w,
            &[
                "wave",
                "cluster",
                "role",
                "site",
                "version",
                "replicates from",
                "snapshot first",
            ],
            rows,
        )?;
        writeln!(w)?;
    }
    writeln!(w, "## Procedure\n")?;
    for p in procedure(plan) {
        writeln!(w, "- {p}")?;
    }
    if !plan.warnings.is_empty() {
        writeln!(w, "\n## Warnings\n")?;
        for warning in &plan.warnings {
            writeln!(w, "- {}", md_prose(warning))?;
        }
    }
    writeln!(w, "\n## Sources\n")?;
    for (key, what) in sources(plan) {
        writeln!(w, "- **{key}**: {what}")?;
    }
    Ok(())
}

/// A cluster in a wave, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonUpgradeCluster {
    /// The cluster.
    pub cluster: String,
    /// `primary`, `performance-secondary` or `dr-secondary`.
    pub role: &'static str,
    /// Its site.
    pub site: String,
    /// The version it runs now, when the file gives one.
    pub version: Option<String>,
    /// What it replicates from.
    pub replicates_from: Option<String>,
    /// The command that snapshots it before its upgrade (absent for clusters already done).
    pub snapshot: Option<String>,
}

/// A wave, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonWave {
    /// 1-based, in upgrade order.
    pub wave: usize,
    /// What it holds.
    pub stage: String,
    /// Its clusters; they can be upgraded in parallel.
    pub clusters: Vec<JsonUpgradeCluster>,
}

/// One replication set, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSetUpgrade {
    /// Its primary.
    pub primary: String,
    /// The versions it runs now, oldest first.
    pub versions: Vec<String>,
    /// The waves, in order.
    pub waves: Vec<JsonWave>,
    /// Clusters already at or above the target version: done, not scheduled.
    pub done: Vec<JsonUpgradeCluster>,
}

/// A cited source, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonUpgradeSource {
    /// The source key.
    pub key: &'static str,
    /// What and where it is.
    pub reference: &'static str,
}

/// The upgrade order as JSON (`vrt upgrade-plan --format json`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt upgrade plan (v1)")]
pub struct JsonUpgradePlan {
    /// The topology's name.
    pub topology: String,
    /// The target version (`--to`), when one was given.
    pub to: Option<String>,
    /// Where the target version's upgrade notes are, when a target was given.
    pub upgrade_notes: Option<String>,
    /// Each replication set.
    pub sets: Vec<JsonSetUpgrade>,
    /// How to run each wave, citing sources.
    pub procedure: Vec<String>,
    /// What to check before starting.
    pub warnings: Vec<String>,
    /// Sources cited.
    pub sources: Vec<JsonUpgradeSource>,
}

/// Renders the upgrade order as one JSON document ([`document`]), pretty-printed, with a
/// final newline.
pub fn json(w: &mut dyn Write, t: &Topology, plan: &UpgradePlan) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &document(t, plan))?;
    writeln!(w)
}

/// Builds the JSON document.
pub fn document(t: &Topology, plan: &UpgradePlan) -> JsonUpgradePlan {
    JsonUpgradePlan {
        topology: t.model.name.clone(),
        to: plan.to.as_ref().map(ToString::to_string),
        upgrade_notes: upgrade_notes(plan),
        sets: plan
            .sets
            .iter()
            .map(|s| JsonSetUpgrade {
                primary: t.name(s.root).to_string(),
                versions: s.versions.iter().map(ToString::to_string).collect(),
                waves: s
                    .waves
                    .iter()
                    .enumerate()
                    .map(|(i, wave)| JsonWave {
                        wave: i + 1,
                        stage: wave.stage.clone(),
                        clusters: wave
                            .clusters
                            .iter()
                            .zip(&wave.snapshots)
                            .map(|(c, snap)| json_cluster(t, *c, Some(snap.clone())))
                            .collect(),
                    })
                    .collect(),
                done: s.done.iter().map(|c| json_cluster(t, *c, None)).collect(),
            })
            .collect(),
        procedure: procedure(plan),
        warnings: plan.warnings.clone(),
        sources: sources(plan)
            .into_iter()
            .map(|(key, reference)| JsonUpgradeSource { key, reference })
            .collect(),
    }
}

fn json_cluster(t: &Topology, c: ClusterId, snapshot: Option<String>) -> JsonUpgradeCluster {
    JsonUpgradeCluster {
        cluster: t.name(c).to_string(),
        role: t.role(c).as_str(),
        site: t.model.sites[t.site_of(c).0].name.get().clone(),
        version: t.version(c).map(ToString::to_string),
        replicates_from: t.upstream(c).map(|(u, _)| t.name(u).to_string()),
        snapshot,
    }
}

/// The procedure: the target's upgrade notes first when there is one, then [`PROCEDURE`] and
/// the snapshot advice.
fn procedure(plan: &UpgradePlan) -> Vec<String> {
    let mut out: Vec<String> = upgrade_notes(plan).into_iter().collect();
    out.extend(PROCEDURE.iter().map(|p| (*p).to_string()));
    out.push(SNAPSHOT.to_string());
    out
}

/// The draft-07 JSON Schema of [`JsonUpgradePlan`] (`schemas/upgrade-plan.schema.json`).
pub fn schema() -> serde_json::Value {
    super::json::plan_or_findings::<JsonUpgradePlan>("urn:vrt:schema:upgrade-plan:v1")
}
