//! The report: one serializable model of a run, rendered by every output format.
//!
//! The JSON form is a public, versioned contract (docs/json.md): fields may be
//! added, none renamed or removed without bumping [`VERSION`].

pub mod diff;
pub mod explain;
pub mod github;
pub mod html;
pub mod human;
pub mod markdown;
pub mod parts;
pub mod plan;
pub mod sarif;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ledger::{Kind, Position};
use crate::pipeline::Run;
use crate::rulebook::Stance;
use crate::text::sentences::Section;

pub const VERSION: u32 = 1;

/// Text shared by many places of a report (an article's id, path, date and
/// source, a quoted sentence): one copy, however many contradictions quote it.
pub type Text = std::sync::Arc<str>;

#[derive(Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub articles: Vec<ArticleOut>,
    pub propositions: Vec<PropositionOut>,
    pub claims: Vec<ClaimOut>,
    pub contradictions: Vec<ContradictionOut>,
    /// Acknowledgements that match no contradiction any more.
    pub stale_acknowledgements: Vec<AcknowledgementOut>,
    /// Acknowledgements past their `expires` date: their contradictions fail again.
    pub expired_acknowledgements: Vec<AcknowledgementOut>,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct ArticleOut {
    pub id: Text,
    pub path: Text,
    pub date: Text,
    pub source: Text,
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
    pub article: Text,
    pub date: Text,
    pub source: Text,
    pub stance: Position,
    /// Every claim behind the stance is hedged.
    pub hedged: bool,
    pub path: Text,
    /// Lines of the article's claims on the proposition.
    pub lines: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub struct ClaimOut {
    pub article: Text,
    pub path: Text,
    pub line: usize,
    pub proposition: Text,
    pub stance: Stance,
    pub negated: bool,
    pub hedged: bool,
    pub section: Section,
    pub cue: String,
    pub sentence: Text,
    pub pattern: String,
}

#[derive(Debug, Serialize)]
pub struct ContradictionOut {
    pub proposition: Text,
    pub kind: Kind,
    pub a: Side,
    pub b: Side,
    pub acknowledged: bool,
    /// The reason recorded in the acknowledgements file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_reason: Option<String>,
    /// Whether it fails the build: not acknowledged, of a `fail_on` kind.
    pub fails: bool,
}

/// An acknowledgement that matches nothing any more, or has expired.
#[derive(Debug, Serialize)]
pub struct AcknowledgementOut {
    pub path: String,
    pub line: usize,
    pub proposition: String,
    pub articles: [String; 2],
    pub reason: String,
}

/// How the run was judged: what fails, what is acknowledged, what is compared.
#[derive(Debug, Default)]
pub struct Checks<'a> {
    pub acknowledgements: Option<&'a crate::acknowledge::Acknowledgements>,
    /// Today, for expiry dates.
    pub today: Option<jiff::civil::Date>,
    /// Overrides the rulebook's `fail_on`.
    pub fail_on: Option<Vec<Kind>>,
    /// With `--since`: for each contradiction, whether the change introduced it.
    pub introduced: Option<(String, Vec<bool>)>,
    /// Leave `claims` empty: the human report does not list them, and at a
    /// million articles they weigh tens of megabytes.
    pub without_claims: bool,
}

#[derive(Debug, Serialize)]
pub struct Side {
    pub article: Text,
    pub date: Text,
    pub source: Text,
    pub stance: Stance,
    pub path: Text,
    pub line: usize,
    pub sentence: Text,
    pub hedged: bool,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub articles: usize,
    /// Files of the corpus passed over (binary, empty, not a regular file).
    pub skipped: usize,
    pub sentences: usize,
    pub claims: usize,
    pub contradictions: usize,
    pub by_kind: ByKind,
    pub unacknowledged: usize,
    /// Unacknowledged contradictions of a `fail_on` kind: non-zero means exit 1.
    pub failing: usize,
    pub fail_on: Vec<Kind>,
    pub conflict_window_days: u32,
    /// With `--since REV`: the revision the report is limited to changes since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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

/// What a timeline entry or a contradiction side shows of its article.
#[derive(Clone)]
pub struct Names {
    pub id: Text,
    pub path: Text,
    pub date: Text,
    pub source: Text,
}

impl Names {
    /// The article's names as every report writes them.
    pub fn of(article: &crate::corpus::Article) -> Self {
        Names {
            id: article.id().into(),
            path: path_string(&article.path).into(),
            date: article.date.to_string().into(),
            source: article.source().into(),
        }
    }
}

/// One proposition's share of a report: its timeline, its contradictions
/// as judged, and what judging them used.
pub struct Part {
    pub proposition: PropositionOut,
    pub contradictions: Vec<ContradictionOut>,
    pub by_kind: ByKind,
    /// Acknowledgements (by index) that matched one of its contradictions.
    pub used: Vec<usize>,
}

/// How a run is judged, made once and applied a proposition at a time.
pub struct Judge<'a> {
    run: &'a Run,
    checks: &'a Checks<'a>,
    fail_on: Vec<Kind>,
    acks: &'a [crate::acknowledge::Acknowledgement],
    proposition_ids: Vec<Text>,
}

