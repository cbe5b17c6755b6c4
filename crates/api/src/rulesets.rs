//! Rule-set versions: adopt the standard library (with overrides, disabled
//! rules and the tenant's own rules) or upload rules whole, list, read, dry
//! run against recent submissions, and activate once every fixture passes.
//! Scripts and fixtures run only in the sandbox, never here.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_service::lifecycle::{self};
use adal_service::rulesets::{
    DryRunReport, DryRunRequest, NewRuleSet, Rule, activate_version, create_version,
    dry_run_version, rule_to_api,
};
use adal_store::rules::{self};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Tags)]
pub enum ApiTags {
    /// The tenant's anti-corruption standard as rule sets
    RuleSets,
}

/// What the tenant chose when adopting the library.
#[derive(Debug, Object)]
pub struct AdoptionRecord {
    pub overrides: BTreeMap<String, BTreeMap<String, Value>>,
    /// Rule id → reason.
    pub disabled: BTreeMap<String, String>,
    /// Ids of the tenant's own rules.
    pub own_rules: Vec<String>,
}

#[derive(Debug, Object)]
pub struct RuleSetVersion {
    pub id: Uuid,
    pub version: i32,
    /// `draft`, `active` or `retired`.
    pub status: String,
    /// SHA-256 of the rules as stored.
    pub content_hash: String,
    pub created_by: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[oai(nullable)]
    pub activated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The library version adopted; absent for versions uploaded whole.
    #[oai(nullable)]
    pub library_version: Option<String>,
    #[oai(nullable)]
    pub adoption: Option<AdoptionRecord>,
    /// The enabled rules, with effective `params` (defaults and overrides).
    pub rules: Vec<Rule>,
}

fn to_api(v: rules::RuleSetVersion) -> ApiResult<RuleSetVersion> {
    let defs = rules::rules_of(&v)?;
    let adoption = rules::adoption_of(&v)?;
    Ok(RuleSetVersion {
        id: v.id,
        version: v.version,
        status: v.status,
        content_hash: v.content_hash,
        created_by: v.created_by,
        created_at: v.created_at,
        activated_at: v.activated_at,
        library_version: v.library_version,
        adoption: adoption.map(|a| AdoptionRecord {
            overrides: a.overrides,
            disabled: a.disabled,
            own_rules: a.own_rules,
        }),
        rules: defs.into_iter().map(rule_to_api).collect(),
    })
}

/// The standard library this service ships.
#[derive(Debug, Object)]
pub struct LibraryView {
    pub version: String,
    /// Every rule with its declared parameters (`params` are the defaults)
    /// and fixtures.
    pub rules: Vec<Rule>,
}

#[derive(ApiResponse)]
enum CreateRuleSetResponse {
    /// Stored as a draft; activate it to put it in force.
    #[oai(status = 201)]
    Created(Json<RuleSetVersion>),
}

#[derive(ApiResponse)]
enum GetRuleSetResponse {
    #[oai(status = 200)]
    Ok(Json<RuleSetVersion>),
}

#[derive(ApiResponse)]
enum ListRuleSetsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<RuleSetVersion>>),
}

#[derive(ApiResponse)]
enum DryRunResponse {
    #[oai(status = 200)]
    Ok(Json<DryRunReport>),
}

/// One parameter whose effective value differs.
#[derive(Debug, Object)]
pub struct ParamChange {
    pub name: String,
    #[oai(nullable)]
    pub from: Option<Value>,
    #[oai(nullable)]
    pub to: Option<Value>,
}

#[derive(Debug, Object)]
pub struct RuleChangeView {
    pub rule_id: String,
    pub params: Vec<ParamChange>,
    pub script_changed: bool,
    /// Title, area, kinds, severity, likelihood or impact.
    pub metadata_changed: bool,
    pub declarations_changed: bool,
    pub fixtures_changed: bool,
}

/// A library rule disabled, enabled again, or disabled for another reason.
#[derive(Debug, Object)]
pub struct DisabledChange {
    pub rule_id: String,
    /// The reason before; absent: it was enabled.
    #[oai(nullable)]
    pub from: Option<String>,
    /// The reason after; absent: it is enabled.
    #[oai(nullable)]
    pub to: Option<String>,
}

#[derive(Debug, Object)]
pub struct RuleSetDiff {
    pub from: i32,
    pub to: i32,
    #[oai(nullable)]
    pub library_version_from: Option<String>,
    #[oai(nullable)]
    pub library_version_to: Option<String>,
    /// Rules in `to` and not in `from`.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<RuleChangeView>,
    pub disabled: Vec<DisabledChange>,
}

#[derive(ApiResponse)]
enum DiffResponse {
    #[oai(status = 200)]
    Ok(Json<RuleSetDiff>),
}

#[derive(ApiResponse)]
enum LibraryResponse {
    #[oai(status = 200)]
    Ok(Json<LibraryView>),
}

pub struct RuleSetApi;

