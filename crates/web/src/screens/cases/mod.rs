//! The feedback channel's cases on screen (docs/reporting.md):
//!
//! - `tenant`: the compliance unit's list (nearest deadline first, so the
//!   overdue lead; "assigned to me"; open or all), the case with its
//!   report, conversation and internal notes, and what a handler does to
//!   it (acknowledge, review, assign, write to the reporter, note, close
//!   with an outcome, reopen, step aside, escalate to the Agency);
//! - `agency`: the Agency's list of escalated cases and of those reported
//!   to it directly, which it handles itself;
//! - `statistics`: the channel in figures, an organisation's and all of
//!   them for the Agency.
//!
//! Everything goes through `adal_service::reporting`, so the screens show
//! no more than the API would: a handler the report names, or who stepped
//! aside, gets the 404 an unknown case gets, and each opening of a case is
//! in the organisation's audit log. This file holds what the three share.

pub(crate) mod agency;
pub(crate) mod statistics;
pub(crate) mod tenant;

use crate::i18n::Tr;
use crate::kit::{Fail, Fields, label};
use crate::report_view::day;
use crate::session::Visitor;
use adal_domain::{CaseOutcome, CaseStatus, MessageAuthor};
use adal_service::ServiceError;
use adal_service::reporting::{self as svc, CaseSummary, CaseUpdate, Escalation};
use maud::{Markup, html};
use poem::http::StatusCode;
use uuid::Uuid;

/// Cases a page of a list holds.
const PAGE: u64 = 50;

/// An error of the case screen: the form's id and the message key.
pub(super) fn status_cell(tr: &Tr, c: &CaseSummary) -> Markup {
    html! {
        (label(tr, "case-status", c.status.as_str()))
        @if c.overdue { " " span class="sev sev-critical" data-overdue="1" { (tr.t("cases-overdue")) } }
    }
}

/// A form of the case screen, posting to `action`.
pub(super) fn action_form(
    v: &Visitor,
    base: &str,
    action: &str,
    id: &str,
    inner: Markup,
) -> Markup {
    html! {
        form method="post" action=(format!("{base}/{action}")) id=(id) class="case-action" {
            input type="hidden" name="csrf" value=(v.csrf);
            (inner)
        }
    }
}

pub(super) type CaseError = (&'static str, &'static str);

pub(super) fn error_in<'a>(errors: &'a [CaseError], form: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == form).map(|(_, k)| *k)
}

/// The conversation with the reporter and the handlers' notes.
pub(super) fn conversation(
    tr: &Tr,
    messages: &[svc::MessageView],
    name_of: &dyn Fn(Uuid) -> String,
) -> Markup {
    html! {
    h2 { (tr.t("report-messages")) }
    @if messages.is_empty() {
        p class="muted" id="no-messages" { (tr.t("report-no-messages")) }
    } @else {
        ol class="comments" id="case-messages" {
            @for m in messages {
                li data-author=(m.author.as_str()) class=[(m.author == MessageAuthor::Note).then_some("note")] {
                    p class="muted" {
                        @match m.author {
                            MessageAuthor::Reporter => (tr.t("cases-from-reporter")),
                            MessageAuthor::Handler => (tr.t_args("cases-from-handler", &[("name", m.author_id.map(name_of).unwrap_or_default().into())])),
                            MessageAuthor::Note => (tr.t_args("cases-note-by", &[("name", m.author_id.map(name_of).unwrap_or_default().into())])),
                        }
                        // A reporter's messages keep their day only.
                        " · " @if m.author == MessageAuthor::Reporter { (day(m.at.date_naive())) } @else { (m.at.format("%Y-%m-%d %H:%M")) }
                    }
                    p class="message" { (m.body) }
                }
            }
        }
    }
    }
}

