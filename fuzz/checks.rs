//! What each fuzz target checks on one input, shared by the fuzz targets and
//! by `tests/fuzz_regressions.rs`, which replays the inputs kept in
//! `tests/fixtures/fuzz/TARGET/` on every `cargo test`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use volte::corpus::{self, PartialDate};
use volte::lexicon::Lexicons;
use volte::matcher::{self, Options, Scratch};
use volte::rulebook::Rulebook;
use volte::text::sentences;

/// The rulebook loader on arbitrary YAML: an error is fine, a panic is not.
pub fn rulebook(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(lexicons) = Lexicons::builtin() else {
        return;
    };
    let sources = vec![(PathBuf::from("rules/fuzz.yaml"), text.to_string())];
    let _ = volte::rulebook::compile(&sources, lexicons);
}

/// Front matter and dates on arbitrary text: every error names a line of the file.
pub fn front_matter(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = volte::text::LineIndex::new(&text).line(text.len());
    if let Ok(date) = PartialDate::parse(&text) {
        assert!(date.first_day() <= date.last_day());
        assert_eq!(PartialDate::parse(&date.to_string()), Ok(date));
    }
    match corpus::parse_article(PathBuf::from("corpus/fuzz.md"), text, "fr") {
        Ok(article) => {
            assert!(article.body().start <= article.body().end);
            assert!(article.body().end <= article.text.len());
        }
        Err(volte::Error::Article { line, .. }) => {
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
        }
        Err(_) => {}
    }
}

/// The sentence splitter on arbitrary text: spans stay in the text, in order,
/// on character boundaries, and never overlap.
pub fn sentences(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some(lexicons) = builtin_lexicons() else {
        return;
    };
    for language in ["fr", "en"] {
        let Some(lexicon) = lexicons.get(language) else {
            return;
        };
        let found = sentences::split(&text, 0..text.len(), lexicon, lexicons);
        let mut end = 0;
        for s in matcher::bounded(&text, found) {
            assert!(s.span.start >= end, "overlap at {}", s.span.start);
            assert!(s.span.start <= s.span.end && s.span.end <= text.len());
            assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
            end = s.span.end;
            let _ = sentences::display(&text[s.span.clone()]);
        }
    }
}

/// Parsed once: parsing the lexicons for every input would be most of the work.
fn builtin_lexicons() -> Option<&'static Lexicons> {
    static LEXICONS: OnceLock<Option<Lexicons>> = OnceLock::new();
    LEXICONS.get_or_init(|| Lexicons::builtin().ok()).as_ref()
}

fn bundled_rulebook() -> Option<&'static Rulebook> {
    static RULEBOOK: OnceLock<Option<Rulebook>> = OnceLock::new();
    RULEBOOK
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
            let dir = if dir.ends_with("fuzz") {
                dir.join("../rules")
            } else {
                dir.join("rules")
            };
            volte::rulebook::load(&dir).ok()
        })
        .as_ref()
}

/// The bundled rulebook against arbitrary article bodies, in French and
/// English, with and without detail: claims point at lines of the file.
pub fn matcher(data: &[u8]) {
    let Some(rulebook) = bundled_rulebook() else {
        return;
    };
    let body = String::from_utf8_lossy(data);
    for lang in ["fr", "en"] {
        let text = format!("---\nid: fuzz\ndate: 2024-01\nlang: {lang}\n---\n{body}");
        let Ok(article) = corpus::parse_article(PathBuf::from("fuzz.md"), text, "fr") else {
            return;
        };
        let lines = volte::text::LineIndex::new(&article.text).line(article.text.len());
        for detail in [false, true] {
            let options = Options {
                include_comments: true,
                detail,
                ..Options::default()
            };
            let analysis =
                matcher::analyze(0, &article, rulebook, options, &mut Scratch::default());
            if let Ok(analysis) = analysis {
                for claim in &analysis.claims {
                    assert!((1..=lines).contains(&claim.line));
                }
            }
        }
    }
}
