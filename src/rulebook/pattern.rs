//! The pattern language of propositions.
//!
//! ```text
//! financ* ..6 @russia          a word by prefix, at most 6 words, then any alias of `russia`
//! ~soutenir ..3 (Moscou | la Russie)   a word by stem, then one of two phrases
//! n'est guère hostile          words in this order, side by side (elisions split as in text)
//! re:\bzone tampon\b           a regex over the sentence's folded words
//! ```
//!
//! Items sit side by side unless `..N` between two of them allows up to N other
//! words in between. Words are matched whole, folded (case and accents ignored).

use super::TermTable;
use crate::lexicon::Lexicon;
use crate::text::tokens::phrase_words;

/// A word matcher, shared by every pattern and alias that uses it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    Word(String),
    Prefix(String),
    Stem(String),
}

pub type TermId = u32;

/// One element of a sequence.
#[derive(Debug, Clone)]
pub enum Item {
    Term(TermId),
    /// Any alias of an entity (index into the rulebook's entities).
    Entity(usize),
    /// One of several sequences.
    Group(Vec<Seq>),
}

/// Items in order; `gaps[i]` is how many other words may stand between item `i`
/// and item `i + 1`.
#[derive(Debug, Clone, Default)]
pub struct Seq {
    pub items: Vec<Item>,
    pub gaps: Vec<u32>,
}

impl Seq {
    /// What a sentence must hold for this sequence to match, as a conjunction of
    /// disjunctions: one term of each `terms` group and one entity of each
    /// `entities` group. Checked before any walk, so most sentences cost a few
    /// lookups per pattern.
    pub fn requirements(&self) -> Requirements {
        let mut req = Requirements::default();
        for item in &self.items {
            match item {
                Item::Term(t) => req.terms.push(vec![*t]),
                Item::Entity(e) => req.entities.push(vec![*e]),
                Item::Group(alts) => {
                    let each: Vec<Requirements> = alts.iter().map(Seq::requirements).collect();
                    // The group needs one of its alternatives: a term of each
                    // alternative's first term clause, when every alternative has one.
                    if each.iter().all(|r| !r.terms.is_empty()) {
                        let mut any: Vec<TermId> = each
                            .iter()
                            .flat_map(|r| r.terms[0].iter().copied())
                            .collect();
                        any.sort_unstable();
                        any.dedup();
                        req.terms.push(any);
                    } else if each
                        .iter()
                        .all(|r| r.terms.is_empty() && !r.entities.is_empty())
                    {
                        let mut any: Vec<usize> = each
                            .iter()
                            .flat_map(|r| r.entities[0].iter().copied())
                            .collect();
                        any.sort_unstable();
                        any.dedup();
                        req.entities.push(any);
                    }
                }
            }
        }
        req
    }

    /// How specific the sequence is: the number of words it pins down.
    pub fn weight(&self) -> usize {
        self.items
            .iter()
            .map(|i| match i {
                Item::Term(_) | Item::Entity(_) => 1,
                Item::Group(alts) => alts.iter().map(Seq::weight).min().unwrap_or(0),
            })
            .sum()
    }

    pub fn entities(&self, out: &mut Vec<usize>) {
        for item in &self.items {
            match item {
                Item::Entity(e) => out.push(*e),
                Item::Group(alts) => alts.iter().for_each(|s| s.entities(out)),
                Item::Term(_) => {}
            }
        }
    }
}

/// See [`Seq::requirements`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    pub terms: Vec<Vec<TermId>>,
    pub entities: Vec<Vec<usize>>,
}

/// A syntax error at a character offset in the pattern text.
#[derive(Debug, PartialEq, Eq)]
pub struct PatternError {
    pub offset: usize,
    pub message: String,
}

/// Resolves `@name` references while parsing.
pub trait EntityLookup {
    fn entity(&self, name: &str) -> Option<usize>;
    fn names(&self) -> Vec<String>;
}

#[derive(Debug, Clone, PartialEq)]
enum Lex<'a> {
    Word(&'a str),
    Gap(u32),
    Open,
    Close,
    Bar,
}

fn lex(text: &str) -> Result<Vec<(usize, Lex<'_>)>, PatternError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push((i, Lex::Open));
            }
            ')' => {
                chars.next();
                out.push((i, Lex::Close));
            }
            '|' => {
                chars.next();
                out.push((i, Lex::Bar));
            }
            '.' if text[i..].starts_with("..") => {
                let digits: String = text[i + 2..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if digits.is_empty() {
                    return Err(PatternError {
                        offset: i,
                        message: "a gap is written `..N`, with N the most words allowed in between (`..3`)".into(),
                    });
                }
                let n: u32 = digits.parse().map_err(|_| PatternError {
                    offset: i,
                    message: format!("gap `..{digits}` is too large"),
                })?;
                if n > super::MAX_GAP {
                    return Err(PatternError {
                        offset: i,
                        message: format!("gap `..{n}` is larger than {} words", super::MAX_GAP),
                    });
                }
                for _ in 0..2 + digits.len() {
                    chars.next();
                }
                out.push((i, Lex::Gap(n)));
            }
            _ => {
                let start = i;
                let mut end = i;
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_whitespace() || matches!(d, '(' | ')' | '|') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                out.push((start, Lex::Word(&text[start..end])));
            }
        }
    }
    Ok(out)
}

