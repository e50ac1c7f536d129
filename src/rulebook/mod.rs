//! The rulebook: entities and propositions read from `rules/*.yaml`, validated
//! and compiled into patterns the matcher runs in one pass per sentence.
//!
//! Every error found here, in the YAML or after it (an unknown entity, a bad
//! regex, a duplicate id), names the file, the line and the column.

pub mod pattern;

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::error::{yaml_error, Error};
use crate::lexicon::{Lexicon, Lexicons};
use pattern::EntityLookup;
pub use pattern::{Item, Requirements, Seq, Term, TermId};

/// The largest `..N` gap a pattern may use.
pub const MAX_GAP: u32 = 50;
/// Compiled size limit of a `re:` pattern.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

pub const DEFAULT_LANGUAGE: &str = "fr";
pub const DEFAULT_CONFLICT_WINDOW_DAYS: u32 = 180;
pub const DEFAULT_CONTEXT_SENTENCES: usize = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    settings: Option<Spanned<SettingsFile>>,
    #[serde(default)]
    entities: Vec<EntityFile>,
    #[serde(default)]
    propositions: Vec<PropositionFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    language: Option<Spanned<String>>,
    conflict_window_days: Option<Spanned<u32>>,
    context_sentences: Option<Spanned<usize>>,
    fail_on: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityFile {
    id: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    /// Aliases that name the entity only for a while.
    #[serde(default)]
    dated_aliases: Vec<DatedAliasFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatedAliasFile {
    alias: Spanned<String>,
    #[serde(default)]
    from: Option<Spanned<String>>,
    #[serde(default)]
    until: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PropositionFile {
    id: Spanned<String>,
    claim: String,
    #[serde(default)]
    opposing_claim: Option<String>,
    #[serde(default)]
    requires: Vec<Spanned<String>>,
    #[serde(default)]
    context: Option<Spanned<ContextFile>>,
    #[serde(default)]
    supports: Vec<Spanned<String>>,
    #[serde(default)]
    opposes: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
}

/// `context:` is a number of sentences, or `article`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ContextFile {
    Sentences(usize),
    Word(String),
}

/// Where a required entity may be named, besides the sentence itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The given number of preceding sentences of the same section.
    Sentences(usize),
    /// Any earlier sentence of the article's body.
    Article,
}

/// Where something was written in a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub path: PathBuf,
    pub line: u64,
    pub column: u64,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// The word matchers of a rulebook, and the tables to find them from a word.
#[derive(Debug, Default)]
pub struct TermTable {
    terms: Vec<Term>,
    index: HashMap<Term, TermId>,
    words: HashMap<String, TermId>,
    /// Prefix terms grouped by byte length, so a word is looked up once per length.
    prefixes: Vec<(usize, HashMap<String, TermId>)>,
    stems: HashMap<String, TermId>,
}

impl TermTable {
    pub fn intern(&mut self, term: Term) -> TermId {
        if let Some(&id) = self.index.get(&term) {
            return id;
        }
        let id = self.terms.len() as TermId;
        match &term {
            Term::Word(w) => {
                self.words.insert(w.clone(), id);
            }
            Term::Prefix(p) => {
                let len = p.len();
                match self.prefixes.iter_mut().find(|(l, _)| *l == len) {
                    Some((_, map)) => {
                        map.insert(p.clone(), id);
                    }
                    None => self
                        .prefixes
                        .push((len, [(p.clone(), id)].into_iter().collect())),
                }
            }
            Term::Stem(s) => {
                self.stems.insert(s.clone(), id);
            }
        }
        self.index.insert(term.clone(), id);
        self.terms.push(term);
        id
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn term(&self, id: TermId) -> &Term {
        &self.terms[id as usize]
    }

    pub fn has_stems(&self) -> bool {
        !self.stems.is_empty()
    }

    /// Appends the terms a folded word matches. `stem` gives the word's stem
    /// when the table has stem terms.
    pub fn hits(&self, word: &str, stem: Option<&str>, out: &mut Vec<TermId>) {
        if let Some(&id) = self.words.get(word) {
            out.push(id);
        }
        for (len, map) in &self.prefixes {
            if word.len() >= *len && word.is_char_boundary(*len) {
                if let Some(&id) = map.get(&word[..*len]) {
                    out.push(id);
                }
            }
        }
        if let Some(&id) = stem.and_then(|s| self.stems.get(s)) {
            out.push(id);
        }
    }
}

/// A named actor and the ways articles refer to it.
#[derive(Debug)]
pub struct Entity {
    pub id: String,
    pub name: Option<String>,
    pub aliases: Vec<Seq>,
    /// What a sentence must hold for each alias to match.
    pub alias_requirements: Vec<Requirements>,
    pub alias_texts: Vec<String>,
    /// Where each alias is written.
    pub alias_locations: Vec<Located>,
    /// When each alias names the entity: `None` is always.
    pub alias_periods: Vec<Option<Period>>,
    pub location: Located,
}

/// The days an alias holds, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: jiff::civil::Date,
    pub until: jiff::civil::Date,
}

