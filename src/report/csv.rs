//! A minimal RFC 4180 CSV writer: comma-separated, CRLF-free (`\n` line ends, which every
//! CSV reader accepts), fields quoted when they hold a comma, quote or line break.

/// One CSV field, quoted when needed.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
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
