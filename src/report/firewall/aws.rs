//! AWS security-group ingress, one entry per destination (the security group of a cluster,
//! load balancer, client group or service), each holding `IpPermissions` exactly as the EC2
//! `AuthorizeSecurityGroupIngress` API takes them: `IpProtocol`, `FromPort`, `ToPort`,
//! `IpRanges` (`CidrIp`, `Description`) and `Ipv6Ranges` (`CidrIpv6`, `Description`).
//! `aws ec2 authorize-security-group-ingress --group-id sg-… --ip-permissions '<IpPermissions>'`
//! applies one entry. Security groups are stateful: return traffic needs no rule.

use serde::Serialize;

use super::{Context, by_destination, clip};
use crate::firewall::{Family, FirewallRule};

/// The longest description the API accepts.
const DESCRIPTION_MAX: usize = 255;

/// Characters the API accepts in a rule description.
fn aws_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c)
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
    pub ip_ranges: Vec<IpRange>,
    /// IPv6 sources.
    pub ipv6_ranges: Vec<Ipv6Range>,
}

/// The ingress of one destination's security group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// The destination key (`primary-a`, `primary-a-lb`): which security group to apply to.
    pub destination: String,
    /// What it is, for people.
    pub description: String,
    /// The ingress rules.
    pub ip_permissions: Vec<IpPermission>,
}

/// The document: `{"Topology": …, "SecurityGroups": [Group…]}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Doc {
    /// The topology's name.
    pub topology: String,
    /// Where the rules come from.
    pub generated_by: String,
    /// One entry per destination.
    pub security_groups: Vec<Group>,
}

/// The security groups' ingress.
pub fn build(rules: &[FirewallRule], ctx: &Context<'_>) -> Doc {
    let security_groups = by_destination(rules)
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
            Group {
                destination: key.to_string(),
                description: if rules[0].to.kind == "cluster" {
                    format!("Ingress to the nodes of cluster {}", rules[0].to.label)
                } else {
                    format!("Ingress to {}", rules[0].to.label)
                },
                ip_permissions: permissions,
            }
        })
        .collect();
    Doc {
        topology: ctx.topology.to_string(),
        generated_by: ctx.provenance(),
        security_groups,
    }
}

/// The document as pretty JSON.
pub fn render(rules: &[FirewallRule], ctx: &Context<'_>) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(&build(rules, ctx))?;
    text.push('\n');
    Ok(text)
}
