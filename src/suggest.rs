//! "Did you mean …?" for names a user mistyped.

/// The candidate closest to `name` by edit distance, if it is close enough to be
/// a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    // A name cut short (`alias` for `aliases`) is a likely slip too.
    let cut_short = |c: &str| name.chars().count() >= 4 && c.starts_with(name);
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|&(d, c)| d <= limit || cut_short(c))
        .min()
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_only() {
        assert_eq!(closest("russie", ["russia", "algeria"]), Some("russia"));
        assert_eq!(
            closest("propositons", ["propositions", "entities"]),
            Some("propositions")
        );
        assert_eq!(closest("france", ["russia", "algeria"]), None);
    }
}
