//! Exports of every list a tenant keeps, whole, as CSV, JSON or XLSX:
//! `people`, `relatives`, `interests`, `procurements`, `submissions`
//! (optionally of one `kind`), `findings`, `departments`, `positions`.
//! What the caller may read, as in the API's lists; the rows and their
//! checks are `adal_service::export`'s, which the dashboard's downloads
//! use too.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::error::ApiResult;
use crate::submissions::ApiTags;
use adal_service::export::{self, ExportList, Format, Narrowing, Table};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json, PlainText},
};
use uuid::Uuid;

#[derive(ApiResponse)]
enum CsvResponse {
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(
        PlainText<String>,
        /// `attachment; filename="<list>.csv"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

#[derive(ApiResponse)]
enum JsonExportResponse {
    /// A JSON array of the list's rows.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        /// `attachment; filename="<list>.json"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

#[derive(ApiResponse)]
enum XlsxResponse {
    /// An Excel workbook: one sheet, the header row bold and frozen,
    /// every cell a string or a number (never a formula).
    #[oai(
        status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    Ok(
        Binary<Vec<u8>>,
        /// `attachment; filename="<list>.xlsx"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

/// The list named in the path, read whole after the caller's check. An
/// unknown list is a 404 naming it, before anything is read.
async fn read(
    state: &AppState,
    auth: &BearerAuth,
    tenant_id: Uuid,
    list: &str,
    kind: Option<String>,
) -> ApiResult<(ExportList, Table)> {
    let list = ExportList::parse(list)?;
    let narrowing = Narrowing {
        kind,
        ..Narrowing::default()
    };
    let t = export::table(state, &auth.0, tenant_id, list, &narrowing).await?;
    Ok((list, t))
}

pub struct ExportsApi;

#[OpenApi(tag = "ApiTags::Submissions")]
impl ExportsApi {
    /// A whole list as CSV: `people`, `relatives`, `interests`,
    /// `procurements`, `submissions` (optionally of one `kind`),
    /// `findings`, `departments`, `positions`. What the caller may read,
    /// as in the API's lists. Cells that a spreadsheet would run as a
    /// formula start with an apostrophe.
    #[oai(
        path = "/tenants/:tenant_id/exports/csv/:list",
        method = "get",
        operation_id = "exportCsv"
    )]
    async fn export_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        list: Path<String>,
        kind: Query<Option<String>>,
    ) -> ApiResult<CsvResponse> {
        let (list, t) = read(&state, &auth, tenant_id.0, &list.0, kind.0).await?;
        Ok(CsvResponse::Ok(
            PlainText(t.csv()?),
            export::disposition(list, Format::Csv),
        ))
    }

    /// The same lists as JSON arrays.
    #[oai(
        path = "/tenants/:tenant_id/exports/json/:list",
        method = "get",
        operation_id = "exportJson"
    )]
    async fn export_json(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        list: Path<String>,
        kind: Query<Option<String>>,
    ) -> ApiResult<JsonExportResponse> {
        let (list, t) = read(&state, &auth, tenant_id.0, &list.0, kind.0).await?;
        Ok(JsonExportResponse::Ok(
            Json(t.json()),
            export::disposition(list, Format::Json),
        ))
    }

    /// The same lists as an Excel workbook (XLSX): one sheet named after
    /// the list, the header row bold and frozen, columns sized to their
    /// text; numbers (scores, amounts, risk levels) as numbers, everything
    /// else as text, never as a formula. A cell longer than Excel holds
    /// (32,767 characters) is cut and ends with ` […]`; a list longer than
    /// a sheet holds is refused with `400` (use CSV or JSON).
    #[oai(
        path = "/tenants/:tenant_id/exports/xlsx/:list",
        method = "get",
        operation_id = "exportXlsx"
    )]
    async fn export_xlsx(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        list: Path<String>,
        kind: Query<Option<String>>,
    ) -> ApiResult<XlsxResponse> {
        let (list, t) = read(&state, &auth, tenant_id.0, &list.0, kind.0).await?;
        Ok(XlsxResponse::Ok(
            Binary(t.xlsx_async(list.as_str()).await?),
            export::disposition(list, Format::Xlsx),
        ))
    }
}

#[cfg(test)]
mod tests {
    use adal_service::export::Table;

    /// Issue 12, problem 4: a planted formula leaves as text.
    #[test]
    fn csv_cells_cannot_run_as_formulas() {
        let t = Table::new(
            vec!["full_name", "title"],
            vec![
                vec!["=HYPERLINK(\"http://x\")".into(), "@SUM(A1)".into()],
                vec!["Serik Abdiuly".into(), "-".into()],
            ],
        );
        assert_eq!(
            t.csv().unwrap(),
            "full_name,title\n\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1)\nSerik Abdiuly,'-\n"
        );
    }
}
