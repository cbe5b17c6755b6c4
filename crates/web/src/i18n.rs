//! Every user-facing string comes from a Fluent catalogue (`locales/*.ftl`,
//! compiled into the binary). A key missing from a catalogue renders as
//! [`MISSING`] followed by the key, which the browser tests look for on
//! every page, so an untranslated string cannot ship unnoticed.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

/// Marks a key that has no message in the current language.
pub const MISSING: &str = "\u{26a0}MISSING:";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language's own name, shown in the switcher whatever the page's
    /// language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Kk => "Қазақша",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "kk" => Some(Lang::Kk),
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The user's choice (the `adal_lang` cookie) wins; then the best
    /// supported language of `Accept-Language`; then Kazakh, the state
    /// language.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = cookie.and_then(Lang::parse) {
            return l;
        }
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.unwrap_or("").split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map_or(Lang::Kk, |(_, l)| l)
    }

    fn index(self) -> usize {
        match self {
            Lang::Kk => 0,
            Lang::Ru => 1,
            Lang::En => 2,
        }
    }
}

pub(crate) const SOURCES: [(Lang, &str); 3] = [
    (Lang::Kk, include_str!("../locales/kk.ftl")),
    (Lang::Ru, include_str!("../locales/ru.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, src)| {
            let id = lang.code().parse().unwrap_or_default();
            let mut b = FluentBundle::new_concurrent(vec![id]);
            // Unicode isolation marks would end up inside attributes and
            // test selectors; our arguments are numbers and names only.
            b.set_use_isolating(false);
            // A catalogue that fails to parse keeps the messages that did;
            // the catalogue test fails on any parse error.
            let res = FluentResource::try_new((*src).to_owned()).unwrap_or_else(|(r, _)| r);
            let _ = b.add_resource(res);
            b
        })
        .collect()
});

