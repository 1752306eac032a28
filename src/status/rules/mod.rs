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

/// Every live check with a check function, in code order.
pub static CHECKS: &[LiveCheck] = &[
    LiveCheck {
        rule: &live_role_mismatch::RULE,
        run: live_role_mismatch::check,
    },
    LiveCheck {
        rule: &live_upstream_mismatch::RULE,
        run: live_upstream_mismatch::check,
    },
    LiveCheck {
        rule: &secondary_unknown_to_primary::RULE,
        run: secondary_unknown_to_primary::check,
    },
    LiveCheck {
        rule: &undeclared_secondary::RULE,
        run: undeclared_secondary::check,
    },
    LiveCheck {
        rule: &replication_disconnected::RULE,
        run: replication_disconnected::check,
    },
    LiveCheck {
        rule: &replication_not_streaming::RULE,
        run: replication_not_streaming::check,
    },
    LiveCheck {
        rule: &replication_lag::RULE,
        run: replication_lag::check,
    },
    LiveCheck {
        rule: &corrupted_merkle_tree::RULE,
        run: corrupted_merkle_tree::check,
    },
    LiveCheck {
        rule: &cluster_id_mismatch::RULE,
        run: cluster_id_mismatch::check,
    },
    LiveCheck {
        rule: &live_version_mismatch::RULE,
        run: live_version_mismatch::check,
    },
];

/// Every live code, in code order (the checks, then the codes reported while reading the
/// state).
pub static ALL: &[&Rule] = &[
    &live_role_mismatch::RULE,
    &live_upstream_mismatch::RULE,
    &secondary_unknown_to_primary::RULE,
    &undeclared_secondary::RULE,
    &replication_disconnected::RULE,
    &replication_not_streaming::RULE,
    &replication_lag::RULE,
    &corrupted_merkle_tree::RULE,
    &cluster_id_mismatch::RULE,
    &live_version_mismatch::RULE,
    &status_unavailable::RULE,
    &invalid_status::RULE,
];

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
