//! The fast path finds exactly what a full read finds, and the cache gives
//! exactly what a fresh run gives.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use volte::pipeline::{self, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every claim, in order, with what a report shows of it.
fn claims(rules: &Path, corpus: &Path, full_scan: bool) -> Vec<String> {
    let options = RunOptions {
        full_scan,
        include_comments: true,
        ..Default::default()
    };
    claims_of(&pipeline::run(rules, corpus, &options).expect("the run succeeds"))
}

fn claims_of(run: &pipeline::Run) -> Vec<String> {
    run.claims
        .iter()
        .map(|c| {
            format!(
                "{} {} {}:{} {:?} negated={} hedged={} {}",
                run.rulebook.propositions[c.proposition].id,
                c.stance.as_str(),
                run.articles[c.article].path.display(),
                c.line,
                c.section,
                c.negated,
                c.hedged,
                c.sentence
            )
        })
        .collect()
}

fn same_with_and_without_prefilter(rules: &Path, corpus: &Path) -> usize {
    let full = claims(rules, corpus, true);
    let fast = claims(rules, corpus, false);
    assert_eq!(fast, full, "{} with {}", corpus.display(), rules.display());
    full.len()
}

#[test]
fn the_prefilter_finds_every_claim_of_the_bundled_and_evaluation_corpora() {
    let rules = root().join("rules");
    let mut found = same_with_and_without_prefilter(&rules, &root().join("corpus"));
    for set in std::fs::read_dir(root().join("eval")).unwrap().flatten() {
        if set.path().is_dir() {
            found += same_with_and_without_prefilter(&rules, &set.path());
        }
    }
    assert!(found > 500, "only {found} claims compared");
}

#[test]
fn a_recheck_reads_its_few_articles_whole_and_finds_what_a_fresh_run_finds() {
    let project = project_with_bundled_corpus();
    let (rules, corpus) = (project.path().join("rules"), project.path().join("corpus"));
    let cached = RunOptions {
        include_comments: true,
        cache: Some(project.path().join("cache")),
        ..Default::default()
    };
    let recheck = || pipeline::run(&rules, &corpus, &cached).expect("the run succeeds");
    assert!(
        recheck().rulebook.prefilters_built(),
        "a first run builds it"
    );
    let article = std::fs::read_to_string(corpus.join("2024-01-26-fin-accord-alger.md")).unwrap();
    let add = |from: usize, to: usize| {
        for n in from..to {
            let text = article.replacen("id: ", &format!("id: added-{n}-"), 1);
            std::fs::write(corpus.join(format!("zz-added-{n}.md")), text).unwrap();
        }
    };
    // Two articles to read: read whole, the prefilter left unbuilt.
    add(0, 2);
    let run = recheck();
    assert!(!run.rulebook.prefilters_built());
    assert_eq!(run.cached, 11);
    assert_eq!(claims_of(&run), claims(&rules, &corpus, true));
    // Twenty: the first sixteen whole, the others through the prefilter.
    add(2, 22);
    let run = recheck();
    assert!(run.rulebook.prefilters_built());
    assert_eq!(run.cached, 13);
    assert_eq!(claims_of(&run), claims(&rules, &corpus, true));
    assert_eq!(claims_of(&run), claims(&rules, &corpus, false));
}

/// The prefilter is built on first use, by whichever worker needs it
/// first (a re-check's seventeenth article): no worker may wait on its
/// own build, however many there are.
#[test]
fn workers_asking_for_the_prefilter_at_once_all_get_it() {
    use rayon::prelude::*;
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(16)
            .build()
            .unwrap();
        for _ in 0..20 {
            let rulebook = volte::rulebook::load(&root().join("rules")).unwrap();
            pool.install(|| {
                (0..256)
                    .into_par_iter()
                    .for_each(|_| assert!(rulebook.prefilter("fr").is_some()));
            });
        }
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the workers got the prefilter (none waits on its own build)");
}

#[test]
fn the_prefilter_finds_every_claim_of_a_generated_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let (articles, _) = volte::bench::generate(dir.path(), 600_000, 3).unwrap();
    assert!(articles > 50);
    let found =
        same_with_and_without_prefilter(&dir.path().join("rules"), &dir.path().join("corpus"));
    assert!(found > 50, "only {found} claims compared");
}

