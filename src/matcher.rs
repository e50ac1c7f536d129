//! The matcher: every sentence of an article against every proposition of the
//! rulebook, in one pass.
//!
//! Each word is looked up once in the rulebook's term tables (exact words, then
//! prefixes by length, then stems); the terms it hits are stamped as present in
//! the sentence. A pattern is tried only when all of its words are present, and
//! then by a bounded walk over word positions that honours order and gaps.
//! Negation is counted around the cue (the words the pattern pinned down), hedges
//! anywhere in the sentence.
//!
//! Before any of that, the [`Prefilter`] runs over the whole folded article and
//! marks the sentences that hold a literal of the rulebook; the others are only
//! counted (see `src/prefilter.rs` for why that loses nothing).

use foldhash::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::corpus::{Article, PartialDate};
use crate::error::Error;
use crate::lexicon::Lexicon;
use crate::prefilter::Prefilter;
use crate::rulebook::{
    Context, Item, Pattern, PatternBody, Proposition, Requirements, Rulebook, Seq, Stance, TermId,
};
use crate::text::sentences::{self, Section, Sentence};
use crate::text::tokens::{tokenize, Tokens};
use crate::text::LineCounter;

/// Most steps the walk may take for one pattern in one sentence: a pathological
/// sentence gives up on that pattern instead of hanging.
const WALK_BUDGET: u32 = 20_000;

/// A sentence longer than this (in bytes) is matched in pieces of at most this
/// size, cut after a space: real sentences are far shorter, and a pathological
/// one (a 100,000-word line) must cost no more than its length.
pub const MAX_SENTENCE_BYTES: usize = 4096;

/// How many words before a cue a denial (démenti, ruled out) may stand.
const DENIAL_REACH: usize = 12;

/// One sentence matched to one proposition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Claim {
    /// Index of the article in the corpus.
    pub article: usize,
    pub proposition: usize,
    pub stance: Stance,
    /// A negation flipped the pattern's stance.
    pub negated: bool,
    pub hedged: bool,
    pub section: Section,
    pub line: usize,
    /// The words of the sentence that the pattern pinned down, as written.
    pub cue: Box<str>,
    /// Shared with the report's quotes: a claim's sentence is kept once.
    pub sentence: Arc<str>,
    /// The pattern as written in the rule file, shared with the rulebook.
    pub pattern: Arc<str>,
    /// What only `explain` shows, apart: most claims have none of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Box<Detail>>,
}

/// The words of a claim's sentence that turned or softened its cue, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Detail {
    /// The negators counted.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub negators: Box<[Box<str>]>,
    /// The denial that reports the cue false ("a démenti").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denial: Option<Box<str>>,
    /// The hedge found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedge: Option<Box<str>>,
}

impl Claim {
    /// The negators counted, as written (for `explain`).
    pub fn negators(&self) -> &[Box<str>] {
        self.detail.as_ref().map_or(&[], |d| &d.negators)
    }

    /// The denial that reports the cue false ("a démenti"), as written.
    pub fn denial(&self) -> Option<&str> {
        self.detail.as_ref()?.denial.as_deref()
    }

    /// The hedge found, as written.
    pub fn hedge(&self) -> Option<&str> {
        self.detail.as_ref()?.hedge.as_deref()
    }
}

/// An entity named in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub entity: usize,
    pub text: String,
}

/// What `explain` shows of one sentence.
#[derive(Debug, Clone)]
pub struct SentenceDetail {
    pub line: usize,
    pub section: Section,
    pub text: String,
    pub mentions: Vec<Mention>,
    /// Entities of the preceding sentences that the context rule lends it.
    pub context: Vec<usize>,
    pub claims: Vec<Claim>,
    /// The sentence's words after folding, as patterns see them.
    pub tokens: Vec<String>,
    /// Propositions that came close but made no claim, and why not.
    pub near_misses: Vec<NearMiss>,
}

/// A proposition a sentence came close to: an actor it requires is named, or
/// one of its patterns matched, yet it made no claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    pub proposition: usize,
    pub kind: MissKind,
    pub reason: String,
}

/// Why a proposition made no claim on a sentence that came close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissKind {
    /// A required actor is not named.
    Actor,
    Question,
    Unless,
    Hypothesis,
    /// A one-way pattern under a negation.
    OneWay,
    /// The actors are named but no stance pattern matched: what
    /// `volte suggest` looks at.
    NoPattern,
}

