//! Text: folding, words and sentences. Pure functions over strings; the
//! language-specific word lists come from a [`crate::lexicon::Lexicon`].

pub mod fold;
pub mod sentences;
pub mod tokens;

/// Maps byte offsets of a file to 1-based line numbers (\n, \r\n and lone \r).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

/// Lines of offsets asked in increasing order, counted on from the last
/// one asked: a few claims in an article need no index of all its lines.
#[derive(Debug, Default)]
pub struct LineCounter {
    at: usize,
    /// Line ends before `at`.
    ends: usize,
}

impl LineCounter {
    /// The 1-based line holding byte `offset` of `text`.
    pub fn line(&mut self, text: &str, offset: usize) -> usize {
        let bytes = text.as_bytes();
        let offset = offset.min(bytes.len());
        if offset < self.at {
            *self = LineCounter::default();
        }
        self.ends += memchr::memchr2_iter(b'\n', b'\r', &bytes[self.at..offset])
            .map(|i| self.at + i)
            .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
            .count();
        self.at = offset;
        1 + self.ends
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The line of one offset, without indexing the whole text.
    pub fn line_at(text: &str, offset: usize) -> usize {
        let bytes = text.as_bytes();
        1 + memchr::memchr2_iter(b'\n', b'\r', &bytes[..offset.min(bytes.len())])
            .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::{LineCounter, LineIndex};

    #[test]
    fn lines_count_every_line_ending() {
        let idx = LineIndex::new("a\nb\r\nc\rd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(7), 4);
        for offset in 0..9 {
            assert_eq!(LineIndex::line_at("a\nb\r\nc\rd", offset), idx.line(offset));
            assert_eq!(
                LineCounter::default().line("a\nb\r\nc\rd", offset),
                idx.line(offset)
            );
        }
    }
}
