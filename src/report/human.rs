//! The human report: by proposition, the dated timeline, then each
//! contradiction with both sentences quoted. Colour is added by the caller's
//! stream (anstream strips it when piped or under NO_COLOR), unless
//! [`set_plain`] turned it off before rendering.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};
use rayon::prelude::*;

use super::parts::{self, Parts};
use super::plan::{self, Items, Plan};
use super::{
    AcknowledgementOut, Checks, ContradictionOut, Judge, Names, PropositionOut, Report, Side,
    Summary, Tally, Text, TimelineOut,
};
use crate::ledger::{self, Kind, Position};
use crate::pipeline::Run;
use crate::rulebook::Stance;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const MAGENTA: Style = AnsiColor::Magenta.on_default();

/// Set when the output takes no colour: the report is then written without
/// escape codes instead of having them stripped afterwards, which matters
/// for a report of many megabytes.
static PLAIN: AtomicBool = AtomicBool::new(false);

/// Renders without colour codes from now on (for the whole process: the
/// choice belongs to its standard output).
pub fn set_plain(plain: bool) {
    PLAIN.store(plain, Ordering::Relaxed);
}

/// `text` in `style`, or as it is when the report is plain: written
/// straight into the report, as is everything a timeline entry or a
/// contradiction shows, not made a `String` of first (a few of those for
/// each line were a third of the rendering).
fn paint<T: std::fmt::Display>(style: Style, text: T) -> Painted<T> {
    Painted(style, text)
}

struct Painted<T>(Style, T);

impl<T: std::fmt::Display> std::fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Painted(style, text) = self;
        if PLAIN.load(Ordering::Relaxed) {
            write!(f, "{text}")
        } else {
            write!(f, "{style}{text}{style:#}")
        }
    }
}

fn position_style(p: Position) -> Style {
    match p {
        Position::Supports => GREEN,
        Position::Opposes => RED,
        Position::Mixed => YELLOW,
    }
}

fn kind_style(kind: Kind) -> Style {
    match kind {
        Kind::Conflict | Kind::SelfContradiction | Kind::Internal => RED.bold(),
        Kind::Reversal => YELLOW.bold(),
    }
}

