//! The live checks (codes VRT5xx): one file per check, each declaring its [`Rule`] and a
//! `check` over the design and the observed state. They run in `vrt status`, never in
//! `vrt validate`, which has no live state.

use crate::diag::{Finding, Rule};

use super::Live;

pub mod cluster_id_mismatch;
pub mod corrupted_merkle_tree;
pub mod invalid_status;
pub mod live_role_mismatch;
pub mod live_upstream_mismatch;
pub mod live_version_mismatch;
pub mod replication_disconnected;
pub mod replication_lag;
pub mod replication_not_streaming;
pub mod secondary_unknown_to_primary;
pub mod status_unavailable;
pub mod undeclared_secondary;

/// A live check.
pub struct LiveCheck {
    /// The rule.
    pub rule: &'static Rule,
    /// Its check.
    pub run: fn(&Live<'_>) -> Vec<Finding>,
}

/// Declares [`CHECKS`] from the modules of the live checks, in code order, and [`ALL`]:
/// those checks, then the codes reported while reading the state (each module once).
macro_rules! live_checks {
    ($($check:ident),+ ; $($reading:ident),+) => {
        /// Every live check with a check function, in code order.
        pub static CHECKS: &[LiveCheck] = &[$(LiveCheck {
            rule: &$check::RULE,
            run: $check::check,
        }),+];

        /// Every live code, in code order (the checks, then the codes reported while reading
        /// the state).
        pub static ALL: &[&Rule] = &[$(&$check::RULE),+, $(&$reading::RULE),+];
    };
}

live_checks!(
    live_role_mismatch,
    live_upstream_mismatch,
    secondary_unknown_to_primary,
    undeclared_secondary,
    replication_disconnected,
    replication_not_streaming,
    replication_lag,
    corrupted_merkle_tree,
    cluster_id_mismatch,
    live_version_mismatch;
    status_unavailable,
    invalid_status
);

/// Whether `rule` is a live check (reported by `vrt status` only).
pub fn is_live(rule: &Rule) -> bool {
    ALL.contains(&rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_codes_are_in_their_band_cite_sources_and_are_registered() {
        for r in ALL {
            assert!(r.code.starts_with("VRT5"), "{}", r.code);
            assert!(
                !crate::sources::cited(r.doc).is_empty(),
                "{} cites no source key",
                r.code
            );
            assert!(
                crate::rules::find(r.code).is_some(),
                "{} not in rules::all",
                r.code
            );
        }
        for c in CHECKS {
            assert!(ALL.contains(&c.rule));
        }
        let mut codes: Vec<&str> = ALL.iter().map(|r| r.code).collect();
        let sorted = {
            let mut s = codes.clone();
            s.sort_unstable();
            s
        };
        assert_eq!(codes, sorted);
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
    }
}