impl Period {
    /// True when an article of this date may fall inside the period (a
    /// partial date, `2023`, counts when any of its days does).
    pub fn holds_on(&self, date: crate::corpus::PartialDate) -> bool {
        date.first_day() <= self.until && date.last_day() >= self.from
    }

    /// True when the two periods share a day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.from <= other.until && other.from <= self.until
    }
}

/// How a pattern matches.
#[derive(Debug)]
pub enum PatternBody {
    Seq(Seq),
    /// Runs over the sentence's folded words joined by single spaces.
    Regex(regex::Regex),
}

#[derive(Debug)]
pub struct Pattern {
    /// The pattern as written in the rule file.
    pub text: std::sync::Arc<str>,
    pub body: PatternBody,
    /// What a sentence must contain for this pattern to be tried.
    pub required: Requirements,
    /// How specific the pattern is; the most specific match wins in a sentence.
    pub weight: usize,
    /// Written with a leading `!`: a negated match makes no claim.
    pub one_way: bool,
    pub location: Located,
}

/// Whether a sentence asserts or denies a proposition.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supports,
    Opposes,
}

impl Stance {
    pub fn flipped(self) -> Stance {
        match self {
            Stance::Supports => Stance::Opposes,
            Stance::Opposes => Stance::Supports,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Opposes => "opposes",
        }
    }
}

#[derive(Debug)]
pub struct Proposition {
    pub id: String,
    pub claim: String,
    pub opposing_claim: Option<String>,
    /// Entities that must be named in the sentence or just before it: one of
    /// each group (`russia|mercenaries` is a group of two).
    pub requires: Vec<Vec<usize>>,
    /// Where else a required entity may be named.
    pub context: Context,
    pub supports: Vec<Pattern>,
    pub opposes: Vec<Pattern>,
    pub unless: Vec<Pattern>,
    pub location: Located,
}

impl Proposition {
    /// The patterns of one stance.
    pub fn patterns(&self, stance: Stance) -> &[Pattern] {
        match stance {
            Stance::Supports => &self.supports,
            Stance::Opposes => &self.opposes,
        }
    }
}

/// A compiled rulebook.
#[derive(Debug)]
pub struct Rulebook {
    pub files: Vec<PathBuf>,
    pub language: String,
    pub conflict_window_days: u32,
    pub context_sentences: usize,
    /// The contradiction kinds that fail `volte check` (exit code 1).
    pub fail_on: Vec<crate::ledger::Kind>,
    pub entities: Vec<Entity>,
    pub propositions: Vec<Proposition>,
    pub terms: TermTable,
    pub lexicons: Lexicons,
    /// One prefilter per lexicon, each built when first asked for.
    prefilters: Vec<(
        String,
        std::sync::OnceLock<Option<crate::prefilter::Prefilter>>,
    )>,
}

impl Rulebook {
    pub fn proposition(&self, id: &str) -> Option<&Proposition> {
        self.propositions.iter().find(|p| p.id == id)
    }

    /// ` (did you mean `x`?)` for a mistyped proposition id, or nothing.
    pub fn proposition_hint(&self, id: &str) -> String {
        let ids = self.propositions.iter().map(|p| p.id.as_str());
        crate::suggest::closest(id, ids)
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default()
    }

    pub fn lexicon(&self, language: &str) -> Option<&Lexicon> {
        self.lexicons.get(language)
    }

