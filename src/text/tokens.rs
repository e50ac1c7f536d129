//! Words of a sentence, folded, with their byte spans in the original text.
//!
//! Elided articles and pronouns become words of their own (`l’Algérie` reads as
//! `le algerie`, `n’est` as `ne est`), English contractions are split
//! (`doesn't` → `does not`), hyphens separate words, and punctuation that ends a
//! clause is remembered on the next word so negation never reaches across it.

use std::ops::Range;

use super::fold::{fold_into, is_apostrophe};
use crate::lexicon::Lexicon;

/// One word of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte span of the word in the text it was read from.
    pub span: Range<usize>,
    /// Where the folded form sits in [`Tokens::folded`].
    folded: Range<u32>,
    /// A clause-ending mark (, ; : ( ) — …) stands between this word and the
    /// one before it.
    pub break_before: bool,
    /// A mark that ends more than a clause (: ; ( ) — and sentence punctuation
    /// inside the sentence): pattern gaps do not reach across it.
    pub strong_break_before: bool,
}

/// The words of one sentence; the buffers are reused from sentence to sentence.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    folded: String,
    tokens: Vec<Token>,
}

impl Tokens {
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn get(&self, i: usize) -> &Token {
        &self.tokens[i]
    }

    /// The folded form of word `i`.
    pub fn word(&self, i: usize) -> &str {
        let r = &self.tokens[i].folded;
        &self.folded[r.start as usize..r.end as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter()
    }

    /// The folded words, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.word(i))
    }

    fn push(&mut self, span: Range<usize>, folded: Range<usize>, mark: Mark) {
        self.tokens.push(Token {
            span,
            folded: folded.start as u32..folded.end as u32,
            break_before: mark != Mark::None,
            strong_break_before: mark == Mark::Strong,
        });
    }
}

/// The strongest punctuation seen between two words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    None,
    Weak,
    Strong,
}

