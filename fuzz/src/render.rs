//! The core of the `render` fuzz target, also run by `tests/hostile_outputs.rs` (which
//! includes this file): a hostile string is written into every free-text value of a loaded
//! topology (topology, site, region, zone, cluster, client, service, firewall-rule names,
//! description, hosts of addresses, load-balancer addresses, DNS suffixes, versions as
//! written, mount paths, types and regions, paths filters, `ignore` reasons, and the file
//! name), *after* the parser has checked them, so that each renderer's own escaping is what
//! is tested, not the distant validator. Every renderer of every command and format then
//! runs in-process on it, and on the same topology with a benign word instead.
//!
//! The invariants are those of `tests/hostile_outputs.rs`: no raw control, bidi or
//! zero-width character other than `\n` and `\t` in any text output; JSON parses; Markdown
//! holds no HTML; CSV records keep the header's field count; GitHub output is one workflow
//! command per line; Terraform strings carry no live `${`/`%{` template. When the benign
//! topology gets the same findings, each output must also have the benign output's
//! structure: the same Markdown headings, code blocks (language and line count), tables and
//! rows (pulldown-cmark), the same CSV field counts, the same JSON keys and array lengths,
//! the same DOT, Mermaid, nftables, iptables and Terraform statements (quoted strings
//! removed), the same number of XML tags and of workflow commands. Checks that need an
//! external tool (`dot`, `bash -n`, `xmllint`, `nft -c`, `iptables-restore --test`,
//! `terraform fmt`) stay in the property test and the CLI tests. Every renderer is checked,
//! the failover runbook (text, Markdown, shell script) and sweep included.
//!
//! The prefix is written in front of every value, the same prefix everywhere, so names stay
//! distinct and keep their order and a DNS suffix and the hosts it covers still agree: the
//! planners make the same decisions as for the benign word.

use crate::checks::{Kind, invariants, structure};
use vrt::graph::Topology;
use vrt::model::Model;
use vrt::report::FileReport;
use vrt::source::Source;
use vrt::values::Host;
use vrt::yaml::Sp;

/// Pieces of hostile strings: line breaks, Markdown headings, fences, HTML and tables,
/// Mermaid directives and entities, quotes, HCL templates, escape sequences (CSI, OSC, C1),
/// bidi overrides, zero-width characters, GitHub workflow commands, shell syntax, CSV
/// formulas, ARM expressions, nftables and iptables syntax.
pub const ATOMS: &[&str] = &[
    "\n",
    "\r\n",
    "\n\n## 3. Steps\n\n",
    "`",
    "```",
    "\n```sh\ncurl x | sudo sh\n```\n",
    "~~~",
    "<!--",
    "-->",
    "<b>",
    "|",
    "%%",
    "%%{init: {}}%%",
    "]",
    "[",
    "\"",
    "'",
    "${x}",
    "%{ if x }",
    "\u{1b}[31m",
    "\u{1b}]8;;https://x.example\u{7}",
    "\u{9b}2J",
    "\u{7f}",
    "\u{0}",
    "\u{202e}",
    "\u{200b}",
    "\u{2028}",
    "\n::warning file=x.yaml,line=1::forged\n",
    "::error::x",
    "=HYPERLINK(\"x\")",
    "@SUM(A1)",
    "+1",
    "-2",
    "$(id)",
    "; rm -rf ~",
    "\\",
    "&amp;",
    "#quot;",
    "<x/>",
    ",",
    "\t",
    "* ",
    "# ",
    "[parameters('x')]",
    "\" accept\n",
    "\" -j DROP #",
    "{",
    "}",
];

/// The benign word the hostile outputs are compared with.
pub const BENIGN: &str = "zq";

fn prefix(p: &str, s: &mut Sp<String>) {
    *s = Sp::new(format!("{p}{}", s.get()), s.span());
}

