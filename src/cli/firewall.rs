use std::collections::BTreeMap;

use crate::error::Error;
use crate::firewall::{Family, Scope};
use crate::report::firewall::{self as render, Context};
use crate::spec::Provider;

use super::{Exit, Io};

/// Generate firewall allow rules for every flow of `vrt ports`, for a real target.
///
/// Rules are built from the `cidrs` of sites, clusters, load balancers, clients and
/// services; they are deterministic, de-duplicated, merged by port, named after the flow's
/// purpose and commented with why they exist. A flow whose end has no addresses is an error
/// (VRT208) naming what to give `cidrs` to. Both ports are opened both ways between
/// replicating clusters, as the architecture notes advise; `--strict-ports` opens only what
/// Vault needs. An end whose addresses mean "everything" is refused (VRT213) unless
/// `--allow-broad` is given.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt firewall examples/two-datacenters.yaml
  vrt firewall --format nftables --output vault.nft topology.yaml && nft -c -f vault.nft
  vrt firewall --format iptables topology.yaml | iptables-restore --test --noflush
  vrt firewall --format aws-sg --group-id primary-a=sg-0123456789abcdef0 topology.yaml \\
    | jq -c '.[]' | while read -r call; do
        aws ec2 authorize-security-group-ingress --cli-input-json \"$call\"; done
  vrt firewall --format nftables --site dc-a topology.yaml   # the rules for dc-a's hosts
  vrt firewall --format terraform --no-standby --output vault_sg.tf topology.yaml
  vrt firewall --strict-ports --format nftables topology.yaml

Exit codes: 0 written, 1 the topology has errors, a flow cannot be addressed or an end
means every address (without --allow-broad),
2 vrt could not run (unreadable input, failed write).")]
pub struct Args {
    /// Target format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    #[command(flatten)]
    output: super::OutputArgs,
    /// Leave out the standby flows (paths only a failover uses).
    #[arg(long)]
    no_standby: bool,
    /// Only the rules into this site (its clusters, load balancers, clients and services);
    /// sources anywhere stay as source networks.
    #[arg(long, value_name = "NAME")]
    site: Option<String>,
    /// Only the rules into sites of this provider. `aws-sg` and `terraform` always describe
    /// AWS, `azure-nsg` Azure.
    #[arg(long, value_enum, value_name = "NAME")]
    provider: Option<ProviderArg>,
    /// The security group of a destination, for `aws-sg` (its `GroupId`) and `terraform`
    /// (the default of `security_group_ids`); repeat for each. DESTINATION is a key of the
    /// output: a cluster's name, `NAME-lb` for its load balancer, a client group's or a
    /// service's name. Without it, `aws-sg` writes a placeholder GroupId.
    #[arg(long, value_name = "DESTINATION=sg-ID")]
    group_id: Vec<String>,
    /// Open only what Vault needs: leave out the API port primary → secondary, and
    /// secondary → primary for a secondary with `activation: public-key`, which the
    /// architecture notes open "bi-directionally" but no Vault flow uses.
    #[arg(long)]
    strict_ports: bool,
    /// Write rules even when an end's addresses mean "everything" (`0.0.0.0/0`, `::/0`,
    /// `::ffff:0:0/96`, broader than /8); without it vrt refuses (VRT213).
    #[arg(long)]
    allow_broad: bool,
    // Last: the limits' help heading applies to the flags after it.
    #[command(flatten)]
    input: super::InputArgs,
}

/// A site's `provider`, as written in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ProviderArg {
    /// `provider: on-prem`.
    OnPrem,
    /// `provider: vmware`.
    Vmware,
    /// `provider: aws`.
    Aws,
    /// `provider: azure`.
    Azure,
    /// `provider: gcp`.
    Gcp,
    /// `provider: other`.
    Other,
}

