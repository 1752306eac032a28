//! The only module that knows the YAML crate (serde-saphyr): the span-carrying value type
//! [`Sp`], the parse call with its options and limits, and the mapping of the crate's
//! errors to vrt's own [`YamlError`]. Swapping the YAML crate means rewriting this file only.

use std::borrow::Cow;
use std::ops::Deref;

use schemars::{JsonSchema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_saphyr::{Budget, MergeKeyPolicy, Options, Spanned};

use crate::source::Span;

pub mod plain;

/// A value of type `T` together with the span of the YAML node it came from.
#[derive(Clone, Debug)]
pub struct Sp<T> {
    value: T,
    span: Span,
}

impl<T> Sp<T> {
    /// A value with a given span (for values built in code, such as defaults).
    pub const fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }

    /// The span of the value in the source text.
    pub const fn span(&self) -> Span {
        self.span
    }

    /// The value.
    pub const fn get(&self) -> &T {
        &self.value
    }
}

impl<T> Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<T>::deserialize(deserializer)?;
        let span = span_of(&spanned.referenced);
        Ok(Self {
            value: spanned.value,
            span,
        })
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

fn span_of(location: &serde_saphyr::Location) -> Span {
    let span = location.span();
    match span.byte_offset() {
        Some(offset) => Span::new(
            usize::try_from(offset).unwrap_or(usize::MAX),
            span.byte_len()
                .and_then(|l| usize::try_from(l).ok())
                .unwrap_or(0),
        ),
        None => Span::default(),
    }
}

/// The span of an error location; scanner errors carry only a line and column, which are
/// turned into a byte offset here.
fn error_span(location: &serde_saphyr::Location, text: &str) -> Span {
    if location.span().byte_offset().is_some() {
        return span_of(location);
    }
    let (line, column) = (location.line(), location.column());
    if line == 0 {
        return Span::default();
    }
    let line_start = text
        .split_inclusive('\n')
        .take(usize::try_from(line - 1).unwrap_or(usize::MAX))
        .map(str::len)
        .sum::<usize>();
    let rest = &text[line_start.min(text.len())..];
    let offset = rest
        .char_indices()
        .nth(usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX))
        .map_or(rest.len(), |(i, _)| i);
    Span::new(line_start + offset, 0)
}

/// The plain scalar starting at `span` (up to the end of its line or a flow indicator).
fn scalar_at(text: &str, span: Span) -> &str {
    let start = span.offset.min(text.len());
    let rest = &text[start..];
    let end = if span.len > 0 {
        span.len.min(rest.len())
    } else {
        rest.find(['\n', ',', ']', '}', '#']).unwrap_or(rest.len())
    };
    rest.get(..end).unwrap_or("").trim()
}

/// The YAML tag (`!!str`) written just before `offset` on its line, if any.
fn tag_before(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?.trim_end_matches([' ', '\t']);
    let start = before
        .rfind([' ', '\t', '\n', '[', '{', ','])
        .map_or(0, |i| i + 1);
    let token = &before[start..];
    (token.starts_with('!') && token.len() > 1).then_some(token)
}

fn friendly_type(ty: &str) -> &str {
    match ty {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" => {
            "a whole number"
        }
        "f32" | "f64" => "a number",
        "bool" => "`true` or `false`",
        "string scalar" => "a single value (not a list or mapping)",
        "sequence start" => "a list",
        "mapping start" => "a mapping",
        other => other,
    }
}

