//! Reported by `vrt firewall`, not by `vrt validate`: addresses are optional in the format,
//! and only generating firewall rules needs them.

use crate::declare_rule;

declare_rule! {
    /// A flow needs a firewall rule, but one of its ends has no addresses.
    ///
    /// ## What it checks
    /// `vrt firewall` turns every flow of `vrt ports` into allow rules from the `cidrs` of
    /// the flow's ends: a cluster's own `cidrs`, else its site's; a client's or service's
    /// own, else its site's; a load balancer's own, its IP `address`, else its cluster's.
    /// When an end has none, or the two ends share no address family (IPv4 / IPv6), no rule
    /// can be written and vrt stops with this error rather than leave the flow out.
    ///
    /// ## Why it matters
    /// A rule table that silently lacks a flow is worse than none: the missing path is found
    /// when replication or a failover needs it (PORTS; TS-CONN). Security groups and
    /// firewalls admit addresses, not names (HVD-TF).
    ///
    /// ## Example
    /// ```yaml
    /// sites:
    ///   - {name: dc-b}                       # no cidrs
    /// clusters:
    ///   - {name: perf-b, site: dc-b, role: performance-secondary, replicates_from: primary-a}
    /// ```
    ///
    /// ## How to fix
    /// Give the cluster (its nodes' subnets) or its site `cidrs`; for a load balancer with a
    /// DNS name, give it `cidrs` or rely on its cluster's.
    pub static RULE = "VRT208", "unaddressable-flow", Error;
}
