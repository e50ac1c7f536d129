//! `volte test`: the rulebook's own test cases, in `rules/tests/*.yaml`.
//!
//! ```yaml
//! - text: "L'Algérie n'est guère hostile à la présence russe au Mali."
//!   expect:
//!     algeria-backs-russian-presence-mali: supports
//!   negated: true
//! - text: "Alger et Bamako ont signé un accord gazier."
//!   expect: {}            # no claim at all
//! ```
//!
//! `text` is a passage (several sentences, a `## Commentaires` heading…); the
//! claims of its last sentence are compared with `expect`, unless `all: true`
//! compares the claims of the whole passage. Beyond the written cases, each
//! supporting or opposing case is turned into variants from the lexicon's
//! `test_variants` (a denial, a hedge), whose stance must flip or be hedged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::corpus;
use crate::error::{yaml_error, Error};
use crate::matcher::{self, Claim, Options, Scratch};
use crate::rulebook::{Rulebook, Stance};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    text: Spanned<String>,
    #[serde(default)]
    lang: Option<String>,
    /// The article date the passage is read at (dated aliases); default 2024.
    #[serde(default)]
    date: Option<String>,
    expect: std::collections::HashMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    negated: Option<bool>,
    #[serde(default)]
    hedged: Option<bool>,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    include_comments: bool,
    #[serde(default = "yes")]
    variants: bool,
}

fn yes() -> bool {
    true
}

/// One test case.
#[derive(Debug, Clone)]
pub struct Case {
    pub path: PathBuf,
    pub line: usize,
    pub text: String,
    pub lang: Option<String>,
    pub date: Option<String>,
    /// Proposition id → expected stance; empty means "no claim".
    pub expect: BTreeMap<String, Stance>,
    pub negated: Option<bool>,
    pub hedged: Option<bool>,
    pub all: bool,
    pub include_comments: bool,
    pub variants: bool,
}

/// What a case produced, when it failed.
#[derive(Debug, Clone)]
pub struct Failure {
    pub case: Case,
    /// "case", or the variant's name.
    pub variant: String,
    pub text: String,
    pub expected: String,
    pub actual: String,
}

/// The result of running every case.
#[derive(Debug, Default)]
pub struct Outcome {
    pub cases: usize,
    pub variants: usize,
    pub failures: Vec<Failure>,
}

/// Reads every `*.yaml` file of `dir` (a missing folder means no case).
pub fn load(dir: &Path, rulebook: &Rulebook) -> Result<Vec<Case>, Error> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut cases = Vec::new();
    for path in crate::rulebook::yaml_files(dir)? {
        let shown = corpus::display_path(&path);
        let text = crate::fsutil::read_text(&path)?;
        let files: Vec<CaseFile> = if text.trim().is_empty() {
            Vec::new()
        } else {
            serde_saphyr::from_str(&text).map_err(|e| yaml_error(&shown, &e))?
        };
        for f in files {
            let line = f.text.referenced.line() as usize;
            // Errors point at the key or value they are about.
            let fail_at = |l: &serde_saphyr::Location, message: String| Error::Rule {
                path: shown.clone(),
                line: l.line(),
                column: l.column(),
                message,
            };
            let mut expect = BTreeMap::new();
            for (id, stance) in f.expect {
                if rulebook.proposition(&id.value).is_none() {
                    let hint = rulebook.proposition_hint(&id.value);
                    return Err(fail_at(
                        &id.referenced,
                        format!("unknown proposition `{}` in `expect`{hint}", id.value),
                    ));
                }
                let stance_value = match stance.value.as_str() {
                    "supports" => Stance::Supports,
                    "opposes" => Stance::Opposes,
                    other => {
                        return Err(fail_at(
                            &stance.referenced,
                            format!("`{other}`: a stance is `supports` or `opposes`"),
                        ))
                    }
                };
                expect.insert(id.value, stance_value);
            }
            cases.push(Case {
                path: shown.clone(),
                line,
                text: f.text.value,
                lang: f.lang,
                date: f.date,
                expect,
                negated: f.negated,
                hedged: f.hedged,
                all: f.all,
                include_comments: f.include_comments,
                variants: f.variants,
            });
        }
    }
    Ok(cases)
}

/// The claims a passage makes (of its last sentence, or all of them).
fn claims(
    rulebook: &Rulebook,
    case: &Case,
    text: &str,
    scratch: &mut Scratch,
) -> Result<Vec<Claim>, Error> {
    let lang = case
        .lang
        .clone()
        .unwrap_or_else(|| rulebook.language.clone());
    let date = case.date.as_deref().unwrap_or("2024");
    let source = format!("---\nid: case\ndate: {date}\nlang: {lang}\n---\n{text}\n");
    let article = corpus::parse_article(case.path.clone(), source, &rulebook.language)?;
    let options = Options {
        include_comments: case.include_comments,
        detail: true,
        full_scan: true,
    };
    let analysis = matcher::analyze(0, &article, rulebook, options, scratch)?;
    // `check` reads through the prefilter: every case also checks that it
    // finds exactly what a full read finds.
    let fast = Options {
        detail: false,
        full_scan: false,
        ..options
    };
    let quick = matcher::analyze(0, &article, rulebook, fast, scratch)?;
    if quick.claims != analysis.claims {
        return Err(Error::Usage(format!(
            "{}:{}: the prefilter finds {} where a full read finds {}; please report this",
            case.path.display(),
            case.line,
            describe(rulebook, &quick.claims),
            describe(rulebook, &analysis.claims)
        )));
    }
    if case.all {
        return Ok(analysis.claims);
    }
    Ok(analysis
        .details
        .last()
        .map(|d| d.claims.clone())
        .unwrap_or_default())
}

