//! A person's data: its export and erasure, and the tenant's retention
//! periods (docs/privacy.md).

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::people::{PersonOut, record_out};
use crate::submissions::{ApiTags, Finding, Submission, submission_out};
use adal_authz::{act, obj};
use adal_domain::kazakhstan_today;
use adal_service::TenantCtx;
use adal_store::privacy::{self, Erased, PersonExport};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::Path,
    payload::{Binary, Json},
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One entry of the audit log about the person.
#[derive(Debug, Object)]
pub struct HistoryOut {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    /// What was recorded; `null` when it was erased.
    #[oai(nullable)]
    pub detail: Option<serde_json::Value>,
}

/// Everything the organisation holds about a person.
#[derive(Debug, Object)]
pub struct PersonDataOut {
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub person: PersonOut,
    /// Every version of every record about them or filed by them about
    /// themselves, oldest first; an erased record's payload is `null`.
    pub records: Vec<Submission>,
    pub findings: Vec<Finding>,
    /// The audit log's entries about their person record.
    pub history: Vec<HistoryOut>,
}

fn export_out(e: PersonExport) -> ApiResult<PersonDataOut> {
    Ok(PersonDataOut {
        exported_at: chrono::Utc::now(),
        person: record_out(e.record),
        records: e
            .submissions
            .into_iter()
            .map(|s| submission_out(s, Vec::new()))
            .collect::<ApiResult<_>>()?,
        findings: e.findings.into_iter().map(Finding::from).collect(),
        history: e
            .history
            .into_iter()
            .map(|h| HistoryOut {
                at: h.at,
                actor: h.actor,
                action: h.action,
                detail: h.detail,
            })
            .collect(),
    })
}

#[derive(ApiResponse)]
enum ExportPdfResponse {
    /// The same export as a printable document (A4).
    #[oai(status = 200, content_type = "application/pdf")]
    Ok(Binary<Vec<u8>>),
}

/// `value` as `path: text` lines, nested members by dotted paths
/// (`real_estate.0.address`), for the printable export.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<adal_pdf::Block>) {
    use serde_json::Value;
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(m) => m.iter().for_each(|(k, v)| flatten(&join(k), v, out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten(&join(&i.to_string()), v, out)),
        Value::String(t) => out.push(adal_pdf::Block::Field(prefix.to_owned(), t.clone())),
        Value::Null => out.push(adal_pdf::Block::Field(prefix.to_owned(), "(erased)".into())),
        other => out.push(adal_pdf::Block::Field(prefix.to_owned(), other.to_string())),
    }
}

/// The export as a printable document, in the order of the JSON.
fn export_pdf(state: &AppState, e: &PersonDataOut) -> ApiResult<Vec<u8>> {
    use adal_pdf::Block::{Field, Heading, Text, Title};
    let font = state.pdf_font.as_ref().ok_or_else(|| {
        ApiError::unavailable("no font for PDF documents (pdf_font, docs/privacy.md)")
    })?;
    let p = &e.person;
    let opt = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    let mut b = vec![
        Title(format!("Personal data held about {}", p.full_name)),
        Field("Exported at".into(), e.exported_at.to_rfc3339()),
        Field("IIN".into(), p.iin.clone()),
        Field("Employed from".into(), opt(p.started_on)),
        Field("Employed until".into(), opt(p.ended_on)),
        Heading("Relatives".into()),
    ];
    for r in p.relatives.iter().flatten() {
        b.push(Text(format!(
            "{} ({}){}",
            r.full_name,
            r.relation,
            r.iin
                .as_deref()
                .map(|i| format!(", IIN {i}"))
                .unwrap_or_default()
        )));
    }
    b.push(Heading("Business interests".into()));
    for i in p.interests.iter().flatten() {
        b.push(Text(format!(
            "{} (BIN {}), {}{}",
            i.company_name,
            i.company_bin,
            i.role,
            i.share_percent
                .as_deref()
                .map(|s| format!(", {s}%"))
                .unwrap_or_default()
        )));
    }
    b.push(Heading(format!("Records ({})", e.records.len())));
    for r in &e.records {
        b.push(Text(format!(
            "{} filed {}, {}",
            r.kind,
            r.received_at.to_rfc3339(),
            r.status
        )));
        flatten("", &r.payload, &mut b);
    }
    b.push(Heading(format!("Findings ({})", e.findings.len())));
    for f in &e.findings {
        b.push(Text(format!(
            "{} ({}, {}): {}",
            f.rule_id, f.severity, f.status, f.explanation
        )));
    }
    b.push(Heading("History of the person's record".into()));
    for h in &e.history {
        b.push(Text(format!(
            "{} {} by {}",
            h.at.to_rfc3339(),
            h.action,
            h.actor
        )));
        match &h.detail {
            Some(d) => flatten("", d, &mut b),
            None => b.push(Text("(erased)".into())),
        }
    }
    adal_pdf::render(font, &format!("Personal data: {}", p.full_name), &b)
        .map_err(ApiError::internal)
}

