//! The rulebook loader on arbitrary YAML: an error is fine, a panic or a hang is not.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use volte::lexicon::Lexicons;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(lexicons) = Lexicons::builtin() else {
        return;
    };
    let sources = vec![(PathBuf::from("rules/fuzz.yaml"), text.to_string())];
    let _ = volte::rulebook::compile(&sources, lexicons);
});
