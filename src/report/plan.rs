//! A proposition of the human report judged again, planned before it is
//! rendered: its ledger, and its text cut into pieces whose digests say
//! which the last run rendered alike.
//!
//! The ledger needs little of each article on the timeline: where it is
//! shown and what it gave (its mix, [`Run::mix_of`]), its date, id and
//! source, and its position. The report keeps that of every proposition
//! beside its part ([`encode`]), so a re-check after one article is added
//! reads the bodies of the articles that changed, judges the timeline from
//! what was kept and them, and reads the bodies of only the articles whose
//! pieces it renders again. The pieces are cut where an article's mix says
//! ([`cut_for`]), not every so many articles, so an article added moves no
//! cut but its own.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;

use super::parts::{self, Digest, Parts};
use crate::corpus::PartialDate;
use crate::ledger::{self, Kind, Position};
use crate::pipeline::Run;
use crate::rulebook::Stance;
use crate::text::fold::fold;

/// What the report keeps of an article on a proposition's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rec {
    /// Where it is shown and what it gave ([`Run::mix_of`]).
    pub mix: [u8; 16],
    sort_key: u64,
    date: PartialDate,
    position: Position,
    /// How wide its source is (in characters, at most 255).
    width: u8,
    id: Box<str>,
    /// Its source, trimmed and folded.
    source: Box<str>,
    /// Its index in the run's articles, once it is known, and where its
    /// claims are in the run's claims.
    article: Option<usize>,
    claims: Range<usize>,
}

/// A proposition planned: its timeline (in order), its contradictions as
/// `(kind, earlier, later)` places on it, grouped by the later side, and
/// its pieces.
pub struct Plan {
    pub p: usize,
    pub recs: Vec<Rec>,
    pub found: Vec<(Kind, usize, usize)>,
    /// Ranges of `found`, one a later side (an internal one alone).
    pub groups: Vec<Range<usize>>,
    /// How wide the timeline's source column is.
    pub width: usize,
    pub pieces: Vec<PiecePlan>,
    /// Each article's names, made when a piece first shows it.
    names: Vec<std::sync::OnceLock<super::Names>>,
}

pub struct PiecePlan {
    pub items: Items,
    pub digest: Option<Digest>,
    /// The same piece as the last run rendered it.
    pub kept: Option<parts::Piece>,
}

/// What a piece of a proposition's text shows.
pub enum Items {
    Heading,
    /// A run of timeline entries (places in [`Plan::recs`]).
    Timeline(Range<usize>),
    /// A run of contradiction groups (places in [`Plan::groups`]).
    Groups(Range<usize>),
    /// The blank line that ends it.
    End,
}

/// At most one in this many timeline entries or contradiction groups ends
/// a piece (chosen by the article's mix). Without a cache, pieces are this
/// long.
const CUT: usize = 128;

/// One in how many entries ends a piece on a timeline of `len` entries:
/// the power of two at or below a thirty-second of it, from 1 to [`CUT`],
/// so that a short timeline has a piece an entry and a long one pieces of
/// about a hundred; it changes only when the timeline doubles or halves.
fn cut_for(len: usize) -> usize {
    let q = (len / 32).max(1);
    (1usize << (usize::BITS - 1 - q.leading_zeros())).min(CUT)
}

/// The key a proposition's ledger is kept under: what it was made with
/// (volte's version and the rulebook, through the claims cache's key),
/// not the report's settings, which do not change it.
pub fn ledger_key(run: &Run, p: usize) -> Option<Digest> {
    let key = run.cache_key.as_deref()?;
    let mut h = blake3::Hasher::new();
    h.update(FORMAT);
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&(key.len() as u64).to_le_bytes());
    h.update(key.as_bytes());
    h.update(&(p as u64).to_le_bytes());
    Some(*h.finalize().as_bytes())
}

/// The first bytes of a kept ledger; bumped when its layout changes.
const FORMAT: &[u8] = b"volte ledger 1\n";

/// Where article `article`'s claims are in `run.claims`.
fn claims_of(run: &Run, article: usize) -> Range<usize> {
    let start = run.claims.partition_point(|c| c.article < article);
    let len = run.claims[start..]
        .iter()
        .take_while(|c| c.article == article)
        .count();
    start..start + len
}

fn position_of(stances: impl Iterator<Item = Stance>) -> Position {
    let (mut supports, mut opposes) = (false, false);
    for s in stances {
        supports |= s == Stance::Supports;
        opposes |= s == Stance::Opposes;
    }
    match (supports, opposes) {
        (true, false) => Position::Supports,
        (false, true) => Position::Opposes,
        _ => Position::Mixed,
    }
}

