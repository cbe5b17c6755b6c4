//! The lists a tenant exports, read whole within what the caller may
//! read: the same checks and scopes as the API's paged lists, so an
//! export never shows a row the list would not.

use super::Table;
use crate::{AppState, Caller, ServiceError, ServiceResult, TenantCtx};
use adal_authz::{Obj, act, obj};
use adal_store::evaluation::{self, FindingFilter};
use adal_store::people::{self, PeopleFilter};
use adal_store::submissions::{self, SubmissionFilter};
use adal_store::{org, procurement};
use uuid::Uuid;

/// A list that can be exported. Parsed from the path, so an unknown name
/// is refused before anything is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportList {
    People,
    Relatives,
    Interests,
    Procurements,
    Submissions,
    Findings,
    Departments,
    Positions,
}

impl ExportList {
    pub const ALL: [ExportList; 8] = [
        ExportList::People,
        ExportList::Relatives,
        ExportList::Interests,
        ExportList::Procurements,
        ExportList::Submissions,
        ExportList::Findings,
        ExportList::Departments,
        ExportList::Positions,
    ];

    /// The list named `name`, or `NotFound` naming it and the lists there
    /// are (the API's answer for an unknown list since exports began).
    pub fn parse(name: &str) -> ServiceResult<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == name)
            .ok_or_else(|| {
                ServiceError::not_found(&format!(
                    "export {name:?} (the lists are: people, relatives, interests, procurements, \
                     submissions, findings, departments, positions)"
                ))
            })
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ExportList::People => "people",
            ExportList::Relatives => "relatives",
            ExportList::Interests => "interests",
            ExportList::Procurements => "procurements",
            ExportList::Submissions => "submissions",
            ExportList::Findings => "findings",
            ExportList::Departments => "departments",
            ExportList::Positions => "positions",
        }
    }

    /// What reading the list takes: one permission, or the "all records"
    /// permission with its "own records" fallback.
    fn access(self) -> Access {
        match self {
            ExportList::People | ExportList::Relatives | ExportList::Interests => {
                Access::One(obj::PEOPLE)
            }
            ExportList::Procurements => Access::One(obj::PROCUREMENTS),
            ExportList::Submissions => Access::AllOrOwn(obj::SUBMISSIONS_ALL, obj::SUBMISSIONS_OWN),
            ExportList::Findings => Access::AllOrOwn(obj::FINDINGS_ALL, obj::FINDINGS_OWN),
            ExportList::Departments | ExportList::Positions => Access::One(obj::ORG),
        }
    }
}

enum Access {
    One(Obj),
    AllOrOwn(Obj, Obj),
}

/// Whether the caller of `ctx` may read `list` in that tenant: for a page
/// that shows the export's links only to those it would answer.
pub async fn may_read(state: &AppState, ctx: &TenantCtx, list: ExportList) -> bool {
    match list.access() {
        Access::One(o) => ctx.may(state, o, act::READ).await,
        Access::AllOrOwn(all, own) => {
            ctx.may(state, all, act::READ).await || ctx.may(state, own, act::READ).await
        }
    }
}

/// What narrows an export: the kind of submissions (`?kind=`), and the
/// findings list's filters (the dashboard's findings page exports what
/// it shows). Nothing set exports the whole list.
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    pub kind: Option<String>,
    pub findings: FindingNarrowing,
}

/// The findings list's filters, already checked by the front door.
#[derive(Debug, Clone, Default)]
pub struct FindingNarrowing {
    pub severity: Option<String>,
    pub status: Option<String>,
    pub area: Option<String>,
    pub likelihood: Option<i16>,
    pub impact: Option<i16>,
    /// Only the findings assigned to the caller.
    pub assigned_to_me: bool,
    /// Only open findings past their due date (now).
    pub overdue: bool,
    pub order: adal_store::evaluation::FindingOrder,
}

