//! The annual internal analysis of corruption risks (issue 15,
//! docs/annual-report.md): what a tenant's compliance unit hands its
//! management and the Agency each year. Built from the tenant's records
//! for one calendar year (Kazakhstan time): the risk map of the year's
//! findings (likelihood x impact, 1-5 each), the risks by area and rule
//! with the department most concerned and the measures recorded when
//! findings were resolved, the high-risk positions, findings and cases
//! and their outcomes, the declarations due in the year, and training
//! coverage of the high-risk staff. Served as JSON, CSV and PDF here and
//! as a printable page by the dashboard; the Agency reads every tenant's
//! and a summary across tenants ([`summary`]).

use crate::heatmap::Band;
use crate::{ServiceError, ServiceResult};
use adal_store::annual::{self, Year};
use adal_store::{Store, TenantId, declarations, org, tenants};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The first year a report can be asked for: the Guidelines' standards
/// postdate it, and older years hold nothing on Adal.
pub const FIRST_YEAR: i32 = 2000;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualTenant"))]
pub struct TenantInfo {
    pub id: Uuid,
    pub name: String,
    pub bin: String,
    pub region: String,
    pub sector: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualFindings"))]
pub struct FindingTotals {
    pub total: u64,
    /// Still open at the time of the report.
    pub open: u64,
    pub resolved: u64,
    pub false_positive: u64,
    pub by_severity: BTreeMap<String, u64>,
    pub by_area: BTreeMap<String, u64>,
    /// In the high and critical bands (likelihood x impact >= 10).
    pub high_risk: u64,
}

/// One risk: the findings of one rule in one area.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualRisk"))]
pub struct Risk {
    pub area: String,
    pub rule_id: String,
    pub findings: u64,
    pub open: u64,
    pub resolved: u64,
    pub false_positive: u64,
    /// The highest likelihood and impact among its findings.
    pub likelihood: i16,
    pub impact: i16,
    /// `low`, `medium`, `high` or `critical`, by likelihood x impact.
    pub band: String,
    /// The department with most of its findings; `None` when none names one.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub owner: Option<String>,
    /// What was done: the reasons recorded when its findings were resolved.
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualPosition"))]
pub struct HighRiskPosition {
    pub id: Uuid,
    pub title: String,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub department: Option<String>,
    pub risk_level: i16,
    /// Findings of the year that concern the position.
    pub findings: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualCases"))]
pub struct CaseTotals {
    pub received: u64,
    pub closed: u64,
    pub escalated: u64,
    pub outcomes: BTreeMap<String, u64>,
}

/// The asset declarations due in the report's year: those for the year
/// before, as the law has them filed in the following spring.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualDeclarations"))]
pub struct DeclarationTotals {
    pub for_year: i32,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub due: Option<NaiveDate>,
    pub people: u64,
    pub on_time: u64,
    pub late: u64,
    pub missing: u64,
    pub not_yet_due: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualTraining"))]
pub struct TrainingTotals {
    pub high_risk_staff: u64,
    pub high_risk_trained: u64,
    /// Trained of the high-risk staff, in whole percent; `None` without
    /// high-risk staff.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub coverage_percent: Option<u8>,
    pub trainings: u64,
    pub people_trained: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualReport"))]
pub struct AnnualReport {
    pub tenant: TenantInfo,
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Whether the year is still running, so the figures can still change.
    pub partial: bool,
    pub generated_at: DateTime<Utc>,
    /// Findings of the year by likelihood (rows, 1 to 5) and impact
    /// (columns, 1 to 5): `risk_map[l - 1][i - 1]`.
    pub risk_map: Vec<Vec<u64>>,
    pub findings: FindingTotals,
    /// Highest band first, then most findings.
    pub risks: Vec<Risk>,
    pub high_risk_positions: Vec<HighRiskPosition>,
    pub cases: CaseTotals,
    pub declarations: DeclarationTotals,
    pub training: TrainingTotals,
}

/// The year asked for, checked: from [`FIRST_YEAR`] to the current one.
pub fn year_of(year: i32, today: NaiveDate) -> ServiceResult<Year> {
    use chrono::Datelike;
    if year < FIRST_YEAR || year > today.year() {
        return Err(ServiceError::field(
            "/year",
            "year.out_of_range",
            format!("must be from {FIRST_YEAR} to {}", today.year()),
        ));
    }
    Year::of(year)
        .ok_or_else(|| ServiceError::field("/year", "year.out_of_range", "not a calendar year"))
}

fn band_rank(b: &str) -> u8 {
    match b {
        "critical" => 3,
        "high" => 2,
        "medium" => 1,
        _ => 0,
    }
}

/// The report of `tenant` for `year`.
pub async fn build(
    store: &Store,
    tenant: TenantId,
    year: &Year,
    today: NaiveDate,
) -> ServiceResult<AnnualReport> {
    let t = tenants::get(store, tenant).await?;
    let settings = tenants::settings_of(&t)?;
    let departments: HashMap<Uuid, String> = org::list_departments(store, tenant)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let groups = annual::findings(store, tenant, year).await?;
    let mut measures = annual::measures(store, tenant, year).await?;

    let mut risk_map = vec![vec![0u64; 5]; 5];
    let mut totals = FindingTotals::default();
    let mut risks: BTreeMap<(String, String), Risk> = BTreeMap::new();
    let mut owners: HashMap<(String, String), HashMap<Option<Uuid>, u64>> = HashMap::new();
    for g in &groups {
        let (l, i) = (g.likelihood.clamp(1, 5), g.impact.clamp(1, 5));
        if let (Ok(li), Ok(ii)) = (usize::try_from(l - 1), usize::try_from(i - 1)) {
            risk_map[li][ii] += g.count;
        }
        totals.total += g.count;
        match g.status.as_str() {
            adal_store::evaluation::OPEN => totals.open += g.count,
            adal_store::triage::RESOLVED => totals.resolved += g.count,
            adal_store::triage::FALSE_POSITIVE => totals.false_positive += g.count,
            _ => {}
        }
        *totals.by_severity.entry(g.severity.clone()).or_default() += g.count;
        *totals.by_area.entry(g.area.clone()).or_default() += g.count;
        if i32::from(l) * i32::from(i) >= adal_store::cartogram::HIGH_FROM {
            totals.high_risk += g.count;
        }
        let key = (g.area.clone(), g.rule_id.clone());
        let r = risks.entry(key.clone()).or_insert_with(|| Risk {
            area: g.area.clone(),
            rule_id: g.rule_id.clone(),
            findings: 0,
            open: 0,
            resolved: 0,
            false_positive: 0,
            likelihood: 0,
            impact: 0,
            band: String::new(),
            owner: None,
            measures: Vec::new(),
        });
        r.findings += g.count;
        match g.status.as_str() {
            adal_store::evaluation::OPEN => r.open += g.count,
            adal_store::triage::RESOLVED => r.resolved += g.count,
            adal_store::triage::FALSE_POSITIVE => r.false_positive += g.count,
            _ => {}
        }
        r.likelihood = r.likelihood.max(l);
        r.impact = r.impact.max(i);
        *owners
            .entry(key)
            .or_default()
            .entry(g.department_id)
            .or_default() += g.count;
    }
    let mut risks: Vec<Risk> = risks
        .into_iter()
        .map(|(key, mut r)| {
            r.band = Band::of(r.likelihood, r.impact).as_str().to_owned();
            // The department with most findings; ties go to the first by
            // name, so the report does not vary between runs.
            r.owner = owners
                .get(&key)
                .into_iter()
                .flatten()
                .filter_map(|(d, n)| d.and_then(|d| departments.get(&d)).map(|name| (n, name)))
                .max_by(|a, b| a.0.cmp(b.0).then_with(|| b.1.cmp(a.1)))
                .map(|(_, name)| name.clone());
            r.measures = measures.remove(&key).unwrap_or_default();
            r
        })
        .collect();
    risks.sort_by(|a, b| {
        band_rank(&b.band)
            .cmp(&band_rank(&a.band))
            .then(b.findings.cmp(&a.findings))
            .then_with(|| (&a.area, &a.rule_id).cmp(&(&b.area, &b.rule_id)))
    });

    let by_position = annual::findings_by_position(store, tenant, year).await?;
    let mut high_risk_positions: Vec<HighRiskPosition> = org::list_positions(store, tenant)
        .await?
        .into_iter()
        .filter(|p| p.high_risk)
        .map(|p| HighRiskPosition {
            findings: by_position.get(&p.id).copied().unwrap_or(0),
            department: p.department_id.and_then(|d| departments.get(&d).cloned()),
            id: p.id,
            title: p.title,
            risk_level: p.risk_level,
        })
        .collect();
    high_risk_positions.sort_by(|a, b| {
        b.risk_level
            .cmp(&a.risk_level)
            .then(b.findings.cmp(&a.findings))
            .then_with(|| a.title.cmp(&b.title))
    });

    let c = annual::cases(store, tenant, year).await?;
    let cases = CaseTotals {
        received: c.received,
        closed: c.closed,
        escalated: c.escalated,
        outcomes: c.outcomes.into_iter().collect(),
    };

    let for_year = year.year - 1;
    let due = settings.declaration_due(for_year);
    let mut decl = DeclarationTotals {
        for_year,
        due,
        ..Default::default()
    };
    if let Some(due) = due {
        // Judged as of the year's end, or today while it runs.
        let as_of = today.min(year.last_day);
        for p in declarations::status(store, tenant, for_year, due, as_of).await? {
            decl.people += 1;
            match p.state {
                declarations::State::OnTime => decl.on_time += 1,
                declarations::State::Late => decl.late += 1,
                declarations::State::Missing => decl.missing += 1,
                declarations::State::NotYetDue => decl.not_yet_due += 1,
            }
        }
    }

    let tr = annual::training(store, tenant, year).await?;
    let training = TrainingTotals {
        coverage_percent: (tr.high_risk_staff > 0)
            .then(|| u8::try_from(tr.high_risk_trained * 100 / tr.high_risk_staff).unwrap_or(100)),
        high_risk_staff: tr.high_risk_staff,
        high_risk_trained: tr.high_risk_trained,
        trainings: tr.trainings,
        people_trained: tr.people_trained,
    };

    Ok(AnnualReport {
        tenant: TenantInfo {
            id: t.id,
            name: t.name,
            bin: t.bin,
            region: t.region,
            sector: t.sector,
        },
        year: year.year,
        from: year.first_day,
        to: year.last_day,
        partial: today <= year.last_day,
        generated_at: Utc::now(),
        risk_map,
        findings: totals,
        risks,
        high_risk_positions,
        cases,
        declarations: decl,
        training,
    })
}

/// The counts of the Agency's summary, for a tenant and in total.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualSummaryFigures"))]
pub struct Figures {
    pub findings: u64,
    pub high_risk_findings: u64,
    pub open_findings: u64,
    pub high_risk_positions: u64,
    pub cases_received: u64,
    pub cases_substantiated: u64,
    pub declarations_late: u64,
    pub declarations_missing: u64,
}

impl Figures {
    fn of(r: &AnnualReport) -> Self {
        Self {
            findings: r.findings.total,
            high_risk_findings: r.findings.high_risk,
            open_findings: r.findings.open,
            high_risk_positions: u64::try_from(r.high_risk_positions.len()).unwrap_or(u64::MAX),
            cases_received: r.cases.received,
            cases_substantiated: r.cases.outcomes.get("substantiated").copied().unwrap_or(0),
            declarations_late: r.declarations.late,
            declarations_missing: r.declarations.missing,
        }
    }

