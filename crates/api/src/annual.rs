//! The annual internal analysis of corruption risks (docs/annual-report.md):
//! a tenant's report for a year as JSON, CSV and PDF, for its compliance
//! unit, its administrator and the Agency; and the Agency's summary of
//! every tenant's report.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::error::{ApiError, ApiResult};
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_service::annual::{self, AnnualReport, Summary};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi, Tags};
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The annual internal analysis of corruption risks
    AnnualReports,
}

#[derive(ApiResponse)]
enum ReportResponse {
    #[oai(status = 200)]
    Ok(Json<AnnualReport>),
}

#[derive(ApiResponse)]
enum SummaryResponse {
    #[oai(status = 200)]
    Ok(Json<Summary>),
}

#[derive(ApiResponse)]
enum CsvResponse {
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(PlainText<String>),
}

#[derive(ApiResponse)]
enum PdfResponse {
    /// The report as a printable document (A4, English).
    #[oai(status = 200, content_type = "application/pdf")]
    Ok(Binary<Vec<u8>>),
}

/// The report of a tenant the caller may read, for a year it may ask for.
async fn report_of(
    state: &AppState,
    auth: &BearerAuth,
    tenant_id: Uuid,
    year: i32,
) -> ApiResult<AnnualReport> {
    let ctx = TenantCtx::authorize(state, &auth.0, tenant_id, obj::FINDINGS_ALL, act::READ).await?;
    let today = adal_domain::kazakhstan_today();
    let y = annual::year_of(year, today)?;
    Ok(annual::build(&state.store, ctx.tenant(), &y, today).await?)
}

async fn summary_of(state: &AppState, auth: &BearerAuth, year: i32) -> ApiResult<Summary> {
    adal_service::authorize_platform(state, &auth.0, obj::TENANTS, act::READ).await?;
    let today = adal_domain::kazakhstan_today();
    let y = annual::year_of(year, today)?;
    Ok(annual::summary(&state.store, &y, today).await?)
}

pub struct AnnualApi;

#[OpenApi]
impl AnnualApi {
    /// A tenant's annual internal analysis of corruption risks for a
    /// calendar year (2000 to the current one; the current one as of
    /// today, `partial: true`): the risk map of the year's findings, the
    /// risks by area and rule with their owners and measures, high-risk
    /// positions, cases, declarations and training. Its compliance unit,
    /// its administrator and the Agency (whose reading is logged in the
    /// tenant's audit log).
    #[oai(
        path = "/tenants/:tenant_id/annual-reports/:year",
        method = "get",
        tag = "ApiTags::AnnualReports",
        operation_id = "getAnnualReport"
    )]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        year: Path<i32>,
    ) -> ApiResult<ReportResponse> {
        Ok(ReportResponse::Ok(Json(
            report_of(&state, &auth, tenant_id.0, year.0).await?,
        )))
    }

    /// The same report as CSV: `section,item,measure,value`, a figure a row.
    #[oai(
        path = "/tenants/:tenant_id/annual-reports/:year/csv",
        method = "get",
        tag = "ApiTags::AnnualReports",
        operation_id = "getAnnualReportCsv"
    )]
    async fn report_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        year: Path<i32>,
    ) -> ApiResult<CsvResponse> {
        let r = report_of(&state, &auth, tenant_id.0, year.0).await?;
        Ok(CsvResponse::Ok(PlainText(annual::csv(&r))))
    }

    /// The same report as a PDF document (`503` when the installation has
    /// no font for documents, `pdf_font`).
    #[oai(
        path = "/tenants/:tenant_id/annual-reports/:year/pdf",
        method = "get",
        tag = "ApiTags::AnnualReports",
        operation_id = "getAnnualReportPdf"
    )]
    async fn report_pdf(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        year: Path<i32>,
    ) -> ApiResult<PdfResponse> {
        let r = report_of(&state, &auth, tenant_id.0, year.0).await?;
        let font = state.pdf_font.as_ref().ok_or_else(|| {
            ApiError::unavailable("no font for PDF documents (pdf_font, docs/privacy.md)")
        })?;
        let pdf = annual::pdf(font, &r, &annual::english).map_err(ApiError::internal)?;
        Ok(PdfResponse::Ok(Binary(pdf)))
    }

    /// The Agency's summary of every tenant's report for a year: a line per
    /// tenant (findings, high-risk findings, cases, late and missing
    /// declarations, training coverage) and the totals. The Agency and the
    /// platform's administrators.
    #[oai(
        path = "/agency/annual-reports/:year",
        method = "get",
        tag = "ApiTags::AnnualReports",
        operation_id = "getAnnualSummary"
    )]
    async fn summary(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
    ) -> ApiResult<SummaryResponse> {
        Ok(SummaryResponse::Ok(Json(
            summary_of(&state, &auth, year.0).await?,
        )))
    }

    /// The summary as CSV: a row per tenant, then the totals.
    #[oai(
        path = "/agency/annual-reports/:year/csv",
        method = "get",
        tag = "ApiTags::AnnualReports",
        operation_id = "getAnnualSummaryCsv"
    )]
    async fn summary_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
    ) -> ApiResult<CsvResponse> {
        let s = summary_of(&state, &auth, year.0).await?;
        Ok(CsvResponse::Ok(PlainText(annual::summary_csv(&s))))
    }
}
