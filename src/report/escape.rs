//! Escaping of topology-file values for each output format. Every value of a topology file
//! is hostile: a renderer never writes one raw, it passes it through the function of its
//! output's format here, so that no value can change the structure of what vrt prints (a
//! heading, a fence, a table row, a workflow command, a shell word, an XML element) nor send
//! a control sequence to a terminal.
//!
//! Invisible or controlling characters (C0 and C1 controls, DEL, bidi overrides and
//! isolates, zero-width characters, line and paragraph separators) are never passed through:
//! every format shows them as a Rust-style escape such as `\u{202e}`, which a reviewer can
//! see, before applying its own quoting.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must be shown escaped: controls (C0, DEL, C1), bidi embeddings, overrides,
/// isolates and marks, zero-width characters, separators that break lines, and the
/// byte-order mark.
pub fn is_hidden(c: char) -> bool {
    crate::text::hidden(c)
}

/// A value for a terminal or plain-text output: hidden characters (see [`is_hidden`]),
/// newlines and tabs included, shown as `\u{1b}`, `\n`, `\t`, so the value stays on its line
/// and sends no escape sequence.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_hidden(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// A value as Markdown text: hidden characters shown escaped, then backslash-escaped every
/// ASCII character that can open inline markup anywhere in a line (`` \ ` * _ [ ] < > | ~ &
/// # ``) and those that open a block at the start of one (`-`, `+`, `=` first), so the value
/// renders literally in a paragraph, heading or table cell and opens no emphasis, link,
/// image, HTML, code span, list, heading or table cell. A `!` is left as it is: it opens an
/// image only before a `[`, which is escaped, so quoted prose keeps its exclamation marks.
pub fn md_text(s: &str) -> String {
    let visible = terminal(s);
    let mut out = String::with_capacity(visible.len() + 8);
    for (i, c) in visible.chars().enumerate() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#'
        ) || (i == 0 && matches!(c, '-' | '+' | '='));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value as a Markdown code span, safe in prose and in table cells: hidden characters shown
/// escaped, delimited by one more backtick than the longest run inside it. A value holding a
/// `|` (which would split a table row even inside a code span) is rendered as [`md_text`].
pub fn md_code(s: &str) -> String {
    let visible = terminal(s);
    if visible.is_empty() || visible.contains('|') {
        return md_text(s);
    }
    let longest = visible.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if visible.starts_with(['`', ' ']) || visible.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{visible}{pad}{fence}")
}

/// A value inside a double-quoted Mermaid label (`id["label"]`, `-->|"label"|`): hidden
/// characters first shown escaped, then `&`, `"`, `<`, `>` as Mermaid's named entity codes
/// (`#quot;`) and `#`, `%` and the backtick as numeric ones (`#35;`), so the value can end
/// neither the label, nor the statement, nor the Markdown fence around the diagram, and
/// cannot forge an entity, a directive or a Markdown string.
pub fn mermaid(s: &str) -> String {
    let visible = terminal(s);
    let mut out = String::with_capacity(visible.len() + 8);
    for c in visible.chars() {
        match c {
            '&' => out.push_str("#amp;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' | '%' | '`' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// A value inside a double-quoted Graphviz DOT string: hidden characters shown escaped, then
/// `\` and `"` backslash-escaped (DOT gives `\n`, `\l` and `\N` meanings in labels).
pub fn dot(s: &str) -> String {
    let visible = terminal(s);
    let mut out = String::with_capacity(visible.len() + 8);
    for c in visible.chars() {
        if matches!(c, '\\' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The message (data) of a GitHub workflow command (`::error …::DATA`): `%`, CR and LF
/// percent-encoded as GitHub's toolkit does (a message's own line breaks stay line breaks in
/// the annotation), other hidden characters shown escaped, so the value can neither end the
/// command nor start another, nor colour the log.
pub fn github_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => push_visible(&mut out, c),
        }
    }
    out
}

/// A property value of a GitHub workflow command (`file=VALUE,line=…`): as [`github_data`]
/// plus `:` and `,` percent-encoded.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A value in XML text or a double- or single-quoted attribute: `&`, `<`, `>`, `"` and `'` as
/// entity references, line breaks and tabs as character references (`&#10;`), other hidden
/// characters shown escaped (XML 1.0 cannot hold most control characters, even as
/// references), so the value can neither close an element or attribute nor hide itself.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => push_visible(&mut out, c),
        }
    }
    out
}

/// A CSV field (RFC 4180): hidden characters shown escaped; a value that a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`) prefixed with `'`; quoted with `"`
/// (doubled inside) when it holds a comma, quote or space at its ends, or was prefixed.
pub fn csv(s: &str) -> String {
    let visible = terminal(s);
    let formula = visible.starts_with(['=', '+', '-', '@']);
    let field: Cow<'_, str> = if formula {
        Cow::Owned(format!("'{visible}"))
    } else {
        visible
    };
    if formula || field.contains([',', '"']) || field.starts_with(' ') || field.ends_with(' ') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.into_owned()
    }
}

