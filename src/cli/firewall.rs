use crate::error::Error;
use crate::firewall::Family;
use crate::report::firewall::{self as render, Context};

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
  vrt firewall --format aws-sg topology.yaml | jq '.SecurityGroups[0].IpPermissions'
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The neutral table as CSV.
    Csv,
    /// The neutral table as Markdown, with the note on return traffic.
    Markdown,
    /// The neutral table as JSON.
    Json,
    /// An nftables file for `nft -f` (IPv4 and IPv6).
    Nftables,
    /// An `iptables-restore` file (IPv4 rules).
    Iptables,
    /// An `ip6tables-restore` file (IPv6 rules).
    Ip6tables,
    /// AWS security-group ingress (`IpPermissions` per destination), JSON.
    AwsSg,
    /// Terraform `aws_vpc_security_group_ingress_rule` resources.
    Terraform,
    /// Azure network security groups (`securityRules` per destination), JSON.
    AzureNsg,
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let output = args.output.open()?;
    let Some((source, t)) = args.input.load_with_source(io)? else {
        return Ok(Exit::Findings);
    };
    let flows: Vec<_> = crate::net::flows::flows(&t)
        .into_iter()
        .filter(|f| !args.no_standby || !f.standby)
        .filter(|f| !args.strict_ports || f.need != crate::net::flows::Need::Advised)
        .collect();
    if !args.allow_broad {
        let refused = crate::net::exposure::catch_all(&t, &flows);
        if !refused.is_empty() {
            super::render_findings(&source, &refused, io)?;
            return Ok(Exit::Findings);
        }
    }
    let rules = match crate::firewall::rules(&t, &flows) {
        Ok(rules) => rules,
        Err(findings) => {
            super::render_findings(&source, &findings, io)?;
            return Ok(Exit::Findings);
        }
    };
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
        Format::AwsSg => json(render::aws::render(&rules, &ctx))?,
        Format::Terraform => render::terraform::render(&rules, &ctx),
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