#[derive(ApiResponse)]
enum ExportResponse {
    #[oai(status = 200)]
    Ok(Json<PersonDataOut>),
}

/// What an erasure removed.
#[derive(Debug, Object)]
pub struct ErasedOut {
    /// Records whose content and identifiers were erased.
    pub records: u64,
    /// Findings whose explanation was erased.
    pub findings: u64,
    pub relatives: u64,
    pub interests: u64,
    /// The person's data keys destroyed: what the audit log held about
    /// them, sealed under those keys, can no longer be opened.
    pub keys_destroyed: u64,
}

impl From<Erased> for ErasedOut {
    fn from(e: Erased) -> Self {
        Self {
            records: e.submissions,
            findings: e.findings,
            relatives: e.relatives,
            interests: e.interests,
            keys_destroyed: e.keys_destroyed,
        }
    }
}

#[derive(ApiResponse)]
enum EraseResponse {
    #[oai(status = 200)]
    Ok(Json<ErasedOut>),
}

/// How long the organisation keeps each kind of record, in years.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Kind -> years, 1 to 75: `asset_declaration`, `conflict_of_interest`,
    /// `gift`, `governance`, `hr_action`, `training` (counted from when the
    /// record was filed) and `person` (counted from the end of
    /// employment). A kind not listed is kept until erased by hand.
    pub years: BTreeMap<String, u32>,
}

#[derive(ApiResponse)]
enum RetentionResponse {
    #[oai(status = 200)]
    Ok(Json<Retention>),
}

