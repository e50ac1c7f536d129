//! The bundled rulebook against arbitrary article bodies: claims point at lines
//! of the file, and nothing panics.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use volte::matcher::{self, Options, Scratch};
use volte::rulebook::Rulebook;

fn rulebook() -> Option<&'static Rulebook> {
    static RULEBOOK: OnceLock<Option<Rulebook>> = OnceLock::new();
    RULEBOOK
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules");
            volte::rulebook::load(&dir).ok()
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(rulebook) = rulebook() else {
        return;
    };
    let body = String::from_utf8_lossy(data);
    for lang in ["fr", "en"] {
        let text = format!("---\nid: fuzz\ndate: 2024-01\nlang: {lang}\n---\n{body}");
        let Ok(article) = volte::corpus::parse_article(PathBuf::from("fuzz.md"), text, "fr")
        else {
            return;
        };
        let lines = article.text.split(['\n', '\r']).count();
        for detail in [false, true] {
            let options = Options {
                include_comments: true,
                detail,
            };
            let analysis =
                matcher::analyze(0, &article, rulebook, options, &mut Scratch::default());
            if let Ok(analysis) = analysis {
                for claim in &analysis.claims {
                    assert!((1..=lines).contains(&claim.line));
                }
            }
        }
    }
});
