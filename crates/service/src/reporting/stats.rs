//! The channel in figures, per tenant (ISO 37002 practice).

use super::*;

/// A tenant's channel in figures (ISO 37002 practice: volume, speed,
/// anonymity, outcomes), over the cases received in `[from, to]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseStatistics {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub reports: u64,
    pub open: u64,
    pub overdue: u64,
    /// People on the tenant's register now (not ended); `None` when it
    /// is empty, and with it the rate.
    pub staff: Option<u64>,
    pub reports_per_100_staff: Option<f64>,
    /// Share of reports without a contact, 0 to 1; `None` without reports.
    pub anonymous_share: Option<f64>,
    pub median_days_to_acknowledge: Option<f64>,
    pub median_days_to_close: Option<f64>,
    /// Counts by status, outcome and source, every value listed (zeros
    /// included), so charts and CSV columns are stable.
    pub by_status: Vec<(CaseStatus, u64)>,
    pub by_outcome: Vec<(CaseOutcome, u64)>,
    pub by_source: Vec<(ReportSource, u64)>,
}

pub(super) fn median(mut v: Vec<i64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

/// Statistics of the tenant's cases received between `from` and `to`
/// (inclusive, either open-ended). Compliance officers only; no content
/// is opened, so nothing is audited.
pub async fn statistics(
    state: &AppState,
    ctx: &TenantCtx,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ServiceResult<CaseStatistics> {
    ctx.require(state, obj::CASES, act::READ).await?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ServiceError::Invalid {
            message: "the period ends before it starts".into(),
            details: vec![coded("/to", "range.period", "must not be before `from`")],
        });
    }
    let today = Utc::now().date_naive();
    let rows: Vec<_> = reports::all(&state.store, ctx.tenant(), ReportChannel::Tenant)
        .await?
        .into_iter()
        .filter(|r| {
            from.is_none_or(|f| r.received_on >= f) && to.is_none_or(|t| r.received_on <= t)
        })
        .collect();
    let (_, staff) = adal_store::people::list(
        &state.store,
        ctx.tenant(),
        &adal_store::people::PeopleFilter {
            current_only: true,
            ..Default::default()
        },
        0,
        1,
    )
    .await?;
    let n = rows.len() as u64;
    let days = |at: Option<chrono::DateTime<Utc>>, on: NaiveDate| {
        at.map(|a| (a.date_naive() - on).num_days())
    };
    let count = |f: &dyn Fn(&reports::Report) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
    Ok(CaseStatistics {
        from,
        to,
        reports: n,
        open: count(&|r| r.status.is_open()),
        overdue: count(&|r| CaseSummary::of(r, today).overdue),
        staff: (staff > 0).then_some(staff),
        reports_per_100_staff: (staff > 0).then(|| n as f64 * 100.0 / staff as f64),
        anonymous_share: (n > 0).then(|| count(&|r| !r.has_contact) as f64 / n as f64),
        median_days_to_acknowledge: median(
            rows.iter()
                .filter_map(|r| days(r.acknowledged_at, r.received_on))
                .collect(),
        ),
        median_days_to_close: median(
            rows.iter()
                .filter_map(|r| days(r.closed_at, r.received_on))
                .collect(),
        ),
        by_status: CaseStatus::ALL
            .iter()
            .map(|s| (*s, count(&|r| r.status == *s)))
            .collect(),
        by_outcome: CaseOutcome::ALL
            .iter()
            .map(|o| (*o, count(&|r| r.outcome == Some(*o))))
            .collect(),
        by_source: ReportSource::ALL
            .iter()
            .map(|o| (*o, count(&|r| r.source == *o)))
            .collect(),
    })
}

impl CaseStatistics {
    /// One header line and one row: the figures as CSV, for a
    /// spreadsheet (every status, outcome and source a column).
    pub fn csv(&self) -> String {
        let opt = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
        let mut head = vec![
            "from".to_owned(),
            "to".to_owned(),
            "reports".to_owned(),
            "open".to_owned(),
            "overdue".to_owned(),
            "staff".to_owned(),
            "reports_per_100_staff".to_owned(),
            "anonymous_share".to_owned(),
            "median_days_to_acknowledge".to_owned(),
            "median_days_to_close".to_owned(),
        ];
        let mut row = vec![
            self.from.map(|d| d.to_string()).unwrap_or_default(),
            self.to.map(|d| d.to_string()).unwrap_or_default(),
            self.reports.to_string(),
            self.open.to_string(),
            self.overdue.to_string(),
            self.staff.map(|s| s.to_string()).unwrap_or_default(),
            opt(self.reports_per_100_staff),
            opt(self.anonymous_share),
            opt(self.median_days_to_acknowledge),
            opt(self.median_days_to_close),
        ];
        for (s, c) in &self.by_status {
            head.push(format!("status_{s}"));
            row.push(c.to_string());
        }
        for (o, c) in &self.by_outcome {
            head.push(format!("outcome_{o}"));
            row.push(c.to_string());
        }
        for (o, c) in &self.by_source {
            head.push(format!("source_{o}"));
            row.push(c.to_string());
        }
        format!("{}\r\n{}\r\n", head.join(","), row.join(","))
    }
}
