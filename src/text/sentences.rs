//! Sentence segmentation for news text in Markdown or plain text.
//!
//! The body is cut into blocks first (paragraphs, headings, list items, short
//! header lines such as a dateline), then each block into sentences at `. ! ? …`
//! when the next sentence visibly starts (a capital, a digit, an opening quote).
//! Abbreviations (`M.`, `gén.`) and initials (`J.`) do not end a sentence, nor
//! does a terminator followed by a lowercase word (`« Va-t’en ! » ont-ils crié`)
//! or by no space at all (`1.300 km`, `9,15`).

use std::ops::Range;

use crate::lexicon::{Lexicon, Lexicons};
use crate::text::fold::fold;

/// Where a sentence sits in an article.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Body,
    Comment,
}

/// A sentence: its byte span in the file and its section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub span: Range<usize>,
    pub section: Section,
    /// Index of the paragraph (block) the sentence belongs to.
    pub block: usize,
}

/// The marker, on a line of its own, that opens reader comments when the page
/// has no heading for them.
pub const COMMENTS_MARKER: &str = "<!-- volte: comments -->";

/// A line shorter than this, without final punctuation, is a header line (a
/// dateline, a place, a title, a byline) and stands alone rather than running
/// into the next line. Longer lines are soft-wrapped prose and join.
const SHORT_LINE: usize = 50;

/// A short line without final punctuation: a header line that stands alone.
fn is_open_short_line(content: &str) -> bool {
    let trimmed = content.trim_end();
    // A character is one to four bytes: most lines are told by their length.
    let short = match trimmed.len() {
        n if n < SHORT_LINE => true,
        n if n >= 4 * SHORT_LINE => false,
        _ => trimmed.chars().take(SHORT_LINE).count() < SHORT_LINE,
    };
    short && !trimmed.ends_with(['.', '!', '?', '…', ':', ',', ';', '»', '"', '”'])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Heading,
    ListItem,
    Quote,
    Plain,
}

struct Line {
    /// Span of the line's content, after indentation and any Markdown marker.
    content: Range<usize>,
    kind: LineKind,
}

/// Cuts `text[body]` into sentences.
pub fn split(
    text: &str,
    body: Range<usize>,
    lexicon: &Lexicon,
    lexicons: &Lexicons,
) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    split_into(text, body, lexicon, lexicons, &mut sentences);
    sentences
}

/// Like [`split`], into `sentences` (emptied first), whose room a worker
/// keeps from article to article.
pub fn split_into(
    text: &str,
    body: Range<usize>,
    lexicon: &Lexicon,
    lexicons: &Lexicons,
    sentences: &mut Vec<Sentence>,
) {
    sentences.clear();
    // About one sentence per hundred bytes of news.
    sentences.reserve(body.len() / 64 + 4);
    let mut section = Section::Body;
    let mut block: Option<Range<usize>> = None;
    let mut block_index = 0;
    let mut prev_plain_end_open = false;
    let mut in_quote = false;

    let mut flush =
        |block: &mut Option<Range<usize>>, section: Section, out: &mut Vec<Sentence>| {
            if let Some(b) = block.take() {
                split_block(text, b, lexicon, section, block_index, out);
                block_index += 1;
            }
        };

    for line in lines(text, body) {
        match line.kind {
            LineKind::Blank => {
                flush(&mut block, section, sentences);
                prev_plain_end_open = false;
            }
            LineKind::Heading => {
                flush(&mut block, section, sentences);
                let heading = fold(text[line.content.clone()].trim());
                if lexicons.is_comment_heading(&heading) {
                    section = Section::Comment;
                } else {
                    block = Some(line.content.clone());
                    flush(&mut block, section, sentences);
                }
                prev_plain_end_open = false;
            }
            LineKind::ListItem => {
                flush(&mut block, section, sentences);
                block = Some(line.content.clone());
                in_quote = false;
                prev_plain_end_open = is_open_short_line(&text[line.content.clone()]);
            }
            LineKind::Quote => {
                // A block quote runs over its `>` lines and nothing else.
                match &mut block {
                    Some(b) if in_quote => b.end = line.content.end,
                    _ => {
                        flush(&mut block, section, sentences);
                        block = Some(line.content.clone());
                    }
                }
                in_quote = true;
                prev_plain_end_open = false;
            }
            LineKind::Plain => {
                if std::mem::take(&mut in_quote) {
                    flush(&mut block, section, sentences);
                }
                let content = &text[line.content.clone()];
                if content.trim() == COMMENTS_MARKER {
                    flush(&mut block, section, sentences);
                    section = Section::Comment;
                    continue;
                }
                let joins = block.is_some() && !prev_plain_end_open;
                if joins {
                    if let Some(b) = &mut block {
                        b.end = line.content.end;
                    }
                } else {
                    flush(&mut block, section, sentences);
                    block = Some(line.content.clone());
                }
                prev_plain_end_open = is_open_short_line(content);
            }
        }
    }
    flush(&mut block, section, sentences);
}

