//! Evaluating one submission: read it, build the context its rules need,
//! run the tenant's active rule set in the sandbox, record the outcome.

use crate::queue::EvaluateSubmission;
use adal_domain::records::derived::DerivedKind;
use adal_sandbox::{SandboxError, SandboxPool};
use adal_sandbox_protocol::{Severity, SubmissionInput};
use adal_store::evaluation::{self, AlertPolicy, RuleInfo};
use adal_store::{
    Store, StoreError, TenantId, people, procurement, registry, rules, submissions, tenants,
};
use adal_telemetry::Metrics;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("sandbox: {0}")]
    Sandbox(#[from] SandboxError),
    #[error("the sandbox returned no result for submission {0}")]
    MissingResult(uuid::Uuid),
    /// What failed the whole batch the submission was part of.
    #[error("{0}")]
    Batch(String),
}

pub struct Evaluator {
    store: Store,
    sandbox: Arc<SandboxPool>,
    metrics: Metrics,
    batch_size: u64,
    lease: Duration,
    /// The service's public address, for links in alerts.
    public_url: String,
}

/// What `handle` did about the submission its job named (the others of
/// its batch are logged and counted), for tests and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// The row had already advanced (a duplicate or late job).
    AlreadyDone,
    /// Another job's batch holds the row right now and will record it
    /// (or, if its worker died, the sweeper hands it out again after the
    /// claim's lease).
    InProgress,
    NoActiveRuleSet,
    /// A correction replaced the version before it was evaluated: the
    /// correction is evaluated instead, so the outdated version adds no
    /// findings of its own.
    Superseded,
    Evaluated(evaluation::Recorded),
}

/// Default of `worker.batch_size`.
pub const DEFAULT_BATCH_SIZE: u64 = 200;
/// Default of `worker.claim_lease_secs`.
pub const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(60);

type Outcomes = Result<Vec<adal_sandbox_protocol::RuleOutcome>, EvaluationError>;

impl Evaluator {
    pub fn new(store: Store, sandbox: Arc<SandboxPool>, metrics: Metrics) -> Self {
        Self {
            store,
            sandbox,
            metrics,
            batch_size: DEFAULT_BATCH_SIZE,
            lease: DEFAULT_CLAIM_LEASE,
            public_url: String::new(),
        }
    }

    /// Links in alerts point at `url` (configuration `public_url`).
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// At most `size` submissions per job (at least one), each claim held
    /// for `lease`.
    #[must_use]
    pub fn with_batches(mut self, size: u64, lease: Duration) -> Self {
        self.batch_size = size.max(1);
        self.lease = lease;
        self
    }

    /// The job handler: claims the named submission and up to a batch of
    /// the tenant's other received ones, and evaluates them together.
    /// Failures are counted on each row, so a poison submission ends as
    /// `failed` instead of looping, and it fails alone: a batch the
    /// sandbox cannot finish is split until the one that breaks it is
    /// found.
    pub async fn handle(&self, job: &EvaluateSubmission) -> Result<Handled, EvaluationError> {
        let tenant = TenantId::from_uuid(job.tenant_id);
        let claimed = submissions::claim_batch(
            &self.store,
            tenant,
            job.submission_id,
            self.batch_size,
            self.lease,
        )
        .await?;
        if claimed.is_empty() {
            return self.not_claimed(tenant, job.submission_id).await;
        }
        let size = claimed.len();
        let mine = claimed.iter().any(|s| s.id == job.submission_id);
        let mut results = self.evaluate_claimed(tenant, claimed).await;
        let mut own = Err(EvaluationError::MissingResult(job.submission_id));
        let (mut ok, mut failed) = (0u64, 0u64);
        for (id, r) in results.drain(..) {
            match &r {
                Ok(_) => ok += 1,
                Err(e) => {
                    failed += 1;
                    tracing::warn!(submission_id = %id, tenant_id = %tenant, error = %e, "evaluation failed");
                    if !matches!(e, EvaluationError::Store(StoreError::NotFound))
                        && let Err(e) =
                            submissions::record_failure(&self.store, tenant, id, &e.to_string())
                                .await
                    {
                        tracing::warn!(submission_id = %id, error = %e, "could not count the failure; the claim's lease will free the row");
                    }
                }
            }
            if id == job.submission_id {
                own = r;
            }
        }
        self.metrics
            .jobs
            .with_label_values(&["evaluate", "ok"])
            .inc_by(ok);
        self.metrics
            .jobs
            .with_label_values(&["evaluate", "failed"])
            .inc_by(failed);
        tracing::info!(tenant_id = %tenant, batch = size, ok, failed, "batch evaluated");
        if mine {
            own
        } else {
            // The job's own row was another batch's; this one took the
            // tenant's other waiting rows.
            self.not_claimed(tenant, job.submission_id).await
        }
    }