/// Limits that protect vrt from hostile or broken input, sized for real topologies of
/// 10,000 clusters. Each is a flag of every command that reads a topology (see
/// `cli::LimitArgs`), and the error for each names its flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file to read, in bytes; also caps the text of all values with aliases
    /// expanded (`--max-file-size`).
    pub max_file_size: u64,
    /// Most YAML nodes (mappings, lists and values), counted with aliases expanded
    /// (`--max-nodes`).
    pub max_nodes: usize,
    /// Deepest nesting of mappings and lists (`--max-depth`).
    pub max_depth: usize,
    /// Most alias uses (`*name`) and merge keys (`<<`) (`--max-aliases`).
    pub max_aliases: usize,
    /// Most entries in any one list: sites, clusters, clients, firewall rules, zones, CIDRs,
    /// ports (`--max-list-entries`).
    pub max_list_entries: usize,
    /// Most network flows the port matrix may hold, counted from the replication graph
    /// before any is built (`--max-flows`); a large standby set counts as its group flows,
    /// not as its pairs.
    pub max_flows: u64,
}

/// The default of [`Limits::max_file_size`]: 64 MiB (a 10,000-cluster topology is about 6 MB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        // A 10,000-cluster topology with its clients, services, firewall rules and DNS facts
        // (`synthetic::topology_yaml(5_000)`, 7.7 MB) has about 816,000 nodes; two million
        // leaves room for 2.4 times that, and stops an alias bomb at about 150 MB.
        Self {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_nodes: 2_000_000,
            max_depth: 64,
            max_aliases: 100_000,
            max_list_entries: 100_000,
            // The 10,000-cluster synthetic topology needs at most about 122,500 flows; a
            // million admits one cluster with 600 DR secondaries and 120 clients, whose
            // 790,000 flows validate in seconds and under 200 MB (BENCHMARKS.md).
            max_flows: 1_000_000,
        }
    }
}

/// What went wrong while reading YAML into the spec types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// Not well-formed YAML, several documents, an empty file, an unsupported tag.
    Syntax,
    /// A key the type does not define; with the keys it does.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The keys allowed at that place.
        expected: Vec<&'static str>,
    },
    /// A required key is absent.
    MissingKey {
        /// The missing key.
        key: String,
    },
    /// A value of the wrong type or an unknown enumeration value.
    InvalidValue,
    /// A key repeated in one mapping.
    DuplicateKey,
    /// A limit of [`Limits`] was exceeded.
    Limit,
}

/// A YAML-level error with the span it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// Its kind.
    pub kind: YamlErrorKind,
    /// A user-facing message (lowercase, no location in it).
    pub message: String,
    /// Where.
    pub span: Span,
}

/// The highest nesting limit (`--max-depth`) vrt accepts. The parser recurses once per
/// level of a merge-key value or a complex key: measured on its [`PARSER_STACK`] thread, a
/// complex key nested 20,000 deep parses and one 40,000 deep overflows the stack, so this
/// cap leaves it about 40 times the room it needs. Nested lists in a merge key also cost
/// time and memory quadratically (500 levels: 2 s and 90 MB; 2,000 levels: 52 s and
/// 1.2 GB), which the cap bounds too. Real topologies nest 6 levels deep; the default
/// limit is 64.
pub const MAX_DEPTH_CAP: usize = 500;

/// The stack size of the thread the parser runs on, whatever the caller's own stack is
/// (a test thread has 2 MiB, a main thread usually 8 MiB). Only the pages a deep file
/// touches are used.
pub const PARSER_STACK: usize = 64 * 1024 * 1024;

/// Parses `text` (one YAML document) into `T`, on a thread of its own with a
/// [`PARSER_STACK`] stack, so that nesting up to [`MAX_DEPTH_CAP`] cannot overflow it.
pub fn parse<T: DeserializeOwned + Send>(text: &str, limits: Limits) -> Result<T, YamlError> {
    if limits.max_depth > MAX_DEPTH_CAP {
        return Err(YamlError {
            kind: YamlErrorKind::Limit,
            message: format!(
                "the nesting limit {} is above {MAX_DEPTH_CAP}, the most the parser can take; lower `--max-depth`",
                limits.max_depth
            ),
            span: Span::default(),
        });
    }
    let run = || {
        serde_saphyr::from_str_with_options(text, options(limits))
            .map_err(|e| convert(&e, text, limits))
    };
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("yaml".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, run)
        {
            Ok(parser) => parser
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(e) => Err(YamlError {
                kind: YamlErrorKind::Limit,
                message: format!(
                    "vrt could not start the parser's thread ({e}); free some memory or processes and run it again"
                ),
                span: Span::default(),
            }),
        }
    })
}