fn check(project: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(project)
        .args(["check", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_cached_run_reports_what_a_fresh_run_reports() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    copy_dir(&root().join("rules"), &project.join("rules"));
    copy_dir(&root().join("corpus"), &project.join("corpus"));
    let (fresh, _) = check(project, &["--no-cache"]);
    assert!(
        !project.join(".volte-cache").exists(),
        "--no-cache wrote a cache"
    );

    let (first, _) = check(project, &[]);
    let mut cache_files: Vec<_> = std::fs::read_dir(project.join(".volte-cache"))
        .expect("the cache is written beside the rules folder")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    cache_files.sort();
    // Its heads, its bodies, and the lock runs sharing them take turns by.
    assert_eq!(cache_files.len(), 3, "{cache_files:?}");
    assert_eq!(cache_files[2], "claims.lock");
    let (second, _) = check(project, &[]);
    assert_eq!(first, fresh);
    assert_eq!(second, fresh);

    // An edited article is read again.
    let article = project.join("corpus/2011-12-militaires-algeriens-nord-mali.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replace("source: AFP", "source: Reuters")).unwrap();
    let (edited, _) = check(project, &[]);
    let (edited_fresh, _) = check(project, &["--no-cache"]);
    assert_eq!(edited, edited_fresh);
    assert!(edited.contains("Reuters"));

    // A rule change gives another cache, and the old one goes.
    let rule = project.join("rules/algerian-troops-in-mali.yaml");
    let text = std::fs::read_to_string(&rule).unwrap();
    std::fs::write(&rule, format!("{text}\n# edited\n")).unwrap();
    let (after_rule, _) = check(project, &[]);
    assert_eq!(after_rule, edited_fresh);
    let mut names: Vec<_> = std::fs::read_dir(project.join(".volte-cache"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(cache_files[0] != names[0] && cache_files[1] != names[1]);
    assert_eq!(names[2], "claims.lock");
}

#[test]
fn a_corrupt_cache_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    copy_dir(&root().join("rules"), &project.join("rules"));
    copy_dir(&root().join("corpus"), &project.join("corpus"));
    let (fresh, _) = check(project, &[]);
    for entry in std::fs::read_dir(project.join(".volte-cache"))
        .unwrap()
        .flatten()
    {
        std::fs::write(entry.path(), b"{\"format\": 1, \"key\": tru").unwrap();
    }
    let (again, stderr) = check(project, &[]);
    assert_eq!(again, fresh);
    assert!(
        stderr.contains("warning:") && stderr.contains("corrupt"),
        "{stderr}"
    );
    let (healed, stderr) = check(project, &[]);
    assert_eq!(healed, fresh);
    assert!(
        !stderr.contains("corrupt"),
        "the cache was not rewritten: {stderr}"
    );
}

/// `volte check` with the human report (no colour: the output is a pipe).
fn check_human(project: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(project)
        .arg("check")
        .args(extra)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The names of the files in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn set_time(path: &Path, when: std::time::SystemTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(when).unwrap();
}

/// Adds `corpus/zz-added.md`, a copy of a bundled article under another
/// id, and gives the path of the article copied.
fn add_copy(project: &Path) -> PathBuf {
    let article = project.join("corpus/2024-01-26-fin-accord-alger.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(
        project.join("corpus/zz-added.md"),
        text.replacen("id: ", "id: added-", 1),
    )
    .unwrap();
    article
}

/// Makes every article an hour old, older than the cache's two seconds of
/// doubt, so a re-check trusts the files' times and leaves the bodies of
/// unchanged articles unread; gives the time.
fn age_corpus(project: &Path) -> std::time::SystemTime {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(project.join("corpus")).unwrap().flatten() {
        set_time(&entry.path(), hour_ago);
    }
    hour_ago
}

fn project_with_bundled_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), &dir.path().join("rules"));
    copy_dir(&root().join("corpus"), &dir.path().join("corpus"));
    dir
}

/// The human report of a cached run, checked to be a fresh run's and
/// to come without a warning.
fn same_as_fresh(project: &Path, label: &str, extra: &[&str]) -> String {
    let (cached, stderr) = check_human(project, extra);
    let no_cache: Vec<&str> = extra.iter().copied().chain(["--no-cache"]).collect();
    let (fresh, _) = check_human(project, &no_cache);
    assert_eq!(cached, fresh, "{label}");
    assert!(!stderr.contains("warning"), "{label}: {stderr}");
    cached
}

#[test]
fn kept_report_parts_give_what_a_fresh_run_gives() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    age_corpus(project);
    let parts = project.join(".volte-cache/report.parts");
    let (fresh, _) = check_human(project, &["--no-cache"]);
    let (first, _) = check_human(project, &[]);
    assert!(parts.is_file(), "the human report keeps its parts");
    let (second, _) = check_human(project, &[]);
    assert_eq!(first, fresh);
    assert_eq!(second, fresh);

    // A re-check copies the kept text of an unchanged proposition: a mark
    // put into the file comes out in the report.
    let word = "contradicts";
    let kept = std::fs::read(&parts).unwrap();
    let at = kept
        .windows(word.len())
        .position(|w| w == word.as_bytes())
        .expect("the kept parts hold the report's text");
    let mut marked = kept.clone();
    marked[at..at + word.len()].copy_from_slice(b"CONTRADICTS");
    std::fs::write(&parts, &marked).unwrap();
    let (copied, _) = check_human(project, &[]);
    assert!(copied.contains("CONTRADICTS"), "{copied}");
    std::fs::write(&parts, &kept).unwrap();

    // Each change gives what a fresh run gives.
    let same = |label: &str, extra: &[&str]| same_as_fresh(project, label, extra);
    let article = project.join("corpus/2011-12-militaires-algeriens-nord-mali.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replace("source: AFP", "source: Reuters")).unwrap();
    assert!(same("an edited article", &[]).contains("Reuters"));
    let added = project.join("corpus/zz-added.md");
    std::fs::write(
        &added,
        text.replace("source: AFP", "source: Reuters")
            .replacen("id: ", "id: added-", 1),
    )
    .unwrap();
    assert!(same("an added article", &[]).contains("zz-added.md"));
    std::fs::remove_file(&added).unwrap();
    same("a removed article", &[]);
    same("another window", &["--window", "30"]);
    same("the window as before", &[]);
    let acknowledged = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(project)
        .args([
            "acknowledge",
            "algeria-aligned-with-france-sahel",
            "ap-2023-02-influence-algerienne",
            "ap-2021-10-algerie-wagner",
            "--reason",
            "a test",
        ])
        .output()
        .unwrap();
    assert!(acknowledged.status.success(), "{acknowledged:?}");
    assert!(same("an acknowledgement", &[]).contains("acknowledged"));
}

/// Replaces every `from` in the file at `path` by `to`, of the same length.
fn mark_file(path: &Path, from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let kept = std::fs::read(path).unwrap();
    let mut marked = kept.clone();
    let mut at = 0;
    let mut found = 0;
    while let Some(i) = marked[at..]
        .windows(from.len())
        .position(|w| w == from.as_bytes())
    {
        marked[at + i..at + i + from.len()].copy_from_slice(to.as_bytes());
        at += i + from.len();
        found += 1;
    }
    assert!(found > 0, "{from} is not in {}", path.display());
    std::fs::write(path, &marked).unwrap();
    kept
}

#[test]
fn a_recheck_renders_again_only_the_pieces_an_added_article_changes() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    age_corpus(project);
    let parts = project.join(".volte-cache/report.parts");
    check_human(project, &[]);
    // A mark on an article's line in the kept text: a piece copied, not
    // rendered again, shows it.
    let kept = mark_file(&parts, "algerie-wagner.md:23", "ALGERIE-WAGNER.md:23");
    add_copy(project);
    let (recheck, stderr) = check_human(project, &[]);
    assert!(!stderr.contains("warning"), "{stderr}");
    // The proposition the added article changed: its other articles' lines
    // are copied, and what the added article is in is rendered anew.
    let changed = recheck
        .split("\n\n")
        .find(|block| block.starts_with("mali-junta-trusts-algeria"))
        .expect("the proposition is in the report");
    assert!(changed.contains("zz-added.md"), "{changed}");
    assert!(changed.contains("ALGERIE-WAGNER.md:23"), "{changed}");
    assert!(changed.contains("algerie-wagner.md:23"), "{changed}");
    // Without the mark, the re-check gives what a fresh run gives.
    std::fs::write(&parts, &kept).unwrap();
    let (recheck, _) = check_human(project, &[]);
    let (fresh, _) = check_human(project, &["--no-cache"]);
    assert_eq!(recheck, fresh);
    assert!(recheck.contains("zz-added.md"));
}

#[test]
fn a_damaged_kept_ledger_costs_a_reading_never_a_wrong_report() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    age_corpus(project);
    let parts = project.join(".volte-cache/report.parts");
    check_human(project, &[]);
    // Each proposition's ledger is kept beside its text: spoil a byte of
    // each, past its first line.
    let mut bytes = std::fs::read(&parts).unwrap();
    let head = b"volte ledger 1\n";
    let starts: Vec<usize> = bytes
        .windows(head.len())
        .enumerate()
        .filter(|(_, w)| w == head)
        .map(|(i, _)| i)
        .collect();
    // One a proposition of the bundled rulebook.
    assert_eq!(starts.len(), 5, "{} ledgers kept", starts.len());
    for start in starts {
        bytes[start + head.len() + 31] ^= 0x55;
    }
    std::fs::write(&parts, &bytes).unwrap();
    add_copy(project);
    let (recheck, _) = check_human(project, &[]);
    let (fresh, _) = check_human(project, &["--no-cache"]);
    assert_eq!(recheck, fresh);
    assert!(recheck.contains("zz-added.md"));
}

