//! A deterministic generator of French news corpora and of a 200-phrase
//! rulebook, for benchmarks (`cargo bench`, `bench/run.sh`).
//!
//! The same seed and size always give the same files. Articles have front
//! matter (id, date at day, month or year precision, source, title), a title
//! heading, paragraphs of filler news prose and, in about 2–5% of sentences, an
//! actor of the rulebook: with a stance (plain, negated or hedged) or without.
//! About a quarter of the articles end with reader comments under
//! `## Commentaires`. Every phrase of the rulebook is also written to
//! `phrases.txt`, as it appears in the text, so `rg -i -F -f phrases.txt` does
//! the same literal scan as a peer.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// A small, fast, seeded generator (SplitMix64): the same seed gives the same
/// corpus on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// An actor: its id and the names articles give it (the first is the subject
/// form used in stance sentences).
#[derive(Clone, Copy)]
struct Actor {
    id: &'static str,
    names: &'static [&'static str],
}

const ACTORS: &[Actor] = &[
    Actor {
        id: "algeria",
        names: &["Alger", "l'Algérie", "le gouvernement algérien", "Tebboune"],
    },
    Actor {
        id: "mali",
        names: &["Bamako", "le Mali", "la junte malienne", "Goïta"],
    },
    Actor {
        id: "russia",
        names: &["Moscou", "la Russie", "le Kremlin", "les autorités russes"],
    },
    Actor {
        id: "wagner",
        names: &["Wagner", "Africa Corps", "les mercenaires russes"],
    },
    Actor {
        id: "france",
        names: &["Paris", "la France", "l'Élysée", "le Quai d'Orsay"],
    },
    Actor {
        id: "niger",
        names: &["Niamey", "le Niger", "Tiani"],
    },
    Actor {
        id: "burkina",
        names: &["Ouagadougou", "le Burkina Faso", "Traoré"],
    },
    Actor {
        id: "morocco",
        names: &["Rabat", "le Maroc", "le royaume chérifien"],
    },
    Actor {
        id: "ecowas",
        names: &["la Cédéao", "l'organisation ouest-africaine"],
    },
    Actor {
        id: "usa",
        names: &["Washington", "les États-Unis", "le Pentagone"],
    },
    Actor {
        id: "china",
        names: &["Pékin", "la Chine", "le gouvernement chinois"],
    },
    Actor {
        id: "un",
        names: &["l'ONU", "les Nations unies", "la Minusma"],
    },
    Actor {
        id: "turkey",
        names: &["Ankara", "la Turquie", "le président turc"],
    },
    Actor {
        id: "libya",
        names: &["Tripoli", "la Libye", "le gouvernement libyen"],
    },
    Actor {
        id: "mauritania",
        names: &["Nouakchott", "la Mauritanie", "Ghazouani"],
    },
    Actor {
        id: "chad",
        names: &["N'Djamena", "le Tchad"],
    },
];

/// A proposition: who, about what (a noun phrase), and with whom.
#[derive(Clone, Copy)]
struct Topic {
    subject: usize,
    partner: usize,
    /// (article + noun, gender/number for contractions): "la présence militaire".
    noun: &'static str,
}

const TOPICS: &[Topic] = &[
    Topic {
        subject: 0,
        partner: 2,
        noun: "la présence militaire",
    },
    Topic {
        subject: 1,
        partner: 3,
        noun: "le déploiement des instructeurs",
    },
    Topic {
        subject: 0,
        partner: 4,
        noun: "la coopération sécuritaire",
    },
    Topic {
        subject: 1,
        partner: 0,
        noun: "l'accord de paix",
    },
    Topic {
        subject: 8,
        partner: 5,
        noun: "la transition politique",
    },
    Topic {
        subject: 4,
        partner: 1,
        noun: "les sanctions économiques",
    },
    Topic {
        subject: 9,
        partner: 5,
        noun: "le retrait des troupes",
    },
    Topic {
        subject: 7,
        partner: 0,
        noun: "la médiation régionale",
    },
    Topic {
        subject: 10,
        partner: 1,
        noun: "l'exploitation minière",
    },
    Topic {
        subject: 12,
        partner: 6,
        noun: "le contrat d'armement",
    },
    Topic {
        subject: 11,
        partner: 1,
        noun: "la force conjointe",
    },
    Topic {
        subject: 13,
        partner: 15,
        noun: "le dialogue national",
    },
    Topic {
        subject: 14,
        partner: 1,
        noun: "la fermeture de la frontière",
    },
    Topic {
        subject: 6,
        partner: 2,
        noun: "l'aide humanitaire",
    },
    Topic {
        subject: 5,
        partner: 3,
        noun: "le calendrier électoral",
    },
];