fn rec_of(run: &Run, article: usize, claims: Range<usize>, position: Position) -> Rec {
    let a = &run.articles[article];
    Rec {
        mix: run.mix_of(article).copied().unwrap_or_default(),
        sort_key: a.date.sort_key(),
        date: a.date,
        position,
        width: a.source().chars().count().min(255) as u8,
        id: a.id().into(),
        source: fold(a.source().trim()).into(),
        article: Some(article),
        claims,
    }
}

fn in_order(recs: &mut [Rec]) {
    recs.par_sort_by(|a, b| (a.sort_key, &a.id).cmp(&(b.sort_key, &b.id)));
}

/// Proposition `p` planned from the articles of the run, every one with
/// claims on it read.
pub fn from_articles(
    run: &Run,
    p: usize,
    salt: Option<&blake3::Hasher>,
    kept: Option<&Parts>,
) -> Plan {
    // Each article with claims on `p`, and where its claims are.
    let mut found = Vec::new();
    let mut at = 0;
    let claims = &run.claims;
    while at < claims.len() {
        let article = claims[at].article;
        let len = claims[at..]
            .iter()
            .take_while(|c| c.article == article)
            .count();
        if claims[at..at + len].iter().any(|c| c.proposition == p) {
            found.push((article, at..at + len));
        }
        at += len;
    }
    let mut recs: Vec<Rec> = found
        .into_par_iter()
        .map(|(article, range)| {
            let position = position_of(
                claims[range.clone()]
                    .iter()
                    .filter(|c| c.proposition == p)
                    .map(|c| c.stance),
            );
            rec_of(run, article, range, position)
        })
        .collect();
    in_order(&mut recs);
    finish(run, p, recs, salt, kept)
}

/// Proposition `p` planned from its ledger as the last run kept it: the
/// articles it lists that still have claims on `p` unchanged (`current`,
/// by mix), and the others of `current`, which must be among the articles
/// read (`index`, by mix). `None` when one is not.
pub fn from_kept(
    run: &Run,
    p: usize,
    old: Vec<Rec>,
    current: &HashSet<[u8; 16]>,
    index: &HashMap<[u8; 16], usize>,
    salt: Option<&blake3::Hasher>,
    kept: Option<&Parts>,
) -> Option<Plan> {
    let known: HashSet<[u8; 16]> = old.iter().map(|r| r.mix).collect();
    let mut recs: Vec<Rec> = old
        .into_iter()
        .filter(|r| current.contains(&r.mix))
        .collect();
    for mix in current.iter().filter(|m| !known.contains(*m)) {
        let article = *index.get(mix)?;
        let range = claims_of(run, article);
        let mine = run.claims[range.clone()]
            .iter()
            .filter(|c| c.proposition == p);
        mine.clone().next()?;
        let position = position_of(mine.map(|c| c.stance));
        recs.push(rec_of(run, article, range, position));
    }
    in_order(&mut recs);
    Some(finish(run, p, recs, salt, kept))
}

