//! The network domain layer, between [`crate::graph`] and the rules and planners: the port
//! matrix every topology needs ([`flows`]) and its size, known before it is built
//! ([`budget`]), what the declared firewall allows of it ([`reach`]), the address
//! arithmetic both use ([`cidrset`], [`addresses`]) and whether generated rules would open
//! Vault to everyone ([`exposure`]). Rules check these facts; planners such as
//! [`crate::firewall`] turn them into output. Nothing here renders.

pub mod addresses;
pub mod budget;
pub mod cidrset;
pub mod exposure;
pub mod flows;
pub mod reach;