impl<'a> Judge<'a> {
    pub fn new(run: &'a Run, checks: &'a Checks<'a>) -> Self {
        Judge {
            run,
            checks,
            fail_on: checks
                .fail_on
                .clone()
                .unwrap_or_else(|| run.rulebook.fail_on.clone()),
            acks: checks
                .acknowledgements
                .map(|a| a.entries.as_slice())
                .unwrap_or_default(),
            proposition_ids: run
                .rulebook
                .propositions
                .iter()
                .map(|p| p.id.as_str().into())
                .collect(),
        }
    }

    /// Proposition `p`'s part, from its ledger (`entries`, and `found`, its
    /// contradictions, the first of them number `offset` in the whole
    /// ledger). `names` gives an article's names, `sentence` a claim's text.
    pub fn part(
        &self,
        p: usize,
        entries: &[crate::ledger::Entry],
        found: &[crate::ledger::Contradiction],
        offset: usize,
        names: &(dyn Fn(usize) -> Names + Sync),
        sentence: &(dyn Fn(usize) -> Text + Sync),
    ) -> Part {
        let run = self.run;
        let prop = &run.rulebook.propositions[p];
        let proposition = PropositionOut {
            id: prop.id.clone(),
            claim: prop.claim.clone(),
            timeline: entries
                .iter()
                .map(|e| {
                    let a = names(e.article);
                    TimelineOut {
                        article: a.id,
                        date: a.date,
                        source: a.source,
                        stance: e.position,
                        hedged: e.hedged,
                        path: a.path,
                        lines: {
                            let mut lines: Vec<usize> =
                                e.claims.iter().map(|&c| run.claims[c].line).collect();
                            lines.dedup();
                            lines
                        },
                    }
                })
                .collect(),
        };
        let side = |claim: usize| {
            let c = &run.claims[claim];
            let a = names(c.article);
            Side {
                article: a.id,
                date: a.date,
                source: a.source,
                stance: c.stance,
                path: a.path,
                line: c.line,
                sentence: sentence(claim),
                hedged: c.hedged,
            }
        };
        let expired = |ack: &crate::acknowledge::Acknowledgement| {
            self.checks.today.is_some_and(|t| ack.expired(t))
        };
        let matching = |c: &crate::ledger::Contradiction, a: &str, b: &str| {
            let proposition = &self.proposition_ids[c.proposition];
            self.acks
                .iter()
                .position(|ack| ack.covers(proposition, a, b))
        };
        let introduced = |i: usize| match &self.checks.introduced {
            Some((_, introduced)) => introduced.get(offset + i).copied().unwrap_or(true),
            None => true,
        };
        // Every contradiction judged on every core, straight into the part.
        let contradictions: Vec<ContradictionOut> = found
            .par_iter()
            .enumerate()
            .filter(|&(i, _)| introduced(i))
            .map(|(_, c)| {
                let (a, b) = (side(c.a), side(c.b));
                let ack = matching(c, &a.article, &b.article)
                    .map(|m| &self.acks[m])
                    .filter(|ack| !expired(ack));
                ContradictionOut {
                    proposition: self.proposition_ids[c.proposition].clone(),
                    kind: c.kind,
                    a,
                    b,
                    acknowledged: ack.is_some(),
                    acknowledged_reason: ack.map(|a| a.reason.clone()),
                    fails: ack.is_none() && self.fail_on.contains(&c.kind),
                }
            })
            .collect();
        // What the acknowledgements cover, shown or not (`--since`).
        let used = if self.acks.is_empty() {
            Vec::new()
        } else {
            let id = |claim: usize| names(run.claims[claim].article).id;
            found
                .iter()
                .filter_map(|c| matching(c, &id(c.a), &id(c.b)))
                .collect()
        };
        let mut by_kind = ByKind::default();
        for c in &contradictions {
            match c.kind {
                Kind::Conflict => by_kind.conflict += 1,
                Kind::Reversal => by_kind.reversal += 1,
                Kind::SelfContradiction => by_kind.self_ += 1,
                Kind::Internal => by_kind.internal += 1,
            }
        }
        Part {
            proposition,
            contradictions,
            by_kind,
            used,
        }
    }

