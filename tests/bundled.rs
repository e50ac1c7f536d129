//! The bundled Sahel rulebook on the bundled corpus: the reports are pinned by
//! snapshots (tests/snapshots/), so any change to what volte finds shows up in
//! review. After an intended change: `INSTA_UPDATE=always cargo test`, then
//! read the diff of the .snap files before committing them.

use std::path::Path;

use assert_cmd::Command;

fn check(format: &str) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(root)
        .env("NO_COLOR", "1")
        .args(["check", "--format", format])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn human_report_on_the_bundled_corpus() {
    let (code, stdout) = check("human");
    assert_eq!(code, 1, "the bundled corpus holds real contradictions");
    insta::assert_snapshot!("bundled_human", stdout);
}

#[test]
fn json_report_on_the_bundled_corpus() {
    let (code, stdout) = check("json");
    assert_eq!(code, 1);
    insta::assert_snapshot!("bundled_json", stdout);
}

#[test]
fn the_bundled_corpus_shows_the_expected_contradictions() {
    let (_, stdout) = check("json");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let pairs: Vec<(String, String, String)> = report["contradictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["proposition"].as_str().unwrap().to_string(),
                c["a"]["date"].as_str().unwrap().to_string(),
                c["b"]["date"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |p: &str, a: &str, b: &str| pairs.iter().any(|(x, y, z)| x == p && y == a && z == b);
    // The seed case, restated: Algiers' line on France turned, Bamako's trust broke.
    assert!(
        has("algeria-aligned-with-france-sahel", "2021-10", "2023-02"),
        "{pairs:#?}"
    );
    assert!(
        has("mali-junta-trusts-algeria", "2021-10", "2023-02"),
        "{pairs:#?}"
    );
    assert!(
        has("mali-junta-trusts-algeria", "2021-10", "2024-01"),
        "{pairs:#?}"
    );
    // Later events: the accord was declared dead, Algiers turned on Wagner.
    assert!(
        has("algiers-accord-in-force", "2015-06-20", "2024-01-26"),
        "{pairs:#?}"
    );
    assert!(
        has(
            "algeria-backs-russian-presence-mali",
            "2022-05",
            "2024-08-28"
        ),
        "{pairs:#?}"
    );
    // Nothing from the reader comments.
    let comment_claims = report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["section"] == "comment")
        .count();
    assert_eq!(comment_claims, 0);
}
