//! Hostile input (docs/errors.md): every bad rule file, article and corpus gets
//! the right exit code and a message naming the file and line, skipped files
//! are said and counted, and nothing panics, hangs or passes for clean.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
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

const SUPPORTS: &str = "L'Algérie soutient la présence russe.";

fn article(id: &str, date: &str, body: &str) -> String {
    format!("---\nid: {id}\ndate: {date}\nsource: {id} press\n---\n{body}\n")
}

/// A project with the rules above and one good article, `a.md`.
fn project() -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::create_dir_all(dir.path().join("rules")).unwrap();
    fs::create_dir_all(dir.path().join("corpus")).unwrap();
    fs::write(dir.path().join("rules/rules.yaml"), RULES).unwrap();
    write(&dir, "corpus/a.md", article("a", "2024-01", SUPPORTS));
    dir
}

fn write(dir: &TempDir, file: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.path().join(file);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn volte(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Exit 2, every needle on stderr, and nothing on stdout a CI tool could read
/// as a report.
fn fails(dir: &TempDir, args: &[&str], needles: &[&str]) {
    let (code, out, err) = volte(dir.path(), args);
    assert_eq!(code, 2, "{args:?}\nstdout: {out}\nstderr: {err}");
    assert!(out.is_empty(), "partial output: {out}");
    assert!(!err.contains("crashed"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
}

/// The commands that read the rulebook.
const RULE_COMMANDS: [&[&str]; 3] = [&["check"], &["lint"], &["explain", "corpus/a.md"]];

#[test]
fn rule_files_that_are_not_yaml() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"\x00\x01\xff\xfe binary",
            "rules/rules.yaml:1: not valid UTF-8",
        ),
        (b"entities: [\n  - {\n", "rules/rules.yaml:"),
        (b"", "no propositions"),
        (b"   \n# nothing\n", "no propositions"),
        (b"- a\n- b\n", "rules/rules.yaml:1:1:"),
    ];
    for (text, needle) in cases {
        let dir = project();
        write(&dir, "rules/rules.yaml", text);
        for args in RULE_COMMANDS {
            fails(&dir, args, &[needle]);
        }
    }
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused() {
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let mut bomb_in_value = RULES.to_string();
    bomb_in_value.push_str("settings:\n  fail_on: &f0 [conflict, conflict, conflict, conflict]\n");
    let nested = format!(
        "propositions: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut block = String::from("entities:\n");
    for depth in 1..2000 {
        block.push_str(&format!("{}- \n", "  ".repeat(depth)));
    }
    for text in [bomb, nested, block] {
        let dir = project();
        write(&dir, "rules/rules.yaml", &text);
        fails(&dir, &["check"], &["rules/rules.yaml:"]);
    }
}

#[test]
fn huge_regexes_and_huge_rule_files_hit_a_limit() {
    let dir = project();
    write(
        &dir,
        "rules/rules.yaml",
        RULES.replace("\"dénonce ..4 @russia\"", "\"re:(\\\\w{1000}){1000}\""),
    );
    for args in RULE_COMMANDS {
        fails(&dir, args, &["rules/rules.yaml:13:", "exceeds size limit"]);
    }
    let big = format!("{RULES}# {}\n", "x".repeat(5 * 1024 * 1024));
    write(&dir, "rules/rules.yaml", big);
    fails(
        &dir,
        &["check"],
        &["rules/rules.yaml:1:1:", "over the limit of 4 MB"],
    );
}

#[test]
fn a_missing_lexicon_names_the_article() {
    let dir = project();
    write(
        &dir,
        "corpus/b.md",
        "---\nid: b\ndate: 2024-01\nlang: de\n---\nAlger.\n",
    );
    fails(
        &dir,
        &["check"],
        &["corpus/b.md:", "no lexicon for language `de`"],
    );
}

#[test]
fn broken_articles_name_the_file_and_line() {
    let cases: [(&[u8], &str); 8] = [
        (
            b"---\nid: b\ndate: 2024-01\n---\nL'Alg\xe9rie soutient.\n",
            "corpus/b.md:5: not valid UTF-8",
        ),
        (b"Just a body.\n", "corpus/b.md:1: no front matter"),
        (b"---\nid: b\ndate: 2024-01\nbody\n", "corpus/b.md:1:"),
        (b"---\nid: b\nsource: [x\n---\nbody\n", "corpus/b.md:3:"),
        (b"---\nid: b\n---\nbody\n", "corpus/b.md:2: no `date:`"),
        (
            b"---\nid: b\ndate: 2024-13-40\n---\nbody\n",
            "corpus/b.md:3: date `2024-13-40`",
        ),
        (
            b"---\nid: b\ndate: 2999-01-01\n---\nbody\n",
            "corpus/b.md:3: date `2999-01-01` is in the future",
        ),
        (b"\xff\xfe-\x00-\x00-\x00", "corpus/b.md:1: UTF-16"),
    ];
    for (text, needle) in cases {
        let dir = project();
        write(&dir, "corpus/b.md", text);
        fails(&dir, &["check"], &[needle]);
        fails(&dir, &["explain", "corpus/b.md"], &[needle]);
    }
}

#[test]
fn every_broken_article_is_reported_at_once() {
    let dir = project();
    write(&dir, "corpus/b.md", "no front matter\n");
    write(&dir, "corpus/c.md", article("a", "2024-02", "x"));
    fails(
        &dir,
        &["check"],
        &[
            "corpus/b.md:1: no front matter",
            "corpus/c.md:2: duplicate article id `a` (also used by corpus/a.md)",
            "2 errors in the corpus; nothing was checked",
        ],
    );
}

#[test]
fn binary_and_empty_files_are_skipped_said_and_counted() {
    let dir = project();
    write(
        &dir,
        "corpus/image.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    write(&dir, "corpus/empty.md", b"");
    write(&dir, "corpus/blank.txt", b"\xef\xbb\xbf \n\n");
    let (code, out, err) = volte(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("corpus/image.md: skipped: binary file"),
        "{err}"
    );
    assert!(
        err.contains("corpus/empty.md: skipped: empty file"),
        "{err}"
    );
    assert!(
        err.contains("corpus/blank.txt: skipped: empty file"),
        "{err}"
    );
    assert!(out.contains("1 article (3 files skipped)"), "{out}");
    let (_, json, _) = volte(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["summary"]["skipped"], 3);
    // Named on the command line, a binary file is an error, not a skip.
    fails(
        &dir,
        &["explain", "corpus/image.md"],
        &["corpus/image.md: skipped: binary file"],
    );
}

#[test]
fn a_corpus_that_is_missing_or_empty_is_an_error() {
    let dir = project();
    fails(
        &dir,
        &["check", "--corpus", "nowhere"],
        &["nowhere: no such folder"],
    );
    fs::remove_file(dir.path().join("corpus/a.md")).unwrap();
    fails(&dir, &["check"], &["corpus: no articles"]);
    write(&dir, "corpus/empty.md", "");
    fails(&dir, &["check"], &["corpus: no articles (1 skipped)"]);
}

#[test]
fn line_endings_and_byte_order_marks() {
    let dir = project();
    write(
        &dir,
        "corpus/a.md",
        "\u{feff}---\r\nid: a\r\ndate: 2024-01\r\n---\r\nTitre\r\n\r\nL'Algérie soutient la présence russe.\r\n",
    );
    write(
        &dir,
        "corpus/b.md",
        "---\rid: b\rdate: 2024-02\rsource: b\r---\rTitre\r\rL'Algérie dénonce la présence russe.\r",
    );
    write(
        &dir,
        "corpus/c.md",
        "---\nid: c\r\ndate: 2024-03\rsource: c\n---\r\nTitre\r\rL'Algérie dénonce la présence russe.\n",
    );
    let (code, json, err) = volte(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let lines: Vec<(String, u64)> = report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("corpus/a.md".to_string(), 7),
            ("corpus/b.md".to_string(), 8),
            ("corpus/c.md".to_string(), 8)
        ]
    );
}

#[test]
fn one_long_line_finishes_and_a_huge_article_hits_the_limit() {
    let dir = project();
    let long = "Alger soutient la présence russe et ".repeat(6_000);
    write(&dir, "corpus/b.md", article("b", "2024-02", &long));
    let (code, out, err) = volte(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 articles"), "{out}");
    let file = fs::File::create(dir.path().join("corpus/b.md")).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    fails(
        &dir,
        &["check"],
        &["corpus/b.md:1: 100.0 MB, over the limit of 2 MB"],
    );
}

#[test]
fn ignored_files_are_not_read() {
    let dir = project();
    write(&dir, "corpus/draft.md", "not an article\n");
    write(&dir, "corpus/wip/notes.md", "not an article either\n");
    write(&dir, "corpus/.gitignore", "draft.md\n");
    write(&dir, "corpus/.volteignore", "wip/\n");
    let (code, out, err) = volte(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 article,"), "{out}");
    assert!(err.is_empty(), "{err}");
}

/// A file is kept once however it is reached: through a second hard link
/// (no symbolic link on the way), or through a linked folder, with and
/// without the cache.
#[cfg(unix)]
#[test]
fn a_file_reached_twice_is_read_once() {
    let dir = project();
    let corpus = dir.path().join("corpus");
    fs::create_dir(corpus.join("real")).unwrap();
    fs::rename(corpus.join("a.md"), corpus.join("real/a.md")).unwrap();
    // Without the cache, then writing it, then reading it.
    let read_once = |second: &str| {
        for args in [&["check", "--no-cache"][..], &["check"], &["check"]] {
            let (code, out, err) = volte(dir.path(), args);
            assert_eq!(code, 0, "{err}");
            assert!(out.contains("1 article ("), "{out}");
            let skipped = format!("corpus/{second}: skipped: the same file as corpus/real/a.md");
            assert!(err.contains(&skipped), "{err}");
        }
    };
    fs::hard_link(corpus.join("real/a.md"), corpus.join("real/b.md")).unwrap();
    read_once("real/b.md");
    fs::remove_file(corpus.join("real/b.md")).unwrap();
    std::os::unix::fs::symlink("real", corpus.join("seen")).unwrap();
    read_once("seen/a.md");
}

#[cfg(unix)]
#[test]
fn symbolic_links_loops_and_pipes() {
    use std::os::unix::fs::symlink;
    let dir = project();
    let corpus = dir.path().join("corpus");
    symlink("..", corpus.join("up")).unwrap();
    symlink(".", corpus.join("here")).unwrap();
    symlink("a.md", corpus.join("same.md")).unwrap();
    symlink("y.md", corpus.join("x.md")).unwrap();
    symlink("x.md", corpus.join("y.md")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(corpus.join("pipe.md"))
        .status()
        .is_ok_and(|s| s.success());
    let (code, out, err) = volte(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 article ("), "{out}");
    for needle in [
        "corpus/up: skipped: a symbolic link out of the corpus folder",
        "corpus/here: skipped: a symbolic link loop",
        "corpus/same.md: skipped: the same file as corpus/a.md",
        "corpus/x.md: skipped: a symbolic link loop",
    ] {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
    if fifo {
        assert!(
            err.contains("corpus/pipe.md: skipped: not a regular file"),
            "{err}"
        );
    }
    symlink("gone.md", corpus.join("broken.md")).unwrap();
    fails(
        &dir,
        &["check"],
        &["corpus/broken.md:1: a broken symbolic link"],
    );
}

#[cfg(unix)]
#[test]
fn unreadable_articles_are_errors() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    write(&dir, "corpus/b.md", article("b", "2024-01", SUPPORTS));
    let path = dir.path().join("corpus/b.md");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        // Running as root: permissions do not keep anything out.
        return;
    }
    fails(&dir, &["check"], &["corpus/b.md", "ermission denied"]);
}

/// Two `volte acknowledge` at once: both entries are kept, the file stays
/// valid, and no temporary file is left behind.
#[test]
fn concurrent_acknowledgements_keep_both_entries() {
    let dir = project();
    write(
        &dir,
        "corpus/b.md",
        article("b", "2024-02", "L'Algérie dénonce la présence russe."),
    );
    write(
        &dir,
        "corpus/c.md",
        article("c", "2024-03", "L'Algérie dénonce la présence russe."),
    );
    let (code, _, err) = volte(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    let bin = assert_cmd::cargo::cargo_bin("volte");
    let pairs = [["a", "b"], ["a", "c"]];
    for round in 0..3 {
        let _ = fs::remove_file(dir.path().join("rules/acknowledged.yaml"));
        let children: Vec<_> = pairs
            .iter()
            .map(|[x, y]| {
                std::process::Command::new(&bin)
                    .current_dir(dir.path())
                    .args(["acknowledge", "backs-russia", x, y, "--reason"])
                    .arg(format!("round {round}"))
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let text = fs::read_to_string(dir.path().join("rules/acknowledged.yaml")).unwrap();
        assert_eq!(
            text.matches("- proposition: backs-russia").count(),
            2,
            "{text}"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("rules"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    let (code, _, err) = volte(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
}

/// Opening a named pipe for reading waits for a writer: volte never opens one.
#[cfg(unix)]
#[test]
fn named_pipes_never_block() {
    let dir = project();
    let mkfifo = |path: &Path| {
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !mkfifo(&dir.path().join("corpus/pipe.md")) {
        return;
    }
    fails(
        &dir,
        &["explain", "corpus/pipe.md"],
        &["corpus/pipe.md: skipped: not a regular file"],
    );
    assert!(mkfifo(&dir.path().join("rules/acknowledged.yaml")));
    fails(
        &dir,
        &["check"],
        &["rules/acknowledged.yaml:1:1: not a regular file"],
    );
    assert!(mkfifo(&dir.path().join("rules/pipe.yaml")));
    fs::remove_file(dir.path().join("rules/acknowledged.yaml")).unwrap();
    let (code, _, err) = volte(dir.path(), &["lint"]);
    assert_eq!(code, 0, "{err}");
}

/// Ctrl-C during a run: volte ends with the signal (exit 130 in a shell) and
/// has printed nothing, or it had finished and printed the whole report.
/// Never half a report.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_partial_report() {
    use std::os::unix::process::ExitStatusExt;
    let dir = project();
    for i in 0..300 {
        let body = "L'Algérie soutient la présence russe. L'Algérie dénonce la présence russe.\n"
            .repeat(20);
        write(
            &dir,
            &format!("corpus/b{i}.md"),
            article(&format!("b{i}"), "2024-02", &body),
        );
    }
    for delay in [20, 100, 300] {
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("volte"))
            .current_dir(dir.path())
            .args(["check", "--format", "json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let out = child.wait_with_output().unwrap();
        if out.status.signal() == Some(2) {
            assert!(out.stdout.is_empty(), "partial report after SIGINT");
        } else {
            assert_eq!(out.status.code(), Some(1));
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(report["summary"]["articles"], 301);
        }
    }
}
