//! The whole run, from folders to a ledger: what `volte check` does before it
//! renders anything. Other programs and the tests drive volte through here.

use std::hash::BuildHasher;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cache::{self, Cache, Head, Kept, Slot, Store, Sum};
use crate::corpus::{self, Article, Looked, Skipped};
use crate::error::Error;
use crate::ledger::{self, Ledger};
use crate::matcher::{self, Claim, Options, Scratch};
use crate::rulebook::{self, Rulebook};
use crate::timings;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub include_comments: bool,
    /// Overrides the rulebook's conflict window.
    pub window_days: Option<u32>,
    /// Read every sentence instead of those the prefilter marks.
    pub full_scan: bool,
    /// The cache folder; `None` reads every article.
    pub cache: Option<PathBuf>,
    /// Leave the kept claims of unchanged articles unread, for the human
    /// report, which asks for those of the propositions it must judge
    /// again ([`Run::read_for`]) and copies the others' text.
    pub lazy: bool,
}

/// Articles handed back by the workers at a time.
const BATCH: usize = 1024;

/// Everything a report is made from.
#[derive(Debug)]
pub struct Run {
    pub rulebook: Rulebook,
    pub articles: Vec<Article>,
    pub sentences: usize,
    /// In article order, then line order.
    pub claims: Vec<Claim>,
    /// Built on first use: the human report builds it a proposition at a
    /// time instead, so the whole ledger is never held.
    ledger: std::sync::OnceLock<Ledger>,
    pub window_days: u32,
    /// Things the user should know that did not stop the run (a corrupt cache).
    pub warnings: Vec<String>,
    /// Articles taken from the cache, unread.
    pub cached: usize,
    /// Files of the corpus passed over (binary, empty…), for stderr and the summary.
    pub skipped: Vec<Skipped>,
    /// The cache's key for this rulebook and these options, with a cache.
    pub cache_key: Option<String>,
    /// Every article of the corpus, and every claim, read or not.
    pub articles_total: usize,
    pub claims_total: usize,
    /// With a cache: which articles have claims on which propositions, and
    /// those left unread.
    outline: Option<Outline>,
    /// After [`Run::read_for`], with a cache: each article's place in the
    /// report (its shown path and its body's digest), by index in
    /// `articles`; zeros for an article without claims.
    mixes: Vec<[u8; 16]>,
}

/// With a cache, what the report's kept parts are checked against: for
/// each article with claims, in corpus order, a digest of what it gave
/// and where it is shown, and the propositions its claims are on; and the
/// articles left unread (`RunOptions::lazy`), to be read when asked for.
#[derive(Debug)]
struct Outline {
    cache: Cache,
    /// The corpus folder as shown, when each unread article's path inside
    /// it gives its shown path.
    shown_dir: Option<PathBuf>,
    marks: Vec<Mark>,
    /// The marks' propositions, one after the other.
    propositions: Vec<u32>,
    /// Shown paths of unread articles that are not `shown_dir` joined with
    /// their path inside the corpus, by mark.
    shown: Vec<(u32, PathBuf)>,
    options: Options,
    /// Whether [`Run::mixes`] has been made from the marks of the articles
    /// read at first.
    mixed: bool,
}

/// An article with claims.
#[derive(Debug)]
struct Mark {
    /// Of its shown path and its cache entry's body.
    mix: [u8; 16],
    propositions: Range<u32>,
    /// Its index among the articles read, or its entry in the cache
    /// (`UNREAD` set).
    at: u32,
    /// For an unread one, how many articles read come before it.
    before: u32,
}

const UNREAD: u32 = 1 << 31;

/// An article left unread, read when the report asks for it.
struct Reread {
    article: Article,
    claims: Vec<Claim>,
    /// Its kept body was damaged: it was read from its file.
    damaged: bool,
}

/// Reads and matches the article at `path` without the cache.
fn read_afresh(
    path: &Path,
    rulebook: &Rulebook,
    options: Options,
    worker: &mut Worker,
) -> Result<Reread, Error> {
    let (handle, metadata) = corpus::open_listed(path)?;
    let buffer = std::mem::take(&mut worker.buffer);
    let bytes = corpus::read_open(path, handle, metadata.len(), Looked::ThroughFile, buffer)?;
    let mut article = corpus::article_from_bytes(path, bytes, &rulebook.language)?;
    let analysis = matcher::analyze(0, &article, rulebook, options, &mut worker.scratch)?;
    worker.buffer = std::mem::take(&mut article.text).into_bytes();
    Ok(Reread {
        article,
        claims: analysis.claims,
        damaged: true,
    })
}

/// The digest of an article's place in the report: its shown path and its
/// body's digest.
fn mix(shown: &Path, digest: &[u8; 16]) -> [u8; 16] {
    let path = shown.as_os_str().as_encoded_bytes();
    // The same bytes as the hasher would take, side by side on the stack
    // when they fit (a hasher cost a third more than the hash).
    let mut room = [0u8; 256];
    let len = 8 + path.len() + 16;
    let hash = match room.get_mut(..len) {
        Some(bytes) => {
            bytes[..8].copy_from_slice(&(path.len() as u64).to_le_bytes());
            bytes[8..8 + path.len()].copy_from_slice(path);
            bytes[8 + path.len()..].copy_from_slice(digest);
            blake3::hash(bytes)
        }
        None => {
            let mut h = blake3::Hasher::new();
            h.update(&(path.len() as u64).to_le_bytes());
            h.update(path);
            h.update(digest);
            h.finalize()
        }
    };
    let mut out = [0; 16];
    out.copy_from_slice(&hash.as_bytes()[..16]);
    out
}

