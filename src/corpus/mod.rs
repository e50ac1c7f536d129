//! The corpus: dated articles with YAML front matter, read from a folder.
//!
//! Every `.md`, `.markdown` and `.txt` file under the folder is an article
//! (README files excepted). An article that cannot be dated, or that reuses an
//! id, is an error naming the file: nothing is dropped in silence.

pub mod date;

use foldhash::{HashMap, HashMapExt};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

pub use date::PartialDate;

use crate::error::Error;

/// One article of the corpus.
#[derive(Debug, Clone)]
pub struct Article {
    /// The id, source, title, url, language and date note, one after the
    /// other in one allocation: a corpus of a million articles keeps a
    /// million of these, and six small strings apiece weighed more than
    /// their claims. Read through [`Article::id`] and the like.
    names: Box<str>,
    /// Where each of the six ends in `names`.
    ends: [u32; 6],
    /// Which of title, url and date note are there (bits 0, 1, 2).
    present: u8,
    /// The path as the user should see it (relative to where volte runs).
    pub path: PathBuf,
    pub date: PartialDate,
    /// The whole file, front matter included, so offsets give real line numbers.
    pub text: String,
    /// Where the body starts and ends in `text` ([`Article::body`]); an
    /// article is at most [`MAX_ARTICLE_BYTES`] long, so the offsets and
    /// line numbers are kept as `u32` (a million articles are kept).
    body: Range<u32>,
    /// The line of `id:` in the front matter, when it has one.
    pub id_line: Option<u32>,
    /// The line of `date:` in the front matter.
    pub date_line: u32,
    /// The line of `lang:`, else of the front matter's first line.
    pub lang_line: u32,
}

/// A line number as an [`Article`] keeps it.
pub fn line32(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// What an article is called and said to be, to make an [`Article`] of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Names<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub lang: &'a str,
    pub date_note: Option<&'a str>,
}

impl Article {
    /// An article of these names, path and date, with no text yet and every
    /// line 1.
    pub fn new(names: Names<'_>, path: PathBuf, date: PartialDate) -> Article {
        let fields = [
            names.id,
            names.source,
            names.title.unwrap_or_default(),
            names.url.unwrap_or_default(),
            names.lang,
            names.date_note.unwrap_or_default(),
        ];
        let mut all = String::with_capacity(fields.iter().map(|f| f.len()).sum());
        let mut ends = [0u32; 6];
        for (end, field) in ends.iter_mut().zip(fields) {
            all.push_str(field);
            // A cache entry edited by hand could hold more; it reads as empty.
            *end = u32::try_from(all.len()).unwrap_or(u32::MAX);
        }
        let present = u8::from(names.title.is_some())
            | u8::from(names.url.is_some()) << 1
            | u8::from(names.date_note.is_some()) << 2;
        Article {
            names: all.into_boxed_str(),
            ends,
            present,
            path,
            date,
            text: String::new(),
            body: 0..0,
            id_line: None,
            date_line: 1,
            lang_line: 1,
        }
    }

    fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.names
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }

    fn optional(&self, i: usize, bit: u8) -> Option<&str> {
        (self.present & bit != 0).then(|| self.field(i))
    }

    /// Where the body starts and ends in `text`.
    pub fn body(&self) -> Range<usize> {
        self.body.start as usize..self.body.end as usize
    }

    /// Sets where the body is in `text`.
    pub fn set_body(&mut self, body: Range<usize>) {
        let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        self.body = at(body.start)..at(body.end);
    }

    pub fn id(&self) -> &str {
        self.field(0)
    }

    pub fn source(&self) -> &str {
        self.field(1)
    }

    pub fn title(&self) -> Option<&str> {
        self.optional(2, 1)
    }

    pub fn url(&self) -> Option<&str> {
        self.optional(3, 2)
    }

    pub fn lang(&self) -> &str {
        self.field(4)
    }

    pub fn date_note(&self) -> Option<&str> {
        self.optional(5, 4)
    }

    /// The article's names, to make another article of.
    pub fn names(&self) -> Names<'_> {
        Names {
            id: self.id(),
            source: self.source(),
            title: self.title(),
            url: self.url(),
            lang: self.lang(),
            date_note: self.date_note(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct FrontMatter {
    id: Option<Spanned<Scalar>>,
    date: Option<Spanned<Scalar>>,
    source: Option<Scalar>,
    title: Option<Scalar>,
    url: Option<Scalar>,
    lang: Option<Spanned<Scalar>>,
    date_note: Option<Scalar>,
}

/// The front matter's values as text, with the line (from 1, in the YAML)
/// of those an error may point at.
#[derive(Debug, Default, PartialEq)]
struct Front {
    id: Option<(String, usize)>,
    date: Option<(String, usize)>,
    lang: Option<(String, usize)>,
    source: Option<String>,
    title: Option<String>,
    url: Option<String>,
    date_note: Option<String>,
}

impl Front {
    /// Read by the YAML parser.
    fn yaml(yaml: &str) -> Result<Front, serde_saphyr::Error> {
        let front: FrontMatter = serde_saphyr::from_str(yaml)?;
        let spanned = |s: Spanned<Scalar>| (s.value.0, s.referenced.line().max(1) as usize);
        Ok(Front {
            id: front.id.map(spanned),
            date: front.date.map(spanned),
            lang: front.lang.map(spanned),
            source: front.source.map(|s| s.0),
            title: front.title.map(|s| s.0),
            url: front.url.map(|s| s.0),
            date_note: front.date_note.map(|s| s.0),
        })
    }

    /// Read without the YAML parser when every line is a plain `key: value`
    /// whose value YAML would read as that very text; `None` otherwise, and
    /// the parser decides. Nearly every article's front matter is such, and
    /// the parser costs more than matching the article.
    fn plain(yaml: &str) -> Option<Front> {
        let mut front = Front::default();
        let mut seen: Vec<&str> = Vec::new();
        for (n, line) in (1..).zip(yaml.split('\n')) {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once(':')?;
            let value = value.strip_prefix(' ')?.trim_matches(' ');
            let key_ok = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !key_ok || seen.contains(&key) {
                return None;
            }
            seen.push(key);
            let value = text_value(value)?;
            match key {
                "id" => front.id = Some((value, n)),
                "date" => front.date = Some((value, n)),
                "lang" => front.lang = Some((value, n)),
                "source" => front.source = Some(value),
                "title" => front.title = Some(value),
                "url" => front.url = Some(value),
                "date_note" => front.date_note = Some(value),
                _ => {}
            }
        }
        Some(front)
    }
}

/// The text of a value written plain or quoted without escapes, as YAML
/// reads it; `None` for anything else.
fn text_value(value: &str) -> Option<String> {
    let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
    if quoted('"') {
        let inner = &value[1..value.len() - 1];
        return (!inner.contains(['"', '\\'])).then(|| inner.to_string());
    }
    if quoted('\'') {
        let inner = &value[1..value.len() - 1];
        // A quote inside is written twice; a lone one ends the scalar early.
        return (!inner.replace("''", "").contains('\'')).then(|| inner.replace("''", "'"));
    }
    plain_text(value).then(|| value.to_string())
}

/// A value that YAML reads as exactly this text (or, for a year, as a number
/// written the same way): it starts with a letter, or is a date in digits,
/// and holds nothing that would make it a comment, a mapping, a flow
/// collection, a quoted or block scalar, an alias, a tag, or a boolean or null.
fn plain_text(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if first.is_ascii_digit() {
        let b = value.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        return first != '0'
            && match b.len() {
                4 => digits(0..4),
                7 => digits(0..4) && b[4] == b'-' && digits(5..7),
                10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
                _ => false,
            };
    }
    const WORDS: [&str; 9] = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"];
    first.is_alphabetic()
        && !WORDS.iter().any(|w| value.eq_ignore_ascii_case(w))
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.contains('\t')
}

/// A front-matter value read as text, whatever YAML typed it as
/// (`date: 2024` is a number to YAML, `id: 12` too).
#[derive(Debug, Clone)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a single value (text, number or date)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The most bytes one article may hold: a larger file is refused rather than
/// read (a news article is rarely over 200 KB; a 100 MB line is not an article).
pub const MAX_ARTICLE_BYTES: u64 = 2 * 1024 * 1024;

/// How many leading bytes are looked at for a NUL byte, the sign of a binary
/// file (as git and ripgrep decide it).
const BINARY_PROBE: usize = 8192;

/// A file passed over, and why. Each is said on standard error and counted in
/// the report's summary: skipped, never lost in silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: skipped: {}", self.path.display(), self.reason)
    }
}

