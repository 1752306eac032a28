//! The network commands through the real binary: `vrt ports` covers the port reference and
//! the standby flows for every example; `vrt firewall` writes every target for every
//! example, and the nftables and iptables files load in the real tools (in a fresh network
//! namespace when `unshare` allows); the AWS, Azure and Terraform outputs have the shapes
//! their APIs take; `--output` is atomic; a removed firewall rule is flagged at the right
//! line with a fix that works.

// The JSON Schemas below are written inline with `serde_json::json!`, which recurses deeply.
#![recursion_limit = "512"]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{examples, root, run, run_with_stdin, vrt};
use serde_json::Value;
use vrt::yaml::Limits;

const TARGETS: [&str; 9] = [
    "csv",
    "markdown",
    "json",
    "nftables",
    "iptables",
    "ip6tables",
    "aws-sg",
    "terraform",
    "azure-nsg",
];

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vrt-net-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------- vrt ports

/// The flows each example must have, computed from the file's declarations alone: the port
/// reference (replication both ways on both ports, clients, load balancers, services, inside
/// clusters) and the standby flows of vault-replication.md, "Implications", point 6.
fn expected_flows(path: &str) -> BTreeMap<(String, String, u16), bool> {
    let source = common::source(&root().join(path));
    let t = vrt::topology(&source, Limits::default()).expect("example loads");
    let m = &t.model;
    let name = |c: vrt::ids::ClusterId| t.cluster(c).name.get().clone();
    let api = |c: vrt::ids::ClusterId| t.cluster(c).api_port();
    let cport = |c: vrt::ids::ClusterId| t.cluster(c).cluster_port();
    let mut want: BTreeMap<(String, String, u16), bool> = BTreeMap::new();
    let mut add = |from: String, to: String, port: u16, standby: bool| {
        // A required flow is never downgraded by a standby reason for the same connection.
        let e = want.entry((from, to, port)).or_insert(standby);
        *e = *e && standby;
    };
    // Peers and clients reach a cluster with a load balancer through it.
    let front = |c: vrt::ids::ClusterId, port_is_cluster: bool| {
        let cl = t.cluster(c);
        match &cl.load_balancer {
            Some(lb) if !port_is_cluster || lb.cluster_port != vrt::spec::ClusterPort::None => {
                format!("{} (load balancer)", cl.name.get())
            }
            _ => cl.name.get().clone(),
        }
    };
    let both_ways = |s, p, standby, add: &mut dyn FnMut(String, String, u16, bool)| {
        for (a, b) in [(s, p), (p, s)] {
            add(name(a), front(b, false), api(b), standby);
            add(name(a), front(b, true), cport(b), standby);
        }
    };
    for c in t.cluster_ids() {
        if let Some(up) = &t.cluster(c).upstream {
            both_ways(c, *up.get(), false, &mut add);
        }
    }
    for k in &m.clients {
        add(
            format!("{} (client)", k.name.get()),
            front(*k.cluster.get(), false),
            api(*k.cluster.get()),
            false,
        );
        for d in t.dr_secondaries(*k.cluster.get()) {
            add(
                format!("{} (client)", k.name.get()),
                front(d, false),
                api(d),
                true,
            );
        }
    }
    for c in t.cluster_ids() {
        let cl = t.cluster(c);
        if let Some(lb) = &cl.load_balancer {
            let lbn = format!("{} (load balancer)", cl.name.get());
            add(lbn.clone(), name(c), api(c), false);
            if lb.cluster_port != vrt::spec::ClusterPort::None {
                add(lbn, name(c), cport(c), false);
            }
        }
        add(name(c), name(c), api(c), false);
        add(name(c), name(c), cport(c), false);
    }
    for s in &m.services {
        for u in &s.used_by {
            let dr = *t.cluster(*u.get()).role.get() == vrt::spec::Role::DrSecondary;
            add(
                name(*u.get()),
                format!("{} (service)", s.name.get()),
                *s.port.get(),
                dr,
            );
        }
    }
    expected_infra_flows(path, &t, &mut add);
    for c in t.cluster_ids() {
        let drs = t.dr_secondaries(c);
        let perfs = t.performance_secondaries(c);
        // A primary's DR secondaries <-> its performance secondaries.
        for &d in &drs {
            for &p in &perfs {
                both_ways(p, d, true, &mut add);
            }
        }
        // A performance secondary's DR secondaries <-> the primary.
        if let Some((up, vrt::graph::EdgeKind::Performance)) = t.upstream(c) {
            for &d in &drs {
                both_ways(d, up, true, &mut add);
            }
        }
    }
    want
}

