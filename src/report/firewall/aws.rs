//! AWS security-group ingress as a JSON array: one element per destination (the security
//! group of a cluster's nodes, a load balancer, a client group or a service), each exactly
//! the input of the EC2 `AuthorizeSecurityGroupIngress` API and nothing else: `GroupId` and
//! `IpPermissions` (`IpProtocol`, `FromPort`, `ToPort`, `IpRanges` with `CidrIp` and
//! `Description`, `Ipv6Ranges` with `CidrIpv6` and `Description`). So each element applies
//! unchanged with `aws ec2 authorize-security-group-ingress --cli-input-json "$element"`.
//! `GroupId` comes from `--group-id DESTINATION=sg-…`; without one it is the placeholder
//! [`placeholder`], which EC2 rejects as malformed, so nothing is applied to a guessed group.
//! Security groups are stateful: return traffic needs no rule.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Context, by_destination, clip};
use crate::firewall::{Family, FirewallRule};

/// The longest description EC2 accepts on a range (EC2's `Description` limit).
pub const DESCRIPTION_MAX: usize = 255;

/// Characters EC2 accepts in a range's description: `a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*`.
pub fn aws_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c)
}

/// The `GroupId` written for a destination without `--group-id`: `REPLACE-WITH-SG-ID-OF-`
/// and the destination key. Not an ID EC2 accepts (those are `sg-` and lowercase hex).
pub fn placeholder(key: &str) -> String {
    format!("REPLACE-WITH-SG-ID-OF-{key}")
}

/// Whether `id` has the shape of a security group ID: `sg-` and 8 or 17 lowercase hex digits.
pub fn is_group_id(id: &str) -> bool {
    id.strip_prefix("sg-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// An IPv4 range of a permission.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    /// The source network.
    pub cidr_ip: String,
    /// Why it is allowed.
    pub description: String,
}

/// An IPv6 range of a permission.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    /// The source network.
    pub cidr_ipv6: String,
    /// Why it is allowed.
    pub description: String,
}

/// One `IpPermission`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    /// `tcp` or `udp`.
    pub ip_protocol: &'static str,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// IPv4 sources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<IpRange>,
    /// IPv6 sources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ipv6_ranges: Vec<Ipv6Range>,
}

/// The input of one `AuthorizeSecurityGroupIngress` call: one destination's security group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ingress {
    /// The security group of the destination, or [`placeholder`].
    pub group_id: String,
    /// The ingress rules.
    pub ip_permissions: Vec<IpPermission>,
}

/// The destination keys of `rules` (one security group each), in output order.
pub fn destinations(rules: &[FirewallRule]) -> Vec<&str> {
    by_destination(rules).into_iter().map(|(k, _)| k).collect()
}

/// The calls, with `group_ids` (destination key → `sg-…`) where given.
pub fn build(rules: &[FirewallRule], group_ids: &BTreeMap<String, String>) -> Vec<Ingress> {
    by_destination(rules)
        .into_iter()
        .map(|(key, rules)| {
            let mut permissions: Vec<IpPermission> = Vec::new();
            for r in &rules {
                let description = clip(&r.comment(), DESCRIPTION_MAX, aws_char);
                for (from, to) in r.port_ranges() {
                    let i = match permissions.iter().position(|p| {
                        p.ip_protocol == r.protocol.as_str()
                            && p.from_port == from
                            && p.to_port == to
                    }) {
                        Some(i) => i,
                        None => {
                            permissions.push(IpPermission {
                                ip_protocol: r.protocol.as_str(),
                                from_port: from,
                                to_port: to,
                                ip_ranges: Vec::new(),
                                ipv6_ranges: Vec::new(),
                            });
                            permissions.len() - 1
                        }
                    };
                    let p = &mut permissions[i];
                    for s in &r.sources {
                        let cidr = s.to_string();
                        match r.family {
                            Family::V4 => {
                                // The API rejects a source listed twice in one permission.
                                if !p.ip_ranges.iter().any(|x| x.cidr_ip == cidr) {
                                    p.ip_ranges.push(IpRange {
                                        cidr_ip: cidr,
                                        description: description.clone(),
                                    });
                                }
                            }
                            Family::V6 => {
                                if !p.ipv6_ranges.iter().any(|x| x.cidr_ipv6 == cidr) {
                                    p.ipv6_ranges.push(Ipv6Range {
                                        cidr_ipv6: cidr,
                                        description: description.clone(),
                                    });
                                }
                            }
                        }
                    }
                }
            }
            Ingress {
                group_id: group_ids
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| placeholder(key)),
                ip_permissions: permissions,
            }
        })
        .collect()
}

/// The array as pretty JSON, every `GroupId` a [`placeholder`].
pub fn render(rules: &[FirewallRule], _ctx: &Context<'_>) -> serde_json::Result<String> {
    render_with(rules, &BTreeMap::new())
}

/// The array as pretty JSON, with `group_ids` (destination key → `sg-…`) where given.
pub fn render_with(
    rules: &[FirewallRule],
    group_ids: &BTreeMap<String, String>,
) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(&build(rules, group_ids))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_have_ec2_s_shape() {
        assert!(is_group_id("sg-0123abcd"));
        assert!(is_group_id("sg-0123456789abcdef0"));
        assert!(!is_group_id("sg-0123ABCD"));
        assert!(!is_group_id("sg-012"));
        assert!(!is_group_id("0123abcd"));
        assert!(!is_group_id(&placeholder("primary-a")));
    }
}