/// A generated corpus changed many ways, one change at a time: each
/// re-check reports what a fresh run reports. Its propositions hold tens of
/// articles, so their texts are cut into many pieces.
#[test]
fn a_generated_corpus_changed_many_ways_gives_what_a_fresh_run_gives() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    volte::bench::generate(project, 600_000, 11).unwrap();
    let mut articles: Vec<PathBuf> = Vec::new();
    let mut folders = vec![project.join("corpus")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                folders.push(entry.path());
            } else {
                articles.push(entry.path());
            }
        }
    }
    articles.sort();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for article in &articles {
        set_time(article, hour_ago);
    }
    // Each change at a time of its own, as an editor gives it (a file of
    // the same size and time is taken as unchanged), an hour ago still.
    let edits = std::cell::Cell::new(0);
    let edit = |path: &Path, change: &dyn Fn(&str) -> String| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, change(&text)).unwrap();
        edits.set(edits.get() + 1);
        set_time(path, hour_ago + std::time::Duration::from_secs(edits.get()));
    };
    let same = |label: &str, extra: &[&str]| same_as_fresh(project, label, extra);
    let first = same("a first run", &[]);
    assert!(first.matches("contradicts").count() > 20, "{first}");
    for (n, article) in articles.iter().enumerate().step_by(7).take(12) {
        let copy = project.join(format!("corpus/zz-{n}.md"));
        let text = std::fs::read_to_string(article).unwrap();
        std::fs::write(&copy, text.replacen("id: ", &format!("id: copy-{n}-"), 1)).unwrap();
        set_time(&copy, hour_ago);
        same("an article added", &[]);
        match n % 4 {
            0 => edit(article, &|t| t.replacen("date: 20", "date: 19", 1)),
            1 => edit(article, &|t| t.replacen("source: ", "source: Autre ", 1)),
            2 => edit(article, &|t| {
                t.replacen("soutient", "s'oppose à", 1)
                    .replacen("salue", "condamne", 1)
            }),
            _ => std::fs::remove_file(article).unwrap(),
        }
        same("an article changed or removed", &[]);
    }
    same("another window", &["--window", "30"]);
    same("the window as before", &[]);
}

