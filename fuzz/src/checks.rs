//! The checks of the `render` fuzz target and of `tests/hostile_outputs.rs` (which includes
//! this file): what every output of vrt must satisfy whatever the file's values are, and the
//! structure no value may change, read with each format's parser (pulldown-cmark for
//! Markdown, RFC 4180 for CSV, serde_json for JSON, statements for DOT, Mermaid, nftables,
//! iptables and Terraform). See `docs/fuzzing.md`.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// How an output is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Terminal or plain text: no raw control character.
    Text,
    /// Markdown (pulldown-cmark).
    Markdown,
    /// CSV (RFC 4180).
    Csv,
    /// JSON.
    Json,
    /// DOT, Mermaid, nftables or iptables: statements outside quoted strings.
    Statements,
    /// Terraform (HCL): statements, and no live template in a string.
    Terraform,
    /// XML (JUnit).
    Xml,
    /// GitHub workflow commands.
    Github,
}

/// Whether `c` must not appear raw in a text output (see `vrt::report::escape::is_hidden`).
fn raw_control(c: char) -> bool {
    vrt::report::escape::is_hidden(c) && !matches!(c, '\n' | '\t')
}

/// The checks that need no benign output.
pub fn invariants(what: &str, kind: Kind, text: &str) {
    if kind == Kind::Json {
        serde_json::from_str::<serde_json::Value>(text)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{text}"));
        return;
    }
    if let Some(c) = text.chars().find(|c| raw_control(*c)) {
        panic!("{what} carries a raw {c:?}:\n{text}");
    }
    match kind {
        Kind::Markdown => {
            // vrt's own Markdown holds no HTML but the line breaks of table cells.
            let html = Parser::new_ext(text, pulldown_cmark::Options::ENABLE_TABLES)
                .filter_map(|e| match e {
                    Event::Html(h) | Event::InlineHtml(h) => Some(h.to_string()),
                    _ => None,
                })
                .find(|h| h != "<br>");
            assert!(
                html.is_none(),
                "{what}: HTML {html:?} in vrt's Markdown:\n{text}"
            );
        }
        Kind::Csv => {
            let records = csv_records(text);
            if let Some(first) = records.first() {
                assert!(
                    records.iter().all(|r| r == first),
                    "{what}: records of different lengths {records:?}:\n{text}"
                );
            }
        }
        Kind::Github => {
            let lines: Vec<&str> = text.lines().collect();
            if let Some((summary, commands)) = lines.split_last() {
                assert!(!summary.starts_with("::"), "{what}:\n{text}");
                for l in commands {
                    assert!(
                        ["::error ", "::warning ", "::notice "]
                            .iter()
                            .any(|p| l.starts_with(p)),
                        "{what}: not one workflow command per line:\n{text}"
                    );
                }
            }
        }
        Kind::Terraform => {
            for s in quoted_strings(text) {
                assert!(
                    !live_template(&s),
                    "{what}: a live template in {s:?}:\n{text}"
                );
            }
        }
        _ => {}
    }
}

/// Whether an HCL string (as written, between its quotes) holds a `${` or `%{` that is not
/// escaped as `$${` or `%%{`.
fn live_template(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if matches!(b[i], b'$' | b'%') {
            if b[i + 1] == b[i] && b.get(i + 2) == Some(&b'{') {
                i += 3;
                continue;
            }
            if b[i + 1] == b'{' {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// The structure of an output that no value may change.
pub fn structure(kind: Kind, text: &str) -> String {
    match kind {
        Kind::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(|v| shape_of_json(&v))
            .unwrap_or_default(),
        Kind::Markdown => format!("{:?}", markdown_skeleton(text)),
        Kind::Csv => format!("{:?}", csv_records(text)),
        Kind::Statements | Kind::Terraform => format!("{:?}", statements(text)),
        Kind::Xml => text.matches('<').count().to_string(),
        Kind::Github => text.lines().count().to_string(),
        // Terminal text: values change the wrapping; only the invariants apply.
        Kind::Text => String::new(),
    }
}

/// What a Markdown document is made of: headings (level, text), fenced code blocks
/// (language, text), tables, rows, HTML.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MarkdownShape {
    /// Headings: level and text.
    pub headings: Vec<(usize, String)>,
    /// Code blocks: language (`(indented)` for an indented block) and text.
    pub code: Vec<(String, String)>,
    /// Tables.
    pub tables: usize,
    /// Table rows, header rows included.
    pub rows: usize,
    /// HTML blocks and inline HTML.
    pub html: usize,
}

/// The shape of a Markdown document, as pulldown-cmark (with tables) parses it.
pub fn markdown_shape(md: &str) -> MarkdownShape {
    let mut shape = MarkdownShape::default();
    let mut heading: Option<(usize, String)> = None;
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as usize, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => shape.headings.extend(heading.take()),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(l) => l.to_string(),
                    pulldown_cmark::CodeBlockKind::Indented => "(indented)".to_string(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => shape.code.extend(code.take()),
            Event::Start(Tag::Table(_)) => shape.tables += 1,
            Event::Start(Tag::TableRow | Tag::TableHead) => shape.rows += 1,
            Event::Html(_) | Event::InlineHtml(_) => shape.html += 1,
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.1.push_str(&t);
                }
                if let Some(c) = code.as_mut() {
                    c.1.push_str(&t);
                }
            }
            _ => {}
        }
    }
    shape
}

