//! The ledger: claims lined up by date, one timeline per proposition, and the
//! contradictions between them.
//!
//! An article's stance on a proposition is `supports` or `opposes` when all its
//! claims agree, `mixed` otherwise (an `internal` contradiction). Two articles
//! with opposite stances contradict each other: `self` when they come from the
//! same source, `conflict` when their dates lie within the conflict window (both
//! cannot be right), `reversal` when the later one overturns an earlier stance.
//! Each article is compared with the latest earlier article of the opposite
//! stance, and with the latest such article from its own source, so the number
//! of contradictions grows with the corpus, not with its square.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::corpus::Article;
use crate::matcher::Claim;
use crate::rulebook::Stance;
use crate::text::fold::fold;

/// An article's overall stance on a proposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Supports,
    Opposes,
    Mixed,
}

impl Position {
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Supports => "supports",
            Position::Opposes => "opposes",
            Position::Mixed => "mixed",
        }
    }

    fn stance(self) -> Option<Stance> {
        match self {
            Position::Supports => Some(Stance::Supports),
            Position::Opposes => Some(Stance::Opposes),
            Position::Mixed => None,
        }
    }
}

/// One article on a timeline.
#[derive(Debug, Clone)]
pub struct Entry {
    pub article: usize,
    pub position: Position,
    /// Indices of the article's claims on the proposition, in line order.
    pub claims: Vec<usize>,
    /// Every claim behind the position is hedged.
    pub hedged: bool,
}

/// The articles that take a stance on one proposition, oldest first.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub proposition: usize,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Conflict,
    Reversal,
    #[serde(rename = "self")]
    SelfContradiction,
    Internal,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Conflict,
        Kind::Reversal,
        Kind::SelfContradiction,
        Kind::Internal,
    ];

    /// What fails the build unless the rulebook or `--fail-on` says otherwise:
    /// a reversal is a change over time, reported without failing.
    pub const DEFAULT_FAIL_ON: [Kind; 3] =
        [Kind::Conflict, Kind::SelfContradiction, Kind::Internal];

    pub fn parse(name: &str) -> Result<Kind, String> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name.trim()).ok_or_else(|| {
            format!(
                "unknown contradiction kind `{}` (write conflict, reversal, self or internal, or all or none alone)",
                name.trim()
            )
        })
    }

    /// `conflict,self`, `all` or `none`. An empty list is an error, so an
    /// unset CI variable cannot turn the gate off.
    pub fn parse_list(list: &str) -> Result<Vec<Kind>, String> {
        match list.trim() {
            "all" => Ok(Kind::ALL.to_vec()),
            "none" => Ok(Vec::new()),
            "" => Err("no kind given: write conflict, reversal, self, internal (comma-separated), all, or none".into()),
            names => names.split(',').map(Kind::parse).collect(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Conflict => "conflict",
            Kind::Reversal => "reversal",
            Kind::SelfContradiction => "self",
            Kind::Internal => "internal",
        }
    }
}

/// Two claims on one proposition that cannot both stand.
#[derive(Debug, Clone)]
pub struct Contradiction {
    pub proposition: usize,
    pub kind: Kind,
    /// The earlier side (for `internal`, the supporting claim).
    pub a: usize,
    /// The later side (for `internal`, the opposing claim).
    pub b: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub timelines: Vec<Timeline>,
    pub contradictions: Vec<Contradiction>,
}

/// Builds the timelines and finds the contradictions. `claims` must be in
/// article order, then line order.
pub fn build(
    articles: &[Article],
    claims: &[Claim],
    propositions: usize,
    window_days: u32,
) -> Ledger {
    // Propositions are independent: one per core, gathered in order.
    let built: Vec<(Option<Timeline>, Vec<Contradiction>)> = (0..propositions)
        .into_par_iter()
        .map(|p| of_proposition(p, articles, claims, window_days))
        .collect();
    let mut ledger = Ledger::default();
    for (timeline, found) in built {
        ledger.timelines.extend(timeline);
        ledger.contradictions.extend(found);
    }
    ledger
}

/// What judging an article's stance on a proposition needs of it.
#[derive(Debug, Clone, Copy)]
pub struct Stand<'a> {
    pub position: Position,
    /// Its source, trimmed and folded (`Le Monde` is `le monde`).
    pub source: &'a str,
    pub date: crate::corpus::PartialDate,
}