#[test]
fn a_damaged_parts_file_is_ignored_with_a_warning() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    let parts = project.join(".volte-cache/report.parts");
    let (fresh, _) = check_human(project, &[]);
    let kept = std::fs::read(&parts).unwrap();
    std::fs::write(&parts, &kept[..kept.len() / 2]).unwrap();
    let (again, stderr) = check_human(project, &[]);
    assert_eq!(again, fresh);
    assert!(
        stderr.contains("warning:") && stderr.contains("report.parts"),
        "{stderr}"
    );
    let (healed, stderr) = check_human(project, &[]);
    assert_eq!(healed, fresh);
    assert!(!stderr.contains("report.parts"), "not rewritten: {stderr}");
}

#[test]
fn the_cache_is_rewritten_only_when_an_entry_changes_and_never_by_a_failed_run() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    // Files older than the cache, so their times are trusted.
    let past = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    let articles: Vec<String> = names(&project.join("corpus"));
    for name in &articles {
        set_time(&project.join("corpus").join(name), past);
    }
    let cache_dir = project.join(".volte-cache");
    let cache_file = || {
        let name = names(&cache_dir)
            .into_iter()
            .find(|n| n.ends_with(".jsonl"))
            .expect("a claims cache");
        cache_dir.join(name)
    };
    let (fresh, _) = check(project, &[]);
    let written = std::fs::read(cache_file()).unwrap();
    let stamp = std::fs::metadata(cache_file()).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (again, _) = check(project, &[]);
    assert_eq!(again, fresh);
    assert_eq!(
        std::fs::metadata(cache_file()).unwrap().modified().unwrap(),
        stamp,
        "a run that changed nothing rewrote the cache"
    );

    // An article in error stops the run: the cache stays as it was, with no
    // temporary file beside it.
    std::fs::write(
        project.join("corpus/zz-broken.md"),
        "---\nid: [\n---\nText.\n",
    )
    .unwrap();
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(project)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(std::fs::read(cache_file()).unwrap(), written);
    let left = names(&cache_dir);
    assert!(!left.iter().any(|n| n.ends_with(".tmp")), "{left:?}");

    // One article more: its entry is added to the end of the file.
    std::fs::remove_file(project.join("corpus/zz-broken.md")).unwrap();
    let article = add_copy(project);
    let (more, _) = check(project, &[]);
    let (more_fresh, _) = check(project, &["--no-cache"]);
    assert_eq!(more, more_fresh);
    let grown = std::fs::read(cache_file()).unwrap();
    assert!(grown.starts_with(&written), "not added to the end");
    let new_lines = String::from_utf8_lossy(&grown[written.len()..]).into_owned();
    assert_eq!(new_lines.lines().count(), 1, "{new_lines}");
    assert!(new_lines.contains("zz-added.md"));

    // An addition cut short (a crash) loses only itself.
    let mut cut = grown.clone();
    cut.extend_from_slice(b"{\"path\":\"zz-half");
    std::fs::write(cache_file(), &cut).unwrap();
    let (after_cut, stderr) = check(project, &[]);
    assert_eq!(after_cut, more_fresh);
    assert!(!stderr.contains("warning"), "{stderr}");

    // One article fewer: the same report; its old entry is just unused.
    std::fs::remove_file(&article).unwrap();
    let (fewer, _) = check(project, &[]);
    let (fewer_fresh, _) = check(project, &["--no-cache"]);
    assert_eq!(fewer, fewer_fresh);

    // Every article touched, time and again: each time their entries are
    // added, until the file holds mostly unused lines and is written anew.
    let articles = names(&project.join("corpus"));
    let mut longest = 0;
    for round in 1..=4u64 {
        let when = past + std::time::Duration::from_secs(round * 1000);
        for name in &articles {
            set_time(&project.join("corpus").join(name), when);
        }
        let (touched, _) = check(project, &[]);
        assert_eq!(touched, fewer_fresh, "round {round}");
        let lines = std::fs::read(cache_file())
            .unwrap()
            .split(|&b| b == b'\n')
            .count();
        longest = longest.max(lines);
        assert!(
            lines <= 3 * articles.len() + 18,
            "round {round}: {lines} lines"
        );
    }
    assert!(longest > 2 * articles.len(), "entries were never added");
}

