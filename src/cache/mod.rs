//! The incremental cache: what each article gave last time, so a re-check
//! after adding one article reads one article.
//!
//! Two files per rulebook under the cache folder (`.volte-cache/` beside the
//! rules folder by default): `claims-<key>.jsonl`, a line per article (its
//! path, size, time and hash, and where its body is), and
//! `claims-<key>.bodies`, what each article gave (its metadata and claims),
//! read only for the articles reused. Opening the cache reads the heads
//! alone: a tenth of the bytes. The key hashes
//! everything that decides what an article gives: volte's version, the rule
//! files, the lexicons and the run's options. Each entry is keyed by the
//! article's path and checked first by size and modification time (no read),
//! then by a BLAKE3 hash of its content (a touched but unchanged file is not
//! matched again). Articles that fail to load are never cached.
//!
//! A run that changes no entry writes nothing. The entries that changed are
//! added to the end of the files, under a lock, the bodies first, then the
//! heads in one write after the last whole line (a later line for a path
//! overrides an earlier one; a last line cut short by a crash is passed
//! over, and so are bodies no head points at): adding an article writes one
//! line and one body. When they are many, or the heads are mostly
//! overridden lines, both files are written anew as the articles come, to
//! temporary names renamed into place at the end (the bodies first: the
//! heads name the bodies file they go with, by a number drawn for it), so an
//! interrupted or failed run leaves the old cache whole. Runs sharing the
//! folder take turns through `claims.lock` in it: one adding to the files or
//! renaming new ones into place holds it alone, one opening them holds it
//! with the others that open them, so no run opens a heads file with
//! another's bodies; a run that finds the files added to meanwhile adds its
//! entries after those, and one that finds new files in place leaves them.
//! No run holds either file whole. The cache is safe to delete, and a
//! corrupt or foreign one is ignored with a warning.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

mod codec;

use crate::corpus::{self, Article, PartialDate};
use crate::matcher::Claim;

/// Bumped whenever the file layout or the meaning of an entry changes.
const FORMAT: u32 = 6;

/// A file modified this close to the moment the cache is written could change
/// again within the same timestamp: its entry is checked by content next time.
const RACY_NANOS: u128 = 2_000_000_000;

/// The cache of one run: the heads found at the start, indexed by path, and
/// both files, open. An entry's body (its article and claims) is read and
/// parsed only when the article is unchanged, on the worker that would
/// otherwise have read the article, and copied back as it was; neither file
/// is ever held whole.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    key: String,
    /// The heads file found, open, to add to.
    file: Option<std::fs::File>,
    /// Its bodies file, open, shared by the workers that read the bodies,
    /// and its length at the start.
    bodies: Option<std::fs::File>,
    bodies_len: u64,
    /// The number the two files were written with ([`Header::bodies`]).
    generation: String,
    /// The heads file's length when opened (what was read of it).
    heads_len: u64,
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
    /// The entries' sums ([`Sum`]), one after the other.
    sums: String,
    hasher: foldhash::fast::RandomState,
    /// Why the cache on disk was not used, for a warning.
    pub warning: Option<String>,
}

/// Bodies read ahead, for one worker. A worker takes a run of articles in
/// listing order, and their bodies follow one another in that order in the
/// file, so one read of `AHEAD` bytes serves the next few dozen (a read
/// each made a re-check a fifth slower).
#[derive(Debug, Default)]
pub struct Window {
    /// Where `bytes` start in the bodies file.
    start: u64,
    bytes: Vec<u8>,
}

const AHEAD: u64 = 16 << 10;

/// One entry of the file found at the start: its [`Head`], with the path
/// kept in the cache's one string of paths.
#[derive(Debug)]
pub struct Slot {
    path: Range<u32>,
    size: u64,
    modified: u128,
    hash: [u8; 32],
    /// Where its body is in the bodies file.
    body: Range<u64>,
    /// Its [`Sum`], in the cache's string of sums.
    sum: Range<u32>,
}

impl Slot {
    /// Whether the file's size and time are those of the entry (a time of
    /// 0 is one too recent to trust: never the same).
    pub fn same_stamp(&self, size: u64, modified: u128) -> bool {
        self.modified != 0 && self.size == size && self.modified == modified
    }

    /// Whether the file's content is the entry's.
    pub fn same_hash(&self, hash: &[u8; 32]) -> bool {
        &self.hash == hash
    }
}

/// A line of the heads file: a [`Head`]'s fields and where its body is;
/// its path borrowed from the line where it holds no escape.
#[derive(Debug, Deserialize)]
struct HeadLine<'a> {
    #[serde(borrow)]
    path: Cow<'a, str>,
    size: u64,
    modified: u128,
    #[serde(with = "hex")]
    hash: [u8; 32],
    at: u64,
    len: u64,
    #[serde(borrow, default)]
    sum: Cow<'a, str>,
}

/// A head as volte writes it, read without the JSON parser (most of the
/// time of opening a large cache went there); anything else (an escaped
/// path, another order, spaces) goes through serde_json, as it would have.
fn parse_head(bytes: &[u8]) -> serde_json::Result<HeadLine<'_>> {
    fast_head(bytes).map_or_else(|| serde_json::from_slice(bytes), Ok)
}

