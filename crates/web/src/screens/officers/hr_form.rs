//! The HR officer's form for an HR action: what the API's
//! `POST /tenants/{t}/hr-actions` records, on screen, with the screening
//! against the registry of convicted persons done from the form itself.
//!
//! One form with three buttons, told apart by `step`:
//! - `more` adds a row for another decision maker;
//! - `screen` checks the person against the registry, shows each match,
//!   and fills in what the check establishes (the date, the registry among
//!   the checks, and "clear" or "concerns" unless a result was chosen);
//! - `record` checks everything with the domain's rules and files the
//!   action through [`adal_service::file_record`], the API's own path, so
//!   the service's checks (the position exists, hiring into a high-risk
//!   position needs the screening) come back beside their fields too.
//!
//! Nothing typed is lost on any of the three. The inputs are named by the
//! JSON pointers of the record (`person/iin`, `decision_makers/0/role`),
//! so an error's pointer names its input.

use crate::i18n::Tr;
use crate::kit::{
    Fields, PageResult, authorize, authorize_form, error_summary, error_text, errors_of, finish,
    label, orphans, redirect, show_as,
};
use crate::screening_view::matches_table;
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_domain::records::coi::Relation;
use adal_domain::records::hr::{HrAction, HrActionKind, ScreeningCheck, ScreeningResult};
use adal_service::screening::{self, Candidate};
use adal_service::{AppState, ServiceError};
use adal_store::registry::Match;
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Rows for decision makers on an empty form, and at most (the domain's
/// limit).
const FIRST_ROWS: usize = 2;
const MAX_ROWS: usize = 10;

/// The members of a decision maker's row.
const MAKER_FIELDS: [&str; 4] = ["full_name", "iin", "role", "relation_to_subject"];

/// A position as the form offers it.
pub(crate) struct PositionOption {
    id: String,
    title: String,
    high_risk: bool,
}

fn get<'a>(values: &'a Fields, name: &str) -> &'a str {
    values.get(name).map_or("", |v| v.trim())
}

fn maker(i: usize, member: &str) -> String {
    format!("decision_makers/{i}/{member}")
}

fn check_field(c: ScreeningCheck) -> String {
    format!("screening/checks/{}", c.as_str())
}

/// How many decision-maker rows the form shows: the rows asked for, and
/// at least every row something was typed in.
fn rows_of(values: &Fields) -> usize {
    let asked = get(values, "rows").parse::<usize>().unwrap_or(FIRST_ROWS);
    let typed = (0..MAX_ROWS)
        .filter(|i| {
            MAKER_FIELDS
                .iter()
                .any(|m| !get(values, &maker(*i, m)).is_empty())
        })
        .map(|i| i + 1)
        .max()
        .unwrap_or(0);
    asked.max(typed).clamp(FIRST_ROWS, MAX_ROWS)
}

/// Required inputs left blank, all at once: the domain's parser stops at
/// the first missing member.
fn blanks(values: &Fields, rows: usize) -> Vec<FieldError> {
    let empty =
        |name: &str| FieldError::coded(format!("/{name}"), "text.empty", "must not be empty");
    let mut errors = Vec::new();
    if get(values, "action").is_empty() {
        errors.push(FieldError::coded(
            "/action",
            "choice.unknown",
            "must be one of the actions",
        ));
    }
    for name in [
        "person/full_name",
        "person/iin",
        "position_id",
        "effective_on",
        "decided_on",
    ] {
        if get(values, name).is_empty() {
            errors.push(empty(name));
        }
    }
    for i in 0..rows {
        let any = MAKER_FIELDS
            .iter()
            .any(|m| !get(values, &maker(i, m)).is_empty());
        if i == 0 || any {
            for m in ["full_name", "role"] {
                if get(values, &maker(i, m)).is_empty() {
                    errors.push(empty(&maker(i, m)));
                }
            }
        }
    }
    errors
}

