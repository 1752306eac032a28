//! Shared pieces of vrt's fuzz targets: the checks every target runs on what vrt returns,
//! and [`Topology`], a random topology (built with `arbitrary`) rendered to v1 YAML. Planner
//! targets use [`ValidTopology`], which also draws from `vrt::synthetic::topology_yaml`.

use std::fmt::Write;

pub mod checks;
mod hostile;
pub mod render;

pub use hostile::{Hostile, render};

use arbitrary::Arbitrary;
use vrt::diag::Finding;
use vrt::report::FileReport;
use vrt::source::Source;
use vrt::yaml::Limits;

/// Limits for fuzzing: the defaults, with a node budget small enough that an input which
/// expands to the limit costs milliseconds, not a second (the limit code is the same).
pub fn limits() -> Limits {
    Limits {
        max_nodes: 50_000,
        ..Limits::default()
    }
}

/// Asserts that every span of every finding lies inside the source and that its line and
/// column exist, then renders the findings as users see them (human and JSON).
pub fn check_findings(source: &Source, findings: &[Finding]) {
    let len = source.text.len();
    for f in findings {
        for label in std::iter::once(&f.primary).chain(&f.related) {
            assert!(
                label.span.end() <= len,
                "{}: span {:?} past the end ({len} bytes): {}",
                f.rule.code,
                label.span,
                f.message
            );
            let (start, end) = source.range(label.span);
            assert!(start.line >= 1 && end.line <= source.line_count());
            assert!(start <= end, "{start:?} > {end:?}");
        }
    }
    let files = [FileReport { source, findings }];
    let mut sink = Vec::new();
    vrt::report::human::render(&mut sink, &files, vrt::report::human::Style::default())
        .expect("rendering to memory cannot fail");
    let json = serde_json::to_string(&vrt::report::json::build(&files)).expect("JSON");
    assert!(json.starts_with('{'));
}

/// Loads bytes the way `vrt validate -` does and checks the result.
pub fn load_and_validate(bytes: &[u8]) {
    let (source, not_utf8) = vrt::load::decode("fuzz.yaml".into(), bytes.to_vec());
    let findings = match not_utf8 {
        Some(f) => vec![f],
        None => vrt::validate(&source, limits(), |_| true).findings,
    };
    check_findings(&source, &findings);
}

/// A name: mostly from a small pool, so that references often resolve and names collide;
/// sometimes any text, which may be invalid.
#[derive(Arbitrary, Debug, Clone)]
pub enum Name {
    /// The `n % 8`th name of the pool of its kind.
    Pool(u8),
    /// Any text.
    Raw(String),
}

/// A port as written: a number (possibly out of range) or text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Port {
    /// A number.
    Number(i32),
    /// A range `a-b`.
    Range(u16, u16),
    /// Any text.
    Raw(String),
}

/// A network as written.
#[derive(Arbitrary, Debug, Clone)]
pub enum Net {
    /// An IPv4 network (the prefix may be out of range, the host bits set).
    V4(u32, u8),
    /// An IPv6 network.
    V6(u128, u8),
    /// Any text.
    Raw(String),
}

/// A site.
#[derive(Arbitrary, Debug, Clone)]
pub struct Site {
    name: Name,
    region: Option<Name>,
    provider: Option<u8>,
    non_production: Option<bool>,
    zones: Vec<u8>,
    cidrs: Vec<Net>,
}

/// A cluster.
#[derive(Arbitrary, Debug, Clone)]
pub struct Cluster {
    name: Name,
    site: Name,
    role: u8,
    replicates_from: Option<Name>,
    api_addr: Option<(u8, u16)>,
    cluster_addr: Option<(u8, u16)>,
    version: Option<u8>,
    nodes: Option<i16>,
    zones: Vec<u8>,
    cidrs: Vec<Net>,
    load_balancer: Option<(u8, u8)>,
}

/// A client group.
#[derive(Arbitrary, Debug, Clone)]
pub struct Client {
    name: Name,
    site: Name,
    cluster: Name,
    cidrs: Vec<Net>,
}