/// The result of matching one article.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Sentences read (the body, and the comments when asked for).
    pub sentences: usize,
    pub claims: Vec<Claim>,
    /// Filled when [`Options::detail`] is set.
    pub details: Vec<SentenceDetail>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub include_comments: bool,
    pub detail: bool,
    /// Read every sentence, without the prefilter (the reference the fast path
    /// is tested against).
    pub full_scan: bool,
}

/// Buffers reused from sentence to sentence (one per worker thread).
#[derive(Default)]
pub struct Scratch {
    tokens: Tokens,
    hits: Vec<TermId>,
    hit_ranges: Vec<Range<u32>>,
    present: Vec<u32>,
    stamp: u32,
    stems: HashMap<String, Option<String>>,
    hit_buf: Vec<TermId>,
    marked: Vec<bool>,
    /// Where each sentence starts, for the prefilter's side-by-side reading.
    cuts: Vec<usize>,
    /// The prefilter's literal kinds per sentence, then per sentence read.
    kinds: Vec<u8>,
    read_kinds: Vec<u8>,
    read_marked: Vec<bool>,
    /// The article's sentences.
    sentences: Vec<Sentence>,
}

/// Matches one article.
pub fn analyze(
    article_index: usize,
    article: &Article,
    rulebook: &Rulebook,
    options: Options,
    scratch: &mut Scratch,
) -> Result<Analysis, Error> {
    let lexicon = rulebook
        .lexicon(article.lang())
        .ok_or_else(|| Error::Article {
            path: article.path.clone(),
            line: article.lang_line as usize,
            message: format!(
            "no lexicon for language `{}` (have: {}); add rules/lexicons/{}.yaml or fix `lang:`",
            article.lang(),
            rulebook.lexicons.languages().collect::<Vec<_>>().join(", "),
            article.lang()
        ),
        })?;
    let text = &article.text;
    let lines = std::cell::RefCell::new(LineCounter::default());
    let line_of = |offset: usize| lines.borrow_mut().line(text, offset);
    let mut all = std::mem::take(&mut scratch.sentences);
    sentences::split_into(text, article.body(), lexicon, &rulebook.lexicons, &mut all);
    let all = bounded(text, all);
    let prefilter = if options.detail || options.full_scan {
        None
    } else {
        rulebook.prefilter(article.lang())
    };
    if let Some(prefilter) = prefilter {
        mark_sentences(
            prefilter,
            text,
            article.body(),
            &all,
            options.include_comments,
            scratch,
        );
    }
    let mut analysis = Analysis::default();
    if scratch.present.len() != rulebook.terms.len() {
        scratch.present = vec![0; rulebook.terms.len()];
        scratch.stamp = 0;
    }
    // Entities named in the last sentences of the section, newest last.
    let mut recent: Vec<Vec<bool>> = Vec::new();
    let max_context = rulebook
        .propositions
        .iter()
        .map(|p| match p.context {
            Context::Sentences(n) => n,
            Context::Article => 0,
        })
        .max()
        .unwrap_or(0);
    // Entities named so far in the article's current section.
    let mut seen = vec![false; rulebook.entities.len()];
    let mut seen_section = Section::Body;
    for (index, sentence) in all.iter().enumerate() {
        if sentence.section == Section::Comment && !options.include_comments {
            continue;
        }
        analysis.sentences += 1;
        if sentence.section != seen_section {
            seen.iter_mut().for_each(|s| *s = false);
            recent.clear();
            seen_section = sentence.section;
        }
        if prefilter.is_some() && !scratch.marked[index] {
            // No literal of the rulebook: no mention, no claim. It still
            // counts as a sentence between a mention and a cue.
            // Once the window holds only such sentences, another changes nothing.
            if recent.len() < max_context.max(1) || recent.iter().any(|r| !r.is_empty()) {
                recent.push(Vec::new());
                if recent.len() > max_context.max(1) {
                    recent.remove(0);
                }
            }
            continue;
        }
        let view = SentenceView::build(text, sentence, article.date, lexicon, rulebook, scratch);
        let named = view.named.clone();
        // A question asserts nothing: "Faut-il imaginer des soldats algériens à Kidal ?"
        let question = is_question(&text[sentence.span.clone()]);
        let mut claims = Vec::new();
        let mut near_misses = Vec::new();
        for (p_index, proposition) in rulebook.propositions.iter().enumerate() {
            let present = |any_of: &&Vec<usize>| {
                any_of.iter().any(|&e| {
                    named[e]
                        || match proposition.context {
                            Context::Sentences(n) => recent[recent.len().saturating_sub(n)..]
                                .iter()
                                .any(|r| r.get(e) == Some(&true)),
                            Context::Article => seen[e],
                        }
                })
            };
            let satisfied = proposition.requires.iter().all(|g| present(&g));
            if !satisfied || question {
                if options.detail {
                    let missing: Vec<&Vec<usize>> = proposition
                        .requires
                        .iter()
                        .filter(|g| !present(g))
                        .collect();
                    let some_actor = missing.len() < proposition.requires.len();
                    if let Some((kind, reason)) = view.why_not(
                        rulebook,
                        proposition,
                        lexicon,
                        question,
                        &missing,
                        some_actor,
                    ) {
                        near_misses.push(NearMiss {
                            proposition: p_index,
                            kind,
                            reason,
                        });
                    }
                }
                continue;
            }
            let claim = view.evaluate(proposition, lexicon);
            if claim.is_none() && options.detail {
                if let Some((kind, reason)) =
                    view.why_not(rulebook, proposition, lexicon, false, &[], true)
                {
                    near_misses.push(NearMiss {
                        proposition: p_index,
                        kind,
                        reason,
                    });
                }
            }
            if let Some(claim) = claim {
                claims.push(Claim {
                    article: article_index,
                    proposition: p_index,
                    line: line_of(sentence.span.start),
                    section: sentence.section,
                    sentence: sentences::display(&text[sentence.span.clone()]).into(),
                    ..claim
                });
            }
        }
        if options.detail {
            let article_context = rulebook
                .propositions
                .iter()
                .any(|p| p.context == Context::Article);
            let context_entities = (0..rulebook.entities.len())
                .filter(|&e| {
                    !named[e]
                        && (recent
                            .iter()
                            .rev()
                            .take(max_context)
                            .any(|n| n.get(e) == Some(&true))
                            || (article_context && seen[e]))
                })
                .collect();
            analysis.details.push(SentenceDetail {
                line: line_of(sentence.span.start),
                section: sentence.section,
                text: sentences::display(&text[sentence.span.clone()]),
                mentions: view
                    .mentions
                    .iter()
                    .map(|m| Mention {
                        entity: m.entity,
                        text: view.original(m.tokens.clone()),
                    })
                    .collect(),
                context: context_entities,
                claims: claims.clone(),
                tokens: view.words().map(str::to_owned).collect(),
                near_misses,
            });
        }
        analysis.claims.extend(claims);
        for (s, n) in seen.iter_mut().zip(&named) {
            *s |= *n;
        }
        recent.push(named);
        if recent.len() > max_context.max(1) {
            recent.remove(0);
        }
    }
    scratch.sentences = all;
    Ok(analysis)
}

