//! A saved HTML page made into text: block elements become lines, scripts,
//! styles, menus and footers are dropped, a comments section (an element whose
//! `id` or `class` names comments) is marked, and the page's metadata (title,
//! site name, canonical URL, publication time) is kept.
//!
//! A small hand-written reader, not a browser: it is forgiving of bad markup
//! and never fails; what it cannot read stays text.

use crate::text::sentences::COMMENTS_MARKER;

/// A page read from HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html {
    pub text: String,
    pub title: Option<String>,
    pub site: Option<String>,
    pub url: Option<String>,
    /// `article:published_time`, `datePublished` or a `<time datetime>`.
    pub published: Option<String>,
}

/// True when the text is an HTML page rather than text or Markdown.
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start()
        .chars()
        .take(400)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body")
}

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg", "iframe",
    "template", "button", "select", "head",
];

/// Elements that end a line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "article",
    "section",
    "blockquote",
    "tr",
    "table",
    "hr",
    "figure",
    "figcaption",
    "main",
    "dd",
    "dt",
    "pre",
];

/// Reads an HTML page.
pub fn to_text(html: &str) -> Html {
    let mut page = Html::default();
    let mut out = String::new();
    // Open skipped elements (by name), and the depth at which comments began.
    let mut skipping: Vec<String> = Vec::new();
    let mut h1: Option<String> = None;
    let mut in_h1 = false;
    let mut in_title = false;
    let mut title_text = String::new();
    let mut comments_marked = false;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            text_run(
                rest,
                &skipping,
                &mut out,
                in_h1,
                &mut h1,
                in_title,
                &mut title_text,
            );
            break;
        };
        text_run(
            &rest[..lt],
            &skipping,
            &mut out,
            in_h1,
            &mut h1,
            in_title,
            &mut title_text,
        );
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if name == "meta" || name == "link" {
            meta(tag, &mut page);
            continue;
        }
        if name == "time" && page.published.is_none() {
            page.published = attribute(tag, "datetime");
        }
        if name == "title" {
            in_title = !closing;
            continue;
        }
        if SKIPPED.contains(&name.as_str()) {
            if closing {
                if let Some(at) = skipping.iter().rposition(|n| *n == name) {
                    skipping.truncate(at);
                }
            } else if !tag.ends_with('/') {
                skipping.push(name.clone());
            }
            continue;
        }
        if !closing && !comments_marked && skipping.is_empty() && names_comments(tag) {
            out.push_str(&format!("\n\n{COMMENTS_MARKER}\n\n"));
            comments_marked = true;
        }
        if name == "h1" {
            in_h1 = !closing;
        }
        if BLOCKS.contains(&name.as_str()) {
            out.push('\n');
            if !closing && skipping.is_empty() {
                if let Some(level) = name.strip_prefix('h').and_then(|l| l.parse::<usize>().ok()) {
                    out.push('\n');
                    out.push_str(&"#".repeat(level.min(6)));
                    out.push(' ');
                } else if name == "li" {
                    out.push_str("- ");
                } else if name == "p" {
                    out.push('\n');
                }
            }
        }
    }
    let title = page.title.take().or(h1).or_else(|| {
        let t = collapse(&decode(&title_text));
        (!t.is_empty()).then_some(t)
    });
    page.title = title.map(|t| collapse(&t)).filter(|t| !t.is_empty());
    page.text = out.lines().map(collapse).collect::<Vec<_>>().join("\n");
    page
}

#[allow(clippy::too_many_arguments)]
fn text_run(
    run: &str,
    skipping: &[String],
    out: &mut String,
    in_h1: bool,
    h1: &mut Option<String>,
    in_title: bool,
    title: &mut String,
) {
    if in_title {
        title.push_str(run);
        return;
    }
    if !skipping.is_empty() {
        return;
    }
    let text = decode(run);
    if in_h1 {
        h1.get_or_insert_with(String::new).push_str(&text);
    }
    out.push_str(&text.replace(['\n', '\r', '\t'], " "));
}

