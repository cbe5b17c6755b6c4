//! The feedback channel's pages for the person reporting (docs/reporting.md):
//! an organisation's page to file a report without an account, the
//! receipt shown once, and the follow-up with the receipt (status,
//! deadlines, the conversation with the compliance unit).
//!
//! These pages look at nothing that could identify the reporter: no
//! session (a signed-in employee's report is not tied to their account),
//! no cookie set, no address or agent read or logged, and `Referrer-Policy:
//! no-referrer`, so a link followed from here tells no other site where the
//! reader came from. The reporter's token (from the receipt) travels only
//! in the forms of the page, never in a URL or a cookie: closing the tab
//! ends the follow-up. Filing and opening with a receipt cost the browser
//! the same proof of work as the public API (`/assets/report.js` solves it
//! on submit); floods are held back by the limits the API uses, which key
//! on no one.

use crate::i18n::Tr;
use crate::kit::{Fail, Fields, Frame, PageResult, label, page, respond};
use crate::report_files::{self, FilesForm};
use crate::report_view::{day, report_facts};
use crate::session::Visitor;
use adal_domain::{MessageAuthor, ReportChannel, ReportSource};
use adal_service::reporting::limits::Refused;
use adal_service::reporting::{self as svc, CaseView, Involved, ReportInput, ReportLimits};
use adal_service::{AppState, Detail, ServiceError};
use adal_store::{TenantId, tenants};
use maud::{Markup, html};
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// People a report names on the page (the API takes up to
/// [`svc::MAX_INVOLVED`]).
const NAMED_ROWS: usize = 3;

/// A field's error: the input's id and the catalogue key of the message.
type FieldErrors = Vec<(String, &'static str)>;

fn field_error<'a>(errors: &'a FieldErrors, id: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| f == id).map(|(_, k)| *k)
}

fn get<'a>(f: &'a Fields, k: &str) -> &'a str {
    f.get(k).map_or("", |s| s.as_str())
}

/// The page, with no cookie and no referrer.
fn private(
    v: &Visitor,
    status: StatusCode,
    title: &str,
    lang_base: &str,
    body: Markup,
) -> Response {
    let frame = Frame {
        lang_links: Some(lang_base.to_owned()),
        ..Frame::default()
    };
    respond(v, status, page(v, &frame, title, body))
}

/// A page of the follow-up.
fn follow_private(v: &Visitor, status: StatusCode, body: Markup) -> Response {
    private(
        v,
        status,
        &v.tr.t("report-follow-title"),
        "/report/follow",
        body,
    )
}

/// Every answer of the channel's pages, shown or failed, asks for no
/// referrer: a link followed from here tells no other site where the
/// reader came from.
fn finish_private(v: &Visitor, r: PageResult) -> Response {
    let mut resp = match r {
        Ok(resp) => resp,
        Err(f) => crate::kit::fail_page(v, f),
    };
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// The status and message of a proof of work the service refused
/// (missing, or wrong, expired or reused), shared by filing and opening.
fn work_refusal(e: &ServiceError) -> Option<(StatusCode, &'static str)> {
    match e {
        ServiceError::WorkRequired(_) => {
            Some((StatusCode::TOO_MANY_REQUESTS, "report-err-no-work"))
        }
        ServiceError::BadRequest(_) => Some((StatusCode::BAD_REQUEST, "report-err-work")),
        _ => None,
    }
}

fn refused_key(r: Refused) -> &'static str {
    match r {
        Refused::ServiceFull => "report-limit-service",
        Refused::TenantFull => "report-limit-tenant",
        Refused::Challenges => "report-limit-service",
        Refused::Reads => "report-limit-reads",
        Refused::Messages => "report-limit-messages",
    }
}

/// The organisation a channel page is for; a 404 for an id that names
/// none.
async fn organisation(state: &AppState, tenant: Uuid) -> Result<String, Fail> {
    tenants::get(&state.store, TenantId::from_uuid(tenant))
        .await
        .map(|t| t.name)
        .map_err(Fail::from)
}

