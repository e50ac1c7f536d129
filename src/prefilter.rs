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
use crate::rulebook::{Context, PatternBody, Rulebook};

/// The automaton and the literals it was built from.
pub struct Prefilter {
    dfa: DFA,
    literals: Vec<String>,
    table: Table,
    /// The widest context of a proposition, in sentences; `None` when one
    /// takes the whole article.
    context: Option<usize>,
    /// A sentence with a cue but no name in its context can still make a claim.
    cue_alone: bool,
}

/// A literal of an alias: the sentence may name an entity.
pub const NAME: u8 = 1;
/// A literal of a stance pattern: the sentence may match one.
pub const CUE: u8 = 2;

/// The automaton's states laid out flat for the scan loop: one row of
/// `stride` transitions per state, indexed by the class of a raw byte, so a
/// step is two loads and no call. ASCII upper and lower case share a class;
/// every byte from 0x80 up is the class `ESCAPE`, whose transition is the
/// pseudo-state `ESCAPE_STATE`: the loop then folds the whole character the
/// slow way. State ids are premultiplied by `stride`; the escape pseudo-state
/// and the match states come first, so one comparison tells a state that
/// needs attention from one that does not.
struct Table {
    classes: [u8; 256],
    stride: usize,
    trans: Vec<u32>,
    start: u32,
    /// Ids up to this one are the escape pseudo-state or match states.
    max_special: u32,
    /// By state index: what the literals ending there tell (0 for none).
    kinds: Vec<u8>,
    /// The automaton's state for each of ours (by index), and back.
    to_dfa: Vec<StateID>,
    /// Ours (premultiplied) by the automaton's state id.
    from_dfa: Vec<u32>,
}

const ESCAPE: u8 = 0;

/// Where one reading of the text is, and in which state.
#[derive(Debug, Clone, Copy)]
struct Stream {
    state: u32,
    at: usize,
}

