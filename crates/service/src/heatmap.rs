//! The risk map as an SVG heat map: a 5 x 5 grid of likelihood (x) by
//! impact (y), each cell shaded by its risk band and labelled with its
//! count, with a title and a description so it reads without colour.
//! The API serves it in English; the dashboard renders the same picture
//! with its own words and a link on each cell ([`render_with`]).

use adal_store::evaluation::RiskMap;
use std::collections::HashMap;
use std::fmt::Write;

const CELL: i32 = 72;
const LEFT: i32 = 90;
const TOP: i32 = 50;

/// Risk band of a cell by likelihood x impact, as in common 5x5 matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    Low,
    Medium,
    High,
    Critical,
}

impl Band {
    pub fn of(likelihood: i16, impact: i16) -> Self {
        match i32::from(likelihood) * i32::from(impact) {
            ..=4 => Band::Low,
            5..=9 => Band::Medium,
            10..=16 => Band::High,
            _ => Band::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::Critical => "critical",
        }
    }

    fn fill(self) -> &'static str {
        match self {
            Band::Low => "#c8e6c9",
            Band::Medium => "#fff59d",
            Band::High => "#ffb74d",
            Band::Critical => "#e57373",
        }
    }
}

/// The words of the picture, and where each cell links to.
pub struct Text<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub heading: &'a str,
    pub likelihood: &'a str,
    pub impact: &'a str,
    /// The tooltip of a cell: (likelihood, impact, count, band).
    pub cell: &'a dyn Fn(i16, i16, u64, Band) -> String,
    /// Where a cell links to, if anywhere: (likelihood, impact, count).
    pub link: &'a dyn Fn(i16, i16, u64) -> Option<String>,
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The API's English picture, without links.
pub fn render(map: &RiskMap) -> String {
    let description = format!(
        "{} open findings by likelihood (1-5, left to right) and impact (1-5, bottom to top).",
        map.open_findings
    );
    let heading = format!("Corruption-risk map: {} open findings", map.open_findings);
    render_with(
        map,
        &Text {
            title: "Corruption-risk map",
            description: &description,
            heading: &heading,
            likelihood: "Likelihood",
            impact: "Impact",
            cell: &|l, i, n, b| {
                format!(
                    "likelihood {l}, impact {i}: {n} findings ({} risk)",
                    b.as_str()
                )
            },
            link: &|_, _, _| None,
        },
    )
}

pub fn render_with(map: &RiskMap, text: &Text<'_>) -> String {
    let counts: HashMap<(i16, i16), u64> = map
        .cells
        .iter()
        .map(|c| ((c.likelihood, c.impact), c.count))
        .collect();
    let width = LEFT + 5 * CELL + 30;
    let height = TOP + 5 * CELL + 70;
    // A picture with links is a group of links to assistive technology;
    // `role="img"` would hide them.
    let linked = (1..=5i16).any(|l| {
        (1..=5i16).any(|i| {
            let n = counts.get(&(l, i)).copied().unwrap_or(0);
            (text.link)(l, i, n).is_some()
        })
    });
    let role = if linked { "group" } else { "img" };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="{role}" aria-labelledby="t d" font-family="sans-serif">"#
    );
    let _ = write!(
        s,
        r#"<title id="t">{}</title><desc id="d">{}</desc>"#,
        escape(text.title),
        escape(text.description)
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="30" font-size="18" text-anchor="middle">{}</text>"#,
        width / 2,
        escape(text.heading)
    );
    for impact in 1..=5i16 {
        for likelihood in 1..=5i16 {
            let x = LEFT + i32::from(likelihood - 1) * CELL;
            let y = TOP + i32::from(5 - impact) * CELL;
            let band = Band::of(likelihood, impact);
            let n = counts.get(&(likelihood, impact)).copied().unwrap_or(0);
            let label = escape(&(text.cell)(likelihood, impact, n, band));
            let link = (text.link)(likelihood, impact, n);
            if let Some(href) = &link {
                let _ = write!(s, r#"<a href="{}" aria-label="{label}">"#, escape(href));
            }
            let _ = write!(
                s,
                r##"<g><title>{label}</title><rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{}" stroke="#555"/><text x="{}" y="{}" font-size="20" text-anchor="middle" data-likelihood="{likelihood}" data-impact="{impact}">{n}</text></g>"##,
                band.fill(),
                x + CELL / 2,
                y + CELL / 2 + 7
            );
            if link.is_some() {
                s.push_str("</a>");
            }
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="14" text-anchor="end">{impact}</text>"#,
            LEFT - 8,
            TOP + i32::from(5 - impact) * CELL + CELL / 2 + 5
        );
    }
    for likelihood in 1..=5i32 {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="14" text-anchor="middle">{likelihood}</text>"#,
            LEFT + (likelihood - 1) * CELL + CELL / 2,
            TOP + 5 * CELL + 20
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" font-size="14" text-anchor="middle">{}</text><text x="20" y="{}" font-size="14" text-anchor="middle" transform="rotate(-90 20 {})">{}</text></svg>"#,
        LEFT + 5 * CELL / 2,
        TOP + 5 * CELL + 45,
        escape(text.likelihood),
        TOP + 5 * CELL / 2,
        TOP + 5 * CELL / 2,
        escape(text.impact)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use adal_store::evaluation::RiskCell;

    fn map() -> RiskMap {
        RiskMap {
            open_findings: 3,
            cells: vec![RiskCell {
                likelihood: 4,
                impact: 5,
                count: 3,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn cells_carry_their_counts() {
        let svg = render(&map());
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"data-likelihood="4" data-impact="5">3</text>"#));
        assert!(svg.contains(r#"data-likelihood="1" data-impact="1">0</text>"#));
        assert_eq!(svg.matches("<rect").count(), 25);
        assert!(!svg.contains("<a "));
        assert!(svg.contains(r#"role="img""#));
    }

    #[test]
    fn cells_with_findings_link_and_text_is_escaped() {
        let svg = render_with(
            &map(),
            &Text {
                title: "T<&>",
                description: "d",
                heading: "h",
                likelihood: "L",
                impact: "I",
                cell: &|l, i, n, b| format!("{l}/{i}/{n}/{}", b.as_str()),
                link: &|l, i, n| (n > 0).then(|| format!("/f?l={l}&i={i}")),
            },
        );
        assert!(svg.contains("<title id=\"t\">T&lt;&amp;&gt;</title>"));
        assert_eq!(svg.matches("<a ").count(), 1);
        assert!(svg.contains(r#"role="group""#));
        assert!(svg.contains(r#"<a href="/f?l=4&amp;i=5" aria-label="4/5/3/critical">"#));
    }
}