/// The ids an input is described by (its hint, its error).
fn described(id: &str, error: Option<&str>, hint: Option<&str>) -> Option<String> {
    let ids: Vec<String> = hint
        .map(|_| format!("{id}-hint"))
        .into_iter()
        .chain(error.map(|_| format!("{id}-error")))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A labelled field around `control`, with its hint and error.
fn field(
    tr: &Tr,
    id: &str,
    label_key: &str,
    error: Option<&str>,
    hint: Option<&str>,
    control: Markup,
) -> Markup {
    html! {
        div class={ "field" @if error.is_some() { " invalid" } } {
            label for=(id) { (tr.t(label_key)) }
            (control)
            @if let Some(h) = hint { p class="hint" id=(format!("{id}-hint")) { (tr.t(h)) } }
            @if let Some(e) = error { p class="field-error" id=(format!("{id}-error")) { (tr.t(e)) } }
        }
    }
}

fn textarea(
    tr: &Tr,
    id: &str,
    label_key: &str,
    value: &str,
    max: usize,
    error: Option<&str>,
    hint: Option<&str>,
) -> Markup {
    let control = html! {
        textarea id=(id) name=(id) rows="8" maxlength=(max)
            aria-invalid=[error.is_some().then_some("true")]
            aria-describedby=[described(id, error, hint)] { (value) }
    };
    field(tr, id, label_key, error, hint, control)
}

fn text_input(
    tr: &Tr,
    id: &str,
    label_key: &str,
    value: &str,
    error: Option<&str>,
    hint: Option<&str>,
) -> Markup {
    let control = html! {
        input type="text" id=(id) name=(id) value=(value) maxlength=(svc::MAX_SHORT) autocomplete="off"
            aria-invalid=[error.is_some().then_some("true")]
            aria-describedby=[described(id, error, hint)];
    };
    field(tr, id, label_key, error, hint, control)
}

/// The hidden fields and status line of a form whose submit first solves
/// the proof of work (`assets/report.js`).
fn work_parts(tr: &Tr) -> Markup {
    html! {
        input type="hidden" name="proof" value="";
        p class="notice" id="pow-status" role="status" hidden data-failed=(tr.t("report-pow-failed")) { (tr.t("report-working")) }
        noscript { p class="alert error" { (tr.t("report-noscript")) } }
    }
}

/// Whom a report page is for: one organisation (its compliance unit, or
/// the Agency if the reporter chooses), or the Agency's own page, where
/// the reporter names the organisation.
enum Target<'a> {
    Org { tenant: Uuid, name: &'a str },
    Agency { orgs: &'a [(Uuid, String)] },
}

impl Target<'_> {
    fn action(&self) -> String {
        match self {
            Target::Org { tenant, .. } => format!("/report/{tenant}"),
            Target::Agency { .. } => "/report/agency".to_owned(),
        }
    }
}

fn report_form(
    tr: &Tr,
    target: &Target<'_>,
    f: &Fields,
    errors: &FieldErrors,
    alert: Option<&str>,
) -> Markup {
    html! {
        @match target {
            Target::Org { name, .. } => p class="intro" id="report-org" { (tr.t_args("report-to", &[("org", name.to_string().into())])) },
            Target::Agency { .. } => p class="intro" id="report-org" { (tr.t("report-agency-intro")) },
        }
        section aria-labelledby="report-what-can" {
            h2 id="report-what-can" { (tr.t("report-what-can-title")) }
            p { (tr.t("report-what-can")) }
        }
        section aria-labelledby="report-anonymity" {
            h2 id="report-anonymity" { (tr.t("report-anonymity-title")) }
            ul {
                li { (tr.t("report-anonymity-account")) }
                li { (tr.t("report-anonymity-stored")) }
                li { (tr.t("report-anonymity-receipt")) }
                li { (tr.t("report-anonymity-limits")) }
            }
        }
        h2 { (tr.t("report-form-title")) }
        @if let Some(a) = alert { p class="alert error" role="alert" id="report-alert" { (tr.t(a)) } }
        form method="post" action=(target.action()) id="report-form" data-pow="1" enctype="multipart/form-data" {
            input type="hidden" name="lang" value=(tr.lang.code());
            @if let Target::Agency { orgs } = target {
                @let error = field_error(errors, "tenant");
                div class="field" {
                    label for="tenant" { (tr.t("report-agency-org")) " " span class="req" { (tr.t("required")) } }
                    select name="tenant" id="tenant" required aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "tenant-error")] {
                        option value="" { "—" }
                        @for (id, name) in *orgs {
                            option value=(id) selected[get(f, "tenant") == id.to_string()] { (name) }
                        }
                    }
                    @if let Some(e) = error { p class="field-error" id="tenant-error" { (tr.t(e)) } }
                }
            }
            (textarea(tr, "what", "report-what", get(f, "what"), svc::MAX_TEXT, field_error(errors, "what"), Some("report-what-hint")))
            (text_input(tr, "when", "report-when", get(f, "when"), field_error(errors, "when"), None))
            (text_input(tr, "where", "report-where", get(f, "where"), field_error(errors, "where"), None))
            fieldset class="field" {
                legend { (tr.t("report-involved")) }
                p class="hint" { (tr.t("report-involved-hint")) }
                @for i in 0..NAMED_ROWS {
                    div class="person-row" role="group" aria-label=(tr.t_args("report-person", &[("n", (i + 1).to_string().into())])) {
                        (text_input(tr, &format!("involved_{i}_name"), "report-person-name", get(f, &format!("involved_{i}_name")), field_error(errors, &format!("involved_{i}_name")), None))
                        (text_input(tr, &format!("involved_{i}_position"), "report-person-position", get(f, &format!("involved_{i}_position")), field_error(errors, &format!("involved_{i}_position")), None))
                    }
                }
            }
            (text_input(tr, "contact", "report-contact", get(f, "contact"), field_error(errors, "contact"), Some("report-contact-hint")))
            @if let Some(e) = field_error(errors, "files") { p class="alert error" role="alert" id="files-error" { (tr.t(e)) " " (tr.t("files-choose-again")) } }
            (report_files::file_input(tr, "report-files"))
            @if let Target::Org { name, .. } = target {
                fieldset class="field" id="report-to-choice" {
                    legend { (tr.t("report-send-to")) }
                    @let agency = get(f, "to") == "agency";
                    label class="choice" { input type="radio" name="to" value="tenant" id="to-tenant" checked[!agency]; " " (tr.t_args("report-to-tenant", &[("org", name.to_string().into())])) }
                    br;
                    label class="choice" { input type="radio" name="to" value="agency" id="to-agency" checked[agency]; " " (tr.t_args("report-to-agency", &[("org", name.to_string().into())])) }
                }
            }
            (work_parts(tr))
            div class="buttons" { button type="submit" id="report-send" { (tr.t("report-send")) } }
        }
        p { a href=(format!("/report/follow?lang={}", tr.lang.code())) id="report-follow-link" { (tr.t("report-follow-link")) } }
        script src="/assets/pow.js" defer {}
        script src="/assets/report.js" defer {}
    }
}

