//! The compliance unit's side of a case: the list, opening (audited),
//! messages and notes, status, assignment, outcome and recusal.

use super::*;

/// The tenant's cases, the nearest deadline first.
pub async fn list_cases(
    state: &AppState,
    ctx: &TenantCtx,
    filter: &CaseFilter,
    offset: u64,
    limit: u64,
) -> ServiceResult<(Vec<CaseSummary>, u64)> {
    ctx.require(state, obj::CASES, act::READ).await?;
    // A handler never sees the cases they are recused from, not even
    // that they exist; nor the reports made about the organisation to the
    // Agency, whatever the caller asked for.
    let filter = CaseFilter {
        hidden_from: Some(ctx.caller().user_id),
        channel: Some(ReportChannel::Tenant),
        ..filter.clone()
    };
    let (rows, total) = reports::list(&state.store, ctx.tenant(), &filter, offset, limit).await?;
    let today = Utc::now().date_naive();
    Ok((
        rows.iter().map(|r| CaseSummary::of(r, today)).collect(),
        total,
    ))
}

pub(super) async fn handled(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
) -> ServiceResult<reports::Report> {
    let r = reports::get(&state.store, ctx.tenant(), id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::not_found("case"),
            other => other.into(),
        })?;
    // Reports through the Agency's channel are the Agency's to read; a
    // recused handler gets the answer an unknown id gets.
    if r.channel != ReportChannel::Tenant
        || reports::is_recused(&state.store, ctx.tenant(), id, ctx.caller().user_id).await?
    {
        return Err(ServiceError::not_found("case"));
    }
    Ok(r)
}

/// A case with its content, messages and notes; the read is audited.
pub async fn case(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    id: Uuid,
) -> ServiceResult<CaseView> {
    ctx.require(state, obj::CASES, act::READ).await?;
    let r = handled(state, ctx, id).await?;
    reports::record_read(&state.store, ctx.tenant(), &ctx.actor(), id).await?;
    view(state, keys, r, true).await
}

/// A handler's message to the reporter (`internal` false) or note.
pub async fn handler_message(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    id: Uuid,
    body: &str,
    internal: bool,
) -> ServiceResult<Uuid> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = handled(state, ctx, id).await?;
    super::add_handler_message(state, keys, &r, ctx.caller().user_id, body, internal).await
}

/// What a handler changes on a case.
#[derive(Debug, Clone, Default)]
pub struct CaseUpdate {
    pub status: Option<CaseStatus>,
    /// `Some(None)` clears the assignment.
    pub assignee: Option<Option<Uuid>>,
    pub outcome: Option<CaseOutcome>,
    /// The measures taken, given with closing.
    pub measures: Option<String>,
}

/// Changes a case's status, assignee or outcome. Closing needs an
/// outcome; an outcome needs closing; the assignee must be a compliance
/// officer of the tenant (the only role that handles cases); escalation to
/// the Agency has its own operation, not this one.
pub async fn update_case(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    id: Uuid,
    update: CaseUpdate,
) -> ServiceResult<()> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = handled(state, ctx, id).await?;
    check_update(&r, &update)?;
    if let Some(Some(user)) = update.assignee {
        let ok = match adal_store::users::get(&state.store, ctx.tenant(), user).await {
            Ok(u) => {
                u.role == adal_domain::Role::ComplianceOfficer.as_str()
                    && u.disabled_at.is_none()
                    && !reports::is_recused(&state.store, ctx.tenant(), id, user).await?
            }
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !ok {
            return Err(ServiceError::Invalid {
                message: "the assignee cannot handle cases".into(),
                details: vec![coded(
                    "/assignee_id",
                    "case.assignee",
                    "must be an active compliance officer of the organisation who is not \
                     named in the report or recused from it",
                )],
            });
        }
    }
    let measures = super::links::sealed_measures(keys, &r, update.measures.as_deref())?;
    reports::change(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        id,
        CaseChange {
            status: update.status,
            assignee: update.assignee,
            outcome: update.outcome,
            measures,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => ServiceError::not_found("case"),
        other => other.into(),
    })?;
    Ok(())
}

/// The caller steps aside from a case (they know someone involved, say):
/// unassigned if it was theirs, and from then on the case is hidden from
/// them like one they were named in. Recorded in the audit log.
pub async fn recuse(state: &AppState, ctx: &TenantCtx, id: Uuid) -> ServiceResult<()> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    handled(state, ctx, id).await?;
    reports::recuse(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        id,
        ctx.caller().user_id,
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => ServiceError::not_found("case"),
        other => other.into(),
    })
}

/// The rules of a change of status and outcome, whoever handles the case:
/// closing needs an outcome, an outcome needs closing, and escalation is
/// its own operation.
pub(super) fn check_update(r: &reports::Report, update: &CaseUpdate) -> ServiceResult<()> {
    let status = update.status.unwrap_or(r.status);
    if update.status == Some(CaseStatus::Escalated) {
        return Err(ServiceError::Invalid {
            message: "escalation to the Agency is not a status to set".into(),
            details: vec![coded(
                "/status",
                "case.escalation",
                "escalate with POST .../cases/{id}/escalate (docs/reporting.md)",
            )],
        });
    }
    if status == CaseStatus::Closed && update.outcome.or(r.outcome).is_none() {
        return Err(ServiceError::Invalid {
            message: "a case closes with an outcome".into(),
            details: vec![coded(
                "/outcome",
                "case.outcome_required",
                "say how the case ended",
            )],
        });
    }
    if update
        .measures
        .as_deref()
        .is_some_and(|m| !m.trim().is_empty())
        && status != CaseStatus::Closed
    {
        return Err(ServiceError::Invalid {
            message: "the measures taken are given when closing".into(),
            details: vec![coded(
                "/measures",
                "case.measures_without_closing",
                "set status to closed with the outcome and the measures",
            )],
        });
    }
    if update.outcome.is_some() && status != CaseStatus::Closed {
        return Err(ServiceError::Invalid {
            message: "an outcome is given when closing".into(),
            details: vec![coded(
                "/outcome",
                "case.outcome_without_closing",
                "set status to closed with the outcome",
            )],
        });
    }
    if r.status == CaseStatus::Closed && update.status.is_some_and(|s| s != CaseStatus::Closed) {
        // Reopening is allowed: a reporter's new evidence may warrant it;
        // the audit log keeps the earlier closing.
        tracing::info!(case = %r.id, "case reopened");
    }
    Ok(())
}
