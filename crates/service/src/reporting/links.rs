//! What a case concerns and how it ended: the findings and people linked
//! to it (a finding escalated by a compliance officer becomes a case
//! linked to it), and the measures taken, given on closing.

use super::*;
use crate::error::not_found_as;
use adal_store::case_links::{self, Escalated, FINDING, NewLink, PERSON};

/// Longest account of the measures taken, in characters.
pub const MAX_MEASURES: usize = 2_000;

fn measures_aad(tenant: Uuid, report: Uuid) -> Vec<u8> {
    format!("adal/report/{tenant}/{report}/measures").into_bytes()
}

pub(super) fn open_measures(key: &ReportKey, r: &reports::Report) -> ServiceResult<Option<String>> {
    let Some(sealed) = r.measures.as_deref() else {
        return Ok(None);
    };
    let sealed = Sealed::from_bytes(sealed).map_err(|e| internal("stored measures", e))?;
    let plain = key
        .open(&sealed, &measures_aad(r.tenant_id, r.id))
        .map_err(|e| internal("opening the measures", e))?;
    String::from_utf8(plain)
        .map(Some)
        .map_err(|e| internal("measures text", e))
}

/// Checks and seals the measures of a closing; `None` for none given.
pub(super) fn sealed_measures(
    keys: &ReportingKeys,
    r: &reports::Report,
    measures: Option<&str>,
) -> ServiceResult<Option<Vec<u8>>> {
    let Some(text) = measures.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_MEASURES {
        return Err(ServiceError::Invalid {
            message: "the measures are too long".into(),
            details: vec![coded(
                "/measures",
                "text.too_long",
                format!("at most {MAX_MEASURES} characters"),
            )],
        });
    }
    let key = report_key(keys, r)?;
    Ok(Some(
        key.seal(text.as_bytes(), &measures_aad(r.tenant_id, r.id))
            .map_err(|e| internal("sealing the measures", e))?
            .to_bytes(),
    ))
}

/// What a case is linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseTarget {
    Finding(Uuid),
    Person(Uuid),
}

/// A link as shown to handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    pub id: Uuid,
    /// `finding` or `person`.
    pub kind: String,
    pub target_id: Uuid,
    /// The rule and status of a finding, the name of a person; empty when
    /// the record is gone (erased, say).
    pub label: String,
    pub linked_by: Uuid,
    pub at: chrono::DateTime<Utc>,
}

pub(super) async fn link_views(
    state: &AppState,
    r: &reports::Report,
) -> ServiceResult<Vec<LinkView>> {
    let tenant = TenantId::from_uuid(r.tenant_id);
    let mut out = Vec::new();
    for l in case_links::links(&state.store, tenant, r.id).await? {
        let label = match l.kind.as_str() {
            FINDING => {
                match adal_store::evaluation::get_finding(&state.store, tenant, l.target_id).await {
                    Ok(f) => format!("{} · {}", f.rule_id, f.status),
                    Err(StoreError::NotFound) => String::new(),
                    Err(e) => return Err(e.into()),
                }
            }
            _ => match adal_store::people::get(&state.store, tenant, l.target_id).await {
                Ok(p) => p.person.full_name,
                Err(StoreError::NotFound) => String::new(),
                Err(e) => return Err(e.into()),
            },
        };
        out.push(LinkView {
            id: l.id,
            kind: l.kind,
            target_id: l.target_id,
            label,
            linked_by: l.linked_by,
            at: l.created_at,
        });
    }
    Ok(out)
}

/// A compliance officer escalates a finding they can see to a case of
/// the organisation's own channel, linked to it: the case's "report" is
/// the finding's rule and explanation; there is no reporter, so no
/// receipt opens it. A compliance officer the finding is about (they
/// filed what it was found in) is recused from the case. Escalating a
/// finding twice answers its case (`created` false).
pub async fn escalate_finding(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    finding_id: Uuid,
) -> ServiceResult<(Uuid, bool)> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let finding = crate::findings::visible(state, ctx, finding_id).await?;
    let submission =
        adal_store::submissions::get(&state.store, ctx.tenant(), finding.submission_id).await?;
    let report = ReportInput {
        what: format!(
            "Finding of rule {} (severity {}): {}",
            finding.rule_id, finding.severity, finding.explanation
        ),
        ..ReportInput::default()
    };
    let report = validate_report(&report)?;
    // Nothing opens a case without a reporter: its receipt hash is random
    // bytes no receipt hashes to.
    let unopenable = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let id = Uuid::new_v4();
    let mut new = new_report(
        state,
        keys,
        ctx.tenant(),
        ReportChannel::Tenant,
        ReportSource::Finding,
        &report,
        id,
        unopenable,
    )
    .await?;
    let filer_handles_cases =
        match adal_store::users::get(&state.store, ctx.tenant(), submission.submitted_by).await {
            Ok(u) => u.role == adal_domain::Role::ComplianceOfficer.as_str(),
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
    if filer_handles_cases {
        new.named.push(submission.submitted_by);
    }
    match case_links::case_from_finding(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        new,
        finding_id,
        ctx.caller().user_id,
    )
    .await?
    {
        Escalated::Opened => Ok((id, true)),
        Escalated::Exists(case) => Ok((case, false)),
    }
}

/// Links a case to a finding or a person record of the organisation
/// (`NotFound` for one the caller cannot see, as for one that does not
/// exist). Audited.
pub async fn link_case(
    state: &AppState,
    ctx: &TenantCtx,
    case_id: Uuid,
    target: CaseTarget,
) -> ServiceResult<Uuid> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = super::cases::handled(state, ctx, case_id).await?;
    let (kind, target_id) = match target {
        CaseTarget::Finding(id) => {
            crate::findings::visible(state, ctx, id).await?;
            (FINDING, id)
        }
        CaseTarget::Person(id) => {
            adal_store::people::get(&state.store, ctx.tenant(), id)
                .await
                .map_err(not_found_as("person"))?;
            (PERSON, id)
        }
    };
    case_links::link(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        r.id,
        NewLink {
            kind,
            target_id,
            linked_by: ctx.caller().user_id,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => ServiceError::conflict_at(
            if kind == FINDING {
                "/finding_id"
            } else {
                "/person_id"
            },
            "case.link_exists",
            "the case is linked to it already",
        ),
        other => not_found_as("case")(other),
    })
}

/// Removes a link of a case. Audited.
pub async fn unlink_case(
    state: &AppState,
    ctx: &TenantCtx,
    case_id: Uuid,
    link_id: Uuid,
) -> ServiceResult<()> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = super::cases::handled(state, ctx, case_id).await?;
    case_links::unlink(&state.store, ctx.tenant(), &ctx.actor(), r.id, link_id)
        .await
        .map_err(not_found_as("link"))
}
