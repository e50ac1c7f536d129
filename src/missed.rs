//! `volte suggest`: the sentences a rulebook misses.
//!
//! For each proposition, the sentences that name all the actors it requires
//! but match none of its patterns are candidates. They are ranked by the words
//! they share with the sentences that did make a claim on the proposition,
//! each word weighted by how rare it is in the corpus (so `le`, `de`, `a`
//! count for nothing and `soutien`, `médiation` count for a lot), and divided
//! by the square root of the sentence's length. Stopwords, negators, hedges,
//! months and numbers are left out (the lexicon's `stopwords`). Words are
//! compared by their stem, so `soutient` and `soutien` count together.
//! Across the candidates, the words that recur and that no pattern of the
//! proposition uses yet are listed as cue words to consider.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::Article;
use crate::error::Error;
use crate::lexicon::Lexicon;
use crate::matcher::{self, MissKind, Options, Scratch};
use crate::rulebook::Rulebook;
use crate::text::tokens::phrase_words;

#[derive(Debug, Serialize)]
pub struct Suggestions {
    pub version: u32,
    /// Sentences read.
    pub sentences: usize,
    pub propositions: Vec<PropositionMisses>,
}

#[derive(Debug, Serialize)]
pub struct PropositionMisses {
    pub proposition: String,
    /// Sentences that made a claim on it.
    pub matched: usize,
    /// Sentences that name its actors but make no claim.
    pub unmatched: usize,
    /// The best ranked of them.
    pub candidates: Vec<Candidate>,
    /// Words recurring in the candidates that no pattern uses, most telling first.
    pub cue_words: Vec<CueWord>,
}

#[derive(Debug, Serialize)]
pub struct Candidate {
    pub score: f64,
    pub path: String,
    pub line: usize,
    pub date: String,
    pub sentence: String,
    /// The words it shares with matched sentences, heaviest first.
    pub because_of: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CueWord {
    pub word: String,
    /// Candidate sentences it appears in.
    pub sentences: usize,
}

/// One sentence, as suggest sees it.
struct Read {
    article: usize,
    line: usize,
    text: String,
    /// Stem → the first spelling seen, actors' words left out.
    words: Vec<(String, String)>,
    claims: BTreeSet<usize>,
    no_pattern: BTreeSet<usize>,
}

/// How many candidates and cue words to keep per proposition.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub candidates: usize,
    pub cue_words: usize,
}

