//! `volte lint`, one broken rulebook per lint case: errors exit 2 with
//! file:line:column and a snippet of the offending YAML, warnings print to
//! stderr and exit 0 (1 with `--deny-warnings`), and `volte check` refuses the
//! same errors before it reads a single article.

use std::fs;
use std::path::Path;

use assert_cmd::assert::Assert;
use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

/// A clean rulebook: `volte lint` finds nothing to say about it.
const BASE: &str = "\
entities:
  - id: algeria
    aliases: [Algérie, Alger]
  - id: russia
    aliases: [Russie, russe*]
propositions:
  - id: backs-russia
    claim: Algeria backs the Russian presence
    requires: [algeria, russia]
    supports:
      - \"soutient ..4 @russia\"
    opposes:
      - \"dénonce ..4 @russia\"
";

const ARTICLE: &str =
    "---\nid: a\ndate: 2024-06\nsource: a press\n---\nL'Algérie soutient la présence russe.\n";

/// A project with rules/base.yaml, the given files (paths relative to
/// `rules/`) and a corpus of one valid article.
fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir_all(&rules).unwrap();
    fs::create_dir_all(dir.path().join("corpus")).unwrap();
    fs::write(rules.join("base.yaml"), BASE).unwrap();
    for (name, text) in files {
        let path = rules.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    fs::write(dir.path().join("corpus/a.md"), ARTICLE).unwrap();
    dir
}

fn volte(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("volte").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// `volte lint` on a rulebook with an error: exit 2, every `expected` piece
/// in stderr, nothing on stdout.
fn lint_error(dir: &TempDir, expected: &[&str]) -> Assert {
    let mut assert = volte(dir.path())
        .arg("lint")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with("error: "));
    for piece in expected {
        assert = assert.stderr(predicate::str::contains(*piece));
    }
    assert
}

/// `volte lint` on a rulebook with exactly one warning: exit 0 with every
/// `expected` piece in stderr, and exit 1 with `--deny-warnings`.
fn lint_warning(dir: &TempDir, expected: &[&str]) {
    let mut assert = volte(dir.path()).arg("lint").assert().code(0);
    for piece in expected {
        assert = assert.stderr(predicate::str::contains(*piece));
    }
    assert.stderr(predicate::str::contains(
        "volte lint: 2 rule files, 2 propositions, 1 warning\n",
    ));
    volte(dir.path())
        .args(["lint", "--deny-warnings"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1 warning"));
}

#[test]
fn the_base_rulebook_is_clean() {
    let dir = project(&[]);
    volte(dir.path())
        .args(["lint", "--deny-warnings"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "volte lint: 1 rule file, 1 proposition, 0 warnings",
        ));
}

// 1. Unknown key.

#[test]
fn an_unknown_key_in_a_proposition_suggests_the_right_one() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supprts: [soutient]\n    opposes: [dénonce]\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:5:5: unknown field `supprts`, expected one of id, claim, opposing_claim, requires, context, supports, opposes, unless (did you mean `supports`?)",
            "5 |     supprts: [soutient]",
        ],
    );
}

// 2. Duplicate ids.

#[test]
fn a_duplicate_proposition_id_names_both_places() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: backs-russia\n    claim: x\n    supports: [soutient]\n    opposes: [dénonce]\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:2:9: duplicate proposition id `backs-russia` (first defined at rules/base.yaml:7:9)",
            "2 |   - id: backs-russia",
        ],
    );
}

#[test]
fn a_duplicate_entity_id_names_both_places() {
    let dir = project(&[(
        "extra.yaml",
        "entities:\n  - id: russia\n    aliases: [Moscou]\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:2:9: duplicate entity id `russia` (first defined at rules/base.yaml:4:9)",
            "2 |   - id: russia",
        ],
    );
}

// 3. Undefined entity.

#[test]
fn a_pattern_naming_an_undefined_entity_points_at_it() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"soutient ..2 @nope\"\n    opposes: [dénonce]\n",
    )]);
    // The column is the `@` of `@nope`, inside the quoted pattern.
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:6:23: in pattern `soutient ..2 @nope`: unknown entity `@nope`",
            "6 |       - \"soutient ..2 @nope\"",
        ],
    );
}

#[test]
fn a_misspelt_entity_gets_a_suggestion() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"soutient ..2 @rusia\"\n    opposes: [dénonce]\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:6:23: in pattern `soutient ..2 @rusia`: unknown entity `@rusia` (did you mean `@russia`?)",
            "6 |       - \"soutient ..2 @rusia\"",
        ],
    );
}

// 4. An alias claimed by two entities.