/// Parses a pattern (not a `re:` one) into a sequence, registering its terms.
pub fn parse(
    text: &str,
    lexicon: &Lexicon,
    terms: &mut TermTable,
    entities: &dyn EntityLookup,
) -> Result<Seq, PatternError> {
    let lexed = lex(text)?;
    let mut pos = 0;
    let seq = parse_alternatives(&lexed, &mut pos, lexicon, terms, entities, 0)?;
    if let Some((offset, _)) = lexed.get(pos) {
        return Err(PatternError {
            offset: *offset,
            message: "unmatched `)`".into(),
        });
    }
    match seq {
        Alternatives::One(seq) if !seq.items.is_empty() => Ok(seq),
        Alternatives::One(_) => Err(PatternError {
            offset: 0,
            message: "empty pattern".into(),
        }),
        Alternatives::Many(alts) => Ok(Seq {
            items: vec![Item::Group(alts)],
            gaps: Vec::new(),
        }),
    }
}

enum Alternatives {
    One(Seq),
    Many(Vec<Seq>),
}

fn parse_alternatives(
    lexed: &[(usize, Lex<'_>)],
    pos: &mut usize,
    lexicon: &Lexicon,
    terms: &mut TermTable,
    entities: &dyn EntityLookup,
    depth: usize,
) -> Result<Alternatives, PatternError> {
    let mut alts = vec![parse_seq(lexed, pos, lexicon, terms, entities, depth)?];
    while let Some((offset, Lex::Bar)) = lexed.get(*pos) {
        let offset = *offset;
        *pos += 1;
        let seq = parse_seq(lexed, pos, lexicon, terms, entities, depth)?;
        if seq.items.is_empty() {
            return Err(PatternError {
                offset,
                message: "empty alternative after `|`".into(),
            });
        }
        alts.push(seq);
    }
    if alts.len() == 1 {
        Ok(Alternatives::One(alts.pop().unwrap_or_default()))
    } else if alts[0].items.is_empty() {
        Err(PatternError {
            offset: lexed.first().map_or(0, |l| l.0),
            message: "empty alternative before `|`".into(),
        })
    } else {
        Ok(Alternatives::Many(alts))
    }
}

fn parse_seq(
    lexed: &[(usize, Lex<'_>)],
    pos: &mut usize,
    lexicon: &Lexicon,
    terms: &mut TermTable,
    entities: &dyn EntityLookup,
    depth: usize,
) -> Result<Seq, PatternError> {
    let mut seq = Seq::default();
    let mut pending_gap: Option<(usize, u32)> = None;
    while let Some((offset, lex)) = lexed.get(*pos) {
        let offset = *offset;
        let mut items = Vec::new();
        match lex {
            Lex::Bar | Lex::Close => break,
            Lex::Gap(n) => {
                if seq.items.is_empty() || pending_gap.is_some() {
                    return Err(PatternError {
                        offset,
                        message: "a gap `..N` must stand between two items".into(),
                    });
                }
                pending_gap = Some((offset, *n));
                *pos += 1;
                continue;
            }
            Lex::Open => {
                if depth >= 8 {
                    return Err(PatternError {
                        offset,
                        message: "groups nested more than 8 deep".into(),
                    });
                }
                *pos += 1;
                let inner = parse_alternatives(lexed, pos, lexicon, terms, entities, depth + 1)?;
                match lexed.get(*pos) {
                    Some((_, Lex::Close)) => *pos += 1,
                    _ => {
                        return Err(PatternError {
                            offset,
                            message: "`(` is never closed".into(),
                        })
                    }
                }
                match inner {
                    Alternatives::One(s) if s.items.is_empty() => {
                        return Err(PatternError {
                            offset,
                            message: "empty group `()`".into(),
                        })
                    }
                    Alternatives::One(s) => items.push(Item::Group(vec![s])),
                    Alternatives::Many(alts) => items.push(Item::Group(alts)),
                }
            }
            Lex::Word(w) => {
                *pos += 1;
                word_items(w, offset, lexicon, terms, entities, &mut items)?;
            }
        }
        for (k, item) in items.into_iter().enumerate() {
            if !seq.items.is_empty() {
                let gap = if k == 0 {
                    pending_gap.take().map_or(0, |g| g.1)
                } else {
                    0
                };
                seq.gaps.push(gap);
            }
            seq.items.push(item);
        }
    }
    if let Some((offset, _)) = pending_gap {
        return Err(PatternError {
            offset,
            message: "a gap `..N` must stand between two items".into(),
        });
    }
    Ok(seq)
}

/// One written word of a pattern: `@entity`, `~stem`, `prefix*` or a literal
/// (which may be several words once elisions and hyphens are split).
fn word_items(
    w: &str,
    offset: usize,
    lexicon: &Lexicon,
    terms: &mut TermTable,
    entities: &dyn EntityLookup,
    items: &mut Vec<Item>,
) -> Result<(), PatternError> {
    let err = |message: String| PatternError { offset, message };
    if let Some(name) = w.strip_prefix('@') {
        let id = entities.entity(name).ok_or_else(|| {
            let names = entities.names();
            let hint = crate::suggest::closest(name, names.iter().map(String::as_str))
                .map(|n| format!(" (did you mean `@{n}`?)"))
                .unwrap_or_default();
            err(format!("unknown entity `@{name}`{hint}"))
        })?;
        items.push(Item::Entity(id));
        return Ok(());
    }
    if let Some(word) = w.strip_prefix('~') {
        let words = phrase_words(word, lexicon);
        let [single] = words.as_slice() else {
            return Err(err(format!("`~{word}`: a stem is one word")));
        };
        let stem = lexicon.stem(&word.to_lowercase()).ok_or_else(|| {
            err(format!(
                "`~{word}`: the `{}` lexicon has no stemmer",
                lexicon.language
            ))
        })?;
        let _ = single;
        items.push(Item::Term(terms.intern(Term::Stem(stem))));
        return Ok(());
    }
    if let Some(prefix) = w.strip_suffix('*') {
        let mut words = phrase_words(prefix, lexicon);
        let Some(last) = words.pop() else {
            return Err(err(format!(
                "`{w}`: a prefix needs at least one letter before `*`"
            )));
        };
        for word in words {
            items.push(Item::Term(terms.intern(Term::Word(word))));
        }
        items.push(Item::Term(terms.intern(Term::Prefix(last))));
        return Ok(());
    }
    if w.contains('*') {
        return Err(err(format!(
            "`{w}`: `*` is only allowed at the end of a word"
        )));
    }
    let words = phrase_words(w, lexicon);
    if words.is_empty() {
        return Err(err(format!("`{w}` has no letters or digits to match")));
    }
    for word in words {
        items.push(Item::Term(terms.intern(Term::Word(word))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;

    struct Names;
    impl EntityLookup for Names {
        fn entity(&self, name: &str) -> Option<usize> {
            ["algeria", "russia"].iter().position(|n| *n == name)
        }
        fn names(&self) -> Vec<String> {
            vec!["algeria".into(), "russia".into()]
        }
    }

    fn parse_str(text: &str) -> Result<(Seq, TermTable), PatternError> {
        let lexicons = Lexicons::builtin().unwrap();
        let mut terms = TermTable::default();
        let seq = parse(text, lexicons.get("fr").unwrap(), &mut terms, &Names)?;
        Ok((seq, terms))
    }

    #[test]
    fn words_gaps_prefixes_stems_and_entities() {
        let (seq, terms) = parse_str("@algeria ..5 financ* ..3 ~soutenir l'armée").unwrap();
        assert_eq!(seq.items.len(), 5);
        assert_eq!(seq.gaps, [5, 3, 0, 0]);
        assert!(matches!(seq.items[0], Item::Entity(0)));
        assert_eq!(terms.term(0), &Term::Prefix("financ".into()));
        assert!(matches!(terms.term(1), Term::Stem(_)));
        assert_eq!(terms.term(2), &Term::Word("le".into()));
        assert_eq!(terms.term(3), &Term::Word("armee".into()));
    }

    #[test]
    fn alternatives_and_groups() {
        let (seq, _) = parse_str("soutien | appui").unwrap();
        assert!(matches!(&seq.items[0], Item::Group(a) if a.len() == 2));
        let (seq, _) = parse_str("(salue | se réjouit de) ..2 @russia").unwrap();
        assert_eq!(seq.items.len(), 2);
        assert_eq!(seq.gaps, [2]);
    }

    #[test]
    fn errors_point_at_the_offending_part() {
        let e = parse_str("soutien ..x @russia").unwrap_err();
        assert_eq!(e.offset, 8);
        let e = parse_str("soutien @russie").unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(
            e.message.contains("did you mean `@russia`"),
            "{}",
            e.message
        );
        assert!(parse_str("(soutien | appui")
            .unwrap_err()
            .message
            .contains("never closed"));
        assert!(parse_str("soutien ..3").is_err());
        assert!(parse_str("..3 soutien").is_err());
        assert!(parse_str("sou*tien").is_err());
        assert!(parse_str("soutien ..999 appui").is_err());
    }
}
