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

/// True for the characters volte reads as an apostrophe (elision, contraction).
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '′' | '`')
}

/// Appends the folded form of one character.
pub fn fold_char_into(c: char, out: &mut String) {
    fold_char(c, out)
}

fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match latin(c) {
        Some(mapped) => out.push_str(mapped),
        None => out.extend(c.to_lowercase()),
    }
}

/// The folded form of one character, written into `buf` (a character folds
/// to at most three, of four bytes each).
pub fn fold_char_bytes(c: char, buf: &mut [u8; 16]) -> &[u8] {
    if c.is_ascii() {
        buf[0] = (c as u8).to_ascii_lowercase();
        return &buf[..1];
    }
    if let Some(mapped) = latin(c) {
        buf[..mapped.len()].copy_from_slice(mapped.as_bytes());
        return &buf[..mapped.len()];
    }
    let mut len = 0;
    for lower in c.to_lowercase() {
        len += lower.encode_utf8(&mut buf[len..]).len();
    }
    &buf[..len]
}

/// What a Latin letter with an accent, a ligature or an apostrophe folds to;
/// `None` for a character that is only lowercased.
fn latin(c: char) -> Option<&'static str> {
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
        _ => return None,
    };
    Some(mapped)
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
    fn other_scripts_are_lowercased_only() {
        assert_eq!(fold("تعليقات"), "تعليقات");
        assert_eq!(fold("МОСКВА"), "москва");
    }
}