    /// What became of a job's row that its claim did not take: done, or
    /// held by another claim.
    async fn not_claimed(
        &self,
        tenant: TenantId,
        id: uuid::Uuid,
    ) -> Result<Handled, EvaluationError> {
        let row = submissions::get(&self.store, tenant, id).await?;
        Ok(if row.status == submissions::RECEIVED {
            Handled::InProgress
        } else {
            Handled::AlreadyDone
        })
    }

    /// Evaluates claimed submissions of one tenant; the result of each.
    async fn evaluate_claimed(
        &self,
        tenant: TenantId,
        claimed: Vec<submissions::Submission>,
    ) -> Vec<(uuid::Uuid, Result<Handled, EvaluationError>)> {
        let mut results = Vec::with_capacity(claimed.len());
        let (superseded, live): (Vec<_>, Vec<_>) =
            claimed.into_iter().partition(|s| s.superseded_by.is_some());
        for s in superseded {
            let r = submissions::mark_without_rules(&self.store, tenant, s.id)
                .await
                .map(|()| Handled::Superseded)
                .map_err(EvaluationError::from);
            results.push((s.id, r));
        }
        if live.is_empty() {
            return results;
        }
        let ids: Vec<uuid::Uuid> = live.iter().map(|s| s.id).collect();
        let fail_all = |e: EvaluationError, results: &mut Vec<_>| {
            let message = e.to_string();
            for id in &ids {
                results.push((*id, Err(EvaluationError::Batch(message.clone()))));
            }
        };
        let version = match rules::active_version(&self.store, tenant).await {
            Ok(Some(v)) => v,
            Ok(None) => {
                for s in live {
                    let r = submissions::mark_without_rules(&self.store, tenant, s.id)
                        .await
                        .map(|()| Handled::NoActiveRuleSet)
                        .map_err(EvaluationError::from);
                    results.push((s.id, r));
                }
                return results;
            }
            Err(e) => {
                fail_all(e.into(), &mut results);
                return results;
            }
        };
        let defs = match rules::rules_of(&version) {
            Ok(d) => d,
            Err(e) => {
                fail_all(e.into(), &mut results);
                return results;
            }
        };
        let sources: Vec<_> = defs.iter().map(|d| d.to_source()).collect();
        let info: HashMap<String, RuleInfo> = defs
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    RuleInfo {
                        title: d.title.clone(),
                        area: d.area.clone(),
                    },
                )
            })
            .collect();
        let context = match RuleContext::load(&self.store, tenant).await {
            Ok(c) => c,
            Err(e) => {
                fail_all(e.into(), &mut results);
                return results;
            }
        };
        // Each recipient's language, as their account chose it; a failed
        // read only costs the language (English), never the alert.
        let languages = match adal_store::users::languages_of(
            &self.store,
            tenant,
            &context.settings.alert_emails,
        )
        .await
        {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the alert recipients' languages");
                Default::default()
            }
        };
        let policy = AlertPolicy {
            threshold: Severity::parse(&context.settings.alert_threshold).unwrap_or(Severity::High),
            recipients: context.settings.alert_emails.clone(),
            languages,
            link_base: self.public_url.clone(),
            triage: context.settings.triage_days(),
            digest: context.settings.alert_digest.unwrap_or_default(),
        };
        let read = {
            let batch: Vec<&submissions::Submission> = live.iter().collect();
            match RuleContext::read_for(&self.store, tenant, &batch).await {
                Ok(r) => r,
                Err(e) => {
                    fail_all(e.into(), &mut results);
                    return results;
                }
            }
        };
        let mut inputs = Vec::with_capacity(live.len());
        let mut done = Vec::with_capacity(live.len());
        let now = chrono::Utc::now();
        for s in live {
            let lag = (now - s.received_at).num_milliseconds();
            self.metrics.queue_lag.observe(lag.max(0) as f64 / 1000.0);
            if s.kind == DerivedKind::ProcurementRedFlag.as_str() {
                // Judged by the dataset run's red-flag pass in the sandbox;
                // its result is carried over, not evaluated again.
                match serde_json::from_str(&s.payload) {
                    Ok(payload) => {
                        let outcomes = crate::redflags::outcomes(&payload, &defs);
                        done.push((s, outcomes));
                    }
                    Err(e) => results.push((
                        s.id,
                        Err(EvaluationError::from(StoreError::Corrupt(e.to_string()))),
                    )),
                }
                continue;
            }
            match context.input_for(&self.store, tenant, &s, &read).await {
                Ok(input) => inputs.push((s, input)),
                Err(e) => results.push((s.id, Err(e.into()))),
            }
        }
        let evaluated = if inputs.is_empty() {
            Vec::new()
        } else {
            self.run_split(&version.content_hash, &sources, context.shared(), inputs)
                .await
        };
        for (s, r) in evaluated {
            match r {
                Ok(outcomes) => done.push((s, outcomes)),
                Err(e) => results.push((s.id, Err(e))),
            }
        }
        if done.is_empty() {
            return results;
        }
        let items: Vec<(
            &submissions::Submission,
            &[adal_sandbox_protocol::RuleOutcome],
        )> = done.iter().map(|(s, o)| (s, o.as_slice())).collect();
        match evaluation::record_batch(&self.store, tenant, &items, version.id, &info, &policy)
            .await
        {
            Ok(recorded) => {
                for ((s, _), r) in done.iter().zip(recorded) {
                    let handled = r.map_or(Handled::AlreadyDone, Handled::Evaluated);
                    if let Handled::Evaluated(r) = &handled {
                        tracing::debug!(submission_id = %s.id, tenant_id = %tenant, findings = r.new_findings, rule_errors = r.new_rule_errors, alerts = r.alerts_queued, "submission evaluated");
                    }
                    results.push((s.id, Ok(handled)));
                }
            }
            Err(e) if done.len() > 1 => {
                // One row the batch cannot write (or a moment's outage):
                // each on its own, so the others still land.
                tracing::warn!(tenant_id = %tenant, error = %e, batch = done.len(), "recording the batch failed; recording one by one");
                for (s, outcomes) in &done {
                    let r = evaluation::record_batch(
                        &self.store,
                        tenant,
                        &[(s, outcomes.as_slice())],
                        version.id,
                        &info,
                        &policy,
                    )
                    .await
                    .map(|r| {
                        r.into_iter()
                            .next()
                            .flatten()
                            .map_or(Handled::AlreadyDone, Handled::Evaluated)
                    })
                    .map_err(EvaluationError::from);
                    results.push((s.id, r));
                }
            }
            Err(e) => {
                if let Some((s, _)) = done.first() {
                    results.push((s.id, Err(e.into())));
                }
            }
        }
        results
    }

    /// Runs the inputs through the sandbox in one request; when the
    /// request fails as a whole (the process crashed, missed its deadline
    /// or answered nonsense), splits it in halves and tries again, so one
    /// poison submission fails alone.
    async fn run_split(
        &self,
        key: &str,
        sources: &[adal_sandbox_protocol::RuleSource],
        shared: &serde_json::Value,
        inputs: Vec<(
            submissions::Submission,
            adal_sandbox_protocol::SubmissionInput,
        )>,
    ) -> Vec<(submissions::Submission, Outcomes)> {
        let mut out = Vec::with_capacity(inputs.len());
        let mut parts = vec![inputs];
        while let Some(mut part) = parts.pop() {
            if part.is_empty() {
                continue;
            }
            let batch: Vec<_> = part.iter().map(|(_, i)| i.clone()).collect();
            let started = std::time::Instant::now();
            let result = self
                .sandbox
                .evaluate_batch(key, sources, shared.clone(), batch)
                .await;
            self.metrics
                .evaluation_duration
                .observe(started.elapsed().as_secs_f64());
            let outcome = match &result {
                Ok(_) => "ok",
                Err(SandboxError::Deadline) => "deadline",
                Err(SandboxError::Crashed) => "crashed",
                Err(_) => "error",
            };
            self.metrics
                .sandbox_evaluations
                .with_label_values(&[outcome])
                .inc();
            match result {
                Ok(results) => {
                    let mut by_id: HashMap<String, Vec<_>> =
                        results.into_iter().map(|r| (r.id, r.outcomes)).collect();
                    for (s, input) in part {
                        let r = by_id
                            .remove(&input.id)
                            .ok_or(EvaluationError::MissingResult(s.id));
                        out.push((s, r));
                    }
                }
                Err(
                    SandboxError::Deadline
                    | SandboxError::Crashed
                    | SandboxError::Protocol(_)
                    | SandboxError::Failed { .. },
                ) if part.len() > 1 => {
                    let rest = part.split_off(part.len() / 2);
                    parts.push(rest);
                    parts.push(part);
                }
                Err(e) => {
                    let message = e.to_string();
                    let mut first = Some(e);
                    for (s, _) in part {
                        let err = match first.take() {
                            Some(e) => EvaluationError::Sandbox(e),
                            None => EvaluationError::Batch(message.clone()),
                        };
                        out.push((s, Err(err)));
                    }
                }
            }
        }
        out
    }
}

