//! One record on file, `/t/{tenant}/filings/{id}`: what was filed, by
//! whom, whom it concerns, its versions, what it says (in the reader's
//! words, [`content`]), the findings on it, and for a conflict-of-interest
//! disclosure the compliance unit's decisions with the form to decide.
//!
//! Whoever may read the record in the API may open its page: the kinds
//! their role reads, and their own filings of the kinds they file
//! ([`adal_service::reader_visibility`], as `GET .../submissions/{id}`).
//! Anything else, another tenant's ids included, is the same 404. The
//! decision goes through [`adal_service::conflicts::decide`], the API's
//! own path.

mod content;

use crate::i18n::Tr;
use crate::kit::{
    Fail, Fields, PageResult, allowed, authorize, authorize_form, caller, error_summary,
    error_text, errors_of, finish, label, redirect, show_as,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_domain::records::coi::Resolution;
use adal_service::{AppState, ServiceError, TenantCtx};
use adal_store::evaluation::{self, FindingFilter};
use adal_store::submissions::{self, Submission};
use adal_store::{coi, org, people, users};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// `?decided=1` after a decision was recorded.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RecordQuery {
    decided: Option<String>,
}

/// The record, if the caller may read it; else the page is a 404.
async fn readable(state: &AppState, ctx: &TenantCtx, id: Uuid) -> Result<Submission, Fail> {
    let vis = adal_service::reader_visibility(state, ctx).await;
    submissions::get(&state.store, ctx.tenant(), id)
        .await
        .ok()
        .filter(|s| vis.allows(s))
        .ok_or(Fail::NotFound)
}

fn link(tenant: Uuid, id: Uuid) -> String {
    format!("/t/{tenant}/filings/{id}")
}

/// Whom the record concerns, from the people on file: name, position,
/// department.
async fn subject_of(
    state: &AppState,
    ctx: &TenantCtx,
    s: &Submission,
) -> Result<Option<String>, Fail> {
    let Some(iin) = s.subject_iin.as_deref() else {
        return Ok(None);
    };
    let Some(p) = people::get_by_iin(&state.store, ctx.tenant(), iin).await? else {
        return Ok(Some(iin.to_owned()));
    };
    let mut parts = vec![p.person.full_name];
    if let Some(pos) = p.person.position_id
        && let Ok(pos) = org::get_position(&state.store, ctx.tenant(), pos).await
    {
        parts.push(pos.title);
    }
    if let Some(d) = p.person.department_id
        && let Ok(d) = org::get_department(&state.store, ctx.tenant(), d).await
    {
        parts.push(d.name);
    }
    Ok(Some(parts.join(", ")))
}

/// The decision form's values and errors, and whether one was just made.
struct DecisionForm<'a> {
    values: &'a Fields,
    errors: &'a [(Option<String>, FieldError)],
    decided: bool,
}

