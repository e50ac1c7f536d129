//! The incremental cache: what each article gave last time, so a re-check
//! after adding one article reads one article.
//!
//! One file per rulebook, `claims-<key>.jsonl` under the cache folder
//! (`.volte-cache/` beside the rules folder by default). The key hashes
//! everything that decides what an article gives: volte's version, the rule
//! files, the lexicons and the run's options. Each entry is keyed by the
//! article's path and checked first by size and modification time (no read),
//! then by a BLAKE3 hash of its content (a touched but unchanged file is not
//! matched again). Articles that fail to load are never cached.
//!
//! A run that changes no entry writes nothing. The entries that changed are
//! added to the end of the file, in one write after its last whole line (a
//! later line for a path overrides an earlier one; a last line cut short by
//! a crash is passed over): adding an article writes one line. When they are
//! many, or the file holds mostly overridden lines, it is written anew as
//! the articles come, to a temporary name renamed into place at the end, so
//! an interrupted or failed run leaves the old cache whole. No run holds the
//! whole file. It is safe to delete, and a corrupt or foreign one is ignored
//! with a warning.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::corpus::{self, Article, PartialDate};
use crate::matcher::Claim;
use crate::rulebook::Rulebook;

/// Bumped whenever the file layout or the meaning of an entry changes.
const FORMAT: u32 = 4;

/// A file modified this close to the moment the cache is written could change
/// again within the same timestamp: its entry is checked by content next time.
const RACY_NANOS: u128 = 2_000_000_000;

/// The cache of one run: the heads of the file found at the start, indexed
/// by path, and the file itself, open. An entry's body (its article and
/// claims) is read and parsed only when the article is unchanged, on the
/// worker that would otherwise have read the article, and copied back as it
/// was; the file is never held whole.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    key: String,
    /// The file found, open, shared by the workers that read its bodies.
    file: Option<std::fs::File>,
    /// Held while a body is read where there is no positional read.
    #[cfg(not(unix))]
    seek: std::sync::Mutex<()>,
    /// Its entry lines (a path may have several: the last counts), and its
    /// length up to the end of its last whole line.
    lines: usize,
    whole: u64,
    /// The entries, one per path, found through `index` by the hash of
    /// their path: a map from paths would hold each path twice, and a table
    /// of the entries themselves a third more room than there are entries.
    slots: Vec<Slot>,
    index: hashbrown::HashTable<u32>,
    /// The entries' paths, one after the other.
    paths: String,
    hasher: foldhash::fast::RandomState,
    /// Why the cache on disk was not used, for a warning.
    pub warning: Option<String>,
}

/// One entry of the file found at the start: its [`Head`], with the path
/// kept in the cache's one string of paths.
#[derive(Debug)]
pub struct Slot {
    path: Range<u32>,
    size: u64,
    modified: u128,
    hash: [u8; 32],
    /// Where its body is in the file.
    body: Range<u64>,
}

/// A head as volte writes it, read without the JSON parser (most of the
/// time of opening a large cache went there); anything else (an escaped
/// path, another order, spaces) goes through serde_json, as it would have.
fn parse_head(bytes: &[u8]) -> serde_json::Result<Head> {
    fast_head(bytes).map_or_else(|| serde_json::from_slice(bytes), Ok)
}

fn fast_head(bytes: &[u8]) -> Option<Head> {
    fn number(bytes: &[u8]) -> Option<(u128, &[u8])> {
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        // JSON has no leading zeros; a long one goes to serde_json's errors.
        if digits == 0 || (digits > 1 && bytes[0] == b'0') || digits > 38 {
            return None;
        }
        let value = bytes[..digits]
            .iter()
            .fold(0u128, |n, d| n * 10 + u128::from(d - b'0'));
        Some((value, &bytes[digits..]))
    }
    let rest = bytes.strip_prefix(b"{\"path\":\"")?;
    let end = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    if rest[end] != b'"' {
        return None;
    }
    let path = std::str::from_utf8(&rest[..end]).ok()?;
    let rest = rest[end + 1..].strip_prefix(b",\"size\":")?;
    let (size, rest) = number(rest)?;
    let size = u64::try_from(size).ok()?;
    let rest = rest.strip_prefix(b",\"modified\":")?;
    let (modified, rest) = number(rest)?;
    let rest = rest.strip_prefix(b",\"hash\":\"")?;
    let hex = rest.get(..64)?;
    if rest.get(64..)? != b"\"}" {
        return None;
    }
    let hash = blake3::Hash::from_hex(hex).ok()?;
    Some(Head {
        path: PathBuf::from(path),
        size,
        modified,
        hash: *hash.as_bytes(),
    })
}