/// The article files of a corpus folder, sorted by path, and the files passed
/// over on the way (a symbolic link loop, a named pipe).
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<ArticleFile>,
    pub skipped: Vec<Skipped>,
    /// Entries that could not be read (a folder without permission, a broken
    /// link): errors, reported together.
    pub errors: Vec<Error>,
    /// The walk went through a symbolic link: a file may then be listed
    /// under two paths without being hard-linked ([`may_be_listed_twice`]).
    pub links: bool,
}

/// A file of the corpus that should be an article.
#[derive(Debug, Clone)]
pub struct ArticleFile {
    pub path: PathBuf,
    /// What a look at it told when it was listed (its size and time, the
    /// cache's first check); `None` when it was not looked at.
    pub look: Option<Look>,
}

/// The files of a corpus folder that are articles, sorted by path. Files and
/// folders ignored by a `.gitignore` or a `.volteignore` are left out, and so
/// are hidden ones. Symbolic links are followed while they stay inside the
/// folder; a loop, a link out of it or a second link to the same file is
/// skipped, and said so.
pub fn article_files(dir: &Path) -> Result<Listing, Error> {
    let mut listing = walk_articles(dir, false, &AtomicBool::new(false))?;
    // One `stat` per file, on every core: what makes two paths the same file,
    // and the cache's first check.
    let metas: Vec<Option<std::fs::Metadata>> = listing
        .files
        .par_iter()
        .map(|f| std::fs::metadata(&f.path).ok())
        .collect();
    // The same file reached twice (a link to it): read once, at its first path.
    let mut seen = SameFiles::default();
    let mut files = Vec::with_capacity(listing.files.len());
    for (mut file, meta) in std::mem::take(&mut listing.files).into_iter().zip(metas) {
        let key = FileKey::of(&file.path, meta.as_ref());
        match seen.first(key, &file.path) {
            Some(skip) => listing.skipped.push(skip),
            None => {
                file.look = meta.as_ref().map(Look::of);
                files.push(file);
            }
        }
    }
    listing.files = files;
    listing.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

/// The paths already read, by the file they reach: a path, or whatever the
/// caller finds it by (an article's index).
#[derive(Debug)]
pub struct SameFiles<V = PathBuf> {
    seen: HashMap<FileKey, V>,
}

impl<V> Default for SameFiles<V> {
    fn default() -> Self {
        SameFiles {
            seen: HashMap::new(),
        }
    }
}

impl SameFiles {
    /// `None` for the first path to a file; for another, the notice that
    /// skips it. Paths come in the listing's order, so the first one wins.
    pub fn first(&mut self, key: FileKey, path: &Path) -> Option<Skipped> {
        match self.seen.get(&key) {
            Some(first) => Some(same_file(path, first)),
            None => {
                self.seen.insert(key, path.to_path_buf());
                None
            }
        }
    }
}

impl<V> SameFiles<V> {
    /// What was recorded for the file `key` reaches, if a path reached it before.
    pub fn get(&self, key: &FileKey) -> Option<&V> {
        self.seen.get(key)
    }

    /// Records the first path to the file `key` reaches.
    pub fn insert(&mut self, key: FileKey, first: V) {
        self.seen.entry(key).or_insert(first);
    }
}

/// The notice that skips `path`, a second path to the file at `first`.
pub fn same_file(path: &Path, first: &Path) -> Skipped {
    Skipped {
        path: display_path(path),
        reason: format!("the same file as {}", display_path(first).display()),
    }
}

/// Like [`article_files`], without looking at the files, and a file
/// reached by two paths is listed twice (for [`SameFiles`] to sort out once
/// each is opened). With `look`, each file is looked at from its open
/// folder as it is listed, where the walk is [`plain_walk`]'s (a re-check
/// then makes no other call for an article it does not read again). Once
/// `stop` is set (the rulebook beside it failed), the walk ends early with
/// an error of its own, which the rulebook's comes before.
pub fn walk_articles(dir: &Path, look: bool, stop: &AtomicBool) -> Result<Listing, Error> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such folder",
            display_path(dir).display()
        )));
    }
    let root = std::fs::canonicalize(dir).map_err(|e| Error::io(&display_path(dir), e))?;
    if let Some(listing) = plain_walk(dir, &root, look, stop) {
        return Ok(listing);
    }
    if stop.load(Ordering::Relaxed) {
        return Err(stopped());
    }
    ignore_walk(dir, root, stop)
}

/// The names of the files that can leave files out of a walk.
const IGNORE_FILES: [&str; 2] = [".gitignore", ".volteignore"];

/// The walk of a folder where only hidden names are left out: no
/// `.gitignore` or `.volteignore` in it or in a folder above it, no
/// symbolic link in it and nothing unreadable, which is what most corpora
/// are. Each folder's names are sorted once it is read, and its
/// subfolders walked in that order, so the files come in `Path` order
/// without a sort of the whole listing. `None` as soon as anything else is
/// met: [`ignore_walk`] then takes the whole folder, and says what it must
/// (unless the walk was stopped). (`ignore` costs 3,400 instructions a
/// file, this 600.)
fn plain_walk(dir: &Path, root: &Path, look: bool, stop: &AtomicBool) -> Option<Listing> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        // What `ignore` would read above the folder.
        for above in root.ancestors().skip(1) {
            for name in IGNORE_FILES {
                match std::fs::symlink_metadata(above.join(name)) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    _ => return None,
                }
            }
        }
        let mut listing = Listing::default();
        plain_folder(dir.as_os_str().as_bytes(), look, 0, stop, &mut listing)?;
        Some(listing)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (dir, root, look, stop);
        None
    }
}