impl Run {
    /// With a cache, the digest of each proposition's part of the report:
    /// `salt` (what every part is made from besides its claims) and, in
    /// corpus order, each article with claims on it (its shown path and
    /// what it gave: its metadata and all its claims, so more than the
    /// part is made from, never less). `None` without a cache.
    pub fn part_digests(&self, salt: &blake3::Hasher) -> Option<Vec<[u8; 32]>> {
        let outline = self.outline.as_ref()?;
        let count = self.rulebook.propositions.len();
        let mut fields: Vec<Vec<u8>> = vec![Vec::new(); count];
        for mark in &outline.marks {
            let range = mark.propositions.start as usize..mark.propositions.end as usize;
            for &p in outline.propositions.get(range).unwrap_or_default() {
                if let Some(field) = fields.get_mut(p as usize) {
                    field.extend_from_slice(&mark.mix);
                }
            }
        }
        Some(
            fields
                .par_iter()
                .enumerate()
                .map(|(p, field)| {
                    let mut h = salt.clone();
                    h.update(&(p as u64).to_le_bytes());
                    h.update(field);
                    *h.finalize().as_bytes()
                })
                .collect(),
        )
    }

    /// Reads the articles left unread that have claims on a proposition
    /// `wanted` says, into `articles` and `claims` in corpus order, so
    /// that every claim on those propositions is there. The others stay
    /// unread: only their counts are in the run. Returns warnings (a kept
    /// body found damaged: its article is read again, and the cache is
    /// rebuilt next time). [`Run::part_digests`] is to be asked first: it
    /// is of the articles as the listing found them.
    pub fn read_for(&mut self, wanted: &[bool]) -> Result<Vec<String>, Error> {
        self.read_marked(&|_, propositions| {
            propositions
                .iter()
                .any(|&p| wanted.get(p as usize).copied().unwrap_or(false))
        })
    }

    /// With a cache, each article with claims, in corpus order: its place in
    /// the report ([`Run::mix_of`]) and the propositions its claims are on.
    pub fn marked(&self) -> impl Iterator<Item = (&[u8; 16], &[u32])> + '_ {
        self.outline.iter().flat_map(|outline| {
            outline.marks.iter().map(|m| {
                let range = m.propositions.start as usize..m.propositions.end as usize;
                (&m.mix, &outline.propositions[range])
            })
        })
    }

    /// Reads the articles left unread that `wanted` picks by their place in
    /// the report and their propositions, as [`Run::read_for`] does; it
    /// may be asked again for more.
    pub fn read_marked(
        &mut self,
        wanted: &(dyn Fn(&[u8; 16], &[u32]) -> bool + Sync),
    ) -> Result<Vec<String>, Error> {
        let Some(mut outline) = self.outline.take() else {
            return Ok(Vec::new());
        };
        let result = self.read_marked_in(&mut outline, wanted);
        self.outline = Some(outline);
        result
    }

    fn read_marked_in(
        &mut self,
        outline: &mut Outline,
        wanted: &(dyn Fn(&[u8; 16], &[u32]) -> bool + Sync),
    ) -> Result<Vec<String>, Error> {
        if !outline.mixed {
            // The read articles' mixes, by index among them, the first time.
            let mut mixes = vec![[0u8; 16]; self.articles.len()];
            for mark in outline.marks.iter().filter(|m| m.at & UNREAD == 0) {
                if let Some(slot) = mixes.get_mut(mark.at as usize) {
                    *slot = mark.mix;
                }
            }
            self.mixes = mixes;
            outline.mixed = true;
        }
        let chosen: Vec<usize> = outline
            .marks
            .iter()
            .enumerate()
            .filter(|(_, m)| m.at & UNREAD != 0)
            .filter(|(_, m)| {
                let range = m.propositions.start as usize..m.propositions.end as usize;
                wanted(&m.mix, &outline.propositions[range])
            })
            .map(|(n, _)| n)
            .collect();
        if chosen.is_empty() {
            return Ok(Vec::new());
        }
        let outline_ref: &Outline = outline;
        let rulebook = &self.rulebook;
        let cache = &outline_ref.cache;
        let shown = |n: usize, slot: &Slot| -> PathBuf {
            match &outline_ref.shown_dir {
                Some(dir) => dir.join(cache.path_of(slot)),
                None => outline_ref
                    .shown
                    .binary_search_by_key(&(n as u32), |(m, _)| *m)
                    .map_or_else(|_| PathBuf::new(), |i| outline_ref.shown[i].1.clone()),
            }
        };
        let pattern = |proposition: usize, text: &str| {
            rulebook
                .pattern_text(proposition, text)
                .unwrap_or_else(|| text.into())
        };
        // Each article with whether its body was found damaged.
        let read: Vec<Result<Reread, Error>> = chosen
            .par_iter()
            .map_init(Worker::default, |worker, &n| {
                let mark = &outline_ref.marks[n];
                let slot = cache
                    .slot_at((mark.at & !UNREAD) as usize)
                    .expect("a mark's entry is in the cache");
                let path = shown(n, slot);
                let kept = cache.body(slot, &mut worker.window, pattern, |body| {
                    let article = body.article.into_article(path.clone())?;
                    Some((article, body.claims))
                });
                match kept {
                    Some((article, claims)) => Ok(Reread {
                        article,
                        claims,
                        damaged: false,
                    }),
                    None => read_afresh(&path, rulebook, outline_ref.options, worker),
                }
            })
            .collect();
        let mut warnings = Vec::new();
        let mut damaged = false;
        let mut unread = Vec::with_capacity(read.len());
        for (result, &n) in read.into_iter().zip(&chosen) {
            let reread = result?;
            damaged |= reread.damaged;
            let mark = &outline_ref.marks[n];
            unread.push((
                mark.before as usize,
                reread.article,
                reread.claims,
                mark.mix,
            ));
        }
        if damaged {
            warnings.push(format!(
                "{}: a kept body is damaged; its article was read again, and the cache is built anew next time",
                outline_ref.cache.bodies_path().display()
            ));
            let _ = outline_ref.cache.discard();
        }
        // The marks read are read now, and those still unread go as many
        // places further as there are marks read before them.
        let mut inserted = 0u32;
        let mut next = chosen.iter().peekable();
        for (n, mark) in outline.marks.iter_mut().enumerate() {
            if next.next_if(|&&c| c == n).is_some() {
                mark.at &= !UNREAD;
                inserted += 1;
            } else if mark.at & UNREAD != 0 {
                mark.before += inserted;
            }
        }
        // The articles read, with the ones just read at their places.
        let read_articles = std::mem::take(&mut self.articles);
        let read_claims = std::mem::take(&mut self.claims);
        let mut articles = Vec::with_capacity(read_articles.len() + unread.len());
        let read_mixes = std::mem::take(&mut self.mixes);
        let mut mixes = Vec::with_capacity(articles.capacity());
        let mut claims =
            Vec::with_capacity(read_claims.len() + unread.iter().map(|u| u.2.len()).sum::<usize>());
        let mut unread = unread.into_iter().peekable();
        let mut read_claims = read_claims.into_iter().peekable();
        for (i, article) in read_articles.into_iter().enumerate() {
            while let Some((_, article, mine, mix)) = unread.next_if(|u| u.0 <= i) {
                let index = articles.len();
                claims.extend(mine.into_iter().map(|c| Claim {
                    article: index,
                    ..c
                }));
                articles.push(article);
                mixes.push(mix);
            }
            let index = articles.len();
            while let Some(c) = read_claims.next_if(|c| c.article == i) {
                claims.push(Claim {
                    article: index,
                    ..c
                });
            }
            articles.push(article);
            mixes.push(read_mixes.get(i).copied().unwrap_or_default());
        }
        for (_, article, mine, mix) in unread {
            let index = articles.len();
            claims.extend(mine.into_iter().map(|c| Claim {
                article: index,
                ..c
            }));
            articles.push(article);
            mixes.push(mix);
        }
        self.articles = articles;
        self.claims = claims;
        self.mixes = mixes;
        Ok(warnings)
    }

    /// Article `index`'s place in the report, its shown path and its body's
    /// digest, once [`Run::read_for`] has run with a cache.
    pub fn mix_of(&self, index: usize) -> Option<&[u8; 16]> {
        self.mixes.get(index)
    }

    /// The timelines and contradictions of every proposition.
    pub fn ledger(&self) -> &Ledger {
        self.ledger.get_or_init(|| {
            ledger::build(
                &self.articles,
                &self.claims,
                self.rulebook.propositions.len(),
                self.window_days,
            )
        })
    }
}

