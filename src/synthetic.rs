//! Synthetic topologies of any size, in the v1 format: for benchmarks, property tests,
//! fuzzing seeds and `vrt init --template synthetic`.
//!
//! [`topology_yaml`]`(n)` lays out `n` sites. Sites are grouped into replication sets of
//! eight (the last set takes the remainder, up to fifteen): the first site of a set holds its
//! primary, every other site a performance secondary of that primary. Each serving cluster
//! has a DR secondary in the next site of its set, so that losing any one site leaves a DR
//! secondary of everything it held (no VRT301 warning). Every site also has a client group
//! on its serving cluster, an external database used by that cluster and its DR secondary,
//! firewall rules for clients, the database, replication and the DR pairs, and a DNS entry.
//! Two clusters per site: `topology_yaml(5_000)` has 10,000 clusters.
//!
//! Every generated topology validates with zero errors and, from two sites on, zero
//! warnings (one site has nowhere else for its DR secondary).
//!
//! [`star_yaml`] is the other shape: one primary with many DR secondaries, whose standby
//! pairs grow with the square of their number (the flows do not: they are group flows).

use std::fmt::Write;

/// Sites per replication set.
const SET: usize = 8;

/// The replication set of site `i` (of `n`): its first site and its number of sites.
fn set_of(i: usize, n: usize) -> (usize, usize) {
    let sets = (n / SET).max(1);
    let set = (i / SET).min(sets - 1);
    let first = set * SET;
    let len = if set == sets - 1 { n - first } else { SET };
    (first, len)
}

/// The address block of site `i`: a /22 of 10.0.0.0/8 for the first 16,384 sites, then a
/// /48 of fd00::/8. `offset` and `prefix` pick a network inside the block.
fn block(i: usize, offset: u32, prefix: u8) -> String {
    if i < 16_384 {
        let base = (10u32 << 24) | ((i as u32) << 10);
        let a = std::net::Ipv4Addr::from(base + offset);
        format!("{a}/{}", if prefix == 0 { 22 } else { prefix })
    } else {
        let i = i as u64;
        let hi = (i >> 16) & 0xffff;
        let lo = i & 0xffff;
        if prefix == 0 {
            format!("fd00:{hi:x}:{lo:x}::/48")
        } else {
            // IPv6 networks of the block: /64s numbered by the IPv4 offset.
            format!("fd00:{hi:x}:{lo:x}:{offset:x}::/64")
        }
    }
}