fn lines(text: &str, body: Range<usize>) -> impl Iterator<Item = Line> + '_ {
    let mut pos = body.start;
    std::iter::from_fn(move || {
        if pos >= body.end {
            return None;
        }
        let rest = &text[pos..body.end];
        let (len, next) = match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
            Some(i) => {
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                (i, pos + i + skip)
            }
            None => (rest.len(), body.end),
        };
        let raw = &text[pos..pos + len];
        let indent = raw.len() - raw.trim_start().len();
        let start = pos + indent;
        let end = pos + raw.trim_end().len();
        pos = next;
        Some(classify(text, start..end.max(start)))
    })
}

fn classify(text: &str, content: Range<usize>) -> Line {
    let s = &text[content.clone()];
    if s.is_empty() {
        return Line {
            content,
            kind: LineKind::Blank,
        };
    }
    let hashes = s.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && s[hashes..].starts_with([' ', '\t']) {
        let skip = hashes + (s[hashes..].len() - s[hashes..].trim_start().len());
        return Line {
            content: content.start + skip..content.end,
            kind: LineKind::Heading,
        };
    }
    if let Some(marker) = list_marker(s) {
        return Line {
            content: content.start + marker..content.end,
            kind: LineKind::ListItem,
        };
    }
    if s.starts_with('>') {
        let quote = s.bytes().take_while(|&b| b == b'>' || b == b' ').count();
        return Line {
            content: content.start + quote..content.end,
            kind: LineKind::Quote,
        };
    }
    Line {
        content,
        kind: LineKind::Plain,
    }
}

/// Length of a list marker and the spaces after it: `- `, `* `, `• `, `– `, `1. `, `2) `.
fn list_marker(s: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    let after = if matches!(first, '-' | '*' | '+' | '•' | '–' | '—') {
        first.len_utf8()
    } else if first.is_ascii_digit() {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 3 || !s[digits..].starts_with(['.', ')']) {
            return None;
        }
        digits + 1
    } else {
        return None;
    };
    let rest = &s[after..];
    let spaces = rest.len() - rest.trim_start().len();
    (spaces > 0 && !rest.trim_start().is_empty()).then_some(after + spaces)
}

/// The next `. ! ? …` at or after `from`: a byte scan, since all but `…`
/// (E2 80 A6) are ASCII.
fn next_terminator(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        let k = i + memchr::memchr3(b'.', b'!', b'?', &bytes[i..]).unwrap_or(bytes.len() - i);
        // An ellipsis character before the next ASCII terminator?
        let ellipsis = memchr::memchr_iter(0xE2, &bytes[i..k])
            .map(|e| i + e)
            .find(|&e| bytes.get(e + 1..e + 3) == Some(&[0x80, 0xA6]));
        match ellipsis {
            Some(e) => return Some(e),
            None if k < bytes.len() => return Some(k),
            None => i = bytes.len(),
        }
    }
    None
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '»' | '"' | '”' | '’' | '\'' | ')' | ']' | '*' | '_')
}