/// Loads the rulebook and the corpus and matches every article; the ledger
/// is built when first asked for ([`Run::ledger`]).
///
/// Articles stream: each is read, matched and dropped on a worker thread, and
/// only its metadata and claims are kept, so memory follows the claims, not
/// the size of the corpus.
pub fn run(rules: &Path, corpus_dir: &Path, options: &RunOptions) -> Result<Run, Error> {
    // The walk needs no rulebook: meanwhile the rulebook is loaded, the
    // cache's heads read (on every core the walk leaves free) and the
    // prefilter built.
    let phase = timings::phase("listing");
    // The cache's key comes from the rule files' text, not from the
    // rulebook compiled: the cache is opened while it compiles. A cache
    // with entries has the walk look at each file as it lists it, from
    // the open folder (a re-check reads few articles: the others need
    // that look alone), where the walk is volte's own.
    // The rule files are read once, for both. One that cannot be read is
    // said first, whatever the corpus.
    let sources = rulebook::read_sources(rules)?;
    let cache_key = options
        .cache
        .as_ref()
        .map(|_| cache::key_of(&sources, options.include_comments));
    let look = options
        .cache
        .as_deref()
        .zip(cache_key.as_deref())
        .is_some_and(|(dir, key)| cache::has_entries(dir, key));
    // A broken rulebook stops the walk: it is said without waiting for it.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (listing, loaded) = rayon::join(
        || {
            let _phase = timings::phase("walk");
            corpus::walk_articles(corpus_dir, look, &stop)
        },
        || -> Result<_, Error> {
            let (rulebook, cache) = rayon::join(
                || {
                    let _phase = timings::phase("rulebook");
                    let rulebook = rulebook::load_sources(&sources);
                    if rulebook.is_err() {
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    rulebook
                },
                || {
                    let _phase = timings::phase("cache-open");
                    options
                        .cache
                        .as_ref()
                        .zip(cache_key.clone())
                        .map(|(dir, key)| Cache::open(dir, key))
                },
            );
            let rulebook = rulebook?;
            // A re-check reads few articles, if any: the prefilter is built
            // for them only when they are more than a few (see `Whole`).
            if cache.as_ref().is_none_or(Cache::is_empty) {
                rulebook.prefilter(&rulebook.language);
            }
            Ok((rulebook, cache))
        },
    );
    // A broken rulebook is said first, whatever the corpus.
    let (rulebook, cache) = loaded?;
    let match_options = match_options(options);
    let whole = Whole::new(match &cache {
        Some(cache) if !cache.is_empty() => WHOLE_FIRST,
        _ => 0,
    });
    let listing = listing?;
    // In path order, whichever thread finished first: skipped files, errors
    // (all of them, reported together) and reused ids, as `corpus::load` does.
    let errors = listing.errors;
    let skipped = listing.skipped;
    let links = listing.links;
    let total = listing.files.len();
    // Batches are taken off the end, so each batch's paths are freed once
    // its articles are read: at a million files the listing weighs more
    // than the claims.
    let mut pending = listing.files;
    pending.reverse();
    // The corpus folder as shown, for the path of each article taken from
    // the cache: joined with the path inside it, it is what showing the
    // article's own path gives, without working it out again each time.
    let shown_dir = cache.as_ref().map(|_| corpus::display_path(corpus_dir));
    let mut merged = Merged {
        articles: Vec::with_capacity(total),
        claims: Vec::new(),
        sentences: 0,
        cached: 0,
        store: cache.as_ref().map(Store::new),
        errors,
        skipped,
        seen: hashbrown::HashTable::with_capacity(total),
        hasher: Default::default(),
        same_files: corpus::SameFiles::default(),
        total,
        done: 0,
        // A re-check leaves most articles unread.
        unread_ids: Vec::with_capacity(cache.as_ref().map_or(0, |c| c.len().min(total))),
        marks: cache.as_ref().map(|_| Marks::default()),
        cache: cache.as_ref(),
        shown_dir: shown_dir.clone(),
        articles_total: 0,
        claims_total: 0,
    };
    drop(phase);
    let phase = timings::phase("articles");
    // A batch at a time, so what the workers hand back is never the whole
    // corpus's worth at once; each batch is merged while the next is read.
    // Two vectors of results take turns (one filled while the other is
    // merged), so their room is not asked for, and touched afresh, per
    // batch: a batch's results are past glibc's threshold for a mapping
    // of its own.
    let mut previous: Option<(Vec<corpus::ArticleFile>, Vec<Read>)> = None;
    let mut spare: Vec<Read> = Vec::new();
    loop {
        let mut files = pending.split_off(pending.len().saturating_sub(BATCH));
        files.reverse();
        // The room of the paths already taken goes back too (each shrink
        // copies at most half of what it shrinks from).
        if pending.capacity() > 2 * pending.len() + BATCH {
            pending.shrink_to_fit();
        }
        let mut results = std::mem::take(&mut spare);
        let read = |results: &mut Vec<_>| {
            files
                .par_iter()
                .map_init(Worker::default, |worker, file| {
                    // The cache knows articles by their path inside the corpus, so
                    // `--corpus corpus` and `--corpus /abs/corpus` share it.
                    let quick = quick_inside(&file.path, corpus_dir);
                    let place = Place {
                        key: quick.unwrap_or_else(|| {
                            file.path.strip_prefix(corpus_dir).unwrap_or(&file.path)
                        }),
                        shown_dir: quick.and(shown_dir.as_deref()),
                    };
                    open_and_read(
                        file,
                        place,
                        links,
                        Matching {
                            rulebook: &rulebook,
                            options: match_options,
                            whole: &whole,
                        },
                        cache.as_ref().map(|c| (c, options.lazy)),
                        worker,
                    )
                })
                .collect_into_vec(results)
        };
        match previous.take() {
            Some((files, mut merging)) => {
                rayon::join(
                    || read(&mut results),
                    || merged.absorb(&files, &mut merging),
                );
                spare = merging;
            }
            None => read(&mut results),
        }
        if files.is_empty() {
            break;
        }
        previous = Some((files, results));
    }
    drop(phase);
    let Merged {
        articles,
        claims,
        sentences,
        cached,
        store,
        mut errors,
        mut skipped,
        marks,
        articles_total,
        claims_total,
        ..
    } = merged;
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    match errors.len() {
        0 => {}
        1 => return Err(errors.remove(0)),
        _ => return Err(Error::Several(errors)),
    }
    if articles_total == 0 {
        let count = match skipped.len() {
            0 => String::new(),
            n => format!(" ({n} skipped)"),
        };
        return Err(Error::Usage(format!(
            "{}: no articles{count}: an article is a .md, .markdown or .txt file with front matter (see docs/corpus.md)",
            corpus::display_path(corpus_dir).display()
        )));
    }
    let mut warnings = Vec::new();
    let phase = timings::phase("cache-save");
    if let Some(cache) = &cache {
        warnings.extend(cache.warning.clone());
    }
    if let Some(Err(e)) = store.map(Store::finish) {
        warnings.push(format!("could not write the cache: {e}"));
    }
    drop(phase);
    let mut run = finish(rulebook, articles, sentences, claims, options);
    run.warnings = warnings;
    run.cached = cached;
    run.skipped = skipped;
    run.cache_key = cache_key;
    run.articles_total = articles_total;
    run.claims_total = claims_total;
    run.outline = cache.zip(marks).map(|(cache, marks)| Outline {
        cache,
        shown_dir,
        marks: marks.marks,
        propositions: marks.propositions,
        shown: marks.shown,
        options: match_options,
        mixed: false,
    });
    Ok(run)
}

