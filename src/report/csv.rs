//! A minimal RFC 4180 CSV writer: comma-separated, CRLF-free (`\n` line ends, which every
//! CSV reader accepts), fields escaped by [`super::escape::csv`] (quoted when needed, line
//! breaks shown as `\n`, formulas defused).

/// One CSV field, escaped and quoted when needed.
pub fn field(text: &str) -> String {
    super::escape::csv(text)
}

/// One CSV line (with its line end) from its fields.
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(
            super::line(&["a", "b c", "d,e", "say \"x\""]),
            "a,b c,\"d,e\",\"say \"\"x\"\"\"\n"
        );
    }
}
