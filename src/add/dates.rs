//! Dates written in a raw page: `2024-01-15`, `15/01/2024`, `le 9 janvier
//! 2023`, `vendredi, avril 26, 2024`, `26 April 2024`, `janvier 2024`, and the
//! dates in a URL. Each keeps the precision it was written with; month and
//! day names come from the lexicons.

use std::sync::OnceLock;

use regex::Regex;

use crate::corpus::PartialDate;
use crate::lexicon::ImportWords;
use crate::text::fold::fold;

/// A date found in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub date: PartialDate,
    /// The text it was read from, as written.
    pub text: String,
    /// Byte range in the line.
    pub start: usize,
    pub end: usize,
    /// A day name stands with it (`vendredi, avril 26, 2024`).
    pub weekday: bool,
    /// Written month before day (`avril 26, 2024`).
    pub month_first: bool,
}

/// A word of a line: letters or digits, with its byte span.
#[derive(Debug, Clone)]
pub struct Word<'a> {
    pub text: &'a str,
    pub folded: String,
    pub start: usize,
    pub end: usize,
}

/// The words of a line.
pub fn words(line: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let text = &line[s..i];
                out.push(Word {
                    text,
                    folded: fold(text),
                    start: s,
                    end: i,
                });
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// A number written with digits, and an ordinal suffix (1er, 2nd, 26th) allowed.
fn number(word: &str, max_digits: usize) -> Option<u32> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > max_digits {
        return None;
    }
    let suffix = &word[digits..];
    if !matches!(suffix, "" | "er" | "re" | "e" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    word[..digits].parse().ok()
}

fn year(word: &str) -> Option<i16> {
    if word.len() != 4 {
        return None;
    }
    let y: i16 = word.parse().ok()?;
    (1800..=2200).contains(&y).then_some(y)
}

fn day(word: &str) -> Option<u32> {
    number(word, 2).filter(|d| (1..=31).contains(d))
}

fn build(y: i16, m: u8, d: Option<u32>) -> Option<PartialDate> {
    let text = match d {
        Some(d) => format!("{y:04}-{m:02}-{d:02}"),
        None => format!("{y:04}-{m:02}"),
    };
    PartialDate::parse(&text).ok()
}

fn numeric_patterns() -> &'static (Regex, Regex) {
    static PATTERNS: OnceLock<(Regex, Regex)> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let iso =
            Regex::new(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b").unwrap_or_else(|_| unreachable!());
        let dmy = Regex::new(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
            .unwrap_or_else(|_| unreachable!());
        (iso, dmy)
    })
}

/// Every date written in `line`, left to right. `day_first` reads `03/04/2024`
/// as 3 April (the French order); otherwise only dates whose order cannot be
/// mistaken (`25/04/2024`) are read.
pub fn find(line: &str, words_of: &ImportWords, day_first: bool) -> Vec<Written> {
    let mut found = Vec::new();
    let (iso, dmy) = numeric_patterns();
    for c in iso.captures_iter(line) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        // `2024-01-15` but not the middle of `12-2024-01-15-3`.
        let y = c.get(1).and_then(|m| year(m.as_str()));
        let m: Option<u8> = c.get(2).and_then(|m| m.as_str().parse().ok());
        let d: Option<u32> = c.get(3).and_then(|m| m.as_str().parse().ok());
        if let (Some(y), Some(m)) = (y, m) {
            if let Some(date) = build(y, m, d) {
                found.push(written(line, whole, date, false, false));
            }
        }
    }
    for c in dmy.captures_iter(line) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let a: u32 = c.get(1).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        let b: u32 = c.get(2).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        let Some(y) = c.get(3).and_then(|m| year(m.as_str())) else {
            continue;
        };
        let (d, m) = if day_first || a > 12 {
            (a, b)
        } else if b > 12 {
            (b, a)
        } else {
            continue;
        };
        if let Some(date) = u8::try_from(m).ok().and_then(|m| build(y, m, Some(d))) {
            found.push(written(line, whole, date, false, false));
        }
    }
    let ws = words(line);
    let month = |i: usize| {
        ws.get(i)
            .and_then(|w| words_of.months.get(&w.folded).copied())
    };
    let text = |i: usize| ws.get(i).map_or("", |w| w.text);
    let mut i = 0;
    while i < ws.len() {
        // 26 avril 2024 · 1er March 2024
        let long = if let (Some(d), Some(m), Some(y)) =
            (day(text(i)), month(i + 1), year(text(i + 2)))
        {
            Some((i, i + 2, build(y, m, Some(d))))
        // avril 26, 2024 · April 26th 2024
        } else if let (Some(m), Some(d), Some(y)) = (month(i), day(text(i + 1)), year(text(i + 2)))
        {
            Some((i, i + 2, build(y, m, Some(d))))
        // janvier 2024
        } else if let (Some(m), Some(y)) = (month(i), year(text(i + 1))) {
            Some((i, i + 1, build(y, m, None)))
        } else {
            None
        };
        match long {
            Some((first, last, Some(date))) => {
                let month_first = month(first).is_some() && last == first + 2;
                let weekday = first > 0
                    && (words_of.weekdays.contains(&ws[first - 1].folded)
                        || (first > 1
                            && words_of.weekdays.contains(&ws[first - 2].folded)
                            && matches!(ws[first - 1].folded.as_str(), "le" | "the")));
                let start = if weekday {
                    let back = if words_of.weekdays.contains(&ws[first - 1].folded) {
                        1
                    } else {
                        2
                    };
                    ws[first - back].start
                } else {
                    ws[first].start
                };
                found.push(written(
                    line,
                    start..ws[last].end,
                    date,
                    weekday,
                    month_first,
                ));
                i = last + 1;
            }
            // `31 février 2023`: not a day, and not February either.
            Some((_, last, None)) => i = last + 1,
            None => i += 1,
        }
    }
    found.sort_by_key(|w| w.start);
    found.dedup_by(|b, a| b.start < a.end);
    found
}

