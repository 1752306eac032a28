//! The cloud targets of `vrt firewall`, checked by their consumers' own models: every
//! `aws-sg` element by botocore's EC2 model (`AuthorizeSecurityGroupIngress` input), every
//! `azure-nsg` rule by the `SecurityRule` model of azure-mgmt-network, `terraform` by
//! `terraform fmt`; and the scope: only destinations in that cloud.

// A skipped check says so on standard error.
#![allow(clippy::print_stderr)]

mod common;

use std::process::Command;

use common::{examples, run};
use serde_json::Value;

/// The Python of the CI venv with botocore and azure-mgmt-network (`VRT_PYTHON`, set by
/// `.ci/run`), else `target/ci-venv/bin/python` when it exists. Missing: skipped with a
/// message, or a failure under `VRT_REQUIRE_TOOLS=1`.
fn python() -> Option<String> {
    let candidate = std::env::var("VRT_PYTHON").ok().or_else(|| {
        let p = common::root().join("target/ci-venv/bin/python");
        p.is_file().then(|| p.display().to_string())
    });
    let ok = candidate.as_ref().is_some_and(|py| {
        Command::new(py)
            .args(["-c", "import botocore, azure.mgmt.network"])
            .status()
            .is_ok_and(|s| s.success())
    });
    if !ok {
        assert!(
            std::env::var("VRT_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "a Python with botocore and azure-mgmt-network is required (VRT_REQUIRE_TOOLS=1): run .ci/run or set VRT_PYTHON"
        );
        eprintln!("skipping: no Python with botocore and azure-mgmt-network (set VRT_PYTHON)");
        return None;
    }
    candidate
}

/// Runs `script` with `input` on standard input; panics with its output when it fails.
fn check(py: &str, script: &str, input: &str, what: &str) {
    let out = common::piped(Command::new(py).args(["-c", script]), input.as_bytes());
    assert!(
        out.status.success(),
        "{what}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

const BOTOCORE: &str = r#"
import json, re, sys
import botocore.session
from botocore.validate import ParamValidator
model = botocore.session.get_session().get_service_model("ec2")
shape = model.operation_model("AuthorizeSecurityGroupIngress").input_shape
calls = json.load(sys.stdin)
assert isinstance(calls, list), "not an array"
allowed = re.compile(r"^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$")
for call in calls:
    report = ParamValidator().validate(call, shape)
    assert not report.has_errors(), report.generate_report()
    assert set(call) == {"GroupId", "IpPermissions"}, sorted(call)
    for p in call["IpPermissions"]:
        for r in p.get("IpRanges", []) + p.get("Ipv6Ranges", []):
            d = r["Description"]
            assert len(d) <= 255 and allowed.match(d), d
print(len(calls))
"#;

const AZURE: &str = r#"
import json, re, sys
from azure.mgmt.network import models
t = json.load(sys.stdin)
assert t["$schema"].startswith("https://schema.management.azure.com/schemas/"), t["$schema"]
assert t["contentVersion"] == "1.0.0.0"
assert t["parameters"]["location"]["type"] == "string"
name = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$")
api = sys.argv[1] if len(sys.argv) > 1 else None
for res in t["resources"]:
    assert res["type"] == "Microsoft.Network/networkSecurityGroups"
    assert res["location"] == "[parameters('location')]"
    assert name.match(res["name"]), res["name"]
    seen = {}
    names = set()
    for rule in res["properties"]["securityRules"]:
        m = models.SecurityRule(rule)
        top = {f._rest_name for f in m._attr_to_rest_field.values()}
        assert set(rule) <= top, set(rule) - top
        props = {f._rest_name for f in m.properties._attr_to_rest_field.values()}
        assert set(rule["properties"]) <= props, set(rule["properties"]) - props
        p = m.properties
        assert p.protocol in [e.value for e in models.SecurityRuleProtocol], p.protocol
        assert p.access in [e.value for e in models.SecurityRuleAccess]
        assert p.direction in [e.value for e in models.SecurityRuleDirection]
        assert 100 <= p.priority <= 4096, p.priority
        assert (p.direction, p.priority) not in seen, p.priority
        seen[(p.direction, p.priority)] = 1
        assert name.match(m.name), m.name
        assert m.name not in names, m.name
        names.add(m.name)
        assert len(p.description) <= 140
print(len(t["resources"]))
"#;

/// The API version the SDK's operations use.
const AZURE_API: &str = r#"
import azure.mgmt.network.operations._operations as o, inspect, re
print(re.search(r'"api-version", "([0-9-]+)"', inspect.getsource(o)).group(1))
"#;

fn inputs() -> Vec<String> {
    let mut all = examples();
    all.push("tests/fixtures/net/dual-stack.yaml".into());
    all.push("tests/fixtures/net/standby-groups.yaml".into());
    all
}

#[test]
fn aws_sg_elements_are_accepted_by_botocore_s_ec2_model() {
    let Some(py) = python() else { return };
    for path in inputs() {
        let (code, out, err) = run(&["firewall", "--format", "aws-sg", &path]);
        assert_eq!(code, 0, "{path}: {err}");
        check(&py, BOTOCORE, &out, &path);
    }
    // A given group ID is used as it is.
    let (code, out, err) = run(&[
        "firewall",
        "--format",
        "aws-sg",
        "--group-id",
        "use1-primary=sg-0123456789abcdef0",
        "examples/aws-two-regions.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    check(&py, BOTOCORE, &out, "with --group-id");
    assert!(
        out.contains("\"GroupId\": \"sg-0123456789abcdef0\""),
        "{out}"
    );
    assert!(!err.contains("`use1-primary`,"), "{err}");
}

#[test]
fn azure_nsg_is_a_template_whose_rules_the_security_rule_model_accepts() {
    let Some(py) = python() else { return };
    let api = Command::new(&py).args(["-c", AZURE_API]).output().unwrap();
    let api = String::from_utf8(api.stdout).unwrap();
    for path in inputs() {
        let (code, out, err) = run(&["firewall", "--format", "azure-nsg", &path]);
        assert_eq!(code, 0, "{path}: {err}");
        check(&py, AZURE, &out, &path);
        let doc: Value = serde_json::from_str(&out).unwrap();
        for r in doc["resources"].as_array().unwrap() {
            assert_eq!(r["apiVersion"].as_str(), Some(api.trim()), "{path}");
        }
    }
}

/// The destination networks of the on-premises (non-AWS) sites of the hybrid example never
/// appear as destinations; they appear as sources.
#[test]
fn cloud_outputs_list_only_destinations_in_their_cloud() {
    let path = "examples/hybrid-onprem-aws.yaml";
    let (_, neutral, _) = run(&["firewall", "--format", "json", "--provider", "aws", path]);
    let neutral: Value = serde_json::from_str(&neutral).unwrap();
    let (_, all, _) = run(&["firewall", "--format", "json", path]);
    let all: Value = serde_json::from_str(&all).unwrap();
    let aws_rules = neutral["rules"].as_array().unwrap();
    assert!(!aws_rules.is_empty());
    assert!(aws_rules.len() < all["rules"].as_array().unwrap().len());
    let (_, sg, _) = run(&["firewall", "--format", "aws-sg", path]);
    let sg: Value = serde_json::from_str(&sg).unwrap();
    let groups: Vec<&str> = sg
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["GroupId"].as_str().unwrap())
        .collect();
    for r in all["rules"].as_array().unwrap() {
        let key = r["destination"]["key"].as_str().unwrap();
        let in_aws = aws_rules
            .iter()
            .any(|a| a["destination"]["key"].as_str() == Some(key));
        let placeholder = format!("REPLACE-WITH-SG-ID-OF-{key}");
        assert_eq!(groups.contains(&placeholder.as_str()), in_aws, "{key}");
    }
    // An on-premises source still appears, as a source network.
    let onprem_source = aws_rules
        .iter()
        .any(|r| r["source"]["key"].as_str() == Some("onprem-primary"));
    assert!(onprem_source, "{neutral:#}");
}

#[test]
fn nothing_in_the_cloud_is_an_empty_valid_result_and_a_note() {
    let (code, out, err) = run(&[
        "firewall",
        "--format",
        "aws-sg",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "[]");
    assert!(err.contains("note: no flow of the topology ends in sites with `provider: aws`"));
    let (code, out, _) = run(&[
        "firewall",
        "--format",
        "azure-nsg",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["resources"].as_array().unwrap().len(), 0);
    let (code, _, err) = run(&[
        "firewall",
        "--format",
        "aws-sg",
        "--provider",
        "azure",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&[
        "firewall",
        "--site",
        "nope",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no site is named `nope`"), "{err}");
}

#[test]
fn a_site_filter_keeps_only_rules_into_that_site() {
    let (code, out, _) = run(&[
        "firewall",
        "--format",
        "json",
        "--site",
        "dc-a",
        "examples/two-datacenters.yaml",
    ]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let rules = doc["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    let (_, all, _) = run(&[
        "firewall",
        "--format",
        "json",
        "examples/two-datacenters.yaml",
    ]);
    let all: Value = serde_json::from_str(&all).unwrap();
    assert!(rules.len() < all["rules"].as_array().unwrap().len());
}

#[test]
fn bad_group_ids_are_refused() {
    for (arg, why) in [
        ("use1-primary=sg-XYZ", "is not a security group ID"),
        ("nope=sg-0123abcd", "is not a destination of these rules"),
        ("use1-primary", "is not DESTINATION=sg-ID"),
    ] {
        let (code, _, err) = run(&[
            "firewall",
            "--format",
            "aws-sg",
            "--group-id",
            arg,
            "examples/aws-two-regions.yaml",
        ]);
        assert_eq!(code, 2, "{arg}");
        assert!(err.contains(why), "{arg}: {err}");
    }
}

#[test]
fn terraform_is_fmt_clean() {
    if !common::tool_available("terraform") {
        return;
    }
    for path in inputs() {
        for extra in [&[][..], &["--group-id", "use1-primary=sg-0123abcd"][..]] {
            if !extra.is_empty() && !path.contains("aws-two-regions") {
                continue;
            }
            let mut args = vec!["firewall", "--format", "terraform"];
            args.extend_from_slice(extra);
            args.push(&path);
            let (code, out, err) = run(&args);
            assert_eq!(code, 0, "{path}: {err}");
            let fmt = common::piped(Command::new("terraform").args(["fmt", "-"]), out.as_bytes());
            assert!(fmt.status.success(), "{path}");
            assert_eq!(String::from_utf8(fmt.stdout).unwrap(), out, "{path}");
        }
    }
}
