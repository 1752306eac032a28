//! Azure network security groups as a deployable ARM template (`az deployment group create
//! --template-file`): a `location` parameter and one `Microsoft.Network/networkSecurityGroups`
//! resource per destination (the subnet or NIC of a cluster, load balancer, client group or
//! service), each with `securityRules` in the shape of the `SecurityRule` model: `name` and
//! `properties` with `priority`, `direction`, `access`, `protocol`, `sourcePortRange`,
//! `sourceAddressPrefixes`, `destinationAddressPrefixes`, `destinationPortRanges` and
//! `description`. Every string from the topology is a literal for ARM (never an
//! expression). NSGs are stateful: return traffic needs no rule.

use serde::Serialize;

use super::{Context, by_destination, clip, plain};
use crate::firewall::FirewallRule;
use crate::report::escape;
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

/// One `Microsoft.Network/networkSecurityGroups` resource of the template.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Nsg {
    /// `Microsoft.Network/networkSecurityGroups`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// [`API_VERSION`].
    pub api_version: &'static str,
    /// `vrt-<topology>-<destination>`.
    pub name: String,
    /// `[parameters('location')]`: the template's `location` parameter.
    pub location: &'static str,
    /// Its rules.
    pub properties: NsgProperties,
}

/// A parameter of the template.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    /// `string`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `[resourceGroup().location]`.
    pub default_value: &'static str,
    /// What it is.
    pub metadata: Metadata,
}

/// A description for people, in a parameter or the template.
#[derive(Debug, Serialize)]
pub struct Metadata {
    /// The text.
    pub description: String,
}

/// The template's parameters: only `location`.
#[derive(Debug, Serialize)]
pub struct Parameters {
    /// Where the NSGs are created (default: the resource group's location).
    pub location: Parameter,
}

/// An ARM deployment template (`az deployment group create --template-file`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    /// The deployment template schema.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// `1.0.0.0`.
    pub content_version: &'static str,
    /// Where the template comes from.
    pub metadata: Metadata,
    /// `location`.
    pub parameters: Parameters,
    /// One NSG per destination.
    pub resources: Vec<Nsg>,
}

/// The schema of resource-group deployment templates.
pub const TEMPLATE_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// The `Microsoft.Network` API version of the NSG resources: the default of the
/// `azure-mgmt-network` release whose `SecurityRule` model the tests check the rules with.
pub const API_VERSION: &str = "2026-03-01";

/// An Azure name: letters, digits, `_`, `.` and `-`, at most 80 characters, starting with a
/// letter or digit and ending in a letter, digit or `_` (`x` when nothing is left).
fn azure_name(text: &str) -> String {
    let clean = escape::identifier(text, &['_', '.', '-'], '-');
    let clean = clean.trim_start_matches(['-', '.', '_']);
    let clean: String = clean.chars().take(NAME_MAX).collect();
    let clean = clean.trim_end_matches(['-', '.']);
    if clean.is_empty() {
        "x".to_string()
    } else {
        clean.to_string()
    }
}

/// The template, or why a destination cannot fit one NSG.
pub fn build(rules: &[FirewallRule], ctx: &Context<'_>) -> Result<Template, String> {
    Ok(Template {
        schema: TEMPLATE_SCHEMA,
        content_version: "1.0.0.0",
        metadata: Metadata {
            description: escape::arm_literal(&clip(&ctx.provenance(), 1024, plain)),
        },
        parameters: Parameters {
            location: Parameter {
                kind: "string",
                default_value: "[resourceGroup().location]",
                metadata: Metadata {
                    description: "Azure region of the network security groups (default: the resource group's)".to_string(),
                },
            },
        },
        resources: nsgs(rules, ctx)?,
    })
}

/// One NSG per destination, or why a destination cannot fit one.
fn nsgs(rules: &[FirewallRule], ctx: &Context<'_>) -> Result<Vec<Nsg>, String> {
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
                            description: escape::arm_literal(&clip(
                                &r.comment(),
                                DESCRIPTION_MAX - 1,
                                plain,
                            )),
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
                kind: "Microsoft.Network/networkSecurityGroups",
                api_version: API_VERSION,
                name,
                location: "[parameters('location')]",
                properties: NsgProperties { security_rules },
            })
        })
        .collect()
}

/// The template as pretty JSON.
pub fn render(rules: &[FirewallRule], ctx: &Context<'_>) -> Result<String, String> {
    let template = build(rules, ctx)?;
    let mut text = serde_json::to_string_pretty(&template).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}
