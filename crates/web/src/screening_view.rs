//! The registry's entries and a screening's matches as tables: the public
//! registry search and the HR officer's screens (the screening page and
//! the HR action form) draw them the same way.

use crate::i18n::Tr;
use crate::kit::{head, label};
use adal_store::registry::{BirthDate, Match, MatchReason, RegistryEntry};
use maud::{Markup, html};

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The entry's columns after the name, shared by both tables (their
/// headers: `col-iin` to `registry-col-until`).
pub(crate) fn entry_cells(tr: &Tr, e: &RegistryEntry) -> Markup {
    html! {
        td class="iin" { (e.iin.as_deref().unwrap_or("—")) }
        td {
            @if let Some(w) = &e.workplace { (w) }
            @if let Some(p) = &e.position_held { br; span class="muted" { (p) } }
        }
        td {
            (tr.t_args("registry-article", &[("article", e.offence_article.clone().into())]))
            @if let Some(d) = &e.offence_description { br; span class="muted" { (d) } }
        }
        td {
            (e.court) br;
            span class="muted" {
                (date(e.convicted_on))
                @if let Some(n) = &e.case_number { " · " (tr.t_args("registry-case", &[("number", n.clone().into())])) }
                @if let Some(d) = e.ruling_in_force_on { " · " (tr.t_args("registry-in-force", &[("date", date(d).into())])) }
            }
        }
        td {
            @if let Some(p) = &e.punishment { (label(tr, "punishment", p)) }
            @if let Some(t) = &e.punishment_term { " " span class="muted" { (t) } }
        }
        td { @match e.applies_until { Some(d) => (date(d)), None => "—" } }
    }
}

/// The reason for a match in the reader's language.
fn reason_text(tr: &Tr, reason: MatchReason) -> String {
    match reason {
        MatchReason::Iin => tr.t("screening-reason-iin"),
        MatchReason::Name {
            agreeing,
            parts,
            birth_date,
        } => {
            let born = match birth_date {
                BirthDate::Agrees => tr.t("screening-born-agrees"),
                BirthDate::NotRecorded => tr.t("screening-born-not-recorded"),
            };
            tr.t_args(
                "screening-reason-name",
                &[
                    ("agreeing", agreeing.to_string().into()),
                    ("parts", parts.to_string().into()),
                    ("born", born.into()),
                ],
            )
        }
    }
}

pub(crate) fn matches_table(tr: &Tr, found: &[Match]) -> Markup {
    html! {
        @if found.is_empty() {
            p class="alert ok" role="status" id="screening-clear" { (tr.t("screening-no-match")) }
        } @else {
            p class="alert error" role="alert" id="screening-found" {
                (tr.t_args("screening-found", &[("n", found.len().to_string().into())]))
            }
            div class="scroll" {
                table id="screening-matches" {
                    caption { (tr.t("screening-caption")) }
                    (head(tr, &[("screening-col-score", true), ("screening-col-reason", false), ("col-name", false), ("col-iin", false), ("registry-col-workplace", false), ("registry-col-offence", false), ("registry-col-ruling", false), ("registry-col-punishment", false), ("registry-col-until", false)]))
                    tbody {
                        @for m in found {
                            tr data-entry=(m.entry.id) data-score=(m.score()) data-matched-by=(m.matched_by().as_str()) {
                                td class="num" { meter min="0" max="100" value=(m.score()) title=(m.score()) {} " " strong { (m.score()) } }
                                td class="reason" { (reason_text(tr, m.reason)) }
                                th scope="row" { (m.entry.full_name) }
                                (entry_cells(tr, &m.entry))
                            }
                        }
                    }
                }
            }
            p class="muted" { (tr.t("screening-scale")) }
        }
    }
}
