//! Inputs the fuzz targets once crashed on, kept in `tests/fixtures/fuzz/TARGET/`
//! and replayed on every `cargo test` through the same checks as the targets.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let data = std::fs::read(&file).unwrap();
        eprintln!("{}", file.display());
        check(&data);
    }
}

#[test]
fn rulebook() {
    replay("rulebook", checks::rulebook);
}

#[test]
fn front_matter() {
    replay("front_matter", checks::front_matter);
}

#[test]
fn sentences() {
    replay("sentences", checks::sentences);
}

#[test]
fn matcher() {
    replay("matcher", checks::matcher);
}
