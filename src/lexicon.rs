//! Per-language lexicons: negators, hedges, elisions, abbreviations, month names.
//!
//! Lexicons are data (`lexicons/*.yaml`, built into the binary); a rulebook can
//! add a language or replace a built-in one with `rules/lexicons/LANG.yaml`.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{yaml_error, Error};
use crate::text::fold::fold;
use crate::text::tokens::phrase_words;

/// The lexicons built into volte: (where they live in the repository, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("lexicons/fr.yaml", include_str!("../lexicons/fr.yaml")),
    ("lexicons/en.yaml", include_str!("../lexicons/en.yaml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    language: String,
    #[serde(default)]
    stemmer: Option<String>,
    #[serde(default)]
    elisions: BTreeMap<String, String>,
    #[serde(default)]
    contractions: BTreeMap<String, String>,
    #[serde(default)]
    negation: NegationFile,
    #[serde(default)]
    clause_breaks: Vec<String>,
    #[serde(default)]
    hedges: Vec<String>,
    #[serde(default)]
    abbreviations: Vec<String>,
    #[serde(default)]
    months: BTreeMap<String, u8>,
    #[serde(default)]
    comment_headings: Vec<String>,
    #[serde(default)]
    hypotheticals: Vec<String>,
    #[serde(default)]
    test_variants: BTreeMap<String, String>,
    #[serde(default)]
    hypothetical_idioms: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    import: ImportFile,
}

/// What `volte add` needs to read a raw page: the words around its dates,
/// its furniture and its comments (docs/add.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportFile {
    #[serde(default)]
    weekdays: Vec<String>,
    #[serde(default)]
    published: Vec<String>,
    #[serde(default)]
    updated: Vec<String>,
    #[serde(default)]
    retrieved: Vec<String>,
    #[serde(default)]
    comment_counts: Vec<String>,
    #[serde(default)]
    comments_start: Vec<String>,
    #[serde(default)]
    furniture: Vec<String>,
    #[serde(default)]
    furniture_prefixes: Vec<String>,
    #[serde(default)]
    bylines: Vec<String>,
}

/// The import words of every lexicon, folded, each phrase as its words: a
/// French page may carry English or Arabic furniture, so `volte add` reads
/// them all together.
#[derive(Debug, Clone, Default)]
pub struct ImportWords {
    pub weekdays: HashSet<String>,
    pub months: HashMap<String, u8>,
    pub published: Vec<Vec<String>>,
    pub updated: Vec<Vec<String>>,
    pub retrieved: Vec<Vec<String>>,
    pub comment_counts: HashSet<String>,
    pub comments_start: Vec<Vec<String>>,
    pub comment_headings: Vec<Vec<String>>,
    pub furniture: Vec<Vec<String>>,
    pub furniture_prefixes: Vec<Vec<String>>,
    pub bylines: Vec<Vec<String>>,
}

fn phrases(list: &[String]) -> impl Iterator<Item = Vec<String>> + '_ {
    list.iter()
        .map(|p| import_phrase(p))
        .filter(|p| !p.is_empty())
}

/// The folded words of a phrase, split at spaces and apostrophes.
pub fn import_phrase(phrase: &str) -> Vec<String> {
    fold(phrase)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationFile {
    #[serde(default)]
    particles: Vec<String>,
    #[serde(default)]
    completions: Vec<String>,
    #[serde(default)]
    standalone: Vec<String>,
    #[serde(default)]
    shields: Vec<String>,
    #[serde(default)]
    idioms: Vec<String>,
    #[serde(default)]
    denials: Vec<String>,
    #[serde(default)]
    passive: Vec<String>,
    #[serde(default)]
    denials_after: Vec<String>,
    #[serde(default)]
    denial_stops: Vec<String>,
    #[serde(default)]
    restrictive: Vec<String>,
    #[serde(default = "default_before")]
    before: usize,
    #[serde(default = "default_after")]
    after: usize,
}

fn default_before() -> usize {
    5
}

fn default_after() -> usize {
    3
}

/// What kind of negator a folded word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NegatorKind {
    pub particle: bool,
    pub completion: bool,
    pub standalone: bool,
}