/// The inside of a double-quoted HCL (Terraform) string: `\` and `"` backslash-escaped,
/// controls and hidden characters as `\uNNNN`, and the template sequences `${` and `%{`
/// written `$${` and `%%{` so they stay literal text.
pub fn hcl(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if is_hidden(c) => {
                let code = u32::from(c);
                if code > 0xffff {
                    let _ = write!(out, "\\U{code:08x}");
                } else {
                    let _ = write!(out, "\\u{code:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A value as one shell word: hidden characters shown escaped, then single-quoted unless it
/// is plain (see [`crate::text::shell_word`]), so no character of it is special to bash or
/// zsh (no glob, `$`, backtick, `;`, `|`, brace or history expansion).
pub fn shell(s: &str) -> String {
    crate::text::shell_word(&terminal(s))
}

/// A sentence of vrt's own that quotes values as `` `value` `` (a planner's warning), as
/// Markdown: each quoted part a code span ([`md_code`]), the rest as text ([`md_text`]).
/// Whatever a value holds, no part opens markup: a backtick inside a value only moves where
/// the parts split, and every part is escaped.
pub fn md_prose(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                md_code(part)
            } else {
                md_text(part)
            }
        })
        .collect()
}

/// The inside of a double-quoted nftables string, such as a rule's `comment "…"`: hidden
/// characters shown escaped (see [`is_hidden`]) and `"` written `'` (nftables has no escape
/// inside a quoted string: a backslash is literal and every `"` ends it), cut to at most
/// `max` bytes (a comment takes 128) without splitting an escape, ending in `...` when cut.
pub fn nft_string(s: &str, max: usize) -> String {
    fit(
        s.chars().map(|c| match c {
            '"' => "'".to_string(),
            c => visible(c),
        }),
        max,
    )
}

/// The inside of a double-quoted argument of an `iptables-restore` file, such as
/// `--comment "…"`: hidden characters shown escaped, then `\` and `"` backslash-escaped
/// (the restore parser's escape), cut to at most `max` bytes (a comment takes 255) without
/// splitting an escape, ending in `...` when cut.
pub fn iptables_string(s: &str, max: usize) -> String {
    fit(
        s.chars().map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c => visible(c),
        }),
        max,
    )
}

/// A JSON string of an Azure Resource Manager template that ARM reads as a literal: a
/// string starting with `[` and ending with `]` is an expression (`[parameters('x')]`)
/// unless it starts with `[[`, which ARM turns back into `[`. Serialize the result with
/// serde (JSON escaping is serde's).
pub fn arm_literal(s: &str) -> String {
    if s.starts_with('[') && s.ends_with(']') {
        format!("[{s}")
    } else {
        s.to_string()
    }
}

/// A value as an identifier of a target's syntax (an nftables table, an iptables chain, a
/// Terraform resource name): ASCII letters and digits and the `extra` characters kept,
/// every other character written `replace`, so that a value can neither end the identifier
/// nor change what follows it.
pub fn identifier(s: &str, extra: &[char], replace: char) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || extra.contains(&c) {
                c
            } else {
                replace
            }
        })
        .collect()
}

/// One character as shown in text: itself, or its escape when hidden.
fn visible(c: char) -> String {
    let mut out = String::new();
    push_visible(&mut out, c);
    out
}

