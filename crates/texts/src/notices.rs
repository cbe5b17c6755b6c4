//! The emails Adal writes to people, in their language: an alert of a
//! finding for the compliance unit. From `crates/texts/locales/*.ftl`,
//! compiled in; the keys are the same in each language (tested).

use crate::LANGS;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::LazyLock;

/// The catalogues, in the order of [`LANGS`].
pub const SOURCES: [&str; 3] = [
    include_str!("../locales/kk.ftl"),
    include_str!("../locales/ru.ftl"),
    include_str!("../locales/en.ftl"),
];

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> =
    LazyLock::new(|| crate::bundles(SOURCES));

/// Message `key` in `lang` (English for a language Adal does not have),
/// or the key itself if the catalogue lacks it (the tests fail first).
fn text(lang: &str, key: &str, args: Option<&FluentArgs<'_>>) -> String {
    let i = LANGS.iter().position(|l| *l == lang).unwrap_or(2);
    let Some(bundle) = BUNDLES.get(i) else {
        return key.to_owned();
    };
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// What an alert says about one finding.
pub struct AlertFinding<'a> {
    pub rule_id: &'a str,
    /// The rule's own title, for a rule the library does not have.
    pub title: &'a str,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: &'a str,
    pub likelihood: u8,
    pub impact: u8,
    /// The finding's facts as stored (JSON), and its stored explanation.
    pub facts: Option<&'a str>,
    pub explanation: &'a str,
    pub received: chrono::DateTime<chrono::Utc>,
    /// The finding's id, for those who look it up through the API.
    pub finding_id: &'a str,
    /// A link to the finding on the dashboard; empty when the service's
    /// public address is not configured.
    pub link: &'a str,
}

/// The subject and body of the alert of finding `f` in `lang`: the rule's
/// title and the explanation in that language, the scores, when the
/// filing arrived and the link. Nothing of the filing beyond what the
/// explanation says: the link asks the reader to sign in.
pub fn alert(lang: &str, f: &AlertFinding<'_>) -> (String, String) {
    let title = crate::rule_text(lang, f.rule_id, "title").unwrap_or_else(|| f.title.to_owned());
    let severity = text(lang, &format!("severity-{}", f.severity), None);
    let mut args = FluentArgs::new();
    args.set("severity", severity);
    args.set("title", title.clone());
    let subject = text(lang, "alert-subject", Some(&args));
    let explanation = crate::finding_explanation(lang, f.rule_id, f.facts, f.explanation);
    let mut body = format!(
        "{intro}\n\n{rule_label}: {title}\n{lxi_label}: {l} × {i}\n{filing_label}: {received}\n{finding_label}: {id}\n\n{explanation}\n",
        intro = text(lang, "alert-intro", Some(&args)),
        rule_label = text(lang, "alert-rule", None),
        lxi_label = text(lang, "alert-lxi", None),
        l = f.likelihood,
        i = f.impact,
        filing_label = text(lang, "alert-filing", None),
        received = f.received.format("%d.%m.%Y %H:%M UTC"),
        finding_label = text(lang, "alert-finding", None),
        id = f.finding_id,
    );
    if !f.link.is_empty() {
        body.push_str(&format!(
            "\n{}: {}\n",
            text(lang, "alert-open", None),
            f.link
        ));
    }
    (subject.chars().take(300).collect(), body)
}

/// The notice to someone a finding was assigned to, in `lang`: the rule's
/// title (a tenant's own rule: `title`) and the link; nothing of the
/// filing, which they see once signed in.
pub fn assigned(lang: &str, rule_id: &str, title: &str, link: &str) -> (String, String) {
    let title = crate::rule_text(lang, rule_id, "title").unwrap_or_else(|| title.to_owned());
    let mut args = FluentArgs::new();
    args.set("title", title.clone());
    let subject = text(lang, "assigned-subject", Some(&args));
    let body = format!(
        "{intro}\n\n{rule_label}: {title}\n{open}: {link}\n",
        intro = text(lang, "assigned-intro", None),
        rule_label = text(lang, "alert-rule", None),
        open = text(lang, "alert-open", None),
    );
    (subject.chars().take(300).collect(), body)
}

/// One finding as a digest lists it.
pub struct DigestItem<'a> {
    pub rule_id: &'a str,
    /// The rule's own title, for a rule the library does not have.
    pub title: &'a str,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: &'a str,
    /// Whom the finding concerns as far as the alert may say (the
    /// department), if known.
    pub concerns: Option<&'a str>,
    pub finding_id: &'a str,
    /// A link to the finding on the dashboard; empty when the service's
    /// public address is not configured.
    pub link: &'a str,
}

