//! Writes a generated bench corpus: `cargo run --release --example benchgen -- DIR MEGABYTES [SEED]`.
//!
//! DIR gets `corpus/` (articles by year), `rules/` (the 200-phrase bench
//! rulebook) and `phrases.txt` (the same phrases, one per line, for peers such
//! as `rg -i -F -f`). The same size and seed always give the same files.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(megabytes)) = (args.first(), args.get(1)) else {
        eprintln!("usage: benchgen DIR MEGABYTES [SEED]");
        return ExitCode::from(2);
    };
    let Ok(megabytes) = megabytes.parse::<f64>() else {
        eprintln!("error: MEGABYTES must be a number, not `{megabytes}`");
        return ExitCode::from(2);
    };
    let seed = match args.get(2).map(|s| s.parse::<u64>()) {
        None => 1,
        Some(Ok(seed)) => seed,
        Some(Err(_)) => {
            eprintln!("error: SEED must be a whole number");
            return ExitCode::from(2);
        }
    };
    let dir = PathBuf::from(dir);
    let bytes = (megabytes * 1e6) as u64;
    match volte::bench::generate(&dir, bytes, seed) {
        Ok((articles, written)) => {
            eprintln!(
                "wrote {articles} articles, {:.1} MB, to {}",
                written as f64 / 1e6,
                dir.join("corpus").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
