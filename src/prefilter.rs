//! The prefilter: one Aho-Corasick automaton over literals that every match
//! needs, run over a whole folded article, so the matcher reads only the
//! sentences that can name an actor or carry a cue.
//!
//! It is sound by construction: for every alias and every pattern it takes one
//! requirement clause (a set of terms, one of which must be present) and turns
//! each term into text that any word matching the term contains once folded:
//!
//! - a word or a prefix is its own literal;
//! - a stem is the stem minus its last two letters (Snowball changes at most
//!   the last two letters of what it keeps: `généraux` → `général`,
//!   `constamment` → `constant`);
//! - a word the tokenizer makes out of other text (`l'` read as `le`, `n't` as
//!   `not`) adds the text it is made from;
//! - a regex adds the words of its prefix literals (regex-syntax's extractor).
//!
//! A sentence holding none of the literals can neither name an entity nor match
//! a pattern, so skipping it changes nothing but the time it takes. When some
//! pattern gives no usable literal (a regex like `.*`), there is no prefilter
//! and every sentence is read, as before.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use crate::lexicon::Lexicon;
use crate::rulebook::pattern::{Requirements, Term, TermId};
use crate::rulebook::{PatternBody, Rulebook};

/// The automaton and the literals it was built from.
pub struct Prefilter {
    dfa: DFA,
    start: StateID,
    literals: Vec<String>,
}

impl std::fmt::Debug for Prefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefilter")
            .field("literals", &self.literals.len())
            .finish_non_exhaustive()
    }
}

impl Prefilter {
    /// The prefilter for articles read with `lexicon`, or `None` when some
    /// alias or pattern has no literal every match must contain.
    pub fn build(rulebook: &Rulebook, lexicon: &Lexicon) -> Option<Prefilter> {
        let builder = LiteralBuilder::new(rulebook, lexicon);
        let mut literals: Vec<String> = Vec::new();
        let mut entity_literals: Vec<Option<Vec<String>>> = Vec::new();
        for entity in &rulebook.entities {
            let mut all = Vec::new();
            let mut ok = true;
            for alias in &entity.aliases {
                match builder.for_requirements(&alias.requirements(), &[]) {
                    Some(l) => all.extend(l),
                    None => ok = false,
                }
            }
            entity_literals.push(ok.then_some(all));
        }
        for entity in entity_literals.iter() {
            literals.extend(entity.as_ref()?.iter().cloned());
        }
        for proposition in &rulebook.propositions {
            // `unless` patterns only take claims away, in sentences that a
            // stance pattern already brings in.
            for pattern in proposition.supports.iter().chain(&proposition.opposes) {
                let found = match &pattern.body {
                    PatternBody::Seq(_) => {
                        builder.for_requirements(&pattern.required, &entity_literals)
                    }
                    PatternBody::Regex(re) => builder.for_regex(re.as_str()),
                };
                literals.extend(found?);
            }
        }
        literals.sort();
        literals.dedup();
        if literals.iter().any(String::is_empty) {
            return None;
        }
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(&literals)
            .ok()?;
        let start = dfa.start_state(Anchored::No).ok()?;
        Some(Prefilter {
            dfa,
            start,
            literals,
        })
    }

    /// Runs the automaton over `text[range]`, folding as it reads (no folded
    /// copy is made), and calls `hit` with the offset in `text` of the last
    /// byte of each literal found. `hit` returns where to go on reading (the
    /// end of the sentence it marked: one literal per sentence is enough), or
    /// an offset it has passed already to just read on.
    ///
    /// Literals hold letters and apostrophes only, and a sentence never ends
    /// inside a run of such characters, so a literal always ends in the
    /// sentence it starts in, and starting afresh at a sentence's end loses none.
    pub fn scan(
        &self,
        text: &str,
        range: std::ops::Range<usize>,
        mut hit: impl FnMut(usize) -> usize,
    ) {
        let bytes = text.as_bytes();
        let end = range.end.min(bytes.len());
        let mut sid = self.start;
        let mut i = range.start;
        let mut folded = String::new();
        while i < end {
            let b = bytes[i];
            let matched = if b < 0x80 {
                i += 1;
                sid = self
                    .dfa
                    .next_state(Anchored::No, sid, b.to_ascii_lowercase());
                self.dfa.is_special(sid) && self.dfa.is_match(sid)
            } else {
                let c = text[i..].chars().next().unwrap_or('\u{fffd}');
                i += c.len_utf8();
                folded.clear();
                crate::text::fold::fold_char_into(c, &mut folded);
                let mut any = false;
                for &f in folded.as_bytes() {
                    sid = self.dfa.next_state(Anchored::No, sid, f);
                    any |= self.dfa.is_special(sid) && self.dfa.is_match(sid);
                }
                any
            };
            if matched {
                let next = hit(i - 1);
                if next > i {
                    i = next;
                    sid = self.start;
                }
            }
        }
    }
}

