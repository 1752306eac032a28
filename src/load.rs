//! Reading a topology: path or stdin → [`Source`] → [`Spec`]. YAML problems become
//! findings with the span they point at.

use std::io::Read;
use std::path::Path;

use crate::diag::Finding;
use crate::diag::structure as code;
use crate::error::Error;
use crate::source::{Source, Span};
use crate::spec::Spec;
use crate::values;
use crate::yaml::{self, Limits, Sp, YamlErrorKind};

/// The largest file vrt reads by default (a 10,000-cluster topology is about 6 MB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = yaml::DEFAULT_MAX_FILE_SIZE;

/// Reads `path` (or standard input for `-`) into a source. Bytes that are not UTF-8 are
/// replaced, and reported as a finding.
///
/// Never reads more than `max_size + 1` bytes, whatever the path is: a regular file larger
/// than the limit is refused before it is opened, and a FIFO, a device such as `/dev/zero`,
/// or standard input is read only up to the limit. A file past the limit is the finding
/// VRT006 at its line 1, column 1, with an empty source: the topology has an error, which
/// the user can fix (exit 1), unlike a path vrt cannot read (exit 2). A FIFO is opened without blocking, so
/// one with no writer is an error instead of a hang; process substitution
/// (`vrt validate <(generate)`) works, as its writer is already there.
pub fn read(path: &str, max_size: u64) -> Result<(Source, Option<Finding>), Error> {
    let (name, bytes) = if path == "-" {
        let name = "<stdin>".to_string();
        let bytes = read_capped(std::io::stdin().lock(), max_size).map_err(|e| Error::Read {
            path: name.clone(),
            source: e,
        })?;
        (name, bytes)
    } else {
        let p = Path::new(path);
        let io = |e| Error::Read {
            path: path.to_string(),
            source: e,
        };
        let meta = std::fs::metadata(p).map_err(io)?;
        if meta.is_dir() {
            return Err(Error::IsDirectory(path.to_string()));
        }
        if meta.is_file() && meta.len() > max_size {
            return Ok(too_large(path.to_string(), max_size));
        }
        let fifo = is_fifo(&meta);
        let file = open(p, fifo).map_err(io)?;
        let bytes = read_capped(file, max_size).map_err(io)?;
        if fifo && bytes.is_empty() {
            return Err(Error::EmptyFifo(path.to_string()));
        }
        (path.to_string(), bytes)
    };
    if bytes.len() as u64 > max_size {
        return Ok(too_large(name, max_size));
    }
    Ok(decode(name, bytes))
}

/// The located VRT006 error of a file larger than `limit` bytes, on an empty source.
fn too_large(name: String, limit: u64) -> (Source, Option<Finding>) {
    let finding = Finding::new(
        &code::INPUT_LIMIT,
        Span::new(0, 0),
        format!(
            "the file is larger than {limit} bytes, the limit; raise it with `--max-file-size`"
        ),
    )
    .label("vrt read no further than the limit")
    .help(LIMIT_HELP);
    (Source::new(name, String::new()), Some(finding))
}

