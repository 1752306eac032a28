//! VRT510 `live-version-mismatch`: A cluster runs a different Vault version from the one the file declares.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT510`).

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::status::Live;
use crate::values::Version;

declare_rule! {
    /// A cluster runs a different Vault version from the one the file declares.
    ///
    /// ## What it checks
    /// The `version` of each cluster's `sys/health` (captured as `DIR/<cluster>.health.json`,
    /// or fetched with `--live`) against its declared `version`; build suffixes such as
    /// `+ent` and `+prem` are ignored. When the health body could not be read for a cluster
    /// that declares a version, a note says so (the version was not checked).
    ///
    /// ## Why it matters
    /// `sys/health` reports the running `version` (API-HEALTH). vrt's version rules
    /// (downstream never older than upstream, UPGRADE) and its upgrade plan read the file's
    /// versions: when they are stale, so are those checks and the plan.
    ///
    /// ## Example
    /// The file declares `version: 1.17.3+ent` for `perf-b`; its `sys/health` says
    /// `"version": "1.18.1+ent"`.
    ///
    /// ## How to fix
    /// Update `version` in the file (then run `vrt validate` for the version rules), or
    /// finish the upgrade the file describes.
    pub static RULE = "VRT510", "live-version-mismatch", Warning;
}

/// Reports each cluster whose live version differs from its declared one, at its `version`.
pub fn check(live: &Live<'_>) -> Vec<Finding> {
    let t = live.topology;
    let mut out = Vec::new();
    for c in t.cluster_ids() {
        let (Some(status), Some(declared)) = (live.status(c), t.cluster(c).version.as_ref()) else {
            continue;
        };
        let found = match &status.version {
            Ok(None) => continue,
            Ok(Some(v)) => v,
            Err(reason) => {
                out.push(
                    Finding::new(
                        &RULE,
                        declared.span(),
                        format!("the live version of `{}` is unknown: {reason}", t.name(c)),
                    )
                    .severity(Severity::Note)
                    .label("not checked")
                    .cluster(c)
                    .help("make `sys/health` readable (or capture it as `DIR/<cluster>.health.json`) to check the version"),
                );
                continue;
            }
        };
        let same = Version::parse(found).is_ok_and(|v| v == *declared.get());
        if same {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                declared.span(),
                format!(
                    "`{}` runs Vault `{found}`, the file says `{}`",
                    t.name(c),
                    declared.get()
                ),
            )
            .label("declared version")
            .cluster(c)
            .help("update `version` in the file and run `vrt validate` for the version rules, or finish the upgrade"),
        );
    }
    out
}
