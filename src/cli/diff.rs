use std::path::{Path, PathBuf};
use std::process::Command;

use crate::date::Date;
use crate::diff::{self, Side};
use crate::error::Error;
use crate::report::diff as render;
use crate::source::Source;

use super::{Exit, Io};

/// Review a topology change: what it means and how to carry it out.
///
/// Compares OLD with NEW: the clusters, sites, clients, services, firewall and DNS facts
/// added, removed or changed (re-roled, re-pointed, upgraded); the findings the change
/// introduces and those it fixes (matched by code, cluster and message, not by line); the
/// failure scenarios whose recovery changes; the firewall rules to open before the change
/// and to close after it; and the migration runbook in a safe order, with the risk windows.
/// With an empty OLD (`/dev/null`) the runbook builds NEW from scratch.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vrt diff old.yaml new.yaml
  vrt diff --base origin/main topology.yaml --format markdown > comment.md
  vrt diff /dev/null examples/global.yaml            # the bootstrap runbook
  vrt diff old.yaml new.yaml --format json --firewall-format nftables

Exit codes: 0 nothing to fail on (see --fail-on), 1 NEW has errors that --fail-on counts
(by default: errors the change introduces), 2 vrt could not run (unreadable file, unknown
git ref, bad usage).")]
pub struct Args {
    /// OLD then NEW; with `--base`, only the file (NEW), whose OLD is read from git. OLD may
    /// be `/dev/null` or an empty file: the runbook then builds NEW from scratch. `-` reads
    /// standard input.
    #[arg(value_name = "FILE", required = true, num_args = 1..=2)]
    files: Vec<String>,
    /// Read OLD from git: `git show REF:FILE` in the repository holding FILE (a file that
    /// does not exist at REF is an empty OLD).
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The firewall target the network section shows its rules in.
    #[arg(long, value_enum, default_value_t = Target::Table)]
    firewall_format: Target,
    /// Which errors of NEW make the exit code 1: `new` (those the change introduces, for a
    /// pull-request check), `any` (every error in NEW) or `none` (report only).
    #[arg(long, value_enum, default_value_t = FailOn::New)]
    fail_on: FailOn,
    /// The day `ignore` entries' `until` dates are compared with (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", env = "VRT_TODAY", hide = true, value_parser = Date::parse)]
    today: Option<Date>,
    #[command(flatten)]
    output: super::OutputArgs,
    // Last: the limits' help heading applies to the flags after it.
    #[command(flatten)]
    limits: super::LimitArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Target {
    /// vrt's neutral rule list only.
    Table,
    /// nftables files (`nft -f`).
    Nftables,
    /// `iptables-restore` files (IPv4).
    Iptables,
    /// `ip6tables-restore` files (IPv6).
    Ip6tables,
    /// AWS security-group ingress to authorize and to revoke (JSON).
    AwsSg,
    /// Terraform `aws_vpc_security_group_ingress_rule` files.
    Terraform,
    /// Azure network security groups (JSON).
    AzureNsg,
}

impl Target {
    const fn report(self) -> render::Target {
        match self {
            Self::Table => render::Target::Table,
            Self::Nftables => render::Target::Nftables,
            Self::Iptables => render::Target::Iptables,
            Self::Ip6tables => render::Target::Ip6tables,
            Self::AwsSg => render::Target::AwsSg,
            Self::Terraform => render::Target::Terraform,
            Self::AzureNsg => render::Target::AzureNsg,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// For the terminal.
    Text,
    /// A pull-request comment: a summary line, then collapsible sections.
    Markdown,
    /// One JSON document (schemas/diff.schema.json).
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Errors in NEW that OLD did not have.
    New,
    /// Any error in NEW.
    Any,
    /// Never: report only.
    None,
}

/// The text of OLD and its name, or `None` when OLD is empty.
fn read(path: &str, max: u64) -> Result<(Source, Option<crate::diag::Finding>), Error> {
    crate::load::read(path, max)
}

pub fn run(args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let output = args.output.open()?;
    let limits = args.limits.limits();
    let (old, new_path) = match (&args.base, args.files.as_slice()) {
        (Some(base), [file]) => (git_show(base, file, limits.max_file_size)?, file.as_str()),
        (None, [old, new]) => (read(old, limits.max_file_size)?, new.as_str()),
        (Some(_), _) => {
            return Err(Error::BadTarget(
                "with `--base REF`, give one file: `vrt diff --base REF FILE`".to_string(),
            ));
        }
        (None, _) => {
            return Err(Error::BadTarget(
                "give two files, `vrt diff OLD NEW`, or one with `--base REF`".to_string(),
            ));
        }
    };
    if args.base.is_none() && args.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(Error::BadTarget(
            "OLD and NEW cannot both be standard input".to_string(),
        ));
    }
    let new = read(new_path, limits.max_file_size)?;
    let today = args.today.unwrap_or_else(Date::today);
    let validate = |(source, bad): &(Source, Option<crate::diag::Finding>)| match bad {
        Some(f) => crate::Validation {
            findings: vec![f.clone()],
            suppressed: Vec::new(),
            topology: None,
        },
        None => crate::validate_on(source, limits, |_| true, today),
    };
    // Nothing but blank lines and comments: an empty OLD, so the runbook builds NEW.
    let old_empty = old.1.is_none()
        && old.0.text.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        });
    let old_v = (!old_empty).then(|| validate(&old));
    let new_v = validate(&new);
    let old_side = old_v.as_ref().map(|v| Side {
        source: &old.0,
        topology: v.topology.as_ref(),
        findings: &v.findings,
    });
    let new_side = Side {
        source: &new.0,
        topology: new_v.topology.as_ref(),
        findings: &new_v.findings,
    };
    let d = diff::diff(&old.0.name, old_side, new_side);
    let mut out = Vec::new();
    let ctx = render::Context {
        target: args.firewall_format.report(),
        old_topology: old_v
            .as_ref()
            .and_then(|v| v.topology.as_ref())
            .map(|t| t.model.name.as_str()),
        new_topology: new_v.topology.as_ref().map(|t| t.model.name.as_str()),
    };
    match args.format {
        Format::Text => render::text::render(&mut out, &d, &ctx)?,
        Format::Markdown => render::markdown::render(&mut out, &d, &ctx)?,
        Format::Json => render::json::render(&mut out, &d, &ctx)?,
    }
    output.finish(&out, io.out)?;
    let fail = match args.fail_on {
        FailOn::New => d.findings.new_errors() > 0,
        FailOn::Any => d.findings.errors_in_new > 0,
        FailOn::None => false,
    };
    Ok(if fail { Exit::Findings } else { Exit::Clean })
}