impl Stream {
    fn new(state: u32, at: usize) -> Stream {
        Stream { state, at }
    }
}
const ESCAPE_STATE: u32 = 0;

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
        let names = literals.len();
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
        // What each literal tells of a sentence that holds it.
        let mut kinds: std::collections::HashMap<String, u8> = Default::default();
        for (n, literal) in literals.iter().enumerate() {
            *kinds.entry(literal.clone()).or_default() |= if n < names { NAME } else { CUE };
        }
        literals.sort();
        literals.dedup();
        if literals.iter().any(String::is_empty) {
            return None;
        }
        let kinds: Vec<u8> = literals.iter().map(|l| kinds[l]).collect();
        let (dfa, table) = automaton(&literals, &kinds)?;
        let context = rulebook
            .propositions
            .iter()
            .map(|p| match p.context {
                Context::Sentences(n) => Some(n),
                Context::Article => None,
            })
            .try_fold(0, |max, n| Some(max.max(n?)));
        // A cue can make a claim with no name near it when some proposition
        // requires no actor, or looks for one anywhere in the article.
        let cue_alone =
            context.is_none() || rulebook.propositions.iter().any(|p| p.requires.is_empty());
        Some(Prefilter {
            dfa,
            literals,
            table,
            context,
            cue_alone,
        })
    }

    /// Which sentences the matcher must read, given what the scan found in
    /// each (`kinds`, [`NAME`] and [`CUE`] bits, in reading order of the
    /// sentences read): a sentence with a cue, when it has a name in its
    /// context (or needs none); and a sentence with a name in the context of
    /// such a cue, so that the cue finds it named. A sentence with a name and
    /// no cue near it can make no claim and help none; neither can a cue
    /// with no name near it. When a proposition looks for its actors in the
    /// whole article, every sentence with a literal is read.
    pub fn select(&self, kinds: &[u8], marked: &mut [bool]) {
        let Some(n) = self.context else {
            for (m, &k) in marked.iter_mut().zip(kinds) {
                *m = k != 0;
            }
            return;
        };
        marked.iter_mut().for_each(|m| *m = false);
        for p in 0..kinds.len() {
            if kinds[p] & CUE == 0 {
                continue;
            }
            let window = p.saturating_sub(n)..=p;
            if !self.cue_alone && !kinds[window.clone()].iter().any(|k| k & NAME != 0) {
                continue;
            }
            marked[p] = true;
            for q in window {
                marked[q] |= kinds[q] & NAME != 0;
            }
        }
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
        mut hit: impl FnMut(usize, u8) -> usize,
    ) {
        let end = range.end.min(text.len());
        let mut stream = Stream::new(self.table.start, range.start);
        while stream.at < end {
            self.step(&mut stream, text.as_bytes(), end, &mut hit);
        }
    }

    /// Like [`Prefilter::scan`] over `text[range]`, where `cuts` are offsets
    /// in the range at which a sentence starts (sorted): the pieces between
    /// them are read side by side, four at a time, since one automaton step
    /// waits on the step before it and four independent ones overlap.
    pub fn scan_pieces(
        &self,
        text: &str,
        range: std::ops::Range<usize>,
        cuts: &[usize],
        mut hit: impl FnMut(usize, u8) -> usize,
    ) {
        const WAYS: usize = 4;
        let bytes = text.as_bytes();
        let end = range.end.min(bytes.len());
        let t = &self.table;
        // Four pieces of about the same length, cut at sentence starts.
        let mut bounds = [end; WAYS + 1];
        bounds[0] = range.start;
        let len = end.saturating_sub(range.start);
        for (k, bound) in bounds.iter_mut().enumerate().take(WAYS).skip(1) {
            let want = range.start + len * k / WAYS;
            let p = cuts.partition_point(|&c| c < want);
            *bound = cuts.get(p).copied().unwrap_or(end).clamp(range.start, end);
        }
        for k in 1..=WAYS {
            bounds[k] = bounds[k].max(bounds[k - 1]);
        }
        // Side by side while every piece has text left, states and offsets in
        // registers; a piece that needs the slow path (a non-ASCII character,
        // a literal) takes it alone.
        let mut state = [t.start; WAYS];
        let mut at: [usize; WAYS] = std::array::from_fn(|k| bounds[k]);
        let ends: [usize; WAYS] = std::array::from_fn(|k| bounds[k + 1]);
        debug_assert!(ends.iter().all(|&e| e <= bytes.len()));
        // `run` steps can go by untested: a fast step moves each way one
        // byte on; a slow one may move its way further, so the run ends there.
        loop {
            let run = (0..WAYS).map(|k| ends[k] - at[k]).min().unwrap_or(0);
            if run == 0 {
                break;
            }
            'run: for _ in 0..run {
                for k in 0..WAYS {
                    // SAFETY: `at[k] < ends[k] <= bytes.len()`: each way had
                    // `run` bytes left and has moved one byte per step.
                    let b = unsafe { *bytes.get_unchecked(at[k]) };
                    let cell = state[k] as usize + usize::from(t.classes[usize::from(b)]);
                    debug_assert!(cell < t.trans.len());
                    // SAFETY: a state is the start of its row (a multiple of
                    // `stride` below `trans.len()`, as `Table::build` numbers
                    // them) and a class is below `stride`.
                    let next = unsafe { *t.trans.get_unchecked(cell) };
                    if next > t.max_special {
                        state[k] = next;
                        at[k] += 1;
                    } else {
                        let mut stream = Stream::new(state[k], at[k]);
                        self.step(&mut stream, bytes, ends[k], &mut hit);
                        state[k] = stream.state;
                        at[k] = stream.at;
                        break 'run;
                    }
                }
            }
        }
        for k in 0..WAYS {
            let mut stream = Stream::new(state[k], at[k]);
            while stream.at < ends[k] {
                self.step(&mut stream, bytes, ends[k], &mut hit);
            }
        }
    }

    /// One step of `stream` (a byte, or a whole non-ASCII character), telling
    /// `hit` of a literal that ends there.
    #[inline(never)]
    fn step(
        &self,
        stream: &mut Stream,
        bytes: &[u8],
        end: usize,
        hit: &mut impl FnMut(usize, u8) -> usize,
    ) {
        let t = &self.table;
        let i = stream.at;
        let next = t.trans[stream.state as usize + usize::from(t.classes[usize::from(bytes[i])])];
        let matched = if next > t.max_special {
            stream.state = next;
            stream.at += 1;
            0
        } else if next == ESCAPE_STATE {
            let mut i = i;
            if (0x80..0xC0).contains(&bytes[i]) {
                // The second byte of a Latin letter that folds to no single
                // ASCII letter (æ, ß): back to its lead, which left the state
                // as it was.
                i -= 1;
                stream.at -= 1;
            }
            let (c, len) = decode(&bytes[i..end]);
            stream.at += len;
            let (state, matched) = self.step_char(stream.state, c);
            stream.state = state;
            matched
        } else {
            stream.state = next;
            stream.at += 1;
            t.kinds[next as usize / t.stride]
        };
        if matched != 0 {
            let next = hit(stream.at - 1, matched);
            if next > stream.at {
                stream.at = next.min(end);
                stream.state = t.start;
            }
        }
    }

    /// Feeds the folded form of a non-ASCII character to the automaton from
    /// state `s`: the new state, and whether a literal ended on the way.
    fn step_char(&self, s: u32, c: char) -> (u32, u8) {
        let t = &self.table;
        let mut folded = [0u8; 16];
        let folded = crate::text::fold::fold_char_bytes(c, &mut folded);
        let mut s = s;
        let mut matched = 0;
        if folded.is_ascii() {
            for &f in folded {
                s = t.trans[s as usize + usize::from(t.classes[usize::from(f)])];
                matched |= t.kinds[s as usize / t.stride];
            }
            return (s, matched);
        }
        // A letter of another script: through the automaton itself.
        let mut sid = t.to_dfa[s as usize / t.stride];
        for &f in folded {
            sid = self.dfa.next_state(Anchored::No, sid, f);
            s = t.from_dfa[sid.as_usize()];
            matched |= t.kinds[s as usize / t.stride];
        }
        (s, matched)
    }
}