/// Verbs of a stance: (present tense, negated present "ne … pas" form).
const SUPPORT: &[(&str, &str)] = &[
    ("soutient", "ne soutient pas"),
    ("salue", "ne salue pas"),
    ("approuve", "n'approuve pas"),
    ("encourage", "n'encourage pas"),
    ("se félicite de", "ne se félicite pas de"),
];
const OPPOSE: &[(&str, &str)] = &[
    ("condamne", "ne condamne pas"),
    ("dénonce", "ne dénonce pas"),
    ("rejette", "ne rejette pas"),
    ("critique", "ne critique pas"),
    ("s'oppose à", "ne s'oppose pas à"),
];

/// "de" + "le retrait" is "du retrait"; "à" + "les sanctions" is "aux sanctions".
fn contract(verb: &str, noun: &str) -> String {
    let (head, rest) = split_verb(verb, noun);
    format!("{head} {rest}")
}

/// The verb without its preposition, and the rest of the phrase with it.
fn split_verb<'v>(verb: &'v str, noun: &str) -> (&'v str, String) {
    let (head, prep) = if let Some(h) = verb.strip_suffix(" de") {
        (h, "de")
    } else if let Some(h) = verb.strip_suffix(" à") {
        (h, "à")
    } else {
        return (verb, noun.to_string());
    };
    let joined = match (prep, noun.split_once(' ')) {
        ("de", Some(("le", rest))) => format!("du {rest}"),
        ("de", Some(("les", rest))) => format!("des {rest}"),
        ("à", Some(("le", rest))) => format!("au {rest}"),
        ("à", Some(("les", rest))) => format!("aux {rest}"),
        ("de", _) if noun.starts_with("l'") => format!("de {noun}"),
        _ => format!("{prep} {noun}"),
    };
    (head, joined)
}

/// Every stance phrase of a topic: (stance, verb, rest as written in text).
fn cue_phrases(topic: &Topic) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    for (stance, verbs) in [("supports", SUPPORT), ("opposes", OPPOSE)] {
        for (verb, _) in verbs {
            let (head, rest) = split_verb(verb, topic.noun);
            out.push((stance, head, rest));
        }
    }
    out
}

fn proposition_id(topic: &Topic) -> String {
    let noun: String = topic
        .noun
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .take(2)
        .collect::<Vec<_>>()
        .join("-");
    let noun = crate::text::fold::fold(&noun);
    format!(
        "{}-{}-{}",
        ACTORS[topic.subject].id, noun, ACTORS[topic.partner].id
    )
}

/// The bench rulebook: `entities.yaml` and `propositions.yaml`.
pub fn rulebook() -> Vec<(&'static str, String)> {
    let mut entities = String::from(
        "# Bench rulebook: generated by volte::bench, do not edit.\n\
         settings:\n  language: fr\n  conflict_window_days: 180\n  context_sentences: 1\n\nentities:\n",
    );
    for actor in ACTORS {
        let _ = writeln!(entities, "  - id: {}\n    aliases:", actor.id);
        for name in actor.names {
            let _ = writeln!(entities, "      - \"{}\"", alias_of(name));
        }
    }
    let mut props = String::from("propositions:\n");
    for topic in TOPICS {
        let id = proposition_id(topic);
        let _ = writeln!(
            props,
            "  - id: {id}\n    claim: \"{} backs {} with {}\"\n    requires: [{}, {}]\n    context: 1",
            ACTORS[topic.subject].id,
            topic.noun,
            ACTORS[topic.partner].id,
            ACTORS[topic.subject].id,
            ACTORS[topic.partner].id,
        );
        for stance in ["supports", "opposes"] {
            let _ = writeln!(props, "    {stance}:");
            for (s, verb, rest) in cue_phrases(topic) {
                if s == stance {
                    // One word may stand between the verb and the rest ("ne
                    // soutient pas la présence"): negation is read around the cue.
                    let _ = writeln!(props, "      - \"{verb} ..1 {rest}\"");
                }
            }
        }
    }
    vec![("entities.yaml", entities), ("propositions.yaml", props)]
}

/// The alias as a rule writes it: articles and elisions dropped ("l'Algérie" is
/// matched by "Algérie").
fn alias_of(name: &str) -> &str {
    for article in ["le ", "la ", "les ", "l'"] {
        if let Some(rest) = name.strip_prefix(article) {
            return rest;
        }
    }
    name
}

/// Every phrase of the bench rulebook as it appears in the text, one per line.
pub fn phrases() -> String {
    let mut out = Vec::new();
    for actor in ACTORS {
        for name in actor.names {
            out.push(alias_of(name).to_string());
        }
    }
    for topic in TOPICS {
        for (_, verb, rest) in cue_phrases(topic) {
            out.push(format!("{verb} {rest}"));
        }
    }
    out.sort();
    out.dedup();
    out.join("\n") + "\n"
}