fn split_block(
    text: &str,
    block: Range<usize>,
    lexicon: &Lexicon,
    section: Section,
    block_index: usize,
    out: &mut Vec<Sentence>,
) {
    let s = &text[block.clone()];
    let bytes = s.as_bytes();
    let base = block.start;
    let mut start = 0;
    let mut pos = 0;
    while let Some(i) = next_terminator(bytes, pos) {
        let c = if bytes[i] == 0xE2 {
            '…'
        } else {
            bytes[i] as char
        };
        // The whole run of terminators and closing marks, with the French space
        // before a closing guillemet (`! »`).
        let mut end = i + c.len_utf8();
        loop {
            let rest = &s[end..];
            let Some(d) = rest.chars().next() else { break };
            if is_terminator(d) || is_closer(d) {
                end += d.len_utf8();
                continue;
            }
            // Most terminators are followed by a plain space and a letter.
            if !rest.starts_with([' ', '\u{a0}', '\u{202f}']) {
                break;
            }
            let spaced = rest.trim_start_matches([' ', '\u{a0}', '\u{202f}']);
            if spaced.starts_with('»') {
                end += rest.len() - spaced.len() + '»'.len_utf8();
                continue;
            }
            break;
        }
        pos = end;
        let rest = &s[end..];
        let after_space = rest.trim_start();
        if after_space.is_empty() {
            break;
        }
        if after_space.len() == rest.len() {
            continue; // no space: 1.300, U.S., www.example.org
        }
        let next = after_space.chars().next().unwrap_or(' ');
        if next.is_lowercase() {
            continue;
        }
        if c == '.' && end == i + 1 && ends_with_abbreviation(&s[start..i], lexicon) {
            continue;
        }
        push(base + start..base + end, text, section, block_index, out);
        start = end + (rest.len() - after_space.len());
    }
    push(base + start..block.end, text, section, block_index, out);
}