/// The skeleton of a Markdown shape that values cannot change: heading levels, code block
/// languages and line counts, tables, rows, HTML.
pub type Skeleton = (Vec<usize>, Vec<(String, usize)>, usize, usize, usize);

/// The [`Skeleton`] of a Markdown document.
pub fn markdown_skeleton(md: &str) -> Skeleton {
    let s = markdown_shape(md);
    (
        s.headings.iter().map(|h| h.0).collect(),
        s.code
            .iter()
            .map(|c| (c.0.clone(), c.1.lines().count()))
            .collect(),
        s.tables,
        s.rows,
        s.html,
    )
}

/// The lines of `text` with everything between double quotes removed (a backslash escapes
/// the next character inside quotes), each run of letters, digits, `_` and `-` (an
/// identifier, keyword or option, which may be built from a name) written `w`, and each run
/// of comment lines (`#`, `//`, `%%`, whose wrapping follows the values) reduced to its
/// marker: the
/// statements of DOT, Mermaid, nftables, iptables and Terraform files, whatever their
/// strings, names and comments say. A value that breaks out of a string, an identifier or a
/// comment adds a line or changes its punctuation.
pub fn statements(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for l in text.lines() {
        let trimmed = l.trim_start();
        if let Some(marker) = ["#", "//", "%%"].iter().find(|m| trimmed.starts_with(**m)) {
            if lines.last().map(String::as_str) != Some(*marker) {
                lines.push((*marker).to_string());
            }
            continue;
        }
        let mut out = String::new();
        let (mut quoted, mut escaped) = (false, false);
        for c in l.chars() {
            if quoted {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    quoted = false;
                    out.push('"');
                }
            } else if c.is_ascii_alphanumeric() || matches!(c, '_' | '-') {
                if !out.ends_with('w') {
                    out.push('w');
                }
            } else {
                quoted = c == '"';
                out.push(c);
            }
        }
        lines.push(out);
    }
    lines
}

/// The double-quoted strings of `text` outside `#` comment lines (a backslash escapes the
/// next character), each without its quotes and with its escapes as written.
fn quoted_strings(text: &str) -> Vec<String> {
    let mut strings = Vec::new();
    for l in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let (mut current, mut quoted, mut escaped) = (String::new(), false, false);
        for c in l.chars() {
            if !quoted {
                quoted = c == '"';
            } else if escaped {
                escaped = false;
                current.push(c);
            } else if c == '\\' {
                escaped = true;
                current.push(c);
            } else if c == '"' {
                quoted = false;
                strings.push(std::mem::take(&mut current));
            } else {
                current.push(c);
            }
        }
    }
    strings
}

/// The number of fields of each record of a CSV text (RFC 4180 quoting).
pub fn csv_records(text: &str) -> Vec<usize> {
    let mut records = Vec::new();
    let (mut fields, mut quoted, mut any) = (1, false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        any = true;
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields += 1,
            '\n' if !quoted => {
                records.push(fields);
                fields = 1;
                any = false;
            }
            _ => {}
        }
    }
    assert!(!quoted, "a CSV field is left open:\n{text}");
    if any {
        records.push(fields);
    }
    records
}

/// The keys and array lengths of a JSON document, not its strings.
pub fn shape_of_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{k}:{}", shape_of_json(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(shape_of_json).collect::<Vec<_>>().join(",")
        ),
        serde_json::Value::String(_) => "s".into(),
        _ => "v".into(),
    }
}