/// A topology of `sites` sites and `2 × sites` clusters (see the module documentation), as
/// v1 YAML text. `sites` of zero is treated as one.
#[allow(clippy::too_many_lines)] // one section of the file after the other
pub fn topology_yaml(sites: usize) -> String {
    let n = sites.max(1);
    // Roughly 1.3 KB per site.
    let mut y = String::with_capacity(n * 1_400 + 512);
    let _ = writeln!(
        y,
        "# yaml-language-server: $schema=https://example.invalid/vrt.schema.json\n\
         version: 1\n\
         name: synthetic-{n}\n\
         description: >-\n  \
         Synthetic topology of {n} sites: replication sets of {SET} sites, each serving\n  \
         cluster with a DR secondary in the next site of its set.\n\
         sites:"
    );
    for i in 0..n {
        let _ = writeln!(
            y,
            "  - name: s{i}\n    provider: {}\n    zones: [s{i}-z1, s{i}-z2, s{i}-z3]\n    cidrs: [{}]",
            ["on-prem", "aws", "azure", "gcp", "vmware"][i % 5],
            block(i, 0, 0)
        );
    }
    y.push_str("clusters:\n");
    for i in 0..n {
        let (first, len) = set_of(i, n);
        let set = first / SET;
        let (role, upstream) = if i == first {
            ("primary", None)
        } else {
            ("performance-secondary", Some(first))
        };
        let host = format!("vault.s{i}.set{set}.example.com");
        let _ = writeln!(y, "  - name: vault-{i}\n    site: s{i}\n    role: {role}");
        if let Some(up) = upstream {
            let _ = writeln!(y, "    replicates_from: vault-{up}");
        }
        let _ = writeln!(
            y,
            "    api_addr: https://{host}:8200\n    cluster_addr: https://{host}:8201\n    \
             version: 1.19.0+ent\n    nodes: 5\n    zones: [s{i}-z1, s{i}-z2, s{i}-z3]\n    \
             cidrs: [{}]\n    load_balancer: {{address: {host}, cluster_port: passthrough}}",
            block(i, 0, 26)
        );
        // The DR secondary of vault-i runs in the next site of the set.
        let d = first + (i - first + 1) % len;
        let dr_host = format!("vault-dr.s{d}.set{set}.example.com");
        let _ = writeln!(
            y,
            "  - name: dr-{i}\n    site: s{d}\n    role: dr-secondary\n    replicates_from: vault-{i}\n    \
             api_addr: https://{dr_host}:8200\n    cluster_addr: https://{dr_host}:8201\n    \
             version: 1.19.0+ent\n    nodes: 5\n    zones: [s{d}-z1, s{d}-z2, s{d}-z3]\n    \
             cidrs: [{}]",
            block(d, 64, 26)
        );
    }
    y.push_str("clients:\n");
    for i in 0..n {
        let _ = writeln!(
            y,
            "  - {{name: apps-{i}, site: s{i}, cluster: vault-{i}, cidrs: [{}]}}",
            block(i, 256, 24)
        );
    }
    y.push_str("external_services:\n");
    for i in 0..n {
        let db = block(i, 512, 32);
        let _ = writeln!(
            y,
            "  - {{name: db-{i}, site: s{i}, port: 5432, cidrs: [{db}], used_by: [vault-{i}, dr-{i}]}}",
        );
    }
    y.push_str("network:\n  firewall:\n");
    for i in 0..n {
        let (first, _) = set_of(i, n);
        let _ = writeln!(
            y,
            "    - {{name: s{i}-internal, from: s{i}, to: s{i}, ports: [8200, 8201]}}\n    \
             - {{name: apps-{i}-vault, from: apps-{i}, to: vault-{i}, ports: [8200]}}\n    \
             - {{name: vault-{i}-db, from: vault-{i}, to: db-{i}, ports: [5432]}}\n    \
             - {{name: dr-{i}-db, from: dr-{i}, to: db-{i}, ports: [5432]}}\n    \
             - {{name: vault-{i}-dr, from: vault-{i}, to: dr-{i}, ports: [8200-8201], bidirectional: true}}"
        );
        // Clients are taken over by the DR secondary when their cluster is lost.
        let _ = writeln!(
            y,
            "    - {{name: apps-{i}-dr, from: apps-{i}, to: dr-{i}, ports: [8200]}}"
        );
        if i == first {
            // The primary's DR secondary talks to the performance secondaries once promoted.
            for j in (first + 1)..first + set_of(i, n).1 {
                let _ = writeln!(
                    y,
                    "    - {{name: dr-{i}-vault-{j}, from: dr-{i}, to: vault-{j}, ports: [8200, 8201], bidirectional: true}}"
                );
            }
        } else {
            let _ = writeln!(
                y,
                "    - {{name: vault-{i}-primary, from: vault-{i}, to: vault-{first}, ports: [8200, 8201], bidirectional: true}}\n    \
                 - {{name: dr-{i}-primary, from: dr-{i}, to: vault-{first}, ports: [8200, 8201], bidirectional: true}}"
            );
        }
    }
    y.push_str("  dns:\n");
    for i in 0..n {
        let (first, _) = set_of(i, n);
        let _ = writeln!(
            y,
            "    - {{site: s{i}, resolves: [set{}.example.com]}}",
            first / SET
        );
    }
    y
}

/// Sites holding the DR secondaries of [`star_yaml`].
const STAR_SITES: usize = 10;