/// The report the form describes: rows of people with a name or a
/// position (a position alone is refused, naming the row's name field).
fn input_of(f: &Fields, lang: &str) -> ReportInput {
    let opt = |k: &str| Some(get(f, k).to_owned()).filter(|s| !s.trim().is_empty());
    let involved = (0..NAMED_ROWS)
        .filter_map(|i| {
            let name = get(f, &format!("involved_{i}_name"));
            let position = opt(&format!("involved_{i}_position"));
            (!name.trim().is_empty() || position.is_some()).then(|| Involved {
                name: name.to_owned(),
                position,
            })
        })
        .collect();
    ReportInput {
        what: get(f, "what").to_owned(),
        when: opt("when"),
        place: opt("where"),
        involved,
        contact: opt("contact"),
        language: Some(lang.to_owned()),
    }
}

/// The form's input id and message of each detail of a refused report.
/// Rows of people are numbered as the form sent them; blank rows were left
/// out, so a row's index is found again by counting the filled ones.
fn errors_of(f: &Fields, details: &[Detail]) -> FieldErrors {
    let filled: Vec<usize> = (0..NAMED_ROWS)
        .filter(|i| {
            !get(f, &format!("involved_{i}_name")).trim().is_empty()
                || !get(f, &format!("involved_{i}_position")).trim().is_empty()
        })
        .collect();
    details
        .iter()
        .map(|d| {
            let mut parts = d.pointer.trim_start_matches('/').split('/');
            let id = match (parts.next(), parts.next(), parts.next()) {
                (Some("involved"), Some(n), Some(field)) => {
                    let row = n
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| filled.get(n).copied())
                        .unwrap_or(0);
                    format!("involved_{row}_{field}")
                }
                (Some(field), _, _) => field.to_owned(),
                (None, _, _) => "what".to_owned(),
            };
            let key = match (id.as_str(), d.code.as_str()) {
                (_, "text.too_long") => "err-too-long",
                ("what", _) => "report-err-what",
                (_, "text.empty") => "report-err-name",
                _ => "err-empty",
            };
            (id, key)
        })
        .collect()
}