#[test]
fn an_alias_of_two_entities_is_a_warning_that_deny_warnings_fails() {
    let dir = project(&[(
        "extra.yaml",
        "entities:\n  - id: moscow\n    aliases: [Moscou, Russie]\npropositions:\n  - id: p\n    claim: x\n    requires: [moscow]\n    supports: [soutient]\n    opposes: [dénonce]\n",
    )]);
    lint_warning(
        &dir,
        &[
            "warning: rules/extra.yaml:3:23: alias `Russie` of `moscow` is also an alias of `russia` (rules/base.yaml:5:15)",
            "3 |     aliases: [Moscou, Russie]",
        ],
    );
}

// 5. The same pattern under both stances.

#[test]
fn the_same_pattern_under_supports_and_opposes_is_an_error() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - soutient\n      - salue\n    opposes:\n      - dénonce\n      - soutient\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:10:9: pattern `soutient` is listed under both `supports` (rules/extra.yaml:6:9) and `opposes`",
            "10 |       - soutient",
        ],
    );
}

// 6. Regexes.

#[test]
fn a_regex_that_does_not_compile_is_an_error() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"re:(zone tampon\"\n    opposes: [dénonce]\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:6:10: bad regex `(zone tampon`: unclosed group",
            "6 |       - \"re:(zone tampon\"",
        ],
    );
}

#[test]
fn a_regex_over_the_size_limit_is_an_error() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"re:(a{1000}){1000}\"\n    opposes: [dénonce]\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:6:10: bad regex `(a{1000}){1000}`: Compiled regex exceeds size limit of 1048576 bytes.",
            "6 |       - \"re:(a{1000}){1000}\"",
        ],
    );
}

// 7. Patterns that can never match.

/// A rulebook whose proposition `p` supports with `pattern` (line 6, the
/// pattern's text starting at column 10).
fn with_pattern(pattern: &str) -> TempDir {
    project(&[(
        "extra.yaml",
        &format!(
            "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"{pattern}\"\n    opposes: [dénonce]\n"
        ),
    )])
}

#[test]
fn a_negative_gap_is_an_error() {
    let dir = with_pattern("soutient ..-1 @russia");
    lint_error(
        &dir,
        &[
            "error: rules/extra.yaml:6:19: in pattern `soutient ..-1 @russia`: a gap is written `..N`, with N the most words allowed in between (`..3`)",
            "6 |       - \"soutient ..-1 @russia\"",
        ],
    );
}

#[test]
fn gap_syntax_errors_point_at_the_gap() {
    let cases = [
        (
            "soutient ..x @russia",
            "6:19",
            "a gap is written `..N`, with N the most words allowed in between (`..3`)",
        ),
        (
            "soutient ..51 @russia",
            "6:19",
            "gap `..51` is larger than 50 words",
        ),
        (
            "soutient ..99999999999 @russia",
            "6:19",
            "gap `..99999999999` is too large",
        ),
        (
            "soutient ..3",
            "6:19",
            "a gap `..N` must stand between two items",
        ),
        (
            "..3 soutient",
            "6:10",
            "a gap `..N` must stand between two items",
        ),
        (
            "soutient ..3 ..2 @russia",
            "6:23",
            "a gap `..N` must stand between two items",
        ),
    ];
    for (pattern, at, message) in cases {
        let dir = with_pattern(pattern);
        lint_error(
            &dir,
            &[
                &format!("error: rules/extra.yaml:{at}: in pattern `{pattern}`: {message}"),
                &format!("6 |       - \"{pattern}\""),
            ],
        );
    }
}

#[test]
fn malformed_patterns_point_at_the_mistake() {
    let cases = [
        ("( soutient", "6:10", "`(` is never closed"),
        ("soutient )", "6:19", "unmatched `)`"),
        ("()", "6:10", "empty group `()`"),
        (
            "(soutient | ) ..2 @russia",
            "6:20",
            "empty alternative after `|`",
        ),
        ("", "6:10", "empty pattern"),
        (
            "sou*tien",
            "6:10",
            "`sou*tien`: `*` is only allowed at the end of a word",
        ),
        (
            "— ..2 @russia",
            "6:10",
            "`—` has no letters or digits to match",
        ),
    ];
    for (pattern, at, message) in cases {
        let dir = with_pattern(pattern);
        lint_error(
            &dir,
            &[
                &format!("error: rules/extra.yaml:{at}: in pattern `{pattern}`: {message}"),
                &format!("6 |       - \"{pattern}\""),
            ],
        );
    }
}

// 8. Lexicons and the language setting.

#[test]
fn a_lexicon_that_is_not_yaml_is_an_error() {
    let dir = project(&[("lexicons/es.yaml", "language: es\nhedges: [según\n")]);
    lint_error(
        &dir,
        &[
            "error: rules/lexicons/es.yaml:2:9: unclosed bracket '['",
            "2 | hedges: [según",
        ],
    );
}

