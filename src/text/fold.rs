//! Case and accent folding: the comparison form of every word volte matches.
//!
//! Folding lowercases, strips the accents of Latin letters (é→e, ç→c), expands the
//! ligatures œ/æ/ß and turns every typographic apostrophe into `'`. Words are
//! folded one at a time, so a token keeps its byte span in the original text and
//! quotes always show what the article really says.

/// Appends the folded form of `word` to `out`.
pub fn fold_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    for c in word.chars() {
        fold_char(c, out);
    }
}

/// The folded form of `word`.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

/// Folds a whole text into `out` (cleared first), and records in `map` where
/// the folded and the original offsets part: from each entry `(folded,
/// original)` on, both advance together until the next entry. ASCII runs are
/// copied and lowercased in place; only other characters go one by one.
pub fn fold_text(text: &str, out: &mut String, map: &mut Vec<(u32, u32)>) {
    out.clear();
    map.clear();
    let bytes = text.as_bytes();
    out.reserve(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let run = ascii_run(&bytes[i..]);
        if run > 0 {
            let start = out.len();
            out.push_str(&text[i..i + run]);
            out[start..].make_ascii_lowercase();
            i += run;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        fold_char(c, out);
        i += c.len_utf8();
        map.push((out.len() as u32, i as u32));
    }
}

/// The length of the ASCII run at the start of `bytes`, eight bytes at a time.
fn ascii_run(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
        if word & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        n += 8;
    }
    n + bytes[n..]
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - n)
}

/// The original offset of folded offset `folded`, given the map [`fold_text`]
/// made. Inside a character that folds to several letters, the offset of the
/// character.
pub fn original_offset(map: &[(u32, u32)], folded: usize) -> usize {
    let k = map.partition_point(|&(f, _)| f as usize <= folded);
    match k.checked_sub(1) {
        None => folded,
        Some(k) => map[k].1 as usize + (folded - map[k].0 as usize),
    }
}

/// The folded offset of original offset `original` (the inverse of
/// [`original_offset`]; inside a character, the start of its folded form).
pub fn folded_offset(map: &[(u32, u32)], original: usize) -> usize {
    let k = map.partition_point(|&(_, o)| o as usize <= original);
    match k.checked_sub(1) {
        None => original,
        Some(k) => map[k].0 as usize + (original - map[k].1 as usize),
    }
}

/// True for the characters volte reads as an apostrophe (elision, contraction).
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '′' | '`')
}

fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let mapped: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' | 'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ'
        | 'Ė' | 'Ę' | 'Ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "g",
        'ĥ' | 'ħ' | 'Ĥ' | 'Ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī'
        | 'Ĭ' | 'Į' | 'İ' => "i",
        'ĵ' | 'Ĵ' => "j",
        'ķ' | 'Ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø'
        | 'Ō' | 'Ŏ' | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' | 'Ŕ' | 'Ŗ' | 'Ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'Ś' | 'Ŝ' | 'Ş' | 'Š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'Ţ' | 'Ť' | 'Ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ'
        | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "u",
        'ŵ' | 'Ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'Ý' | 'Ÿ' | 'Ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        '’' | '‘' | 'ʼ' | '′' | '`' => "'",
        // Combining accents (decomposed input) vanish like precomposed ones.
        '\u{0300}'..='\u{036f}' => "",
        _ => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push_str(mapped);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_case_and_accents() {
        assert_eq!(fold("Algérie"), "algerie");
        assert_eq!(fold("ÉTATS"), "etats");
        assert_eq!(fold("Goïta"), "goita");
        assert_eq!(fold("cœur"), "coeur");
        assert_eq!(fold("Façade"), "facade");
    }

    #[test]
    fn decomposed_accents_fold_like_precomposed() {
        assert_eq!(fold("Alge\u{301}rie"), fold("Algérie"));
    }

    #[test]
    fn typographic_apostrophes_become_ascii() {
        assert_eq!(fold("l’Algérie"), "l'algerie");
    }

    #[test]
    fn a_folded_text_maps_back_to_its_original_offsets() {
        let text = "L’Algérie et la Russie";
        let (mut out, mut map) = (String::new(), Vec::new());
        fold_text(text, &mut out, &mut map);
        assert_eq!(out, "l'algerie et la russie");
        for word in ["algerie", "russie", "et"] {
            let at = out.find(word).unwrap();
            let original = original_offset(&map, at);
            assert!(fold(&text[original..]).starts_with(word), "{word}");
        }
        assert_eq!(original_offset(&map, 0), 0);
    }

    #[test]
    fn other_scripts_are_lowercased_only() {
        assert_eq!(fold("تعليقات"), "تعليقات");
        assert_eq!(fold("МОСКВА"), "москва");
    }
}
