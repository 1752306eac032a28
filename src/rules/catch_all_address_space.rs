//! VRT209 `catch-all-address-space`: A site, cluster, client, load balancer or service declares address space that means
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT209`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::values::Cidr;
use crate::yaml::Sp;

declare_rule! {
    /// A site, cluster, client, load balancer or service declares address space that means
    /// "everything".
    ///
    /// ## What it checks
    /// No `cidrs` entry of a site, cluster, load balancer, client or external service may be
    /// `0.0.0.0/0`, `::/0`, `::ffff:0:0/96` (every IPv4-mapped IPv6 address, so all of IPv4)
    /// or any network broader than a /8.
    ///
    /// ## Why it matters
    /// `vrt firewall` builds its allow rules from these addresses, and `vrt validate` judges
    /// declared rules by them. A catch-all network turns every generated rule that involves
    /// it into an allow from (or to) the whole Internet on Vault's API and cluster ports —
    /// the opposite of "Restrict access using firewalls or security groups" (KK).
    /// HashiCorp's own module admits the API and cluster ports only from the cluster's own
    /// security group, the load balancer and named CIDR lists (HVD-TF). Anything that
    /// reaches the cluster port can attempt replication and request-forwarding connections,
    /// and anything that reaches the API port can attempt to authenticate (PORTS).
    /// `vrt firewall` refuses to write a rule that opens Vault's ports from such a network
    /// unless `--allow-broad` is given.
    ///
    /// ## Example
    /// ```yaml
    /// clients:
    ///   - {name: apps, site: dc-a, cluster: primary-a, cidrs: [0.0.0.0/0]}
    /// ```
    ///
    /// ## How to fix
    /// Declare the networks the object really uses (its subnets, the NAT addresses its
    /// traffic leaves from). For clients on the Internet, front Vault with a load balancer
    /// and declare the load balancer's own `cidrs`.
    pub static RULE = "VRT209", "catch-all-address-space", Warning;
}

/// Why a network means everything, for messages.
pub fn why(c: &Cidr) -> &'static str {
    if c.prefix == 0 {
        "the whole address space"
    } else if c.prefix >= 8 {
        "it holds every IPv4-mapped IPv6 address (all of IPv4)"
    } else {
        "broader than a /8"
    }
}

/// Reports each catch-all network in the `cidrs` of a site, cluster, load balancer, client
/// or service.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut scan = |what: String, cidrs: &[Sp<Cidr>], cluster| {
        for c in cidrs.iter().filter(|c| c.get().is_catch_all()) {
            let mut f = Finding::new(
                &RULE,
                c.span(),
                format!(
                    "{what} declares `{}`, {}: firewall rules built from it would admit every address",
                    c.get(),
                    why(c.get())
                ),
            )
            .label("means every address")
            .help("declare the networks it really uses (its subnets, the NAT addresses its traffic leaves from)");
            if let Some(id) = cluster {
                f = f.cluster(id);
            }
            out.push(f);
        }
    };
    for (_, s) in t.sites() {
        scan(format!("site `{}`", s.name.get()), &s.cidrs, None);
    }
    for (id, c) in t.clusters() {
        scan(format!("cluster `{}`", c.name.get()), &c.cidrs, Some(id));
        if let Some(lb) = &c.load_balancer {
            scan(
                format!("the load balancer of `{}`", c.name.get()),
                &lb.cidrs,
                Some(id),
            );
        }
    }
    for (_, k) in t.clients() {
        scan(
            format!("client `{}`", k.name.get()),
            &k.cidrs,
            Some(*k.cluster.get()),
        );
    }
    for (_, s) in t.services() {
        scan(
            format!("external service `{}`", s.name.get()),
            &s.cidrs,
            None,
        );
    }
    out
}