/// An external service.
#[derive(Arbitrary, Debug, Clone)]
pub struct Service {
    name: Name,
    site: Name,
    port: i32,
    cidrs: Vec<Net>,
    used_by: Vec<Name>,
}

/// A firewall endpoint.
#[derive(Arbitrary, Debug, Clone)]
pub enum Endpoint {
    /// `any`.
    Any,
    /// A site of the pool.
    Site(u8),
    /// A cluster of the pool.
    Cluster(u8),
    /// A client of the pool.
    Client(u8),
    /// A service of the pool.
    Service(u8),
    /// A network.
    Net(Net),
}

/// A firewall rule.
#[derive(Arbitrary, Debug, Clone)]
pub struct Rule {
    name: Name,
    from: Endpoint,
    to: Endpoint,
    ports: Vec<Port>,
    udp: Option<bool>,
    bidirectional: Option<bool>,
}

/// A DNS entry.
#[derive(Arbitrary, Debug, Clone)]
pub struct Dns {
    site: Name,
    resolves: Vec<u8>,
}

/// A random topology in the shape of format v1; its values may break any rule, and its
/// names may be invalid, dangling or duplicated.
#[derive(Arbitrary, Debug, Clone)]
pub struct Topology {
    name: Name,
    description: Option<String>,
    sites: Vec<Site>,
    clusters: Vec<Cluster>,
    clients: Vec<Client>,
    services: Vec<Service>,
    firewall: Option<Vec<Rule>>,
    dns: Option<Vec<Dns>>,
    /// Flow style (`{a: 1}`) instead of block style, per section.
    flow: [bool; 6],
}

const POOL_SITES: [&str; 8] = [
    "dc-a", "dc-b", "dc-c", "aws-east", "aws-west", "qa", "edge", "dr",
];
const POOL_CLUSTERS: [&str; 8] = [
    "primary-a",
    "dr-a",
    "perf-b",
    "dr-b",
    "perf-c",
    "dr-c",
    "qa-perf",
    "sandbox",
];
const POOL_CLIENTS: [&str; 8] = [
    "apps-a", "apps-b", "apps-c", "ci", "ops", "batch", "web", "api",
];
const POOL_SERVICES: [&str; 8] = [
    "db", "ldap", "aws-iam", "kafka", "pg-eu", "pg-us", "mq", "s3",
];
const ZONES: [&str; 6] = ["z1", "z2", "z3", "a1", "b1", "zz"];
const VERSIONS: [&str; 8] = [
    "1.17.3",
    "1.16.9+ent",
    "1.19.0+ent",
    "v1.18",
    "1.17",
    "1.x",
    "1.17.3-rc1",
    "",
];
const PROVIDERS: [&str; 7] = ["on-prem", "vmware", "aws", "azure", "gcp", "other", "mars"];
const ROLES: [&str; 4] = [
    "primary",
    "performance-secondary",
    "dr-secondary",
    "tertiary",
];
const HOSTS: [&str; 5] = [
    "vault.dc-a.example.com",
    "10.0.0.1",
    "[2001:db8::1]",
    "bad host",
    "vault.example.com.",
];
const PORT_MODES: [&str; 4] = ["none", "passthrough", "terminate-tls", "bogus"];
const SUFFIXES: [&str; 4] = ["example.com", "dc-a.example.com", "corp.", "-bad-"];