#[OpenApi]
impl RuleSetApi {
    /// Create a draft version: adopt the standard library at
    /// `library_version` with parameter overrides (checked against each
    /// parameter's declared type and range), disabled rules (each with a
    /// reason) and the tenant's own rules (script, parameters, fixtures);
    /// or, without `library_version`, only the rules given. Every script is
    /// compiled in the sandbox first; a syntax error rejects the version
    /// with the rule id, line and column.
    #[oai(
        path = "/tenants/:tenant_id/rule-sets",
        method = "post",
        tag = "ApiTags::RuleSets",
        operation_id = "createRuleSet"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<NewRuleSet>,
    ) -> ApiResult<CreateRuleSetResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RULE_SETS, act::WRITE).await?;
        let v = create_version(&state, &ctx, body.0).await?;
        Ok(CreateRuleSetResponse::Created(Json(to_api(v)?)))
    }

    /// The standard library this service ships: its version (what
    /// `library_version` names when adopting it) and every rule with its
    /// declared parameters and fixtures.
    #[oai(
        path = "/tenants/:tenant_id/library",
        method = "get",
        tag = "ApiTags::RuleSets",
        operation_id = "getLibrary"
    )]
    async fn library(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<LibraryResponse> {
        TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RULE_SETS, act::READ).await?;
        Ok(LibraryResponse::Ok(Json(LibraryView {
            version: state.library.version.clone(),
            rules: state
                .library
                .rules
                .iter()
                .cloned()
                .map(rule_to_api)
                .collect(),
        })))
    }

    /// What changed from version `against` (by default the active one) to
    /// this version: rules added and removed, effective parameter values,
    /// scripts, metadata, declarations and fixtures, the library version,
    /// and disabled rules with their reasons.
    #[oai(
        path = "/tenants/:tenant_id/rule-sets/:version/diff",
        method = "get",
        tag = "ApiTags::RuleSets",
        operation_id = "diffRuleSet"
    )]
    async fn diff(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        version: Path<i32>,
        against: Query<Option<i32>>,
    ) -> ApiResult<DiffResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RULE_SETS, act::READ).await?;
        let to = rules::get_version(&state.store, ctx.tenant(), version.0)
            .await
            .map_err(|_| ApiError::not_found("rule-set version"))?;
        let from = match against.0 {
            Some(n) => rules::get_version(&state.store, ctx.tenant(), n)
                .await
                .map_err(|_| ApiError::not_found("rule-set version"))?,
            None => rules::active_version(&state.store, ctx.tenant())
                .await?
                .ok_or_else(|| {
                    ApiError::field(
                        "/against",
                        "version.no_active",
                        "there is no active version to compare with; name one in `against`",
                    )
                })?,
        };
        let (from_adoption, to_adoption) = (rules::adoption_of(&from)?, rules::adoption_of(&to)?);
        let d = lifecycle::diff_versions(
            &rules::rules_of(&from)?,
            from_adoption.as_ref(),
            &rules::rules_of(&to)?,
            to_adoption.as_ref(),
        );
        Ok(DiffResponse::Ok(Json(RuleSetDiff {
            from: from.version,
            to: to.version,
            library_version_from: from.library_version,
            library_version_to: to.library_version,
            added: d.added,
            removed: d.removed,
            changed: d
                .changed
                .into_iter()
                .map(|c| RuleChangeView {
                    rule_id: c.rule_id,
                    params: c
                        .params
                        .into_iter()
                        .map(|(name, from, to)| ParamChange { name, from, to })
                        .collect(),
                    script_changed: c.script,
                    metadata_changed: c.metadata,
                    declarations_changed: c.declarations,
                    fixtures_changed: c.fixtures,
                })
                .collect(),
            disabled: d
                .disabled
                .into_iter()
                .map(|(rule_id, from, to)| DisabledChange { rule_id, from, to })
                .collect(),
        })))
    }

    /// Evaluate a version against the tenant's latest submissions in the
    /// sandbox and show, per rule, the findings that would appear,
    /// disappear or change compared with those recorded now, and the
    /// rules' runtime errors and limit breaches with the submission that
    /// triggered them. Writes nothing but an audit entry.
    #[oai(
        path = "/tenants/:tenant_id/rule-sets/:version/dry-run",
        method = "post",
        tag = "ApiTags::RuleSets",
        operation_id = "dryRunRuleSet"
    )]
    async fn dry_run(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        version: Path<i32>,
        body: JsonBody<DryRunRequest>,
    ) -> ApiResult<DryRunResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RULE_SETS, act::WRITE).await?;
        let report = dry_run_version(&state, &ctx, version.0, body.0.submissions).await?;
        Ok(DryRunResponse::Ok(Json(report)))
    }

    /// Every version, newest first.
    #[oai(
        path = "/tenants/:tenant_id/rule-sets",
        method = "get",
        tag = "ApiTags::RuleSets",
        operation_id = "listRuleSets"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ListRuleSetsResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RULE_SETS, act::READ).await?;
        let all = rules::list_versions(&state.store, ctx.tenant()).await?;
        let out: ApiResult<Vec<_>> = all.into_iter().map(to_api).collect();
        Ok(ListRuleSetsResponse::Ok(Json(out?)))
    }

    #[oai(
        path = "/tenants/:tenant_id/rule-sets/:version",
        method = "get",
        tag = "ApiTags::RuleSets",
        operation_id = "getRuleSet"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        version: Path<i32>,
    ) -> ApiResult<GetRuleSetResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RULE_SETS, act::READ).await?;
        let v = rules::get_version(&state.store, ctx.tenant(), version.0)
            .await
            .map_err(|_| ApiError::not_found("rule-set version"))?;
        Ok(GetRuleSetResponse::Ok(Json(to_api(v)?)))
    }

    /// Put a draft version in force; the previous active version retires.
    /// Every fixture of every rule runs in the sandbox first; if any fails,
    /// nothing changes and the answer (422, `fixtures_failed`) lists each
    /// failure with the rule id, fixture, expected and actual outcome. New
    /// submissions are evaluated against the version from now on.
    #[oai(
        path = "/tenants/:tenant_id/rule-sets/:version/activate",
        method = "post",
        tag = "ApiTags::RuleSets",
        operation_id = "activateRuleSet"
    )]
    async fn activate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        version: Path<i32>,
    ) -> ApiResult<GetRuleSetResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RULE_SETS, act::WRITE).await?;
        let v = activate_version(&state, &ctx, version.0).await?;
        Ok(GetRuleSetResponse::Ok(Json(to_api(v)?)))
    }
}