/// `path` inside `dir`, as `Path::strip_prefix` gives it, for the paths a
/// walk makes: `dir` joined with the names under it, so `dir`'s bytes, a
/// separator and the rest, which is the answer as it is (a tenth of the
/// time of comparing them component by component, which a warm re-check
/// does for every article); `None` for any other path.
fn quick_inside<'p>(path: &'p Path, dir: &Path) -> Option<&'p Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (bytes, prefix) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
        let rest = bytes.strip_prefix(prefix).and_then(|rest| {
            if prefix.ends_with(b"/") {
                Some(rest)
            } else {
                rest.strip_prefix(b"/")
            }
        });
        // Anything a component-wise reading would tidy (`//`, `.`) goes
        // the long way.
        let plain = |rest: &[u8]| {
            !rest.is_empty()
                && !rest.ends_with(b"/")
                && rest
                    .split(|&b| b == b'/')
                    .all(|c| !c.is_empty() && c != b".")
        };
        rest.filter(|rest| plain(rest))
            .map(|rest| Path::new(std::ffi::OsStr::from_bytes(rest)))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, dir);
        None
    }
}

/// Where an article is: its path inside the corpus (the cache's key) and,
/// when that path is made of plain names, the corpus folder as shown.
#[derive(Clone, Copy)]
struct Place<'p> {
    key: &'p Path,
    shown_dir: Option<&'p Path>,
}

