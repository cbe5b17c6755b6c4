//! Escalation: an organisation hands a case to the Agency with what it
//! chooses to share; the Agency lists and reads those, and nothing else.

use super::cases::handled;
use super::*;

/// Longest escalation summary, in characters.
pub const MAX_ESCALATION: usize = 5_000;

/// What an organisation shares with the Agency when it escalates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    /// The organisation's account of the case for the Agency.
    pub summary: String,
    /// Whether the Agency may read the report itself.
    pub include_report: bool,
}

/// Hands a case to the Agency with a summary (and, if chosen, the
/// report). The case stays the organisation's to work on; the Agency
/// reads what was shared. Audited; a closed or already escalated case is
/// a conflict.
pub async fn escalate(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    id: Uuid,
    escalation: &Escalation,
) -> ServiceResult<()> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = handled(state, ctx, id).await?;
    let summary = escalation.summary.trim();
    if summary.is_empty() || summary.chars().count() > MAX_ESCALATION {
        return Err(ServiceError::Invalid {
            message: "the summary for the Agency is missing or too long".into(),
            details: vec![coded(
                "/summary",
                "text.length",
                format!("1 to {MAX_ESCALATION} characters"),
            )],
        });
    }
    let key = report_key(keys, &r)?;
    let plain = serde_json::to_vec(&Escalation {
        summary: summary.to_owned(),
        include_report: escalation.include_report,
    })
    .map_err(|e| internal("escalation", e))?;
    let sealed = key
        .seal(&plain, &escalation_aad(r.tenant_id, r.id))
        .map_err(|e| internal("sealing an escalation", e))?;
    reports::escalate(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        id,
        sealed.to_bytes(),
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => ServiceError::not_found("case"),
        StoreError::Conflict(what) if what == "closed" => ServiceError::conflict_at(
            "/summary",
            "case.closed",
            "a closed case cannot be escalated",
        ),
        StoreError::Conflict(_) => ServiceError::conflict_at(
            "/summary",
            "case.escalated",
            "the case is already escalated to the Agency",
        ),
        other => other.into(),
    })
}

fn escalation_aad(tenant: Uuid, report: Uuid) -> Vec<u8> {
    format!("adal/report/{tenant}/{report}/escalation").into_bytes()
}

/// An escalated case as the Agency sees it.
#[derive(Debug, Clone)]
pub struct EscalatedCase {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub case: CaseSummary,
    pub escalated_at: Option<chrono::DateTime<Utc>>,
    pub summary: String,
    /// The report, when the organisation chose to share it.
    pub report: Option<ReportInput>,
}

async fn escalated_view(
    state: &AppState,
    keys: &ReportingKeys,
    r: reports::Report,
) -> ServiceResult<EscalatedCase> {
    let key = report_key(keys, &r)?;
    let sealed = r
        .escalation
        .as_deref()
        .ok_or_else(|| internal("an escalated case", "no escalation stored"))?;
    let sealed = Sealed::from_bytes(sealed).map_err(|e| internal("stored escalation", e))?;
    let plain = key
        .open(&sealed, &escalation_aad(r.tenant_id, r.id))
        .map_err(|e| internal("opening an escalation", e))?;
    let e: Escalation = serde_json::from_slice(&plain).map_err(|e| internal("escalation", e))?;
    let report = if e.include_report {
        Some(open_content(&key, &r)?)
    } else {
        None
    };
    let tenant_name = adal_store::tenants::get(&state.store, TenantId::from_uuid(r.tenant_id))
        .await?
        .name;
    Ok(EscalatedCase {
        tenant_id: r.tenant_id,
        tenant_name,
        case: CaseSummary::of(&r, Utc::now().date_naive()),
        escalated_at: r.escalated_at,
        summary: e.summary,
        report,
    })
}

/// The cases organisations escalated to the Agency, newest first
/// (Agency auditors only). The list shows no report content.
pub async fn agency_cases(
    state: &AppState,
    caller: &crate::Caller,
    offset: u64,
    limit: u64,
) -> ServiceResult<(Vec<(Uuid, CaseSummary, Option<chrono::DateTime<Utc>>)>, u64)> {
    crate::authorize_platform(state, caller, obj::ESCALATIONS, act::READ).await?;
    let (rows, total) = reports::escalated_across_tenants(&state.store, offset, limit).await?;
    let today = Utc::now().date_naive();
    Ok((
        rows.iter()
            .map(|r| (r.tenant_id, CaseSummary::of(r, today), r.escalated_at))
            .collect(),
        total,
    ))
}

/// One escalated case with what its organisation shared; the Agency's
/// read goes in that organisation's audit log.
pub async fn agency_case(
    state: &AppState,
    keys: &ReportingKeys,
    caller: &crate::Caller,
    id: Uuid,
) -> ServiceResult<EscalatedCase> {
    crate::authorize_platform(state, caller, obj::ESCALATIONS, act::READ).await?;
    let r = reports::escalated_across_tenants_get(&state.store, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::not_found("case"),
            other => other.into(),
        })?;
    reports::record_read(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        &caller.user_id.to_string(),
        id,
    )
    .await?;
    escalated_view(state, keys, r).await
}