fn decisions_section(
    tr: &Tr,
    v: &Visitor,
    here: &str,
    decisions: &[coi::CoiDecision],
    name_of: &dyn Fn(Uuid) -> String,
    form: Option<&DecisionForm<'_>>,
) -> Markup {
    html! {
        section id="decisions" {
            h2 { (tr.t("rec-decisions")) }
            @if form.is_some_and(|f| f.decided) {
                p class="alert ok" role="status" id="decision-recorded" { (tr.t("rec-decision-recorded")) }
            }
            @if decisions.is_empty() {
                p id="decisions-none" { (tr.t("rec-decisions-none")) }
            } @else {
                ol class="comments" id="decisions-list" {
                    @for d in decisions {
                        li data-decision=(d.decision) {
                            p { strong { (label(tr, "rec-coi-decision", &d.decision)) } }
                            p { (d.note) }
                            p class="muted" { (name_of(d.decided_by)) ", " (tr.datetime(d.decided_at)) }
                        }
                    }
                }
            }
            @if let Some(f) = form {
                @let chosen = f.values.get("decision").map_or("", |s| s.trim());
                @let d_errs = errors_of(f.errors, "decision");
                @let n_errs = errors_of(f.errors, "note");
                (error_summary(tr, !f.errors.is_empty(), &crate::kit::orphans(tr, f.errors)))
                form method="post" action={ (here) "/decision" } class="filing" id="decision-form" novalidate {
                    input type="hidden" name="csrf" value=(v.csrf);
                    fieldset class={ "field" @if !d_errs.is_empty() { " invalid" } } id="decision"
                        aria-describedby=[(!d_errs.is_empty()).then_some("decision-error")] {
                        legend { (tr.t("rec-decide")) }
                        @for r in Resolution::ALL {
                            @let id = format!("decision-{}", r.as_str());
                            label for=(id) class="choice" {
                                input type="radio" id=(id) name="decision" value=(r.as_str()) checked[chosen == r.as_str()];
                                " " (label(tr, "rec-coi-decision", r.as_str()))
                            }
                        }
                        @if !d_errs.is_empty() {
                            p class="field-error" id="decision-error" { @for e in &d_errs { (error_text(tr, e)) " " } }
                        }
                    }
                    div class={ "field" @if !n_errs.is_empty() { " invalid" } } {
                        label for="decision-note" { (tr.t("rec-decision-note")) }
                        textarea id="decision-note" name="note" rows="3" maxlength="2000"
                            aria-invalid=[(!n_errs.is_empty()).then_some("true")]
                            aria-describedby={ "decision-note-hint" @if !n_errs.is_empty() { " decision-note-error" } } {
                            (f.values.get("note").map_or("", String::as_str))
                        }
                        p class="hint" id="decision-note-hint" { (tr.t("rec-decision-note-hint")) }
                        @if !n_errs.is_empty() {
                            p class="field-error" id="decision-note-error" { @for e in &n_errs { (error_text(tr, e)) " " } }
                        }
                    }
                    button type="submit" id="decision-submit" { (tr.t("rec-decide-submit")) }
                }
            }
        }
    }
}

