//! `volte diff`: what a change did to the report, between a git revision and
//! the working tree: claims added and removed, contradictions new and resolved,
//! acknowledgements gone stale, and the timelines that moved, as unified diffs.

use std::collections::BTreeSet;
use std::fmt::Write;

use similar::TextDiff;

use super::{
    markdown::cell, AcknowledgementOut, ClaimOut, ContradictionOut, PropositionOut, Report,
};

/// The difference between two reports.
pub struct Diff<'a> {
    pub rev: String,
    pub old: &'a Report,
    pub new: &'a Report,
}

type ClaimKey = (String, String, String, String);
type ContradictionKey = (String, (String, String));

fn claim_key(c: &ClaimOut) -> ClaimKey {
    (
        c.article.to_string(),
        c.proposition.to_string(),
        c.stance.as_str().to_string(),
        c.sentence.to_string(),
    )
}

fn contradiction_key(c: &ContradictionOut) -> ContradictionKey {
    (
        c.proposition.to_string(),
        crate::acknowledge::pair(&c.a.article, &c.b.article),
    )
}

fn timeline_text(p: &PropositionOut) -> String {
    let mut out = String::new();
    for e in &p.timeline {
        let _ = writeln!(
            out,
            "{:<10}  {:<8}  {}  [{}]{}",
            e.date,
            e.stance.as_str(),
            e.source,
            e.article,
            if e.hedged { " (hedged)" } else { "" }
        );
    }
    out
}

