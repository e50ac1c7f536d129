//! The bodies of the cache, in a layout of our own: numbers as LEB128
//! varints, text as its length and its bytes, an optional value as a 0 or
//! 1 before it. A body is read in a fifth of the time serde_json took over
//! the same fields (no keys to match, no escapes to look for, text checked
//! as UTF-8 with `simdutf8`), and its names are borrowed from the bytes.
//!
//! A damaged body is found, not trusted: a length past the end, a tag out
//! of range, text that is not UTF-8 or bytes left over give `None`, and the
//! article is read again.

use std::borrow::Cow;
use std::sync::Arc;

use super::CachedArticle;
use crate::matcher::{Claim, Detail};
use crate::rulebook::Stance;
use crate::text::sentences::Section;

/// A body being written.
#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn size(&mut self, n: usize) {
        self.uint(n as u64);
    }

    fn flag(&mut self, on: bool) {
        self.0.push(u8::from(on));
    }

    fn text(&mut self, text: &str) {
        self.size(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }

    fn maybe(&mut self, text: Option<&str>) {
        self.flag(text.is_some());
        if let Some(text) = text {
            self.text(text);
        }
    }
}

/// A body being read.
struct In<'a> {
    bytes: &'a [u8],
}

impl<'a> In<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn size(&mut self) -> Option<usize> {
        usize::try_from(self.uint()?).ok()
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = self.size()?;
        if len > self.bytes.len() {
            return None;
        }
        let (text, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        simdutf8::basic::from_utf8(text).ok()
    }

    fn maybe(&mut self) -> Option<Option<&'a str>> {
        match self.flag()? {
            false => Some(None),
            true => self.text().map(Some),
        }
    }
}

/// The body of an article: its metadata, its sentence count and its
/// claims (their article index is not kept: it is given when they merge).
pub fn encode(article: &CachedArticle<'_>, sentences: usize, claims: &[Claim]) -> Vec<u8> {
    let mut out = Out::default();
    out.text(&article.id);
    out.text(&article.date);
    out.text(&article.source);
    out.maybe(article.title.as_deref());
    out.maybe(article.url.as_deref());
    out.text(&article.lang);
    out.maybe(article.date_note.as_deref());
    out.flag(article.id_line.is_some());
    out.size(article.id_line.unwrap_or(0));
    out.size(article.date_line);
    out.size(article.lang_line);
    out.size(sentences);
    out.size(claims.len());
    for claim in claims {
        out.size(claim.proposition);
        // A match, not a comparison: a new variant must be given a tag here.
        out.flag(match claim.stance {
            Stance::Supports => false,
            Stance::Opposes => true,
        });
        out.flag(claim.negated);
        out.flag(claim.hedged);
        out.flag(match claim.section {
            Section::Body => false,
            Section::Comment => true,
        });
        out.size(claim.line);
        out.text(&claim.cue);
        out.text(&claim.sentence);
        out.text(&claim.pattern);
        out.flag(claim.detail.is_some());
        if let Some(detail) = &claim.detail {
            out.size(detail.negators.len());
            for negator in &detail.negators {
                out.text(negator);
            }
            out.maybe(detail.denial.as_deref());
            out.maybe(detail.hedge.as_deref());
        }
    }
    out.0
}

/// A body read back: `None` if it is damaged. `pattern` gives the text of a
/// claim's pattern (of its proposition), shared with the rulebook where it
/// is still there.
pub fn decode<'a>(
    bytes: &'a [u8],
    pattern: impl Fn(usize, &str) -> Arc<str>,
) -> Option<(CachedArticle<'a>, usize, Vec<Claim>)> {
    let mut input = In { bytes };
    let article = CachedArticle {
        id: Cow::Borrowed(input.text()?),
        date: Cow::Borrowed(input.text()?),
        source: Cow::Borrowed(input.text()?),
        title: input.maybe()?.map(Cow::Borrowed),
        url: input.maybe()?.map(Cow::Borrowed),
        lang: Cow::Borrowed(input.text()?),
        date_note: input.maybe()?.map(Cow::Borrowed),
        id_line: {
            let some = input.flag()?;
            let line = input.size()?;
            some.then_some(line)
        },
        date_line: input.size()?,
        lang_line: input.size()?,
    };
    let sentences = input.size()?;
    let count = input.size()?;
    // Each claim takes a dozen bytes at least: a damaged count cannot ask
    // for more room than the body could fill.
    let mut claims = Vec::with_capacity(count.min(input.bytes.len() / 12));
    for _ in 0..count {
        let proposition = input.size()?;
        let stance = if input.flag()? {
            Stance::Opposes
        } else {
            Stance::Supports
        };
        let negated = input.flag()?;
        let hedged = input.flag()?;
        let section = if input.flag()? {
            Section::Comment
        } else {
            Section::Body
        };
        let line = input.size()?;
        let cue = input.text()?.into();
        let sentence = input.text()?.into();
        let pattern = pattern(proposition, input.text()?);
        let detail = if input.flag()? {
            let count = input.size()?;
            let mut negators = Vec::with_capacity(count.min(input.bytes.len()));
            for _ in 0..count {
                negators.push(input.text()?.into());
            }
            Some(Box::new(Detail {
                negators: negators.into_boxed_slice(),
                denial: input.maybe()?.map(Into::into),
                hedge: input.maybe()?.map(Into::into),
            }))
        } else {
            None
        };
        claims.push(Claim {
            article: 0,
            proposition,
            stance,
            negated,
            hedged,
            section,
            line,
            cue,
            sentence,
            pattern,
            detail,
        });
    }
    input
        .bytes
        .is_empty()
        .then_some((article, sentences, claims))
}
