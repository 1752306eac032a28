//! The live replication state of one cluster, parsed from the body of
//! `GET /v1/sys/replication/status` (or `vault read -format=json sys/replication/status`,
//! which wraps the same object in the CLI envelope) and, optionally, the `version` of
//! `GET /v1/sys/health`.
//!
//! The parser is tolerant of missing fields (older Vault versions lack `state` on primaries,
//! `connection_state`, `corrupted_merkle_tree` and more; API-REPL, API-PERF) and of unknown
//! ones, and strict about types: a value of the wrong type is an error located at its line
//! and column.

use serde::{Deserialize, Deserializer};

use crate::graph::EdgeKind as Kind;
use crate::source::{Source, Span};

/// The most bytes of a status or health body vrt reads; a real one is a few kilobytes.
pub const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// A replication mode as Vault reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Replication of this type is not enabled.
    Disabled,
    /// The cluster is a primary of this type.
    Primary,
    /// The cluster is a secondary of this type.
    Secondary,
    /// A value vrt does not know, as reported.
    Other(String),
}

impl Mode {
    fn parse(text: &str) -> Self {
        match text {
            "disabled" => Self::Disabled,
            "primary" => Self::Primary,
            "secondary" => Self::Secondary,
            other => Self::Other(other.to_string()),
        }
    }

    /// The mode as Vault writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Disabled => "disabled",
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Other(s) => s,
        }
    }
}

/// A peer as listed in `primaries[]` or `secondaries[]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Peer {
    /// Its API address.
    #[serde(default)]
    pub api_address: Option<String>,
    /// Its cluster address.
    #[serde(default)]
    pub cluster_address: Option<String>,
    /// `connected` or `disconnected`.
    #[serde(default)]
    pub connection_status: Option<String>,
    /// On a primary's `secondaries[]`: the secondary's id.
    #[serde(default)]
    pub node_id: Option<String>,
}

/// The status of one replication type (`dr` or `performance`) on one cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replication {
    /// Disabled, primary or secondary.
    pub mode: Mode,
    /// `cluster_id`.
    pub cluster_id: Option<String>,
    /// `state`: `running` on a primary, `stream-wals` on a healthy secondary.
    pub state: Option<String>,
    /// `connection_state` on a secondary (newer versions): `ready` when connected.
    pub connection_state: Option<String>,
    /// `known_secondaries`: the ids given to `secondary-token`.
    pub known_secondaries: Vec<String>,
    /// `secondaries[]`.
    pub secondaries: Vec<Peer>,
    /// `primaries[]`.
    pub primaries: Vec<Peer>,
    /// `known_primary_cluster_addrs`.
    pub known_primary_cluster_addrs: Vec<String>,
    /// `primary_cluster_addr` (empty strings are `None`).
    pub primary_cluster_addr: Option<String>,
    /// `secondary_id` of a secondary.
    pub secondary_id: Option<String>,
    /// The primary's WAL index for this type: `last_dr_wal` or `last_performance_wal`, else
    /// `last_wal`.
    pub last_wal: Option<u64>,
    /// `last_remote_wal` of a secondary.
    pub last_remote_wal: Option<u64>,
    /// `corrupted_merkle_tree`.
    pub corrupted_merkle_tree: Option<bool>,
}

impl Replication {
    fn disabled() -> Self {
        Self {
            mode: Mode::Disabled,
            cluster_id: None,
            state: None,
            connection_state: None,
            known_secondaries: Vec::new(),
            secondaries: Vec::new(),
            primaries: Vec::new(),
            known_primary_cluster_addrs: Vec::new(),
            primary_cluster_addr: None,
            secondary_id: None,
            last_wal: None,
            last_remote_wal: None,
            corrupted_merkle_tree: None,
        }
    }

    /// Every address this secondary names for its primary: the connected primaries'
    /// cluster and API addresses, `primary_cluster_addr`, `known_primary_cluster_addrs`.
    pub fn primary_addresses(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.primaries {
            out.extend(p.cluster_address.as_deref());
            out.extend(p.api_address.as_deref());
        }
        out.extend(self.primary_cluster_addr.as_deref());
        out.extend(self.known_primary_cluster_addrs.iter().map(String::as_str));
        out.retain(|a| !a.is_empty());
        out
    }
}