pub fn suggest(
    rulebook: &Rulebook,
    articles: &[Article],
    include_comments: bool,
    only: Option<usize>,
    limits: Limits,
) -> Result<Suggestions, Error> {
    let options = Options {
        include_comments,
        detail: true,
        full_scan: true,
    };
    let per_article: Vec<Vec<Read>> = articles
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (i, article)| {
            let analysis = matcher::analyze(i, article, rulebook, options, scratch)?;
            let lexicon = rulebook.lexicon(article.lang());
            Ok(analysis
                .details
                .into_iter()
                .map(|d| {
                    let actors: BTreeSet<String> = d
                        .mentions
                        .iter()
                        .flat_map(|m| {
                            lexicon
                                .map(|l| phrase_words(&m.text, l))
                                .unwrap_or_default()
                        })
                        .collect();
                    let mut seen = BTreeSet::new();
                    let words = d
                        .tokens
                        .iter()
                        .filter(|w| {
                            w.chars().count() >= 3
                                && !actors.contains(*w)
                                && !lexicon.is_some_and(|l| l.is_stopword(w))
                        })
                        .map(|w| (stem(lexicon, w), w.clone()))
                        .filter(|(s, _)| seen.insert(s.clone()))
                        .collect();
                    Read {
                        article: i,
                        line: d.line,
                        text: d.text,
                        words,
                        claims: d.claims.iter().map(|c| c.proposition).collect(),
                        no_pattern: d
                            .near_misses
                            .iter()
                            .filter(|n| n.kind == MissKind::NoPattern)
                            .map(|n| n.proposition)
                            .collect(),
                    }
                })
                .collect())
        })
        .collect::<Result<_, Error>>()?;
    let reads: Vec<Read> = per_article.into_iter().flatten().collect();

    // Document frequency of each stem over all sentences.
    let mut df: HashMap<&str, usize> = HashMap::new();
    for r in &reads {
        for (s, _) in &r.words {
            *df.entry(s.as_str()).or_default() += 1;
        }
    }
    let n = reads.len() as f64;
    let idf = |s: &str| ((n + 1.0) / (df.get(s).copied().unwrap_or(0) as f64 + 1.0)).ln();

    let mut propositions = Vec::new();
    for (p, proposition) in rulebook.propositions.iter().enumerate() {
        if only.is_some_and(|o| o != p) {
            continue;
        }
        let lexicon = rulebook.lexicon(&rulebook.language);
        let matched: Vec<&Read> = reads.iter().filter(|r| r.claims.contains(&p)).collect();
        let mut in_matched: HashMap<&str, usize> = HashMap::new();
        for r in &matched {
            for (s, _) in &r.words {
                *in_matched.entry(s.as_str()).or_default() += 1;
            }
        }
        let share =
            |s: &str| in_matched.get(s).copied().unwrap_or(0) as f64 / matched.len().max(1) as f64;
        // A sentence of one or two telling words ("Dernières nouvelles") is a
        // heading, not a missed claim.
        let unmatched: Vec<&Read> = reads
            .iter()
            .filter(|r| r.no_pattern.contains(&p) && r.words.len() >= 3)
            .collect();

        let mut candidates: Vec<Candidate> = unmatched
            .iter()
            .map(|r| {
                let mut weighted: Vec<(f64, &str)> = r
                    .words
                    .iter()
                    .map(|(s, w)| (share(s) * idf(s), w.as_str()))
                    .filter(|(x, _)| *x > 0.0)
                    .collect();
                weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
                // Long sentences share more words by chance: divide by √length.
                let score: f64 = weighted.iter().map(|(x, _)| x).sum::<f64>()
                    / (r.words.len().max(1) as f64).sqrt();
                let article = &articles[r.article];
                Candidate {
                    score: (score * 100.0).round() / 100.0,
                    path: article.path.to_string_lossy().replace('\\', "/"),
                    line: r.line,
                    date: article.date.to_string(),
                    sentence: r.text.clone(),
                    because_of: weighted
                        .iter()
                        .take(4)
                        .map(|(_, w)| w.to_string())
                        .collect(),
                }
            })
            .collect();
        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.path.cmp(&b.path))
                .then(a.line.cmp(&b.line))
        });
        candidates.truncate(limits.candidates);

        // Words the patterns already use are not news.
        let pattern_stems: BTreeSet<String> = lexicon
            .map(|l| {
                proposition
                    .supports
                    .iter()
                    .chain(&proposition.opposes)
                    .flat_map(|pat| phrase_words(&pat.text, l))
                    .map(|w| stem(Some(l), &w))
                    .collect()
            })
            .unwrap_or_default();
        let mut counts: HashMap<&str, (usize, &str)> = HashMap::new();
        for r in &unmatched {
            for (s, w) in &r.words {
                if !pattern_stems.contains(s) {
                    counts.entry(s.as_str()).or_insert((0, w.as_str())).0 += 1;
                }
            }
        }
        let mut cue_words: Vec<(f64, CueWord)> = counts
            .into_iter()
            .filter(|(_, (count, _))| *count >= 2 || unmatched.len() < 4)
            .map(|(s, (count, w))| {
                let weight = count as f64 * idf(s) * (1.0 + share(s));
                (
                    weight,
                    CueWord {
                        word: w.to_string(),
                        sentences: count,
                    },
                )
            })
            .collect();
        cue_words.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.word.cmp(&b.1.word)));
        propositions.push(PropositionMisses {
            proposition: proposition.id.clone(),
            matched: matched.len(),
            unmatched: unmatched.len(),
            candidates,
            cue_words: cue_words
                .into_iter()
                .take(limits.cue_words)
                .map(|(_, c)| c)
                .collect(),
        });
    }
    Ok(Suggestions {
        version: crate::report::VERSION,
        sentences: reads.len(),
        propositions,
    })
}

fn stem(lexicon: Option<&Lexicon>, word: &str) -> String {
    lexicon
        .and_then(|l| l.stem(word))
        .unwrap_or_else(|| word.to_owned())
}

impl Suggestions {
    pub fn render(&self) -> String {
        use anstyle::Style;
        use std::fmt::Write;
        let bold = Style::new().bold();
        let dim = Style::new().dimmed();
        let mut out = String::new();
        for p in &self.propositions {
            let _ = writeln!(
                out,
                "{bold}{}{bold:#}: {} naming its actors without a claim; {} with one",
                p.proposition,
                crate::report::human::plural(p.unmatched, "sentence"),
                p.matched
            );
            if !p.cue_words.is_empty() {
                let words: Vec<String> = p
                    .cue_words
                    .iter()
                    .map(|c| format!("{} ({})", c.word, c.sentences))
                    .collect();
                let _ = writeln!(out, "  cue words to consider: {}", words.join(", "));
            }
            for c in &p.candidates {
                let _ = writeln!(
                    out,
                    "  {:>5.2}  {}:{}  {dim}{}{dim:#}\n         « {} »",
                    c.score, c.path, c.line, c.date, c.sentence
                );
                if !c.because_of.is_empty() {
                    let _ = writeln!(
                        out,
                        "         {dim}like matched sentences in:{dim:#} {}",
                        c.because_of.join(", ")
                    );
                }
            }
            let rest = p.unmatched.saturating_sub(p.candidates.len());
            if rest > 0 {
                let _ = writeln!(out, "  {dim}… {rest} more (--top N){dim:#}");
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} read; `volte explain FILE --line N` shows why one is missed",
            crate::report::human::plural(self.sentences, "sentence")
        );
        out
    }
}
