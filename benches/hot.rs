//! The hot stages of `volte check`, one by one, over generated French news
//! (see `volte::bench`): folding, tokenising, sentence splitting, the
//! prefilter's automaton, the evaluation of marked sentences, and a whole
//! article. `cargo bench` prints the throughput of each.
//!
//! For the whole run over a corpus of any size, with peak memory and the
//! peers side by side, see `bench/run.sh`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use volte::corpus::{self, Article};
use volte::matcher::{self, Options, Scratch};
use volte::rulebook::{self, Rulebook};
use volte::text::{fold, sentences, tokens};

struct Fixture {
    rulebook: Rulebook,
    articles: Vec<Article>,
    bytes: u64,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    volte::bench::generate(dir.path(), 0, 1).expect("the bench rulebook is written");
    let rulebook = rulebook::load(&dir.path().join("rules")).expect("the bench rulebook loads");
    let articles: Vec<Article> = volte::bench::articles(200, 1)
        .into_iter()
        .map(|(name, text)| {
            corpus::parse_article(PathBuf::from(name), text, "fr")
                .expect("a generated article parses")
        })
        .collect();
    let bytes = articles.iter().map(|a| a.text.len() as u64).sum();
    Fixture {
        rulebook,
        articles,
        bytes,
        _dir: dir,
    }
}

fn stages(c: &mut Criterion) {
    let f = fixture();
    let lexicon = f.rulebook.lexicon("fr").expect("a French lexicon");
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(f.bytes));
    group.sample_size(20);

    group.bench_function("fold", |b| {
        let mut out = String::new();
        b.iter(|| {
            for a in &f.articles {
                out.clear();
                for word in a.text.split_whitespace() {
                    fold::fold_into(word, &mut out);
                }
            }
            black_box(out.len())
        })
    });
    group.bench_function("tokenize", |b| {
        let mut out = tokens::Tokens::default();
        b.iter(|| {
            let mut n = 0;
            for a in &f.articles {
                tokens::tokenize(&a.text[a.body()], a.body().start, lexicon, &mut out);
                n += out.len();
            }
            black_box(n)
        })
    });
    group.bench_function("split", |b| {
        b.iter(|| {
            let mut n = 0;
            for a in &f.articles {
                n += sentences::split(&a.text, a.body(), lexicon, &f.rulebook.lexicons).len();
            }
            black_box(n)
        })
    });
    let prefilter = f
        .rulebook
        .prefilter("fr")
        .expect("the bench rulebook has a prefilter");
    group.bench_function("automaton", |b| {
        b.iter(|| {
            let mut hits = 0;
            for a in &f.articles {
                prefilter.scan(&a.text, a.body(), |at, _| {
                    hits += 1;
                    at
                });
            }
            black_box(hits)
        })
    });
    // As `volte check` runs it: pieces cut at sentence starts, side by side.
    let cuts: Vec<Vec<usize>> = f
        .articles
        .iter()
        .map(|a| {
            let lexicon = f.rulebook.lexicon("fr").expect("a French lexicon");
            sentences::split(&a.text, a.body(), lexicon, &f.rulebook.lexicons)
                .iter()
                .map(|s| s.span.start)
                .collect()
        })
        .collect();
    group.bench_function("automaton (side by side)", |b| {
        b.iter(|| {
            let mut hits = 0;
            for (a, cuts) in f.articles.iter().zip(&cuts) {
                prefilter.scan_pieces(&a.text, a.body(), cuts, |at, _| {
                    hits += 1;
                    at
                });
            }
            black_box(hits)
        })
    });
    for (name, full_scan) in [
        ("article (prefilter)", false),
        ("article (every sentence)", true),
    ] {
        group.bench_function(name, |b| {
            let mut scratch = Scratch::default();
            let options = Options {
                full_scan,
                ..Default::default()
            };
            b.iter(|| {
                let mut claims = 0;
                for (i, a) in f.articles.iter().enumerate() {
                    let analysis = matcher::analyze(i, a, &f.rulebook, options, &mut scratch)
                        .expect("a generated article matches");
                    claims += analysis.claims.len();
                }
                black_box(claims)
            })
        });
    }
    group.finish();

    // The evaluation of the sentences the prefilter marks: stance sentences only.
    let marked: Vec<Article> = f
        .articles
        .iter()
        .filter_map(|a| {
            let stance: Vec<&str> = a.text[a.body()]
                .split_inclusive(". ")
                .filter(|s| s.contains("a-t-on appris"))
                .collect();
            (!stance.is_empty()).then(|| {
                let text = format!(
                    "---\nid: {}\ndate: 2020\n---\n{}\n",
                    a.id(),
                    stance.concat()
                );
                corpus::parse_article(a.path.clone(), text, "fr").expect("a stance article parses")
            })
        })
        .collect();
    let sentences: u64 = marked
        .iter()
        .map(|a| a.text.matches("a-t-on appris").count() as u64)
        .sum();
    let mut group = c.benchmark_group("evaluation");
    group.throughput(Throughput::Elements(sentences));
    group.sample_size(20);
    group.bench_function("stance sentences", |b| {
        let mut scratch = Scratch::default();
        b.iter(|| {
            let mut claims = 0;
            for (i, a) in marked.iter().enumerate() {
                let analysis =
                    matcher::analyze(i, a, &f.rulebook, Options::default(), &mut scratch)
                        .expect("a stance article matches");
                claims += analysis.claims.len();
            }
            black_box(claims)
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
