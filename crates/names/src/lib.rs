//! People's names compared the way Kazakhstan's records write them.
//!
//! The same person appears as `Оспанов Марат Серикович`, `ОСПАНОВ МАРАТ
//! СЕРІКҰЛЫ`, `Marat Ospanov`, `Ospanov Marat Serikuly` or, in the 2021
//! Kazakh Latin alphabet, `Ospanov Marat Serıkūly`. [`name_key`] reduces
//! every such spelling to one ASCII form, and [`names_match`] compares two
//! names by their parts. Both are deliberately lossy: they exist to find
//! the same person despite spelling, so they can also join two different
//! people whose names sound alike. Identifiers (IIN) decide first wherever
//! they are known; a name match is a lead for a person to check.
//!
//! How a name becomes its key, part by part (parts are split on spaces,
//! hyphens and other punctuation; apostrophes, as in the 2017 Latin
//! alphabet's `A'lia`, stay inside a part):
//!
//! 1. Lower case, then each letter to Latin: Russian Cyrillic by a plain
//!    romanisation (ж → j, ш/щ → sh, ч → ch, х → h, ц → ts, ю → iu, я → ia,
//!    ъ/ь dropped); Kazakh letters as their Russian stand-ins do (ә → a,
//!    ғ → g, қ → k, ң → n, ө → o, ұ/ү → u, һ → h, і → i); ё as е; the 2021
//!    Latin letters (ä, ğ, ı, İ, ñ, ö, ş, ū, ü) and q the same way; the
//!    2017 apostrophe alphabet's s' and c' as sh and ch, its other
//!    apostrophes dropped; the 2018 version's acute letters (á, ǵ, ń, ó, ú)
//!    as their plain letters.
//! 2. Romanisations that differ only in convention agree: zh and dzh → j,
//!    kh → h, gh → g, y → i, x → ks, w → v, c → k unless in ch.
//! 3. The glide that romanisations write before e (`Yergali`, `Aliyev`,
//!    `Nikolayevich`) is dropped, as Cyrillic has none (`Ерғали`, `Алиев`).
//! 4. Doubled letters are written once (`Assel`, `Асель`).
//! 5. Patronymics lose their ending, so the Russian and Kazakh forms of the
//!    same father's name agree: -ovich, -evich, -ovna, -evna, -uly (-ұлы,
//!    -улы), -kyzy (-қызы, -кызы); a separate `ұлы`/`қызы` word is dropped.
//! 6. The parts are sorted, so word order does not matter.
//!
//! Known misses, accepted to keep the rules simple: `Fyodorov` (yo for ё)
//! does not meet `Федоров`, and `j` is always read as ж, so a German-style
//! `Sergej` does not meet `Сергей`.

/// The parts of a normalised name: sorted, without repeats.
pub fn name_parts(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = name
        .split(|c: char| !(c.is_alphabetic() || is_apostrophe(c) || is_combining(c)))
        .filter_map(part_key)
        .collect();
    parts.sort();
    parts.dedup();
    parts
}

/// The normalised form of a full name: its parts (see the crate's
/// documentation) sorted and joined by single spaces. Only ASCII lowercase
/// letters and spaces; empty when the name has no letters.
pub fn name_key(name: &str) -> String {
    name_parts(name).join(" ")
}

/// Whether two full names can denote the same person: they have the same
/// parts, or, when both have at least two parts, the parts of one are all
/// among the other's (a surname and given name against the full name with
/// a patronymic). A single-part name matches only the same single part:
/// a surname alone is not enough to say it is the same person.
pub fn names_match(a: &str, b: &str) -> bool {
    let pa = name_parts(a);
    let pb = name_parts(b);
    if pa.is_empty() || pb.is_empty() {
        return false;
    }
    if pa.len() < 2 || pb.len() < 2 {
        return pa == pb;
    }
    let (small, large) = if pa.len() <= pb.len() {
        (&pa, &pb)
    } else {
        (&pb, &pa)
    };
    small.iter().all(|p| large.binary_search(p).is_ok())
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | 'ʻ' | '‘')
}

/// Combining marks (the dot that `İ` leaves when lowercased, accents typed
/// as separate characters).
fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Patronymic endings, after folding, longest first so that `-ovich` is
/// not read as `-ich`.
const PATRONYMIC_ENDINGS: [&str; 6] = ["ovich", "evich", "ovna", "evna", "kizi", "uli"];

