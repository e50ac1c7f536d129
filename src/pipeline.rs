//! The whole run, from folders to a ledger: what `volte check` does before it
//! renders anything. Other programs and the tests drive volte through here.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::corpus::{self, Article, Skipped};
use crate::error::Error;
use crate::ledger::{self, Ledger};
use crate::matcher::{self, Claim, Options, Scratch};
use crate::rulebook::{self, Rulebook};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub include_comments: bool,
    /// Overrides the rulebook's conflict window.
    pub window_days: Option<u32>,
    /// Read every sentence instead of those the prefilter marks.
    pub full_scan: bool,
}

/// Everything a report is made from.
#[derive(Debug)]
pub struct Run {
    pub rulebook: Rulebook,
    pub articles: Vec<Article>,
    pub sentences: usize,
    /// In article order, then line order.
    pub claims: Vec<Claim>,
    pub ledger: Ledger,
    pub window_days: u32,
    /// Files of the corpus passed over (binary, empty…), for stderr and the summary.
    pub skipped: Vec<Skipped>,
}

/// Loads the rulebook and the corpus, matches every article and builds the ledger.
pub fn run(rules: &Path, corpus_dir: &Path, options: &RunOptions) -> Result<Run, Error> {
    let rulebook = rulebook::load(rules)?;
    let corpus = corpus::load(corpus_dir, &rulebook.language)?;
    let mut run = analyze(rulebook, corpus.articles, options)?;
    run.skipped = corpus.skipped;
    Ok(run)
}

/// Matches already loaded articles.
pub fn analyze(
    rulebook: Rulebook,
    articles: Vec<Article>,
    options: &RunOptions,
) -> Result<Run, Error> {
    let match_options = Options {
        include_comments: options.include_comments,
        detail: false,
        full_scan: options.full_scan,
    };
    let analyses: Vec<matcher::Analysis> = articles
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (i, article)| {
            matcher::analyze(i, article, &rulebook, match_options, scratch)
        })
        .collect::<Result<_, _>>()?;
    let sentences = analyses.iter().map(|a| a.sentences).sum();
    let claims: Vec<Claim> = analyses.into_iter().flat_map(|a| a.claims).collect();
    let window_days = options.window_days.unwrap_or(rulebook.conflict_window_days);
    let ledger = ledger::build(&articles, &claims, rulebook.propositions.len(), window_days);
    Ok(Run {
        rulebook,
        articles,
        sentences,
        claims,
        ledger,
        window_days,
        skipped: Vec::new(),
    })
}

/// Finds `name` (a folder) in `start` or the nearest ancestor that has it, the
/// way git finds `.git`.
pub fn discover(start: &Path, name: &str) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_dir())
}
