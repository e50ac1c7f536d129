//! `volte add`: a raw article (plain text, Markdown or a saved HTML page)
//! made into a corpus file with front matter.
//!
//! The work here is pure: text in, a [`Draft`] out, with every decision
//! (which date, which source, which lines were furniture) written down as a
//! [`Note`] for the user. Reading the input, writing the file and running the
//! check are the command's job (`main.rs`).

pub mod dates;
pub mod html;
mod lines;
pub mod page;

use crate::corpus::PartialDate;
use crate::lexicon::Lexicons;
use page::{DateKind, FoundDate};

/// What the user gave.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The raw page.
    pub text: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub date: Option<PartialDate>,
    pub id: Option<String>,
    pub title: Option<String>,
    pub lang: Option<String>,
}

/// How much a note matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
}

/// A decision the user should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub level: Level,
    pub message: String,
}

/// The article to write.
#[derive(Debug, Clone)]
pub struct Draft {
    pub id: String,
    /// `None` when no publication date was found and none was given.
    pub date: Option<PartialDate>,
    pub date_note: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    /// The title is a line of the page (and opens the body as a heading).
    pub title_in_page: bool,
    pub url: Option<String>,
    pub lang: String,
    /// Write `lang:` (it differs from the rulebook's language).
    pub lang_differs: bool,
    pub body: Vec<String>,
    pub comments: Vec<String>,
    pub comments_heading: String,
    /// Every date the page holds, and what it is.
    pub dates: Vec<FoundDate>,
    pub notes: Vec<Note>,
}

/// Takes a raw page apart and decides the front matter. `default_lang` is
/// the rulebook's language.
pub fn prepare(request: &Request, lexicons: &Lexicons, default_lang: &str) -> Draft {
    let words = lexicons.import_words();
    let mut notes = Vec::new();
    let mut note = |level, message: String| notes.push(Note { level, message });

    // A byte-order mark would hide a leading ` date 2024-01` marker.
    let raw = request.text.trim_start_matches('\u{feff}');
    let html = html::looks_like_html(raw).then(|| html::to_text(raw));
    let text = html.as_ref().map_or(raw, |h| h.text.as_str());
    let lang_guess = guess_language(text, lexicons, default_lang);
    let lang = request.lang.clone().unwrap_or(lang_guess);
    // The French (and most of the world) write the day first; only English
    // leaves 03/04/2024 ambiguous.
    let day_first = lang != "en";
    let mut page = page::read(text, &words, day_first);

    let url = request
        .url
        .clone()
        .or_else(|| html.as_ref().and_then(|h| h.url.clone()))
        .or_else(|| page.urls.first().cloned());
    if let Some(h) = &html {
        if let Some(published) = h.published.as_deref() {
            if let Ok(date) = PartialDate::parse(published.get(..10).unwrap_or(published)) {
                page.dates.push(FoundDate {
                    date,
                    kind: DateKind::Meta,
                    line: 0,
                    text: published.to_string(),
                });
            }
        }
    }
    if let Some(date) = url.as_deref().and_then(dates::in_url) {
        page.dates.push(FoundDate {
            date,
            kind: DateKind::Url,
            line: 0,
            text: url.clone().unwrap_or_default(),
        });
    }

    // The date: given, else the surest publication date found.
    let found = page
        .dates
        .iter()
        .filter(|d| d.kind.is_publication())
        .min_by_key(|d| (d.kind.rank(), d.line));
    let (date, date_note) = match (request.date, found) {
        (Some(given), found) => {
            if let Some(f) = found.filter(|f| f.date != given) {
                note(
                    Level::Info,
                    format!(
                        "--date {given} replaces {} found in {}{}",
                        f.date,
                        f.kind.describe(),
                        at_line(f.line)
                    ),
                );
            }
            (Some(given), Some("given with --date".to_string()))
        }
        (None, Some(f)) => {
            let how = format!(
                "from {}{} (`{}`)",
                f.kind.describe(),
                at_line(f.line),
                f.text
            );
            note(Level::Info, format!("date {} {how}", f.date));
            (Some(f.date), Some(how))
        }
        (None, None) => (None, None),
    };
    for d in page.dates.iter().filter(|d| {
        matches!(
            d.kind,
            DateKind::Header | DateKind::Retrieved | DateKind::Updated
        )
    }) {
        let level = if found.is_none() && request.date.is_none() {
            Level::Warning
        } else {
            Level::Info
        };
        note(
            level,
            format!(
                "`{}`{} is not used as the publication date: it is in {}",
                d.text,
                at_line(d.line),
                d.kind.describe()
            ),
        );
    }

    // The source: given, the site's name, the URL's domain, else a byline.
    let source = if let Some(s) = request.source.clone() {
        Some(s)
    } else if let Some(site) = html.as_ref().and_then(|h| h.site.clone()) {
        note(
            Level::Info,
            format!("source `{site}` from the page's site name"),
        );
        Some(site)
    } else if let Some(host) = url.as_deref().and_then(dates::host) {
        note(Level::Info, format!("source `{host}` from the URL"));
        Some(host)
    } else if let Some((line, name)) = page.bylines.first() {
        note(
            Level::Info,
            format!("source `{name}` from the byline at line {line}"),
        );
        Some(name.clone())
    } else {
        note(
            Level::Warning,
            "no source found (no URL, no byline): pass --source NAME, or `self` contradictions cannot be seen".into(),
        );
        None
    };

    // The title: given, the page's, else the first sentence.
    let mut title_in_page = false;
    let mut from_sentence = false;
    let title = if let Some(t) = request.title.clone() {
        Some(t)
    } else if let Some(t) = page.title.clone() {
        title_in_page = true;
        Some(t)
    } else if let Some(t) = html.as_ref().and_then(|h| h.title.clone()) {
        Some(t)
    } else {
        let first = first_sentence(&page.body);
        if let Some(t) = &first {
            note(
                Level::Info,
                format!("no title line: the title is the start of the first sentence (`{t}`); --title to set it"),
            );
        }
        from_sentence = true;
        first
    };
    // A title given or taken from the page's metadata that is also the
    // first line of the body would be read twice.
    if !title_in_page && !from_sentence {
        if let (Some(t), Some(first)) = (&title, page.body.first()) {
            if first.trim().trim_start_matches('#').trim() == t.trim() {
                page.body.remove(0);
                title_in_page = true;
            }
        }
    }

    if !page.dropped.is_empty() {
        let lines: Vec<String> = page
            .dropped
            .iter()
            .map(|(n, l)| format!("{n}: {}", shorten(l, 40)))
            .collect();
        note(
            Level::Info,
            format!(
                "dropped {} as page furniture ({})",
                crate::report::human::plural(page.dropped.len(), "line"),
                lines.join(" · ")
            ),
        );
    }
    if let Some((line, text)) = &page.comments_at {
        note(
            Level::Info,
            format!(
                "reader comments from line {line} (`{}`) moved under the comments heading",
                shorten(text, 30)
            ),
        );
    }

    let id = request.id.clone().unwrap_or_else(|| {
        let mut words = String::new();
        if let Some(d) = date {
            words.push_str(&d.to_string());
            words.push(' ');
        }
        words.push_str(title.as_deref().unwrap_or("article"));
        slug(&words, 60)
    });
    let comments_heading = format!(
        "## {}",
        lexicons
            .comments_heading(&lang)
            .or_else(|| lexicons.comments_heading(default_lang))
            .unwrap_or("Comments")
    );
    Draft {
        id,
        date,
        date_note,
        source,
        title,
        title_in_page,
        url,
        lang_differs: lang != default_lang,
        lang,
        body: page.body,
        comments: page.comments,
        comments_heading,
        dates: page.dates,
        notes,
    }
}