/// The files of the folder at `path` (given as bytes) and of its
/// subfolders, in order, into `listing`; read with `getdents` (no
/// allocation a name), the subfolders on every core (the walk shares the
/// cores with the opening of the cache); with `look`, each file looked at
/// from the open folder, on every core too. `None` for anything
/// [`plain_walk`] leaves to `ignore`, a type the folder does not tell, or
/// a folder more than [`PLAIN_DEPTH`] below the corpus (`depth` is this
/// one's), whose walk would take a thread's stack (`ignore` walks without
/// recursion).
#[cfg(target_os = "linux")]
fn plain_folder(
    path: &[u8],
    look: bool,
    depth: usize,
    stop: &AtomicBool,
    listing: &mut Listing,
) -> Option<()> {
    use rustix::fs::{FileType, Mode, OFlags, RawDir};
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    if depth > PLAIN_DEPTH || stop.load(Ordering::Relaxed) {
        return None;
    }
    let folder = rustix::fs::open(
        std::ffi::OsStr::from_bytes(path),
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    // Each name kept: its first 16 bytes (for the sort), where it is in
    // `names`, and its type.
    let mut names: Vec<u8> = Vec::new();
    let mut kept: Vec<(u128, Range<u32>, FileType)> = Vec::new();
    let mut room = vec![std::mem::MaybeUninit::uninit(); 32 << 10];
    let mut entries = RawDir::new(&folder, &mut room);
    while let Some(entry) = entries.next() {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let entry = entry.ok()?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        if IGNORE_FILES.iter().any(|f| f.as_bytes() == name) {
            return None;
        }
        let kind = entry.file_type();
        if matches!(kind, FileType::Symlink | FileType::Unknown) {
            return None;
        }
        if !name.starts_with(b".") && (kind == FileType::Directory || is_article_bytes(name)) {
            let start = u32::try_from(names.len()).ok()?;
            names.extend_from_slice(name);
            // A name holds no NUL, so a shorter one padded with them
            // still comes first.
            let mut head = [0u8; 16];
            let n = name.len().min(16);
            head[..n].copy_from_slice(&name[..n]);
            let end = u32::try_from(names.len()).ok()?;
            kept.push((u128::from_be_bytes(head), start..end, kind));
        }
    }
    drop(room);
    // A folder's files and subfolders by name: a subfolder's files come
    // where its name does, as `Path`'s order has them.
    let name = |range: &Range<u32>| &names[range.start as usize..range.end as usize];
    kept.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| name(&a.1).cmp(name(&b.1))));
    // A file that cannot be looked at here, or is not a file any more, is
    // looked at again when it is read, which says what the matter is.
    let looks: Vec<Option<Look>> = if look {
        kept.par_iter()
            .with_min_len(64)
            .map(|(_, range, kind)| {
                let stat = (*kind == FileType::RegularFile).then(|| {
                    let name = std::ffi::OsStr::from_bytes(name(range));
                    rustix::fs::statat(&folder, name, rustix::fs::AtFlags::empty()).ok()
                });
                stat.flatten()
                    .filter(|stat| {
                        FileType::from_raw_mode(stat.st_mode as rustix::fs::RawMode)
                            == FileType::RegularFile
                    })
                    .map(|stat| Look::of_stat(&stat))
            })
            .collect()
    } else {
        Vec::new()
    };
    drop(folder);
    // As `Path::join` puts a name after a folder.
    let join = |range: &Range<u32>| {
        let mut joined = Vec::with_capacity(path.len() + 1 + range.len());
        joined.extend_from_slice(path);
        if !path.is_empty() && !path.ends_with(b"/") {
            joined.push(b'/');
        }
        joined.extend_from_slice(name(range));
        joined
    };
    let subfolders: Vec<Option<Listing>> = kept
        .par_iter()
        .filter(|(_, _, kind)| *kind == FileType::Directory)
        .map(|(_, range, _)| {
            let mut inside = Listing::default();
            plain_folder(&join(range), look, depth + 1, stop, &mut inside)?;
            Some(inside)
        })
        .collect();
    // Room for every file at once: grown a push at a time, the listing
    // was copied over and over (a tenth of the walk's instructions).
    let here = kept
        .iter()
        .filter(|(_, _, kind)| *kind != FileType::Directory);
    let inside: usize = subfolders.iter().flatten().map(|l| l.files.len()).sum();
    listing.files.reserve(here.count() + inside);
    let mut subfolders = subfolders.into_iter();
    for (at, (_, range, kind)) in kept.iter().enumerate() {
        match kind {
            FileType::Directory => {
                let mut inside = subfolders.next()??;
                listing.files.append(&mut inside.files);
                listing.skipped.append(&mut inside.skipped);
            }
            FileType::RegularFile => listing.files.push(ArticleFile {
                path: PathBuf::from(std::ffi::OsString::from_vec(join(range))),
                look: looks.get(at).copied().flatten(),
            }),
            // A named pipe would block the read forever, a device never end.
            _ => listing.skipped.push(Skipped {
                path: display_path(Path::new(std::ffi::OsStr::from_bytes(&join(range)))),
                reason: "not a regular file".into(),
            }),
        }
    }
    Some(())
}

/// The error of a walk stopped because the rulebook beside it failed.
fn stopped() -> Error {
    Error::Usage("the corpus walk was stopped".into())
}

/// How deep below the corpus [`plain_folder`] goes: a corpus with a deeper
/// folder is left to `ignore`.
#[cfg(target_os = "linux")]
const PLAIN_DEPTH: usize = 64;

/// The walk with `ignore`, for any folder.
fn ignore_walk(dir: &Path, root: PathBuf, stop: &AtomicBool) -> Result<Listing, Error> {
    let mut listing = Listing::default();
    // Links out of the folder are cut off before the walk follows them.
    let outside: std::sync::Arc<std::sync::Mutex<Vec<Skipped>>> = Default::default();
    let filter_root = root.clone();
    let filter_outside = outside.clone();
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .ignore(false)
        .git_global(false)
        .git_exclude(false)
        .git_ignore(true)
        .require_git(false)
        .add_custom_ignore_filename(".volteignore")
        .follow_links(true)
        .filter_entry(move |entry| {
            if !entry.path_is_symlink() {
                return true;
            }
            match std::fs::canonicalize(entry.path()) {
                Ok(target) if !target.starts_with(&filter_root) => {
                    if let Ok(mut outside) = filter_outside.lock() {
                        outside.push(Skipped {
                            path: display_path(entry.path()),
                            reason: format!(
                                "a symbolic link out of the corpus folder (to {})",
                                target.display()
                            ),
                        });
                    }
                    false
                }
                // Broken links and loops are reported by the walk.
                _ => true,
            }
        })
        .build();
    for entry in walk {
        if stop.load(Ordering::Relaxed) {
            return Err(stopped());
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                walk_error(error, &mut listing);
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        listing.links |= entry.path_is_symlink();
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() || !is_article_bytes(last_name(entry.path())) {
            continue;
        }
        let path = entry.into_path();
        if kind.is_file() {
            listing.files.push(ArticleFile { path, look: None });
        } else {
            // A named pipe would block the read forever, a device never end.
            listing.skipped.push(Skipped {
                path: display_path(&path),
                reason: "not a regular file".into(),
            });
        }
    }
    if let Ok(mut outside) = outside.lock() {
        listing.skipped.append(&mut outside);
    }
    sort_by_path(&mut listing.files);
    listing.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

/// Sorts the files of one walk by path, folder by folder, as `Path`'s order
/// has it, without splitting every path into components: by its bytes with
/// the separator made the lowest byte, the keys side by side
/// in one buffer rather than one allocation each (which was a third of the
/// walk).
fn sort_by_path(files: &mut [ArticleFile]) {
    let mut keys = Vec::with_capacity(
        files
            .iter()
            .map(|f| f.path.as_os_str().len())
            .sum::<usize>(),
    );
    let mut order: Vec<(usize, usize, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let start = keys.len();
            keys.extend(f.path.as_os_str().as_encoded_bytes().iter().map(key_byte));
            (start, keys.len(), i)
        })
        .collect();
    order.sort_unstable_by(|a, b| keys[a.0..a.1].cmp(&keys[b.0..b.1]));
    drop(keys);
    // The file at `order[j].2` goes to `j`: in place, a cycle at a time
    // (a place done is marked in `order`), so the files are not held twice.
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = std::mem::replace(&mut order[at].2, DONE);
            if from == DONE || from == start {
                break;
            }
            files.swap(at, from);
            at = from;
        }
    }
}

