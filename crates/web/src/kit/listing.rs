//! Filter forms and paging for the dashboard's long lists (HR actions,
//! procurements, findings). A filter form is a plain GET form, so it works
//! without script and its URL can be bookmarked; the previous and next
//! links repeat the filters.

use crate::i18n::Tr;
use maud::{Markup, html};

/// Rows per page unless the URL asks for another number.
pub(crate) const PAGE_SIZE: u64 = 50;
/// The most rows one page shows.
pub(crate) const MAX_PAGE: u64 = 200;

/// Where a page starts and how many rows it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub offset: u64,
    pub limit: u64,
}

/// The paging the URL asks for. An offset that is not a number means the
/// first page (offsets come from our own links); a page size outside
/// 1..=200 gives the error key `err-limit`, to show beside its field, and
/// the default size.
pub(crate) fn paging(offset: Option<&str>, limit: Option<&str>) -> (Paging, Option<&'static str>) {
    let offset = offset
        .and_then(|o| o.trim().parse::<u64>().ok())
        .unwrap_or(0)
        // Deeper than any list goes: the last reachable page, never a
        // number the database cannot take.
        .min(adal_service::MAX_OFFSET);
    let (limit, error) = match limit.map(str::trim).filter(|l| !l.is_empty()) {
        None => (PAGE_SIZE, None),
        Some(l) => match l.parse::<u64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => (n, None),
            _ => (PAGE_SIZE, Some("err-limit")),
        },
    };
    (Paging { offset, limit }, error)
}

/// `path` with `params` as its query string (empty values left out).
pub(crate) fn href(path: &str, params: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    match serde_urlencoded::to_string(&kept) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// What was typed in a filter, trimmed; `None` when nothing was.
pub(crate) fn given(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The filters to repeat in the paging links: each name with what was
/// typed, trimmed (empty ones are left out of the links).
pub(crate) fn kept<'a>(fields: &[(&'a str, &Option<String>)]) -> Vec<(&'a str, String)> {
    fields
        .iter()
        .map(|(k, v)| (*k, v.as_deref().map_or("", str::trim).to_owned()))
        .collect()
}

/// "Rows X–Y of N" and the previous and next links, which keep `filters`
/// (the page size among them, when the URL set one). `id` prefixes the
/// elements' ids.
pub(crate) fn pager(
    tr: &Tr,
    id: &str,
    path: &str,
    filters: &[(&str, String)],
    p: Paging,
    shown: usize,
    total: u64,
) -> Markup {
    let shown = u64::try_from(shown).unwrap_or(u64::MAX);
    let first = if shown == 0 { 0 } else { p.offset + 1 };
    let last = p.offset + shown;
    let link = |offset: u64| {
        let mut params = filters.to_vec();
        if offset > 0 {
            params.push(("offset", offset.to_string()));
        }
        href(path, &params)
    };
    let prev = (p.offset > 0).then(|| link(p.offset.saturating_sub(p.limit)));
    let next = (last < total).then(|| link(last));
    html! {
        nav class="pager" id=(id) aria-label=(tr.t("pager-label")) {
            p id={ (id) "-rows" } data-first=(first) data-last=(last) data-total=(total) {
                @if shown == 0 {
                    (tr.t_args("pager-none", &[("total", total.to_string().into())]))
                } @else {
                    (tr.t_args("pager-rows", &[("first", first.to_string().into()), ("last", last.to_string().into()), ("total", total.to_string().into())]))
                }
            }
            @if prev.is_some() || next.is_some() {
                ul {
                    @if let Some(h) = prev { li { a rel="prev" id={ (id) "-prev" } href=(h) { (tr.t("pager-prev")) } } }
                    @if let Some(h) = next { li { a rel="next" id={ (id) "-next" } href=(h) { (tr.t("pager-next")) } } }
                }
            }
        }
    }
}

/// One labelled input of a filter form; `error` is a catalogue key shown
/// beside it, with what was typed kept.
pub(crate) struct Input<'a> {
    pub id: &'a str,
    pub label: &'a str,
    /// The input's type: `text`, `date`, `number`.
    pub kind: &'a str,
    pub value: &'a str,
    pub error: Option<&'a str>,
    pub hint: Option<&'a str>,
}

pub(crate) fn input(tr: &Tr, i: &Input) -> Markup {
    let err = format!("{}-error", i.id);
    let hint = format!("{}-hint", i.id);
    let described: Vec<&str> = i
        .hint
        .map(|_| hint.as_str())
        .into_iter()
        .chain(i.error.map(|_| err.as_str()))
        .collect();
    // Only the page size is a number: its bounds are the list's.
    let number = i.kind == "number";
    html! {
        div class={ "field" @if i.error.is_some() { " invalid" } } {
            label for=(i.id) { (tr.t(i.label)) }
            input type=(i.kind) id=(i.id) name=(i.id) value=(i.value)
                min=[number.then_some("1")] max=[number.then_some(MAX_PAGE)] inputmode=[number.then_some("numeric")]
                aria-invalid=[i.error.is_some().then_some("true")]
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
            @if let Some(h) = i.hint { p class="hint" id=(hint) { (tr.t(h)) } }
            @if let Some(e) = i.error { p class="field-error" id=(err) { (tr.t(e)) } }
        }
    }
}