/// The live state of one cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveStatus {
    /// DR replication.
    pub dr: Replication,
    /// Performance replication.
    pub performance: Replication,
    /// The version from `sys/health`: `Ok(None)` when none was captured, `Err` with the
    /// reason when it could not be read.
    pub version: Result<Option<String>, String>,
}

impl LiveStatus {
    /// The status of one replication type.
    pub fn of(&self, kind: Kind) -> &Replication {
        match kind {
            Kind::Dr => &self.dr,
            Kind::Performance => &self.performance,
        }
    }
}

/// Why a body is not a replication status: a message and the place in the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// What is wrong, rustc style.
    pub message: String,
    /// Where.
    pub span: Span,
}

#[derive(Deserialize)]
struct RawDoc {
    #[serde(default)]
    data: Option<RawBody>,
    #[serde(default)]
    dr: Option<RawRepl>,
    #[serde(default)]
    performance: Option<RawRepl>,
    #[serde(default)]
    errors: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawBody {
    #[serde(default)]
    dr: Option<RawRepl>,
    #[serde(default)]
    performance: Option<RawRepl>,
    #[serde(default)]
    mode: Option<String>,
}

#[derive(Deserialize)]
struct RawRepl {
    mode: String,
    #[serde(default)]
    cluster_id: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    connection_state: Option<String>,
    #[serde(default, deserialize_with = "strings")]
    known_secondaries: Vec<String>,
    #[serde(default, deserialize_with = "peers")]
    secondaries: Vec<Peer>,
    #[serde(default, deserialize_with = "peers")]
    primaries: Vec<Peer>,
    #[serde(default, deserialize_with = "strings")]
    known_primary_cluster_addrs: Vec<String>,
    #[serde(default)]
    primary_cluster_addr: Option<String>,
    #[serde(default)]
    secondary_id: Option<String>,
    #[serde(default, deserialize_with = "wal")]
    last_wal: Option<u64>,
    #[serde(default, deserialize_with = "wal")]
    last_dr_wal: Option<u64>,
    #[serde(default, deserialize_with = "wal")]
    last_performance_wal: Option<u64>,
    #[serde(default, deserialize_with = "wal")]
    last_remote_wal: Option<u64>,
    #[serde(default)]
    corrupted_merkle_tree: Option<bool>,
}

/// A list that Vault may write as `null`.
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

fn peers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Peer>, D::Error> {
    Ok(Option::<Vec<Peer>>::deserialize(d)?.unwrap_or_default())
}

/// A WAL index: a number, or a number in a string (as Vault writes epochs).
fn wal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wal {
        Number(u64),
        Text(String),
    }
    match Option::<Wal>::deserialize(d)? {
        None => Ok(None),
        Some(Wal::Number(n)) => Ok(Some(n)),
        Some(Wal::Text(t)) => t.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("a WAL index must be a whole number, not `{t}`"))
        }),
    }
}

impl RawRepl {
    fn into_replication(self, kind: Kind) -> Replication {
        let typed_wal = match kind {
            Kind::Dr => self.last_dr_wal,
            Kind::Performance => self.last_performance_wal,
        };
        Replication {
            mode: Mode::parse(&self.mode),
            cluster_id: self.cluster_id.filter(|s| !s.is_empty()),
            state: self.state,
            connection_state: self.connection_state,
            known_secondaries: self.known_secondaries,
            secondaries: self.secondaries,
            primaries: self.primaries,
            known_primary_cluster_addrs: self.known_primary_cluster_addrs,
            primary_cluster_addr: self.primary_cluster_addr.filter(|s| !s.is_empty()),
            secondary_id: self.secondary_id.filter(|s| !s.is_empty()),
            last_wal: typed_wal.or(self.last_wal),
            last_remote_wal: self.last_remote_wal,
            corrupted_merkle_tree: self.corrupted_merkle_tree,
        }
    }
}

