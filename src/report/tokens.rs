//! The computed token flow as a table (`vrt validate --explain-tokens`).

use serde::Serialize;
use tabled::settings::Style;

use crate::graph::Topology;

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

/// The token-flow rows, in file order.
pub fn rows(t: &Topology) -> Vec<TokenRow> {
    let holdings = t.token_holdings();
    t.cluster_ids()
        .map(|c| {
            let join = |ids: Vec<String>| {
                if ids.is_empty() {
                    "-".to_string()
                } else {
                    ids.join(", ")
                }
            };
            let holds = holdings
                .get(&c)
                .map(|h| h.iter().map(|x| t.name(*x).to_string()).collect())
                .unwrap_or_default();
            let copies = holdings
                .iter()
                .filter(|(other, held)| **other != c && held.contains(&c))
                .map(|(other, _)| t.name(*other).to_string())
                .collect();
            TokenRow {
                cluster: t.name(c).to_string(),
                role: t.role(c).as_str(),
                holds: join(holds),
                copies: join(copies),
            }
        })
        .collect()
}

/// The rows as a text table.
pub fn table(t: &Topology) -> String {
    let mut table = tabled::Table::new(rows(t));
    table.with(Style::sharp());
    table.to_string()
}
