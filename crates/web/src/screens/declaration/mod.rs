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
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use uuid::Uuid;

fn declaration_page(
    v: &Visitor,
    frame: &Frame,
    tenant: Uuid,
    values: &Fields,
    errors: &[form::FormError],
    notice: Option<String>,
) -> Response {
    let tr = &v.tr;
    let action = format!("/t/{tenant}/declarations/new");
    let body = html! {
        p { (tr.t("decl-intro")) }
        @if let Some(n) = &notice {
            p.notice #decl-filed role="status" { (n) " " a href={ "/t/" (tenant) "/my" } { (tr.t("nav-my-filings")) } }
        }
        (form::render(tr, &action, &v.csrf, values, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t("decl-title"), body))
}

#[handler]
pub(crate) async fn declaration_form(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::ASSET_DECLARATIONS, act::CREATE).await?;
        let f = frame(&state, &v, ctx.tenant()).await;
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
                notice = Some(
                    v.tr.t_args(
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
                );
            }
            values.insert("person_iin".to_owned(), iin);
        }
        Ok(declaration_page(&v, &f, tenant, &values, &[], notice))
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
        if let Some(section) = values.get("add").cloned() {
            let values = form::with_row_added(values, &section);
            return Ok(declaration_page(&v, &f, tenant, &values, &[], None));
        }
        let (payload, built) = match form::validate(&values, adal_domain::kazakhstan_today()) {
            Ok(ok) => ok,
            Err(errors) => return Ok(declaration_page(&v, &f, tenant, &values, &errors, None)),
        };
        let refused = match adal_service::file_record(
            &state,
            &ctx,
            adal_domain::Kind::AssetDeclaration,
            &payload,
        )
        .await
        {
            Ok(_) => {
                return Ok(redirect(&v, &format!("/t/{tenant}/my?filed=declaration")));
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
        Ok(declaration_page(&v, &f, tenant, &values, &refused, None))
    }
    .await;
    finish(&v, r)
}