/// The page; `form` carries the decision form's values and errors when
/// it is shown again.
async fn record_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Uuid,
    form: Option<DecisionForm<'_>>,
    status: StatusCode,
) -> PageResult {
    let tr = &v.tr;
    let c = caller(v)?;
    let tenant = ctx.tenant().uuid();
    let s = readable(state, ctx, id).await?;
    let accounts = users::list(&state.store, ctx.tenant()).await?;
    let name_of = |u: Uuid| {
        accounts
            .iter()
            .find(|a| a.id == u)
            .map_or_else(|| tr.t("rec-someone"), |a| a.display_name.clone())
    };
    let positions: content::Positions = org::list_positions(&state.store, ctx.tenant())
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.title))
        .collect();
    let concerns = subject_of(state, ctx, &s).await?;
    let payload: serde_json::Value = serde_json::from_str(&s.payload).unwrap_or_default();
    // The findings on it: every one for whoever reads findings, and the
    // filer's own (as "my filings" shows them).
    let reads_findings = allowed(state, c, tenant, obj::FINDINGS_ALL, act::READ).await;
    let findings = if reads_findings || s.submitted_by == c.user_id {
        let scope = adal_service::reader_scope(state, ctx).await;
        let filter = FindingFilter {
            submission_id: Some(s.id),
            ..FindingFilter::default()
        };
        evaluation::list_findings(&state.store, ctx.tenant(), &scope, &filter, 0, 100)
            .await?
            .0
    } else {
        Vec::new()
    };
    let is_disclosure = s.kind == adal_domain::Kind::ConflictOfInterest.as_str();
    let decisions = if is_disclosure {
        coi::decisions(&state.store, ctx.tenant(), s.id).await?
    } else {
        Vec::new()
    };
    // No one decides on their own disclosure (the service refuses it too).
    let may_decide = is_disclosure
        && s.superseded_by.is_none()
        && s.submitted_by != c.user_id
        && allowed(state, c, tenant, obj::CONFLICT_DECISIONS, act::DECIDE).await;
    let empty = Fields::new();
    let form = form.unwrap_or(DecisionForm {
        values: &empty,
        errors: &[],
        decided: false,
    });
    let here = link(tenant, s.id);
    let procurement = s.kind == adal_domain::Kind::Procurement.as_str();
    let body = html! {
        dl class="facts" id="record" data-kind=(s.kind) data-status=(s.status) {
            dt { (tr.t("rec-record-kind")) } dd id="record-kind" { (label(tr, "kind", &s.kind)) }
            dt { (tr.t("col-status")) } dd id="record-status" { (label(tr, "status", &s.status)) }
            dt { (tr.t("rec-received")) } dd { (tr.datetime(s.received_at)) }
            dt { (tr.t("col-filed-by")) } dd id="record-filed-by" { (name_of(s.submitted_by)) }
            @if let Some(who) = &concerns { dt { (tr.t("col-concerns")) } dd id="record-concerns" { (who) } }
            @if let Some(old) = s.supersedes {
                dt { (tr.t("rec-corrects")) } dd { a href=(link(tenant, old)) id="record-corrects" { (tr.t("rec-earlier-version")) } }
            }
        }
        @if let Some(new) = s.superseded_by {
            p class="alert warn" role="status" id="record-superseded" {
                (tr.t("rec-superseded")) " " a href=(link(tenant, new)) { (tr.t("rec-latest-version")) }
            }
        }
        @if s.kind == adal_domain::Kind::AssetDeclaration.as_str() && s.superseded_by.is_none() && s.submitted_by == c.user_id {
            p { a class="button" href={ "/t/" (tenant) "/declarations/new?corrects=" (s.id) } id="record-correct" { (tr.t("rec-correct")) } }
        }
        h2 { (tr.t("rec-content")) }
        @if procurement {
            p { a href={ "/t/" (tenant) "/procurements?q=" (s.reference.as_deref().unwrap_or_default()) } id="record-procurement" { (tr.t("rec-see-procurement")) } }
        } @else {
            (content::render(tr, &payload, &positions))
        }
        @if reads_findings || s.submitted_by == c.user_id {
            h2 { (tr.t("rec-findings")) }
            @if findings.is_empty() {
                p id="record-findings-none" { (tr.t("rec-findings-none")) }
            } @else {
                ul id="record-findings" {
                    @for f in &findings {
                        li data-finding=(f.id) data-rule=(f.rule_id) {
                            span class={ "sev sev-" (f.severity) } { (label(tr, "severity", &f.severity)) } " "
                            @if reads_findings {
                                a href={ "/t/" (tenant) "/findings/" (f.id) } { (tr.rule_title(&f.rule_id, &f.rule_id)) }
                            } @else {
                                (tr.rule_title(&f.rule_id, &f.rule_id))
                            }
                            " — " (label(tr, "status", &f.status))
                        }
                    }
                }
            }
        }
        @if is_disclosure {
            (decisions_section(tr, v, &here, &decisions, &name_of, may_decide.then_some(&form)))
        }
    };
    show_as(state, v, ctx.tenant(), "rec-title", body, status).await
}

#[handler]
pub(crate) async fn record(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
    Query(q): Query<RecordQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::TENANT, act::READ).await?;
        let empty = Fields::new();
        let form = DecisionForm {
            values: &empty,
            errors: &[],
            decided: q.decided.as_deref() == Some("1"),
        };
        record_page(&state, &v, &ctx, id, Some(form), StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}

/// Records the compliance unit's decision on a disclosure; the page again
/// with each refusal beside its input and what was typed kept.
#[handler]
pub(crate) async fn decide(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(
            &state,
            &v,
            &values,
            tenant,
            obj::CONFLICT_DECISIONS,
            act::DECIDE,
        )
        .await?;
        // Only a disclosure the decider may read; anything else is a 404
        // before anything is checked.
        readable(&state, &ctx, id).await?;
        let get = |k: &str| values.get(k).map_or("", String::as_str);
        match adal_service::conflicts::decide(&state, &ctx, id, get("decision"), get("note")).await
        {
            Ok(_) => Ok(redirect(&v, &format!("{}?decided=1", link(tenant, id)))),
            Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
                let errors: Vec<(Option<String>, FieldError)> = e
                    .field_errors()
                    .into_iter()
                    .map(|fe| {
                        let field = match fe.pointer.as_str() {
                            "/decision" => Some("decision".to_owned()),
                            "/note" => Some("note".to_owned()),
                            _ => None,
                        };
                        (field, fe)
                    })
                    .collect();
                let form = DecisionForm {
                    values: &values,
                    errors: &errors,
                    decided: false,
                };
                record_page(
                    &state,
                    &v,
                    &ctx,
                    id,
                    Some(form),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    finish(&v, r)
}
