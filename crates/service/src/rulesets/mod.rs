//! Rule-set versions as operations: check a new version (parameters,
//! fixtures, the library choices), compile it and run its fixtures in the
//! sandbox, store it as a draft, dry-run it against recent submissions,
//! and activate it once every fixture passes. Scripts and fixtures run
//! only in the sandbox, never here.

use crate::AppState;
use crate::auth::TenantCtx;
use crate::error::{Detail, ServiceError, ServiceResult};
use crate::lifecycle::{self, Choices, RuleDiff, esc};
use adal_domain::FieldError;
use adal_sandbox::SandboxError;
use adal_sandbox_protocol::params::{ParamSpec, ParamType, check_param};
use adal_sandbox_protocol::{Expect, Fixture, FixtureSubmission, RuleOutcome, Severity};
use adal_store::rules::{self, RuleDefinition};
use adal_store::{evaluation, submissions};
use serde::Deserialize;
use serde_json::Value;

mod dry_run;
mod validate;

pub use dry_run::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;
use validate::compile_error_details;
pub use validate::validate_rules;

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

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
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
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
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
    #[cfg_attr(feature = "openapi", oai(default))]
    #[serde(default)]
    pub parameters: BTreeMap<String, ParamDeclaration>,
    /// Example inputs with the outcome each must give; every rule needs at
    /// least one, and activation runs them all.
    #[cfg_attr(feature = "openapi", oai(default))]
    #[serde(default)]
    pub fixtures: Vec<RuleFixture>,
}

/// How a rule declares one parameter.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct ParamDeclaration {
    /// `integer`, `money` (KZT, a decimal string with at most 2 decimals),
    /// `decimal` (a decimal string), `string`, `bool`, `optional_decimal`
    /// (`""` for not set) or `integer_map`. MCI and day counts are
    /// integers with the unit `MCI` or `days`.
    #[cfg_attr(feature = "openapi", oai(rename = "type"))]
    #[serde(rename = "type")]
    pub ty: String,
    pub default: Value,
    /// `KZT`, `MCI`, `days`, `percent` or `count`.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub unit: Option<String>,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub description: Option<String>,
    /// For `integer`, `money` and `decimal` only.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub min: Option<Value>,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub max: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct RuleFixture {
    pub name: String,
    /// `finding` or `clear`.
    pub expect: String,
    /// With `expect: finding`, the severity the finding must have.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub expect_severity: Option<String>,
    /// Parameter values this fixture assumes, over the declared defaults.
    #[cfg_attr(feature = "openapi", oai(default))]
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    pub submission: FixtureInput,
}

/// The submission a fixture evaluates: any kind, its payload and the
/// context the rule reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct FixtureInput {
    pub kind: String,
    pub payload: Value,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub context: Option<Value>,
}

/// A new version: the standard adopted at `library_version` with the
/// tenant's overrides, disabled rules and own `rules`; or, without
/// `library_version`, only the rules given.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct NewRuleSet {
    /// The library version to adopt (`GET /tenants/{t}/library`).
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub library_version: Option<String>,
    /// Library rule id → parameter → value, checked against the
    /// parameter's declared type and range.
    #[cfg_attr(feature = "openapi", oai(default))]
    #[serde(default)]
    pub overrides: BTreeMap<String, BTreeMap<String, Value>>,
    /// Library rule id → why the tenant leaves it out (required).
    #[cfg_attr(feature = "openapi", oai(default))]
    #[serde(default)]
    pub disabled: BTreeMap<String, String>,
    /// The tenant's own rules.
    #[cfg_attr(feature = "openapi", oai(default))]
    #[serde(default)]
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

