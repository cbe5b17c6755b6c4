//! The export files behind the "Export" links of the list screens:
//! `/t/{tenant}/exports/{csv|json|xlsx}/{list}`, the same lists and rows
//! as the API's `/exports/...`, checked by the same service call with the
//! session's caller. A list the visitor may not read is a 404, as is an
//! unknown list or format: the links are not shown to them either, and a
//! hand-made address learns nothing.

use crate::exports::{FindingQuery, finding_narrowing};
use crate::kit::{Fail, PageResult, attachment, caller, finish, listing};
use crate::session::Visitor;
use adal_service::export::{self, ExportList, Format, Narrowing};
use adal_service::{AppState, ServiceError};
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// What narrows the file: the kind of submissions, and the findings
/// list's filters (paging is ignored: the file holds every page).
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct ExportQuery {
    kind: Option<String>,
    #[serde(flatten)]
    findings: FindingQuery,
}

#[handler]
pub(crate) async fn export_file(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, format, list)): Path<(Uuid, String, String)>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        let format = Format::parse(&format).map_err(|_| Fail::NotFound)?;
        let list = ExportList::parse(&list).map_err(|_| Fail::NotFound)?;
        let narrowing = Narrowing {
            kind: listing::given(&q.kind),
            findings: finding_narrowing(&q.findings),
        };
        let t = export::table(&state, c, tenant, list, &narrowing)
            .await
            .map_err(|e| match e {
                ServiceError::Forbidden => Fail::NotFound,
                other => other.into(),
            })?;
        let body = match format {
            Format::Csv => t.csv()?.into_bytes(),
            Format::Json => {
                serde_json::to_vec(&t.json()).map_err(|e| Fail::Internal(e.to_string()))?
            }
            Format::Xlsx => t.xlsx_async(list.as_str()).await?,
        };
        let name = format!("{}.{}", list.as_str(), format.as_str());
        Ok(attachment(format.content_type(), &name, body))
    }
    .await;
    finish(&v, r)
}