impl FindingNarrowing {
    /// The store's filter for a caller whose user id is `me`.
    pub fn filter(&self, me: Uuid) -> FindingFilter {
        FindingFilter {
            severity: self.severity.clone(),
            status: self.status.clone(),
            area: self.area.clone(),
            likelihood: self.likelihood,
            impact: self.impact,
            assigned_to: self.assigned_to_me.then_some(me),
            overdue_at: self.overdue.then(chrono::Utc::now),
            order: self.order,
            ..FindingFilter::default()
        }
    }
}

/// Exports read pages of this size until the list ends.
const EXPORT_PAGE: u64 = 500;

/// Every row of a paged list: `fetch(offset)` gives a page and the total.
async fn all_pages<T, F, Fut>(mut fetch: F) -> ServiceResult<Vec<T>>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, u64), adal_store::StoreError>>,
{
    let mut out = Vec::new();
    loop {
        let (page, total) = fetch(out.len() as u64).await?;
        let empty = page.is_empty();
        out.extend(page);
        if empty || out.len() as u64 >= total {
            return Ok(out);
        }
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The whole of `list` in tenant `tenant_id` as `caller` may read it,
/// after the same authorisation as the API's list: another tenant is
/// `NotFound`, a role without the permission `Forbidden`.
pub async fn table(
    state: &AppState,
    caller: &Caller,
    tenant_id: Uuid,
    list: ExportList,
    narrowing: &Narrowing,
) -> ServiceResult<Table> {
    Ok(match list {
        ExportList::People => {
            let ctx =
                TenantCtx::authorize(state, caller, tenant_id, obj::PEOPLE, act::READ).await?;
            let filter = PeopleFilter::default();
            let rows = all_pages(|offset| {
                people::list(&state.store, ctx.tenant(), &filter, offset, EXPORT_PAGE)
            })
            .await?
            .into_iter()
            .map(|p| {
                vec![
                    p.iin,
                    p.full_name,
                    opt(p.department_id),
                    opt(p.position_id),
                    opt(p.started_on),
                    opt(p.ended_on),
                ]
            })
            .collect();
            Table::new(
                vec![
                    "iin",
                    "full_name",
                    "department_id",
                    "position_id",
                    "started_on",
                    "ended_on",
                ],
                rows,
            )
        }
        ExportList::Relatives => {
            let ctx =
                TenantCtx::authorize(state, caller, tenant_id, obj::PEOPLE, act::READ).await?;
            let rows = people::all_relatives(&state.store, ctx.tenant())
                .await?
                .into_iter()
                .map(|(person, r)| vec![person, r.relation, r.full_name, opt(r.iin)])
                .collect();
            Table::new(vec!["person_iin", "relation", "full_name", "iin"], rows)
        }
        ExportList::Interests => {
            let ctx =
                TenantCtx::authorize(state, caller, tenant_id, obj::PEOPLE, act::READ).await?;
            let rows = people::all_interests(&state.store, ctx.tenant())
                .await?
                .into_iter()
                .map(|(person, i)| {
                    vec![
                        person,
                        i.company_bin,
                        i.company_name,
                        i.role,
                        opt(i.share_percent),
                        opt(i.since),
                    ]
                })
                .collect();
            Table::new(
                vec![
                    "person_iin",
                    "company_bin",
                    "company_name",
                    "role",
                    "share_percent",
                    "since",
                ],
                rows,
            )
            .numeric(&["share_percent"])
        }
        ExportList::Procurements => {
            let ctx = TenantCtx::authorize(state, caller, tenant_id, obj::PROCUREMENTS, act::READ)
                .await?;
            let filter = procurement::ProcurementFilter::default();
            let rows = all_pages(|offset| {
                procurement::list(&state.store, ctx.tenant(), &filter, offset, EXPORT_PAGE)
            })
            .await?
            .into_iter()
            .map(|p| {
                vec![
                    p.ocid,
                    p.submission_id.to_string(),
                    opt(p.title),
                    opt(p.buyer_id),
                    opt(p.buyer_name),
                    opt(p.status),
                    opt(p.method),
                    opt(p.value_amount),
                    opt(p.currency),
                    opt(p.tender_end),
                    p.counterparty_bins,
                ]
            })
            .collect();
            Table::new(
                vec![
                    "ocid",
                    "submission_id",
                    "title",
                    "buyer_id",
                    "buyer_name",
                    "status",
                    "method",
                    "value_amount",
                    "currency",
                    "tender_end",
                    "counterparty_bins",
                ],
                rows,
            )
            .numeric(&["value_amount"])
        }
        ExportList::Submissions => {
            let (ctx, scope) = TenantCtx::authorize_read(
                state,
                caller,
                tenant_id,
                obj::SUBMISSIONS_ALL,
                obj::SUBMISSIONS_OWN,
            )
            .await?;
            let filter = SubmissionFilter {
                kind: narrowing.kind.clone(),
                ..Default::default()
            };
            let rows = all_pages(|offset| {
                submissions::list(
                    &state.store,
                    ctx.tenant(),
                    &scope,
                    &filter,
                    offset,
                    EXPORT_PAGE,
                )
            })
            .await?
            .into_iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.kind,
                    s.schema_version.to_string(),
                    s.status,
                    s.submitted_by.to_string(),
                    s.received_at.to_rfc3339(),
                    opt(s.reference),
                    opt(s.subject_iin),
                    opt(s.supersedes),
                    s.payload,
                ]
            })
            .collect();
            Table::new(
                vec![
                    "id",
                    "kind",
                    "schema_version",
                    "status",
                    "submitted_by",
                    "received_at",
                    "reference",
                    "subject_iin",
                    "supersedes",
                    "payload",
                ],
                rows,
            )
            .numeric(&["schema_version"])
        }
        ExportList::Findings => {
            let (ctx, scope) = TenantCtx::authorize_read(
                state,
                caller,
                tenant_id,
                obj::FINDINGS_ALL,
                obj::FINDINGS_OWN,
            )
            .await?;
            let filter = narrowing.findings.filter(ctx.caller().user_id);
            let rows = all_pages(|offset| {
                evaluation::list_findings(
                    &state.store,
                    ctx.tenant(),
                    &scope,
                    &filter,
                    offset,
                    EXPORT_PAGE,
                )
            })
            .await?
            .into_iter()
            .map(|f| {
                vec![
                    f.id.to_string(),
                    f.submission_id.to_string(),
                    f.rule_id,
                    f.area,
                    f.severity,
                    f.likelihood.to_string(),
                    f.impact.to_string(),
                    f.status,
                    f.created_at.to_rfc3339(),
                    f.explanation,
                ]
            })
            .collect();
            Table::new(
                vec![
                    "id",
                    "submission_id",
                    "rule_id",
                    "area",
                    "severity",
                    "likelihood",
                    "impact",
                    "status",
                    "created_at",
                    "explanation",
                ],
                rows,
            )
            .numeric(&["likelihood", "impact"])
        }
        ExportList::Departments => {
            let ctx = TenantCtx::authorize(state, caller, tenant_id, obj::ORG, act::READ).await?;
            let rows = org::list_departments(&state.store, ctx.tenant())
                .await?
                .into_iter()
                .map(|d| vec![d.id.to_string(), d.name, opt(d.parent_id)])
                .collect();
            Table::new(vec!["id", "name", "parent_id"], rows)
        }
        ExportList::Positions => {
            let ctx = TenantCtx::authorize(state, caller, tenant_id, obj::ORG, act::READ).await?;
            let rows = org::list_positions(&state.store, ctx.tenant())
                .await?
                .into_iter()
                .map(|p| {
                    vec![
                        p.id.to_string(),
                        p.title,
                        opt(p.department_id),
                        p.risk_level.to_string(),
                        p.high_risk.to_string(),
                    ]
                })
                .collect();
            Table::new(
                vec!["id", "title", "department_id", "risk_level", "high_risk"],
                rows,
            )
            .numeric(&["risk_level"])
        }
    })
}
