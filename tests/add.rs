//! `volte add` as a new user meets it: raw pages in the shapes found in the
//! wild (tests/fixtures/raw/), added one by one to a project that holds the
//! bundled rules and corpus. Each must get the right date at the right
//! precision or a clear request for one, lose no sentence of its body, and
//! keep its reader comments out of the claims.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn raw(name: &str) -> PathBuf {
    repo().join("tests/fixtures/raw").join(name)
}

/// A project with the bundled rules and corpus.
fn project() -> TempDir {
    let dir = TempDir::new().unwrap();
    for folder in ["rules", "rules/tests", "corpus"] {
        fs::create_dir_all(dir.path().join(folder)).unwrap();
    }
    for folder in ["rules", "corpus"] {
        for entry in fs::read_dir(repo().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                fs::copy(
                    &path,
                    dir.path().join(folder).join(path.file_name().unwrap()),
                )
                .unwrap();
            }
        }
    }
    dir
}

fn volte(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("volte").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// The articles of the corpus whose name starts with `prefix`.
fn added(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir.join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    found.sort();
    found
}

/// The claims `check --format json` finds in one article.
fn claims_of(dir: &Path, file: &Path) -> Vec<serde_json::Value> {
    let out = volte(dir)
        .args(["check", "--format", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["path"].as_str().unwrap().ends_with(&name))
        .cloned()
        .collect()
}

/// Every line of `lines` appears in `text`, whitespace trimmed.
fn assert_kept(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.contains(line.trim()), "lost: {line}\n---\n{text}");
    }
}

#[test]
fn a_leading_marker_gives_a_month_and_the_body_stays_whole() {
    let dir = project();
    volte(dir.path())
        .args(["add"])
        .arg(raw("marker-month.txt"))
        .args(["--source", "Algérie Part"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "date 2023-06 from the leading date marker at line 1",
        ))
        .stdout(predicate::str::contains("contradicts 1 earlier article"))
        .stdout(predicate::str::contains("self      2021-10 Algérie Part"));
    let files = added(dir.path(), "2023-06-");
    assert_eq!(files.len(), 1, "{files:?}");
    let text = fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("\ndate: 2023-06\n"), "{text}");
    assert!(text.contains("\nsource: \"Algérie Part\"\n"), "{text}");
    assert!(
        !text.contains(" date 2023-06"),
        "the marker is gone from the body: {text}"
    );
    let source = fs::read_to_string(raw("marker-month.txt")).unwrap();
    let first = source
        .lines()
        .next()
        .unwrap()
        .trim_start()
        .trim_start_matches("date 2023-06");
    let mut body: Vec<&str> = source
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    body.push(first);
    assert_kept(&text, &body);
}

#[test]
fn a_header_date_is_not_a_publication_date_and_comments_make_no_claims() {
    let dir = project();
    volte(dir.path())
        .arg("add")
        .arg(raw("header-date-comments.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`mardi, novembre 16, 2021` at line 3 is not used as the publication date",
        ))
        .stderr(predicate::str::contains(
            "no publication date found; pass --date",
        ))
        .stderr(predicate::str::contains("pass --date 2021-11-16"));
    assert!(added(dir.path(), "2021-").len() == 2, "nothing was written");

    volte(dir.path())
        .arg("add")
        .arg(raw("header-date-comments.txt"))
        .args(["--date", "2021-11", "--source", "Le Guetteur"])
        .assert()
        .stderr(predicate::str::contains(
            "dropped 5 lines as page furniture",
        ))
        .stderr(predicate::str::contains(
            "reader comments from line 18 (`4 تعليقات`)",
        ));
    let file = added(dir.path(), "2021-11-revelations").pop().unwrap();
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("\ndate: 2021-11\n"), "{text}");
    for furniture in [
        "8.4 C",
        "Oran",
        "mardi, novembre",
        "dernières nouvelles",
        "Actualités",
    ] {
        assert!(!text.contains(furniture), "{furniture} kept: {text}");
    }
    assert!(
        text.contains("\n# Révélations. Alger prête à soutenir"),
        "{text}"
    );
    let comments = text
        .find("\n## Commentaires\n")
        .expect("a comments heading");
    assert!(text[comments..].contains("ne soutiendra jamais les mercenaires russes"));
    assert!(text[..comments].contains("n’est nullement hostile à une présence militaire russe"));

    let claims = claims_of(dir.path(), &file);
    assert!(!claims.is_empty(), "the body makes claims");
    assert!(
        claims.iter().all(|c| c["section"] == "body"),
        "no claim from the comments: {claims:#?}"
    );
    assert!(claims.iter().all(|c| !c["sentence"]
        .as_str()
        .unwrap()
        .contains("jamais les mercenaires")));
}