/// Checks a new version (parameters, fixtures, the library choices), then
/// compiles every script in the sandbox, then stores it as a draft: the
/// work of `POST /rule-sets`, shared with the dashboard's rule editor.
/// `ctx` must hold `rule_sets`/`write`.
pub async fn create_version(
    state: &AppState,
    ctx: &TenantCtx,
    body: NewRuleSet,
) -> ServiceResult<rules::RuleSetVersion> {
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
        errors.push(FieldError::coded(
            if body.library_version.is_some() {
                "/disabled"
            } else {
                "/rules"
            },
            "rule.required",
            "a version needs at least one enabled rule",
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    defs.extend(own.iter().cloned());
    compile(state, &defs, &own_index).await?;
    let library_version = state.library.version.clone();
    let v = rules::create_version_from(
        &state.store,
        ctx.tenant(),
        ctx.caller().user_id,
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
) -> ServiceResult<()> {
    let sources: Vec<_> = defs.iter().map(RuleDefinition::to_source).collect();
    let compile_errors = state
        .sandbox
        .check(&sources)
        .await
        .map_err(ServiceError::unavailable)?;
    if compile_errors.is_empty() {
        return Ok(());
    }
    let details = compile_error_details(&compile_errors, own_index);
    let summary = details
        .iter()
        .map(|d| d.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    Err(ServiceError::details(summary, details))
}

/// Runs every fixture of `defs` in the sandbox, each rule with its
/// declared defaults (see [`RuleDefinition::under_test`]).
pub async fn run_fixtures(
    state: &AppState,
    defs: &[RuleDefinition],
) -> ServiceResult<adal_sandbox_protocol::TestReport> {
    let tests: Vec<_> = defs.iter().map(RuleDefinition::under_test).collect();
    match state.sandbox.test(&tests).await {
        Ok(r) => Ok(r),
        Err(SandboxError::Deadline) => Err(ServiceError::field(
            "",
            "sandbox.deadline",
            "the fixtures did not finish within the sandbox's deadline; \
             make them (or the rules) cheaper",
        )),
        Err(e) => Err(ServiceError::unavailable(e)),
    }
}

/// Runs the fixture gate on a draft and puts it in force: the work of
/// `POST /rule-sets/{v}/activate`, shared with the dashboard. A failing
/// fixture is a 422 `fixtures_failed` with one detail per failure.
/// `ctx` must hold `rule_sets`/`write`.
pub async fn activate_version(
    state: &AppState,
    ctx: &TenantCtx,
    version: i32,
) -> ServiceResult<rules::RuleSetVersion> {
    let v = rules::get_version(&state.store, ctx.tenant(), version)
        .await
        .map_err(|_| ServiceError::not_found("rule-set version"))?;
    if v.status == rules::DRAFT {
        fixtures_gate(state, &v).await?;
    }
    let v = rules::activate(&state.store, ctx.tenant(), &ctx.actor(), version)
        .await
        .map_err(|e| match e {
            adal_store::StoreError::NotFound => ServiceError::not_found("rule-set version"),
            other => other.into(),
        })?;
    Ok(v)
}

/// Runs every fixture of the version's rules in the sandbox, each rule with
/// its declared defaults (see [`RuleDefinition::under_test`]).
async fn fixtures_gate(state: &AppState, v: &rules::RuleSetVersion) -> ServiceResult<()> {
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
    let details: Vec<Detail> = report
        .failures
        .iter()
        .map(|f| {
            let i = index.get(f.rule_id.as_str()).copied().unwrap_or(0);
            let j = f.fixture.as_ref().and_then(|name| {
                defs.get(i)
                    .and_then(|d| d.fixtures.iter().position(|x| &x.name == name))
            });
            Detail {
                pointer: match j {
                    Some(j) => format!("/rules/{i}/fixtures/{j}"),
                    None => format!("/rules/{i}"),
                },
                message: f.to_string(),
                rule_id: Some(f.rule_id.clone()),
                fixture: f.fixture.clone(),
                expected: Some(f.expected.clone()),
                actual: Some(f.actual.clone()),
                ..Detail::default()
            }
        })
        .collect();
    Err(ServiceError::fixtures_failed(
        format!(
            "{} of {} fixtures failed; the version stays a draft",
            report.failures.len(),
            report.fixtures.max(report.failures.len())
        ),
        details,
    ))
}