/// Runs git with `args` in `dir`; its standard output, or why it failed.
fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, Error> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| Error::Read {
            path: "git".to_string(),
            source: std::io::Error::new(
                e.kind(),
                format!("cannot run git ({e}); install git or give OLD as a file"),
            ),
        })
}

fn git_error(text: &[u8]) -> String {
    String::from_utf8_lossy(text)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("git failed")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// OLD from `git show REF:FILE`: FILE made relative to the root of the repository holding
/// it. The ref and the path go to git as separate arguments, never through a shell.
fn git_show(
    base: &str,
    file: &str,
    max: u64,
) -> Result<(Source, Option<crate::diag::Finding>), Error> {
    let bad = |why: String| Err(Error::BadTarget(why));
    if base.is_empty() || base.starts_with('-') || base.chars().any(char::is_control) {
        return bad(format!(
            "`--base {}` is not a git revision; give a branch, tag or commit such as `origin/main`",
            base.escape_debug()
        ));
    }
    if file == "-" {
        return bad("`--base` needs the file's path, not `-`".to_string());
    }
    let path = std::fs::canonicalize(file).map_err(|e| Error::Read {
        path: file.to_string(),
        source: e,
    })?;
    let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
    let top = git(&dir, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return bad(format!(
            "`{file}` is not inside a git repository ({}); give OLD as a file instead: `vrt diff OLD {file}`",
            git_error(&top.stderr)
        ));
    }
    let root = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim_end_matches(['\n', '\r']));
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let Ok(rel) = path.strip_prefix(&root) else {
        return bad(format!(
            "`{file}` is outside the repository at `{}`",
            root.display()
        ));
    };
    let rel = rel
        .to_str()
        .ok_or_else(|| Error::BadTarget(format!("the path of `{file}` is not UTF-8")))?
        .replace(std::path::MAIN_SEPARATOR, "/");
    let commit = format!("{base}^{{commit}}");
    let verify = git(
        &root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &commit,
        ],
    )?;
    if !verify.status.success() {
        return bad(format!(
            "`{}` is not a commit, branch or tag of the repository at `{}`; fetch it first (for example `git fetch origin main`) or give another `--base`",
            base.escape_debug(),
            root.display()
        ));
    }
    let object = format!("{base}:{rel}");
    let name = format!("{base}:{rel}");
    let exists = git(&root, &["cat-file", "-e", "--end-of-options", &object])?;
    if !exists.status.success() {
        // The file is new in this change: OLD is empty and the runbook builds it.
        return Ok((Source::new(name, String::new()), None));
    }
    let size = git(&root, &["cat-file", "-s", "--end-of-options", &object])?;
    let bytes: u64 = String::from_utf8_lossy(&size.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    if bytes > max {
        return bad(format!(
            "`{name}` is larger than {max} bytes, the limit; raise it with `--max-file-size` if the file is genuine"
        ));
    }
    let blob = git(&root, &["cat-file", "blob", "--end-of-options", &object])?;
    if !blob.status.success() {
        return bad(format!(
            "cannot read `{name}` from git: {}",
            git_error(&blob.stderr)
        ));
    }
    Ok(crate::load::decode(name, blob.stdout))
}