#[test]
fn the_cache_keeps_to_its_own_files_and_to_the_rules_not_the_working_folder() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    let shared = project.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    for name in ["claims-2024-q1.json", "claims-notes.jsonl", "other.txt"] {
        std::fs::write(shared.join(name), "mine").unwrap();
    }
    let cache_dir = shared.to_str().unwrap();
    check(project, &["--cache-dir", cache_dir]);
    // A rule change gives another cache, and only the old one goes.
    let rule = project.join("rules/algerian-troops-in-mali.yaml");
    let text = std::fs::read_to_string(&rule).unwrap();
    std::fs::write(&rule, format!("{text}\n# edited\n")).unwrap();
    check(project, &["--cache-dir", cache_dir]);
    let kept = names(&shared);
    // Theirs, the heads and bodies of the cache of the rules as edited, and
    // the lock.
    assert_eq!(kept.len(), 6, "{kept:?}");
    for name in [
        "claims-2024-q1.json",
        "claims-notes.jsonl",
        "other.txt",
        "claims.lock",
    ] {
        assert!(kept.iter().any(|n| n == name), "{name} gone: {kept:?}");
    }

    // The same rules reached from another folder are the same cache.
    let caches = || -> Vec<String> {
        names(&project.join(".volte-cache"))
            .into_iter()
            .filter(|n| n.starts_with("claims-"))
            .collect()
    };
    check(project, &[]);
    let from_root = caches();
    let rules = project.join("rules");
    let corpus = project.join("corpus");
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(&corpus)
        .arg("check")
        .arg("--rules")
        .arg(&rules)
        .arg("--corpus")
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    assert_eq!(caches(), from_root);
    // And from inside the rules folder, given as `.`.
    let out = Command::cargo_bin("volte")
        .unwrap()
        .current_dir(&rules)
        .args(["check", "--rules", ".", "--corpus", "../corpus"])
        .args(["--cache-dir", "../.volte-cache"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    assert_eq!(caches(), from_root);
}

#[test]
fn a_file_dated_in_the_future_does_not_grow_the_cache() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
    let article = project.join("corpus/2024-01-26-fin-accord-alger.md");
    set_time(&article, later);
    check(project, &[]);
    let cache_dir = project.join(".volte-cache");
    let size = || -> u64 {
        names(&cache_dir)
            .iter()
            .filter(|n| n.ends_with(".jsonl"))
            .map(|n| std::fs::metadata(cache_dir.join(n)).unwrap().len())
            .sum()
    };
    let first = size();
    check(project, &[]);
    check(project, &[]);
    assert_eq!(size(), first);
}

