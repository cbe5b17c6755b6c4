//! A dry run: a version evaluated against the tenant's latest
//! submissions in the sandbox, compared with the findings recorded now.

use super::*;
use adal_domain::records::derived::DerivedKind;

/// How many of the latest submissions a dry run takes by default, and at
/// most: each is evaluated in the sandbox while the caller waits.
const DRY_RUN_DEFAULT: u64 = 200;
const DRY_RUN_MAX: u64 = 500;
/// Submissions per sandbox request in a dry run.
const DRY_RUN_BATCH: usize = 50;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    /// How many of the tenant's latest submissions to evaluate: 1 to 500,
    /// 200 when absent.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub submissions: Option<u64>,
}

#[derive(Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DryRunFinding {
    pub submission_id: Uuid,
    pub severity: String,
    pub likelihood: u8,
    pub impact: u8,
    pub explanation: String,
}

#[derive(Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DryRunChange {
    pub submission_id: Uuid,
    /// As recorded now.
    pub before: DryRunFinding,
    /// As the dry-run version finds it.
    pub after: DryRunFinding,
}

/// A runtime error or limit breach of the rule on one submission.
#[derive(Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DryRunError {
    pub submission_id: Uuid,
    /// `runtime`, `limit` or `bad_result`.
    pub kind: String,
    pub message: String,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub line: Option<u32>,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub column: Option<u32>,
}

#[derive(Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
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
#[derive(Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DryRunFailure {
    pub submission_id: Uuid,
    pub message: String,
}

/// One of the submissions a dry run evaluated: what it is and when it
/// arrived, so that a report can name the submission of a finding
/// rather than show its id alone.
#[derive(Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DryRunSubmission {
    pub submission_id: Uuid,
    /// The record kind (`gift`, `asset_declaration`, `procurement_process`, ...).
    pub kind: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct DryRunReport {
    pub version: i32,
    /// Submissions evaluated (the latest ones, newest first).
    pub submissions: u64,
    /// The same submissions, newest first, each with its kind and time of
    /// receipt.
    pub evaluated: Vec<DryRunSubmission>,
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

/// Evaluates `version` against the tenant's latest `submissions` (200 by
/// default) and compares with the findings recorded now: the work of
/// `POST /rule-sets/{v}/dry-run`, shared with the dashboard. Writes only
/// the audit entry. `ctx` must hold `rule_sets`/`write`.
pub async fn dry_run_version(
    state: &AppState,
    ctx: &TenantCtx,
    version: i32,
    count: Option<u64>,
) -> ServiceResult<DryRunReport> {
    let n = count.unwrap_or(DRY_RUN_DEFAULT);
    if n == 0 || n > DRY_RUN_MAX {
        return Err(ServiceError::field(
            "/submissions",
            "range.submissions",
            format!("must be between 1 and {DRY_RUN_MAX}"),
        ));
    }
    let v = rules::get_version(&state.store, ctx.tenant(), version)
        .await
        .map_err(|_| ServiceError::not_found("rule-set version"))?;
    let defs = rules::rules_of(&v)?;
    let sources: Vec<_> = defs.iter().map(RuleDefinition::to_source).collect();
    // The rules see every record, as the worker does; the caller holds
    // rule_sets/write, and the report names submissions, not contents.
    let (subs, _) = submissions::list(
        &state.store,
        ctx.tenant(),
        &submissions::ReadScope::WholeTenant,
        &submissions::SubmissionFilter::default(),
        0,
        n,
    )
    .await?;
    let context = adal_jobs::RuleContext::load(&state.store, ctx.tenant()).await?;
    let read = {
        let batch: Vec<&submissions::Submission> = subs.iter().collect();
        adal_jobs::RuleContext::read_for(&state.store, ctx.tenant(), &batch).await?
    };
    let mut inputs = Vec::with_capacity(subs.len());
    for s in &subs {
        inputs.push(
            context
                .input_for(&state.store, ctx.tenant(), s, &read)
                .await?,
        );
    }
    let ids: Vec<Uuid> = subs.iter().map(|s| s.id).collect();
    let recorded = evaluation::findings_of_submissions(&state.store, ctx.tenant(), &ids).await?;
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
            .evaluate_batch(
                &v.content_hash,
                &sources,
                context.shared().clone(),
                batch.to_vec(),
            )
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
                            .evaluate_batch(
                                &v.content_hash,
                                &sources,
                                context.shared().clone(),
                                vec![input.clone()],
                            )
                            .await
                        {
                            Ok(mut r) => r.pop().ok_or_else(|| "no result".to_owned()),
                            Err(e) => Err(e.to_string()),
                        },
                    );
                }
                one_by_one
            }
            Err(e) => return Err(ServiceError::unavailable(e)),
        };
        for (s, result) in batch_subs.iter().zip(results) {
            if s.kind == DerivedKind::ProcurementRedFlag.as_str() {
                // As the worker records it: the dataset run's pass found the
                // flag; the version decides whether its rule is still in
                // the standard and how severe it is. New parameters take
                // effect at the next dataset run.
                let payload = serde_json::from_str(&s.payload).unwrap_or_default();
                lifecycle::compare(
                    s.id,
                    &adal_jobs::redflags::outcomes(&payload, &defs),
                    by_submission.get(&s.id).map_or(&[][..], Vec::as_slice),
                    &mut diffs,
                );
                continue;
            }
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
        evaluated: subs
            .iter()
            .map(|s| DryRunSubmission {
                submission_id: s.id,
                kind: s.kind.clone(),
                received_at: s.received_at,
            })
            .collect(),
        without_recorded_evaluation: without as u64,
        rules: diffs.into_iter().map(|(id, d)| dry_rule(id, d)).collect(),
        failures,
    };
    let count = |f: fn(&DryRunRule) -> usize| report.rules.iter().map(f).sum::<usize>();
    rules::audit_dry_run(
        &state.store,
        ctx.tenant(),
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