fn fast_head(bytes: &[u8]) -> Option<HeadLine<'_>> {
    /// A number at the start of `bytes`, and what follows it. One pass,
    /// in a `u64` for the first 19 digits (a time in nanoseconds has 19):
    /// a `u128` a digit cost ten times as much.
    fn number(bytes: &[u8]) -> Option<(u128, &[u8])> {
        let mut low = 0u64;
        let mut digits = 0;
        while let Some(&b) = bytes.get(digits) {
            let d = b.wrapping_sub(b'0');
            if d > 9 || digits == 19 {
                break;
            }
            low = low * 10 + u64::from(d);
            digits += 1;
        }
        let mut value = u128::from(low);
        while let Some(d) = bytes.get(digits).map(|b| b.wrapping_sub(b'0')) {
            if d > 9 {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u128::from(d))?;
            digits += 1;
        }
        // JSON has no leading zeros; a long one goes to serde_json's errors.
        if digits == 0 || (digits > 1 && bytes[0] == b'0') || digits > 38 {
            return None;
        }
        Some((value, &bytes[digits..]))
    }
    /// A string's text up to its closing quote, and what follows the
    /// quote: `None` if it holds an escape or a control character (those
    /// go to serde_json) or is not UTF-8.
    fn string(bytes: &[u8]) -> Option<(&str, &[u8])> {
        let end = memchr::memchr(b'"', bytes)?;
        let text = &bytes[..end];
        // No early exit, so the test runs over whole vectors.
        let odd = text
            .iter()
            .fold(false, |odd, &b| odd | (b < 0x20) | (b == b'\\'));
        if odd {
            return None;
        }
        let text = simdutf8::basic::from_utf8(text).ok()?;
        Some((text, &bytes[end + 1..]))
    }
    let rest = bytes.strip_prefix(b"{\"path\":\"")?;
    let (path, rest) = string(rest)?;
    let rest = rest.strip_prefix(b",\"size\":")?;
    let (size, rest) = number(rest)?;
    let size = u64::try_from(size).ok()?;
    let rest = rest.strip_prefix(b",\"modified\":")?;
    let (modified, rest) = number(rest)?;
    let rest = rest.strip_prefix(b",\"hash\":\"")?;
    let hex = rest.get(..64)?;
    let rest = rest.get(64..)?.strip_prefix(b"\",\"at\":")?;
    let (at, rest) = number(rest)?;
    let rest = rest.strip_prefix(b",\"len\":")?;
    let (len, rest) = number(rest)?;
    let rest = rest.strip_prefix(b",\"sum\":\"")?;
    let (sum, rest) = string(rest)?;
    if rest != b"}" {
        return None;
    }
    Some(HeadLine {
        path: Cow::Borrowed(path),
        size,
        modified,
        hash: hex::decode(hex)?,
        at: u64::try_from(at).ok()?,
        len: u64::try_from(len).ok()?,
        sum: Cow::Borrowed(sum),
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

/// A line of the heads file, borrowed, to write an entry.
#[derive(Serialize)]
struct HeadOut<'a> {
    path: &'a str,
    size: u64,
    modified: u128,
    #[serde(with = "hex")]
    hash: &'a [u8; 32],
    at: u64,
    len: u64,
    sum: &'a str,
}

/// What identifies an article's file; a line of the heads file holds it
/// and where the article's [`Body`] is in the bodies file.
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
        decode(text.as_bytes()).ok_or_else(|| serde::de::Error::custom("not 64 hex digits"))
    }

    /// `bytes` as lowercase hex digits, added to `out`.
    pub fn encode_into(bytes: &[u8], out: &mut String) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for &b in bytes {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
    }

    /// `2 * N` hex digits (either case) as `N` bytes, eight digits at a
    /// time in one `u64` (a table lookup a digit took 6 instructions a
    /// digit, and a re-check reads 96 digits an article).
    pub fn decode<const N: usize>(hex: &[u8]) -> Option<[u8; N]> {
        if hex.len() != 2 * N {
            return None;
        }
        let mut out = [0u8; N];
        let mut chunks = hex.chunks_exact(8);
        let mut bytes = out.chunks_exact_mut(4);
        for (digits, four) in (&mut chunks).zip(&mut bytes) {
            let word = u64::from_le_bytes(digits.try_into().ok()?);
            four.copy_from_slice(&eight(word)?.to_le_bytes());
        }
        // What is left (N not a multiple of 4): a digit pair at a time.
        let tail = chunks.remainder();
        let out_tail = bytes.into_remainder();
        for (byte, pair) in out_tail.iter_mut().zip(tail.chunks_exact(2)) {
            let mut word = [b'0'; 8];
            word[6..].copy_from_slice(pair);
            *byte = (eight(u64::from_le_bytes(word))? >> 24) as u8;
        }
        Some(out)
    }

    /// Eight hex digits, the first in the lowest byte, as the four bytes
    /// they spell (the first in the lowest byte); `None` unless all are
    /// digits.
    fn eight(word: u64) -> Option<u32> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // Each byte's top bit set where `byte >= at` (bytes under 0x80).
        let at_least = |x: u64, at: u8| (x + ONES * u64::from(0x80 - at)) & HIGH;
        if word & HIGH != 0 {
            return None;
        }
        // Letters in lower case; digits already are (0x10 | 0x20 would
        // pass for '0', so they are tested as they are).
        let lower = word | (ONES * 0x20);
        let digit = at_least(word, b'0') & !at_least(word, b'9' + 1);
        let letter = at_least(lower, b'a') & !at_least(lower, b'f' + 1);
        if (digit | letter) != HIGH {
            return None;
        }
        // '0'..'9' to 0..9, 'a'..'f' to 10..15 (no byte borrows: each is
        // at least '0', and a letter at least 0x31 after it).
        let nibbles = lower - ONES * u64::from(b'0') - (letter >> 7) * 0x27;
        // Byte pairs to bytes: the first digit of each pair is its high half.
        let pairs =
            ((nibbles & 0x000f_000f_000f_000f) << 4) | ((nibbles >> 8) & 0x000f_000f_000f_000f);
        let packed = (pairs | (pairs >> 8)) & 0x0000_ffff_0000_ffff;
        Some(((packed | (packed >> 16)) & 0xffff_ffff) as u32)
    }
}

/// What one article gave (written by `codec`); its names borrowed from
/// the bytes it is read from.
#[derive(Debug)]
pub struct Body<'a> {
    pub article: CachedArticle<'a>,
    pub sentences: usize,
    pub claims: Vec<Claim>,
}

/// An article without its text. Written from an [`Article`]'s names and
/// read back without a copy of each: they go straight into the article.
#[derive(Debug, Clone)]
pub struct CachedArticle<'a> {
    pub id: Cow<'a, str>,
    pub date: Cow<'a, str>,
    pub source: Cow<'a, str>,
    pub title: Option<Cow<'a, str>>,
    pub url: Option<Cow<'a, str>>,
    pub lang: Cow<'a, str>,
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
        /// The body, as `codec` writes it.
        body: Vec<u8>,
        /// What its head says of it ([`Sum`]).
        sum: String,
    },
}

impl Kept<'_> {
    /// A new entry for an article just read.
    pub fn new(head: Head, article: &Article, sentences: usize, claims: &[Claim]) -> Kept<'static> {
        let body = codec::encode(&CachedArticle::of(article), sentences, claims);
        let sum = Sum::text(&body, article, sentences, claims);
        Kept::New { head, body, sum }
    }

    /// The digest of a new entry's body ([`Sum::digest`]).
    pub fn digest(&self) -> Option<[u8; 16]> {
        match self {
            Kept::New { sum, .. } => hex::decode(sum.as_bytes().get(..32)?),
            Kept::Old { .. } => None,
        }
    }
}

/// What a head says of its article, so that a re-check can leave the body
/// unread until the report needs it: a digest of the body, the counts the
/// summary shows, the propositions its claims are on, and its id (for the
/// check that no two articles share one). Written
/// `digest:sentences:claims:id line:propositions:id`, the digest as 32 hex
/// digits (half of BLAKE3's), the propositions by number, commas between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum<'a> {
    pub digest: [u8; 16],
    pub sentences: usize,
    pub claims: usize,
    pub id_line: Option<usize>,
    /// By number, in order, each once, commas between ([`Sum::propositions`]).
    propositions: &'a str,
    pub id: &'a str,
}