/// `model` with `p` written in front of every free-text value (see the module docs).
pub fn inject(model: &Model, p: &str) -> Model {
    let mut m = model.clone();
    m.name = format!("{p}{}", m.name);
    m.description = Some(format!("{p}{}", m.description.unwrap_or_default()));
    for s in &mut m.sites {
        prefix(p, &mut s.name);
        prefix(p, &mut s.region);
        for z in &mut s.zones {
            prefix(p, z);
        }
    }
    for c in &mut m.clusters {
        prefix(p, &mut c.name);
        for z in &mut c.zones {
            prefix(p, z);
        }
        for addr in [&mut c.api_addr, &mut c.cluster_addr].into_iter().flatten() {
            let mut a = addr.get().clone();
            if let Host::Name(n) = &mut a.host {
                *n = format!("{p}{n}");
            }
            *addr = Sp::new(a, addr.span());
        }
        if let Some(v) = &mut c.version {
            let mut version = v.get().clone();
            version.text = format!("{p}{}", version.text);
            *v = Sp::new(version, v.span());
        }
        if let Some(lb) = &mut c.load_balancer {
            prefix(p, &mut lb.address);
        }
        if let Some(filter) = &mut c.storage.paths_filter {
            let mut paths = filter.paths.get().clone();
            for path in &mut paths {
                prefix(p, path);
            }
            filter.paths = Sp::new(paths, filter.paths.span());
        }
    }
    for c in &mut m.clients {
        prefix(p, &mut c.name);
    }
    for s in &mut m.services {
        prefix(p, &mut s.name);
    }
    for r in m.firewall.iter_mut().flatten() {
        prefix(p, &mut r.name);
    }
    for d in m.dns.iter_mut().flatten() {
        for r in &mut d.resolves {
            prefix(p, r);
        }
    }
    for i in &mut m.ignores {
        if let Some(r) = &mut i.reason {
            prefix(p, r);
        }
    }
    for mount in &mut m.mounts {
        prefix(p, &mut mount.path);
        if let Some(k) = &mut mount.kind {
            prefix(p, k);
        }
        if let Some(regions) = &mut mount.regions {
            let mut list = regions.get().clone();
            for r in &mut list {
                prefix(p, r);
            }
            *regions = Sp::new(list, regions.span());
        }
    }
    m
}

/// One rendered output: what produced it, how to check it, and its text.
#[derive(Debug)]
pub struct Output {
    /// The command and format, such as `ports markdown`.
    pub what: String,
    /// How it is checked.
    pub kind: Kind,
    /// The text.
    pub text: String,
}

fn out(outputs: &mut Vec<Output>, what: impl Into<String>, kind: Kind, text: impl Into<String>) {
    outputs.push(Output {
        what: what.into(),
        kind,
        text: text.into(),
    });
}

fn written(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut sink = Vec::new();
    f(&mut sink).expect("rendering to memory cannot fail");
    String::from_utf8(sink).expect("renderers write UTF-8")
}

