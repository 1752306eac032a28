//! Word wrapping, the one wrapper shared by the renderers and the templates: at spaces only,
//! never inside a word nor at the hyphens of a kebab-case name; shell words and names; short
//! lists of names.

use std::fmt::Write as _;

/// The first `most` of `items`, joined with `, `, then ` and N more` for the others: a
/// message that names what a file holds must not grow with the file.
pub fn first_few(items: impl ExactSizeIterator<Item = String>, most: usize) -> String {
    let all = items.len();
    let mut out = items.take(most).collect::<Vec<_>>().join(", ");
    if all > most {
        let _ = write!(out, " and {} more", all - most);
    }
    out
}

/// Splits prose into lines of at most `width` characters at spaces (a longer word stands
/// alone on its line).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        return Vec::new();
    }
    // Spaces only: another crate (miette) enables textwrap's Unicode line breaking, which
    // would also break after `/` and inside paths.
    let options = textwrap::Options::new(width.max(1))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    textwrap::wrap(&words, options)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect()
}

/// `word` as one shell word for bash and zsh: unchanged when it holds only letters, digits and
/// `-_./+:,`, otherwise single-quoted (a `'` inside written `'\''`), so that nothing in it
/// is special (no glob such as `[fd00::1]`, `$`, backtick, `;`, brace or history expansion).
/// A word holding a control, bidi or zero-width character (see [`hidden`]) is written in
/// ANSI-C quotes instead (`$'a\nb'`, `$'\u202e'`, which bash and zsh read back as the same
/// characters), so the result never holds a raw control byte nor breaks a line: a command
/// stays one line in a script or a Markdown fence whatever the word holds.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '+' | ':' | ',')
        });
    if plain {
        word.to_string()
    } else if word.chars().any(hidden) {
        ansi_c_quoted(word)
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Whether `c` is invisible or controlling: C0 and C1 controls, DEL, bidi embeddings,
/// overrides, isolates and marks, zero-width characters, line and paragraph separators and
/// the byte-order mark (the characters `report::escape` shows escaped).
pub fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// `$'…'`: `\`, `'` and every hidden character escaped (`\n`, `\t`, `\r`, others as the
/// `\xHH` of each of their UTF-8 bytes, which bash and zsh read back as the same bytes in
/// any locale), the rest as it is (inside ANSI-C quotes, `$`, backticks and `"` are literal).
fn ansi_c_quoted(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 8);
    out.push_str("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => {
                for b in c.encode_utf8(&mut [0; 4]).bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `s` as a JSON string literal on one line and in plain sight: `"` and `\\` escaped, and every
/// control, bidi or zero-width character ([`hidden`]) as a `\\uXXXX` escape (each is below
/// U+10000), so the literal can end neither itself nor the line it is on (a heredoc's `EOF`
/// stays the heredoc's).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if hidden(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The part of a shell variable's name that stands for an object named `name`, the
/// `index`-th of its kind (`DR_OPERATION_TOKEN_` + `DC_A` for cluster `dc-a`): only
/// `A-Z`, `0-9` and `_`, and different for different objects. A name of the format
/// (lowercase letters, digits and `-`, not starting with `-`) is upper-cased with `_` for
/// `-`, which maps distinct names to distinct parts. Any other name (the parser refuses it,
/// but a renderer trusts no value) is `_`, its ASCII letters and digits upper-cased and
/// every other character `_`, then `_` and `index`: the leading `_` sets it apart from the
/// names of the format and the trailing index from the other names.
pub fn shell_var_part(name: &str, index: usize) -> String {
    let of_the_format = !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let upper = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect::<String>();
    if of_the_format {
        upper
    } else {
        format!("_{upper}_{index}")
    }
}

/// The first of `base`, `base{separator}2`, `base{separator}3`, … that `taken` does not
/// hold, each at most `max` characters: the base is cut to make room for the suffix, and
/// `fit` tidies a cut base (re-sanitises it, trims a trailing hyphen).
pub fn unique_name(
    base: &str,
    separator: char,
    max: usize,
    fit: impl Fn(&str) -> String,
    taken: impl Fn(&str) -> bool,
) -> String {
    let cut = |room: usize| fit(&base.chars().take(room).collect::<String>());
    let mut name = cut(max);
    let mut n = 2_usize;
    while taken(&name) {
        let suffix = format!("{separator}{n}");
        name = format!(
            "{}{suffix}",
            cut(max.saturating_sub(suffix.chars().count()))
        );
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_few_names_at_most_that_many_then_counts_the_rest() {
        let items = |n: usize| (0..n).map(|i| format!("c{i}"));
        assert_eq!(super::first_few(items(0), 2), "");
        assert_eq!(super::first_few(items(2), 2), "c0, c1");
        assert_eq!(super::first_few(items(3), 2), "c0, c1 and 1 more");
        assert_eq!(
            super::first_few(items(10), 8),
            "c0, c1, c2, c3, c4, c5, c6, c7 and 2 more"
        );
    }

    #[test]
    fn unique_names_count_up_and_stay_within_the_limit() {
        let taken = ["a-b", "a-b-2"];
        let name = super::unique_name("a-b", '-', 63, str::to_string, |n| taken.contains(&n));
        assert_eq!(name, "a-b-3");
        let long = "x".repeat(70);
        let first = super::unique_name(&long, '-', 63, str::to_string, |_| false);
        assert_eq!(first.len(), 63);
        let second = super::unique_name(&long, '_', 63, str::to_string, |n| n == first);
        assert_eq!(second, format!("{}_2", "x".repeat(61)));
        let trimmed =
            super::unique_name("ab-", '-', 2, |s| s.trim_end_matches('-').into(), |_| false);
        assert_eq!(trimmed, "ab");
    }

    #[test]
    fn shell_words_never_hold_a_raw_control() {
        assert_eq!(super::shell_word("dc-a"), "dc-a");
        assert_eq!(super::shell_word("it's $(x)"), "'it'\\''s $(x)'");
        assert_eq!(super::shell_word("a\nb"), "$'a\\nb'");
        assert_eq!(
            super::shell_word("x\u{1b}]0;t\u{7}'\\$(id)"),
            "$'x\\x1b]0;t\\x07\\'\\\\$(id)'"
        );
        assert_eq!(
            super::shell_word("\u{202e}\u{9b}"),
            "$'\\xe2\\x80\\xae\\xc2\\x9b'"
        );
        for w in ["a\nb", "\u{1b}[31m", "x\u{200b}", "\r\n```"] {
            assert!(!super::shell_word(w).chars().any(super::hidden), "{w:?}");
        }
    }

    #[test]
    fn json_strings_stay_on_their_line() {
        assert_eq!(super::json_string("secret/"), "\"secret/\"");
        assert_eq!(
            super::json_string("a\"\\\nEOF\u{202e}"),
            "\"a\\\"\\\\\\u000aEOF\\u202e\""
        );
        let v: String =
            serde_json::from_str(&super::json_string("x\u{1b}\u{9b}\u{200b}\"")).unwrap();
        assert_eq!(v, "x\u{1b}\u{9b}\u{200b}\"");
    }

    #[test]
    fn shell_var_parts_are_identifiers_and_distinct() {
        assert_eq!(super::shell_var_part("dc-a", 0), "DC_A");
        assert_eq!(super::shell_var_part("a--b9", 4), "A__B9");
        assert_eq!(super::shell_var_part("dc_a", 1), "_DC_A_1");
        assert_eq!(super::shell_var_part("x}$(id)\n", 2), "_X___ID___2");
        assert_eq!(super::shell_var_part("", 3), "__3");
        assert_eq!(super::shell_var_part("-a", 5), "__A_5");
        let names = [
            "dc-a", "dc_a", "DC-A", "dc-a\n", "-dc-a", "dc-a-1", "_dc_a_1",
        ];
        let parts: std::collections::BTreeSet<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| super::shell_var_part(n, i))
            .collect();
        assert_eq!(parts.len(), names.len(), "{parts:?}");
        assert!(parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }));
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(super::wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(super::wrap("abcdefgh ij", 4), ["abcdefgh", "ij"]);
        assert!(super::wrap("", 4).is_empty());
        assert!(super::wrap(" \n ", 4).is_empty());
        // Paths are never split at their slashes.
        assert_eq!(
            super::wrap("see examples/two-dc.yaml now", 12),
            ["see", "examples/two-dc.yaml", "now"]
        );
        // Kebab-case names are never split at their hyphens.
        assert_eq!(
            super::wrap("see missing-dr-secondary now", 12),
            ["see", "missing-dr-secondary", "now"]
        );
    }
}
