//! Rule-set versions: adopt the standard library (with overrides, disabled
//! rules and the tenant's own rules) or upload rules whole, list, read, dry
//! run against recent submissions, and activate once every fixture passes.
//! Scripts and fixtures run only in the sandbox, never here.

use crate::AppState;
use crate::auth::{BearerAuth, TenantCtx};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, ErrorDetail};
use crate::lifecycle::{self, Choices, RuleDiff, esc};
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_sandbox::SandboxError;
use adal_sandbox_protocol::params::{ParamSpec, ParamType, check_param};
use adal_sandbox_protocol::{Expect, Fixture, FixtureSubmission, RuleOutcome, Severity};
use adal_store::rules::{self, RuleDefinition};
use adal_store::{evaluation, submissions};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
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
    /// The section of the Agency's guidelines the rule implements, as the
    /// guidelines title it, e.g. `Conflict of interest: relatives`. Every
    /// library rule has one; optional for the tenant's own rules (at most
    /// 300 characters).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default)]
    pub guideline_section: Option<String>,
    /// Submission kinds the rule applies to, e.g. `["gift"]`.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// 1 to 5.
    pub likelihood: u8,
    /// 1 to 5.
    pub impact: u8,
    /// Parameter values the script reads as `params.NAME`. With
    /// `parameters` declared, each must be declared and valid, and
    /// undeclared ones take their declared default.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    /// The Rhai script.
    pub script: String,
    /// Parameter declarations: type, default, unit, range.
    #[oai(default)]
    #[serde(default)]
    pub parameters: BTreeMap<String, ParamDeclaration>,
    /// Example inputs with the outcome each must give; every rule needs at
    /// least one, and activation runs them all.
    #[oai(default)]
    #[serde(default)]
    pub fixtures: Vec<RuleFixture>,
}

/// How a rule declares one parameter.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ParamDeclaration {
    /// `integer`, `money` (KZT, a decimal string with at most 2 decimals),
    /// `decimal` (a decimal string), `string`, `bool`, `optional_decimal`
    /// (`""` for not set) or `integer_map`. MCI and day counts are
    /// integers with the unit `MCI` or `days`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub ty: String,
    pub default: Value,
    /// `KZT`, `MCI`, `days`, `percent` or `count`.
    pub unit: Option<String>,
    pub description: Option<String>,
    /// For `integer`, `money` and `decimal` only.
    pub min: Option<Value>,
    pub max: Option<Value>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RuleFixture {
    pub name: String,
    /// `finding` or `clear`.
    pub expect: String,
    /// With `expect: finding`, the severity the finding must have.
    pub expect_severity: Option<String>,
    /// Parameter values this fixture assumes, over the declared defaults.
    #[oai(default)]
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    pub submission: FixtureInput,
}

/// The submission a fixture evaluates: any kind, its payload and the
/// context the rule reads.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FixtureInput {
    pub kind: String,
    pub payload: Value,
    pub context: Option<Value>,
}

/// A new version: the standard adopted at `library_version` with the
/// tenant's overrides, disabled rules and own `rules`; or, without
/// `library_version`, only the rules given.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewRuleSet {
    /// The library version to adopt (`GET /tenants/{t}/library`).
    pub library_version: Option<String>,
    /// Library rule id → parameter → value, checked against the
    /// parameter's declared type and range.
    #[oai(default)]
    #[serde(default)]
    pub overrides: BTreeMap<String, BTreeMap<String, Value>>,
    /// Library rule id → why the tenant leaves it out (required).
    #[oai(default)]
    #[serde(default)]
    pub disabled: BTreeMap<String, String>,
    /// The tenant's own rules.
    #[oai(default)]
    #[serde(default)]
    pub rules: Vec<Rule>,
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
    pub activated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The library version adopted; absent for versions uploaded whole.
    pub library_version: Option<String>,
    pub adoption: Option<AdoptionRecord>,
    /// The enabled rules, with effective `params` (defaults and overrides).
    pub rules: Vec<Rule>,
}

