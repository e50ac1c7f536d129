//! The timeline chart of one proposition, in SVG: time left to right, one
//! lane per source, a dot per stance over a bar as wide as its date's
//! precision, an arc per contradiction.

use std::collections::BTreeMap;
use std::fmt::Write;

use jiff::civil::Date;

use super::{escape, truncate};
use crate::corpus::PartialDate;
use crate::ledger::Kind;
use crate::report::{ContradictionOut, PropositionOut, TimelineOut};

/// Days since 1970-01-01.
pub(super) fn days(date: Date) -> f64 {
    let epoch = Date::new(1970, 1, 1).unwrap_or(Date::MIN);
    f64::from(epoch.until(date).map(|s| s.get_days()).unwrap_or(0))
}

/// The first and last day of a report date.
pub(super) fn interval(date: &str) -> Option<(f64, f64)> {
    let d = PartialDate::parse(date).ok()?;
    Some((days(d.first_day()), days(d.last_day()) + 1.0))
}

const WIDTH: f64 = 760.0;
const LEFT: f64 = 185.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 14.0;
const LANE: f64 = 34.0;
const AXIS: f64 = 26.0;

pub(super) fn chart(p: &PropositionOut, contradictions: &[&ContradictionOut], out: &mut String) {
    // Lanes in order of each source's first stance; `Le Monde` and `le
    // monde` are one source, as for `self` contradictions.
    let mut lanes: Vec<(String, String)> = Vec::new();
    for e in &p.timeline {
        let key = lane_key(&e.source);
        if !lanes.iter().any(|(k, _)| *k == key) {
            lanes.push((key, lane_name(&e.source)));
        }
    }
    let spans: Vec<(f64, f64)> = p
        .timeline
        .iter()
        .map(|e| interval(&e.date).unwrap_or((0.0, 1.0)))
        .collect();
    let min = spans.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
    let max = spans.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    // At least a year shown, with a margin on each side.
    let (min, max) = {
        let span = (max - min).max(365.0);
        let mid = (min + max) / 2.0;
        (mid - span * 0.55, mid + span * 0.55)
    };
    let x = |day: f64| LEFT + (day - min) / (max - min) * (WIDTH - LEFT - RIGHT);
    let height = TOP + LANE * lanes.len() as f64 + AXIS;
    let _ = writeln!(
        out,
        "<div class=\"chart scroll\"><svg class=\"timeline\" data-proposition=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"Timeline of {}: {} stances, {} contradictions\">",
        escape(&p.id),
        escape(&p.id),
        p.timeline.len(),
        contradictions.len()
    );
    // Year ticks.
    out.push_str("<g class=\"axis\">");
    let first_year = year_of(min);
    let last_year = year_of(max);
    let step = ((last_year - first_year) / 8).max(1);
    let mut year = first_year;
    while year <= last_year + 1 {
        if let Ok(d) = Date::new(year, 1, 1) {
            let tx = x(days(d));
            if (LEFT..=WIDTH - RIGHT).contains(&tx) {
                let _ = write!(
                    out,
                    "<line class=\"tick\" x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{:.1}\"/><text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{year}</text>",
                    height - AXIS,
                    height - 8.0
                );
            }
        }
        year += step;
    }
    out.push_str("</g>\n");
    let lane_y = |source: &str| {
        let key = lane_key(source);
        let i = lanes.iter().position(|(k, _)| *k == key).unwrap_or(0);
        TOP + LANE * i as f64 + LANE / 2.0
    };
    for (i, (_, name)) in lanes.iter().enumerate() {
        let y = TOP + LANE * i as f64 + LANE / 2.0;
        let _ = writeln!(
            out,
            "<g class=\"lane\"><line class=\"lane-line\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text></g>",
            WIDTH - RIGHT,
            LEFT - 8.0,
            y + 4.0,
            escape(&truncate(name, 21))
        );
    }
    // Where each article sits, for the links.
    let mut at: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (e, (start, end)) in p.timeline.iter().zip(&spans) {
        at.insert(&e.article, (x((start + end) / 2.0), lane_y(&e.source)));
    }
    // Links under the points.
    for c in contradictions {
        link(c, &at, out);
    }
    for (e, (start, end)) in p.timeline.iter().zip(&spans) {
        point(e, x(*start), x(*end), lane_y(&e.source), out);
    }
    out.push_str("</svg></div>\n");
}