/// The parser's options: strict where YAML is surprising, and every budget of the crate
/// derived from the four [`Limits`] so that a breach is always reported as one of them.
fn options(limits: Limits) -> Options {
    let nodes = limits.max_nodes;
    // Every event is a node, the end of a mapping or list (at most one per node), an alias,
    // or one of the four stream and document events: with this many events allowed, the
    // node or alias limit always breaks first.
    let events = nodes
        .saturating_mul(2)
        .saturating_add(limits.max_aliases)
        .saturating_add(16);
    let mut budget = Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_nodes = nodes;
    budget.max_events = events;
    budget.max_aliases = limits.max_aliases;
    budget.max_merge_keys = limits.max_aliases;
    budget.max_anchors = nodes;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = usize::try_from(limits.max_file_size).unwrap_or(usize::MAX);
    budget.max_recorded_anchor_bytes = budget.max_total_scalar_bytes;
    budget.max_recorded_anchor_events = nodes.saturating_mul(RECORDED_PER_NODE);
    // A flow collection deeper than the depth limit must meet the depth limit, not the
    // scanner's own fixed one.
    budget.flow_nesting_limit = limits
        .max_depth
        .saturating_add(1)
        .max(budget.flow_nesting_limit);
    // The crate's ratio check (more than ten uses per anchor) rejects a real pattern — one
    // `zones: *site-zones` anchor used by hundreds of clusters — while the node count, which
    // includes every node an alias replays, already bounds what aliases can expand to.
    budget.enforce_alias_anchor_ratio = false;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = events;
    options.alias_limits.max_replay_stack_depth = limits.max_depth;
    // YAML 1.1 merge keys (`<<: *defaults`) are accepted: they share defaults between
    // clusters, their values keep the location of the alias, and they count against the
    // alias limit.
    options.merge_keys = MergeKeyPolicy::Merge;
    options.reject_unsupported_tags = true;
    options.strict_booleans = true;
    options.with_snippet = false;
    options
}

/// How many copies of one node anchors nested in anchors may record (each enclosing anchor
/// keeps its own copy); a real file nests anchors one or two deep.
const RECORDED_PER_NODE: usize = 4;

/// Parses `text` into a JSON value (for checking files against the JSON Schema).
pub fn to_json(text: &str) -> Result<serde_json::Value, YamlError> {
    parse(text, Limits::default())
}

