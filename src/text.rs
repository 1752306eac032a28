//! Word wrapping, the one wrapper shared by the renderers and the templates: at spaces only,
//! never inside a word nor at the hyphens of a kebab-case name.

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
/// Control characters are not this function's concern: callers show them escaped first.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '+' | ':' | ',')
        });
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
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