fn at_line(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" at line {line}")
    }
}

impl Draft {
    /// Why there is no date, and what to pass: the message for exit code 2.
    pub fn missing_date(&self, input: &str) -> String {
        let mut message = format!(
            "{input}: no publication date found; pass --date YYYY, YYYY-MM or YYYY-MM-DD (the precision you know)"
        );
        let mut seen: Vec<String> = self
            .dates
            .iter()
            .map(|d| {
                format!(
                    "\n  line {}: `{}` ({}) is in {}",
                    d.line,
                    d.text,
                    d.date,
                    d.kind.describe()
                )
            })
            .collect();
        seen.dedup();
        if let Some(header) = self.dates.iter().find(|d| d.kind == DateKind::Header) {
            message.push_str(&format!(
                "\nif `{}` (line {}) is when it was published after all, pass --date {}",
                header.text, header.line, header.date
            ));
        }
        if !seen.is_empty() {
            message.push_str("\ndates seen, none of them a publication date:");
            for s in seen.iter().take(8) {
                message.push_str(s);
            }
        }
        message
    }

    /// The article file: front matter, title, body, comments.
    pub fn render(&self) -> String {
        let mut out = String::from("---\n");
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""));
        out.push_str(&format!("id: {}\n", self.id));
        if let Some(date) = self.date {
            out.push_str(&format!("date: {date}\n"));
        }
        if let Some(source) = &self.source {
            out.push_str(&format!("source: {}\n", quoted(source)));
        }
        if let Some(title) = &self.title {
            out.push_str(&format!("title: {}\n", quoted(title)));
        }
        if let Some(url) = &self.url {
            out.push_str(&format!("url: {}\n", quoted(url)));
        }
        if self.lang_differs {
            out.push_str(&format!("lang: {}\n", self.lang));
        }
        if let Some(note) = &self.date_note {
            out.push_str(&format!("date_note: {}\n", quoted(note)));
        }
        out.push_str("---\n");
        if self.title_in_page {
            if let Some(title) = &self.title {
                out.push_str(&format!("# {title}\n\n"));
            }
        }
        for line in &self.body {
            out.push_str(line);
            out.push('\n');
        }
        if !self.comments.is_empty() {
            out.push('\n');
            out.push_str(&self.comments_heading);
            out.push_str("\n\n");
            for line in &self.comments {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The file name in the corpus folder.
    pub fn file_name(&self) -> String {
        format!("{}.md", self.id)
    }
}

/// True when `id` can be a file name on every system.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id.len() <= 120
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Lowercase ASCII words joined by `-`, at most `max` bytes, cut at a word.
pub fn slug(text: &str, max: usize) -> String {
    let folded = crate::text::fold::fold(text);
    let mut out = String::new();
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() && out.len() + 1 + word.len() > max {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    // Not `…-deploiement-d`: an elided word cut from what it elides.
    while let Some((head, last)) = out.rsplit_once('-') {
        if last.len() > 1 {
            break;
        }
        out.truncate(head.len());
    }
    if out.is_empty() {
        out.push_str("article");
    }
    out
}

/// The language whose stopwords the text uses most (ties: `default_lang`).
fn guess_language(text: &str, lexicons: &Lexicons, default_lang: &str) -> String {
    let words: Vec<String> = dates::words(text)
        .into_iter()
        .take(3000)
        .map(|w| w.folded)
        .collect();
    let mut best = (0usize, default_lang.to_string());
    for lang in lexicons.languages() {
        let Some(lexicon) = lexicons.get(lang) else {
            continue;
        };
        let hits = words.iter().filter(|w| lexicon.is_stopword(w)).count();
        if hits > best.0 && lang != default_lang {
            let own = lexicons
                .get(default_lang)
                .map_or(0, |l| words.iter().filter(|w| l.is_stopword(w)).count());
            if hits > own {
                best = (hits, lang.to_string());
            }
        }
    }
    best.1
}

/// The start of the first sentence, for a title: at most ~12 words.
fn first_sentence(body: &[String]) -> Option<String> {
    let first = body.iter().find(|l| !l.trim().is_empty())?;
    let text = first.trim().trim_start_matches(['–', '—', '-', ' ']);
    let end = text
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && text[i + c.len_utf8()..].starts_with(' '))
        .map_or(text.len(), |(i, _)| i);
    let sentence = text[..end].trim_end_matches(['.', '!', '?']);
    Some(shorten(sentence, 90))
}

/// At most `max` characters, cut at a word, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str) -> Draft {
        let request = Request {
            text: text.to_string(),
            ..Request::default()
        };
        prepare(&request, &Lexicons::builtin().unwrap(), "fr")
    }

    #[test]
    fn slugs_are_ascii_and_short() {
        assert_eq!(
            slug("2024-01 L’Algérie négocie, à Bamako !", 60),
            "2024-01-l-algerie-negocie-a-bamako"
        );
        assert_eq!(slug("un deux trois quatre", 9), "un-deux");
        assert_eq!(slug("le déploiement d’instructeurs", 16), "le-deploiement");
        assert_eq!(slug("???", 10), "article");
        assert!(valid_id("ap-2021_10.x"));
        assert!(!valid_id("../x"));
        assert!(!valid_id(""));
    }

    #[test]
    fn the_rendered_article_reads_back() {
        let d = draft(" date 2024-02 Le gouvernement a publié un long communiqué sur la frontière.\n\n4 commentaires\n\nUn lecteur « cité » : bravo.\n");
        let text = d.render();
        let article =
            crate::corpus::parse_article("corpus/x.md".into(), text.clone(), "fr").unwrap();
        assert_eq!(article.date.to_string(), "2024-02");
        assert!(text.contains("\n## Commentaires\n\nUn lecteur"), "{text}");
        assert!(d
            .title
            .as_deref()
            .is_some_and(|t| t.starts_with("Le gouvernement")));
        assert!(!d.title_in_page);
    }

    #[test]
    fn byte_order_mark_and_windows_line_ends() {
        let d = draft("\u{feff} date 2022-11 Alger a reçu hier une délégation venue de Bamako.\r\n\r\nUn second paragraphe assez long pour compter ici.\r\n");
        assert_eq!(d.date.map(|d| d.to_string()).as_deref(), Some("2022-11"));
        assert_eq!(
            d.body,
            [
                "Alger a reçu hier une délégation venue de Bamako.",
                "",
                "Un second paragraphe assez long pour compter ici."
            ]
        );
    }

    #[test]
    fn english_text_gets_lang_en() {
        let d = draft(
            "The minister said that the border would stay closed for the whole of the year.\n",
        );
        assert_eq!(d.lang, "en");
        assert!(d.lang_differs);
        assert!(d.date.is_none());
        assert!(d.missing_date("x.txt").contains("pass --date"));
    }
}