/// A file name JSON must escape (a quote, a backslash) or that is not ASCII
/// is found in the cache like any other: the second run reuses it and
/// leaves the cache as it was.
#[cfg(unix)]
#[test]
fn articles_with_unusual_names_are_found_in_the_cache() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    let from = project.join("corpus/2011-12-militaires-algeriens-nord-mali.md");
    std::fs::rename(&from, project.join("corpus/l'\"armée\\ à Kidal.md")).unwrap();
    let (fresh, _) = check(project, &["--no-cache"]);
    let (first, warnings) = check(project, &[]);
    assert_eq!(first, fresh);
    assert!(warnings.is_empty(), "{warnings}");
    let cache = |project: &Path| {
        let dir = project.join(".volte-cache");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("claims-"))
            .filter(|e| e.file_name().to_string_lossy().ends_with(".jsonl"))
            .map(|e| std::fs::read(e.path()).unwrap())
            .collect();
        assert_eq!(files.len(), 1);
        files.remove(0)
    };
    let before = cache(project);
    assert!(String::from_utf8_lossy(&before).contains(r#"armée\\ à Kidal.md"#));
    let (second, warnings) = check(project, &[]);
    assert_eq!(second, fresh);
    assert!(warnings.is_empty(), "{warnings}");
    assert_eq!(
        cache(project),
        before,
        "the entry was not found and written again"
    );
}

/// The heads name the bodies file they were written with: without it, or
/// with another one, nothing of the cache is used (a warning says so, and
/// the next run has it whole again). Bodies cut short cost a reading of
/// the articles whose bodies are gone, and bodies no head points at (an
/// addition stopped half way) are passed over.
#[test]
fn bodies_missing_replaced_or_cut_short_cost_a_reading_never_a_wrong_report() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    let (fresh, _) = check(project, &["--no-cache"]);
    check(project, &[]);
    let cache_dir = project.join(".volte-cache");
    let bodies = {
        let name = names(&cache_dir)
            .into_iter()
            .find(|n| n.ends_with(".bodies"))
            .expect("a bodies file");
        cache_dir.join(name)
    };
    let whole = std::fs::read(&bodies).unwrap();
    let first_line = whole.iter().position(|&b| b == b'\n').unwrap() + 1;
    let another = [b"volte bodies 0123456789abcdef\n", &whole[first_line..]].concat();
    for (what, damaged) in [("missing", None), ("another file", Some(another))] {
        match damaged {
            None => std::fs::remove_file(&bodies).unwrap(),
            Some(bytes) => std::fs::write(&bodies, bytes).unwrap(),
        }
        let (again, stderr) = check(project, &[]);
        assert_eq!(again, fresh, "{what}");
        assert!(
            stderr.contains("warning:") && stderr.contains(".bodies"),
            "{what}: {stderr}"
        );
        let (healed, stderr) = check(project, &[]);
        assert_eq!(healed, fresh, "{what}");
        assert!(stderr.is_empty(), "{what}: not rewritten: {stderr}");
    }

    // Cut short: the articles whose bodies are gone are read again, and
    // their entries added.
    let whole = std::fs::read(&bodies).unwrap();
    std::fs::write(&bodies, &whole[..whole.len() * 2 / 3]).unwrap();
    let (cut, stderr) = check(project, &[]);
    assert_eq!(cut, fresh);
    assert!(stderr.is_empty(), "{stderr}");
    let (again, _) = check(project, &[]);
    assert_eq!(again, fresh);

    // Bodies no head points at, then an article added after them.
    let mut orphaned = std::fs::read(&bodies).unwrap();
    orphaned.extend_from_slice(b"{\"article\":{\"id\":\"half");
    std::fs::write(&bodies, &orphaned).unwrap();
    add_copy(project);
    let (added_fresh, _) = check(project, &["--no-cache"]);
    let (added, stderr) = check(project, &[]);
    assert_eq!(added, added_fresh);
    assert!(stderr.is_empty(), "{stderr}");
    let (again, _) = check(project, &[]);
    assert_eq!(again, added_fresh);
    assert!(std::fs::read(&bodies).unwrap().starts_with(&orphaned));
}

