//! Reading a topology: path or stdin → [`Source`] → [`Spec`]. YAML problems become
//! findings with the span they point at.

use std::io::Read;
use std::path::Path;

use crate::diag::Finding;
use crate::error::Error;
use crate::source::{Source, Span};
use crate::spec::Spec;
use crate::structure as code;
use crate::values;
use crate::yaml::{self, Limits, YamlErrorKind};

/// The largest file vrt reads by default (a 10,000-cluster topology is a few MB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Reads `path` (or standard input for `-`) into a source. Bytes that are not UTF-8 are
/// replaced, and reported as a finding.
pub fn read(path: &str, max_size: u64) -> Result<(Source, Option<Finding>), Error> {
    let (name, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(max_size + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Read {
                path: "<stdin>".into(),
                source: e,
            })?;
        ("<stdin>".to_string(), bytes)
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
        let file = std::fs::File::open(p).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(max_size + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        (path.to_string(), bytes)
    };
    if bytes.len() as u64 > max_size {
        return Err(Error::TooLarge {
            path: name,
            limit: max_size,
        });
    }
    Ok(decode(name, bytes))
}

/// Turns bytes into a source; invalid UTF-8 is replaced and reported at its first byte.
pub fn decode(name: String, bytes: Vec<u8>) -> (Source, Option<Finding>) {
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

/// Parses a source into the spec types.
pub fn parse(source: &Source, limits: Limits) -> Result<Spec, Finding> {
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
    yaml::parse::<Spec>(&source.text, limits).map_err(|e| {
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
            YamlErrorKind::Limit => (
                &code::INPUT_LIMIT,
                Some(
                    "remove the deep nesting or alias chain; a topology needs neither".to_string(),
                ),
            ),
        };
        let mut f = Finding::new(rule, e.span, e.message);
        if let Some(h) = help {
            f = f.help(h);
        }
        f
    })
}
