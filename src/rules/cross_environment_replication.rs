//! VRT106 `cross-environment-replication`: Replication crosses from production into non-production, or the reverse.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT106`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Environment;

declare_rule! {
    /// Replication crosses from production into non-production, or the reverse.
    ///
    /// ## What it checks
    /// A cluster and the cluster it replicates from must be in sites of the same
    /// `environment`.
    ///
    /// ## Why it matters
    /// Both replication types mirror the primary's configuration, secrets engines and
    /// shared secrets (REPL-IDX), and DR replication also mirrors its tokens and leases.
    /// Replicating production into a non-production site copies production secrets to where
    /// production controls do not apply; replicating a non-production cluster into
    /// production lets test data and policies overwrite production's (enabling a secondary
    /// "will immediately clear all data in the secondary cluster", API-PERF). The reference
    /// topologies keep QA and sandbox clusters separate (KK).
    ///
    /// ## Example
    /// ```yaml
    /// sites:
    ///   - {name: dc-a}
    ///   - {name: qa, environment: non-production}
    /// clusters:
    ///   - {name: primary-a, site: dc-a, role: primary}
    ///   - {name: qa-perf, site: qa, role: performance-secondary, replicates_from: primary-a}
    /// ```
    ///
    /// ## How to fix
    /// Give the non-production clusters their own primary, and load test data into it.
    pub static RULE = "VRT106", "cross-environment-replication", Error;
}

/// Reports each replication edge between environments.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.cluster_ids()
        .filter_map(|c| {
            let (up, _) = t.upstream(c)?;
            let (from, to) = (t.environment(up), t.environment(c));
            if from == to {
                return None;
            }
            let cluster = t.cluster(c);
            let site = t.site(t.site_of(c));
            let message = if from == Environment::Production {
                format!(
                    "`{}` replicates production data from `{}` into non-production site `{}`",
                    cluster.name.get(),
                    t.name(up),
                    site.name.get()
                )
            } else {
                format!(
                    "`{}` in production site `{}` replicates from non-production `{}`",
                    cluster.name.get(),
                    site.name.get(),
                    t.name(up)
                )
            };
            let up_site = t.site(t.site_of(up));
            Some(
                Finding::new(&RULE, cluster.upstream.as_ref()?.span(), message)
                    .cluster(c)
                    .label("this edge crosses environments")
                    .related(site.environment_span, format!("`{}` is {}", site.name.get(), env(to)))
                    .related(up_site.environment_span, format!("`{}` is {}", up_site.name.get(), env(from)))
                    .help("keep replication within one environment: give non-production its own primary"),
            )
        })
        .collect()
}

fn env(e: Environment) -> &'static str {
    match e {
        Environment::Production => "production",
        Environment::NonProduction => "non-production",
    }
}