#[cfg(unix)]
fn is_fifo(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn open(path: &Path, fifo: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if fifo {
        // Opening a FIFO for reading blocks until a writer opens it; without blocking it
        // opens at once and reads end-of-file when there is no writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

#[cfg(not(unix))]
fn open(path: &Path, _: bool) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Reads at most `max_size + 1` bytes (one more than allowed shows that the input is too
/// large). A non-blocking FIFO whose writer has not written yet is polled.
fn read_capped(reader: impl Read, max_size: u64) -> std::io::Result<Vec<u8>> {
    let mut limited = reader.take(max_size.saturating_add(1));
    let mut bytes = Vec::new();
    loop {
        match limited.read_to_end(&mut bytes) {
            Ok(_) => return Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Turns bytes into a source. A leading UTF-8 byte-order mark is dropped (editors do not
/// count it as a column); a lone carriage return (old Mac line ends) becomes a line feed,
/// which keeps every byte offset and makes vrt's lines those of the YAML parser. Text that
/// is not UTF-8 is replaced and reported at its first byte.
pub fn decode(name: String, mut bytes: Vec<u8>) -> (Source, Option<Finding>) {
    if let Some(encoding) = utf16_or_32(&bytes) {
        let finding = Finding::new(
            &code::INVALID_YAML,
            Span::new(0, 0),
            format!("the file is {encoding} text, not UTF-8"),
        )
        .label("this byte-order mark")
        .help("save the file as UTF-8");
        return (Source::new(name, String::new()), Some(finding));
    }
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => (Source::new(name, text), None),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let finding = Finding::new(
                &code::INVALID_YAML,
                Span::new(valid, 1),
                "the file is not UTF-8 text",
            )
            .label("this byte is not UTF-8")
            .help("save the file as UTF-8");
            (Source::new(name, text), Some(finding))
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding named by a UTF-16 or UTF-32 byte-order mark at the start of `bytes`.
fn utf16_or_32(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        Some("UTF-32")
    } else if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
        Some("UTF-16")
    } else {
        None
    }
}

/// Parses a source into the spec types.
pub fn parse(source: &Source, limits: Limits) -> Result<Spec, Finding> {
    if let Some(nul) = source.text.find('\0') {
        return Err(Finding::new(
            &code::INVALID_YAML,
            Span::new(nul, 1),
            "the file contains a NUL byte: it is binary data, not YAML text",
        )
        .label("NUL byte")
        .help("give vrt the topology's YAML file"));
    }
    if source
        .text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Finding::new(
            &code::INVALID_YAML,
            Span::new(0, 0),
            "the file holds no YAML document",
        )
        .help(
            "write a topology: `version: 1`, `name`, `sites` and `clusters` (see `vrt schema`)",
        ));
    }
    let spec = yaml::parse::<Spec>(&source.text, limits).map_err(|e| {
        let (rule, help) = match &e.kind {
            YamlErrorKind::Syntax => (
                &code::INVALID_YAML,
                Some(
                    "fix the YAML syntax here; a topology file holds one YAML document".to_string(),
                ),
            ),
            YamlErrorKind::UnknownKey { key, expected } => (
                &code::UNKNOWN_KEY,
                Some(match values::closest(key, expected.iter().copied()) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!(
                        "remove it; the keys allowed here are {}",
                        expected
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            ),
            YamlErrorKind::MissingKey { key } => (
                &code::MISSING_KEY,
                Some(format!("add `{key}` to this mapping")),
            ),
            YamlErrorKind::InvalidValue => (
                &code::INVALID_VALUE,
                Some("write a value of the kind the message names (see `vrt schema`)".to_string()),
            ),
            YamlErrorKind::DuplicateKey => (
                &code::DUPLICATE_KEY,
                Some("remove one of the two keys".to_string()),
            ),
            YamlErrorKind::Limit => (&code::INPUT_LIMIT, Some(LIMIT_HELP.to_string())),
        };
        let mut f = Finding::new(rule, e.span, e.message);
        if let Some(h) = help {
            f = f.help(h);
        }
        f
    })?;
    check_list_lengths(&spec, limits.max_list_entries)?;
    Ok(spec)
}

const LIMIT_HELP: &str = "real topologies stay far inside this limit: look for a runaway alias, nesting or generator; if the file is genuine, raise the limit with the flag named above";

/// Checks every list of the spec against the list-length limit; the finding points at the
/// first entry past the limit.
fn check_list_lengths(spec: &Spec, max: usize) -> Result<(), Finding> {
    fn check<T>(
        list: &[T],
        what: &str,
        span: impl Fn(&T) -> Span,
        max: usize,
    ) -> Result<(), Finding> {
        match list.get(max) {
            None => Ok(()),
            Some(entry) => Err(Finding::new(
                &code::INPUT_LIMIT,
                span(entry),
                format!(
                    "`{what}` has more than {max} entries, the limit; raise it with `--max-list-entries`"
                ),
            )
            .label(format!("entry {} of `{what}`", max + 1))
            .help(LIMIT_HELP)),
        }
    }
    let name = |s: &Sp<String>| s.span();
    check(&spec.sites, "sites", |s| s.name.span(), max)?;
    for site in spec.sites.iter() {
        check(&site.zones, "zones", name, max)?;
        check(&site.cidrs, "cidrs", name, max)?;
    }
    check(&spec.clusters, "clusters", |c| c.name.span(), max)?;
    for cluster in spec.clusters.iter() {
        check(&cluster.zones, "zones", name, max)?;
        check(&cluster.cidrs, "cidrs", name, max)?;
    }
    check(&spec.clients, "clients", |c| c.name.span(), max)?;
    for client in &spec.clients {
        check(&client.cidrs, "cidrs", name, max)?;
    }
    check(
        &spec.external_services,
        "external_services",
        |s| s.name.span(),
        max,
    )?;
    for service in &spec.external_services {
        check(&service.cidrs, "cidrs", name, max)?;
        check(&service.used_by, "used_by", name, max)?;
    }
    if let Some(network) = &spec.network {
        if let Some(rules) = &network.firewall {
            check(rules, "firewall", |r| r.name.span(), max)?;
            for rule in rules.iter() {
                check(&rule.ports, "ports", Sp::span, max)?;
            }
        }
        if let Some(dns) = &network.dns {
            check(dns, "dns", |d| d.site.span(), max)?;
            for entry in dns.iter() {
                check(&entry.resolves, "resolves", name, max)?;
            }
        }
    }
    Ok(())
}