#[handler]
pub(crate) async fn report_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::anonymous(req, None);
    let r: PageResult = async {
        let org = organisation(&state, tenant).await?;
        let target = Target::Org { tenant, name: &org };
        let body = report_form(&v.tr, &target, &Fields::new(), &Vec::new(), None);
        Ok(private(
            &v,
            StatusCode::OK,
            &v.tr.t("report-title"),
            &format!("/report/{tenant}"),
            body,
        ))
    }
    .await;
    finish_private(&v, r)
}

/// The organisations a reporter can name on the Agency's page, by name.
async fn organisations(state: &AppState) -> Result<Vec<(Uuid, String)>, Fail> {
    let mut orgs: Vec<(Uuid, String)> = tenants::list_all_for_platform(&state.store)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    orgs.sort_by_key(|(_, name)| name.to_lowercase());
    Ok(orgs)
}

/// The Agency's own page: a report about an organisation, to the Agency
/// (docs/reporting.md "The Agency's own channel").
#[handler]
pub(crate) async fn agency_page(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::anonymous(req, None);
    let r: PageResult = async {
        let orgs = organisations(&state).await?;
        let body = report_form(
            &v.tr,
            &Target::Agency { orgs: &orgs },
            &Fields::new(),
            &Vec::new(),
            None,
        );
        Ok(private(
            &v,
            StatusCode::OK,
            &v.tr.t("report-agency-title"),
            "/report/agency",
            body,
        ))
    }
    .await;
    finish_private(&v, r)
}

#[handler]
pub(crate) async fn file(
    req: &Request,
    state: Data<&AppState>,
    limits: Data<&ReportLimits>,
    Path(tenant): Path<Uuid>,
    form: FilesForm,
) -> Response {
    file_to(req, &state, &limits, Some(tenant), form).await
}

#[handler]
pub(crate) async fn file_to_agency(
    req: &Request,
    state: Data<&AppState>,
    limits: Data<&ReportLimits>,
    form: FilesForm,
) -> Response {
    file_to(req, &state, &limits, None, form).await
}