/// The path of `slot`, in the cache's string of paths.
fn path_of<'p>(paths: &'p str, slot: &Slot) -> &'p Path {
    Path::new(path_text(paths, slot))
}

/// The bytes a path is found by: hashed and compared as they are, which
/// costs a fraction of `Path`'s component by component hash (the paths
/// come from the same walk, written the same way).
fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

fn path_text<'p>(paths: &'p str, slot: &Slot) -> &'p str {
    paths
        .get(slot.path.start as usize..slot.path.end as usize)
        .unwrap_or_default()
}

/// A [`Head`], borrowed, to write an entry.
#[derive(Serialize)]
struct HeadOut<'a> {
    path: &'a str,
    size: u64,
    modified: u128,
    #[serde(with = "hex")]
    hash: &'a [u8; 32],
}

/// What identifies an article's file: a line of the cache starts with it,
/// then a tab (never raw inside JSON), then the [`Body`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Head {
    pub path: PathBuf,
    pub size: u64,
    /// Nanoseconds since the epoch; 0 when the time is not to be trusted.
    pub modified: u128,
    /// BLAKE3 of the file (in hex in the file).
    #[serde(with = "hex")]
    pub hash: [u8; 32],
}

/// A hash written as 64 hex digits.
pub(crate) mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&blake3::Hash::from_bytes(*hash).to_hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = <&str>::deserialize(d)?;
        blake3::Hash::from_hex(text)
            .map(|h| *h.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// What one article gave; its names borrowed from the bytes it is read
/// from where they hold no escape.
#[derive(Debug, Serialize, Deserialize)]
pub struct Body<'a> {
    #[serde(borrow)]
    pub article: CachedArticle<'a>,
    pub sentences: usize,
    pub claims: Vec<Claim>,
}

/// [`Body`], borrowed, to write a new entry.
#[derive(Serialize)]
struct BodyOut<'a> {
    article: &'a CachedArticle<'a>,
    sentences: usize,
    claims: &'a [Claim],
}

/// An article without its text. Written from an [`Article`]'s names and
/// read back without a copy of each: they go straight into the article.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedArticle<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub date: Cow<'a, str>,
    #[serde(borrow)]
    pub source: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub title: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub lang: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "borrowed")]
    pub date_note: Option<Cow<'a, str>>,
    pub id_line: Option<usize>,
    pub date_line: usize,
    pub lang_line: usize,
}

/// What one article leaves in the cache for next time: its entry from this
/// time's cache (unchanged, perhaps touched), or a new one.
#[derive(Debug)]
pub enum Kept<'c> {
    Old {
        slot: &'c Slot,
        size: u64,
        modified: u128,
    },
    New {
        head: Head,
        /// The body, as JSON.
        body: Vec<u8>,
    },
}

impl Kept<'_> {
    /// A new entry for an article just read.
    pub fn new(head: Head, article: &Article, sentences: usize, claims: &[Claim]) -> Kept<'static> {
        let body = BodyOut {
            article: &CachedArticle::of(article),
            sentences,
            claims,
        };
        Kept::New {
            head,
            body: serde_json::to_vec(&body).expect("a claim always serializes"),
        }
    }
}

/// The first line of the file; each line after it is one entry, so the
/// entries are read and written on every core.
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    key: String,
}

fn corrupt(at: &str, e: &serde_json::Error) -> String {
    format!("{at}: corrupt ({e}); ignoring it and reading every article")
}