/// What a handler does to a case: `handlers` are whom it may be assigned
/// to (`None` for the Agency's own channel, where nobody is assigned,
/// nobody steps aside and there is nobody to escalate to).
pub(super) fn work(
    v: &Visitor,
    base: &str,
    s: &CaseSummary,
    errors: &[CaseError],
    handlers: Option<&[(String, String)]>,
) -> Markup {
    let tr = &v.tr;
    let open = s.status.is_open();
    let outcomes: Vec<(String, String)> = CaseOutcome::ALL
        .iter()
        .map(|o| (o.as_str().to_owned(), label(tr, "case-outcome", o.as_str())))
        .collect();
    html! {
        section class="triage" aria-labelledby="case-work" {
            h2 id="case-work" { (tr.t("cases-work")) }
            @if open {
                (action_form(v, base, "message", "case-message", html! {
                    div class={ "field" @if error_in(errors, "case-message").is_some() { " invalid" } } {
                        label for="message-body" { (tr.t("cases-write")) }
                        textarea id="message-body" name="body" rows="4" maxlength=(svc::MAX_MESSAGE) {}
                        @if let Some(e) = error_in(errors, "case-message") { p class="field-error" { (tr.t(e)) } }
                    }
                    div class="field" { label class="choice" { input type="checkbox" name="internal" value="1" id="message-internal"; " " (tr.t("cases-internal")) } }
                    div class="buttons" { button type="submit" id="message-send" { (tr.t("cases-send")) } }
                }))
                @if s.status == CaseStatus::Received {
                    (action_form(v, base, "status", "case-acknowledge", html! {
                        input type="hidden" name="status" value="acknowledged";
                        button type="submit" id="acknowledge" { (tr.t("cases-acknowledge")) }
                    }))
                }
                @if matches!(s.status, CaseStatus::Received | CaseStatus::Acknowledged) {
                    (action_form(v, base, "status", "case-review", html! {
                        input type="hidden" name="status" value="under_review";
                        button type="submit" class="secondary" id="review" { (tr.t("cases-review")) }
                    }))
                }
                @if let Some(handlers) = handlers {
                (action_form(v, base, "assign", "case-assign", html! {
                    div class={ "field" @if error_in(errors, "case-assign").is_some() { " invalid" } } {
                        label for="assignee" { (tr.t("cases-assign-to")) }
                        select id="assignee" name="assignee" {
                            option value="" { (tr.t("cases-unassigned")) }
                            @for (uid, n) in handlers.iter() {
                                option value=(uid) selected[s.assignee_id.map(|a| a.to_string()).as_deref() == Some(uid.as_str())] { (n) }
                            }
                        }
                        @if let Some(e) = error_in(errors, "case-assign") { p class="field-error" { (tr.t(e)) } }
                    }
                    div class="buttons" { button type="submit" class="secondary" id="assign" { (tr.t("cases-assign")) } }
                }))
                }
                (action_form(v, base, "close", "case-close", html! {
                    div class={ "field" @if error_in(errors, "case-close").is_some() { " invalid" } } {
                        label for="outcome" { (tr.t("report-case-outcome")) }
                        select id="outcome" name="outcome" {
                            option value="" { (tr.t("cases-choose-outcome")) }
                            @for (o, n) in &outcomes { option value=(o) { (n) } }
                        }
                        @if let Some(e) = error_in(errors, "case-close") { p class="field-error" { (tr.t(e)) } }
                    }
                    div class="field" {
                        label for="measures" { (tr.t("cases-measures")) }
                        textarea id="measures" name="measures" rows="3" maxlength=(svc::MAX_MEASURES) aria-describedby="measures-hint" {}
                        p class="hint" id="measures-hint" { (tr.t("cases-measures-hint")) }
                    }
                    div class="buttons" { button type="submit" id="close" { (tr.t("cases-close")) } }
                }))
                @if handlers.is_some() && s.status != CaseStatus::Escalated {
                    (action_form(v, base, "escalate", "case-escalate", html! {
                        div class={ "field" @if error_in(errors, "case-escalate").is_some() { " invalid" } } {
                            label for="summary" { (tr.t("cases-escalate-summary")) }
                            textarea id="summary" name="summary" rows="3" maxlength=(svc::MAX_ESCALATION) {}
                            p class="hint" { (tr.t("cases-escalate-hint")) }
                            @if let Some(e) = error_in(errors, "case-escalate") { p class="field-error" { (tr.t(e)) } }
                        }
                        div class="field" { label class="choice" { input type="checkbox" name="include_report" value="1" id="include-report"; " " (tr.t("cases-escalate-include")) } }
                        div class="buttons" { button type="submit" class="secondary" id="escalate" { (tr.t("cases-escalate")) } }
                    }))
                }
                @if handlers.is_some() {
                (action_form(v, base, "recuse", "case-recuse", html! {
                    p class="hint" { (tr.t("cases-recuse-hint")) }
                    button type="submit" class="secondary" id="recuse" { (tr.t("cases-recuse")) }
                }))
                }
            } @else {
                (action_form(v, base, "status", "case-reopen", html! {
                    input type="hidden" name="status" value="under_review";
                    button type="submit" class="secondary" id="reopen" { (tr.t("cases-reopen")) }
                }))
            }
        }
    }
}

/// The message key for a refusal of the service, on `form`.
pub(super) fn refusal(form: &'static str, e: &ServiceError) -> Option<CaseError> {
    let code = match e {
        ServiceError::Invalid { details, .. } => details.first().map(|d| d.code.as_str()),
        ServiceError::Conflict(d) => Some(d.code.as_str()),
        _ => return None,
    };
    if form == "case-files" {
        return crate::report_files::file_refusal(e).map(|key| (form, key));
    }
    let key = match code {
        Some("text.too_long") => "err-too-long",
        Some("text.empty" | "text.length") => "err-empty",
        Some("case.closed") => "cases-err-closed",
        Some(c) if c.starts_with("case.escalat") => "cases-err-escalated",
        _ => match form {
            "case-assign" => "cases-err-assignee",
            "case-close" => "cases-err-outcome",
            _ => "cases-err-refused",
        },
    };
    Some((form, key))
}

