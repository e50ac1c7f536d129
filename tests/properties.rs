//! Properties that hold for any text (proptest): segmentation never loses or
//! duplicates a letter, line numbers point into the file, the report does not
//! depend on the order articles are read in, and a negated cue never takes the
//! plain cue's stance.

use std::path::PathBuf;

use proptest::prelude::*;
use volte::corpus::{parse_article, Article};
use volte::lexicon::Lexicons;
use volte::matcher::{self, Options, Scratch};
use volte::pipeline::{self, RunOptions};
use volte::report::Report;
use volte::rulebook::{self, Rulebook, Stance};
use volte::text::{sentences, LineIndex};

const RULES: &str = "\
entities:
  - id: algeria
    aliases: [Algérie, Alger]
  - id: russia
    aliases: [Russie, russe*, Wagner]
propositions:
  - id: backs-russia
    claim: Algeria backs the Russian presence
    requires: [algeria, russia]
    supports:
      - \"soutient ..4 @russia\"
      - \"salue ..4 @russia\"
    opposes:
      - \"dénonce ..4 @russia\"
      - \"condamne ..4 @russia\"
";

fn rulebook() -> Rulebook {
    let sources = vec![(PathBuf::from("rules/rules.yaml"), RULES.to_string())];
    rulebook::compile(&sources, Lexicons::builtin().unwrap()).unwrap()
}

/// Compiled once, for the properties that only borrow it.
fn shared_rulebook() -> &'static Rulebook {
    static RULEBOOK: std::sync::OnceLock<Rulebook> = std::sync::OnceLock::new();
    RULEBOOK.get_or_init(rulebook)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text made of the pieces that move sentence and block boundaries.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[A-Za-zéèàç]{1,9}",
        2 => Just(" ".to_string()),
        1 => prop::sample::select(vec![
            ".", ". ", "! ", "? ", "… ", ", ", "; ", ": ", "« ", " »", "\"", "'", "’",
            "\n", "\n\n", "\r\n", "\r", "# ", "## ", "- ", "* ", "> ", "M. ", "J. ",
            "etc. ", "(", ")", "\t", "\u{a0}",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..120).prop_map(|p| p.concat())
}

/// A body where claims are likely: entities, cues and negators among filler.
fn body() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "L'Algérie",
        "Alger",
        "soutient",
        "salue",
        "dénonce",
        "condamne",
        "la",
        "présence",
        "russe",
        "Wagner",
        "ne",
        "pas",
        "jamais",
        "selon",
        "si",
        "au",
        "Mali",
        ".",
        "?",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "## Commentaires\n",
    ]);
    prop::collection::vec(word, 0..60).prop_map(|w| w.join(" "))
}

