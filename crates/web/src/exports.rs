//! Exports on screen: the "Export: CSV · JSON · XLSX" links a list screen
//! shows to those who may read the list, and the findings list's filters,
//! which the findings page and its export read alike (so the file holds
//! what the page selects, on every page of it). The files themselves come
//! from `screens::export_files`.

use crate::i18n::Tr;
use crate::kit::{SEVERITIES, listing};
use adal_service::export::{self, ExportList, FindingNarrowing, Format};
use adal_service::{AppState, TenantCtx};
use adal_store::evaluation::FindingOrder;
use maud::{Markup, html};

/// The statuses a finding can have.
pub(crate) const FINDING_STATUSES: [&str; 3] = ["open", "resolved", "false_positive"];

/// The findings list's filters as typed in the URL, and its paging.
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct FindingQuery {
    pub severity: Option<String>,
    pub status: Option<String>,
    pub area: Option<String>,
    pub likelihood: Option<String>,
    pub impact: Option<String>,
    /// `me`: only the findings assigned to the visitor.
    pub assigned: Option<String>,
    /// `overdue`: only open findings past their due date.
    pub due: Option<String>,
    /// `due` (the default: open first, the most overdue first) or
    /// `newest`.
    pub sort: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
}

/// The filters the findings list applies: a value that is not a choice
/// (an unknown severity, a score outside 1..=5) filters nothing, as the
/// page has always done.
pub(crate) fn finding_narrowing(q: &FindingQuery) -> FindingNarrowing {
    let score = |s: &Option<String>| {
        listing::given(s)
            .and_then(|x| x.parse::<i16>().ok())
            .filter(|n| (1..=5).contains(n))
    };
    FindingNarrowing {
        severity: listing::given(&q.severity).filter(|s| SEVERITIES.contains(&s.as_str())),
        status: listing::given(&q.status).filter(|s| FINDING_STATUSES.contains(&s.as_str())),
        area: listing::given(&q.area),
        likelihood: score(&q.likelihood),
        impact: score(&q.impact),
        assigned_to_me: listing::given(&q.assigned).as_deref() == Some("me"),
        overdue: listing::given(&q.due).as_deref() == Some("overdue"),
        order: if listing::given(&q.sort).as_deref() == Some("newest") {
            FindingOrder::Newest
        } else {
            FindingOrder::Due
        },
    }
}

/// What an export link's file holds, said in its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The whole list (a screen without filters).
    Whole,
    /// Every row the screen's filters select, not only the page shown.
    Filtered,
    /// The whole list although the screen has filters: they are not
    /// carried into the file.
    WholeDespiteFilters,
}

impl Scope {
    fn key(self) -> &'static str {
        match self {
            Scope::Whole => "export-title-whole",
            Scope::Filtered => "export-title-filtered",
            Scope::WholeDespiteFilters => "export-title-unfiltered",
        }
    }
}

/// One list's export links.
pub(crate) struct Links<'a> {
    pub list: ExportList,
    /// The caption before the links (a catalogue key), when a screen
    /// exports more than one list; otherwise "Export".
    pub caption: &'a str,
    /// The query the file is narrowed by (empty values are left out).
    pub params: &'a [(&'a str, String)],
    pub scope: Scope,
}

/// The links to `l.list` as CSV, JSON and XLSX, or nothing when the
/// caller of `ctx` may not read that list (the download would refuse).
pub(crate) async fn links(state: &AppState, ctx: &TenantCtx, tr: &Tr, l: &Links<'_>) -> Markup {
    if !export::may_read(state, ctx, l.list).await {
        return html! {};
    }
    let tenant = ctx.tenant().uuid();
    let list = l.list.as_str();
    let title = tr.t(l.scope.key());
    html! {
        p class="exports noprint" id={ "export-" (list) } data-list=(list) {
            span class="exports-caption" { (tr.t(l.caption)) ": " }
            @for (i, f) in Format::ALL.into_iter().enumerate() {
                @if i > 0 { " · " }
                a href=(listing::href(&format!("/t/{tenant}/exports/{}/{list}", f.as_str()), l.params))
                    id={ "export-" (list) "-" (f.as_str()) }
                    title=(title)
                    download={ (list) "." (f.as_str()) } {
                    (f.as_str().to_uppercase())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> FindingQuery {
        let encoded = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str(&encoded).unwrap()
    }

    /// The captions and titles are named through values, which the
    /// catalogue check of the sources does not see: each is checked here.
    #[test]
    fn every_caption_and_title_is_in_every_language() {
        use crate::i18n::{Lang, MISSING};
        let keys = [
            "export-label",
            "export-people",
            "export-relatives",
            "export-interests",
            "export-departments",
            "export-positions",
            Scope::Whole.key(),
            Scope::Filtered.key(),
            Scope::WholeDespiteFilters.key(),
        ];
        for lang in [Lang::Kk, Lang::Ru, Lang::En] {
            let tr = Tr::new(lang);
            for k in keys {
                assert!(!tr.t(k).starts_with(MISSING), "{lang:?}: {k}");
            }
        }
    }

    #[test]
    fn the_findings_filters_keep_only_choices() {
        let n = finding_narrowing(&q(&[
            ("severity", " high "),
            ("status", "open"),
            ("area", "gifts"),
            ("likelihood", "5"),
            ("impact", "9"),
            ("assigned", "me"),
        ]));
        assert_eq!(n.severity.as_deref(), Some("high"));
        assert_eq!(n.status.as_deref(), Some("open"));
        assert_eq!(n.area.as_deref(), Some("gifts"));
        assert_eq!((n.likelihood, n.impact), (Some(5), None));
        assert!(n.assigned_to_me);
        let n = finding_narrowing(&q(&[
            ("severity", "dire"),
            ("status", ""),
            ("assigned", "you"),
        ]));
        assert_eq!((n.severity, n.status), (None, None));
        assert!(!n.assigned_to_me);
    }
}