/// A byte of a path's key in `Path`'s order: a separator the lowest byte.
fn key_byte(c: &u8) -> u8 {
    match c {
        b'/' => 0,
        b'\\' if cfg!(windows) => 0,
        c => *c,
    }
}

/// Size and modification time in nanoseconds since the epoch.
pub fn stamp(meta: &std::fs::Metadata) -> Option<(u64, u128)> {
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((meta.len(), modified))
}

/// Whether the file `look` tells of may be listed under another path too, so
/// that it needs a [`FileKey`]: when it has more than one hard link, or the
/// walk followed a symbolic link (`links`). Most corpora have neither, and a
/// key kept for each of a million files weighs tens of megabytes.
pub fn may_be_listed_twice(look: &Look, links: bool) -> bool {
    #[cfg(unix)]
    {
        links || look.links > 1
    }
    #[cfg(not(unix))]
    {
        let _ = (look, links);
        true
    }
}

/// What makes two paths the same file: its device and inode where there are
/// some, else its resolved path (which costs a call per folder).
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum FileKey {
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    Path(PathBuf),
}

impl FileKey {
    /// The file at `path`, as its metadata (when there is any) tells it.
    pub fn of(path: &Path, meta: Option<&std::fs::Metadata>) -> FileKey {
        #[cfg(unix)]
        if let Some(meta) = meta {
            use std::os::unix::fs::MetadataExt;
            return FileKey::Inode(meta.dev(), meta.ino());
        }
        let _ = meta;
        FileKey::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }

    /// The file at `path`, as a look at it tells it.
    pub fn of_look(path: &Path, look: &Look) -> FileKey {
        #[cfg(unix)]
        {
            let _ = path;
            FileKey::Inode(look.inode.0, look.inode.1)
        }
        #[cfg(not(unix))]
        {
            let _ = look;
            FileKey::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
        }
    }
}

/// Sorts an error of the walk into a skip (a symbolic link loop) or an error
/// (a folder that cannot be read, a broken link).
fn walk_error(error: ignore::Error, listing: &mut Listing) {
    match error {
        ignore::Error::WithDepth { err, .. } => walk_error(*err, listing),
        ignore::Error::WithLineNumber { err, .. } => walk_error(*err, listing),
        ignore::Error::Loop { child, ancestor } => listing.skipped.push(Skipped {
            path: display_path(&child),
            reason: format!(
                "a symbolic link loop back to {}",
                display_path(&ancestor).display()
            ),
        }),
        ignore::Error::WithPath { path, err } => {
            if let ignore::Error::Loop { .. } = *err {
                return walk_error(*err, listing);
            }
            let shown = display_path(&path);
            if path.is_symlink() {
                match std::fs::metadata(&path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        let target = std::fs::read_link(&path).unwrap_or_default();
                        listing.errors.push(Error::Article {
                            path: shown,
                            line: 1,
                            message: format!(
                                "a broken symbolic link (to {}, which does not exist)",
                                target.display()
                            ),
                        });
                    }
                    _ => listing.skipped.push(Skipped {
                        path: shown,
                        reason: "a symbolic link loop".into(),
                    }),
                }
                return;
            }
            let message = match *err {
                ignore::Error::Io(io) => io.to_string(),
                other => other.to_string(),
            };
            listing.errors.push(Error::Article {
                path: shown,
                line: 1,
                message: format!("cannot be read: {message}"),
            });
        }
        // An unreadable .gitignore or .volteignore: its rules are not applied,
        // which could let in files the user meant to keep out.
        other => listing.errors.push(Error::Usage(other.to_string())),
    }
}

pub fn is_article_name(name: &str) -> bool {
    is_article_bytes(name.as_bytes())
}

/// The last name of a path the walk made, as bytes: what follows its last
/// separator (`Path::file_name` goes through its components, a tenth of
/// the walk).
fn last_name(path: &Path) -> &[u8] {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        match memchr::memrchr(b'/', bytes) {
            Some(at) => &bytes[at + 1..],
            None => bytes,
        }
    }
    #[cfg(not(unix))]
    {
        path.file_name().map_or(&[][..], |n| n.as_encoded_bytes())
    }
}

/// [`is_article_name`] of a name's bytes (an ending and a start in ASCII,
/// so the same whether or not the rest is UTF-8).
fn is_article_bytes(name: &[u8]) -> bool {
    let ends_with = |tail: &[u8]| {
        name.len() >= tail.len() && name[name.len() - tail.len()..].eq_ignore_ascii_case(tail)
    };
    let article_ext = [&b".md"[..], b".markdown", b".txt"]
        .iter()
        .any(|e| ends_with(e));
    article_ext
        && !name
            .get(..6)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"readme"))
}

/// The articles of a corpus and the files passed over.
#[derive(Debug, Default)]
pub struct Corpus {
    pub articles: Vec<Article>,
    pub skipped: Vec<Skipped>,
}

/// Reads every article under `dir`; `default_lang` applies where the front
/// matter has no `lang`. Ids must be unique. Binary and empty files are
/// skipped; every other problem is an error, and all of them are reported
/// together. A corpus without a single article is an error too: a check of
/// nothing must not pass for a clean result.
pub fn load(dir: &Path, default_lang: &str) -> Result<Corpus, Error> {
    let corpus = load_all(dir, default_lang)?;
    if corpus.articles.is_empty() {
        let skipped = match corpus.skipped.len() {
            0 => String::new(),
            n => format!(" ({n} skipped)"),
        };
        return Err(Error::Usage(format!(
            "{}: no articles{skipped}: an article is a .md, .markdown or .txt file with front matter (see docs/corpus.md)",
            display_path(dir).display()
        )));
    }
    Ok(corpus)
}

