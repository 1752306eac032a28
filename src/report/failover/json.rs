//! The failover plan as one JSON document (`schemas/failover-plan.schema.json`): the serde
//! types, the builder, the renderer and the schema.

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::{client_name, cluster_name, node_kind, node_name, region, site};
use crate::failover::{On, Paragraph, Plan, Recovery};
use crate::graph::Topology;
use crate::ids::ClusterId;

/// The failure of a scenario, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonScenario {
    /// `cluster`, `site` or `region`.
    pub kind: &'static str,
    /// The name of the cluster, site or region.
    pub name: String,
    /// Human label, e.g. "site `dc-a`".
    pub label: String,
    /// Clusters it takes out, in file order.
    pub lost_clusters: Vec<String>,
    /// Sites it takes out whole.
    pub lost_sites: Vec<String>,
}

/// A lost cluster, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonLost {
    /// Its name.
    pub cluster: String,
    /// `primary`, `performance-secondary` or `dr-secondary`.
    pub role: &'static str,
    /// Its site.
    pub site: String,
    /// Its region.
    pub region: String,
    /// Its Vault version, when the file gives one.
    pub version: Option<String>,
}

/// A replication set the failure touches, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSet {
    /// Its primary.
    pub primary: String,
    /// Its lost clusters.
    pub lost: Vec<String>,
    /// `serving`, `serving-after-recovery` or `lost`.
    pub status: &'static str,
    /// What still serves.
    pub note: String,
}

/// A client of a lost cluster, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonClient {
    /// The client.
    pub client: String,
    /// Its site.
    pub site: String,
    /// Whether its site is lost too.
    pub site_lost: bool,
    /// The lost cluster it used.
    pub cluster: String,
    /// The cluster it uses after the failover, if any.
    pub after: Option<String>,
    /// `kept`, `re-authenticate` or `no-service`.
    pub tokens: &'static str,
}

/// A recovery, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonRecovery {
    /// The lost cluster.
    pub lost: String,
    /// Its role.
    pub role: &'static str,
    /// `dr-promotion`, `performance-promotion`, `clients-move` or `none`.
    pub path: &'static str,
    /// The cluster that takes over, if any.
    pub to: Option<String>,
    /// For a two-step performance promotion: the lost performance secondary `to` replaced
    /// first by DR promotion.
    pub via: Option<String>,
    /// Every candidate, best first.
    pub candidates: Vec<String>,
    /// Whether the lost cluster's tokens and leases survive.
    pub tokens_preserved: bool,
    /// Its clients that must re-authenticate.
    pub reauthenticate: Vec<String>,
    /// Why, citing source keys.
    pub why: String,
}

/// Where a command runs, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonOn {
    /// `cluster` (against its API) or `client` (from its network).
    pub kind: &'static str,
    /// The cluster or client.
    pub name: String,
}

/// A command, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonCommand {
    /// Where it runs.
    pub on: JsonOn,
    /// A remark, if any.
    pub comment: Option<String>,
    /// The shell command (several lines for a heredoc).
    pub line: String,
}

/// A step, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonStep {
    /// 1-based; the text refers to steps by this number.
    pub number: usize,
    /// `prepare`, `failover` or `later`.
    pub phase: &'static str,
    /// What it does.
    pub title: String,
    /// Paragraphs.
    pub text: Vec<String>,
    /// Commands, in order.
    pub commands: Vec<JsonCommand>,
    /// Source keys.
    pub sources: Vec<&'static str>,
}

/// A cluster after the failover, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonAfter {
    /// The cluster.
    pub cluster: String,
    /// Its role before.
    pub before: &'static str,
    /// Its role after: `primary`, `performance-secondary`, `dr-secondary` or `lost`.
    pub role: &'static str,
    /// What it replicates from after the failover.
    pub replicates_from: Option<String>,
    /// Whether its role or upstream changed.
    pub changed: bool,
}

/// An end of a network path, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonNode {
    /// `cluster`, `client` or `service`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
}

/// A network path now live, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonPath {
    /// Who connects.
    pub from: JsonNode,
    /// To whom.
    pub to: JsonNode,
    /// TCP ports.
    pub ports: Vec<u16>,
    /// Whether to open it both ways.
    pub both_ways: bool,
    /// What flows over it.
    pub why: String,
}

/// A cited source, as JSON.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonSource {
    /// The source key (`API-DR`).
    pub key: &'static str,
    /// What and where it is.
    pub reference: &'static str,
}

/// A failover plan as JSON (`vrt failover --lose NAME --format json`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt failover plan (v1)")]
pub struct JsonPlan {
    /// The topology's name.
    pub topology: String,
    /// The failure.
    pub scenario: JsonScenario,
    /// Whether every lost cluster's tokens and leases survive.
    pub tokens_preserved: bool,
    /// Every client that must re-authenticate.
    pub reauthenticate: Vec<String>,
    /// The lost clusters.
    pub lost: Vec<JsonLost>,
    /// Replication sets the failure touches.
    pub sets: Vec<JsonSet>,
    /// Clients of lost clusters.
    pub clients: Vec<JsonClient>,
    /// One recovery per lost primary or performance secondary, upstream first.
    pub recoveries: Vec<JsonRecovery>,
    /// The ordered steps.
    pub steps: Vec<JsonStep>,
    /// Every cluster after the failover.
    pub after: Vec<JsonAfter>,
    /// Serving clusters left without a DR secondary.
    pub without_dr: Vec<String>,
    /// Network paths now live.
    pub live_paths: Vec<JsonPath>,
    /// What to check or fill in.
    pub warnings: Vec<String>,
    /// Sources cited.
    pub sources: Vec<JsonSource>,
}