/// `pieces` joined, or, when longer than `max` bytes, as many whole pieces as fit before
/// `...` (so an escape is never cut in two).
fn fit(pieces: impl Iterator<Item = String>, max: usize) -> String {
    let pieces: Vec<String> = pieces.collect();
    if pieces.iter().map(String::len).sum::<usize>() <= max {
        return pieces.concat();
    }
    let budget = max.saturating_sub(3);
    let mut out = String::with_capacity(max);
    for p in pieces {
        if out.len() + p.len() > budget {
            break;
        }
        out.push_str(&p);
    }
    out.truncate(out.trim_end().len());
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_shows_controls_and_invisibles() {
        assert_eq!(terminal("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(terminal("x\u{202e}y\u{200b}"), "x\\u{202e}y\\u{200b}");
        assert_eq!(terminal("l1\nl2\t\r"), "l1\\nl2\\t\\r");
        assert_eq!(terminal("\u{9b}1m"), "\\u{9b}1m");
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_text_and_code() {
        assert_eq!(md_text("# h <!-- `x` |"), "\\# h \\<!-- \\`x\\` \\|");
        assert_eq!(md_text("![x](y) !"), "!\\[x\\](y) !");
        assert_eq!(md_text("dc-a"), "dc-a");
        assert_eq!(md_text("- x"), "\\- x");
        assert_eq!(md_code("dc-a"), "`dc-a`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`a"), "`` `a ``");
        assert_eq!(md_code("a|b"), "a\\|b");
        assert_eq!(md_code("x\n```"), "```` x\\n``` ````");
    }

    #[test]
    fn mermaid_dot_xml() {
        assert_eq!(mermaid("a\"]-->b"), "a#quot;]--#gt;b");
        assert_eq!(
            mermaid("%%{init} #quot; `x`"),
            "#37;#37;{init} #35;quot; #96;x#96;"
        );
        assert_eq!(dot("a\"b\\n"), "a\\\"b\\\\n");
        assert_eq!(
            xml("<a href='x'>&</a>"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(xml("\u{1b}\n"), "\\u{1b}&#10;");
    }

    #[test]
    fn github_commands() {
        assert_eq!(github_data("50%\n::warning::x"), "50%25%0A::warning::x");
        assert_eq!(github_data("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(github_property("a,b:c%"), "a%2Cb%3Ac%25");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv("plain"), "plain");
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv("l1\nl2"), "l1\\nl2");
    }

    #[test]
    fn hcl_strings() {
        assert_eq!(hcl("${var.x} %{if}"), "$${var.x} %%{if}");
        assert_eq!(hcl("a\"\\\n"), "a\\\"\\\\\\n");
        assert_eq!(hcl("\u{202e}"), "\\u202e");
        assert_eq!(hcl("$ % {"), "$ % {");
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell("dc-a"), "dc-a");
        assert_eq!(
            shell("https://vault.example.com:8200"),
            "https://vault.example.com:8200"
        );
        assert_eq!(shell("=ls"), "'=ls'");
        assert_eq!(shell("https://[fd00::1]:8201"), "'https://[fd00::1]:8201'");
        assert_eq!(shell("it's $(x)"), "'it'\\''s $(x)'");
        assert_eq!(shell(""), "''");
        assert_eq!(shell("a\u{1b}b"), "'a\\u{1b}b'");
    }

    #[test]
    fn markdown_prose_keeps_code_spans_and_escapes_the_rest() {
        assert_eq!(
            md_prose("`dc-a` (1.17.3) is older than `dc-b`"),
            "`dc-a` (1.17.3) is older than `dc-b`"
        );
        assert_eq!(md_prose("`a\n# b` runs <x>"), "`a\\n# b` runs \\<x\\>");
        assert_eq!(md_prose("`x|y` and *z*"), "x\\|y and \\*z\\*");
        assert_eq!(md_prose("odd ` tick"), "odd `  tick `");
    }

    #[test]
    fn nft_strings_cannot_end_the_string() {
        assert_eq!(nft_string("a \"b\" \\ c", 128), "a 'b' \\ c");
        assert_eq!(nft_string("x\ny\u{1b}[31m", 128), "x\\ny\\u{1b}[31m");
        assert_eq!(nft_string("abcdefghij", 8), "abcde...");
        // An escape is never cut in two.
        assert_eq!(nft_string("abcd\u{202e}efgh", 12), "abcd...");
        assert_eq!(nft_string("é".repeat(10).as_str(), 8), "éé...");
    }

    #[test]
    fn iptables_strings_cannot_end_the_argument() {
        assert_eq!(iptables_string("a \"b\" \\", 255), "a \\\"b\\\" \\\\");
        assert_eq!(iptables_string("l1\nl2\t", 255), "l1\\nl2\\t");
        // A cut never leaves a lone backslash before the closing quote.
        assert_eq!(iptables_string("abcd\"efgh", 8), "abcd...");
        assert_eq!(iptables_string("ab\\\\cdefgh", 8), "ab\\\\...");
    }

    #[test]
    fn arm_literals_and_identifiers() {
        assert_eq!(arm_literal("[parameters('x')]"), "[[parameters('x')]");
        assert_eq!(arm_literal("[a] b"), "[a] b");
        assert_eq!(arm_literal("plain"), "plain");
        assert_eq!(identifier("dc-a", &['_'], '_'), "dc_a");
        assert_eq!(identifier("x\"; drop\n{", &['-', '_'], '_'), "x___drop__");
        assert_eq!(identifier("dc-a", &['-'], '_'), "dc-a");
    }
}