    /// The rulebook's own text of proposition `proposition`'s pattern that
    /// reads `text`, for a claim taken from the cache to share.
    pub fn pattern_text(&self, proposition: usize, text: &str) -> Option<std::sync::Arc<str>> {
        let p = self.propositions.get(proposition)?;
        p.supports
            .iter()
            .chain(&p.opposes)
            .find(|pattern| *pattern.text == *text)
            .map(|pattern| pattern.text.clone())
    }

    /// The prefilter for articles in `language`, or `None` when the rulebook
    /// has a pattern no literal can stand for (then every sentence is read).
    pub fn prefilter(&self, language: &str) -> Option<&crate::prefilter::Prefilter> {
        let (_, prefilter) = self.prefilters.iter().find(|(l, _)| l == language)?;
        // Built by the thread that asks first, the others waiting for it;
        // on that thread alone: a worker that asked from within a parallel
        // loop would, while waiting for its part of a build shared between
        // cores, take up another article of the loop, ask again from inside
        // its own build, and wait on itself for ever.
        prefilter
            .get_or_init(|| {
                let lexicon = self.lexicon(language)?;
                crate::prefilter::Prefilter::build(self, lexicon)
            })
            .as_ref()
    }

    /// Whether some prefilter has been built (by [`Rulebook::prefilter`]).
    pub fn prefilters_built(&self) -> bool {
        self.prefilters.iter().any(|(_, p)| p.get().is_some())
    }
}

/// The `*.yaml` and `*.yml` files directly inside `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let name = entry.file_name().to_string_lossy().into_owned();
        let hidden = name.starts_with('.');
        // The acknowledgements live beside the rules but are not rules.
        let acknowledgements = name == crate::acknowledge::FILE_NAME || name == "acknowledged.yml";
        if is_yaml && !hidden && !acknowledgements && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The files a rulebook is made from, as read from its folder: its rule
/// files, each as its shown path and its text, and its own lexicons (in
/// `lexicons/`), each as its path and its text. Read once, so that the
/// rulebook and the cache's key are made from the same text (a file saved
/// between two reads could otherwise have its claims kept under the key of
/// the text before).
#[derive(Debug, Clone)]
pub struct Sources {
    pub rules: Vec<(PathBuf, String)>,
    pub lexicons: Vec<(PathBuf, String)>,
}

/// Reads the rule files of `dir` and its `lexicons/` folder (the lexicons
/// first, as [`load`] has always read them).
pub fn read_sources(dir: &Path) -> Result<Sources, Error> {
    let lexicons = Lexicons::read_sources(Some(&dir.join("lexicons")))?;
    let files = yaml_files(dir)?;
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no rule files (*.yaml) in this folder",
            crate::corpus::display_path(dir).display()
        )));
    }
    let rules = files
        .iter()
        .map(|path| {
            Ok((
                crate::corpus::display_path(path),
                crate::fsutil::read_text(path)?,
            ))
        })
        .collect::<Result<_, Error>>()?;
    Ok(Sources { rules, lexicons })
}

/// Loads every rule file of `dir` (and its `lexicons/` folder) into one rulebook.
pub fn load(dir: &Path) -> Result<Rulebook, Error> {
    load_sources(&read_sources(dir)?)
}

/// The rulebook made from `sources`, as [`read_sources`] read them.
pub fn load_sources(sources: &Sources) -> Result<Rulebook, Error> {
    compile(&sources.rules, Lexicons::from_sources(&sources.lexicons)?)
}