/// The lines of a file, as ranges, without the empty ones.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Iterator for Lines<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        while self.at < self.bytes.len() {
            let start = self.at;
            let end =
                memchr::memchr(b'\n', &self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
            self.at = end + 1;
            if end > start {
                return Some(start..end);
            }
        }
        None
    }
}

/// How much of the cache file is read at a time to find its heads. Debug
/// builds (the tests') read a kilobyte at a time, so that lines cross the
/// edges of blocks in every test of the cache.
const BLOCK: usize = if cfg!(debug_assertions) {
    1 << 10
} else {
    4 << 20
};

/// A claims cache of volte's own (`claims-` and 16 hex digits, `.jsonl`, or
/// `.json` from before), so that a `--cache-dir` shared with other files
/// loses none of them.
fn is_cache_file(name: &str) -> bool {
    let key = name
        .strip_prefix("claims-")
        .and_then(|n| n.strip_suffix(".jsonl").or_else(|| n.strip_suffix(".json")));
    key.is_some_and(|k| k.len() == 16 && k.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The size and modification time of a file, as the cache compares them.
pub fn stamp(path: &Path) -> Option<(u64, u128)> {
    crate::corpus::stamp(&std::fs::metadata(path).ok()?)
}

/// The hex BLAKE3 hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

/// The key of a rulebook: any change to a rule file, a lexicon, volte itself
/// or the options gives another key, and so a fresh cache.
pub fn key(rulebook: &Rulebook, rules_dir: &Path, include_comments: bool) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(format!("volte {} format {FORMAT}\n", env!("CARGO_PKG_VERSION")).as_bytes());
    hasher.update(if include_comments {
        b"comments\n"
    } else {
        b"body\n"
    });
    for (name, text) in crate::lexicon::BUILTIN {
        hasher.update(name.as_bytes());
        hasher.update(text.as_bytes());
    }
    let mut files: Vec<PathBuf> = rulebook.files.clone();
    if let Ok(lexicons) = crate::rulebook::yaml_files(&rules_dir.join("lexicons")) {
        files.extend(lexicons);
    }
    // Each file by its name and its folder's (`rules/x.yaml`,
    // `lexicons/fr.yaml`), not the path the run was given: the same rules
    // from another working folder are the same cache.
    let name = |file: &Path| -> String {
        let last = |p: Option<&Path>| {
            p.and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        format!("{}/{}", last(file.parent()), last(Some(file)))
    };
    let mut files: Vec<(String, PathBuf)> = files.into_iter().map(|f| (name(&f), f)).collect();
    files.sort();
    for (name, file) in files {
        hasher.update(name.as_bytes());
        hasher.update(&std::fs::read(&file).unwrap_or_default());
    }
    hasher.finalize().to_hex()[..16].to_string()
}

impl Cache {
    /// Opens the cache for `key` in `dir`. A missing cache is empty; an
    /// unreadable or corrupt one is empty with a warning.
    pub fn open(dir: &Path, key: String) -> Cache {
        let mut cache = Cache {
            dir: dir.to_path_buf(),
            key,
            file: None,
            lines: 0,
            whole: 0,
            slots: Vec::new(),
            index: hashbrown::HashTable::new(),
            paths: String::new(),
            hasher: Default::default(),
            #[cfg(not(unix))]
            seek: Default::default(),
            warning: None,
        };
        let path = cache.file();
        let unreadable =
            |e: std::io::Error| format!("{}: {e}; reading every article", path.display());
        // Read a block at a time to find the heads, each block's on every
        // core: the bodies are read again one by one, as the articles need
        // them, so the file is never held whole.
        let mut file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return cache,
            Err(e) => {
                cache.warning = Some(unreadable(e));
                return cache;
            }
        };
        // The bytes not yet split into lines, and where they start in the file.
        use std::io::Read as _;
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK);
        let mut base = 0usize;
        // Line numbers from 1: the header, then the entries.
        let mut number = 1usize;
        let mut found = 0usize;
        loop {
            let before = buf.len();
            let read = std::io::Read::take(&mut file, BLOCK as u64).read_to_end(&mut buf);
            let end = match read {
                Ok(n) => n == 0,
                Err(e) => {
                    cache.warning = Some(unreadable(e));
                    return Cache {
                        slots: Default::default(),
                        ..cache
                    };
                }
            };
            // A last line cut short is an addition that was interrupted: the
            // lines before it stand.
            let whole = buf[before..]
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|i| before + i + 1);
            let Some(whole) = whole else {
                if !end {
                    continue;
                }
                if base == 0 && !buf.is_empty() {
                    cache.warning = Some(format!(
                        "{}:1: corrupt (no whole first line); ignoring it and reading every article",
                        path.display()
                    ));
                }
                break;
            };
            let bytes = &buf[..whole];
            let mut lines = Lines { bytes, at: 0 };
            if number == 1 {
                let Some(first) = lines.next() else { break };
                match serde_json::from_slice::<Header>(&bytes[first]) {
                    Ok(h) if h.format == FORMAT && h.key == cache.key => {}
                    Ok(_) => {
                        cache.warning = Some(format!(
                            "{}: written by another version of volte; reading every article",
                            path.display()
                        ));
                        return cache;
                    }
                    Err(e) => {
                        cache.warning = Some(corrupt(&format!("{}:1", path.display()), &e));
                        return cache;
                    }
                }
                number = 2;
            }
            let lines: Vec<(usize, Range<usize>)> = (number..).zip(lines).collect();
            number += lines.len();
            let slots: Result<Vec<(Head, Range<u64>)>, String> = lines
                .par_iter()
                .map(|(n, line)| {
                    let at = || format!("{}:{n}", path.display());
                    let tab = memchr::memchr(b'\t', &bytes[line.clone()]).ok_or_else(|| {
                        format!(
                            "{}: corrupt (no tab); ignoring it and reading every article",
                            at()
                        )
                    })?;
                    let head = parse_head(&bytes[line.start..line.start + tab])
                        .map_err(|e| corrupt(&at(), &e))?;
                    let body = (base + line.start + tab + 1) as u64..(base + line.end) as u64;
                    Ok((head, body))
                })
                .collect();
            let slots = match slots {
                Ok(slots) => slots,
                Err(warning) => {
                    cache.warning = Some(warning);
                    return Cache {
                        slots: Default::default(),
                        ..cache
                    };
                }
            };
            found += slots.len();
            let Cache {
                slots: all,
                index,
                paths,
                hasher,
                ..
            } = &mut cache;
            all.reserve(slots.len());
            index.reserve(slots.len(), |&i| {
                hasher.hash_one(path_text(paths, &all[i as usize]).as_bytes())
            });
            for (head, body) in slots {
                // Paths come from JSON strings: always UTF-8.
                let Some(path) = head.path.to_str() else {
                    continue;
                };
                let at = hasher.hash_one(path.as_bytes());
                let (Ok(start), Ok(end)) = (
                    u32::try_from(paths.len()),
                    u32::try_from(paths.len() + path.len()),
                ) else {
                    break;
                };
                paths.push_str(path);
                let slot = Slot {
                    path: start..end,
                    size: head.size,
                    modified: head.modified,
                    hash: head.hash,
                    body,
                };
                // A path listed twice (a hand-edited file): the last wins.
                let same = |&i: &u32| path_text(paths, &all[i as usize]) == path;
                match index.find(at, same) {
                    Some(&i) => all[i as usize] = slot,
                    None => {
                        let Ok(i) = u32::try_from(all.len()) else {
                            break;
                        };
                        all.push(slot);
                        let hash = |&i: &u32| {
                            hasher.hash_one(path_text(paths, &all[i as usize]).as_bytes())
                        };
                        index.insert_unique(at, i, hash);
                    }
                }
            }
            buf.drain(..whole);
            base += whole;
            if end {
                break;
            }
        }
        if number > 1 {
            cache.lines = found;
            cache.whole = base as u64;
            cache.file = Some(file);
            cache.slots.shrink_to_fit();
            cache.paths.shrink_to_fit();
        } else {
            cache.slots = Vec::new();
            cache.index = Default::default();
        }
        cache
    }

    fn file(&self) -> PathBuf {
        self.dir.join(format!("claims-{}.jsonl", self.key))
    }

    /// The entry for `path` if the file's size and time are unchanged.
    pub fn by_stamp(&self, path: &Path, size: u64, modified: u128) -> Option<&Slot> {
        self.slot(path)
            .filter(|s| s.modified != 0 && s.size == size && s.modified == modified)
    }

    /// The entry for `path` if the file's content is unchanged.
    pub fn by_hash(&self, path: &Path, hash: &[u8; 32]) -> Option<&Slot> {
        self.slot(path).filter(|s| &s.hash == hash)
    }

    fn slot(&self, path: &Path) -> Option<&Slot> {
        let slots = &self.slots;
        self.index
            .find(self.hasher.hash_one(path_bytes(path)), |&i| {
                path_text(&self.paths, &slots[i as usize]).as_bytes() == path_bytes(path)
            })
            .map(|&i| &slots[i as usize])
    }

    /// What `take` makes of the entry's body; `None` if it is damaged or
    /// no longer there, and the article must be read again.
    pub fn body<T>(&self, slot: &Slot, take: impl FnOnce(Body<'_>) -> Option<T>) -> Option<T> {
        take(serde_json::from_slice(&self.read(&slot.body).ok()?).ok()?)
    }

    /// Bytes of the file found at the start.
    fn read(&self, range: &Range<u64>) -> std::io::Result<Vec<u8>> {
        let mut bytes = vec![0; usize::try_from(range.end - range.start).unwrap_or(0)];
        let file = self.file.as_ref().ok_or(std::io::ErrorKind::NotFound)?;
        // Every worker reads at its own offset: no lock, no seek.
        #[cfg(unix)]
        std::os::unix::fs::FileExt::read_exact_at(file, &mut bytes, range.start)?;
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let _one = self
                .seek
                .lock()
                .map_err(|_| std::io::Error::other("cache file"))?;
            let mut file = file;
            file.seek(SeekFrom::Start(range.start))?;
            file.read_exact(&mut bytes)?;
        }
        Ok(bytes)
    }

    /// Adds `lines` to the end of the file found, after its last whole line.
    fn append(&self, lines: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let found = self.file.as_ref().ok_or(std::io::ErrorKind::NotFound)?;
        let found = found.metadata()?;
        // Appending: two runs adding at once each land whole, one after the other.
        let mut out = std::fs::OpenOptions::new().append(true).open(self.file())?;
        let now = out.metadata()?;
        // Another volte may have put a new file in its place meanwhile.
        if now.len() != found.len() || now.modified().ok() != found.modified().ok() {
            return Err(std::io::Error::other("changed by another run meanwhile"));
        }
        if now.len() != self.whole {
            // A last line cut short goes first.
            out.set_len(self.whole)?;
        }
        // One write: a reader sees the lines whole, or a last one cut short.
        out.write_all(lines)
    }

    /// How many entries the file found at the start holds.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// The cache being written, an entry at a time as the articles come, in
