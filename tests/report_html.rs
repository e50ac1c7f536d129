//! `volte report --html` opened in a real browser: headless Chromium loads the
//! page from disk, and the rendered DOM must hold the summary table, a
//! timeline chart per proposition with its points, the contradictions drawn
//! as links, and each contradiction's sentences with their differing words
//! marked. A screenshot is taken too; with `VOLTE_UPDATE_SCREENSHOT=1` it
//! replaces docs/report.png.
//!
//! Chromium is found as `$VOLTE_CHROMIUM`, `chromium`, `chromium-browser` or
//! `google-chrome`. Without it the test is skipped with a message, except in
//! CI (`CI` set), where it fails: `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> Option<PathBuf> {
    if let Some(given) = std::env::var_os("VOLTE_CHROMIUM") {
        return Some(PathBuf::from(given));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs headless Chromium on `url` with `args`, killed after two minutes.
fn run_chromium(browser: &Path, profile: &Path, args: &[String], url: &str) -> String {
    let mut child = Process::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("chromium stdout");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut out);
        out
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("read chromium output")
}

#[test]
fn the_html_report_renders_in_a_browser() {
    let Some(browser) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is required in CI for the HTML report test (.ci/run installs it)");
        }
        eprintln!(
            "skipped: no chromium found (install the `chromium` package, or set VOLTE_CHROMIUM)"
        );
        return;
    };
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("volte")
        .unwrap()
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .args(["report", "--html"])
        .arg(out.path())
        .assert()
        .success();
    let page = out.path().join("index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing is fetched"
    );
    let url = format!("file://{}", page.display());

    let profile = tempfile::tempdir().unwrap();
    let dom = run_chromium(&browser, profile.path(), &["--dump-dom".into()], &url);
    let count = |needle: &str| dom.matches(needle).count();
    assert!(
        dom.contains("<table id=\"summary\">"),
        "summary table:\n{dom}"
    );
    // Five propositions, each with a chart; the bundled corpus holds 14
    // contradictions (README), each drawn as a link and shown as a pair.
    assert_eq!(
        count("<svg class=\"timeline\""),
        5,
        "a chart per proposition"
    );
    assert!(count("<circle class=\"point ") >= 20, "stance points");
    assert!(
        count("<circle class=\"point supports hedged\"")
            + count("<circle class=\"point opposes hedged\"")
            >= 1,
        "a hedged stance drawn hollow"
    );
    assert_eq!(count("<path class=\"link "), 14, "a link per contradiction");
    assert_eq!(count("<article class=\"contradiction "), 14);
    assert!(
        count("<mark class=\"del\">") >= 14 && count("<mark class=\"ins\">") >= 14,
        "differing words marked"
    );
    assert!(dom.contains("data-proposition=\"mali-junta-trusts-algeria\""));

    let shot_dir = tempfile::tempdir().unwrap();
    let shot = shot_dir.path().join("report.png");
    let profile = tempfile::tempdir().unwrap();
    run_chromium(
        &browser,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1000,1500".into(),
        ],
        &url,
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    assert!(
        png.len() > 20_000,
        "the screenshot shows something ({} bytes)",
        png.len()
    );
    if std::env::var_os("VOLTE_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&shot, repo().join("docs/report.png")).unwrap();
    }
}