/// A stored rule as the API shows (and accepts) it.
pub fn rule_to_api(d: RuleDefinition) -> Rule {
    Rule {
        id: d.id,
        title: d.title,
        area: d.area,
        guideline_section: d.guideline_section,
        kinds: d.kinds,
        severity: d.severity.as_str().to_owned(),
        likelihood: d.likelihood,
        impact: d.impact,
        params: d.params,
        script: d.script,
        parameters: d
            .declared
            .into_iter()
            .map(|(k, p)| {
                (
                    k,
                    ParamDeclaration {
                        ty: p.ty.as_str().to_owned(),
                        default: p.default,
                        unit: p.unit,
                        description: p.description,
                        min: p.min,
                        max: p.max,
                    },
                )
            })
            .collect(),
        fixtures: d
            .fixtures
            .into_iter()
            .map(|f| RuleFixture {
                name: f.name,
                expect: f.expect.to_string(),
                expect_severity: f.expect_severity.map(|s| s.as_str().to_owned()),
                params: f.params,
                submission: FixtureInput {
                    kind: f.submission.kind,
                    payload: f.submission.payload,
                    context: Some(f.submission.context).filter(|c| !c.is_null()),
                },
            })
            .collect(),
    }
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

fn valid_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

const MAX_FIXTURES: usize = 100;

fn valid_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 64
}

/// Checks a rule's parameter declarations; returns them and the values the
/// script reads (defaults, then the rule's own `params`).
fn validate_parameters(
    i: usize,
    r: &Rule,
    errors: &mut Vec<FieldError>,
) -> (BTreeMap<String, ParamSpec>, BTreeMap<String, Value>) {
    let mut declared = BTreeMap::new();
    let mut values = BTreeMap::new();
    for (name, d) in &r.parameters {
        let at = format!("/rules/{i}/parameters/{}", esc(name));
        if !valid_param_name(name) {
            errors.push(FieldError::new(
                at,
                "parameter names are 1-64 lowercase letters, digits and underscores",
            ));
            continue;
        }
        let Some(ty) = ParamType::parse(&d.ty) else {
            errors.push(FieldError::new(
                format!("{at}/type"),
                "must be one of: integer, money, decimal, string, bool, optional_decimal, integer_map",
            ));
            continue;
        };
        let spec = ParamSpec {
            ty,
            default: d.default.clone(),
            unit: d.unit.clone(),
            description: d.description.clone(),
            min: d.min.clone(),
            max: d.max.clone(),
        };
        match spec.validate() {
            Ok(v) => {
                values.insert(name.clone(), v);
                declared.insert(name.clone(), spec);
            }
            Err(e) => errors.push(FieldError::new(at, e)),
        }
    }
    if r.parameters.is_empty() {
        // Rules uploaded without declarations keep their values as given.
        values = r.params.clone();
    } else {
        for (name, v) in &r.params {
            let at = format!("/rules/{i}/params/{}", esc(name));
            match declared.get(name) {
                Some(spec) => match check_param(spec, v) {
                    Ok(v) => {
                        values.insert(name.clone(), v);
                    }
                    Err(e) => errors.push(FieldError::new(at, lifecycle::describe(spec, &e))),
                },
                None if r.parameters.contains_key(name) => {}
                None => errors.push(FieldError::new(at, "not a declared parameter")),
            }
        }
    }
    (declared, values)
}

