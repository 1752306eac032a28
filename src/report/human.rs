//! Human output: miette diagnostics with `file:line:column`, a snippet, labels and help.

use std::io::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{FileReport, Summary, escape};
use crate::diag::{Finding, Severity};
use crate::source::{Source, Span};

/// A line longer than this many bytes is shown as a window around its label, not whole
/// (a minified JSON topology is one line of megabytes).
const LONG_LINE: usize = 1_000;
/// Bytes shown on each side of a label on a long line.
const MARGIN: usize = 40;
/// The most bytes of one label drawn; a label over a huge value is drawn over its start.
const MAX_LABEL: usize = 80;
/// The most related labels drawn for one finding; the rest are counted in the help (all of
/// them are in the JSON output).
const MAX_RELATED: usize = 12;
/// Labels at most this many lines apart share one snippet; farther apart, each gets its own
/// snippet instead of every line in between being printed.
const MAX_SHARED_LINES: usize = 40;

/// The source as miette reads it for one finding: lines are found through the source's line
/// index (not by scanning the file from its start for every label), long lines are cut to a
/// window around the label, and labels far apart are drawn in separate snippets.
struct Snippets<'a> {
    source: &'a Source,
    /// The text as shown: the source's text with control characters replaced by `?` (as
    /// many as their UTF-8 bytes, so that every offset stays), so that a snippet cannot
    /// drive the terminal.
    shown: &'a str,
    /// The finding's labels as drawn; a window never cuts through one.
    labels: Vec<Span>,
}

impl Snippets<'_> {
    /// Widens `[start, end)` until no label crosses either end.
    fn around_labels(&self, mut start: usize, mut end: usize) -> (usize, usize) {
        loop {
            let mut changed = false;
            for l in &self.labels {
                if l.offset < start && l.end() > start {
                    start = l.offset;
                    changed = true;
                }
                if l.offset < end && l.end() > end {
                    end = l.end();
                    changed = true;
                }
            }
            if !changed {
                return (start, end);
            }
        }
    }
}

impl SourceCode for Snippets<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let src = self.source;
        let text = self.shown;
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = src.line_index(start);
        let last = src.line_index(end.saturating_sub(1).max(start));
        // miette's own reader counts, as `line_count`, the line breaks from the start of the
        // file to the end of what it read; it merges two labels' snippets when the second
        // starts before `line + line_count` of the first. The same count keeps its layout.
        let named = |from: usize, to: usize, line: usize, column: usize| {
            Box::new(MietteSpanContents::new_named(
                escape::terminal(&src.name).into_owned(),
                &text.as_bytes()[from..to],
                SourceSpan::new(from.into(), to - from),
                line,
                column,
                src.breaks_before(to),
            )) as Box<dyn SpanContents<'a> + 'a>
        };
        if before == 0 && after == 0 {
            // The label alone: miette takes the header's line and column from it.
            let at = src.position(start);
            return Ok(named(start, end, at.line - 1, at.column - 1));
        }
        if last - first > MAX_SHARED_LINES {
            // Two labels' snippets that miette would merge, with every line between them.
            return Err(MietteError::OutOfBounds);
        }
        let lo = first.saturating_sub(before);
        let hi = (last + after).min(src.line_count() - 1);
        if (lo..=hi).all(|l| src.line_range(l).len() <= LONG_LINE) {
            let from = src.line_range(lo).start;
            return Ok(named(from, src.line_end_with_break(hi), lo, 0));
        }
        if end - start > MAX_LABEL + 2 * MARGIN {
            // Two labels merged across a long line: let miette draw them one by one.
            return Err(MietteError::OutOfBounds);
        }
        let (from, to) = self.around_labels(
            start
                .saturating_sub(MARGIN)
                .max(src.line_range(first).start),
            (end + MARGIN).min(src.line_range(last).end),
        );
        let from = floor_char_boundary(text, from);
        let to = ceil_char_boundary(text, to);
        let column = src.position(from).column - 1;
        Ok(named(from, to, first, column))
    }
}

