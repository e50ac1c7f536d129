//! The HTML report: one self-contained page (inline CSS and SVG, no script,
//! nothing fetched) with a summary table, a timeline chart per proposition
//! and each contradiction's two sentences side by side with their differing
//! words marked. Rendered from the same [`Report`] as every other format.
//!
//! The chart: time runs left to right, one lane per source. An article's
//! stance is a dot at the middle of its date interval, over a bar as wide as
//! the interval (a month-precise date is a month wide: precision is shown,
//! not invented). A hedged stance is a hollow dot. A contradiction is an arc
//! between its two dots, drawn by kind.

mod chart;

use std::collections::BTreeMap;
use std::fmt::Write;

use similar::{Algorithm, ChangeTag};

use super::{ContradictionOut, PropositionOut, Report, Side};
use crate::ledger::Position;
use chart::{chart, lane_name};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--sup:#1a7f37;--opp:#cf222e;--mix:#9a6700;--self:#8250df;--rev:#59636e;--del:#ffebe9;--ins:#dafbe1}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;--sup:#3fb950;--opp:#f85149;--mix:#d29922;--self:#ab7df8;--rev:#9198a1;--del:#5d1e1e;--ins:#1b4721}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.8em 0 .2em;word-break:break-word}h2 code{font-size:1em}
section.proposition{border-top:2px solid var(--line)}
code,.path{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.muted{color:var(--muted)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--panel)}td.n{text-align:right;font-variant-numeric:tabular-nums}
a{color:inherit}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:var(--rev)}
.badge.conflict,.badge.internal{background:var(--opp)}.badge.self{background:var(--self)}.badge.fails{background:var(--opp)}.badge.ok{background:var(--muted)}
.supports{color:var(--sup)}.opposes{color:var(--opp)}.mixed{color:var(--mix)}
.chart{margin:8px 0;border:1px solid var(--line);border-radius:6px;background:var(--panel)}
.chart svg{display:block;min-width:560px;width:100%;height:auto}
svg text{fill:var(--fg);font:14px system-ui,sans-serif}svg .axis text{fill:var(--muted);font-size:13px}
svg .lane-line{stroke:var(--line)}svg .tick{stroke:var(--line);stroke-dasharray:2 3}
svg .span{stroke-width:6;stroke-linecap:round;opacity:.35}
svg .point{stroke-width:2.5}
svg .point.supports,svg .span.supports{fill:var(--sup);stroke:var(--sup)}
svg .point.opposes,svg .span.opposes{fill:var(--opp);stroke:var(--opp)}
svg .point.mixed,svg .span.mixed{fill:var(--mix);stroke:var(--mix)}
svg .point.hedged{fill:var(--bg);stroke-dasharray:3 2}
svg .link{fill:none;stroke-width:2}
svg .link.conflict{stroke:var(--opp)}svg .link.self{stroke:var(--self)}
svg .link.reversal{stroke:var(--rev);stroke-dasharray:6 4}svg .link.internal{stroke:var(--opp)}
svg .link.acknowledged{opacity:.45}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px;color:var(--muted);margin:4px 0 12px}
.legend svg{vertical-align:middle;min-width:0;width:auto}
.contradiction{border:1px solid var(--line);border-radius:6px;margin:12px 0;overflow:hidden}
.contradiction>header{background:var(--panel);padding:6px 10px;display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.pair{display:grid;grid-template-columns:1fr 1fr}
.side{padding:8px 10px;min-width:0}.side+.side{border-left:1px solid var(--line)}
.side .meta{font-size:13px;color:var(--muted)}
blockquote{margin:6px 0 0;padding:0;font-size:15px}
mark.del{background:var(--del);color:inherit;border-radius:2px}mark.ins{background:var(--ins);color:inherit;border-radius:2px}
details{margin:6px 0}summary{cursor:pointer;color:var(--muted)}
th .short{display:none}
@media (max-width:640px){main{padding:10px}th .long,td .claim{display:none}th .short{display:inline}.pair{grid-template-columns:1fr}.side+.side{border-left:0;border-top:1px solid var(--line)}th,td{padding:4px 5px}}
"#;

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>volte report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    );
    let _ = writeln!(out, "<h1>volte report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"muted\" id=\"totals\">{} articles, {} sentences, {} claims: <strong>{} contradictions</strong> ({} conflict, {} reversal, {} self, {} internal), <strong>{} failing</strong>. Conflict window {} days.</p>",
        s.articles,
        s.sentences,
        s.claims,
        s.contradictions,
        s.by_kind.conflict,
        s.by_kind.reversal,
        s.by_kind.self_,
        s.by_kind.internal,
        s.failing,
        s.conflict_window_days
    );
    let titles: BTreeMap<&str, &str> = report
        .articles
        .iter()
        .filter_map(|a| Some((&*a.id, a.title.as_deref()?)))
        .collect();
    summary_table(report, &mut out);
    legend(&mut out);
    for p in &report.propositions {
        proposition(report, p, &titles, &mut out);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn summary_table(report: &Report, out: &mut String) {
    out.push_str("<div class=\"scroll\"><table id=\"summary\">\n<thead><tr><th>proposition</th><th title=\"articles\"><span class=\"long\">articles</span><span class=\"short\">art.</span></th><th title=\"supports\"><span class=\"long\">supports</span><span class=\"short\">sup.</span></th><th title=\"opposes\"><span class=\"long\">opposes</span><span class=\"short\">opp.</span></th><th title=\"mixed\"><span class=\"long\">mixed</span><span class=\"short\">mix.</span></th><th title=\"contradictions\"><span class=\"long\">contradictions</span><span class=\"short\">contr.</span></th><th title=\"failing\"><span class=\"long\">failing</span><span class=\"short\">fail.</span></th></tr></thead>\n<tbody>\n");
    for p in &report.propositions {
        let count = |pos: Position| p.timeline.iter().filter(|e| e.stance == pos).count();
        let mine: Vec<&ContradictionOut> = report
            .contradictions
            .iter()
            .filter(|c| *c.proposition == *p.id)
            .collect();
        let failing = mine.iter().filter(|c| c.fails).count();
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{}\"><code>{}</code></a><br><span class=\"muted claim\">{}</span></td><td class=\"n\">{}</td><td class=\"n supports\">{}</td><td class=\"n opposes\">{}</td><td class=\"n mixed\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            anchor(&p.id),
            escape(&p.id),
            escape(&p.claim),
            p.timeline.len(),
            count(Position::Supports),
            count(Position::Opposes),
            count(Position::Mixed),
            mine.len(),
            if failing > 0 {
                format!("<span class=\"badge fails\">{failing}</span>")
            } else {
                "0".to_string()
            }
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn legend(out: &mut String) {
    let dot = |class: &str| {
        format!("<svg width=\"14\" height=\"14\" aria-hidden=\"true\"><circle class=\"key point {class}\" cx=\"7\" cy=\"7\" r=\"5\"/></svg>")
    };
    let line = |class: &str| {
        format!("<svg width=\"28\" height=\"10\" aria-hidden=\"true\"><path class=\"key link {class}\" d=\"M2 5 H26\"/></svg>")
    };
    let _ = writeln!(
        out,
        "<div class=\"legend\"><span>{} supports</span><span>{} opposes</span><span>{} mixed</span><span>{} hedged</span><span>{} conflict</span><span>{} reversal</span><span>{} self</span><span>bar: the date's precision (a month, a year)</span></div>",
        dot("supports"),
        dot("opposes"),
        dot("mixed"),
        dot("supports hedged"),
        line("conflict"),
        line("reversal"),
        line("self")
    );
}

fn anchor(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("p-{cleaned}")
}

/// Article titles by id.
type Titles<'a> = BTreeMap<&'a str, &'a str>;

fn proposition(report: &Report, p: &PropositionOut, titles: &Titles<'_>, out: &mut String) {
    let _ = writeln!(
        out,
        "<section class=\"proposition\" id=\"{}\">\n<h2><code>{}</code></h2>\n<p>{}</p>",
        anchor(&p.id),
        escape(&p.id),
        escape(&p.claim)
    );
    let mine: Vec<&ContradictionOut> = report
        .contradictions
        .iter()
        .filter(|c| *c.proposition == *p.id)
        .collect();
    if p.timeline.is_empty() {
        out.push_str("<p class=\"muted\">No article takes a stance.</p>\n</section>\n");
        return;
    }
    chart(p, &mine, out);
    timeline_table(p, out);
    if mine.is_empty() {
        out.push_str("<p class=\"muted\">No contradiction.</p>\n");
    }
    for c in mine {
        contradiction(c, titles, out);
    }
    out.push_str("</section>\n");
}

fn timeline_table(p: &PropositionOut, out: &mut String) {
    out.push_str("<details><summary>Timeline as a table</summary><div class=\"scroll\"><table><thead><tr><th>date</th><th>stance</th><th>source</th><th>where</th></tr></thead><tbody>\n");
    for e in &p.timeline {
        let lines: Vec<String> = e.lines.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"{}\">{}{}</td><td>{}</td><td class=\"path\">{}:{}</td></tr>",
            escape(&e.date),
            e.stance.as_str(),
            e.stance.as_str(),
            if e.hedged { " (hedged)" } else { "" },
            escape(&lane_name(&e.source)),
            escape(&e.path),
            lines.join(",")
        );
    }
    out.push_str("</tbody></table></div></details>\n");
}

fn contradiction(c: &ContradictionOut, titles: &Titles<'_>, out: &mut String) {
    let kind = c.kind.as_str();
    let status = if let Some(reason) = &c.acknowledged_reason {
        format!(
            "<span class=\"badge ok\">acknowledged</span> <span class=\"muted\">{}</span>",
            escape(reason)
        )
    } else if c.fails {
        "<span class=\"badge fails\">fails the build</span>".to_string()
    } else {
        "<span class=\"muted\">does not fail the build</span>".to_string()
    };
    let _ = writeln!(
        out,
        "<article class=\"contradiction {kind}\" data-a=\"{}\" data-b=\"{}\">\n<header><span class=\"badge {kind}\">{kind}</span> {status}</header>\n<div class=\"pair\">",
        escape(&c.a.article),
        escape(&c.b.article)
    );
    let (a, b) = marked(&c.a.sentence, &c.b.sentence);
    side(&c.a, &a, titles, out);
    side(&c.b, &b, titles, out);
    out.push_str("</div>\n</article>\n");
}

fn side(s: &Side, sentence: &str, titles: &Titles<'_>, out: &mut String) {
    let title = titles
        .get(&*s.article)
        .map(|t| format!("<br><em>{}</em>", escape(t)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<div class=\"side\"><div class=\"meta\"><strong>{}</strong> · {} · <span class=\"{}\">{}</span>{}{title}<br><code>{}</code> · <span class=\"path\">{}:{}</span></div><blockquote>{}</blockquote></div>",
        escape(&s.date),
        escape(&lane_name(&s.source)),
        s.stance.as_str(),
        s.stance.as_str(),
        if s.hedged { " (hedged)" } else { "" },
        escape(&s.article),
        escape(&s.path),
        s.line,
        sentence
    );
}

/// The two sentences as HTML, each with the words the other lacks marked:
/// runs of changed words make one mark.
pub fn marked(a: &str, b: &str) -> (String, String) {
    let mut left: Vec<(bool, &str)> = Vec::new();
    let mut right: Vec<(bool, &str)> = Vec::new();
    for (tag, text) in similar::utils::diff_words(Algorithm::Patience, a, b) {
        match tag {
            ChangeTag::Equal => {
                left.push((false, text));
                right.push((false, text));
            }
            ChangeTag::Delete => left.push((true, text)),
            ChangeTag::Insert => right.push((true, text)),
        }
    }
    (runs(&left, "del"), runs(&right, "ins"))
}

/// Renders (changed, text) pieces: spaces between two changed pieces join
/// them, and each changed run is one mark with its outer spaces left out.
fn runs(pieces: &[(bool, &str)], class: &str) -> String {
    let mut flags: Vec<bool> = pieces.iter().map(|p| p.0).collect();
    for i in 1..pieces.len().saturating_sub(1) {
        if !flags[i] && pieces[i].1.trim().is_empty() && flags[i - 1] && pieces[i + 1].0 {
            flags[i] = true;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < pieces.len() {
        let changed = flags[i];
        let mut text = String::new();
        while i < pieces.len() && flags[i] == changed {
            text.push_str(pieces[i].1);
            i += 1;
        }
        if changed {
            mark(&mut out, class, &escape(&text));
        } else {
            out.push_str(&escape(&text));
        }
    }
    out
}

/// Marks a changed run, leaving its surrounding spaces outside the mark.
fn mark(out: &mut String, class: &str, text: &str) {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        out.push_str(text);
        return;
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    let _ = write!(out, "{lead}<mark class=\"{class}\">{trimmed}</mark>{trail}");
}

pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_marks_differing_words() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let (a, b) = marked(
            "Alger soutient Wagner au Mali.",
            "Alger rejette Wagner au Mali.",
        );
        assert_eq!(
            a,
            "Alger <mark class=\"del\">soutient</mark> Wagner au Mali."
        );
        assert_eq!(
            b,
            "Alger <mark class=\"ins\">rejette</mark> Wagner au Mali."
        );
        // A run of changed words is one mark.
        let (a, _) = marked("Alger soutient bien Wagner.", "Alger rejette Wagner.");
        assert_eq!(a, "Alger <mark class=\"del\">soutient bien</mark> Wagner.");
    }
}
