//! The rule library's texts in the reader's language: every library rule's
//! title, description, guideline section and each parameter's label and
//! help, from `rules/locales/{kk,ru,en}.ftl` (kept beside the rules and
//! checked there by `rules/locales/check.py`), compiled in.
//!
//! One place for the dashboard and the API: a finding's `rule_title` in
//! the API and its title on screen come from the same message. A rule the
//! library does not have (a tenant's own) has no text here; callers show
//! its own.

pub mod notices;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The languages, by their codes; English last (the API's fallback).
pub const LANGS: [&str; 3] = ["kk", "ru", "en"];

/// The catalogues, in the order of [`LANGS`].
pub const SOURCES: [&str; 3] = [
    include_str!("../../../rules/locales/kk.ftl"),
    include_str!("../../../rules/locales/ru.ftl"),
    include_str!("../../../rules/locales/en.ftl"),
];

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| bundles(SOURCES));

/// One bundle per language of [`LANGS`] from `sources` (in that order).
/// A catalogue that fails to parse keeps the messages that did; the tests
/// fail on any parse error.
pub(crate) fn bundles(sources: [&str; 3]) -> Vec<FluentBundle<FluentResource>> {
    LANGS
        .iter()
        .zip(sources)
        .map(|(code, src)| {
            let mut b = FluentBundle::new_concurrent(vec![code.parse().unwrap_or_default()]);
            b.set_use_isolating(false);
            let res = FluentResource::try_new(src.to_owned()).unwrap_or_else(|(r, _)| r);
            let _ = b.add_resource(res);
            b
        })
        .collect()
}

/// Rule `id`'s `part` (`title`, `description`, `section`,
/// `param-<name>-label`, `param-<name>-help`) in language `lang` (`kk`,
/// `ru`, `en`); `None` for a language, rule or part there is no text for.
pub fn rule_text(lang: &str, id: &str, part: &str) -> Option<String> {
    let i = LANGS.iter().position(|l| *l == lang)?;
    let bundle = BUNDLES.get(i)?;
    let pattern = bundle.get_message(&format!("rule-{id}-{part}"))?.value()?;
    let mut errors = Vec::new();
    let s = bundle.format_pattern(pattern, None, &mut errors);
    errors.is_empty().then(|| s.into_owned())
}

/// A library rule's finding explained in language `lang` from the facts it
/// stored, with the template `rule-<id>-explanation`; `None` when the rule
/// has no template (a tenant's own rule) or the facts do not fill it (a
/// finding stored before its rule gave facts), so the caller shows the
/// stored explanation instead. Amounts (`*_kzt`) and dates (`*date`) are
/// written as the language writes them, codes with a `fact-<name>-<code>`
/// message in its words, other facts as they are.
pub fn explanation(lang: &str, id: &str, facts: &BTreeMap<String, String>) -> Option<String> {
    if facts.is_empty() {
        return None;
    }
    let i = LANGS.iter().position(|l| *l == lang)?;
    let bundle = BUNDLES.get(i)?;
    let pattern = bundle
        .get_message(&format!("rule-{id}-explanation"))?
        .value()?;
    let mut args = FluentArgs::new();
    for (k, v) in facts {
        let value: FluentValue<'_> = if k.ends_with("_kzt") {
            money(lang, v).into()
        } else if k.ends_with("date") {
            date(v).into()
        } else if let Some(word) = fact_word(bundle, k, v) {
            word.into()
        } else {
            v.as_str().into()
        };
        args.set(k.as_str(), value);
    }
    let mut errors = Vec::new();
    let s = bundle.format_pattern(pattern, Some(&args), &mut errors);
    errors.is_empty().then(|| s.into_owned())
}

/// A stored finding's explanation in language `lang`: written from its
/// facts (stored as a JSON object of strings) where the rule has a
/// template they fill, else the explanation stored with it (a tenant's own
/// rule, a finding recorded before facts, an erased record's placeholder).
pub fn finding_explanation(lang: &str, rule_id: &str, facts: Option<&str>, stored: &str) -> String {
    facts
        .and_then(|f| serde_json::from_str::<BTreeMap<String, String>>(f).ok())
        .and_then(|facts| explanation(lang, rule_id, &facts))
        .unwrap_or_else(|| stored.to_owned())
}

/// A fact that is a code (a relation `spouse`, a direction `received`) in
/// the reader's words: the message `fact-<name>-<code>`, if the catalogue
/// has one, so an explanation never shows a raw code.
fn fact_word(bundle: &FluentBundle<FluentResource>, name: &str, code: &str) -> Option<String> {
    let pattern = bundle
        .get_message(&format!("fact-{name}-{code}"))?
        .value()?;
    let mut errors = Vec::new();
    let s = bundle.format_pattern(pattern, None, &mut errors);
    errors.is_empty().then(|| s.into_owned())
}

/// An amount in tenge, given as a decimal string (`"1234.5"`), as language
/// `lang` writes it: `1,234.50 ₸` in English, `1 234,50 ₸` in Russian and
/// Kazakh (a narrow no-break space between groups). Text that is not an
/// amount is returned as it is.
pub fn money(lang: &str, kzt: &str) -> String {
    let (neg, digits) = match kzt.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, kzt.trim()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = if int.is_empty() { "0" } else { int };
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return kzt.to_owned();
    }
    let mut frac = frac.chars().take(2).collect::<String>();
    while frac.len() < 2 {
        frac.push('0');
    }
    let (group, decimal) = if lang == "en" {
        (",", ".")
    } else {
        ("\u{202f}", ",")
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    format!(
        "{}{grouped}{decimal}{frac}\u{a0}₸",
        if neg { "-" } else { "" }
    )
}

