//! The overview's trend: findings found per week, by severity, as a
//! stacked bar chart drawn on the server as SVG (readable without
//! JavaScript, printable). The page puts the same numbers in a table.

use adal_service::heatmap::escape;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset as _, Utc};
use std::fmt::Write as _;

/// Severities from the bottom of a bar to its top.
pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// Weeks the overview shows.
pub const WEEKS: usize = 12;

/// One week (Monday to Sunday) and its findings per severity, in the
/// order of [`SEVERITIES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    pub start: NaiveDate,
    pub counts: [u64; 4],
}

impl Week {
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Kazakhstan keeps one time zone, UTC+5, since March 2024: a finding
/// made at 23:00 UTC on a Sunday belongs to Monday's week there.
fn kazakhstan() -> FixedOffset {
    // 5 h is always a valid offset; UTC is only a fallback for the type.
    FixedOffset::east_opt(5 * 3600).unwrap_or_else(|| Utc.fix())
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The first day of the first of the `n` weeks ending with `today`'s.
pub fn first_day(today: NaiveDate, n: usize) -> NaiveDate {
    let weeks = i64::try_from(n.saturating_sub(1)).unwrap_or(0);
    monday_of(today) - Duration::weeks(weeks)
}

/// The moment the first of the `n` weeks begins, for the store's query.
pub fn since(today: NaiveDate, n: usize) -> DateTime<Utc> {
    let start = first_day(today, n).and_hms_opt(0, 0, 0).unwrap_or_default();
    start
        .and_local_timezone(kazakhstan())
        .single()
        .map_or_else(|| start.and_utc(), |t| t.with_timezone(&Utc))
}

/// Counts findings (when found, severity) into the `n` weeks ending with
/// `today`'s. Findings outside those weeks, or of a severity the chart
/// does not know, are not counted.
pub fn weeks_of(times: &[(DateTime<Utc>, String)], today: NaiveDate, n: usize) -> Vec<Week> {
    let first = first_day(today, n);
    let mut weeks: Vec<Week> = (0..n)
        .map(|i| Week {
            start: first + Duration::weeks(i64::try_from(i).unwrap_or(0)),
            counts: [0; 4],
        })
        .collect();
    for (at, severity) in times {
        let day = at.with_timezone(&kazakhstan()).date_naive();
        let Some(s) = SEVERITIES.iter().position(|x| x == severity) else {
            continue;
        };
        let Ok(i) = usize::try_from((day - first).num_days().div_euclid(7)) else {
            continue;
        };
        if day >= first
            && let Some(w) = weeks.get_mut(i)
        {
            w.counts[s] += 1;
        }
    }
    weeks
}

/// Words of the chart, in the reader's language.
pub struct Text<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Severity names, in the order of [`SEVERITIES`].
    pub severities: [&'a str; 4],
}

/// Fills meet 3:1 against white (non-text contrast); each severity is
/// also named in the legend and in every bar's title, never by colour
/// alone.
const FILLS: [&str; 4] = ["#2e7d4f", "#8a6d00", "#b35900", "#b3261e"];

const W: u32 = 640;
const H: u32 = 280;
const LEFT: u32 = 44;
const RIGHT: u32 = 12;
const TOP: u32 = 40;
const BOTTOM: u32 = 44;

/// The chart: one stacked bar per week, a y axis from 0 to the busiest
/// week, the week's first day under every other bar, and a legend.
pub fn render(weeks: &[Week], text: &Text<'_>) -> String {
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let max = weeks.iter().map(Week::total).max().unwrap_or(0).max(1);
    let n = u32::try_from(weeks.len().max(1)).unwrap_or(1);
    let slot = plot_w / n;
    let bar = (slot * 2 / 3).max(1);
    let y_of = |v: u64| -> u64 { u64::from(TOP) + u64::from(plot_h) - v * u64::from(plot_h) / max };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-labelledby="trend-t trend-d" class="trend"><title id="trend-t">{}</title><desc id="trend-d">{}</desc>"#,
        escape(text.title),
        escape(text.description)
    );
    // Legend, left to right in stacking order.
    for (i, name) in text.severities.iter().enumerate() {
        let x = LEFT + u32::try_from(i).unwrap_or(0) * 140;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="10" width="12" height="12" fill="{}"/><text x="{}" y="21" font-size="12">{}</text>"#,
            FILLS[i],
            x + 16,
            escape(name)
        );
    }
    // Axis and gridlines at 0, half and the maximum.
    for v in [0, max / 2, max] {
        let y = y_of(v);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{y}" y2="{y}" stroke="#c9d1d9"/><text x="{}" y="{}" font-size="11" text-anchor="end">{v}</text>"##,
            W - RIGHT,
            LEFT - 6,
            y + 4
        );
    }
    for (i, w) in weeks.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(0);
        let x = LEFT + i * slot + (slot - bar) / 2;
        let mut below = 0u64;
        let _ = write!(
            s,
            r#"<g data-week="{}" data-total="{}">"#,
            w.start.format("%Y-%m-%d"),
            w.total()
        );
        for (k, count) in w.counts.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let top = y_of(below + count);
            let height = y_of(below) - top;
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{top}" width="{bar}" height="{height}" fill="{}" data-severity="{}"><title>{} · {}: {count}</title></rect>"#,
                FILLS[k],
                SEVERITIES[k],
                w.start.format("%d.%m.%Y"),
                escape(text.severities[k])
            );
            below += count;
        }
        s.push_str("</g>");
        if i % 2 == 0 {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
                x + bar / 2,
                H - BOTTOM + 16,
                w.start.format("%d.%m")
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn findings_fall_into_kazakhstan_weeks() {
        // Wednesday 25 November 2026; its week began on Monday the 23rd.
        let today = d("2026-11-25");
        assert_eq!(first_day(today, 3), d("2026-11-09"));
        assert_eq!(since(today, 3), at("2026-11-08T19:00:00Z"));
        let times = vec![
            // Sunday 22nd 20:00 UTC is Monday 23rd 01:00 in Astana.
            (at("2026-11-22T20:00:00Z"), "high".to_owned()),
            (at("2026-11-22T18:59:00Z"), "low".to_owned()),
            (at("2026-11-09T00:00:00Z"), "critical".to_owned()),
            // Before the first week, and a severity the chart ignores.
            (at("2026-11-08T18:00:00Z"), "high".to_owned()),
            (at("2026-11-24T10:00:00Z"), "severe".to_owned()),
        ];
        let weeks = weeks_of(&times, today, 3);
        assert_eq!(
            weeks,
            [
                Week {
                    start: d("2026-11-09"),
                    counts: [0, 0, 0, 1]
                },
                Week {
                    start: d("2026-11-16"),
                    counts: [1, 0, 0, 0]
                },
                Week {
                    start: d("2026-11-23"),
                    counts: [0, 0, 1, 0]
                },
            ]
        );
    }

    fn text() -> Text<'static> {
        Text {
            title: "Findings <per> week",
            description: "3 weeks",
            severities: ["Low", "Medium", "High", "Critical"],
        }
    }

    #[test]
    fn bars_stack_by_severity_and_scale_to_the_busiest_week() {
        let weeks = vec![
            Week {
                start: d("2026-11-09"),
                counts: [2, 0, 1, 1],
            },
            Week {
                start: d("2026-11-16"),
                counts: [0, 0, 0, 0],
            },
            Week {
                start: d("2026-11-23"),
                counts: [0, 2, 0, 0],
            },
        ];
        let svg = render(&weeks, &text());
        // Escaped text, title and description for screen readers.
        assert!(svg.contains("<title id=\"trend-t\">Findings &lt;per&gt; week</title>"));
        assert!(svg.contains("<desc id=\"trend-d\">3 weeks</desc>"));
        // One bar segment per non-zero count (plus four legend swatches).
        assert_eq!(svg.matches("data-severity=").count(), 4);
        assert_eq!(svg.matches("<rect").count(), 8);
        // The busiest week (4) fills the plot: 196 px tall from y=40.
        assert!(
            svg.contains(r##"y="138" width="129" height="98" fill="#2e7d4f" data-severity="low""##),
            "{svg}"
        );
        assert!(
            svg.contains(
                r##"y="40" width="129" height="49" fill="#b3261e" data-severity="critical""##
            ),
            "{svg}"
        );
        assert!(svg.contains(r#"data-week="2026-11-16" data-total="0""#));
        assert!(svg.contains("<title>23.11.2026 · Medium: 2</title>"));
        // Axis labels at 0, half and the maximum.
        for v in [">0<", ">2<", ">4<"] {
            assert!(svg.contains(v), "{v}");
        }
    }

    #[test]
    fn an_empty_trend_still_draws_an_axis() {
        let weeks = weeks_of(&[], d("2026-11-25"), WEEKS);
        assert_eq!(weeks.len(), WEEKS);
        let svg = render(&weeks, &text());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("data-severity=").count(), 0);
        assert_eq!(svg.matches("data-week=").count(), WEEKS);
    }
}