/// The full `check` report.
pub fn render(report: &Report) -> String {
    let mut bytes = Vec::new();
    write(report, &mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the report is UTF-8")
}

/// The full `check` report, written as it is rendered: a report of hundreds
/// of megabytes is never held whole in memory.
pub fn write(report: &Report, w: &mut dyn io::Write) -> io::Result<()> {
    for p in &report.propositions {
        let mine: Vec<&ContradictionOut> = report
            .contradictions
            .iter()
            .filter(|c| *c.proposition == *p.id)
            .collect();
        write_proposition(p, &mine, &mut |text: &str| w.write_all(text.as_bytes()))?;
    }
    w.write_all(
        closing(
            &report.stale_acknowledgements,
            &report.expired_acknowledgements,
            &report.summary,
        )
        .as_bytes(),
    )
}

/// The `check` report of `run`, straight from the run: each proposition's
/// ledger and model are made, rendered and dropped in turn, so memory holds
/// the claims and a few propositions, never the whole ledger or report.
/// The text is the same as [`write`] gives for [`Report::checked`]. With
/// `parts`, a proposition whose claims and settings are those of the last
/// run is copied from it, and this run's parts are kept for the next.
/// Returns the summary, for the exit code.
pub fn write_run(
    run: &mut Run,
    checks: &Checks<'_>,
    mut parts: Option<&mut Parts>,
    w: &mut dyn parts::Output,
) -> io::Result<Summary> {
    let count = run.rulebook.propositions.len();
    let salt = parts
        .as_ref()
        .map(|_| parts::salt(run, checks, PLAIN.load(Ordering::Relaxed)));
    let digests = salt.as_ref().and_then(|salt| run.part_digests(salt));
    // Pieces are looked for only where there are digests to find them by.
    let salt = salt.filter(|_| digests.is_some());
    let changed: Vec<bool> = (0..count)
        .map(|p| match (parts.as_deref(), &digests) {
            (Some(kept), Some(digests)) => kept.find(&digests[p]).is_none(),
            _ => true,
        })
        .collect();
    let salted: parts::Digest = salt
        .as_ref()
        .map_or([0; 32], |salt| *salt.finalize().as_bytes());
    let keys: Vec<Option<parts::Digest>> = (0..count)
        .map(|p| plan::ledger_key(run, p).filter(|_| salt.is_some()))
        .collect();
    let phase = crate::timings::phase("report-bodies");
    let planned = plan_kept(
        run,
        parts.as_deref(),
        &changed,
        &keys,
        &salted,
        salt.as_ref(),
    );
    let planned = match planned {
        Ok(planned) => planned,
        Err(e) => return Err(io::Error::other(e)),
    };
    drop(phase);
    if let Some(kept) = parts.as_deref_mut() {
        kept.warnings.extend(planned.warnings);
    }
    let early: Vec<std::sync::Mutex<Option<Box<Plan>>>> = planned
        .plans
        .into_iter()
        .map(std::sync::Mutex::new)
        .collect();
    let run: &Run = run;
    let judge = Judge::new(run, checks);
    let mut used = vec![false; judge.acknowledgements()];
    let mut tally = Tally::default();
    debug_assert!(
        checks.introduced.is_none(),
        "--since reports go through `write`"
    );
    // Written only when some part differs from those kept.
    let mut writer = match (&mut parts, &digests) {
        (Some(parts), Some(digests)) if !parts.holds(digests) => parts.writer(),
        _ => None,
    };
    if let Some(writer) = writer.as_mut() {
        writer.salted = salted;
    }
    let stored = |p: usize| parts.as_deref()?.find(&digests.as_ref()?[p]).cloned();
    // A proposition at a time, in order: while one is written (its pieces
    // copied, or judged and rendered on every core), the next is planned,
    // so what is held is two propositions' ledgers and a few pieces of text.
    let prepare = |p: usize| match stored(p) {
        Some(entry) => Prepared::Kept(Box::new(entry)),
        None => {
            let early = early[p].lock().ok().and_then(|mut plan| plan.take());
            Prepared::Fresh(early.unwrap_or_else(|| {
                Box::new(plan::from_articles(run, p, salt.as_ref(), parts.as_deref()))
            }))
        }
    };
    let mut next = (count > 0).then(|| prepare(0));
    for p in 0..count {
        let Some(current) = next.take() else { break };
        let (counts, part_used) = rayon::in_place_scope(|scope| -> io::Result<_> {
            if p + 1 < count {
                scope.spawn(|_| next = Some(prepare(p + 1)));
            }
            match current {
                Prepared::Fresh(plan) => {
                    if let Some(writer) = writer.as_mut() {
                        writer.begin_part();
                    }
                    let mut counts = Tally::default();
                    let mut part_used = Vec::new();
                    for window in plan.pieces.chunks(PIECES) {
                        let made: Vec<Option<io::Result<Made>>> = window
                            .par_iter()
                            .map(|piece| {
                                piece
                                    .kept
                                    .is_none()
                                    .then(|| render_piece(run, &judge, &plan, &piece.items))
                            })
                            .collect();
                        for (piece, made) in window.iter().zip(made) {
                            match (made, &piece.kept, parts.as_deref()) {
                                (None, Some(kept), Some(parts)) => {
                                    parts.copy_piece(kept, w, writer.as_mut())?;
                                    counts.absorb(kept.tally());
                                    part_used.extend_from_slice(kept.used());
                                }
                                (made, _, _) => {
                                    let made = match made {
                                        Some(made) => made?,
                                        None => render_piece(run, &judge, &plan, &piece.items)?,
                                    };
                                    w.write_all(made.text.as_bytes())?;
                                    if let (Some(writer), Some(digest)) =
                                        (writer.as_mut(), piece.digest)
                                    {
                                        writer.add_piece(
                                            digest,
                                            &made.tally,
                                            &made.used,
                                            &made.text,
                                        );
                                    }
                                    counts.absorb(&made.tally);
                                    part_used.extend(made.used);
                                }
                            }
                        }
                    }
                    part_used.sort_unstable();
                    part_used.dedup();
                    if let (Some(writer), Some(digests)) = (writer.as_mut(), &digests) {
                        if let Some(key) = keys[p] {
                            writer.add_ledger(key, &plan::encode(&plan.recs));
                        }
                        writer.end_part(digests[p], &counts, &part_used);
                    }
                    Ok((counts, part_used))
                }
                Prepared::Kept(entry) => {
                    if let Some(kept) = parts.as_deref() {
                        kept.copy(&entry, w, writer.as_mut())?;
                    }
                    Ok((entry.tally(), entry.used().to_vec()))
                }
            }
        })?;
        tally.absorb(&counts);
        for m in part_used {
            used[m] = true;
        }
    }
    if let (Some(parts), Some(writer)) = (parts, writer) {
        parts.finish(writer);
    }
    let closed = judge.close(&used, &tally);
    w.write_all(
        closing(
            &closed.stale_acknowledgements,
            &closed.expired_acknowledgements,
            &closed.summary,
        )
        .as_bytes(),
    )?;
    Ok(closed.summary)
}

/// A proposition's part in the report: planned now, or kept whole from the
/// last run.
enum Prepared {
    Fresh(Box<Plan>),
    Kept(Box<parts::Entry>),
}

/// A piece rendered: its text, and its counts.
struct Made {
    text: String,
    tally: Tally,
    used: Vec<usize>,
}

/// The propositions to judge again whose ledger the last run kept,
/// planned (a `None` for the others), with the articles they need read.
struct Planned {
    plans: Vec<Option<Box<Plan>>>,
    warnings: Vec<String>,
}

/// Reads what the report needs of the articles left unread, in two steps
/// when the last run kept a proposition's ledger beside a part made with
/// the same settings (`salted`): first the articles that changed on it, to
/// judge its timeline again; then the articles of the pieces that changed,
/// to render them. A proposition without such a ledger (none kept, or the
/// window, the acknowledgements or the colour changed: no piece would be
/// found again) has every article on it read, and is planned in its turn,
/// so memory holds one proposition's plan at a time.
fn plan_kept(
    run: &mut Run,
    parts: Option<&Parts>,
    changed: &[bool],
    keys: &[Option<parts::Digest>],
    salted: &parts::Digest,
    salt: Option<&blake3::Hasher>,
) -> Result<Planned, crate::error::Error> {
    let count = changed.len();
    let kept: Vec<Option<Vec<plan::Rec>>> = (0..count)
        .into_par_iter()
        .map(|p| {
            if !changed[p] {
                return None;
            }
            plan::decode(&parts?.ledger(keys[p].as_ref()?, salted)?)
        })
        .collect();
    let known: Vec<HashSet<[u8; 16]>> = kept
        .iter()
        .map(|recs| recs.iter().flatten().map(|r| r.mix).collect())
        .collect();
    let mut warnings = run.read_marked(&|mix, propositions| {
        propositions.iter().any(|&p| {
            let p = p as usize;
            changed.get(p).copied().unwrap_or(false)
                && (kept[p].is_none() || !known[p].contains(mix))
        })
    })?;
    drop(known);
    // The articles on each proposition with a kept ledger, as they are now.
    let mut current: Vec<HashSet<[u8; 16]>> = vec![HashSet::new(); count];
    for (mix, propositions) in run.marked() {
        for &p in propositions {
            if let Some(set) = current
                .get_mut(p as usize)
                .filter(|_| kept[p as usize].is_some())
            {
                set.insert(*mix);
            }
        }
    }
    let index = |run: &Run| -> HashMap<[u8; 16], usize> {
        (0..run.articles.len())
            .filter_map(|i| run.mix_of(i).map(|m| (*m, i)))
            .filter(|(m, _)| m != &[0; 16])
            .collect()
    };
    let read = index(run);
    let runs: &Run = run;
    let mut plans: Vec<Option<Box<Plan>>> = kept
        .into_par_iter()
        .zip(&current)
        .enumerate()
        .map(|(p, (recs, current))| {
            plan::from_kept(runs, p, recs?, current, &read, salt, parts).map(Box::new)
        })
        .collect();
    drop(current);
    // Then the articles the changed pieces show, and every article on a
    // proposition whose kept ledger could not be used.
    let needed: HashSet<[u8; 16]> = plans
        .iter()
        .flatten()
        .flat_map(|plan| plan.needed().copied())
        .collect();
    let whole: Vec<bool> = (0..count)
        .map(|p| changed[p] && plans[p].is_none())
        .collect();
    warnings.extend(run.read_marked(&|mix, propositions| {
        needed.contains(mix)
            || propositions
                .iter()
                .any(|&p| whole.get(p as usize).copied().unwrap_or(false))
    })?);
    let read = index(run);
    for plan in plans.iter_mut().flatten() {
        plan.place(run, &read);
    }
    Ok(Planned { plans, warnings })
}

/// Judges and renders one piece of a planned proposition.
fn render_piece(run: &Run, judge: &Judge<'_>, plan: &Plan, items: &Items) -> io::Result<Made> {
    let p = plan.p;
    let unread = || io::Error::other("an article the report shows was not read");
    let mut text = String::new();
    let mut tally = Tally::default();
    let mut used = Vec::new();
    match items {
        Items::Heading => {
            let prop = &run.rulebook.propositions[p];
            let out = PropositionOut {
                id: prop.id.clone(),
                claim: prop.claim.clone(),
                timeline: Vec::new(),
            };
            heading(&out, &mut text);
            if plan.recs.is_empty() {
                timeline(&out, &mut text);
            }
        }
        Items::Timeline(range) => {
            let entries = range
                .clone()
                .map(|k| plan.entry(run, k))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(unread)?;
            let names: Vec<(usize, Names)> = range
                .clone()
                .filter_map(|k| Some((plan.recs_article(k)?, plan.names(run, k)?)))
                .collect();
            let part = judge_part(run, judge, p, &entries, &[], names);
            for e in &part.proposition.timeline {
                timeline_entry(e, plan.width, &mut text);
            }
        }
        Items::Groups(range) => {
            let groups = &plan.groups[range.clone()];
            let (first, last) = (groups[0].start, groups[groups.len() - 1].end);
            let found = plan.found[first..last]
                .iter()
                .map(|&c| plan.contradiction(run, c))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(unread)?;
            let mut places: Vec<usize> = plan.found[first..last]
                .iter()
                .flat_map(|&(_, i, j)| [i, j])
                .collect();
            places.sort_unstable();
            places.dedup();
            let names: Vec<(usize, Names)> = places
                .into_iter()
                .filter_map(|k| Some((plan.recs_article(k)?, plan.names(run, k)?)))
                .collect();
            let part = judge_part(run, judge, p, &[], &found, names);
            let mine: Vec<&ContradictionOut> = part.contradictions.iter().collect();
            for g in groups {
                contradiction_group(&mine[g.start - first..g.end - first], &mut text);
            }
            tally = Tally::of(&part);
            used = part.used;
        }
        Items::End => text.push('\n'),
    }
    Ok(Made { text, tally, used })
}

/// Proposition `p`'s part for these timeline entries and contradictions,
/// with the names of the articles they show (by article). Only for the report without
/// `--since`, where the place of a contradiction in the whole ledger
/// matters to nothing.
fn judge_part(
    run: &Run,
    judge: &Judge<'_>,
    p: usize,
    entries: &[ledger::Entry],
    found: &[ledger::Contradiction],
    mut names: Vec<(usize, Names)>,
) -> super::Part {
    names.sort_unstable_by_key(|(article, _)| *article);
    let names = |i: usize| match names.binary_search_by_key(&i, |(article, _)| *article) {
        Ok(at) => names[at].1.clone(),
        Err(_) => Names::of(&run.articles[i]),
    };
    let sentence = |c: usize| -> Text { run.claims[c].sentence.clone() };
    judge.part(p, entries, found, 0, &names, &sentence)
}

/// The lines after the propositions: acknowledgements to revisit, then the summary.
fn closing(
    stale: &[AcknowledgementOut],
    expired: &[AcknowledgementOut],
    summary: &Summary,
) -> String {
    let mut out = String::new();
    for (list, what) in [
        (stale, "matches no contradiction any more (stale)"),
        (expired, "has expired: its contradiction fails again"),
    ] {
        for a in list {
            let _ = writeln!(
                out,
                "{} {}:{}: acknowledgement of {} [{} / {}] {what}",
                paint(YELLOW.bold(), "warning:"),
                a.path,
                a.line,
                a.proposition,
                a.articles[0],
                a.articles[1]
            );
        }
    }
    out.push_str(&summary_text(summary));
    out.push('\n');
    out
}

/// What one article does to the report (after `volte add`): for each
/// proposition it takes a stance on, the timeline and the contradictions it
/// is part of.
pub fn render_article(report: &Report, article: &str) -> String {
    let mut out = String::new();
    for p in report
        .propositions
        .iter()
        .filter(|p| p.timeline.iter().any(|e| *e.article == *article))
    {
        heading(p, &mut out);
        timeline(p, &mut out);
        let mine: Vec<&ContradictionOut> = report
            .contradictions
            .iter()
            .filter(|c| {
                *c.proposition == *p.id && (*c.a.article == *article || *c.b.article == *article)
            })
            .collect();
        for c in mine {
            contradiction_group(&[c], &mut out);
        }
        out.push('\n');
    }
    out
}

/// Only the timelines (`volte timeline`).
pub fn render_timelines(report: &Report, only: Option<&str>) -> String {
    let mut out = String::new();
    for p in report
        .propositions
        .iter()
        .filter(|p| only.is_none_or(|id| p.id == id))
    {
        heading(p, &mut out);
        timeline(p, &mut out);
        out.push('\n');
    }
    out
}

fn heading(p: &PropositionOut, out: &mut String) {
    let _ = writeln!(out, "{}", paint(BOLD, &p.id));
    let _ = writeln!(out, "  {}", paint(DIM, &p.claim));
}

fn timeline(p: &PropositionOut, out: &mut String) {
    if p.timeline.is_empty() {
        let _ = writeln!(out, "  {}", paint(DIM, "no article takes a stance"));
        return;
    }
    let width = source_width(p);
    for e in &p.timeline {
        timeline_entry(e, width, out);
    }
}

/// How wide the source column of a timeline is.
fn source_width(p: &PropositionOut) -> usize {
    p.timeline
        .iter()
        .map(|e| e.source.chars().count())
        .max()
        .unwrap_or(0)
        .min(28)
}

fn timeline_entry(e: &TimelineOut, source_width: usize, out: &mut String) {
    let _ = write!(
        out,
        "  {:<10}  {}  {:<width$}  {}:",
        e.date,
        paint(
            position_style(e.stance),
            format_args!("{:<8}", e.stance.as_str())
        ),
        truncate(&e.source, 28),
        e.path,
        width = source_width
    );
    for (i, line) in e.lines.iter().enumerate() {
        let _ = write!(out, "{}{line}", if i == 0 { "" } else { "," });
    }
    let _ = writeln!(out, "{}", Hedged(e.hedged));
}

/// Timeline entries or contradiction groups rendered at a time, a piece per task.
const PIECE: usize = 256;
/// Pieces rendered before they are written.
const PIECES: usize = 16;

/// A proposition's heading, timeline and contradictions, handed to `sink`
/// in pieces as they are rendered: on every core, in order, never the whole
/// text at once. Contradictions are grouped by their later side: what this
/// article contradicts, each quote once.
fn write_proposition(
    p: &PropositionOut,
    mine: &[&ContradictionOut],
    sink: &mut dyn FnMut(&str) -> io::Result<()>,
) -> io::Result<()> {
    let mut head = String::new();
    heading(p, &mut head);
    if p.timeline.is_empty() {
        timeline(p, &mut head);
    }
    sink(&head)?;
    let width = source_width(p);
    in_pieces(&p.timeline, sink, |entries, out| {
        for e in entries {
            timeline_entry(e, width, out);
        }
    })?;
    let mut groups = Vec::new();
    let mut rest = mine;
    while let Some(first) = rest.first() {
        let same = rest
            .iter()
            .take_while(|c| {
                c.b.article == first.b.article
                    && c.b.line == first.b.line
                    && c.kind != Kind::Internal
            })
            .count()
            .max(1);
        let (group, tail) = rest.split_at(same);
        groups.push(group);
        rest = tail;
    }
    in_pieces(&groups, sink, |groups, out| {
        for group in groups {
            contradiction_group(group, out);
        }
    })?;
    sink("\n")
}

/// Renders `items` [`PIECE`] at a time on every core and hands each piece's
/// text to `sink` in order, [`PIECES`] pieces' worth at most held at once.
fn in_pieces<T: Sync>(
    items: &[T],
    sink: &mut dyn FnMut(&str) -> io::Result<()>,
    render: impl Fn(&[T], &mut String) + Sync,
) -> io::Result<()> {
    for window in items.chunks(PIECE * PIECES) {
        let texts: Vec<String> = window
            .par_chunks(PIECE)
            .map(|piece| {
                let mut out = String::new();
                render(piece, &mut out);
                out
            })
            .collect();
        for text in &texts {
            sink(text)?;
        }
    }
    Ok(())
}

fn contradiction_group(group: &[&ContradictionOut], out: &mut String) {
    let first = group[0];
    if first.kind == Kind::Internal {
        let _ = writeln!(
            out,
            "  {}  {} {} contradicts itself{}",
            paint(kind_style(Kind::Internal), "✗ internal"),
            first.a.date,
            Who(&first.a),
            Acknowledged(first)
        );
        quote(&first.a, "      ", out);
        quote(&first.b, "      ", out);
        return;
    }
    let worst = group.iter().map(|c| c.kind).min_by_key(|k| match k {
        Kind::Conflict | Kind::SelfContradiction | Kind::Internal => 0,
        Kind::Reversal => 1,
    });
    let style = kind_style(worst.unwrap_or(Kind::Reversal));
    let (earlier, s) = match group.len() {
        1 => (1, ""),
        n => (n, "s"),
    };
    let _ = writeln!(
        out,
        "  {}  {} {} ({}) contradicts {earlier} earlier article{s}:",
        paint(style, "✗"),
        first.b.date,
        Who(&first.b),
        paint(stance_style(first.b.stance), first.b.stance.as_str()),
    );
    quote(&first.b, "      ", out);
    for c in group {
        let _ = writeln!(
            out,
            "    {}  {} {} {}{}",
            paint(kind_style(c.kind), format_args!("{:<8}", c.kind.as_str())),
            c.a.date,
            Who(&c.a),
            paint(stance_style(c.a.stance), c.a.stance.as_str()),
            Acknowledged(c)
        );
        quote(&c.a, "              ", out);
    }
}

/// Why a contradiction does not fail the build, dimmed, when it does not.
struct Acknowledged<'a>(&'a ContradictionOut);