impl From<ProviderArg> for Provider {
    fn from(p: ProviderArg) -> Self {
        match p {
            ProviderArg::OnPrem => Self::OnPrem,
            ProviderArg::Vmware => Self::Vmware,
            ProviderArg::Aws => Self::Aws,
            ProviderArg::Azure => Self::Azure,
            ProviderArg::Gcp => Self::Gcp,
            ProviderArg::Other => Self::Other,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The neutral table as CSV.
    Csv,
    /// The neutral table as Markdown, with the note on return traffic.
    Markdown,
    /// The neutral table as JSON (schemas/firewall.schema.json); on errors, the findings.
    Json,
    /// An nftables file for `nft -f` (IPv4 and IPv6).
    Nftables,
    /// An `iptables-restore` file (IPv4 rules).
    Iptables,
    /// An `ip6tables-restore` file (IPv6 rules).
    Ip6tables,
    /// AWS security-group ingress: a JSON array of `authorize-security-group-ingress`
    /// inputs, one per destination in AWS sites.
    AwsSg,
    /// Terraform `aws_vpc_security_group_ingress_rule` resources for destinations in AWS sites.
    Terraform,
    /// An ARM template of network security groups for destinations in Azure sites.
    AzureNsg,
}

impl Format {
    /// The cloud whose resources the format describes.
    const fn cloud(self) -> Option<Provider> {
        match self {
            Self::AwsSg | Self::Terraform => Some(Provider::Aws),
            Self::AzureNsg => Some(Provider::Azure),
            _ => None,
        }
    }
}

/// The scope of the rules: `--site`, `--provider` and the format's cloud; an error names
/// what does not fit.
fn scope(args: &Args, t: &crate::graph::Topology) -> Result<Scope, Error> {
    let asked: Option<Provider> = args.provider.map(Provider::from);
    let provider = match (asked, args.format.cloud()) {
        (Some(a), Some(c)) if a != c => {
            return Err(Error::BadTarget(format!(
                "--provider {} contradicts --format {}, which describes {} resources only",
                crate::diagram::provider_name(a),
                format_name(args.format),
                crate::diagram::provider_name(c)
            )));
        }
        (a, c) => c.or(a),
    };
    let site = match &args.site {
        None => None,
        Some(name) => match t.sites().find(|(_, s)| s.name.get() == name) {
            Some((id, _)) => Some(id),
            None => {
                let names: Vec<String> = t
                    .sites()
                    .map(|(_, s)| format!("`{}`", s.name.get().escape_debug()))
                    .collect();
                return Err(Error::BadTarget(format!(
                    "no site is named `{}`; the sites are {}",
                    name.escape_debug(),
                    names.join(", ")
                )));
            }
        },
    };
    Ok(Scope { site, provider })
}

fn format_name(f: Format) -> String {
    clap::ValueEnum::to_possible_value(&f).map_or_else(String::new, |v| v.get_name().to_string())
}

/// `--group-id DESTINATION=sg-ID` as a map, checked against the destinations of the output.
fn group_ids(args: &Args, destinations: &[&str]) -> Result<BTreeMap<String, String>, Error> {
    if !args.group_id.is_empty() && !matches!(args.format, Format::AwsSg | Format::Terraform) {
        return Err(Error::BadTarget(format!(
            "--group-id applies to --format aws-sg and terraform, not {}",
            format_name(args.format)
        )));
    }
    let mut out = BTreeMap::new();
    for arg in &args.group_id {
        let Some((key, id)) = arg.split_once('=') else {
            return Err(Error::BadTarget(format!(
                "--group-id `{}` is not DESTINATION=sg-ID",
                arg.escape_debug()
            )));
        };
        if !render::aws::is_group_id(id) {
            return Err(Error::BadTarget(format!(
                "--group-id `{}`: `{}` is not a security group ID (`sg-` and 8 or 17 lowercase hex digits)",
                arg.escape_debug(),
                id.escape_debug()
            )));
        }
        if !destinations.contains(&key) {
            return Err(Error::BadTarget(format!(
                "--group-id `{}`: `{}` is not a destination of these rules; the destinations are {}",
                arg.escape_debug(),
                key.escape_debug(),
                if destinations.is_empty() {
                    "none".to_string()
                } else {
                    destinations
                        .iter()
                        .map(|d| format!("`{}`", d.escape_debug()))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )));
        }
        if out.insert(key.to_string(), id.to_string()).is_some() {
            return Err(Error::BadTarget(format!(
                "--group-id gives `{}` twice",
                key.escape_debug()
            )));
        }
    }
    Ok(out)
}

/// Says on standard error that a scope holds no destination, so an empty result is not
/// mistaken for a failure (or for "nothing to open").
fn note_empty(args: &Args, scope: &Scope, io: &mut Io<'_>) -> std::io::Result<()> {
    let mut what = Vec::new();
    if let Some(site) = &args.site {
        what.push(format!("site `{}`", site.escape_debug()));
    }
    if let Some(p) = scope.provider {
        what.push(format!(
            "sites with `provider: {}`",
            crate::diagram::provider_name(p)
        ));
    }
    writeln!(
        io.err,
        "note: no flow of the topology ends in {}: the {} output has no rules",
        what.join(" among "),
        format_name(args.format)
    )
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let json = args.format == Format::Json;
    let Some((output, source, t)) = args.input.start_planner(&args.output, json, io)? else {
        return Ok(Exit::Findings);
    };
    let scope = scope(args, &t)?;
    let flows: Vec<_> = crate::net::flows::flows(&t)
        .into_iter()
        .filter(|f| !args.no_standby || !f.standby)
        .filter(|f| !args.strict_ports || f.need != crate::net::flows::Need::Advised)
        .collect();
    // Refused whatever the scope: a catch-all end is a mistake in the file, not in one cloud.
    if !args.allow_broad {
        let refused = crate::net::exposure::catch_all(&t, &flows);
        if !refused.is_empty() {
            return super::planner::refuse(output, json, &source, Some(&t), &refused, io);
        }
    }
    let flows = scope.flows(&t, flows);
    let rules = match crate::firewall::rules(&t, &flows) {
        Ok(rules) => rules,
        Err(findings) => {
            return super::planner::refuse(output, json, &source, Some(&t), &findings, io);
        }
    };
    let group_ids = group_ids(args, &render::aws::destinations(&rules))?;
    if rules.is_empty() && scope != Scope::default() {
        note_empty(args, &scope, io)?;
    }
    let ctx = Context {
        topology: &t.model.name,
        file: &source.name,
        standby: !args.no_standby,
    };
    let json = |r: serde_json::Result<String>| r.map_err(std::io::Error::other);
    let text = match args.format {
        Format::Csv => render::neutral::csv(&rules),
        Format::Markdown => render::neutral::markdown(&rules, &ctx),
        Format::Json => json(render::neutral::json(&rules, &ctx))?,
        Format::Nftables => render::nftables::render(&rules, &ctx),
        Format::Iptables | Format::Ip6tables => {
            let (family, other, other_format) = if args.format == Format::Iptables {
                (Family::V4, Family::V6, "ip6tables")
            } else {
                (Family::V6, Family::V4, "iptables")
            };
            let left = rules.iter().filter(|r| r.family == other).count();
            if left > 0 {
                writeln!(
                    io.err,
                    "note: {left} rule(s) of the other address family are left to `--format {other_format}`"
                )?;
            }
            render::iptables::render(&rules, &ctx, family)
        }
        Format::AwsSg => {
            let missing: Vec<&str> = render::aws::destinations(&rules)
                .into_iter()
                .filter(|k| !group_ids.contains_key(*k))
                .collect();
            if !missing.is_empty() {
                writeln!(
                    io.err,
                    "note: no --group-id for {}: their GroupId is a placeholder to replace",
                    missing
                        .iter()
                        .map(|d| format!("`{}`", d.escape_debug()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
            json(render::aws::render_with(&rules, &group_ids))?
        }
        Format::Terraform => render::terraform::render_with(&rules, &ctx, &group_ids),
        Format::AzureNsg => match render::azure::render(&rules, &ctx) {
            Ok(text) => text,
            Err(why) => {
                writeln!(io.err, "error: {why}")?;
                return Ok(Exit::Findings);
            }
        },
    };
    output.finish(text.as_bytes(), io.out)?;
    Ok(Exit::Clean)
}
