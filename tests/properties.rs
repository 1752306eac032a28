//! Property tests (proptest, in plain `cargo test`): random valid topologies (with mounts,
//! paths filters, seal and Consul endpoints sometimes) never panic validation and every
//! finding points inside the file; the graph's indexed answers agree
//! with their definitions; random mutations of the examples never panic the loader; the
//! synthetic generator always writes a clean topology.
//!
//! [`topology`] is the strategy for random valid topologies in format v1 (with their text);
//! properties of the planners use it too.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write;

use proptest::prelude::*;
use vrt::diag::{Finding, Severity};
use vrt::graph::Topology;
use vrt::ids::{ClusterId, SiteId};
use vrt::source::Source;
use vrt::yaml::Limits;

/// A cluster of a generated topology.
#[derive(Clone, Debug)]
struct GenCluster {
    site: usize,
    /// 0 primary, 1 performance secondary, 2 DR secondary.
    role: u8,
    /// Index of the cluster it replicates from (secondaries only; never itself).
    upstream: usize,
    version: Option<&'static str>,
    nodes: Option<u8>,
    zones: Vec<usize>,
    addr: bool,
    load_balancer: Option<u8>,
    /// A paths filter (written on performance secondaries only): allow or deny, and the
    /// mounts it names by index (an index past the declared mounts names an unknown one).
    filter: Option<(bool, Vec<usize>)>,
    /// The seal: type index into [`SEALS`] and whether its endpoint has `cidrs`.
    seal: Option<(u8, bool)>,
    /// Consul storage, and whether Vault reaches it at `consul.cidrs` (else a local agent).
    consul: Option<bool>,
}

/// A mount of a generated topology: the cluster it is on (made local when that cluster is
/// not a primary), whether it is local, the sites whose regions may hold it, its type.
#[derive(Clone, Debug)]
struct GenMount {
    cluster: usize,
    local: bool,
    regions: Option<Vec<usize>>,
    kind: u8,
}

const SEALS: [&str; 6] = [
    "shamir",
    "awskms",
    "azurekeyvault",
    "gcpckms",
    "transit",
    "pkcs11",
];

/// A firewall rule of a generated topology: endpoints as (kind, index), ports as (first,
/// width of the range).
#[derive(Clone, Debug)]
struct GenRule {
    from: (u8, usize),
    to: (u8, usize),
    ports: Vec<(u16, u16)>,
    bidirectional: bool,
}

/// How a generated topology is written; each switch is independent of the others.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug)]
struct GenStyle {
    flow: bool,
    crlf: bool,
    bom: bool,
    comments: bool,
    anchors: bool,
}

/// A generated topology: the model of a valid v1 file and how to write it.
#[derive(Clone, Debug)]
pub struct GenTopology {
    sites: Vec<(Option<u8>, bool, u8)>,
    clusters: Vec<GenCluster>,
    clients: Vec<(usize, usize)>,
    /// Per client (by index), the mounts it uses (by index into `mounts`).
    client_mounts: Vec<Vec<usize>>,
    mounts: Vec<GenMount>,
    services: Vec<(usize, u16, Vec<usize>)>,
    firewall: Option<Vec<GenRule>>,
    dns: Option<Vec<(usize, u8)>>,
    style: GenStyle,
}

const VERSIONS: [&str; 5] = ["1.17.3", "1.16.9+ent", "1.19.0+ent", "v1.18", "1.17"];

/// A cluster of a topology with `ns` sites and `nc` clusters.
fn cluster(ns: usize, nc: usize) -> impl Strategy<Value = GenCluster> {
    (
        0..ns,
        0u8..3,
        0..nc,
        proptest::option::of(proptest::sample::select(&VERSIONS[..])),
        proptest::option::of(1u8..8),
        proptest::collection::vec(0usize..3, 0..4),
        any::<bool>(),
        proptest::option::of(0u8..3),
        proptest::option::of((any::<bool>(), proptest::collection::vec(0usize..6, 0..3))),
        proptest::option::of((0u8..6, any::<bool>())),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(
                site,
                role,
                upstream,
                version,
                nodes,
                zones,
                addr,
                load_balancer,
                filter,
                seal,
                consul,
            )| GenCluster {
                site,
                role,
                upstream,
                version,
                nodes,
                zones,
                addr,
                load_balancer,
                filter,
                seal,
                consul,
            },
        )
}