fn mark_of(c: char) -> Mark {
    match c {
        // Quotes are not breaks: « ne posent aucun problème » reads as one clause.
        ',' | '/' => Mark::Weak,
        ';' | ':' | '(' | ')' | '[' | ']' | '—' | '–' | '.' | '!' | '?' | '…' | '|' => {
            Mark::Strong
        }
        _ => Mark::None,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '°'
}

/// Splits `text` into words. Spans are offset by `base`, so a sentence cut out of
/// a file keeps the file's byte offsets.
pub fn tokenize(text: &str, base: usize, lexicon: &Lexicon, out: &mut Tokens) {
    out.folded.clear();
    out.tokens.clear();
    let bytes_len = text.len();
    let mut chars = text.char_indices().peekable();
    let mut pending = Mark::None;
    while let Some((i, c)) = chars.next() {
        if !is_word_char(c) {
            if !out.tokens.is_empty() {
                pending = pending.max(mark_of(c));
            }
            continue;
        }
        // Read one run of word characters.
        let start = i;
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if is_word_char(d) {
                end = j + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        // An apostrophe between two words: elision, contraction or a plain split.
        let apostrophe = chars
            .peek()
            .filter(|&&(_, d)| is_apostrophe(d))
            .map(|&(j, d)| (j, j + d.len_utf8()));
        if let Some((_, a_end)) = apostrophe {
            let next_is_word = text[a_end..].chars().next().is_some_and(is_word_char);
            if next_is_word {
                let fold_start = out.folded.len();
                fold_into(&text[start..end], &mut out.folded);
                let left = out.folded[fold_start..].to_string();
                out.folded.truncate(fold_start);
                if let Some(full) = lexicon.elision(&left) {
                    chars.next(); // the apostrophe
                    let f = out.folded.len();
                    out.folded.push_str(full);
                    out.push(
                        base + start..base + a_end,
                        f..out.folded.len(),
                        std::mem::replace(&mut pending, Mark::None),
                    );
                    continue;
                }
                let right_end = text[a_end..]
                    .char_indices()
                    .find(|&(_, d)| !is_word_char(d))
                    .map_or(bytes_len, |(k, _)| a_end + k);
                let right = super::fold::fold(&text[a_end..right_end]);
                if let Some((stem_len, expansion)) = lexicon.contraction(&left, &right) {
                    // `stem_len` counts folded bytes; the stems are ASCII in practice,
                    // but fall back to the whole word if it would cut a character.
                    let cut = if text.is_char_boundary(start + stem_len) {
                        start + stem_len
                    } else {
                        end
                    };
                    let f = out.folded.len();
                    fold_into(&text[start..cut], &mut out.folded);
                    out.push(
                        base + start..base + cut,
                        f..out.folded.len(),
                        std::mem::replace(&mut pending, Mark::None),
                    );
                    let f = out.folded.len();
                    out.folded.push_str(expansion);
                    out.push(
                        base + cut..base + right_end,
                        f..out.folded.len(),
                        Mark::None,
                    );
                    // Skip the apostrophe and the right-hand part.
                    while chars.peek().is_some_and(|&(k, _)| k < right_end) {
                        chars.next();
                    }
                    continue;
                }
            }
        }
        let f = out.folded.len();
        fold_into(&text[start..end], &mut out.folded);
        out.push(
            base + start..base + end,
            f..out.folded.len(),
            std::mem::replace(&mut pending, Mark::None),
        );
    }
}

/// Folded words of a short phrase (an alias, a hedge), for building tables.
pub fn phrase_words(text: &str, lexicon: &Lexicon) -> Vec<String> {
    let mut tokens = Tokens::default();
    tokenize(text, 0, lexicon, &mut tokens);
    tokens.words().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;

    fn words(text: &str, lang: &str) -> Vec<String> {
        let lexicons = Lexicons::builtin().unwrap();
        phrase_words(text, lexicons.get(lang).unwrap())
    }

    #[test]
    fn elision_with_both_apostrophes() {
        assert_eq!(words("l’Algérie", "fr"), ["le", "algerie"]);
        assert_eq!(words("l'Algérie", "fr"), ["le", "algerie"]);
        assert_eq!(
            words("d’Alger qu’elle n'est", "fr"),
            ["de", "alger", "que", "elle", "ne", "est"]
        );
    }

    #[test]
    fn unknown_apostrophe_splits_plainly() {
        assert_eq!(words("aujourd'hui", "fr"), ["aujourd", "hui"]);
    }

    #[test]
    fn english_contractions_expand() {
        assert_eq!(
            words("Algiers doesn't back", "en"),
            ["algiers", "does", "not", "back"]
        );
        assert_eq!(words("won’t", "en"), ["wo", "not"]);
    }

    #[test]
    fn hyphens_split_words_and_punctuation_marks_breaks() {
        let lexicons = Lexicons::builtin().unwrap();
        let mut t = Tokens::default();
        tokenize(
            "Alger-Moscou, Bamako",
            10,
            lexicons.get("fr").unwrap(),
            &mut t,
        );
        assert_eq!(t.words().collect::<Vec<_>>(), ["alger", "moscou", "bamako"]);
        assert!(!t.get(1).break_before);
        assert!(t.get(2).break_before);
        assert!(!t.get(2).strong_break_before);
        assert_eq!(t.get(0).span, 10..15);
        tokenize(
            "rassuré : la guerre",
            0,
            lexicons.get("fr").unwrap(),
            &mut t,
        );
        assert!(t.get(1).strong_break_before);
    }

    #[test]
    fn spans_point_at_the_original_text() {
        let lexicons = Lexicons::builtin().unwrap();
        let mut t = Tokens::default();
        let text = "n’est guère hostile";
        tokenize(text, 0, lexicons.get("fr").unwrap(), &mut t);
        assert_eq!(&text[t.get(0).span.clone()], "n’");
        assert_eq!(&text[t.get(3).span.clone()], "hostile");
    }
}