/// The sentences, with any longer than [`MAX_SENTENCE_BYTES`] cut into pieces
/// after a space (inside a word only when there is none), nothing lost.
pub fn bounded(text: &str, sentences: Vec<Sentence>) -> Vec<Sentence> {
    if sentences.iter().all(|s| s.span.len() <= MAX_SENTENCE_BYTES) {
        return sentences;
    }
    let mut out = Vec::with_capacity(sentences.len());
    for sentence in sentences {
        let mut start = sentence.span.start;
        while sentence.span.end - start > MAX_SENTENCE_BYTES {
            let mut limit = start + MAX_SENTENCE_BYTES;
            while !text.is_char_boundary(limit) {
                limit -= 1;
            }
            let cut = text[start..limit]
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
                .map(|(i, c)| start + i + c.len_utf8())
                .filter(|&cut| cut > start)
                .unwrap_or(limit);
            out.push(Sentence {
                span: start..cut,
                ..sentence.clone()
            });
            start = cut;
        }
        out.push(Sentence {
            span: start..sentence.span.end,
            ..sentence
        });
    }
    out
}

/// Sets `scratch.marked[i]` for each sentence the matcher must read: those
/// the prefilter's literals show can make a claim or name an actor near one
/// ([`Prefilter::select`]).
fn mark_sentences(
    prefilter: &Prefilter,
    text: &str,
    body: Range<usize>,
    all: &[Sentence],
    include_comments: bool,
    scratch: &mut Scratch,
) {
    scratch.kinds.clear();
    scratch.kinds.resize(all.len(), 0);
    scratch.cuts.clear();
    scratch.cuts.extend(all.iter().map(|s| s.span.start));
    let kinds = &mut scratch.kinds;
    prefilter.scan_pieces(text, body, &scratch.cuts, |offset, kind| {
        let k = all.partition_point(|s| s.span.start <= offset);
        match k.checked_sub(1) {
            Some(i) if offset < all[i].span.end => {
                kinds[i] |= kind;
                // Both kinds found: nothing more to learn of this sentence.
                if kinds[i] == crate::prefilter::NAME | crate::prefilter::CUE {
                    all[i].span.end
                } else {
                    offset
                }
            }
            _ => offset,
        }
    });
    // Context counts the sentences read, so the selection sees only those.
    let read = |s: &Sentence| include_comments || s.section != Section::Comment;
    scratch.read_kinds.clear();
    scratch.read_kinds.extend(
        all.iter()
            .zip(kinds.iter())
            .filter(|(s, _)| read(s))
            .map(|(_, &k)| k),
    );
    scratch.read_marked.clear();
    scratch.read_marked.resize(scratch.read_kinds.len(), false);
    prefilter.select(&scratch.read_kinds, &mut scratch.read_marked);
    scratch.marked.clear();
    scratch.marked.resize(all.len(), false);
    let mut chosen = scratch.read_marked.iter();
    for (m, s) in scratch.marked.iter_mut().zip(all) {
        if read(s) {
            *m = chosen.next().copied().unwrap_or(true);
        }
    }
}