    fn add(&mut self, o: &Self) {
        self.findings += o.findings;
        self.high_risk_findings += o.high_risk_findings;
        self.open_findings += o.open_findings;
        self.high_risk_positions += o.high_risk_positions;
        self.cases_received += o.cases_received;
        self.cases_substantiated += o.cases_substantiated;
        self.declarations_late += o.declarations_late;
        self.declarations_missing += o.declarations_missing;
    }

    /// In the CSV's column order.
    fn counts(&self) -> [u64; 8] {
        [
            self.findings,
            self.high_risk_findings,
            self.open_findings,
            self.high_risk_positions,
            self.cases_received,
            self.cases_substantiated,
            self.declarations_late,
            self.declarations_missing,
        ]
    }
}

/// One tenant's line of the Agency's summary.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualSummaryRow"))]
pub struct SummaryRow {
    pub tenant: TenantInfo,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", oai(flatten))]
    pub figures: Figures,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub training_coverage_percent: Option<u8>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualSummary"))]
pub struct Summary {
    pub year: i32,
    pub partial: bool,
    pub generated_at: DateTime<Utc>,
    /// Every tenant, by name.
    pub tenants: Vec<SummaryRow>,
    /// The sums of every column but coverage, which is recomputed from the
    /// sums of staff and trained.
    pub total: SummaryTotal,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "AnnualSummaryTotal"))]
pub struct SummaryTotal {
    pub tenants: u64,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", oai(flatten))]
    pub figures: Figures,
    pub high_risk_staff: u64,
    pub high_risk_trained: u64,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub training_coverage_percent: Option<u8>,
}

/// The Agency-wide summary: each tenant's report in one line, and totals.
/// The caller has checked that the reader may see every tenant.
pub async fn summary(store: &Store, year: &Year, today: NaiveDate) -> ServiceResult<Summary> {
    let mut all = tenants::list_all_for_platform(store).await?;
    all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut rows = Vec::new();
    let mut total = SummaryTotal::default();
    for t in all {
        let r = build(store, TenantId::from_uuid(t.id), year, today).await?;
        let row = SummaryRow {
            figures: Figures::of(&r),
            training_coverage_percent: r.training.coverage_percent,
            tenant: r.tenant,
        };
        total.tenants += 1;
        total.figures.add(&row.figures);
        total.high_risk_staff += r.training.high_risk_staff;
        total.high_risk_trained += r.training.high_risk_trained;
        rows.push(row);
    }
    total.training_coverage_percent = (total.high_risk_staff > 0).then(|| {
        u8::try_from(total.high_risk_trained * 100 / total.high_risk_staff).unwrap_or(100)
    });
    Ok(Summary {
        year: year.year,
        partial: today <= year.last_day,
        generated_at: Utc::now(),
        tenants: rows,
        total,
    })
}

/// The report as one long CSV table, `section,item,measure,value`: each
/// figure on its own row, so a spreadsheet can filter and pivot it.
pub fn csv(r: &AnnualReport) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut add = |section: &str, item: &str, measure: &str, value: String| {
        rows.push([section.into(), item.into(), measure.into(), value]);
    };
    add("report", "tenant", "name", r.tenant.name.clone());
    add("report", "tenant", "bin", r.tenant.bin.clone());
    add("report", "tenant", "region", r.tenant.region.clone());
    add("report", "tenant", "sector", r.tenant.sector.clone());
    add("report", "year", "year", r.year.to_string());
    add("report", "year", "partial", r.partial.to_string());
    for (l, row) in r.risk_map.iter().enumerate() {
        for (i, n) in row.iter().enumerate() {
            add(
                "risk_map",
                &format!("likelihood {} impact {}", l + 1, i + 1),
                "findings",
                n.to_string(),
            );
        }
    }
    let f = &r.findings;
    for (m, v) in [
        ("total", f.total),
        ("open", f.open),
        ("resolved", f.resolved),
        ("false_positive", f.false_positive),
        ("high_risk", f.high_risk),
    ] {
        add("findings", "all", m, v.to_string());
    }
    for (s, v) in &f.by_severity {
        add("findings", "severity", s, v.to_string());
    }
    for (a, v) in &f.by_area {
        add("findings", "area", a, v.to_string());
    }
    for k in &r.risks {
        let item = format!("{}/{}", k.area, k.rule_id);
        add("risk", &item, "findings", k.findings.to_string());
        add("risk", &item, "open", k.open.to_string());
        add("risk", &item, "resolved", k.resolved.to_string());
        add(
            "risk",
            &item,
            "false_positive",
            k.false_positive.to_string(),
        );
        add("risk", &item, "likelihood", k.likelihood.to_string());
        add("risk", &item, "impact", k.impact.to_string());
        add("risk", &item, "band", k.band.clone());
        add("risk", &item, "owner", k.owner.clone().unwrap_or_default());
        add("risk", &item, "measures", k.measures.join("; "));
    }
    for p in &r.high_risk_positions {
        add(
            "high_risk_position",
            &p.title,
            "department",
            p.department.clone().unwrap_or_default(),
        );
        add(
            "high_risk_position",
            &p.title,
            "risk_level",
            p.risk_level.to_string(),
        );
        add(
            "high_risk_position",
            &p.title,
            "findings",
            p.findings.to_string(),
        );
    }
    let c = &r.cases;
    add("cases", "all", "received", c.received.to_string());
    add("cases", "all", "closed", c.closed.to_string());
    add("cases", "all", "escalated", c.escalated.to_string());
    for (o, v) in &c.outcomes {
        add("cases", "outcome", o, v.to_string());
    }
    let d = &r.declarations;
    add(
        "declarations",
        &d.for_year.to_string(),
        "due",
        d.due.map(|d| d.to_string()).unwrap_or_default(),
    );
    for (m, v) in [
        ("people", d.people),
        ("on_time", d.on_time),
        ("late", d.late),
        ("missing", d.missing),
        ("not_yet_due", d.not_yet_due),
    ] {
        add("declarations", &d.for_year.to_string(), m, v.to_string());
    }
    let t = &r.training;
    for (m, v) in [
        ("high_risk_staff", t.high_risk_staff),
        ("high_risk_trained", t.high_risk_trained),
        ("trainings", t.trainings),
        ("people_trained", t.people_trained),
    ] {
        add("training", "all", m, v.to_string());
    }
    add(
        "training",
        "all",
        "coverage_percent",
        t.coverage_percent
            .map(|p| p.to_string())
            .unwrap_or_default(),
    );
    crate::export::csv_table(
        &["section", "item", "measure", "value"],
        rows.into_iter().map(Vec::from),
    )
}

/// The Agency's summary as CSV: a row per tenant, then the totals.
pub fn summary_csv(s: &Summary) -> String {
    // Five columns that name the line, eight counts, the coverage.
    let line = |names: [String; 5], counts: [u64; 8], coverage: Option<u8>| {
        let mut cells: Vec<String> = names.to_vec();
        cells.extend(counts.iter().map(u64::to_string));
        cells.push(coverage.map(|p| p.to_string()).unwrap_or_default());
        cells
    };
    let t = &s.total;
    let total = line(
        [
            "total".to_owned(),
            format!("{} organisations", t.tenants),
            String::new(),
            String::new(),
            String::new(),
        ],
        t.figures.counts(),
        t.training_coverage_percent,
    );
    crate::export::csv_table(
        &[
            "tenant_id",
            "name",
            "bin",
            "region",
            "sector",
            "findings",
            "high_risk_findings",
            "open_findings",
            "high_risk_positions",
            "cases_received",
            "cases_substantiated",
            "declarations_late",
            "declarations_missing",
            "training_coverage_percent",
        ],
        s.tenants
            .iter()
            .map(|r| {
                let t = &r.tenant;
                line(
                    [
                        t.id.to_string(),
                        t.name.clone(),
                        t.bin.clone(),
                        t.region.clone(),
                        t.sector.clone(),
                    ],
                    r.figures.counts(),
                    r.training_coverage_percent,
                )
            })
            .chain(std::iter::once(total)),
    )
}

/// The words a printed report needs, by key; the API prints English
/// ([`english`]), the dashboard its reader's language.
pub type Words<'a> = &'a dyn Fn(&str) -> String;

/// The English words of a printed report.
pub fn english(key: &str) -> String {
    match key {
        "title" => "Annual internal analysis of corruption risks",
        "organisation" => "Organisation",
        "bin" => "BIN",
        "period" => "Period",
        "partial" => "The year is not over: figures as of today",
        "generated" => "Generated",
        "risk-map" => "Risk map: findings of the year by likelihood and impact",
        "likelihood" => "Likelihood",
        "impact" => "Impact",
        "findings" => "Findings",
        "total" => "Total",
        "open" => "Open",
        "resolved" => "Resolved",
        "false-positive" => "False positive",
        "high-risk" => "High and critical",
        "risks" => "Risks by area and rule",
        "band" => "Band",
        "owner" => "Owner",
        "measures" => "Measures",
        "none" => "None",
        "positions" => "High-risk positions",
        "risk-level" => "Risk level",
        "cases" => "Reports and cases",
        "received" => "Received",
        "closed" => "Closed",
        "escalated" => "Escalated to the Agency",
        "declarations" => "Asset declarations",
        "due" => "Due",
        "people" => "People",
        "on-time" => "On time",
        "late" => "Late",
        "missing" => "Missing",
        "not-yet-due" => "Not yet due",
        "training" => "Anti-corruption training",
        "high-risk-staff" => "Staff in high-risk positions",
        "high-risk-trained" => "Of them trained this year",
        "coverage" => "Coverage",
        "trainings" => "Trainings completed (any topic)",
        other => other,
    }
    .to_owned()
}

/// The report as a PDF document (A4) in the given words.
pub fn pdf(
    font: &adal_pdf::Font,
    r: &AnnualReport,
    w: Words<'_>,
) -> Result<Vec<u8>, adal_pdf::PdfError> {
    adal_pdf::render(
        font,
        &format!("{} {}", w("title"), r.year),
        &pdf_blocks(r, w),
    )
}

/// The report as the blocks of a PDF document, in the given words.
pub fn pdf_blocks(r: &AnnualReport, w: Words<'_>) -> Vec<adal_pdf::Block> {
    use adal_pdf::Block::{Field, Heading, Text, Title};
    let n = |v: u64| v.to_string();
    let mut b = vec![
        Title(format!("{} {}", w("title"), r.year)),
        Field(w("organisation"), r.tenant.name.clone()),
        Field(w("bin"), r.tenant.bin.clone()),
        Field(w("period"), format!("{} – {}", r.from, r.to)),
        Field(
            w("generated"),
            r.generated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
    ];
    if r.partial {
        b.push(Text(w("partial")));
    }
    b.push(Heading(w("risk-map")));
    for l in (1..=5usize).rev() {
        let row: Vec<String> = r.risk_map[l - 1]
            .iter()
            .map(|v| format!("{v:>4}"))
            .collect();
        b.push(Field(format!("{} {l}", w("likelihood")), row.join(" ")));
    }
    b.push(Field(w("impact"), "   1    2    3    4    5".into()));
    b.push(Heading(w("findings")));
    let f = &r.findings;
    b.push(Field(w("total"), n(f.total)));
    b.push(Field(w("open"), n(f.open)));
    b.push(Field(w("resolved"), n(f.resolved)));
    b.push(Field(w("false-positive"), n(f.false_positive)));
    b.push(Field(w("high-risk"), n(f.high_risk)));
    b.push(Heading(w("risks")));
    if r.risks.is_empty() {
        b.push(Text(w("none")));
    }
    for k in &r.risks {
        b.push(Text(format!(
            "{} / {}: {} {} ({} {}), {} {}×{} ({})",
            k.area,
            k.rule_id,
            n(k.findings),
            w("findings").to_lowercase(),
            n(k.open),
            w("open").to_lowercase(),
            w("band"),
            k.likelihood,
            k.impact,
            k.band
        )));
        b.push(Field(
            w("owner"),
            k.owner.clone().unwrap_or_else(|| w("none")),
        ));
        if !k.measures.is_empty() {
            b.push(Field(w("measures"), k.measures.join("; ")));
        }
    }
    b.push(Heading(w("positions")));
    if r.high_risk_positions.is_empty() {
        b.push(Text(w("none")));
    }
    for p in &r.high_risk_positions {
        b.push(Field(
            p.title.clone(),
            format!(
                "{}{} {}, {} {}",
                p.department
                    .as_deref()
                    .map(|d| format!("{d}; "))
                    .unwrap_or_default(),
                w("risk-level"),
                p.risk_level,
                n(p.findings),
                w("findings").to_lowercase()
            ),
        ));
    }
    b.push(Heading(w("cases")));
    b.push(Field(w("received"), n(r.cases.received)));
    b.push(Field(w("closed"), n(r.cases.closed)));
    b.push(Field(w("escalated"), n(r.cases.escalated)));
    for (o, v) in &r.cases.outcomes {
        b.push(Field(o.clone(), n(*v)));
    }
    let d = &r.declarations;
    b.push(Heading(format!("{} {}", w("declarations"), d.for_year)));
    b.push(Field(
        w("due"),
        d.due.map(|d| d.to_string()).unwrap_or_else(|| w("none")),
    ));
    b.push(Field(w("people"), n(d.people)));
    b.push(Field(w("on-time"), n(d.on_time)));
    b.push(Field(w("late"), n(d.late)));
    b.push(Field(w("missing"), n(d.missing)));
    b.push(Field(w("not-yet-due"), n(d.not_yet_due)));
    let t = &r.training;
    b.push(Heading(w("training")));
    b.push(Field(w("high-risk-staff"), n(t.high_risk_staff)));
    b.push(Field(w("high-risk-trained"), n(t.high_risk_trained)));
    b.push(Field(
        w("coverage"),
        t.coverage_percent
            .map(|p| format!("{p} %"))
            .unwrap_or_else(|| w("none")),
    ));
    b.push(Field(w("trainings"), n(t.trainings)));
    b
}

#[cfg(test)]
mod tests {
    use super::year_of;
    use chrono::NaiveDate;

    /// One cell as the table writes it.
    fn field(cell: &str) -> String {
        let t = crate::export::csv_table(&["h"], [vec![cell.to_owned()]]);
        t.trim_start_matches("h\r\n")
            .trim_end_matches("\r\n")
            .to_owned()
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("-1,2"), "\"'-1,2\"");
    }

    #[test]
    fn a_report_year_is_from_2000_to_this_one() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let y = year_of(2026, today).unwrap();
        assert_eq!(y.first_day.to_string(), "2026-01-01");
        assert_eq!(y.last_day.to_string(), "2026-12-31");
        // Midnight in Astana is 19:00 UTC the day before.
        assert_eq!(y.from.to_rfc3339(), "2025-12-31T19:00:00+00:00");
        assert_eq!(y.until.to_rfc3339(), "2026-12-31T19:00:00+00:00");
        assert!(year_of(2027, today).is_err());
        assert!(year_of(1999, today).is_err());
    }
}
