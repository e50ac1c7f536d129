//! `--format github`: GitHub Actions workflow commands, so each contradiction
//! shows as an annotation on the newer article's line in the pull request.

use std::fmt::Write;

use super::{ContradictionOut, Report};

/// `%`, CR and LF must be escaped in a message; `:` and `,` too in properties.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.contradictions {
        let level = if c.fails {
            "error"
        } else if c.acknowledged {
            "notice"
        } else {
            "warning"
        };
        let title = format!("volte {}: {}", c.kind.as_str(), c.proposition);
        let _ = writeln!(
            out,
            "::{level} file={},line={},title={}::{}",
            escape_property(&c.b.path),
            c.b.line,
            escape_property(&title),
            escape_data(&message(c))
        );
    }
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
                "::warning file={},line={},title=volte acknowledgement::{}",
                escape_property(&a.path),
                a.line,
                escape_data(&format!(
                    "the acknowledgement of {} [{} / {}] {what}",
                    a.proposition, a.articles[0], a.articles[1]
                ))
            );
        }
    }
    let _ = writeln!(out, "{}", plain_summary(report));
    out
}

/// What an annotation says: both sides, quoted.
pub fn message(c: &ContradictionOut) -> String {
    let mut m = format!(
        "{} ({}, {}) {} but {} ({}, {}) {} — {}:{}: « {} »",
        c.b.article,
        c.b.date,
        c.b.source,
        c.b.stance.as_str(),
        c.a.article,
        c.a.date,
        c.a.source,
        c.a.stance.as_str(),
        c.a.path,
        c.a.line,
        c.a.sentence
    );
    if let Some(reason) = &c.acknowledged_reason {
        let _ = write!(m, " (acknowledged: {reason})");
    }
    m
}

/// The summary line without colour.
pub fn plain_summary(report: &Report) -> String {
    let s = &report.summary;
    let since = s
        .since
        .as_ref()
        .map(|r| format!(" since {r}"))
        .unwrap_or_default();
    format!(
        "volte: {} articles, {} claims, {} contradictions{since} ({} conflict, {} reversal, {} self, {} internal), {} failing",
        s.articles,
        s.claims,
        s.contradictions,
        s.by_kind.conflict,
        s.by_kind.reversal,
        s.by_kind.self_,
        s.by_kind.internal,
        s.failing
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_and_messages_are_escaped() {
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("line1\nline2: ok"), "line1%0Aline2: ok");
    }
}
