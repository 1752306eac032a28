//! Network rules that agree with HashiCorp (issue 11): severity follows what Vault needs,
//! direction by direction. A firewall exactly as HashiCorp's enable page describes passes
//! `vrt validate`; split-horizon DNS resolved only on the secondaries' side passes; an end
//! whose addresses mean "everything" is flagged by `validate` and refused by `firewall`;
//! `--strict-ports` opens only what Vault needs; `activation: public-key` drops the API port.

mod common;

use common::{root, run};
use vrt::diag::{Finding, Severity};
use vrt::source::Source;
use vrt::yaml::Limits;

const ENABLE: &str = "tests/fixtures/net/hashicorp-enable-firewall.yaml";
const SPLIT: &str = "tests/fixtures/net/split-horizon-dns.yaml";
const CATCH_ALL: &str = "tests/fixtures/net/catch-all.yaml";

fn text(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// Every finding of every rule for `yaml`, which must load.
fn findings(yaml: &str) -> Vec<Finding> {
    let source = Source::new("t.yaml", yaml);
    let v = vrt::validate(&source, Limits::default(), |_| true);
    assert!(v.topology.is_some(), "does not load: {:#?}", v.findings);
    v.findings
}

fn of(findings: &[Finding], code: &str, severity: Severity) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.rule.code == code && f.severity == severity)
        .map(|f| f.message.clone())
        .collect()
}

fn errors(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.rule.code, f.message))
        .collect()
}

/// `yaml` with the line holding `needle` removed (the needle must be there).
fn without_line(yaml: &str, needle: &str) -> String {
    assert!(yaml.contains(needle), "{needle} not in the fixture");
    let mut out = String::new();
    for line in yaml.lines().filter(|l| !l.contains(needle)) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn the_firewall_of_hashicorps_enable_page_passes_validate() {
    let (code, out, err) = run(&["validate", ENABLE]);
    assert_eq!(code, 0, "{out}{err}");
    let all = findings(&text(ENABLE));
    assert!(errors(&all).is_empty(), "{:#?}", errors(&all));
    // The API port both ways between perf-c (public-key activation) and primary-a, which
    // only the notes open, is reported as a warning.
    let warned = of(&all, "VRT201", Severity::Warning);
    assert!(
        warned
            .iter()
            .any(|m| m.contains("`perf-c` replicates from `primary-a`")
                && m.contains(
                    "`perf-c` → `primary-a` on 8200, nor `primary-a` → `perf-c` on 8200"
                )
                && m.contains("no Vault flow needs it")),
        "{warned:#?}"
    );
}

#[test]
fn each_flow_vault_needs_is_still_an_error_when_closed() {
    let yaml = text(ENABLE);
    // The DR secondary activated with a wrapped token needs the primary's API port.
    let all = findings(&without_line(&yaml, "name: b-to-a-api"));
    let errs = of(&all, "VRT201", Severity::Error);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].contains("`dr-a` → `primary-a` on 8200"),
        "{errs:#?}"
    );
    // The cluster port is needed both ways.
    let yaml = yaml.replace(
        "{name: a-c-cluster-port, from: dc-a, to: dc-c, ports: [8201], bidirectional: true}",
        "{name: a-c-cluster-port, from: dc-c, to: dc-a, ports: [8201]}",
    );
    let errs = of(&findings(&yaml), "VRT201", Severity::Error);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].contains("`primary-a` → `perf-c` on 8201"),
        "{errs:#?}"
    );
}

#[test]
fn public_key_activation_drops_the_api_port_and_wrapped_token_needs_it() {
    let yaml = text(ENABLE);
    // Without `activation: public-key`, perf-c needs dc-c -> dc-a on 8200: an error.
    let wrapped = yaml.replace(", activation: public-key", "");
    assert_ne!(wrapped, yaml);
    let errs = of(&findings(&wrapped), "VRT201", Severity::Error);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].contains("`perf-c` → `primary-a` on 8200"),
        "{errs:#?}"
    );
}

