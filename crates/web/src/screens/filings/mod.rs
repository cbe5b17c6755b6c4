//! The filing forms of the flat kinds of record (gifts, conflicts of
//! interest, trainings, feedback reports, governance measures): each is a
//! [`Filing`] over a [`specs::FormSpec`], shown by [`form::render`].

mod form;
mod specs;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

use crate::kit::{
    Fields, Frame, PageResult, authorize, authorize_form, finish, frame, page, redirect, respond,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_domain::records::culture;
use adal_service::{AppState, ServiceError};
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use specs::{CONFLICT, GIFT};
use uuid::Uuid;

/// A filing form of the dashboard: which kind it files, who may use it,
/// and how its fields become the kind's payload (the domain's checks).
struct Filing {
    kind: adal_domain::Kind,
    spec: &'static specs::FormSpec,
    /// The casbin object whose `create` the form needs.
    object: adal_authz::Obj,
    intro: &'static str,
    /// The form's path below `/t/{tenant}/`.
    path: &'static str,
    /// What "my filings" says once it is filed (`?filed=`).
    filed: &'static str,
    /// Preset values of an empty form.
    defaults: &'static [(&'static str, &'static str)],
    validate: fn(&Fields, chrono::NaiveDate) -> Result<serde_json::Value, Vec<FieldError>>,
}

/// The payload of a checked record, as the API stores it.
fn payload_of<T: serde::Serialize>(
    checked: Result<T, Vec<FieldError>>,
) -> Result<serde_json::Value, Vec<FieldError>> {
    checked
        .and_then(|r| serde_json::to_value(r).map_err(|e| vec![FieldError::new("", e.to_string())]))
}

const GIFT_FILING: Filing = Filing {
    kind: adal_domain::Kind::Gift,
    spec: &GIFT,
    object: obj::GIFTS,
    intro: "gift-intro",
    path: "gifts/new",
    filed: "1",
    defaults: &[("direction", "received")],
    validate: |values, today| payload_of(specs::validate_gift(values, today)),
};

const CONFLICT_FILING: Filing = Filing {
    kind: adal_domain::Kind::ConflictOfInterest,
    spec: &CONFLICT,
    object: obj::CONFLICTS,
    intro: "conflict-intro",
    path: "conflicts/new",
    filed: "conflict",
    defaults: &[],
    validate: |values, today| payload_of(specs::validate_conflict(values, today)),
};

const TRAINING_FILING: Filing = Filing {
    kind: adal_domain::Kind::Training,
    spec: &specs::TRAINING,
    object: obj::TRAININGS,
    intro: "training-intro",
    path: "trainings/new",
    filed: "training",
    defaults: &[],
    validate: |values, today| {
        payload_of(specs::validate_flat::<culture::Training>(
            &specs::TRAINING,
            values,
            today,
        ))
    },
};

const FEEDBACK_FILING: Filing = Filing {
    kind: adal_domain::Kind::FeedbackReport,
    spec: &specs::FEEDBACK,
    object: obj::FEEDBACK_REPORTS,
    intro: "feedback-intro",
    path: "feedback/new",
    filed: "feedback",
    defaults: &[],
    validate: |values, today| {
        payload_of(specs::validate_flat::<culture::FeedbackReport>(
            &specs::FEEDBACK,
            values,
            today,
        ))
    },
};

const GOVERNANCE_FILING: Filing = Filing {
    kind: adal_domain::Kind::Governance,
    spec: &specs::GOVERNANCE,
    object: obj::GOVERNANCE,
    intro: "governance-intro",
    path: "governance/new",
    filed: "governance",
    defaults: &[],
    validate: |values, today| {
        payload_of(specs::validate_flat::<culture::GovernanceRecord>(
            &specs::GOVERNANCE,
            values,
            today,
        ))
    },
};

fn filing_page(
    filing: &Filing,
    v: &Visitor,
    frame: &Frame,
    tenant: Uuid,
    values: &Fields,
    errors: &[FieldError],
    notice: Option<String>,
) -> Response {
    let tr = &v.tr;
    let action = format!("/t/{tenant}/{}", filing.path);
    let body = html! {
        p { (tr.t(filing.intro)) }
        @if let Some(n) = &notice {
            p.notice #filing-limit { (n) }
        }
        (form::render(tr, filing.spec, &action, &v.csrf, values, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t(filing.spec.title), body))
}

/// What the gift form says about the limit: the one in force, from the
/// organisation's active `gift-over-mci-limit` rule (its parameter, the
/// tenant's override included) and, with this year's MCI from the
/// settings, in tenge. Nothing when no such rule is in force: no limit is
/// then checked, and the form should not invent one.
async fn gift_limit(
    state: &AppState,
    tenant: adal_store::TenantId,
    tr: &crate::i18n::Tr,
) -> Option<String> {
    use adal_store::{rules, tenants};
    use chrono::Datelike;
    let version = rules::active_version(&state.store, tenant).await.ok()??;
    let rule = rules::rules_of(&version)
        .ok()?
        .into_iter()
        .find(|r| r.id == "gift-over-mci-limit")?;
    let times = rule.params.get("limit_mci")?.as_i64()?;
    let year = adal_domain::kazakhstan_today().year();
    let t = tenants::get(&state.store, tenant).await.ok()?;
    let mci = tenants::settings_of(&t)
        .ok()?
        .mci_by_year
        .get(&year)
        .and_then(|m| m.parse::<rust_decimal::Decimal>().ok());
    Some(match mci {
        Some(m) => tr.t_args(
            "gift-limit-kzt",
            &[
                ("times", times.into()),
                ("year", year.into()),
                (
                    "amount",
                    tr.money(&(m * rust_decimal::Decimal::from(times)).to_string())
                        .into(),
                ),
            ],
        ),
        None => tr.t_args("gift-limit-mci", &[("times", times.into())]),
    })
}

async fn show_filing_form(
    filing: &Filing,
    req: &Request,
    state: &AppState,
    tenant: Uuid,
) -> Response {
    let v = Visitor::load(req, state).await;
    let r: PageResult = async {
        let ctx = authorize(state, &v, tenant, filing.object, act::CREATE).await?;
        let f = frame(state, &v, ctx.tenant()).await;
        let values: Fields = filing
            .defaults
            .iter()
            .map(|(k, d)| ((*k).to_owned(), (*d).to_owned()))
            .collect();
        let notice = match filing.kind {
            adal_domain::Kind::Gift => gift_limit(state, ctx.tenant(), &v.tr).await,
            _ => None,
        };
        Ok(filing_page(filing, &v, &f, tenant, &values, &[], notice))
    }
    .await;
    finish(&v, r)
}

/// Checks the form with the domain's rules; shows it again with each
/// error beside its field, or files the record as the API does.
async fn submit_filing(
    filing: &Filing,
    req: &Request,
    state: &AppState,
    tenant: Uuid,
    values: Fields,
) -> Response {
    let v = Visitor::load(req, state).await;
    let r: PageResult = async {
        let ctx = authorize_form(state, &v, &values, tenant, filing.object, act::CREATE).await?;
        match (filing.validate)(&values, adal_domain::kazakhstan_today()) {
            Err(errors) => {
                let f = frame(state, &v, ctx.tenant()).await;
                Ok(filing_page(filing, &v, &f, tenant, &values, &errors, None))
            }
            Ok(payload) => {
                match adal_service::file_record(state, &ctx, filing.kind, &payload).await {
                    Ok(_) => Ok(redirect(
                        &v,
                        &format!("/t/{tenant}/my?filed={}", filing.filed),
                    )),
                    // What only the service can tell (a second record of the
                    // same identity, a record for someone else) is shown beside
                    // its field like the form's own checks.
                    Err(
                        e @ (ServiceError::Invalid { .. }
                        | ServiceError::Malformed(_)
                        | ServiceError::Conflict(_)),
                    ) => {
                        let errors: Vec<FieldError> = e
                            .field_errors()
                            .into_iter()
                            .map(|fe| FieldError {
                                pointer: specs::form_pointer(&fe.pointer),
                                ..fe
                            })
                            .collect();
                        let f = frame(state, &v, ctx.tenant()).await;
                        Ok(filing_page(filing, &v, &f, tenant, &values, &errors, None))
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    }
    .await;
    finish(&v, r)
}

/// The GET and POST handlers of a [`Filing`]: every form is the same two
/// calls with its own description.
macro_rules! filing_handlers {
    ($($show:ident, $file:ident => $filing:expr;)*) => {$(
        #[handler]
        pub(crate) async fn $show(
            req: &Request,
            state: Data<&AppState>,
            Path(tenant): Path<Uuid>,
        ) -> Response {
            show_filing_form(&$filing, req, &state, tenant).await
        }

        #[handler]
        pub(crate) async fn $file(
            req: &Request,
            state: Data<&AppState>,
            Path(tenant): Path<Uuid>,
            Form(values): Form<Fields>,
        ) -> Response {
            submit_filing(&$filing, req, &state, tenant, values).await
        }
    )*};
}

filing_handlers! {
    gift_form, file_gift => GIFT_FILING;
    conflict_form, file_conflict => CONFLICT_FILING;
    training_form, file_training => TRAINING_FILING;
    feedback_form, file_feedback => FEEDBACK_FILING;
    governance_form, file_governance => GOVERNANCE_FILING;
}
