//! One triage action on the findings ticked in the list: the form below
//! the list ([`form`]) and what became of each ([`bulk_action`]), through
//! `adal_service::bulk_triage`, the API's bulk action.

use crate::i18n::Tr;
use crate::kit::{Fail, Fields, PageResult, authorize_form, finish, label, show_as};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::bulk_triage::{self, Action, MAX_FINDINGS};
use adal_service::findings::{Note, NoteError, Outcome};
use adal_service::{AppState, ServiceError};
use adal_store::evaluation;
use adal_store::users::User;
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// The name of a finding's tick box: `pick.<id>` (a form's fields are read
/// as a map, so each box has its own name).
pub(crate) fn pick_name(id: Uuid) -> String {
    format!("pick.{id}")
}

const ACTIONS: [(&str, &str); 4] = [
    ("assign", "bulk-assign"),
    ("resolve", "triage-resolve"),
    ("false_positive", "triage-false-positive"),
    ("comment", "bulk-comment"),
];

/// The action's part of the list's form: what to do with the ticked
/// findings; `people` are those offered as assignees (each finding is
/// still checked for its own).
pub(crate) fn form(tr: &Tr, people: &[User]) -> Markup {
    html! {
        fieldset class="bulk" id="bulk-fields" {
            legend { (tr.t("bulk-legend")) }
            div class="person-row" {
                div class="field" {
                    label for="bulk-action" { (tr.t("bulk-action")) }
                    select id="bulk-action" name="action" {
                        @for (value, key) in ACTIONS { option value=(value) { (tr.t(key)) } }
                    }
                }
                div class="field" {
                    label for="bulk-assignee" { (tr.t("bulk-assignee")) }
                    select id="bulk-assignee" name="assignee" aria-describedby="bulk-assignee-hint" {
                        option value="" { (tr.t("nobody")) }
                        @for p in people { option value=(p.id) { (p.display_name) } }
                    }
                    p class="hint" id="bulk-assignee-hint" { (tr.t("bulk-assignee-hint")) }
                }
            }
            div class="field" {
                label for="bulk-reason" { (tr.t("bulk-reason")) }
                textarea id="bulk-reason" name="reason" rows="2" maxlength="2000" aria-describedby="bulk-reason-hint" {}
                p class="hint" id="bulk-reason-hint" { (tr.t("bulk-reason-hint")) }
            }
            button type="submit" id="bulk-submit" { (tr.t("bulk-submit")) }
        }
    }
}

#[handler]
pub(crate) async fn bulk_action(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &f, tenant, obj::FINDINGS_ALL, act::WRITE).await?;
        let tr = &v.tr;
        let back = format!("/t/{tenant}/findings");
        let mut ids: Vec<Uuid> = f
            .iter()
            .filter(|(k, on)| k.starts_with("pick.") && on.as_str() == "1")
            .filter_map(|(k, _)| k.strip_prefix("pick.")?.parse().ok())
            .collect();
        ids.sort();
        let reason = || Note::parse(f.get("reason").map_or("", String::as_str));
        let action = match f.get("action").map(String::as_str) {
            Some("assign") => match f.get("assignee").map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None => Ok(Action::Assign(None)),
                Some(s) => s.parse().map(|u| Action::Assign(Some(u))).map_err(|_| "err-assignee-unknown"),
            },
            Some(a @ ("resolve" | "false_positive" | "comment")) => match reason() {
                Ok(n) => Ok(match a {
                    "resolve" => Action::Close(Outcome::Resolved, n),
                    "false_positive" => Action::Close(Outcome::FalsePositive, n),
                    _ => Action::Comment(n),
                }),
                Err(NoteError::Empty) => Err("bulk-reason-needed"),
                Err(NoteError::TooLong) => Err("err-too-long"),
            },
            _ => Err("err-choice"),
        };
        let refusal = |key: &str| {
            html! {
                p class="alert error" role="alert" id="bulk-error" { (tr.t(key)) }
                p { a href=(back) { (tr.t("bulk-back")) } }
            }
        };
        let action = match action {
            _ if ids.is_empty() => Err("bulk-none"),
            _ if ids.len() > MAX_FINDINGS => Err("bulk-too-many"),
            a => a,
        };
        let action = match action {
            Ok(a) => a,
            Err(key) => {
                return show_as(&state, &v, ctx.tenant(), "bulk-title", refusal(key), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        };
        let results = match bulk_triage::apply(&state, &ctx, &ids, &action).await {
            Ok(r) => r,
            Err(ServiceError::Invalid { .. }) => {
                return show_as(&state, &v, ctx.tenant(), "bulk-title", refusal("err-assignee-unknown"), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            Err(e) => return Err(Fail::from(e)),
        };
        let done = results.iter().filter(|(_, r)| *r == bulk_triage::Result::Done).count();
        // The findings' titles, for the table (each was read above: what
        // the caller may not see came back `not_found` and is not read).
        let mut rows = Vec::with_capacity(results.len());
        for (id, r) in &results {
            let f = match r {
                bulk_triage::Result::NotFound => None,
                _ => evaluation::get_finding(&state.store, ctx.tenant(), *id).await.ok(),
            };
            rows.push((*id, f, r));
        }
        let body = html! {
            p class="alert ok" role="status" id="bulk-summary" {
                (tr.t_args("bulk-summary", &[("done", done.to_string().into()), ("total", results.len().to_string().into())]))
            }
            div class="scroll" {
                table id="bulk-results" {
                    caption { (tr.t("bulk-results-caption")) }
                    thead { tr {
                        th scope="col" { (tr.t("col-rule")) }
                        th scope="col" { (tr.t("col-status")) }
                        th scope="col" { (tr.t("bulk-outcome")) }
                    } }
                    tbody {
                        @for (id, f, r) in &rows {
                            tr data-finding=(id) data-outcome=(r.as_str()) {
                                td {
                                    @match f {
                                        Some(f) => a href={ "/t/" (tenant) "/findings/" (id) } { (tr.rule_title(&f.rule_id, &f.rule_id)) },
                                        None => { (id) }
                                    }
                                }
                                td { @if let Some(f) = f { (label(tr, "status", &f.status)) } }
                                td { (outcome_text(tr, r)) }
                            }
                        }
                    }
                }
            }
            p { a href=(back) { (tr.t("bulk-back")) } }
        };
        show_as(&state, &v, ctx.tenant(), "bulk-title", body, StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}

fn outcome_text(tr: &Tr, r: &bulk_triage::Result) -> String {
    match r {
        bulk_triage::Result::Done => tr.t("bulk-outcome-done"),
        bulk_triage::Result::NotFound => tr.t("bulk-outcome-not-found"),
        bulk_triage::Result::Conflict => tr.t("bulk-outcome-conflict"),
        bulk_triage::Result::Refused { code, .. } => tr.t(assignee_error_key(code)),
    }
}

/// The catalogue key of why someone may not be assigned a finding.
pub(crate) fn assignee_error_key(code: &str) -> &'static str {
    match code {
        "assignee.is_subject" => "err-assignee-is-subject",
        "assignee.disabled" => "err-assignee-disabled",
        "assignee.cannot_read" => "err-assignee-cannot-read",
        _ => "err-assignee-unknown",
    }
}