/// Compiles rule files given as (path, text) pairs.
pub fn compile(sources: &[(PathBuf, String)], lexicons: Lexicons) -> Result<Rulebook, Error> {
    let mut parsed = Vec::new();
    for (path, text) in sources {
        let file: RuleFile = if text.trim().is_empty() {
            RuleFile {
                settings: None,
                entities: Vec::new(),
                propositions: Vec::new(),
            }
        } else {
            serde_saphyr::from_str(text).map_err(|e| yaml_error(path, &e))?
        };
        parsed.push((path.as_path(), text.as_str(), file));
    }

    // Settings: each may be set once across all files.
    let mut language: Option<(String, Located)> = None;
    let mut window: Option<(u32, Located)> = None;
    let mut context: Option<(usize, Located)> = None;
    let mut fail_on: Option<(Vec<String>, Located)> = None;
    for (path, text, file) in &parsed {
        let Some(settings) = &file.settings else {
            continue;
        };
        let at = |v: &Location| located(path, text, v);
        let s = &settings.value;
        set_once(&mut language, s.language.as_ref(), at, "language")?;
        set_once(
            &mut window,
            s.conflict_window_days.as_ref(),
            at,
            "conflict_window_days",
        )?;
        set_once(
            &mut context,
            s.context_sentences.as_ref(),
            at,
            "context_sentences",
        )?;
        set_once(&mut fail_on, s.fail_on.as_ref(), at, "fail_on")?;
    }
    let language_at = language.as_ref().map(|l| l.1.clone());
    let language = language.map_or_else(|| DEFAULT_LANGUAGE.to_string(), |l| l.0);
    let Some(lexicon) = lexicons.get(&language) else {
        let message = format!(
            "no lexicon for language `{language}` (have: {}); add rules/lexicons/{language}.yaml",
            lexicons.languages().collect::<Vec<_>>().join(", ")
        );
        return Err(match language_at {
            Some(at) => rule_error(&at, message),
            None => Error::Usage(format!("rules: {message}")),
        });
    };
    let context_sentences = context.map_or(DEFAULT_CONTEXT_SENTENCES, |c| c.0);
    let fail_on = match fail_on {
        None => crate::ledger::Kind::DEFAULT_FAIL_ON.to_vec(),
        Some((names, at)) => crate::ledger::Kind::parse_list(&names.join(","))
            .map_err(|m| rule_error(&at, format!("`fail_on`: {m}")))?,
    };

    // Entity ids first, so propositions in any file can refer to them.
    let mut entity_ids: HashMap<String, usize> = HashMap::new();
    let mut entity_files: Vec<(&EntityFile, Located, &Path, &str)> = Vec::new();
    for (path, text, file) in &parsed {
        for e in &file.entities {
            let here = located(path, text, &e.id.referenced);
            if let Some(&first) = entity_ids.get(&e.id.value) {
                let first: &Located = &entity_files[first].1;
                return Err(rule_error(
                    &here,
                    format!(
                        "duplicate entity id `{}` (first defined at {first})",
                        e.id.value
                    ),
                ));
            }
            check_id(&e.id.value, &here)?;
            entity_ids.insert(e.id.value.clone(), entity_files.len());
            entity_files.push((e, here, *path, *text));
        }
    }
    let lookup = Names(&entity_ids);
    let mut terms = TermTable::default();
    let mut entities = Vec::new();
    for (e, here, path, text) in &entity_files {
        if e.aliases.is_empty() && e.dated_aliases.is_empty() {
            return Err(rule_error(
                here,
                format!("entity `{}` has no aliases", e.id.value),
            ));
        }
        let mut aliases = Vec::new();
        let mut alias_locations = Vec::new();
        let mut alias_texts = Vec::new();
        let mut alias_periods = Vec::new();
        let written = e
            .aliases
            .iter()
            .map(|a| Ok((a, None)))
            .chain(e.dated_aliases.iter().map(|d| {
                let period = period(path, text, d)?;
                Ok((&d.alias, Some(period)))
            }));
        for item in written {
            let (alias, period) = item?;
            let at = located(path, text, &alias.referenced);
            alias_locations.push(at.clone());
            let seq = pattern::parse(&alias.value, lexicon, &mut terms, &NoEntities)
                .map_err(|err| pattern_error(&at, &alias.value, err))?;
            aliases.push(seq);
            alias_texts.push(alias.value.clone());
            alias_periods.push(period);
        }
        entities.push(Entity {
            id: e.id.value.clone(),
            name: e.name.clone(),
            alias_requirements: aliases.iter().map(Seq::requirements).collect(),
            aliases,
            alias_texts,
            alias_locations,
            alias_periods,
            location: here.clone(),
        });
    }

    let mut propositions: Vec<Proposition> = Vec::new();
    for (path, text, file) in &parsed {
        for p in &file.propositions {
            let here = located(path, text, &p.id.referenced);
            check_id(&p.id.value, &here)?;
            if let Some(first) = propositions.iter().find(|q| q.id == p.id.value) {
                return Err(rule_error(
                    &here,
                    format!(
                        "duplicate proposition id `{}` (first defined at {})",
                        p.id.value, first.location
                    ),
                ));
            }
            let mut requires = Vec::new();
            for r in &p.requires {
                let at = located(path, text, &r.referenced);
                let mut any_of = Vec::new();
                for name in r.value.split('|').map(str::trim) {
                    let id = lookup.entity(name).ok_or_else(|| {
                        let hint =
                            crate::suggest::closest(name, entity_ids.keys().map(String::as_str))
                                .map(|n| format!(" (did you mean `{n}`?)"))
                                .unwrap_or_default();
                        rule_error(&at, format!("unknown entity `{name}` in `requires`{hint}"))
                    })?;
                    any_of.push(id);
                }
                requires.push(any_of);
            }
            if p.supports.is_empty() && p.opposes.is_empty() {
                return Err(rule_error(
                    &here,
                    format!(
                        "proposition `{}` has no `supports` nor `opposes` patterns",
                        p.id.value
                    ),
                ));
            }
            let mut compile_all = |list: &[Spanned<String>]| -> Result<Vec<Pattern>, Error> {
                list.iter()
                    .map(|s| compile_pattern(s, path, text, lexicon, &mut terms, &lookup))
                    .collect()
            };
            let supports = compile_all(&p.supports)?;
            let opposes = compile_all(&p.opposes)?;
            let unless = compile_all(&p.unless)?;
            for s in &supports {
                if let Some(o) = opposes.iter().find(|o| o.text.trim() == s.text.trim()) {
                    return Err(rule_error(
                        &o.location,
                        format!(
                            "pattern `{}` is listed under both `supports` ({}) and `opposes`",
                            o.text, s.location
                        ),
                    ));
                }
            }
            propositions.push(Proposition {
                id: p.id.value.clone(),
                claim: p.claim.trim().to_string(),
                opposing_claim: p.opposing_claim.as_ref().map(|c| c.trim().to_string()),
                requires,
                context: match &p.context {
                    None => Context::Sentences(context_sentences),
                    Some(c) => match &c.value {
                        ContextFile::Sentences(n) => Context::Sentences(*n),
                        ContextFile::Word(w) if w == "article" => Context::Article,
                        ContextFile::Word(w) => {
                            return Err(rule_error(
                                &located(path, text, &c.referenced),
                                format!("`context: {w}`: write a number of sentences (0, 1, 2…) or `article`"),
                            ))
                        }
                    },
                },
                supports,
                opposes,
                unless,
                location: here,
            });
        }
    }
    if propositions.is_empty() {
        let files: Vec<String> = sources
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        return Err(Error::Usage(format!(
            "{}: the rulebook has no propositions, so it could never find a contradiction; add one (see docs/rulebook.md)",
            files.join(", ")
        )));
    }
    let prefilters = lexicons
        .languages()
        .map(|l| (l.to_string(), std::sync::OnceLock::new()))
        .collect();
    Ok(Rulebook {
        files: sources.iter().map(|(p, _)| p.clone()).collect(),
        language,
        conflict_window_days: window.map_or(DEFAULT_CONFLICT_WINDOW_DAYS, |w| w.0),
        context_sentences,
        fail_on,
        entities,
        propositions,
        terms,
        lexicons,
        prefilters,
    })
}