impl Place<'_> {
    /// The article's path as shown (`path` is its path in the listing).
    fn shown(&self, path: &Path) -> PathBuf {
        match self.shown_dir {
            Some(dir) => dir.join(self.key),
            None => corpus::display_path(path),
        }
    }
}

/// How many articles a re-check reads before it builds the prefilter.
const WHOLE_FIRST: usize = 16;

/// The articles still to be read whole, every sentence matched, rather
/// than through the prefilter, which finds the same claims. Building the
/// prefilter takes about 22 M instructions, as long as reading a hundred
/// articles whole; a re-check reads one or two, so a run whose cache has
/// entries reads its first [`WHOLE_FIRST`] that way and builds the
/// prefilter only when more come.
struct Whole(std::sync::atomic::AtomicUsize);

impl Whole {
    fn new(first: usize) -> Whole {
        Whole(std::sync::atomic::AtomicUsize::new(first))
    }

    /// Whether the next article read is read whole.
    fn take(&self) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.0.load(Relaxed) > 0
            && self
                .0
                .fetch_update(Relaxed, Relaxed, |left| left.checked_sub(1))
                .is_ok()
    }
}

/// What an article read is matched with.
#[derive(Clone, Copy)]
struct Matching<'a> {
    rulebook: &'a Rulebook,
    options: Options,
    whole: &'a Whole,
}

/// What a worker keeps from article to article.
#[derive(Default)]
struct Worker {
    scratch: Scratch,
    /// The text of the article being read.
    buffer: Vec<u8>,
    /// Bodies of the cache read ahead.
    window: cache::Window,
    /// The cache entry of the article before.
    near: Option<usize>,
    /// Room for the shown path of an article left unread.
    shown: PathBuf,
    /// The folder of the article before, open.
    folder: corpus::Folder,
}

/// What a worker hands back for one file of the listing: the key of the file
/// it reaches, so a second path to it is skipped, and the article.
type Read<'c> = (Option<corpus::FileKey>, Result<Got<'c>, Error>);

/// An article read (or taken from the cache), or one left unread.
enum Got<'c> {
    Read(Outcome<'c>),
    Unread(Unread<'c>),
}

/// An unchanged article left unread: what its cache entry's head says.
struct Unread<'c> {
    slot: &'c Slot,
    /// The entry's place among the cache's entries.
    index: u32,
    sum: Sum<'c>,
    size: u64,
    modified: u128,
    /// With claims, the digest of its place in the report.
    mix: Option<[u8; 16]>,
    /// Its shown path, when the corpus folder's joined with its path in
    /// the cache is not it.
    shown: Option<PathBuf>,
}

/// The [`Mark`]s so far.
#[derive(Default)]
struct Marks {
    marks: Vec<Mark>,
    propositions: Vec<u32>,
    shown: Vec<(u32, PathBuf)>,
}

impl Marks {
    fn add(
        &mut self,
        mix: [u8; 16],
        propositions: impl IntoIterator<Item = u32>,
        at: u32,
        before: u32,
    ) -> u32 {
        let start = self.propositions.len() as u32;
        self.propositions.extend(propositions);
        let n = self.marks.len() as u32;
        self.marks.push(Mark {
            mix,
            propositions: start..self.propositions.len() as u32,
            at,
            before,
        });
        n
    }
}

/// The articles read so far, in listing order, and what came with them.
struct Merged<'c> {
    articles: Vec<Article>,
    claims: Vec<Claim>,
    sentences: usize,
    cached: usize,
    /// The cache being written, an entry at a time.
    store: Option<Store<'c>>,
    errors: Vec<Error>,
    skipped: Vec<Skipped>,
    /// Each id read so far, as its article's index (the id and the path
    /// are there), found by the id's hash.
    seen: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    /// The first path to each file, for a second path to skip.
    same_files: corpus::SameFiles<First>,
    /// Files in the listing, and how many of them were merged.
    total: usize,
    done: usize,
    /// The id and entry of each article left unread, and its shown path
    /// when the entry's path does not give it (a `seen` index with `UNREAD`
    /// set is one of these).
    unread_ids: Vec<(&'c str, &'c Slot, Option<PathBuf>)>,
    /// With a cache, the articles with claims.
    marks: Option<Marks>,
    cache: Option<&'c Cache>,
    /// The corpus folder as shown, with a cache.
    shown_dir: Option<PathBuf>,
    /// Articles and claims, read or not.
    articles_total: usize,
    claims_total: usize,
}