/// Files the form to the organisation `page` is for (`None`: the
/// Agency's page, where the form names the organisation).
async fn file_to(
    req: &Request,
    state: &AppState,
    limits: &ReportLimits,
    page: Option<Uuid>,
    form: FilesForm,
) -> Response {
    let f = &form.fields;
    let v = Visitor::anonymous(req, f.get("lang").map(String::as_str));
    let r: PageResult = async {
        let tr = &v.tr;
        let (org, orgs) = match page {
            Some(tenant) => (organisation(state, tenant).await?, Vec::new()),
            None => (String::new(), organisations(state).await?),
        };
        let chosen = get(f, "tenant")
            .parse::<Uuid>()
            .ok()
            .filter(|id| orgs.iter().any(|(o, _)| o == id));
        let (target, base, title) = match page {
            Some(tenant) => (
                Target::Org { tenant, name: &org },
                format!("/report/{tenant}"),
                "report-title",
            ),
            None => (
                Target::Agency { orgs: &orgs },
                "/report/agency".to_owned(),
                "report-agency-title",
            ),
        };
        let again = |status: StatusCode, errors: FieldErrors, alert: Option<&str>| {
            private(
                &v,
                status,
                &tr.t(title),
                &base,
                report_form(tr, &target, f, &errors, alert),
            )
        };
        let input = input_of(f, tr.lang.code());
        let mut errors = match svc::validate_report(&input) {
            Err(ServiceError::Invalid { details, .. }) => errors_of(f, &details),
            _ => Vec::new(),
        };
        let tenant = match (page, chosen) {
            (Some(t), _) | (None, Some(t)) => t,
            (None, None) => {
                errors.insert(0, ("tenant".to_owned(), "report-err-org"));
                Uuid::nil()
            }
        };
        if !errors.is_empty() {
            return Ok(again(
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some("report-err-summary"),
            ));
        }
        // Every file is checked before the report is filed: a report is
        // not stored without the evidence its reporter meant to send.
        if let Some(key) = report_files::precheck(&form) {
            return Ok(again(
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![("files".to_owned(), key)],
                Some("report-err-summary"),
            ));
        }
        if let Err(refused) = limits.check_report(tenant) {
            return Ok(again(
                StatusCode::TOO_MANY_REQUESTS,
                Vec::new(),
                Some(refused_key(refused)),
            ));
        }
        let proof = Some(get(f, "proof")).filter(|p| !p.is_empty());
        // A report about the organisation goes to the Agency instead when
        // the reporter does not trust the organisation's own unit, and
        // always from the Agency's page.
        let channel = if page.is_none() || get(f, "to") == "agency" {
            ReportChannel::Agency
        } else {
            ReportChannel::Tenant
        };
        match svc::file_report(
            state,
            &state.reporting,
            tenant,
            channel,
            ReportSource::Web,
            proof,
            &input,
        )
        .await
        {
            Ok(filed) => {
                let unsent = attach_all(state, tenant, filed.id, &form).await;
                Ok(private(
                    &v,
                    StatusCode::CREATED,
                    &tr.t("report-sent-title"),
                    &base,
                    receipt_page(tr, &filed.receipt.to_string(), unsent),
                ))
            }
            Err(e) => match work_refusal(&e) {
                Some((status, key)) => Ok(again(status, Vec::new(), Some(key))),
                None => Err(e.into()),
            },
        }
    }
    .await;
    finish_private(&v, r)
}

/// Attaches the form's files (already checked) to the report just filed;
/// the number that could not be stored (a case's limits, the database),
/// which the receipt page reports: the report itself is already safe.
async fn attach_all(state: &AppState, tenant: Uuid, report: Uuid, form: &FilesForm) -> usize {
    if form.files.is_empty() {
        return 0;
    }
    let Ok(token) = svc::reporter_token(&state.reporting, tenant, report) else {
        return form.files.len();
    };
    let mut unsent = 0;
    for sent in &form.files {
        let Some(bytes) = &sent.bytes else {
            unsent += 1;
            continue;
        };
        if let Err(e) =
            svc::reporter_attach(state, &state.reporting, &token.token, &sent.name, bytes).await
        {
            tracing::warn!(error = %e, "a checked file of a new report was not stored");
            unsent += 1;
        }
    }
    unsent
}

fn receipt_page(tr: &Tr, receipt: &str, unsent: usize) -> Markup {
    html! {
        p class="alert ok" role="status" { (tr.t("report-sent")) }
        @if unsent > 0 { p class="alert error" role="alert" id="files-unsent" { (tr.t_args("files-unsent", &[("n", unsent.to_string().into())])) } }
        h2 { (tr.t("report-receipt-label")) }
        p { output id="receipt" class="receipt" { (receipt) } }
        ul {
            li { strong { (tr.t("report-receipt-once")) } }
            li { (tr.t("report-receipt-lost")) }
            li { (tr.t("report-receipt-share")) }
        }
        p { a href=(format!("/report/follow?lang={}", tr.lang.code())) id="report-follow-link" { (tr.t("report-follow-link")) } }
    }
}

