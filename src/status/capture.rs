//! Status files captured into a folder: `DIR/<cluster>.json` holds the replication status
//! (the API body or `vault read -format=json sys/replication/status`), and the optional
//! `DIR/<cluster>.health.json` the `sys/health` body (or `vault status -format=json`), for
//! the version.

use std::io::Read;
use std::path::Path;

use super::live::{self, Invalid, LiveStatus, MAX_BODY_BYTES};
use super::{Observation, Observed};
use crate::graph::Topology;
use crate::source::{Source, Span};

/// The observation of every cluster of `t` from the files in `dir`, in cluster order.
pub fn read_dir(t: &Topology, dir: &Path) -> Vec<Observed> {
    t.cluster_ids()
        .map(|c| {
            let name = t.name(c);
            let path = dir.join(format!("{name}.json"));
            let health = dir.join(format!("{name}.health.json"));
            read_cluster(&path, &health)
        })
        .collect()
}

/// The observation from one status file and its optional health file.
pub fn read_cluster(path: &Path, health: &Path) -> Observed {
    let origin = path.display().to_string();
    let observation = match read_bytes(path) {
        Err(reason) => Observation::Unavailable {
            help: format!(
                "capture it: `vault read -format=json sys/replication/status > {origin}` with VAULT_ADDR pointing at the cluster"
            ),
            reason,
        },
        Ok(bytes) => observe(origin.clone(), bytes, || read_version(health)),
    };
    Observed {
        origin,
        observation,
    }
}

/// The version in a health file: `Ok(None)` when there is no such file.
fn read_version(path: &Path) -> Result<Option<String>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let source = body_source(path.display().to_string(), read_bytes(path)?)
        .map_err(|(source, e)| describe(&source, &e))?;
    live::parse_version(&source)
        .map(Some)
        .map_err(|e| describe(&source, &e))
}

/// "`path` line 3, column 5: message", for an error shown away from the body.
pub fn describe(source: &Source, e: &Invalid) -> String {
    let at = source.position(e.span.offset);
    format!(
        "`{}` line {}, column {}: {}",
        source.name, at.line, at.column, e.message
    )
}

/// The observation of a status body named `origin`; `version` is asked only when the body
/// is a status.
pub fn observe(
    origin: String,
    bytes: Vec<u8>,
    version: impl FnOnce() -> Result<Option<String>, String>,
) -> Observation {
    let source = match body_source(origin, bytes) {
        Ok(s) => s,
        Err((source, invalid)) => return Observation::Invalid { source, invalid },
    };
    match live::parse_status(&source) {
        Err(invalid) => Observation::Invalid { source, invalid },
        Ok((dr, performance)) => Observation::Live(Box::new(LiveStatus {
            dr,
            performance,
            version: version(),
        })),
    }
}

/// Reads a capture: a regular file of at most [`MAX_BODY_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("`{shown}` does not exist"),
        _ => format!("cannot read `{shown}`: {e}"),
    })?;
    if !meta.is_file() {
        return Err(format!("`{shown}` is not a regular file"));
    }
    if meta.len() > MAX_BODY_BYTES {
        return Err(format!(
            "`{shown}` is {} bytes, more than the {MAX_BODY_BYTES} a replication status can take",
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BODY_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(format!(
            "`{shown}` is more than the {MAX_BODY_BYTES} bytes a replication status can take"
        ));
    }
    Ok(bytes)
}

/// A body as a source named `name`; a body that is not UTF-8 is returned decoded with
/// U+FFFD, with the error at its first bad byte.
pub fn body_source(name: String, bytes: Vec<u8>) -> Result<Source, (Source, Invalid)> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let invalid = Invalid {
                message: format!("not UTF-8 text (bad byte at offset {at}), so not JSON"),
                span: Span {
                    offset: at,
                    len: '\u{fffd}'.len_utf8(),
                },
            };
            Err((Source::new(name, text), invalid))
        }
    }
}
