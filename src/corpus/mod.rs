//! The corpus: dated articles with YAML front matter, read from a folder.
//!
//! Every `.md`, `.markdown` and `.txt` file under the folder is an article
//! (README files excepted). An article that cannot be dated, or that reuses an
//! id, is an error naming the file: nothing is dropped in silence.

pub mod date;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

pub use date::PartialDate;

use crate::error::Error;

/// One article of the corpus.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    /// The path as the user should see it (relative to where volte runs).
    pub path: PathBuf,
    pub date: PartialDate,
    pub source: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub lang: String,
    pub date_note: Option<String>,
    /// The whole file, front matter included, so offsets give real line numbers.
    pub text: String,
    /// Where the body starts and ends in `text`.
    pub body: Range<usize>,
    /// The line of `id:` in the front matter, when it has one.
    pub id_line: Option<usize>,
}

#[derive(Debug, Deserialize)]
struct FrontMatter {
    id: Option<Spanned<Scalar>>,
    date: Option<Spanned<Scalar>>,
    source: Option<Scalar>,
    title: Option<Scalar>,
    url: Option<Scalar>,
    lang: Option<Scalar>,
    date_note: Option<Scalar>,
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

/// The files of a corpus folder that are articles, sorted by path.
pub fn article_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if is_article_name(&name) {
            out.push(path);
        }
    }
    Ok(())
}

pub fn is_article_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let article_ext = [".md", ".markdown", ".txt"]
        .iter()
        .any(|e| lower.ends_with(e));
    article_ext && !lower.starts_with("readme")
}

/// Reads every article under `dir`; `default_lang` applies where the front
/// matter has no `lang`. Ids must be unique.
pub fn load(dir: &Path, default_lang: &str) -> Result<Vec<Article>, Error> {
    let mut articles = Vec::new();
    for path in article_files(dir)? {
        articles.push(read_article(&path, default_lang)?);
    }
    check_ids(&articles)?;
    Ok(articles)
}

/// An error for the first article, in order, that reuses an earlier one's id.
pub fn check_ids(articles: &[Article]) -> Result<(), Error> {
    let mut seen: HashMap<&str, &Path> = HashMap::with_capacity(articles.len());
    for article in articles {
        if let Some(first) = seen.insert(&article.id, &article.path) {
            return Err(Error::DuplicateId {
                path: article.path.clone(),
                line: article.id_line.unwrap_or(1),
                first: first.to_path_buf(),
                id: article.id.clone(),
            });
        }
    }
    Ok(())
}

/// Reads one article file.
pub fn read_article(path: &Path, default_lang: &str) -> Result<Article, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    article_from_bytes(path, bytes, default_lang)
}

/// Builds an article from the bytes of the file at `path`.
pub fn article_from_bytes(
    path: &Path,
    bytes: Vec<u8>,
    default_lang: &str,
) -> Result<Article, Error> {
    let shown = display_path(path);
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = crate::text::LineIndex::new(&String::from_utf8_lossy(&e.as_bytes()[..offset]))
            .line(offset);
        Error::Article {
            path: shown.clone(),
            line,
            message: format!("not valid UTF-8 (byte {offset}); save the article as UTF-8"),
        }
    })?;
    parse_article(shown, text, default_lang)
}

/// Builds an article from its text. `path` is only used in messages and reports.
pub fn parse_article(path: PathBuf, text: String, default_lang: &str) -> Result<Article, Error> {
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
    let first_yaml_line = crate::text::LineIndex::new(&text[..yaml_start]).line(yaml_start);
    let front: FrontMatter = if yaml.trim().is_empty() {
        return Err(fail(
            first_yaml_line,
            "empty front matter: `date:` is required".into(),
        ));
    } else {
        serde_saphyr::from_str(yaml).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line() as usize).max(1);
            fail(
                first_yaml_line + line - 1,
                format!(
                    "front matter: {}",
                    first_line(&crate::error::yaml_message(&e.to_string()))
                ),
            )
        })?
    };
    let date_spanned = front.date.ok_or_else(|| {
        fail(
            first_yaml_line,
            "no `date:` in the front matter (YYYY, YYYY-MM or YYYY-MM-DD)".into(),
        )
    })?;
    let date_line = first_yaml_line + date_spanned.referenced.line().max(1) as usize - 1;
    let date = PartialDate::parse(&date_spanned.value.0)
        .map_err(|m| fail(date_line, format!("date {m}")))?;
    let id_line = front
        .id
        .as_ref()
        .map(|id| first_yaml_line + id.referenced.line().max(1) as usize - 1);
    let id = match front.id {
        Some(id) if id.value.0.trim().is_empty() => {
            let line = first_yaml_line + id.referenced.line().max(1) as usize - 1;
            return Err(fail(line, "`id:` is empty".into()));
        }
        Some(id) => id.value.0.trim().to_string(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let text_of = |s: Option<Scalar>| s.map(|s| s.0.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Article {
        id,
        date,
        source: text_of(front.source).unwrap_or_default(),
        title: text_of(front.title),
        url: text_of(front.url),
        lang: text_of(front.lang).unwrap_or_else(|| default_lang.to_string()),
        date_note: text_of(front.date_note),
        body,
        path,
        text,
        id_line,
    })
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
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match std::env::current_dir() {
        Ok(cwd) => absolute
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or(absolute),
        Err(_) => absolute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Article, Error> {
        parse_article(PathBuf::from("corpus/a.md"), text.to_string(), "fr")
    }

    #[test]
    fn reads_front_matter_and_body() {
        let a = parse("---\nid: a1\ndate: 2024-01\nsource: AFP\n---\nCorps.\n").unwrap();
        assert_eq!(a.id, "a1");
        assert_eq!(a.date.to_string(), "2024-01");
        assert_eq!(a.source, "AFP");
        assert_eq!(a.lang, "fr");
        assert_eq!(&a.text[a.body.clone()], "Corps.\n");
    }

    #[test]
    fn year_only_dates_are_numbers_to_yaml_but_dates_to_us() {
        let a = parse("---\ndate: 2011\n---\nx\n").unwrap();
        assert_eq!(a.date.to_string(), "2011");
        assert_eq!(a.id, "a");
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
