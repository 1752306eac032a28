//! The input limits as flags, shared by every command that reads a topology.

use crate::yaml::{Limits, MAX_DEPTH_CAP};

/// Input limits: flags that guard vrt against hostile or broken files. Flatten into the
/// `Args` of every command that reads a topology (`#[command(flatten)] limits: LimitArgs`)
/// and pass [`LimitArgs::limits`] to [`super::load_topology_with`] or [`crate::validate`].
#[derive(Clone, Copy, Debug, clap::Args)]
#[command(next_help_heading = "Input limits (raise one only for a file you trust)")]
pub struct LimitArgs {
    /// Largest file to read, in bytes; also caps the text of all values with aliases expanded.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_size)]
    pub max_file_size: u64,
    /// Most YAML nodes (mappings, lists and values), counted with aliases expanded.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_nodes)]
    pub max_nodes: usize,
    /// Deepest nesting of mappings and lists; at most 500, as the YAML parser recurses once
    /// per level and must not exhaust its stack (real topologies nest 6 deep).
    #[arg(
        long,
        value_name = "N",
        default_value_t = Limits::default().max_depth,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_DEPTH_CAP as u64)
    )]
    pub max_depth: usize,
    /// Most alias uses (`*name`) and merge keys (`<<`).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_aliases)]
    pub max_aliases: usize,
    /// Most entries in any one list (sites, clusters, firewall rules, zones, CIDRs, ...).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_list_entries)]
    pub max_list_entries: usize,
    /// Most network flows the topology may need (the rows of `vrt ports`), counted before
    /// any is built; a large standby set (DR secondaries of one cluster paired with each
    /// other) counts as its few group flows, not as its pairs.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_flows)]
    pub max_flows: u64,
}

impl LimitArgs {
    /// The limits the flags set.
    pub const fn limits(&self) -> Limits {
        Limits {
            max_file_size: self.max_file_size,
            max_nodes: self.max_nodes,
            max_depth: self.max_depth,
            max_aliases: self.max_aliases,
            max_list_entries: self.max_list_entries,
            max_flows: self.max_flows,
        }
    }
}

impl Default for LimitArgs {
    fn default() -> Self {
        let l = Limits::default();
        Self {
            max_file_size: l.max_file_size,
            max_nodes: l.max_nodes,
            max_depth: l.max_depth,
            max_aliases: l.max_aliases,
            max_list_entries: l.max_list_entries,
            max_flows: l.max_flows,
        }
    }
}