/// True when the word right before a period is an abbreviation or an initial.
fn ends_with_abbreviation(before: &str, lexicon: &Lexicon) -> bool {
    let in_word = |c: char| c.is_alphanumeric() || c == '.' || c == '-' || c == '°';
    // Back over ASCII a byte at a time; a character beyond it, the slow way.
    let ascii_start = before
        .bytes()
        .rposition(|b| !(b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
        .map_or(0, |i| i + 1);
    let word_start = if ascii_start == 0 || before.as_bytes()[ascii_start - 1].is_ascii() {
        ascii_start
    } else {
        before[..ascii_start]
            .char_indices()
            .rev()
            .find(|&(_, c)| !in_word(c))
            .map_or(0, |(i, c)| i + c.len_utf8())
    };
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    let mut chars = word.chars();
    let initial = chars.next().is_some_and(char::is_uppercase) && chars.next().is_none();
    initial || lexicon.is_abbreviation(word)
}

fn push(span: Range<usize>, text: &str, section: Section, block: usize, out: &mut Vec<Sentence>) {
    let s = &text[span.clone()];
    let trimmed = s.trim_start();
    let trimmed_start = span.start + (s.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    let trimmed_end = trimmed_start + trimmed.len();
    if !trimmed.is_empty()
        && (trimmed.bytes().any(|b| b.is_ascii_alphanumeric())
            || trimmed.chars().any(char::is_alphanumeric))
    {
        out.push(Sentence {
            span: trimmed_start..trimmed_end,
            section,
            block,
        });
    }
}

/// The sentence's text on one line: runs of whitespace become one space.
pub fn display(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // `>` alone is the marker of a continued block-quote line, not text.
    for part in text
        .split_whitespace()
        .filter(|p| !p.bytes().all(|b| b == b'>'))
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let lexicons = Lexicons::builtin().unwrap();
        split(text, 0..text.len(), lexicons.get("fr").unwrap(), &lexicons)
            .iter()
            .map(|s| display(&text[s.span.clone()]))
            .collect()
    }

    #[test]
    fn splits_at_final_punctuation() {
        assert_eq!(
            sentences("Alger soutient Bamako. Moscou approuve ! Et Paris ? Rien."),
            [
                "Alger soutient Bamako.",
                "Moscou approuve !",
                "Et Paris ?",
                "Rien."
            ]
        );
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_a_sentence() {
        assert_eq!(
            sentences("M. Lamamra a reçu le gén. Chengriha et Mme Dupont. Le col. Goïta part. J. Dupont aussi."),
            [
                "M. Lamamra a reçu le gén. Chengriha et Mme Dupont.",
                "Le col. Goïta part.",
                "J. Dupont aussi."
            ]
        );
    }

    #[test]
    fn numbers_keep_their_separators() {
        assert_eq!(
            sentences("Wagner toucherait 9,15 millions d’euros. La frontière fait 1.300 km. Fin."),
            [
                "Wagner toucherait 9,15 millions d’euros.",
                "La frontière fait 1.300 km.",
                "Fin."
            ]
        );
    }

    #[test]
    fn guillemets_and_ellipses() {
        assert_eq!(
            sentences(
                "Ils criaient « France, va-t’en ! » samedi. Puis… rien. Il attend… Alger répond."
            ),
            [
                "Ils criaient « France, va-t’en ! » samedi.",
                "Puis… rien.",
                "Il attend…",
                "Alger répond."
            ]
        );
        assert_eq!(
            sentences("Il a dit : « Nous partons. » Le lendemain, rien."),
            ["Il a dit : « Nous partons. »", "Le lendemain, rien."]
        );
    }

    #[test]
    fn headings_list_items_and_header_lines_stand_alone() {
        let text = "# Un titre sans point\n12.9 C\nAlger\nvendredi, avril 26, 2024\n\nUn paragraphe assez long pour que la ligne soit repliée\nen deux lignes.\n- un élément\n- un autre élément\n";
        assert_eq!(
            sentences(text),
            [
                "Un titre sans point",
                "12.9 C",
                "Alger",
                "vendredi, avril 26, 2024",
                "Un paragraphe assez long pour que la ligne soit repliée en deux lignes.",
                "un élément",
                "un autre élément"
            ]
        );
    }

    #[test]
    fn comments_heading_opens_the_comments_section() {
        let lexicons = Lexicons::builtin().unwrap();
        let text = "Corps.\n\n## Commentaires\n\n1. Un lecteur.\n";
        let s = split(text, 0..text.len(), lexicons.get("fr").unwrap(), &lexicons);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].section, Section::Body);
        assert_eq!(s[1].section, Section::Comment);
        let text = "Body.\n\n<!-- volte: comments -->\nA reader.\n";
        let s = split(text, 0..text.len(), lexicons.get("fr").unwrap(), &lexicons);
        assert_eq!(s[1].section, Section::Comment);
    }

    #[test]
    fn list_items_run_over_indented_lines_unless_short() {
        assert_eq!(
            sentences("1. Un commentaire assez long pour occuper toute une ligne\n   qui continue ici.\n2. Fakenews à la sauce\n   L’Algérie exige le départ."),
            [
                "Un commentaire assez long pour occuper toute une ligne qui continue ici.",
                "Fakenews à la sauce",
                "L’Algérie exige le départ."
            ]
        );
    }

    #[test]
    fn block_quotes_stand_apart_from_list_items() {
        assert_eq!(
            sentences("- premier élément\n> une citation qui court\n> sur deux lignes.\nSuite."),
            [
                "premier élément",
                "une citation qui court sur deux lignes.",
                "Suite."
            ]
        );
    }

    #[test]
    fn crlf_and_cr_line_endings() {
        assert_eq!(
            sentences("Un.\r\nUne ligne de prose assez longue pour être coupée par un retour\r\nà la ligne.\r\n\r\nQuatre."),
            ["Un.", "Une ligne de prose assez longue pour être coupée par un retour à la ligne.", "Quatre."]
        );
        assert_eq!(sentences("Un.\r\rDeux."), ["Un.", "Deux."]);
    }
}
