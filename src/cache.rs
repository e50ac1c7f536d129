//! The incremental cache: what each article gave last time, so a re-check
//! after adding one article reads one article.
//!
//! One file per rulebook, `claims-<key>.json` under the cache folder
//! (`.volte-cache/` beside the rules folder by default). The key hashes
//! everything that decides what an article gives: volte's version, the rule
//! files, the lexicons and the run's options. Each entry is keyed by the
//! article's path and checked first by size and modification time (no read),
//! then by a BLAKE3 hash of its content (a touched but unchanged file is not
//! matched again). Articles that fail to load are never cached.
//!
//! The file is written to a temporary name and renamed into place, so an
//! interrupted run leaves the old cache whole. It is safe to delete, and a
//! corrupt or foreign one is ignored with a warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::corpus::{Article, PartialDate};
use crate::matcher::Claim;
use crate::rulebook::Rulebook;

/// Bumped whenever the file layout or the meaning of an entry changes.
const FORMAT: u32 = 2;

/// A file modified this close to the moment the cache is written could change
/// again within the same timestamp: its entry is checked by content next time.
const RACY_NANOS: u128 = 2_000_000_000;

/// The cache of one run: entries read at the start, entries to write at the end.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    key: String,
    entries: HashMap<PathBuf, Entry>,
    /// Why the cache on disk was not used, for a warning.
    pub warning: Option<String>,
}

/// What one article gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub path: PathBuf,
    pub size: u64,
    /// Nanoseconds since the epoch; 0 when the time is not to be trusted.
    pub modified: u128,
    /// BLAKE3 of the file, in hex.
    pub hash: String,
    pub article: CachedArticle,
    pub sentences: usize,
    pub claims: Vec<Claim>,
}

/// An article without its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedArticle {
    pub id: String,
    pub date: String,
    pub source: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub lang: String,
    pub date_note: Option<String>,
    pub id_line: Option<usize>,
    pub date_line: usize,
    pub lang_line: usize,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    key: String,
    entries: Vec<Entry>,
}

/// The size and modification time of a file, as the cache compares them.
pub fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((meta.len(), modified))
}

/// The hex BLAKE3 hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
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
    files.sort();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
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
            entries: HashMap::new(),
            warning: None,
        };
        let path = cache.file();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return cache,
            Err(e) => {
                cache.warning = Some(format!("{}: {e}; reading every article", path.display()));
                return cache;
            }
        };
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(file) if file.format == FORMAT && file.key == cache.key => {
                cache.entries = file
                    .entries
                    .into_iter()
                    .map(|e| (e.path.clone(), e))
                    .collect();
            }
            Ok(_) => {
                cache.warning = Some(format!(
                    "{}: written by another version of volte; reading every article",
                    path.display()
                ))
            }
            Err(e) => {
                cache.warning = Some(format!(
                    "{}: corrupt ({e}); ignoring it and reading every article",
                    path.display()
                ))
            }
        }
        cache
    }

    fn file(&self) -> PathBuf {
        self.dir.join(format!("claims-{}.json", self.key))
    }

    /// The entry for `path` if the file's size and time are unchanged.
    pub fn by_stamp(&self, path: &Path, size: u64, modified: u128) -> Option<&Entry> {
        self.entries
            .get(path)
            .filter(|e| e.modified != 0 && e.size == size && e.modified == modified)
    }

    /// The entry for `path` if the file's content is unchanged.
    pub fn by_hash(&self, path: &Path, hash: &str) -> Option<&Entry> {
        self.entries.get(path).filter(|e| e.hash == hash)
    }

    /// True when the run's entries differ from those read at the start.
    pub fn differs(&self, entries: &[Entry]) -> bool {
        entries.len() != self.entries.len()
            || entries.iter().any(|e| {
                self.entries
                    .get(&e.path)
                    .is_none_or(|old| old.hash != e.hash || old.modified != e.modified)
            })
    }

    /// Replaces the cache on disk with `entries`, atomically, and removes the
    /// caches of other rulebooks.
    pub fn save(&self, mut entries: Vec<Entry>) -> Result<(), crate::Error> {
        std::fs::create_dir_all(&self.dir).map_err(|e| crate::Error::io(&self.dir, e))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for entry in &mut entries {
            if now.saturating_sub(entry.modified) < RACY_NANOS {
                entry.modified = 0;
            }
        }
        let file = CacheFile {
            format: FORMAT,
            key: self.key.clone(),
            entries,
        };
        let bytes = serde_json::to_vec(&file)
            .map_err(|e| crate::Error::Usage(format!("writing the cache: {e}")))?;
        let path = self.file();
        crate::atomic::write(&path, &bytes)?;
        if let Ok(others) = std::fs::read_dir(&self.dir) {
            for other in others.flatten() {
                let name = other.file_name().to_string_lossy().into_owned();
                let ours = path.file_name().is_some_and(|n| n == other.file_name());
                if !ours && name.starts_with("claims-") && name.ends_with(".json") {
                    let _ = std::fs::remove_file(other.path());
                }
            }
        }
        Ok(())
    }
}

impl CachedArticle {
    pub fn of(article: &Article) -> Self {
        CachedArticle {
            id: article.id.clone(),
            date: article.date.to_string(),
            source: article.source.clone(),
            title: article.title.clone(),
            url: article.url.clone(),
            lang: article.lang.clone(),
            date_note: article.date_note.clone(),
            id_line: article.id_line,
            date_line: article.date_line,
            lang_line: article.lang_line,
        }
    }

    /// The article back, without its text; `None` if the date no longer parses.
    pub fn to_article(&self, path: &Path) -> Option<Article> {
        Some(Article {
            id: self.id.clone(),
            path: path.to_path_buf(),
            date: PartialDate::parse(&self.date).ok()?,
            source: self.source.clone(),
            title: self.title.clone(),
            url: self.url.clone(),
            lang: self.lang.clone(),
            date_note: self.date_note.clone(),
            text: String::new(),
            body: 0..0,
            id_line: self.id_line,
            date_line: self.date_line,
            lang_line: self.lang_line,
        })
    }
}