struct Names<'a>(&'a HashMap<String, usize>);

impl pattern::EntityLookup for Names<'_> {
    fn entity(&self, name: &str) -> Option<usize> {
        self.0.get(name).copied()
    }
    fn names(&self) -> Vec<String> {
        let sorted: BTreeSet<&String> = self.0.keys().collect();
        sorted.into_iter().cloned().collect()
    }
}

/// Aliases cannot refer to entities.
struct NoEntities;

impl pattern::EntityLookup for NoEntities {
    fn entity(&self, _: &str) -> Option<usize> {
        None
    }
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

fn compile_pattern(
    s: &Spanned<String>,
    path: &Path,
    text: &str,
    lexicon: &Lexicon,
    terms: &mut TermTable,
    lookup: &Names<'_>,
) -> Result<Pattern, Error> {
    let mut at = located(path, text, &s.referenced);
    let written = s.value.trim();
    // `!` makes a pattern one-way: negated, it makes no claim instead of the
    // opposite one ("Alger n'a jamais hébergé de terroristes" is Algiers'
    // denial, not Bamako's trust).
    let (one_way, body) = match written.strip_prefix('!') {
        Some(rest) => {
            let rest = rest.trim_start();
            at.column += (s.value.len() - rest.len()) as u64
                - (s.value.len() - s.value.trim_start().len()) as u64;
            (true, rest)
        }
        None => (false, written),
    };
    if let Some(re) = body.strip_prefix("re:") {
        let regex = regex::RegexBuilder::new(re.trim())
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| {
                rule_error(
                    &at,
                    format!(
                        "bad regex `{}`: {}",
                        excerpt(re.trim(), 0),
                        regex_reason(&e)
                    ),
                )
            })?;
        return Ok(Pattern {
            text: written.into(),
            body: PatternBody::Regex(regex),
            required: Requirements::default(),
            weight: 1,
            one_way,
            location: at,
        });
    }
    let seq = pattern::parse(body, lexicon, terms, lookup)
        .map_err(|err| pattern_error(&at, body, err))?;
    let required = seq.requirements();
    Ok(Pattern {
        text: written.into(),
        weight: seq.weight(),
        body: PatternBody::Seq(seq),
        required,
        one_way,
        location: at,
    })
}

