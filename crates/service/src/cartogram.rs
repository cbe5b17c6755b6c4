//! The Agency's corruption cartogram (issue 15): open findings across
//! tenants by region and sector, drawn as a tile grid (each of the 17
//! regions and 3 cities a square placed roughly where it lies, so no map
//! data is needed and every region is the same size whatever its area),
//! with the table behind it, the tenants of a selection, CSV, and a public
//! version that names no tenant and hides groups too small to be
//! anonymous.

use crate::heatmap::escape;
use adal_domain::{Region, Sector};
use adal_store::cartogram::{PositionRisk, TenantRisk};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Groups smaller than this show no figures in the public version: with
/// one or two tenants in a region, a figure is that tenant's.
pub const PUBLIC_MIN_GROUP: u64 = 3;

/// Which tenants the cartogram counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    pub region: Option<Region>,
    pub sector: Option<Sector>,
}

impl Filter {
    fn keeps(&self, t: &TenantRisk) -> bool {
        self.region.is_none_or(|r| t.region == r.as_str())
            && self.sector.is_none_or(|s| t.sector == s.as_str())
    }
}

/// How exposed a group is: high-risk findings open per tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// No tenant in the group.
    Empty,
    /// Tenants, none with a high-risk finding open.
    Clear,
    /// Under 1 high-risk finding per tenant.
    Low,
    /// 1 to under 3.
    Medium,
    /// 3 to under 6.
    High,
    /// 6 or more.
    Critical,
}

impl Level {
    pub fn of(tenants: u64, high: u64) -> Self {
        if tenants == 0 {
            return Level::Empty;
        }
        // Compared as high / tenants against the bounds, without division.
        match high {
            0 => Level::Clear,
            h if h < tenants => Level::Low,
            h if h < 3 * tenants => Level::Medium,
            h if h < 6 * tenants => Level::High,
            _ => Level::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Empty => "empty",
            Level::Clear => "clear",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    pub const ALL: [Level; 6] = [
        Level::Empty,
        Level::Clear,
        Level::Low,
        Level::Medium,
        Level::High,
        Level::Critical,
    ];

    fn fill(self) -> &'static str {
        match self {
            Level::Empty => "#eeeeee",
            Level::Clear => "#e8f5e9",
            Level::Low => "#c8e6c9",
            Level::Medium => "#fff59d",
            Level::High => "#ffb74d",
            Level::Critical => "#e57373",
        }
    }
}

/// The totals of a group of tenants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub tenants: u64,
    pub open: u64,
    pub high: u64,
    pub high_risk_positions: u64,
    /// Open findings by severity (`adal_store::cartogram::SEVERITIES`).
    pub by_severity: [u64; 4],
    /// Open findings by band of likelihood x impact (low to critical).
    pub by_band: [u64; 4],
    /// People late with or missing last year's asset declaration.
    pub overdue_declarations: u64,
    pub cases_open: u64,
    pub cases_closed: u64,
    /// Closed cases found substantiated.
    pub cases_substantiated: u64,
}

impl Totals {
    fn add(&mut self, t: &TenantRisk) {
        self.tenants += 1;
        self.open += t.open;
        self.high += t.high;
        self.high_risk_positions += t.high_risk_positions;
        for i in 0..4 {
            self.by_severity[i] += t.by_severity[i];
            self.by_band[i] += t.by_band[i];
        }
        self.overdue_declarations += t.overdue_declarations;
        self.cases_open += t.cases_open;
        self.cases_closed += t.cases_closed;
        self.cases_substantiated += t.case_outcomes.get("substantiated").copied().unwrap_or(0);
    }

    pub fn level(&self) -> Level {
        Level::of(self.tenants, self.high)
    }
}

/// The cartogram of a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cartogram {
    pub filter: Filter,
    /// Every region in [`Region::ALL`]'s order, with the tenants the
    /// filter keeps there.
    pub regions: Vec<(Region, Totals)>,
    /// Every sector, likewise.
    pub sectors: Vec<(Sector, Totals)>,
    pub total: Totals,
    /// The selection's open findings by the Guidelines' area.
    pub areas: BTreeMap<String, u64>,
    /// The selection's closed cases by outcome.
    pub case_outcomes: BTreeMap<String, u64>,
    /// The tenants the filter keeps, most exposed first.
    pub tenants: Vec<TenantRisk>,
}

