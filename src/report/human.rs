//! The human report: by proposition, the dated timeline, then each
//! contradiction with both sentences quoted. Colour is added by the caller's
//! stream (anstream strips it when piped or under NO_COLOR), unless
//! [`set_plain`] turned it off before rendering.

use std::collections::HashMap;
use std::fmt::Write;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};
use rayon::prelude::*;

use super::parts::{self, Parts};
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
    let digests = parts
        .as_ref()
        .and_then(|_| parts::digests(run, checks, PLAIN.load(Ordering::Relaxed)));
    // The claims of the propositions judged again are read now (those
    // of articles left unread); the others' text is copied.
    let wanted: Vec<bool> = (0..count)
        .map(|p| match (parts.as_deref(), &digests) {
            (Some(kept), Some(digests)) => kept.find(&digests[p]).is_none(),
            _ => true,
        })
        .collect();
    let phase = crate::timings::phase("report-bodies");
    let warnings = run.read_for(&wanted).map_err(io::Error::other)?;
    drop(phase);
    if let Some(kept) = parts.as_deref_mut() {
        kept.warnings.extend(warnings);
    }
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
    let stored = |p: usize| parts.as_deref()?.find(&digests.as_ref()?[p]).cloned();
    // A proposition at a time, in order: while one is written (its text
    // rendered in pieces on every core), the next is judged, so what is
    // held is two propositions' models and a few pieces of text.
    let prepare = |p: usize| match stored(p) {
        Some(entry) => Prepared::Kept(Box::new(entry)),
        None => {
            let (timeline, found) =
                ledger::of_proposition(p, &run.articles, &run.claims, run.window_days);
            Prepared::Fresh(Box::new(judge_part(
                run,
                &judge,
                p,
                timeline.as_ref(),
                &found,
            )))
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
                Prepared::Fresh(part) => {
                    if let Some(writer) = writer.as_mut() {
                        writer.begin();
                    }
                    let mut sink = |text: &str| -> io::Result<()> {
                        if let Some(writer) = writer.as_mut() {
                            writer.write(text.as_bytes());
                        }
                        w.write_all(text.as_bytes())
                    };
                    let mine: Vec<&ContradictionOut> = part.contradictions.iter().collect();
                    write_proposition(&part.proposition, &mine, &mut sink)?;
                    let counts = Tally::of(&part);
                    if let (Some(writer), Some(digests)) = (writer.as_mut(), &digests) {
                        writer.end(digests[p], &counts, &part.used);
                    }
                    Ok((counts, part.used))
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

/// A proposition's part in the report: judged now, or kept from the last run.
enum Prepared {
    Fresh(Box<super::Part>),
    Kept(Box<parts::Entry>),
}

/// Proposition `p`'s part, judged from its ledger. Only for the report
/// without `--since`, where the place of a contradiction in the whole ledger
/// matters to nothing.
fn judge_part(
    run: &Run,
    judge: &Judge<'_>,
    p: usize,
    timeline: Option<&ledger::Timeline>,
    found: &[ledger::Contradiction],
) -> super::Part {
    let entries = timeline.map_or(&[][..], |t| t.entries.as_slice());
    // Each article's names made once for the proposition, then shared.
    let names: HashMap<usize, Names> = entries
        .par_iter()
        .map(|e| (e.article, Names::of(&run.articles[e.article])))
        .collect();
    let names = |i: usize| names[&i].clone();
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