/// True when the sentence ends with a question mark (closing quotes aside).
fn is_question(sentence: &str) -> bool {
    sentence
        .trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, '»' | '"' | '”' | '’' | '\'' | ')' | '*' | '_')
        })
        .ends_with('?')
}

struct TokenMention {
    entity: usize,
    tokens: Range<usize>,
}

/// A sentence's words, the terms each hits and the entities it names.
struct SentenceView<'a> {
    text: &'a str,
    scratch: &'a Scratch,
    /// Sorted by first word.
    mentions: Vec<TokenMention>,
    /// Entities the sentence names.
    named: Vec<bool>,
}

impl<'a> SentenceView<'a> {
    fn build(
        text: &'a str,
        sentence: &Sentence,
        date: PartialDate,
        lexicon: &Lexicon,
        rulebook: &'a Rulebook,
        scratch: &'a mut Scratch,
    ) -> Self {
        tokenize(
            &text[sentence.span.clone()],
            sentence.span.start,
            lexicon,
            &mut scratch.tokens,
        );
        scratch.stamp = scratch.stamp.wrapping_add(1);
        if scratch.stamp == 0 {
            scratch.present.iter_mut().for_each(|p| *p = 0);
            scratch.stamp = 1;
        }
        scratch.hits.clear();
        scratch.hit_ranges.clear();
        let use_stems = rulebook.terms.has_stems();
        for i in 0..scratch.tokens.len() {
            let word = scratch.tokens.word(i);
            let stem = if use_stems {
                let original = &text[scratch.tokens.get(i).span.clone()];
                let lower = original.to_lowercase();
                scratch
                    .stems
                    .entry(lower)
                    .or_insert_with_key(|lower| lexicon.stem(lower))
                    .clone()
            } else {
                None
            };
            scratch.hit_buf.clear();
            rulebook
                .terms
                .hits(word, stem.as_deref(), &mut scratch.hit_buf);
            let start = scratch.hits.len() as u32;
            for &t in &scratch.hit_buf {
                scratch.present[t as usize] = scratch.stamp;
                scratch.hits.push(t);
            }
            scratch.hit_ranges.push(start..scratch.hits.len() as u32);
        }
        if scratch.stems.len() > 100_000 {
            scratch.stems.clear();
        }
        let scratch: &'a Scratch = scratch;
        let mut view = SentenceView {
            text,
            scratch,
            mentions: Vec::new(),
            named: vec![false; rulebook.entities.len()],
        };
        let mut mentions = Vec::new();
        for (e_index, entity) in rulebook.entities.iter().enumerate() {
            let aliases = entity
                .aliases
                .iter()
                .zip(&entity.alias_requirements)
                .zip(&entity.alias_periods);
            for ((alias, required), period) in aliases {
                if !view.satisfies(required) || period.is_some_and(|p| !p.holds_on(date)) {
                    continue;
                }
                for start in 0..view.len() {
                    if !view.can_start(alias, start) {
                        continue;
                    }
                    let mut budget = WALK_BUDGET;
                    if let Some(found) = view.first_match(alias, start, &mut budget) {
                        mentions.push(TokenMention {
                            entity: e_index,
                            tokens: start..found.end,
                        });
                    }
                }
            }
        }
        // One mention per span: drop an alias match inside a longer one
        // ("processus d'Alger" inside "accord issu du processus d'Alger"), and a
        // name inside another entity's longer name: the Alger of "l'accord
        // d'Alger" is the accord, not Algeria. One sweep, longest spans first.
        mentions.sort_by_key(|m| (m.tokens.start, std::cmp::Reverse(m.tokens.end), m.entity));
        let mut kept: Vec<TokenMention> = Vec::with_capacity(mentions.len());
        let mut reach = 0; // furthest end of the spans already seen
        let mut i = 0;
        while i < mentions.len() {
            let span = mentions[i].tokens.clone();
            let same = mentions[i..]
                .iter()
                .take_while(|m| m.tokens == span)
                .count();
            if span.end > reach {
                let mut group: Vec<TokenMention> = mentions.drain(i..i + same).collect();
                group.dedup_by_key(|m| m.entity);
                kept.extend(group);
                reach = reach.max(span.end);
            } else {
                i += same;
            }
        }
        mentions = kept;
        mentions.sort_by_key(|m| (m.tokens.start, m.entity));
        for m in &mentions {
            view.named[m.entity] = true;
        }
        view.mentions = mentions;
        view
    }