/// The context of a batch's people and positions, by IIN and by id.
#[derive(Debug, Default)]
pub struct BatchReads {
    people: HashMap<String, serde_json::Value>,
    positions: HashMap<uuid::Uuid, serde_json::Value>,
}

/// What rules see besides a submission's payload, read once per tenant and
/// shared by every submission evaluated with it: by the worker, and by a
/// dry run, so that both evaluate exactly the same input.
pub struct RuleContext {
    pub settings: tenants::TenantSettings,
    context: serde_json::Value,
}

impl RuleContext {
    pub async fn load(store: &Store, tenant: TenantId) -> Result<Self, StoreError> {
        let tenant_row = tenants::get(store, tenant).await?;
        let settings = tenants::settings_of(&tenant_row)?;
        let mci: serde_json::Map<String, serde_json::Value> = settings
            .mci_by_year
            .iter()
            .map(|(y, v)| (y.to_string(), serde_json::Value::String(v.clone())))
            .collect();
        let open_bins = procurement::open_counterparty_bins(store, tenant).await?;
        Ok(Self {
            settings,
            context: serde_json::json!({
                "mci": mci,
                "open_procurement_bins": open_bins,
                // The date in Kazakhstan when the context was read: what
                // "now" means to a rule (how long a declaration is overdue).
                "today": adal_domain::kazakhstan_today().to_string(),
            }),
        })
    }

