//! The network domain layer, between [`crate::graph`] and the rules and planners: the port
//! matrix every topology needs ([`flows`]), what the declared firewall allows of it
//! ([`reach`]), the address arithmetic both use ([`cidrset`]) and whether generated rules
//! would open Vault to everyone ([`exposure`]). Rules check these facts;
//! planners such as [`crate::firewall`] turn them into output. Nothing here renders.

pub mod addresses;
pub mod cidrset;
pub mod exposure;
pub mod flows;
pub mod reach;