impl<'a> Sum<'a> {
    /// The propositions its claims are on, in order.
    pub fn propositions(&self) -> impl Iterator<Item = u32> + '_ {
        self.propositions
            .split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
    }

    /// The digest of a body as written.
    pub fn digest(body: &[u8]) -> [u8; 16] {
        let mut digest = [0; 16];
        digest.copy_from_slice(&blake3::hash(body).as_bytes()[..16]);
        digest
    }

    /// The sum of an article with this `body`, as a head holds it (written
    /// by hand: `write!` was two thirds of a new entry's making).
    pub fn text(body: &[u8], article: &Article, sentences: usize, claims: &[Claim]) -> String {
        let mut propositions: Vec<usize> = claims.iter().map(|c| c.proposition).collect();
        propositions.sort_unstable();
        propositions.dedup();
        let mut out = String::with_capacity(64 + article.id().len());
        hex::encode_into(&Sum::digest(body), &mut out);
        let mut number = itoa::Buffer::new();
        for n in [
            sentences,
            claims.len(),
            article.id_line.unwrap_or(0) as usize,
        ] {
            out.push(':');
            out.push_str(number.format(n));
        }
        out.push(':');
        for (i, p) in propositions.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(number.format(*p));
        }
        out.push(':');
        out.push_str(article.id());
        out
    }

    /// Reads a head's sum; `None` for anything else (the body is then read).
    /// One pass over the bytes: a re-check reads one sum per article.
    pub fn parse(text: &'a str) -> Option<Sum<'a>> {
        let bytes = text.as_bytes();
        let digest = hex::decode(bytes.get(..32)?)?;
        let mut at = 32;
        // The field from `at + 1` to the next colon, which must follow.
        let mut field = || -> Option<&'a [u8]> {
            if bytes.get(at) != Some(&b':') {
                return None;
            }
            let start = at + 1;
            // Fields of a few bytes: a plain loop beats memchr's setup.
            at = start + bytes[start..].iter().position(|&b| b == b':')?;
            Some(&bytes[start..at])
        };
        let number = |field: &[u8]| -> Option<usize> {
            if field.is_empty() {
                return None;
            }
            field.iter().try_fold(0usize, |n, &b| {
                b.is_ascii_digit()
                    .then(|| n.checked_mul(10)?.checked_add(usize::from(b - b'0')))
                    .flatten()
            })
        };
        let sentences = number(field()?)?;
        let claims = number(field()?)?;
        let id_line = number(field()?)?;
        let propositions = field()?;
        let mut last: Option<u32> = None;
        if !propositions.is_empty() {
            for p in propositions.split(|&b| b == b',') {
                // Under ten digits: a `u32`.
                let p = (p.len() < 10).then(|| number(p)).flatten()? as u32;
                if last.is_some_and(|l| l >= p) {
                    return None;
                }
                last = Some(p);
            }
        }
        let id = &text[at + 1..];
        (!id.is_empty()).then_some(Sum {
            digest,
            sentences,
            claims,
            id_line: (id_line > 0).then_some(id_line),
            // Only ASCII digits and commas: on character boundaries.
            propositions: &text[at - propositions.len()..at],
            id,
        })
    }
}

/// The first line of the heads file; each line after it is one entry, so
/// the heads are read on every core. `bodies` is the number drawn for the
/// bodies file written with them, which starts with [`bodies_header`].
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    key: String,
    #[serde(default)]
    bodies: String,
}

/// The first line of a bodies file.
fn bodies_header(generation: &str) -> Vec<u8> {
    format!("volte bodies {generation}\n").into_bytes()
}

/// Runs sharing a cache folder take turns through `claims.lock` in it:
/// a run adding to the two files, or putting new ones in their place, holds
/// it alone; a run opening them holds it with the others that open them,
/// so that it opens a heads file and the bodies file written with it, not
/// one of each pair. `None` when it cannot be had (no folder yet, or one
/// that cannot be written to): then the files are used without it, and a
/// mismatched pair is found, as it always is, by the bodies' first line.
fn lock(dir: &Path, alone: bool) -> Option<std::fs::File> {
    let path = dir.join(LOCK);
    // One made by another user may be only theirs to write: it can still
    // be locked.
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .or_else(|_| std::fs::File::open(&path))
        .ok()?;
    let locked = match alone {
        true => file.lock(),
        false => file.lock_shared(),
    };
    locked.ok().map(|()| file)
}

/// The lock file's name in the cache folder ([`lock`]).
const LOCK: &str = "claims.lock";

/// A number for a new bodies file, so that the heads written with it know
/// it from any other (one left by a run that stopped between the two
/// renames, or put in place by another run meanwhile).
fn new_generation() -> String {
    let mut hasher = blake3::Hasher::new();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.update(&now.to_le_bytes());
    hasher.update(&std::process::id().to_le_bytes());
    hasher.update(
        &TEMP
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_le_bytes(),
    );
    hasher.finalize().to_hex()[..16].to_string()
}

static TEMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

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
    // Small enough for its pages to be touched once (4 MB at a time was
    // a thousand page faults, which cost more than the reads).
    256 << 10
};

