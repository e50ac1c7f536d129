//! `volte lint`: what a rulebook that compiles may still get wrong. Errors
//! (a YAML mistake, an unknown entity, a bad regex, a duplicate id) stop
//! compilation and come from [`crate::rulebook`]; these are the warnings.

use std::collections::HashMap;

use crate::rulebook::{Item, Located, PatternBody, Period, Rulebook, Seq, Stance};
use crate::text::fold::fold;

/// A gap wider than this makes a pattern match across unrelated clauses.
const WIDE_GAP: u32 = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub location: Located,
    pub message: String,
}

/// Every warning of a compiled rulebook, in file order.
pub fn lint(rulebook: &Rulebook) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut warn = |location: &Located, message: String| {
        warnings.push(Warning {
            location: location.clone(),
            message,
        })
    };

    // An alias claimed by two entities makes every mention of it count twice.
    // Dated aliases may share a text when their periods do not meet.
    let mut seen: HashMap<String, (&str, &Located, Option<Period>)> = HashMap::new();
    for entity in &rulebook.entities {
        let written = entity
            .alias_texts
            .iter()
            .zip(&entity.alias_locations)
            .zip(&entity.alias_periods);
        for ((text, at), period) in written {
            let key = fold(text.trim());
            let meets = |other: &Option<Period>| match (period, other) {
                (Some(a), Some(b)) => a.overlaps(b),
                _ => true,
            };
            match seen.get(&key) {
                Some((_, _, other)) if !meets(other) => {}
                Some((other, first, _)) if *other != entity.id => warn(
                    at,
                    format!(
                        "alias `{text}` of `{}` is also an alias of `{other}` ({first})",
                        entity.id
                    ),
                ),
                Some((_, first, _)) => warn(
                    at,
                    format!("alias `{text}` is listed twice (first at {first})"),
                ),
                None => {
                    seen.insert(key, (&entity.id, at, *period));
                }
            }
        }
    }

    // Entities nobody uses.
    let mut used = vec![false; rulebook.entities.len()];
    for p in &rulebook.propositions {
        for any_of in &p.requires {
            for &e in any_of {
                used[e] = true;
            }
        }
        for pattern in p.supports.iter().chain(&p.opposes).chain(&p.unless) {
            if let PatternBody::Seq(seq) = &pattern.body {
                let mut entities = Vec::new();
                seq.entities(&mut entities);
                for e in entities {
                    used[e] = true;
                }
            }
        }
    }
    for (entity, used) in rulebook.entities.iter().zip(used) {
        if !used {
            warn(
                &entity.location,
                format!("entity `{}` is not used by any proposition", entity.id),
            );
        }
    }

    for p in &rulebook.propositions {
        for stance in [Stance::Supports, Stance::Opposes] {
            if p.patterns(stance).is_empty() {
                warn(
                    &p.location,
                    format!(
                        "proposition `{}` has no `{}` patterns: that stance can only come from a negation",
                        p.id,
                        stance.as_str()
                    ),
                );
            }
        }
        let mut texts: HashMap<&str, &Located> = HashMap::new();
        for pattern in p.supports.iter().chain(&p.opposes).chain(&p.unless) {
            if let Some(first) = texts.insert(pattern.text.trim(), &pattern.location) {
                warn(
                    &pattern.location,
                    format!(
                        "pattern `{}` is listed twice (first at {first})",
                        pattern.text
                    ),
                );
            }
            if let PatternBody::Regex(re) = &pattern.body {
                if let Some(c) = unfoldable(re.as_str()) {
                    warn(
                        &pattern.location,
                        format!(
                            "regex `{}` can never match: it runs over folded words (lowercase, no accents, no punctuation), and `{c}` never occurs in them",
                            re.as_str()
                        ),
                    );
                }
            }
            if let PatternBody::Seq(seq) = &pattern.body {
                if let Some(gap) = widest_gap(seq).filter(|&g| g > WIDE_GAP) {
                    warn(
                        &pattern.location,
                        format!(
                            "gap `..{gap}` in `{}` is wide: the words may belong to different clauses",
                            pattern.text
                        ),
                    );
                }
            }
        }
        let mut required = p.requires.clone();
        required.iter_mut().for_each(|g| g.sort_unstable());
        required.sort();
        if required.windows(2).any(|w| w[0] == w[1]) {
            warn(
                &p.location,
                format!("proposition `{}` requires the same entity twice", p.id),
            );
        }
    }
    warnings.sort_by(|a, b| {
        (&a.location.path, a.location.line, a.location.column).cmp(&(
            &b.location.path,
            b.location.line,
            b.location.column,
        ))
    });
    warnings
}

/// The first literal character of a regex that folded text never holds: an
/// uppercase or accented letter, an apostrophe, a hyphen or a comma outside a
/// class. Escapes (`\b`, `\p{L}`) and case-insensitive regexes are fine.
fn unfoldable(source: &str) -> Option<char> {
    let case_insensitive = source.contains("(?i");
    let mut chars = source.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(e) = chars.next() {
                    if matches!(e, 'p' | 'P') && chars.peek() == Some(&'{') {
                        for c in chars.by_ref() {
                            if c == '}' {
                                break;
                            }
                        }
                    }
                }
            }
            '[' => in_class = true,
            ']' => in_class = false,
            '\'' | '’' | ',' if !in_class => return Some(c),
            '-' if !in_class => return Some(c),
            c if c.is_uppercase() && !case_insensitive => return Some(c),
            c if !c.is_ascii() && c.is_alphabetic() => return Some(c),
            _ => {}
        }
    }
    None
}

fn widest_gap(seq: &Seq) -> Option<u32> {
    let inner = seq.items.iter().filter_map(|item| match item {
        Item::Group(alts) => alts.iter().filter_map(widest_gap).max(),
        _ => None,
    });
    seq.gaps.iter().copied().chain(inner).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;
    use crate::rulebook::compile;
    use std::path::PathBuf;

    fn warnings(yaml: &str) -> Vec<String> {
        let rulebook = compile(
            &[(PathBuf::from("r.yaml"), yaml.to_string())],
            Lexicons::builtin().unwrap(),
        )
        .unwrap();
        lint(&rulebook)
            .into_iter()
            .map(|w| format!("{}: {}", w.location, w.message))
            .collect()
    }

    #[test]
    fn a_clean_rulebook_has_no_warning() {
        let w = warnings("entities:\n  - id: a\n    aliases: [Alger]\npropositions:\n  - id: p\n    claim: x\n    requires: [a]\n    supports: [soutient]\n    opposes: [dénonce]\n");
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn each_warning_points_at_its_line() {
        let w = warnings(
            "entities:\n  - id: a\n    aliases: [Alger]\n  - id: b\n    aliases: [alger]\n  - id: c\n    aliases: [Paris]\npropositions:\n  - id: p\n    claim: x\n    requires: [a, a|b]\n    supports: [soutient, soutient, \"soutient ..20 @a\"]\n",
        );
        let joined = w.join("\n");
        assert!(
            joined.contains("r.yaml:5:15: alias `alger` of `b` is also an alias of `a`"),
            "{joined}"
        );
        assert!(
            joined.contains("r.yaml:6:9: entity `c` is not used"),
            "{joined}"
        );
        assert!(joined.contains("has no `opposes` patterns"), "{joined}");
        assert!(
            joined.contains("pattern `soutient` is listed twice"),
            "{joined}"
        );
        assert!(joined.contains("gap `..20`"), "{joined}");
    }
}