/// A mount of a topology with `ns` sites and `nc` clusters.
fn mount(ns: usize, nc: usize) -> impl Strategy<Value = GenMount> {
    (
        0..nc,
        any::<bool>(),
        proptest::option::of(proptest::collection::vec(0..ns, 1..3)),
        0u8..4,
    )
        .prop_map(|(cluster, local, regions, kind)| GenMount {
            cluster,
            local,
            regions,
            kind,
        })
}

/// Random valid topologies of 1–6 sites and 1–12 clusters: every reference resolves, every
/// value is well-formed, and any replication shape can occur (cascades, cycles, DR chains,
/// cross-environment edges), so every rule can fire. Sometimes with mounts (shared, local,
/// resident in some regions), clients that use them, paths filters, seals with or without
/// endpoint addresses and Consul storage.
pub fn topology() -> impl Strategy<Value = GenTopology> {
    (1usize..=6, 1usize..=12).prop_flat_map(|(ns, nc)| {
        let cluster = cluster(ns, nc);
        let mount = mount(ns, nc);
        let endpoint_kind = 0u8..5;
        (
            proptest::collection::vec((proptest::option::of(0u8..3), any::<bool>(), 0u8..6), ns),
            proptest::collection::vec(cluster, nc),
            (
                proptest::collection::vec((0..ns, 0..nc), 0..6),
                proptest::collection::vec(proptest::collection::vec(0usize..5, 0..3), 6),
                proptest::collection::vec(mount, 0..5),
            ),
            proptest::collection::vec(
                (0..ns, 1u16..65535, proptest::collection::vec(0..nc, 0..3)),
                0..3,
            ),
            proptest::option::of(proptest::collection::vec(
                (
                    (endpoint_kind.clone(), 0usize..12),
                    (endpoint_kind, 0usize..12),
                    proptest::collection::vec((8000u16..8300, 0u16..3), 1..3),
                    any::<bool>(),
                )
                    .prop_map(|(from, to, ports, bidirectional)| GenRule {
                        from,
                        to,
                        ports,
                        bidirectional,
                    }),
                0..8,
            )),
            proptest::option::of(proptest::collection::vec((0..ns, 0u8..3), 0..4)),
            (
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            ),
        )
            .prop_map(
                move |(sites, mut clusters, clients, services, firewall, dns, style)| {
                    let (clients, client_mounts, mut mounts) = clients;
                    for (i, c) in clusters.iter_mut().enumerate() {
                        if c.upstream == i {
                            c.upstream = (i + 1) % nc;
                        }
                        if nc == 1 {
                            c.role = 0;
                        }
                    }
                    // Shared mounts live on primaries (the model says so): elsewhere local.
                    for m in &mut mounts {
                        if clusters[m.cluster].role != 0 {
                            m.local = true;
                        }
                    }
                    GenTopology {
                        sites,
                        clusters,
                        clients,
                        client_mounts,
                        mounts,
                        services,
                        firewall,
                        dns,
                        style: GenStyle {
                            flow: style.0,
                            crlf: style.1,
                            bom: style.2,
                            comments: style.3,
                            anchors: style.4,
                        },
                    }
                },
            )
    })
}

impl GenTopology {
    /// The endpoint of a firewall rule: `any`, a CIDR, or a declared name of some kind.
    fn endpoint(&self, kind: u8, i: usize) -> String {
        match kind {
            0 => "any".into(),
            1 => format!("s{}", i % self.sites.len()),
            2 => format!("c{}", i % self.clusters.len()),
            3 if !self.clients.is_empty() => format!("a{}", i % self.clients.len()),
            4 if !self.services.is_empty() => format!("x{}", i % self.services.len()),
            _ => format!("10.{}.0.0/16", i % 250),
        }
    }

    /// The topology as v1 YAML text.
    pub fn yaml(&self) -> String {
        let mut y = String::new();
        if self.style.comments {
            y.push_str("# generated by tests/properties.rs\n");
        }
        y.push_str("version: 1\nname: prop\nsites:\n");
        self.sites_yaml(&mut y);
        y.push_str("clusters:\n");
        self.clusters_yaml(&mut y);
        self.others_yaml(&mut y);
        self.network_yaml(&mut y);
        if self.style.crlf {
            y = y.replace('\n', "\r\n");
        }
        if self.style.bom {
            y.insert(0, '\u{feff}');
        }
        y
    }