    /// The context every submission of the tenant shares (MCI, open
    /// procurement, today's date): sent once per sandbox request
    /// (protocol 3's `shared`), under each input's own context.
    pub fn shared(&self) -> &serde_json::Value {
        &self.context
    }

    /// The people and positions `batch` names, read once for all of it
    /// (three queries for the people, one for the positions), for
    /// [`RuleContext::input_for`]. Read one by one, they were four queries
    /// per filing of a person on file, and one more for its position.
    pub async fn read_for(
        store: &Store,
        tenant: TenantId,
        batch: &[&submissions::Submission],
    ) -> Result<BatchReads, StoreError> {
        let mut iins: Vec<String> = batch.iter().filter_map(|s| s.subject_iin.clone()).collect();
        iins.sort();
        iins.dedup();
        let mut position_ids: Vec<uuid::Uuid> =
            batch.iter().filter_map(|s| s.position_id).collect();
        position_ids.sort();
        position_ids.dedup();
        let people = people::get_many_by_iin(store, tenant, &iins)
            .await?
            .into_iter()
            .map(|(iin, rec)| (iin, people::context_of(&rec)))
            .collect();
        let positions = adal_store::org::positions_by_id(store, tenant, &position_ids)
            .await?
            .into_iter()
            .map(|pos| {
                (
                    pos.id,
                    serde_json::json!({
                        "id": pos.id.to_string(),
                        "title": pos.title,
                        "risk_level": pos.risk_level,
                        "high_risk": pos.high_risk,
                    }),
                )
            })
            .collect();
        Ok(BatchReads { people, positions })
    }