/// The record the form describes, as the API takes it: blank optional
/// inputs are left out, a screening only when any of its inputs is given.
fn payload_of(values: &Fields, rows: usize) -> Value {
    let text = |name: &str| Value::from(get(values, name));
    let mut body = Map::new();
    body.insert("action".into(), text("action"));
    let mut person = Map::new();
    person.insert("iin".into(), text("person/iin"));
    person.insert("full_name".into(), text("person/full_name"));
    body.insert("person".into(), person.into());
    for name in ["position_id", "effective_on", "decided_on"] {
        body.insert(name.into(), text(name));
    }
    for name in ["previous_position_id", "reason"] {
        if !get(values, name).is_empty() {
            body.insert(name.into(), text(name));
        }
    }
    let makers: Vec<Value> = (0..rows)
        .filter(|i| {
            MAKER_FIELDS
                .iter()
                .any(|m| !get(values, &maker(*i, m)).is_empty())
        })
        .map(|i| {
            let mut row = Map::new();
            for m in MAKER_FIELDS {
                let v = get(values, &maker(i, m));
                if !v.is_empty() || m == "full_name" || m == "role" {
                    row.insert(m.into(), v.into());
                }
            }
            Value::Object(row)
        })
        .collect();
    body.insert("decision_makers".into(), makers.into());
    let checks: Vec<Value> = ScreeningCheck::ALL
        .iter()
        .filter(|c| !get(values, &check_field(**c)).is_empty())
        .map(|c| c.as_str().into())
        .collect();
    let screened = !checks.is_empty()
        || [
            "screening/completed_on",
            "screening/result",
            "screening/note",
        ]
        .iter()
        .any(|n| !get(values, n).is_empty());
    if screened {
        let mut s = Map::new();
        s.insert("completed_on".into(), text("screening/completed_on"));
        s.insert("checks".into(), checks.into());
        s.insert("result".into(), text("screening/result"));
        if !get(values, "screening/note").is_empty() {
            s.insert("note".into(), text("screening/note"));
        }
        body.insert("screening".into(), s.into());
    }
    Value::Object(body)
}

/// The form's input (or group of inputs) an error's pointer names; `None`
/// for one that names none of them, shown above the form.
fn field_of(pointer: &str, rows: usize) -> Option<String> {
    let p = pointer.strip_prefix('/')?;
    let p = match p {
        "person" => "person/full_name",
        other => other,
    };
    let groups = ["screening", "screening/checks", "decision_makers"];
    let inputs = [
        "action",
        "person/full_name",
        "person/iin",
        "position_id",
        "previous_position_id",
        "effective_on",
        "decided_on",
        "reason",
        "screening/completed_on",
        "screening/result",
        "screening/note",
    ];
    let in_a_row = (0..rows).any(|i| MAKER_FIELDS.iter().any(|m| maker(i, m) == p));
    (groups.contains(&p) || inputs.contains(&p) || in_a_row).then(|| p.to_owned())
}

fn placed(errors: Vec<FieldError>, rows: usize) -> Vec<(Option<String>, FieldError)> {
    errors
        .into_iter()
        .map(|e| (field_of(&e.pointer, rows), e))
        .collect()
}

/// What [`screen`] establishes, written into the form: the date, the
/// registry among the checks, and the result unless one was chosen.
fn fill_screening(values: &mut Fields, found: &[Match], today: chrono::NaiveDate) {
    if get(values, "screening/completed_on").is_empty() {
        values.insert("screening/completed_on".into(), today.to_string());
    }
    values.insert(check_field(ScreeningCheck::ConvictedRegistry), "on".into());
    if get(values, "screening/result").is_empty() {
        let r = if found.is_empty() {
            ScreeningResult::Clear
        } else {
            ScreeningResult::Concerns
        };
        values.insert("screening/result".into(), r.as_str().into());
    }
}

/// What the page shows: the form's values, its errors, and the matches of
/// a screening done from it.
struct HrForm<'a> {
    values: &'a Fields,
    errors: &'a [(Option<String>, FieldError)],
    positions: &'a [PositionOption],
    rows: usize,
    screened: Option<&'a [Match]>,
}

fn id_of(name: &str) -> String {
    format!("hr-{}", name.replace('/', "-"))
}

/// The errors of one input, under it, with the codes for scripts.
fn error_line(tr: &Tr, f: &HrForm<'_>, name: &str) -> Markup {
    let errs = errors_of(f.errors, name);
    let codes: Vec<&str> = errs.iter().map(|e| e.code.as_ref()).collect();
    html! {
        @if !errs.is_empty() {
            p class="field-error" id={ (id_of(name)) "-error" } data-pointer={ "/" (name) } data-codes=(codes.join(" ")) {
                @for e in &errs { (error_text(tr, e)) " " }
            }
        }
    }
}

