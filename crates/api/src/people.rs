//! The tenant's people (with relatives and interests), and bulk imports
//! with their progress and per-row reports. (Exports of every list are in
//! `exports`.)

use crate::bearer::BearerAuth;
use crate::body::{JsonBody, Upload};
use crate::error::{ApiError, ApiResult};
use crate::submissions::ApiTags;
use crate::{AppState, page};
use adal_authz::{act, obj};
use adal_domain::records::parse_value;
use adal_domain::records::person::Person as PersonRecord;
use adal_domain::{FieldError, kazakhstan_today};
use adal_service::TenantCtx;
use adal_store::imports::{self, ImportStatus};
use adal_store::people::{self, Outcome, PeopleFilter};
use adal_store::{org, procurement};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

#[derive(Debug, Object)]
pub struct RelativeOut {
    pub relation: String,
    pub full_name: String,
    #[oai(nullable)]
    pub iin: Option<String>,
}

#[derive(Debug, Object)]
pub struct InterestOut {
    pub company_bin: String,
    pub company_name: String,
    pub role: String,
    #[oai(nullable)]
    pub share_percent: Option<String>,
    #[oai(nullable)]
    pub since: Option<chrono::NaiveDate>,
}

#[derive(Debug, Object)]
pub struct PersonOut {
    pub id: Uuid,
    pub iin: String,
    pub full_name: String,
    #[oai(nullable)]
    pub department_id: Option<Uuid>,
    #[oai(nullable)]
    pub position_id: Option<Uuid>,
    #[oai(nullable)]
    pub started_on: Option<chrono::NaiveDate>,
    #[oai(nullable)]
    pub ended_on: Option<chrono::NaiveDate>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Present on `GET /people/{id}` and after filing; omitted in lists.
    #[oai(nullable)]
    pub relatives: Option<Vec<RelativeOut>>,
    #[oai(nullable)]
    pub interests: Option<Vec<InterestOut>>,
}

fn person_out(p: people::PersonRow) -> PersonOut {
    PersonOut {
        id: p.id,
        iin: p.iin,
        full_name: p.full_name,
        department_id: p.department_id,
        position_id: p.position_id,
        started_on: p.started_on,
        ended_on: p.ended_on,
        updated_at: p.updated_at,
        relatives: None,
        interests: None,
    }
}

pub(crate) fn record_out(r: people::PersonRecord) -> PersonOut {
    let mut out = person_out(r.person);
    out.relatives = Some(
        r.relatives
            .into_iter()
            .map(|x| RelativeOut {
                relation: x.relation,
                full_name: x.full_name,
                iin: x.iin,
            })
            .collect(),
    );
    out.interests = Some(
        r.interests
            .into_iter()
            .map(|x| InterestOut {
                company_bin: x.company_bin,
                company_name: x.company_name,
                role: x.role,
                share_percent: x.share_percent,
                since: x.since,
            })
            .collect(),
    );
    out
}

#[derive(ApiResponse)]
enum PutPersonResponse {
    /// A new person.
    #[oai(status = 201)]
    Created(Json<PersonOut>),
    /// An existing person (matched by IIN), updated or already so.
    #[oai(status = 200)]
    Ok(Json<PersonOut>),
}

#[derive(Debug, Object)]
pub struct PersonPage {
    pub items: Vec<PersonOut>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(ApiResponse)]
enum ListPeopleResponse {
    #[oai(status = 200)]
    Ok(Json<PersonPage>),
}

/// How a contracting process involves a person.
#[derive(Debug, Object)]
pub struct Involvement {
    /// `named` (the process names the person by IIN), `interest` (a
    /// tenderer or supplier is a company they declared an interest in) or
    /// `relative` (the process names a relative they declared).
    pub by: String,
    #[oai(nullable)]
    pub company_bin: Option<String>,
    #[oai(nullable)]
    pub iin: Option<String>,
    #[oai(nullable)]
    pub relation: Option<String>,
}

#[derive(Debug, Object)]
pub struct PersonProcurement {
    pub procurement: crate::tenant::Procurement,
    pub involvement: Vec<Involvement>,
}

#[derive(ApiResponse)]
enum PersonProcurementsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<PersonProcurement>>),
}

#[derive(ApiResponse)]
enum GetPersonResponse {
    #[oai(status = 200)]
    Ok(Json<PersonOut>),
}