impl<'c> Merged<'c> {
    /// Takes in a batch: `results` are those of `files`, in order.
    /// `results` is left empty, its room kept.
    fn absorb(&mut self, files: &[corpus::ArticleFile], results: &mut Vec<Read<'c>>) {
        // Room for the claims still to come, at the rate so far: a vector
        // grown by doubling would briefly hold half as many again.
        self.done += files.len();
        let batch_claims: usize = results
            .iter()
            .map(|(_, r)| match r {
                Ok(Got::Read(o)) => o.claims.len(),
                _ => 0,
            })
            .sum();
        let expected = (self.claims.len() + batch_claims) * self.total / self.done.max(1);
        self.claims
            .reserve_exact(expected.saturating_sub(self.claims.len()));
        for (file, (same, result)) in files.iter().zip(results.drain(..)) {
            // The same file reached twice (a link to it): kept at its first path.
            if let Some(first) = same.as_ref().and_then(|same| self.same_files.get(same)) {
                let first = match first {
                    First::Article(i) => &self.articles[*i as usize].path,
                    First::Other(path) => path,
                };
                self.skipped.push(corpus::same_file(&file.path, first));
                continue;
            }
            let index = self.articles.len();
            let other = || First::Other(file.path.clone());
            let outcome = match result {
                Ok(Got::Read(outcome)) => outcome,
                Ok(Got::Unread(unread)) => {
                    self.absorb_unread(unread, same, &file.path);
                    continue;
                }
                Err(e) => {
                    if let Some(same) = same {
                        self.same_files.insert(same, other());
                    }
                    match e {
                        Error::Skipped(s) => self.skipped.push(s),
                        e => self.errors.push(e),
                    }
                    continue;
                }
            };
            let hash = self.hasher.hash_one(outcome.article.id());
            if let Some(first) = self.earlier(hash, outcome.article.id()) {
                if let Some(same) = same {
                    self.same_files.insert(same, other());
                }
                self.errors.push(Error::DuplicateId {
                    path: outcome.article.path.clone(),
                    line: outcome.article.id_line.unwrap_or(1) as usize,
                    first,
                    id: outcome.article.id().to_string(),
                });
                continue;
            }
            let Ok(number) = u32::try_from(index) else {
                self.errors.push(Error::Usage(format!(
                    "{}: more than {} articles",
                    outcome.article.path.display(),
                    u32::MAX
                )));
                continue;
            };
            if let Some(same) = same {
                self.same_files.insert(same, First::Article(number));
            }
            self.remember(hash, number);
            if let (Some(marks), Some(digest)) = (&mut self.marks, &outcome.digest) {
                if !outcome.claims.is_empty() {
                    let mut propositions: Vec<u32> = outcome
                        .claims
                        .iter()
                        .map(|c| c.proposition as u32)
                        .collect();
                    propositions.sort_unstable();
                    propositions.dedup();
                    marks.add(mix(&outcome.article.path, digest), propositions, number, 0);
                }
            }
            self.articles_total += 1;
            self.claims_total += outcome.claims.len();
            // Claims point at their article by index.
            self.sentences += outcome.sentences;
            self.claims
                .extend(outcome.claims.into_iter().map(|c| Claim {
                    article: index,
                    ..c
                }));
            self.articles.push(outcome.article);
            self.cached += usize::from(outcome.cached);
            if let (Some(store), Some(entry)) = (&mut self.store, outcome.entry) {
                store.put(entry);
            }
        }
    }
}

impl<'c> Merged<'c> {
    /// The path of the article before with this id (`hash` is its hash).
    fn earlier(&self, hash: u64, id: &str) -> Option<PathBuf> {
        let (articles, unread) = (&self.articles, &self.unread_ids);
        let same = |&i: &u32| match i & UNREAD {
            0 => articles[i as usize].id() == id,
            _ => unread[(i & !UNREAD) as usize].0 == id,
        };
        let first = *self.seen.find(hash, same)?;
        Some(match first & UNREAD {
            0 => articles[first as usize].path.clone(),
            _ => {
                let (_, slot, shown) = &unread[(first & !UNREAD) as usize];
                self.shown_of(slot, shown.as_deref())
            }
        })
    }

    /// The shown path of an unread article.
    fn shown_of(&self, slot: &Slot, shown: Option<&Path>) -> PathBuf {
        match (shown, &self.shown_dir) {
            (Some(shown), _) => shown.to_path_buf(),
            (None, Some(dir)) => dir.join(self.cache_path(slot)),
            (None, None) => PathBuf::new(),
        }
    }

    /// Notes that the article `number` has the id whose hash is `hash`.
    fn remember(&mut self, hash: u64, number: u32) {
        let (articles, unread, hasher) = (&self.articles, &self.unread_ids, &self.hasher);
        self.seen
            .insert_unique(hash, number, |&i| match i & UNREAD {
                0 => hasher.hash_one(articles[i as usize].id()),
                _ => hasher.hash_one(unread[(i & !UNREAD) as usize].0),
            });
    }

    /// The path inside the corpus of a cache entry.
    fn cache_path(&self, slot: &Slot) -> &Path {
        self.cache.map_or(Path::new(""), |c| c.path_of(slot))
    }

    /// Takes in an article left unread.
    fn absorb_unread(&mut self, unread: Unread<'c>, same: Option<corpus::FileKey>, listed: &Path) {
        let Unread {
            slot,
            index,
            sum,
            size,
            modified,
            mix,
            shown,
        } = unread;
        let hash = self.hasher.hash_one(sum.id);
        if let Some(first) = self.earlier(hash, sum.id) {
            if let Some(same) = same {
                self.same_files
                    .insert(same, First::Other(listed.to_path_buf()));
            }
            self.errors.push(Error::DuplicateId {
                path: self.shown_of(slot, shown.as_deref()),
                line: sum.id_line.unwrap_or(1),
                first,
                id: sum.id.to_string(),
            });
            return;
        }
        let Ok(number) = u32::try_from(self.unread_ids.len()) else {
            return;
        };
        if let Some(same) = same {
            self.same_files
                .insert(same, First::Other(listed.to_path_buf()));
        }
        if let (Some(marks), Some(mix)) = (&mut self.marks, mix) {
            let before = self.articles.len() as u32;
            let n = marks.add(mix, sum.propositions(), index | UNREAD, before);
            if let Some(shown) = &shown {
                marks.shown.push((n, shown.clone()));
            }
        }
        self.unread_ids.push((sum.id, slot, shown));
        self.remember(hash, number | UNREAD);
        self.articles_total += 1;
        self.claims_total += sum.claims;
        self.sentences += sum.sentences;
        self.cached += 1;
        if let Some(store) = &mut self.store {
            store.put(Kept::Old {
                slot,
                size,
                modified,
            });
        }
    }
}

