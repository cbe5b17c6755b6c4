//! One version: its rules and, for a draft, the dry run and activation.

use super::base;
use super::confirm::{Question, changes, confirm_section, confirmed};
use super::dry_report::{Names, dry_run_report};
use super::view::*;
use crate::kit::{
    Fail, Fields, PageResult, allowed, authorize, authorize_form, caller, finish, frame, page,
    redirect, respond,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::{AppState, DryRunReport, ServiceError, TenantCtx};
use adal_store::rules::{self};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

/// How many of the latest submissions the dry-run form proposes.
const DRY_RUN_PROPOSED: u64 = 50;

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct VersionQuery {
    created: Option<String>,
}

/// What the version page shows besides the rules: a dry run's report
/// (with whom its filings concern), a refusal, or the question before
/// activation.
enum Outcome {
    None,
    Report(Box<DryRunReport>, HashMap<Uuid, String>),
    Refused(Markup),
    Confirm,
}

async fn version_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    number: i32,
    created: bool,
    submissions: &str,
    outcome: Outcome,
) -> PageResult {
    let tenant = ctx.tenant().uuid();
    let tr = &v.tr;
    let ver = rules::get_version(&state.store, ctx.tenant(), number)
        .await
        .map_err(|_| Fail::NotFound)?;
    let writer = allowed(state, caller(v)?, tenant, obj::RULE_SETS, act::WRITE).await;
    let defs = rules::rules_of(&ver)?;
    let adoption = rules::adoption_of(&ver)?;
    let draft = ver.status == rules::DRAFT;
    // The question before activation compares with the version in force.
    let active = match outcome {
        Outcome::Confirm => rules::active_version(&state.store, ctx.tenant()).await?,
        _ => None,
    };
    let active_defs = match &active {
        Some(a) => rules::rules_of(a)?,
        None => Vec::new(),
    };
    let here = format!("{}/v/{number}", base(tenant));
    let status = match outcome {
        Outcome::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let body = html! {
        @if created { p class="alert ok" role="status" id="draft-created" { (tr.t_args("rules-draft-created", &[("version", number.into())])) } }
        p id="version-status" data-status=(ver.status) {
            (tr.t("col-status")) ": " strong { (status_label(tr, &ver.status)) }
            @if let Some(l) = &ver.library_version { " · " (tr.t("rules-library")) " " (l) }
        }
        p { a href=(base(tenant)) { (tr.t("rules-back")) } }
        @if let Outcome::Refused(m) = &outcome { (m) }
        @if let (Outcome::Confirm, true, true) = (&outcome, draft, writer) {
            (confirm_section(tr, &Question {
                here: &here,
                csrf: &v.csrf,
                version: number,
                replaces: active.as_ref().map(|a| a.version),
                changes: changes(&active_defs, &defs),
            }))
        }
        @if draft && writer && !matches!(outcome, Outcome::Confirm) {
            form method="post" action={ (here) "/dry-run" } class="inline-form" id="dry-run-form" {
                input type="hidden" name="csrf" value=(v.csrf);
                label for="dry-run-n" { (tr.t("rules-dry-run-n")) }
                input type="number" min="1" max="500" id="dry-run-n" name="submissions" value=(submissions);
                button type="submit" id="dry-run-submit" { (tr.t("rules-dry-run")) }
            }
            form method="post" action={ (here) "/activate" } class="inline-form" id="activate-form" {
                input type="hidden" name="csrf" value=(v.csrf);
                button type="submit" id="activate-submit" { (tr.t("rules-activate")) }
            }
        }
        @if let Outcome::Report(r, concerns) = &outcome {
            (dry_run_report(tr, r, &Names { lib: &state.library, defs: &defs, concerns }))
        }
        h2 { (tr.t("rules-of-version")) }
        (rules_by_area(tr, &state.library, &defs))
        (left_out(tr, &state.library, adoption.as_ref(), None))
    };
    let f = frame(state, v, ctx.tenant()).await;
    let title = format!("{} {number}", tr.t("rules-version"));
    Ok(respond(v, status, page(v, &f, &title, body)))
}

/// One version: its rules and, for a draft, the dry run and activation.
#[handler]
pub(crate) async fn version(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, number)): Path<(Uuid, i32)>,
    Query(q): Query<VersionQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RULE_SETS, act::READ).await?;
        let n = DRY_RUN_PROPOSED.to_string();
        version_page(
            &state,
            &v,
            &ctx,
            number,
            q.created.is_some(),
            &n,
            Outcome::None,
        )
        .await
    }
    .await;
    finish(&v, r)
}