/// The `>` that closes the tag opening `s`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// True for an element whose id or class says it holds the comments.
fn names_comments(tag: &str) -> bool {
    ["id", "class"].iter().any(|a| {
        attribute(tag, a).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
                .any(|w| {
                    matches!(
                        w,
                        "comments"
                            | "comment-list"
                            | "commentlist"
                            | "comments-area"
                            | "disqus_thread"
                            | "reactions"
                    )
                })
        })
    })
}

fn meta(tag: &str, page: &mut Html) {
    let key = attribute(tag, "property")
        .or_else(|| attribute(tag, "name"))
        .or_else(|| attribute(tag, "itemprop"))
        .or_else(|| attribute(tag, "rel"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let value = attribute(tag, "content").or_else(|| attribute(tag, "href"));
    let Some(value) = value
        .map(|v| collapse(&decode(&v)))
        .filter(|v| !v.is_empty())
    else {
        return;
    };
    let slot = match key.as_str() {
        "og:title" | "twitter:title" => &mut page.title,
        "og:site_name" | "application-name" => &mut page.site,
        "og:url" | "canonical" => &mut page.url,
        "article:published_time" | "datepublished" | "date" | "dc.date" | "pubdate" => {
            &mut page.published
        }
        _ => return,
    };
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// The value of attribute `name` in a tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - after.len() + 1;
        let value = tag[value_at..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_string(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

/// Decodes character references: `&amp;`, `&#233;`, `&#xE9;` and the named
/// ones news pages use.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
            } else if let Some(num) = name.strip_prefix('#') {
                num.parse().ok().and_then(char::from_u32)
            } else {
                named(name)
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "laquo" => '«',
        "raquo" => '»',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "Egrave" => 'È',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "agrave" => 'à',
        "Agrave" => 'À',
        "acirc" => 'â',
        "ccedil" => 'ç',
        "Ccedil" => 'Ç',
        "icirc" => 'î',
        "iuml" => 'ï',
        "ocirc" => 'ô',
        "ucirc" => 'û',
        "ugrave" => 'ù',
        "uuml" => 'ü',
        "oelig" => 'œ',
        "deg" => '°',
        "euro" => '€',
        _ => return None,
    })
}

/// Runs of white space made one space, ends trimmed (a no-break space stays
/// a space).
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head>
<title>Un titre | Le Site</title>
<meta property="og:site_name" content="Le Site">
<meta property="article:published_time" content="2024-03-05T08:00:00+01:00">
<link rel="canonical" href="https://www.lesite.example/2024/03/05/un-titre/">
<script>var x = "<p>pas du texte</p>";</script>
</head><body>
<nav><a href="/">Accueil</a></nav>
<article><h1>Un titre</h1>
<p>Le premier paragraphe, avec un &eacute;l&eacute;ment &amp; une apostrophe&rsquo;s.</p>
<p>Un second
paragraphe.</p></article>
<div id="comments"><p>Un lecteur pas content.</p></div>
<footer>© Le Site</footer>
</body></html>"#;

    #[test]
    fn reads_text_and_metadata() {
        let page = to_text(PAGE);
        assert_eq!(page.title.as_deref(), Some("Un titre"));
        assert_eq!(page.site.as_deref(), Some("Le Site"));
        assert_eq!(page.published.as_deref(), Some("2024-03-05T08:00:00+01:00"));
        assert_eq!(
            page.url.as_deref(),
            Some("https://www.lesite.example/2024/03/05/un-titre/")
        );
        let text = page.text;
        assert!(text.contains("# Un titre"), "{text}");
        assert!(
            text.contains("Le premier paragraphe, avec un élément & une apostrophe’s."),
            "{text}"
        );
        assert!(text.contains("Un second paragraphe."), "{text}");
        assert!(!text.contains("pas du texte"), "{text}");
        assert!(!text.contains("Accueil"), "{text}");
        assert!(!text.contains("©"), "{text}");
        let marker = text.find(COMMENTS_MARKER).unwrap();
        assert!(text[marker..].contains("Un lecteur pas content."));
        assert!(looks_like_html(PAGE));
        assert!(!looks_like_html("Un texte < 3 mots."));
    }

    #[test]
    fn decodes_references() {
        assert_eq!(
            decode("a&#233;b&#xE9;c&nbsp;d&unknown;e & f"),
            "aébéc\u{a0}d&unknown;e & f"
        );
    }
}