/// Where each article's body is in the bodies file, from the heads.
fn bodies_of(cache_dir: &Path) -> Vec<(String, usize, usize)> {
    let heads = names(cache_dir)
        .into_iter()
        .find(|n| n.ends_with(".jsonl"))
        .expect("a heads file");
    std::fs::read_to_string(cache_dir.join(heads))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let head: serde_json::Value = serde_json::from_str(line).unwrap();
            let number = |key: &str| head[key].as_u64().unwrap() as usize;
            let path = head["path"].as_str().unwrap().to_string();
            (path, number("at"), number("len"))
        })
        .collect()
}

#[test]
fn a_recheck_leaves_bodies_unread_and_never_trusts_a_damaged_one() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    let hour_ago = age_corpus(project);
    let (fresh, _) = check_human(project, &["--no-cache"]);
    for run in ["cold", "warm", "warm again"] {
        let (cached, stderr) = check_human(project, &[]);
        assert_eq!(cached, fresh, "{run}");
        assert!(stderr.is_empty(), "{run}: {stderr}");
    }

    // A body spoilt where no check of the heads sees it: read when the
    // report needs it (every proposition, its parts gone), found damaged,
    // its article read again; the cache is built anew by the next run.
    let cache_dir = project.join(".volte-cache");
    let bodies = {
        let name = names(&cache_dir)
            .into_iter()
            .find(|n| n.ends_with(".bodies"))
            .unwrap();
        cache_dir.join(name)
    };
    let (_, at, len) = bodies_of(&cache_dir)
        .into_iter()
        .find(|(path, _, _)| path.contains("fin-accord-alger"))
        .expect("the article's entry");
    let mut spoilt = std::fs::read(&bodies).unwrap();
    spoilt[at..at + len].fill(0xff);
    std::fs::write(&bodies, &spoilt).unwrap();
    std::fs::remove_file(cache_dir.join("report.parts")).unwrap();
    let (read_again, stderr) = check_human(project, &[]);
    assert_eq!(read_again, fresh);
    assert!(
        stderr.contains("warning:") && stderr.contains("damaged"),
        "{stderr}"
    );
    for run in ["rebuilt", "warm"] {
        let (cached, stderr) = check_human(project, &[]);
        assert_eq!(cached, fresh, "{run}");
        assert!(stderr.is_empty(), "{run}: {stderr}");
    }

    // Two articles with one id are refused as without a cache, whether
    // one of them, or both, are left unread.
    let refused = |label: &str| {
        let (_, cached) = check_human(project, &[]);
        let (_, fresh) = check_human(project, &["--no-cache"]);
        assert!(fresh.contains("asp-2024-01-26-fin-accord-alger"), "{fresh}");
        assert_eq!(cached, fresh, "{label}");
    };
    let original = project.join("corpus/2024-01-26-fin-accord-alger.md");
    let twin = project.join("corpus/zz-twin.md");
    std::fs::copy(&original, &twin).unwrap();
    set_time(&twin, hour_ago);
    refused("one read, one unread");
    // The twin cached on its own, then the original back as it was.
    let when = std::fs::metadata(&original).unwrap().modified().unwrap();
    let aside = project.join("aside.md");
    std::fs::rename(&original, &aside).unwrap();
    let (_, stderr) = check_human(project, &[]);
    assert!(!stderr.contains("error"), "{stderr}");
    std::fs::rename(&aside, &original).unwrap();
    set_time(&original, when);
    refused("both unread");
}

