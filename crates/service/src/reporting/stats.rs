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
    check_period(from, to)?;
    let today = Utc::now().date_naive();
    // The organisation's own channel only: reports about it made to the
    // Agency are not its to count.
    let (rows, _) = received_between(state, ctx.tenant(), from, to).await?;
    let staff = staff_of(state, ctx.tenant()).await?;
    Ok(figures(&rows, staff, from, to, today))
}

fn check_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ServiceResult<()> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ServiceError::Invalid {
            message: "the period ends before it starts".into(),
            details: vec![coded("/to", "range.period", "must not be before `from`")],
        });
    }
    Ok(())
}

/// The cases about the tenant received in the period: those of its own
/// channel, and those made to the Agency (one read for both).
async fn received_between(
    state: &AppState,
    tenant: TenantId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ServiceResult<(Vec<reports::Report>, Vec<reports::Report>)> {
    Ok(reports::all(&state.store, tenant)
        .await?
        .into_iter()
        .filter(|r| {
            from.is_none_or(|f| r.received_on >= f) && to.is_none_or(|t| r.received_on <= t)
        })
        .partition(|r| r.channel == ReportChannel::Tenant))
}

/// People on the tenant's register now.
async fn staff_of(state: &AppState, tenant: TenantId) -> ServiceResult<u64> {
    let (_, staff) = adal_store::people::list(
        &state.store,
        tenant,
        &adal_store::people::PeopleFilter {
            current_only: true,
            ..Default::default()
        },
        0,
        1,
    )
    .await?;
    Ok(staff)
}

/// The figures of `rows` (one tenant's, or several tenants' together with
/// their staff summed).
fn figures(
    rows: &[reports::Report],
    staff: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> CaseStatistics {
    let n = rows.len() as u64;
    let days = |at: Option<chrono::DateTime<Utc>>, on: NaiveDate| {
        at.map(|a| (a.date_naive() - on).num_days())
    };
    let count = |f: &dyn Fn(&reports::Report) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
    CaseStatistics {
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
    }
}

/// One organisation's channel in the Agency's figures.
#[derive(Debug, Clone)]
pub struct TenantCaseFigures {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    /// Its own channel's cases.
    pub figures: CaseStatistics,
    /// Reports about it made to the Agency directly, in the period.
    pub reported_to_agency: u64,
}

/// The channels of every organisation in figures, for the Agency: each
/// organisation's own channel (as its compliance unit sees it) with the
/// reports about it made to the Agency, and all of them together (medians
/// over every case, the rate over the summed staff). No content is opened.
#[derive(Debug, Clone)]
pub struct AgencyCaseStatistics {
    pub tenants: Vec<TenantCaseFigures>,
    pub total: CaseStatistics,
    pub reported_to_agency: u64,
}

/// Statistics of every organisation's channel (Agency auditors and
/// platform admins), over the cases received between `from` and `to`.
pub async fn agency_statistics(
    state: &AppState,
    caller: &crate::Caller,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ServiceResult<AgencyCaseStatistics> {
    crate::authorize_platform(state, caller, obj::TENANTS, act::READ).await?;
    check_period(from, to)?;
    let today = Utc::now().date_naive();
    let mut tenants = Vec::new();
    let mut all = Vec::new();
    let (mut staff_total, mut agency_total) = (0, 0);
    for t in adal_store::tenants::list_all_for_platform(&state.store).await? {
        let id = TenantId::from_uuid(t.id);
        let (rows, agency) = received_between(state, id, from, to).await?;
        let to_agency = agency.len() as u64;
        let staff = staff_of(state, id).await?;
        tenants.push(TenantCaseFigures {
            tenant_id: t.id,
            tenant_name: t.name,
            figures: figures(&rows, staff, from, to, today),
            reported_to_agency: to_agency,
        });
        staff_total += staff;
        agency_total += to_agency;
        all.extend(rows);
    }
    Ok(AgencyCaseStatistics {
        total: figures(&all, staff_total, from, to, today),
        tenants,
        reported_to_agency: agency_total,
    })
}

impl AgencyCaseStatistics {
    /// A row per organisation and a last row for all of them: the
    /// organisation, the reports about it made to the Agency, then the
    /// columns of [`CaseStatistics::csv`].
    pub fn csv(&self) -> String {
        let head_line = self.total.csv();
        let head: Vec<&str> = head_line.lines().next().unwrap_or("").split(',').collect();
        let mut header = vec!["tenant_id", "tenant_name", "reported_to_agency"];
        header.extend(head.iter().copied());
        let row_of = |id: String, name: String, agency: u64, s: &CaseStatistics| {
            let line = s.csv();
            let mut row = vec![id, name, agency.to_string()];
            row.extend(
                line.lines()
                    .nth(1)
                    .unwrap_or("")
                    .split(',')
                    .map(str::to_owned),
            );
            row
        };
        let mut rows: Vec<Vec<String>> = self
            .tenants
            .iter()
            .map(|t| {
                row_of(
                    t.tenant_id.to_string(),
                    t.tenant_name.clone(),
                    t.reported_to_agency,
                    &t.figures,
                )
            })
            .collect();
        rows.push(row_of(
            String::new(),
            "all".to_owned(),
            self.reported_to_agency,
            &self.total,
        ));
        crate::export::csv_table(&header, rows)
    }
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

#[cfg(test)]
mod agency_tests {
    use super::*;

    #[test]
    fn the_agencys_csv_has_a_row_per_organisation_and_one_for_all() {
        let s = AgencyCaseStatistics {
            tenants: vec![TenantCaseFigures {
                tenant_id: Uuid::nil(),
                tenant_name: "Alpha, Beta & Co".into(),
                figures: CaseStatistics {
                    reports: 3,
                    ..CaseStatistics::default()
                },
                reported_to_agency: 2,
            }],
            total: CaseStatistics {
                reports: 3,
                ..CaseStatistics::default()
            },
            reported_to_agency: 2,
        };
        let csv = s.csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("tenant_id,tenant_name,reported_to_agency,from,to,reports,"));
        assert!(lines[1].contains("\"Alpha, Beta & Co\",2,,,3,"), "{csv}");
        assert!(lines[2].starts_with(",all,2,,,3,"), "{csv}");
    }
}