struct LiteralBuilder<'a> {
    rulebook: &'a Rulebook,
    lexicon: &'a Lexicon,
    /// (folded written form, word read) of elisions and contractions.
    expansions: Vec<(String, String)>,
}

impl<'a> LiteralBuilder<'a> {
    fn new(rulebook: &'a Rulebook, lexicon: &'a Lexicon) -> Self {
        LiteralBuilder {
            rulebook,
            lexicon,
            expansions: lexicon.expansions(),
        }
    }

    /// Literals of the best clause of `req`; `entities` gives the literals of
    /// each entity's aliases (for a clause of entities).
    fn for_requirements(
        &self,
        req: &Requirements,
        entities: &[Option<Vec<String>>],
    ) -> Option<Vec<String>> {
        let mut best: Option<Vec<String>> = None;
        let mut consider = |candidate: Vec<String>| {
            let score = |l: &Vec<String>| l.iter().map(String::len).min().unwrap_or(0);
            if best.as_ref().is_none_or(|b| score(&candidate) > score(b)) {
                best = Some(candidate);
            }
        };
        for clause in &req.terms {
            let mut lits = Vec::new();
            for &t in clause {
                lits.extend(self.for_term(t));
            }
            consider(lits);
        }
        for clause in &req.entities {
            let mut lits = Vec::new();
            let mut ok = true;
            for &e in clause {
                match entities.get(e).and_then(Option::as_ref) {
                    Some(l) => lits.extend(l.iter().cloned()),
                    None => ok = false,
                }
            }
            if ok {
                consider(lits);
            }
        }
        best.filter(|b| !b.is_empty())
    }

    /// Text that every word matching term `t` contains once folded.
    fn for_term(&self, t: TermId) -> Vec<String> {
        let term = self.rulebook.terms.term(t);
        let mut out = Vec::new();
        let stem_of = |w: &str| self.lexicon.stem(&w.to_lowercase());
        match term {
            Term::Word(w) => {
                out.push(w.clone());
                for (written, full) in &self.expansions {
                    if full == w {
                        out.push(written.clone());
                    }
                }
            }
            Term::Prefix(p) => {
                out.push(p.clone());
                for (written, full) in &self.expansions {
                    if full.starts_with(p.as_str()) {
                        out.push(written.clone());
                    }
                }
            }
            Term::Stem(s) => {
                let mut keep = s.chars().count().saturating_sub(2).max(1);
                keep = keep.min(s.chars().count());
                let cut = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
                out.push(s[..cut].to_string());
                for (written, full) in &self.expansions {
                    let spelled = [written.clone(), written.replace('\'', "’")];
                    let stems_match = std::iter::once(full.as_str())
                        .chain(spelled.iter().map(String::as_str))
                        .any(|w| stem_of(w).as_deref() == Some(s.as_str()));
                    if stems_match {
                        out.push(written.clone());
                    }
                }
            }
        }
        out
    }

    /// The words of a regex's prefix literals, or `None` when it has none.
    fn for_regex(&self, pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
        let literals = seq.literals()?;
        let mut out = Vec::new();
        for literal in literals {
            let text = std::str::from_utf8(literal.as_bytes()).ok()?;
            // The regex runs over folded words joined by spaces: each piece
            // between spaces lies inside one word. Take the longest.
            let piece = text
                .split(|c: char| !c.is_alphanumeric())
                .max_by_key(|p| p.len())?;
            if piece.is_empty() {
                return None;
            }
            let piece = piece.to_lowercase();
            for (written, full) in &self.expansions {
                if full.contains(piece.as_str()) {
                    out.push(written.clone());
                }
            }
            out.push(piece);
        }
        (!out.is_empty()).then_some(out)
    }
}
