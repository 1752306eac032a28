//! Findings (what vrt reports) and the rule descriptors every finding comes from.

pub mod structure;

use crate::ids::ClusterId;
use crate::source::Span;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Note,
    /// A design weakness; fails a run only with `--deny-warnings`.
    Warning,
    /// The topology is wrong; the run exits 1.
    Error,
}

impl Severity {
    /// The lowercase name used in JSON output and docs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// A rule (or structural check) with a stable code; its `doc` is what `vrt explain` prints.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, `VRT` and three digits; never reused.
    pub code: &'static str,
    /// Kebab-case name of the problem it reports (reads as "allow <name>").
    pub name: &'static str,
    /// Severity of its findings (a rule documents when it lowers it, e.g. for non-production).
    pub severity: Severity,
    /// Whether a topology file may suppress it (rules whose violation breaks replication
    /// outright may not).
    pub suppressible: bool,
    /// The Markdown documentation: a summary line, then the sections.
    pub doc: &'static str,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Rule {}

impl Rule {
    /// The first line of the documentation.
    pub fn summary(&self) -> &'static str {
        self.doc.lines().next().unwrap_or("").trim()
    }

    /// The documentation as Markdown (doc comments carry one leading space per line).
    pub fn markdown(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Declares a [`Rule`] whose doc comment is its documentation (as clippy's
/// `declare_clippy_lint!` does).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident = $code:literal, $name:literal, $severity:ident $(, $flag:ident)?;
    ) => {
        $(#[doc = $doc])*
        pub static $id: $crate::diag::Rule = $crate::diag::Rule {
            code: $code,
            name: $name,
            severity: $crate::diag::Severity::$severity,
            suppressible: $crate::declare_rule!(@suppressible $($flag)?),
            doc: concat!($($doc, "\n"),*),
        };
    };
    (@suppressible) => { true };
    (@suppressible unsuppressible) => { false };
}

/// A labelled span: a place in the file and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What the place is ("declared here"); may be empty.
    pub text: String,
}

/// One problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule that produced it.
    pub rule: &'static Rule,
    /// Its severity (the rule's, unless the rule documents an exception).
    pub severity: Severity,
    /// What is wrong, rustc style: lowercase, no trailing period, names in backticks.
    pub message: String,
    /// The value most responsible.
    pub primary: Label,
    /// Related places ("referenced here", "declared here").
    pub related: Vec<Label>,
    /// What to do, in the imperative.
    pub help: Option<String>,
    /// The cluster the finding is about, when there is one: an `ignore` entry with a
    /// `cluster` suppresses exactly the findings whose subject is that cluster.
    pub cluster: Option<ClusterId>,
}

impl Finding {
    /// A finding of `rule` at `span`, with the rule's severity.
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rule.severity,
            message: clip(message.into()),
            primary: Label {
                span,
                text: String::new(),
            },
            related: Vec::new(),
            help: None,
            cluster: None,
        }
    }

    /// Sets the cluster the finding is about.
    #[must_use]
    pub fn cluster(mut self, id: ClusterId) -> Self {
        self.cluster = Some(id);
        self
    }

    /// Sets the label text on the primary span.
    #[must_use]
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.primary.text = clip(text.into());
        self
    }

    /// Adds a related labelled span.
    #[must_use]
    pub fn related(mut self, span: Span, text: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            text: clip(text.into()),
        });
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(clip_quoted(help.into(), MAX_QUOTED_IN_HELP));
        self
    }

    /// Overrides the severity (for rules that document a lower severity in some cases).
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// The most characters of a value quoted in backticks that a message shows.
const MAX_QUOTED: usize = 60;

/// The most characters of a value quoted in backticks in help text, which quotes whole
/// snippets to paste (a firewall rule to add), not only values from the file.
const MAX_QUOTED_IN_HELP: usize = 400;

/// The most characters of a message, label or help text.
const MAX_TEXT: usize = 1_000;

/// Shortens what a finding's text quotes from the file: a value in backticks longer than
/// [`MAX_QUOTED`] characters keeps its start and an ellipsis, and the whole text is capped
/// at [`MAX_TEXT`] characters. A 10 MB name then makes a one-line message, not a 10 MB one.
/// Control characters (a value may hold an escaped `\e[31m`) are shown escaped, so that a
/// message cannot drive the terminal it is printed on.
fn clip(text: String) -> String {
    clip_quoted(text, MAX_QUOTED)
}

/// [`clip`] with a given limit for quoted values.
fn clip_quoted(text: String, max_quoted: usize) -> String {
    let fits = |t: &str| t.chars().nth(max_quoted).is_none();
    let parts: Vec<&str> = text.split('`').collect();
    // With an odd number of backticks the last part is not quoted.
    let quoted = |i: usize| i % 2 == 1 && i + 1 < parts.len();
    let controls = text.chars().any(is_hidden_control);
    if !controls
        && parts.iter().enumerate().all(|(i, p)| !quoted(i) || fits(p))
        && text.chars().nth(MAX_TEXT).is_none()
    {
        return text;
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        let shown: String = if quoted(i) && !fits(part) {
            part.chars().take(max_quoted).chain(['…']).collect()
        } else {
            (*part).to_string()
        };
        for c in shown.chars() {
            if is_hidden_control(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
    }
    if out.chars().nth(MAX_TEXT).is_some() {
        out = out.chars().take(MAX_TEXT).collect();
        out.push('…');
    }
    out
}

/// A control character other than a line feed, which messages may hold.
fn is_hidden_control(c: char) -> bool {
    c.is_control() && c != '\n'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_values_are_shortened() {
        let long = "x".repeat(10_000);
        let text = clip(format!("unknown site `{long}`; see `vrt schema`"));
        assert_eq!(
            text,
            format!("unknown site `{}…`; see `vrt schema`", "x".repeat(60))
        );
        assert_eq!(clip("a `b` c".to_string()), "a `b` c");
        assert_eq!(
            clip("site `\u{1b}[31mred` is unknown".to_string()),
            "site `\\u{1b}[31mred` is unknown"
        );
        let rule = format!(
            "add `- {{name: {}, from: a, to: b, ports: [8200, 8201]}}`",
            "r".repeat(63)
        );
        assert_eq!(clip_quoted(rule.clone(), MAX_QUOTED_IN_HELP), rule);
        let unquoted = clip("y".repeat(5_000));
        assert_eq!(unquoted.chars().count(), 1_001);
        assert!(unquoted.ends_with('…'));
    }
}