impl std::fmt::Display for Acknowledged<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.0.acknowledged_reason, self.0.fails) {
            (Some(reason), _) => write!(
                f,
                "{}",
                paint(DIM, format_args!(" (acknowledged: {reason})"))
            ),
            (None, false) => write!(f, "{}", paint(DIM, " (does not fail the build)")),
            (None, true) => Ok(()),
        }
    }
}

fn stance_style(stance: Stance) -> Style {
    match stance {
        Stance::Supports => GREEN,
        Stance::Opposes => RED,
    }
}

/// The source and id of a side's article, or its id alone.
struct Who<'a>(&'a Side);

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = self.0;
        if side.source.is_empty() {
            write!(f, "{}", side.article)
        } else {
            write!(f, "{} [{}]", side.source, side.article)
        }
    }
}

/// " (hedged)" after a hedged stance, dimmed.
struct Hedged(bool);

impl std::fmt::Display for Hedged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 {
            write!(f, "{}", paint(DIM, " (hedged)"))
        } else {
            Ok(())
        }
    }
}

fn quote(side: &Side, indent: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "{indent}{}{}",
        paint(CYAN, format_args!("{}:{}", side.path, side.line)),
        Hedged(side.hedged)
    );
    let _ = writeln!(out, "{indent}« {} »", side.sentence);
}