fn written(
    line: &str,
    span: std::ops::Range<usize>,
    date: PartialDate,
    weekday: bool,
    month_first: bool,
) -> Written {
    Written {
        date,
        text: line[span.clone()].to_string(),
        start: span.start,
        end: span.end,
        weekday,
        month_first,
    }
}

/// The date in a URL's path: `/2024/04/26/`, `/2024/04/`, or `2024-04-26`.
pub fn in_url(url: &str) -> Option<PartialDate> {
    static PATH: OnceLock<Regex> = OnceLock::new();
    let path = PATH.get_or_init(|| {
        Regex::new(
            r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])(?:[/-](0[1-9]|[12]\d|3[01]))?(?:[/_.-]|$)",
        )
        .unwrap_or_else(|_| unreachable!())
    });
    // The host never holds the date.
    let after_host = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_part = after_host.find('/').map_or("", |i| &after_host[i..]);
    let c = path.captures(path_part)?;
    let y = year(c.get(1)?.as_str())?;
    let m: u8 = c.get(2)?.as_str().parse().ok()?;
    let d: Option<u32> = c.get(3).and_then(|d| d.as_str().parse().ok());
    build(y, m, d)
}

/// The host of a URL without `www.`: `https://www.example.org/a` → `example.org`.
pub fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host
        .strip_prefix("www.")
        .unwrap_or(host)
        .to_ascii_lowercase();
    (host.contains('.') && !host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;

    fn dates(line: &str) -> Vec<(String, String, bool)> {
        let words = Lexicons::builtin().unwrap().import_words();
        find(line, &words, true)
            .into_iter()
            .map(|w| (w.date.to_string(), w.text, w.weekday))
            .collect()
    }

    #[test]
    fn long_dates_in_french_and_english() {
        assert_eq!(
            dates("vendredi, avril 26, 2024"),
            [("2024-04-26".into(), "vendredi, avril 26, 2024".into(), true)]
        );
        assert_eq!(dates("Le 9 janvier 2023, le ministre")[0].0, "2023-01-09");
        assert_eq!(dates("Published 26 April 2024")[0].0, "2024-04-26");
        assert_eq!(dates("April 26th, 2024")[0].0, "2024-04-26");
        assert_eq!(dates("le 1er mars 2022")[0].0, "2022-03-01");
        assert!(dates("le samedi 14 mai 2022")[0].2);
        assert_eq!(dates("en janvier 2024 déjà")[0].0, "2024-01");
    }

    #[test]
    fn numeric_dates_keep_their_precision() {
        assert_eq!(dates("date 2024-01")[0].0, "2024-01");
        assert_eq!(dates("2024-01-15")[0].0, "2024-01-15");
        assert_eq!(dates("15/01/2024")[0].0, "2024-01-15");
        assert_eq!(dates("15-01-2024")[0].0, "2024-01-15");
        let words = Lexicons::builtin().unwrap().import_words();
        assert!(find("03/04/2024", &words, false).is_empty());
        assert_eq!(
            find("04/25/2024", &words, false)[0].date.to_string(),
            "2024-04-25"
        );
    }

    #[test]
    fn no_date_where_there_is_none() {
        assert!(dates("le 13 septembre dernier").is_empty());
        assert!(dates("plus de 1300 km, 9,15 millions").is_empty());
        assert!(dates("le 31 février 2023").is_empty());
        assert!(dates("12.9 C").is_empty());
    }

    #[test]
    fn urls() {
        assert_eq!(
            in_url("https://www.example.org/2024/04/26/titre/").map(|d| d.to_string()),
            Some("2024-04-26".into())
        );
        assert_eq!(
            in_url("https://example.org/news/2023/02/titre").map(|d| d.to_string()),
            Some("2023-02".into())
        );
        assert_eq!(in_url("https://2024.example.org/page-12"), None);
        assert_eq!(
            host("https://www.Example.org:8080/a?b"),
            Some("example.org".into())
        );
        assert_eq!(host("not a url"), None);
    }
}