fn validate_fixtures(
    i: usize,
    r: &Rule,
    declared: &BTreeMap<String, ParamSpec>,
    errors: &mut Vec<FieldError>,
) -> Vec<Fixture> {
    if r.fixtures.is_empty() {
        errors.push(FieldError::new(
            format!("/rules/{i}/fixtures"),
            "at least one fixture is required: activation runs every fixture",
        ));
    }
    if r.fixtures.len() > MAX_FIXTURES {
        errors.push(FieldError::new(
            format!("/rules/{i}/fixtures"),
            format!("at most {MAX_FIXTURES} fixtures"),
        ));
    }
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for (j, f) in r.fixtures.iter().enumerate() {
        let at = |field: &str| format!("/rules/{i}/fixtures/{j}/{field}");
        let before = errors.len();
        let name_len = f.name.trim().chars().count();
        if name_len == 0 || name_len > 300 {
            errors.push(FieldError::new(at("name"), "must be 1-300 characters"));
        } else if !names.insert(f.name.trim().to_owned()) {
            errors.push(FieldError::new(
                at("name"),
                format!("duplicate fixture name {:?}", f.name.trim()),
            ));
        }
        let expect = match f.expect.as_str() {
            "finding" => Some(Expect::Finding),
            "clear" => Some(Expect::Clear),
            _ => {
                errors.push(FieldError::new(
                    at("expect"),
                    "must be \"finding\" or \"clear\"",
                ));
                None
            }
        };
        let expect_severity = match &f.expect_severity {
            None => None,
            Some(s) => {
                let sev = Severity::parse(s);
                if sev.is_none() {
                    errors.push(FieldError::new(
                        at("expect_severity"),
                        "must be one of: low, medium, high, critical",
                    ));
                } else if expect == Some(Expect::Clear) {
                    errors.push(FieldError::new(
                        at("expect_severity"),
                        "only a fixture expecting a finding can expect a severity",
                    ));
                }
                sev
            }
        };
        if f.submission.kind.trim().is_empty() {
            errors.push(FieldError::new(
                format!("/rules/{i}/fixtures/{j}/submission/kind"),
                "must not be empty",
            ));
        }
        let mut params = BTreeMap::new();
        for (name, v) in &f.params {
            let p = format!("/rules/{i}/fixtures/{j}/params/{}", esc(name));
            match declared.get(name) {
                None => errors.push(FieldError::new(p, "not a declared parameter of this rule")),
                Some(spec) => match check_param(spec, v) {
                    Ok(v) => {
                        params.insert(name.clone(), v);
                    }
                    Err(e) => errors.push(FieldError::new(p, lifecycle::describe(spec, &e))),
                },
            }
        }
        if let (Some(expect), true) = (expect, errors.len() == before) {
            out.push(Fixture {
                name: f.name.trim().to_owned(),
                submission: FixtureSubmission {
                    kind: f.submission.kind.clone(),
                    payload: f.submission.payload.clone(),
                    context: f.submission.context.clone().unwrap_or(Value::Null),
                },
                expect,
                expect_severity,
                params,
            });
        }
    }
    out
}

