//! The layout of a raw page: the furniture above the title (weather, city,
//! the day's date, menus), the title, the body, the furniture after it, and
//! the reader comments that follow a count line such as `12 commentaires`.
//!
//! The body is what lies between the first line of prose and the comments;
//! only whole lines that are plainly furniture are dropped from it, and each
//! dropped line is reported, so no sentence goes missing in silence.

use std::sync::OnceLock;

use regex::Regex;

use super::dates::{self, Word, Written};
use super::lines::{
    agency_dateline, byline, ends_sentence, is_blank, is_comments_start, is_furniture, is_lone_url,
    starts_with_phrase, word_count,
};
use crate::corpus::PartialDate;
use crate::lexicon::ImportWords;

/// Where a date was found, which says what it is likely to mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// A leading ` date 2024-01` marker.
    Marker,
    /// The page's own metadata (an HTML `article:published_time`).
    Meta,
    /// After a publication word: `Publié le 3 mars 2024`.
    Published,
    /// In the article's URL.
    Url,
    /// A date line between the title and the body.
    Dateline,
    /// After an update word: `Mis à jour le …`.
    Updated,
    /// A date line above the title: the site's header, usually the day the
    /// page was viewed.
    Header,
    /// After a retrieval word: `Consulté le …`.
    Retrieved,
    /// A date in the text: an event the article reports.
    Mention,
}

impl DateKind {
    /// True when the date says when the article was published.
    pub fn is_publication(self) -> bool {
        matches!(
            self,
            DateKind::Marker
                | DateKind::Meta
                | DateKind::Published
                | DateKind::Url
                | DateKind::Dateline
        )
    }

    /// How sure a publication date is: lower is better.
    pub fn rank(self) -> u8 {
        self as u8
    }

    pub fn describe(self) -> &'static str {
        match self {
            DateKind::Marker => "the leading date marker",
            DateKind::Meta => "the page's publication metadata",
            DateKind::Published => "a publication line",
            DateKind::Url => "the URL",
            DateKind::Dateline => "the date line under the title",
            DateKind::Updated => "an update line (not the publication date)",
            DateKind::Header => {
                "the page header (above the title, or the site's date widget): likely the day the page was viewed, not when the article was written"
            }
            DateKind::Retrieved => {
                "a retrieval line: the day the page was read or saved, not when it was written"
            }
            DateKind::Mention => "the text: an event the article reports, not when it was written",
        }
    }
}

/// A date of the page and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    pub date: PartialDate,
    pub kind: DateKind,
    /// Line in the input (1-based); 0 when it comes from outside the text.
    pub line: usize,
    pub text: String,
}

/// A raw page, taken apart.
#[derive(Debug, Default)]
pub struct Page {
    pub title: Option<String>,
    /// The body, line by line, without furniture.
    pub body: Vec<String>,
    /// The reader comments, line by line.
    pub comments: Vec<String>,
    pub dates: Vec<FoundDate>,
    /// Lines dropped as furniture: (line, text).
    pub dropped: Vec<(usize, String)>,
    /// Outlets named by a byline: (line, name).
    pub bylines: Vec<(usize, String)>,
    /// URLs standing on a line of their own in the header.
    pub urls: Vec<String>,
    /// The line where the comments start, with its text.
    pub comments_at: Option<(usize, String)>,
}

/// What a line of the header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderLine {
    Blank,
    Furniture,
    Date,
    Byline,
    Url,
    Text,
}