/// The first path to a file: an article's, or one that gave none.
enum First {
    Article(u32),
    Other(PathBuf),
}

/// An article file, open, and what looking at it told.
struct Opened<'p> {
    path: &'p Path,
    /// `None` until the article has to be read.
    file: Option<std::fs::File>,
    size: u64,
    /// Size and modification time, the cache's first check.
    stamp: Option<(u64, u128)>,
}

/// Opens article `file` and reads it (or takes it from the cache), with the
/// key of the file it reaches so the caller can skip a second path to it.
fn open_and_read<'c>(
    file: &corpus::ArticleFile,
    place: Place<'_>,
    links: bool,
    matching: Matching<'_>,
    cache: Option<(&'c Cache, bool)>,
    worker: &mut Worker,
) -> (Option<corpus::FileKey>, Result<Got<'c>, Error>) {
    let (cache, lazy) = match cache {
        Some((cache, lazy)) => (Some(cache), lazy),
        None => (None, false),
    };
    // An article the cache has may be reused unread: a look at the path is
    // all it needs. Any other is opened and looked at through the open
    // file (one path lookup, not two).
    let slot = cache.and_then(|cache| cache.slot_near(place.key, &mut worker.near));
    let looked = match slot {
        Some(_) => match file.look {
            Some(look) => Ok((None, look)),
            None => corpus::look_listed(&file.path, &mut worker.folder).map(|l| (None, l)),
        },
        None => corpus::open_listed(&file.path).map(|(f, m)| (Some(f), corpus::Look::of(&m))),
    };
    let (handle, look) = match looked {
        Ok(looked) => looked,
        Err(e) => return (None, Err(e)),
    };
    let same = corpus::may_be_listed_twice(&look, links)
        .then(|| corpus::FileKey::of_look(&file.path, &look));
    let opened = Opened {
        path: &file.path,
        file: handle,
        size: look.size,
        stamp: look.stamp(),
    };
    if let (true, Some(cache), Some(slot), Some((size, modified))) =
        (lazy, cache, slot, opened.stamp)
    {
        if slot.same_stamp(size, modified) {
            if let (Some(sum), Some(index)) = (cache.sum(slot), worker.near) {
                // Its shown path, made in the worker's room (for the mix,
                // and kept only when the entry's path does not give it).
                let shown = match place.shown_dir {
                    Some(dir) => {
                        let room = worker.shown.as_mut_os_string();
                        room.clear();
                        room.push(dir.as_os_str());
                        worker.shown.push(place.key);
                        None
                    }
                    None => Some(corpus::display_path(&file.path)),
                };
                let mix = (sum.propositions().next().is_some())
                    .then(|| mix(shown.as_deref().unwrap_or(&worker.shown), &sum.digest));
                let unread = Unread {
                    slot,
                    index: index as u32,
                    sum,
                    size,
                    modified,
                    mix,
                    shown,
                };
                return (same, Ok(Got::Unread(unread)));
            }
        }
    }
    let outcome = read_one(opened, place, matching, cache, slot, worker);
    (same, outcome.map(Got::Read))
}

/// What one article gave, from the cache or read afresh. Its claims' article
/// index is not set yet.
struct Outcome<'c> {
    article: Article,
    sentences: usize,
    claims: Vec<Claim>,
    /// The cache entry to keep, when there is a cache.
    entry: Option<Kept<'c>>,
    cached: bool,
    /// Its cache entry's body's, with a cache.
    digest: Option<[u8; 16]>,
}