/// A star topology of `clusters` clusters, as v1 YAML text: one primary `hub` in site
/// `hub-site` with `clusters - 1` DR secondaries spread over ten more sites (`clusters` of
/// zero or one gives the primary alone, an error VRT101), and `clients` client groups on the primary. Every
/// DR secondary needs standby paths to every other one and from every client: pairs that
/// grow with the square of the DR secondaries, written as group flows (issue 12). Addresses
/// are per site; the
/// firewall allows every site pair on 8200-8201, so from two clusters on the file validates
/// with zero errors.
pub fn star_yaml(clusters: usize, clients: usize) -> String {
    let drs = clusters.saturating_sub(1);
    let sites = STAR_SITES.min(drs);
    let mut y = String::with_capacity(drs * 200 + clients * 80 + 4_096);
    let _ = writeln!(
        y,
        "version: 1\nname: star-{clusters}\n\
         description: One primary with {drs} DR secondaries in {sites} sites and {clients} client groups.\n\
         sites:\n  - {{name: hub-site, zones: [h-z1, h-z2, h-z3], cidrs: [{}]}}",
        block(0, 0, 0)
    );
    for j in 1..=sites {
        let _ = writeln!(
            y,
            "  - {{name: s{j}, zones: [s{j}-z1, s{j}-z2, s{j}-z3], cidrs: [{}]}}",
            block(j, 0, 0)
        );
    }
    let _ = writeln!(
        y,
        "clusters:\n  - {{name: hub, site: hub-site, role: primary, version: 1.19.0+ent, nodes: 5, zones: [h-z1, h-z2, h-z3]}}"
    );
    for i in 1..=drs {
        let j = (i - 1) % sites + 1;
        let _ = writeln!(
            y,
            "  - {{name: dr-{i}, site: s{j}, role: dr-secondary, replicates_from: hub, version: 1.19.0+ent, nodes: 5, zones: [s{j}-z1, s{j}-z2, s{j}-z3]}}"
        );
    }
    if clients > 0 {
        y.push_str("clients:\n");
        for k in 0..clients {
            let _ = writeln!(y, "  - {{name: apps-{k}, site: hub-site, cluster: hub}}");
        }
    }
    y.push_str("network:\n  firewall:\n    - {name: hub-internal, from: hub-site, to: hub-site, ports: [8200-8201]}\n");
    for j in 1..=sites {
        let _ = writeln!(
            y,
            "    - {{name: s{j}-internal, from: s{j}, to: s{j}, ports: [8200-8201]}}\n    \
             - {{name: hub-s{j}, from: hub-site, to: s{j}, ports: [8200-8201], bidirectional: true}}"
        );
        for k in j + 1..=sites {
            let _ = writeln!(
                y,
                "    - {{name: s{j}-s{k}, from: s{j}, to: s{k}, ports: [8200-8201], bidirectional: true}}"
            );
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_partition_the_sites() {
        for n in [1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 100] {
            let mut members = std::collections::BTreeMap::new();
            for i in 0..n {
                let (first, len) = set_of(i, n);
                assert!((first..first + len).contains(&i), "n={n} i={i}");
                assert!(len < 2 * SET && len >= SET.min(n), "n={n} len={len}");
                *members.entry((first, len)).or_insert(0) += 1;
            }
            for ((_, len), count) in &members {
                assert_eq!(len, count, "n={n}");
            }
            assert_eq!(members.values().sum::<usize>(), n);
        }
    }

    #[test]
    fn star_topologies_validate_without_errors() {
        for (clusters, clients) in [(2, 0), (11, 3), (35, 7)] {
            let source = crate::source::Source::new("star", star_yaml(clusters, clients));
            let v = crate::validate(&source, crate::yaml::Limits::default(), |_| true);
            let errors: Vec<_> = v
                .findings
                .iter()
                .filter(|f| f.severity == crate::diag::Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{clusters}: {errors:#?}");
            let t = v.topology.expect("loads");
            assert_eq!(t.model.clusters.len(), clusters);
            assert_eq!(t.model.clients.len(), clients);
        }
    }

    #[test]
    fn address_blocks_are_distinct_and_nested() {
        assert_eq!(block(0, 0, 0), "10.0.0.0/22");
        assert_eq!(block(1, 64, 26), "10.0.4.64/26");
        assert_eq!(block(16_383, 512, 32), "10.255.254.0/32");
        assert_eq!(block(16_384, 0, 0), "fd00:0:4000::/48");
        assert_eq!(block(16_384, 256, 24), "fd00:0:4000:100::/64");
    }
}