/// One labelled select of a filter form, "any" first; `options` are
/// (value, shown text).
pub(crate) fn select(
    tr: &Tr,
    id: &str,
    label: &str,
    options: &[(String, String)],
    current: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let err = format!("{id}-error");
    // A value from the URL that is not a choice stays chosen, beside its
    // error, as a typed value would.
    let unknown = current.filter(|c| !c.is_empty() && !options.iter().any(|(v, _)| v == c));
    html! {
        div class={ "field" @if error.is_some() { " invalid" } } {
            label for=(id) { (tr.t(label)) }
            select id=(id) name=(id)
                aria-invalid=[error.is_some().then_some("true")]
                aria-describedby=[error.map(|_| err.as_str())] {
                option value="" { (tr.t("filter-any")) }
                @if let Some(u) = unknown { option value=(u) selected { (u) } }
                @for (val, text) in options {
                    option value=(val) selected[current == Some(val.as_str())] { (text) }
                }
            }
            @if let Some(e) = error { p class="field-error" id=(err) { (tr.t(e)) } }
        }
    }
}

/// A filter form's buttons: apply, and clear (a link to the unfiltered
/// list at `path`).
pub(crate) fn buttons(tr: &Tr, path: &str) -> Markup {
    html! {
        div class="buttons" {
            button type="submit" { (tr.t("filter-apply")) }
            a class="button secondary" href=(path) { (tr.t("filter-clear")) }
        }
    }
}

/// The page size field: empty means the default.
pub(crate) fn limit_input<'a>(value: &'a str, error: Option<&'a str>) -> Input<'a> {
    Input {
        id: "limit",
        label: "pager-limit",
        kind: "number",
        value,
        error,
        hint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn paging_reads_the_url_within_bounds() {
        assert_eq!(
            paging(None, None),
            (
                Paging {
                    offset: 0,
                    limit: 50
                },
                None
            )
        );
        assert_eq!(
            paging(Some("100"), Some(" 200 ")),
            (
                Paging {
                    offset: 100,
                    limit: 200
                },
                None
            )
        );
        assert_eq!(
            paging(Some("x"), Some("")),
            (
                Paging {
                    offset: 0,
                    limit: 50
                },
                None
            )
        );
        for bad in ["0", "201", "-1", "ten"] {
            assert_eq!(
                paging(None, Some(bad)),
                (
                    Paging {
                        offset: 0,
                        limit: 50
                    },
                    Some("err-limit")
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn links_keep_the_filters_and_encode_them() {
        assert_eq!(href("/t/x/hr", &[]), "/t/x/hr");
        assert_eq!(
            href(
                "/p",
                &[
                    ("q", "Асель & co".into()),
                    ("action", String::new()),
                    ("limit", "2".into())
                ]
            ),
            "/p?q=%D0%90%D1%81%D0%B5%D0%BB%D1%8C+%26+co&limit=2"
        );
    }

    #[test]
    fn a_select_keeps_a_value_that_is_not_a_choice() {
        let tr = Tr::new(Lang::En);
        let options = [("active".to_owned(), "Active".to_owned())];
        let html = select(
            &tr,
            "status",
            "col-status",
            &options,
            Some("bogus"),
            Some("err-choice"),
        )
        .into_string();
        assert!(
            html.contains(r#"<option value="bogus" selected>bogus</option>"#),
            "{html}"
        );
        assert!(html.contains(r#"id="status-error""#), "{html}");
        let html =
            select(&tr, "status", "col-status", &options, Some("active"), None).into_string();
        assert!(
            html.contains(r#"<option value="active" selected>Active</option>"#),
            "{html}"
        );
        assert!(
            !html.contains("bogus") && !html.contains("aria-invalid"),
            "{html}"
        );
    }

    /// The pager's HTML for a page of `shown` rows at `offset`.
    fn pager_html(
        filters: &[(&str, String)],
        offset: u64,
        limit: u64,
        shown: usize,
        total: u64,
    ) -> String {
        let tr = Tr::new(Lang::En);
        pager(
            &tr,
            "p",
            "/h",
            filters,
            Paging { offset, limit },
            shown,
            total,
        )
        .into_string()
    }

    #[test]
    fn the_pager_links_previous_and_next_pages() {
        let filters = [("action", "hiring".to_owned()), ("limit", "2".to_owned())];
        let html = pager_html(&filters, 2, 2, 2, 5);
        assert!(
            html.contains(r#"data-first="3" data-last="4" data-total="5""#),
            "{html}"
        );
        assert!(
            html.contains(r#"href="/h?action=hiring&amp;limit=2""#),
            "{html}"
        );
        assert!(
            html.contains(r#"href="/h?action=hiring&amp;limit=2&amp;offset=4""#),
            "{html}"
        );
        // The last page has no next link; the first no previous one.
        let html = pager_html(&[], 4, 2, 1, 5);
        assert!(
            html.contains(r#"rel="prev""#) && !html.contains(r#"rel="next""#),
            "{html}"
        );
        let html = pager_html(&[], 0, 50, 0, 0);
        assert!(!html.contains("<a"), "{html}");
        assert!(
            html.contains(r#"data-first="0" data-last="0" data-total="0""#),
            "{html}"
        );
    }
}
