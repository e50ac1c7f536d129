//! `--format markdown`: the report as Markdown, for a pull-request comment or a
//! GitHub job summary. A summary line first, the details folded.

use std::fmt::Write;

use super::{ContradictionOut, Report};

/// Text that goes in a table cell or inline: no pipes or newlines.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let verdict = if s.failing > 0 {
        format!("❌ **{} failing**", s.failing)
    } else if s.contradictions > 0 {
        "✅ **none fails the build**".to_string()
    } else {
        "✅ **no contradiction**".to_string()
    };
    let since = s
        .since
        .as_ref()
        .map(|r| format!(" since `{r}`"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "### volte: {verdict}: {} contradictions{since} ({} conflict, {} reversal, {} self, {} internal) in {} articles, {} claims\n",
        s.contradictions, s.by_kind.conflict, s.by_kind.reversal, s.by_kind.self_, s.by_kind.internal, s.articles, s.claims
    );
    if !report.contradictions.is_empty() {
        let _ = writeln!(out, "| | kind | proposition | newer | older |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for c in &report.contradictions {
            let _ = writeln!(out, "{}", row(status(c), c));
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "<details><summary>The sentences</summary>\n");
        for c in &report.contradictions {
            let _ = writeln!(
                out,
                "**{}** on `{}`{}\n",
                c.kind.as_str(),
                c.proposition,
                ack_note(c)
            );
            for side in [&c.b, &c.a] {
                let _ = writeln!(
                    out,
                    "> {} ({}, {}, `{}:{}`): « {} »\n",
                    side.stance.as_str(),
                    side.date,
                    cell(&side.source),
                    side.path,
                    side.line,
                    side.sentence
                );
            }
        }
        let _ = writeln!(out, "</details>\n");
    }
    let _ = writeln!(out, "<details><summary>Timelines</summary>\n");
    for p in &report.propositions {
        let _ = writeln!(out, "**`{}`**: {}\n", p.id, cell(&p.claim));
        if p.timeline.is_empty() {
            let _ = writeln!(out, "_no article takes a stance_\n");
            continue;
        }
        let _ = writeln!(out, "| date | stance | source | article |");
        let _ = writeln!(out, "|---|---|---|---|");
        for e in &p.timeline {
            let lines: Vec<String> = e.lines.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "| {} | {}{} | {} | `{}:{}` |",
                e.date,
                e.stance.as_str(),
                if e.hedged { " (hedged)" } else { "" },
                cell(&e.source),
                e.path,
                lines.join(",")
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "</details>");
    for (list, what) in [
        (
            &report.stale_acknowledgements,
            "matches no contradiction any more (stale)",
        ),
        (
            &report.expired_acknowledgements,
            "has expired: its contradiction fails again",
        ),
    ] {
        for a in list {
            let _ = writeln!(
                out,
                "\n⚠️ `{}:{}`: the acknowledgement of `{}` [{} / {}] {what}.",
                a.path, a.line, a.proposition, a.articles[0], a.articles[1]
            );
        }
    }
    out
}

/// One table row: `first` cell, kind, proposition, the newer then the older side.
pub fn row(first: &str, c: &ContradictionOut) -> String {
    format!(
        "| {first} | {} | `{}` | {} {} ({}) `{}:{}` | {} {} ({}) `{}:{}` |",
        c.kind.as_str(),
        c.proposition,
        c.b.date,
        cell(&c.b.source),
        c.b.stance.as_str(),
        c.b.path,
        c.b.line,
        c.a.date,
        cell(&c.a.source),
        c.a.stance.as_str(),
        c.a.path,
        c.a.line
    )
}

fn status(c: &ContradictionOut) -> &'static str {
    if c.fails {
        "❌"
    } else if c.acknowledged {
        "☑️"
    } else {
        "⚠️"
    }
}

fn ack_note(c: &ContradictionOut) -> String {
    match &c.acknowledged_reason {
        Some(r) => format!(" (acknowledged: {})", cell(r)),
        None if !c.fails => " (does not fail the build)".to_string(),
        None => String::new(),
    }
}