/// One language's lexicon, folded and ready to look up.
pub struct Lexicon {
    pub language: String,
    /// Where it came from, for messages.
    pub origin: String,
    stemmer: Option<frostem::Stemmer>,
    elisions: HashMap<String, String>,
    /// (left part, right part, expansion) of contractions such as n't.
    contractions: Vec<(String, String, String)>,
    negators: HashMap<String, NegatorKind>,
    /// Negators written with a trailing `*` (refus*), matched by prefix.
    negator_prefixes: Vec<(String, NegatorKind)>,
    /// Words (or prefixes, ending in `*`) that keep a negation to themselves.
    shields: Vec<(String, bool)>,
    /// Phrases that start with a negator without negating (sans réserve).
    idioms: Vec<Vec<String>>,
    /// Words that deny what the sentence reports (démenti, dismissed), with
    /// `*` prefixes; and the auxiliaries of the passive that let them follow it.
    denials: Vec<(Vec<String>, bool)>,
    /// Denials that count only after the cue, in the passive ("… were dismissed").
    denials_after: Vec<(Vec<String>, bool)>,
    passive: HashSet<String>,
    /// Coordinators a denial does not reach across ("dément … et rappelle que").
    denial_stops: HashSet<String>,
    /// Words that make ne … plus / ne … guère restrictive when they follow the
    /// completion: "n'est plus qu'un souvenir" denies nothing.
    restrictive: HashSet<String>,
    pub negation_before: usize,
    pub negation_after: usize,
    clause_breaks: HashSet<String>,
    /// Hedge phrases as folded word sequences.
    pub hedges: Vec<Vec<String>>,
    abbreviations: HashSet<String>,
    /// The length of the longest, in bytes: a longer word is none of them
    /// (most words before a period), without hashing it.
    longest_abbreviation: usize,
    months: HashMap<String, u8>,
    comment_headings: Vec<String>,
    /// Phrases that open a hypothetical clause (si, if), and the idioms that
    /// look like one without being one (même si, even if).
    hypotheticals: Vec<Vec<String>>,
    hypothetical_idioms: Vec<Vec<String>>,
    /// `volte test` variants: name → template with `{sentence}`.
    test_variants: Vec<(String, String)>,
    /// Words that carry no stance (articles, auxiliaries, reporting words),
    /// left out by `volte suggest`.
    stopwords: HashSet<String>,
    import: ImportFile,
    /// The first words of the hedges, denials and hypotheticals, and the
    /// one-word denials matched by prefix.
    phrase_starts: HashSet<String>,
    phrase_start_prefixes: Vec<String>,
    /// The first comment heading as written: what `volte add` writes.
    import_heading: Option<String>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("language", &self.language)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Lexicon {
    /// Compiles a parsed lexicon file. An error comes with the text it is
    /// about, so the caller can point at its line.
    fn from_file(file: LexiconFile, origin: String) -> Result<Self, (String, String)> {
        let stemmer = match &file.stemmer {
            Some(name) => Some(frostem::Stemmer::try_from_name(name).map_err(|_| {
                (
                    format!("stemmer: {name}"),
                    format!("unknown stemmer `{name}` (try `french` or `english`)"),
                )
            })?),
            None => None,
        };
        let mut negators: HashMap<String, NegatorKind> = HashMap::new();
        let mut negator_prefixes: Vec<(String, NegatorKind)> = Vec::new();
        let n = &file.negation;
        type Mark = fn(&mut NegatorKind);
        let lists: [(&Vec<String>, Mark); 3] = [
            (&n.particles, |k| k.particle = true),
            (&n.completions, |k| k.completion = true),
            (&n.standalone, |k| k.standalone = true),
        ];
        for (list, set) in lists {
            for w in list {
                match w.strip_suffix('*') {
                    Some(prefix) => {
                        let prefix = fold(prefix);
                        match negator_prefixes.iter_mut().find(|(p, _)| *p == prefix) {
                            Some((_, kind)) => set(kind),
                            None => {
                                let mut kind = NegatorKind::default();
                                set(&mut kind);
                                negator_prefixes.push((prefix, kind));
                            }
                        }
                    }
                    None => set(negators.entry(fold(w)).or_default()),
                }
            }
        }
        let mut contractions = Vec::new();
        for (written, expansion) in &file.contractions {
            let key = fold(written);
            let Some((l, r)) = key.split_once('\'') else {
                return Err((
                    format!("{written}:"),
                    format!("contraction `{key}` has no apostrophe (write it as `n't`)"),
                ));
            };
            contractions.push((l.to_string(), r.to_string(), fold(expansion)));
        }
        let mut lexicon = Lexicon {
            language: file.language,
            origin,
            stemmer,
            elisions: file
                .elisions
                .iter()
                .map(|(k, v)| (fold(k), fold(v)))
                .collect(),
            contractions,
            negators,
            negator_prefixes,
            shields: n
                .shields
                .iter()
                .map(|w| match w.strip_suffix('*') {
                    Some(prefix) => (fold(prefix), true),
                    None => (fold(w), false),
                })
                .collect(),
            denials: Vec::new(),
            denials_after: Vec::new(),
            passive: n.passive.iter().map(|w| fold(w)).collect(),
            denial_stops: n.denial_stops.iter().map(|w| fold(w)).collect(),
            restrictive: n.restrictive.iter().map(|w| fold(w)).collect(),
            negation_before: n.before,
            negation_after: n.after,
            clause_breaks: file.clause_breaks.iter().map(|w| fold(w)).collect(),
            hedges: Vec::new(),
            idioms: Vec::new(),
            longest_abbreviation: file
                .abbreviations
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(0),
            abbreviations: file.abbreviations.into_iter().collect(),
            months: file.months.iter().map(|(k, v)| (fold(k), *v)).collect(),
            comment_headings: file.comment_headings.iter().map(|w| fold(w)).collect(),
            import_heading: file.comment_headings.first().cloned(),
            hypotheticals: Vec::new(),
            hypothetical_idioms: Vec::new(),
            test_variants: file.test_variants.clone().into_iter().collect(),
            stopwords: file.stopwords.iter().map(|w| fold(w)).collect(),
            import: file.import.clone(),
            phrase_starts: HashSet::default(),
            phrase_start_prefixes: Vec::new(),
        };
        // Hedges are phrases: read them with this lexicon's own elisions.
        let hedges = file
            .hedges
            .iter()
            .map(|h| phrase_words(h, &lexicon))
            .filter(|words| !words.is_empty())
            .collect();
        lexicon.hedges = hedges;
        // Denials are phrases too ("hors de question"); a final `*` matches the
        // last word by prefix.
        let phrases = |list: &[String], lexicon: &Lexicon| -> Vec<(Vec<String>, bool)> {
            list.iter()
                .map(|d| match d.strip_suffix('*') {
                    Some(stem) => (phrase_words(stem, lexicon), true),
                    None => (phrase_words(d, lexicon), false),
                })
                .filter(|(words, _)| !words.is_empty())
                .collect()
        };
        lexicon.denials = phrases(&n.denials, &lexicon);
        lexicon.denials_after = phrases(&n.denials_after, &lexicon);
        let plain = |list: &[String], lexicon: &Lexicon| -> Vec<Vec<String>> {
            list.iter()
                .map(|h| phrase_words(h, lexicon))
                .filter(|words| !words.is_empty())
                .collect()
        };
        lexicon.hypotheticals = plain(&file.hypotheticals, &lexicon);
        lexicon.hypothetical_idioms = plain(&file.hypothetical_idioms, &lexicon);
        lexicon.idioms = n
            .idioms
            .iter()
            .map(|h| phrase_words(h, &lexicon))
            .filter(|words| !words.is_empty())
            .collect();
        for (phrase, prefix) in lexicon.denials.iter().chain(&lexicon.denials_after) {
            match (phrase.as_slice(), prefix) {
                ([first], true) => lexicon.phrase_start_prefixes.push(first.clone()),
                _ => {
                    lexicon.phrase_starts.insert(phrase[0].clone());
                }
            }
        }
        for phrase in lexicon.hedges.iter().chain(&lexicon.hypotheticals) {
            lexicon.phrase_starts.insert(phrase[0].clone());
        }
        Ok(lexicon)
    }

    /// False for a folded word that starts no hedge, denial or hypothetical
    /// phrase: the matcher looks for those at every word of a claim.
    pub fn may_start_phrase(&self, word: &str) -> bool {
        self.phrase_starts.contains(word)
            || self
                .phrase_start_prefixes
                .iter()
                .any(|p| word.starts_with(p.as_str()))
    }

    /// The full word an elided form stands for (`n` → `ne`).
    pub fn elision(&self, folded_left: &str) -> Option<&str> {
        self.elisions.get(folded_left).map(String::as_str)
    }

    /// For `doesn` + `t`: the byte length of `does` and the expansion `not`.
    pub fn contraction(&self, left: &str, right: &str) -> Option<(usize, &str)> {
        self.contractions.iter().find_map(|(l, r, expansion)| {
            (right == r && left.len() > l.len() && left.ends_with(l.as_str()))
                .then(|| (left.len() - l.len(), expansion.as_str()))
        })
    }

    pub fn negator(&self, word: &str) -> Option<NegatorKind> {
        self.negators.get(word).copied().or_else(|| {
            self.negator_prefixes
                .iter()
                .find(|(p, _)| word.starts_with(p.as_str()))
                .map(|(_, k)| *k)
        })
    }

    /// True when a negation before `word` belongs to it, not to what follows.
    pub fn is_shield(&self, word: &str) -> bool {
        self.shields.iter().any(|(w, prefix)| {
            if *prefix {
                word.starts_with(w.as_str())
            } else {
                word == w
            }
        })
    }

    /// The length of the denial phrase that starts at word `at` of `words`, if
    /// any; `after` also admits the denials that only count after the cue.
    pub fn denial_at<'w>(
        &self,
        words: &dyn Fn(usize) -> Option<&'w str>,
        at: usize,
        after: bool,
    ) -> Option<usize> {
        if !words(at).is_some_and(|w| self.may_start_phrase(w)) {
            return None;
        }
        let later: &[_] = if after { &self.denials_after } else { &[] };
        self.denials
            .iter()
            .chain(later)
            .find_map(|(phrase, prefix)| phrase_at(phrase, *prefix, words, at))
    }