/// Checks retention periods, every entry at once.
fn check_retention(r: &Retention) -> Result<(), Vec<adal_domain::FieldError>> {
    let mut errors = Vec::new();
    for (kind, years) in &r.years {
        // JSON pointer escaping: `~` and `/` cannot be in a kind we accept,
        // but an unknown key is echoed, so escape it.
        let pointer = format!("/years/{}", kind.replace('~', "~0").replace('/', "~1"));
        if !privacy::RETENTION_KINDS.contains(&kind.as_str()) {
            errors.push(adal_domain::FieldError::coded(
                pointer,
                "choice.unknown",
                format!("must be one of: {}", privacy::RETENTION_KINDS.join(", ")),
            ));
        } else if !privacy::RETENTION_YEARS.contains(years) {
            errors.push(adal_domain::FieldError::coded(
                pointer,
                "number.range",
                format!(
                    "must be from {} to {} years",
                    privacy::RETENTION_YEARS.start(),
                    privacy::RETENTION_YEARS.end()
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

pub struct PrivacyApi;

#[OpenApi]
impl PrivacyApi {
    /// Everything the organisation holds about a person (a data subject's
    /// access request): their record, every record about them with its
    /// content (asset declarations opened), the findings, and the audit
    /// log's history of their record. The export itself is audited.
    #[oai(
        path = "/tenants/:tenant_id/people/:id/export",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "exportPerson"
    )]
    async fn export_person(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<ExportResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PERSONAL_DATA, act::READ)
            .await?;
        let actor = ctx.caller().user_id.to_string();
        let e = privacy::export_person(&state.store, ctx.tenant(), id.0, &actor)
            .await
            .map_err(|e| match e {
                adal_store::StoreError::NotFound => ApiError::not_found("person"),
                e => e.into(),
            })?;
        Ok(ExportResponse::Ok(Json(export_out(e)?)))
    }

    /// Everything the organisation holds about the caller, as
    /// `GET /people/{id}/export` gives it: for the person on file that the
    /// account is linked to (`404` when it is linked to none).
    #[oai(
        path = "/tenants/:tenant_id/me/export",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "exportMyData"
    )]
    async fn export_mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ExportResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let not_linked = || ApiError::not_found("a person on file linked to this account");
        let iin = ctx.caller().person_iin.clone().ok_or_else(not_linked)?;
        let person = adal_store::people::get_by_iin(&state.store, ctx.tenant(), &iin)
            .await?
            .ok_or_else(not_linked)?;
        let actor = ctx.caller().user_id.to_string();
        let e =
            privacy::export_person(&state.store, ctx.tenant(), person.person.id, &actor).await?;
        Ok(ExportResponse::Ok(Json(export_out(e)?)))
    }

    /// `GET /people/{id}/export` as a printable PDF (A4; text in the
    /// operator's font, `pdf_font`; `503` when the machine has none).
    /// Audited as the JSON export is.
    #[oai(
        path = "/tenants/:tenant_id/people/:id/export/pdf",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "exportPersonPdf"
    )]
    async fn export_person_pdf(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<ExportPdfResponse> {
        let app: &AppState = &state;
        let ExportResponse::Ok(json) = self.export_person(Data(app), auth, tenant_id, id).await?;
        Ok(ExportPdfResponse::Ok(Binary(export_pdf(app, &json.0)?)))
    }

    /// `GET /me/export` as a printable PDF.
    #[oai(
        path = "/tenants/:tenant_id/me/export/pdf",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "exportMyDataPdf"
    )]
    async fn export_mine_pdf(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ExportPdfResponse> {
        let app: &AppState = &state;
        let ExportResponse::Ok(json) = self.export_mine(Data(app), auth, tenant_id).await?;
        Ok(ExportPdfResponse::Ok(Binary(export_pdf(app, &json.0)?)))
    }

    /// Erase a person: their record, relatives and interests are deleted;
    /// the records about them keep only what identifies no one (kind,
    /// dates, status, department); their data keys are destroyed, so what
    /// the audit log sealed under them can never be read again while the
    /// log still verifies. Refused with `409` naming every reason while
    /// their data must be kept: still employed, or findings about them
    /// open. Audited, without their name.
    #[oai(
        path = "/tenants/:tenant_id/people/:id/erasure",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "erasePerson"
    )]
    async fn erase_person(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<EraseResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PERSONAL_DATA, act::WRITE)
                .await?;
        let actor = ctx.caller().user_id.to_string();
        let erased =
            privacy::erase_person(&state.store, ctx.tenant(), id.0, &actor, kazakhstan_today())
                .await
                .map_err(|e| match e {
                    adal_store::StoreError::NotFound => ApiError::not_found("person"),
                    e => e.into(),
                })?;
        Ok(EraseResponse::Ok(Json(erased.into())))
    }

    /// How long the organisation keeps each kind of record. A pass of the
    /// worker erases, every hour, what is past its period (findings still
    /// open hold a record back).
    #[oai(
        path = "/tenants/:tenant_id/retention",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "getRetention"
    )]
    async fn get_retention(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<RetentionResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let years = privacy::retention(&state.store, ctx.tenant()).await?;
        Ok(RetentionResponse::Ok(Json(Retention { years })))
    }

    /// Set how long the organisation keeps each kind of record (replaces
    /// every period). The tenant administrator's, audited.
    #[oai(
        path = "/tenants/:tenant_id/retention",
        method = "put",
        tag = "ApiTags::Submissions",
        operation_id = "putRetention"
    )]
    async fn put_retention(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<Retention>,
    ) -> ApiResult<RetentionResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::WRITE).await?;
        check_retention(&body.0).map_err(ApiError::invalid)?;
        let actor = ctx.caller().user_id.to_string();
        privacy::set_retention(&state.store, ctx.tenant(), &actor, &body.0.years).await?;
        Ok(RetentionResponse::Ok(Json(body.0)))
    }
}
