//! Front matter and dates on arbitrary text: every error names a line of the file.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use volte::corpus::{self, PartialDate};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = text.split(['\n', '\r']).count().max(1);
    if let Ok(date) = PartialDate::parse(&text) {
        assert!(date.first_day() <= date.last_day());
        assert_eq!(PartialDate::parse(&date.to_string()), Ok(date));
    }
    match corpus::parse_article(PathBuf::from("corpus/fuzz.md"), text, "fr") {
        Ok(article) => {
            assert!(article.body.start <= article.body.end);
            assert!(article.body.end <= article.text.len());
        }
        Err(volte::Error::Article { line, .. }) => {
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
        }
        Err(_) => {}
    }
});