/// order. Nothing is written while every entry so far is one found at the
/// start, unchanged. The entries that changed (an article added, edited or
/// touched) are kept aside and, at the end, added to the end of the file
/// found, where a later line for a path overrides an earlier one: adding one
/// article writes one line. When they grow past [`APPEND_LIMIT`], or when
/// the file would hold more than twice as many lines as live entries, a new
/// file is written instead, streamed: the unchanged entries so far copied,
/// then the rest as they come, renamed into place at the end. No run holds
/// the whole cache.
pub struct Store<'c> {
    cache: &'c Cache,
    /// A time for the racy check: an entry modified this close to it is
    /// checked by content next time.
    now: u128,
    /// Entries so far, while each is one found at the start, unchanged.
    unchanged: Vec<&'c Slot>,
    /// The lines of the entries that changed, while they may still be added
    /// to the file found.
    added: Vec<u8>,
    added_lines: usize,
    /// The new file, once one is needed.
    writer: Option<crate::fsutil::Staged>,
    count: usize,
    failed: Option<String>,
}

/// Bytes of changed entries kept aside to add to the file found; past it,
/// the file is written anew.
const APPEND_LIMIT: usize = 8 << 20;

impl<'c> Store<'c> {
    pub fn new(cache: &'c Cache) -> Self {
        Store {
            cache,
            now: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            unchanged: Vec::new(),
            added: Vec::new(),
            added_lines: 0,
            writer: None,
            count: 0,
            failed: None,
        }
    }