    /// True for a folded word that says nothing about a stance: a stopword,
    /// a negator, a month, a hedge word.
    pub fn is_stopword(&self, folded: &str) -> bool {
        self.stopwords.contains(folded)
            || self.negator(folded).is_some()
            || self.months.contains_key(folded)
            || self.hedges.iter().any(|h| h.iter().any(|w| w == folded))
            || folded.chars().all(|c| c.is_ascii_digit())
    }

    /// The `volte test` variants: (name, template with `{sentence}`).
    pub fn test_variants(&self) -> &[(String, String)] {
        &self.test_variants
    }

    /// True when a hypothetical phrase (si, if) starts at word `at`, and no
    /// idiom (même si, even if) covers it.
    pub fn hypothetical_at<'w>(&self, words: &dyn Fn(usize) -> Option<&'w str>, at: usize) -> bool {
        if !words(at).is_some_and(|w| self.may_start_phrase(w)) {
            return false;
        }
        let opens = self
            .hypotheticals
            .iter()
            .any(|h| phrase_at(h, false, words, at).is_some());
        if !opens {
            return false;
        }
        let idiom = self.hypothetical_idioms.iter().any(|idiom| {
            (at.saturating_sub(idiom.len() - 1)..=at).any(|start| {
                phrase_at(idiom, false, words, start).is_some_and(|len| start + len > at)
            })
        });
        !idiom
    }

    /// True for a coordinator that a denial does not reach across.
    pub fn is_denial_stop(&self, word: &str) -> bool {
        self.denial_stops.contains(word)
    }

    /// True for a word that makes a preceding completion restrictive (`que`).
    pub fn is_restrictive(&self, word: &str) -> bool {
        self.restrictive.contains(word)
    }

    /// True for an auxiliary of the passive voice (été, was, were).
    pub fn is_passive(&self, word: &str) -> bool {
        self.passive.contains(word)
    }

    /// Idioms that open with a negator but do not negate (`sans réserve`).
    pub fn idioms(&self) -> &[Vec<String>] {
        &self.idioms
    }

    pub fn is_clause_break(&self, word: &str) -> bool {
        self.clause_breaks.contains(word)
    }

    /// True when `word` (as written, before its period) is an abbreviation.
    pub fn is_abbreviation(&self, word: &str) -> bool {
        word.len() <= self.longest_abbreviation && self.abbreviations.contains(word)
    }

    pub fn month(&self, folded: &str) -> Option<u8> {
        self.months.get(folded).copied()
    }

    pub fn is_comment_heading(&self, folded_heading: &str) -> bool {
        self.comment_headings.iter().any(|h| h == folded_heading)
    }

    /// Words the tokenizer reads into another form, as (folded written form,
    /// the word it reads): `l'` is `le`, `n't` is `not`. The prefilter needs
    /// them: a pattern word may come from text that never spells it.
    pub fn expansions(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .elisions
            .iter()
            .map(|(left, full)| (format!("{left}'"), full.clone()))
            .collect();
        for (l, r, expansion) in &self.contractions {
            out.push((format!("{l}'{r}"), expansion.clone()));
        }
        out.sort();
        out
    }

    /// The Snowball stem of a lowercase word, folded afterwards (stemming needs
    /// the accents). `None` when the language has no stemmer.
    pub fn stem(&self, lowercase: &str) -> Option<String> {
        self.stemmer.map(|s| fold(&s.stem(lowercase)))
    }
}