impl<'a> Diff<'a> {
    pub fn claims_added(&self) -> Vec<&'a ClaimOut> {
        let old: BTreeSet<ClaimKey> = self.old.claims.iter().map(claim_key).collect();
        self.new
            .claims
            .iter()
            .filter(|c| !old.contains(&claim_key(c)))
            .collect()
    }

    pub fn claims_removed(&self) -> Vec<&'a ClaimOut> {
        let new: BTreeSet<ClaimKey> = self.new.claims.iter().map(claim_key).collect();
        self.old
            .claims
            .iter()
            .filter(|c| !new.contains(&claim_key(c)))
            .collect()
    }

    pub fn contradictions_new(&self) -> Vec<&'a ContradictionOut> {
        let old: BTreeSet<ContradictionKey> = self
            .old
            .contradictions
            .iter()
            .map(contradiction_key)
            .collect();
        self.new
            .contradictions
            .iter()
            .filter(|c| !old.contains(&contradiction_key(c)))
            .collect()
    }

    pub fn contradictions_resolved(&self) -> Vec<&'a ContradictionOut> {
        let new: BTreeSet<ContradictionKey> = self
            .new
            .contradictions
            .iter()
            .map(contradiction_key)
            .collect();
        self.old
            .contradictions
            .iter()
            .filter(|c| !new.contains(&contradiction_key(c)))
            .collect()
    }

    pub fn stale(&self) -> Vec<&'a AcknowledgementOut> {
        self.new.stale_acknowledgements.iter().collect()
    }

    pub fn expired(&self) -> Vec<&'a AcknowledgementOut> {
        self.new.expired_acknowledgements.iter().collect()
    }

    /// For each proposition whose timeline moved: its id and a unified diff.
    pub fn timelines(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for p in &self.new.propositions {
            let before = self
                .old
                .propositions
                .iter()
                .find(|o| o.id == p.id)
                .map(timeline_text)
                .unwrap_or_default();
            let after = timeline_text(p);
            if before != after {
                let diff = TextDiff::from_lines(&before, &after)
                    .unified_diff()
                    .context_radius(2)
                    .header(
                        &format!("{} at {}", p.id, self.rev),
                        &format!("{} now", p.id),
                    )
                    .to_string();
                out.push((p.id.clone(), diff));
            }
        }
        out
    }

    fn counts(&self) -> String {
        use super::human::plural;
        format!(
            "{} new and {} resolved, {} added and {} removed, {} moved, {}, {} expired",
            plural(self.contradictions_new().len(), "contradiction"),
            self.contradictions_resolved().len(),
            plural(self.claims_added().len(), "claim"),
            self.claims_removed().len(),
            plural(self.timelines().len(), "timeline"),
            plural(self.stale().len(), "stale acknowledgement"),
            self.expired().len()
        )
    }

    /// The terminal form.
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "volte diff {}..working tree: {}\n",
            self.rev,
            self.counts()
        );
        let sections: [(&str, Vec<&ContradictionOut>); 2] = [
            ("new contradictions", self.contradictions_new()),
            ("resolved contradictions", self.contradictions_resolved()),
        ];
        for (title, list) in sections {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}");
            for c in list {
                let _ = writeln!(
                    out,
                    "  {:<8} {}  {} {} ({}) {}:{} ↔ {} {} ({}) {}:{}{}",
                    c.kind.as_str(),
                    c.proposition,
                    c.b.date,
                    c.b.article,
                    c.b.stance.as_str(),
                    c.b.path,
                    c.b.line,
                    c.a.date,
                    c.a.article,
                    c.a.stance.as_str(),
                    c.a.path,
                    c.a.line,
                    note(c)
                );
            }
            out.push('\n');
        }
        for (sign, title, list) in [
            ("+", "claims added", self.claims_added()),
            ("-", "claims removed", self.claims_removed()),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}");
            for c in list {
                let _ = writeln!(
                    out,
                    "  {sign} {} {}  {}:{}  « {} »",
                    c.proposition,
                    c.stance.as_str(),
                    c.path,
                    c.line,
                    c.sentence
                );
            }
            out.push('\n');
        }
        for (what, list) in [("stale", self.stale()), ("expired", self.expired())] {
            for a in list {
                let _ = writeln!(
                    out,
                    "{what} acknowledgement  {}:{}  {} [{} / {}]",
                    a.path, a.line, a.proposition, a.articles[0], a.articles[1]
                );
            }
        }
        for (_, diff) in self.timelines() {
            let _ = writeln!(out, "{diff}");
        }
        out
    }

    /// The pull-request comment: a summary line, the details folded.
    pub fn render_markdown(&self) -> String {
        let mut out = String::new();
        let new = self.contradictions_new();
        let failing = new.iter().filter(|c| c.fails).count();
        let verdict = if failing > 0 {
            format!(
                "❌ **{failing} new failing contradiction{}**",
                if failing == 1 { "" } else { "s" }
            )
        } else {
            "✅ **no new failing contradiction**".to_string()
        };
        let _ = writeln!(out, "### volte diff against `{}`: {verdict}\n", self.rev);
        let _ = writeln!(out, "{}.\n", self.counts());
        if !new.is_empty() || !self.contradictions_resolved().is_empty() {
            let _ = writeln!(out, "| | kind | proposition | newer | older |");
            let _ = writeln!(out, "|---|---|---|---|---|");
            for (mark, list) in [("new", new), ("resolved", self.contradictions_resolved())] {
                for c in list {
                    let first = format!("{mark}{}", note(c));
                    let _ = writeln!(out, "{}", super::markdown::row(&first, c));
                }
            }
            out.push('\n');
        }
        let added = self.claims_added();
        let removed = self.claims_removed();
        if !added.is_empty() || !removed.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>Claims: {} added, {} removed</summary>\n",
                added.len(),
                removed.len()
            );
            for (sign, list) in [("+", added), ("−", removed)] {
                for c in list {
                    let _ = writeln!(
                        out,
                        "- {sign} `{}` {} `{}:{}`: « {} »",
                        c.proposition,
                        c.stance.as_str(),
                        c.path,
                        c.line,
                        cell(&c.sentence)
                    );
                }
            }
            let _ = writeln!(out, "\n</details>\n");
        }
        let timelines = self.timelines();
        if !timelines.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>Timelines that moved: {}</summary>\n",
                timelines.len()
            );
            for (_, diff) in timelines {
                let _ = writeln!(out, "```diff\n{diff}```\n");
            }
            let _ = writeln!(out, "</details>\n");
        }
        for (what, list) in [("is stale", self.stale()), ("has expired", self.expired())] {
            for a in list {
                let _ = writeln!(
                    out,
                    "⚠️ `{}:{}`: the acknowledgement of `{}` [{} / {}] {what}.",
                    a.path, a.line, a.proposition, a.articles[0], a.articles[1]
                );
            }
        }
        out
    }
}

/// " (acknowledged)" or " (does not fail)", for a listed contradiction.
fn note(c: &ContradictionOut) -> &'static str {
    if c.acknowledged {
        " (acknowledged)"
    } else if !c.fails {
        " (does not fail)"
    } else {
        ""
    }
}
