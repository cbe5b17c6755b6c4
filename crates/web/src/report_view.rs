//! A report of the feedback channel as its readers see it: the reporter
//! (their own), the compliance unit, and the Agency (when it was shared).
//! Neutral: used by the reporter's pages and the case screens alike.

use crate::i18n::Tr;
use adal_service::reporting::ReportInput;
use maud::{Markup, html};

/// A day as the channel shows it (no time of day is kept for reporters).
pub(crate) fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// What the report says, field by field; the contact only where
/// `with_contact` (never for the Agency).
pub(crate) fn report_facts(tr: &Tr, r: &ReportInput, with_contact: bool) -> Markup {
    html! {
        dl class="facts" id="case-report" {
            dt { (tr.t("report-what")) } dd class="message" { (r.what) }
            @if let Some(w) = &r.when { dt { (tr.t("report-when")) } dd { (w) } }
            @if let Some(w) = &r.place { dt { (tr.t("report-where")) } dd { (w) } }
            @if !r.involved.is_empty() {
                dt { (tr.t("report-involved")) }
                dd { ul { @for p in &r.involved { li { (p.name) @if let Some(pos) = &p.position { ", " (pos) } } } } }
            }
            @if with_contact && let Some(contact) = &r.contact {
                dt { (tr.t("report-contact")) } dd { (contact) }
            }
        }
    }
}