pub(super) fn names(t: &Topology, ids: &[ClusterId]) -> Vec<String> {
    ids.iter().map(|c| cluster_name(t, *c)).collect()
}

pub(super) fn scenario_json(t: &Topology, s: &crate::failover::Scenario) -> JsonScenario {
    JsonScenario {
        kind: s.failure.kind(),
        name: t.failure_name(&s.failure).to_string(),
        label: s.label.clone(),
        lost_clusters: names(t, &s.lost),
        lost_sites: s
            .sites
            .iter()
            .map(|x| t.model.sites[x.0].name.get().clone())
            .collect(),
    }
}

fn recovery_json(t: &Topology, r: &Recovery) -> JsonRecovery {
    JsonRecovery {
        lost: cluster_name(t, r.lost),
        role: t.role(r.lost).as_str(),
        path: r.path.key(),
        to: r.to.map(|c| cluster_name(t, c)),
        via: r.via.map(|c| cluster_name(t, c)),
        candidates: names(t, &r.candidates),
        tokens_preserved: r.tokens_preserved,
        reauthenticate: r
            .reauthenticate
            .iter()
            .map(|c| client_name(t, *c))
            .collect(),
        why: r.why.clone(),
    }
}

/// Renders a plan as one JSON document ([`document`]), pretty-printed, with a final newline.
pub fn json(w: &mut dyn Write, t: &Topology, plan: &Plan) -> io::Result<()> {
    write(w, &document(t, plan))
}

/// Writes `value` as pretty-printed JSON with a final newline.
pub(super) fn write(w: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value)?;
    writeln!(w)
}

/// Builds the JSON document of a plan.
#[allow(clippy::too_many_lines)] // one struct literal, mapping the plan field by field
pub fn document(t: &Topology, plan: &Plan) -> JsonPlan {
    JsonPlan {
        topology: t.model.name.clone(),
        scenario: scenario_json(t, &plan.scenario),
        tokens_preserved: plan.tokens_preserved(),
        reauthenticate: plan
            .reauthenticate()
            .iter()
            .map(|c| client_name(t, *c))
            .collect(),
        lost: plan
            .scenario
            .lost
            .iter()
            .map(|c| JsonLost {
                cluster: cluster_name(t, *c),
                role: t.role(*c).as_str(),
                site: site(t, *c),
                region: region(t, *c),
                version: t.version(*c).map(ToString::to_string),
            })
            .collect(),
        sets: plan
            .sets
            .iter()
            .map(|s| JsonSet {
                primary: cluster_name(t, s.root),
                lost: names(t, &s.lost),
                status: s.status.key(),
                note: s.note.clone(),
            })
            .collect(),
        clients: plan
            .clients
            .iter()
            .map(|c| JsonClient {
                client: client_name(t, c.client),
                site: t.model.sites[t.model.clients[c.client.0].site.get().0]
                    .name
                    .get()
                    .clone(),
                site_lost: c.site_lost,
                cluster: cluster_name(t, c.cluster),
                after: c.to.map(|x| cluster_name(t, x)),
                tokens: c.tokens.key(),
            })
            .collect(),
        recoveries: plan
            .recoveries
            .iter()
            .map(|r| recovery_json(t, r))
            .collect(),
        steps: plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| JsonStep {
                number: i + 1,
                phase: s.phase.key(),
                title: s.title.clone(),
                text: s.text.iter().map(Paragraph::joined).collect(),
                commands: s
                    .commands
                    .iter()
                    .map(|c| JsonCommand {
                        on: match c.on {
                            On::Cluster(x) => JsonOn {
                                kind: "cluster",
                                name: cluster_name(t, x),
                            },
                            On::Client(x) => JsonOn {
                                kind: "client",
                                name: client_name(t, x),
                            },
                        },
                        comment: c.comment.clone(),
                        line: c.line.clone(),
                    })
                    .collect(),
                sources: s.sources.clone(),
            })
            .collect(),
        after: plan
            .after
            .iter()
            .map(|a| JsonAfter {
                cluster: cluster_name(t, a.cluster),
                before: a.before.as_str(),
                role: a.role.as_str(),
                replicates_from: a.upstream.map(|u| cluster_name(t, u)),
                changed: a.changed,
            })
            .collect(),
        without_dr: names(t, &plan.without_dr),
        live_paths: plan
            .live_paths
            .iter()
            .map(|p| JsonPath {
                from: JsonNode {
                    kind: node_kind(p.from),
                    name: node_name(t, p.from),
                },
                to: JsonNode {
                    kind: node_kind(p.to),
                    name: node_name(t, p.to),
                },
                ports: p.ports.clone(),
                both_ways: p.both_ways,
                why: p.why.clone(),
            })
            .collect(),
        warnings: plan.warnings.clone(),
        sources: plan
            .sources()
            .into_iter()
            .map(|(key, reference)| JsonSource { key, reference })
            .collect(),
    }
}

/// The draft-07 JSON Schema of [`JsonPlan`] (`schemas/failover-plan.schema.json`), or of the
/// findings document printed instead when the topology has errors.
pub fn plan_schema() -> serde_json::Value {
    crate::report::json::plan_or_findings::<JsonPlan>("urn:vrt:schema:failover-plan:v1")
}

/// A draft-07 schema of `T` with the given `$id`.
pub fn schema_of<T: JsonSchema>(id: &str) -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".into(), serde_json::Value::String(id.into()));
    }
    value
}
