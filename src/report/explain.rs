//! `volte explain`: each sentence of one article, the entities it names and the
//! claims it makes, with why (the cue, the pattern, the negation, the hedge).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::corpus::Article;
use crate::matcher::{Analysis, Claim};
use crate::rulebook::{Rulebook, Stance};
use crate::text::sentences::Section;

#[derive(Debug, Serialize)]
pub struct Explanation {
    pub version: u32,
    pub article: String,
    pub path: String,
    pub date: String,
    pub source: String,
    pub lang: String,
    pub sentences: Vec<SentenceOut>,
}

#[derive(Debug, Serialize)]
pub struct SentenceOut {
    pub line: usize,
    pub section: Section,
    pub text: String,
    pub entities: Vec<EntityOut>,
    /// Entities lent by earlier sentences (the `context` of the propositions).
    pub context: Vec<String>,
    pub claims: Vec<ClaimWhy>,
    /// The words after folding, as patterns see them.
    pub tokens: Vec<String>,
    /// Propositions that came close but made no claim, and why not.
    pub near_misses: Vec<NearMissOut>,
}

#[derive(Debug, Serialize)]
pub struct NearMissOut {
    pub proposition: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct EntityOut {
    pub entity: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct ClaimWhy {
    pub proposition: String,
    pub stance: Stance,
    pub cue: String,
    pub pattern: String,
    pub negated: bool,
    pub negators: Vec<String>,
    pub denial: Option<String>,
    pub hedged: bool,
    pub hedge: Option<String>,
}

impl Explanation {
    pub fn new(article: &Article, analysis: &Analysis, rulebook: &Rulebook) -> Self {
        let claim = |c: &Claim| ClaimWhy {
            proposition: rulebook.propositions[c.proposition].id.clone(),
            stance: c.stance,
            cue: c.cue.to_string(),
            pattern: c.pattern.to_string(),
            negated: c.negated,
            negators: c.negators().iter().map(ToString::to_string).collect(),
            denial: c.denial().map(str::to_owned),
            hedged: c.hedged,
            hedge: c.hedge().map(str::to_owned),
        };
        Explanation {
            version: super::VERSION,
            article: article.id().to_string(),
            path: article.path.to_string_lossy().replace('\\', "/"),
            date: article.date.to_string(),
            source: article.source().to_string(),
            lang: article.lang().to_string(),
            sentences: analysis
                .details
                .iter()
                .map(|d| SentenceOut {
                    line: d.line,
                    section: d.section,
                    text: d.text.clone(),
                    entities: d
                        .mentions
                        .iter()
                        .map(|m| EntityOut {
                            entity: rulebook.entities[m.entity].id.clone(),
                            text: m.text.clone(),
                        })
                        .collect(),
                    context: d
                        .context
                        .iter()
                        .map(|&e| rulebook.entities[e].id.clone())
                        .collect(),
                    claims: d.claims.iter().map(claim).collect(),
                    tokens: d.tokens.clone(),
                    near_misses: d
                        .near_misses
                        .iter()
                        .map(|n| NearMissOut {
                            proposition: rulebook.propositions[n.proposition].id.clone(),
                            reason: n.reason.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Keeps only the sentences of line `line` (or the one running over it).
    /// Fails when the line is past the end of the article.
    pub fn keep_line(&mut self, line: usize) -> Result<(), String> {
        let last = self.sentences.iter().rposition(|s| s.line <= line);
        let Some(last) = last else {
            return Err(format!("no sentence starts at or before line {line}"));
        };
        let start_line = self.sentences[last].line;
        self.sentences.retain(|s| s.line == start_line);
        Ok(())
    }

    /// The human form; `why_not` adds the folded words of each sentence and
    /// the propositions that came close without a claim.
    pub fn render(&self, why_not: bool) -> String {
        let bold = Style::new().bold();
        let dim = Style::new().dimmed();
        let green = AnsiColor::Green.on_default();
        let red = AnsiColor::Red.on_default();
        let mut out = String::new();
        if self.path == "-" {
            let _ = writeln!(
                out,
                "{bold}standard input{bold:#}  {dim}lang {}{dim:#}",
                self.lang
            );
        } else {
            let _ = writeln!(
                out,
                "{bold}{}{bold:#}  {}  {}  {dim}{}{dim:#}",
                self.article, self.date, self.source, self.path
            );
        }
        let claims: usize = self.sentences.iter().map(|s| s.claims.len()).sum();
        for s in &self.sentences {
            let section = match s.section {
                Section::Body => String::new(),
                Section::Comment => format!(" {dim}[comment]{dim:#}"),
            };
            let _ = writeln!(
                out,
                "\n{dim}{:>4}{dim:#}{section}  {}",
                s.line,
                highlight(&s.text, s)
            );
            if !s.entities.is_empty() || !s.context.is_empty() {
                let mut named: Vec<String> = s
                    .entities
                    .iter()
                    .map(|e| format!("{} «{}»", e.entity, e.text))
                    .collect();
                named.extend(s.context.iter().map(|e| format!("{e} (from context)")));
                let _ = writeln!(out, "      {dim}entities:{dim:#} {}", named.join(", "));
            }
            for c in &s.claims {
                let style = match c.stance {
                    Stance::Supports => green,
                    Stance::Opposes => red,
                };
                let _ = writeln!(
                    out,
                    "      → {bold}{}{bold:#} {style}{}{style:#}",
                    c.proposition,
                    c.stance.as_str()
                );
                let _ = writeln!(out, "          cue «{}» by pattern `{}`", c.cue, c.pattern);
                if !c.negators.is_empty() {
                    // A denial only counts when no negator does, so the two
                    // never show together.
                    let effect = if c.negated {
                        "flips the stance"
                    } else {
                        "cancels out"
                    };
                    let _ = writeln!(
                        out,
                        "          negation «{}» {effect}",
                        c.negators.join(" … ")
                    );
                }
                if let Some(d) = &c.denial {
                    let _ = writeln!(out, "          denied by «{d}»: flips the stance");
                }
                if let Some(h) = &c.hedge {
                    let _ = writeln!(out, "          hedged by «{h}»");
                }
            }
            if why_not {
                let _ = writeln!(out, "      {dim}words:{dim:#} {}", s.tokens.join(" "));
                for n in &s.near_misses {
                    let _ = writeln!(
                        out,
                        "      {dim}✗{dim:#} {bold}{}{bold:#}: {}",
                        n.proposition, n.reason
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "\n{}, {}",
            super::human::plural(self.sentences.len(), "sentence"),
            super::human::plural(claims, "claim")
        );
        out
    }
}

/// The sentence with its entity mentions underlined and its cues in bold, on
/// a terminal (anstream drops the styles elsewhere).
fn highlight(text: &str, s: &SentenceOut) -> String {
    let mut spans: Vec<(usize, usize, Style)> = Vec::new();
    let mut mark = |needle: &str, style: Style| {
        if needle.is_empty() {
            return;
        }
        let mut from = 0;
        while let Some(at) = text[from..].find(needle) {
            let (start, end) = (from + at, from + at + needle.len());
            if spans.iter().all(|&(a, b, _)| end <= a || start >= b) {
                spans.push((start, end, style));
                return;
            }
            from = end;
        }
    };
    for c in &s.claims {
        mark(&c.cue, Style::new().bold());
    }
    for e in &s.entities {
        mark(&e.text, Style::new().underline());
    }
    spans.sort_by_key(|&(a, ..)| a);
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut at = 0;
    for (start, end, style) in spans {
        out.push_str(&text[at..start]);
        out.push_str(&format!("{style}{}{style:#}", &text[start..end]));
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_and_mentions_are_marked_where_they_are() {
        let s = SentenceOut {
            line: 1,
            section: Section::Body,
            text: "Alger, pas Alger-Centre, soutient Wagner.".into(),
            entities: vec![
                EntityOut {
                    entity: "algeria".into(),
                    text: "Alger".into(),
                },
                EntityOut {
                    entity: "russia".into(),
                    text: "Wagner".into(),
                },
            ],
            context: vec![],
            claims: vec![ClaimWhy {
                proposition: "p".into(),
                stance: Stance::Supports,
                cue: "soutient".into(),
                pattern: "soutient ..4 @russia".into(),
                negated: false,
                negators: vec![],
                denial: None,
                hedged: false,
                hedge: None,
            }],
            tokens: vec![],
            near_misses: vec![],
        };
        let (u, b) = (Style::new().underline(), Style::new().bold());
        assert_eq!(
            highlight(&s.text, &s),
            format!("{u}Alger{u:#}, pas Alger-Centre, {b}soutient{b:#} {u}Wagner{u:#}.")
        );
    }
}