/// The automaton over folded `literals` and its table; `kinds` tells what
/// each literal shows of a sentence.
fn automaton(literals: &[String], kinds: &[u8]) -> Option<(DFA, Table)> {
    let dfa = DFA::builder()
        .match_kind(MatchKind::Standard)
        .start_kind(StartKind::Unanchored)
        .prefilter(false)
        .build(literals)
        .ok()?;
    let table = Table::build(&dfa, literals, kinds)?;
    Some((dfa, table))
}

/// The first character of `bytes` (valid UTF-8 cut at a character boundary)
/// and its length.
fn decode(bytes: &[u8]) -> (char, usize) {
    let len = match bytes[0] {
        b if b < 0xE0 => 2,
        b if b < 0xF0 => 3,
        _ => 4,
    }
    .min(bytes.len());
    let c = std::str::from_utf8(&bytes[..len])
        .ok()
        .and_then(|s| s.chars().next())
        .unwrap_or('\u{fffd}');
    (c, len)
}

/// The lead byte of U+00C0 to U+00FF, the accented letters of French (é, è,
/// ç, à…). The table reads it as no letter at all (the state stays) and the
/// byte after it as the letter it folds to, so such a letter is one step
/// like an ASCII one.
const LATIN_LEAD: u8 = 0xC3;
/// The lead byte of U+0080 to U+00BF: spaces, « », °… None is a letter
/// that folds to ASCII, so when no literal holds such a character, reading
/// one goes back to the start.
const SYMBOL_LEAD: u8 = 0xC2;

/// A state of the table before it is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Escape,
    /// A state of the automaton.
    Base(StateID),
    /// After [`SYMBOL_LEAD`], before the byte that ends the character.
    Symbol,
}