/// The Kazakh patronymic written as a word of its own (`Арман ұлы`).
const PATRONYMIC_WORDS: [&str; 2] = ["uli", "kizi"];

fn part_key(raw: &str) -> Option<String> {
    if raw.is_empty() {
        return None;
    }
    let mut folded = String::with_capacity(raw.len());
    for c in raw.chars().flat_map(char::to_lowercase) {
        // The 2017 alphabet wrote ш and ч as s' and c'; elsewhere an
        // apostrophe only marks a letter (a' for ә) and is dropped.
        if is_apostrophe(c) {
            if folded.ends_with(['s', 'c']) {
                folded.push('h');
            }
            continue;
        }
        fold_char(c, &mut folded);
    }
    let part = collapse_doubles(&drop_glides(&digraphs(&folded)));
    if part.is_empty() || PATRONYMIC_WORDS.contains(&part.as_str()) {
        return None;
    }
    for ending in PATRONYMIC_ENDINGS {
        if let Some(stem) = part.strip_suffix(ending)
            && stem.len() >= 2
        {
            return Some(stem.to_owned());
        }
    }
    Some(part)
}

/// One lowercase character to ASCII letters (possibly none).
fn fold_char(c: char, out: &mut String) {
    let s: &str = match c {
        'a'..='z' => {
            out.push(c);
            return;
        }
        // Russian Cyrillic.
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' | 'є' => "e",
        'ж' => "j",
        'з' => "z",
        'и' | 'й' | 'ы' | 'і' | 'ї' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' | 'щ' => "sh",
        'ъ' | 'ь' => "",
        'ю' => "iu",
        'я' => "ia",
        // Kazakh Cyrillic letters, read as the Russian letters that records
        // substitute for them.
        'ә' => "a",
        'ғ' => "g",
        'қ' => "k",
        'ң' => "n",
        'ө' => "o",
        'ұ' | 'ү' => "u",
        'һ' => "h",
        // Latin letters with marks: the 2021 Kazakh alphabet and what
        // passports and foreign records use.
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'ý' | 'ÿ' => "i",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ñ' | 'ń' => "n",
        'ç' | 'č' => "ch",
        'ş' | 'š' | 'ś' => "sh",
        'ž' | 'ź' | 'ż' => "j",
        'ğ' | 'ǵ' => "g",
        'ł' => "l",
        _ => "",
    };
    out.push_str(s);
}