/// The contradictions between the entries of a timeline, given in its
/// order (by date, then id), as `(kind, earlier, later)` entry indices, in
/// the order the report lists them: by the later entry, then the earlier.
/// An article on both sides contradicts itself: `(Internal, i, i)`.
///
/// Each article is set against the most recent earlier article that took
/// the opposite stance, and against the most recent such article from its
/// own source: what it overturns, and what its source said before. The
/// timeline shows the rest; all pairs would grow with the square of the
/// corpus.
pub fn judge(stands: &[Stand<'_>], window_days: u32) -> Vec<(Kind, usize, usize)> {
    let mut found: Vec<(Kind, usize, usize)> = stands
        .iter()
        .enumerate()
        .filter(|(_, s)| s.position == Position::Mixed)
        .map(|(j, _)| (Kind::Internal, j, j))
        .collect();
    let mut last: HashMap<Stance, usize> = HashMap::new();
    let mut last_by_source: HashMap<(&str, Stance), usize> = HashMap::new();
    for (j, later) in stands.iter().enumerate() {
        let Some(stance) = later.position.stance() else {
            continue;
        };
        let source = later.source;
        let opposite = stance.flipped();
        let mut earlier: Vec<usize> = last.get(&opposite).copied().into_iter().collect();
        if !source.is_empty() {
            if let Some(&i) = last_by_source.get(&(source, opposite)) {
                if !earlier.contains(&i) {
                    earlier.push(i);
                }
            }
        }
        for i in earlier {
            let kind = if !source.is_empty() && stands[i].source == source {
                Kind::SelfContradiction
            } else if stands[i].date.gap_days(later.date) <= i64::from(window_days) {
                Kind::Conflict
            } else {
                Kind::Reversal
            };
            found.push((kind, i, j));
        }
        last.insert(stance, j);
        if !source.is_empty() {
            last_by_source.insert((source, stance), j);
        }
    }
    // The entries are in order of date, then id, and no two share an id:
    // their places order them as their dates and ids would.
    found.sort_unstable_by_key(|&(kind, i, j)| (j, i, kind));
    found
}

/// The timeline of one proposition and its contradictions, sorted: one
/// proposition's share of [`build`], which a report can make, use and drop
/// a proposition at a time.
pub fn of_proposition(
    proposition: usize,
    articles: &[Article],
    claims: &[Claim],
    window_days: u32,
) -> (Option<Timeline>, Vec<Contradiction>) {
    let mut entries: Vec<Entry> = Vec::new();
    for (index, claim) in claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.proposition == proposition)
    {
        match entries.last_mut() {
            Some(e) if e.article == claim.article => e.claims.push(index),
            _ => entries.push(Entry {
                article: claim.article,
                position: Position::Mixed,
                claims: vec![index],
                hedged: false,
            }),
        }
    }
    for entry in &mut entries {
        let stances = entry.claims.iter().map(|&c| claims[c].stance);
        let supports = stances.clone().any(|s| s == Stance::Supports);
        let opposes = stances.clone().any(|s| s == Stance::Opposes);
        entry.position = match (supports, opposes) {
            (true, false) => Position::Supports,
            (false, true) => Position::Opposes,
            _ => Position::Mixed,
        };
        entry.hedged = entry.claims.iter().all(|&c| claims[c].hedged);
    }
    entries.par_sort_by_cached_key(|e| {
        let a = &articles[e.article];
        (a.date.sort_key(), a.id())
    });

    // Sources compare folded (`Le Monde` is `le monde`): folded once per entry.
    let sources: Vec<String> = entries
        .par_iter()
        .map(|e| fold(articles[e.article].source().trim()))
        .collect();
    let stands: Vec<Stand<'_>> = entries
        .iter()
        .zip(&sources)
        .map(|(e, source)| Stand {
            position: e.position,
            source,
            date: articles[e.article].date,
        })
        .collect();
    let first = |entry: &Entry, s: Stance| {
        entry
            .claims
            .iter()
            .copied()
            .find(|&c| claims[c].stance == s)
    };
    let found: Vec<Contradiction> = judge(&stands, window_days)
        .into_iter()
        .filter_map(|(kind, i, j)| {
            let (a, b) = match kind {
                Kind::Internal => (
                    first(&entries[j], Stance::Supports)?,
                    first(&entries[j], Stance::Opposes)?,
                ),
                _ => (entries[i].claims[0], entries[j].claims[0]),
            };
            Some(Contradiction {
                proposition,
                kind,
                a,
                b,
            })
        })
        .collect();
    let timeline = (!entries.is_empty()).then_some(Timeline {
        proposition,
        entries,
    });
    (timeline, found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::parse_article;
    use crate::text::sentences::Section;
    use std::path::PathBuf;

    fn article(id: &str, date: &str, source: &str) -> Article {
        let text = format!("---\nid: {id}\ndate: {date}\nsource: {source}\n---\nx\n");
        parse_article(PathBuf::from(format!("{id}.md")), text, "fr").unwrap()
    }

    fn claim(article: usize, stance: Stance) -> Claim {
        Claim {
            article,
            proposition: 0,
            stance,
            negated: false,
            hedged: false,
            section: Section::Body,
            line: 1,
            cue: Default::default(),
            sentence: Default::default(),
            pattern: Default::default(),
            detail: None,
        }
    }

    fn kinds(articles: &[Article], claims: &[Claim], window: u32) -> Vec<Kind> {
        build(articles, claims, 1, window)
            .contradictions
            .iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn kinds_follow_source_and_dates() {
        let articles = vec![
            article("a", "2021-10", "Algérie Part"),
            article("b", "2023-02", "algerie part"),
            article("c", "2023-03-01", "AFP"),
        ];
        let claims = vec![
            claim(0, Stance::Opposes),
            claim(1, Stance::Supports),
            claim(2, Stance::Opposes),
        ];
        // a→b same source (case and accents aside), b→c within the window, a/c agree.
        assert_eq!(
            kinds(&articles, &claims, 180),
            [Kind::SelfContradiction, Kind::Conflict]
        );
        // With a zero-day window, 2023-02 and 2023-03-01 are a day apart: a reversal.
        assert_eq!(
            kinds(&articles, &claims, 0),
            [Kind::SelfContradiction, Kind::Reversal]
        );
    }

    #[test]
    fn an_article_is_set_against_the_latest_opposite_stance_and_its_own_source() {
        let articles = vec![
            article("a", "2020-01", "X"),
            article("b", "2021-01", "Y"),
            article("c", "2022-01", "Z"),
            article("d", "2024-01", "X"),
        ];
        let claims = vec![
            claim(0, Stance::Supports),
            claim(1, Stance::Supports),
            claim(2, Stance::Supports),
            claim(3, Stance::Opposes),
        ];
        let ledger = build(&articles, &claims, 1, 180);
        let pairs: Vec<(usize, usize, Kind)> = ledger
            .contradictions
            .iter()
            .map(|c| (claims[c.a].article, claims[c.b].article, c.kind))
            .collect();
        // d overturns c (the latest support) and contradicts its own source's a;
        // b, the middle of the run, is left to the timeline.
        assert_eq!(
            pairs,
            [(0, 3, Kind::SelfContradiction), (2, 3, Kind::Reversal)]
        );
    }

    #[test]
    fn one_article_on_both_sides_is_internal_and_mixed() {
        let articles = vec![article("a", "2024-01", "X"), article("b", "2024-01", "Y")];
        let claims = vec![
            claim(0, Stance::Supports),
            claim(0, Stance::Opposes),
            claim(1, Stance::Supports),
        ];
        let ledger = build(&articles, &claims, 1, 180);
        assert_eq!(ledger.timelines[0].entries[0].position, Position::Mixed);
        let kinds: Vec<Kind> = ledger.contradictions.iter().map(|c| c.kind).collect();
        // A mixed article contradicts itself, not the other articles.
        assert_eq!(kinds, [Kind::Internal]);
    }

    #[test]
    fn overlapping_precisions_are_a_conflict_not_a_reversal() {
        let articles = vec![
            article("a", "2024-01", "X"),
            article("b", "2024-01-15", "Y"),
        ];
        let claims = vec![claim(0, Stance::Supports), claim(1, Stance::Opposes)];
        assert_eq!(kinds(&articles, &claims, 0), [Kind::Conflict]);
    }
}
