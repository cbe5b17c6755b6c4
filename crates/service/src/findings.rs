//! A finding and the work on it (triage: assignment, comments, closing),
//! each reachable only where the finding itself is. A finding is as
//! visible as the record it is about: a finding on an asset declaration
//! is read only by those who may read that declaration, and its comments,
//! assignment and closing reason are part of it. Every operation here
//! starts from [`visible`], so a sub-resource cannot be more visible than
//! its finding.

use crate::filing::reader_visibility;
use crate::{AppState, ServiceError, ServiceResult, TenantCtx};
use adal_authz::{act, obj};
use adal_store::StoreError;
use adal_store::evaluation::{self, Finding};
use adal_store::submissions;
pub use adal_store::triage::{Comment, Note, NoteError, Outcome, Triage};
use adal_store::users::User;
use uuid::Uuid;

/// The finding `id` if the caller may read the record it is about;
/// otherwise `NotFound`, the same answer as for an id that does not exist.
pub async fn visible(state: &AppState, ctx: &TenantCtx, id: Uuid) -> ServiceResult<Finding> {
    Ok(visible_with_filing(state, ctx, id).await?.0)
}

/// [`visible`], with the filing it is about (read to decide anyway).
async fn visible_with_filing(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
) -> ServiceResult<(Finding, submissions::Submission)> {
    let f = evaluation::get_finding(&state.store, ctx.tenant(), id)
        .await
        .map_err(not_found)?;
    let s = submissions::get(&state.store, ctx.tenant(), f.submission_id)
        .await
        .map_err(not_found)?;
    if reader_visibility(state, ctx).await.allows(&s) {
        Ok((f, s))
    } else {
        Err(ServiceError::not_found("finding"))
    }
}

/// A finding's triage: its assignment and closing decision (if any) and
/// its comments, oldest first.
pub struct TriageView {
    pub finding: Finding,
    pub triage: Option<Triage>,
    pub comments: Vec<Comment>,
}

/// The triage of a finding the caller may read.
pub async fn triage(state: &AppState, ctx: &TenantCtx, id: Uuid) -> ServiceResult<TriageView> {
    let finding = visible(state, ctx, id).await?;
    let (triage, comments) = adal_store::triage::details(&state.store, ctx.tenant(), id).await?;
    Ok(TriageView {
        finding,
        triage,
        comments,
    })
}

/// Why `u` may not work on a finding about the filing `s`, as a code and
/// a sentence: a disabled account, a role that cannot triage findings or
/// read filings of that kind, or the person who filed it or whom it is
/// about (nobody judges their own case). `None` when they may.
async fn ineligible(
    state: &AppState,
    ctx: &TenantCtx,
    s: &submissions::Submission,
    u: &User,
) -> Option<(&'static str, &'static str)> {
    if u.disabled_at.is_some() {
        return Some(("assignee.disabled", "the account is disabled"));
    }
    let who = u.id.to_string();
    let tenant = ctx.tenant().to_string();
    let may = |o, a| state.authz.allowed(&who, &tenant, o, a);
    let kind_obj = obj::RECORDS
        .iter()
        .find(|(k, _)| *k == s.kind)
        .map(|(_, o)| *o);
    let reads = match kind_obj {
        Some(o) => may(o, act::READ).await,
        None => false,
    };
    if !may(obj::FINDINGS_ALL, act::WRITE).await || !reads {
        return Some((
            "assignee.cannot_read",
            "this person's role cannot open this finding",
        ));
    }
    let subject = s.subject_iin.is_some() && s.subject_iin == u.person_iin;
    if s.submitted_by == u.id || subject {
        return Some((
            "assignee.is_subject",
            "the finding is about this person's own filing",
        ));
    }
    None
}

/// The users a finding may be assigned to (see [`ineligible`]), by name.
pub async fn assignees(state: &AppState, ctx: &TenantCtx, f: &Finding) -> ServiceResult<Vec<User>> {
    let s = submissions::get(&state.store, ctx.tenant(), f.submission_id)
        .await
        .map_err(not_found)?;
    let users = adal_store::users::list(&state.store, ctx.tenant()).await?;
    Ok(eligible_among(state, ctx, &s, users).await)
}

/// Those of `users` a finding about the filing `s` may be assigned to, by
/// name: for a caller that has read the filing and the users already.
pub async fn eligible_among(
    state: &AppState,
    ctx: &TenantCtx,
    s: &submissions::Submission,
    users: Vec<User>,
) -> Vec<User> {
    let mut out = Vec::new();
    for u in users {
        if ineligible(state, ctx, s, &u).await.is_none() {
            out.push(u);
        }
    }
    out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    out
}

/// Assigns a finding to a user of the tenant who may work on it, or
/// clears the assignment; the assignee is told by email, with a link. An
/// unknown assignee is an error on `/assignee_id`, and so is one who may
/// not work on it, with the reason.
pub async fn assign(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    assignee: Option<Uuid>,
) -> ServiceResult<()> {
    let (f, s) = visible_with_filing(state, ctx, id).await?;
    let unknown = || {
        ServiceError::field(
            "/assignee_id",
            "user.unknown",
            "no such user in this tenant",
        )
    };
    let to = match assignee {
        None => None,
        Some(a) => {
            let u = adal_store::users::get(&state.store, ctx.tenant(), a)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => unknown(),
                    other => other.into(),
                })?;
            if let Some((code, why)) = ineligible(state, ctx, &s, &u).await {
                return Err(ServiceError::field("/assignee_id", code, why));
            }
            Some(u)
        }
    };
    adal_store::triage::assign(
        &state.store,
        ctx.tenant(),
        ctx.caller().user_id,
        id,
        assignee,
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => unknown(),
        other => other.into(),
    })?;
    if let Some(u) = to.filter(|u| u.id != ctx.caller().user_id) {
        notify_assignee(state, ctx, &f, &u).await;
    }
    Ok(())
}