fn describe(rulebook: &Rulebook, claims: &[Claim]) -> String {
    if claims.is_empty() {
        return "no claim".into();
    }
    let parts: Vec<String> = claims
        .iter()
        .map(|c| {
            let mut s = format!(
                "{}: {}",
                rulebook.propositions[c.proposition].id,
                c.stance.as_str()
            );
            if c.negated {
                s.push_str(" (negated)");
            }
            if c.hedged {
                s.push_str(" (hedged)");
            }
            s
        })
        .collect();
    parts.join(", ")
}

fn describe_expected(
    case: &Case,
    expect: &BTreeMap<String, Stance>,
    hedged: Option<bool>,
) -> String {
    if expect.is_empty() {
        return "no claim".into();
    }
    let parts: Vec<String> = expect
        .iter()
        .map(|(id, s)| {
            let mut p = format!("{id}: {}", s.as_str());
            if case.negated == Some(true) {
                p.push_str(" (negated)");
            }
            if hedged == Some(true) {
                p.push_str(" (hedged)");
            }
            p
        })
        .collect();
    parts.join(", ")
}

/// True when the claims are exactly what is expected.
fn matches(
    rulebook: &Rulebook,
    claims: &[Claim],
    expect: &BTreeMap<String, Stance>,
    negated: Option<bool>,
    hedged: Option<bool>,
) -> bool {
    let mut actual: BTreeMap<String, Stance> = BTreeMap::new();
    for c in claims {
        let id = rulebook.propositions[c.proposition].id.clone();
        if actual.insert(id, c.stance).is_some_and(|s| s != c.stance) {
            return false;
        }
        if negated.is_some_and(|n| n != c.negated) || hedged.is_some_and(|h| h != c.hedged) {
            return false;
        }
    }
    actual == *expect
}

/// Runs every case and its variants.
pub fn run(rulebook: &Rulebook, cases: &[Case]) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    let mut scratch = Scratch::default();
    for case in cases {
        outcome.cases += 1;
        let got = claims(rulebook, case, &case.text, &mut scratch)?;
        if !matches(rulebook, &got, &case.expect, case.negated, case.hedged) {
            outcome.failures.push(Failure {
                case: case.clone(),
                variant: "case".into(),
                text: case.text.clone(),
                expected: describe_expected(case, &case.expect, case.hedged),
                actual: describe(rulebook, &got),
            });
            continue;
        }
        // Variants only for a single plain claim: a denial must flip it, a
        // hedge must hedge it.
        if !case.variants || case.all || case.expect.len() != 1 || got.iter().any(|c| c.hedged) {
            continue;
        }
        let lang = case
            .lang
            .clone()
            .unwrap_or_else(|| rulebook.language.clone());
        let Some(lexicon) = rulebook.lexicon(&lang) else {
            continue;
        };
        let (sentence, before) = split_last(&case.text);
        let short = sentence.split_whitespace().count() <= 10;
        let plain = got.iter().all(|c| !c.negated);
        for (name, template) in lexicon.test_variants() {
            let Some(flip) = variant_effect(name) else {
                continue;
            };
            if flip && !(short && plain) {
                continue;
            }
            let text = format!(
                "{before}{}",
                template.replace("{sentence}", &lower_first(sentence))
            );
            outcome.variants += 1;
            let got_variant = claims(rulebook, case, &text, &mut scratch)?;
            // A one-way pattern (`!`) makes no claim once denied.
            let one_way = got.iter().any(|c| c.pattern.starts_with('!'));
            let expect: BTreeMap<String, Stance> = if flip && one_way {
                BTreeMap::new()
            } else {
                case.expect
                    .iter()
                    .map(|(id, s)| (id.clone(), if flip { s.flipped() } else { *s }))
                    .collect()
            };
            let hedged = (!flip).then_some(true);
            if !matches(rulebook, &got_variant, &expect, None, hedged) {
                outcome.failures.push(Failure {
                    case: case.clone(),
                    variant: name.clone(),
                    text,
                    expected: describe_expected(case, &expect, hedged).replace(" (negated)", ""),
                    actual: describe(rulebook, &got_variant),
                });
            }
        }
    }
    Ok(outcome)
}

/// `deny` variants flip the stance; `hedge` variants keep it, hedged.
fn variant_effect(name: &str) -> Option<bool> {
    if name.starts_with("deny") {
        Some(true)
    } else if name.starts_with("hedge") {
        Some(false)
    } else {
        None
    }
}

/// The last paragraph of a passage, and what comes before it.
fn split_last(text: &str) -> (&str, &str) {
    let trimmed = text.trim_end();
    match trimmed.rfind("\n\n") {
        Some(i) => (trimmed[i + 2..].trim(), &trimmed[..i + 2]),
        None => (trimmed.trim(), ""),
    }
}

/// "L'Algérie…" → "l'Algérie…" when the first word is not a name.
fn lower_first(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second))
            if first.is_uppercase()
                && (second == '\'' || second == '’' || second.is_lowercase()) =>
        {
            let rest: String = sentence.chars().skip(1).collect();
            // Keep capitals of names: only lower determiners and elisions.
            let word: String = sentence.chars().take_while(|c| c.is_alphabetic()).collect();
            if word.len() <= 3 || second == '\'' || second == '’' {
                format!("{}{rest}", first.to_lowercase())
            } else {
                sentence.to_string()
            }
        }
        _ => sentence.to_string(),
    }
}