/// The ledger of a timeline, its groups and its pieces.
fn finish(
    run: &Run,
    p: usize,
    recs: Vec<Rec>,
    salt: Option<&blake3::Hasher>,
    kept: Option<&Parts>,
) -> Plan {
    let stands: Vec<ledger::Stand<'_>> = recs
        .iter()
        .map(|r| ledger::Stand {
            position: r.position,
            source: &r.source,
            date: r.date,
        })
        .collect();
    let found = ledger::judge(&stands, run.window_days);
    drop(stands);
    // Grouped by the later side, as `write_proposition` groups them.
    let mut groups = Vec::new();
    let mut at = 0;
    while at < found.len() {
        let (kind, _, later) = found[at];
        let same = match kind {
            Kind::Internal => 1,
            _ => found[at..]
                .iter()
                .take_while(|&&(k, _, j)| j == later && k != Kind::Internal)
                .count(),
        };
        groups.push(at..at + same);
        at += same;
    }
    let width = recs
        .iter()
        .map(|r| usize::from(r.width))
        .max()
        .unwrap_or(0)
        .min(28);
    let cut = cut_for(recs.len());
    let ends = |n: usize, mix: &[u8; 16]| match salt {
        Some(_) => {
            (u32::from_le_bytes([mix[0], mix[1], mix[2], mix[3]]) as usize).is_multiple_of(cut)
        }
        None => n % CUT == CUT - 1,
    };
    let digest = |tag: &[u8], fill: &mut dyn FnMut(&mut blake3::Hasher)| {
        salt.map(|salt| {
            let mut h = salt.clone();
            h.update(&(p as u64).to_le_bytes());
            h.update(tag);
            fill(&mut h);
            *h.finalize().as_bytes()
        })
    };
    let mut pieces = Vec::new();
    let mut add = |items: Items, digest: Option<Digest>| {
        let kept = digest.and_then(|d| kept?.find_piece(&d).cloned());
        pieces.push(PiecePlan {
            items,
            digest,
            kept,
        });
    };
    add(
        Items::Heading,
        digest(b"heading", &mut |h| {
            h.update(&[u8::from(recs.is_empty())]);
        }),
    );
    let mut start = 0;
    for (n, r) in recs.iter().enumerate() {
        if ends(n, &r.mix) || n + 1 == recs.len() {
            let range = start..n + 1;
            let d = digest(b"timeline", &mut |h| {
                h.update(&(width as u64).to_le_bytes());
                for r in &recs[range.clone()] {
                    h.update(&r.mix);
                }
            });
            add(Items::Timeline(range), d);
            start = n + 1;
        }
    }
    let mut start = 0;
    for (n, g) in groups.iter().enumerate() {
        let (_, _, later) = found[g.start];
        if ends(n, &recs[later].mix) || n + 1 == groups.len() {
            let range = start..n + 1;
            let d = digest(b"groups", &mut |h| {
                for g in &groups[range.clone()] {
                    h.update(&(g.len() as u64).to_le_bytes());
                    for &(kind, i, j) in &found[g.clone()] {
                        h.update(&[kind as u8]);
                        h.update(&recs[i].mix);
                        h.update(&recs[j].mix);
                    }
                }
            });
            add(Items::Groups(range), d);
            start = n + 1;
        }
    }
    add(Items::End, digest(b"end", &mut |_| {}));
    Plan {
        p,
        names: (0..recs.len())
            .map(|_| std::sync::OnceLock::new())
            .collect(),
        recs,
        found,
        groups,
        width,
        pieces,
    }
}

impl Plan {
    /// The articles the pieces to render show, by mix.
    pub fn needed(&self) -> impl Iterator<Item = &[u8; 16]> + '_ {
        self.pieces
            .iter()
            .filter(|piece| piece.kept.is_none())
            .flat_map(move |piece| -> Box<dyn Iterator<Item = &[u8; 16]> + '_> {
                match &piece.items {
                    Items::Timeline(range) => {
                        Box::new(self.recs[range.clone()].iter().map(|r| &r.mix))
                    }
                    Items::Groups(range) => {
                        let groups = &self.groups[range.clone()];
                        let found = &self.found[groups[0].start..groups[groups.len() - 1].end];
                        Box::new(
                            found
                                .iter()
                                .flat_map(|&(_, i, j)| [&self.recs[i].mix, &self.recs[j].mix]),
                        )
                    }
                    Items::Heading | Items::End => Box::new(std::iter::empty()),
                }
            })
    }

    /// Sets where each article is in the run's articles, by mix, and
    /// where its claims are.
    pub fn place(&mut self, run: &Run, index: &HashMap<[u8; 16], usize>) {
        for r in &mut self.recs {
            r.article = index.get(&r.mix).copied();
            r.claims = r.article.map_or(0..0, |a| claims_of(run, a));
        }
    }

    /// The claims on the proposition of the article at place `k`.
    fn claims<'r>(&self, run: &'r Run, k: usize) -> impl Iterator<Item = usize> + Clone + 'r {
        let p = self.p;
        let range = self.recs[k].claims.clone();
        let claims = &run.claims;
        range.filter(move |&c| claims[c].proposition == p)
    }

    /// The timeline entry at place `k`, with its claims; `None` when its
    /// article was not read.
    pub fn entry(&self, run: &Run, k: usize) -> Option<ledger::Entry> {
        let article = self.recs[k].article?;
        let claims: Vec<usize> = self.claims(run, k).collect();
        if claims.is_empty() {
            return None;
        }
        Some(ledger::Entry {
            article,
            position: position_of(claims.iter().map(|&c| run.claims[c].stance)),
            hedged: claims.iter().all(|&c| run.claims[c].hedged),
            claims,
        })
    }

    /// The contradiction between places `i` and `j`, with its claims;
    /// `None` when an article of it was not read.
    pub fn contradiction(
        &self,
        run: &Run,
        (kind, i, j): (Kind, usize, usize),
    ) -> Option<ledger::Contradiction> {
        self.recs[j].article?;
        let mut later = self.claims(run, j);
        let (a, b) = match kind {
            Kind::Internal => {
                let first = |s: Stance| later.clone().find(|&c| run.claims[c].stance == s);
                (first(Stance::Supports)?, first(Stance::Opposes)?)
            }
            _ => {
                self.recs[i].article?;
                (self.claims(run, i).next()?, later.next()?)
            }
        };
        Some(ledger::Contradiction {
            proposition: self.p,
            kind,
            a,
            b,
        })
    }

    /// The index in the run's articles of the article at place `k`.
    pub fn recs_article(&self, k: usize) -> Option<usize> {
        self.recs[k].article
    }

    /// The names of the article at place `k`, made once.
    pub fn names(&self, run: &Run, k: usize) -> Option<super::Names> {
        let article = self.recs[k].article?;
        Some(
            self.names[k]
                .get_or_init(|| super::Names::of(&run.articles[article]))
                .clone(),
        )
    }
}

