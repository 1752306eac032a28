//! The network delta: the firewall planner's allow rules ([`crate::firewall::rules`] over
//! every flow of [`crate::net::flows::flows`], standby flows included) for OLD and NEW, compared
//! by what they allow — address family, sources, destinations, protocol and ports — not by
//! name. A rule of NEW that OLD lacks must be open before the change (a new secondary
//! activates over it); a rule of OLD that NEW lacks is closed after it, once nothing uses it.
//! `report::diff` renders both sides in each firewall target's own format.

use std::collections::BTreeSet;

use crate::firewall::{self, FirewallRule};
use crate::graph::Topology;

/// The rules to open before the change and to close after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkDelta {
    /// NEW's rules that OLD lacks, in NEW's order.
    pub add: Vec<FirewallRule>,
    /// OLD's rules that NEW lacks, in OLD's order.
    pub remove: Vec<FirewallRule>,
    /// Every rule of OLD followed by [`Self::add`]: what a target that owns its whole table
    /// or chain (nftables, iptables, Terraform, Azure) loads before the change.
    pub during: Vec<FirewallRule>,
    /// Every rule of NEW: what such a target loads after the change.
    pub after: Vec<FirewallRule>,
    /// Rules common to both.
    pub kept: usize,
    /// Why a side has no rules (a flow without addresses, VRT208).
    pub notes: Vec<String>,
}

/// What a rule allows, whatever its name.
type Allows<'a> = (
    crate::firewall::Family,
    &'a [crate::values::Cidr],
    &'a [crate::values::Cidr],
    crate::spec::Protocol,
    &'a std::collections::BTreeSet<u16>,
);

fn allows(r: &FirewallRule) -> Allows<'_> {
    (r.family, &r.sources, &r.destinations, r.protocol, &r.ports)
}

fn rules(t: &Topology, which: &str, notes: &mut Vec<String>) -> Option<Vec<FirewallRule>> {
    match firewall::rules(t, &crate::net::flows::flows(t)) {
        Ok(r) => Some(r),
        Err(findings) => {
            notes.push(format!(
                "the firewall rules of {which} cannot be generated: {} flow(s) have an end without addresses (see its VRT208 findings); the network comparison is left out",
                findings.len()
            ));
            None
        }
    }
}

/// Compares the rules of OLD (`None` when empty: every rule is added) and NEW; `None` when
/// a side's rules cannot be generated.
pub fn compare(old: Option<&Topology>, new: &Topology) -> Option<NetworkDelta> {
    let mut notes = Vec::new();
    let before = match old {
        Some(o) => rules(o, "OLD", &mut notes),
        None => Some(Vec::new()),
    };
    let after = rules(new, "NEW", &mut notes);
    let (Some(before), Some(after)) = (before, after) else {
        return Some(NetworkDelta {
            notes,
            ..NetworkDelta::default()
        });
    };
    let old: BTreeSet<Allows<'_>> = before.iter().map(allows).collect();
    let new: BTreeSet<Allows<'_>> = after.iter().map(allows).collect();
    let add: Vec<FirewallRule> = after
        .iter()
        .filter(|r| !old.contains(&allows(r)))
        .cloned()
        .collect();
    let remove: Vec<FirewallRule> = before
        .iter()
        .filter(|r| !new.contains(&allows(r)))
        .cloned()
        .collect();
    let mut during = before.clone();
    during.extend(add.iter().cloned());
    Some(NetworkDelta {
        kept: after.len() - add.len(),
        add,
        remove,
        during,
        after,
        notes,
    })
}