    /// What follows the propositions, once every part is judged: the
    /// acknowledgements left unused or expired, and the totals.
    /// `used` flags the acknowledgements some part used.
    pub fn close(&self, used: &[bool], tally: &Tally) -> Closing {
        let run = self.run;
        let checks = self.checks;
        let ack_path = checks
            .acknowledgements
            .map(|a| path_string(&a.path))
            .unwrap_or_default();
        let expired = |ack: &crate::acknowledge::Acknowledgement| {
            checks.today.is_some_and(|t| ack.expired(t))
        };
        let ack_out = |ack: &crate::acknowledge::Acknowledgement| AcknowledgementOut {
            path: ack_path.clone(),
            line: ack.line,
            proposition: ack.proposition.clone(),
            articles: [ack.articles.0.clone(), ack.articles.1.clone()],
            reason: ack.reason.clone(),
        };
        let stale_acknowledgements = self
            .acks
            .iter()
            .zip(used)
            .filter(|(_, u)| !**u)
            .map(|(a, _)| ack_out(a))
            .collect();
        let expired_acknowledgements = self
            .acks
            .iter()
            .zip(used)
            .filter(|(a, u)| **u && expired(a))
            .map(|(a, _)| ack_out(a))
            .collect();
        let summary = Summary {
            articles: run.articles_total,
            skipped: run.skipped.len(),
            sentences: run.sentences,
            claims: run.claims_total,
            contradictions: tally.contradictions,
            unacknowledged: tally.unacknowledged,
            failing: tally.failing,
            fail_on: self.fail_on.clone(),
            by_kind: tally.by_kind.clone(),
            conflict_window_days: run.window_days,
            since: checks.introduced.as_ref().map(|(rev, _)| rev.clone()),
        };
        Closing {
            stale_acknowledgements,
            expired_acknowledgements,
            summary,
        }
    }

    /// How many acknowledgements there are, for the `used` flags of [`Judge::close`].
    pub fn acknowledgements(&self) -> usize {
        self.acks.len()
    }
}

/// The counts of the parts judged so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tally {
    pub contradictions: usize,
    pub unacknowledged: usize,
    pub failing: usize,
    pub by_kind: ByKind,
}

impl Tally {
    /// Counts nothing.
    pub fn is_empty(&self) -> bool {
        let k = &self.by_kind;
        self.contradictions == 0
            && self.unacknowledged == 0
            && self.failing == 0
            && k.conflict + k.reversal + k.self_ + k.internal == 0
    }

    /// Adds the counts of another tally.
    pub fn absorb(&mut self, other: &Tally) {
        self.contradictions += other.contradictions;
        self.unacknowledged += other.unacknowledged;
        self.failing += other.failing;
        let (mine, theirs) = (&mut self.by_kind, &other.by_kind);
        mine.conflict += theirs.conflict;
        mine.reversal += theirs.reversal;
        mine.self_ += theirs.self_;
        mine.internal += theirs.internal;
    }

    /// The counts of one part.
    pub fn of(part: &Part) -> Self {
        let found = &part.contradictions;
        Tally {
            contradictions: found.len(),
            unacknowledged: found.iter().filter(|c| !c.acknowledged).count(),
            failing: found.iter().filter(|c| c.fails).count(),
            by_kind: part.by_kind.clone(),
        }
    }
}

/// The end of a report: [`Judge::close`].
pub struct Closing {
    pub stale_acknowledgements: Vec<AcknowledgementOut>,
    pub expired_acknowledgements: Vec<AcknowledgementOut>,
    pub summary: Summary,
}