/// The length of `phrase` if it is written at word `at` (`prefix`: the last
/// word matches by prefix).
fn phrase_at<'w>(
    phrase: &[String],
    prefix: bool,
    words: &dyn Fn(usize) -> Option<&'w str>,
    at: usize,
) -> Option<usize> {
    let last = phrase.len().checked_sub(1)?;
    let all = phrase.iter().enumerate().all(|(k, w)| match words(at + k) {
        Some(word) if k == last && prefix => word.starts_with(w.as_str()),
        Some(word) => word == w,
        None => false,
    });
    all.then_some(phrase.len())
}

/// Every lexicon available to a run, by language code.
#[derive(Debug)]
pub struct Lexicons {
    by_language: BTreeMap<String, Lexicon>,
}

impl Lexicons {
    /// The lexicons built into volte.
    pub fn builtin() -> Result<Self, Error> {
        let mut by_language = BTreeMap::new();
        for (name, text) in BUILTIN {
            let lexicon = parse(Path::new(name), text)?;
            by_language.insert(lexicon.language.clone(), lexicon);
        }
        Ok(Lexicons { by_language })
    }

    /// The built-in lexicons, with `dir/*.yaml` added or replacing them.
    pub fn load(dir: Option<&Path>) -> Result<Self, Error> {
        Self::from_sources(&Self::read_sources(dir)?)
    }