fn letters_covered_once(text: &str, spans: &[std::ops::Range<usize>]) -> Result<(), String> {
    let mut count = vec![0u8; text.len()];
    for span in spans {
        for c in count.iter_mut().take(span.end).skip(span.start) {
            *c += 1;
        }
    }
    for (i, ch) in text.char_indices() {
        if ch.is_alphabetic() && count[i] != 1 {
            return Err(format!("`{ch}` at byte {i} is in {} sentences", count[i]));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn segmentation_never_loses_or_duplicates_a_letter(text in text()) {
        let lexicons = Lexicons::builtin().unwrap();
        for language in ["fr", "en"] {
            let lexicon = lexicons.get(language).unwrap();
            let found = sentences::split(&text, 0..text.len(), lexicon, &lexicons);
            let mut end = 0;
            for s in &found {
                prop_assert!(s.span.start >= end, "sentences overlap");
                prop_assert!(s.span.end <= text.len());
                end = s.span.end;
            }
            let spans: Vec<_> = found.iter().map(|s| s.span.clone()).collect();
            prop_assert_eq!(letters_covered_once(&text, &spans), Ok(()));
            // Cutting long sentences into pieces loses nothing either.
            let pieces: Vec<_> = matcher::bounded(&text, found)
                .into_iter()
                .map(|s| s.span)
                .collect();
            prop_assert_eq!(letters_covered_once(&text, &pieces), Ok(()));
        }
    }

    #[test]
    fn long_sentences_are_cut_without_losing_a_byte(words in prop::collection::vec("[a-zé]{1,12}", 1..3000)) {
        let text = words.join(" ");
        let lexicons = Lexicons::builtin().unwrap();
        let found = sentences::split(&text, 0..text.len(), lexicons.get("fr").unwrap(), &lexicons);
        let pieces = matcher::bounded(&text, found.clone());
        prop_assert_eq!(pieces.first().map(|s| s.span.start), found.first().map(|s| s.span.start));
        prop_assert_eq!(pieces.last().map(|s| s.span.end), found.last().map(|s| s.span.end));
        for pair in pieces.windows(2) {
            prop_assert_eq!(pair[0].span.end, pair[1].span.start);
        }
        for piece in &pieces {
            prop_assert!(piece.span.len() <= matcher::MAX_SENTENCE_BYTES);
        }
    }

    #[test]
    fn line_numbers_point_into_the_file(body in body(), crlf in any::<bool>()) {
        let rulebook = shared_rulebook();
        let newline = if crlf { "\r\n" } else { "\n" };
        let text = format!("---{newline}id: a{newline}date: 2024-01{newline}---{newline}{body}");
        let lines = LineIndex::new(&text).line(text.len());
        let article = parse_article(PathBuf::from("corpus/a.md"), text, "fr").unwrap();
        let options = Options { include_comments: true, detail: true, ..Options::default() };
        let analysis = matcher::analyze(0, &article, rulebook, options, &mut Scratch::default()).unwrap();
        for claim in &analysis.claims {
            prop_assert!((5..=lines).contains(&claim.line), "claim at line {} of {lines}", claim.line);
        }
        for detail in &analysis.details {
            prop_assert!((5..=lines).contains(&detail.line), "sentence at line {} of {lines}", detail.line);
        }
    }

    #[test]
    fn the_report_does_not_depend_on_the_reading_order(
        bodies in prop::collection::vec((body(), 0..4usize, 1..13u8), 1..6),
        order in any::<u64>(),
    ) {
        let articles: Vec<Article> = bodies
            .iter()
            .enumerate()
            .map(|(i, (body, source, month))| {
                let text = format!("---\nid: a{i}\ndate: 2024-{month:02}\nsource: S{source}\n---\n{body}\n");
                parse_article(PathBuf::from(format!("corpus/a{i}.md")), text, "fr").unwrap()
            })
            .collect();
        let mut shuffled = articles.clone();
        // A permutation from the seed (Fisher–Yates).
        let mut seed = order;
        for i in (1..shuffled.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let report = |articles: Vec<Article>| {
            let run = pipeline::analyze(rulebook(), articles, &RunOptions::default()).unwrap();
            let mut json: serde_json::Value = serde_json::from_str(&Report::new(&run).to_json().unwrap()).unwrap();
            for list in ["articles", "claims", "contradictions"] {
                if let Some(items) = json[list].as_array_mut() {
                    items.sort_by_key(|v| v.to_string());
                }
            }
            json
        };
        prop_assert_eq!(report(articles), report(shuffled));
    }

    #[test]
    fn a_negated_cue_never_takes_the_plain_stance(
        subject in prop::sample::select(vec!["L'Algérie", "Alger", "L’Algérie"]),
        cue in prop::sample::select(vec!["soutient", "salue", "dénonce", "condamne"]),
        negation in prop::sample::select(vec![("ne", "pas"), ("ne", "jamais"), ("ne", "guère"), ("ne", "plus")]),
        adverb in prop::sample::select(vec!["", "désormais", "ouvertement", "toujours"]),
        object in prop::sample::select(vec!["la présence russe", "les mercenaires de Wagner", "la Russie", "l'arrivée de Wagner"]),
        tail in prop::sample::select(vec!["", " au Mali", ", selon des diplomates", " depuis 2021"]),
    ) {
        let rulebook = shared_rulebook();
        let stance = |sentence: &str| -> Option<Stance> {
            let text = format!("---\nid: a\ndate: 2024-01\n---\n{sentence}\n");
            let article = parse_article(PathBuf::from("a.md"), text, "fr").unwrap();
            let analysis = matcher::analyze(0, &article, rulebook, Options::default(), &mut Scratch::default()).unwrap();
            analysis.claims.first().map(|c| c.stance)
        };
        let (ne, pas) = negation;
        let plain = format!("{subject} {cue} {adverb} {object}{tail}.").replace("  ", " ");
        let negated = format!("{subject} {ne} {cue} {pas} {adverb} {object}{tail}.").replace("  ", " ");
        let plain_stance = stance(&plain);
        prop_assert!(plain_stance.is_some(), "no claim in « {} »", plain);
        prop_assert_ne!(stance(&negated), plain_stance, "« {} » against « {} »", negated, plain);
    }
}
