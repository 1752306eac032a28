//! Human output: miette diagnostics with `file:line:column`, a snippet, labels and help.

use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use super::{FileReport, Summary};
use crate::diag::{Finding, Severity};
use crate::source::Span;

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
    source: NamedSource<Arc<str>>,
    code: String,
    text_len: usize,
}

impl std::fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Rendered<'_> {
    fn span(&self, span: Span) -> SourceSpan {
        // Zero-length spans (sequence starts) are drawn on one character where there is one.
        let offset = span.offset.min(self.text_len);
        let len = if span.len == 0 && offset < self.text_len {
            1
        } else {
            span.len.min(self.text_len - offset)
        };
        SourceSpan::new(offset.into(), len)
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
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text = |t: &str| (!t.is_empty()).then(|| t.to_string());
        let primary = LabeledSpan::new_primary_with_span(
            text(&self.finding.primary.text),
            self.span(self.finding.primary.span),
        );
        let related = self
            .finding
            .related
            .iter()
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
        .with_width(style.width);
    for file in files {
        let text: Arc<str> = Arc::from(file.source.text.as_str());
        for finding in file.findings {
            let rendered = Rendered {
                finding,
                source: NamedSource::new(&file.source.name, text.clone()),
                code: format!("{}({})", finding.rule.code, finding.rule.name),
                text_len: text.len(),
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