/// Takes a raw page apart. `first_line` is the line number of `text`'s first
/// line in the input; `day_first` reads `03/04/2024` as 3 April.
pub fn read(text: &str, words: &ImportWords, day_first: bool) -> Page {
    let mut page = Page::default();
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    // The leading ` date 2024-01` marker, with the body running on after it.
    if let Some(first) = lines.iter().position(|l| !is_blank(l)) {
        if let Some((date, written, rest)) = marker(&lines[first]) {
            page.dates.push(FoundDate {
                date,
                kind: DateKind::Marker,
                line: first + 1,
                text: written,
            });
            lines[first] = rest;
        }
    }
    let is_prose = |l: &str| word_count(l) >= 8 && ends_sentence(l);
    let first_prose = lines.iter().position(|l| is_prose(l));
    let comments_start = first_prose
        .and_then(|p| (p + 1..lines.len()).find(|&i| is_comments_start(&lines[i], words)));
    let end = comments_start.unwrap_or(lines.len());
    let first_prose = first_prose.unwrap_or(0).min(end);

    // The header: furniture, the title, a date line, a byline.
    let kinds: Vec<HeaderLine> = lines[..first_prose]
        .iter()
        .map(|l| header_line(l, words, day_first))
        .collect();
    let title_at = kinds
        .iter()
        .zip(&lines)
        .position(|(k, l)| {
            *k == HeaderLine::Text && (word_count(l) >= 4 || l.trim_start().starts_with("# "))
        })
        // A short title (`Mali : Alger snobé`): the text line nearest the body.
        .or_else(|| {
            kinds
                .iter()
                .zip(&lines)
                .rposition(|(k, l)| *k == HeaderLine::Text && word_count(l) >= 2)
        });
    let mut kept: Vec<String> = Vec::new();
    for (i, (kind, line)) in kinds.iter().zip(&lines).enumerate() {
        let before_title = title_at.is_none_or(|t| i < t);
        match kind {
            HeaderLine::Blank => {
                if !before_title {
                    kept.push(String::new());
                }
                continue;
            }
            HeaderLine::Date => {
                let default = if before_title {
                    DateKind::Header
                } else {
                    DateKind::Dateline
                };
                note_dates(&mut page, line, i, words, day_first, default);
            }
            HeaderLine::Byline => {
                if let Some(name) = byline(line, words, day_first, false) {
                    page.bylines.push((i + 1, name));
                }
                note_dates(&mut page, line, i, words, day_first, DateKind::Dateline);
            }
            HeaderLine::Url => page.urls.push(line.trim().to_string()),
            HeaderLine::Furniture => {}
            HeaderLine::Text if Some(i) == title_at => {
                let title = line.trim().trim_start_matches('#').trim().to_string();
                page.title = Some(title);
                continue;
            }
            HeaderLine::Text if !before_title => {
                let same_as_title =
                    page.title.as_deref() == Some(line.trim().trim_start_matches('#').trim());
                if !same_as_title {
                    note_dates(&mut page, line, i, words, day_first, DateKind::Mention);
                    kept.push(line.clone());
                    continue;
                }
            }
            HeaderLine::Text => {}
        }
        page.dropped.push((i + 1, line.trim().to_string()));
    }

    // After the last paragraph, a furniture line (`dernières nouvelles`,
    // `Articles similaires`, `Share this`) opens the page's own lists: the
    // titles of other articles, dates, categories. All of it is dropped, so
    // another article's title is never read as this one's claim.
    let last_prose = (first_prose..end).rev().find(|&i| is_prose(&lines[i]));
    let cut = last_prose.and_then(|last| {
        (last + 1..end).find(|&i| !is_blank(&lines[i]) && is_furniture(&lines[i], words))
    });
    if let Some(cut) = cut {
        for (i, line) in lines.iter().enumerate().take(end).skip(cut) {
            if is_lone_url(line) {
                page.urls.push(line.trim().to_string());
            }
            if !is_blank(line) {
                page.dropped.push((i + 1, line.trim().to_string()));
            }
        }
    }
    let end_of_body = cut.unwrap_or(end);

    // The body.
    let mut body: Vec<(usize, String)> = kept.into_iter().map(|l| (0, l)).collect();
    for (i, line) in lines.iter().enumerate().take(end_of_body).skip(first_prose) {
        if !is_blank(line) && is_furniture(line, words) {
            page.dropped.push((i + 1, line.trim().to_string()));
            continue;
        }
        if is_lone_url(line) {
            page.urls.push(line.trim().to_string());
            page.dropped.push((i + 1, line.trim().to_string()));
            continue;
        }
        note_dates(&mut page, line, i, words, day_first, DateKind::Mention);
        if word_count(line) <= 10 && starts_with_phrase(&dates::words(line), &words.bylines) {
            // In the body only `Source : X` counts: `Par ailleurs, …` is prose.
            if let Some(name) = byline(line, words, day_first, true) {
                page.bylines.push((i + 1, name));
            }
        }
        if i == first_prose {
            if let Some(name) = agency_dateline(line) {
                page.bylines.push((i + 1, name));
            }
        }
        body.push((i + 1, line.clone()));
    }
    // Furniture after the last paragraph: short lines that end no sentence.
    while let Some((n, line)) = body.last() {
        // A `Source : …` line is the page's own credit: kept.
        let trailing = is_blank(line)
            || (word_count(line) < 4
                && !ends_sentence(line)
                && byline(line, words, day_first, true).is_none());
        if !trailing {
            break;
        }
        if !is_blank(line) {
            page.dropped.push((*n, line.trim().to_string()));
        }
        body.pop();
    }
    page.dropped.sort();
    page.body = squeeze(body.into_iter().map(|(_, l)| l));

    if let Some(start) = comments_start {
        page.comments_at = Some((start + 1, lines[start].trim().to_string()));
        page.comments = squeeze(lines[start + 1..].iter().cloned());
        // A count under a comments marker or heading (`## 3 commentaires`).
        if page
            .comments
            .first()
            .is_some_and(|l| is_comments_start(l, words))
        {
            let rest = std::mem::take(&mut page.comments);
            page.comments = squeeze(rest.into_iter().skip(1));
        }
    }
    page
}