/// Each cluster's nodes → its seal endpoint and its Consul storage, where the file gives
/// their addresses; the ports by seal type as the Vault seal docs give them.
fn expected_infra_flows(
    path: &str,
    t: &vrt::graph::Topology,
    add: &mut dyn FnMut(String, String, u16, bool),
) {
    let name = |c: vrt::ids::ClusterId| t.cluster(c).name.get().clone();
    for c in t.cluster_ids() {
        let facts = &t.cluster(c).storage;
        if let Some(seal) = &facts.seal
            && let Some(e) = &seal.endpoint
        {
            let port = match seal.kind.get() {
                vrt::spec::SealType::Awskms
                | vrt::spec::SealType::Azurekeyvault
                | vrt::spec::SealType::Gcpckms => 443,
                vrt::spec::SealType::Transit => 8200,
                _ => e.port,
            };
            assert_eq!(e.port, port, "{path}: seal port of {}", name(c));
            add(name(c), format!("{} (seal endpoint)", name(c)), port, false);
        }
        if let Some(e) = &facts.consul {
            add(name(c), format!("{} (Consul)", name(c)), e.port, false);
        }
    }
}

#[test]
fn ports_lists_every_flow_of_the_port_reference_and_the_standby_flows_for_every_example() {
    for path in examples() {
        let (code, out, err) = run(&["ports", "--format", "json", &path]);
        assert_eq!(code, 0, "{path}: {err}");
        let doc = json(&out);
        let rows = doc["flows"].as_array().unwrap();
        let mut got: BTreeMap<(String, String, u16), bool> = BTreeMap::new();
        for r in rows {
            assert_eq!(r["protocol"], "tcp");
            assert!(!r["why"].as_str().unwrap().is_empty());
            let key = (
                r["source"].as_str().unwrap().to_string(),
                r["destination"].as_str().unwrap().to_string(),
                u16::try_from(r["port"].as_u64().unwrap()).unwrap(),
            );
            assert!(
                got.insert(key.clone(), r["standby"].as_bool().unwrap())
                    .is_none(),
                "{path}: {key:?} twice"
            );
        }
        let want = expected_flows(&path);
        for (key, standby) in &want {
            assert_eq!(
                got.get(key),
                Some(standby),
                "{path}: flow {key:?} (standby {standby}) missing or mismarked"
            );
        }
        // Anything beyond the reference is a documented standby extra (performance promotion
        // candidates, sibling DR secondaries).
        for (key, standby) in &got {
            if !want.contains_key(key) {
                assert!(*standby, "{path}: unexpected required flow {key:?}");
            }
        }
        assert!(got.values().any(|s| *s), "{path}: no standby flow");
    }
}

#[test]
fn the_global_example_pre_opens_the_performance_promotion_path() {
    let (_, out, _) = run(&["ports", "--format", "json", "examples/global.yaml"]);
    let doc = json(&out);
    let standby_pairs: BTreeSet<(String, String)> = doc["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["standby"] == true)
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["destination"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(standby_pairs.contains(&("sydney-perf".into(), "london-perf (load balancer)".into())));
    assert!(standby_pairs.contains(&("london-perf".into(), "sydney-perf (load balancer)".into())));
}

#[test]
fn ports_table_for_two_datacenters() {
    insta_cmd::assert_cmd_snapshot!(vrt().args(["ports", "examples/two-datacenters.yaml"]));
}

#[test]
fn ports_formats_hold_the_same_rows() {
    let path = "examples/hybrid-onprem-aws.yaml";
    let (_, j, _) = run(&["ports", "--format", "json", path]);
    let n = json(&j)["flows"].as_array().unwrap().len();
    let (_, csv, _) = run(&["ports", "--format", "csv", path]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "source,source_kind,destination,destination_kind,port,protocol,direction,purpose,standby,why"
    );
    assert_eq!(lines.len(), n + 1);
    let (_, md, _) = run(&["ports", "--format", "markdown", path]);
    let md_rows = md.lines().filter(|l| l.starts_with('|')).count();
    assert_eq!(md_rows, n + 2, "header, separator and one line per flow");
    let (_, table, _) = run(&["ports", path]);
    assert!(table.starts_with('┌'), "{table}");
}

// ------------------------------------------------------------- vrt firewall

#[test]
fn firewall_writes_every_target_for_every_example() {
    for path in examples() {
        for target in TARGETS {
            let (code, out, err) = run(&["firewall", "--format", target, &path]);
            assert_eq!(code, 0, "{path} {target}: {err}");
            assert!(!out.trim().is_empty(), "{path} {target}: empty");
            let (_, again, _) = run(&["firewall", "--format", target, &path]);
            assert_eq!(out, again, "{path} {target}: output differs between runs");
            if matches!(target, "json" | "aws-sg" | "azure-nsg") {
                json(&out);
            }
        }
    }
}

#[test]
fn every_rule_carries_why_it_exists_and_standby_rules_say_so() {
    for path in examples() {
        let (_, out, _) = run(&["firewall", "--format", "json", &path]);
        let doc = json(&out);
        let rules = doc["rules"].as_array().unwrap();
        let names: BTreeSet<&str> = rules.iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), rules.len(), "{path}: names are unique");
        for r in rules {
            let comment = r["comment"].as_str().unwrap();
            assert!(
                comment.starts_with(r["name"].as_str().unwrap()),
                "{comment}"
            );
            assert!(!r["reasons"].as_array().unwrap().is_empty());
            assert_eq!(
                r["standby"] == true,
                comment.contains("standby, open before failover"),
                "{comment}"
            );
        }
        let (_, required, _) = run(&["firewall", "--format", "json", "--no-standby", &path]);
        let required = json(&required);
        assert_eq!(required["standby_included"], false);
        let rules = required["rules"].as_array().unwrap();
        assert!(!rules.is_empty());
        assert!(
            rules.iter().all(|r| r["standby"] == false),
            "{path}: --no-standby"
        );
    }
}