/// Text in one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// With arguments, e.g. `t_args("open-findings", &[("n", 3.into())])`.
    pub fn t_args(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, v.clone());
        }
        self.format(key, Some(&a))
    }

    /// A library rule's `part` (`title`, `description`, `section`) in
    /// this language; `None` for a rule the library does not have (a
    /// tenant's own), whose own text is shown instead.
    pub fn rule_text(&self, id: &str, part: &str) -> Option<String> {
        adal_texts::rule_text(self.lang.code(), id, part)
    }

    /// A finding's explanation in this language, written from the facts it
    /// stored where its rule has a template, else as stored.
    pub fn explanation(&self, rule_id: &str, facts: Option<&str>, stored: &str) -> String {
        adal_texts::finding_explanation(self.lang.code(), rule_id, facts, stored)
    }

    /// A rule parameter's unit in this language (`MCI` is АЕК in Kazakh,
    /// МРП in Russian); a unit the catalogue does not know, as written.
    pub fn unit(&self, unit: &str) -> String {
        let key = format!("unit-{unit}");
        let known = BUNDLES
            .get(self.lang.index())
            .is_some_and(|b| b.has_message(&key));
        if known { self.t(&key) } else { unit.to_owned() }
    }

    /// A rule's title in this language, or `fallback` (its own title, or
    /// its id) for a rule the library does not have.
    pub fn rule_title(&self, id: &str, fallback: &str) -> String {
        self.rule_text(id, "title")
            .unwrap_or_else(|| fallback.to_owned())
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(bundle) = BUNDLES.get(self.lang.index()) else {
            return format!("{MISSING}{key}");
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return format!("{MISSING}{key}");
        };
        let mut errors = Vec::new();
        let s = bundle.format_pattern(pattern, args, &mut errors);
        if errors.is_empty() {
            s.into_owned()
        } else {
            format!("{MISSING}{key}")
        }
    }

    /// `dd.mm.yyyy`, the form used in Kazakhstan in all three languages.
    pub fn date(&self, d: chrono::NaiveDate) -> String {
        d.format("%d.%m.%Y").to_string()
    }

    pub fn datetime(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        t.format("%d.%m.%Y %H:%M UTC").to_string()
    }

    /// An amount in tenge, given as the canonical decimal string (`"1234.5"`):
    /// `1,234.50 ₸` in English, `1 234,50 ₸` in Russian and Kazakh (narrow
    /// no-break space between groups).
    pub fn money(&self, kzt: &str) -> String {
        adal_texts::money(self.lang.code(), kzt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        let res = FluentResource::try_new(src.to_owned())
            .unwrap_or_else(|(_, errs)| panic!("catalogue does not parse: {errs:?}"));
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn library_rules_are_titled_in_each_language_and_others_keep_their_own() {
        let kk = Tr::new(Lang::Kk);
        let ru = Tr::new(Lang::Ru);
        let en = Tr::new(Lang::En);
        let id = "gift-over-mci-limit";
        let titles = [
            kk.rule_title(id, id),
            ru.rule_title(id, id),
            en.rule_title(id, id),
        ];
        assert!(titles.iter().all(|t| t != id), "{titles:?}");
        assert_ne!(titles[0], titles[2], "Kazakh is not English");
        assert_ne!(titles[1], titles[2], "Russian is not English");
        assert!(
            titles[1].chars().any(|c| matches!(c, 'а'..='я')),
            "{}",
            titles[1]
        );
        assert_eq!(ru.unit("MCI"), "МРП");
        assert_eq!(kk.unit("MCI"), "АЕК");
        assert_eq!(en.unit("days"), "days");
        assert_eq!(ru.unit("furlongs"), "furlongs");
        assert_eq!(
            ru.rule_title("tenant-own-rule", "Our own rule"),
            "Our own rule"
        );
    }

    #[test]
    fn every_key_exists_in_every_catalogue() {
        let en = keys(SOURCES[2].1);
        assert!(en.len() > 50, "the English catalogue looks truncated");
        for (lang, src) in SOURCES {
            let k = keys(src);
            let missing: Vec<_> = en.difference(&k).collect();
            let extra: Vec<_> = k.difference(&en).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, extra {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn keys_used_in_the_code_exist() {
        // Every `t("...")`/`t_args("...")` literal in the sources.
        let en = keys(SOURCES[2].1);
        let mut used = BTreeSet::new();
        for src in crate::SOURCES_FOR_KEY_CHECK {
            for marker in [".t(\"", ".t_args(\"", "ctx.tenant(), \""] {
                for part in src.split(marker).skip(1) {
                    if let Some(end) = part.find('"') {
                        used.insert(part[..end].to_owned());
                    }
                }
            }
        }
        // Table headers name their columns' keys in a list.
        for src in crate::SOURCES_FOR_KEY_CHECK {
            for part in src.split("head(tr, &[").skip(1) {
                let list = part.split("])").next().unwrap_or("");
                for (i, quoted) in list.split('"').enumerate() {
                    if i % 2 == 1 {
                        used.insert(quoted.to_owned());
                    }
                }
            }
        }
        assert!(used.contains("col-filed"), "the header keys are scanned");
        assert!(used.contains("hr-title"), "the page titles are scanned");
        let unknown: Vec<_> = used.iter().filter(|k| !en.contains(*k)).collect();
        assert!(unknown.is_empty(), "keys used but not defined: {unknown:?}");
    }

    #[test]
    fn missing_keys_are_marked() {
        let t = Tr::new(Lang::En);
        assert_eq!(t.t("no-such-key"), format!("{MISSING}no-such-key"));
        assert!(!t.t("signin-title").contains(MISSING));
    }

    #[test]
    fn language_negotiation() {
        assert_eq!(Lang::negotiate(Some("ru"), Some("en-US,en")), Lang::Ru);
        assert_eq!(
            Lang::negotiate(Some("xx"), Some("en-US,en;q=0.9")),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(None, Some("de-DE, ru;q=0.8, en;q=0.5")),
            Lang::Ru
        );
        assert_eq!(
            Lang::negotiate(None, Some("kk-KZ;q=0.9, en;q=0.95")),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, Some("de")), Lang::Kk);
        assert_eq!(Lang::negotiate(None, None), Lang::Kk);
    }

    /// What the rules note about a person's own filings (a voluntary
    /// disclosure among them) is not called a violation in any language
    /// (issue 16): the compliance unit has not concluded anything yet.
    #[test]
    fn a_members_own_findings_are_not_called_violations() {
        for lang in [Lang::En, Lang::Ru, Lang::Kk] {
            let tr = Tr::new(lang);
            for key in ["my-findings", "my-no-findings"] {
                let text = tr.t(key).to_lowercase();
                for word in ["violation", "наруш", "бұзушылық"] {
                    assert!(!text.contains(word), "{lang:?} {key}: {text}");
                }
            }
        }
    }

    #[test]
    fn money_and_dates_follow_the_locale() {
        let en = Tr::new(Lang::En);
        let ru = Tr::new(Lang::Ru);
        assert_eq!(en.money("180000"), "180,000.00\u{a0}₸");
        assert_eq!(en.money("1234567.5"), "1,234,567.50\u{a0}₸");
        assert_eq!(ru.money("180000.00"), "180\u{202f}000,00\u{a0}₸");
        assert_eq!(ru.money("999"), "999,00\u{a0}₸");
        assert_eq!(
            Tr::new(Lang::Kk).money("-1000.05"),
            "-1\u{202f}000,05\u{a0}₸"
        );
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(en.date(d), "08.03.2026");
        assert_eq!(ru.date(d), "08.03.2026");
    }
}