/// The Agency's cartogram of the tenants `filter` keeps, with every figure
/// (the accountability figures judged on `today`).
pub async fn for_agency(
    store: &adal_store::Store,
    filter: Filter,
    today: chrono::NaiveDate,
) -> Result<Cartogram, adal_store::StoreError> {
    let mut all = adal_store::cartogram::tenant_risks(store).await?;
    adal_store::cartogram::add_accountability(store, &mut all, today).await?;
    Ok(build(all, filter))
}

/// The cartogram the public aggregate is made from: the risk counters
/// only, so an anonymous request reads a few rows per tenant.
pub async fn for_public(store: &adal_store::Store) -> Result<Cartogram, adal_store::StoreError> {
    Ok(build(
        adal_store::cartogram::tenant_risks(store).await?,
        Filter::default(),
    ))
}

/// Counts the tenants `filter` keeps. Tenants whose region or sector is
/// not one of the known ones count in the total and the tenant list only.
pub fn build(all: Vec<TenantRisk>, filter: Filter) -> Cartogram {
    let mut regions: Vec<(Region, Totals)> = Region::ALL
        .iter()
        .map(|r| (*r, Totals::default()))
        .collect();
    let mut sectors: Vec<(Sector, Totals)> = Sector::ALL
        .iter()
        .map(|s| (*s, Totals::default()))
        .collect();
    let mut total = Totals::default();
    let mut areas: BTreeMap<String, u64> = BTreeMap::new();
    let mut case_outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut tenants: Vec<TenantRisk> = all.into_iter().filter(|t| filter.keeps(t)).collect();
    for t in &tenants {
        total.add(t);
        for (a, n) in &t.by_area {
            *areas.entry(a.clone()).or_default() += n;
        }
        for (o, n) in &t.case_outcomes {
            *case_outcomes.entry(o.clone()).or_default() += n;
        }
        if let Some((_, r)) = regions.iter_mut().find(|(r, _)| r.as_str() == t.region) {
            r.add(t);
        }
        if let Some((_, s)) = sectors.iter_mut().find(|(s, _)| s.as_str() == t.sector) {
            s.add(t);
        }
    }
    tenants.sort_by(|a, b| {
        (b.high, b.open)
            .cmp(&(a.high, a.open))
            .then_with(|| a.name.cmp(&b.name))
    });
    Cartogram {
        filter,
        regions,
        sectors,
        total,
        areas,
        case_outcomes,
        tenants,
    }
}

/// The high-risk positions of the tenants `filter` keeps.
pub fn positions(all: Vec<PositionRisk>, filter: Filter) -> Vec<PositionRisk> {
    all.into_iter()
        .filter(|p| {
            filter.region.is_none_or(|r| p.region == r.as_str())
                && filter.sector.is_none_or(|s| p.sector == s.as_str())
        })
        .collect()
}

/// Where a region's tile sits: (column, row), west to east and north to
/// south, roughly as the regions lie.
pub fn tile(r: Region) -> (u32, u32) {
    use Region::*;
    match r {
        WestKazakhstan => (0, 0),
        Kostanay => (2, 0),
        NorthKazakhstan => (3, 0),
        Pavlodar => (5, 0),
        Atyrau => (0, 1),
        Aktobe => (1, 1),
        Akmola => (3, 1),
        Astana => (4, 1),
        Abai => (5, 1),
        EastKazakhstan => (6, 1),
        Mangystau => (0, 2),
        Ulytau => (2, 2),
        Karaganda => (3, 2),
        Jetisu => (5, 2),
        Kyzylorda => (1, 3),
        Turkistan => (2, 3),
        Jambyl => (3, 3),
        AlmatyRegion => (4, 3),
        Shymkent => (2, 4),
        Almaty => (4, 4),
    }
}

