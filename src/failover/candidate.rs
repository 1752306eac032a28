//! Before a promotion: demote the lost cluster if it answers, else fence it (vault-replication.md
//! §3 "Which order"), and check the candidate — its replication status and, where its declared
//! Vault version has the endpoint, the optional Merkle-tree corruption check.

use super::Builder;
use super::plan::{Paragraph, Phase};
use super::prose::{planned_demotion, quoted};
use crate::graph::Topology;
use crate::ids::ClusterId;
use crate::spec::Role;
use crate::values::Version;

/// The releases from which `merkle-check` exists: "If you run Vault Enterprise versions
/// 1.15.0+, 1.14.3+ or 1.13.7+, you can use the /sys/replication/merkle-check API endpoint"
/// (MERKLE: hashicorp/vault `website/content/docs/enterprise/replication/check-merkle-tree-corruption.mdx`,
/// checked 2026-12-03; API-REPL documents the endpoint, API-DR and DR-OPTOK the DR secondary's
/// `dr/secondary/merkle-check`, which takes a DR operation token). A pre-release of one of
/// these versions comes before it, so it does not count.
const MERKLE_CHECK_SINCE: [(u64, u64, u64); 3] = [(1, 13, 7), (1, 14, 3), (1, 15, 0)];

/// Whether Vault `v` has the `merkle-check` endpoints ([`MERKLE_CHECK_SINCE`]).
pub(super) fn has_merkle_check(v: &Version) -> bool {
    let (major, minor, _) = v.core;
    let since = match (major, minor) {
        (1, 13) => MERKLE_CHECK_SINCE[0],
        (1, 14) => MERKLE_CHECK_SINCE[1],
        (1, 0..=12) | (0, _) => return false,
        _ => MERKLE_CHECK_SINCE[2],
    };
    v.core > since || (v.core == since && v.pre.is_none())
}

/// Whether the file gives `c` a version with the `merkle-check` endpoints.
pub(super) fn merkle_check_declared(t: &Topology, c: ClusterId) -> bool {
    t.version(c).is_some_and(has_merkle_check)
}