    /// The next article's entry.
    pub fn put(&mut self, kept: Kept<'c>) {
        self.count += 1;
        if self.failed.is_some() {
            return;
        }
        if let Err(e) = self.take(kept) {
            self.failed = Some(e);
        }
    }

    fn take(&mut self, kept: Kept<'c>) -> Result<(), String> {
        if self.writer.is_none() {
            if let Kept::Old {
                slot,
                size,
                modified,
            } = &kept
            {
                // Unchanged as it would be written: a time still too recent
                // to trust stays 0.
                if slot.size == *size && slot.modified == self.trusted(*modified) {
                    self.unchanged.push(slot);
                    return Ok(());
                }
            }
            let Some(line) = self.line(&kept)? else {
                return Ok(());
            };
            if self.cache.file.is_some() && self.added.len() + line.len() <= APPEND_LIMIT {
                self.added.extend_from_slice(&line);
                self.added_lines += 1;
                return Ok(());
            }
            self.start()?;
            return self.write(&line);
        }
        match self.line(&kept)? {
            Some(line) => self.write(&line),
            None => Ok(()),
        }
    }

    /// A modification time as the cache keeps it: 0 when it is too close to
    /// now (or after it) to be trusted.
    fn trusted(&self, modified: u128) -> u128 {
        if self.now.saturating_sub(modified) < RACY_NANOS {
            0
        } else {
            modified
        }
    }