/// A region's name in English, for the API's picture (the dashboard's
/// come from its catalogues).
pub fn english_name(r: Region) -> &'static str {
    use Region::*;
    match r {
        Astana => "Astana",
        Almaty => "Almaty",
        Shymkent => "Shymkent",
        Abai => "Abai",
        Akmola => "Akmola",
        Aktobe => "Aktobe",
        AlmatyRegion => "Almaty Region",
        Atyrau => "Atyrau",
        EastKazakhstan => "East Kazakhstan",
        Jambyl => "Jambyl",
        Jetisu => "Jetisu",
        WestKazakhstan => "West Kazakhstan",
        Karaganda => "Karaganda",
        Kostanay => "Kostanay",
        Kyzylorda => "Kyzylorda",
        Mangystau => "Mangystau",
        Pavlodar => "Pavlodar",
        NorthKazakhstan => "North Kazakhstan",
        Turkistan => "Turkistan",
        Ulytau => "Ulytau",
    }
}

/// The API's English picture, without links.
pub fn english_svg(c: &Cartogram) -> String {
    let description = format!(
        "{} organisations, {} open findings, {} of them high-risk; each tile is a region, \
         coloured by high-risk findings per organisation, showing high-risk findings and \
         open findings / organisations.",
        c.total.tenants, c.total.open, c.total.high
    );
    svg(
        c,
        &SvgText {
            title: "Corruption-risk cartogram",
            description: &description,
            region: &|r| english_name(r).to_owned(),
            tooltip: &|r, t, l| {
                format!(
                    "{}: {} organisations, {} open findings, {} high-risk ({})",
                    english_name(r),
                    t.tenants,
                    t.open,
                    t.high,
                    l.as_str()
                )
            },
            level: &|l| l.as_str().to_owned(),
            link: &|_| None,
        },
    )
}

/// The words of the picture.
pub struct SvgText<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// A region's name on its tile.
    pub region: &'a dyn Fn(Region) -> String,
    /// A tile's tooltip: (region, totals, level).
    pub tooltip: &'a dyn Fn(Region, &Totals, Level) -> String,
    /// A level's name in the legend.
    pub level: &'a dyn Fn(Level) -> String,
    /// Where a tile links to, if anywhere.
    pub link: &'a dyn Fn(Region) -> Option<String>,
}

const TILE: u32 = 96;
const GAP: u32 = 4;

/// The tile grid as SVG: each region's tile coloured by its [`Level`],
/// with its name and its open and high-risk findings, and a legend.
pub fn svg(c: &Cartogram, text: &SvgText<'_>) -> String {
    let width = 7 * (TILE + GAP) + GAP;
    let legend_y = 5 * (TILE + GAP) + 2 * GAP;
    let height = legend_y + 30;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="group" aria-labelledby="ct cd" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(
        s,
        r#"<title id="ct">{}</title><desc id="cd">{}</desc>"#,
        escape(text.title),
        escape(text.description)
    );
    for (r, t) in &c.regions {
        let (col, row) = tile(*r);
        let x = GAP + col * (TILE + GAP);
        let y = GAP + row * (TILE + GAP);
        let level = t.level();
        let link = (text.link)(*r);
        if let Some(href) = &link {
            let _ = write!(s, r#"<a href="{}">"#, escape(href));
        }
        let _ = write!(
            s,
            r#"<g class="tile" data-region="{}" data-level="{}" data-tenants="{}" data-open="{}" data-high="{}"><title>{}</title>"#,
            r.as_str(),
            level.as_str(),
            t.tenants,
            t.open,
            t.high,
            escape(&(text.tooltip)(*r, t, level))
        );
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="6" fill="{}" stroke="#607d8b"/>"##,
            level.fill()
        );
        // Long names wrap at a space or hyphen into two lines.
        let name = (text.region)(*r);
        let (first, second) = split_name(&name);
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
            x + TILE / 2,
            y + 18,
            escape(first)
        );
        if !second.is_empty() {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
                x + TILE / 2,
                y + 31,
                escape(second)
            );
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="20">{}</text><text x="{}" y="{}" text-anchor="middle">{} / {}</text>"#,
            x + TILE / 2,
            y + 62,
            t.high,
            x + TILE / 2,
            y + 84,
            t.open,
            t.tenants
        );
        s.push_str("</g>");
        if link.is_some() {
            s.push_str("</a>");
        }
    }
    let mut x = GAP;
    for level in Level::ALL {
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{}" stroke="#607d8b"/><text x="{}" y="{}">{}</text>"##,
            level.fill(),
            x + 18,
            legend_y + 11,
            escape(&(text.level)(level))
        );
        x += 112;
    }
    s.push_str("</svg>");
    s
}

