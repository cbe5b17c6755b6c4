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

/// One of the Agency's cases as the Agency sees it: escalated by its
/// organisation (the summary it wrote, and the report if it shared it), or
/// reported to the Agency directly (the report and the whole
/// conversation, which the Agency handles itself).
#[derive(Debug, Clone)]
pub struct EscalatedCase {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub channel: ReportChannel,
    pub case: CaseSummary,
    pub escalated_at: Option<chrono::DateTime<Utc>>,
    /// Empty for a report made to the Agency directly.
    pub summary: String,
    /// The report, when the organisation chose to share it (always for
    /// the Agency's own channel).
    pub report: Option<ReportInput>,
    /// The conversation with the reporter and the Agency's notes: the
    /// Agency's own channel only (an escalated case's conversation stays
    /// the organisation's).
    pub messages: Vec<MessageView>,
    /// The files the Agency may open: every file of its own channel's
    /// cases; the reporter's files of an escalated case whose report was
    /// shared.
    pub attachments: Vec<AttachmentView>,
    /// The measures taken: the Agency's own channel only.
    pub measures: Option<String>,
}

async fn escalated_view(
    state: &AppState,
    keys: &ReportingKeys,
    r: reports::Report,
) -> ServiceResult<EscalatedCase> {
    let tenant_name = adal_store::tenants::get(&state.store, TenantId::from_uuid(r.tenant_id))
        .await?
        .name;
    if r.channel == ReportChannel::Agency {
        let (tenant_id, escalated_at) = (r.tenant_id, r.escalated_at);
        let v = view(state, keys, r, true).await?;
        return Ok(EscalatedCase {
            tenant_id,
            tenant_name,
            channel: ReportChannel::Agency,
            case: v.case,
            escalated_at,
            summary: String::new(),
            report: Some(v.report),
            messages: v.messages,
            attachments: v.attachments,
            measures: v.measures,
        });
    }
    let key = report_key(keys, &r)?;
    let e = open_escalation(&key, &r)?
        .ok_or_else(|| internal("an escalated case", "no escalation stored"))?;
    let (report, attachments) = if e.include_report {
        let mut files = attachment_views(state, &key, &r, false).await?;
        files.retain(|a| a.from_reporter);
        (Some(open_content(&key, &r)?), files)
    } else {
        (None, Vec::new())
    };
    Ok(EscalatedCase {
        tenant_id: r.tenant_id,
        tenant_name,
        channel: r.channel,
        case: CaseSummary::of(&r, Utc::now().date_naive()),
        escalated_at: r.escalated_at,
        summary: e.summary,
        report,
        messages: Vec::new(),
        attachments,
        measures: None,
    })
}

/// What the organisation shared when it escalated `r`; `None` for a case
/// it did not escalate.
fn open_escalation(key: &ReportKey, r: &reports::Report) -> ServiceResult<Option<Escalation>> {
    let Some(sealed) = r.escalation.as_deref() else {
        return Ok(None);
    };
    let sealed = Sealed::from_bytes(sealed).map_err(|e| internal("stored escalation", e))?;
    let plain = key
        .open(&sealed, &escalation_aad(r.tenant_id, r.id))
        .map_err(|e| internal("opening an escalation", e))?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|e| internal("escalation", e))
}

/// Whether the organisation shared the report itself when it escalated
/// `r` (and with it the reporter's files).
pub(super) fn shared_report(key: &ReportKey, r: &reports::Report) -> ServiceResult<bool> {
    Ok(open_escalation(key, r)?.is_some_and(|e| e.include_report))
}

/// The Agency's cases: those organisations escalated to it and those
/// reported to it directly, the most recently received first (Agency
/// auditors only). The list shows no report content.
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

/// A case of the Agency's own channel, for the Agency to work on; any
/// other case (an organisation's, even escalated) is `NotFound` here: the
/// organisation keeps handling what it escalated.
pub(super) async fn agency_handled(
    state: &AppState,
    caller: &crate::Caller,
    id: Uuid,
) -> ServiceResult<reports::Report> {
    crate::authorize_platform(state, caller, obj::ESCALATIONS, act::WRITE).await?;
    let r = reports::escalated_across_tenants_get(&state.store, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::not_found("case"),
            other => other.into(),
        })?;
    if r.channel != ReportChannel::Agency {
        return Err(ServiceError::not_found("case"));
    }
    Ok(r)
}

/// The Agency writes to the reporter of a case of its own channel
/// (`internal` false) or adds a note of its own.
pub async fn agency_message(
    state: &AppState,
    keys: &ReportingKeys,
    caller: &crate::Caller,
    id: Uuid,
    body: &str,
    internal: bool,
) -> ServiceResult<Uuid> {
    let r = agency_handled(state, caller, id).await?;
    super::add_handler_message(state, keys, &r, caller.user_id, body, internal).await
}

/// The Agency changes the status or outcome of a case of its own channel
/// (the same rules as an organisation's; nobody is assigned: every
/// auditor of the Agency handles its channel).
pub async fn agency_update(
    state: &AppState,
    keys: &ReportingKeys,
    caller: &crate::Caller,
    id: Uuid,
    update: CaseUpdate,
) -> ServiceResult<()> {
    let r = agency_handled(state, caller, id).await?;
    if update.assignee.is_some() {
        return Err(ServiceError::Invalid {
            message: "the Agency's cases are not assigned".into(),
            details: vec![coded(
                "/assignee_id",
                "case.assignee",
                "every auditor of the Agency handles its channel",
            )],
        });
    }
    super::cases::check_update(&r, &update)?;
    reports::change(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        &caller.user_id.to_string(),
        id,
        CaseChange {
            status: update.status,
            assignee: None,
            outcome: update.outcome,
            measures: super::links::sealed_measures(keys, &r, update.measures.as_deref())?,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => ServiceError::not_found("case"),
        other => other.into(),
    })?;
    Ok(())
}