#[test]
fn an_unknown_key_in_a_lexicon_suggests_the_right_one() {
    let dir = project(&[("lexicons/es.yaml", "language: es\nhedgez: [según]\n")]);
    lint_error(
        &dir,
        &[
            "error: rules/lexicons/es.yaml:2:1: unknown field `hedgez`, expected one of language, stemmer,",
            "(did you mean `hedges`?)",
            "2 | hedgez: [según]",
        ],
    );
    let dir = project(&[(
        "lexicons/es.yaml",
        "language: es\nnegation:\n  standalone: [no]\n  particle: [ne]\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/lexicons/es.yaml:4:3: unknown field `particle`, expected one of particles,",
            "(did you mean `particles`?)",
            "4 |   particle: [ne]",
        ],
    );
}

#[test]
fn a_lexicon_without_its_language_is_an_error() {
    let dir = project(&[("lexicons/es.yaml", "hedges: [según]\n")]);
    lint_error(
        &dir,
        &[
            "error: rules/lexicons/es.yaml:1:1: missing field `language`",
            "1 | hedges: [según]",
        ],
    );
}

#[test]
fn a_language_without_a_lexicon_is_an_error() {
    let dir = project(&[("settings.yaml", "settings:\n  language: de\n")]);
    lint_error(
        &dir,
        &[
            "error: rules/settings.yaml:2:13: no lexicon for language `de` (have: en, fr); add rules/lexicons/de.yaml",
            "2 |   language: de",
        ],
    );
    // A lexicon in rules/lexicons/ makes the language known, and listed.
    let dir = project(&[
        ("settings.yaml", "settings:\n  language: de\n"),
        ("lexicons/es.yaml", "language: es\n"),
    ]);
    lint_error(
        &dir,
        &["no lexicon for language `de` (have: en, es, fr); add rules/lexicons/de.yaml"],
    );
    // The error points at `language:`, wherever it is in the block.
    let dir = project(&[(
        "settings.yaml",
        "settings:\n  conflict_window_days: 90\n  context_sentences: 1\n  language: de\n",
    )]);
    lint_error(
        &dir,
        &[
            "error: rules/settings.yaml:4:13: no lexicon",
            "4 |   language: de",
        ],
    );
}

// 9. Warnings, each on its own line.

#[test]
fn an_unused_entity_is_a_warning_at_its_id() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports: [soutient]\n    opposes: [dénonce]\nentities:\n  - id: mali\n    aliases: [Mali, Bamako]\n",
    )]);
    lint_warning(
        &dir,
        &[
            "warning: rules/extra.yaml:8:9: entity `mali` is not used by any proposition",
            "8 |   - id: mali",
        ],
    );
}

#[test]
fn a_proposition_with_one_stance_is_a_warning_at_its_id() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - soutient\n",
    )]);
    lint_warning(
        &dir,
        &[
            "warning: rules/extra.yaml:2:9: proposition `p` has no `opposes` patterns: that stance can only come from a negation",
            "2 |   - id: p",
        ],
    );
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    opposes:\n      - dénonce\n",
    )]);
    lint_warning(
        &dir,
        &["warning: rules/extra.yaml:2:9: proposition `p` has no `supports` patterns: that stance can only come from a negation"],
    );
}

#[test]
fn a_duplicate_pattern_is_a_warning_at_the_second_one() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - soutient\n      - salue\n      - \"soutient\"\n    opposes: [dénonce]\n",
    )]);
    lint_warning(
        &dir,
        &[
            "warning: rules/extra.yaml:8:10: pattern `soutient` is listed twice (first at rules/extra.yaml:6:9)",
            "8 |       - \"soutient\"",
        ],
    );
}

#[test]
fn a_wide_gap_is_a_warning_at_its_pattern() {
    // ..16 is the widest gap that passes.
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"salue ..16 @russia\"\n      - \"soutient ..17 @russia\"\n    opposes: [dénonce]\n",
    )]);
    lint_warning(
        &dir,
        &[
            "warning: rules/extra.yaml:7:10: gap `..17` in `soutient ..17 @russia` is wide: the words may belong to different clauses",
            "7 |       - \"soutient ..17 @russia\"",
        ],
    );
    // A gap inside a group counts too.
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports: [soutient]\n    opposes: [\"(dénonce ..20 fermement | critique) @russia\"]\n",
    )]);
    lint_warning(
        &dir,
        &["warning: rules/extra.yaml:6:16: gap `..20` in `(dénonce ..20 fermement | critique) @russia` is wide"],
    );
}

