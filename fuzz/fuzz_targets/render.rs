//! Every renderer of every command and format, in-process, on random valid topologies
//! whose free-text values all carry a fuzzer-chosen hostile string: no raw control
//! character in text, Markdown, CSV, JSON, DOT, Mermaid, nftables, iptables, Terraform and
//! GitHub outputs keep their structure (see `vrt_fuzz::render` for the invariants; those
//! needing `dot`, `bash -n` or `xmllint` are checked by `tests/hostile_outputs.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: vrt_fuzz::Hostile| {
    vrt_fuzz::render(&input);
});
