//! One way a record enters: parsed and checked (with the checks that need
//! the tenant's data), stored with its audit entry, then handed to the
//! evaluation queue, or marked for the sweeper when the queue refuses.
//! The API, the dashboard and every later front door file through here.

use crate::AppState;
use crate::auth::TenantCtx;
use crate::error::{ServiceError, ServiceResult};
use adal_authz::{act, obj};
use adal_domain::records::ocds::CompiledRelease;
use adal_domain::records::{coi, culture, declaration::AssetDeclaration, hr, parse_value};
use adal_domain::{FieldError, GiftDeclaration, Kind, kazakhstan_today};
use adal_store::submissions::{self, NewSubmission, ReadScope, SubmissionFilter, Visibility};
use adal_store::{declarations, org, procurement};
use uuid::Uuid;

/// A record accepted: stored, and queued for evaluation.
#[derive(Debug, Clone)]
pub struct Filed {
    pub submission_id: Uuid,
    /// The submission's status when accepted (`pending`).
    pub status: String,
}

/// What the caller may read, kind by kind.
pub(crate) async fn visibility(state: &AppState, ctx: &TenantCtx) -> Visibility {
    let mut v = Visibility {
        me: ctx.caller().user_id,
        ..Default::default()
    };
    for (kind, o) in obj::RECORDS {
        if ctx.may(state, o, act::READ).await {
            v.all.push(kind.to_owned());
        } else if ctx.may(state, o, act::READ_OWN).await {
            v.own.push(kind.to_owned());
        }
    }
    v
}

/// Where a record of each kind goes beyond its payload.
struct Placement {
    payload: serde_json::Value,
    reference: Option<String>,
    subject_iin: Option<String>,
}

/// Parses and checks a payload of `kind`, including the checks that need
/// the tenant's data (positions exist, high-risk hiring is screened).
async fn place(
    state: &AppState,
    ctx: &TenantCtx,
    kind: Kind,
    body: &serde_json::Value,
) -> ServiceResult<Placement> {
    let today = kazakhstan_today();
    fn to_json<T: serde::Serialize>(v: &T) -> ServiceResult<serde_json::Value> {
        serde_json::to_value(v).map_err(ServiceError::internal)
    }
    Ok(match kind {
        Kind::Gift => {
            let g: GiftDeclaration = parse_value(body, today).map_err(ServiceError::record)?;
            Placement {
                payload: to_json(&g)?,
                reference: None,
                subject_iin: None,
            }
        }
        Kind::ConflictOfInterest => {
            let d: coi::Disclosure = parse_value(body, today).map_err(ServiceError::record)?;
            Placement {
                payload: to_json(&d)?,
                reference: None,
                subject_iin: None,
            }
        }
        Kind::AssetDeclaration => {
            let d: AssetDeclaration = parse_value(body, today).map_err(ServiceError::record)?;
            let iin = d.person_iin.to_string();
            Placement {
                payload: to_json(&d)?,
                reference: Some(declarations::reference(d.year, &iin)),
                subject_iin: Some(iin),
            }
        }
        Kind::HrAction => {
            let a: hr::HrAction = parse_value(body, today).map_err(ServiceError::record)?;
            let mut errors = Vec::new();
            let position = org::get_position(&state.store, ctx.tenant(), a.position_id)
                .await
                .ok();
            if position.is_none() {
                errors.push(FieldError::coded(
                    "/position_id",
                    "position.unknown",
                    "no such position in this tenant",
                ));
            }
            if let Some(prev) = a.previous_position_id
                && org::get_position(&state.store, ctx.tenant(), prev)
                    .await
                    .is_err()
            {
                errors.push(FieldError::coded(
                    "/previous_position_id",
                    "position.unknown",
                    "no such position in this tenant",
                ));
            }
            if a.action == hr::HrActionKind::Hiring
                && position.as_ref().is_some_and(|p| p.high_risk)
                && a.screening.is_none()
            {
                errors.push(FieldError::coded(
                    "/screening",
                    "screening.required",
                    "required: the position is on the tenant's list of high-risk positions",
                ));
            }
            if !errors.is_empty() {
                return Err(ServiceError::invalid(errors));
            }
            let iin = a.person.iin.to_string();
            Placement {
                payload: to_json(&a)?,
                reference: None,
                subject_iin: Some(iin),
            }
        }
        Kind::Training => {
            let t: culture::Training = parse_value(body, today).map_err(ServiceError::record)?;
            Placement {
                payload: to_json(&t)?,
                reference: Some(t.reference()),
                subject_iin: Some(t.person_iin.to_string()),
            }
        }
        Kind::FeedbackReport => {
            let r: culture::FeedbackReport =
                parse_value(body, today).map_err(ServiceError::record)?;
            Placement {
                payload: to_json(&r)?,
                // The receipt code is how the reporter follows the report.
                reference: Some(r.receipt_code.to_string()),
                subject_iin: None,
            }
        }
        Kind::Governance => {
            let g: culture::GovernanceRecord =
                parse_value(body, today).map_err(ServiceError::record)?;
            Placement {
                payload: to_json(&g)?,
                reference: Some(g.reference()),
                subject_iin: None,
            }
        }
        Kind::Procurement | Kind::Person => {
            return Err(ServiceError::bad_request(format!(
                "{} records are filed through their own endpoint",
                kind.as_str()
            )));
        }
    })
}