/// Reads and matches an article, or takes it from the cache (its entry
/// there is `slot`) when the file is unchanged. The article's text is
/// dropped before returning.
fn read_one<'c>(
    opened: Opened,
    place: Place<'_>,
    matching: Matching<'_>,
    cache: Option<&'c Cache>,
    slot: Option<&'c Slot>,
    worker: &mut Worker,
) -> Result<Outcome<'c>, Error> {
    let rulebook = matching.rulebook;
    let Worker {
        scratch,
        buffer,
        window,
        ..
    } = worker;
    let path = opened.path;
    let stamp = cache.and(opened.stamp);
    let reuse = |cache: &'c Cache,
                 slot: &'c Slot,
                 size: u64,
                 modified: u128,
                 window: &mut cache::Window| {
        // Each pattern's text once, as for claims made now.
        let pattern = |proposition: usize, text: &str| {
            rulebook
                .pattern_text(proposition, text)
                .unwrap_or_else(|| text.into())
        };
        // A damaged entry is no hit: the article is read again.
        let (article, sentences, claims) = cache.body(slot, window, pattern, |body| {
            let article = body.article.into_article(place.shown(path))?;
            Some((article, body.sentences, body.claims))
        })?;
        Some(Outcome {
            article,
            sentences,
            claims,
            entry: Some(Kept::Old {
                slot,
                size,
                modified,
            }),
            cached: true,
            digest: cache.sum(slot).map(|s| s.digest),
        })
    };
    if let (Some(cache), Some(slot), Some((size, modified))) = (cache, slot, stamp) {
        if slot.same_stamp(size, modified) {
            if let Some(hit) = reuse(cache, slot, size, modified, window) {
                return Ok(hit);
            }
        }
    }
    let room = std::mem::take(buffer);
    let bytes = match opened.file {
        Some(handle) => corpus::read_open(path, handle, opened.size, Looked::ThroughFile, room)?,
        None => {
            let handle = corpus::open_file(path)?;
            corpus::read_open(path, handle, opened.size, Looked::ByPath, room)?
        }
    };
    let hash = cache.map(|_| cache::content_hash(&bytes));
    if let (Some(cache), Some(slot), Some(hash), Some((size, modified))) =
        (cache, slot, &hash, stamp)
    {
        if slot.same_hash(hash) {
            if let Some(hit) = reuse(cache, slot, size, modified, window) {
                return Ok(hit);
            }
        }
    }
    let mut article = corpus::article_from_bytes(path, bytes, &rulebook.language)?;
    // Claims point at their article by index, given when batches merge.
    let options = Options {
        full_scan: matching.options.full_scan || matching.whole.take(),
        ..matching.options
    };
    let analysis = matcher::analyze(0, &article, rulebook, options, scratch)?;
    // The text's room serves the worker's next article.
    *buffer = std::mem::take(&mut article.text).into_bytes();
    let entry = match (hash, stamp) {
        (Some(hash), Some((size, modified))) => {
            let head = Head {
                path: place.key.to_path_buf(),
                size,
                modified,
                hash,
            };
            Some(Kept::new(
                head,
                &article,
                analysis.sentences,
                &analysis.claims,
            ))
        }
        _ => None,
    };
    let digest = entry.as_ref().and_then(Kept::digest);
    Ok(Outcome {
        article,
        sentences: analysis.sentences,
        claims: analysis.claims,
        entry,
        cached: false,
        digest,
    })
}

fn match_options(options: &RunOptions) -> Options {
    Options {
        include_comments: options.include_comments,
        detail: false,
        full_scan: options.full_scan,
    }
}

fn finish(
    rulebook: Rulebook,
    articles: Vec<Article>,
    sentences: usize,
    claims: Vec<Claim>,
    options: &RunOptions,
) -> Run {
    let window_days = options.window_days.unwrap_or(rulebook.conflict_window_days);
    let (articles_total, claims_total) = (articles.len(), claims.len());
    Run {
        rulebook,
        articles,
        sentences,
        claims,
        ledger: std::sync::OnceLock::new(),
        window_days,
        warnings: Vec::new(),
        cached: 0,
        skipped: Vec::new(),
        cache_key: None,
        articles_total,
        claims_total,
        outline: None,
        mixes: Vec::new(),
    }
}

/// Matches already loaded articles.
pub fn analyze(
    rulebook: Rulebook,
    articles: Vec<Article>,
    options: &RunOptions,
) -> Result<Run, Error> {
    let match_options = match_options(options);
    let analyses: Vec<matcher::Analysis> = articles
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (i, article)| {
            matcher::analyze(i, article, &rulebook, match_options, scratch)
        })
        .collect::<Result<_, _>>()?;
    let sentences = analyses.iter().map(|a| a.sentences).sum();
    let claims: Vec<Claim> = analyses.into_iter().flat_map(|a| a.claims).collect();
    Ok(finish(rulebook, articles, sentences, claims, options))
}

/// Finds `name` (a folder) in `start` or the nearest ancestor that has it, the
/// way git finds `.git`.
pub fn discover(start: &Path, name: &str) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article from the cache is shown at the path a fresh read shows,
    /// however the corpus folder was named.
    #[test]
    fn an_article_from_the_cache_is_shown_where_a_read_shows_it() {
        let cwd = std::env::current_dir().unwrap();
        let dirs = [
            PathBuf::from("corpus"),
            PathBuf::from("./corpus"),
            PathBuf::from("corpus/"),
            PathBuf::from("."),
            cwd.join("corpus"),
            cwd.clone(),
            PathBuf::from("/elsewhere/corpus"),
        ];
        for dir in &dirs {
            let path = dir.join("2012").join("a b.md");
            let key = quick_inside(&path, dir).expect("a walk's path");
            let shown = corpus::display_path(dir);
            let place = Place {
                key,
                shown_dir: Some(&shown),
            };
            assert_eq!(
                place.shown(&path),
                corpus::display_path(&path),
                "{}",
                dir.display()
            );
        }
    }

    /// The quick way gives what `Path::strip_prefix` gives, or leaves the
    /// path to it, for the paths a walk makes and for those it tidies.
    #[test]
    fn a_path_inside_the_corpus_is_what_strip_prefix_gives() {
        // The path, the folder, and whether the quick way takes it.
        let cases = [
            ("corpus/2012/a.md", "corpus", true),
            ("corpus/2012/a.md", "corpus/", true),
            ("./corpus/a.md", "./corpus", true),
            ("/abs/corpus/x y/é.md", "/abs/corpus", true),
            ("corpus/a./b.md", "corpus", true),
            ("corpus/.hidden/b.md", "corpus", true),
            ("./a.md", ".", true),
            ("corpus//a.md", "corpus", false),
            ("corpus/./a.md", "corpus", false),
            ("corpusx/a.md", "corpus", false),
            ("other/a.md", "corpus", false),
            ("corpus", "corpus", false),
            ("a.md", ".", false),
        ];
        for (path, dir, quick) in cases {
            let (path, dir) = (Path::new(path), Path::new(dir));
            let found = quick_inside(path, dir);
            assert_eq!(
                found.is_some(),
                quick,
                "{} in {}",
                path.display(),
                dir.display()
            );
            if let Some(found) = found {
                assert_eq!(Ok(found), path.strip_prefix(dir), "{}", path.display());
            }
        }
    }
}