#[derive(Debug, Object)]
pub struct RowErrorOut {
    /// The CSV line (the header is line 1), or the JSON line or release
    /// number of an OCDS file.
    pub row: u64,
    /// The CSV column, or the JSON pointer inside the release.
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Object)]
pub struct ImportOut {
    pub id: Uuid,
    /// `people`, `relatives`, `interests` or `ocds`.
    pub kind: String,
    pub file_name: String,
    /// `queued`, `running`, `done` or `failed` (the file as a whole could
    /// not be read; `error` says why).
    pub status: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    /// Rows that created or changed something.
    pub accepted: i64,
    /// Rows identical to what is stored (a re-import).
    pub unchanged: i64,
    pub rejected: i64,
    /// Every rejected row (up to 10,000) with the reason.
    pub report: Vec<RowErrorOut>,
    #[oai(nullable)]
    pub error: Option<String>,
    pub created_by: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[oai(nullable)]
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(nullable)]
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn import_out(i: ImportStatus) -> ImportOut {
    ImportOut {
        id: i.id,
        kind: i.kind,
        file_name: i.file_name,
        status: i.status,
        total_rows: i.total_rows,
        processed_rows: i.processed_rows,
        accepted: i.accepted,
        unchanged: i.unchanged,
        rejected: i.rejected,
        report: i
            .report
            .into_iter()
            .map(|r| RowErrorOut {
                row: r.row,
                column: r.column,
                reason: r.reason,
            })
            .collect(),
        error: i.error,
        created_by: i.created_by,
        created_at: i.created_at,
        started_at: i.started_at,
        finished_at: i.finished_at,
    }
}

#[derive(ApiResponse)]
enum CreateImportResponse {
    /// Stored; a worker applies it. Follow `GET /imports/{id}`.
    #[oai(status = 202)]
    Accepted(Json<ImportOut>),
}

#[derive(ApiResponse)]
enum GetImportResponse {
    #[oai(status = 200)]
    Ok(Json<ImportOut>),
}

#[derive(Debug, Object)]
pub struct ImportPage {
    pub items: Vec<ImportOut>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(ApiResponse)]
enum ListImportsResponse {
    #[oai(status = 200)]
    Ok(Json<ImportPage>),
}

pub struct PeopleApi;

