//! VRT211 `service-missing-dr-secondary`: A cluster uses an external service, but its DR secondary is not in the service's
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT211`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::Role;

declare_rule! {
    /// A cluster uses an external service, but its DR secondary is not in the service's
    /// `used_by`.
    ///
    /// ## What it checks
    /// For each external service and each cluster in its `used_by`, every DR secondary of
    /// that cluster must be in `used_by` too.
    ///
    /// ## Why it matters
    /// A DR secondary holds its primary's configuration, including its secrets engines and
    /// auth methods (REPL-IDX), and once promoted it serves the primary's clients with
    /// their tokens and leases (REPL-IDX; MULTI). It then connects to the same databases,
    /// LDAP servers and cloud APIs. Only clusters in `used_by` get the standby path to the
    /// service in `vrt ports` and `vrt firewall`, so a DR secondary missing there is
    /// promoted into a cluster whose dynamic secrets and logins fail.
    ///
    /// ## Example
    /// ```yaml
    /// external_services:
    ///   - {name: orders-db, site: dc-a, port: 5432, used_by: [primary-a]}   # dr-a missing
    /// ```
    ///
    /// ## How to fix
    /// Add the DR secondary to the service's `used_by`, and open the path before a failover
    /// needs it (`vrt firewall` then writes it as a standby rule).
    pub static RULE = "VRT211", "service-missing-dr-secondary", Warning;
}

/// Reports each DR secondary missing from the `used_by` of a service its upstream uses.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, s) in t.services() {
        for user in &s.used_by {
            let c = *user.get();
            if t.role(c) == Role::DrSecondary {
                continue;
            }
            for dr in t.dr_secondaries(c) {
                if s.used_by.iter().any(|u| *u.get() == dr) {
                    continue;
                }
                out.push(
                    Finding::new(
                        &RULE,
                        user.span(),
                        format!(
                            "`{}` uses external service `{}`, but its DR secondary `{}` is not in `used_by`: once promoted it needs the service too",
                            t.name(c),
                            s.name.get(),
                            t.name(dr)
                        ),
                    )
                    .cluster(dr)
                    .label(format!("`{}` is missing beside this", t.name(dr)))
                    .related(t.cluster(dr).name.span(), "DR secondary declared here")
                    .help(format!(
                        "add `{}` to the `used_by` of `{}`",
                        t.name(dr),
                        s.name.get()
                    )),
                );
            }
        }
    }
    out
}
