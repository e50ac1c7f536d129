//! The pull-request workflow of docs/ci.md, run for real on a temporary git
//! repository: a branch adds a contradicting article, `check --since` fails and
//! names only it, acknowledging it makes the check pass, and the SARIF output
//! validates against the SARIF 2.1.0 schema.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use tempfile::TempDir;

const NEW_ARTICLE: &str = "---
id: new-2025
date: 2025-01-10
source: Agence Sahel Presse
---
Le gouvernement malien a salué le rôle de l'Algérie et se dit pleinement confiant dans sa médiation.
";

fn git(dir: &Path, args: &[&str]) {
    let status = Process::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "volte test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "volte test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A repository holding the bundled rules and corpus on `main`, and a branch
/// `feature` that adds one article contradicting two earlier ones.
fn repository() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("rules"), &dir.path().join("rules"));
    copy_dir(&root.join("corpus"), &dir.path().join("corpus"));
    let _ = fs::remove_file(dir.path().join("rules/acknowledged.yaml"));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "corpus"]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    fs::write(dir.path().join("corpus/2025-01-new.md"), NEW_ARTICLE).unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "a new article"]);
    dir
}

fn volte(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn since_fails_on_the_new_contradiction_and_acknowledging_it_passes() {
    let repo = repository();
    let dir = repo.path();

    // The whole corpus fails too (it has self contradictions), but --since
    // reports only what the branch introduced.
    let (code, out, _) = volte(dir, &["check", "--since", "main", "--format", "json"]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<&serde_json::Value> = report["contradictions"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(found.len(), 2, "{out}");
    assert!(found.iter().all(|c| c["b"]["article"] == "new-2025"));
    assert_eq!(report["summary"]["since"], "main");

    for other in [
        "asp-2024-01-26-fin-accord-alger",
        "sw-2024-08-28-algeria-private-armies",
    ] {
        let (code, _, err) = volte(
            dir,
            &[
                "acknowledge",
                "mali-junta-trusts-algeria",
                "new-2025",
                other,
                "--reason",
                "The new government's line, checked with the desk",
                "--by",
                "Test",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, _) = volte(dir, &["check", "--since", "main"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("acknowledged: The new government's line"),
        "{out}"
    );
    assert!(out.contains("none fails the build"), "{out}");

    // Remove the article: its acknowledgements no longer match anything.
    fs::remove_file(dir.join("corpus/2025-01-new.md")).unwrap();
    let (_, out, _) = volte(dir, &["check"]);
    assert_eq!(out.matches("(stale)").count(), 2, "{out}");
}

#[test]
fn a_rule_change_counts_as_introduced() {
    let repo = repository();
    let dir = repo.path();
    git(dir, &["checkout", "-q", "main"]);
    // Drop a cue from the rule, commit it as the baseline, then restore it on a
    // branch: the contradictions it finds again are new to that branch.
    let rule = dir.join("rules/algiers-accord-in-force.yaml");
    let original = fs::read_to_string(&rule).unwrap();
    let weakened: String = original
        .lines()
        .filter(|l| !l.contains("tore up | torn up") && !l.contains("mettre fin | met fin"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&rule, weakened).unwrap();
    git(dir, &["commit", "-q", "-am", "weaker rule"]);
    git(dir, &["checkout", "-q", "-b", "rules"]);
    fs::write(&rule, original).unwrap();
    let (_, out, err) = volte(dir, &["check", "--since", "main", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
    let props: Vec<&str> = report["contradictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["proposition"].as_str().unwrap())
        .collect();
    assert!(props.contains(&"algiers-accord-in-force"), "{props:?}");
    assert!(
        props.iter().all(|p| *p == "algiers-accord-in-force"),
        "{props:?}"
    );
}

#[test]
fn a_bad_revision_is_a_usage_error() {
    let repo = repository();
    let (code, _, err) = volte(repo.path(), &["check", "--since", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(err.contains("`no-such-branch` is not a commit"), "{err}");
    let outside = TempDir::new().unwrap();
    copy_dir(&repo.path().join("rules"), &outside.path().join("rules"));
    copy_dir(&repo.path().join("corpus"), &outside.path().join("corpus"));
    let (code, _, err) = volte(outside.path(), &["check", "--since", "main"]);
    assert_eq!(code, 2);
    assert!(err.contains("not inside a git repository"), "{err}");
}

#[test]
fn sarif_validates_against_the_sarif_schema() {
    let repo = repository();
    let (_, out, _) = volte(repo.path(), &["check", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schema_text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let first = &results[0];
    let uri = first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("corpus/"), "{uri}");
    assert!(
        first["relatedLocations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 0
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 5);
}

#[test]
fn github_format_annotates_the_newer_article() {
    let repo = repository();
    let (code, out, _) = volte(
        repo.path(),
        &["check", "--since", "main", "--format", "github"],
    );
    assert_eq!(code, 1);
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 2, "{out}");
    assert!(
        errors[0].starts_with("::error file=corpus/2025-01-new.md,line=6,title=volte "),
        "{}",
        errors[0]
    );
    assert!(out.lines().last().unwrap().starts_with("volte: "));
}

#[test]
fn markdown_format_leads_with_a_summary_line() {
    let repo = repository();
    let (_, out, _) = volte(
        repo.path(),
        &["check", "--since", "main", "--format", "markdown"],
    );
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("### volte: ❌ **2 failing**"), "{first}");
    assert!(out.contains("<details>"));
}

#[test]
fn diff_lists_what_the_branch_changed() {
    let repo = repository();
    let (code, out, err) = volte(repo.path(), &["diff", "main"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("volte diff main..working tree: 2 contradictions new and 0 resolved"),
        "{out}"
    );
    assert!(
        out.contains("+ mali-junta-trusts-algeria supports  corpus/2025-01-new.md:6"),
        "{out}"
    );
    assert!(
        out.contains("+2025-01-10  supports  Agence Sahel Presse  [new-2025]"),
        "{out}"
    );
    let (_, md, _) = volte(repo.path(), &["diff", "main", "--format", "markdown"]);
    assert!(
        md.starts_with("### volte diff against `main`: ❌ **2 new failing contradictions**"),
        "{md}"
    );
    assert!(md.contains("```diff"));
    // Without a revision: the merge base with the default branch.
    let (code, out, _) = volte(repo.path(), &["diff"]);
    assert_eq!(code, 0);
    assert!(out.contains("2 contradictions new"), "{out}");
}

#[test]
fn a_typo_fix_in_an_old_article_does_not_fail_the_build() {
    let repo = repository();
    let dir = repo.path();
    git(dir, &["checkout", "-q", "main"]);
    let path = dir.join("corpus/2023-02-influence-algerienne-bamako.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replacen("Le Mali a longtemps", "Le Mali a très longtemps", 1),
    )
    .unwrap();
    let (code, out, err) = volte(dir, &["check", "--since", "main"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no contradiction since main"), "{out}");
}

#[test]
fn acknowledgement_mistakes_are_errors() {
    let repo = repository();
    let dir = repo.path();
    let (code, _, err) = volte(dir, &["check", "--acknowledged", "rules/acknowledged.yml"]);
    assert_eq!(code, 2);
    assert!(err.contains("no such acknowledgements file"), "{err}");
    fs::write(
        dir.join("rules/acknowledged.yaml"),
        "- proposition: mali-junta-trusts-algerie\n  articles: [a, b]\n  reason: typo\n",
    )
    .unwrap();
    let (code, _, err) = volte(dir, &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("rules/acknowledged.yaml:1:1: unknown proposition"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `mali-junta-trusts-algeria`"),
        "{err}"
    );
    fs::remove_file(dir.join("rules/acknowledged.yaml")).unwrap();
    let args = [
        "acknowledge",
        "mali-junta-trusts-algeria",
        "new-2025",
        "sw-2024-08-28-algeria-private-armies",
        "--reason",
        "two\nlines",
    ];
    assert_eq!(volte(dir, &args).0, 0);
    let (code, _, err) = volte(dir, &args);
    assert_eq!(code, 2);
    assert!(
        err.contains("already acknowledged at rules/acknowledged.yaml:2"),
        "{err}"
    );
    let (code, _, err) = volte(dir, &["check", "--fail-on", ""]);
    assert_eq!(code, 2, "{err}");
}