    fn len(&self) -> usize {
        self.scratch.tokens.len()
    }

    /// The mentions that start at word `pos`.
    fn mentions_at(&self, pos: usize) -> &[TokenMention] {
        let from = self.mentions.partition_point(|m| m.tokens.start < pos);
        let to = self.mentions.partition_point(|m| m.tokens.start <= pos);
        &self.mentions[from..to]
    }

    fn present(&self, t: TermId) -> bool {
        self.scratch.present[t as usize] == self.scratch.stamp
    }

    fn has(&self, pos: usize, t: TermId) -> bool {
        let r = &self.scratch.hit_ranges[pos];
        self.scratch.hits[r.start as usize..r.end as usize].contains(&t)
    }

    /// True when the sentence holds what `req` asks for.
    fn satisfies(&self, req: &Requirements) -> bool {
        req.terms
            .iter()
            .all(|any| any.iter().any(|&t| self.present(t)))
            && req
                .entities
                .iter()
                .all(|any| any.iter().any(|&e| self.named[e]))
    }

    /// A cheap test that the first item of `seq` can match at `pos`.
    fn can_start(&self, seq: &Seq, pos: usize) -> bool {
        match seq.items.first() {
            Some(Item::Term(t)) => pos < self.len() && self.has(pos, *t),
            Some(Item::Entity(e)) => self.mentions_at(pos).iter().any(|m| m.entity == *e),
            Some(Item::Group(alts)) => alts.iter().any(|alt| self.can_start(alt, pos)),
            None => false,
        }
    }

    /// True when a strong mark (: ; — …) stands right before word `pos`.
    fn strong_break_at(&self, pos: usize) -> bool {
        pos < self.len() && self.scratch.tokens.get(pos).strong_break_before
    }

    fn word(&self, pos: usize) -> &str {
        self.scratch.tokens.word(pos)
    }

    /// The original text from the first to the last of the words in `tokens`.
    fn original(&self, tokens: Range<usize>) -> String {
        if tokens.is_empty() {
            return String::new();
        }
        let start = self.scratch.tokens.get(tokens.start).span.start;
        let end = self.scratch.tokens.get(tokens.end - 1).span.end;
        sentences::display(&self.text[start..end])
    }

    /// The folded words of the sentence.
    fn words(&self) -> impl Iterator<Item = &str> {
        self.scratch.tokens.words()
    }