#[test]
fn strict_ports_lists_and_opens_only_what_vault_needs() {
    let rows = |args: &[&str]| -> Vec<String> {
        let (code, out, err) = run(args);
        assert_eq!(code, 0, "{err}");
        out.lines().map(str::to_string).collect()
    };
    let has = |rows: &[String], from: &str, to: &str, port: &str| {
        rows.iter().any(|r| {
            let cols: Vec<&str> = r.split(',').collect();
            cols.len() > 5 && cols[0] == from && cols[2] == to && cols[4] == port
        })
    };
    let loose = rows(&["ports", "--format", "csv", ENABLE]);
    let strict = rows(&["ports", "--format", "csv", "--strict-ports", ENABLE]);
    // Advised: primary -> performance secondary on the API port, and the public-key
    // secondary -> primary on the API port.
    for (from, to) in [("primary-a", "perf-c"), ("perf-c", "primary-a")] {
        assert!(has(&loose, from, to, "8200"), "{from} -> {to}: {loose:#?}");
        assert!(
            !has(&strict, from, to, "8200"),
            "{from} -> {to}: {strict:#?}"
        );
    }
    // Needed: the cluster port both ways, the wrapped-token DR secondary's API port, and the
    // failback path primary -> DR secondary on the API port.
    for (from, to, port) in [
        ("perf-c", "primary-a", "8201"),
        ("primary-a", "perf-c", "8201"),
        ("dr-a", "primary-a", "8200"),
        ("primary-a", "dr-a", "8200"),
    ] {
        assert!(
            has(&strict, from, to, port),
            "{from} -> {to} {port}: {strict:#?}"
        );
    }
    // The firewall follows: the generated rule primary-a -> perf-c carries 8201 only.
    let (code, out, err) = run(&["firewall", "--format", "nftables", "--strict-ports", ENABLE]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("ip saddr 10.10.0.0/16 ip daddr 10.30.0.0/16 tcp dport 8201 accept"),
        "{out}"
    );
    let (_, loose, _) = run(&["firewall", "--format", "nftables", ENABLE]);
    assert!(
        loose.contains("ip saddr 10.10.0.0/16 ip daddr 10.30.0.0/16 tcp dport 8200-8201 accept"),
        "{loose}"
    );
}

#[test]
fn split_horizon_dns_resolved_on_the_secondaries_side_passes() {
    let (code, out, err) = run(&["validate", SPLIT]);
    assert_eq!(code, 0, "{out}{err}");
    let all = findings(&text(SPLIT));
    assert!(errors(&all).is_empty(), "{:#?}", errors(&all));
    let warned = of(&all, "VRT203", Severity::Warning);
    assert!(
        warned
            .iter()
            .any(|m| m.contains("`vault.dc-b.example.com`") && m.contains("`primary-a` would dial")),
        "{warned:#?}"
    );
    // The secondaries' side is what replication needs: without it, an error.
    let broken = text(SPLIT).replace(
        "{site: dc-b, resolves: [dc-a.example.com, dc-b.example.com]}",
        "{site: dc-b, resolves: [dc-b.example.com]}",
    );
    let errs = of(&findings(&broken), "VRT203", Severity::Error);
    assert!(
        errs.iter()
            .any(|m| m.contains("`vault.dc-a.example.com`") && m.contains("`dr-b`")),
        "{errs:#?}"
    );
}

#[test]
fn a_catch_all_address_is_flagged_and_never_generated() {
    let (code, out, err) = run(&["validate", CATCH_ALL]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("VRT209"), "{out}");
    for format in ["nftables", "aws-sg", "json"] {
        let (code, out, err) = run(&["firewall", "--format", format, CATCH_ALL]);
        assert_eq!(code, 1, "{format}: {out}{err}");
        if format == "json" {
            // The findings document (docs/ci.md), never a rule.
            let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert!(doc.get("rules").is_none(), "{out}");
            assert_eq!(doc["findings"][0]["code"], "VRT213", "{out}");
        } else {
            assert!(out.is_empty(), "{format}: nothing is written: {out}");
        }
        assert!(err.contains("VRT213"), "{err}");
        assert!(
            err.contains("tests/fixtures/net/catch-all.yaml:13:"),
            "located at the client's CIDR: {err}"
        );
        assert!(err.contains("--allow-broad"), "{err}");
    }
    let (code, out, err) = run(&[
        "firewall",
        "--format",
        "nftables",
        "--allow-broad",
        CATCH_ALL,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ip saddr 0.0.0.0/0"), "{out}");
}