/// The subject and body of a digest in `lang`: every finding of the
/// period `[start, end)` (`period`: `hourly` or `daily`), each with its
/// rule's title, severity, whom it concerns and its link. Like the single
/// alert, nothing of the filings themselves: the links ask to sign in.
pub fn digest(
    lang: &str,
    period: &str,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
    items: &[DigestItem<'_>],
) -> (String, String) {
    let mut args = FluentArgs::new();
    args.set("count", items.len());
    args.set("start", start.format("%d.%m.%Y %H:%M").to_string());
    args.set("end", end.format("%d.%m.%Y %H:%M").to_string());
    let subject_key = if period == "hourly" {
        "digest-subject-hourly"
    } else {
        "digest-subject-daily"
    };
    let subject = text(lang, subject_key, Some(&args));
    let mut body = format!(
        "{}
",
        text(lang, "digest-intro", Some(&args))
    );
    for (n, item) in items.iter().enumerate() {
        let title =
            crate::rule_text(lang, item.rule_id, "title").unwrap_or_else(|| item.title.to_owned());
        let mut sev = FluentArgs::new();
        sev.set(
            "severity",
            text(lang, &format!("severity-{}", item.severity), None),
        );
        body.push_str(&format!(
            "\n{}. {title} ({})\n",
            n + 1,
            text(lang, "digest-severity", Some(&sev))
        ));
        if let Some(who) = item.concerns {
            body.push_str(&format!(
                "   {}: {who}\n",
                text(lang, "digest-concerns", None)
            ));
        }
        if item.link.is_empty() {
            body.push_str(&format!(
                "   {}: {}\n",
                text(lang, "alert-finding", None),
                item.finding_id
            ));
        } else {
            body.push_str(&format!(
                "   {}: {}\n",
                text(lang, "alert-open", None),
                item.link
            ));
        }
    }
    (subject.chars().take(300).collect(), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::keys;

    #[test]
    fn every_notices_catalogue_has_the_same_keys() {
        let en = keys(SOURCES[2]);
        assert!(en.contains("alert-subject"));
        for src in SOURCES {
            assert_eq!(keys(src), en);
        }
    }

    #[test]
    fn an_assignment_notice_is_written_in_the_assignees_language() {
        let (subject, body) =
            assigned("kk", "gift-over-mci-limit", "x", "https://a/t/1/findings/2");
        assert!(subject.starts_with("[Adal] Сізге"), "{subject}");
        assert!(body.contains("https://a/t/1/findings/2"), "{body}");
        let (subject, _) = assigned("en", "own-rule", "Our rule", "");
        assert_eq!(subject, "[Adal] A finding was assigned to you: Our rule");
    }

    #[test]
    fn an_alert_is_written_in_the_readers_language() {
        let facts = r#"{"description":"Watch","giver":"Alpha LLP","value_kzt":"150000.00","limit_mci":"2","limit_kzt":"8650","mci_kzt":"4325","year":"2026"}"#;
        let f = AlertFinding {
            rule_id: "gift-over-mci-limit",
            title: "Gift received above the limit in MCI",
            severity: "high",
            likelihood: 3,
            impact: 4,
            facts: Some(facts),
            explanation: "stored English",
            received: chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap_or_default(),
            finding_id: "2",
            link: "https://adal.example/t/1/findings/2",
        };
        let (subject, body) = alert("ru", &f);
        assert!(subject.contains("высокой"), "{subject}");
        assert!(body.contains("150\u{202f}000,00\u{a0}₸"), "{body}");
        assert!(
            body.contains("Открыть в Adal: https://adal.example/t/1/findings/2"),
            "{body}"
        );
        assert!(!body.contains("stored English"), "{body}");
        let (subject, body) = alert("en", &f);
        assert!(
            subject.starts_with("[Adal] A high finding: Gift"),
            "{subject}"
        );
        assert!(body.contains("Likelihood × impact: 3 × 4"), "{body}");
        // A tenant's own rule: its title and its sentence; no link when
        // the address is not configured.
        let own = AlertFinding {
            rule_id: "our-rule",
            title: "Our rule",
            facts: None,
            link: "",
            ..f
        };
        let (subject, body) = alert("kk", &own);
        assert!(
            subject.contains("Our rule") && subject.contains("жоғары"),
            "{subject}"
        );
        assert!(
            body.contains("stored English") && !body.contains("http"),
            "{body}"
        );
    }

    #[test]
    fn a_digest_lists_every_finding_in_the_readers_language() {
        let start = chrono::DateTime::from_timestamp(1_772_064_000, 0).unwrap_or_default();
        let end = start + chrono::Duration::days(1);
        let items = [
            DigestItem {
                rule_id: "gift-over-mci-limit",
                title: "Gift received above the limit in MCI",
                severity: "high",
                concerns: Some("Procurement"),
                finding_id: "1",
                link: "https://adal.example/t/9/findings/1",
            },
            DigestItem {
                rule_id: "our-rule",
                title: "Our rule",
                severity: "critical",
                concerns: None,
                finding_id: "2",
                link: "",
            },
        ];
        let (subject, body) = digest("ru", "daily", start, end, &items);
        assert!(
            subject.contains("за день") && subject.contains('2'),
            "{subject}"
        );
        assert!(body.contains("высокой важности"), "{body}");
        assert!(body.contains("Касается: Procurement"), "{body}");
        assert!(
            body.contains("Открыть в Adal: https://adal.example/t/9/findings/1"),
            "{body}"
        );
        assert!(
            body.contains("2. Our rule") && body.contains("Нарушение: 2"),
            "{body}"
        );
        let (subject, body) = digest("en", "hourly", start, end, &items);
        assert_eq!(subject, "[Adal] Hourly alert digest: 2 findings");
        assert!(
            body.contains("26.02.2026 00:00 to 27.02.2026 00:00"),
            "{body}"
        );
        let (subject, body) = digest("kk", "daily", start, end, &items);
        assert!(subject.contains("күндегі"), "{subject}");
        assert!(body.contains("сыни маңыздылық"), "{body}");
    }
}