/// The period of a dated alias: `from` and `until` are dates (`2021-07`,
/// `2023`, `2023-03-15`), both included; one of them may be left out.
fn period(path: &Path, text: &str, d: &DatedAliasFile) -> Result<Period, Error> {
    let at = located(path, text, &d.alias.referenced);
    let day = |field: &Option<Spanned<String>>,
               first: bool|
     -> Result<Option<jiff::civil::Date>, Error> {
        let Some(value) = field else {
            return Ok(None);
        };
        let date = crate::corpus::PartialDate::parse(&value.value).map_err(|e| {
            rule_error(
                &located(path, text, &value.referenced),
                format!("bad date `{}`: {e}", value.value),
            )
        })?;
        Ok(Some(if first {
            date.first_day()
        } else {
            date.last_day()
        }))
    };
    let from = day(&d.from, true)?;
    let until = day(&d.until, false)?;
    if from.is_none() && until.is_none() {
        return Err(rule_error(
            &at,
            format!(
                "dated alias `{}` needs `from:` or `until:` (or move it to `aliases`)",
                d.alias.value
            ),
        ));
    }
    let period = Period {
        from: from.unwrap_or(jiff::civil::Date::MIN),
        until: until.unwrap_or(jiff::civil::Date::MAX),
    };
    if period.from > period.until {
        return Err(rule_error(
            &at,
            format!("dated alias `{}` ends before it starts", d.alias.value),
        ));
    }
    Ok(period)
}

/// The regex crate's message on one line: a syntax error's last line says
/// what is wrong (`unclosed group`), the lines above only draw the pattern.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    last.trim().trim_start_matches("error: ").to_string()
}

fn located(path: &Path, text: &str, location: &Location) -> Located {
    let line = location.line().max(1);
    let mut column = location.column().max(1);
    // Point inside a quoted scalar, at its first character.
    // By byte offset when the parser gives one: scanning lines for each of
    // thousands of patterns would cost the square of the file's size.
    let at = match location.span().byte_offset() {
        Some(offset) => text
            .get(usize::try_from(offset).unwrap_or(usize::MAX)..)
            .and_then(|rest| rest.chars().next()),
        None => text
            .lines()
            .nth(line as usize - 1)
            .and_then(|l| l.chars().nth(column as usize - 1)),
    };
    if matches!(at, Some('"' | '\'')) {
        column += 1;
    }
    Located {
        path: path.to_path_buf(),
        line,
        column,
    }
}

fn pattern_error(at: &Located, written: &str, err: pattern::PatternError) -> Error {
    let offset = err.offset.min(written.len());
    let column = at.column + written[..offset].chars().count() as u64;
    Error::Rule {
        path: at.path.clone(),
        line: at.line,
        column,
        message: format!("in pattern `{}`: {}", excerpt(written, offset), err.message),
    }
}

