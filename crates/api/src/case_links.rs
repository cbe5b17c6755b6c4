//! What a case concerns, over HTTP (docs/reporting.md "Cases"): a finding
//! escalated to a case, and the findings and people linked to a case.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::reporting::{CreatedId, ReportTags};
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_service::reporting::{self as svc, CaseTarget, LinkView};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Object)]
pub struct CaseLinkOut {
    pub id: Uuid,
    /// `finding` or `person`.
    pub kind: String,
    pub target_id: Uuid,
    /// The finding's rule and status, or the person's name; empty when the
    /// record is gone.
    pub label: String,
    pub linked_by: Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl From<LinkView> for CaseLinkOut {
    fn from(l: LinkView) -> Self {
        Self {
            id: l.id,
            kind: l.kind,
            target_id: l.target_id,
            label: l.label,
            linked_by: l.linked_by,
            at: l.at,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    /// A finding of the organisation (this or `person_id`).
    #[oai(nullable)]
    pub finding_id: Option<Uuid>,
    /// A person record of the organisation.
    #[oai(nullable)]
    pub person_id: Option<Uuid>,
}

#[derive(Debug, Object)]
pub struct CaseOpened {
    /// The case.
    pub id: Uuid,
    /// `false` when the finding was in this case already.
    pub created: bool,
}

#[derive(ApiResponse)]
pub(crate) enum OpenedResponse {
    /// A new case, linked to the finding.
    #[oai(status = 201)]
    Created(Json<CaseOpened>),
    /// The finding's case, opened before.
    #[oai(status = 200)]
    Existing(Json<CaseOpened>),
}

#[derive(ApiResponse)]
pub(crate) enum LinkedResponse {
    #[oai(status = 201)]
    Created(Json<CreatedId>),
}

#[derive(ApiResponse)]
pub(crate) enum UnlinkedResponse {
    #[oai(status = 204)]
    Unlinked,
}

pub struct CaseLinksApi;

#[OpenApi(tag = "ReportTags::Cases")]
impl CaseLinksApi {
    /// Escalate a finding to a case of the organisation's own channel
    /// (compliance officers): the case holds the finding's rule and
    /// explanation and is linked to it; the officer the finding is about,
    /// if any, is recused. A finding is escalated once: again, the answer
    /// is its case (`200`, `created: false`).
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/case",
        method = "post",
        operation_id = "openCaseFromFinding"
    )]
    async fn open_for_finding(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<OpenedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        let (case, created) = svc::escalate_finding(&state, &state.reporting, &ctx, id.0).await?;
        let body = Json(CaseOpened { id: case, created });
        Ok(if created {
            OpenedResponse::Created(body)
        } else {
            OpenedResponse::Existing(body)
        })
    }

    /// Link a case to a finding or a person record of the organisation
    /// (exactly one of `finding_id`, `person_id`). Audited (`case.link`).
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/links",
        method = "post",
        operation_id = "linkCase"
    )]
    async fn link(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<LinkIn>,
    ) -> ApiResult<LinkedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        let target = match (body.0.finding_id, body.0.person_id) {
            (Some(f), None) => CaseTarget::Finding(f),
            (None, Some(p)) => CaseTarget::Person(p),
            _ => {
                return Err(adal_service::ServiceError::Invalid {
                    message: "a link names one finding or one person".into(),
                    details: vec![adal_service::Detail {
                        pointer: "/finding_id".into(),
                        code: "link.one_target".into(),
                        message: "give exactly one of finding_id and person_id".into(),
                        ..adal_service::Detail::default()
                    }],
                }
                .into());
            }
        };
        let link = svc::link_case(&state, &ctx, id.0, target).await?;
        Ok(LinkedResponse::Created(Json(CreatedId { id: link })))
    }

    /// Remove a link of a case. Audited (`case.unlink`).
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/links/:link_id",
        method = "delete",
        operation_id = "unlinkCase"
    )]
    async fn unlink(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        link_id: Path<Uuid>,
    ) -> ApiResult<UnlinkedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        svc::unlink_case(&state, &ctx, id.0, link_id.0).await?;
        Ok(UnlinkedResponse::Unlinked)
    }
}
