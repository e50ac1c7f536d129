//! The state of the rulebook and corpus at an earlier git revision, read from
//! git itself (the working tree is never touched), and what a change since then
//! introduced: the ground for `check --since` and `volte diff`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::acknowledge::pair;
use crate::corpus::{self, Article};
use crate::error::Error;
use crate::git::Repo;
use crate::lexicon::Lexicons;
use crate::pipeline::{self, Run, RunOptions};
use crate::rulebook;

/// The run at an earlier revision, and the articles changed since.
#[derive(Debug)]
pub struct Baseline {
    /// The revision as the user wrote it, and as a commit id.
    pub rev: String,
    pub commit: String,
    /// The run at the revision; `None` when its rulebook did not compile then.
    pub old: Option<Run>,
    /// Why `old` is missing.
    pub old_error: Option<String>,
    /// Ids of the current articles whose file was added or changed since.
    pub changed_articles: HashSet<String>,
    /// True when the rule files changed since.
    pub rules_changed: bool,
}

/// Reads the state at `rev` of the `rules` and `corpus` folders.
pub fn baseline(
    rev: &str,
    rules: &Path,
    corpus_dir: &Path,
    current: &Run,
    options: &RunOptions,
) -> Result<Baseline, Error> {
    let repo = Repo::discover(corpus_dir)?;
    let commit = repo.resolve(rev)?;
    let rules_rel = relative(&repo, rules)?;
    let corpus_rel = relative(&repo, corpus_dir)?;
    let changed = repo.changed_since(&commit)?;
    let changed: HashSet<String> = changed.into_iter().collect();
    let changed_articles = current
        .articles
        .iter()
        .filter(|a| repo.relative(&a.path).is_some_and(|p| changed.contains(&p)))
        .map(|a| a.id().to_string())
        .collect();
    let rules_changed = changed.iter().any(|p| under(p, &rules_rel));
    let (old, old_error) = match load_at(&repo, &commit, &rules_rel, &corpus_rel, options) {
        Ok(run) => (Some(run), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(Baseline {
        rev: rev.to_string(),
        commit,
        old,
        old_error,
        changed_articles,
        rules_changed,
    })
}

fn relative(repo: &Repo, dir: &Path) -> Result<String, Error> {
    repo.relative(dir).ok_or_else(|| {
        Error::Usage(format!(
            "{}: not inside the git repository at {}",
            dir.display(),
            repo.root.display()
        ))
    })
}

fn under(path: &str, folder: &str) -> bool {
    folder.is_empty() || path == folder || path.starts_with(&format!("{folder}/"))
}

/// The run over the rules and corpus as they were at `commit`.
fn load_at(
    repo: &Repo,
    commit: &str,
    rules_rel: &str,
    corpus_rel: &str,
    options: &RunOptions,
) -> Result<Run, Error> {
    let rule_paths: Vec<String> = repo
        .files_at(commit, rules_rel)?
        .into_iter()
        .filter(|p| {
            let rest = p
                .strip_prefix(rules_rel)
                .unwrap_or(p)
                .trim_start_matches('/');
            let name = rest.rsplit('/').next().unwrap_or(rest);
            !rest.contains('/')
                && (name.ends_with(".yaml") || name.ends_with(".yml"))
                && !name.starts_with('.')
                && name != crate::acknowledge::FILE_NAME
        })
        .collect();
    let contents = repo.read_at(commit, &rule_paths)?;
    let sources: Vec<(PathBuf, String)> = rule_paths
        .iter()
        .zip(contents)
        .map(|(p, bytes)| {
            (
                PathBuf::from(format!("{commit:.8}:{p}")),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    if sources.is_empty() {
        return Err(Error::Usage(format!(
            "no rule files in {rules_rel} at {commit:.8}"
        )));
    }
    // Lexicon overrides are read from the working tree: they rarely change.
    let lexicons = Lexicons::load(Some(&repo.root.join(rules_rel).join("lexicons")))?;
    let rulebook = rulebook::compile(&sources, lexicons)?;
    let article_paths: Vec<String> = repo
        .files_at(commit, corpus_rel)?
        .into_iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            corpus::is_article_name(name) && !p.split('/').any(|part| part.starts_with('.'))
        })
        .collect();
    let contents = repo.read_at(commit, &article_paths)?;
    let mut articles: Vec<Article> = Vec::new();
    for (path, bytes) in article_paths.iter().zip(contents) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // An article that was broken then does not stop the comparison.
        if let Ok(article) = corpus::parse_article(PathBuf::from(path), text, &rulebook.language) {
            if !articles.iter().any(|a| a.id() == article.id()) {
                articles.push(article);
            }
        }
    }
    pipeline::analyze(rulebook, articles, options)
}

/// The key of a contradiction that survives edits elsewhere in the files.
pub fn key(run: &Run, index: usize) -> (String, (String, String)) {
    let c = &run.ledger().contradictions[index];
    let a = &run.articles[run.claims[c.a].article].id();
    let b = &run.articles[run.claims[c.b].article].id();
    (
        run.rulebook.propositions[c.proposition].id.clone(),
        pair(a, b),
    )
}

/// What each article says, as (proposition, stance, sentence) triples.
type Says = HashSet<(usize, &'static str, std::sync::Arc<str>)>;

fn says(run: &Run, article: &str) -> Option<Says> {
    let index = run.articles.iter().position(|a| a.id() == article)?;
    Some(
        run.claims
            .iter()
            .filter(|c| c.article == index)
            .map(|c| (c.proposition, c.stance.as_str(), c.sentence.clone()))
            .collect(),
    )
}

/// For each contradiction of `run`: whether the change since the baseline
/// introduced it. It did when it did not exist then (a new article, a changed
/// rule), or when one side is an article changed since whose claims on that
/// proposition changed too: fixing a typo elsewhere in an old article does not
/// bring its old contradictions back.
pub fn introduced(run: &Run, base: &Baseline) -> Vec<bool> {
    let Some(old) = &base.old else {
        return vec![true; run.ledger().contradictions.len()];
    };
    let old_keys: HashSet<(String, (String, String))> = (0..old.ledger().contradictions.len())
        .map(|i| key(old, i))
        .collect();
    let same_propositions = old.rulebook.propositions.iter().map(|p| &p.id).eq(run
        .rulebook
        .propositions
        .iter()
        .map(|p| &p.id));
    let claims_changed = |article: &str, proposition: usize| -> bool {
        if !base.changed_articles.contains(article) {
            return false;
        }
        let (Some(now), Some(then)) = (says(run, article), says(old, article)) else {
            return true;
        };
        if !same_propositions {
            return now != then;
        }
        let on = |set: &Says| -> HashSet<(&'static str, std::sync::Arc<str>)> {
            set.iter()
                .filter(|(p, ..)| *p == proposition)
                .map(|(_, s, t)| (*s, t.clone()))
                .collect()
        };
        on(&now) != on(&then)
    };
    (0..run.ledger().contradictions.len())
        .map(|i| {
            let c = &run.ledger().contradictions[i];
            let a = &run.articles[run.claims[c.a].article].id();
            let b = &run.articles[run.claims[c.b].article].id();
            !old_keys.contains(&key(run, i))
                || claims_changed(a, c.proposition)
                || claims_changed(b, c.proposition)
        })
        .collect()
}