/// Runs the dry run and shows its report as the answer. It changes
/// nothing but the audit trail, so the answer is the page itself rather
/// than a redirect: a reload runs it again.
#[handler]
pub(crate) async fn dry_run(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, number)): Path<(Uuid, i32)>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let typed = values.get("submissions").map_or("", |s| s.trim());
        let outcome = match typed.parse::<u64>() {
            Err(_) => Outcome::Refused(refusal(
                &v.tr,
                ServiceError::field(
                    "/submissions",
                    "range.submissions",
                    "must be between 1 and 500",
                ),
            )?),
            Ok(n) => match adal_service::dry_run_version(&state, &ctx, number, Some(n)).await {
                Ok(report) => {
                    let concerns = concerns_of(&state, &ctx, &report).await?;
                    Outcome::Report(Box::new(report), concerns)
                }
                Err(e) => Outcome::Refused(refusal(&v.tr, e)?),
            },
        };
        version_page(&state, &v, &ctx, number, false, typed, outcome).await
    }
    .await;
    finish(&v, r)
}

/// Asks first: without `confirm=1` the answer is the version's page with
/// the question (which version it replaces, what changes); with it,
/// activates through the API's path, fixture gate included, and a
/// refusal is shown on the version's page.
#[handler]
pub(crate) async fn activate(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, number)): Path<(Uuid, i32)>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let n = DRY_RUN_PROPOSED.to_string();
        if !confirmed(&values) {
            return version_page(&state, &v, &ctx, number, false, &n, Outcome::Confirm).await;
        }
        match adal_service::activate_version(&state, &ctx, number).await {
            Ok(done) => Ok(redirect(
                &v,
                &format!("{}?activated={}", base(tenant), done.version),
            )),
            Err(e) => {
                let m = refusal(&v.tr, e)?;
                version_page(&state, &v, &ctx, number, false, &n, Outcome::Refused(m)).await
            }
        }
    }
    .await;
    finish(&v, r)
}

/// Whom each filing of the report's findings concerns: the person it is
/// about, or else who filed it, as the findings list names them.
async fn concerns_of(
    state: &AppState,
    ctx: &TenantCtx,
    report: &DryRunReport,
) -> Result<HashMap<Uuid, String>, Fail> {
    let mut ids: Vec<Uuid> = report
        .rules
        .iter()
        .flat_map(|r| {
            r.appear
                .iter()
                .chain(&r.disappear)
                .map(|f| f.submission_id)
                .chain(r.change.iter().map(|c| c.submission_id))
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let subjects = adal_store::submissions::subjects(&state.store, ctx.tenant(), &ids).await?;
    let iins: Vec<String> = subjects
        .values()
        .filter_map(|(iin, _)| iin.clone())
        .collect();
    let people = adal_store::people::get_many_by_iin(&state.store, ctx.tenant(), &iins).await?;
    let users = adal_store::users::list(&state.store, ctx.tenant()).await?;
    Ok(subjects
        .into_iter()
        .filter_map(|(sub, (iin, by))| {
            let name = iin
                .and_then(|i| people.get(&i).map(|p| p.person.full_name.clone()))
                .or_else(|| {
                    users
                        .iter()
                        .find(|u| u.id == by)
                        .map(|u| u.display_name.clone())
                })?;
            Some((sub, name))
        })
        .collect())
}