impl Builder<'_> {
    /// Reads the candidate's replication status before promoting it: it must be streaming,
    /// caught up and with a sound Merkle tree. When the file gives the candidate a version
    /// with `merkle-check` (1.13.7+, 1.14.3+, 1.15+), an optional corruption check follows;
    /// otherwise the step says why it is left out. A DR candidate's check takes the DR
    /// operation token of the promotion of `lost`.
    pub(super) fn check_candidate(&mut self, c: ClusterId, lost: ClusterId, dr: bool) {
        let t = self.t;
        let kind = if dr { "dr" } else { "performance" };
        let mut commands = vec![self.vault(
            c,
            &format!("read -format=json sys/replication/{kind}/status"),
        )];
        let wal = if dr {
            "`last_dr_wal`"
        } else {
            "`last_performance_wal`"
        };
        let mut text = vec![Paragraph::from(format!(
            "In `data`: `state` must be `stream-wals` (steady state; `merkle-sync` or `idle` means it is not caught up) and `corrupted_merkle_tree` `false`; `last_remote_wal` should equal the primary's `last_wal` (or {wal}) as last seen, which you can no longer read once the primary is gone, so note how far behind it was (API-DR; API-PERF; MONITOR). A candidate that is behind loses what it has not received."
        ))];
        if merkle_check_declared(t, c) {
            let (path, token) = if dr {
                let var = self.token_var(lost);
                (
                    "write -format=json sys/replication/dr/secondary/merkle-check".to_string(),
                    format!(" dr_operation_token=\"${var}\""),
                )
            } else {
                (
                    "write -f -format=json sys/replication/merkle-check".to_string(),
                    String::new(),
                )
            };
            let mut check = self.vault(c, &format!("{path}{token}"));
            check.comment = Some("optional Merkle-tree corruption check".to_string());
            commands.push(check);
            text.push(Paragraph::labelled(
                "Optional",
                format!(
                    "the second command asks {} whether its Merkle tree is corrupted; the endpoint exists from Vault 1.13.7, 1.14.3 and 1.15.0, and the file gives {} {} (MERKLE; API-REPL). In `data.merkle_corruption_report`, `corrupted_root` must be `false`, and every entry of `corrupted_tree_map` must show `corrupted_subtree_root` `false` and `corrupted_index_tuples_map` `null`. It cannot detect every corruption (MERKLE). {}",
                    quoted(t, c),
                    quoted(t, c),
                    t.version(c).map(ToString::to_string).unwrap_or_default(),
                    if dr {
                        "On a DR secondary it is `dr/secondary/merkle-check` and takes the DR operation token (API-DR; DR-OPTOK)."
                    } else {
                        "It needs a Vault token on the candidate and runs in the root namespace (API-REPL)."
                    }
                ),
            ));
        } else {
            let given = t.version(c).map_or_else(
                || "gives it no version".to_string(),
                |v| format!("gives it {v}"),
            );
            text.push(Paragraph::from(format!(
                "vrt leaves out the optional `merkle-check` of {}: the endpoint exists from Vault 1.13.7, 1.14.3 and 1.15.0 (MERKLE), and the file {given}. `corrupted_merkle_tree` above is the check that remains.",
                quoted(t, c)
            )));
        }
        self.push(
            Phase::Failover,
            format!("Check {} before promoting it", quoted(t, c)),
            text,
            commands,
        );
    }

    /// Demotes the lost cluster if it answers (ENOS-DR step 3). Returns the step's number.
    pub(super) fn fence_dr(&mut self, l: ClusterId, d: ClusterId) -> usize {
        let t = self.t;
        let mut fence = Vec::new();
        let text = if t.role(l) == Role::Primary {
            let perf = !t.performance_secondaries(l).is_empty();
            if perf {
                fence.push(self.vault(l, "write -f sys/replication/performance/primary/demote"));
            }
            fence.push(self.vault(l, "write -f sys/replication/dr/primary/demote"));
            vec![
                Paragraph::from(format!(
                    "Never run two primaries: \"Multiple primaries may result in data loss!\" ({}).",
                    if perf { "API-DR; API-PERF" } else { "API-DR" },
                )),
                Paragraph::labelled(
                    format!(
                        "If {} answers (a planned switchover, or a partial failure)",
                        quoted(t, l)
                    ),
                    format!(
                        "demote {} now, before promoting anything; it keeps its cluster ID and can rejoin later as a DR secondary (API-DR; GUIDES-LR).",
                        if perf { "both its primary roles" } else { "it" }
                    ),
                ),
                Paragraph::labelled(
                    "If it does not answer",
                    "fence it first, out of its load balancer pool and stopped (or powered off), then promote; demote it first thing when it returns, before it rejoins anything.",
                ),
                Paragraph::from("The commands below are for the first case.".to_string()),
            ]
        } else {
            fence.push(self.vault(l, "write -f sys/replication/dr/primary/demote"));
            vec![
                Paragraph::from(format!(
                    "Only {} may act for {} now.",
                    quoted(t, d),
                    quoted(t, l)
                )),
                Paragraph::labelled(
                    format!("If {} answers", quoted(t, l)),
                    format!(
                        "demote its DR primary role before promoting; it keeps its cluster ID and can rejoin later as a DR secondary of {} (API-DR).",
                        quoted(t, d)
                    ),
                ),
                Paragraph::labelled(
                    "If it does not answer",
                    "fence it first, out of its load balancer pool and stopped (or powered off), then promote; demote it first thing when it returns.",
                ),
                Paragraph::from("The commands below are for the first case.".to_string()),
            ]
        };
        if self.planned {
            return self.push(
                Phase::Failover,
                format!("Demote {} (planned switchover)", quoted(t, l)),
                vec![planned_demotion(t, l, d)],
                fence,
            );
        }
        self.push(
            Phase::Failover,
            format!(
                "Demote {} if it answers, else fence it, before promoting",
                quoted(t, l)
            ),
            text,
            fence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::has_merkle_check;
    use crate::values::Version;

    #[test]
    fn merkle_check_exists_from_1_13_7_1_14_3_and_1_15() {
        let has = |v: &str| has_merkle_check(&Version::parse(v).unwrap());
        for v in [
            "1.13.7", "1.13.12", "1.14.3", "1.14.10", "1.15.0", "1.16.2", "1.21.0", "2.0.0",
        ] {
            assert!(has(v), "{v}");
        }
        for v in [
            "1.12.9",
            "1.13.6",
            "1.14.0",
            "1.14.2",
            "1.15.0-rc1",
            "1.13.7-beta1",
            "1.3.0",
            "0.11.0",
        ] {
            assert!(!has(v), "{v}");
        }
    }
}
