//! The risk map as an SVG heat map: a 5 x 5 grid of likelihood (x) by
//! impact (y), each cell shaded by its risk band and labelled with its
//! count, with a title and a description so it reads without colour.

use adal_store::evaluation::RiskMap;
use std::collections::HashMap;
use std::fmt::Write;

const CELL: i32 = 72;
const LEFT: i32 = 90;
const TOP: i32 = 50;

/// Risk band of a cell by likelihood x impact, as in common 5x5 matrices.
fn band(score: i32) -> (&'static str, &'static str) {
    match score {
        ..=4 => ("#c8e6c9", "low"),
        5..=9 => ("#fff59d", "medium"),
        10..=16 => ("#ffb74d", "high"),
        _ => ("#e57373", "critical"),
    }
}

pub fn render(map: &RiskMap) -> String {
    let counts: HashMap<(i16, i16), u64> = map
        .cells
        .iter()
        .map(|c| ((c.likelihood, c.impact), c.count))
        .collect();
    let width = LEFT + 5 * CELL + 30;
    let height = TOP + 5 * CELL + 70;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d" font-family="sans-serif">"#
    );
    let _ = write!(
        s,
        r#"<title id="t">Corruption-risk map</title><desc id="d">{} open findings by likelihood (1-5, left to right) and impact (1-5, bottom to top).</desc>"#,
        map.open_findings
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="30" font-size="18" text-anchor="middle">Corruption-risk map: {} open findings</text>"#,
        width / 2,
        map.open_findings
    );
    for impact in 1..=5i16 {
        for likelihood in 1..=5i16 {
            let x = LEFT + i32::from(likelihood - 1) * CELL;
            let y = TOP + i32::from(5 - impact) * CELL;
            let (fill, name) = band(i32::from(likelihood) * i32::from(impact));
            let n = counts.get(&(likelihood, impact)).copied().unwrap_or(0);
            let _ = write!(
                s,
                r##"<g><title>likelihood {likelihood}, impact {impact}: {n} findings ({name} risk)</title><rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{fill}" stroke="#555"/><text x="{}" y="{}" font-size="20" text-anchor="middle" data-likelihood="{likelihood}" data-impact="{impact}">{n}</text></g>"##,
                x + CELL / 2,
                y + CELL / 2 + 7
            );
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
        r#"<text x="{}" y="{}" font-size="14" text-anchor="middle">Likelihood</text><text x="20" y="{}" font-size="14" text-anchor="middle" transform="rotate(-90 20 {})">Impact</text></svg>"#,
        LEFT + 5 * CELL / 2,
        TOP + 5 * CELL + 45,
        TOP + 5 * CELL / 2,
        TOP + 5 * CELL / 2
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use adal_store::evaluation::RiskCell;

    #[test]
    fn cells_carry_their_counts() {
        let map = RiskMap {
            open_findings: 3,
            cells: vec![RiskCell {
                likelihood: 4,
                impact: 5,
                count: 3,
            }],
            ..Default::default()
        };
        let svg = render(&map);
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"data-likelihood="4" data-impact="5">3</text>"#));
        assert!(svg.contains(r#"data-likelihood="1" data-impact="1">0</text>"#));
        assert_eq!(svg.matches("<rect").count(), 25);
    }
}