/// The leading marker ` date 2024-01` (or `date: 2024-01-15`): the date, the
/// marker as written, and the rest of the line.
fn marker(line: &str) -> Option<(PartialDate, String, String)> {
    static MARKER: OnceLock<Regex> = OnceLock::new();
    let re = MARKER.get_or_init(|| {
        Regex::new(r"(?i)^\s*date\s*:?\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:\s+|$)")
            .unwrap_or_else(|_| unreachable!())
    });
    let c = re.captures(line)?;
    let date = PartialDate::parse(c.get(1)?.as_str()).ok()?;
    let whole = c.get(0)?;
    Some((
        date,
        whole.as_str().trim().to_string(),
        line[whole.end()..].to_string(),
    ))
}

fn note_dates(
    page: &mut Page,
    line: &str,
    index: usize,
    words: &ImportWords,
    day_first: bool,
    default: DateKind,
) {
    let ws = dates::words(line);
    for written in dates::find(line, words, day_first) {
        // `vendredi, avril 26, 2024`: the English order of a site template's
        // date widget on a page in another language is the header's date,
        // wherever it stands.
        let widget = written.weekday && written.month_first && day_first;
        let default = if widget && default == DateKind::Dateline {
            DateKind::Header
        } else {
            default
        };
        let kind = cue_before(&ws, &written, words).unwrap_or(default);
        page.dates.push(FoundDate {
            date: written.date,
            kind,
            line: index + 1,
            text: written.text,
        });
    }
}