#[allow(clippy::too_many_lines)] // one arm per kind of error the crate reports
fn convert(error: &serde_saphyr::Error, text: &str, limits: Limits) -> YamlError {
    use serde_saphyr::Error as E;
    // The location is the outermost one: for an error inside a value that an alias brought
    // in, where the alias is used.
    let span = error
        .location()
        .map(|l| error_span(&l, text))
        .unwrap_or_default();
    let mut inner = error.without_snippet();
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = inner {
        inner = error;
    }
    let (kind, message) = match inner {
        E::SerdeUnknownField {
            field, expected, ..
        } => (
            YamlErrorKind::UnknownKey {
                key: field.clone(),
                expected: expected.clone(),
            },
            format!("unknown key `{field}`"),
        ),
        E::SerdeMissingField { field, .. } => (
            YamlErrorKind::MissingKey {
                key: (*field).to_string(),
            },
            format!("missing required key `{field}`"),
        ),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            YamlErrorKind::InvalidValue,
            format!(
                "unknown value `{variant}`, expected one of {}",
                expected
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            YamlErrorKind::InvalidValue,
            format!("expected {expected}, found {unexpected}"),
        ),
        E::DuplicateMappingKey { key, .. } => (
            YamlErrorKind::DuplicateKey,
            match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate key".to_string(),
            },
        ),
        E::InvalidScalar { ty, .. } => (
            YamlErrorKind::InvalidValue,
            match tag_before(text, span.offset) {
                Some(tag) => format!(
                    "expected {}, found `{tag} {}`: the tag `{tag}` makes it another type",
                    friendly_type(ty),
                    scalar_at(text, span)
                ),
                None => format!(
                    "expected {}, found `{}`",
                    friendly_type(ty),
                    scalar_at(text, span)
                ),
            },
        ),
        E::Unexpected { expected, .. } => (
            YamlErrorKind::InvalidValue,
            format!("expected {} here", friendly_type(expected)),
        ),
        E::Budget { breach, .. }
            if !matches!(breach, serde_saphyr::budget::BudgetBreach::Documents { .. }) =>
        {
            (YamlErrorKind::Limit, budget_message(breach, limits))
        }
        E::Budget { .. } | E::MultipleDocuments { .. } => (
            YamlErrorKind::Syntax,
            "a second YAML document starts here; a topology file holds exactly one".to_string(),
        ),
        E::AliasReplayLimitExceeded { .. } | E::AliasReplayCounterOverflow { .. } => {
            (YamlErrorKind::Limit, nodes_message(limits))
        }
        E::AliasReplayStackDepthExceeded { .. } => (
            YamlErrorKind::Limit,
            format!(
                "aliases nest deeper than the limit of {} levels; raise it with `--max-depth`",
                limits.max_depth
            ),
        ),
        E::NullIntoString { .. } => (
            YamlErrorKind::InvalidValue,
            "expected a value, found nothing (null)".to_string(),
        ),
        E::Message { msg, .. } if msg.starts_with(plain::MARK) => {
            let msg = &msg[plain::MARK.len()..];
            let head = msg.split([',', '\u{1}']).next().unwrap_or(msg);
            let message = match (
                tag_before(text, span.offset),
                msg.strip_suffix(plain::FOUND_AS_WRITTEN),
            ) {
                (Some(tag), _) => format!(
                    "{head}, found `{tag} {}`: the tag `{tag}` makes it another type",
                    scalar_at(text, span)
                ),
                (None, Some(m)) => format!("{m}, found `{}`", scalar_at(text, span)),
                (None, None) => msg.to_string(),
            };
            (YamlErrorKind::InvalidValue, message)
        }
        E::InvalidBooleanStrict { .. } => (
            YamlErrorKind::InvalidValue,
            format!(
                "expected `true` or `false`, found `{}`",
                scalar_at(text, span)
            ),
        ),
        other => {
            let message = user_message(other);
            if message == "recursion limit exceeded" {
                // The scanner's own nesting guard, set just past the depth limit.
                return YamlError {
                    kind: YamlErrorKind::Limit,
                    message: budget_message(
                        &serde_saphyr::budget::BudgetBreach::Depth {
                            depth: limits.max_depth,
                        },
                        limits,
                    ),
                    span,
                };
            }
            let message = if message.starts_with("simple key expected") {
                "no `:` follows this key within 1024 characters (a YAML key is at most 1024 characters)".to_string()
            } else if message == "reference to unknown value" {
                format!(
                    "the alias `{}` names no anchor defined before it",
                    scalar_at(text, span)
                )
            } else {
                message
            };
            (YamlErrorKind::Syntax, message)
        }
    };
    YamlError {
        kind,
        message,
        span,
    }
}

fn nodes_message(limits: Limits) -> String {
    format!(
        "the file has more than {} YAML nodes (mappings, lists and values, aliases expanded), the limit; raise it with `--max-nodes`",
        limits.max_nodes
    )
}