fn receipt_form(tr: &Tr, receipt: &str, error: Option<&str>, alert: Option<&str>) -> Markup {
    html! {
        p class="intro" { (tr.t("report-follow-intro")) }
        @if let Some(a) = alert { p class="alert error" role="alert" id="report-alert" { (tr.t(a)) } }
        form method="post" action="/report/follow" id="follow-form" data-pow="1" class="narrow" {
            input type="hidden" name="lang" value=(tr.lang.code());
            (text_input(tr, "receipt", "report-receipt", receipt, error, Some("report-receipt-hint")))
            (work_parts(tr))
            div class="buttons" { button type="submit" id="follow-open" { (tr.t("report-open")) } }
        }
        p class="muted" { (tr.t("report-receipt-lost")) }
        script src="/assets/pow.js" defer {}
        script src="/assets/report.js" defer {}
    }
}

#[handler]
pub(crate) async fn follow_page(req: &Request) -> Response {
    let v = Visitor::anonymous(req, None);
    let page = follow_private(&v, StatusCode::OK, receipt_form(&v.tr, "", None, None));
    finish_private(&v, Ok(page))
}

/// The reporter's case, with the token in its forms.
fn case_page(
    tr: &Tr,
    token: &str,
    c: &CaseView,
    draft: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> Markup {
    let s = &c.case;
    let closed = !s.status.is_open();
    // A refused file is shown beside the files, anything else beside the
    // message.
    let (error, file_error) = match error {
        Some(e) if e.starts_with("files-") => (None, Some(e)),
        other => (other, None),
    };
    let hidden = html! {
        input type="hidden" name="lang" value=(tr.lang.code());
        input type="hidden" name="token" value=(token);
    };
    html! {
        @if let Some(n) = notice { p class="alert ok" role="status" id="report-notice" { (tr.t(n)) } }
        dl class="facts" id="case-facts" {
            dt { (tr.t("report-case-status")) }
            dd id="case-status" data-status=(s.status.as_str()) { (label(tr, "case-status", s.status.as_str())) }
            @if let Some(o) = s.outcome {
                dt { (tr.t("report-case-outcome")) }
                dd id="case-outcome" data-outcome=(o.as_str()) { (label(tr, "case-outcome", o.as_str())) }
            }
            @if let Some(m) = &c.measures {
                dt { (tr.t("cases-measures")) }
                dd id="case-measures" class="message" { (m) }
            }
            dt { (tr.t("report-received-on")) } dd { (day(s.received_on)) }
            dt { (tr.t("report-ack-due")) } dd { (day(s.ack_due)) }
            dt { (tr.t("report-feedback-due")) } dd { (day(s.feedback_due)) }
        }
        h2 { (tr.t("report-messages")) }
        @if c.messages.is_empty() {
            p class="muted" id="no-messages" { (tr.t("report-no-messages")) }
        } @else {
            ol class="comments" id="case-messages" {
                @for m in &c.messages {
                    li data-author=(m.author.as_str()) {
                        p class="muted" {
                            @if m.author == MessageAuthor::Reporter { (tr.t("report-from-you")) } @else { (tr.t("report-from-handler")) }
                            " · " (day(m.at.date_naive()))
                        }
                        p class="message" { (m.body) }
                    }
                }
            }
        }
        @if closed {
            p class="notice" id="case-closed" { (tr.t("report-closed-note")) }
        } @else {
            form method="post" action="/report/follow/message" id="message-form" {
                (hidden)
                (textarea(tr, "body", "report-message", draft, svc::MAX_MESSAGE, error, None))
                div class="buttons" { button type="submit" id="message-send" { (tr.t("report-send-message")) } }
            }
        }
        form method="post" action="/report/follow" id="refresh-form" class="inline-form" {
            (hidden)
            button type="submit" class="secondary" id="case-refresh" { (tr.t("report-refresh")) }
        }
        (report_files::reporter_files(tr, token, &c.attachments, closed, file_error))
        h2 { (tr.t("report-yours")) }
        (report_facts(tr, &c.report, true))
        p class="muted" { (tr.t("report-token-note")) }
    }
}

/// The page for a token that no longer opens the case (expired after
/// [`svc::REPORTER_TOKEN_MINUTES`], or forged): the receipt form again.
fn expired(v: &Visitor) -> Response {
    follow_private(
        v,
        StatusCode::UNAUTHORIZED,
        receipt_form(&v.tr, "", None, Some("report-err-expired")),
    )
}

#[handler]
pub(crate) async fn follow(
    req: &Request,
    state: Data<&AppState>,
    limits: Data<&ReportLimits>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::anonymous(req, f.get("lang").map(String::as_str));
    let r: PageResult = async {
        let tr = &v.tr;
        let again = |status: StatusCode, error: Option<&str>, alert: Option<&str>| {
            follow_private(
                &v,
                status,
                receipt_form(tr, get(&f, "receipt"), error, alert),
            )
        };
        let token = match f.get("token").filter(|t| !t.is_empty()) {
            Some(t) => t.clone(),
            None => {
                let proof = Some(get(&f, "proof")).filter(|p| !p.is_empty());
                match svc::access(&state, &state.reporting, proof, get(&f, "receipt")).await {
                    Ok(t) => t.token,
                    Err(ServiceError::Malformed(_)) => {
                        return Ok(again(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            Some("report-err-receipt-format"),
                            None,
                        ));
                    }
                    Err(ServiceError::NotFound(_)) => {
                        return Ok(again(
                            StatusCode::NOT_FOUND,
                            Some("report-err-receipt-unknown"),
                            None,
                        ));
                    }
                    Err(e) => {
                        return match work_refusal(&e) {
                            Some((status, key)) => Ok(again(status, None, Some(key))),
                            None => Err(e.into()),
                        };
                    }
                }
            }
        };
        if let Err(refused) = limits.check_reporter(&token, false) {
            return Ok(again(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                Some(refused_key(refused)),
            ));
        }
        match svc::reporter_case(&state, &state.reporting, &token).await {
            Ok(c) => Ok(follow_private(
                &v,
                StatusCode::OK,
                case_page(tr, &token, &c, "", None, None),
            )),
            Err(ServiceError::Unauthorized | ServiceError::NotFound(_)) => Ok(expired(&v)),
            Err(e) => Err(e.into()),
        }
    }
    .await;
    finish_private(&v, r)
}

#[handler]
pub(crate) async fn write(
    req: &Request,
    state: Data<&AppState>,
    limits: Data<&ReportLimits>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::anonymous(req, f.get("lang").map(String::as_str));
    let r: PageResult = async {
        let tr = &v.tr;
        let token = get(&f, "token");
        let body = get(&f, "body");
        let (error, notice, status) = match limits.check_reporter(token, true) {
            Err(refused) => (
                Some(refused_key(refused)),
                None,
                StatusCode::TOO_MANY_REQUESTS,
            ),
            Ok(()) => match svc::reporter_message(&state, &state.reporting, token, body).await {
                Ok(_) => (None, Some("report-message-sent"), StatusCode::CREATED),
                Err(ServiceError::Unauthorized | ServiceError::NotFound(_)) => {
                    return Ok(expired(&v));
                }
                Err(ServiceError::Invalid { details, .. }) => (
                    Some(match details.first().map(|d| d.code.as_str()) {
                        Some("text.too_long") => "err-too-long",
                        _ => "report-err-message",
                    }),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                Err(ServiceError::Conflict(_)) => {
                    (Some("report-err-closed"), None, StatusCode::CONFLICT)
                }
                Err(e) => return Err(e.into()),
            },
        };
        let c = match svc::reporter_case(&state, &state.reporting, token).await {
            Ok(c) => c,
            Err(ServiceError::Unauthorized | ServiceError::NotFound(_)) => return Ok(expired(&v)),
            Err(e) => return Err(e.into()),
        };
        // A message that was stored is not offered again for sending.
        let draft = if notice.is_some() { "" } else { body };
        Ok(follow_private(
            &v,
            status,
            case_page(tr, token, &c, draft, error, notice),
        ))
    }
    .await;
    finish_private(&v, r)
}

/// Downloads a file of the reporter's case; the token travels in the
/// form, never in an address.
#[handler]
pub(crate) async fn follow_file(
    req: &Request,
    state: Data<&AppState>,
    limits: Data<&ReportLimits>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::anonymous(req, f.get("lang").map(String::as_str));
    let token = get(&f, "token");
    if limits.check_reporter(token, false).is_err() {
        return expired(&v);
    }
    let Ok(id) = get(&f, "attachment").parse::<Uuid>() else {
        return finish_private(&v, Err(Fail::NotFound));
    };
    match svc::reporter_download(&state, &state.reporting, token, id).await {
        Ok(d) => report_files::download(d),
        Err(ServiceError::Unauthorized) => expired(&v),
        Err(e) => finish_private(&v, Err(e.into())),
    }
}

/// The reporter adds files to their case from the follow-up page.
#[handler]
pub(crate) async fn follow_attach(
    req: &Request,
    state: Data<&AppState>,
    limits: Data<&ReportLimits>,
    form: FilesForm,
) -> Response {
    let f = &form.fields;
    let v = Visitor::anonymous(req, f.get("lang").map(String::as_str));
    let r: PageResult = async {
        let token = get(f, "token");
        let mut error = report_files::precheck(&form);
        if form.files.is_empty() {
            error = Some("files-err-none");
        }
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        if error.is_none() {
            for sent in &form.files {
                if let Err(refused) = limits.check_reporter(token, true) {
                    error = Some(refused_key(refused));
                    status = StatusCode::TOO_MANY_REQUESTS;
                    break;
                }
                let bytes = sent.bytes.as_deref().unwrap_or_default();
                match svc::reporter_attach(&state, &state.reporting, token, &sent.name, bytes).await
                {
                    Ok(_) => status = StatusCode::CREATED,
                    Err(ServiceError::Unauthorized | ServiceError::NotFound(_)) => {
                        return Ok(expired(&v));
                    }
                    Err(e) => match report_files::file_refusal(&e) {
                        Some(key) => {
                            error = Some(key);
                            status = StatusCode::UNPROCESSABLE_ENTITY;
                            break;
                        }
                        None => return Err(e.into()),
                    },
                }
            }
        }
        let c = match svc::reporter_case(&state, &state.reporting, token).await {
            Ok(c) => c,
            Err(ServiceError::Unauthorized | ServiceError::NotFound(_)) => return Ok(expired(&v)),
            Err(e) => return Err(e.into()),
        };
        let notice = error.is_none().then_some("files-sent");
        Ok(follow_private(
            &v,
            status,
            case_page(&v.tr, token, &c, "", error, notice),
        ))
    }
    .await;
    finish_private(&v, r)
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
    fn blank_rows_of_people_are_left_out_and_errors_find_their_row_again() {
        let f = fields(&[
            ("what", "  "),
            ("involved_0_name", ""),
            ("involved_1_name", ""),
            ("involved_1_position", "head of procurement"),
            ("involved_2_name", "Серік Ахметов"),
        ]);
        let input = input_of(&f, "kk");
        assert_eq!(input.involved.len(), 2, "row 0 is blank");
        assert_eq!(input.language.as_deref(), Some("kk"));
        let Err(ServiceError::Invalid { details, .. }) = svc::validate_report(&input) else {
            panic!("a blank report and a row without a name are refused")
        };
        let errors = errors_of(&f, &details);
        assert_eq!(
            errors,
            [
                ("what".to_owned(), "report-err-what"),
                ("involved_1_name".to_owned(), "report-err-name"),
            ]
        );
    }
}