fn lane_key(source: &str) -> String {
    crate::text::fold::fold(source.trim())
}

pub(super) fn lane_name(source: &str) -> String {
    if source.trim().is_empty() {
        "(no source)".to_string()
    } else {
        source.trim().to_string()
    }
}

pub(super) fn year_of(day: f64) -> i16 {
    let epoch = Date::new(1970, 1, 1).unwrap_or(Date::MIN);
    let whole = day.floor().clamp(-700_000.0, 700_000.0) as i64;
    epoch
        .checked_add(jiff::Span::new().days(whole))
        .map_or(1970, |d| d.year())
}

fn point(e: &TimelineOut, x1: f64, x2: f64, y: f64, out: &mut String) {
    let stance = e.stance.as_str();
    let hedged = if e.hedged { " hedged" } else { "" };
    let mid = (x1 + x2) / 2.0;
    let lines: Vec<String> = e.lines.iter().map(ToString::to_string).collect();
    let tip = format!(
        "{} · {} · {}{} · {}:{}",
        e.date,
        lane_name(&e.source),
        stance,
        if e.hedged { " (hedged)" } else { "" },
        e.path,
        lines.join(",")
    );
    let _ = writeln!(
        out,
        "<g class=\"stance\" data-article=\"{}\"><title>{}</title><line class=\"span {stance}\" x1=\"{x1:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><circle class=\"point {stance}{hedged}\" cx=\"{mid:.1}\" cy=\"{y:.1}\" r=\"6\"/></g>",
        escape(&e.article),
        escape(&tip),
        x2.max(x1 + 0.5)
    );
}

fn link(c: &ContradictionOut, at: &BTreeMap<&str, (f64, f64)>, out: &mut String) {
    let (Some(&(ax, ay)), Some(&(bx, by))) = (at.get(&*c.a.article), at.get(&*c.b.article)) else {
        return;
    };
    let kind = c.kind.as_str();
    let ack = if c.acknowledged { " acknowledged" } else { "" };
    let tip = format!(
        "{kind}: {} {} ↔ {} {}",
        c.a.date, c.a.article, c.b.date, c.b.article
    );
    let d = if c.kind == Kind::Internal || (ax - bx).abs() < 1.0 && (ay - by).abs() < 1.0 {
        // One article against itself: a loop above its dot.
        format!("M{:.1} {:.1} c -14 -26, 14 -26, 0 0", ax - 0.1, ay - 6.0)
    } else {
        // An arc that bulges upwards, more for points further apart.
        let lift = 14.0 + (bx - ax).abs() * 0.12;
        let cx = (ax + bx) / 2.0;
        let cy = ay.min(by) - lift;
        format!("M{ax:.1} {ay:.1} Q{cx:.1} {cy:.1} {bx:.1} {by:.1}")
    };
    let _ = writeln!(
        out,
        "<path class=\"link {kind}{ack}\" data-a=\"{}\" data-b=\"{}\" d=\"{d}\"><title>{}</title></path>",
        escape(&c.a.article),
        escape(&c.b.article),
        escape(&tip)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_precision() {
        let (s, e) = interval("2024-01").unwrap();
        assert_eq!(e - s, 31.0);
        let (s, e) = interval("2024-01-15").unwrap();
        assert_eq!(e - s, 1.0);
        assert_eq!(year_of(days(Date::new(2021, 6, 1).unwrap())), 2021);
    }
}
