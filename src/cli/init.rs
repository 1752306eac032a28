use crate::error::Error;
use crate::output::Clobber;
use crate::report::{self, FileReport};
use crate::source::Source;
use crate::templates::{self, Params, Template};

use super::{Exit, Io};

/// Write a new topology file from a reference topology, filled with your site names.
///
/// The file validates without errors and carries the firewall and DNS facts of the design:
/// replace the values marked `# FILL` and check the facts marked `# CONFIRM`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Templates and their sites (in --sites order):
  two-datacenters       exactly 2: primary data center, performance data center
  aws-regions           exactly 2 AWS regions: primary region, performance region
  global                2 or more: primary site, then one performance site each
  vmware-active-active  exactly 3: two production data centers, a non-production lab
  hybrid-onprem-aws     exactly 3: on-prem data center, AWS region, non-production site

Examples:
  vrt init --template two-datacenters > topology.vrt.yaml
  vrt init --template global --sites dallas,london,sydney --primary dallas --output global.vrt.yaml
  vrt init --template aws-regions --sites eu-west-1,eu-central-1 --output aws.vrt.yaml --force

Exit codes: 0 written, 2 vrt could not run (bad names, wrong number of sites, existing file).")]
pub struct Args {
    /// The reference topology to start from.
    #[arg(long, value_enum, value_name = "NAME")]
    template: TemplateArg,
    /// Site names, comma-separated, in the template's order (see below); default the
    /// template's own names.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    sites: Vec<String>,
    /// The site that holds the primary; default the first production site.
    #[arg(long, value_name = "SITE")]
    primary: Option<String>,
    /// The topology's `name`; default the template's name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    #[command(flatten)]
    output: super::OutputArgs,
    /// Overwrite the --output file if it exists.
    #[arg(long, requires = "output")]
    force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TemplateArg {
    /// Two data centers: primary + DR, performance replica + DR.
    TwoDatacenters,
    /// Two AWS regions, each with a local DR cluster.
    AwsRegions,
    /// One primary, a performance replica in every other site, a DR cluster each.
    Global,
    /// Two production VMware data centers and a non-production lab (QA, sandbox).
    VmwareActiveActive,
    /// On-premises primary, AWS performance replica, non-production dev and QA.
    HybridOnpremAws,
}

impl From<TemplateArg> for Template {
    fn from(t: TemplateArg) -> Self {
        match t {
            TemplateArg::TwoDatacenters => Self::TwoDatacenters,
            TemplateArg::AwsRegions => Self::AwsRegions,
            TemplateArg::Global => Self::Global,
            TemplateArg::VmwareActiveActive => Self::VmwareActiveActive,
            TemplateArg::HybridOnpremAws => Self::HybridOnpremAws,
        }
    }
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let template = Template::from(args.template);
    // Without --force an existing file is refused by the write itself, atomically: two
    // runs at once cannot both write.
    let output = args.output.open_with(if args.force {
        Clobber::Replace
    } else {
        Clobber::Refuse
    })?;
    let mut command = vec![format!("vrt init --template {}", template.name())];
    if !args.sites.is_empty() {
        command.push(format!("--sites {}", args.sites.join(",")));
    }
    if let Some(p) = &args.primary {
        command.push(format!("--primary {p}"));
    }
    if let Some(n) = &args.name {
        command.push(format!("--name {n}"));
    }
    let command = command.join(" ");
    let params = Params {
        sites: args.sites.clone(),
        primary: args.primary.clone(),
        name: args.name.clone(),
        command,
    };
    let text = match templates::render(template, &params) {
        Ok(t) => t,
        Err(e) => {
            writeln!(io.err, "error: {e}")?;
            return Ok(Exit::CouldNotRun);
        }
    };
    // The names given could still make an invalid file (a site named like a derived client);
    // never write one.
    let source = Source::new("<generated>", text.clone());
    let crate::Validation { findings, .. } =
        crate::validate(&source, crate::yaml::Limits::default(), |_| true);
    let errors: Vec<_> = findings
        .into_iter()
        .filter(|f| f.severity == crate::diag::Severity::Error)
        .collect();
    if !errors.is_empty() {
        writeln!(
            io.err,
            "error: these names make a topology with errors; nothing was written"
        )?;
        report::human::render(
            io.err,
            &[FileReport {
                source: &source,
                findings: &errors,
            }],
            report::human::Style::default(),
        )?;
        return Ok(Exit::CouldNotRun);
    }
    output.finish(text.as_bytes(), io.out)?;
    if let Some(path) = args.output.path() {
        writeln!(
            io.err,
            "wrote {}: replace the values marked FILL, check the facts marked CONFIRM, then run `vrt validate {}`",
            path.display(),
            path.display()
        )?;
    }
    Ok(Exit::Clean)
}