/// What a handler's form asks for, read from its fields; a field that no
/// form of ours sends is a 404, as an unknown action is.
pub(super) enum Action {
    Message { body: String, internal: bool },
    Status(CaseStatus),
    Assign(Option<Uuid>),
    Close(Option<CaseOutcome>, String),
    Escalate(Escalation),
    Recuse,
    RemoveFile { attachment: Uuid, reason: String },
    Decide { approval: Uuid, approve: bool },
    Unlink(Uuid),
}

impl Action {
    pub(super) fn parse(action: &str, f: &Fields) -> Result<Self, Fail> {
        let get = |k: &str| f.get(k).map_or("", |s| s.trim());
        Ok(match action {
            "message" => Action::Message {
                body: get("body").to_owned(),
                internal: !get("internal").is_empty(),
            },
            "status" => {
                Action::Status(CaseStatus::parse(get("status")).map_err(|_| Fail::NotFound)?)
            }
            "assign" => Action::Assign(match get("assignee") {
                "" => None,
                s => Some(s.parse::<Uuid>().map_err(|_| Fail::NotFound)?),
            }),
            "close" => Action::Close(
                match get("outcome") {
                    "" => None,
                    o => Some(CaseOutcome::parse(o).map_err(|_| Fail::NotFound)?),
                },
                get("measures").to_owned(),
            ),
            "escalate" => Action::Escalate(Escalation {
                summary: get("summary").to_owned(),
                include_report: !get("include_report").is_empty(),
            }),
            "recuse" => Action::Recuse,
            "remove-file" => Action::RemoveFile {
                attachment: get("attachment").parse().map_err(|_| Fail::NotFound)?,
                reason: get("reason").to_owned(),
            },
            "decide" => Action::Decide {
                approval: get("approval").parse().map_err(|_| Fail::NotFound)?,
                approve: match get("approve") {
                    "1" => true,
                    "0" => false,
                    _ => return Err(Fail::NotFound),
                },
            },
            "unlink" => Action::Unlink(get("link").parse().map_err(|_| Fail::NotFound)?),
            _ => return Err(Fail::NotFound),
        })
    }

    /// The form whose place a refusal is shown in.
    pub(super) fn form(&self) -> &'static str {
        match self {
            Action::Message { .. } => "case-message",
            Action::Assign(_) => "case-assign",
            Action::Close(..) => "case-close",
            Action::Escalate(_) => "case-escalate",
            Action::Status(_) | Action::Recuse | Action::Unlink(_) => "general",
            Action::RemoveFile { .. } | Action::Decide { .. } => "case-files",
        }
    }

    /// The change a status, assignment or closing asks for.
    pub(super) fn update(&self) -> Option<CaseUpdate> {
        match self {
            Action::Status(s) => Some(CaseUpdate {
                status: Some(*s),
                ..CaseUpdate::default()
            }),
            Action::Assign(who) => Some(CaseUpdate {
                assignee: Some(*who),
                ..CaseUpdate::default()
            }),
            Action::Close(outcome, measures) => Some(CaseUpdate {
                status: Some(CaseStatus::Closed),
                outcome: *outcome,
                measures: Some(measures.clone()),
                ..CaseUpdate::default()
            }),
            _ => None,
        }
    }
}

/// How an action ended for the page: done (`None`), or refused with the
/// error to show and the status to show it with; anything else fails the
/// page.
pub(super) fn refused_with(
    form: &'static str,
    result: Result<(), ServiceError>,
) -> Result<Option<(CaseError, StatusCode)>, Fail> {
    match result {
        Ok(()) => Ok(None),
        Err(e) => match refusal(form, &e) {
            Some(err) => Ok(Some((
                err,
                if matches!(e, ServiceError::Conflict(_)) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
            ))),
            None => Err(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn actions_are_read_from_their_forms_and_bad_values_are_not_found() {
        let a = Action::parse("close", &fields(&[("outcome", "substantiated")])).unwrap();
        assert_eq!(a.form(), "case-close");
        let u = a.update().unwrap();
        assert_eq!(u.status, Some(CaseStatus::Closed));
        assert_eq!(u.outcome, Some(CaseOutcome::Substantiated));
        let a = Action::parse("assign", &fields(&[("assignee", "")])).unwrap();
        assert_eq!(a.update().unwrap().assignee, Some(None), "blank clears it");
        for (action, f) in [
            ("close", ("outcome", "won")),
            ("assign", ("assignee", "someone")),
            ("status", ("status", "")),
            ("delete", ("x", "y")),
        ] {
            assert!(matches!(
                Action::parse(action, &fields(&[f])),
                Err(Fail::NotFound)
            ));
        }
    }

    #[test]
    fn refusals_name_their_form_and_message() {
        let invalid = |code: &str| ServiceError::Invalid {
            message: String::new(),
            details: vec![adal_service::Detail {
                pointer: "/x".into(),
                code: code.into(),
                ..adal_service::Detail::default()
            }],
        };
        assert_eq!(
            refusal("case-close", &invalid("case.outcome")),
            Some(("case-close", "cases-err-outcome"))
        );
        assert_eq!(
            refusal("case-message", &invalid("text.too_long")),
            Some(("case-message", "err-too-long"))
        );
        assert_eq!(refusal("general", &ServiceError::Forbidden), None);
    }
}
