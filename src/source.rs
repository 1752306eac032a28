//! A topology file's text and the byte spans that diagnostics point at.

/// A byte range in a [`Source`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (may be zero for a point).
    pub len: usize,
}

impl Span {
    /// A span of `len` bytes starting at `offset`.
    pub const fn new(offset: usize, len: usize) -> Self {
        Self { offset, len }
    }

    /// The byte just past the span.
    pub const fn end(self) -> usize {
        self.offset + self.len
    }
}

/// A 1-based line and column (in characters) in a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// A named text: a topology file (or standard input) as read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown in diagnostics: the path as given, or `<stdin>`.
    pub name: String,
    /// The full text.
    pub text: String,
    line_starts: Vec<usize>,
    /// Whether each line is ASCII, so that its columns are byte counts (a column on a 10 MB
    /// line is then found without counting characters).
    ascii_lines: Vec<bool>,
}

impl Source {
    /// A source named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let ascii_lines = (0..line_starts.len())
            .map(|i| {
                let end = line_starts.get(i + 1).copied().unwrap_or(text.len());
                text.as_bytes()[line_starts[i]..end].is_ascii()
            })
            .collect();
        Self {
            name: name.into(),
            text,
            line_starts,
            ascii_lines,
        }
    }

    /// The 1-based line and character column of byte `offset` (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = if self.ascii_lines[line - 1] {
            offset - start + 1
        } else {
            self.text[start..offset].chars().count() + 1
        };
        Position { line, column }
    }

    /// The 0-based index of the line holding byte `offset` (clamped to the text).
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset.min(self.text.len()))
            .saturating_sub(1)
    }

    /// The byte range of 0-based line `index`, without its line end (`\n` or `\r\n`);
    /// empty past the last line.
    pub fn line_range(&self, index: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.line_starts.get(index) else {
            return self.text.len()..self.text.len();
        };
        let next = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = &self.text.as_bytes()[start..next];
        let trim = if line.ends_with(b"\r\n") {
            2
        } else {
            usize::from(line.ends_with(b"\n"))
        };
        start..next - trim
    }

    /// The number of line breaks (`\n`) before byte `offset`.
    pub fn breaks_before(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The byte offset where 0-based line `index + 1` starts (the end of the text after the
    /// last line): the end of line `index` with its line end.
    pub fn line_end_with_break(&self, index: usize) -> usize {
        self.line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The 1-based start and end positions of `span`; the end is inclusive of the last
    /// character, so a one-character span starts and ends on the same column.
    pub fn range(&self, span: Span) -> (Position, Position) {
        let start = self.position(span.offset);
        if span.len == 0 {
            return (start, start);
        }
        let mut last = span.end().min(self.text.len()).saturating_sub(1);
        while last > span.offset && !self.text.is_char_boundary(last) {
            last -= 1;
        }
        (start, self.position(last))
    }

    /// The number of lines in the text.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let s = Source::new("t", "ab\ncé d\n");
        assert_eq!(s.position(0), Position { line: 1, column: 1 });
        assert_eq!(s.position(3), Position { line: 2, column: 1 });
        // 'é' is two bytes; 'd' is the fourth character of line 2.
        assert_eq!(s.position(7), Position { line: 2, column: 4 });
        let (a, b) = s.range(Span::new(3, 3));
        assert_eq!((a.column, b.column), (1, 2));
    }

    #[test]
    fn lines_are_indexed_with_and_without_their_breaks() {
        let s = Source::new("t", "ab\r\ncd\nef");
        assert_eq!(s.line_index(0), 0);
        assert_eq!(s.line_index(4), 1);
        assert_eq!(s.line_index(99), 2);
        assert_eq!(s.line_range(0), 0..2);
        assert_eq!(s.line_range(1), 4..6);
        assert_eq!(s.line_range(2), 7..9);
        assert_eq!(s.line_range(3), 9..9);
        assert_eq!(s.line_end_with_break(0), 4);
        assert_eq!(s.line_end_with_break(2), 9);
        assert_eq!(s.position(8), Position { line: 3, column: 2 });
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let s = Source::new("t", "x");
        assert_eq!(s.position(99), Position { line: 1, column: 2 });
    }
}
