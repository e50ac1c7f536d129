//! The report: one serializable model of a run, rendered by every output format.
//!
//! The JSON form is a public, versioned contract (docs/json.md): fields may be
//! added, none renamed or removed without bumping [`VERSION`].

pub mod explain;
pub mod human;

use serde::Serialize;

use crate::ledger::{Kind, Position};
use crate::pipeline::Run;
use crate::rulebook::Stance;
use crate::text::sentences::Section;

pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub articles: Vec<ArticleOut>,
    pub propositions: Vec<PropositionOut>,
    pub claims: Vec<ClaimOut>,
    pub contradictions: Vec<ContradictionOut>,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct ArticleOut {
    pub id: String,
    pub path: String,
    pub date: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub lang: String,
}

#[derive(Debug, Serialize)]
pub struct PropositionOut {
    pub id: String,
    pub claim: String,
    /// Articles that take a stance on it, oldest first.
    pub timeline: Vec<TimelineOut>,
}

#[derive(Debug, Serialize)]
pub struct TimelineOut {
    pub article: String,
    pub date: String,
    pub source: String,
    pub stance: Position,
    /// Every claim behind the stance is hedged.
    pub hedged: bool,
    pub path: String,
    /// Lines of the article's claims on the proposition.
    pub lines: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub struct ClaimOut {
    pub article: String,
    pub path: String,
    pub line: usize,
    pub proposition: String,
    pub stance: Stance,
    pub negated: bool,
    pub hedged: bool,
    pub section: Section,
    pub cue: String,
    pub sentence: String,
    pub pattern: String,
}

#[derive(Debug, Serialize)]
pub struct ContradictionOut {
    pub proposition: String,
    pub kind: Kind,
    pub a: Side,
    pub b: Side,
    pub acknowledged: bool,
}

#[derive(Debug, Serialize)]
pub struct Side {
    pub article: String,
    pub date: String,
    pub source: String,
    pub stance: Stance,
    pub path: String,
    pub line: usize,
    pub sentence: String,
    pub hedged: bool,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub articles: usize,
    pub sentences: usize,
    pub claims: usize,
    pub contradictions: usize,
    pub by_kind: ByKind,
    pub unacknowledged: usize,
    pub conflict_window_days: u32,
}

#[derive(Debug, Default, Serialize)]
pub struct ByKind {
    pub conflict: usize,
    pub reversal: usize,
    #[serde(rename = "self")]
    pub self_: usize,
    pub internal: usize,
}

impl ByKind {
    pub fn get(&self, kind: Kind) -> usize {
        match kind {
            Kind::Conflict => self.conflict,
            Kind::Reversal => self.reversal,
            Kind::SelfContradiction => self.self_,
            Kind::Internal => self.internal,
        }
    }
}

fn path_string(path: &std::path::Path) -> String {
    // Forward slashes everywhere, so reports read the same on every system.
    path.to_string_lossy().replace('\\', "/")
}

impl Report {
    pub fn new(run: &Run) -> Self {
        let article = |i: usize| &run.articles[i];
        let articles = run
            .articles
            .iter()
            .map(|a| ArticleOut {
                id: a.id.clone(),
                path: path_string(&a.path),
                date: a.date.to_string(),
                source: a.source.clone(),
                title: a.title.clone(),
                lang: a.lang.clone(),
            })
            .collect();
        let propositions = run
            .rulebook
            .propositions
            .iter()
            .enumerate()
            .map(|(p, prop)| PropositionOut {
                id: prop.id.clone(),
                claim: prop.claim.clone(),
                timeline: run
                    .ledger
                    .timelines
                    .iter()
                    .filter(|t| t.proposition == p)
                    .flat_map(|t| &t.entries)
                    .map(|e| {
                        let a = article(e.article);
                        TimelineOut {
                            article: a.id.clone(),
                            date: a.date.to_string(),
                            source: a.source.clone(),
                            stance: e.position,
                            hedged: e.hedged,
                            path: path_string(&a.path),
                            lines: {
                                let mut lines: Vec<usize> =
                                    e.claims.iter().map(|&c| run.claims[c].line).collect();
                                lines.dedup();
                                lines
                            },
                        }
                    })
                    .collect(),
            })
            .collect();
        let claims = run
            .claims
            .iter()
            .map(|c| {
                let a = article(c.article);
                ClaimOut {
                    article: a.id.clone(),
                    path: path_string(&a.path),
                    line: c.line,
                    proposition: run.rulebook.propositions[c.proposition].id.clone(),
                    stance: c.stance,
                    negated: c.negated,
                    hedged: c.hedged,
                    section: c.section,
                    cue: c.cue.clone(),
                    sentence: c.sentence.clone(),
                    pattern: c.pattern.clone(),
                }
            })
            .collect();
        let side = |claim: usize| {
            let c = &run.claims[claim];
            let a = article(c.article);
            Side {
                article: a.id.clone(),
                date: a.date.to_string(),
                source: a.source.clone(),
                stance: c.stance,
                path: path_string(&a.path),
                line: c.line,
                sentence: c.sentence.clone(),
                hedged: c.hedged,
            }
        };
        let mut by_kind = ByKind::default();
        let contradictions: Vec<ContradictionOut> = run
            .ledger
            .contradictions
            .iter()
            .map(|c| {
                match c.kind {
                    Kind::Conflict => by_kind.conflict += 1,
                    Kind::Reversal => by_kind.reversal += 1,
                    Kind::SelfContradiction => by_kind.self_ += 1,
                    Kind::Internal => by_kind.internal += 1,
                }
                ContradictionOut {
                    proposition: run.rulebook.propositions[c.proposition].id.clone(),
                    kind: c.kind,
                    a: side(c.a),
                    b: side(c.b),
                    acknowledged: c.acknowledged,
                }
            })
            .collect();
        let summary = Summary {
            articles: run.articles.len(),
            sentences: run.sentences,
            claims: run.claims.len(),
            contradictions: contradictions.len(),
            unacknowledged: contradictions.iter().filter(|c| !c.acknowledged).count(),
            by_kind,
            conflict_window_days: run.window_days,
        };
        Report {
            version: VERSION,
            articles,
            propositions,
            claims,
            contradictions,
            summary,
        }
    }

    /// The JSON form, followed by a newline.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }
}