/// `volte check > report.txt`: standard output a file, not a pipe, so that
/// kept parts are handed to it whole.
fn check_human_to_file(project: &Path, extra: &[&str]) -> (String, String) {
    let path = project.join("report.txt");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("volte"))
        .current_dir(project)
        .arg("check")
        .args(extra)
        .stdout(std::fs::File::create(&path).unwrap())
        .output()
        .unwrap();
    (
        std::fs::read_to_string(&path).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn kept_parts_handed_to_a_file_whole_read_as_a_fresh_report() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    let runs = |label: &str| {
        age_corpus(project);
        let (fresh, _) = check_human(project, &["--no-cache"]);
        for run in ["first", "again", "once more"] {
            let (report, stderr) = check_human_to_file(project, &[]);
            assert_eq!(report, fresh, "{label}, {run}");
            assert!(stderr.is_empty(), "{label}, {run}: {stderr}");
        }
        fresh
    };
    // A quoted sentence with a control byte that goes out as it is while
    // no escape sequence has been stripped.
    // Puts `new` in place of `old` in an article; gives its text before.
    let replace = |article: &str, old: &str, new: &str| -> String {
        let path = project.join("corpus").join(article);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(old), "{article}: {old}");
        std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
        text
    };
    let sentence = "et toutes les parties se sont engagées à l'appliquer sans tarder.";
    replace(
        "2015-06-20-accord-alger-signe-bamako.md",
        sentence,
        &format!("\x07{sentence}"),
    );
    let fresh = runs("a bell");
    assert!(fresh.contains('\x07'));

    // A quoted heading that ends in an escape sequence, in a proposition
    // before the bell's: a plain report strips it and, from there on,
    // every control byte, so no part after it is handed over as it is
    // kept, nor is its own part.
    let troops = "2011-12-militaires-algeriens-nord-mali.md";
    let heading = "# Lutte contre Aqmi : des soldats algériens présents dans le nord du Mali";
    let text = replace(troops, heading, &format!("{heading}\x1b[0m"));
    let fresh = runs("an escape");
    assert!(
        !fresh.contains('\x1b') && !fresh.contains('\x07'),
        "{fresh}"
    );
    let parts = std::fs::read(project.join(".volte-cache/report.parts")).unwrap();
    assert!(parts.contains(&0x1b) && parts.contains(&0x07));

    // With the escape gone, every part is handed over whole again.
    std::fs::write(project.join("corpus").join(troops), text).unwrap();
    let fresh = runs("no escape");
    assert!(fresh.contains('\x07'));
}

/// Several re-checks at once on one cache (CI jobs sharing a folder): each
/// prints the report a fresh run prints, and what they leave behind, both
/// files of the claims cache and `report.parts` added to by each, gives it
/// again with no warning.
#[test]
fn re_checks_at_once_on_one_cache_agree_with_a_fresh_run() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    age_corpus(project);
    let (_, stderr) = check_human(project, &[]);
    assert!(stderr.is_empty(), "{stderr}");
    for round in 0..6 {
        // Something to add to both caches: a new article, then an edit.
        match round {
            0 => {
                add_copy(project);
            }
            _ => {
                let added = project.join("corpus/zz-added.md");
                let text = std::fs::read_to_string(&added).unwrap();
                std::fs::write(
                    &added,
                    format!("{text}\nL'Algérie dénonce la présence russe au Mali.\n"),
                )
                .unwrap();
            }
        }
        age_corpus(project);
        let (fresh, _) = check_human(project, &["--no-cache"]);
        let runs: Vec<_> = (0..6)
            .map(|_| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin!("volte"))
                    .current_dir(project)
                    .arg("check")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert_eq!(
                String::from_utf8(out.stdout).unwrap(),
                fresh,
                "round {round}: {stderr}"
            );
            assert!(stderr.is_empty(), "round {round}: {stderr}");
        }
        for run in ["after", "after again"] {
            let (cached, stderr) = check_human(project, &[]);
            assert_eq!(cached, fresh, "round {round}, {run}");
            assert!(stderr.is_empty(), "round {round}, {run}: {stderr}");
        }
    }
}

/// A run opens the claims cache only while no other run puts new files in
/// place or adds to them: it waits for the lock such a run holds.
#[test]
fn a_run_waits_for_the_cache_another_run_is_writing() {
    let dir = project_with_bundled_corpus();
    let project = dir.path();
    age_corpus(project);
    let (fresh, _) = check_human(project, &["--no-cache"]);
    check_human(project, &[]);
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(project.join(".volte-cache/claims.lock"))
        .expect("the lock file");
    lock.lock().unwrap();
    let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin!("volte"))
        .current_dir(project)
        .arg("check")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(run.try_wait().unwrap().is_none(), "the run did not wait");
    lock.unlock().unwrap();
    // Then it goes on (a minute is plenty for the bundled corpus).
    let started = std::time::Instant::now();
    while run.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            run.kill().unwrap();
            panic!("the run still waits once the lock is free");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = run.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), fresh);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