/// [`load`], where a corpus without an article is fine (`volte add` into a
/// new corpus).
pub fn load_all(dir: &Path, default_lang: &str) -> Result<Corpus, Error> {
    let listing = article_files(dir)?;
    let mut errors = listing.errors;
    let mut corpus = Corpus {
        articles: Vec::new(),
        skipped: listing.skipped,
    };
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for file in listing.files {
        let article = match read_article(&file.path, default_lang) {
            Ok(article) => article,
            Err(Error::Skipped(skipped)) => {
                corpus.skipped.push(skipped);
                continue;
            }
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        if let Some(first) = seen.get(article.id()) {
            errors.push(Error::DuplicateId {
                path: article.path.clone(),
                line: article.id_line.unwrap_or(1) as usize,
                first: first.clone(),
                id: article.id().to_string(),
            });
            continue;
        }
        seen.insert(article.id().to_string(), article.path.clone());
        corpus.articles.push(article);
    }
    corpus.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    match errors.len() {
        0 => {}
        1 => return Err(errors.remove(0)),
        _ => return Err(Error::Several(errors)),
    }
    Ok(corpus)
}

/// Reads one article file. A binary or empty file is an [`Error::Skipped`]:
/// the corpus passes over it, a command given that one file reports it.
pub fn read_article(path: &Path, default_lang: &str) -> Result<Article, Error> {
    let bytes = read_bytes(path)?;
    article_from_bytes(path, bytes, default_lang)
}

/// The bytes of an article file, within the size limit. Not a regular file is
/// an [`Error::Skipped`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    let shown = display_path(path);
    // Looked at before opening: opening a named pipe waits for a writer.
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(&shown, e))?;
    if !metadata.is_file() {
        return Err(Error::Skipped(Skipped {
            path: shown,
            reason: "not a regular file".into(),
        }));
    }
    check_size(path, metadata.len())?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(&shown, e))?;
    read_limited(path, file, metadata.len(), false, Vec::new())
}

/// Opens a file of the listing (which skips what is not a regular file) and
/// looks at it through the open file: one path lookup, not two.
pub fn open_listed(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Error> {
    let shown = || display_path(path);
    let file = open_nonblocking(path).map_err(|e| Error::io(&shown(), e))?;
    let metadata = file.metadata().map_err(|e| Error::io(&shown(), e))?;
    if !metadata.is_file() {
        return Err(Error::Skipped(Skipped {
            path: shown(),
            reason: "not a regular file".into(),
        }));
    }
    Ok((file, metadata))
}

/// What a look at a listed file told: its size and time (the cache's first
/// check), and what tells a second path to it apart.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub size: u64,
    /// Nanoseconds since the epoch, as [`stamp`] gives them (kept in a
    /// `u64`, which holds them until 2554, so that a listing's look is 48
    /// bytes, not 80: a time past that has none).
    modified: Option<u64>,
    /// Its hard links, and its device and inode (unix).
    links: u64,
    #[cfg_attr(not(unix), allow(dead_code))]
    inode: (u64, u64),
}

impl Look {
    pub fn of(meta: &std::fs::Metadata) -> Look {
        #[cfg(unix)]
        let (links, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.nlink(), (meta.dev(), meta.ino()))
        };
        #[cfg(not(unix))]
        let (links, inode) = (1, (0, 0));
        Look {
            size: meta.len(),
            modified: stamp(meta).and_then(|(_, m)| u64::try_from(m).ok()),
            links,
            inode,
        }
    }

    /// Size and modification time, as [`stamp`] gives them: the cache's
    /// first check.
    pub fn stamp(&self) -> Option<(u64, u128)> {
        self.modified.map(|m| (self.size, u128::from(m)))
    }

    /// What `stat` told of a regular file, as [`Look::of`] tells it of its
    /// metadata (the fields' types differ from one target to another).
    #[cfg(unix)]
    #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
    fn of_stat(stat: &rustix::fs::Stat) -> Look {
        let size = u64::try_from(stat.st_size).unwrap_or(0);
        // A time before 1970 has none, as `SystemTime::duration_since` says.
        let modified = u64::try_from(stat.st_mtime).ok().and_then(|seconds| {
            seconds
                .checked_mul(1_000_000_000)?
                .checked_add(stat.st_mtime_nsec as u64)
        });
        Look {
            size,
            modified,
            links: stat.st_nlink as u64,
            inode: (stat.st_dev as u64, stat.st_ino as u64),
        }
    }
}

/// The folder of the last file looked at, open, so that the next one in it
/// is looked at by its name alone: a look by the whole path walks every
/// folder of the path again (a sixth of the time of the call, which a
/// re-check makes for every article).
#[derive(Debug, Default)]
pub struct Folder {
    #[cfg(unix)]
    open: Option<(PathBuf, rustix::fd::OwnedFd)>,
}

impl Folder {
    /// `stat` of `path` (which it follows, as `std::fs::metadata` does),
    /// from the folder it is in; `None` when that cannot be done, and the
    /// path is then looked at whole.
    #[cfg(unix)]
    fn stat(&mut self, path: &Path) -> Option<rustix::fs::Stat> {
        use rustix::fs::{AtFlags, Mode, OFlags};
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let at = memchr::memrchr(b'/', bytes)?;
        let (parent, name) = (&bytes[..at.max(1)], &bytes[at + 1..]);
        if name.is_empty() {
            return None;
        }
        let parent = Path::new(std::ffi::OsStr::from_bytes(parent));
        let same = self
            .open
            .as_ref()
            .is_some_and(|(open, _)| open.as_os_str().as_bytes() == parent.as_os_str().as_bytes());
        if !same {
            self.open = None;
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let fd = rustix::fs::open(parent, flags, Mode::empty()).ok()?;
            self.open = Some((parent.to_path_buf(), fd));
        }
        let (_, fd) = self.open.as_ref()?;
        rustix::fs::statat(fd, std::ffi::OsStr::from_bytes(name), AtFlags::empty()).ok()
    }
}

/// Looks at a file of the listing by its path, without opening it, from
/// `folder` when it is the file's.
pub fn look_listed(path: &Path, folder: &mut Folder) -> Result<Look, Error> {
    #[cfg(unix)]
    if let Some(stat) = folder.stat(path) {
        let regular = rustix::fs::FileType::from_raw_mode(stat.st_mode as rustix::fs::RawMode)
            == rustix::fs::FileType::RegularFile;
        if regular {
            return Ok(Look::of_stat(&stat));
        }
    }
    let _ = folder;
    // Anything else (it could not be looked at, or it is not a file) is
    // looked at by its path, which says what the matter is.
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(&display_path(path), e))?;
    if !metadata.is_file() {
        return Err(Error::Skipped(Skipped {
            path: display_path(path),
            reason: "not a regular file".into(),
        }));
    }
    Ok(Look::of(&metadata))
}

/// Opens a file [`look_listed`] has looked at; one that is no longer a
/// regular file is skipped, as [`open_listed`] skips it.
pub fn open_file(path: &Path) -> Result<std::fs::File, Error> {
    open_listed(path).map(|(file, _)| file)
}

