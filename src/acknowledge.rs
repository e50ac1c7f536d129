//! Acknowledged contradictions: the ones a person has looked at and accepted,
//! recorded with a reason in `rules/acknowledged.yaml` so they stop failing the
//! build. An entry that no longer matches anything is reported as stale, and an
//! entry past its `expires` date stops applying.
//!
//! ```yaml
//! - proposition: mali-junta-trusts-algeria
//!   articles: [ap-2021-10-algerie-wagner, ap-2023-02-influence-algerienne]
//!   reason: Bamako's line changed with the 2022 rapprochement between Algiers and Paris.
//!   by: A. Analyst
//!   date: 2026-11-21
//!   expires: 2027-06-01
//! ```

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::corpus::{PartialDate, Scalar};
use crate::error::{yaml_error, Error};

/// The file name, inside the rules folder.
pub const FILE_NAME: &str = "acknowledged.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    proposition: Spanned<String>,
    articles: Spanned<Vec<String>>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    date: Option<Spanned<Scalar>>,
    #[serde(default)]
    expires: Option<Spanned<Scalar>>,
}

/// One acknowledged contradiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub proposition: String,
    /// The two article ids, sorted (the same id twice for an `internal` one).
    pub articles: (String, String),
    pub reason: String,
    pub by: Option<String>,
    pub date: Option<PartialDate>,
    pub expires: Option<PartialDate>,
    /// Line of the entry in the file.
    pub line: usize,
}

impl Acknowledgement {
    /// True when it covers this contradiction.
    pub fn covers(&self, proposition: &str, a: &str, b: &str) -> bool {
        self.proposition == proposition && self.articles == pair(a, b)
    }

    /// True when `today` is past its expiry date.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e.last_day())
    }
}

/// The two ids in a stable order.
pub fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// The acknowledgements of a rulebook.
#[derive(Debug, Clone, Default)]
pub struct Acknowledgements {
    pub path: PathBuf,
    pub entries: Vec<Acknowledgement>,
}

/// Reads `path`; a missing file means no acknowledgement.
pub fn load(path: &Path) -> Result<Acknowledgements, Error> {
    let shown = crate::corpus::display_path(path);
    let text = match crate::fsutil::read_text(path) {
        Ok(text) => text,
        Err(Error::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Acknowledgements {
                path: shown,
                entries: Vec::new(),
            })
        }
        Err(e) => return Err(e),
    };
    parse(&shown, &text)
}

/// Parses the text of an acknowledgements file.
pub fn parse(path: &Path, text: &str) -> Result<Acknowledgements, Error> {
    let files: Vec<EntryFile> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str(text).map_err(|e| yaml_error(path, &e))?
    };
    let fail = |line: u64, message: String| Error::Rule {
        path: path.to_path_buf(),
        line: line.max(1),
        column: 1,
        message,
    };
    let mut entries = Vec::new();
    for f in files {
        let line = f.proposition.referenced.line();
        let reason = f
            .reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                fail(
                    line,
                    "acknowledgement without a `reason:`: say why this contradiction is accepted"
                        .into(),
                )
            })?;
        let articles = match f.articles.value.as_slice() {
            [a] => pair(a, a),
            [a, b] => pair(a, b),
            _ => {
                return Err(fail(
                    f.articles.referenced.line(),
                    "`articles:` lists the two article ids of the contradiction (one id for an internal one)".into(),
                ))
            }
        };
        let date_of =
            |d: Option<Spanned<Scalar>>, what: &str| -> Result<Option<PartialDate>, Error> {
                d.map(|d| {
                    PartialDate::parse(&d.value.0)
                        .map_err(|m| fail(d.referenced.line(), format!("`{what}:` {m}")))
                })
                .transpose()
            };
        entries.push(Acknowledgement {
            proposition: f.proposition.value.trim().to_string(),
            articles,
            reason,
            by: f.by.map(|b| b.trim().to_string()).filter(|b| !b.is_empty()),
            date: date_of(f.date, "date")?,
            expires: date_of(f.expires, "expires")?,
            line: line as usize,
        });
    }
    Ok(Acknowledgements {
        path: path.to_path_buf(),
        entries,
    })
}

