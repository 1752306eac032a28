//! The runbook's mount section: what a performance promotion leaves behind (local mounts,
//! filtered mounts), the paths filters to set again on the new primary, and whose key
//! shares a DR operation token needs. The data comes from [`crate::mounts`].

use std::collections::BTreeSet;

use super::Builder;
use super::plan::{Phase, RecoveryPath};
use super::prose::quoted;
use crate::ids::ClusterId;
use crate::mounts;
use crate::spec::SealType;

impl Builder<'_> {
    /// Adds, before the failure, whose key shares the DR operation token of each DR
    /// promotion needs.
    pub(super) fn key_holder_steps(&mut self) {
        let t = self.t;
        let recoveries = self.d.recoveries.clone();
        for r in recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::DrPromotion)
        {
            let Some(d) = r.to else { continue };
            let keys_of = t.root(d);
            let seal = t
                .cluster(keys_of)
                .storage
                .seal
                .as_ref()
                .map_or(SealType::Shamir, |s| *s.kind.get());
            let shares = if seal == SealType::Shamir {
                "unseal key shares".to_string()
            } else {
                format!("recovery key shares (its seal is `{}`)", seal.as_str())
            };
            self.push(
                Phase::Prepare,
                format!("Know whose keys a DR operation token for {} needs", quoted(t, d)),
                vec![format!(
                    "Enabling replication replaced {}'s seal or recovery configuration with its primary's (REPL-IDX), so a DR operation token generated on it needs a quorum of the {shares} of {}, not of {}'s own (DR-OPTOK). Name those key holders in the on-call plan, or keep a prepared batch DR operation token.",
                    quoted(t, d),
                    quoted(t, keys_of),
                    quoted(t, d)
                )],
                Vec::new(),
            );
        }
    }

    /// Adds the mount step of every performance promotion.
    pub(super) fn mount_steps(&mut self) {
        let t = self.t;
        let gone: BTreeSet<ClusterId> = self.d.lost.iter().copied().collect();
        let recoveries = self.d.recoveries.clone();
        for r in recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::PerformancePromotion)
        {
            let Some(p) = r.to else { continue };
            let missing = mounts::lost_on_promotion(t, &gone, p);
            if missing.local.is_empty()
                && missing.filtered.is_empty()
                && missing.refilter.is_empty()
            {
                continue;
            }
            let list = |ids: &[crate::ids::MountId]| {
                ids.iter()
                    .map(|m| format!("`{}`", mounts::mount(t, *m).path.get()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut text = Vec::new();
            if !missing.local.is_empty() {
                text.push(format!(
                    "Local mounts not on {}: {}. Local mounts replicate only to DR secondaries (REPL-IDX); their data is not on the new primary, and clients that use them find nothing there.",
                    quoted(t, p),
                    list(&missing.local)
                ));
            }
            if !missing.filtered.is_empty() {
                text.push(format!(
                    "Mounts the paths filter of {} kept away from it: {}. They do not exist on the new primary (API-PERF).",
                    quoted(t, p),
                    list(&missing.filtered)
                ));
            }
            let mut commands = Vec::new();
            if !missing.refilter.is_empty() {
                text.push(format!(
                    "Once each performance secondary below is attached to {} with a new secondary token, set its paths filter again on {}: a filter's `:id` is the secondary's `cluster_id` from its replication status, and filters must be re-created after `update-primary` with a new token (API-PERF).",
                    quoted(t, p),
                    quoted(t, p)
                ));
                for s in &missing.refilter {
                    let Some(f) = mounts::filter(t, *s) else {
                        continue;
                    };
                    let var = super::commands::var_name(t, "CLUSTER_ID", *s);
                    let mut read = self.vault(
                        *s,
                        "read -field=cluster_id sys/replication/performance/status",
                    );
                    read.line = format!("{var}=$({})", read.line);
                    commands.push(read);
                    let paths: Vec<String> = f
                        .paths
                        .iter()
                        .map(|p| crate::text::json_string(p.get()))
                        .collect();
                    let mut write = self.vault(
                        p,
                        &format!(
                            "write sys/replication/performance/primary/paths-filter/\"${var}\" - <<'EOF'\n{{\"mode\": \"{}\", \"paths\": [{}]}}\nEOF",
                            f.mode.get().as_str(),
                            paths.join(", ")
                        ),
                    );
                    write.comment = Some(format!("the paths filter of `{}`", t.name(*s)));
                    commands.push(write);
                }
            }
            self.push(
                Phase::Failover,
                format!(
                    "Check the mounts {} lacks and set the paths filters again",
                    quoted(t, p)
                ),
                text,
                commands,
            );
        }
    }
}