/// Hands a committed submission to the queue, or marks it for the
/// sweeper when the queue refuses it ([`adal_jobs::hand_over`]).
pub async fn enqueue(state: &AppState, ctx: &TenantCtx, id: Uuid) {
    adal_jobs::hand_over(&state.store, &state.queue, ctx.tenant(), id).await;
}

/// Files a record of `kind` (or a correction of `supersedes`).
pub async fn file(
    state: &AppState,
    ctx: &TenantCtx,
    kind: Kind,
    body: &serde_json::Value,
    supersedes: Option<&submissions::Submission>,
) -> ServiceResult<Filed> {
    let mut placed = place(state, ctx, kind, body).await?;
    // The person on file the caller's account belongs to, if linked; read
    // only for the kinds whose filing depends on it.
    // The caller's placement and person came with their token: the
    // caller's row is not read again.
    let me = ctx.caller().person_iin.clone();
    if matches!(kind, Kind::Gift | Kind::ConflictOfInterest) {
        // A gift or a disclosure is about whoever files it: with their
        // person, the rules see their relatives and interests. A
        // correction stays about the person the record was about.
        placed.subject_iin = match supersedes {
            Some(old) => old.subject_iin.clone(),
            None => me.clone(),
        };
    }
    // Someone whose account is a person on file declares for themselves;
    // filing for others takes the right to read everyone's records of the
    // kind (the compliance unit, HR for trainings).
    if matches!(kind, Kind::AssetDeclaration | Kind::Training)
        && let Some(mine) = &me
        && placed.subject_iin.as_ref() != Some(mine)
        && let Some(o) = obj::record(kind.as_str())
        && !ctx.may(state, o, act::READ).await
    {
        return Err(ServiceError::field(
            "/person_iin",
            "record.not_yours",
            "must be your own IIN: your account belongs to a person on file, and you may file only for yourself",
        ));
    }
    // A correction fixes a record; it cannot turn it into another one
    // (another person's declaration, another year, another subject).
    if let Some(old) = supersedes
        && (old.reference != placed.reference || old.subject_iin != placed.subject_iin)
    {
        // Name the member that moved the record, and what the kind's
        // identity is made of.
        let parts = |r: &Option<String>| -> Vec<String> {
            r.as_deref()
                .map(|r| r.split(':').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let (was, now) = (parts(&old.reference), parts(&placed.reference));
        let differs = |i: usize| was.get(i) != now.get(i);
        let same_person = old.subject_iin == placed.subject_iin;
        let (pointer, identity) = match kind {
            Kind::AssetDeclaration if same_person => ("/year", "person and reporting year"),
            Kind::AssetDeclaration => ("/person_iin", "person and reporting year"),
            Kind::HrAction => ("/person/iin", "person"),
            Kind::Training if !same_person => ("/person_iin", "person, topic and day"),
            Kind::Training if differs(1) => ("/topic", "person, topic and day"),
            Kind::Training => ("/completed_on", "person, topic and day"),
            Kind::FeedbackReport => ("/receipt_code", "receipt code"),
            Kind::Governance if differs(0) => ("/event", "measure and day"),
            Kind::Governance => ("/on", "measure and day"),
            _ => ("", "subject"),
        };
        return Err(ServiceError::field(
            pointer,
            "record.identity_changed",
            format!("a correction must keep the record's {identity}; file a new record instead"),
        ));
    }
    // One current record per natural key: a new filing, or a correction
    // that moves a record onto another key (a declaration's year or
    // person), must not make a second one. The version being corrected
    // is the one allowed to hold the key.
    if let Some(reference) = &placed.reference {
        let filter = SubmissionFilter {
            kind: Some(kind.as_str().to_owned()),
            reference: Some(reference.clone()),
            ..Default::default()
        };
        // Every record of the tenant: the key is the tenant's, whoever
        // filed the other record.
        let (existing, _) = submissions::list(
            &state.store,
            ctx.tenant(),
            &ReadScope::WholeTenant,
            &filter,
            0,
            2,
        )
        .await?;
        if let Some(e) = existing
            .iter()
            .find(|e| Some(e.id) != supersedes.map(|o| o.id))
        {
            // Name the member that makes the record's identity, so a
            // form can show the refusal beside it.
            let pointer = match kind {
                Kind::AssetDeclaration => "/year",
                Kind::Training => "/completed_on",
                Kind::FeedbackReport => "/receipt_code",
                Kind::Governance => "/on",
                _ => "",
            };
            return Err(ServiceError::conflict_at(
                pointer,
                "record.duplicate",
                format!(
                    "a {} for {reference} exists ({}); file a correction of it instead",
                    kind.as_str(),
                    e.id
                ),
            ));
        }
    }
    let me = ctx.caller();
    let s = state
        .intake
        .submit(
            ctx.tenant(),
            NewSubmission {
                kind: kind.as_str().to_owned(),
                schema_version: kind.schema_version(),
                submitted_by: me.user_id,
                department_id: me.department_id,
                position_id: me.position_id,
                payload: placed.payload,
                reference: placed.reference,
                subject_iin: placed.subject_iin,
                supersedes: supersedes.map(|o| o.id),
            },
        )
        .await?;
    Ok(Filed {
        submission_id: s.id,
        status: s.status,
    })
}

/// Files a record of `kind` for the caller: checked, stored with its
/// audit entry, then queued. `ctx` must hold the kind's `create`.
pub async fn file_record(
    state: &AppState,
    ctx: &TenantCtx,
    kind: Kind,
    payload: &serde_json::Value,
) -> ServiceResult<Filed> {
    file(state, ctx, kind, payload, None).await
}

/// What `ctx`'s caller may read, kind by kind: every front door filters
/// submissions and findings with it.
pub async fn reader_visibility(state: &AppState, ctx: &TenantCtx) -> Visibility {
    visibility(state, ctx).await
}

/// The scope of `ctx`'s caller's reads of submissions and findings: by
/// kind, everything they may read of it.
pub async fn reader_scope(state: &AppState, ctx: &TenantCtx) -> ReadScope {
    ReadScope::Reader {
        visible: visibility(state, ctx).await,
        only_own: false,
    }
}

/// The scope of "my filings": every kind, only what the caller submitted.
pub fn own_scope(ctx: &TenantCtx) -> ReadScope {
    ReadScope::Reader {
        visible: Visibility {
            all: Vec::new(),
            own: obj::RECORDS.iter().map(|(k, _)| (*k).to_owned()).collect(),
            me: ctx.caller().user_id,
        },
        only_own: true,
    }
}

/// A contracting process filed: created, corrected (a new version), or
/// unchanged (the same release again).
#[derive(Debug, Clone)]
pub struct ProcurementFiled {
    pub submission_id: Uuid,
    pub ocid: String,
    /// `created`, `corrected` or `unchanged`.
    pub outcome: &'static str,
}

/// Files an OCDS compiled release: idempotent by `ocid` and content. A
/// new or changed release is stored as a version and queued; the same
/// one again changes nothing. `ctx` must hold `procurements`/`create`.
pub async fn file_procurement(
    state: &AppState,
    ctx: &TenantCtx,
    body: &serde_json::Value,
) -> ServiceResult<ProcurementFiled> {
    let release: CompiledRelease =
        parse_value(body, kazakhstan_today()).map_err(ServiceError::record)?;
    let up =
        procurement::upsert(&state.store, ctx.tenant(), ctx.caller().user_id, &release).await?;
    let outcome = match up {
        procurement::Upserted::Created(id) => {
            enqueue(state, ctx, id).await;
            "created"
        }
        procurement::Upserted::Corrected(id) => {
            enqueue(state, ctx, id).await;
            "corrected"
        }
        procurement::Upserted::Unchanged(_) => "unchanged",
    };
    if outcome != "unchanged" {
        // Red flags are statistics over all of the tenant's processes: a
        // changed process asks for a dataset run (joining one already
        // waiting, so a burst of filings makes one run). The release is
        // stored whatever happens here; the schedule catches up on a
        // request that failed.
        if let Err(e) = adal_store::dataset::request(
            &state.store,
            ctx.tenant(),
            adal_store::dataset::PROCUREMENT,
            &format!("procurement/{}", up.submission_id()),
        )
        .await
        {
            tracing::warn!(error = %e, "could not ask for a dataset run after a procurement");
        }
    }
    Ok(ProcurementFiled {
        submission_id: up.submission_id(),
        ocid: release.ocid.to_string(),
        outcome,
    })
}

/// Files `body` as a correction of the submission `id`: the whole
/// corrected record, of the same kind. The original is kept, linked to
/// the new version, which is evaluated. Only the current version can be
/// corrected; the filer corrects their own records, and whoever reads
/// every record of the kind (officers) those of others. A record the
/// caller may not read is not found; derived records and procurements
/// are not corrected here. The API's `POST .../submissions/{id}/corrections`
/// and the dashboard's correction forms both come through here.
pub async fn correct(
    state: &AppState,
    caller: &crate::Caller,
    tenant_id: Uuid,
    id: Uuid,
    body: &serde_json::Value,
) -> ServiceResult<Filed> {
    let old = correctable(state, caller, tenant_id, id).await?;
    let kind = Kind::parse(&old.kind).map_err(|_| ServiceError::Internal)?;
    let o = obj::record(kind.as_str()).ok_or(ServiceError::Internal)?;
    let ctx = TenantCtx::authorize(state, caller, tenant_id, o, act::CREATE).await?;
    file(state, &ctx, kind, body, Some(&old)).await
}

/// The submission `id` if `caller` may correct it now: readable by them,
/// a record (not derived, not a procurement), theirs or of a kind they
/// read in full, and not already replaced by a correction.
pub async fn correctable(
    state: &AppState,
    caller: &crate::Caller,
    tenant_id: Uuid,
    id: Uuid,
) -> ServiceResult<submissions::Submission> {
    let ctx = TenantCtx::authorize(state, caller, tenant_id, obj::TENANT, act::READ).await?;
    let vis = visibility(state, &ctx).await;
    let old = submissions::get(&state.store, ctx.tenant(), id)
        .await
        .ok()
        .filter(|s| vis.allows(s))
        .ok_or_else(|| ServiceError::not_found("submission"))?;
    if adal_domain::records::derived::DerivedKind::parse(&old.kind).is_ok() {
        return Err(ServiceError::conflict(
            "derived records are kept by the service's dataset runs and cannot be corrected; correct the records they were derived from",
        ));
    }
    let kind = Kind::parse(&old.kind).map_err(|_| ServiceError::Internal)?;
    if kind == Kind::Procurement {
        return Err(ServiceError::bad_request(
            "procurements are corrected by filing the changed compiled release (POST /procurements)",
        ));
    }
    let o = obj::record(kind.as_str()).ok_or(ServiceError::Internal)?;
    let ctx = TenantCtx::authorize(state, caller, tenant_id, o, act::CREATE).await?;
    let may_correct_any = ctx.may(state, o, act::READ).await;
    if old.submitted_by != caller.user_id && !may_correct_any {
        return Err(ServiceError::Forbidden);
    }
    // Said before the natural-key check, which would otherwise report the
    // current version as a rival.
    if let Some(by) = old.superseded_by {
        return Err(ServiceError::conflict(format!(
            "this version was already corrected by {by}; correct the latest version"
        )));
    }
    Ok(old)
}
