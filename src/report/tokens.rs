//! The computed token flow as a table (`vrt validate --explain-tokens`).

use serde::Serialize;
use tabled::settings::Style;

use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::report::escape;

/// One row: a cluster and whose tokens and leases it holds.
#[derive(Debug, Serialize, tabled::Tabled)]
pub struct TokenRow {
    /// The cluster.
    pub cluster: String,
    /// Its role.
    pub role: &'static str,
    /// Clusters whose tokens and leases it holds (itself included).
    #[tabled(rename = "holds tokens and leases of")]
    pub holds: String,
    /// Clusters that hold copies of its tokens and leases.
    #[tabled(rename = "its tokens are also on")]
    pub copies: String,
}

/// The most cluster names a cell lists; the rest are counted.
const MAX_NAMES: usize = 20;

/// The token-flow rows, in file order.
pub fn rows(t: &Topology) -> Vec<TokenRow> {
    let join = |ids: &mut dyn Iterator<Item = ClusterId>| {
        let mut names: Vec<String> = Vec::new();
        let mut more = 0;
        for id in ids {
            if names.len() < MAX_NAMES {
                names.push(t.name(id).to_string());
            } else {
                more += 1;
            }
        }
        match (names.is_empty(), more) {
            (true, _) => "-".to_string(),
            (false, 0) => names.join(", "),
            (false, n) => format!("{}, … and {n} more", names.join(", ")),
        }
    };
    t.cluster_ids()
        .map(|c| TokenRow {
            cluster: t.name(c).to_string(),
            role: t.role(c).as_str(),
            holds: join(&mut t.tokens_held_by(c).into_iter()),
            copies: join(&mut t.token_copies(c).into_iter()),
        })
        .collect()
}

/// The rows as a text table, every value shown with [`escape::terminal`].
pub fn table(t: &Topology) -> String {
    let shown = rows(t).into_iter().map(|r| TokenRow {
        cluster: escape::terminal(&r.cluster).into_owned(),
        role: r.role,
        holds: escape::terminal(&r.holds).into_owned(),
        copies: escape::terminal(&r.copies).into_owned(),
    });
    let mut table = tabled::Table::new(shown);
    table.with(Style::sharp());
    table.to_string()
}