#[test]
fn the_neutral_tables_note_the_ephemeral_return_range() {
    let (_, csv, _) = run(&["firewall", "--format", "csv", "examples/global.yaml"]);
    assert!(csv.lines().next().unwrap().ends_with(",return_traffic"));
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .contains("to source ports 1024-65535")
    );
    let (_, md, _) = run(&["firewall", "--format", "markdown", "examples/global.yaml"]);
    assert!(md.contains("ephemeral ports 1024-65535"), "{md}");
    let (_, j, _) = run(&["firewall", "--format", "json", "examples/global.yaml"]);
    assert_eq!(json(&j)["return_traffic"]["ephemeral_ports"], "1024-65535");
}

/// The full path of an installed tool, or `None` (and a skip message; a failure with
/// `VRT_REQUIRE_TOOLS=1`).
fn tool(name: &str) -> Option<PathBuf> {
    if !common::tool_available(name) {
        return None;
    }
    let dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    dirs.into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs a checker on a file in a fresh network namespace (`unshare -rn`, or `unshare -n` as
/// root) when the kernel allows one, otherwise in the current one: check modes change
/// nothing, the namespace only keeps them away from the host's rules.
fn check_in_netns(tool: &Path, args: &[&str], file: &Path) -> Output {
    let unshare = tool_path_quiet("unshare");
    for flags in [["-rn"], ["-n"]] {
        if let Some(u) = &unshare {
            let works = Command::new(u)
                .args(flags)
                .arg("true")
                .output()
                .is_ok_and(|o| o.status.success());
            if works {
                return Command::new(u)
                    .args(flags)
                    .arg(tool)
                    .args(args)
                    .arg(file)
                    .output()
                    .unwrap();
            }
        }
    }
    Command::new(tool).args(args).arg(file).output().unwrap()
}

fn tool_path_quiet(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

fn generate(target: &str, path: &str, dir: &Path) -> PathBuf {
    let stem = Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let file = dir.join(format!("{stem}.{target}"));
    let (code, _, err) = run(&[
        "firewall",
        "--format",
        target,
        "--output",
        file.to_str().unwrap(),
        path,
    ]);
    assert_eq!(code, 0, "{path} {target}: {err}");
    file
}

fn assert_loads(tool: &Path, args: &[&str], file: &Path) {
    let out = check_in_netns(tool, args, file);
    assert!(
        out.status.success(),
        "{} {args:?} {} failed:\n{}{}\n--- file ---\n{}",
        tool.display(),
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file).unwrap()
    );
}

fn assert_rejected(tool: &Path, args: &[&str], file: &Path, broken: &str) {
    let bad = file.with_extension("broken");
    std::fs::write(&bad, broken).unwrap();
    let out = check_in_netns(tool, args, &bad);
    assert!(
        !out.status.success(),
        "the checker accepted a broken file, so it proves nothing: {}",
        bad.display()
    );
}

fn network_inputs() -> Vec<String> {
    let mut all = examples();
    all.push("tests/fixtures/net/dual-stack.yaml".into());
    all.push(SEAL_CONSUL.into());
    all.push("tests/fixtures/net/standby-groups.yaml".into());
    all
}

#[test]
fn nftables_output_loads_in_nft_for_every_example() {
    let Some(nft) = tool("nft") else { return };
    let dir = scratch("nft");
    for path in network_inputs() {
        let file = generate("nftables", &path, &dir);
        assert_loads(&nft, &["-c", "-f"], &file);
    }
    let file = generate("nftables", "examples/two-datacenters.yaml", &dir);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_rejected(
        &nft,
        &["-c", "-f"],
        &file,
        &text.replacen(" accept comment", " acept comment", 2),
    );
    let dual = std::fs::read_to_string(generate(
        "nftables",
        "tests/fixtures/net/dual-stack.yaml",
        &dir,
    ))
    .unwrap();
    assert!(
        dual.contains(
            "ip6 saddr fd00:a:0:50::/64 ip6 daddr fd00:a:0:9::/120 tcp dport 8200 accept"
        ),
        "{dual}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn iptables_output_loads_in_iptables_restore_for_every_example() {
    let Some(ipt) = tool("iptables-restore") else {
        return;
    };
    let dir = scratch("iptables");
    for path in network_inputs() {
        let file = generate("iptables", &path, &dir);
        assert_loads(&ipt, &["--test", "--noflush"], &file);
        let text = std::fs::read_to_string(&file).unwrap();
        let rules = text.lines().filter(|l| l.starts_with("-A ")).count();
        assert!(rules > 1, "{path}: no rules");
    }
    let file = generate("iptables", "examples/global.yaml", &dir);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_rejected(
        &ipt,
        &["--test", "--noflush"],
        &file,
        &text.replacen("/24 ", "/33 ", 1),
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn ip6tables_output_loads_in_ip6tables_restore() {
    let Some(ipt6) = tool("ip6tables-restore") else {
        return;
    };
    let dir = scratch("ip6tables");
    for path in examples() {
        // IPv4-only examples: an empty chain, which must load as well.
        let file = generate("ip6tables", &path, &dir);
        assert_loads(&ipt6, &["--test", "--noflush"], &file);
    }
    let file = generate("ip6tables", "tests/fixtures/net/dual-stack.yaml", &dir);
    assert_loads(&ipt6, &["--test", "--noflush"], &file);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("-s fd00:a:0:50::/64 -d fd00:a:0:9::/120 -p tcp --dport 8200"),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("-A ") && l.contains(" -s 10.")),
        "IPv4 in ip6tables output"
    );
    let v4 = std::fs::read_to_string(generate(
        "iptables",
        "tests/fixtures/net/dual-stack.yaml",
        &dir,
    ))
    .unwrap();
    assert!(
        v4.contains("rule(s) of the other address family are not in this file"),
        "{v4}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

// The cloud targets (aws-sg, azure-nsg) are checked by their own models in tests/cloud_cli.rs.

#[test]
fn terraform_declares_aws_vpc_security_group_ingress_rules() {
    for path in network_inputs() {
        let (_, out, _) = run(&["firewall", "--format", "terraform", &path]);
        let body = hcl::parse(&out).unwrap_or_else(|e| panic!("{path}: not HCL: {e}\n{out}"));
        let mut keys: Vec<String> = Vec::new();
        let mut resources = BTreeSet::new();
        let mut used_keys = BTreeSet::new();
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels().iter().map(hcl::BlockLabel::as_str).collect();
            match (block.identifier(), labels.as_slice()) {
                ("variable", ["security_group_ids"]) => {
                    let attrs: BTreeMap<&str, String> = block
                        .body()
                        .attributes()
                        .map(|a| (a.key(), a.expr().to_string()))
                        .collect();
                    assert_eq!(attrs["type"], "map(string)");
                    let description = attrs["description"].trim_matches('"').to_string();
                    keys = description
                        .split(": ")
                        .nth(1)
                        .unwrap()
                        .split(", ")
                        .map(String::from)
                        .collect();
                }
                ("resource", ["aws_vpc_security_group_ingress_rule", name]) => {
                    assert!(
                        resources.insert(name.to_string()),
                        "{path}: resource {name} twice"
                    );
                    assert!(
                        name.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                        "{name}"
                    );
                    let attrs: BTreeMap<&str, &hcl::Expression> = block
                        .body()
                        .attributes()
                        .map(|a| (a.key(), a.expr()))
                        .collect();
                    let set: BTreeSet<&str> = attrs.keys().copied().collect();
                    let cidr_key = if set.contains("cidr_ipv4") {
                        "cidr_ipv4"
                    } else {
                        "cidr_ipv6"
                    };
                    assert_eq!(
                        set,
                        BTreeSet::from([
                            "security_group_id",
                            "description",
                            "ip_protocol",
                            "from_port",
                            "to_port",
                            cidr_key
                        ]),
                        "{path}: {name}"
                    );
                    let sg = attrs["security_group_id"].to_string();
                    let key = sg
                        .strip_prefix("var.security_group_ids[\"")
                        .and_then(|k| k.strip_suffix("\"]"))
                        .unwrap_or_else(|| panic!("{path}: {name}: {sg}"));
                    used_keys.insert(key.to_string());
                    let port = |k: &str| attrs[k].to_string().parse::<u32>().unwrap();
                    assert!(port("from_port") <= port("to_port") && port("to_port") <= 65535);
                    assert!(
                        ["\"tcp\"", "\"udp\""].contains(&attrs["ip_protocol"].to_string().as_str())
                    );
                    let cidr: vrt::values::Cidr = attrs[cidr_key]
                        .to_string()
                        .trim_matches('"')
                        .parse()
                        .unwrap();
                    assert_eq!(cidr.is_ipv4(), cidr_key == "cidr_ipv4");
                    let description = attrs["description"].to_string();
                    assert!(
                        description.len() <= 257,
                        "{path}: {name}: description too long"
                    );
                }
                other => panic!("{path}: unexpected block {other:?}"),
            }
        }
        // Terraform describes AWS only: the examples without an AWS site have no resources.
        let in_aws = std::fs::read_to_string(root().join(&path))
            .unwrap()
            .contains("provider: aws");
        assert_eq!(!resources.is_empty(), in_aws, "{path}");
        if !in_aws {
            continue;
        }
        let declared: BTreeSet<String> = keys.into_iter().collect();
        assert_eq!(
            declared, used_keys,
            "{path}: the variable lists exactly the keys used"
        );
    }
}

// ------------------------------------------------------------ --output, errors

#[test]
fn output_is_written_atomically_and_kept_when_generation_fails() {
    let dir = scratch("output");
    let target = dir.join("rules.nft");
    std::fs::write(&target, "previous contents\n").unwrap();
    let (code, out, err) = run(&[
        "firewall",
        "--format",
        "nftables",
        "--output",
        target.to_str().unwrap(),
        "tests/fixtures/net/no-cidrs.yaml",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "previous contents\n"
    );
    let (code, out, err) = run(&[
        "firewall",
        "--format",
        "nftables",
        "--output",
        target.to_str().unwrap(),
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "nothing on stdout with --output");
    let (_, stdout_text, _) = run(&[
        "firewall",
        "--format",
        "nftables",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout_text);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file remains: {leftovers:?}"
    );
    let missing = dir.join("no/such/dir/rules.nft");
    let (code, _, err) = run(&[
        "ports",
        "--output",
        missing.to_str().unwrap(),
        "examples/global.yaml",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write output"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_flow_without_addresses_is_an_error_naming_the_cluster_and_site() {
    let (code, out, err) = run(&[
        "firewall",
        "--format",
        "csv",
        "tests/fixtures/net/no-cidrs.yaml",
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "no partial table: {out}");
    assert!(err.contains("VRT208(unaddressable-flow)"), "{err}");
    assert!(err.contains("no-cidrs.yaml:10:12"), "{err}");
    assert!(
        err.contains("give cluster `perf-b` `cidrs` (its nodes' subnets) or site `dc-b` `cidrs`"),
        "{err}"
    );
}

#[test]
fn planners_stop_on_a_broken_file_and_a_missing_path() {
    let (code, out, err) = run(&["ports", "tests/fixtures/structural/references.yaml"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("VRT010"), "{err}");
    let (code, _, err) = run(&["firewall", "no/such/file.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn standard_input_is_read_once() {
    let text = std::fs::read_to_string(root().join("examples/two-datacenters.yaml")).unwrap();
    let mut child = vrt()
        .args(["firewall", "--format", "csv", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, from_file, _) = run(&[
        "firewall",
        "--format",
        "csv",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), from_file);
}

#[test]
fn help_shows_examples() {
    for cmd in ["ports", "firewall"] {
        let (code, out, _) = run(&[cmd, "--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("Examples:"), "{out}");
    }
}

// ------------------------------------------------- removed firewall rules

/// The declared firewall rules of an example: (name, the text lines that declare it).
fn declared_rules(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "firewall:" || l.trim().starts_with("firewall:"))
        .unwrap();
    let mut out = Vec::new();
    let mut i = start + 1;
    while i < lines.len() {
        let l = lines[i];
        let trimmed = l.trim_start();
        if trimmed.starts_with("- ") {
            let indent = l.len() - trimmed.len();
            let name = trimmed
                .trim_start_matches("- ")
                .trim_start_matches('{')
                .trim_start_matches("name:")
                .trim()
                .split([',', ' ', '}'])
                .next()
                .unwrap()
                .to_string();
            let mut end = i + 1;
            while end < lines.len() {
                let next = lines[end];
                let nt = next.trim_start();
                if nt.is_empty() || nt.starts_with('#') || next.len() - nt.len() > indent {
                    end += 1;
                } else {
                    break;
                }
            }
            out.push((name, i..end));
            i = end;
        } else if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
        } else {
            break;
        }
    }
    out
}

fn without(text: &str, range: &std::ops::Range<usize>) -> String {
    let kept: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| !range.contains(i))
        .map(|(_, l)| l)
        .collect();
    kept.join("\n") + "\n"
}

fn with_rules(text: &str, rules: &[String]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == "firewall:" || l.trim().starts_with("firewall:"))
        .unwrap();
    let indent = lines[at + 1..]
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map_or(4, |l| l.len() - l.trim_start().len());
    let mut out: Vec<String> = lines[..=at].iter().map(|l| (*l).to_string()).collect();
    out.extend(rules.iter().map(|r| format!("{}{r}", " ".repeat(indent))));
    out.extend(lines[at + 1..].iter().map(|l| (*l).to_string()));
    out.join("\n") + "\n"
}

fn suggestions(help: &str) -> Vec<String> {
    help.split('`')
        .filter(|s| s.starts_with("- {"))
        .map(String::from)
        .collect()
}

#[test]
fn a_removed_firewall_rule_is_flagged_at_the_right_line_and_the_suggested_rule_fixes_it() {
    let mut flagged = 0;
    for path in examples() {
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let rules = declared_rules(&text);
        assert!(rules.len() >= 7, "{path}: parsed {rules:?}");
        for (name, range) in &rules {
            let broken = without(&text, range);
            let source = vrt::source::Source::new(format!("{path} without {name}"), broken.clone());
            let vrt::Validation {
                findings,
                topology: t,
                ..
            } = vrt::validate(&source, Limits::default(), |r| r.code == "VRT201");
            assert!(t.is_some());
            if findings.is_empty() {
                // Another declared rule (a site-wide one) still allows every flow.
                continue;
            }
            flagged += 1;
            let mut fixes = Vec::new();
            for f in &findings {
                let line = source.position(f.primary.span.offset).line;
                let at = broken.lines().nth(line - 1).unwrap();
                assert!(
                    [
                        "replicates_from:",
                        "cluster:",
                        "name:",
                        "address:",
                        "used_by:",
                        "seal:",
                        "consul:"
                    ]
                    .iter()
                    .any(|k| at.contains(k)),
                    "{path} without {name}: finding at line {line} `{at}` is not a cluster or client declaration"
                );
                let help = f.help.as_deref().unwrap();
                assert!(help.starts_with("add to `network.firewall`: "), "{help}");
                fixes.extend(suggestions(help));
            }
            let repaired = with_rules(&broken, &fixes);
            let source = vrt::source::Source::new(format!("{path} repaired"), repaired);
            let vrt::Validation {
                findings: after,
                topology: t,
                ..
            } = vrt::validate(&source, Limits::default(), |_| true);
            assert!(t.is_some(), "{}", common::rendered(&source, &after));
            let relevant: Vec<_> = after
                .iter()
                .filter(|f| {
                    f.rule.code.starts_with("VRT20") || f.severity == vrt::diag::Severity::Error
                })
                .collect();
            assert!(
                relevant.is_empty(),
                "{path} without {name}, with {fixes:?}:\n{}",
                common::rendered(&source, &after)
            );
        }
    }
    assert!(flagged >= 30, "only {flagged} removals were flagged");
}

#[test]
fn removing_the_replication_rule_of_two_datacenters() {
    let path = "examples/two-datacenters.yaml";
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let rules = declared_rules(&text);
    let (_, range) = rules.iter().find(|(n, _)| n == "dc-a-dc-b-vault").unwrap();
    let broken = without(&text, range);
    let source = vrt::source::Source::new(
        "two-datacenters-without-dc-a-dc-b-vault.yaml",
        broken.clone(),
    );
    let vrt::Validation { findings, .. } =
        vrt::validate(&source, Limits::default(), |r| r.code == "VRT201");
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == vrt::diag::Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{}", common::rendered(&source, &findings));
    let line = source.position(errors[0].primary.span.offset).line;
    let perf_b = broken
        .lines()
        .position(|l| l.contains("replicates_from: primary-a         # data only"))
        .unwrap()
        + 1;
    assert_eq!(line, perf_b, "the error points at perf-b's replicates_from");
    insta::assert_snapshot!(common::rendered(&source, &findings));
}

// ------------------------------------------------- seal and Consul endpoints

const SEAL_CONSUL: &str = "tests/fixtures/net/seal-consul.yaml";

#[test]
fn seal_and_consul_endpoints_are_required_outbound_flows_on_their_ports() {
    let (code, out, err) = run(&["ports", "--format", "json", SEAL_CONSUL]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let got: BTreeSet<(String, String, String, u64, bool, String)> = doc["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| matches!(r["destination_kind"].as_str(), Some("seal" | "consul")))
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["destination"].as_str().unwrap().to_string(),
                r["destination_kind"].as_str().unwrap().to_string(),
                r["port"].as_u64().unwrap(),
                r["standby"].as_bool().unwrap(),
                r["direction"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String, u64, bool, String)> = [
        ("primary-a", "primary-a (seal endpoint)", "seal", 1792),
        ("primary-a", "primary-a (Consul)", "consul", 8500),
        ("dr-a", "dr-a (seal endpoint)", "seal", 8200),
        ("perf-use1", "perf-use1 (seal endpoint)", "seal", 443),
        ("perf-use1-dr", "perf-use1-dr (seal endpoint)", "seal", 443),
    ]
    .into_iter()
    .map(|(a, b, k, p)| (a.into(), b.into(), k.into(), p, false, "outbound".into()))
    .collect();
    assert_eq!(got, want);
    // The table and Markdown show them too.
    for format in ["table", "markdown", "csv"] {
        let (code, out, _) = run(&["ports", "--format", format, SEAL_CONSUL]);
        assert_eq!(code, 0);
        assert!(
            out.contains("primary-a (seal endpoint)"),
            "{format}:\n{out}"
        );
        assert!(out.contains("primary-a (Consul)"), "{format}:\n{out}");
    }
}

#[test]
fn every_firewall_target_writes_and_describes_the_seal_and_consul_rules() {
    for target in ["csv", "markdown", "json", "nftables", "iptables"] {
        let (code, out, err) = run(&["firewall", "--format", target, SEAL_CONSUL]);
        assert_eq!(code, 0, "{target}: {err}");
        for (cidr, why) in [
            ("10.10.70.0/29", "primary-a unseals with its pkcs11 seal"),
            ("10.10.80.0/28", "primary-a stores its data in Consul"),
            ("10.30.9.0/28", "dr-a unseals with its transit seal"),
            ("10.100.250.0/28", "perf-use1 unseals with its awskms seal"),
        ] {
            assert!(out.contains(cidr), "{target}: no {cidr}:\n{out}");
            assert!(out.contains(why), "{target}: no `{why}`:\n{out}");
        }
    }
    // The cloud targets describe only destinations in their cloud: the KMS endpoint of the
    // AWS site, never the on-prem HSM, transit cluster or Consul servers.
    for target in ["aws-sg", "terraform"] {
        let (code, out, err) = run(&["firewall", "--format", target, SEAL_CONSUL]);
        assert_eq!(code, 0, "{target}: {err}");
        assert!(
            out.contains("perf-use1 unseals with its awskms seal"),
            "{target}:\n{out}"
        );
        assert!(out.contains("perf-use1-seal"), "{target}:\n{out}");
        for on_prem in ["pkcs11", "transit", "Consul"] {
            assert!(
                !out.contains(on_prem),
                "{target} describes {on_prem}:\n{out}"
            );
        }
    }
    let (code, out, _) = run(&[
        "firewall",
        "--format",
        "csv",
        "--provider",
        "on-prem",
        SEAL_CONSUL,
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("10.10.70.0/29") && !out.contains("awskms"),
        "{out}"
    );
}

#[test]
fn a_blocked_seal_or_consul_flow_is_an_error_at_its_endpoint_with_a_rule_that_fixes_it() {
    let text = std::fs::read_to_string(root().join(SEAL_CONSUL)).unwrap();
    for (rule, key_line) in [
        ("primary-a-to-consul", "consul: {cidrs: [10.10.80.0/28]}"),
        ("primary-a-to-hsm", "seal: {type: pkcs11"),
        ("dr-a-to-transit", "seal: {type: transit"),
    ] {
        let rules = declared_rules(&text);
        let (_, range) = rules.iter().find(|(n, _)| n == rule).unwrap();
        let broken = without(&text, range);
        let source = vrt::source::Source::new(format!("without-{rule}.yaml"), broken.clone());
        let vrt::Validation { findings, .. } =
            vrt::validate(&source, Limits::default(), |r| r.code == "VRT201");
        assert_eq!(
            findings.len(),
            1,
            "{}",
            common::rendered(&source, &findings)
        );
        let f = &findings[0];
        assert_eq!(f.severity, vrt::diag::Severity::Error, "without {rule}");
        let line = source.position(f.primary.span.offset).line;
        assert!(
            broken.lines().nth(line - 1).unwrap().contains(key_line),
            "without {rule}: finding at line {line}"
        );
        let fixes = suggestions(f.help.as_deref().unwrap());
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        let repaired = with_rules(&broken, &fixes);
        let source = vrt::source::Source::new("repaired.yaml", repaired);
        let vrt::Validation { findings, .. } =
            vrt::validate(&source, Limits::default(), |r| r.code == "VRT201");
        assert!(
            findings.is_empty(),
            "{}",
            common::rendered(&source, &findings)
        );
    }
}

#[test]
fn seal_and_consul_keys_that_no_flow_could_use_are_located_errors() {
    let base = std::fs::read_to_string(root().join(SEAL_CONSUL)).unwrap();
    for (from, to, says) in [
        (
            "seal: {type: pkcs11, cidrs: [10.10.70.0/29], port: 1792}",
            "seal: {type: pkcs11, cidrs: [10.10.70.0/29]}",
            "has `cidrs` but no `port`",
        ),
        (
            "seal: {type: transit, cidrs: [10.30.9.0/28]}",
            "seal: {type: shamir, cidrs: [10.30.9.0/28]}",
            "a `shamir` seal has no endpoint",
        ),
        (
            "seal: {type: transit, cidrs: [10.30.9.0/28]}",
            "seal: {type: transit, port: 8200}",
            "has a `port` but no `cidrs`",
        ),
        (
            "seal: {type: transit, cidrs: [10.30.9.0/28]}",
            "seal: {type: transit, cidrs: [10.30.9.0/28], port: 70000}",
            "outside 1–65535",
        ),
        (
            "    storage: consul\n",
            "",
            "has a `consul` endpoint but Integrated Storage",
        ),
        (
            "consul: {cidrs: [10.10.80.0/28]}",
            "consul: {cidrs: []}",
            "`consul` of cluster `primary-a` has no `cidrs`",
        ),
        (
            "consul: {cidrs: [10.10.80.0/28]}",
            "consul: {cidrs: [0.0.0.0/0]}",
            "`consul.cidrs` holds a network that means every address",
        ),
        (
            "seal: {type: transit, cidrs: [10.30.9.0/28]}",
            "seal: {type: transit, cidrs: [\"::/0\"]}",
            "`seal.cidrs` holds a network that means every address",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let text = base.replacen(from, to, 1);
        let (code, out, err) = run_with_stdin(&["validate", "-"], text.as_bytes());
        assert_eq!(code, 1, "{to}: {out}{err}");
        assert!(out.contains(says), "{to}: {out}");
        // Located: the snippet shows the offending line.
        let shown = match to {
            "" => "consul: {cidrs",
            "consul: {cidrs: []}" => "storage: consul",
            _ => to.trim(),
        };
        assert!(out.contains(shown), "{to}: {out}");
    }
}

#[test]
fn an_auto_unsealed_cluster_without_endpoint_addresses_is_a_note_only_with_a_firewall() {
    let base = std::fs::read_to_string(root().join(SEAL_CONSUL)).unwrap();
    let text = base.replacen(
        "seal: {type: transit, cidrs: [10.30.9.0/28]}",
        "seal: {type: gcpckms}",
        1,
    );
    let source = vrt::source::Source::new("no-seal-cidrs.yaml", text.clone());
    let vrt::Validation { findings, .. } = vrt::validate(&source, Limits::default(), |_| true);
    let notes: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.code == "VRT214")
        .collect();
    assert_eq!(notes.len(), 1, "{}", common::rendered(&source, &findings));
    assert_eq!(notes[0].severity, vrt::diag::Severity::Note);
    let line = source.position(notes[0].primary.span.offset).line;
    assert!(text.lines().nth(line - 1).unwrap().contains("gcpckms"));
    // No flow is invented for it, and without a firewall section there is nothing to say.
    let (_, out, _) = run_with_stdin(&["ports", "--format", "csv", "-"], text.as_bytes());
    assert!(!out.contains("dr-a (seal endpoint)"), "{out}");
    let no_firewall = text[..text.find("network:").unwrap()].to_string();
    let source = vrt::source::Source::new("no-firewall.yaml", no_firewall);
    let vrt::Validation { findings, .. } =
        vrt::validate(&source, Limits::default(), |r| r.code == "VRT214");
    assert!(findings.is_empty());
}