/// A YAML scalar: plain when it is a simple word, double-quoted with escapes otherwise.
fn scalar(text: &str) -> String {
    let simple = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | ':'))
        && text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !text.ends_with(':')
        && !text.contains(": ");
    if simple {
        return text.to_string();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn name(n: &Name, pool: &[&str; 8]) -> String {
    match n {
        Name::Pool(i) => pool[usize::from(*i) % 8].to_string(),
        Name::Raw(s) => s.clone(),
    }
}

fn net(n: &Net) -> String {
    match n {
        Net::V4(a, p) => format!("{}/{}", std::net::Ipv4Addr::from(*a), p % 40),
        Net::V6(a, p) => format!("{}/{}", std::net::Ipv6Addr::from(*a), p % 140),
        Net::Raw(s) => s.clone(),
    }
}

fn port(p: &Port) -> String {
    match p {
        Port::Number(n) => n.to_string(),
        Port::Range(a, b) => scalar(&format!("{a}-{b}")),
        Port::Raw(s) => scalar(s),
    }
}

fn endpoint(e: &Endpoint) -> String {
    match e {
        Endpoint::Any => "any".into(),
        Endpoint::Site(i) => POOL_SITES[usize::from(*i) % 8].into(),
        Endpoint::Cluster(i) => POOL_CLUSTERS[usize::from(*i) % 8].into(),
        Endpoint::Client(i) => POOL_CLIENTS[usize::from(*i) % 8].into(),
        Endpoint::Service(i) => POOL_SERVICES[usize::from(*i) % 8].into(),
        Endpoint::Net(n) => net(n),
    }
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// One list entry of `(key, value)` pairs, in flow or block style.
fn entry(out: &mut String, indent: &str, flow: bool, fields: &[(&str, String)]) {
    if flow {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let _ = writeln!(out, "{indent}- {{{}}}", body.join(", "));
    } else {
        for (i, (k, v)) in fields.iter().enumerate() {
            let lead = if i == 0 { "- " } else { "  " };
            let _ = writeln!(out, "{indent}{lead}{k}: {v}");
        }
    }
}

impl Topology {
    /// The topology as v1 YAML text.
    pub fn yaml(&self) -> String {
        let mut y = String::from("version: 1\n");
        let _ = writeln!(y, "name: {}", scalar(&name(&self.name, &["fuzz"; 8])));
        if let Some(d) = &self.description {
            let _ = writeln!(y, "description: {}", scalar(d));
        }
        y.push_str("sites:\n");
        if self.sites.is_empty() {
            y.push_str("  []\n");
        }
        for s in &self.sites {
            let mut f = vec![("name", scalar(&name(&s.name, &POOL_SITES)))];
            if let Some(r) = &s.region {
                f.push(("region", scalar(&name(r, &POOL_SITES))));
            }
            if let Some(p) = s.provider {
                f.push(("provider", PROVIDERS[usize::from(p) % 7].into()));
            }
            if let Some(np) = s.non_production {
                f.push((
                    "environment",
                    if np { "non-production" } else { "production" }.into(),
                ));
            }
            f.push((
                "zones",
                list(s.zones.iter().map(|z| ZONES[usize::from(*z) % 6].into())),
            ));
            f.push(("cidrs", list(s.cidrs.iter().map(|c| scalar(&net(c))))));
            entry(&mut y, "  ", self.flow[0], &f);
        }
        y.push_str("clusters:\n");
        if self.clusters.is_empty() {
            y.push_str("  []\n");
        }
        for c in &self.clusters {
            let mut f = vec![
                ("name", scalar(&name(&c.name, &POOL_CLUSTERS))),
                ("site", scalar(&name(&c.site, &POOL_SITES))),
                ("role", ROLES[usize::from(c.role) % 4].into()),
            ];
            if let Some(r) = &c.replicates_from {
                f.push(("replicates_from", scalar(&name(r, &POOL_CLUSTERS))));
            }
            if let Some((h, p)) = c.api_addr {
                f.push((
                    "api_addr",
                    scalar(&format!("https://{}:{p}", HOSTS[usize::from(h) % 5])),
                ));
            }
            if let Some((h, p)) = c.cluster_addr {
                f.push((
                    "cluster_addr",
                    scalar(&format!("https://{}:{p}", HOSTS[usize::from(h) % 5])),
                ));
            }
            if let Some(v) = c.version {
                f.push(("version", scalar(VERSIONS[usize::from(v) % 8])));
            }
            if let Some(n) = c.nodes {
                f.push(("nodes", n.to_string()));
            }
            f.push((
                "zones",
                list(c.zones.iter().map(|z| ZONES[usize::from(*z) % 6].into())),
            ));
            f.push(("cidrs", list(c.cidrs.iter().map(|c| scalar(&net(c))))));
            if let Some((h, m)) = c.load_balancer {
                f.push((
                    "load_balancer",
                    format!(
                        "{{address: {}, cluster_port: {}}}",
                        scalar(HOSTS[usize::from(h) % 5]),
                        PORT_MODES[usize::from(m) % 4]
                    ),
                ));
            }
            entry(&mut y, "  ", self.flow[1], &f);
        }
        if !self.clients.is_empty() {
            y.push_str("clients:\n");
        }
        for c in &self.clients {
            let f = [
                ("name", scalar(&name(&c.name, &POOL_CLIENTS))),
                ("site", scalar(&name(&c.site, &POOL_SITES))),
                ("cluster", scalar(&name(&c.cluster, &POOL_CLUSTERS))),
                ("cidrs", list(c.cidrs.iter().map(|c| scalar(&net(c))))),
            ];
            entry(&mut y, "  ", self.flow[2], &f);
        }
        if !self.services.is_empty() {
            y.push_str("external_services:\n");
        }
        for s in &self.services {
            let f = [
                ("name", scalar(&name(&s.name, &POOL_SERVICES))),
                ("site", scalar(&name(&s.site, &POOL_SITES))),
                ("port", s.port.to_string()),
                ("cidrs", list(s.cidrs.iter().map(|c| scalar(&net(c))))),
                (
                    "used_by",
                    list(s.used_by.iter().map(|u| scalar(&name(u, &POOL_CLUSTERS)))),
                ),
            ];
            entry(&mut y, "  ", self.flow[3], &f);
        }
        if self.firewall.is_some() || self.dns.is_some() {
            y.push_str("network:\n");
        }
        if let Some(rules) = &self.firewall {
            y.push_str(if rules.is_empty() {
                "  firewall: []\n"
            } else {
                "  firewall:\n"
            });
            for r in rules {
                let mut f = vec![
                    ("name", scalar(&name(&r.name, &["fw"; 8]))),
                    ("from", scalar(&endpoint(&r.from))),
                    ("to", scalar(&endpoint(&r.to))),
                    ("ports", list(r.ports.iter().map(port))),
                ];
                if let Some(udp) = r.udp {
                    f.push(("protocol", if udp { "udp" } else { "tcp" }.into()));
                }
                if let Some(b) = r.bidirectional {
                    f.push(("bidirectional", b.to_string()));
                }
                entry(&mut y, "    ", self.flow[4], &f);
            }
        }
        if let Some(dns) = &self.dns {
            y.push_str(if dns.is_empty() {
                "  dns: []\n"
            } else {
                "  dns:\n"
            });
            for d in dns {
                let f = [
                    ("site", scalar(&name(&d.site, &POOL_SITES))),
                    (
                        "resolves",
                        list(
                            d.resolves
                                .iter()
                                .map(|s| SUFFIXES[usize::from(*s) % 4].into()),
                        ),
                    ),
                ];
                entry(&mut y, "    ", self.flow[5], &f);
            }
        }
        y
    }
}

/// Validates a generated topology and checks the result; the YAML must always parse (the
/// generator writes well-formed v1), and the same text must give the same findings twice.
pub fn topology_validate(t: &Topology) {
    let source = Source::new("fuzz.yaml", t.yaml());
    let vrt::Validation { findings, .. } = vrt::validate(&source, limits(), |_| true);
    for f in &findings {
        assert!(
            !matches!(
                f.rule.code,
                "VRT001" | "VRT002" | "VRT003" | "VRT005" | "VRT006"
            ),
            "the generator wrote malformed YAML: {}\n{}",
            f.message,
            source.text
        );
    }
    let vrt::Validation {
        findings: again, ..
    } = vrt::validate(&source, limits(), |_| true);
    assert_eq!(findings, again, "validation is not deterministic");
    check_findings(&source, &findings);
}

/// A random *valid* topology: every name unique and well-formed, every reference resolved,
/// every value in range, so that it always loads up to the graph; any replication shape can
/// still occur (cascades, cycles, DR chains, cross-environment edges, clients anywhere). The
/// input for targets that need a topology, such as the planners.
#[derive(Debug, Clone)]
pub struct ValidTopology {
    yaml: String,
}

impl<'a> Arbitrary<'a> for ValidTopology {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        // Sometimes the synthetic design the benchmarks and property tests use (one
        // generator for all three): replication sets of up to fifteen sites, DR in the next
        // site, every flow declared. Valid at every size, so the planners get large, regular
        // inputs besides the small random ones below.
        if u.ratio(1, 8)? {
            let yaml = vrt::synthetic::topology_yaml(u.int_in_range(1..=24usize)?);
            return Ok(Self { yaml });
        }
        let sites = u.int_in_range(1..=8usize)?;
        let clusters = u.int_in_range(1..=16usize)?;
        let flow = u.arbitrary::<bool>()?;
        let entry = |y: &mut String, indent: &str, fields: &[String]| {
            if flow {
                let _ = writeln!(y, "{indent}- {{{}}}", fields.join(", "));
            } else {
                for (i, f) in fields.iter().enumerate() {
                    let _ = writeln!(y, "{indent}{}{f}", if i == 0 { "- " } else { "  " });
                }
            }
        };
        let mut y = String::from("version: 1\nname: fuzz\nsites:\n");
        for i in 0..sites {
            let mut f = vec![format!("name: s{i}")];
            if u.arbitrary()? {
                f.push(format!("region: r{}", u.int_in_range(0..=2u8)?));
            }
            if u.ratio(1, 4)? {
                f.push("environment: non-production".into());
            }
            f.push(format!("zones: [s{i}z0, s{i}z1, s{i}z2]"));
            f.push(format!("cidrs: [10.{i}.0.0/16]"));
            entry(&mut y, "  ", &f);
        }
        y.push_str("clusters:\n");
        for i in 0..clusters {
            let site = u.choose_index(sites)?;
            let role = if clusters == 1 {
                0
            } else {
                u.int_in_range(0..=2u8)?
            };
            let mut f = vec![
                format!("name: c{i}"),
                format!("site: s{site}"),
                format!(
                    "role: {}",
                    ["primary", "performance-secondary", "dr-secondary"][usize::from(role)]
                ),
            ];
            if role != 0 {
                let up = (i + 1 + u.choose_index(clusters - 1)?) % clusters;
                f.push(format!("replicates_from: c{up}"));
            }
            if u.arbitrary()? {
                f.push(format!("api_addr: https://c{i}.s{site}.example.com:8200"));
                f.push(format!(
                    "cluster_addr: https://c{i}.s{site}.example.com:8201"
                ));
            }
            if u.arbitrary()? {
                f.push(format!("version: {}", VERSIONS[u.choose_index(5)?]));
            }
            if u.arbitrary()? {
                f.push(format!("nodes: {}", u.int_in_range(1..=7u8)?));
            }
            let zones: Vec<String> = (0..3)
                .filter_map(|z| u.arbitrary::<bool>().ok()?.then(|| format!("s{site}z{z}")))
                .collect();
            f.push(format!("zones: [{}]", zones.join(", ")));
            f.push(format!("cidrs: [10.{site}.{i}.0/24]"));
            if u.arbitrary()? {
                f.push(format!(
                    "load_balancer: {{address: lb-c{i}.example.com, cluster_port: {}}}",
                    PORT_MODES[u.choose_index(3)?]
                ));
            }
            entry(&mut y, "  ", &f);
        }
        let clients = u.int_in_range(0..=6usize)?;
        if clients > 0 {
            y.push_str("clients:\n");
        }
        for i in 0..clients {
            let site = u.choose_index(sites)?;
            let f = [
                format!("name: a{i}"),
                format!("site: s{site}"),
                format!("cluster: c{}", u.choose_index(clusters)?),
                format!("cidrs: [10.{site}.{}.0/24]", 100 + i),
            ];
            entry(&mut y, "  ", &f);
        }
        let services = u.int_in_range(0..=3usize)?;
        if services > 0 {
            y.push_str("external_services:\n");
        }
        for i in 0..services {
            let site = u.choose_index(sites)?;
            let used: Vec<String> = (0..u.int_in_range(0..=3usize)?)
                .map(|_| u.choose_index(clusters).map(|c| format!("c{c}")))
                .collect::<arbitrary::Result<_>>()?;
            let f = [
                format!("name: x{i}"),
                format!("site: s{site}"),
                format!("port: {}", u.int_in_range(1..=65535u16)?),
                format!("cidrs: [10.{site}.{}.1/32]", 200 + i),
                format!("used_by: [{}]", used.join(", ")),
            ];
            entry(&mut y, "  ", &f);
        }
        let firewall = u.arbitrary::<bool>()?;
        let dns = u.arbitrary::<bool>()?;
        if firewall || dns {
            y.push_str("network:\n");
        }
        if firewall {
            let rules = u.int_in_range(0..=10usize)?;
            y.push_str(if rules == 0 {
                "  firewall: []\n"
            } else {
                "  firewall:\n"
            });
            for i in 0..rules {
                let mut endpoint = || -> arbitrary::Result<String> {
                    Ok(match u.int_in_range(0..=5u8)? {
                        0 => "any".into(),
                        1 => format!("s{}", u.choose_index(sites)?),
                        2 => format!("c{}", u.choose_index(clusters)?),
                        3 if clients > 0 => format!("a{}", u.choose_index(clients)?),
                        4 if services > 0 => format!("x{}", u.choose_index(services)?),
                        _ => format!("10.{}.0.0/16", u.choose_index(sites)?),
                    })
                };
                let (from, to) = (endpoint()?, endpoint()?);
                let ports: Vec<String> = (0..u.int_in_range(1..=3usize)?)
                    .map(|_| -> arbitrary::Result<String> {
                        let p = u.int_in_range(1..=65000u16)?;
                        Ok(match u.int_in_range(0..=2u16)? {
                            0 => p.to_string(),
                            w => format!("\"{p}-{}\"", p + w),
                        })
                    })
                    .collect::<arbitrary::Result<_>>()?;
                let f = [
                    format!("name: r{i}"),
                    format!("from: {from}"),
                    format!("to: {to}"),
                    format!("ports: [{}]", ports.join(", ")),
                    format!("bidirectional: {}", u.arbitrary::<bool>()?),
                ];
                entry(&mut y, "    ", &f);
            }
        }
        if dns {
            y.push_str("  dns:\n");
            for i in 0..sites {
                let f = [
                    format!("site: s{i}"),
                    format!("resolves: [{}]", SUFFIXES[u.choose_index(3)?]),
                ];
                entry(&mut y, "    ", &f);
            }
        }
        Ok(Self { yaml: y })
    }
}

impl ValidTopology {
    /// The topology as v1 YAML text.
    pub fn yaml(&self) -> &str {
        &self.yaml
    }

    /// The topology loaded up to the graph; it is valid, so this fails the target otherwise.
    pub fn load(&self) -> (Source, vrt::graph::Topology) {
        let source = Source::new("fuzz.yaml", self.yaml.clone());
        match vrt::topology(&source, limits()) {
            Ok(t) => (source, t),
            Err(findings) => panic!(
                "the generator wrote an invalid topology:\n{}\n{}",
                findings
                    .iter()
                    .map(|f| format!("{}: {}", f.rule.code, f.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
                self.yaml
            ),
        }
    }
}

/// Loads a valid generated topology (it must load), runs every rule, and checks the findings.
pub fn valid_topology_validate(t: &ValidTopology) {
    let (source, topology) = t.load();
    let findings = vrt::rules::run(&topology, |_| true);
    check_findings(&source, &findings);
    let (all, again) = (
        vrt::validate(&source, limits(), |_| true).findings,
        vrt::validate(&source, limits(), |_| true).findings,
    );
    assert_eq!(all, again, "validation is not deterministic");
}

/// `vrt ports`: the flows of a valid topology in every format, and the upgrade plan.
pub fn ports(t: &ValidTopology) {
    let (_, topology) = t.load();
    let flows = vrt::net::flows::flows(&topology);
    for flow in &flows {
        assert_ne!(flow.port, 0, "a flow on port 0");
    }
    let rows = vrt::report::ports::rows(&topology, &flows);
    assert_eq!(rows.len(), flows.len());
    let _ = vrt::report::ports::table(&rows);
    let _ = vrt::report::ports::markdown(&rows);
    let _ = vrt::report::ports::csv(&rows);
    vrt::report::ports::json(&topology.model.name, &rows).expect("ports JSON");
    if let Ok(plan) = vrt::upgrade::plan(&topology) {
        let mut sink = Vec::new();
        vrt::report::upgrade::text(&mut sink, &topology, &plan).expect("in memory");
        vrt::report::upgrade::markdown(&mut sink, &topology, &plan).expect("in memory");
        vrt::report::upgrade::json(&mut sink, &topology, &plan).expect("in memory");
    }
}

/// `vrt firewall`: rules for every flow in every target; the rules cover every flow.
pub fn firewall(t: &ValidTopology) {
    use vrt::report::firewall as render;
    let (source, topology) = t.load();
    let flows = vrt::net::flows::flows(&topology);
    match vrt::firewall::rules(&topology, &flows) {
        Ok(rules) => {
            let missing = vrt::firewall::uncovered(&topology, &flows, &rules);
            assert!(missing.is_empty(), "flows without a rule: {missing:?}");
            let ctx = render::Context {
                topology: &topology.model.name,
                file: &source.name,
                standby: true,
            };
            let _ = render::neutral::csv(&rules);
            let _ = render::neutral::markdown(&rules, &ctx);
            render::neutral::json(&rules, &ctx).expect("JSON");
            let _ = render::nftables::render(&rules, &ctx);
            let _ = render::iptables::render(&rules, &ctx, vrt::firewall::Family::V4);
            let _ = render::iptables::render(&rules, &ctx, vrt::firewall::Family::V6);
            render::aws::render(&rules, &ctx).expect("JSON");
            let _ = render::terraform::render(&rules, &ctx);
            let _ = render::azure::render(&rules, &ctx);
        }
        Err(findings) => {
            assert!(!findings.is_empty());
            check_findings(&source, &findings);
        }
    }
}

/// `vrt failover`: a plan for every single failure (never promoting a lost cluster) in every
/// format, the sweep (each row choosing what the plan of its failure chooses), and the
/// diagram after each loss.
pub fn failover(t: &ValidTopology) {
    use vrt::failover::{AfterRole, RecoveryPath};
    let (_, topology) = t.load();
    let Ok(rows) = vrt::failover::sweep(&topology) else {
        return; // a replication cycle: the planner refuses, as `vrt failover` does
    };
    let mut sink = Vec::new();
    vrt::report::failover::sweep_text(&mut sink, &topology, &rows).expect("in memory");
    vrt::report::failover::sweep_json(&mut sink, &topology, &rows).expect("in memory");
    for (failure, row) in topology.single_failures().into_iter().zip(rows.rows()) {
        let plan = vrt::failover::plan(&topology, &failure).expect("no cycle: the sweep ran");
        let chosen: Vec<vrt::failover::SweepRecovery> =
            plan.recoveries.iter().map(Into::into).collect();
        assert_eq!(chosen, row.recoveries, "the sweep chooses what the plan chooses");
        let added: Vec<_> = plan
            .without_dr
            .iter()
            .copied()
            .filter(|c| !rows.without_dr_before().contains(c))
            .collect();
        assert_eq!(row.without_dr, added, "left without DR, as the plan finds it");
        for r in &plan.recoveries {
            if matches!(
                r.path,
                RecoveryPath::DrPromotion | RecoveryPath::PerformancePromotion
            ) {
                let to = r.to.expect("a promotion names the promoted cluster");
                assert!(!plan.scenario.lost.contains(&to), "promotes a lost cluster");
            }
        }
        for a in &plan.after {
            assert_eq!(
                a.role == AfterRole::Lost,
                plan.scenario.lost.contains(&a.cluster),
                "after-role of {:?}",
                a.cluster
            );
        }
        vrt::report::failover::text(&mut sink, &topology, &plan).expect("in memory");
        vrt::report::failover::markdown(&mut sink, &topology, &plan).expect("in memory");
        vrt::report::failover::json(&mut sink, &topology, &plan).expect("in memory");
        let d = vrt::diagram::after(&topology, &plan);
        let _ = vrt::report::diagram::dot(&d);
        let _ = vrt::report::diagram::mermaid(&d);
    }
}