/// The `aria-describedby` of an input: its hint and its errors.
fn described_by(id: &str, hint: bool, bad: bool) -> String {
    [
        hint.then(|| format!("{id}-hint")),
        bad.then(|| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// A labelled input (`kind`: text, date) with its hint and errors.
fn input(
    tr: &Tr,
    f: &HrForm<'_>,
    name: &str,
    label_key: &str,
    kind: &str,
    hint: Option<&str>,
) -> Markup {
    let id = id_of(name);
    let bad = !errors_of(f.errors, name).is_empty();
    let described = described_by(&id, hint.is_some(), bad);
    html! {
        div class={ "field" @if bad { " invalid" } } {
            label for=(id) { (tr.t(label_key)) }
            @if kind == "textarea" {
                textarea id=(id) name=(name) rows="2" maxlength="2000"
                    aria-invalid=[bad.then_some("true")]
                    aria-describedby=[(!described.is_empty()).then_some(&described)] { (get(f.values, name)) }
            } @else {
                input type=(kind) id=(id) name=(name) value=(get(f.values, name)) maxlength="300"
                    aria-invalid=[bad.then_some("true")]
                    aria-describedby=[(!described.is_empty()).then_some(&described)];
            }
            @if let Some(h) = hint { p class="hint" id={ (id) "-hint" } { (tr.t(h)) } }
            (error_line(tr, f, name))
        }
    }
}

/// A labelled `<select>` of `(value, text)` options, "none" first.
fn choice(
    tr: &Tr,
    f: &HrForm<'_>,
    name: &str,
    label_key: &str,
    options: &[(String, String)],
    hint: Option<&str>,
) -> Markup {
    let id = id_of(name);
    let bad = !errors_of(f.errors, name).is_empty();
    let chosen = get(f.values, name);
    let described = described_by(&id, hint.is_some(), bad);
    html! {
        div class={ "field" @if bad { " invalid" } } {
            label for=(id) { (tr.t(label_key)) }
            select id=(id) name=(name)
                aria-invalid=[bad.then_some("true")]
                aria-describedby=[(!described.is_empty()).then_some(&described)] {
                option value="" selected[chosen.is_empty()] { "—" }
                @for (value, text) in options {
                    option value=(value) selected[chosen == value] { (text) }
                }
            }
            @if let Some(h) = hint { p class="hint" id={ (id) "-hint" } { (tr.t(h)) } }
            (error_line(tr, f, name))
        }
    }
}

/// Radio buttons in a fieldset, for a short closed list.
fn radios(
    tr: &Tr,
    f: &HrForm<'_>,
    name: &str,
    legend: &str,
    options: &[(String, String)],
) -> Markup {
    let id = id_of(name);
    let chosen = get(f.values, name);
    let bad = !errors_of(f.errors, name).is_empty();
    html! {
        fieldset class={ "field" @if bad { " invalid" } } id=(id) aria-describedby=[bad.then(|| format!("{id}-error"))] {
            legend { (tr.t(legend)) }
            @for (value, text) in options {
                @let oid = format!("{id}-{value}");
                label for=(oid) class="choice" {
                    input type="radio" id=(oid) name=(name) value=(value) checked[chosen == value];
                    " " (text)
                }
            }
            (error_line(tr, f, name))
        }
    }
}

fn render(tr: &Tr, v: &Visitor, tenant: Uuid, f: &HrForm<'_>) -> Markup {
    let positions: Vec<(String, String)> = f
        .positions
        .iter()
        .map(|p| {
            let text = if p.high_risk {
                tr.t_args(
                    "hr-form-position-high-risk",
                    &[("title", p.title.clone().into())],
                )
            } else {
                p.title.clone()
            };
            (p.id.clone(), text)
        })
        .collect();
    let actions: Vec<(String, String)> = HrActionKind::ALL
        .iter()
        .map(|a| (a.as_str().to_owned(), label(tr, "hr-action", a.as_str())))
        .collect();
    let relations: Vec<(String, String)> = Relation::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_owned(),
                label(tr, "conflict-party-relation", r.as_str()),
            )
        })
        .collect();
    let results: Vec<(String, String)> = ScreeningResult::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), label(tr, "screening", r.as_str())))
        .collect();
    let checks_bad = !errors_of(f.errors, "screening/checks").is_empty();
    html! {
        p { (tr.t("hr-form-intro")) }
        (error_summary(tr, !f.errors.is_empty(), &orphans(tr, f.errors)))
        form method="post" action={ "/t/" (tenant) "/hr-actions/new" } class="filing" id="hr-form" novalidate {
            input type="hidden" name="csrf" value=(v.csrf);
            input type="hidden" name="rows" value=(f.rows);
            fieldset id="hr-form-action" {
                legend { (tr.t("hr-form-action")) }
                (radios(tr, f, "action", "col-action", &actions))
                (choice(tr, f, "position_id", "hr-form-position", &positions, Some("hr-form-position-hint")))
                (choice(tr, f, "previous_position_id", "hr-form-previous-position", &positions, Some("hr-form-previous-position-hint")))
                (input(tr, f, "effective_on", "hr-form-effective-on", "date", None))
                (input(tr, f, "decided_on", "hr-form-decided-on", "date", None))
                (input(tr, f, "reason", "hr-form-reason", "textarea", Some("hr-form-reason-hint")))
            }
            fieldset id="hr-form-person" {
                legend { (tr.t("hr-form-person")) }
                (input(tr, f, "person/full_name", "col-name", "text", None))
                (input(tr, f, "person/iin", "col-iin", "text", None))
            }
            fieldset id="hr-form-makers" {
                legend { (tr.t("hr-form-makers")) }
                p class="hint" { (tr.t("hr-form-makers-hint")) }
                (error_line(tr, f, "decision_makers"))
                @for i in 0..f.rows {
                    fieldset class="maker-row" data-row=(i) {
                        legend { (tr.t_args("hr-form-maker", &[("n", (i + 1).into())])) }
                        (input(tr, f, &maker(i, "full_name"), "col-name", "text", None))
                        (input(tr, f, &maker(i, "iin"), "hr-form-maker-iin", "text", None))
                        (input(tr, f, &maker(i, "role"), "hr-form-maker-role", "text", Some("hr-form-maker-role-hint")))
                        (choice(tr, f, &maker(i, "relation_to_subject"), "hr-form-maker-relation", &relations, Some("hr-form-maker-relation-hint")))
                    }
                }
                @if f.rows < MAX_ROWS {
                    button type="submit" name="step" value="more" class="secondary" id="hr-more" { (tr.t("hr-form-more")) }
                }
            }
            fieldset id="hr-form-screening" {
                legend { (tr.t("hr-form-screening")) }
                p class="hint" { (tr.t("hr-form-screening-hint")) }
                (error_line(tr, f, "screening"))
                button type="submit" name="step" value="screen" class="secondary" id="hr-screen" { (tr.t("hr-form-screen")) }
                @if let Some(found) = f.screened {
                    div id="hr-screening-result" { (matches_table(tr, found)) }
                }
                (input(tr, f, "screening/completed_on", "hr-form-screened-on", "date", None))
                fieldset class={ "field" @if checks_bad { " invalid" } } id="hr-screening-checks" {
                    legend { (tr.t("hr-form-checks")) }
                    @for c in ScreeningCheck::ALL {
                        @let name = check_field(*c);
                        @let id = id_of(&name);
                        label for=(id) class="choice" {
                            input type="checkbox" id=(id) name=(name) value="on" checked[!get(f.values, &name).is_empty()];
                            " " (label(tr, "screening-check", c.as_str()))
                        }
                    }
                    (error_line(tr, f, "screening/checks"))
                }
                (radios(tr, f, "screening/result", "hr-form-result", &results))
                (input(tr, f, "screening/note", "hr-form-screening-note", "textarea", None))
            }
            button type="submit" name="step" value="record" id="hr-submit" { (tr.t("hr-form-submit")) }
        }
    }
}

