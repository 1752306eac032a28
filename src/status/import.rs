//! `vrt import`: a draft topology from captured status files. The statuses give each
//! cluster's role, the primary it follows and addresses seen by its peers, and the health
//! files its version; sites and the rest are placeholders marked `# FILL`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::capture;
use super::live::{Mode, Replication};
use super::{LiveStatus, Observation, label};
use crate::diag::Finding;
use crate::graph::EdgeKind;
use crate::source::Source;
use crate::spec::Role;
use crate::values::{self, Addr, Version};

/// Why no draft was written.
#[derive(Debug, Default)]
pub struct Problems {
    /// Bodies that are not replication statuses, with the located finding.
    pub invalid: Vec<(Source, Finding)>,
    /// Other problems (a file name that is not a cluster name, an unreadable file).
    pub other: Vec<String>,
}

struct Captured {
    name: String,
    status: LiveStatus,
}

/// The status files of `dir` (`*.json` except `*.health.json`), sorted by name.
pub fn status_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| !s.ends_with(".health"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The draft topology (YAML) for the status files `files` of `dir`.
pub fn draft(dir: &Path, files: &[PathBuf]) -> Result<String, Problems> {
    let mut problems = Problems::default();
    let mut clusters = Vec::new();
    for path in files {
        let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
        if let Err(e) = values::check_name(stem) {
            problems.other.push(format!(
                "`{}`: the file name must be `<cluster>.json` with a cluster name: {e}",
                path.display()
            ));
            continue;
        }
        let health = dir.join(format!("{stem}.health.json"));
        let observed = capture::read_cluster(path, &health);
        match observed.observation {
            Observation::Live(status) => clusters.push(Captured {
                name: stem.to_string(),
                status: *status,
            }),
            Observation::Unavailable { reason, .. } => problems.other.push(reason),
            Observation::Invalid { source, invalid } => {
                let f = Finding::new(
                    &super::rules::invalid_status::RULE,
                    invalid.span,
                    format!("the status of `{stem}` is unusable: {}", invalid.message),
                )
                .label("here")
                .help(format!(
                    "capture it again: `vault read -format=json sys/replication/status > {}`",
                    path.display()
                ));
                problems.invalid.push((source, f));
            }
        }
    }
    if !problems.invalid.is_empty() || !problems.other.is_empty() {
        return Err(problems);
    }
    Ok(render(dir, &clusters))
}

fn kind_of(status: &LiveStatus) -> Option<EdgeKind> {
    if status.dr.mode == Mode::Secondary {
        Some(EdgeKind::Dr)
    } else if status.performance.mode == Mode::Secondary {
        Some(EdgeKind::Performance)
    } else {
        None
    }
}

/// The index of the cluster `x` follows for `kind`: the primary whose `known_secondaries`
/// (or `secondaries[].node_id`) hold its `secondary_id`, else the one whose own
/// `primary_cluster_addr` it names.
fn upstream(clusters: &[Captured], x: usize, kind: EdgeKind) -> Option<usize> {
    let own = clusters[x].status.of(kind);
    let primaries = || {
        clusters
            .iter()
            .enumerate()
            .filter(move |(i, c)| *i != x && c.status.of(kind).mode == Mode::Primary)
    };
    if let Some(id) = &own.secondary_id {
        let by_id: Vec<usize> = primaries()
            .filter(|(_, c)| {
                let r = c.status.of(kind);
                r.known_secondaries.contains(id)
                    || r.secondaries.iter().any(|p| p.node_id.as_ref() == Some(id))
            })
            .map(|(i, _)| i)
            .collect();
        if let [one] = by_id.as_slice() {
            return Some(*one);
        }
    }
    let named = own.primary_addresses();
    let by_addr: Vec<usize> = primaries()
        .filter(|(_, c)| {
            c.status
                .of(kind)
                .primary_cluster_addr
                .as_deref()
                .is_some_and(|a| named.contains(&a))
        })
        .map(|(i, _)| i)
        .collect();
    match by_addr.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// An address as the format writes it, when the text is a valid URL.
fn clean(text: &str, default_port: u16) -> Option<String> {
    let a = Addr::parse(text.trim(), default_port).ok()?;
    Some(format!("{}://{}:{}", a.scheme, a.host, a.port))
}

/// An address and where it was seen.
type Seen = Option<(String, String)>;

/// Where `x`'s API and cluster addresses were seen: by its primary (in `secondaries[]`), by
/// its secondaries (in `primaries[]`), or in its own `primary_cluster_addr`.
fn addresses(clusters: &[Captured], ups: &[Option<(usize, EdgeKind)>], x: usize) -> (Seen, Seen) {
    let mut api = None;
    let mut cluster = None;
    let offer = |slot: &mut Seen, text: Option<&str>, port, from: String| {
        if slot.is_none()
            && let Some(a) = text.and_then(|t| clean(t, port))
        {
            *slot = Some((a, from));
        }
    };
    for kind in [EdgeKind::Dr, EdgeKind::Performance] {
        let own = clusters[x].status.of(kind);
        if own.mode == Mode::Primary {
            offer(
                &mut cluster,
                own.primary_cluster_addr.as_deref(),
                8201,
                format!("its own {} `primary_cluster_addr`", label(kind)),
            );
        }
    }
    if let Some((p, kind)) = ups[x]
        && let Some(id) = &clusters[x].status.of(kind).secondary_id
        && let Some(peer) = clusters[p]
            .status
            .of(kind)
            .secondaries
            .iter()
            .find(|peer| peer.node_id.as_ref() == Some(id))
    {
        let from = format!("as `{}` sees it", clusters[p].name);
        offer(&mut api, peer.api_address.as_deref(), 8200, from.clone());
        offer(
            &mut cluster,
            peer.cluster_address.as_deref(),
            8201,
            format!("{from}: FILL if this is one node's address"),
        );
    }
    for (s, up) in ups.iter().enumerate() {
        let Some((p, kind)) = up else { continue };
        if *p != x {
            continue;
        }
        let r: &Replication = clusters[s].status.of(*kind);
        let from = format!("as `{}` sees it", clusters[s].name);
        for peer in &r.primaries {
            offer(&mut api, peer.api_address.as_deref(), 8200, from.clone());
            offer(
                &mut cluster,
                peer.cluster_address.as_deref(),
                8201,
                from.clone(),
            );
        }
    }
    (api, cluster)
}

/// A YAML double-quoted scalar that escapes everything but printable ASCII.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

fn render(dir: &Path, clusters: &[Captured]) -> String {
    let ups: Vec<Option<(usize, EdgeKind)>> = (0..clusters.len())
        .map(|x| {
            let kind = kind_of(&clusters[x].status)?;
            upstream(clusters, x, kind).map(|p| (p, kind))
        })
        .collect();
    // Upstream first: primaries, then each level of secondaries, by name within a level.
    let depth = |mut x: usize| {
        let mut d = 0;
        while let Some((p, _)) = ups[x] {
            d += 1;
            x = p;
            if d > clusters.len() {
                break;
            }
        }
        d
    };
    let mut order: Vec<usize> = (0..clusters.len()).collect();
    order.sort_by_key(|x| (depth(*x), clusters[*x].name.clone()));
    let site = |name: &str| {
        let s = format!("site-{name}");
        if s.len() <= 63 { s } else { name.to_string() }
    };
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Draft topology written by `vrt import` from the replication status captured in {:?}.",
        dir.display().to_string()
    );
    y.push_str(
        "# A replication status shows roles, upstreams and addresses, not sites, zones, node counts,\n\
         # networks or clients: every line marked `# FILL` holds a placeholder to replace (each\n\
         # cluster is given a site of its own). Then run `vrt validate` on it.\n",
    );
    y.push_str("version: 1\nname: imported  # FILL: the topology's name\n\nsites:\n");
    for c in order.iter().map(|x| &clusters[*x]) {
        let _ = writeln!(
            y,
            "  - name: {}  # FILL: the site (data center or region) `{}` runs in",
            site(&c.name),
            c.name
        );
    }
    y.push_str("\nclusters:\n");
    for &x in &order {
        let c = &clusters[x];
        let _ = writeln!(y, "  - name: {}", c.name);
        let _ = writeln!(y, "    site: {}  # FILL", site(&c.name));
        let role = match kind_of(&c.status) {
            Some(EdgeKind::Dr) => Role::DrSecondary,
            Some(EdgeKind::Performance) => Role::PerformanceSecondary,
            None => Role::Primary,
        };
        let _ = writeln!(y, "    role: {}", role.as_str());
        match (kind_of(&c.status), ups[x]) {
            (_, Some((p, _))) => {
                let _ = writeln!(y, "    replicates_from: {}", clusters[p].name);
            }
            (Some(kind), None) => {
                let _ = writeln!(
                    y,
                    "    replicates_from: FILL  # FILL: no captured {} primary lists this cluster",
                    label(kind)
                );
            }
            (None, None) => {}
        }
        let (api, cluster) = addresses(clusters, &ups, x);
        match api {
            Some((a, from)) => {
                let _ = writeln!(y, "    api_addr: {}  # {from}", quote(&a));
            }
            None => y.push_str(
                "    # api_addr: \"https://HOST:8200\"  # FILL: not in any captured status\n",
            ),
        }
        match cluster {
            Some((a, from)) => {
                let _ = writeln!(y, "    cluster_addr: {}  # {from}", quote(&a));
            }
            None => y.push_str(
                "    # cluster_addr: \"https://HOST:8201\"  # FILL: not in any captured status\n",
            ),
        }
        match &c.status.version {
            Ok(Some(v)) if Version::parse(v).is_ok() => {
                let _ = writeln!(y, "    version: {}", quote(v));
            }
            _ => y.push_str("    # version: \"1.x.y+ent\"  # FILL: capture `sys/health` as <cluster>.health.json\n"),
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_escapes_everything_but_printable_ascii() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            quote("x\ny\u{1b}\u{2028}é"),
            "\"x\\u000Ay\\u001B\\u2028\\u00E9\""
        );
        assert_eq!(quote("\u{1F600}"), "\"\\U0001F600\"");
    }
}
