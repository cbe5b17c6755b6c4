//! The declaration of assets, liabilities, income and property: the form
//! ([`form`]) and its two handlers.

mod form;

use crate::kit::{
    Fields, Frame, PageResult, authorize, authorize_form, finish, frame, page, redirect, respond,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_service::{AppState, ServiceError};
use chrono::Datelike;
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// A correction's query: the declaration it corrects.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct DeclQuery {
    corrects: Option<String>,
}

/// What the page says above the form: that this year's declaration is on
/// file (with a link to correct it), or which one a correction replaces.
enum Notice {
    Filed { text: String, id: Uuid },
    Correcting(String),
}

fn declaration_page(
    v: &Visitor,
    frame: &Frame,
    tenant: Uuid,
    values: &Fields,
    errors: &[form::FormError],
    notice: Option<Notice>,
    corrects: Option<Uuid>,
) -> Response {
    let tr = &v.tr;
    let action = match corrects {
        Some(id) => format!("/t/{tenant}/declarations/new?corrects={id}"),
        None => format!("/t/{tenant}/declarations/new"),
    };
    let body = html! {
        p { (tr.t("decl-intro")) }
        @match &notice {
            Some(Notice::Filed { text, id }) => {
                p.notice #decl-filed role="status" {
                    (text) " "
                    a href={ "/t/" (tenant) "/declarations/new?corrects=" (id) } id="decl-correct" { (tr.t("decl-correct-it")) }
                    " · " a href={ "/t/" (tenant) "/my" } { (tr.t("nav-my-filings")) }
                }
            }
            Some(Notice::Correcting(text)) => { p.notice #decl-correcting role="status" { (text) } }
            None => {}
        }
        (form::render(tr, &action, &v.csrf, values, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = if corrects.is_some() {
        "decl-correct-title"
    } else {
        "decl-title"
    };
    respond(v, status, page(v, frame, &tr.t(title), body))
}

/// The declaration `raw` names, if the caller may correct it now; any
/// other id, a bad one included, is the same 404.
async fn to_correct(
    state: &AppState,
    v: &Visitor,
    tenant: Uuid,
    raw: &str,
) -> Result<adal_store::submissions::Submission, crate::kit::Fail> {
    let id = raw
        .trim()
        .parse::<Uuid>()
        .map_err(|_| crate::kit::Fail::NotFound)?;
    let old = adal_service::filing::correctable(state, crate::kit::caller(v)?, tenant, id).await?;
    if old.kind != adal_domain::Kind::AssetDeclaration.as_str() {
        return Err(crate::kit::Fail::NotFound);
    }
    Ok(old)
}

/// What the correction form says: the year and when the version it
/// replaces was filed.
fn correcting(v: &Visitor, old: &adal_store::submissions::Submission, values: &Fields) -> Notice {
    Notice::Correcting(
        v.tr.t_args(
            "decl-correcting",
            &[
                (
                    "year",
                    values.get("year").cloned().unwrap_or_default().into(),
                ),
                (
                    "date",
                    adal_domain::kazakhstan_date(old.received_at)
                        .to_string()
                        .into(),
                ),
            ],
        ),
    )
}

#[handler]
pub(crate) async fn declaration_form(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<DeclQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::ASSET_DECLARATIONS, act::CREATE).await?;
        let f = frame(&state, &v, ctx.tenant()).await;
        // A correction: the form filled with the version on file.
        if let Some(raw) = &q.corrects {
            let old = to_correct(&state, &v, tenant, raw).await?;
            let payload: serde_json::Value = serde_json::from_str(&old.payload).unwrap_or_default();
            let Some(values) = form::values_of(&payload) else {
                return Err(crate::kit::Fail::Refused {
                    conflict: true,
                    errors: vec![FieldError::coded(
                        "",
                        "form.too_many_rows",
                        "this declaration has more items in a section than the form shows; correct it through the API",
                    )],
                });
            };
            let notice = correcting(&v, &old, &values);
            return Ok(declaration_page(&v, &f, tenant, &values, &[], Some(notice), Some(old.id)));
        }
        // The reporting year open now: the one that ended last, and the
        // person the account belongs to. When they already filed for that
        // year, the form says so and presets no year: a second one would be
        // refused, and a change is a correction of the one filed.
        let year = adal_domain::kazakhstan_today().year() - 1;
        let mut values: Fields = [("year".to_owned(), year.to_string())].into();
        let mut notice = None;
        if let Some(iin) = ctx.caller().person_iin.clone() {
            let filed = adal_store::submissions::current_by_reference(
                &state.store,
                ctx.tenant(),
                adal_domain::Kind::AssetDeclaration.as_str(),
                &adal_store::declarations::reference(year, &iin),
            )
            .await
            .map_err(ServiceError::from)?;
            if let Some(s) = filed {
                values.remove("year");
                notice = Some(Notice::Filed {
                    id: s.id,
                    text: v.tr.t_args(
                        "decl-already-filed",
                        &[
                            ("year", year.to_string().into()),
                            (
                                "date",
                                adal_domain::kazakhstan_date(s.received_at)
                                    .to_string()
                                    .into(),
                            ),
                        ],
                    ),
                });
            }
            values.insert("person_iin".to_owned(), iin);
        }
        Ok(declaration_page(&v, &f, tenant, &values, &[], notice, None))
    }
    .await;
    finish(&v, r)
}

/// "Add a row" draws the form again with one more row in that section;
/// otherwise the declaration is checked with the domain's rules and filed
/// through the API's own path, whose refusals (a second declaration for
/// the same person and year) are shown on the form too.
#[handler]
pub(crate) async fn file_declaration(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<DeclQuery>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(
            &state,
            &v,
            &values,
            tenant,
            obj::ASSET_DECLARATIONS,
            act::CREATE,
        )
        .await?;
        let f = frame(&state, &v, ctx.tenant()).await;
        // A correction is checked again on every post: the version may
        // have been corrected meanwhile.
        let old = match &q.corrects {
            Some(raw) => Some(to_correct(&state, &v, tenant, raw).await?),
            None => None,
        };
        let corrects = old.as_ref().map(|o| o.id);
        let notice = |values: &Fields| old.as_ref().map(|o| correcting(&v, o, values));
        if let Some(section) = values.get("add").cloned() {
            let values = form::with_row_added(values, &section);
            let n = notice(&values);
            return Ok(declaration_page(&v, &f, tenant, &values, &[], n, corrects));
        }
        let (payload, built) = match form::validate(&values, adal_domain::kazakhstan_today()) {
            Ok(ok) => ok,
            Err(errors) => {
                let n = notice(&values);
                return Ok(declaration_page(
                    &v, &f, tenant, &values, &errors, n, corrects,
                ));
            }
        };
        let filed = match &old {
            Some(o) => {
                adal_service::filing::correct(
                    &state,
                    crate::kit::caller(&v)?,
                    tenant,
                    o.id,
                    &payload,
                )
                .await
            }
            None => {
                adal_service::file_record(
                    &state,
                    &ctx,
                    adal_domain::Kind::AssetDeclaration,
                    &payload,
                )
                .await
            }
        };
        let refused = match filed {
            Ok(_) => {
                let what = if old.is_some() {
                    "correction"
                } else {
                    "declaration"
                };
                return Ok(redirect(&v, &format!("/t/{tenant}/my?filed={what}")));
            }
            // A second declaration for the person and year: said beside
            // the year, in the form's own words.
            Err(ServiceError::Conflict(d)) if d.code == "record.duplicate" => {
                vec![form::FormError {
                    field: Some("year".into()),
                    error: FieldError::coded(
                        "/year",
                        "record.duplicate",
                        crate::kit::errors::EXISTS,
                    ),
                }]
            }
            Err(
                e @ (ServiceError::Invalid { .. }
                | ServiceError::Malformed(_)
                | ServiceError::Conflict(_)),
            ) => form::locate(e.field_errors(), &built.rows),
            Err(e) => return Err(e.into()),
        };
        let n = notice(&values);
        Ok(declaration_page(
            &v, &f, tenant, &values, &refused, n, corrects,
        ))
    }
    .await;
    finish(&v, r)
}
