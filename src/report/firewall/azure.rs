//! Azure network security groups, one per destination (the subnet or NIC of a cluster,
//! load balancer, client group or service), each with `securityRules` in the shape of the
//! ARM resource `Microsoft.Network/networkSecurityGroups`: `name` and `properties` with
//! `priority`, `direction`, `access`, `protocol`, `sourcePortRange`,
//! `sourceAddressPrefixes`, `destinationAddressPrefixes`, `destinationPortRanges` and
//! `description`. NSGs are stateful: return traffic needs no rule.

use serde::Serialize;

use super::{Context, by_destination, clip, plain};
use crate::firewall::FirewallRule;
use crate::text::unique_name;

/// Azure's limits: rule and NSG names, descriptions, rules per NSG, priorities.
const NAME_MAX: usize = 80;
const DESCRIPTION_MAX: usize = 140;
const RULES_MAX: usize = 1000;
const FIRST_PRIORITY: usize = 100;
const LAST_PRIORITY: usize = 4096;

/// The properties of one security rule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleProperties {
    /// Why it exists.
    pub description: String,
    /// `Tcp` or `Udp`.
    pub protocol: &'static str,
    /// Always `*`: any source port.
    pub source_port_range: &'static str,
    /// Destination ports and ranges (`8200-8201`).
    pub destination_port_ranges: Vec<String>,
    /// Source networks.
    pub source_address_prefixes: Vec<String>,
    /// Destination networks.
    pub destination_address_prefixes: Vec<String>,
    /// `Allow`.
    pub access: &'static str,
    /// 100–4096, unique in the NSG; lower is evaluated first.
    pub priority: usize,
    /// `Inbound`.
    pub direction: &'static str,
}

/// One security rule.
#[derive(Debug, Serialize)]
pub struct SecurityRule {
    /// Unique in the NSG.
    pub name: String,
    /// Its settings.
    pub properties: RuleProperties,
}

/// The NSG's properties.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NsgProperties {
    /// The rules.
    pub security_rules: Vec<SecurityRule>,
}

/// One network security group.
#[derive(Debug, Serialize)]
pub struct Nsg {
    /// `vrt-<topology>-<destination>`.
    pub name: String,
    /// The destination key it protects.
    pub destination: String,
    /// Its rules.
    pub properties: NsgProperties,
}

/// An Azure name: letters, digits, `_`, `.` and `-`, at most 80 characters, ending in a
/// letter, digit or `_`.
fn azure_name(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(NAME_MAX)
        .collect();
    clean.trim_end_matches(['-', '.']).to_string()
}

/// The NSGs, or why a destination cannot fit one.
pub fn build(rules: &[FirewallRule], ctx: &Context<'_>) -> Result<Vec<Nsg>, String> {
    let mut nsg_names: Vec<String> = Vec::new();
    by_destination(rules)
        .into_iter()
        .map(|(key, rules)| {
            if rules.len() > RULES_MAX {
                return Err(format!(
                    "destination `{key}` needs {} rules; an Azure NSG holds at most {RULES_MAX}",
                    rules.len()
                ));
            }
            // Leave gaps of 10 for hand-made rules where the range allows it.
            let step = if FIRST_PRIORITY + 10 * rules.len() <= LAST_PRIORITY {
                10
            } else {
                1
            };
            let mut names: Vec<String> = Vec::new();
            let security_rules = rules
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let name = unique_name(&azure_name(&r.name), '-', NAME_MAX, azure_name, |n| {
                        names.iter().any(|taken| taken == n)
                    });
                    names.push(name.clone());
                    SecurityRule {
                        name,
                        properties: RuleProperties {
                            description: clip(&r.comment(), DESCRIPTION_MAX, plain),
                            protocol: match r.protocol {
                                crate::spec::Protocol::Tcp => "Tcp",
                                crate::spec::Protocol::Udp => "Udp",
                            },
                            source_port_range: "*",
                            destination_port_ranges: r
                                .port_ranges()
                                .into_iter()
                                .map(|(a, b)| {
                                    if a == b {
                                        a.to_string()
                                    } else {
                                        format!("{a}-{b}")
                                    }
                                })
                                .collect(),
                            source_address_prefixes: r
                                .sources
                                .iter()
                                .map(ToString::to_string)
                                .collect(),
                            destination_address_prefixes: r
                                .destinations
                                .iter()
                                .map(ToString::to_string)
                                .collect(),
                            access: "Allow",
                            priority: FIRST_PRIORITY + step * i,
                            direction: "Inbound",
                        },
                    }
                })
                .collect();
            let base = azure_name(&format!("vrt-{}-{key}", ctx.topology));
            let name = unique_name(&base, '-', NAME_MAX, azure_name, |n| {
                nsg_names.iter().any(|taken| taken == n)
            });
            nsg_names.push(name.clone());
            Ok(Nsg {
                name,
                destination: key.to_string(),
                properties: NsgProperties { security_rules },
            })
        })
        .collect()
}

/// The NSGs as pretty JSON: `[{"name","destination","properties":{"securityRules":[…]}}]`.
pub fn render(rules: &[FirewallRule], ctx: &Context<'_>) -> Result<String, String> {
    let nsgs = build(rules, ctx)?;
    let mut text = serde_json::to_string_pretty(&nsgs).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}