/// A claims cache of volte's own (`claims-` and 16 hex digits, `.jsonl`
/// or `.bodies`, or `.json` from before), so that a `--cache-dir` shared
/// with other files loses none of them.
fn is_cache_file(name: &str) -> bool {
    let key = name.strip_prefix("claims-").and_then(|n| {
        n.strip_suffix(".jsonl")
            .or_else(|| n.strip_suffix(".bodies"))
            .or_else(|| n.strip_suffix(".json"))
    });
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

/// Whether the cache in `dir` has entries for the rulebook whose key is
/// `key`: its heads file holds more than its header line. A guess for
/// how the run will go, taken before the cache is opened: it is not
/// trusted otherwise.
pub fn has_entries(dir: &Path, key: &str) -> bool {
    // A header line is under 70 bytes, the shortest head over a hundred.
    std::fs::metadata(dir.join(format!("claims-{key}.jsonl"))).is_ok_and(|m| m.len() > 160)
}

/// The key of the rulebook made from `sources` (as
/// [`crate::rulebook::read_sources`] read them, so the cache is opened while
/// the rulebook is compiled from the same text): any change to a rule file,
/// a lexicon, volte itself or the options gives another key, and so a
/// fresh cache.
pub fn key_of(sources: &crate::rulebook::Sources, include_comments: bool) -> String {
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
    // Each file by its name in the rules folder (`x.yaml`,
    // `lexicons/fr.yaml`), not by the path the run was given: the same
    // rules reached from any working folder, or through a link, are the
    // same cache.
    let name = |file: &Path| -> String {
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let rules = sources.rules.iter().map(|(path, text)| (name(path), text));
    let lexicons = sources
        .lexicons
        .iter()
        .map(|(path, text)| (format!("lexicons/{}", name(path)), text));
    let mut files: Vec<(String, &String)> = rules.chain(lexicons).collect();
    files.sort();
    for (name, text) in files {
        hasher.update(name.as_bytes());
        hasher.update(text.as_bytes());
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
            bodies: None,
            bodies_len: 0,
            generation: String::new(),
            heads_len: 0,
            lines: 0,
            whole: 0,
            slots: Vec::new(),
            index: hashbrown::HashTable::new(),
            paths: String::new(),
            sums: String::new(),
            hasher: Default::default(),
            #[cfg(not(unix))]
            seek: Default::default(),
            warning: None,
        };
        let path = cache.file();
        let unreadable =
            |e: std::io::Error| format!("{}: {e}; reading every article", path.display());
        // Both files opened one after the other, while no run puts others
        // in their place.
        let turn = lock(dir, false);
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return cache,
            Err(e) => {
                cache.warning = Some(unreadable(e));
                return cache;
            }
        };
        let bodies_path = cache.bodies_file();
        let bodies = std::fs::File::open(&bodies_path).and_then(|bodies| {
            let len = bodies.metadata()?.len();
            Ok((bodies, len))
        });
        // Their lengths now: what another run adds later is not read (its
        // heads could name bodies past the length taken here).
        let length = file.metadata().map_or(0, |m| m.len());
        drop(turn);
        cache.heads_len = length;
        // Read a block at a time, each block's heads parsed on every core:
        // the bodies are read one by one, as the articles need them.
        let mut heads = std::io::Read::take(&file, length);
        // The bytes not yet split into lines, and where they start in the file.
        use std::io::Read as _;
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK);
        let mut base = 0usize;
        // Line numbers from 1: the header, then the entries.
        let mut number = 1usize;
        let mut found = 0usize;
        let mut generation = String::new();
        loop {
            let before = buf.len();
            let read = std::io::Read::take(&mut heads, BLOCK as u64).read_to_end(&mut buf);
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
                    Ok(h) if h.format == FORMAT && h.key == cache.key => generation = h.bodies,
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
            // Each head parsed straight into its place (a `Result<Vec<_>>`
            // collected on every core was gathered in pieces, then copied).
            let mut parsed: Vec<Result<HeadLine, String>> = Vec::new();
            lines
                .par_iter()
                .map(|(n, line)| {
                    parse_head(&bytes[line.clone()])
                        .map_err(|e| corrupt(&format!("{}:{n}", path.display()), &e))
                })
                .collect_into_vec(&mut parsed);
            if let Some(Err(warning)) = parsed.iter_mut().find(|head| head.is_err()) {
                cache.warning = Some(std::mem::take(warning));
                return Cache {
                    slots: Default::default(),
                    ..cache
                };
            }
            // Every head parsed.
            let slots = || parsed.iter().flatten();
            found += parsed.len();
            let Cache {
                slots: all,
                index,
                paths,
                sums,
                hasher,
                ..
            } = &mut cache;
            // Room for the whole file at the rate of the first block: a
            // table grown block by block hashed every path again at each
            // doubling (a quarter of the time of opening a large cache).
            let expected = if all.is_empty() {
                let rate = parsed.len() as f64 / (whole.max(1) as f64);
                let paths_rate =
                    slots().map(|h| h.path.len()).sum::<usize>() as f64 / (whole.max(1) as f64);
                paths.reserve((paths_rate * length as f64 * 1.05) as usize);
                let sums_rate =
                    slots().map(|h| h.sum.len()).sum::<usize>() as f64 / (whole.max(1) as f64);
                sums.reserve((sums_rate * length as f64 * 1.05) as usize);
                ((rate * length as f64 * 1.05) as usize).max(parsed.len())
            } else {
                parsed.len()
            };
            all.reserve(expected);
            index.reserve(expected, |&i| {
                hasher.hash_one(path_text(paths, &all[i as usize]).as_bytes())
            });
            for head in slots() {
                let body = head.at..head.at.saturating_add(head.len);
                let path = &*head.path;
                let at = hasher.hash_one(path.as_bytes());
                let (Ok(start), Ok(end), Ok(sum_start), Ok(sum_end)) = (
                    u32::try_from(paths.len()),
                    u32::try_from(paths.len() + path.len()),
                    u32::try_from(sums.len()),
                    u32::try_from(sums.len() + head.sum.len()),
                ) else {
                    break;
                };
                paths.push_str(path);
                sums.push_str(&head.sum);
                let slot = Slot {
                    path: start..end,
                    size: head.size,
                    modified: head.modified,
                    hash: head.hash,
                    body,
                    sum: sum_start..sum_end,
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
        if number == 1 {
            cache.slots = Vec::new();
            cache.index = Default::default();
            return cache;
        }
        // The bodies file the heads were written with, or nothing is used.
        let bodies = bodies.and_then(|(mut bodies, len)| {
            let expected = bodies_header(&generation);
            let mut first = vec![0; expected.len()];
            bodies.read_exact(&mut first)?;
            Ok((first == expected).then_some((bodies, len)))
        });
        match bodies {
            Ok(Some((bodies, len))) => {
                cache.bodies = Some(bodies);
                cache.bodies_len = len;
            }
            Ok(None) | Err(_) => {
                cache.warning = Some(format!(
                    "{}: missing, or not the one {} was written with; reading every article",
                    bodies_path.display(),
                    path.display()
                ));
                return Cache {
                    slots: Default::default(),
                    index: Default::default(),
                    ..cache
                };
            }
        }
        cache.lines = found;
        cache.whole = base as u64;
        cache.generation = generation;
        cache.file = Some(file);
        cache.slots.shrink_to_fit();
        cache.paths.shrink_to_fit();
        cache.sums.shrink_to_fit();
        cache
    }

    fn file(&self) -> PathBuf {
        self.dir.join(format!("claims-{}.jsonl", self.key))
    }

    /// The bodies file.
    pub fn bodies_path(&self) -> PathBuf {
        self.bodies_file()
    }

    fn bodies_file(&self) -> PathBuf {
        self.dir.join(format!("claims-{}.bodies", self.key))
    }

    /// The entry for `path` (its path inside the corpus), if there is one;
    /// looked for first just after `near` (the entry found for the article
    /// before, which `near` becomes). Entries are written in listing order
    /// and a worker takes articles in that order, so the next entry is
    /// mostly the one wanted, found without the table and its cache misses.
    pub fn slot_near(&self, path: &Path, near: &mut Option<usize>) -> Option<&Slot> {
        if let Some(next) = near.map(|i| i + 1) {
            if let Some(slot) = self.slots.get(next) {
                if path_text(&self.paths, slot).as_bytes() == path_bytes(path) {
                    // An earlier entry for the same path would have been
                    // overridden in place: this one is the path's only one.
                    *near = Some(next);
                    return Some(slot);
                }
            }
        }
        let found = self.position(path)?;
        *near = Some(found);
        self.slots.get(found)
    }

    /// The entry at `index` among the entries (as [`Cache::slot_near`]
    /// leaves it in `near`).
    pub fn slot_at(&self, index: usize) -> Option<&Slot> {
        self.slots.get(index)
    }

    /// The [`Sum`] of an entry's article, if its head holds a good one
    /// and its body is within the bodies file: then the body can be left
    /// unread until the report needs it.
    pub fn sum(&self, slot: &Slot) -> Option<Sum<'_>> {
        if slot.body.end > self.bodies_len || slot.body.start > slot.body.end {
            return None;
        }
        Sum::parse(self.sum_text(slot))
    }

    fn sum_text(&self, slot: &Slot) -> &str {
        self.sums
            .get(slot.sum.start as usize..slot.sum.end as usize)
            .unwrap_or_default()
    }

    /// The entry's path inside the corpus.
    pub fn path_of(&self, slot: &Slot) -> &Path {
        path_of(&self.paths, slot)
    }

    /// Removes the heads file, so the next run builds the cache anew: for
    /// a body found damaged after the entries were written.
    pub fn discard(&self) -> std::io::Result<()> {
        let _turn = lock(&self.dir, true);
        std::fs::remove_file(self.file())
    }

    /// The entry for `path` (its path inside the corpus), if there is one.
    pub fn slot(&self, path: &Path) -> Option<&Slot> {
        self.slots.get(self.position(path)?)
    }

    /// Where the entry for `path` is among the entries.
    fn position(&self, path: &Path) -> Option<usize> {
        let slots = &self.slots;
        self.index
            .find(self.hasher.hash_one(path_bytes(path)), |&i| {
                path_text(&self.paths, &slots[i as usize]).as_bytes() == path_bytes(path)
            })
            .map(|&i| i as usize)
    }

    /// What `take` makes of the entry's body, read through `window`;
    /// `None` if it is damaged or no longer there, and the article must be
    /// read again. `pattern` gives the text of a claim's pattern (of its
    /// proposition), shared with the rulebook.
    pub fn body<T>(
        &self,
        slot: &Slot,
        window: &mut Window,
        pattern: impl Fn(usize, &str) -> std::sync::Arc<str>,
        take: impl FnOnce(Body<'_>) -> Option<T>,
    ) -> Option<T> {
        let range = &slot.body;
        let held = window.start..window.start + window.bytes.len() as u64;
        if range.start < held.start || range.end > held.end {
            if range.end > self.bodies_len || range.start > range.end {
                return None;
            }
            let ahead = range.start.saturating_add(AHEAD).min(self.bodies_len);
            self.read_into(&(range.start..range.end.max(ahead)), &mut window.bytes)
                .ok()?;
            window.start = range.start;
        }
        let from = usize::try_from(range.start - window.start).ok()?;
        let len = usize::try_from(range.end - range.start).ok()?;
        let (article, sentences, claims) =
            codec::decode(window.bytes.get(from..from + len)?, pattern)?;
        take(Body {
            article,
            sentences,
            claims,
        })
    }

    /// Bytes of the bodies file found at the start.
    fn read(&self, range: &Range<u64>) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.read_into(range, &mut bytes)?;
        Ok(bytes)
    }

    /// Bytes of the bodies file found at the start, into `bytes`.
    fn read_into(&self, range: &Range<u64>, bytes: &mut Vec<u8>) -> std::io::Result<()> {
        // A head that points past the end (the bodies cut short, or the
        // head damaged) asks for no room.
        if range.end > self.bodies_len || range.start > range.end {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let len = usize::try_from(range.end - range.start)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
        // Only room the buffer did not have yet is zeroed: the read
        // fills it all (zeroing a 16 KB window each time was a fifth of
        // reading it).
        bytes.truncate(len);
        bytes.resize(len, 0);
        let read = self.read_exact_at(range.start, bytes);
        if read.is_err() {
            bytes.clear();
        }
        read
    }

    fn read_exact_at(&self, start: u64, bytes: &mut [u8]) -> std::io::Result<()> {
        let file = self.bodies.as_ref().ok_or(std::io::ErrorKind::NotFound)?;
        // Every worker reads at its own offset: no lock, no seek.
        #[cfg(unix)]
        std::os::unix::fs::FileExt::read_exact_at(file, bytes, start)?;
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let _one = self
                .seek
                .lock()
                .map_err(|_| std::io::Error::other("cache file"))?;
            let mut file = file;
            file.seek(SeekFrom::Start(start))?;
            file.read_exact(bytes)?;
        }
        Ok(())
    }

    /// Adds `bodies` to the end of the bodies file found, then the heads
    /// `heads` makes for them (given where they start) to the end of the
    /// heads file, after its last whole line; holding the cache's lock
    /// alone ([`lock`]), so that two runs adding at once each land whole,
    /// one after the other, and each head points at its own body. Files
    /// another run put in place meanwhile are left as they are: they hold
    /// a whole cache, and the next run adds what this one would have.
    fn append(
        &self,
        bodies: &[u8],
        heads: impl FnOnce(u64) -> Result<Vec<u8>, String>,
    ) -> Result<(), String> {
        use std::io::Write;
        let io = |e: std::io::Error| e.to_string();
        if self.file.is_none() || self.bodies.is_none() {
            return Err("not found".into());
        }
        let _turn = lock(&self.dir, true);
        let mut out = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(self.file())
            .map_err(io)?;
        out.lock().map_err(io)?;
        let mut bodies_out = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(self.bodies_file())
            .map_err(io)?;
        // Another volte may have added to them, or put new files in their
        // place, meanwhile.
        let heads_now = out.metadata().map_err(io)?.len();
        let bodies_now = bodies_out.metadata().map_err(io)?.len();
        let unchanged = heads_now == self.heads_len && bodies_now == self.bodies_len;
        let base = match self.still_ours(&mut bodies_out, &mut out).map_err(io)? {
            // Another run's files, a whole cache: left as they are.
            None => return Ok(()),
            Some(_) if unchanged => self.bodies_len,
            // Added to by another run (each of its additions whole): this
            // one's go after them.
            Some(true) => bodies_now,
            // A last line cut short after another run added to them: left
            // for the next run, which cuts it off.
            Some(false) => return Ok(()),
        };
        let lines = heads(base)?;
        bodies_out.write_all(bodies).map_err(io)?;
        if unchanged && out.metadata().map_err(io)?.len() != self.whole {
            // A last line cut short goes first.
            out.set_len(self.whole).map_err(io)?;
        }
        // One write: a reader sees the lines whole, or a last one cut short.
        out.write_all(&lines).map_err(io)
    }

    /// Whether the files now at the cache's paths (open in `bodies` and
    /// `heads`) are still the pair found at the start, another run having
    /// at most added to them (the bodies start as the ones found did, and
    /// neither is shorter): `None` when not; else whether the heads end
    /// with a whole line. Leaves both files' positions anywhere.
    fn still_ours(
        &self,
        bodies: &mut std::fs::File,
        heads: &mut std::fs::File,
    ) -> std::io::Result<Option<bool>> {
        use std::io::{Read, Seek, SeekFrom};
        let expected = bodies_header(&self.generation);
        let mut first = vec![0; expected.len()];
        bodies.seek(SeekFrom::Start(0))?;
        if bodies.read_exact(&mut first).is_err() || first != expected {
            return Ok(None);
        }
        let len = heads.metadata()?.len();
        if len < self.heads_len || bodies.metadata()?.len() < self.bodies_len {
            return Ok(None);
        }
        let mut last = [0u8];
        heads.seek(SeekFrom::Start(len - 1))?;
        heads.read_exact(&mut last)?;
        Ok(Some(last[0] == b'\n'))
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
/// touched) are kept aside and, at the end, added to the end of the files
/// found, where a later line for a path overrides an earlier one: adding
/// one article writes one head and one body. When they grow past
/// `APPEND_LIMIT`, or when the heads would be more than twice as many
/// lines as live entries, new files are written instead, streamed: the
/// unchanged entries so far copied, then the rest as they come, renamed
/// into place at the end. No run holds the whole cache.
pub struct Store<'c> {
    cache: &'c Cache,
    /// A time for the racy check: an entry modified this close to it is
    /// checked by content next time.
    now: u128,
    /// Entries so far, while each is one found at the start, unchanged.
    unchanged: Vec<&'c Slot>,
    /// The entries that changed, while they may still be added to the files
    /// found: each head, with where its body is in `added_bodies`.
    added: Vec<Pending>,
    added_bodies: Vec<u8>,
    /// The new files, once they are needed.
    writer: Option<Writer>,
    count: usize,
    failed: Option<String>,
}

/// An entry kept aside to add to the files found.
struct Pending {
    path: String,
    sum: String,
    size: u64,
    modified: u128,
    hash: [u8; 32],
    body: Range<usize>,
}

/// New heads and bodies files, and where the next body goes.
struct Writer {
    heads: crate::fsutil::Staged,
    bodies: crate::fsutil::Staged,
    at: u64,
}

/// An entry as it is written: its path, size, time (0 when not to be
/// trusted), hash and body.
struct Entry<'k> {
    path: &'k str,
    sum: &'k str,
    size: u64,
    modified: u128,
    hash: &'k [u8; 32],
    body: Cow<'k, [u8]>,
}

/// A modification time as the cache keeps it: 0 when it is too close to
/// `now` (or after it) to be trusted.
fn trusted(now: u128, modified: u128) -> u128 {
    if now.saturating_sub(modified) < RACY_NANOS {
        0
    } else {
        modified
    }
}

/// A line of the heads file.
fn head_line(entry: &Entry<'_>, at: u64) -> Result<Vec<u8>, String> {
    let head = HeadOut {
        path: entry.path,
        size: entry.size,
        modified: entry.modified,
        hash: entry.hash,
        at,
        len: entry.body.len() as u64,
        sum: entry.sum,
    };
    // As `fast_head` reads it, by hand when neither string needs an
    // escape (serde_json's writer was a third of saving the cache).
    let plain = |s: &str| !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    if !(plain(head.path) && plain(head.sum)) {
        let mut line = serde_json::to_vec(&head).map_err(|e| e.to_string())?;
        line.push(b'\n');
        return Ok(line);
    }
    let mut line = String::with_capacity(160 + head.path.len() + head.sum.len());
    let mut number = itoa::Buffer::new();
    line.push_str("{\"path\":\"");
    line.push_str(head.path);
    line.push_str("\",\"size\":");
    line.push_str(number.format(head.size));
    line.push_str(",\"modified\":");
    line.push_str(number.format(head.modified));
    line.push_str(",\"hash\":\"");
    hex::encode_into(head.hash, &mut line);
    line.push_str("\",\"at\":");
    line.push_str(number.format(head.at));
    line.push_str(",\"len\":");
    line.push_str(number.format(head.len));
    line.push_str(",\"sum\":\"");
    line.push_str(head.sum);
    line.push_str("\"}\n");
    Ok(line.into_bytes())
}

/// Bytes of changed entries kept aside to add to the files found; past it,
/// the files are written anew.
const APPEND_LIMIT: usize = 8 << 20;

impl<'c> Store<'c> {
    pub fn new(cache: &'c Cache) -> Self {
        Store {
            cache,
            now: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            // Most entries are found unchanged: room for them all at once.
            unchanged: Vec::with_capacity(cache.slots.len()),
            added: Vec::new(),
            added_bodies: Vec::new(),
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
            let Some(entry) = self.entry(&kept)? else {
                return Ok(());
            };
            let room = self.added_bodies.len() + entry.body.len() < APPEND_LIMIT;
            if self.cache.file.is_some() && room {
                let start = self.added_bodies.len();
                self.added_bodies.extend_from_slice(&entry.body);
                self.added.push(Pending {
                    path: entry.path.to_string(),
                    sum: entry.sum.to_string(),
                    size: entry.size,
                    modified: entry.modified,
                    hash: *entry.hash,
                    body: start..self.added_bodies.len(),
                });
                return Ok(());
            }
            self.start()?;
            return self.write(&entry);
        }
        match self.entry(&kept)? {
            Some(entry) => self.write(&entry),
            None => Ok(()),
        }
    }

    /// A modification time as the cache keeps it: 0 when it is too close to
    /// now (or after it) to be trusted.
    fn trusted(&self, modified: u128) -> u128 {
        trusted(self.now, modified)
    }

    /// An entry to write; `None` for a file whose name is not UTF-8 (JSON
    /// cannot hold it: that article is read every time).
    fn entry<'k>(&self, kept: &'k Kept<'c>) -> Result<Option<Entry<'k>>, String>
    where
        'c: 'k,
    {
        let cache: &'c Cache = self.cache;
        let (path, sum, hash, size, modified, body) = match kept {
            Kept::Old {
                slot,
                size,
                modified,
            } => {
                let body = cache.read(&slot.body).map_err(|e| e.to_string())?;
                let path = path_of(&cache.paths, slot).to_str();
                let sum = cache.sum_text(slot);
                (path, sum, &slot.hash, *size, *modified, Cow::Owned(body))
            }
            Kept::New { head, body, sum } => (
                head.path.to_str(),
                sum.as_str(),
                &head.hash,
                head.size,
                head.modified,
                Cow::Borrowed(body.as_slice()),
            ),
        };
        Ok(path.map(|path| Entry {
            path,
            sum,
            size,
            modified: self.trusted(modified),
            hash,
            body,
        }))
    }

    /// Opens new files and copies into them the unchanged entries so far
    /// and the changed ones kept aside.
    fn start(&mut self) -> Result<(), String> {
        let dir = &self.cache.dir;
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // A run that stops early (an article in error) drops them
        // unfinished, and the cache stays as it was.
        let staged =
            |path: PathBuf| crate::fsutil::Staged::create(&path).map_err(|e| e.to_string());
        let generation = new_generation();
        let mut bodies = staged(self.cache.bodies_file())?;
        let mut heads = staged(self.cache.file())?;
        let header = Header {
            format: FORMAT,
            key: self.cache.key.clone(),
            bodies: generation.clone(),
        };
        let mut first = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
        first.push(b'\n');
        let first_body = bodies_header(&generation);
        let written = std::io::Write::write_all(&mut heads, &first)
            .and_then(|()| std::io::Write::write_all(&mut bodies, &first_body));
        written.map_err(|e| e.to_string())?;
        self.writer = Some(Writer {
            heads,
            bodies,
            at: first_body.len() as u64,
        });
        for slot in std::mem::take(&mut self.unchanged) {
            let kept = Kept::Old {
                slot,
                size: slot.size,
                modified: slot.modified,
            };
            if let Some(entry) = self.entry(&kept)? {
                self.write(&entry)?;
            }
        }
        let added = std::mem::take(&mut self.added);
        let added_bodies = std::mem::take(&mut self.added_bodies);
        for pending in &added {
            self.write(&Entry {
                path: &pending.path,
                sum: &pending.sum,
                size: pending.size,
                modified: pending.modified,
                hash: &pending.hash,
                body: Cow::Borrowed(&added_bodies[pending.body.clone()]),
            })?;
        }
        Ok(())
    }

    /// Writes an entry to the new files.
    fn write(&mut self, entry: &Entry<'_>) -> Result<(), String> {
        let Some(writer) = &mut self.writer else {
            return Ok(());
        };
        let line = head_line(entry, writer.at)?;
        use std::io::Write;
        let written = writer
            .bodies
            .write_all(&entry.body)
            .and_then(|()| writer.heads.write_all(&line));
        written.map_err(|e| e.to_string())?;
        writer.at += entry.body.len() as u64;
        Ok(())
    }

    /// Adds the changed entries to the files found, or puts the new files
    /// in place and removes the caches of other rulebooks. A failure is for
    /// a warning: the next run reads the articles again.
    pub fn finish(mut self) -> Result<(), String> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let path = self.cache.file();
        if self.writer.is_none() {
            let lines = self.cache.lines + self.added.len();
            if lines <= 2 * self.count + 16 {
                if self.added.is_empty() {
                    return Ok(());
                }
                let heads = |base: u64| -> Result<Vec<u8>, String> {
                    let mut lines = Vec::new();
                    for pending in &self.added {
                        let entry = Entry {
                            path: &pending.path,
                            sum: &pending.sum,
                            size: pending.size,
                            modified: pending.modified,
                            hash: &pending.hash,
                            body: Cow::Borrowed(&self.added_bodies[pending.body.clone()]),
                        };
                        lines.extend(head_line(&entry, base + pending.body.start as u64)?);
                    }
                    Ok(lines)
                };
                return self
                    .cache
                    .append(&self.added_bodies, heads)
                    .map_err(|e| format!("{}: {e}", path.display()));
            }
            // Mostly lines no entry uses any more: written anew.
            self.start()?;
        }
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        // The bodies first: heads in place before them would name bodies
        // that are not there yet. No other run opens or adds to the two
        // files in between.
        let turn = lock(&self.cache.dir, true);
        writer.bodies.commit().map_err(|e| e.to_string())?;
        writer.heads.commit().map_err(|e| e.to_string())?;
        drop(turn);
        let bodies = self.cache.bodies_file();
        if let Ok(others) = std::fs::read_dir(&self.cache.dir) {
            for other in others.flatten() {
                let name = other.file_name().to_string_lossy().into_owned();
                let ours = [&path, &bodies]
                    .iter()
                    .any(|p| p.file_name().is_some_and(|n| n == other.file_name()));
                if !ours && is_cache_file(&name) {
                    let _ = std::fs::remove_file(other.path());
                }
            }
        }
        Ok(())
    }
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
            id_line: article.id_line.map(|l| l as usize),
            date_line: article.date_line as usize,
            lang_line: article.lang_line as usize,
        }
    }

    /// The article back, without its text; `None` if the date no longer parses.
    pub fn into_article(&self, path: PathBuf) -> Option<Article> {
        let names = corpus::Names {
            id: &self.id,
            source: &self.source,
            title: self.title.as_deref(),
            url: self.url.as_deref(),
            lang: &self.lang,
            date_note: self.date_note.as_deref(),
        };
        let mut article = Article::new(names, path, PartialDate::parse(&self.date).ok()?);
        article.id_line = self.id_line.map(corpus::line32);
        article.date_line = corpus::line32(self.date_line);
        article.lang_line = corpus::line32(self.lang_line);
        Some(article)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::Detail;
    use crate::rulebook::Stance;
    use crate::text::sentences::Section;
    use std::sync::Arc;

    /// Hex digits read eight at a time give what reading them one by one
    /// gives: the bytes for digits of either case, nothing for anything
    /// else anywhere (every byte value tried at every place), or for the
    /// wrong length.
    #[test]
    fn hex_digits_read_eight_at_a_time_are_read_as_one_at_a_time() {
        fn one_by_one<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
            let digit = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
            let mut out = [0u8; N];
            if text.len() != 2 * N {
                return None;
            }
            for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
                *byte = digit(pair[0])? << 4 | digit(pair[1])?;
            }
            Some(out)
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..2000 {
            let bytes: [u8; 32] = std::array::from_fn(|_| next() as u8);
            let mut text = String::new();
            hex::encode_into(&bytes, &mut text);
            let mut text = text.into_bytes();
            if round % 2 == 1 {
                text.make_ascii_uppercase();
            }
            assert_eq!(hex::decode::<32>(&text), Some(bytes));
            assert_eq!(
                hex::decode::<16>(&text[..32]),
                one_by_one::<16>(&text[..32])
            );
            assert_eq!(hex::decode::<3>(&text[..6]), one_by_one::<3>(&text[..6]));
            // One byte changed to any value, at a place drawn each round.
            let at = (next() % 64) as usize;
            for value in 0..=255u8 {
                let mut bad = text.clone();
                bad[at] = value;
                assert_eq!(
                    hex::decode::<32>(&bad),
                    one_by_one::<32>(&bad),
                    "{value:#x} at {at}"
                );
            }
        }
        assert_eq!(hex::decode::<32>(&[b'0'; 63]), None);
        assert_eq!(hex::decode::<32>(&[b'0'; 66]), None);
    }

    /// An article and its claims come back from their body as they were,
    /// their names borrowed from the body; a body damaged anywhere (cut,
    /// grown, a byte changed) comes back as nothing, or as some other
    /// well-formed body, never as a panic.
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
        let unusual = corpus::Names {
            id: "a-\"2\"",
            source: "Le \\ Pays",
            title: Some("«\u{1}» \"cité\"\n"),
            url: Some("https://example.org/a?b=\"c\""),
            lang: "fr",
            date_note: Some("daté \"vers\" 2012"),
        };
        let claim = |line: usize, detail: Option<Detail>| Claim {
            article: 0,
            proposition: 2,
            stance: if line.is_multiple_of(2) {
                Stance::Supports
            } else {
                Stance::Opposes
            },
            negated: line.is_multiple_of(3),
            hedged: true,
            section: if line > 200 {
                Section::Comment
            } else {
                Section::Body
            },
            line,
            cue: "soutient".into(),
            sentence: Arc::from("L'Algérie soutient, dit-on, la présence russe."),
            pattern: Arc::from("soutient {actor}"),
            detail: detail.map(Box::new),
        };
        let detail = Detail {
            negators: vec!["ne".into(), "pas".into()].into_boxed_slice(),
            denial: Some("a démenti".into()),
            hedge: None,
        };
        let claims = vec![
            claim(3, None),
            claim(300, Some(detail)),
            claim(usize::MAX / 3, None),
        ];
        for (names, claims) in [(plain, Vec::new()), (unusual, claims)] {
            let date = PartialDate::parse("2012-02").unwrap();
            let mut article = Article::new(names, PathBuf::from("a.md"), date);
            article.id_line = Some(2);
            article.date_line = 3;
            let bytes = codec::encode(&CachedArticle::of(&article), 3, &claims);
            let (back, sentences, again) = codec::decode(&bytes, |_, text| text.into()).unwrap();
            assert!(matches!(back.id, Cow::Borrowed(_)));
            let article = back.into_article(PathBuf::from("a.md")).unwrap();
            assert_eq!(article.names(), names);
            assert_eq!(article.date.to_string(), "2012-02");
            assert_eq!((article.id_line, article.date_line), (Some(2), 3));
            assert_eq!(sentences, 3);
            assert_eq!(again, claims);

            for cut in 0..bytes.len() {
                assert!(codec::decode(&bytes[..cut], |_, t| t.into()).is_none());
            }
            let grown = [&bytes[..], b"x"].concat();
            assert!(codec::decode(&grown, |_, t| t.into()).is_none());
            for at in 0..bytes.len() {
                for byte in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                    let mut changed = bytes.clone();
                    changed[at] = byte;
                    let _ = codec::decode(&changed, |_, t| t.into());
                }
            }
        }
    }

    /// A head's sum says what its body holds, read back as written
    /// (an id with colons and quotes included); anything else written
    /// there is no sum, so the body is read.
    #[test]
    fn a_head_written_by_hand_is_what_serde_json_writes_and_reads_back() {
        let hash = blake3::hash(b"article").into();
        for (path, sum) in [
            (
                "2019/bench-0000001.md",
                "00112233445566778899aabbccddeeff:12:3:4:2,7:a-1",
            ),
            (
                "2019/«été» à Gao.md",
                "00112233445566778899aabbccddeeff:1:0:0::rfi:2012",
            ),
            (
                "2019/a \"quoted\" name.md",
                "00112233445566778899aabbccddeeff:1:0:0::x",
            ),
            (
                "2019/back\\slash\tand tab.md",
                "00112233445566778899aabbccddeeff:1:0:0::y",
            ),
        ] {
            let entry = Entry {
                path,
                sum,
                size: u64::MAX,
                modified: u128::MAX,
                hash: &hash,
                body: Cow::Borrowed(&[1, 2, 3]),
            };
            let line = head_line(&entry, 1 << 40).unwrap();
            let head = HeadOut {
                path,
                size: u64::MAX,
                modified: u128::MAX,
                hash: &hash,
                at: 1 << 40,
                len: 3,
                sum,
            };
            let mut serde = serde_json::to_vec(&head).unwrap();
            serde.push(b'\n');
            assert_eq!(
                String::from_utf8_lossy(&line),
                String::from_utf8_lossy(&serde)
            );
            let read = parse_head(line.strip_suffix(b"\n").unwrap()).unwrap();
            assert_eq!((&*read.path, &*read.sum, read.hash), (path, sum, hash));
            assert_eq!(
                (read.size, read.modified, read.at, read.len),
                (u64::MAX, u128::MAX, 1 << 40, 3)
            );
        }
        // Times on either side of the 19 digits read in a `u64`.
        for modified in [
            0,
            9,
            10,
            1_234_567,
            12_345_678,
            123_456_789,
            99_999_999,
            100_000_000,
            1_000_000_000_000_009,
            1_234_567_890_123_456,
            12_345_678_901_234_567,
            90_000_000_000_000_000,
            1_764_000_000_123_456_789,
            9_999_999_999_999_999_999,
            10_000_000_000_000_000_000,
            u128::from(u64::MAX) + 1,
            10u128.pow(38) - 1,
        ] {
            let entry = Entry {
                path: "a.md",
                sum: "00112233445566778899aabbccddeeff:1:0:0::x",
                size: 5,
                modified,
                hash: &hash,
                body: Cow::Borrowed(&[1]),
            };
            let line = head_line(&entry, 0).unwrap();
            let line = line.strip_suffix(b"\n").unwrap();
            assert!(fast_head(line).is_some(), "{modified}");
            assert_eq!(parse_head(line).unwrap().modified, modified);
        }
        assert!(fast_head(
            br#"{"path":"a","size":01,"modified":1,"hash":"0","at":0,"len":0,"sum":""}"#
        )
        .is_none());
        // Numbers of every length, read back as written.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..4_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let digits = 1 + (state % 38) as u32;
            let modified =
                (u128::from(state) * u128::from(state.rotate_left(29))) % 10u128.pow(digits);
            let entry = Entry {
                path: "a.md",
                sum: "",
                size: state >> (state % 64),
                modified,
                hash: &hash,
                body: Cow::Borrowed(&[1]),
            };
            let line = head_line(&entry, state >> 20).unwrap();
            let read = fast_head(line.strip_suffix(b"\n").unwrap()).expect("a head as written");
            assert_eq!(
                (read.size, read.modified, read.at),
                (entry.size, modified, state >> 20)
            );
        }
        // Anything but a digit ends the number there.
        for (text, value) in [
            (&b"1234567:"[..], 1_234_567),
            (b"12345678:", 12_345_678),
            (b"1234567/9", 1_234_567),
            (b"123456789", 123_456_789),
            (b"9999999\xff9", 9_999_999),
        ] {
            let line = format!(
                r#"{{"path":"a","size":1,"modified":{},"hash":"{}","at":0,"len":0,"sum":""}}"#,
                String::from_utf8_lossy(text),
                blake3::Hash::from_bytes(hash).to_hex()
            );
            let read = fast_head(line.as_bytes());
            let clean = text.iter().all(u8::is_ascii_digit);
            assert_eq!(read.map(|h| h.modified), clean.then_some(value), "{line}");
        }
    }

    #[test]
    fn a_heads_sum_says_what_its_body_holds() {
        let names = corpus::Names {
            id: "rfi:2012:\"kayes\"",
            source: "RFI",
            title: None,
            url: None,
            lang: "fr",
            date_note: None,
        };
        let date = PartialDate::parse("2012-02-03").unwrap();
        let mut article = Article::new(names, PathBuf::from("a.md"), date);
        article.id_line = Some(4);
        let claim = |proposition: usize| Claim {
            article: 0,
            proposition,
            stance: Stance::Supports,
            negated: false,
            hedged: false,
            section: Section::Body,
            line: 9,
            cue: "soutient".into(),
            sentence: Arc::from("Bamako soutient l'accord."),
            pattern: Arc::from("soutient {actor}"),
            detail: None,
        };
        for claims in [vec![], vec![claim(7), claim(2), claim(7)]] {
            let body = codec::encode(&CachedArticle::of(&article), 12, &claims);
            let text = Sum::text(&body, &article, 12, &claims);
            let sum = Sum::parse(&text).expect(&text);
            assert_eq!(sum.digest, Sum::digest(&body));
            assert_eq!((sum.sentences, sum.claims), (12, claims.len()));
            assert_eq!(sum.id_line, Some(4));
            assert_eq!(sum.id, article.id());
            let expected: Vec<u32> = if claims.is_empty() {
                vec![]
            } else {
                vec![2, 7]
            };
            assert_eq!(sum.propositions().collect::<Vec<_>>(), expected);
        }
        let good = "00112233445566778899aabbccddeeff:12:3:4:2,7:a-1";
        assert!(Sum::parse(good).is_some());
        let bare = Sum::parse("00112233445566778899aabbccddeeff:12:0:0::rfi:2012").unwrap();
        assert_eq!((bare.id, bare.id_line), ("rfi:2012", None));
        assert_eq!(bare.propositions().count(), 0);
        for bad in [
            "",
            "00112233445566778899aabbccddeeff:12:3:4:2,7",
            "00112233445566778899aabbccddeeff:12:3:4:2,7:",
            "0011223344556677:12:3:4:2,7:a-1",
            "00112233445566778899aabbccddeexx:12:3:4:2,7:a-1",
            "00112233445566778899aabbccddeeff:-1:3:4:2,7:a-1",
            "00112233445566778899aabbccddeeff:12::4:2,7:a-1",
            "00112233445566778899aabbccddeeff:12:3:4:7,2:a-1",
            "00112233445566778899aabbccddeeff:12:3:4:2,2:a-1",
            "00112233445566778899aabbccddeeff:12:3:4:2,,7:a-1",
            "00112233445566778899aabbccddeeff:12:3:4:99999999999:a-1",
            "00112233445566778899aabbccddeeff0:12:3:4:2,7:a-1",
            "00112233445566778899aabbccddeeff:99999999999999999999999:3:4:2:a-1",
            "00112233445566778899aabbccddeeff:12:3:4:2,:a-1",
        ] {
            assert!(Sum::parse(bad).is_none(), "{bad}");
        }
    }
}