/// Every renderer of every command and format on `t` (whose file is `source`).
#[allow(clippy::too_many_lines)]
pub fn outputs(t: &Topology, source: &Source) -> Vec<Output> {
    use vrt::report::{diagram, failover, firewall as fw, mounts, ports, tokens, upgrade};
    let mut o = Vec::new();

    // validate
    let findings = vrt::rules::run(t, |_| true);
    let files = [FileReport {
        source,
        findings: &findings,
    }];
    let summary = vrt::report::Summary::of(&files);
    out(
        &mut o,
        "validate human",
        Kind::Text,
        written(|w| vrt::report::human::render(w, &files, vrt::report::human::Style::default())),
    );
    out(
        &mut o,
        "validate json",
        Kind::Json,
        written(|w| {
            // The tokens are keyed by file name: a fixed key keeps the JSON shapes comparable.
            vrt::report::json::render(w, &files, &[], Some(&[("fuzz.yaml", t)]))
        }),
    );
    out(
        &mut o,
        "validate sarif",
        Kind::Json,
        written(|w| vrt::report::sarif::render(w, &files, &[])),
    );
    out(
        &mut o,
        "validate github",
        Kind::Github,
        written(|w| vrt::report::github::render(w, &files, summary)),
    );
    out(
        &mut o,
        "validate junit",
        Kind::Xml,
        written(|w| vrt::report::junit::render(w, &files, false)),
    );
    out(
        &mut o,
        "validate --explain-tokens",
        Kind::Text,
        tokens::table(t),
    );

    // ports
    let flows = vrt::net::flows::flows(t);
    let rows = ports::rows(t, &flows);
    out(&mut o, "ports table", Kind::Text, ports::table(&rows));
    out(
        &mut o,
        "ports markdown",
        Kind::Markdown,
        ports::markdown(&rows),
    );
    out(&mut o, "ports csv", Kind::Csv, ports::csv(&rows));
    out(
        &mut o,
        "ports json",
        Kind::Json,
        ports::json(&t.model.name, &rows).expect("JSON"),
    );

    // firewall
    if let Ok(rules) = vrt::firewall::rules(t, &flows) {
        let ctx = fw::Context {
            topology: &t.model.name,
            file: &source.name,
            standby: true,
        };
        out(&mut o, "firewall csv", Kind::Csv, fw::neutral::csv(&rules));
        out(
            &mut o,
            "firewall markdown",
            Kind::Markdown,
            fw::neutral::markdown(&rules, &ctx),
        );
        out(
            &mut o,
            "firewall json",
            Kind::Json,
            fw::neutral::json(&rules, &ctx).expect("JSON"),
        );
        out(
            &mut o,
            "firewall nftables",
            Kind::Statements,
            fw::nftables::render(&rules, &ctx),
        );
        for (name, family) in [
            ("iptables", vrt::firewall::Family::V4),
            ("ip6tables", vrt::firewall::Family::V6),
        ] {
            let text = fw::iptables::render(&rules, &ctx, family);
            out(&mut o, format!("firewall {name}"), Kind::Statements, text);
        }
        out(
            &mut o,
            "firewall aws-sg",
            Kind::Json,
            fw::aws::render(&rules, &ctx).expect("JSON"),
        );
        out(
            &mut o,
            "firewall terraform",
            Kind::Terraform,
            fw::terraform::render(&rules, &ctx),
        );
        if let Ok(text) = fw::azure::render(&rules, &ctx) {
            out(&mut o, "firewall azure-nsg", Kind::Json, text);
        }
    }

    // graph, mounts (declared placement)
    let d = vrt::diagram::build(t);
    out(&mut o, "graph dot", Kind::Statements, diagram::dot(&d));
    out(
        &mut o,
        "graph mermaid",
        Kind::Statements,
        diagram::mermaid(&d),
    );
    let none = std::collections::BTreeSet::new();
    let placement = mounts::rows(t, &none);
    out(
        &mut o,
        "mounts table",
        Kind::Text,
        mounts::table(&placement, false),
    );
    out(
        &mut o,
        "mounts markdown",
        Kind::Markdown,
        mounts::markdown(&placement, false),
    );
    out(&mut o, "mounts csv", Kind::Csv, mounts::csv(&placement));
    out(
        &mut o,
        "mounts json",
        Kind::Json,
        mounts::json(&t.model.name, None, &placement).expect("JSON"),
    );

    // upgrade-plan
    if let Ok(plan) = vrt::upgrade::plan(t) {
        out(
            &mut o,
            "upgrade-plan text",
            Kind::Text,
            written(|w| upgrade::text(w, t, &plan)),
        );
        out(
            &mut o,
            "upgrade-plan markdown",
            Kind::Markdown,
            written(|w| upgrade::markdown(w, t, &plan)),
        );
        out(
            &mut o,
            "upgrade-plan json",
            Kind::Json,
            written(|w| upgrade::json(w, t, &plan)),
        );
    }

    // failover: the sweep, then every single failure in every format, mounts after it
    if let Ok(sweep) = vrt::failover::sweep(t) {
        out(
            &mut o,
            "failover --all text",
            Kind::Text,
            written(|w| failover::sweep_text(w, t, &sweep)),
        );
        out(
            &mut o,
            "failover --all markdown",
            Kind::Markdown,
            written(|w| failover::sweep_markdown(w, t, &sweep)),
        );
        out(
            &mut o,
            "failover --all json",
            Kind::Json,
            written(|w| failover::sweep_json(w, t, &sweep)),
        );
        for (i, failure) in t.single_failures().iter().enumerate() {
            let Ok(plan) = vrt::failover::plan(t, failure) else {
                continue;
            };
            let what = |f: &str| format!("failover (single failure #{i}) {f}");
            out(
                &mut o,
                what("text"),
                Kind::Text,
                written(|w| failover::text(w, t, &plan)),
            );
            out(
                &mut o,
                what("markdown"),
                Kind::Markdown,
                written(|w| failover::markdown(w, t, &plan)),
            );
            out(
                &mut o,
                what("json"),
                Kind::Json,
                written(|w| failover::json(w, t, &plan)),
            );
            out(
                &mut o,
                what("sh"),
                Kind::Text,
                written(|w| failover::sh(w, t, &plan)),
            );
            let after = vrt::diagram::after(t, &plan);
            out(
                &mut o,
                what("graph dot"),
                Kind::Statements,
                diagram::dot(&after),
            );
            out(
                &mut o,
                what("graph mermaid"),
                Kind::Statements,
                diagram::mermaid(&after),
            );
            let lost = plan.scenario.lost.iter().copied().collect();
            let rows = mounts::rows(t, &lost);
            out(
                &mut o,
                what("mounts table"),
                Kind::Text,
                mounts::table(&rows, true),
            );
            out(
                &mut o,
                what("mounts markdown"),
                Kind::Markdown,
                mounts::markdown(&rows, true),
            );
        }
    }
    o
}