fn split_name(name: &str) -> (&str, &str) {
    if name.chars().count() <= 14 {
        return (name, "");
    }
    let middle = name.len() / 2;
    let cut = name
        .char_indices()
        .filter(|(_, c)| *c == ' ' || *c == '-')
        .min_by_key(|(i, _)| i.abs_diff(middle))
        .map(|(i, _)| i);
    match cut {
        Some(i) => (
            name[..i].trim_end_matches('-'),
            name[i..].trim_start_matches([' ', '-']),
        ),
        None => (name, ""),
    }
}

/// The regions' table as CSV (RFC 4180), one row per region then one per
/// sector.
pub fn csv(c: &Cartogram) -> String {
    let mut s = String::from(
        "group,key,tenants,open_findings,high_risk_findings,high_risk_positions,level,severity_low,severity_medium,severity_high,severity_critical,band_low,band_medium,band_high,band_critical,overdue_declarations,cases_open,cases_closed,cases_substantiated\r\n",
    );
    let rows = c
        .regions
        .iter()
        .map(|(r, t)| ("region", r.as_str(), t))
        .chain(c.sectors.iter().map(|(k, t)| ("sector", k.as_str(), t)));
    for (group, key, t) in rows {
        let _ = write!(
            s,
            "{group},{key},{},{},{},{},{}",
            t.tenants,
            t.open,
            t.high,
            t.high_risk_positions,
            t.level().as_str()
        );
        for n in t.by_severity.iter().chain(t.by_band.iter()).chain([
            &t.overdue_declarations,
            &t.cases_open,
            &t.cases_closed,
            &t.cases_substantiated,
        ]) {
            let _ = write!(s, ",{n}");
        }
        s.push_str("\r\n");
    }
    s
}

/// A region in the public cartogram: the number of tenants always; the
/// figures only when at least [`PUBLIC_MIN_GROUP`] tenants share them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicRegion {
    pub region: Region,
    pub tenants: u64,
    pub figures: Option<Totals>,
    pub level: Option<Level>,
}