const CITIES: &[&str] = &[
    "Kayes",
    "Sikasso",
    "Ségou",
    "Mopti",
    "Tombouctou",
    "Gao",
    "Kidal",
    "Ménaka",
    "Agadez",
    "Zinder",
    "Tahoua",
    "Dori",
    "Kaya",
    "Fada",
    "Tamanrasset",
    "Djanet",
    "Bordj",
    "Atar",
    "Abéché",
    "Sebha",
];
const PEOPLE: &[&str] = &[
    "le préfet",
    "la maire",
    "un commerçant",
    "une enseignante",
    "le chef du village",
    "un responsable syndical",
    "la directrice de l'hôpital",
    "un éleveur",
    "une étudiante",
    "le porte-parole de la coopérative",
    "un chauffeur de taxi",
    "la présidente de l'association",
];
const DAYS: &[&str] = &[
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "la veille",
    "en début de semaine",
    "à la mi-journée",
];
const THINGS: &[&str] = &[
    "le prix du mil",
    "la saison des pluies",
    "la rentrée scolaire",
    "le marché aux bestiaux",
    "la route nationale",
    "le réseau électrique",
    "la campagne de vaccination",
    "le festival",
    "la récolte de coton",
    "le tarif des transports",
    "la distribution d'eau",
    "le stade municipal",
    "la bibliothèque",
    "le chantier du pont",
    "la foire artisanale",
    "la coupure d'internet",
];
const FILLER: &[&str] = &[
    "{P} de {C} a indiqué {D} que {T} restait la principale préoccupation des habitants.",
    "Selon les chiffres publiés {D}, {T} a progressé de {N} % en un an à {C}.",
    "À {C}, {T} a été reporté de {N} jours, au grand dam des riverains.",
    "« Nous attendons des réponses concrètes », a déclaré {P} de {C}.",
    "Les travaux sur {T} devraient durer encore {N} semaines, d'après {P}.",
    "{P} a rappelé que {T} dépendait largement des conditions climatiques.",
    "Plusieurs familles de {C} ont dû parcourir {N} km pour rejoindre le centre le plus proche.",
    "La délégation, conduite par M. Diallo, s'est rendue {D} à {C}.",
    "Le budget consacré à {T} atteint désormais {N} millions de francs CFA.",
    "Interrogé sur {T}, {P} n'a pas souhaité faire de commentaire.",
    "Des pluies abondantes ont endommagé {T} près de {C} {D}.",
    "Les organisateurs espèrent accueillir plus de {N}.000 visiteurs à {C}.",
    "{T} reste au cœur des discussions entre les élus locaux.",
    "Faut-il s'inquiéter de {T} à {C} ?",
    "Le rapport, long de {N} pages, détaille l'état de {T}.",
    "Une réunion est prévue {D} pour faire le point sur {T}.",
    "Les jeunes de {C} se sont mobilisés pour nettoyer les abords du marché.",
    "D'après {P}, la situation s'est nettement améliorée depuis l'an dernier.",
];
const NEUTRAL_MENTION: &[&str] = &[
    "Une délégation de {A} était attendue {D} à {C}.",
    "{A} n'a pas encore réagi à ces informations.",
    "Le dossier sera évoqué lors de la prochaine visite à {C} d'un envoyé de {A}.",
];
const HEDGES: &[&str] = &[
    "Selon des sources non confirmées, ",
    "D'après certains observateurs, ",
    "",
    "",
    "",
    "",
];
const SOURCES: &[&str] = &[
    "Agence Sahel Presse",
    "Le Républicain",
    "L'Essor",
    "El Watan",
    "Le Soir d'Algérie",
    "Jeune Afrique",
    "RFI",
    "Mondafrique",
    "Le Monde",
    "Libération",
    "Le Figaro",
    "AFP",
    "Sahel Intelligence",
    "Studio Tamani",
    "Le Pays",
    "Sidwaya",
    "Actu Niger",
    "TSA",
    "L'Observateur Paalga",
    "Maliweb",
];

fn fill(template: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let key = &rest[open + 1..open + 2];
        match key {
            "P" => out.push_str(rng.pick(PEOPLE)),
            "C" => out.push_str(rng.pick(CITIES)),
            "D" => out.push_str(rng.pick(DAYS)),
            "T" => out.push_str(rng.pick(THINGS)),
            "N" => {
                let _ = write!(out, "{}", 2 + rng.below(97));
            }
            "A" => {
                let actor = rng.pick(ACTORS);
                out.push_str(alias_of(rng.pick(actor.names)));
            }
            _ => {}
        }
        rest = &rest[open + 3..];
    }
    out.push_str(rest);
    let out = out
        .replace(" à le ", " au ")
        .replace(" à les ", " aux ")
        .replace(" de le ", " du ")
        .replace(" de les ", " des ");
    capitalize(&out)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A sentence that takes a stance on a topic: plain, negated or hedged.