/// A `YYYY-MM-DD` date as `dd.mm.yyyy`, the form used in Kazakhstan in all
/// three languages; other text as it is.
pub fn date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d]
            if y.len() == 4
                && m.len() == 2
                && d.len() == 2
                && iso.chars().all(|c| c.is_ascii_digit() || c == '-') =>
        {
            format!("{d}.{m}.{y}")
        }
        _ => iso.to_owned(),
    }
}

/// The language an `Accept-Language` header asks for among [`LANGS`],
/// by its quality values (`ru-RU;q=0.9, kk;q=0.8`); English when none
/// matches or the header is missing.
pub fn from_accept_language(header: Option<&str>) -> &'static str {
    let mut best: Option<(&'static str, f32)> = None;
    for item in header.unwrap_or_default().split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let primary = tag.split('-').next().unwrap_or_default();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = LANGS.iter().find(|l| **l == primary)
            && q > 0.0
            && best.is_none_or(|(_, b)| q > b)
        {
            best = Some((lang, q));
        }
    }
    best.map_or("en", |(l, _)| l)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The message keys of a catalogue; panics if it does not parse.
    pub(crate) fn keys(src: &str) -> BTreeSet<String> {
        let res = FluentResource::try_new(src.to_owned())
            .unwrap_or_else(|(_, errs)| panic!("a catalogue does not parse: {errs:?}"));
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_catalogue_parses_with_the_same_keys() {
        let en = keys(SOURCES[2]);
        assert!(en.len() > 100, "the English catalogue looks truncated");
        for src in SOURCES {
            assert_eq!(keys(src), en);
        }
    }

    #[test]
    fn library_rules_have_their_texts_in_each_language_and_others_none() {
        let id = "gift-over-mci-limit";
        let titles: Vec<String> = LANGS
            .iter()
            .map(|l| rule_text(l, id, "title").unwrap())
            .collect();
        assert_ne!(titles[0], titles[2], "Kazakh is not English");
        assert_ne!(titles[1], titles[2], "Russian is not English");
        assert!(titles[1].chars().any(|c| matches!(c, 'а'..='я')));
        assert!(rule_text("ru", id, "param-limit_mci-help").is_some());
        assert_eq!(rule_text("ru", "a-tenants-own-rule", "title"), None);
        assert_eq!(rule_text("de", id, "title"), None);
    }

    #[test]
    fn amounts_and_dates_follow_the_language() {
        assert_eq!(money("en", "180000"), "180,000.00\u{a0}₸");
        assert_eq!(money("en", "1234567.5"), "1,234,567.50\u{a0}₸");
        assert_eq!(money("ru", "180000.00"), "180\u{202f}000,00\u{a0}₸");
        assert_eq!(money("kk", "-1000.05"), "-1\u{202f}000,05\u{a0}₸");
        assert_eq!(money("ru", "n/a"), "n/a");
        assert_eq!(date("2026-03-08"), "08.03.2026");
        assert_eq!(date("2026"), "2026");
    }

    #[test]
    fn explanations_are_written_from_facts_in_each_language() {
        let facts: BTreeMap<String, String> = [
            ("description", "Watch"),
            ("giver", "Alpha LLP"),
            ("value_kzt", "150000.00"),
            ("limit_mci", "2"),
            ("limit_kzt", "8650"),
            ("mci_kzt", "4325"),
            ("year", "2026"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let id = "gift-over-mci-limit";
        let en = explanation("en", id, &facts).unwrap();
        assert!(en.contains("150,000.00\u{a0}₸"), "{en}");
        assert!(en.contains("Alpha LLP"), "{en}");
        let ru = explanation("ru", id, &facts).unwrap();
        assert!(ru.contains("150\u{202f}000,00\u{a0}₸"), "{ru}");
        assert!(ru.chars().any(|c| matches!(c, 'а'..='я')), "{ru}");
        let kk = explanation("kk", id, &facts).unwrap();
        assert_ne!(kk, ru);
        // Facts that do not fill the template, and rules without one, fall
        // back to the stored explanation.
        let mut short = facts.clone();
        short.remove("giver");
        assert_eq!(explanation("en", id, &short), None);
        assert_eq!(explanation("en", "a-tenants-own-rule", &facts), None);
        assert_eq!(explanation("en", id, &BTreeMap::new()), None);
    }

    #[test]
    fn a_stored_finding_reads_from_its_facts_or_else_as_stored() {
        let facts = r#"{"description":"Watch","giver":"Alpha LLP","value_kzt":"150000.00","limit_mci":"2","limit_kzt":"8650","mci_kzt":"4325","year":"2026"}"#;
        let id = "gift-over-mci-limit";
        let ru = finding_explanation("ru", id, Some(facts), "stored");
        assert!(ru.contains("Alpha LLP") && ru.contains("МРП"), "{ru}");
        assert_eq!(finding_explanation("ru", id, None, "stored"), "stored");
        assert_eq!(
            finding_explanation("ru", id, Some("not json"), "stored"),
            "stored"
        );
        assert_eq!(
            finding_explanation("ru", "own-rule", Some(facts), "stored"),
            "stored"
        );
    }

    #[test]
    fn accept_language_picks_the_best_of_ours_and_english_otherwise() {
        assert_eq!(from_accept_language(Some("ru-RU,ru;q=0.9,en;q=0.8")), "ru");
        assert_eq!(from_accept_language(Some("en;q=0.5, kk;q=0.9")), "kk");
        assert_eq!(from_accept_language(Some("de-DE, fr;q=0.9")), "en");
        assert_eq!(from_accept_language(Some("kk;q=0")), "en");
        assert_eq!(from_accept_language(None), "en");
        assert_eq!(from_accept_language(Some("KK-kz")), "kk");
    }
}
