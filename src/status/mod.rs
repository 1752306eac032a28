//! Reality check: the design compared with the clusters' live replication status.
//!
//! [`capture`] reads status files captured into a folder, [`fetch`] asks the clusters over
//! HTTPS; both give one [`Observed`] per cluster. [`compare`] runs the live checks of
//! [`rules`] (codes VRT5xx) over the topology and those observations. [`import`] goes the
//! other way: a draft topology from captured status files.

pub mod capture;
pub mod fetch;
pub mod import;
pub mod live;
pub mod rules;

use std::collections::HashMap;

use crate::diag::Finding;
use crate::graph::{EdgeKind, Topology};
use crate::ids::ClusterId;
use crate::source::Source;
use crate::values::{Addr, Host};

pub use live::LiveStatus;

/// What vrt learnt about one cluster's live state.
#[derive(Clone, Debug)]
pub enum Observation {
    /// Its replication status (and version, when captured).
    Live(Box<LiveStatus>),
    /// No status could be had: no file, no answer, an HTTP error.
    Unavailable {
        /// Why, rustc style.
        reason: String,
        /// What to do.
        help: String,
    },
    /// A body was had but it is not a replication status.
    Invalid {
        /// The body, named by its file path or URL.
        source: Source,
        /// What is wrong and where.
        invalid: live::Invalid,
    },
}

/// One cluster's observation and where it came from.
#[derive(Clone, Debug)]
pub struct Observed {
    /// The file path or URL the status came from (or would have).
    pub origin: String,
    /// What was learnt.
    pub observation: Observation,
}

/// The context the live checks run in.
pub struct Live<'a> {
    /// The design.
    pub topology: &'a Topology,
    /// One observation per cluster, indexed by [`ClusterId`].
    pub observed: &'a [Observed],
    /// The WAL lag above which VRT507 reports a secondary.
    pub max_wal_lag: u64,
    endpoints: HashMap<(Host, u16), Vec<ClusterId>>,
}

impl<'a> Live<'a> {
    /// The context for `observed` (one per cluster of `topology`, in order).
    pub fn new(topology: &'a Topology, observed: &'a [Observed], max_wal_lag: u64) -> Self {
        let mut endpoints: HashMap<(Host, u16), Vec<ClusterId>> = HashMap::new();
        for c in topology.cluster_ids() {
            for key in declared_endpoints(topology, c) {
                let list = endpoints.entry(key).or_default();
                if !list.contains(&c) {
                    list.push(c);
                }
            }
        }
        Self {
            topology,
            observed,
            max_wal_lag,
            endpoints,
        }
    }

    /// The live status of a cluster, when one was had.
    pub fn status(&self, c: ClusterId) -> Option<&LiveStatus> {
        match &self.observed.get(c.0)?.observation {
            Observation::Live(s) => Some(s),
            _ => None,
        }
    }

    /// The declared clusters one of whose addresses (API, cluster, load balancer) is
    /// `address`, host and port alike.
    pub fn clusters_at(&self, address: &str) -> &[ClusterId] {
        Addr::parse(address.trim(), 8201)
            .ok()
            .and_then(|a| self.endpoints.get(&(a.host, a.port)))
            .map_or(&[], Vec::as_slice)
    }

    /// The id a secondary registered with (its `secondary_id` for `kind`), when its status
    /// says it is a secondary of that kind.
    pub fn secondary_id(&self, c: ClusterId, kind: EdgeKind) -> Option<&str> {
        let r = self.status(c)?.of(kind);
        (r.mode == live::Mode::Secondary)
            .then_some(r.secondary_id.as_deref())
            .flatten()
    }

    /// Whether a primary's `known_secondaries` entry `id` stands for cluster `c`: its
    /// `secondary_id`, or its name when its own status is not known.
    pub fn is_known_as(&self, c: ClusterId, kind: EdgeKind, id: &str) -> bool {
        match self.secondary_id(c, kind) {
            Some(own) => own == id,
            None => self.status(c).is_none() && self.topology.name(c) == id,
        }
    }

    /// The declared secondaries of `c` of one kind.
    pub fn secondaries(&self, c: ClusterId, kind: EdgeKind) -> Vec<ClusterId> {
        match kind {
            EdgeKind::Dr => self.topology.dr_secondaries(c),
            EdgeKind::Performance => self.topology.performance_secondaries(c),
        }
    }
}

