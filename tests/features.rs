//! One fixture article per language feature (negation, elision, hedge, gap,
//! context, stems, regex, comments, English): the claims volte finds must be
//! exactly those listed in tests/fixtures/features/expected.yaml.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;

fn fixture() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/features")
        .leak()
}

fn claims(extra: &[&str]) -> BTreeSet<String> {
    let dir = fixture();
    let output = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--no-cache", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "volte failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut line = format!(
                "{}:{} {} {}",
                c["article"].as_str().unwrap(),
                c["line"],
                c["proposition"].as_str().unwrap(),
                c["stance"].as_str().unwrap()
            );
            for flag in ["negated", "hedged"] {
                if c[flag].as_bool().unwrap() {
                    line.push(' ');
                    line.push_str(flag);
                }
            }
            if c["section"] == "comment" {
                line.push_str(" comment");
            }
            line
        })
        .collect()
}

fn expected() -> BTreeSet<String> {
    let text = std::fs::read_to_string(fixture().join("expected.yaml")).unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_feature_fixture_yields_exactly_the_expected_claims() {
    let found = claims(&[]);
    let expected = expected();
    let missing: Vec<_> = expected.difference(&found).collect();
    let unexpected: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing claims: {missing:#?}\nunexpected claims: {unexpected:#?}"
    );
}

#[test]
fn reader_comments_are_read_only_when_asked() {
    let found = claims(&["--include-comments"]);
    assert!(
        found.contains("comments:12 close-to-france supports comment"),
        "{found:#?}"
    );
}