/// Opens `path` to read it, without waiting: a named pipe put where a
/// listed file was (after the walk looked at it) would otherwise block
/// the open until something writes to it. A regular file is then read as
/// usual: the flag is cleared once the file is open, and a file another
/// process holds a lease on (which a non-blocking open refuses) is opened
/// again, waiting for it.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        let mut options = std::fs::OpenOptions::new();
        options
            .read(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32);
        match options.open(path) {
            Ok(file) => {
                if let Ok(flags) = rustix::fs::fcntl_getfl(&file) {
                    let _ = rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK);
                }
                Ok(file)
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::fs::File::open(path),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        std::fs::File::open(path)
    }
}

/// How the size of an article about to be read was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looked {
    /// Through the open file ([`open_listed`]).
    ThroughFile,
    /// By its path before [`open_file`] opened it ([`look_listed`]): the
    /// path may reach another file by then (one saved meanwhile).
    ByPath,
}

/// Reads an opened article whose size was `size`, into `buffer` (emptied
/// first), which a worker hands from article to article: to that size when
/// it is this very file's, else (and when the file gives no size, as some
/// file systems do) to its end.
pub fn read_open(
    path: &Path,
    file: std::fs::File,
    size: u64,
    looked: Looked,
    buffer: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    check_size(path, size)?;
    let exact = looked == Looked::ThroughFile && size > 0;
    read_limited(path, file, size, exact, buffer)
}

fn check_size(path: &Path, size: u64) -> Result<(), Error> {
    if size > MAX_ARTICLE_BYTES {
        return Err(Error::Article {
            path: display_path(path),
            line: 1,
            message: format!(
                "{:.1} MB, over the limit of {} MB for one article; split it or leave it out (.volteignore)",
                size as f64 / 1_048_576.0,
                MAX_ARTICLE_BYTES / 1_048_576
            ),
        });
    }
    Ok(())
}

/// Reads `file`, `size` bytes long when looked at, into `bytes` (emptied
/// first, with room for that size): `exact`, the size it had when looked
/// at through this very file, with no read more to find the end (which was
/// one call in five per article; a file that grew since is read as it was
/// looked at, and its new time has the next run read it again); else to
/// its end.
fn read_limited(
    path: &Path,
    file: std::fs::File,
    size: u64,
    exact: bool,
    mut bytes: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    bytes.clear();
    let room = usize::try_from(size).unwrap_or(0);
    // To the end: one byte more than the size, so the read that finds the
    // end needs no room of its own, and no further than the limit, should
    // the file grow meanwhile. `Take` ends an exact read without asking
    // the file.
    let (room, limit) = if exact {
        (room, size)
    } else {
        (room.saturating_add(1), MAX_ARTICLE_BYTES + 1)
    };
    bytes.reserve(room);
    std::io::Read::read_to_end(&mut std::io::Read::take(file, limit), &mut bytes)
        .map_err(|e| Error::io(&display_path(path), e))?;
    if bytes.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(Error::Article {
            path: display_path(path),
            line: 1,
            message: "grew over the size limit while being read".into(),
        });
    }
    Ok(bytes)
}

/// Builds an article from the bytes of the file at `path`: a binary or empty
/// file is an [`Error::Skipped`], UTF-16 or invalid UTF-8 an error.
pub fn article_from_bytes(
    path: &Path,
    bytes: Vec<u8>,
    default_lang: &str,
) -> Result<Article, Error> {
    let shown = display_path(path);
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(Error::Article {
            path: shown,
            line: 1,
            message: "UTF-16 text; save the article as UTF-8".into(),
        });
    }
    if let Some(at) = first_nul(&bytes[..bytes.len().min(BINARY_PROBE)]) {
        return Err(Error::Skipped(Skipped {
            path: shown,
            reason: format!("binary file (a NUL byte at byte {at})"),
        }));
    }
    let text = crate::fsutil::text_from_bytes(&shown, bytes).map_err(|e| match e {
        Error::Article {
            path,
            line,
            message,
        } => Error::Article {
            path,
            line,
            message: message.replace("the file", "the article"),
        },
        other => other,
    })?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(Error::Skipped(Skipped {
            path: shown,
            reason: "empty file".into(),
        }));
    }
    let article = parse_article(shown, text, default_lang)?;
    check_not_future(&article)?;
    Ok(article)
}

fn first_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

/// A publication date that starts after tomorrow is a typo (2204 for 2024):
/// it would sort the article after everything and make false reversals.
fn check_not_future(article: &Article) -> Result<(), Error> {
    // Once per run: asking the system's time zone costs more than a read.
    static TODAY: std::sync::OnceLock<jiff::civil::Date> = std::sync::OnceLock::new();
    let today = *TODAY.get_or_init(|| jiff::Zoned::now().date());
    let tomorrow = today.tomorrow().unwrap_or(today);
    if article.date.first_day() > tomorrow {
        return Err(Error::Article {
            path: article.path.clone(),
            line: article.date_line as usize,
            message: format!(
                "date `{}` is in the future (today is {today}); a typo?",
                article.date
            ),
        });
    }
    Ok(())
}