impl Report {
    /// The report of a run with the rulebook's defaults and no acknowledgement.
    pub fn new(run: &Run) -> Self {
        Self::checked(run, &Checks::default())
    }

    /// The report of a run, judged by `checks`.
    pub fn checked(run: &Run, checks: &Checks<'_>) -> Self {
        // Each article's and claim's text is made once, then shared.
        let texts: Vec<ArticleOut> = run
            .articles
            .par_iter()
            .map(|a| {
                let names = Names::of(a);
                ArticleOut {
                    id: names.id,
                    path: names.path,
                    date: names.date,
                    source: names.source,
                    title: a.title().map(str::to_owned),
                    lang: a.lang().to_string(),
                }
            })
            .collect();
        let sentences: Vec<Text> = run.claims.par_iter().map(|c| c.sentence.clone()).collect();
        let names = |i: usize| {
            let a = &texts[i];
            Names {
                id: a.id.clone(),
                path: a.path.clone(),
                date: a.date.clone(),
                source: a.source.clone(),
            }
        };
        let sentence = |c: usize| sentences[c].clone();
        let judge = Judge::new(run, checks);
        let ledger = run.ledger();
        let mut used = vec![false; judge.acknowledgements()];
        let mut tally = Tally::default();
        let mut propositions = Vec::with_capacity(run.rulebook.propositions.len());
        let mut contradictions = Vec::with_capacity(ledger.contradictions.len());
        let mut timelines = ledger.timelines.iter().peekable();
        let mut offset = 0;
        for p in 0..run.rulebook.propositions.len() {
            let entries = timelines
                .next_if(|t| t.proposition == p)
                .map_or(&[][..], |t| t.entries.as_slice());
            let count = ledger.contradictions[offset..]
                .iter()
                .take_while(|c| c.proposition == p)
                .count();
            let found = &ledger.contradictions[offset..offset + count];
            let part = judge.part(p, entries, found, offset, &names, &sentence);
            offset += count;
            tally.absorb(&Tally::of(&part));
            for &m in &part.used {
                used[m] = true;
            }
            propositions.push(part.proposition);
            contradictions.extend(part.contradictions);
        }
        let proposition_ids = &judge.proposition_ids;
        let claims = run
            .claims
            .iter()
            .zip(&sentences)
            .take(if checks.without_claims { 0 } else { usize::MAX })
            .map(|(c, sentence)| {
                let a = &texts[c.article];
                ClaimOut {
                    article: a.id.clone(),
                    path: a.path.clone(),
                    line: c.line,
                    proposition: proposition_ids[c.proposition].clone(),
                    stance: c.stance,
                    negated: c.negated,
                    hedged: c.hedged,
                    section: c.section,
                    cue: c.cue.to_string(),
                    sentence: sentence.clone(),
                    pattern: c.pattern.to_string(),
                }
            })
            .collect();
        let closing = judge.close(&used, &tally);
        Report {
            version: VERSION,
            articles: texts,
            propositions,
            claims,
            contradictions,
            stale_acknowledgements: closing.stale_acknowledgements,
            expired_acknowledgements: closing.expired_acknowledgements,
            summary: closing.summary,
        }
    }

    /// Rewrites every file path of the report (e.g. relative to the repository
    /// root, for SARIF and GitHub annotations run from a subfolder).
    pub fn rebase_paths(&mut self, rebase: impl Fn(&str) -> String) {
        let rebase_text = |t: &mut Text| *t = rebase(t).into();
        for a in &mut self.articles {
            rebase_text(&mut a.path);
        }
        for e in self.propositions.iter_mut().flat_map(|p| &mut p.timeline) {
            rebase_text(&mut e.path);
        }
        for c in &mut self.claims {
            rebase_text(&mut c.path);
        }
        for c in &mut self.contradictions {
            rebase_text(&mut c.a.path);
            rebase_text(&mut c.b.path);
        }
        for a in self
            .stale_acknowledgements
            .iter_mut()
            .chain(&mut self.expired_acknowledgements)
        {
            a.path = rebase(&a.path);
        }
    }

    /// The JSON form, followed by a newline, written as it is serialized.
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self)?;
        w.write_all(b"\n")
    }

    /// The JSON form, followed by a newline.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }
}
