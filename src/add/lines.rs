//! What one line of a raw page is: furniture, the line that opens the
//! reader comments, a byline, a lone URL, a line of prose.

use std::sync::OnceLock;

use regex::Regex;

use super::dates::{self, Word};
use crate::lexicon::ImportWords;
use crate::text::sentences::COMMENTS_MARKER;

/// A line that is plainly furniture: a known phrase, a link list opener, the
/// weather, or no word at all.
pub(super) fn is_furniture(line: &str, words: &ImportWords) -> bool {
    static WEATHER: OnceLock<Regex> = OnceLock::new();
    let weather = WEATHER.get_or_init(|| {
        Regex::new(r"^-?\d+(?:[.,]\d+)?\s*°?\s*[CF]$").unwrap_or_else(|_| unreachable!())
    });
    let trimmed = line.trim();
    if weather.is_match(trimmed) {
        return true;
    }
    let ws = dates::words(line);
    if ws.is_empty() {
        return !trimmed.is_empty() && !trimmed.starts_with('>');
    }
    let folded: Vec<&str> = ws.iter().map(|w| w.folded.as_str()).collect();
    words.furniture.iter().any(|p| folded == p.as_slice())
        // `Lire aussi : …` links to another article; `Related talks were
        // held.` is a sentence.
        || (starts_with_phrase(&ws, &words.furniture_prefixes)
            && trimmed.chars().count() < 200
            && (!ends_sentence(trimmed) || prefix_colon(trimmed, &ws, &words.furniture_prefixes)))
}

/// The prefix phrase is followed by `:` (`Tags : Mali, Algérie.`).
pub(super) fn prefix_colon(line: &str, ws: &[Word<'_>], phrases: &[Vec<String>]) -> bool {
    phrases.iter().any(|p| {
        p.len() <= ws.len()
            && ws.iter().zip(p).all(|(w, p)| w.folded == *p)
            && line[ws[p.len() - 1].end..].trim_start().starts_with(':')
    })
}

pub(super) fn starts_with_phrase(ws: &[Word<'_>], phrases: &[Vec<String>]) -> bool {
    phrases
        .iter()
        .any(|p| p.len() <= ws.len() && ws.iter().zip(p).all(|(w, p)| w.folded == *p))
}

/// The line that opens the reader comments: a count (`6 تعليقات`, `12
/// commentaires`, `Comments (3)`), a comments heading, a comment form, or the
/// comments marker.
pub(super) fn is_comments_start(line: &str, words: &ImportWords) -> bool {
    let trimmed = line.trim();
    if trimmed == COMMENTS_MARKER {
        return true;
    }
    // `12 commentaires ont été publiés.` is a sentence; `12 réponses à « Titre »`
    // is a count.
    if trimmed.ends_with(['.', '!', '?', '…']) {
        return false;
    }
    if trimmed.starts_with('#') && !trimmed.trim_start_matches('#').starts_with(' ') {
        return false;
    }
    let heading = trimmed.starts_with('#');
    let ws = dates::words(trimmed);
    let folded: Vec<&str> = ws.iter().map(|w| w.folded.as_str()).collect();
    if folded.is_empty() || folded.len() > 20 {
        return false;
    }
    let count_word = |w: &str| words.comment_counts.contains(w);
    // Any digits: `٦ تعليقات` as well as `6 تعليقات`.
    let number = |w: &str| w.chars().all(char::is_numeric);
    let counted = match folded.as_slice() {
        // `12 réponses à « Un titre »`: the count opens the line.
        [n, w, ..] if number(n) && count_word(w) => true,
        [w, n] if count_word(w) && number(n) => true,
        _ => false,
    };
    // A plain `Réactions` line may be a section of the article: only a
    // Markdown heading is read as the comments heading (as `check` does).
    counted
        || (heading
            && words
                .comment_headings
                .iter()
                .any(|h| folded == h.as_slice()))
        || words.comments_start.iter().any(|h| folded == h.as_slice())
}

/// The outlet named by a byline: `Source : AFP`, `Par La Rédaction | 3 mars`.
/// With `colon`, the cue must be followed by `:`.
pub(super) fn byline(
    line: &str,
    words: &ImportWords,
    day_first: bool,
    colon: bool,
) -> Option<String> {
    let ws = dates::words(line);
    let cue = words
        .bylines
        .iter()
        .find(|p| p.len() <= ws.len() && ws.iter().zip(*p).all(|(w, p)| w.folded == *p))?;
    let from = ws.get(cue.len() - 1)?.end;
    let mut rest = &line[from..];
    if colon && !rest.trim_start().starts_with(':') {
        return None;
    }
    // Stop at a date or a separator.
    if let Some(d) = dates::find(rest, words, day_first).first() {
        rest = &rest[..d.start];
    }
    let rest = rest.split(['|', '•', '·']).next().unwrap_or("");
    let rest = rest.split(" - ").next().unwrap_or("");
    let name = rest
        .trim_matches(|c: char| c.is_whitespace() || ":-–—,.;(".contains(c))
        .trim_end_matches(|c: char| c.is_whitespace() || ":-–—,.;)".contains(c));
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    (letters >= 2 && name.chars().count() <= 60).then(|| name.to_string())
}

/// `BAMAKO (AFP) - …`: the agency of a wire dateline.
pub(super) fn agency_dateline(line: &str) -> Option<String> {
    static DATELINE: OnceLock<Regex> = OnceLock::new();
    let re = DATELINE.get_or_init(|| {
        Regex::new(r"^\s*[\p{Lu}][\p{Lu}\s'’.-]{1,40}\(([\p{L}\s.-]{2,30})\)\s*[-–—:]")
            .unwrap_or_else(|_| unreachable!())
    });
    Some(re.captures(line)?.get(1)?.as_str().trim().to_string())
}

pub(super) fn is_lone_url(line: &str) -> bool {
    let trimmed = line.trim();
    (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
        && !trimmed.contains(char::is_whitespace)
}

pub(super) fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

pub(super) fn word_count(line: &str) -> usize {
    dates::words(line)
        .iter()
        .filter(|w| w.text.chars().any(char::is_alphabetic))
        .count()
}

pub(super) fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['.', '!', '?', '…', '»', '"', '”', ':'])
}