/// Tells `u` by email that finding `f` is now theirs: the rule's title and
/// a link, nothing of the filing (the link asks them to sign in), in the
/// language their account chose (English until they choose). A notice
/// that cannot be queued is logged, and the assignment stands.
async fn notify_assignee(state: &AppState, ctx: &TenantCtx, f: &Finding, u: &User) {
    let link = format!(
        "{}/t/{}/findings/{}",
        state.reporting.public_url(),
        ctx.tenant().uuid(),
        f.id
    );
    let lang = u.lang.as_deref().unwrap_or("en");
    let (subject, body) = adal_texts::notices::assigned(lang, &f.rule_id, &f.rule_id, &link);
    let key = format!("finding-assigned/{}/{}/{}", f.id, u.id, Uuid::now_v7());
    if let Err(e) = adal_store::outbox::enqueue_notice(
        &state.store,
        ctx.tenant().uuid(),
        &key,
        &u.email,
        &subject,
        &body,
    )
    .await
    {
        tracing::warn!(error = %e, "could not queue the assignee's notice");
    }
}

/// Reopens a closed finding with a reason. `Conflict` if it is open.
pub async fn reopen(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    reason: &Note,
) -> ServiceResult<Finding> {
    visible(state, ctx, id).await?;
    adal_store::triage::reopen(&state.store, ctx.tenant(), ctx.caller().user_id, id, reason)
        .await
        .map_err(not_found)
}

/// How far ahead a due date may be set by hand: a year, as the longest
/// due time by severity (`TriageDays`, 1 to 365 days).
pub const MAX_DUE_DAYS: i64 = 365;

/// Sets by hand when an open finding is due: `due_on`, a day from today to
/// [`MAX_DUE_DAYS`] ahead (Kazakhstan's calendar; due at the end of that
/// day there), with the reason. A day outside that range is refused at
/// `/due_on`; a closed finding is a `Conflict`.
pub async fn set_due(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    due_on: chrono::NaiveDate,
    reason: &Note,
) -> ServiceResult<Finding> {
    let today = adal_domain::kazakhstan_today();
    if due_on < today || due_on > today + chrono::Duration::days(MAX_DUE_DAYS) {
        return Err(ServiceError::invalid(vec![adal_domain::FieldError::coded(
            "/due_on",
            "range.due_on",
            format!("must be from {today} to {MAX_DUE_DAYS} days ahead"),
        )]));
    }
    visible(state, ctx, id).await?;
    adal_store::triage::set_due(
        &state.store,
        ctx.tenant(),
        ctx.caller().user_id,
        id,
        end_of_day_in_kazakhstan(due_on),
        reason,
    )
    .await
    .map_err(not_found)
}

/// The last second of `day` in Kazakhstan (UTC+5), as stored: its UTC
/// date is still `day`, so lists show the day that was chosen.
fn end_of_day_in_kazakhstan(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    let local_end = day.and_hms_opt(23, 59, 59).unwrap_or_default();
    chrono::DateTime::from_naive_utc_and_offset(
        local_end - chrono::Duration::hours(adal_domain::KAZAKHSTAN_UTC_OFFSET_HOURS),
        chrono::Utc,
    )
}

/// Adds the caller's comment to a finding.
pub async fn comment(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    body: &Note,
) -> ServiceResult<Comment> {
    visible(state, ctx, id).await?;
    adal_store::triage::comment(&state.store, ctx.tenant(), ctx.caller().user_id, id, body)
        .await
        .map_err(not_found)
}

/// Closes an open finding with a reason. `Conflict` if it is closed
/// already.
pub async fn close(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    outcome: Outcome,
    reason: &Note,
) -> ServiceResult<Finding> {
    visible(state, ctx, id).await?;
    adal_store::triage::close(
        &state.store,
        ctx.tenant(),
        ctx.caller().user_id,
        id,
        outcome,
        reason,
    )
    .await
    .map_err(not_found)
}

/// A store's `NotFound` named as a finding; other errors as they are.
fn not_found(e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::not_found("finding"),
        other => other.into(),
    }
}

/// One page of the findings `scope` lets the caller read, and how many
/// match in all.
pub async fn list(
    state: &AppState,
    ctx: &TenantCtx,
    scope: &submissions::ReadScope,
    filter: &evaluation::FindingFilter,
    offset: u64,
    limit: u64,
) -> ServiceResult<(Vec<Finding>, u64)> {
    Ok(evaluation::list_findings(&state.store, ctx.tenant(), scope, filter, offset, limit).await?)
}

/// The risk areas that have open findings in the tenant, sorted: the
/// choices of the list's area filter. Names only, no counts.
pub async fn open_areas(state: &AppState, ctx: &TenantCtx) -> ServiceResult<Vec<String>> {
    let mut areas: Vec<String> = adal_store::triage::open_counts(&state.store, ctx.tenant())
        .await?
        .into_iter()
        .map(|c| c.area)
        .collect();
    areas.sort();
    areas.dedup();
    Ok(areas)
}

#[cfg(test)]
mod due_tests {
    #[test]
    fn a_due_day_ends_at_midnight_in_kazakhstan_and_keeps_its_date() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
        let at = super::end_of_day_in_kazakhstan(day);
        assert_eq!(at.to_rfc3339(), "2026-12-31T18:59:59+00:00");
        assert_eq!(at.date_naive(), day);
    }
}