/// `text` with every control or invisible character ([`escape::is_hidden`]) other than tab,
/// line feed and carriage return replaced by as many `?` as its UTF-8 bytes.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| escape::is_hidden(c) && !matches!(c, '\t' | '\n' | '\r');
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// How to draw diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Use colour (only on a terminal, never with `NO_COLOR`).
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Self {
            color: false,
            width: 100,
        }
    }
}

struct Rendered<'a> {
    finding: &'a Finding,
    source: Snippets<'a>,
    code: String,
    help: Option<String>,
}

impl std::fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A message is one line: a line break in it comes from a value, shown escaped.
        f.write_str(&escape::terminal(&self.finding.message))
    }
}

/// `text` for the terminal: its lines kept, every other control or invisible character shown
/// escaped.
fn lines(text: &str) -> String {
    text.split('\n')
        .map(escape::terminal)
        .collect::<Vec<_>>()
        .join("\n")
}

impl std::error::Error for Rendered<'_> {}

/// A finding's span as drawn: inside the text, on whole characters, one character for a
/// point (sequence starts) where there is one, and at most [`MAX_LABEL`] bytes.
fn drawn(text: &str, span: Span) -> Span {
    let offset = floor_char_boundary(text, span.offset.min(text.len()));
    let len = if span.len == 0 {
        usize::from(offset < text.len())
    } else {
        span.len.min(MAX_LABEL)
    };
    let end = ceil_char_boundary(text, (offset + len).min(text.len()));
    Span::new(offset, end - offset)
}

impl Rendered<'_> {
    fn span(&self, span: Span) -> SourceSpan {
        let s = drawn(&self.source.source.text, span);
        SourceSpan::new(s.offset.into(), s.len)
    }
}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text = |t: &str| (!t.is_empty()).then(|| escape::terminal(t).into_owned());
        let primary = LabeledSpan::new_primary_with_span(
            text(&self.finding.primary.text),
            self.span(self.finding.primary.span),
        );
        let related = self
            .finding
            .related
            .iter()
            .take(MAX_RELATED)
            .map(move |l| LabeledSpan::new_with_span(text(&l.text), self.span(l.span)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Writes every finding of every file, then the one-line summary.
pub fn render(out: &mut dyn Write, files: &[FileReport<'_>], style: Style) -> std::io::Result<()> {
    render_findings(out, files, style)?;
    writeln!(out, "{}", Summary::of(files))
}

/// Writes every finding of every file, without the summary.
pub fn render_findings(
    out: &mut dyn Write,
    files: &[FileReport<'_>],
    style: Style,
) -> std::io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(style.width)
        // Break lines at spaces only: never inside a kebab-case name (`missing-dr-secondary`,
        // `dc-a`) nor before the closing backtick of a quoted snippet.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    for file in files {
        let text = file.source.text.as_str();
        let shown = shown(text);
        for finding in file.findings {
            let labels = std::iter::once(&finding.primary)
                .chain(finding.related.iter().take(MAX_RELATED))
                .map(|l| drawn(text, l.span))
                .collect();
            let hidden = finding.related.len().saturating_sub(MAX_RELATED);
            let more = (hidden > 0).then(|| {
                format!("{hidden} more related places are not shown here; `--format json` lists them all")
            });
            let help = match (&finding.help, more) {
                (Some(h), Some(m)) => Some(format!("{h}\n{m}")),
                (h, m) => h.clone().or(m),
            };
            let rendered = Rendered {
                finding,
                source: Snippets {
                    source: file.source,
                    shown: &shown,
                    labels,
                },
                code: format!("{}({})", finding.rule.code, finding.rule.name),
                help: help.map(|h| lines(&h)),
            };
            let mut buf = String::new();
            handler
                .render_report(&mut buf, &rendered)
                .map_err(std::io::Error::other)?;
            writeln!(out, "{buf}")?;
        }
    }
    Ok(())
}
