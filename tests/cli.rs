//! The command line as a user meets it: exit codes, error messages that name
//! the file and line, discovery of rules/ and corpus/, and the JSON contract.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

const RULES: &str = "\
entities:
  - id: algeria
    aliases: [Algérie, Alger]
  - id: russia
    aliases: [Russie, russe*]
propositions:
  - id: backs-russia
    claim: Algeria backs the Russian presence
    requires: [algeria, russia]
    supports:
      - \"soutient ..4 @russia\"
    opposes:
      - \"dénonce ..4 @russia\"
";

fn article(id: &str, date: &str, body: &str) -> String {
    format!("---\nid: {id}\ndate: {date}\nsource: {id} press\n---\n{body}\n")
}

/// A project folder with rules/rules.yaml and the given articles.
fn project(articles: &[(&str, String)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::create_dir_all(dir.path().join("rules")).unwrap();
    fs::create_dir_all(dir.path().join("corpus")).unwrap();
    fs::write(dir.path().join("rules/rules.yaml"), RULES).unwrap();
    for (name, text) in articles {
        fs::write(dir.path().join("corpus").join(name), text).unwrap();
    }
    dir
}

fn volte(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("volte").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Two articles two months apart on opposite sides: a `conflict`.
fn contradicting() -> TempDir {
    project(&[
        (
            "a.md",
            article("a", "2024-06", "L'Algérie soutient la présence russe."),
        ),
        (
            "b.md",
            article("b", "2024-08", "L'Algérie dénonce la présence russe."),
        ),
    ])
}

#[test]
fn contradictions_exit_1_and_quote_both_sides() {
    let dir = contradicting();
    volte(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("conflict"))
        .stdout(predicate::str::contains("corpus/a.md:6"))
        .stdout(predicate::str::contains(
            "« L'Algérie dénonce la présence russe. »",
        ))
        .stdout(predicate::str::contains("1 contradiction"))
        .stdout(predicate::str::contains("1 failing"));
}

#[test]
fn agreement_exits_0() {
    let dir = project(&[
        (
            "a.md",
            article("a", "2021-10", "L'Algérie soutient la présence russe."),
        ),
        (
            "b.md",
            article("b", "2024-08", "Alger soutient toujours la Russie."),
        ),
    ]);
    volte(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no contradiction"));
}

#[test]
fn the_window_decides_conflict_or_reversal_and_reversals_do_not_fail() {
    let dir = contradicting();
    let json = |args: &[&str]| {
        let out = volte(dir.path())
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        )
    };
    let (code, report) = json(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(report["contradictions"][0]["kind"], "conflict");
    // A zero-day window: June and August are apart, so the later article
    // overturns the earlier one, which is reported without failing.
    let (code, report) = json(&["--window", "0"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["contradictions"][0]["kind"], "reversal");
    assert_eq!(report["contradictions"][0]["fails"], false);
    assert_eq!(report["summary"]["failing"], 0);
    let (code, _) = json(&["--window", "0", "--fail-on", "all"]);
    assert_eq!(code, Some(1));
    volte(dir.path())
        .args(["check", "--fail-on", "conflit"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown contradiction kind `conflit`",
        ));
}

#[test]
fn rules_and_corpus_are_found_from_a_subfolder() {
    let dir = contradicting();
    volte(&dir.path().join("corpus"))
        .arg("check")
        .assert()
        .code(1);
}

#[test]
fn json_follows_the_v1_contract() {
    let dir = contradicting();
    let out = volte(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["version"], 1);
    let article = &r["articles"][0];
    for key in ["id", "path", "date", "source"] {
        assert!(article.get(key).is_some(), "articles[] lacks {key}");
    }
    let claim = &r["claims"][0];
    for key in [
        "article",
        "path",
        "line",
        "proposition",
        "stance",
        "negated",
        "hedged",
        "section",
        "cue",
        "sentence",
    ] {
        assert!(claim.get(key).is_some(), "claims[] lacks {key}");
    }
    let c = &r["contradictions"][0];
    for key in ["proposition", "kind", "a", "b", "acknowledged"] {
        assert!(c.get(key).is_some(), "contradictions[] lacks {key}");
    }
    for key in [
        "article", "date", "source", "stance", "path", "line", "sentence",
    ] {
        assert!(c["a"].get(key).is_some(), "contradictions[].a lacks {key}");
    }
    assert_eq!(c["a"]["date"], "2024-06", "dates keep their precision");
    assert_eq!(r["summary"]["articles"], 2);
    assert_eq!(r["summary"]["claims"], 2);
}

#[test]
fn output_is_deterministic() {
    let dir = contradicting();
    let run = || {
        volte(dir.path())
            .args(["check", "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

/// Writes `text` to `file` in the project, runs `volte check`, and expects
/// exit code 2 with every needle on stderr.
fn check_fails_with(dir: &TempDir, file: &str, text: impl AsRef<[u8]>, needles: &[&str]) {
    fs::write(dir.path().join(file), text).unwrap();
    let out = volte(dir.path()).arg("check").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }
}

#[test]
fn a_malformed_rule_file_names_file_line_and_column() {
    let dir = contradicting();
    check_fails_with(
        &dir,
        "rules/broken.yaml",
        "propositions:\n  - id: x\n    claim: [unclosed\n",
        &["rules/broken.yaml:3:"],
    );
    let out = volte(dir.path()).arg("check").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("<input>") && !err.contains("error: error"),
        "{err}"
    );
}

#[test]
fn a_rulebook_without_propositions_is_an_error_not_a_pass() {
    check_fails_with(
        &contradicting(),
        "rules/rules.yaml",
        "",
        &["no propositions"],
    );
}

#[test]
fn unclosed_front_matter_says_so() {
    check_fails_with(
        &contradicting(),
        "corpus/c.md",
        "---\nid: c\ndate: 2024\nTexte.\n",
        &["corpus/c.md:1: the front matter opened here is never closed"],
    );
}

#[test]
fn a_missing_article_is_named_once() {
    let dir = contradicting();
    let out = volte(dir.path())
        .args(["explain", "nope.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn an_unknown_entity_in_a_pattern_points_at_it() {
    check_fails_with(
        &contradicting(),
        "rules/rules.yaml",
        RULES.replace("@russia\"\n    opposes", "@rusia\"\n    opposes"),
        &["rules/rules.yaml:11:23", "did you mean `@russia`"],
    );
}

#[test]
fn an_article_without_a_usable_date_is_an_error_not_a_drop() {
    let dir = contradicting();
    check_fails_with(
        &dir,
        "corpus/c.md",
        "---\nid: c\nsource: X\n---\nTexte.\n",
        &["corpus/c.md:2", "no `date:`"],
    );
    check_fails_with(
        &dir,
        "corpus/c.md",
        "---\nid: c\ndate: 2024-13-40\n---\nTexte.\n",
        &["corpus/c.md:3: date", "no month 13"],
    );
}

#[test]
fn a_duplicate_id_names_both_files() {
    check_fails_with(
        &contradicting(),
        "corpus/c.md",
        article("a", "2024-01", "Texte."),
        &["corpus/c.md:2: duplicate article id `a`", "corpus/a.md"],
    );
}

#[test]
fn a_non_utf8_article_is_an_error_naming_it() {
    check_fails_with(
        &contradicting(),
        "corpus/c.md",
        b"---\nid: c\ndate: 2024\n---\nCaf\xe9\n",
        &["corpus/c.md:5: not valid UTF-8"],
    );
}

#[test]
fn missing_folders_are_usage_errors() {
    let dir = TempDir::new().unwrap();
    volte(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no `rules/` folder"));
    volte(dir.path())
        .args(["check", "--rules", "nowhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nowhere: no such folder"));
    volte(dir.path())
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
}

#[test]
fn explain_says_why_a_sentence_matched() {
    let dir = project(&[(
        "a.md",
        article(
            "a",
            "2021-10",
            "Selon nos sources, l’Algérie ne soutient pas la présence russe.",
        ),
    )]);
    volte(dir.path())
        .args(["explain", "corpus/a.md"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("backs-russia opposes"))
        .stdout(predicate::str::contains("cue «soutient»"))
        .stdout(predicate::str::contains(
            "negation «ne … pas» flips the stance",
        ))
        .stdout(predicate::str::contains("hedged by «Selon»"))
        .stdout(predicate::str::contains("algeria «Algérie»"));
}

#[test]
fn timeline_lists_stances_and_suggests_ids() {
    let dir = contradicting();
    volte(dir.path())
        .args(["timeline", "backs-russia"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"2024-06 +supports +a press +corpus/a.md:6").unwrap())
        .stdout(predicate::str::is_match(r"2024-08 +opposes +b press +corpus/b.md:6").unwrap());
    volte(dir.path())
        .args(["timeline", "backs-rusia"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `backs-russia`"));
}

#[test]
fn help_explains_with_examples() {
    let dir = TempDir::new().unwrap();
    volte(dir.path())
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("--window"));
    volte(dir.path())
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn no_colour_when_piped_even_without_no_color() {
    let dir = contradicting();
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .arg("check")
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b), "escape codes in piped output");
    let forced = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .arg("check")
        .output()
        .unwrap();
    assert!(
        forced.stdout.contains(&0x1b),
        "CLICOLOR_FORCE should force colour"
    );
}

#[test]
fn lint_reports_warnings_and_errors_with_their_lines() {
    let dir = contradicting();
    volte(dir.path())
        .arg("lint")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("0 warnings"));
    fs::write(
        dir.path().join("rules/more.yaml"),
        "entities:\n  - id: algerie\n    aliases: [Alger]\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("lint")
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "alias `Alger` of `algeria` is also an alias of `algerie` (rules/more.yaml:3:15)",
        ))
        .stderr(predicate::str::contains(
            "warning: rules/more.yaml:2:9: entity `algerie` is not used",
        ))
        .stderr(predicate::str::contains("3 | "));
    volte(dir.path())
        .args(["lint", "--deny-warnings"])
        .assert()
        .code(1);
    fs::write(
        dir.path().join("rules/more.yaml"),
        "propositions:\n  - id: p\n    claim: x\n    suports: [a]\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("lint")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rules/more.yaml:4:5: unknown field `suports`",
        ))
        .stderr(predicate::str::contains("(did you mean `supports`?)"));
}

#[test]
fn test_runs_cases_and_variants_and_fails_on_a_wrong_expectation() {
    let dir = contradicting();
    fs::create_dir_all(dir.path().join("rules/tests")).unwrap();
    fs::write(
        dir.path().join("rules/tests/cases.yaml"),
        "- text: \"L'Algérie soutient la présence russe.\"\n  expect:\n    backs-russia: supports\n\
         - text: \"L'Algérie observe la présence russe.\"\n  expect: {}\n",
    )
    .unwrap();
    // Two cases; the first also gets generated deny and hedge variants.
    volte(dir.path())
        .arg("test")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 cases"))
        .stdout(predicate::str::contains(" 0 failed"));

    fs::write(
        dir.path().join("rules/tests/cases.yaml"),
        "- text: \"L'Algérie soutient la présence russe.\"\n  expect:\n    backs-russia: opposes\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("test")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL rules/tests/cases.yaml:1"))
        .stdout(predicate::str::contains("expected: backs-russia: opposes"))
        .stdout(predicate::str::contains("actual:   backs-russia: supports"));

    fs::write(
        dir.path().join("rules/tests/cases.yaml"),
        "- text: \"x\"\n  expect:\n    backs-rusia: supports\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("test")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rules/tests/cases.yaml:3:5: unknown proposition `backs-rusia` in `expect` (did you mean `backs-russia`?)",
        ))
        .stderr(predicate::str::contains("3 |     backs-rusia: supports"));
}

#[test]
fn the_bundled_casebook_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    volte(root)
        .arg("test")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn explain_one_line_or_standard_input_says_why_not() {
    let dir = project(&[(
        "a.md",
        article(
            "a",
            "2021-10",
            "L'Algérie soutient la présence russe.\nL'Algérie observe la présence russe.\nLa Russie se tait.",
        ),
    )]);
    // Line 7 of the file is the second sentence of the body.
    volte(dir.path())
        .args(["explain", "corpus/a.md", "--line", "7"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("observe"))
        .stdout(predicate::str::contains("soutient").not())
        .stdout(predicate::str::contains(
            "words: le algerie observe la presence russe",
        ))
        .stdout(predicate::str::contains(
            "✗ backs-russia: its actors are named, but no `supports` or `opposes` pattern matched",
        ));
    volte(dir.path())
        .args(["explain", "corpus/a.md", "--line", "99"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("se tait"))
        .stdout(predicate::str::contains("algeria (from context)"));
    volte(dir.path())
        .args(["explain", "-"])
        .write_stdin("La Russie soutient la présence russe.")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "✗ backs-russia: requires algeria (not named here or in the sentence before); \
             `supports` pattern `soutient ..4 @russia` matched «soutient",
        ));
    volte(dir.path())
        .args(["explain", "-"])
        .write_stdin("Est-ce que l'Algérie soutient la présence russe ?\n")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("standard input"))
        .stdout(predicate::str::contains("   1  Est-ce que"))
        .stdout(predicate::str::contains(
            "✗ backs-russia: a question asserts nothing",
        ));
    let out = volte(dir.path())
        .args(["explain", "-", "--format", "json"])
        .write_stdin("L'Algérie observe la présence russe.")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sentence = &json["sentences"][0];
    assert_eq!(sentence["tokens"][1], "algerie");
    assert_eq!(sentence["near_misses"][0]["proposition"], "backs-russia");
}

#[test]
fn suggest_ranks_missed_sentences_by_what_matched_sentences_say() {
    let dir = project(&[
        (
            "a.md",
            article(
                "a",
                "2021-10",
                "L'Algérie soutient la présence militaire russe.",
            ),
        ),
        (
            "b.md",
            article(
                "b",
                "2022-01",
                "L'Algérie et la Russie ont signé un accord gazier.\n\n\
                 L'Algérie applaudit la présence militaire russe.",
            ),
        ),
    ]);
    let out = volte(dir.path())
        .args(["suggest", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &json["propositions"][0];
    assert_eq!(p["proposition"], "backs-russia");
    assert_eq!(p["matched"], 1);
    assert_eq!(p["unmatched"], 2);
    // The sentence that talks like the matched one comes first, and why.
    let first = &p["candidates"][0];
    assert!(first["sentence"].as_str().unwrap().contains("applaudit"));
    assert_eq!(first["path"], "corpus/b.md");
    assert_eq!(first["line"], 8);
    assert!(first["because_of"]
        .as_array()
        .unwrap()
        .contains(&"presence".into()));
    // Its new verb is a cue word to consider; the pattern's own words are not.
    let cues: Vec<&str> = p["cue_words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["word"].as_str().unwrap())
        .collect();
    assert!(cues.contains(&"applaudit"), "{cues:?}");
    assert!(!cues.contains(&"soutient"), "{cues:?}");

    volte(dir.path())
        .arg("suggest")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "backs-russia: 2 sentences naming its actors without a claim; 1 with one",
        ))
        .stdout(predicate::str::contains("corpus/b.md:8"));
    volte(dir.path())
        .args(["suggest", "backs-rusia"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `backs-russia`?"));
}

#[test]
fn a_dated_alias_names_its_entity_only_in_its_period() {
    let dir = TempDir::new().unwrap();
    fs::create_dir_all(dir.path().join("rules")).unwrap();
    fs::write(
        dir.path().join("rules/rules.yaml"),
        "\
entities:
  - id: lamamra
    aliases: [Lamamra]
    dated_aliases:
      - alias: ministre algérien des Affaires étrangères
        from: 2021-07
        until: 2023-03
  - id: attaf
    aliases: [Attaf]
    dated_aliases:
      - alias: ministre algérien des Affaires étrangères
        from: 2023-04
propositions:
  - id: p
    claim: x
    supports: [\"salue ..4 @lamamra\"]
    opposes: [\"salue ..4 @attaf\"]
",
    )
    .unwrap();
    let explain = |date: &str| {
        let out = volte(dir.path())
            .args(["explain", "-"])
            .write_stdin(format!(
                "---\ndate: {date}\n---\nLe ministre algérien des Affaires étrangères est à Bamako.\n"
            ))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(explain("2022-01-10").contains("entities: lamamra «ministre"));
    assert!(explain("2023-03").contains("entities: lamamra «ministre"));
    assert!(explain("2024").contains("entities: attaf «ministre"));
    let before = explain("2019");
    assert!(!before.contains("entities:"), "{before}");
    // Test cases are read at their `date`.
    fs::create_dir_all(dir.path().join("rules/tests")).unwrap();
    fs::write(
        dir.path().join("rules/tests/dated.yaml"),
        "- text: Alger salue le ministre algérien des Affaires étrangères.\n  date: 2022-06\n  expect:\n    p: supports\n  variants: false\n\
         - text: Alger salue le ministre algérien des Affaires étrangères.\n  date: 2024-06\n  expect:\n    p: opposes\n  variants: false\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("test")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 passed, 0 failed"));
    // Periods that do not meet share the alias without a lint warning.
    volte(dir.path())
        .arg("lint")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("also an alias").not());

    fs::write(
        dir.path().join("rules/more.yaml"),
        "entities:\n  - id: x\n    dated_aliases:\n      - alias: y\n        from: 2023-05\n        until: 2023-01\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("lint")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rules/more.yaml:4:16: dated alias `y` ends before it starts",
        ));
    fs::write(
        dir.path().join("rules/more.yaml"),
        "entities:\n  - id: x\n    dated_aliases:\n      - alias: y\n        from: 2023-13\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("lint")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rules/more.yaml:5:15: bad date `2023-13`",
        ));
}