    /// The line of an entry: its head, a tab, its body; `None` for a file
    /// whose name is not UTF-8 (JSON cannot hold it: that article is read
    /// every time).
    fn line(&self, kept: &Kept<'_>) -> Result<Option<Vec<u8>>, String> {
        let old_body;
        let (path, hash, size, modified, body) = match kept {
            Kept::Old {
                slot,
                size,
                modified,
            } => {
                old_body = self.cache.read(&slot.body).map_err(|e| e.to_string())?;
                let path = path_of(&self.cache.paths, slot).to_str();
                (path, &slot.hash, *size, *modified, old_body.as_slice())
            }
            Kept::New { head, body } => (
                head.path.to_str(),
                &head.hash,
                head.size,
                head.modified,
                body.as_slice(),
            ),
        };
        let Some(path) = path else {
            return Ok(None);
        };
        let head = HeadOut {
            path,
            size,
            modified: self.trusted(modified),
            hash,
        };
        let mut line = serde_json::to_vec(&head).map_err(|e| e.to_string())?;
        line.push(b'\t');
        line.extend_from_slice(body);
        line.push(b'\n');
        Ok(Some(line))
    }

    /// Opens a new file and copies into it the unchanged entries so far and
    /// the changed ones kept aside.
    fn start(&mut self) -> Result<(), String> {
        let dir = &self.cache.dir;
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // A run that stops early (an article in error) drops it unfinished,
        // and the cache stays as it was.
        self.writer =
            Some(crate::fsutil::Staged::create(&self.cache.file()).map_err(|e| e.to_string())?);
        let header = Header {
            format: FORMAT,
            key: self.cache.key.clone(),
        };
        let mut first = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
        first.push(b'\n');
        self.write(&first)?;
        for slot in std::mem::take(&mut self.unchanged) {
            let kept = Kept::Old {
                slot,
                size: slot.size,
                modified: slot.modified,
            };
            if let Some(line) = self.line(&kept)? {
                self.write(&line)?;
            }
        }
        let added = std::mem::take(&mut self.added);
        self.added_lines = 0;
        self.write(&added)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        match &mut self.writer {
            Some(writer) => std::io::Write::write_all(writer, bytes).map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    /// Adds the changed entries to the file found, or puts the new file in
    /// place and removes the caches of other rulebooks. A failure is for a
    /// warning: the next run reads the articles again.
    pub fn finish(mut self) -> Result<(), String> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let path = self.cache.file();
        if self.writer.is_none() {
            let lines = self.cache.lines + self.added_lines;
            if lines <= 2 * self.count + 16 {
                if self.added_lines == 0 {
                    return Ok(());
                }
                let added = std::mem::take(&mut self.added);
                return self
                    .cache
                    .append(&added)
                    .map_err(|e| format!("{}: {e}", path.display()));
            }
            // Mostly lines no entry uses any more: written anew.
            self.start()?;
        }
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        writer.commit().map_err(|e| e.to_string())?;
        if let Ok(others) = std::fs::read_dir(&self.cache.dir) {
            for other in others.flatten() {
                let name = other.file_name().to_string_lossy().into_owned();
                let ours = path.file_name().is_some_and(|n| n == other.file_name());
                if !ours && is_cache_file(&name) {
                    let _ = std::fs::remove_file(other.path());
                }
            }
        }
        Ok(())
    }
}

/// An optional name, borrowed as a name is (serde borrows a bare `Cow`
/// only).
fn borrowed<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Name<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Name>::deserialize(d)?.map(|n| n.0))
}

