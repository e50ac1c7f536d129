//! The sentence splitter on arbitrary text: spans stay in the body, in order,
//! on character boundaries, and never overlap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use volte::lexicon::Lexicons;
use volte::text::sentences;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(lexicons) = Lexicons::builtin() else {
        return;
    };
    for language in ["fr", "en"] {
        let Some(lexicon) = lexicons.get(language) else {
            return;
        };
        let found = sentences::split(&text, 0..text.len(), lexicon, &lexicons);
        let mut end = 0;
        for s in &found {
            assert!(s.span.start >= end, "overlap at {}", s.span.start);
            assert!(s.span.start <= s.span.end && s.span.end <= text.len());
            assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
            end = s.span.end;
            let _ = sentences::display(&text[s.span.clone()]);
        }
    }
});