/// `DR` or `performance`, for messages.
pub const fn label(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Dr => "DR",
        EdgeKind::Performance => "performance",
    }
}

/// The host and port pairs a peer may use to reach a declared cluster.
fn declared_endpoints(t: &Topology, c: ClusterId) -> Vec<(Host, u16)> {
    let cluster = t.cluster(c);
    let mut out = Vec::new();
    for addr in [&cluster.api_addr, &cluster.cluster_addr]
        .into_iter()
        .flatten()
    {
        out.push((addr.get().host.clone(), addr.get().port));
    }
    if let Some(lb) = &cluster.load_balancer {
        let text = lb.address.get().trim();
        let host = text.parse().map_or_else(
            |_| Host::Name(text.trim_end_matches('.').to_ascii_lowercase()),
            Host::Ip,
        );
        out.push((host.clone(), cluster.api_port()));
        out.push((host, cluster.cluster_port()));
    }
    out
}

/// One line of the overview: a cluster as declared and as observed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    /// The cluster.
    pub cluster: String,
    /// Its declared role, and upstream when it has one.
    pub declared: String,
    /// Its live DR replication: mode, and state for a secondary; empty when unknown.
    pub dr: String,
    /// Its live performance replication, the same way.
    pub performance: String,
    /// Where the status came from, or why there is none.
    pub source: String,
}

/// The overview of every cluster, in file order. Values from the status bodies are shown
/// escaped and shortened.
pub fn overview(topology: &Topology, observed: &[Observed]) -> Vec<Overview> {
    let shown = |text: &str| -> String {
        let escaped: String = text.escape_debug().collect();
        if escaped.chars().count() > 24 {
            escaped.chars().take(24).chain(['…']).collect()
        } else {
            escaped
        }
    };
    let side = |r: &live::Replication| -> String {
        match (&r.mode, &r.state) {
            (live::Mode::Secondary, Some(state)) => format!("secondary, {}", shown(state)),
            (mode, _) => shown(mode.as_str()),
        }
    };
    topology
        .cluster_ids()
        .zip(observed)
        .map(|(c, o)| {
            let declared = match topology.upstream(c) {
                Some((up, _)) => format!("{} of {}", topology.role(c).as_str(), topology.name(up)),
                None => topology.role(c).as_str().to_string(),
            };
            let (dr, performance, source) = match &o.observation {
                Observation::Live(s) => {
                    // A file is named without its folder (the summary names the folder).
                    let source = if o.origin.starts_with("https://") {
                        o.origin.clone()
                    } else {
                        std::path::Path::new(&o.origin)
                            .file_name()
                            .map_or_else(|| o.origin.clone(), |n| n.to_string_lossy().into_owned())
                    };
                    (side(&s.dr), side(&s.performance), source)
                }
                Observation::Unavailable { .. } => {
                    (String::new(), String::new(), "unavailable".into())
                }
                Observation::Invalid { .. } => (String::new(), String::new(), "unusable".into()),
            };
            Overview {
                cluster: topology.name(c).to_string(),
                declared,
                dr,
                performance,
                source: source.escape_debug().collect(),
            }
        })
        .collect()
}

/// What comparing the design with the live state found.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Findings located in the topology file, in no particular order.
    pub findings: Vec<Finding>,
    /// Bodies that are not replication statuses, each with its finding.
    pub invalid: Vec<(Source, Finding)>,
}

/// Runs every live check accepted by `enabled` over the observations.
pub fn compare(
    topology: &Topology,
    observed: &[Observed],
    max_wal_lag: u64,
    enabled: impl Fn(&crate::diag::Rule) -> bool,
) -> Comparison {
    let live = Live::new(topology, observed, max_wal_lag);
    let mut out = Comparison::default();
    for (i, o) in observed.iter().enumerate() {
        let c = ClusterId(i);
        match &o.observation {
            Observation::Live(_) => {}
            Observation::Unavailable { reason, help } => {
                if enabled(&rules::status_unavailable::RULE) {
                    out.findings.push(rules::status_unavailable::finding(
                        topology, c, reason, help,
                    ));
                }
            }
            Observation::Invalid { source, invalid } => {
                if enabled(&rules::invalid_status::RULE) {
                    out.invalid.push((
                        source.clone(),
                        rules::invalid_status::finding(topology, c, source, invalid),
                    ));
                }
            }
        }
    }
    for check in rules::CHECKS {
        if enabled(check.rule) {
            out.findings.extend((check.run)(&live));
        }
    }
    out
}