/// Builds an article from its text. `path` is only used in messages and reports.
pub fn parse_article(path: PathBuf, text: String, default_lang: &str) -> Result<Article, Error> {
    // Old Mac line endings (a lone \r) become \n: the same byte length, so
    // every offset and line number still points into the file as written.
    let text = if text.contains('\r') {
        lone_cr_to_lf(text)
    } else {
        text
    };
    let fail = |line: usize, message: String| Error::Article {
        path: path.clone(),
        line,
        message,
    };
    let (yaml, yaml_start, body) = split_front_matter(&text).ok_or_else(|| {
        let opened = text.trim_start_matches('\u{feff}').lines().next().map(str::trim_end) == Some("---");
        if opened {
            fail(1, "the front matter opened here is never closed: add a `---` line after it".into())
        } else {
            fail(
                1,
                "no front matter: an article starts with a `---` block holding at least `date:` (see docs/corpus.md)".into(),
            )
        }
    })?;
    let first_yaml_line = crate::text::LineIndex::line_at(&text, yaml_start);
    if yaml.trim().is_empty() {
        return Err(fail(
            first_yaml_line,
            "empty front matter: `date:` is required".into(),
        ));
    }
    let front = match Front::plain(yaml) {
        Some(front) => front,
        None => Front::yaml(yaml).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line() as usize).max(1);
            fail(
                first_yaml_line + line - 1,
                format!(
                    "front matter: {}",
                    first_line(&crate::error::yaml_message(&e.to_string()))
                ),
            )
        })?,
    };
    let at = |line: usize| first_yaml_line + line - 1;
    let (date_text, date_line) = front.date.ok_or_else(|| {
        fail(
            first_yaml_line,
            "no `date:` in the front matter (YYYY, YYYY-MM or YYYY-MM-DD)".into(),
        )
    })?;
    let date_line = at(date_line);
    let date = PartialDate::parse(&date_text).map_err(|m| fail(date_line, format!("date {m}")))?;
    let id_line = front.id.as_ref().map(|(_, line)| at(*line));
    let id = match front.id {
        Some((id, line)) if id.trim().is_empty() => {
            return Err(fail(at(line), "`id:` is empty".into()));
        }
        Some((id, _)) => id.trim().to_string(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let lang_line = front
        .lang
        .as_ref()
        .map_or(first_yaml_line, |(_, line)| at(*line));
    fn text_of(s: &Option<String>) -> Option<&str> {
        Some(s.as_deref()?.trim()).filter(|s| !s.is_empty())
    }
    let names = Names {
        id: &id,
        source: text_of(&front.source).unwrap_or_default(),
        title: text_of(&front.title),
        url: text_of(&front.url),
        lang: front
            .lang
            .as_ref()
            .map(|(l, _)| l.trim())
            .filter(|l| !l.is_empty())
            .unwrap_or(default_lang),
        date_note: text_of(&front.date_note),
    };
    let mut article = Article::new(names, path, date);
    article.text = text;
    article.set_body(body);
    article.id_line = id_line.map(line32);
    article.date_line = line32(date_line);
    article.lang_line = line32(lang_line);
    Ok(article)
}

/// `text` with every \r that is not followed by \n replaced by \n.
fn lone_cr_to_lf(text: String) -> String {
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    // Only an ASCII byte changed into another: still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Finds the `---` block at the top of a file: (yaml, offset of the yaml, body span).
fn split_front_matter(text: &str) -> Option<(&str, usize, Range<usize>)> {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let rest = &text[start..];
    let first_end = rest.find('\n').unwrap_or(rest.len());
    if rest[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = start + first_end + 1;
    if yaml_start > text.len() {
        return None;
    }
    let mut pos = yaml_start;
    while pos <= text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..line_end].trim_end();
        if line == "---" || line == "..." {
            let body_start = (line_end + 1).min(text.len());
            return Some((&text[yaml_start..pos], yaml_start, body_start..text.len()));
        }
        if line_end >= text.len() {
            break;
        }
        pos = line_end + 1;
    }
    None
}

/// `path` relative to the current directory when it lies below it.
pub fn display_path(path: &Path) -> PathBuf {
    // Asked once: a run shows tens of thousands of paths, and volte never
    // changes folder.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    // A plain relative path (what walking `--corpus corpus` gives) is
    // already what the user should see.
    let bytes = path.as_os_str().as_encoded_bytes();
    if path.is_relative()
        && !bytes.ends_with(b"/")
        && !bytes.windows(2).any(|w| w == b"//")
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        return path.to_path_buf();
    }
    let Some(cwd) = CWD.get_or_init(|| std::env::current_dir().ok()) else {
        return std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    };
    let absolute = std::path::absolute(cwd.join(path)).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or(absolute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_gives_back_the_names_it_was_made_of() {
        let full = Names {
            id: "a-1",
            source: "Le Monde",
            title: Some("Bamako, « capitale » du Sahel"),
            url: Some("https://example.org/a"),
            lang: "fr",
            date_note: Some(""),
        };
        let bare = Names {
            id: "b",
            lang: "en",
            ..Names::default()
        };
        let date = PartialDate::parse("2024-01").unwrap();
        for names in [full, bare, Names::default()] {
            let article = Article::new(names, PathBuf::from("a.md"), date);
            assert_eq!(article.names(), names);
        }
    }

    #[test]
    fn display_path_is_relative_to_where_volte_runs() {
        let cwd = std::env::current_dir().unwrap();
        for (given, shown) in [
            ("corpus/a.md", "corpus/a.md"),
            ("./corpus/a.md", "corpus/a.md"),
            ("corpus//a.md", "corpus/a.md"),
            ("corpus/./a.md", "corpus/a.md"),
        ] {
            assert_eq!(display_path(Path::new(given)), Path::new(shown), "{given}");
        }
        assert_eq!(
            display_path(&cwd.join("corpus/a.md")),
            Path::new("corpus/a.md")
        );
        let outside = Path::new("/volte-nowhere/a.md");
        assert_eq!(display_path(outside), outside);
        // `..` is kept, as the user wrote it.
        assert!(display_path(Path::new("../a.md")).ends_with("../a.md"));
    }

    /// Every front matter the plain reader takes, it reads as the YAML
    /// parser does: the project's articles, generated ones, and odd values.
    #[test]
    fn plain_front_matter_reads_as_yaml_does() {
        let mut yamls: Vec<String> = Vec::new();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in ["corpus", "eval", "tests/fixtures"] {
            for entry in ignore::WalkBuilder::new(root.join(dir)).build().flatten() {
                if entry.path().extension().is_some_and(|e| e == "md") {
                    let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                    if let Some((yaml, _, _)) = split_front_matter(&text) {
                        yamls.push(yaml.to_string());
                    }
                }
            }
        }
        for (_, text) in crate::bench::articles(300, 7) {
            yamls.push(split_front_matter(&text).unwrap().0.to_string());
        }
        let values = [
            "Le Monde",
            "L'Essor",
            "2024",
            "2024-01",
            "2024-01-15",
            "0024",
            "012",
            "1e3",
            "0x1F",
            "true",
            "True",
            "NO",
            "off",
            "null",
            "~",
            "Null",
            "yes",
            "y",
            "n",
            "nan",
            ".inf",
            "C#",
            "a #b",
            "a: b",
            "a:b",
            "é",
            "Ça va",
            "[a, b]",
            "{a: 1}",
            "'quoted'",
            "\"q\"",
            "&anchor",
            "*alias",
            "!tag x",
            "| x",
            "> x",
            "- x",
            "? x",
            "%x",
            "@x",
            "`x`",
            "a, b",
            "Radio France Internationale (RFI)",
            "https://example.org/a?b=c#d",
            "x:",
            "a\tb",
            "2024-1-5",
            "20240",
            "24",
            "1.5",
            "-3",
            "+3",
            "über",
            "Ω",
            "日本",
            "\"a: b # c\"",
            "\"\"",
            "''",
            "'l''Essor'",
            "'a'b'",
            "'a' # c",
            "\"a\\nb\"",
            "\"a\" b\"",
            "\"2024\"",
            "'true'",
            "\"  padded  \"",
            "\"x\" # c",
            "'''",
        ];
        for v in values {
            for key in ["id", "source", "title", "date", "lang"] {
                yamls.push(format!("date: 2024\n{key}: {v}\n"));
                yamls.push(format!("{key}: {v}  \r\ndate: 2021\r\n"));
            }
        }
        yamls.push("date: 2024\ntitle: a\n  continued\n".into());
        yamls.push("date: 2024\ndate: 2025\n".into());
        yamls.push("# note\ndate: 2024\n\nid: x\n".into());
        yamls.push("date: 2024\ntags:\n  - a\n".into());
        let mut plain = 0;
        for yaml in &yamls {
            if let Some(front) = Front::plain(yaml) {
                plain += 1;
                assert_eq!(Some(front), Front::yaml(yaml).ok(), "{yaml:?}");
            }
        }
        assert!(plain > yamls.len() / 2, "{plain} of {}", yamls.len());
    }

    /// Paths whose order `Path` and a plain byte sort disagree on: a
    /// separator against `-`, ` `, `.` and digits, capitals, accents.
    const TRICKY_PATHS: [&str; 13] = [
        "c/a-b.md",
        "c/a/b.md",
        "c/a.md",
        "c/ab.md",
        "c/a b.md",
        "c/a/b/c.md",
        "c/A.md",
        "c/é.md",
        "c/e.md",
        "c/a0/x.md",
        "c/a/0.md",
        "c/2019/x.md",
        "c/2019-01.md",
    ];

    #[test]
    fn the_listing_sorts_as_paths_do() {
        let names: Vec<&str> = std::iter::once("c/a").chain(TRICKY_PATHS).collect();
        // The listing's order, and `Path`'s.
        let orders = |paths: Vec<PathBuf>| {
            let mut files: Vec<ArticleFile> = paths
                .iter()
                .map(|path| ArticleFile {
                    path: path.clone(),
                    look: None,
                })
                .collect();
            sort_by_path(&mut files);
            let mut sorted = paths;
            sorted.sort();
            (
                files.into_iter().map(|f| f.path).collect::<Vec<_>>(),
                sorted,
            )
        };
        let (listed, sorted) = orders(names.iter().map(PathBuf::from).collect());
        assert_eq!(listed, sorted);

        // Many paths, in many orders: every permutation is undone.
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for round in 0..50 {
            let count = 1 + next() % 300;
            let paths: Vec<PathBuf> = (0..count)
                .map(|_| {
                    let parts: Vec<String> = (0..1 + next() % 3)
                        .map(|_| {
                            ["a", "a.md", "a-b", "b", "é", "A", "0"][next() % 7]
                                .repeat(1 + next() % 2)
                        })
                        .collect();
                    PathBuf::from(format!("{}/{round}", parts.join("/")))
                })
                .collect();
            let (listed, sorted) = orders(paths);
            assert_eq!(listed, sorted, "round {round}");
        }
    }

    #[test]
    fn the_walk_lists_articles_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<&str> = TRICKY_PATHS.into_iter().chain(["c/2019.md"]).collect();
        for name in &names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        let corpus = dir.path().join("c");
        let root = std::fs::canonicalize(&corpus).unwrap();
        let paths = |listing: Listing| -> Vec<PathBuf> {
            listing.files.into_iter().map(|f| f.path).collect()
        };
        let mut sorted: Vec<PathBuf> = names.iter().map(|n| dir.path().join(n)).collect();
        sorted.sort();
        let go = AtomicBool::new(false);
        // A temporary folder has no ignore file above it (unless the
        // machine's has), so the plain walk takes it, and finds what
        // `ignore` finds, in the same order.
        let plain = plain_walk(&corpus, &root, false, &go);
        let ignore_above = root.ancestors().any(|a| {
            IGNORE_FILES
                .iter()
                .any(|f| std::fs::symlink_metadata(a.join(f)).is_ok())
        });
        if cfg!(target_os = "linux") && !ignore_above {
            assert_eq!(
                paths(plain.expect("the plain walk takes this folder")),
                sorted
            );
            // Asked to, it looks at each file as it lists it, and sees
            // what a look by the file's path sees.
            let looked = plain_walk(&corpus, &root, true, &go).unwrap();
            assert_eq!(looked.files.len(), sorted.len());
            for file in &looked.files {
                let look = file.look.expect("each file looked at");
                let by_path = Look::of(&std::fs::metadata(&file.path).unwrap());
                assert_eq!(look.stamp(), by_path.stamp(), "{}", file.path.display());
                assert_eq!(look.stamp(), stamp(&std::fs::metadata(&file.path).unwrap()));
                assert_eq!((look.links, look.inode), (by_path.links, by_path.inode));
            }
        }
        assert_eq!(
            paths(ignore_walk(&corpus, root.clone(), &go).unwrap()),
            sorted
        );
        assert_eq!(paths(walk_articles(&corpus, false, &go).unwrap()), sorted);
        assert_eq!(paths(walk_articles(&corpus, true, &go).unwrap()), sorted);
        // Hidden names are left out by both; an ignore file anywhere
        // leaves the folder to `ignore`.
        std::fs::write(corpus.join(".hidden.md"), "").unwrap();
        std::fs::create_dir_all(corpus.join(".drafts")).unwrap();
        std::fs::write(corpus.join(".drafts/d.md"), "").unwrap();
        assert_eq!(paths(walk_articles(&corpus, false, &go).unwrap()), sorted);
        std::fs::write(corpus.join("a/.volteignore"), "b.md\n").unwrap();
        assert!(plain_walk(&corpus, &root, true, &go).is_none());
        // Stopped (the rulebook failed), the walk ends, with an error.
        let stopped = AtomicBool::new(true);
        assert!(walk_articles(&corpus, true, &stopped).is_err());
        let ignored = corpus.join("a/b.md");
        let left: Vec<PathBuf> = sorted.iter().filter(|p| **p != ignored).cloned().collect();
        assert_eq!(paths(walk_articles(&corpus, true, &go).unwrap()), left);
    }

    #[test]
    fn a_folder_deeper_than_the_plain_walk_goes_is_walked_by_ignore() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("c");
        let mut deep = corpus.clone();
        for _ in 0..80 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("deep.md"), "").unwrap();
        std::fs::write(corpus.join("top.md"), "").unwrap();
        let go = AtomicBool::new(false);
        let root = std::fs::canonicalize(&corpus).unwrap();
        assert!(plain_walk(&corpus, &root, false, &go).is_none());
        let listed: Vec<PathBuf> = walk_articles(&corpus, true, &go)
            .unwrap()
            .files
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(listed, vec![deep.join("deep.md"), corpus.join("top.md")]);
    }

    fn parse(text: &str) -> Result<Article, Error> {
        parse_article(PathBuf::from("corpus/a.md"), text.to_string(), "fr")
    }

    #[test]
    fn reads_front_matter_and_body() {
        let a = parse("---\nid: a1\ndate: 2024-01\nsource: AFP\n---\nCorps.\n").unwrap();
        assert_eq!(a.id(), "a1");
        assert_eq!(a.date.to_string(), "2024-01");
        assert_eq!(a.source(), "AFP");
        assert_eq!(a.lang(), "fr");
        assert_eq!(&a.text[a.body()], "Corps.\n");
    }

    #[test]
    fn year_only_dates_are_numbers_to_yaml_but_dates_to_us() {
        let a = parse("---\ndate: 2011\n---\nx\n").unwrap();
        assert_eq!(a.date.to_string(), "2011");
        assert_eq!(a.id(), "a");
    }

    #[test]
    fn bom_and_crlf_front_matter() {
        let a = parse("\u{feff}---\r\ndate: 2024-01-15\r\n---\r\nCorps.\r\n").unwrap();
        assert_eq!(a.date.to_string(), "2024-01-15");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("---\nid: x\ndate: 2024-13\n---\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("corpus/a.md:3: date"), "{e}");
        let e = parse("Pas de front matter.\n").unwrap_err().to_string();
        assert!(e.starts_with("corpus/a.md:1: no front matter"), "{e}");
        let e = parse("---\nid: x\nsource: AFP\n---\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no `date:`"), "{e}");
        let e = parse("---\nid: x\ndate: [2024\n---\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("corpus/a.md:"), "{e}");
    }
}