/// One line that says how the run went, for the end of every report.
pub fn summary_line(report: &Report) -> String {
    summary_text(&report.summary)
}

fn summary_text(s: &Summary) -> String {
    let kinds: Vec<String> = Kind::ALL
        .iter()
        .map(|&k| format!("{} {}", s.by_kind.get(k), k.as_str()))
        .collect();
    let since = s
        .since
        .as_ref()
        .map(|r| format!(" since {r}"))
        .unwrap_or_default();
    let verdict = if s.contradictions == 0 {
        paint(GREEN.bold(), format_args!("no contradiction{since}")).to_string()
    } else {
        let failing = if s.failing == 0 {
            paint(GREEN.bold(), "none fails the build").to_string()
        } else {
            paint(RED.bold(), format_args!("{} failing", s.failing)).to_string()
        };
        format!(
            "{}{since} ({}), {failing}",
            plural(s.contradictions, "contradiction"),
            kinds.join(", ")
        )
    };
    let skipped = match s.skipped {
        0 => String::new(),
        n => format!(" ({} skipped)", plural(n, "file")),
    };
    format!(
        "{} {}{skipped}, {}, {}: {}",
        paint(MAGENTA.bold(), "volte"),
        plural(s.articles, "article"),
        plural(s.sentences, "sentence"),
        plural(s.claims, "claim"),
        verdict
    )
}

fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max || s.chars().count() <= max {
        s.into()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t.into()
    }
}

/// "1 article", "2 articles".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
