//! The compliance officer's dataset runs: the rules that look at the whole
//! data set at once (docs/rules.md, "Dataset rules") run on a schedule,
//! and here the officer asks for a run now and follows the last ones. The
//! same permissions as `/dataset-runs` of the API: `dataset_runs` read to
//! see (tenant admin, Agency auditor too), write to ask for a run.

use crate::kit::{Fields, PageResult, allowed, authorize, authorize_form, finish, show};
use crate::kit::{head, label, redirect};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::AppState;
use adal_store::dataset;
use maud::html;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// As many runs as the API's list shows.
const LISTED: u64 = 50;

#[handler]
pub(crate) async fn runs(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::DATASET_RUNS, act::READ).await?;
        let may_request = allowed(&state, ctx.caller(), tenant, obj::DATASET_RUNS, act::WRITE).await;
        let runs = dataset::list(&state.store, ctx.tenant(), LISTED).await?;
        let tr = &v.tr;
        let body = html! {
            p { (tr.t("runs-intro")) }
            @if may_request {
                form method="post" action={ "/t/" (tenant) "/dataset-runs" } id="request-run" {
                    input type="hidden" name="csrf" value=(v.csrf);
                    button type="submit" { (tr.t("runs-request")) }
                }
            }
            @if runs.is_empty() {
                p id="no-runs" { (tr.t("runs-none")) }
            } @else {
                div class="scroll" {
                    table id="dataset-runs" {
                        caption { (tr.t("runs-caption")) }
                        (head(tr, &[("col-requested", false), ("col-trigger", false), ("col-status", false), ("col-records-created", true), ("col-corrected", true), ("col-unchanged", true), ("col-error", false)]))
                        tbody {
                            @for run in &runs {
                                tr data-run=(run.id) {
                                    td { (tr.datetime(run.requested_at)) }
                                    td { (label(tr, "run-trigger", &run.trigger)) }
                                    td { (label(tr, "run-status", &run.status)) }
                                    td class="num" { (run.created) }
                                    td class="num" { (run.corrected) }
                                    td class="num" { (run.unchanged) }
                                    td { (run.error.clone().unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
        };
        show(&state, &v, ctx.tenant(), "runs-title", body).await
    }
    .await;
    finish(&v, r)
}

/// Queues a manual run as `POST /dataset-runs` does (a run already
/// waiting is not doubled) and goes back to the list.
#[handler]
pub(crate) async fn request_run(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &form, tenant, obj::DATASET_RUNS, act::WRITE).await?;
        dataset::request(&state.store, ctx.tenant(), dataset::MANUAL, &ctx.actor()).await?;
        Ok(redirect(&v, &format!("/t/{tenant}/dataset-runs")))
    }
    .await;
    finish(&v, r)
}