impl Table {
    /// Lays out every state of `dfa` reachable from its unanchored start.
    fn build(dfa: &DFA, literals: &[String], literal_kinds: &[u8]) -> Option<Table> {
        // Maps keyed by the automaton's state ids are vectors indexed by
        // them: a build looks a state up a quarter of a million times.
        const NONE: u32 = u32::MAX;
        let start = dfa.start_state(Anchored::No).ok()?;
        // Every state of the automaton, in the order first reached.
        let mut order = vec![start];
        let mut reached = vec![false; start.as_usize() + 1];
        reached[start.as_usize()] = true;
        let mut k = 0;
        while k < order.len() {
            let sid = order[k];
            k += 1;
            for b in 0..=255u8 {
                let next = dfa.next_state(Anchored::No, sid, b);
                let i = next.as_usize();
                if i >= reached.len() {
                    reached.resize(i + 1, false);
                }
                if !reached[i] {
                    reached[i] = true;
                    order.push(next);
                }
            }
        }
        let holds = |b: u8| literals.iter().any(|l| l.as_bytes().contains(&b));
        let latin = !holds(LATIN_LEAD);
        let symbol = !holds(SYMBOL_LEAD);
        let is_match = |sid: StateID| dfa.is_special(sid) && dfa.is_match(sid);
        let step = |sid: StateID, b: u8| dfa.next_state(Anchored::No, sid, b);
        // The ASCII letter that a byte after the Latin lead folds to.
        let latin_letter = |b: u8| -> Option<u8> {
            let c = std::str::from_utf8(&[LATIN_LEAD, b]).ok()?.chars().next()?;
            let mut buf = [0u8; 16];
            match crate::text::fold::fold_char_bytes(c, &mut buf) {
                [f] if f.is_ascii() => Some(*f),
                _ => None,
            }
        };
        let latin_letters: [Option<u8>; 256] = std::array::from_fn(|b| latin_letter(b as u8));
        // Where a raw byte takes each node.
        let delta = |node: Node, b: u8| -> Node {
            match node {
                Node::Escape => Node::Escape,
                Node::Symbol => Node::Base(start),
                Node::Base(sid) => match b {
                    0..0x80 => Node::Base(step(sid, b.to_ascii_lowercase())),
                    LATIN_LEAD if latin => Node::Base(sid),
                    SYMBOL_LEAD if symbol => Node::Symbol,
                    // Only ever after the Latin lead: valid UTF-8 puts them
                    // after a lead byte, and every other lead escapes.
                    0x80..0xC0 if latin => match latin_letters[usize::from(b)] {
                        Some(f) => Node::Base(step(sid, f)),
                        None => Node::Escape,
                    },
                    _ => Node::Escape,
                },
            }
        };
        // Our numbering: the escape pseudo-state, the match states, the other
        // states of the automaton, then the state after the symbol lead.
        let mut nodes = vec![Node::Escape];
        nodes.extend(
            order
                .iter()
                .filter(|&&s| is_match(s))
                .map(|&s| Node::Base(s)),
        );
        let specials = nodes.len() - 1;
        nodes.extend(
            order
                .iter()
                .filter(|&&s| !is_match(s))
                .map(|&s| Node::Base(s)),
        );
        if symbol {
            nodes.push(Node::Symbol);
        }
        let mut base_number = vec![NONE; reached.len()];
        for (n, node) in nodes.iter().enumerate() {
            if let Node::Base(sid) = node {
                base_number[sid.as_usize()] = u32::try_from(n).ok()?;
            }
        }
        let last = nodes.len() - 1;
        let number = |node: Node| -> usize {
            match node {
                Node::Escape => 0,
                Node::Symbol => last,
                Node::Base(sid) => base_number[sid.as_usize()] as usize,
            }
        };
        // Bytes with the same effect on every node share a class; the class
        // of the bytes that always escape is `ESCAPE`.
        let mut classes = [ESCAPE; 256];
        let mut columns: Vec<Vec<usize>> = vec![vec![0; nodes.len()]];
        let mut known: foldhash::HashMap<Vec<usize>, usize> = Default::default();
        known.insert(columns[0].clone(), 0);
        for b in 0..=255u8 {
            let column: Vec<usize> = nodes.iter().map(|&node| number(delta(node, b))).collect();
            let class = match known.get(&column) {
                Some(&p) => p,
                None => {
                    known.insert(column.clone(), columns.len());
                    columns.push(column);
                    columns.len() - 1
                }
            };
            classes[usize::from(b)] = u8::try_from(class).ok()?;
        }
        let stride = columns.len();
        let id = |n: usize| u32::try_from(n * stride).ok();
        let mut trans = vec![ESCAPE_STATE; nodes.len() * stride];
        for (class, column) in columns.iter().enumerate() {
            for (n, &target) in column.iter().enumerate() {
                trans[n * stride + class] = id(target)?;
            }
        }
        let to_dfa: Vec<StateID> = nodes
            .iter()
            .map(|node| match node {
                Node::Base(sid) => *sid,
                Node::Escape | Node::Symbol => start,
            })
            .collect();
        let kinds = nodes
            .iter()
            .map(|&node| match node {
                Node::Base(sid) if is_match(sid) => (0..dfa.match_len(sid))
                    .map(|k| literal_kinds[dfa.match_pattern(sid, k).as_usize()])
                    .fold(0, |a, b| a | b),
                _ => 0,
            })
            .collect();
        let mut from_dfa = vec![ESCAPE_STATE; reached.len()];
        for &sid in &order {
            from_dfa[sid.as_usize()] = id(number(Node::Base(sid)))?;
        }
        Some(Table {
            classes,
            stride,
            trans,
            start: id(number(Node::Base(start)))?,
            max_special: id(specials)?,
            kinds,
            to_dfa,
            from_dfa,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn prefilter(literals: &[&str]) -> Prefilter {
        let literals: Vec<String> = literals.iter().map(|l| l.to_string()).collect();
        let kinds = vec![NAME; literals.len()];
        let (dfa, table) = automaton(&literals, &kinds).expect("the automaton builds");
        Prefilter {
            dfa,
            literals,
            table,
            context: Some(1),
            cue_alone: false,
        }
    }

    /// The words (between spaces) of `text` in which the scan finds a literal.
    fn scanned(p: &Prefilter, text: &str, side_by_side: bool) -> BTreeSet<usize> {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices(' ').map(|(i, _)| i + 1))
            .collect();
        let word = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
        let mut found = BTreeSet::new();
        let mut hit = |offset: usize, _| {
            found.insert(word(offset));
            offset
        };
        if side_by_side {
            p.scan_pieces(text, 0..text.len(), &starts, &mut hit);
        } else {
            p.scan(text, 0..text.len(), &mut hit);
        }
        found
    }

    /// The words of `text` whose folded form holds a literal.
    fn expected(literals: &[&str], text: &str) -> BTreeSet<usize> {
        text.split(' ')
            .enumerate()
            .filter(|(_, w)| {
                let folded = crate::text::fold::fold(w);
                literals.iter().any(|l| folded.contains(l))
            })
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn the_table_folds_as_the_matcher_does() {
        let literals = [
            "algerie",
            "mali",
            "coeur",
            "aes",
            "ss",
            "москва",
            "l'alger",
            "etat",
        ];
        let p = prefilter(&literals);
        let pieces = [
            "a",
            "l",
            "g",
            "e",
            "r",
            "i",
            "É",
            "é",
            "è",
            "ê",
            "e\u{301}",
            "œ",
            "Œ",
            "æ",
            "Æ",
            "ß",
            "’",
            "'",
            "«",
            "»",
            "\u{a0}",
            "×",
            "м",
            "о",
            "с",
            "к",
            "в",
            "а",
            " ",
            " ",
            ".",
            "ALGÉRIE",
            "Algerie",
            "MaLi",
            "cœur",
            "москва",
            "МОСКВА",
            "l’Alger",
            "ÉTAT",
            "ç",
            "ĉ",
            "…",
        ];
        let mut seed: u64 = 0x5eed;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let want = expected(&literals, &text);
            assert_eq!(scanned(&p, &text, false), want, "one reading of {text:?}");
            assert_eq!(scanned(&p, &text, true), want, "side by side on {text:?}");
        }
    }

    #[test]
    fn a_cue_is_read_with_the_names_before_it() {
        let mut p = prefilter(&["x"]);
        let mut marked = vec![false; 6];
        // name, nothing, name, cue, nothing, cue (no name in its window)
        p.select(&[NAME, 0, NAME, CUE, 0, CUE], &mut marked);
        assert_eq!(marked, [false, false, true, true, false, false]);
        p.cue_alone = true;
        p.select(&[NAME, 0, NAME, CUE, 0, CUE], &mut marked);
        assert_eq!(marked, [false, false, true, true, false, true]);
        p.context = None;
        p.select(&[NAME, 0, NAME, CUE, 0, CUE], &mut marked);
        assert_eq!(marked, [true, false, true, true, false, true]);
    }
}
