//! `volte check` writes its human report a proposition at a time, straight
//! from the run, so the whole ledger and report are never held. That text
//! must be the one the full report model gives, whatever is acknowledged,
//! expired or failing.

use std::path::Path;

use volte::acknowledge;
use volte::ledger::Kind;
use volte::pipeline::{self, RunOptions};
use volte::report::{human, Checks, Report};

#[test]
fn the_streamed_report_is_the_full_reports_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut run = pipeline::run(
        &root.join("rules"),
        &root.join("corpus"),
        &RunOptions::default(),
    )
    .unwrap();
    let found = Report::new(&run).contradictions;
    assert!(found.len() >= 3, "the bundled corpus has contradictions");
    let ack = |c: &volte::report::ContradictionOut, extra: &str| {
        format!(
            "- proposition: {}\n  articles: [{}, {}]\n  reason: checked by hand\n{extra}",
            c.proposition, c.a.article, c.b.article
        )
    };
    // One acknowledged, one acknowledged but expired, one matching nothing.
    let text = format!(
        "{}{}- proposition: {}\n  articles: [nobody-1, nobody-2]\n  reason: gone\n",
        ack(&found[0], ""),
        ack(&found[2], "  expires: 2020-01-01\n"),
        found[1].proposition
    );
    let acks = acknowledge::parse(Path::new("rules/acknowledged.yaml"), &text).unwrap();
    human::set_plain(true);
    for fail_on in [None, Some(vec![Kind::Reversal]), Some(Vec::new())] {
        let checks = Checks {
            acknowledgements: Some(&acks),
            today: Some(jiff::civil::date(2026, 12, 2)),
            fail_on,
            introduced: None,
            without_claims: true,
        };
        let mut streamed = Vec::new();
        let summary = human::write_run(&mut run, &checks, None, &mut streamed).unwrap();
        let report = Report::checked(&run, &checks);
        let streamed = String::from_utf8(streamed).unwrap();
        assert_eq!(streamed, human::render(&report));
        assert_eq!(summary.failing, report.summary.failing);
        assert_eq!(summary.unacknowledged, report.summary.unacknowledged);
        assert!(streamed.contains("(stale)"), "{streamed}");
        assert!(streamed.contains("has expired"), "{streamed}");
        assert!(streamed.contains("(acknowledged: checked by hand)"));
    }
}