#[test]
fn an_alias_listed_twice_is_a_warning() {
    let dir = project(&[(
        "extra.yaml",
        "entities:\n  - id: mali\n    aliases: [Mali, Bamako, mali]\npropositions:\n  - id: p\n    claim: x\n    requires: [mali]\n    supports: [soutient]\n    opposes: [dénonce]\n",
    )]);
    lint_warning(
        &dir,
        &[
            "warning: rules/extra.yaml:3:29: alias `mali` is listed twice (first at rules/extra.yaml:3:15)",
            "3 |     aliases: [Mali, Bamako, mali]",
        ],
    );
}

#[test]
fn requiring_the_same_entity_twice_is_a_warning() {
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria, algeria]\n    supports: [soutient]\n    opposes: [dénonce]\n",
    )]);
    lint_warning(
        &dir,
        &[
            "warning: rules/extra.yaml:2:9: proposition `p` requires the same entity twice",
            "2 |   - id: p",
        ],
    );
}

// 10. `volte check` refuses the same rulebook.

#[test]
fn check_refuses_a_broken_rulebook_before_reading_the_corpus() {
    let dir = with_pattern("soutient ..2 @nope");
    let error =
        "error: rules/extra.yaml:6:23: in pattern `soutient ..2 @nope`: unknown entity `@nope`";
    volte(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with(error))
        .stderr(predicate::str::contains(
            "6 |       - \"soutient ..2 @nope\"",
        ));
    // A broken article is not even read: the rule error is the only one.
    fs::write(
        dir.path().join("corpus/b.md"),
        "---\nid: b\nsource: b\n---\nNo date.\n",
    )
    .unwrap();
    volte(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with(error))
        .stderr(predicate::str::contains("corpus/").not());
    // Without the broken rule, the same corpus is read (and the article refused).
    fs::remove_file(dir.path().join("rules/extra.yaml")).unwrap();
    volte(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("corpus/b.md:2: no `date:`"));
}

#[test]
fn a_regex_that_cannot_match_folded_words_is_a_warning() {
    for (re, c) in [
        ("re:\\\\bZone tampon\\\\b", "Z"),
        ("re:armée", "é"),
        ("re:zone-tampon", "-"),
    ] {
        let dir = project(&[(
            "extra.yaml",
            &format!(
                "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"{re}\"\n    opposes: [dénonce]\n"
            ),
        )]);
        volte(dir.path())
            .arg("lint")
            .assert()
            .code(0)
            .stderr(predicate::str::contains("warning: rules/extra.yaml:6:"))
            .stderr(predicate::str::contains(format!(
                "can never match: it runs over folded words (lowercase, no accents, no punctuation), and `{c}` never occurs in them"
            )));
    }
    // Escapes, classes and case-insensitive regexes are fine.
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: [algeria]\n    supports:\n      - \"re:\\\\bzone [a-z]+\\\\b\"\n      - \"re:(?i)Zone\"\n    opposes: [dénonce]\n",
    )]);
    volte(dir.path())
        .arg("lint")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("0 warnings"));
}

#[test]
fn lexicon_errors_point_at_their_line_and_the_file_name_must_match() {
    let dir = project(&[("lexicons/es.yaml", "language: es\nstemmer: spanish\n")]);
    lint_error(
        &dir,
        &[
            "error: rules/lexicons/es.yaml:2:1: unknown stemmer `spanish` (try `french` or `english`)",
            "2 | stemmer: spanish",
        ],
    );
    let dir = project(&[(
        "lexicons/es.yaml",
        "language: es\ncontractions:\n  nt: not\n",
    )]);
    lint_error(
        &dir,
        &["error: rules/lexicons/es.yaml:3:3: contraction `nt` has no apostrophe"],
    );
    let dir = project(&[("lexicons/es.yaml", "# Spanish\nlanguage: de\n")]);
    lint_error(
        &dir,
        &["error: rules/lexicons/es.yaml:2:1: this lexicon says `language: de` but is named `es`"],
    );
}

#[test]
fn a_key_cut_short_and_a_list_written_bare_get_hints() {
    let dir = project(&[(
        "extra.yaml",
        "entities:\n  - id: niger\n    alias: [Niger]\n",
    )]);
    lint_error(
        &dir,
        &[
            "rules/extra.yaml:3:5: unknown field `alias`",
            "(did you mean `aliases`?)",
        ],
    );
    let dir = project(&[(
        "extra.yaml",
        "propositions:\n  - id: p\n    claim: x\n    requires: algeria, russia\n    supports: [soutient]\n    opposes: [dénonce]\n",
    )]);
    lint_error(
        &dir,
        &[
            "rules/extra.yaml:4:",
            "(write a list: `[a, b]`, or one `- item` per line)",
        ],
    );
}