/// Checks the tenant's own rules (everything but the scripts' syntax,
/// which only the sandbox compiles) and converts them to definitions.
pub fn validate_rules(rules: Vec<Rule>, errors: &mut Vec<FieldError>) -> Vec<RuleDefinition> {
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
        let guideline_section = r
            .guideline_section
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if guideline_section
            .as_ref()
            .is_some_and(|s| s.chars().count() > 300)
        {
            errors.push(FieldError::new(
                at("guideline_section"),
                "must be at most 300 characters",
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
        let (declared, params) = validate_parameters(i, &r, errors);
        let fixtures = validate_fixtures(i, &r, &declared, errors);
        if let Some(severity) = severity {
            out.push(RuleDefinition {
                id: r.id,
                title: r.title.trim().to_owned(),
                area: r.area,
                guideline_section,
                kinds: r.kinds,
                severity,
                likelihood: r.likelihood,
                impact: r.impact,
                params,
                script: r.script,
                declared,
                fixtures,
            });
        }
    }
    out
}

/// Compile errors from the sandbox as details naming the rule's script,
/// line and column.
fn compile_error_details(
    errors: &[adal_sandbox_protocol::CompileError],
    own: &BTreeMap<&str, usize>,
) -> Vec<ErrorDetail> {
    errors
        .iter()
        .map(|e| {
            let place = e
                .position
                .map(|p| format!(" at line {}, column {}", p.line, p.column))
                .unwrap_or_default();
            ErrorDetail {
                pointer: own.get(e.rule_id.as_str()).map_or_else(
                    || "/library_version".to_owned(),
                    |i| format!("/rules/{i}/script"),
                ),
                message: format!("rule {}{place}: {}", e.rule_id, e.message),
                rule_id: Some(e.rule_id.clone()),
                line: e.position.map(|p| p.line),
                column: e.position.map(|p| p.column),
                ..ErrorDetail::default()
            }
        })
        .collect()
}

/// How many of the latest submissions a dry run takes by default, and at
/// most: each is evaluated in the sandbox while the caller waits.
const DRY_RUN_DEFAULT: u64 = 200;
const DRY_RUN_MAX: u64 = 500;
/// Submissions per sandbox request in a dry run.
const DRY_RUN_BATCH: usize = 50;

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    /// How many of the tenant's latest submissions to evaluate: 1 to 500,
    /// 200 when absent.
    pub submissions: Option<u64>,
}

#[derive(Debug, Object)]
pub struct DryRunFinding {
    pub submission_id: Uuid,
    pub severity: String,
    pub likelihood: u8,
    pub impact: u8,
    pub explanation: String,
}

#[derive(Debug, Object)]
pub struct DryRunChange {
    pub submission_id: Uuid,
    /// As recorded now.
    pub before: DryRunFinding,
    /// As the dry-run version finds it.
    pub after: DryRunFinding,
}

/// A runtime error or limit breach of the rule on one submission.
#[derive(Debug, Object)]
pub struct DryRunError {
    pub submission_id: Uuid,
    /// `runtime`, `limit` or `bad_result`.
    pub kind: String,
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

#[derive(Debug, Object)]
pub struct DryRunRule {
    pub rule_id: String,
    /// Findings this version would add.
    pub appear: Vec<DryRunFinding>,
    /// Recorded findings this version would not produce.
    pub disappear: Vec<DryRunFinding>,
    /// Findings it would produce differently (severity, likelihood, impact
    /// or explanation).
    pub change: Vec<DryRunChange>,
    /// Submissions where it finds exactly what is recorded.
    pub unchanged: u64,
    pub errors: Vec<DryRunError>,
}

/// A submission the sandbox could not evaluate at all (it missed its
/// deadline or died), so no rule's outcome is known for it.
#[derive(Debug, Object)]
pub struct DryRunFailure {
    pub submission_id: Uuid,
    pub message: String,
}

#[derive(Debug, Object)]
pub struct DryRunReport {
    pub version: i32,
    /// Submissions evaluated (the latest ones, newest first).
    pub submissions: u64,
    /// Of those, submissions with no recorded evaluation to compare with
    /// (not yet evaluated): every finding of theirs counts as appearing.
    pub without_recorded_evaluation: u64,
    /// Every rule of the version, and every rule with recorded findings on
    /// these submissions, by id.
    pub rules: Vec<DryRunRule>,
    pub failures: Vec<DryRunFailure>,
}

fn dry_finding(submission_id: Uuid, f: lifecycle::Found) -> DryRunFinding {
    DryRunFinding {
        submission_id,
        severity: f.severity.as_str().to_owned(),
        likelihood: f.likelihood,
        impact: f.impact,
        explanation: f.explanation,
    }
}

fn dry_rule(rule_id: String, d: RuleDiff) -> DryRunRule {
    DryRunRule {
        rule_id,
        appear: d
            .appear
            .into_iter()
            .map(|(s, f)| dry_finding(s, f))
            .collect(),
        disappear: d
            .disappear
            .into_iter()
            .map(|(s, f)| dry_finding(s, f))
            .collect(),
        change: d
            .change
            .into_iter()
            .map(|(s, a, b)| DryRunChange {
                submission_id: s,
                before: dry_finding(s, a),
                after: dry_finding(s, b),
            })
            .collect(),
        unchanged: d.unchanged,
        errors: d
            .errors
            .into_iter()
            .filter_map(|(s, o)| match o {
                RuleOutcome::Error {
                    kind,
                    message,
                    position,
                    ..
                } => Some(DryRunError {
                    submission_id: s,
                    kind: serde_json::to_value(kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_else(|| "runtime".to_owned()),
                    message,
                    line: position.map(|p| p.line),
                    column: position.map(|p| p.column),
                }),
                _ => None,
            })
            .collect(),
    }
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
    pub from: Option<Value>,
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
    pub from: Option<String>,
    /// The reason after; absent: it is enabled.
    pub to: Option<String>,
}

#[derive(Debug, Object)]
pub struct RuleSetDiff {
    pub from: i32,
    pub to: i32,
    pub library_version_from: Option<String>,
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
        let to = rules::get_version(&state.store, ctx.tenant, version.0)
            .await
            .map_err(|_| ApiError::not_found("rule-set version"))?;
        let from = match against.0 {
            Some(n) => rules::get_version(&state.store, ctx.tenant, n)
                .await
                .map_err(|_| ApiError::not_found("rule-set version"))?,
            None => rules::active_version(&state.store, ctx.tenant)
                .await?
                .ok_or_else(|| {
                    ApiError::field(
                        "/against",
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

/// Checks a new version (parameters, fixtures, the library choices), then
/// compiles every script in the sandbox, then stores it as a draft: the
/// work of `POST /rule-sets`, shared with the dashboard's rule editor.
/// `ctx` must hold `rule_sets`/`write`.
pub async fn create_version(
    state: &AppState,
    ctx: &TenantCtx,
    body: NewRuleSet,
) -> ApiResult<rules::RuleSetVersion> {
    let mut errors = Vec::new();
    let own = validate_rules(body.rules, &mut errors);
    let own_ids: Vec<(usize, &str)> = own
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.id.as_str()))
        .collect();
    let adopted = lifecycle::adopt(
        &state.library,
        &Choices {
            library_version: body.library_version.as_deref(),
            overrides: &body.overrides,
            disabled: &body.disabled,
        },
        &own_ids,
        &mut errors,
    );
    let (mut defs, adoption) = match adopted {
        Some((library_rules, adoption)) => (library_rules, Some(adoption)),
        None => (Vec::new(), None),
    };
    let own_index: BTreeMap<&str, usize> = own_ids.iter().map(|(i, id)| (*id, *i)).collect();
    if errors.is_empty() && defs.is_empty() && own.is_empty() {
        errors.push(FieldError::new(
            if body.library_version.is_some() {
                "/disabled"
            } else {
                "/rules"
            },
            "a version needs at least one enabled rule",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    defs.extend(own.iter().cloned());
    compile(state, &defs, &own_index).await?;
    let library_version = state.library.version.clone();
    let v = rules::create_version_from(
        &state.store,
        ctx.tenant,
        ctx.caller.user_id,
        &defs,
        adoption.as_ref().map(|a| (library_version.as_str(), a)),
    )
    .await?;
    Ok(v)
}

/// Compiles every script in the sandbox; a syntax error is a 422 whose
/// details name the rule, line and column, pointing at
/// `/rules/{i}/script` for the own rule `i` of `own_index`.
pub async fn compile(
    state: &AppState,
    defs: &[RuleDefinition],
    own_index: &BTreeMap<&str, usize>,
) -> ApiResult<()> {
    let sources: Vec<_> = defs.iter().map(RuleDefinition::to_source).collect();
    let compile_errors = state
        .sandbox
        .check(&sources)
        .await
        .map_err(ApiError::unavailable)?;
    if compile_errors.is_empty() {
        return Ok(());
    }
    let details = compile_error_details(&compile_errors, own_index);
    let summary = details
        .iter()
        .map(|d| d.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    Err(ApiError::details(summary, details))
}

/// Runs every fixture of `defs` in the sandbox, each rule with its
/// declared defaults (see [`RuleDefinition::under_test`]).
pub async fn run_fixtures(
    state: &AppState,
    defs: &[RuleDefinition],
) -> ApiResult<adal_sandbox_protocol::TestReport> {
    let tests: Vec<_> = defs.iter().map(RuleDefinition::under_test).collect();
    match state.sandbox.test(&tests).await {
        Ok(r) => Ok(r),
        Err(SandboxError::Deadline) => Err(ApiError::field(
            "",
            "the fixtures did not finish within the sandbox's deadline; \
             make them (or the rules) cheaper",
        )),
        Err(e) => Err(ApiError::unavailable(e)),
    }
}

/// Evaluates `version` against the tenant's latest `submissions` (200 by
/// default) and compares with the findings recorded now: the work of
/// `POST /rule-sets/{v}/dry-run`, shared with the dashboard. Writes only
/// the audit entry. `ctx` must hold `rule_sets`/`write`.
pub async fn dry_run_version(
    state: &AppState,
    ctx: &TenantCtx,
    version: i32,
    count: Option<u64>,
) -> ApiResult<DryRunReport> {
    let n = count.unwrap_or(DRY_RUN_DEFAULT);
    if n == 0 || n > DRY_RUN_MAX {
        return Err(ApiError::field(
            "/submissions",
            format!("must be between 1 and {DRY_RUN_MAX}"),
        ));
    }
    let v = rules::get_version(&state.store, ctx.tenant, version)
        .await
        .map_err(|_| ApiError::not_found("rule-set version"))?;
    let defs = rules::rules_of(&v)?;
    let sources: Vec<_> = defs.iter().map(RuleDefinition::to_source).collect();
    let (subs, _) = submissions::list(
        &state.store,
        ctx.tenant,
        &submissions::SubmissionFilter::default(),
        0,
        n,
    )
    .await?;
    let context = adal_jobs::RuleContext::load(&state.store, ctx.tenant).await?;
    let mut inputs = Vec::with_capacity(subs.len());
    for s in &subs {
        inputs.push(context.input_for(&state.store, ctx.tenant, s).await?);
    }
    let ids: Vec<Uuid> = subs.iter().map(|s| s.id).collect();
    let recorded = evaluation::findings_of_submissions(&state.store, ctx.tenant, &ids).await?;
    // The findings recorded now are those of the version that last
    // evaluated each submission (normally the active one).
    let evaluated_with: HashMap<Uuid, Option<Uuid>> =
        subs.iter().map(|s| (s.id, s.rule_set_version_id)).collect();
    let mut by_submission: HashMap<Uuid, Vec<&evaluation::Finding>> = HashMap::new();
    for f in &recorded {
        if evaluated_with.get(&f.submission_id) == Some(&Some(f.rule_set_version_id)) {
            by_submission.entry(f.submission_id).or_default().push(f);
        }
    }
    let mut diffs: BTreeMap<String, RuleDiff> = defs
        .iter()
        .map(|d| (d.id.clone(), RuleDiff::default()))
        .collect();
    let mut failures = Vec::new();
    for (batch_subs, batch) in subs.chunks(DRY_RUN_BATCH).zip(inputs.chunks(DRY_RUN_BATCH)) {
        let results = match state
            .sandbox
            .evaluate(&v.content_hash, &sources, batch.to_vec())
            .await
        {
            Ok(r) => r.into_iter().map(Ok).collect::<Vec<_>>(),
            // One submission may have sunk the whole batch (a deadline,
            // the memory limit): evaluate them one by one to say which.
            Err(SandboxError::Deadline | SandboxError::Crashed) => {
                let mut one_by_one = Vec::new();
                for input in batch {
                    one_by_one.push(
                        match state
                            .sandbox
                            .evaluate(&v.content_hash, &sources, vec![input.clone()])
                            .await
                        {
                            Ok(mut r) => r.pop().ok_or_else(|| "no result".to_owned()),
                            Err(e) => Err(e.to_string()),
                        },
                    );
                }
                one_by_one
            }
            Err(e) => return Err(ApiError::unavailable(e)),
        };
        for (s, result) in batch_subs.iter().zip(results) {
            match result {
                Ok(r) => lifecycle::compare(
                    s.id,
                    &r.outcomes,
                    by_submission.get(&s.id).map_or(&[][..], Vec::as_slice),
                    &mut diffs,
                ),
                Err(message) => failures.push(DryRunFailure {
                    submission_id: s.id,
                    message,
                }),
            }
        }
    }
    let without = subs
        .iter()
        .filter(|s| s.rule_set_version_id.is_none())
        .count();
    let report = DryRunReport {
        version: v.version,
        submissions: subs.len() as u64,
        without_recorded_evaluation: without as u64,
        rules: diffs.into_iter().map(|(id, d)| dry_rule(id, d)).collect(),
        failures,
    };
    let count = |f: fn(&DryRunRule) -> usize| report.rules.iter().map(f).sum::<usize>();
    rules::audit_dry_run(
        &state.store,
        ctx.tenant,
        &ctx.actor(),
        v.version,
        serde_json::json!({
            "submissions": report.submissions,
            "appear": count(|r| r.appear.len()),
            "disappear": count(|r| r.disappear.len()),
            "change": count(|r| r.change.len()),
            "errors": count(|r| r.errors.len()),
        }),
    )
    .await?;
    Ok(report)
}

/// Runs the fixture gate on a draft and puts it in force: the work of
/// `POST /rule-sets/{v}/activate`, shared with the dashboard. A failing
/// fixture is a 422 `fixtures_failed` with one detail per failure.
/// `ctx` must hold `rule_sets`/`write`.
pub async fn activate_version(
    state: &AppState,
    ctx: &TenantCtx,
    version: i32,
) -> ApiResult<rules::RuleSetVersion> {
    let v = rules::get_version(&state.store, ctx.tenant, version)
        .await
        .map_err(|_| ApiError::not_found("rule-set version"))?;
    if v.status == rules::DRAFT {
        fixtures_gate(state, &v).await?;
    }
    let v = rules::activate(&state.store, ctx.tenant, &ctx.actor(), version)
        .await
        .map_err(|e| match e {
            adal_store::StoreError::NotFound => ApiError::not_found("rule-set version"),
            other => other.into(),
        })?;
    Ok(v)
}

/// Runs every fixture of the version's rules in the sandbox, each rule with
/// its declared defaults (see [`RuleDefinition::under_test`]).
async fn fixtures_gate(state: &AppState, v: &rules::RuleSetVersion) -> ApiResult<()> {
    let defs = rules::rules_of(v)?;
    let report = run_fixtures(state, &defs).await?;
    if report.ok() {
        return Ok(());
    }
    let index: BTreeMap<&str, usize> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let details: Vec<ErrorDetail> = report
        .failures
        .iter()
        .map(|f| {
            let i = index.get(f.rule_id.as_str()).copied().unwrap_or(0);
            let j = f.fixture.as_ref().and_then(|name| {
                defs.get(i)
                    .and_then(|d| d.fixtures.iter().position(|x| &x.name == name))
            });
            ErrorDetail {
                pointer: match j {
                    Some(j) => format!("/rules/{i}/fixtures/{j}"),
                    None => format!("/rules/{i}"),
                },
                message: f.to_string(),
                rule_id: Some(f.rule_id.clone()),
                fixture: f.fixture.clone(),
                expected: Some(f.expected.clone()),
                actual: Some(f.actual.clone()),
                ..ErrorDetail::default()
            }
        })
        .collect();
    Err(ApiError::fixtures_failed(
        format!(
            "{} of {} fixtures failed; the version stays a draft",
            report.failures.len(),
            report.fixtures.max(report.failures.len())
        ),
        details,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(id: &str, section: Option<&str>) -> Rule {
        serde_json::from_value(json!({
            "id": id,
            "title": "Own rule",
            "area": "conflict_of_interest",
            "kinds": ["gift"],
            "severity": "low",
            "likelihood": 1,
            "impact": 1,
            "script": "()",
            "guideline_section": section,
            "fixtures": [{"name": "x", "expect": "clear",
                "submission": {"kind": "gift", "payload": {}}}],
        }))
        .unwrap()
    }

    #[test]
    fn an_own_rule_may_cite_a_guideline_section() {
        let mut errors = Vec::new();
        let defs = validate_rules(
            vec![
                rule("a", Some("  Conflict of interest: gifts ")),
                rule("b", None),
            ],
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            defs[0].guideline_section.as_deref(),
            Some("Conflict of interest: gifts")
        );
        assert_eq!(defs[1].guideline_section, None);
        // It goes back out as it came in.
        assert_eq!(
            rule_to_api(defs[0].clone()).guideline_section.as_deref(),
            Some("Conflict of interest: gifts")
        );
        // Blank is none; too long is refused at its pointer.
        let mut errors = Vec::new();
        let defs = validate_rules(vec![rule("a", Some("  "))], &mut errors);
        assert_eq!(defs[0].guideline_section, None);
        let long = "x".repeat(301);
        validate_rules(vec![rule("a", Some(&long))], &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/rules/0/guideline_section");
    }
}