impl<'a> CachedArticle<'a> {
    pub fn of(article: &'a Article) -> Self {
        CachedArticle {
            id: article.id().into(),
            date: article.date.to_string().into(),
            source: article.source().into(),
            title: article.title().map(Cow::from),
            url: article.url().map(Cow::from),
            lang: article.lang().into(),
            date_note: article.date_note().map(Cow::from),
            id_line: article.id_line,
            date_line: article.date_line,
            lang_line: article.lang_line,
        }
    }

    /// The article back, without its text; `None` if the date no longer parses.
    pub fn into_article(&self, path: &Path) -> Option<Article> {
        let names = corpus::Names {
            id: &self.id,
            source: &self.source,
            title: self.title.as_deref(),
            url: self.url.as_deref(),
            lang: &self.lang,
            date_note: self.date_note.as_deref(),
        };
        let mut article = Article::new(
            names,
            path.to_path_buf(),
            PartialDate::parse(&self.date).ok()?,
        );
        article.id_line = self.id_line;
        article.date_line = self.date_line;
        article.lang_line = self.lang_line;
        Some(article)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are borrowed from the body where they can be and copied where
    /// JSON escaped them: either way the article comes back as it was.
    #[test]
    fn an_article_comes_back_from_its_body_as_it_was() {
        let plain = corpus::Names {
            id: "a-1",
            source: "RFI",
            title: Some("Le marché de Kayes"),
            url: None,
            lang: "fr",
            date_note: None,
        };
        let escaped = corpus::Names {
            id: "a-\"2\"",
            source: "Le \\ Pays",
            title: Some("«\u{1}» \"cité\""),
            url: Some("https://example.org/a?b=\"c\""),
            lang: "fr",
            date_note: Some("daté \"vers\" 2012"),
        };
        for names in [plain, escaped] {
            let date = PartialDate::parse("2012-02").unwrap();
            let article = Article::new(names, PathBuf::from("a.md"), date);
            let body = BodyOut {
                article: &CachedArticle::of(&article),
                sentences: 3,
                claims: &[],
            };
            let bytes = serde_json::to_vec(&body).unwrap();
            let back: Body<'_> = serde_json::from_slice(&bytes).unwrap();
            let again = back.article.into_article(Path::new("a.md")).unwrap();
            assert_eq!(again.names(), names);
            assert_eq!(again.date.to_string(), "2012-02");
            assert_eq!(back.sentences, 3);
        }
    }
}