fn budget_message(breach: &serde_saphyr::budget::BudgetBreach, limits: Limits) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { .. } => format!(
            "nesting is deeper than {} levels, the limit; raise it with `--max-depth`",
            limits.max_depth
        ),
        // Events and anchors are sized so that they cannot break before nodes do; they are
        // reported as the node limit should that ever change.
        B::Nodes { .. } | B::Events { .. } | B::Anchors { .. } => nodes_message(limits),
        B::RecordedAnchorEvents { .. } => format!(
            "anchors nested inside anchors copy more than {} nodes ({RECORDED_PER_NODE} × the node limit); raise it with `--max-nodes`, or stop nesting anchors",
            limits.max_nodes.saturating_mul(RECORDED_PER_NODE)
        ),
        B::Aliases { .. } => format!(
            "the file uses aliases (`*name`) more than {} times, the limit; raise it with `--max-aliases`",
            limits.max_aliases
        ),
        B::MergeKeys { .. } => format!(
            "the file has more than {} merge keys (`<<`), the alias limit; raise it with `--max-aliases`",
            limits.max_aliases
        ),
        B::ScalarBytes { .. } | B::RecordedAnchorBytes { .. } | B::InputBytes { .. } => format!(
            "the values hold more than {} bytes of text (aliases expanded), the file size limit; raise it with `--max-file-size`",
            limits.max_file_size
        ),
        other => format!("the file exceeds a parser limit ({other:?})"),
    }
}

fn user_message(error: &serde_saphyr::Error) -> String {
    let text = error.render_with_formatter(&serde_saphyr::UserMessageFormatter);
    // The crate appends " at line L, column C"; vrt shows positions itself.
    let text = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut text = text.trim().to_string();
    // The scanner quotes as `x'; vrt quotes in backticks.
    if let Some(open) = text.find('`')
        && let Some(close) = text[open + 1..].find('\'')
        && !text[open + 1..open + 1 + close].contains('`')
    {
        text.replace_range(open + 1 + close..open + 2 + close, "`");
    }
    if let Some(first) = text.get(..1) {
        let lower = first.to_lowercase();
        text.replace_range(..1, &lower);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        name: Sp<String>,
    }

    #[test]
    fn spans_point_at_the_value() {
        let doc: Doc = parse("name: hello\n", Limits::default()).unwrap();
        assert_eq!(doc.name.get(), "hello");
        assert_eq!(doc.name.span(), Span::new(6, 5));
    }

    #[test]
    fn unknown_keys_carry_the_expected_keys() {
        let err = parse::<Doc>("nmae: x\n", Limits::default()).unwrap_err();
        assert_eq!(
            err.kind,
            YamlErrorKind::UnknownKey {
                key: "nmae".into(),
                expected: vec!["name"]
            }
        );
        assert_eq!(err.span, Span::new(0, 4));
    }

    #[derive(Debug, Deserialize)]
    struct Nested {
        #[allow(dead_code)]
        list: Vec<Vec<Vec<Vec<Vec<u8>>>>>,
    }

    #[test]
    fn a_depth_above_the_cap_is_refused() {
        let limits = Limits {
            max_depth: MAX_DEPTH_CAP + 1,
            ..Limits::default()
        };
        let err = parse::<Doc>("name: x\n", limits).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::Limit);
        assert!(
            err.message.contains("lower `--max-depth`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_parser_has_its_own_stack() {
        // A complex key nested to the cap needs about 1.25 MB of stack; the caller here has
        // 256 KiB, which would overflow (and abort the test run) were the parser on it.
        let depth = MAX_DEPTH_CAP - 2;
        let text = format!("? {}{}\n: 1\n", "[".repeat(depth), "]".repeat(depth));
        let limits = Limits {
            max_depth: MAX_DEPTH_CAP,
            ..Limits::default()
        };
        let err = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse::<Doc>(&text, limits).unwrap_err())
            .unwrap()
            .join()
            .unwrap();
        assert_ne!(err.kind, YamlErrorKind::Limit, "{err:?}");
    }

    #[test]
    fn nesting_past_the_limit_is_a_limit_error() {
        let text = format!("list: {}1{}\n", "[".repeat(5), "]".repeat(5));
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        let err = parse::<Nested>(&text, limits).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::Limit, "{err:?}");
        assert!(err.message.contains("3 levels"), "{}", err.message);
    }
}