#[test]
fn never_overwrites_an_article() {
    let dir = project();
    let add = || {
        let mut cmd = volte(dir.path());
        cmd.arg("add").arg(raw("published-line.txt")).args([
            "--source",
            "Le Guetteur",
            "--id",
            "guetteur-ingerence",
        ]);
        cmd
    };
    add().assert().code(predicate::in_iter([0, 1]));
    let path = dir.path().join("corpus/guetteur-ingerence.md");
    fs::write(
        &path,
        fs::read_to_string(&path).unwrap() + "\nNote de la rédaction.\n",
    )
    .unwrap();
    let before = fs::read_to_string(&path).unwrap();
    add().assert().code(2).stderr(predicate::str::contains(
        "corpus/guetteur-ingerence.md: already exists; volte never overwrites an article",
    ));
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
    add()
        .arg("--force")
        .assert()
        .code(predicate::in_iter([0, 1]));
    assert_ne!(fs::read_to_string(&path).unwrap(), before);
    // Another file cannot take an id already in use.
    volte(dir.path())
        .arg("add")
        .arg(raw("marker-month.txt"))
        .args(["--id", "afp-2011-12-militaires-algeriens-nord-mali"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is already taken by corpus/2011-12-militaires-algeriens-nord-mali.md",
        ));
}

#[test]
fn a_publication_line_gives_the_day() {
    let dir = project();
    volte(dir.path())
        .arg("add")
        .arg(raw("published-line.txt"))
        .args(["--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\ndate: 2024-01-09\n"))
        .stdout(predicate::str::contains("Lire aussi").not())
        .stdout(predicate::str::contains("Publié le").not())
        .stdout(predicate::str::contains(
            "# Mali : la junte dénonce « l’ingérence » d’Alger\n",
        ));
    assert!(
        added(dir.path(), "2024-01-09").is_empty(),
        "--dry-run writes nothing"
    );
}

#[test]
fn no_date_asks_for_one_and_names_the_dates_seen() {
    let dir = project();
    volte(dir.path())
        .arg("add")
        .arg(raw("no-date.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no-date.txt: no publication date found; pass --date",
        ))
        .stderr(predicate::str::contains(
            "line 3: `mars 2015` (2015-03) is in the text: an event the article reports",
        ));
    volte(dir.path())
        .arg("add")
        .arg(raw("no-date.txt"))
        .args(["--date", "2022", "--dry-run"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "source `Sahel Hebdo et agences` from the byline at line 5",
        ))
        .stdout(predicate::str::contains("\ndate: 2022\n"));
}

#[test]
fn english_page_with_byline_and_comment_count() {
    let dir = project();
    let out = volte(dir.path())
        .arg("add")
        .arg(raw("english-published.txt"))
        .arg("--dry-run")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\ndate: 2024-04-26\n"), "{text}");
    assert!(text.contains("\nsource: \"Sahel Wire\"\n"), "{text}");
    assert!(text.contains("\nlang: en\n"), "{text}");
    assert!(
        text.contains("\n## Comments\n\nAnonymous: They are already there"),
        "{text}"
    );
    assert_eq!(
        text.matches("Algiers denies any troop deployment").count(),
        2,
        "title once in the front matter, once as heading: {text}"
    );
    assert!(!text.contains("Share this"), "{text}");
}

#[test]
fn saved_html_page() {
    let dir = project();
    volte(dir.path())
        .arg("add")
        .arg(raw("saved-page.html"))
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains("\ndate: 2022-09-14\n"))
        .stdout(predicate::str::contains("\nsource: \"Le Veilleur\"\n"))
        .stdout(predicate::str::contains(
            "url: \"https://www.leveilleur.example/2022/09/14/alger-paris-sahel/\"",
        ))
        .stdout(predicate::str::contains(
            "Alger et Paris s’accordent désormais",
        ))
        .stdout(predicate::str::contains(
            "\n## Commentaires\n\nParis et Alger main dans la main",
        ))
        .stdout(predicate::str::contains("pas un paragraphe").not())
        .stdout(predicate::str::contains("Les plus lus").not());
}

#[test]
fn standard_input_and_url() {
    let dir = project();
    volte(dir.path())
        .args(["add", "-", "--url", "https://www.sahel-hebdo.example/2020/03/alger-bamako/"])
        .write_stdin("Alger et Bamako ont signé un nouvel accord de coopération sécuritaire pour la région.\n")
        .assert()
        .code(predicate::in_iter([0, 1]))
        .stderr(predicate::str::contains("date 2020-03 from the URL"))
        .stderr(predicate::str::contains("source `sahel-hebdo.example` from the URL"));
    let file = added(dir.path(), "2020-03-alger-et-bamako").pop().unwrap();
    let text = fs::read_to_string(file).unwrap();
    assert!(text.contains("\nurl: \"https://www.sahel-hebdo.example/2020/03/alger-bamako/\"\n"));
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = project();
    volte(dir.path())
        .args(["add", "-", "--date", "2024-13"])
        .write_stdin("Un texte.\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--date `2024-13`: there is no month 13",
        ));
    volte(dir.path())
        .args(["add", "-", "--id", "../evil"])
        .write_stdin("Un texte.\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--id `../evil`"));
    fs::copy(raw("marker-month.txt"), dir.path().join("corpus/raw.txt")).unwrap();
    volte(dir.path())
        .args(["add", "corpus/raw.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "corpus/raw.txt: the raw page is inside the corpus folder",
        ));
    fs::remove_file(dir.path().join("corpus/raw.txt")).unwrap();
    volte(dir.path())
        .args(["add", "missing.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.txt"));
}

#[test]
fn completions_and_man_page_come_from_the_cli() {
    let dir = project();
    volte(dir.path())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("volte"))
        .stdout(predicate::str::contains("--dry-run"));
    volte(dir.path())
        .args(["completions", "zsh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#compdef volte"));
    volte(dir.path())
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH volte"))
        .stdout(predicate::str::contains("add"));
}