    /// The lexicon files of `dir` (when there is one), each as its path and
    /// its text, for [`Lexicons::from_sources`].
    pub fn read_sources(dir: Option<&Path>) -> Result<Vec<(PathBuf, String)>, Error> {
        let Some(dir) = dir.filter(|d| d.is_dir()) else {
            return Ok(Vec::new());
        };
        crate::rulebook::yaml_files(dir)?
            .into_iter()
            .map(|path| {
                let text = crate::fsutil::read_text(&path)?;
                Ok((path, text))
            })
            .collect()
    }

    /// The built-in lexicons, with the lexicon files [`Lexicons::read_sources`]
    /// read added or replacing them.
    pub fn from_sources(sources: &[(PathBuf, String)]) -> Result<Self, Error> {
        let mut lexicons = Self::builtin()?;
        for (path, text) in sources {
            let (path, text) = (path.as_path(), text.as_str());
            let shown = crate::corpus::display_path(path);
            let lexicon = parse(&shown, text)?;
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if stem != lexicon.language {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("language:"))
                    .map_or(1, |i| i + 1);
                return Err(Error::Rule {
                    path: shown,
                    line: line as u64,
                    column: 1,
                    message: format!(
                        "this lexicon says `language: {}` but is named `{stem}`: rename the file {}.yaml, or change `language:`",
                        lexicon.language, lexicon.language
                    ),
                });
            }
            lexicons
                .by_language
                .insert(lexicon.language.clone(), lexicon);
        }
        Ok(lexicons)
    }

    pub fn get(&self, language: &str) -> Option<&Lexicon> {
        self.by_language.get(language)
    }

    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.by_language.keys().map(String::as_str)
    }

    /// The words `volte add` reads raw pages with, from every lexicon.
    pub fn import_words(&self) -> ImportWords {
        let mut words = ImportWords::default();
        for lexicon in self.by_language.values() {
            let i = &lexicon.import;
            words.weekdays.extend(i.weekdays.iter().map(|w| fold(w)));
            words
                .months
                .extend(lexicon.months.iter().map(|(k, v)| (k.clone(), *v)));
            words.published.extend(phrases(&i.published));
            words.updated.extend(phrases(&i.updated));
            words.retrieved.extend(phrases(&i.retrieved));
            words
                .comment_counts
                .extend(i.comment_counts.iter().map(|w| fold(w)));
            words.comments_start.extend(phrases(&i.comments_start));
            words
                .comment_headings
                .extend(lexicon.comment_headings.iter().map(|h| import_phrase(h)));
            words.furniture.extend(phrases(&i.furniture));
            words
                .furniture_prefixes
                .extend(phrases(&i.furniture_prefixes));
            words.bylines.extend(phrases(&i.bylines));
        }
        // Longest phrases first, so `publié le` wins over `publié`.
        for list in [
            &mut words.published,
            &mut words.updated,
            &mut words.retrieved,
            &mut words.bylines,
        ] {
            list.sort_by_key(|p| std::cmp::Reverse(p.len()));
        }
        words
    }

    /// The heading `volte add` writes above reader comments in `language`.
    pub fn comments_heading(&self, language: &str) -> Option<&str> {
        let lexicon = self.by_language.get(language)?;
        lexicon.import_heading.as_deref()
    }

    /// True when `folded_heading` opens a comments section in any language: a
    /// French page may carry English furniture and the other way round.
    pub fn is_comment_heading(&self, folded_heading: &str) -> bool {
        self.by_language
            .values()
            .any(|l| l.is_comment_heading(folded_heading))
    }
}

