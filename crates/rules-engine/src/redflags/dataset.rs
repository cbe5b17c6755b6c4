//! The dataset rules: quartiles and Tukey's fences over the columns filled
//! during the pass, parameterised by the rules' metadata.

use super::columns::Columns;
use super::report::{Code, Group, Report};
use super::stats::{self, Column};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Resolved parameters of one rule.
pub(super) struct Params<'a>(pub(super) &'a BTreeMap<String, Value>);

impl Params<'_> {
    fn int(&self, k: &str, default: i64) -> i64 {
        self.0.get(k).and_then(Value::as_i64).unwrap_or(default)
    }
    pub(super) fn usize(&self, k: &str, default: usize) -> usize {
        self.0
            .get(k)
            .and_then(Value::as_i64)
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or(default)
    }
    /// An `optional_decimal`: `None` when unset (`""`).
    fn fixed(&self, k: &str) -> Option<f64> {
        self.0
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .and_then(|s| s.parse::<f64>().ok())
    }
}

/// The dataset rules, over the columns filled during the pass.
pub(super) fn finalize(
    dataset: &HashMap<&str, Params<'_>>,
    columns: Columns,
    codes: &[Code],
    report: &mut Report,
) {
    // Every enabled rule's id is in `codes`; should one not be, its
    // results carry a copy of the id instead.
    let code = |id: &str| {
        codes
            .iter()
            .find(|c| &***c == id)
            .map_or_else(|| Code::from(id), Code::clone)
    };
    let ratios = || Column::new(columns.bid_ratios.iter().map(|r| r.ratio).collect());
    if let Some(p) = dataset.get("R024") {
        let r024 = code("R024");
        let (lower, q1) = match p.fixed("threshold") {
            // With a fixed fence, q1 does not gate the flags.
            Some(t) => (t, 1.0),
            None => {
                let c = ratios();
                let (q1, q3) = (c.q1(), c.q3());
                report.meta("R024", "q1", q1);
                report.meta("R024", "q3", q3);
                (stats::lower_fence(q1, q3), q1)
            }
        };
        report.meta("R024", "lower_fence", lower);
        // Ratios are never negative: when Q1 is 0, a quarter of the data
        // set has equal bids and the fence would flag it wholesale.
        if q1 > 0.0 && lower > 0.0 {
            for r in columns.bid_ratios.iter().filter(|r| r.ratio <= lower) {
                report.set(Group::Ocid, &r.ocid, &r024, r.ratio);
                report.set(Group::Tenderer, &r.winner, &r024, 0.0);
                report.set(Group::Tenderer, &r.second, &r024, 0.0);
            }
        }
    }
    if let Some(p) = dataset.get("R058") {
        let r058 = code("R058");
        let upper = p.fixed("threshold").unwrap_or_else(|| {
            let c = ratios();
            let (q1, q3) = (c.q1(), c.q3());
            report.meta("R058", "q1", q1);
            report.meta("R058", "q3", q3);
            stats::upper_fence(q1, q3)
        });
        report.meta("R058", "upper_fence", upper);
        if upper > 0.0 {
            for r in columns.bid_ratios.iter().filter(|r| r.ratio >= upper) {
                report.set(Group::Ocid, &r.ocid, &r058, r.ratio);
                report.set(Group::Tenderer, &r.winner, &r058, 0.0);
            }
        }
    }
    if let Some(p) = dataset.get("R025") {
        let r025 = code("R025");
        #[allow(clippy::cast_precision_loss)]
        let processes = Column::new(
            columns
                .r025_tenderer
                .values()
                .map(|f| f.den as f64)
                .collect(),
        );
        let percentile = u32::try_from(p.int("percentile", 75).clamp(0, 100)).unwrap_or(75);
        let upper = processes.percentile(percentile);
        let (lower, q1) = match p.fixed("threshold") {
            Some(t) => (t, 1.0),
            None => {
                let c = Column::new(columns.r025_tenderer.values().map(|f| f.ratio()).collect());
                let (q1, q3) = (c.q1(), c.q3());
                report.meta("R025", "q1", q1);
                report.meta("R025", "q3", q3);
                (stats::lower_fence(q1, q3), q1)
            }
        };
        report.meta("R025", "upper_fence", upper);
        report.meta("R025", "lower_fence", lower);
        if q1 > 0.0 && lower > 0.0 {
            for (id, f) in &columns.r025_tenderer {
                #[allow(clippy::cast_precision_loss)]
                let enough = f.den as f64 >= upper;
                if enough && f.ratio() <= lower {
                    report.set(Group::Tenderer, id.as_str(), &r025, f.ratio());
                }
            }
        }
    }
    if let Some(p) = dataset.get("R038") {
        let r038 = code("R038");
        let min_processes = p.usize("minimum_contracting_processes", 2);
        let min_bids = p.usize("minimum_submitted_bids", 2);
        let fixed = p.fixed("threshold");
        for (group, column, minimum) in [
            (Group::Buyer, &columns.r038_buyer, min_processes),
            (
                Group::ProcuringEntity,
                &columns.r038_procuring_entity,
                min_processes,
            ),
            (Group::Tenderer, &columns.r038_tenderer, min_bids),
        ] {
            let ratios: Vec<(&str, f64)> = column
                .iter()
                .filter(|(_, f)| f.den >= minimum)
                .map(|(id, f)| (id.as_str(), f.ratio()))
                .collect();
            if ratios.is_empty() {
                continue;
            }
            let g = group.as_str();
            let upper = fixed.unwrap_or_else(|| {
                let c = Column::new(ratios.iter().map(|(_, r)| *r).collect());
                let (q1, q3) = (c.q1(), c.q3());
                report.meta("R038", &format!("{g}_q1"), q1);
                report.meta("R038", &format!("{g}_q3"), q3);
                stats::upper_fence(q1, q3)
            });
            report.meta("R038", &format!("{g}_upper_fence"), upper);
            if upper > 0.0 {
                for (id, ratio) in ratios.into_iter().filter(|(_, r)| *r >= upper) {
                    report.set(group, id, &r038, ratio);
                }
            }
        }
    }
    if let Some(p) = dataset.get("R048") {
        let r048 = code("R048");
        let minimum = p.usize("minimum_contracting_processes", 20);
        #[allow(clippy::cast_precision_loss)]
        let lengths: Vec<(&str, f64)> = columns
            .r048_supplier
            .iter()
            .filter(|(_, (count, _))| *count >= minimum)
            .map(|(id, (_, codes))| (id.as_str(), codes.len() as f64))
            .collect();
        let upper = p.fixed("threshold").unwrap_or_else(|| {
            let c = Column::new(lengths.iter().map(|(_, l)| *l).collect());
            let (q1, q3) = (c.q1(), c.q3());
            report.meta("R048", "q1", q1);
            report.meta("R048", "q3", q3);
            stats::upper_fence(q1, q3)
        });
        report.meta("R048", "upper_fence", upper);
        for (id, length) in lengths.into_iter().filter(|(_, l)| *l >= upper) {
            report.set(Group::Tenderer, id, &r048, length);
        }
    }
}