/// A long pattern cut down to the part around `offset`, so the message stays
/// readable and still shows the offending words.
fn excerpt(written: &str, offset: usize) -> String {
    const WIDTH: usize = 40;
    let chars: Vec<(usize, char)> = written.char_indices().collect();
    if chars.len() <= 2 * WIDTH {
        return written.to_string();
    }
    let at = chars.partition_point(|&(i, _)| i < offset);
    let from = at.saturating_sub(WIDTH);
    let to = (at + WIDTH).min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(chars[from..to].iter().map(|&(_, c)| c));
    if to < chars.len() {
        out.push('…');
    }
    out
}

fn rule_error(at: &Located, message: String) -> Error {
    Error::Rule {
        path: at.path.clone(),
        line: at.line,
        column: at.column,
        message,
    }
}

fn check_id(id: &str, at: &Located) -> Result<(), Error> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(rule_error(
            at,
            format!("id `{id}`: use lowercase letters, digits, `-` and `_` only"),
        ))
    }
}

/// Records a setting, each at the line of its own key; a second file setting
/// it again is an error naming the first.
fn set_once<T: Clone>(
    slot: &mut Option<(T, Located)>,
    value: Option<&Spanned<T>>,
    at: impl Fn(&Location) -> Located,
    name: &str,
) -> Result<(), Error> {
    let Some(value) = value else { return Ok(()) };
    let here = at(&value.referenced);
    if let Some((_, first)) = slot {
        return Err(rule_error(
            &here,
            format!("setting `{name}` is already set at {first}"),
        ));
    }
    *slot = Some((value.value.clone(), here));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_one(yaml: &str) -> Result<Rulebook, Error> {
        compile(
            &[(PathBuf::from("rules/t.yaml"), yaml.to_string())],
            Lexicons::builtin().unwrap(),
        )
    }

    const GOOD: &str = "entities:\n  - id: russia\n    aliases: [Russie, Moscou, russe*]\npropositions:\n  - id: p\n    claim: Test\n    requires: [russia]\n    supports:\n      - \"soutien ..3 @russia\"\n";

    #[test]
    fn compiles_entities_and_patterns() {
        let r = compile_one(GOOD).unwrap();
        assert_eq!(r.entities[0].aliases.len(), 3);
        assert_eq!(r.propositions[0].requires, [vec![0]]);
        assert_eq!(r.conflict_window_days, DEFAULT_CONFLICT_WINDOW_DAYS);
    }

    #[test]
    fn errors_carry_file_line_and_column() {
        let bad = GOOD.replace("@russia\"", "@rusia\"");
        let e = compile_one(&bad).unwrap_err().to_string();
        assert!(e.starts_with("rules/t.yaml:9:22: in pattern"), "{e}");
        assert!(e.contains("did you mean `@russia`"), "{e}");

        let e = compile_one("propositions:\n  - id: p\n    claim: x\n    supports: [\"re:(\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("rules/t.yaml:4:"), "{e}");
        assert!(e.contains("bad regex"), "{e}");

        let e =
            compile_one("entities:\n  - id: a\n    aliases: [x]\n  - id: a\n    aliases: [y]\n")
                .unwrap_err()
                .to_string();
        assert!(e.starts_with("rules/t.yaml:4:"), "{e}");
        assert!(e.contains("duplicate entity id"), "{e}");

        let e = compile_one("propositions:\n  - id: p\n    claim: x\n    suports: [a]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("rules/t.yaml:4:"), "{e}");

        let e = compile_one("entities: [\n").unwrap_err().to_string();
        assert!(e.starts_with("rules/t.yaml:"), "{e}");
    }

    #[test]
    fn same_pattern_under_both_stances_is_an_error() {
        let e = compile_one("propositions:\n  - id: p\n    claim: x\n    supports: [soutien]\n    opposes: [soutien]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("both `supports`"), "{e}");
    }

    #[test]
    fn one_way_patterns_keep_their_columns() {
        let r = compile_one("propositions:\n  - id: p\n    claim: x\n    supports: [\"! abrite ..2 terroristes\"]\n").unwrap();
        assert!(r.propositions[0].supports[0].one_way);
        let e = compile_one("propositions:\n  - id: p\n    claim: x\n    supports: [\"! abrite ..x terroristes\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("rules/t.yaml:4:26:"), "{e}");
    }
}