    /// Why `proposition` made no claim here, when it came close: some actor
    /// it requires is named (`some_actor`), or one of its patterns matched.
    /// `missing` are the required groups not named; `question` is true for a
    /// sentence that asks rather than asserts.
    fn why_not(
        &self,
        rulebook: &Rulebook,
        proposition: &Proposition,
        lexicon: &Lexicon,
        question: bool,
        missing: &[&Vec<usize>],
        some_actor: bool,
    ) -> Option<(MissKind, String)> {
        let found = [Stance::Supports, Stance::Opposes]
            .into_iter()
            .find_map(|stance| {
                proposition
                    .patterns(stance)
                    .iter()
                    .find_map(|p| self.find(p).map(|f| (stance, p, f)))
            });
        if !some_actor && found.is_none() {
            return None;
        }
        let cue = |f: &Found| {
            let start = f.cue.first().copied().unwrap_or(f.start);
            let end = f.cue.last().map_or(f.end, |&l| l + 1);
            self.original(start..end)
        };
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|&e| rulebook.entities[e].id.as_str())
                        .collect::<Vec<_>>()
                        .join(" or ")
                })
                .collect();
            // Say how far back this proposition looks: `explain` lists as
            // "from context" what the widest context of any proposition lends.
            let reach = match proposition.context {
                Context::Sentences(0) => "not named in this sentence".to_string(),
                Context::Sentences(1) => "not named here or in the sentence before".to_string(),
                Context::Sentences(n) => format!("not named here or in the {n} sentences before"),
                Context::Article => "not named here or earlier in the article".to_string(),
            };
            let mut reason = format!("requires {} ({reach})", names.join(", "));
            if let Some((stance, p, f)) = &found {
                reason.push_str(&format!(
                    "; `{}` pattern `{}` matched «{}»",
                    stance.as_str(),
                    p.text,
                    cue(f)
                ));
            }
            return Some((MissKind::Actor, reason));
        }
        if question {
            return Some((MissKind::Question, "a question asserts nothing".into()));
        }
        if let Some(p) = proposition.unless.iter().find(|p| self.find(p).is_some()) {
            let reason = format!("excluded by `unless` pattern `{}`", p.text);
            return Some((MissKind::Unless, reason));
        }
        let Some((stance, p, f)) = found else {
            let reason = "its actors are named, but no `supports` or `opposes` pattern matched";
            return Some((MissKind::NoPattern, reason.into()));
        };
        let (stance, pattern, cue) = (stance.as_str(), &p.text, cue(&f));
        if self.hypothetical(f.cue.first().copied().unwrap_or(f.start), lexicon) {
            let reason = format!(
                "`{stance}` pattern `{pattern}` matched «{cue}» inside a hypothesis (if…), which asserts nothing"
            );
            return Some((MissKind::Hypothesis, reason));
        }
        let reason = format!(
            "`{stance}` pattern `{pattern}` matched «{cue}», but a one-way pattern (`!`) makes no claim when negated"
        );
        Some((MissKind::OneWay, reason))
    }

    /// The best claim this sentence makes on `proposition`, if any.
    fn evaluate(&self, proposition: &Proposition, lexicon: &Lexicon) -> Option<Claim> {
        if proposition.unless.iter().any(|p| self.find(p).is_some()) {
            return None;
        }
        let mut best: Option<(usize, usize, Stance, &Pattern, Found)> = None;
        for stance in [Stance::Supports, Stance::Opposes] {
            for pattern in proposition.patterns(stance) {
                let Some(found) = self.find(pattern) else {
                    continue;
                };
                let better = match &best {
                    None => true,
                    Some((weight, start, ..)) => {
                        pattern.weight > *weight
                            || (pattern.weight == *weight && found.start < *start)
                    }
                };
                // Only a match that would win is worth the look back for `si`.
                if better
                    && !self
                        .hypothetical(found.cue.first().copied().unwrap_or(found.start), lexicon)
                {
                    best = Some((pattern.weight, found.start, stance, pattern, found));
                }
            }
        }
        let (_, _, stance, pattern, found) = best?;
        let negation = self.negation(&found.cue, lexicon);
        let negated = negation.count % 2 == 1;
        if negated && pattern.one_way {
            return None;
        }
        let hedge = self.hedge(lexicon);
        let cue_range = found.cue.first().copied().unwrap_or(found.start)
            ..found.cue.last().map_or(found.end, |&l| l + 1);
        let detail = Detail {
            negators: negation
                .words
                .iter()
                .map(|&p| self.original(p..p + 1).into())
                .collect(),
            denial: negation.denial.map(|p| {
                let word_at = |q: usize| (q < self.len()).then(|| self.word(q));
                let len = lexicon.denial_at(&word_at, p, true).unwrap_or(1);
                self.original(p..p + len).into()
            }),
            hedge: hedge.map(String::into_boxed_str),
        };
        Some(Claim {
            article: 0,
            proposition: 0,
            stance: if negated { stance.flipped() } else { stance },
            negated,
            hedged: detail.hedge.is_some(),
            section: Section::Body,
            line: 0,
            cue: self.original(cue_range).into(),
            sentence: Arc::default(),
            pattern: pattern.text.clone(),
            detail: Some(Box::new(detail)).filter(|d| **d != Detail::default()),
        })
    }

    /// The leftmost, then shortest, match of a pattern.
    fn find(&self, pattern: &Pattern) -> Option<Found> {
        if !self.satisfies(&pattern.required) {
            return None;
        }
        // One budget for the whole sentence, not one per starting word.
        let mut budget = WALK_BUDGET;
        match &pattern.body {
            PatternBody::Seq(seq) => (0..self.len())
                .filter(|&start| self.can_start(seq, start))
                .find_map(|start| self.first_match(seq, start, &mut budget)),
            PatternBody::Regex(re) => self.find_regex(re),
        }
    }

    fn first_match(&self, seq: &Seq, start: usize, budget: &mut u32) -> Option<Found> {
        let mut out = Vec::new();
        self.walk(seq, 0, start, &mut Vec::new(), &mut out, budget);
        out.into_iter()
            .min_by_key(|(end, _)| *end)
            .map(|(end, mut cue)| {
                cue.sort_unstable();
                cue.dedup();
                Found { start, end, cue }
            })
    }

    /// Every way `seq.items[k..]` matches from `pos`: (end, cue positions).
    fn walk(
        &self,
        seq: &Seq,
        k: usize,
        pos: usize,
        cue: &mut Vec<usize>,
        out: &mut Vec<(usize, Vec<usize>)>,
        budget: &mut u32,
    ) {
        if *budget == 0 || out.len() >= 16 {
            return;
        }
        *budget -= 1;
        let n = self.len();
        let mut ends: Vec<(usize, Vec<usize>)> = Vec::new();
        match &seq.items[k] {
            Item::Term(t) => {
                if pos < n && self.has(pos, *t) {
                    ends.push((pos + 1, vec![pos]));
                }
            }
            Item::Entity(e) => {
                for m in self.mentions_at(pos).iter().filter(|m| m.entity == *e) {
                    ends.push((m.tokens.end, Vec::new()));
                }
            }
            Item::Group(alts) => {
                for alt in alts {
                    self.walk(alt, 0, pos, &mut Vec::new(), &mut ends, budget);
                }
            }
        }
        for (end, positions) in ends {
            let mark = cue.len();
            cue.extend(positions);
            if k + 1 == seq.items.len() {
                out.push((end, cue.clone()));
            } else {
                let last = (end + seq.gaps[k] as usize).min(n);
                for next in end..=last {
                    // A gap never reaches across a colon, a semicolon or a dash.
                    if self.strong_break_at(next) {
                        break;
                    }
                    self.walk(seq, k + 1, next, cue, out, budget);
                }
            }
            cue.truncate(mark);
        }
    }

    fn find_regex(&self, re: &regex::Regex) -> Option<Found> {
        let mut joined = String::new();
        let mut starts = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            if i > 0 {
                joined.push(' ');
            }
            starts.push(joined.len());
            joined.push_str(self.word(i));
        }
        let m = re.find(&joined)?;
        let first = starts
            .partition_point(|&s| s <= m.start())
            .saturating_sub(1);
        let end = starts.partition_point(|&s| s < m.end()).max(first + 1);
        Some(Found {
            start: first,
            end,
            cue: (first..end).collect(),
        })
    }

    /// The negations whose scope covers the cue: the words, and how many
    /// negations they make (ne … pas is one). An odd count flips the stance.
    fn negation(&self, cue: &[usize], lexicon: &Lexicon) -> Negation {
        let (Some(&first), Some(&last)) = (cue.first(), cue.last()) else {
            return Negation::default();
        };
        let tokens = &self.scratch.tokens;
        let mut scope = Vec::new();
        let mut i = first;
        while i > 0 && scope.len() < lexicon.negation_before {
            if tokens.get(i).break_before {
                break;
            }
            i -= 1;
            let w = self.word(i);
            if lexicon.is_shield(w) {
                // "ne cachent pas leur malaise": the pas between the shield and
                // the cue belongs to the shield's own negation.
                scope.clear();
                break;
            }
            if lexicon.is_clause_break(w) {
                break;
            }
            scope.push(i);
        }
        // Inside the cue, a gap belongs to the clause of the cue word after it:
        // "l'accord n'était plus guère qu'une coquille vide" is not negated.
        for pair in cue.windows(2) {
            let (a, mut j) = (pair[0], pair[1]);
            while j > a + 1 {
                if tokens.get(j).break_before {
                    break;
                }
                j -= 1;
                let w = self.word(j);
                if lexicon.is_clause_break(w) || lexicon.is_shield(w) {
                    break;
                }
                scope.push(j);
            }
        }
        let mut after = Vec::new();
        let mut j = last + 1;
        while j < self.len() && after.len() < lexicon.negation_after {
            if tokens.get(j).break_before || lexicon.is_clause_break(self.word(j)) {
                break;
            }
            after.push(j);
            j += 1;
        }
        let idiom = |p: usize| {
            lexicon.idioms().iter().any(|phrase| {
                p + phrase.len() <= self.len()
                    && phrase
                        .iter()
                        .enumerate()
                        .all(|(k, w)| self.word(p + k) == w)
            })
        };
        // A cue that carries its own negator ("aucun soldat … n'est présent")
        // already states a denial: the `ne` around it is that negator's partner,
        // and a denial word elsewhere reports that denial rather than reversing it.
        let cue_negative = cue.iter().any(|&p| lexicon.negator(self.word(p)).is_some());
        let kind = |p: usize| {
            if idiom(p) {
                Default::default()
            } else {
                lexicon.negator(self.word(p)).unwrap_or_default()
            }
        };
        let particles: Vec<usize> = scope
            .iter()
            .copied()
            .filter(|&p| kind(p).particle && !cue_negative)
            .collect();
        // "ne … plus qu'un souvenir", "n'est guère qu'une coquille vide": a
        // completion followed by `que` restricts rather than negates.
        let restrictive = |p: usize| {
            (p + 1..(p + 4).min(self.len())).any(|q| lexicon.is_restrictive(self.word(q)))
        };
        let completion = scope
            .iter()
            .chain(&after)
            .copied()
            .find(|&p| kind(p).completion && !kind(p).particle && !restrictive(p));
        let mut words = Vec::new();
        let mut count = 0;
        match (particles.is_empty(), completion) {
            (false, Some(c)) => {
                // ne … pas is one negation, whatever completes it; words that
                // negate only on their own (sans, non) still count apart.
                words.extend(&particles);
                words.push(c);
                count += particles.len();
                for &p in &scope {
                    let k = kind(p);
                    if k.standalone && !k.completion && !k.particle {
                        words.push(p);
                        count += 1;
                    }
                }
            }
            _ => {
                for &p in &scope {
                    let k = kind(p);
                    // Next to a cue that carries its own negator, jamais / plus /
                    // pas complete that negator: "aucun soldat ne mettra jamais
                    // les pieds" is one denial.
                    if k.standalone && !(cue_negative && k.completion) {
                        words.push(p);
                        count += 1;
                    }
                }
            }
        }
        // A denial anywhere before the cue ("Alger a démenti l'envoi de
        // soldats"), or after it in the passive ("… ont été démenties"), flips an
        // affirmative report; a report already negated is what the denier says
        // ("dément, assurant qu'aucun soldat n'est au Mali").
        if count > 0 || cue_negative {
            words.sort_unstable();
            return Negation {
                words,
                count,
                denial: None,
            };
        }
        let word_at = |p: usize| (p < self.len()).then(|| self.word(p));
        // A denial reaches back a dozen words at most: "le refus de la junte de
        // dépêcher des représentants … censées relancer le processus" does not
        // deny the relaunch twenty words later.
        let before = (first.saturating_sub(DENIAL_REACH)..first)
            .rev()
            .take_while(|&p| !lexicon.is_denial_stop(self.word(p)))
            .filter(|p| cue.binary_search(p).is_err())
            .find(|&p| {
                lexicon
                    .denial_at(&word_at, p, false)
                    .is_some_and(|len| p + len <= first)
            });
        let denial = before.or_else(|| {
            (last + 1..self.len()).find(|&p| {
                lexicon.denial_at(&word_at, p, true).is_some()
                    && (p.saturating_sub(4)..p).any(|q| lexicon.is_passive(self.word(q)))
            })
        });
        words.sort_unstable();
        Negation {
            count: count + usize::from(denial.is_some()),
            words,
            denial,
        }
    }

    /// True when the cue starting at `first` sits in a hypothetical clause
    /// ("Si l'Algérie venait à envoyer des troupes…"): it asserts nothing.
    fn hypothetical(&self, first: usize, lexicon: &Lexicon) -> bool {
        let word_at = |p: usize| (p < self.len()).then(|| self.word(p));
        let mut p = first;
        while p > 0 && first - p < 10 {
            if self.strong_break_at(p) {
                return false;
            }
            p -= 1;
            if lexicon.hypothetical_at(&word_at, p) {
                return true;
            }
        }
        false
    }

    /// The first hedge phrase of the sentence, as written.
    fn hedge(&self, lexicon: &Lexicon) -> Option<String> {
        let n = self.len();
        for start in 0..n {
            if !lexicon.may_start_phrase(self.word(start)) {
                continue;
            }
            for phrase in &lexicon.hedges {
                if start + phrase.len() <= n
                    && phrase
                        .iter()
                        .enumerate()
                        .all(|(k, w)| self.word(start + k) == w)
                {
                    return Some(self.original(start..start + phrase.len()));
                }
            }
        }
        None
    }
}

/// The negations around a cue: the negator words, how many negations they make
/// (ne … pas is one), and the denial that reports it false, if any.
#[derive(Debug, Default)]
struct Negation {
    words: Vec<usize>,
    count: usize,
    denial: Option<usize>,
}

#[derive(Debug, Clone)]
struct Found {
    start: usize,
    end: usize,
    /// Positions of the words the pattern's own words matched, sorted.
    cue: Vec<usize>,
}