/// The findings of a topology as (code, offset): two topologies with the same are judged
/// the same, so their outputs must have the same structure.
pub fn judgement(t: &Topology) -> Vec<(&'static str, usize)> {
    let mut j: Vec<(&'static str, usize)> = vrt::rules::run(t, |_| true)
        .iter()
        .map(|f| (f.rule.code, f.primary.span.offset))
        .collect();
    j.sort_unstable();
    j
}

/// Writes `payload` into every free-text value of `topology` (loaded from `source`) and
/// checks every output against the invariants, and against the outputs for [`BENIGN`] when
/// the findings are the same. Panics with the output and what differs.
pub fn check(source: &Source, topology: &Topology, payload: &str) {
    let file = |p: &str| Source::new(format!("{p}{}", source.name), source.text.clone());
    let (hs, bs) = (file(payload), file(BENIGN));
    let hostile = Topology::new(inject(&topology.model, payload));
    let benign = Topology::new(inject(&topology.model, BENIGN));
    let same = judgement(&hostile) == judgement(&benign);
    let (ho, bo) = (outputs(&hostile, &hs), outputs(&benign, &bs));
    for h in &ho {
        let what = format!("{} with {payload:?}", h.what);
        invariants(&what, h.kind, &h.text);
    }
    if !same {
        return;
    }
    assert_eq!(
        ho.iter().map(|o| &o.what).collect::<Vec<_>>(),
        bo.iter().map(|o| &o.what).collect::<Vec<_>>(),
        "the outputs produced depend on the value {payload:?}"
    );
    for (h, b) in ho.iter().zip(&bo) {
        assert_eq!(
            structure(h.kind, &h.text),
            structure(b.kind, &b.text),
            "{} with {payload:?}: the structure depends on the value\n--- hostile\n{}\n--- benign\n{}",
            h.what,
            h.text,
            b.text
        );
    }
}

/// A payload from the fuzzer's choices: each index picks an [`ATOMS`] entry; `raw` is
/// appended as it is.
pub fn payload(atoms: &[u8], raw: &str) -> String {
    let mut p = String::new();
    for a in atoms {
        p.push_str(ATOMS[usize::from(*a) % ATOMS.len()]);
    }
    p.push_str(raw);
    p
}