/// The kind a word before the date gives it (`publié le`, `consulté le`): the
/// nearest cue within six words wins.
fn cue_before(ws: &[Word<'_>], written: &Written, words: &ImportWords) -> Option<DateKind> {
    let before: Vec<&str> = ws
        .iter()
        .filter(|w| w.end <= written.start)
        .map(|w| w.folded.as_str())
        .collect();
    let from = before.len().saturating_sub(6);
    let mut best: Option<(usize, DateKind)> = None;
    for (list, kind) in [
        (&words.published, DateKind::Published),
        (&words.updated, DateKind::Updated),
        (&words.retrieved, DateKind::Retrieved),
    ] {
        for phrase in list {
            for start in from..before.len() {
                let end = start + phrase.len();
                if end <= before.len()
                    && before[start..end].iter().zip(phrase).all(|(a, b)| *a == b)
                    && best.is_none_or(|(e, _)| end > e)
                {
                    best = Some((end, kind));
                }
            }
        }
    }
    best.map(|(_, kind)| kind)
}

fn header_line(line: &str, words: &ImportWords, day_first: bool) -> HeaderLine {
    if is_blank(line) {
        return HeaderLine::Blank;
    }
    if is_lone_url(line) {
        return HeaderLine::Url;
    }
    let ws = dates::words(line);
    let found = dates::find(line, words, day_first);
    // `Par peur de…` opens a title, not a byline: a byline is short or dated.
    if starts_with_phrase(&ws, &words.bylines)
        && (ws.len() <= 6 || !found.is_empty() || line.contains('|'))
    {
        return HeaderLine::Byline;
    }
    if !found.is_empty() && ws.len() <= 10 {
        let other = ws
            .iter()
            .filter(|w| !found.iter().any(|d| w.start >= d.start && w.end <= d.end))
            .filter(|w| !words.weekdays.contains(&w.folded))
            .count();
        if other <= 4 {
            return HeaderLine::Date;
        }
    }
    if is_furniture(line, words) {
        return HeaderLine::Furniture;
    }
    HeaderLine::Text
}

/// Lines with runs of blank lines made one, and none at either end.
fn squeeze(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        let blank = is_blank(&line);
        if blank && out.last().is_none_or(|l: &String| l.is_empty()) {
            continue;
        }
        out.push(if blank { String::new() } else { line });
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;

    fn page(text: &str) -> Page {
        read(text, &Lexicons::builtin().unwrap().import_words(), true)
    }

    #[test]
    fn marker_keeps_the_rest_of_its_line() {
        let p = page(" date 2023-06 Le ministre a longuement parlé aux journalistes du dossier.\n\nSuite du texte ici, assez longue pour faire une phrase.\n");
        assert_eq!(p.dates[0].kind, DateKind::Marker);
        assert_eq!(p.dates[0].date.to_string(), "2023-06");
        assert!(p.body[0].starts_with("Le ministre"), "{:?}", p.body);
        assert_eq!(p.body.len(), 3);
    }

    #[test]
    fn header_date_above_the_title_is_not_a_publication_date() {
        let p = page("21 C\nOran\nlundi, mars 4, 2024\n\nUn titre qui dit quelque chose de neuf\n\nLe premier paragraphe du texte est assez long pour compter.\n\nActualités\n\n3 commentaires\n\n  1. Un lecteur qui parle beaucoup trop.\n");
        assert_eq!(
            p.title.as_deref(),
            Some("Un titre qui dit quelque chose de neuf")
        );
        assert_eq!(p.dates.len(), 1);
        assert_eq!(p.dates[0].kind, DateKind::Header);
        assert_eq!(
            p.body,
            ["Le premier paragraphe du texte est assez long pour compter."]
        );
        assert_eq!(p.comments, ["  1. Un lecteur qui parle beaucoup trop."]);
        let dropped: Vec<&str> = p.dropped.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            dropped,
            ["21 C", "Oran", "lundi, mars 4, 2024", "Actualités"]
        );
    }

    #[test]
    fn dateline_under_the_title_and_bylines() {
        let p = page("A headline about the new ceasefire talks\nBy Sahel Wire | 12 March 2024\n\nThe talks opened in the capital on Tuesday, officials said.\n\nSource: Sahel Wire\n");
        assert_eq!(p.dates[0].kind, DateKind::Dateline);
        assert_eq!(p.dates[0].date.to_string(), "2024-03-12");
        assert_eq!(p.bylines[0].1, "Sahel Wire");
        assert_eq!(
            p.body.last().map(String::as_str),
            Some("Source: Sahel Wire")
        );
    }

    #[test]
    fn cues_say_what_a_date_is() {
        let p = page("Un titre assez long pour être un titre\nConsulté le 2 février 2025\n\nPublié le 3 mars 2024, ce texte dit des choses très importantes.\n");
        let kinds: Vec<DateKind> = p.dates.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, [DateKind::Retrieved, DateKind::Published]);
    }

    #[test]
    fn comments_need_a_body_before_them() {
        let p =
            page("12 commentaires\nUn texte de nouvelles assez long pour être une vraie phrase.\n");
        assert!(p.comments.is_empty());
        assert_eq!(p.body.len(), 1);
        let p = page("Un texte de nouvelles assez long pour être une vraie phrase.\n\n6 تعليقات\n\nUn lecteur.\n");
        assert_eq!(p.comments, ["Un lecteur."]);
    }

    #[test]
    fn wire_dateline_names_the_agency() {
        let p = page("BAMAKO (AFP) - Des soldats sont arrivés dans la ville mardi soir, selon des témoins.\n");
        assert_eq!(p.bylines[0].1, "AFP");
    }

    #[test]
    fn a_template_date_under_the_title_is_still_the_header() {
        let p = page("Un titre qui dit quelque chose de neuf\nvendredi, avril 26, 2024\n\nLe premier paragraphe du texte est assez long pour compter.\n\n٦ تعليقات\nUn lecteur.\n");
        assert_eq!(p.dates[0].kind, DateKind::Header);
        let p = page("Un titre qui dit quelque chose de neuf\nvendredi 26 avril 2024\n\nLe premier paragraphe du texte est assez long pour compter.\n\n٦ تعليقات\nUn lecteur.\n");
        assert_eq!(p.dates[0].kind, DateKind::Dateline);
        assert_eq!(p.comments, ["Un lecteur."]);
    }

    #[test]
    fn lists_after_the_last_paragraph_are_dropped() {
        let p = page("Un texte de nouvelles assez long pour être une vraie phrase.\n\nArticles similaires\nAlgérie : Alger rompt avec Bamako et rappelle son ambassadeur\n26 avril 2024\nDans « Actualités »\n\n3 commentaires\nUn lecteur.\n");
        assert_eq!(
            p.body,
            ["Un texte de nouvelles assez long pour être une vraie phrase."]
        );
        assert_eq!(p.dropped.len(), 4, "{:?}", p.dropped);
        assert_eq!(p.comments, ["Un lecteur."]);
    }

    #[test]
    fn short_titles_sentences_that_look_like_furniture_and_plain_reactions() {
        let p = page("Alger\nlundi 4 mars 2024\nMali : Alger snobé\n\nRelated talks were held in Niamey on Monday, officials said.\n\nRéactions\n\nLes capitales voisines ont salué la décision avec prudence.\n\nLire aussi : Mali, un autre article\nhttps://example.org/2024/03/04/mali\n");
        assert_eq!(p.title.as_deref(), Some("Mali : Alger snobé"));
        assert!(
            p.comments_at.is_none(),
            "a plain Réactions line is a section"
        );
        assert_eq!(
            p.body,
            [
                "Related talks were held in Niamey on Monday, officials said.",
                "",
                "Réactions",
                "",
                "Les capitales voisines ont salué la décision avec prudence."
            ]
        );
        assert_eq!(p.urls, ["https://example.org/2024/03/04/mali"]);
        let p = page("Un texte de nouvelles assez long pour être une vraie phrase.\n\n12 réponses à « Un texte de nouvelles »\nUn lecteur.\n");
        assert_eq!(p.comments, ["Un lecteur."]);
    }
}