    /// The sandbox's input for `submission`, of any kind: only what is
    /// particular to it (the person, the position, the parties, ...); the
    /// sandbox merges it over [`RuleContext::shared`]. `read` holds the
    /// people and positions of its batch ([`RuleContext::read_for`]).
    pub async fn input_for(
        &self,
        store: &Store,
        tenant: TenantId,
        submission: &submissions::Submission,
        read: &BatchReads,
    ) -> Result<SubmissionInput, StoreError> {
        let payload: serde_json::Value = serde_json::from_str(&submission.payload)
            .map_err(|e| StoreError::Corrupt(format!("submission payload: {e}")))?;
        let mut context = serde_json::json!({});
        // The person the record is about, with their declared relatives and
        // interests, so rules can cross-check without a query of their own.
        if let Some(iin) = &submission.subject_iin
            && let Some(person) = read.people.get(iin)
        {
            context["person"] = person.clone();
        }
        // The position the record is filed from (or, for an HR action,
        // the one it concerns), with its risk level: what rules about
        // high-risk positions read.
        if let Some(p) = submission.position_id
            && let Some(position) = read.positions.get(&p)
        {
            context["position"] = position.clone();
        }
        if submission.kind == adal_domain::Kind::Procurement.as_str() {
            context["parties"] = procurement_parties(store, tenant, &payload).await?;
        }
        if submission.kind == adal_domain::Kind::HrAction.as_str() {
            context["registry_matches"] = registry_matches(store, &payload).await?;
        }
        if submission.kind == adal_domain::Kind::AssetDeclaration.as_str()
            && let Some(year) = payload.get("year").and_then(serde_json::Value::as_i64)
            && let Ok(year) = i32::try_from(year)
            && let Some(due) = self.settings.declaration_due(year)
        {
            // Timeliness counts from the first version: correcting an
            // on-time declaration later does not make it late.
            let first = submissions::versions(store, tenant, submission.id)
                .await?
                .first()
                .map_or(submission.received_at, |v| v.received_at);
            let filed_on = adal_domain::kazakhstan_date(first);
            context["declaration"] = serde_json::json!({
                "due_on": due.to_string(),
                "filed_on": filed_on.to_string(),
                "late": filed_on > due,
                "totals": declaration_totals(&payload),
            });
            // Last year's declaration, for growth that income does not
            // explain.
            if let Some(iin) = payload
                .get("person_iin")
                .and_then(serde_json::Value::as_str)
            {
                let reference = adal_store::declarations::reference(year - 1, iin);
                if let Some(prev) =
                    submissions::current_by_reference(store, tenant, &submission.kind, &reference)
                        .await?
                {
                    let prev_payload: serde_json::Value = serde_json::from_str(&prev.payload)
                        .map_err(|e| StoreError::Corrupt(format!("submission payload: {e}")))?;
                    context["previous_declaration"] = serde_json::json!({
                        "year": year - 1,
                        "submission_id": prev.id.to_string(),
                        "totals": declaration_totals(&prev_payload),
                    });
                }
            }
        }
        if submission.kind == adal_domain::Kind::HrAction.as_str()
            && let Some(iin) = &submission.subject_iin
        {
            context["hr_history"] = hr_history(store, tenant, iin, submission.id).await?;
        }
        Ok(SubmissionInput {
            id: submission.id.to_string(),
            kind: submission.kind.clone(),
            payload,
            context,
        })
    }
}

/// A stored declaration's totals; a payload that no longer parses (it was
/// checked on the way in) gives none rather than failing the evaluation.
fn declaration_totals(payload: &serde_json::Value) -> serde_json::Value {
    adal_domain::parse::from_json_value::<adal_domain::records::declaration::AssetDeclaration>(
        payload,
    )
    .map_or(serde_json::Value::Null, |d| d.totals())
}

/// Most earlier HR actions a context lists; a career is a few dozen.
const MAX_HR_HISTORY: u64 = 100;