async fn positions_of(
    state: &AppState,
    tenant: adal_store::TenantId,
) -> Result<Vec<PositionOption>, crate::kit::Fail> {
    Ok(adal_store::org::list_positions(&state.store, tenant)
        .await?
        .into_iter()
        .map(|p| PositionOption {
            id: p.id.to_string(),
            title: p.title,
            high_risk: p.high_risk,
        })
        .collect())
}

/// The empty form.
#[handler]
pub(crate) async fn hr_action_form(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::HR_ACTIONS, act::CREATE).await?;
        let positions = positions_of(&state, ctx.tenant()).await?;
        let mut values = Fields::new();
        values.insert(
            "decided_on".into(),
            adal_domain::kazakhstan_today().to_string(),
        );
        let f = HrForm {
            values: &values,
            errors: &[],
            positions: &positions,
            rows: FIRST_ROWS,
            screened: None,
        };
        let body = render(&v.tr, &v, tenant, &f);
        show_as(
            &state,
            &v,
            ctx.tenant(),
            "hr-form-title",
            body,
            StatusCode::OK,
        )
        .await
    }
    .await;
    finish(&v, r)
}

/// One of the form's three steps (see the module's documentation).
#[handler]
pub(crate) async fn record_hr_action(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(mut values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::HR_ACTIONS, act::CREATE).await?;
        let today = adal_domain::kazakhstan_today();
        let mut rows = rows_of(&values);
        let mut screened = None;
        let mut errors = Vec::new();
        match get(&values, "step") {
            "more" => rows = (rows + 1).min(MAX_ROWS),
            "screen" => {
                match Candidate::parse(get(&values, "person/iin"), get(&values, "person/full_name"))
                {
                    Ok(candidate) => {
                        let found = screening::screen(&state.store, &ctx, &candidate).await?;
                        fill_screening(&mut values, &found, today);
                        screened = Some(found);
                    }
                    Err(e) => {
                        errors = e
                            .into_iter()
                            .map(|e| FieldError {
                                pointer: format!("/person{}", e.pointer),
                                ..e
                            })
                            .collect();
                    }
                }
            }
            _ => {
                let mut found = blanks(&values, rows);
                if found.is_empty() {
                    let payload = payload_of(&values, rows);
                    match adal_domain::records::parse_value::<HrAction>(&payload, today) {
                        Err(e) => found = e,
                        Ok(_) => match adal_service::file_record(
                            &state,
                            &ctx,
                            adal_domain::Kind::HrAction,
                            &payload,
                        )
                        .await
                        {
                            Ok(_) => {
                                return Ok(redirect(
                                    &v,
                                    &format!("/t/{tenant}/hr-actions?recorded=1"),
                                ));
                            }
                            Err(
                                e @ (ServiceError::Invalid { .. }
                                | ServiceError::Malformed(_)
                                | ServiceError::Conflict(_)),
                            ) => {
                                found = e.field_errors();
                            }
                            Err(e) => return Err(e.into()),
                        },
                    }
                }
                errors = found;
            }
        }
        values.insert("rows".into(), rows.to_string());
        let placed = placed(errors, rows);
        let positions = positions_of(&state, ctx.tenant()).await?;
        let f = HrForm {
            values: &values,
            errors: &placed,
            positions: &positions,
            rows,
            screened: screened.as_deref(),
        };
        let status = if placed.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let body = render(&v.tr, &v, tenant, &f);
        show_as(&state, &v, ctx.tenant(), "hr-form-title", body, status).await
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use adal_domain::with_check_digit;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
    }

    #[test]
    fn an_empty_form_names_every_required_input_at_once() {
        let pointers: Vec<String> = blanks(&Fields::new(), 2)
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/action",
                "/person/full_name",
                "/person/iin",
                "/position_id",
                "/effective_on",
                "/decided_on",
                "/decision_makers/0/full_name",
                "/decision_makers/0/role",
            ]
        );
        // A second row is asked for only once something is typed in it.
        let second = fields(&[("decision_makers/1/iin", "1")]);
        assert!(
            blanks(&second, 2)
                .iter()
                .any(|e| e.pointer == "/decision_makers/1/role")
        );
    }

    #[test]
    fn the_form_becomes_the_record_the_api_takes() {
        let iin = with_check_digit("90010130001").unwrap();
        let values = fields(&[
            ("action", "hiring"),
            ("person/full_name", " Dana Aliyeva "),
            ("person/iin", &iin),
            ("position_id", "0190a0a0-0000-7000-8000-000000000001"),
            ("previous_position_id", ""),
            ("effective_on", "2026-12-20"),
            ("decided_on", "2026-12-01"),
            ("decision_makers/0/full_name", "Marat Ospanov"),
            ("decision_makers/0/role", "director"),
            ("decision_makers/0/relation_to_subject", "parent"),
            ("decision_makers/1/full_name", ""),
            ("screening/completed_on", "2026-12-02"),
            ("screening/checks/convicted_registry", "on"),
            ("screening/checks/references", "on"),
            ("screening/result", "clear"),
        ]);
        let payload = payload_of(&values, rows_of(&values));
        let a: HrAction = adal_domain::records::parse_value(&payload, today()).unwrap();
        assert_eq!(a.action, HrActionKind::Hiring);
        assert_eq!(a.person.full_name.as_str(), "Dana Aliyeva");
        assert_eq!(
            a.decision_makers.len(),
            1,
            "the blank second row is left out"
        );
        assert_eq!(
            a.decision_makers[0].relation_to_subject,
            Some(Relation::Parent)
        );
        let s = a.screening.unwrap();
        assert_eq!(
            s.checks,
            [
                ScreeningCheck::ConvictedRegistry,
                ScreeningCheck::References
            ]
        );
        assert_eq!(s.result, ScreeningResult::Clear);
        assert!(payload.get("previous_position_id").is_none());
        // No screening input given: no screening in the record.
        let mut bare = values.clone();
        for k in [
            "screening/completed_on",
            "screening/checks/convicted_registry",
            "screening/checks/references",
            "screening/result",
        ] {
            bare.remove(k);
        }
        assert!(payload_of(&bare, 2).get("screening").is_none());
    }

    #[test]
    fn the_domains_errors_land_beside_their_inputs() {
        let values = fields(&[
            ("action", "transfer"),
            ("person/full_name", "Dana Aliyeva"),
            ("person/iin", &with_check_digit("90010130001").unwrap()),
            ("position_id", "0190a0a0-0000-7000-8000-000000000001"),
            ("effective_on", "2026-12-20"),
            ("decided_on", "2026-12-01"),
            ("decision_makers/0/full_name", "Marat Ospanov"),
            ("decision_makers/0/role", "director"),
            (
                "decision_makers/0/iin",
                &with_check_digit("90010130001").unwrap(),
            ),
            ("screening/completed_on", "2026-12-02"),
            ("screening/result", "clear"),
        ]);
        let errors =
            adal_domain::records::parse_value::<HrAction>(&payload_of(&values, 2), today())
                .unwrap_err();
        let placed = placed(errors, 2);
        let at: Vec<Option<&str>> = placed.iter().map(|(f, _)| f.as_deref()).collect();
        // The person cannot decide on themselves; a transfer names the
        // position left; the screening lists its checks.
        assert!(at.contains(&Some("decision_makers/0/iin")), "{placed:?}");
        assert!(at.contains(&Some("previous_position_id")), "{placed:?}");
        assert!(at.contains(&Some("screening/checks")), "{placed:?}");
        assert_eq!(field_of("/screening", 2).as_deref(), Some("screening"));
        assert_eq!(
            field_of("/decision_makers/5/role", 2),
            None,
            "no such row on the form"
        );
        assert_eq!(field_of("/unknown", 2), None);
    }

    #[test]
    fn a_screening_fills_in_what_it_established_and_keeps_a_chosen_result() {
        let mut values = Fields::new();
        fill_screening(&mut values, &[], today());
        assert_eq!(get(&values, "screening/completed_on"), "2026-12-08");
        assert_eq!(get(&values, "screening/checks/convicted_registry"), "on");
        assert_eq!(get(&values, "screening/result"), "clear");
        let mut chosen = fields(&[
            ("screening/result", "concerns"),
            ("screening/completed_on", "2026-12-01"),
        ]);
        fill_screening(&mut chosen, &[], today());
        assert_eq!(get(&chosen, "screening/result"), "concerns");
        assert_eq!(get(&chosen, "screening/completed_on"), "2026-12-01");
    }

    #[test]
    fn rows_grow_with_what_was_typed_within_the_limit() {
        assert_eq!(rows_of(&Fields::new()), FIRST_ROWS);
        assert_eq!(rows_of(&fields(&[("decision_makers/3/role", "x")])), 4);
        assert_eq!(rows_of(&fields(&[("rows", "99")])), MAX_ROWS);
        assert_eq!(rows_of(&fields(&[("rows", "junk")])), FIRST_ROWS);
    }
}