fn stance_sentence(rng: &mut Rng) -> String {
    let topic = rng.pick(TOPICS);
    let subject = rng.pick(ACTORS[topic.subject].names);
    let partner = ACTORS[topic.partner].names[0];
    let (verb, negated) = if rng.chance(50) {
        rng.pick(SUPPORT)
    } else {
        rng.pick(OPPOSE)
    };
    let verb = if rng.chance(15) { negated } else { verb };
    let hedge = rng.pick(HEDGES);
    let text = format!(
        "{hedge}{subject} {} avec {partner}, a-t-on appris {}.",
        contract(verb, topic.noun),
        rng.pick(DAYS)
    );
    capitalize(&text)
}

fn paragraph(rng: &mut Rng, out: &mut String, mention_percent: usize) {
    let sentences = 2 + rng.below(4);
    for i in 0..sentences {
        if i > 0 {
            out.push(' ');
        }
        let roll = rng.below(1000);
        if roll < mention_percent * 10 / 2 {
            out.push_str(&stance_sentence(rng));
        } else if roll < mention_percent * 10 {
            out.push_str(&fill(rng.pick(NEUTRAL_MENTION), rng));
        } else {
            out.push_str(&fill(rng.pick(FILLER), rng));
        }
    }
    out.push_str("\n\n");
}

/// One article: its file name and text.
pub fn article(index: usize, rng: &mut Rng) -> (String, String) {
    let year = 2012 + rng.below(14);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let date = match rng.below(10) {
        0 => format!("{year}"),
        1 | 2 => format!("{year}-{month:02}"),
        _ => format!("{year}-{month:02}-{day:02}"),
    };
    let source = rng.pick(SOURCES);
    let id = format!("bench-{index:07}");
    let title = fill("{T} : les habitants de {C} s'interrogent", rng);
    let mut text = String::with_capacity(8 * 1024);
    let _ = write!(
        text,
        "---\nid: {id}\ndate: {date}\nsource: \"{source}\"\ntitle: \"{title}\"\n---\n# {title}\n\n"
    );
    let _ = write!(
        text,
        "{}, {} ({source}) - ",
        rng.pick(CITIES).to_uppercase(),
        year
    );
    let mention_percent = 2 + rng.below(4); // 2–5% of sentences
    let paragraphs = 4 + rng.below(12);
    for _ in 0..paragraphs {
        paragraph(rng, &mut text, mention_percent);
    }
    if rng.chance(25) {
        let count = 2 + rng.below(6);
        let _ = write!(text, "## Commentaires\n\n{count} commentaires\n\n");
        for _ in 0..count {
            let _ = write!(text, "**Lecteur{}** : ", rng.below(1000));
            paragraph(rng, &mut text, 20);
        }
    }
    (format!("{year}/{id}.md"), text)
}

/// Writes a corpus of at least `bytes` bytes of articles under `dir/corpus`,
/// the bench rulebook under `dir/rules` and `dir/phrases.txt`. Returns the
/// number of articles and of bytes written.
pub fn generate(dir: &Path, bytes: u64, seed: u64) -> io::Result<(usize, u64)> {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules)?;
    for (name, text) in rulebook() {
        std::fs::write(rules.join(name), text)?;
    }
    std::fs::write(dir.join("phrases.txt"), phrases())?;
    let corpus = dir.join("corpus");
    let mut rng = Rng::new(seed);
    let mut written = 0u64;
    let mut count = 0;
    while written < bytes {
        let (name, text) = article(count, &mut rng);
        let path = corpus.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &text)?;
        written += text.len() as u64;
        count += 1;
    }
    Ok((count, written))
}

/// `n` articles in memory (for the criterion benches).
pub fn articles(n: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    (0..n).map(|i| article(i, &mut rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_articles() {
        assert_eq!(articles(20, 7), articles(20, 7));
        assert_ne!(articles(20, 7), articles(20, 8));
    }

    #[test]
    fn the_rulebook_has_two_hundred_phrases() {
        assert_eq!(phrases().lines().count(), 200);
    }

    #[test]
    fn contractions_are_written_as_french_does() {
        assert_eq!(
            contract("se félicite de", "le retrait"),
            "se félicite du retrait"
        );
        assert_eq!(
            contract("s'oppose à", "les sanctions"),
            "s'oppose aux sanctions"
        );
        assert_eq!(contract("s'oppose à", "l'aide"), "s'oppose à l'aide");
        assert_eq!(contract("soutient", "la force"), "soutient la force");
    }
}