/// The person's other HR actions (current versions), oldest first: what a
/// rule needs to see a re-hiring soon after a dismissal.
async fn hr_history(
    store: &Store,
    tenant: TenantId,
    iin: &str,
    this: uuid::Uuid,
) -> Result<serde_json::Value, StoreError> {
    let filter = submissions::SubmissionFilter {
        kind: Some(adal_domain::Kind::HrAction.as_str().to_owned()),
        subject_iin: Some(iin.to_owned()),
        ..Default::default()
    };
    // The worker reads the tenant's whole history of the person.
    let scope = submissions::ReadScope::WholeTenant;
    let (rows, _) = submissions::list(store, tenant, &scope, &filter, 0, MAX_HR_HISTORY).await?;
    let mut history: Vec<serde_json::Value> = rows
        .into_iter()
        .filter(|s| s.id != this)
        .filter_map(|s| {
            let p: serde_json::Value = serde_json::from_str(&s.payload).ok()?;
            Some(serde_json::json!({
                "submission_id": s.id.to_string(),
                "action": p.get("action")?,
                "effective_on": p.get("effective_on")?,
                "position_id": p.get("position_id")?,
                "reason": p.get("reason").cloned().unwrap_or(serde_json::Value::Null),
            }))
        })
        .collect();
    history.sort_by(|a, b| {
        let d = |v: &serde_json::Value| v["effective_on"].as_str().unwrap_or_default().to_owned();
        d(a).cmp(&d(b))
    });
    Ok(serde_json::Value::Array(history))
}

/// The entries of the public registry of persons convicted of corruption
/// that concern an HR action's candidate or employee: by IIN, or by name
/// when no entry has their IIN (see `registry::matches_for_person`).
/// Expired entries are included with their `applies_until`: whether one
/// still bars the action is the rule's decision, at the action's date.
async fn registry_matches(
    store: &Store,
    payload: &serde_json::Value,
) -> Result<serde_json::Value, StoreError> {
    let person = payload.get("person");
    let iin = person
        .and_then(|p| p.get("iin"))
        .and_then(serde_json::Value::as_str)
        .and_then(|s| adal_domain::Iin::parse(s).ok());
    let name = person
        .and_then(|p| p.get("full_name"))
        .and_then(serde_json::Value::as_str);
    // Checked on the way in; a payload without them has nothing to match.
    let (Some(iin), Some(name)) = (iin, name) else {
        return Ok(serde_json::json!([]));
    };
    let matches = registry::matches_for_person(store, &iin, name).await?;
    Ok(serde_json::Value::Array(
        matches.iter().map(registry::context_of).collect(),
    ))
}

/// Most committee members a procurement's context describes; a committee
/// is a handful of people, and the bound keeps one bad release cheap.
const MAX_COMMITTEE: usize = 50;

/// A procurement's parties matched to the tenant's people by identifier:
/// the people who declared an interest in a tenderer or supplier (by BIN),
/// and the people named by IIN (committee members, individual parties)
/// with their declared relatives and interests. What the rules need to see a committee member deciding on
/// their own or their family's company.
async fn procurement_parties(
    store: &Store,
    tenant: TenantId,
    payload: &serde_json::Value,
) -> Result<serde_json::Value, StoreError> {
    // Checked on the way in; reading it back needs no second check.
    let Ok(release) =
        adal_domain::parse::from_json_value::<adal_domain::records::ocds::CompiledRelease>(payload)
    else {
        return Ok(serde_json::json!({"counterparty_bins": [], "interests": [], "people": []}));
    };
    let summary = release.summary();
    let interests: Vec<serde_json::Value> =
        people::interests_in_companies(store, tenant, &summary.counterparty_bins)
            .await?
            .into_iter()
            .map(|(p, i)| {
                serde_json::json!({
                    "person_iin": p.iin, "full_name": p.full_name,
                    "company_bin": i.company_bin, "company_name": i.company_name, "role": i.role,
                })
            })
            .collect();
    let mut committee = Vec::new();
    for iin in summary.person_iins.iter().take(MAX_COMMITTEE) {
        if let Some(rec) = people::get_by_iin(store, tenant, iin).await? {
            committee.push(people::context_of(&rec));
        }
    }
    Ok(serde_json::json!({
        "counterparty_bins": summary.counterparty_bins,
        "interests": interests,
        "people": committee,
    }))
}