fn parse(path: &Path, text: &str) -> Result<Lexicon, Error> {
    let file: LexiconFile = serde_saphyr::from_str(text).map_err(|e| yaml_error(path, &e))?;
    Lexicon::from_file(file, path.display().to_string()).map_err(|(about, message)| {
        // The first line that holds what the error is about, else the top.
        let (line, column) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.find(&about).map(|c| (i + 1, l[..c].chars().count() + 1)))
            .unwrap_or((1, 1));
        Error::Rule {
            path: PathBuf::from(path),
            line: line as u64,
            column: column as u64,
            message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicons_load() {
        let l = Lexicons::builtin().unwrap();
        assert_eq!(l.languages().collect::<Vec<_>>(), ["en", "fr"]);
        let fr = l.get("fr").unwrap();
        assert!(fr.negator("guere").unwrap().completion);
        assert!(fr.negator("ne").unwrap().particle);
        assert_eq!(fr.month("fevrier"), Some(2));
        assert!(fr.hedges.iter().any(|h| h == &["de", "apres"]));
    }

    #[test]
    fn french_stems_group_inflections() {
        let l = Lexicons::builtin().unwrap();
        let fr = l.get("fr").unwrap();
        assert_eq!(fr.stem("finance"), fr.stem("financer"));
        assert_eq!(fr.stem("soutiens"), fr.stem("soutien"));
        assert_ne!(fr.stem("soutien"), fr.stem("financer"));
    }
}