/// A timeline's records as kept beside its part.
pub fn encode(recs: &[Rec]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FORMAT.len() + 8 + recs.len() * 64);
    out.extend_from_slice(FORMAT);
    out.extend_from_slice(&(recs.len() as u64).to_le_bytes());
    for r in recs {
        out.extend_from_slice(&r.mix);
        out.extend_from_slice(&r.sort_key.to_le_bytes());
        let (tag, y, m, d) = match r.date {
            PartialDate::Year(y) => (0u8, y, 0, 0),
            PartialDate::YearMonth(y, m) => (1, y, m, 0),
            PartialDate::Day(y, m, d) => (2, y, m, d),
        };
        out.push(tag);
        out.extend_from_slice(&y.to_le_bytes());
        out.extend_from_slice(&[m as u8, d as u8]);
        out.push(match r.position {
            Position::Supports => 0,
            Position::Opposes => 1,
            Position::Mixed => 2,
        });
        out.push(r.width);
        for text in [&r.id, &r.source] {
            out.extend_from_slice(&(text.len() as u32).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
    }
    out
}

/// The records [`encode`] wrote; `None` for bytes it did not write.
pub fn decode(bytes: &[u8]) -> Option<Vec<Rec>> {
    let mut rest = bytes.strip_prefix(FORMAT)?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
        rest = tail;
        Some(head)
    };
    let count = u64::from_le_bytes(take(8)?.try_into().ok()?);
    let mut recs = Vec::with_capacity(usize::try_from(count).ok()?.min(bytes.len() / 40));
    for _ in 0..count {
        let mix: [u8; 16] = take(16)?.try_into().ok()?;
        let sort_key = u64::from_le_bytes(take(8)?.try_into().ok()?);
        let date = take(5)?;
        let y = i16::from_le_bytes([date[1], date[2]]);
        let (m, d) = (date[3] as i8, date[4] as i8);
        let date = match date[0] {
            0 => PartialDate::Year(y),
            1 => PartialDate::YearMonth(y, m),
            2 => PartialDate::Day(y, m, d),
            _ => return None,
        };
        let flags = take(2)?;
        let position = match flags[0] {
            0 => Position::Supports,
            1 => Position::Opposes,
            2 => Position::Mixed,
            _ => return None,
        };
        let width = flags[1];
        let mut text = || -> Option<Box<str>> {
            let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
            Some(std::str::from_utf8(take(len)?).ok()?.into())
        };
        let (id, source) = (text()?, text()?);
        recs.push(Rec {
            mix,
            sort_key,
            date,
            position,
            width,
            id,
            source,
            article: None,
            claims: 0..0,
        });
    }
    rest.is_empty().then_some(recs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(mix: u8, date: PartialDate, position: Position, id: &str, source: &str) -> Rec {
        Rec {
            mix: [mix; 16],
            sort_key: date.sort_key(),
            date,
            position,
            width: source.chars().count() as u8,
            id: id.into(),
            source: source.into(),
            article: None,
            claims: 0..0,
        }
    }

    #[test]
    fn pieces_grow_with_the_timeline_in_steps() {
        assert_eq!(cut_for(0), 1);
        assert_eq!(cut_for(63), 1);
        assert_eq!(cut_for(64), 2);
        assert_eq!(cut_for(127), 2);
        assert_eq!(cut_for(1_100), 32);
        assert_eq!(cut_for(4_096), 128);
        assert_eq!(cut_for(1_000_000), CUT);
    }

    #[test]
    fn a_kept_ledger_reads_back_as_written() {
        let recs = vec![
            rec(1, PartialDate::Year(2011), Position::Supports, "a", "afp"),
            rec(
                2,
                PartialDate::YearMonth(2021, 10),
                Position::Mixed,
                "b",
                "",
            ),
            rec(
                3,
                PartialDate::Day(2024, 2, 29),
                Position::Opposes,
                "c-é",
                "le monde",
            ),
        ];
        let bytes = encode(&recs);
        assert_eq!(decode(&bytes), Some(recs));
        // Cut short, or with a byte more, it is not a ledger.
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        assert_eq!(decode(b"not a ledger"), None);
    }
}