/// The public version: aggregates by region, no tenant named, and no
/// figure for a region with fewer than [`PUBLIC_MIN_GROUP`] tenants.
pub fn public(c: &Cartogram) -> Vec<PublicRegion> {
    c.regions
        .iter()
        .map(|(r, t)| {
            let shown = t.tenants >= PUBLIC_MIN_GROUP;
            PublicRegion {
                region: *r,
                tenants: t.tenants,
                figures: shown.then_some(*t),
                level: shown.then(|| t.level()),
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use adal_store::TenantId;

    fn t(name: &str, region: &str, sector: &str, open: u64, high: u64) -> TenantRisk {
        TenantRisk {
            id: TenantId::from_uuid(uuid::Uuid::now_v7()),
            name: name.to_owned(),
            region: region.to_owned(),
            sector: sector.to_owned(),
            open,
            high,
            high_risk_positions: 1,
            by_severity: [0, open.saturating_sub(high), high, 0],
            by_band: [0, open.saturating_sub(high), high, 0],
            by_area: [("gifts".to_owned(), open)].into_iter().collect(),
            overdue_declarations: 2,
            cases_open: 1,
            cases_closed: 1,
            case_outcomes: [("substantiated".to_owned(), 1)].into_iter().collect(),
        }
    }

    fn sample() -> Vec<TenantRisk> {
        vec![
            t("A", "karaganda", "quasi_public", 10, 4),
            t("B", "karaganda", "private", 3, 0),
            t("C", "astana", "public_body", 7, 7),
            t("D", "astana", "quasi_public", 0, 0),
            t("E", "astana", "quasi_public", 1, 1),
        ]
    }

    #[test]
    fn every_region_has_its_own_tile() {
        let mut seen = std::collections::HashSet::new();
        for r in Region::ALL {
            let (c, row) = tile(*r);
            assert!(c < 7 && row < 5);
            assert!(seen.insert((c, row)), "{r:?} shares a tile");
        }
        assert_eq!(seen.len(), 20);
    }

    #[test]
    fn counts_by_region_and_sector_and_filters() {
        let c = build(sample(), Filter::default());
        assert_eq!(
            c.total,
            Totals {
                tenants: 5,
                open: 21,
                high: 12,
                high_risk_positions: 5,
                by_severity: [0, 9, 12, 0],
                by_band: [0, 9, 12, 0],
                overdue_declarations: 10,
                cases_open: 5,
                cases_closed: 5,
                cases_substantiated: 5,
            }
        );
        // The Guidelines' areas and the cases' outcomes, for the selection.
        assert_eq!(c.areas.get("gifts"), Some(&21));
        assert_eq!(c.case_outcomes.get("substantiated"), Some(&5));
        let k = c
            .regions
            .iter()
            .find(|(r, _)| *r == Region::Karaganda)
            .unwrap()
            .1;
        assert_eq!(
            (k.tenants, k.open, k.high, k.level()),
            (2, 13, 4, Level::Medium)
        );
        let a = c
            .regions
            .iter()
            .find(|(r, _)| *r == Region::Astana)
            .unwrap()
            .1;
        assert_eq!((a.tenants, a.high, a.level()), (3, 8, Level::Medium));
        let empty = c
            .regions
            .iter()
            .find(|(r, _)| *r == Region::Ulytau)
            .unwrap()
            .1;
        assert_eq!(empty.level(), Level::Empty);
        assert_eq!(c.tenants[0].name, "C", "most exposed first");

        let q = build(
            sample(),
            Filter {
                region: None,
                sector: Some(Sector::QuasiPublic),
            },
        );
        assert_eq!(q.total.tenants, 3);
        assert_eq!(
            q.sectors
                .iter()
                .find(|(s, _)| *s == Sector::Private)
                .unwrap()
                .1
                .tenants,
            0
        );
        let one = build(
            sample(),
            Filter {
                region: Some(Region::Astana),
                sector: Some(Sector::QuasiPublic),
            },
        );
        assert_eq!(
            one.tenants
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["E", "D"]
        );
    }

    #[test]
    fn levels_follow_high_findings_per_tenant() {
        assert_eq!(Level::of(0, 0), Level::Empty);
        assert_eq!(Level::of(4, 0), Level::Clear);
        assert_eq!(Level::of(4, 3), Level::Low);
        assert_eq!(Level::of(4, 4), Level::Medium);
        assert_eq!(Level::of(4, 12), Level::High);
        assert_eq!(Level::of(4, 24), Level::Critical);
    }

    #[test]
    fn the_public_version_hides_small_groups() {
        let p = public(&build(sample(), Filter::default()));
        let k = p.iter().find(|r| r.region == Region::Karaganda).unwrap();
        assert_eq!((k.tenants, k.figures, k.level), (2, None, None));
        let a = p.iter().find(|r| r.region == Region::Astana).unwrap();
        assert_eq!(a.figures.map(|f| f.high), Some(8));
    }

    #[test]
    fn the_picture_and_the_csv_carry_every_region() {
        let c = build(sample(), Filter::default());
        let svg = svg(
            &c,
            &SvgText {
                title: "Cartogram",
                description: "d",
                region: &|r| r.as_str().replace('_', " "),
                tooltip: &|r, t, _| format!("{} {}", r.as_str(), t.open),
                level: &|l| l.as_str().to_owned(),
                link: &|r| Some(format!("?region={}", r.as_str())),
            },
        );
        assert_eq!(svg.matches(r#"class="tile""#).count(), 20);
        assert!(svg.contains(r#"data-region="karaganda" data-level="medium" data-tenants="2" data-open="13" data-high="4""#));
        assert!(svg.contains("north kazakhstan") || svg.contains(">north<"));
        let csv = csv(&c);
        assert_eq!(csv.lines().count(), 1 + 20 + 3);
        // Severity and band (C: 7 high, E: 1 high), overdue declarations and
        // cases (2, 1 and 1 a tenant in the sample).
        assert!(csv.contains("region,astana,3,8,8,3,medium,0,0,8,0,0,0,8,0,6,3,3,3\r\n"));
    }

    #[test]
    fn long_names_wrap_at_a_space() {
        assert_eq!(split_name("Астана"), ("Астана", ""));
        assert_eq!(
            split_name("Солтүстік Қазақстан"),
            ("Солтүстік", "Қазақстан")
        );
        assert_eq!(
            split_name("Восточно-Казахстанская"),
            ("Восточно", "Казахстанская")
        );
    }
}