/// Parses a replication status body: the API body or the CLI envelope (both carry `data`
/// with `dr` and `performance`), or a bare object with `dr` and `performance`.
pub fn parse_status(source: &Source) -> Result<(Replication, Replication), Invalid> {
    let doc: RawDoc = serde_json::from_str(&source.text).map_err(|e| json_error(source, &e))?;
    let at_start = Span {
        offset: 0,
        len: source.text.chars().next().map_or(0, char::len_utf8),
    };
    let (dr, performance) = match doc.data {
        Some(RawBody { mode: Some(_), .. }) => {
            return Err(Invalid {
                message: "this is the status of one replication type (`sys/replication/dr/status` or `sys/replication/performance/status`), not of both".into(),
                span: at_start,
            });
        }
        Some(body) => (body.dr, body.performance),
        None => (doc.dr, doc.performance),
    };
    if dr.is_none() && performance.is_none() {
        let message = match doc.errors {
            Some(errors) if !errors.is_empty() => {
                format!("Vault answered with errors: `{}`", errors.join("; "))
            }
            _ => "no `dr` or `performance` replication status in it".into(),
        };
        return Err(Invalid {
            message,
            span: at_start,
        });
    }
    Ok((
        dr.map_or_else(Replication::disabled, |r| r.into_replication(Kind::Dr)),
        performance.map_or_else(Replication::disabled, |r| {
            r.into_replication(Kind::Performance)
        }),
    ))
}

#[derive(Deserialize)]
struct RawHealth {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    data: Option<Box<RawHealth>>,
}

/// The `version` of a `sys/health` body (or of `vault status -format=json`, or of either in
/// the CLI envelope).
pub fn parse_version(source: &Source) -> Result<String, Invalid> {
    let doc: RawHealth = serde_json::from_str(&source.text).map_err(|e| json_error(source, &e))?;
    doc.version
        .or_else(|| doc.data.and_then(|d| d.version))
        .ok_or_else(|| Invalid {
            message: "no `version` in it".into(),
            span: Span { offset: 0, len: 0 },
        })
}

/// A serde_json error as a message and a span in the body.
fn json_error(source: &Source, e: &serde_json::Error) -> Invalid {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    let message = match e.classify() {
        serde_json::error::Category::Eof => {
            format!("the JSON ends early ({message}): the capture is truncated")
        }
        serde_json::error::Category::Syntax => format!("not valid JSON: {message}"),
        serde_json::error::Category::Data => format!("not a replication status: {message}"),
        serde_json::error::Category::Io => message,
    };
    Invalid {
        message,
        span: span_at(source, e.line(), e.column()),
    }
}

/// The span of one character at a 1-based line and column (serde_json counts bytes),
/// clamped into the text.
fn span_at(source: &Source, line: usize, column: usize) -> Span {
    let text = &source.text;
    let mut offset = 0;
    for _ in 1..line.max(1) {
        match text[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => break,
        }
    }
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut at = (offset + column.saturating_sub(1)).min(line_end);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    Span { offset: at, len }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source::new("s.json", text)
    }

    #[test]
    fn older_shape_without_state_parses() {
        let (dr, perf) = parse_status(&src(
            r#"{"data":{"dr":{"mode":"disabled"},"performance":{"mode":"primary","last_wal":87,"known_secondaries":["2"]}}}"#,
        ))
        .unwrap();
        assert_eq!(dr.mode, Mode::Disabled);
        assert_eq!(perf.mode, Mode::Primary);
        assert_eq!(perf.last_wal, Some(87));
        assert_eq!(perf.state, None);
    }

    #[test]
    fn errors_are_located() {
        let e = parse_status(&src("{\n  \"data\": {\n    \"dr\": {\"mode\": 5}\n}}")).unwrap_err();
        assert!(
            e.message.contains("not a replication status"),
            "{}",
            e.message
        );
        let s = src("{\n  \"data\": {\n    \"dr\": {\"mode\": 5}\n}}");
        assert_eq!(s.position(e.span.offset).line, 3);
        let e = parse_status(&src("{\"data\": {\"dr\": ")).unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        let e = parse_status(&src("é not json")).unwrap_err();
        assert!(e.message.starts_with("not valid JSON"), "{}", e.message);
        let e = parse_status(&src(r#"{"errors":["permission denied"]}"#)).unwrap_err();
        assert!(e.message.contains("permission denied"));
        let e = parse_status(&src(r#"{"data":{"mode":"primary"}}"#)).unwrap_err();
        assert!(e.message.contains("one replication type"));
    }

    #[test]
    fn wal_as_text_and_deep_nesting() {
        let (dr, _) = parse_status(&src(
            r#"{"dr":{"mode":"secondary","last_remote_wal":"68"},"performance":{"mode":"disabled"}}"#,
        ))
        .unwrap();
        assert_eq!(dr.last_remote_wal, Some(68));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_status(&src(&deep)).is_err());
    }
}