    fn sites_yaml(&self, y: &mut String) {
        for (i, (region, non_prod, provider)) in self.sites.iter().enumerate() {
            let mut f = vec![format!("name: s{i}")];
            if let Some(r) = region {
                f.push(format!("region: r{r}"));
            }
            if *non_prod {
                f.push("environment: non-production".into());
            }
            f.push(format!(
                "provider: {}",
                ["on-prem", "vmware", "aws", "azure", "gcp", "other"][usize::from(*provider)]
            ));
            if self.style.anchors {
                f.push(format!("zones: &z{i} [s{i}z0, s{i}z1, s{i}z2]"));
            } else {
                f.push(format!("zones: [s{i}z0, s{i}z1, s{i}z2]"));
            }
            f.push(format!("cidrs: [10.{i}.0.0/16]"));
            self.entry(y, "  ", &f);
        }
    }

    fn clusters_yaml(&self, y: &mut String) {
        for (i, c) in self.clusters.iter().enumerate() {
            let role = ["primary", "performance-secondary", "dr-secondary"][usize::from(c.role)];
            let mut f = vec![
                format!("name: c{i}"),
                format!("site: s{}", c.site),
                format!("role: {role}"),
            ];
            if c.role != 0 {
                f.push(format!("replicates_from: c{}", c.upstream));
            }
            if c.addr {
                f.push(format!(
                    "api_addr: https://c{i}.s{}.example.com:8200",
                    c.site
                ));
                f.push(format!(
                    "cluster_addr: https://c{i}.s{}.example.com:8201",
                    c.site
                ));
            }
            if let Some(v) = c.version {
                f.push(format!("version: {v}"));
            }
            if let Some(n) = c.nodes {
                f.push(format!("nodes: {n}"));
            }
            let zones: BTreeSet<usize> = c.zones.iter().copied().collect();
            if self.style.anchors && zones.len() == 3 {
                f.push(format!("zones: *z{}", c.site));
            } else {
                let z: Vec<String> = zones.iter().map(|z| format!("s{}z{z}", c.site)).collect();
                f.push(format!("zones: [{}]", z.join(", ")));
            }
            f.push(format!("cidrs: [10.{}.{i}.0/24]", c.site));
            if let Some(lb) = c.load_balancer {
                f.push(format!(
                    "load_balancer: {{address: lb-c{i}.example.com, cluster_port: {}}}",
                    ["none", "passthrough", "terminate-tls"][usize::from(lb)]
                ));
            }
            if let Some((allow, paths)) = c.filter.as_ref().filter(|_| c.role == 1) {
                let mut p: Vec<String> = paths.iter().map(|k| format!("m{k}/")).collect();
                p.dedup();
                f.push(format!(
                    "paths_filter: {{mode: {}, paths: [{}]}}",
                    if *allow { "allow" } else { "deny" },
                    p.join(", ")
                ));
            }
            if let Some((kind, cidrs)) = c.seal {
                let kind = SEALS[usize::from(kind)];
                if cidrs && kind != "shamir" {
                    let port = if kind == "pkcs11" { ", port: 1792" } else { "" };
                    f.push(format!(
                        "seal: {{type: {kind}, cidrs: [172.16.{i}.0/28]{port}}}"
                    ));
                } else {
                    f.push(format!("seal: {{type: {kind}}}"));
                }
            }
            if let Some(cidrs) = c.consul {
                f.push("storage: consul".into());
                if cidrs {
                    f.push(format!("consul: {{cidrs: [172.17.{i}.0/28]}}"));
                }
            }
            self.entry(y, "  ", &f);
        }
    }

    /// The region of site `i`, as the model names it (its name when it has none).
    fn region(&self, i: usize) -> String {
        match self.sites[i].0 {
            Some(r) => format!("r{r}"),
            None => format!("s{i}"),
        }
    }