/// Rewrites of Latin spellings that encode the same sound differently.
fn digraphs(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &s[i..];
        let (emit, skip) = if rest.starts_with("shch") {
            ("sh", 4)
        } else if rest.starts_with("dzh") {
            ("j", 3)
        } else if rest.starts_with("tch") {
            ("ch", 3)
        } else if rest.starts_with("zh") {
            ("j", 2)
        } else if rest.starts_with("kh") {
            ("h", 2)
        } else if rest.starts_with("gh") {
            ("g", 2)
        } else if rest.starts_with("ph") {
            ("f", 2)
        } else if rest.starts_with("ch") {
            ("ch", 2)
        } else {
            match b[i] {
                b'y' => ("i", 1),
                b'q' => ("k", 1),
                b'w' => ("v", 1),
                b'x' => ("ks", 1),
                b'c' => ("k", 1),
                _ => (&rest[..1], 1),
            }
        };
        out.push_str(emit);
        i += skip;
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Drops an `i` that only writes a glide before `e`: at the start of the
/// part or after a vowel.
fn drop_glides(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in b.iter().enumerate() {
        let glide = c == b'i' && b.get(i + 1) == Some(&b'e') && (i == 0 || is_vowel(b[i - 1]));
        if !glide {
            out.push(char::from(c));
        }
    }
    out
}

fn collapse_doubles(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    for c in s.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs that denote the same person.
    const SAME: &[(&str, &str)] = &[
        // Case, spaces, word order.
        ("Оспанов Марат", "  оспанов   МАРАТ "),
        ("Оспанов Марат Серикович", "Марат Серикович Оспанов"),
        // ё/е.
        ("Фёдоров Пётр", "Федоров Петр"),
        // Kazakh letters and their Russian stand-ins.
        ("Әлия Жұмабекова", "Алия Жумабекова"),
        ("Ғалым Қайратұлы Нұрланов", "Галым Кайратулы Нурланов"),
        ("Шәріпов Үміт", "Шарипов Умит"),
        ("Ахметова Сәуле", "Ахметова Сауле"),
        // Cyrillic and common Russian romanisation.
        ("Ержан Ахметов", "Yerzhan Akhmetov"),
        ("Алиев Ильяс", "Aliyev Ilyas"),
        ("Цой Дарья", "Tsoy Darya"),
        ("Сергей Николаевич Ким", "Sergey Nikolayevich Kim"),
        ("Евгений Сергеевич", "Yevgeniy Sergeyevich"),
        ("Асель Хасанова", "Assel Khasanova"),
        ("Юрий Алексеев", "Yuriy Alekseyev"),
        ("Алексей Ким", "Alexey Kim"),
        // The 2021 Kazakh Latin alphabet, with and without its marks.
        ("Жұмабек Қайрат Ғалымұлы", "Jūmabek Qairat Ğalymūly"),
        ("Шәріпов Әлия", "Şäripov Älia"),
        ("Ерғали Серікұлы", "ERĞALİ SERİKULY"),
        ("Нұрлан Ыбырай", "Nurlan Ybyrai"),
        // The 2017 apostrophe alphabet.
        ("Әлия Шарипова", "A'lia S'aripova"),
        // The 2018 acute-accent alphabet.
        ("Ғалым Өмірұлы", "Ǵalym Ómiruly"),
        // Patronymics: Russian and Kazakh forms of the same father's name.
        ("Оспанов Марат Серикович", "Оспанов Марат Серікұлы"),
        ("Ospanov Marat Serikovich", "Оспанов Марат Серик улы"),
        ("Ахметова Сауле Маратовна", "Ахметова Сауле Маратқызы"),
        ("Ахметова Сауле Маратовна", "Akhmetova Saule Maratkyzy"),
        // A missing patronymic.
        ("Оспанов Марат", "Ospanov Marat Serikovich"),
    ];

    /// Pairs that must stay apart.
    const DIFFERENT: &[(&str, &str)] = &[
        ("Оспанов Марат", "Оспанова Марат"),
        ("Оспанов Марат", "Оспанов Мурат"),
        ("Оспанов Марат Серикович", "Оспанов Марат Болатович"),
        ("Ахметова Сауле Маратовна", "Ахметова Сауле Бериковна"),
        ("Алиев Руслан", "Алиева Руслана"),
        // One part is not enough to call it the same person.
        ("Оспанов", "Оспанов Марат"),
        ("Ким", "Цой"),
        ("", ""),
        ("...", "Оспанов Марат"),
    ];

    #[test]
    fn same_people_match_both_ways() {
        for (a, b) in SAME {
            assert!(
                names_match(a, b),
                "{a:?} ({}) vs {b:?} ({})",
                name_key(a),
                name_key(b)
            );
            assert!(names_match(b, a), "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn different_people_do_not_match() {
        for (a, b) in DIFFERENT {
            assert!(
                !names_match(a, b),
                "{a:?} ({}) vs {b:?} ({})",
                name_key(a),
                name_key(b)
            );
            assert!(!names_match(b, a), "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn keys_are_sorted_ascii_parts() {
        assert_eq!(name_key("Оспанов Марат Серікұлы"), "marat ospanov serik");
        assert_eq!(name_key("Marat  OSPANOV-Serikovich"), "marat ospanov serik");
        assert_eq!(name_key("Жанна"), "jana");
        assert_eq!(name_key("  "), "");
        for k in [name_key("Şäripov Älia Ğalymqyzy"), name_key("Ёлкин Щукин")] {
            assert!(
                k.bytes().all(|b| b.is_ascii_lowercase() || b == b' '),
                "{k}"
            );
        }
    }

    #[test]
    fn full_key_equality_implies_match() {
        for (a, b) in SAME {
            if name_key(a) == name_key(b) && !name_key(a).is_empty() {
                assert!(names_match(a, b));
            }
        }
    }

    #[test]
    fn arbitrary_text_does_not_panic() {
        for s in ["\u{0}", "İ̇̇", "ʼʼʼ", "🙂 Марат", "a\u{301}", "ЩЩЩЩ"] {
            let _ = name_key(s);
            let _ = names_match(s, s);
        }
    }
}