/// Appends an entry to the file, under its lock and through a temporary file
/// renamed into place: an interrupted run never leaves half a file, and two
/// `volte acknowledge` at once both keep their entry. An entry that covers the
/// same contradiction is an error naming its line.
pub fn append(path: &Path, entry: &Acknowledgement) -> Result<(), Error> {
    let shown = crate::corpus::display_path(path);
    crate::fsutil::update(path, |current| {
        let mut text = match current {
            Some(text) => {
                let existing = parse(&shown, &text)?;
                if let Some(same) = existing
                    .entries
                    .iter()
                    .find(|e| e.covers(&entry.proposition, &entry.articles.0, &entry.articles.1))
                {
                    return Err(Error::Usage(format!(
                        "already acknowledged at {}:{} ({})",
                        shown.display(),
                        same.line,
                        same.reason
                    )));
                }
                text
            }
            None => "# Contradictions that have been looked at and accepted (see docs/ci.md).\n"
                .to_string(),
        };
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        text.push_str(&format!("- proposition: {}\n", entry.proposition));
        if entry.articles.0 == entry.articles.1 {
            text.push_str(&format!("  articles: [{}]\n", entry.articles.0));
        } else {
            text.push_str(&format!(
                "  articles: [{}, {}]\n",
                entry.articles.0, entry.articles.1
            ));
        }
        text.push_str(&format!("  reason: {}\n", quote(&entry.reason)));
        if let Some(by) = &entry.by {
            text.push_str(&format!("  by: {}\n", quote(by)));
        }
        if let Some(date) = entry.date {
            text.push_str(&format!("  date: {date}\n"));
        }
        if let Some(expires) = entry.expires {
            text.push_str(&format!("  expires: {expires}\n"));
        }
        // Check what we are about to write reads back.
        parse(&shown, &text)?;
        Ok(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_and_errors_name_the_line() {
        let e = parse(
            Path::new("rules/acknowledged.yaml"),
            "- proposition: p\n  articles: [a, b]\n  reason: ok\n- proposition: q\n  articles: [a, b]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("rules/acknowledged.yaml:4:1: acknowledgement without a `reason:`"),
            "{e}"
        );
    }

    #[test]
    fn pairs_match_in_either_order_and_expire() {
        let acks = parse(
            Path::new("a.yaml"),
            "- proposition: p\n  articles: [b, a]\n  reason: known\n  expires: 2026-01\n",
        )
        .unwrap();
        let ack = &acks.entries[0];
        assert!(ack.covers("p", "a", "b"));
        assert!(!ack.covers("q", "a", "b"));
        assert!(!ack.expired(Date::new(2026, 1, 31).unwrap()));
        assert!(ack.expired(Date::new(2026, 2, 1).unwrap()));
    }

    #[test]
    fn appending_keeps_the_file_readable() {
        let dir = std::env::temp_dir().join(format!("volte-ack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        let _ = std::fs::remove_file(&path);
        let entry = Acknowledgement {
            proposition: "p".into(),
            articles: pair("x", "y"),
            reason: "a \"quoted\" reason: with colon".into(),
            by: Some("Ana".into()),
            date: PartialDate::parse("2026-11-21").ok(),
            expires: None,
            line: 0,
        };
        append(&path, &entry).unwrap();
        let again = append(&path, &entry).unwrap_err().to_string();
        assert!(again.contains("already acknowledged at"), "{again}");
        let other = Acknowledgement {
            articles: pair("x", "z"),
            ..entry.clone()
        };
        append(&path, &other).unwrap();
        let acks = load(&path).unwrap();
        assert_eq!(acks.entries.len(), 2);
        assert_eq!(acks.entries[1].reason, "a \"quoted\" reason: with colon");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