    fn others_yaml(&self, y: &mut String) {
        if !self.mounts.is_empty() {
            y.push_str("mounts:\n");
        }
        for (i, m) in self.mounts.iter().enumerate() {
            let mut f = vec![
                format!("path: m{i}/"),
                format!(
                    "type: {}",
                    ["kv", "pki", "database", "auth/approle"][usize::from(m.kind)]
                ),
                format!("cluster: c{}", m.cluster),
                format!("local: {}", m.local),
            ];
            if let Some(sites) = &m.regions {
                let regions: BTreeSet<String> = sites.iter().map(|s| self.region(*s)).collect();
                f.push(format!(
                    "regions: [{}]",
                    regions.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
            self.entry(y, "  ", &f);
        }
        if !self.clients.is_empty() {
            y.push_str("clients:\n");
        }
        for (i, (site, cluster)) in self.clients.iter().enumerate() {
            let mut f = vec![
                format!("name: a{i}"),
                format!("site: s{site}"),
                format!("cluster: c{cluster}"),
                format!("cidrs: [10.{site}.{}.0/24]", 100 + i),
            ];
            let uses: BTreeSet<usize> = self.client_mounts[i]
                .iter()
                .copied()
                .filter(|k| *k < self.mounts.len())
                .collect();
            if !uses.is_empty() {
                let paths: Vec<String> = uses.iter().map(|k| format!("m{k}/")).collect();
                f.push(format!("mounts: [{}]", paths.join(", ")));
            }
            self.entry(y, "  ", &f);
        }
        if !self.services.is_empty() {
            y.push_str("external_services:\n");
        }
        for (i, (site, port, used_by)) in self.services.iter().enumerate() {
            let used: Vec<String> = used_by.iter().map(|c| format!("c{c}")).collect();
            let f = [
                format!("name: x{i}"),
                format!("site: s{site}"),
                format!("port: {port}"),
                format!("cidrs: [10.{site}.{}.1/32]", 200 + i),
                format!("used_by: [{}]", used.join(", ")),
            ];
            self.entry(y, "  ", &f);
        }
    }

    fn network_yaml(&self, y: &mut String) {
        if self.firewall.is_some() || self.dns.is_some() {
            y.push_str("network:\n");
        }
        if let Some(rules) = &self.firewall {
            y.push_str(if rules.is_empty() {
                "  firewall: []\n"
            } else {
                "  firewall:\n"
            });
            for (i, r) in rules.iter().enumerate() {
                let ports: Vec<String> = r
                    .ports
                    .iter()
                    .map(|(p, w)| {
                        if *w == 0 {
                            p.to_string()
                        } else {
                            format!("\"{p}-{}\"", p + w)
                        }
                    })
                    .collect();
                let f = [
                    format!("name: r{i}"),
                    format!("from: {}", self.endpoint(r.from.0, r.from.1)),
                    format!("to: {}", self.endpoint(r.to.0, r.to.1)),
                    format!("ports: [{}]", ports.join(", ")),
                    format!("bidirectional: {}", r.bidirectional),
                ];
                self.entry(y, "    ", &f);
            }
        }
        if let Some(dns) = &self.dns {
            y.push_str(if dns.is_empty() {
                "  dns: []\n"
            } else {
                "  dns:\n"
            });
            for (site, which) in dns {
                let f = [
                    format!("site: s{site}"),
                    format!(
                        "resolves: [{}]",
                        ["example.com", "s0.example.com", "corp.example.org."][usize::from(*which)]
                    ),
                ];
                self.entry(y, "    ", &f);
            }
        }
    }

    fn entry(&self, y: &mut String, indent: &str, fields: &[String]) {
        if self.style.flow {
            let _ = writeln!(y, "{indent}- {{{}}}", fields.join(", "));
        } else {
            for (i, f) in fields.iter().enumerate() {
                let lead = if i == 0 { "- " } else { "  " };
                let _ = writeln!(y, "{indent}{lead}{f}");
                if self.style.comments && i == 0 {
                    let _ = writeln!(y, "{indent}  # a comment between keys");
                }
            }
        }
    }
}

/// Loads text as `vrt validate` does (BOM, line ends), validates it, and checks that every
/// finding is located inside the file and that both renderers accept the findings.
fn validate_text(text: &str) -> (Source, Vec<Finding>, Option<Topology>) {
    let (source, not_utf8) = vrt::load::decode("prop.yaml".into(), text.as_bytes().to_vec());
    assert!(not_utf8.is_none());
    let vrt::Validation {
        findings, topology, ..
    } = vrt::validate(&source, Limits::default(), |_| true);
    assert_located(&source, &findings);
    (source, findings, topology)
}

fn assert_located(source: &Source, findings: &[Finding]) {
    for f in findings {
        for label in std::iter::once(&f.primary).chain(&f.related) {
            assert!(
                label.span.end() <= source.text.len(),
                "{}: {:?} past the end",
                f.message,
                label.span
            );
            let (start, end) = source.range(label.span);
            assert!(
                start.line >= 1 && end.line <= source.line_count(),
                "{}",
                f.message
            );
            let line = source.text.split('\n').nth(start.line - 1).unwrap_or("");
            assert!(
                start.column <= line.chars().count() + 1,
                "{}: column {} beyond line {} `{line}`",
                f.message,
                start.column,
                start.line
            );
        }
    }
    let rendered = common::rendered(source, findings);
    assert!(rendered.contains(" checked: "), "{rendered}");
    let files = [vrt::report::FileReport { source, findings }];
    serde_json::to_string(&vrt::report::json::build(&files)).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_valid_topologies_validate_and_every_finding_is_inside_the_file(
        t in topology()
    ) {
        let text = t.yaml();
        let (source, findings, topology) = validate_text(&text);
        prop_assert!(
            topology.is_some(),
            "the generator wrote an invalid topology:\n{}\n{text}",
            common::rendered(&source, &findings)
        );
        let vrt::Validation { findings: again, .. } = vrt::validate(&source, Limits::default(), |_| true);
        prop_assert_eq!(&findings, &again, "validation is not deterministic");
    }

    #[test]
    fn indexed_graph_answers_agree_with_their_definitions(t in topology()) {
        let (source, _, topology) = validate_text(&t.yaml());
        let topology = topology.expect("valid");
        let cycles = topology.cycles();
        for c in topology.cluster_ids() {
            let chain = topology.ancestors(c);
            let root = cycles
                .iter()
                .find(|cy| cy.contains(&c) || chain.iter().any(|a| cy.contains(a)))
                .map_or_else(|| chain.last().copied().unwrap_or(c), |cy| cy[0]);
            prop_assert_eq!(topology.root(c), root, "{}", source.text);
            let below: Vec<ClusterId> = topology
                .cluster_ids()
                .filter(|d| topology.upstream(*d).map(|(u, _)| u) == Some(c))
                .collect();
            let listed: Vec<ClusterId> = topology.downstream(c).into_iter().map(|(d, _)| d).collect();
            prop_assert_eq!(listed, below);
            let clients: Vec<usize> = topology.clients_of(c).iter().map(|(id, _)| id.index()).collect();
            let expected: Vec<usize> = topology
                .model
                .clients
                .iter()
                .enumerate()
                .filter(|(_, cl)| *cl.cluster.get() == c)
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(clients, expected);
            prop_assert!(topology.tokens_held_by(c).contains(&c));
        }
        for s in topology.site_ids() {
            let expected: Vec<ClusterId> = topology
                .cluster_ids()
                .filter(|c| topology.site_of(*c) == s)
                .collect();
            prop_assert_eq!(topology.clusters_in_site(s), expected);
        }
        let mut regions: Vec<&str> = Vec::new();
        for s in &topology.model.sites {
            if !regions.contains(&s.region.as_str()) {
                regions.push(s.region.as_str());
            }
        }
        prop_assert_eq!(topology.regions(), regions.clone());
        for r in regions {
            let expected: Vec<SiteId> = topology
                .site_ids()
                .filter(|s| topology.region_of(*s) == r)
                .collect();
            prop_assert_eq!(topology.sites_in_region(r), expected);
        }
    }
}

/// One random change to a file's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    /// Overwrite the byte at (position % length).
    Set(usize, u8),
    /// Insert bytes at (position % length).
    Insert(usize, Vec<u8>),
    /// Remove up to `n` bytes at (position % length).
    Remove(usize, usize),
    /// Repeat a line.
    DuplicateLine(usize),
    /// Swap two lines.
    SwapLines(usize, usize),
    /// Cut the file at (position % length).
    Truncate(usize),
    /// Insert one of the characters YAML gives meaning to.
    Syntax(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Set(p, b)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Mutation::Remove(p, n)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0u8..14).prop_map(|(p, k)| Mutation::Syntax(p, k)),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % len };
    match mutation {
        Mutation::Set(p, b) => {
            if !bytes.is_empty() {
                let i = at(*p, bytes.len());
                bytes[i] = *b;
            }
        }
        Mutation::Insert(p, b) => {
            let i = at(*p, bytes.len() + 1);
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::Remove(p, n) => {
            let i = at(*p, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::DuplicateLine(p) | Mutation::SwapLines(p, _) => {
            let mut lines: Vec<Vec<u8>> =
                bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            let i = at(*p, lines.len());
            match mutation {
                Mutation::SwapLines(_, q) => {
                    let j = at(*q, lines.len());
                    lines.swap(i, j);
                }
                _ => {
                    let line = lines[i].clone();
                    lines.insert(i, line);
                }
            }
            *bytes = lines.join(&b'\n');
        }
        Mutation::Truncate(p) => {
            let i = at(*p, bytes.len() + 1);
            bytes.truncate(i);
        }
        Mutation::Syntax(p, k) => {
            let tokens: [&[u8]; 14] = [
                b"[", b"]", b"{", b"}", b": ", b"- ", b"&a ", b"*a", b"<<: ", b"!!str ", b"---\n",
                b"\t", b"\"", b"'",
            ];
            let i = at(*p, bytes.len() + 1);
            bytes.splice(i..i, tokens[usize::from(*k)].iter().copied());
        }
    }
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = common::root();
    let mut out = Vec::new();
    for dir in ["examples", "tests/fixtures/rules"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_examples_never_panic_the_loader(
        seed in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        let (name, original) = &seeds[seed.index(seeds.len())];
        let mut bytes = original.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let (source, not_utf8) = vrt::load::decode(name.clone(), bytes);
        let findings = match not_utf8 {
            Some(f) => vec![f],
            None => vrt::validate(&source, Limits::default(), |_| true).findings,
        };
        assert_located(&source, &findings);
    }

    #[test]
    fn synthetic_topologies_are_clean_at_every_size(sites in 2usize..40) {
        let text = vrt::synthetic::topology_yaml(sites);
        let (source, findings, topology) = validate_text(&text);
        let topology = topology.expect("valid");
        prop_assert_eq!(topology.model.clusters.len(), 2 * sites);
        // Only the VRT304 notes its design implies: each DR secondary runs in the next site.
        prop_assert!(
            findings.iter().all(|f| f.rule.code == "VRT304"),
            "{}",
            common::rendered(&source, &findings)
        );
    }
}

#[test]
fn a_synthetic_topology_of_10_000_clusters_has_only_the_notes_of_its_design() {
    let text = vrt::synthetic::topology_yaml(5_000);
    let source = Source::new("synthetic", text);
    let vrt::Validation {
        findings, topology, ..
    } = vrt::validate(&source, Limits::default(), |_| true);
    assert_eq!(topology.expect("valid").model.clusters.len(), 10_000);
    // Each site's clients fail over to a DR secondary in the next site (VRT304, a note).
    assert!(
        findings.iter().all(|f| f.rule.code == "VRT304"),
        "{findings:#?}"
    );
    assert_eq!(findings.len(), 5_000);
}

#[test]
fn one_synthetic_site_loses_its_whole_set_with_the_site() {
    // With one site, the primary and its DR secondary share it: losing the site loses the
    // whole replication set (VRT302, an error in production).
    let (_, findings, topology) = validate_text(&vrt::synthetic::topology_yaml(1));
    assert!(topology.is_some());
    let codes: Vec<(&str, Severity)> = findings.iter().map(|f| (f.rule.code, f.severity)).collect();
    assert_eq!(codes, [("VRT302", Severity::Error)]);
}

#[test]
fn the_generator_reaches_every_rule_and_every_style() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut codes = BTreeSet::new();
    let mut styles = BTreeSet::new();
    let mut features = BTreeSet::new();
    for _ in 0..300 {
        let t = topology().new_tree(&mut runner).unwrap().current();
        let text = t.yaml();
        styles.extend([
            ("crlf", text.contains("\r\n")),
            ("bom", text.starts_with('\u{feff}')),
            ("alias", text.contains("*z")),
            ("flow", text.contains("  - {name: c0")),
        ]);
        let (_, findings, topology) = validate_text(&text);
        let topology = topology.expect("the generator writes valid topologies");
        codes.extend(findings.iter().map(|f| f.rule.code));
        let flows = vrt::net::flows::flows(&topology);
        features.extend(
            [
                ("mounts", !topology.model.mounts.is_empty()),
                (
                    "client mounts",
                    topology.model.clients.iter().any(|k| !k.mounts.is_empty()),
                ),
                (
                    "paths filter",
                    topology
                        .model
                        .clusters
                        .iter()
                        .any(|c| c.storage.paths_filter.is_some()),
                ),
                (
                    "seal flow",
                    flows
                        .iter()
                        .any(|f| matches!(f.to, vrt::net::flows::Node::Seal(_))),
                ),
                (
                    "consul flow",
                    flows
                        .iter()
                        .any(|f| matches!(f.to, vrt::net::flows::Node::Consul(_))),
                ),
            ]
            .into_iter()
            .filter(|(_, seen)| *seen)
            .map(|(name, _)| name),
        );
    }
    assert_eq!(features.len(), 5, "{features:?}");
    // The generator aims at the replication, mount, readiness and cluster-health rules; the
    // network rules (2xx) need crafted firewall and DNS facts, as VRT305 needs `failover_to`
    // (the generator writes none); they have their own fixtures.
    let crafted = ["VRT305"];
    for check in vrt::rules::CHECKS
        .iter()
        .filter(|c| !c.rule.code.starts_with("VRT2") && !crafted.contains(&c.rule.code))
    {
        assert!(
            codes.contains(check.rule.code),
            "no topology fired {}",
            check.rule.code
        );
    }
    assert_eq!(styles.len(), 8, "{styles:?}");
}

/// Runs every planner on a loaded topology and checks the planners' promises: the firewall
/// rules cover every flow of the port matrix, and no failover plan promotes a lost cluster.
/// Returns whether firewall rules could be written (every end of every flow has addresses).
fn check_planners(t: &Topology) -> bool {
    use vrt::failover::{AfterRole, RecoveryPath};
    let flows = vrt::net::flows::flows(t);
    // `--max-flows` is checked against this count before any flow is built: it bounds them.
    let (bound, _) = vrt::net::budget::count(t);
    assert!(
        flows.len() as u64 <= bound,
        "{} flows, counted {bound}",
        flows.len()
    );
    let rows = vrt::report::ports::rows(t, &flows);
    assert_eq!(rows.len(), flows.len());
    let written = match vrt::firewall::rules(t, &flows) {
        Ok(rules) => {
            let missing = vrt::firewall::uncovered(t, &flows, &rules);
            assert!(
                missing.is_empty(),
                "flows without a firewall rule: {missing:#?}"
            );
            true
        }
        Err(findings) => {
            assert!(!findings.is_empty());
            false
        }
    };
    if let Ok(rows) = vrt::failover::sweep(t) {
        assert!(!rows.is_empty());
        for (failure, row) in t.single_failures().into_iter().zip(rows.rows()) {
            let plan = vrt::failover::plan(t, &failure).expect("no cycle: the sweep ran");
            common::assert_row_adds_to_without_dr(&rows, &row, &plan);
            for r in &plan.recoveries {
                if matches!(
                    r.path,
                    RecoveryPath::DrPromotion | RecoveryPath::PerformancePromotion
                ) {
                    let to = r.to.expect("a promotion names its cluster");
                    assert!(
                        !plan.scenario.lost.contains(&to),
                        "{}: promotes lost `{}`",
                        plan.scenario.label,
                        t.name(to)
                    );
                }
            }
            for a in &plan.after {
                assert_eq!(
                    a.role == AfterRole::Lost,
                    plan.scenario.lost.contains(&a.cluster)
                );
            }
            let mut sink = Vec::new();
            vrt::report::failover::text(&mut sink, t, &plan).unwrap();
            vrt::report::failover::json(&mut sink, t, &plan).unwrap();
        }
    }
    if let Ok(plan) = vrt::upgrade::plan(t) {
        let mut sink = Vec::new();
        vrt::report::upgrade::text(&mut sink, t, &plan).unwrap();
    }
    written
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn planners_keep_their_promises_on_random_valid_topologies(t in topology()) {
        let (_, _, topology) = validate_text(&t.yaml());
        check_planners(&topology.expect("the generator writes valid topologies"));
    }
}

#[test]
fn planners_keep_their_promises_on_the_examples_and_synthetic_topologies() {
    // These give every end addresses, so the coverage check is never vacuous here.
    let dir = common::root().join("examples");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    texts.extend([2, 5, 17].map(vrt::synthetic::topology_yaml));
    for text in texts {
        let (_, _, topology) = validate_text(&text);
        assert!(
            check_planners(&topology.expect("valid")),
            "firewall rules were written"
        );
    }
}