#[OpenApi]
impl PeopleApi {
    /// File a person with their relatives and business interests
    /// (`GET /schemas/person`). Matched by IIN: an existing person is
    /// corrected (their relatives and interests become exactly those
    /// given), the same content changes nothing.
    #[oai(
        path = "/tenants/:tenant_id/people",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "putPerson"
    )]
    async fn put_person(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<PutPersonResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PEOPLE, act::WRITE).await?;
        let p: PersonRecord = parse_value(&body.0, kazakhstan_today()).map_err(ApiError::record)?;
        let mut errors = Vec::new();
        if let Some(d) = p.department_id
            && org::get_department(&state.store, ctx.tenant(), d)
                .await
                .is_err()
        {
            errors.push(FieldError::new(
                "/department_id",
                "no such department in this tenant",
            ));
        }
        if let Some(pos) = p.position_id
            && org::get_position(&state.store, ctx.tenant(), pos)
                .await
                .is_err()
        {
            errors.push(FieldError::new(
                "/position_id",
                "no such position in this tenant",
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let (rec, outcome) =
            people::put(&state.store, ctx.tenant(), ctx.caller().user_id, &p).await?;
        Ok(match outcome {
            Outcome::Created => PutPersonResponse::Created(Json(record_out(rec))),
            _ => PutPersonResponse::Ok(Json(record_out(rec))),
        })
    }

    /// The tenant's people, by name, with filters.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/tenants/:tenant_id/people",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "listPeople"
    )]
    async fn list_people(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        department_id: Query<Option<Uuid>>,
        position_id: Query<Option<Uuid>>,
        iin: Query<Option<String>>,
        q: Query<Option<String>>,
        current_only: Query<Option<bool>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<ListPeopleResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PEOPLE, act::READ).await?;
        let (offset, limit) = page(offset.0, limit.0)?;
        let filter = PeopleFilter {
            department_id: department_id.0,
            position_id: position_id.0,
            iin: iin.0,
            text: q.0,
            current_only: current_only.0.unwrap_or(false),
        };
        let (rows, total) =
            people::list(&state.store, ctx.tenant(), &filter, offset, limit).await?;
        Ok(ListPeopleResponse::Ok(Json(PersonPage {
            items: rows.into_iter().map(person_out).collect(),
            total,
            offset,
            limit,
        })))
    }

    /// One person with their relatives and interests.
    #[oai(
        path = "/tenants/:tenant_id/people/:id",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "getPerson"
    )]
    async fn get_person(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<GetPersonResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PEOPLE, act::READ).await?;
        let rec = people::get(&state.store, ctx.tenant(), id.0)
            .await
            .map_err(|_| ApiError::not_found("person"))?;
        Ok(GetPersonResponse::Ok(Json(record_out(rec))))
    }

    /// The contracting processes that involve a person: that name them or
    /// a relative they declared by IIN (a committee member, an individual
    /// party), or in which a company they declared an interest in bids or
    /// supplies. Each with how it involves them.
    #[oai(
        path = "/tenants/:tenant_id/people/:id/procurements",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "getPersonProcurements"
    )]
    async fn person_procurements(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<PersonProcurementsResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PEOPLE, act::READ).await?;
        // Both people and procurements: the answer is about each.
        ctx.require(&state, obj::PROCUREMENTS, act::READ).await?;
        let rec = people::get(&state.store, ctx.tenant(), id.0)
            .await
            .map_err(|_| ApiError::not_found("person"))?;
        let found = procurement::involving(&state.store, ctx.tenant(), &rec).await?;
        let mut out = Vec::with_capacity(found.len());
        for (p, why) in found {
            out.push(PersonProcurement {
                procurement: p.try_into()?,
                involvement: why
                    .into_iter()
                    .map(|w| match w {
                        procurement::Involvement::Named => Involvement {
                            by: "named".into(),
                            company_bin: None,
                            iin: None,
                            relation: None,
                        },
                        procurement::Involvement::Interest { company_bin } => Involvement {
                            by: "interest".into(),
                            company_bin: Some(company_bin),
                            iin: None,
                            relation: None,
                        },
                        procurement::Involvement::Relative { iin, relation } => Involvement {
                            by: "relative".into(),
                            company_bin: None,
                            iin: Some(iin),
                            relation: Some(relation),
                        },
                    })
                    .collect(),
            });
        }
        Ok(PersonProcurementsResponse::Ok(Json(out)))
    }

    /// Upload a file to import: `people`, `relatives` or `interests` as CSV
    /// with a header row, or `ocds` as a release package, a record package
    /// or JSON lines of compiled releases. Answers once the file is stored;
    /// a worker applies it row by row.
    #[oai(
        path = "/tenants/:tenant_id/imports/:kind",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "createImport"
    )]
    async fn create_import(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        kind: Path<String>,
        file_name: Query<Option<String>>,
        body: Upload,
    ) -> ApiResult<CreateImportResponse> {
        let (o, a) = adal_service::import_permission(&kind.0).ok_or_else(|| {
            ApiError::not_found(&format!(
                "import kind {:?} (the kinds are: people, relatives, interests, ocds)",
                kind.0
            ))
        })?;
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, o, a).await?;
        let name = file_name.0.unwrap_or_else(|| format!("{}.upload", kind.0));
        let name = adal_domain::Name::parse(&name)
            .map_err(|e| ApiError::field("/file_name", "text.invalid", e.to_string()))?;
        adal_import::check_upload(
            &state.store,
            ctx.tenant(),
            state.import_limits,
            body.0.len(),
        )
        .await??;
        let i = imports::create(
            &state.store,
            ctx.tenant(),
            ctx.caller().user_id,
            &kind.0,
            name.as_str(),
            body.0,
        )
        .await?;
        let status = imports::get(&state.store, ctx.tenant(), i.id).await?;
        Ok(CreateImportResponse::Accepted(Json(import_out(status))))
    }

    /// Imports of the kinds the caller may import, newest first.
    #[oai(
        path = "/tenants/:tenant_id/imports",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "listImports"
    )]
    async fn list_imports(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<ListImportsResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let (offset, limit) = page(offset.0, limit.0)?;
        let mut kinds = Vec::new();
        for k in adal_import::ImportKind::ALL {
            if let Some((o, a)) = adal_service::import_permission(k.as_str())
                && ctx.may(&state, o, a).await
            {
                kinds.push(k.as_str());
            }
        }
        let (rows, total) =
            imports::list(&state.store, ctx.tenant(), &kinds, offset, limit).await?;
        Ok(ListImportsResponse::Ok(Json(ImportPage {
            items: rows.into_iter().map(import_out).collect(),
            total,
            offset,
            limit,
        })))
    }

    /// An import's progress and its report of rejected rows.
    #[oai(
        path = "/tenants/:tenant_id/imports/:id",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "getImport"
    )]
    async fn get_import(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<GetImportResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let i = imports::get(&state.store, ctx.tenant(), id.0)
            .await
            .map_err(|_| ApiError::not_found("import"))?;
        let (o, a) = adal_service::import_permission(&i.kind)
            .ok_or_else(|| ApiError::internal("stored import kind unknown"))?;
        TenantCtx::authorize(&state, &auth.0, tenant_id.0, o, a)
            .await
            .map_err(|_| ApiError::not_found("import"))?;
        Ok(GetImportResponse::Ok(Json(import_out(i))))
    }
}
