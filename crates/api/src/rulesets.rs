//! Rule-set versions: upload (compiled in the sandbox, never here), list,
//! read, activate.

use crate::AppState;
use crate::auth::{BearerAuth, TenantCtx};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, ErrorDetail};
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_sandbox_protocol::Severity;
use adal_store::rules::{self, RuleDefinition};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

#[derive(Tags)]
pub enum ApiTags {
    /// The tenant's anti-corruption standard as rule sets
    RuleSets,
}

/// Areas of the Agency's Guidelines for Developing Anti-Corruption Standards.
pub const AREAS: &[&str] = &[
    "risk_mapping",
    "conflict_of_interest",
    "financial_control",
    "culture",
    "transparency",
    "hr",
    "procurement",
    "corporate_governance",
];

/// Submission kinds rules can look at.
pub const KINDS: &[&str] = &["gift"];

const MAX_RULES: usize = 200;
const MAX_SCRIPT: usize = 64 * 1024;

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Lowercase letters, digits and dashes, e.g. `gift-over-mci-limit`.
    pub id: String,
    pub title: String,
    /// Guideline area: `risk_mapping`, `conflict_of_interest`,
    /// `financial_control`, `culture`, `transparency`, `hr`, `procurement`,
    /// `corporate_governance`.
    pub area: String,
    /// Submission kinds the rule applies to, e.g. `["gift"]`.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// 1 to 5.
    pub likelihood: u8,
    /// 1 to 5.
    pub impact: u8,
    /// Parameter values the script reads as `params.NAME`.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    /// The Rhai script.
    pub script: String,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewRuleSet {
    pub rules: Vec<Rule>,
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
    pub activated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub rules: Vec<Rule>,
}

fn to_api(v: rules::RuleSetVersion) -> ApiResult<RuleSetVersion> {
    let defs = rules::rules_of(&v)?;
    Ok(RuleSetVersion {
        id: v.id,
        version: v.version,
        status: v.status,
        content_hash: v.content_hash,
        created_by: v.created_by,
        created_at: v.created_at,
        activated_at: v.activated_at,
        rules: defs
            .into_iter()
            .map(|d| Rule {
                id: d.id,
                title: d.title,
                area: d.area,
                kinds: d.kinds,
                severity: d.severity.as_str().to_owned(),
                likelihood: d.likelihood,
                impact: d.impact,
                params: d.params,
                script: d.script,
            })
            .collect(),
    })
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

fn valid_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// Checks everything but the scripts' syntax (which only the sandbox
/// compiles), and converts to stored definitions.
pub fn validate_rules(rules: Vec<Rule>) -> Result<Vec<RuleDefinition>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if rules.is_empty() {
        errors.push(FieldError::new("/rules", "must contain at least one rule"));
    }
    if rules.len() > MAX_RULES {
        errors.push(FieldError::new(
            "/rules",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, r) in rules.into_iter().enumerate() {
        let at = |f: &str| format!("/rules/{i}/{f}");
        if !valid_rule_id(&r.id) {
            errors.push(FieldError::new(
                at("id"),
                "must be 1-100 lowercase letters, digits and dashes",
            ));
        } else if !seen.insert(r.id.clone()) {
            errors.push(FieldError::new(
                at("id"),
                format!("duplicate rule id {:?}", r.id),
            ));
        }
        let title_len = r.title.trim().chars().count();
        if title_len == 0 || title_len > 300 {
            errors.push(FieldError::new(at("title"), "must be 1-300 characters"));
        }
        if !AREAS.contains(&r.area.as_str()) {
            errors.push(FieldError::new(
                at("area"),
                format!("must be one of: {}", AREAS.join(", ")),
            ));
        }
        for (k, kind) in r.kinds.iter().enumerate() {
            if !KINDS.contains(&kind.as_str()) {
                errors.push(FieldError::new(
                    format!("/rules/{i}/kinds/{k}"),
                    format!("must be one of: {}", KINDS.join(", ")),
                ));
            }
        }
        let severity = Severity::parse(&r.severity);
        if severity.is_none() {
            errors.push(FieldError::new(
                at("severity"),
                "must be one of: low, medium, high, critical",
            ));
        }
        if !(1..=5).contains(&r.likelihood) {
            errors.push(FieldError::new(at("likelihood"), "must be 1 to 5"));
        }
        if !(1..=5).contains(&r.impact) {
            errors.push(FieldError::new(at("impact"), "must be 1 to 5"));
        }
        if r.script.len() > MAX_SCRIPT {
            errors.push(FieldError::new(
                at("script"),
                format!("must be at most {MAX_SCRIPT} bytes"),
            ));
        }
        if let Some(severity) = severity {
            out.push(RuleDefinition {
                id: r.id,
                title: r.title.trim().to_owned(),
                area: r.area,
                kinds: r.kinds,
                severity,
                likelihood: r.likelihood,
                impact: r.impact,
                params: r.params,
                script: r.script,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub struct RuleSetApi;

#[OpenApi]
impl RuleSetApi {
    /// Upload a new rule-set version (a draft). Every script is compiled in
    /// the sandbox first; a syntax error rejects the upload with the rule
    /// id, line and column.
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
        let defs = validate_rules(body.0.rules).map_err(ApiError::invalid)?;
        let sources: Vec<_> = defs.iter().map(RuleDefinition::to_source).collect();
        let compile_errors = state
            .sandbox
            .check(&sources)
            .await
            .map_err(ApiError::unavailable)?;
        if !compile_errors.is_empty() {
            let index: BTreeMap<&str, usize> = defs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.as_str(), i))
                .collect();
            let details: Vec<ErrorDetail> = compile_errors
                .iter()
                .map(|e| {
                    let i = index.get(e.rule_id.as_str()).copied().unwrap_or(0);
                    let place = e
                        .position
                        .map(|p| format!(" at line {}, column {}", p.line, p.column))
                        .unwrap_or_default();
                    ErrorDetail {
                        pointer: format!("/rules/{i}/script"),
                        message: format!("rule {}{place}: {}", e.rule_id, e.message),
                        rule_id: Some(e.rule_id.clone()),
                        line: e.position.map(|p| p.line),
                        column: e.position.map(|p| p.column),
                    }
                })
                .collect();
            let summary = details
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(ApiError::details(summary, details));
        }
        let v = rules::create_version(&state.store, ctx.tenant, ctx.caller.user_id, &defs).await?;
        Ok(CreateRuleSetResponse::Created(Json(to_api(v)?)))
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
        let all = rules::list_versions(&state.store, ctx.tenant).await?;
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
        let v = rules::get_version(&state.store, ctx.tenant, version.0)
            .await
            .map_err(|_| ApiError::not_found("rule-set version"))?;
        Ok(GetRuleSetResponse::Ok(Json(to_api(v)?)))
    }

    /// Put a draft version in force; the previous active version retires.
    /// New submissions are evaluated against it from now on.
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
        let v = rules::activate(&state.store, ctx.tenant, &ctx.actor(), version.0)
            .await
            .map_err(|e| match e {
                adal_store::StoreError::NotFound => ApiError::not_found("rule-set version"),
                other => other.into(),
            })?;
        Ok(GetRuleSetResponse::Ok(Json(to_api(v)?)))
    }
}
