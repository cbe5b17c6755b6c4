//! The facts of a contracting process that the per-process rules decide
//! on, and how they reach a rule: as its `submission` map, and as the key
//! of its memo.

use rhai::Dynamic;

/// What the per-process rules see of a contracting process, as
/// `submission` (see docs/redflags.md for each key).
pub(super) struct Facts<'r> {
    pub(super) ocid: &'r str,
    pub(super) price_comparison: bool,
    pub(super) procurement_method: Option<&'r str>,
    pub(super) procurement_method_details: Option<&'r str>,
    pub(super) number_of_tenderers: Option<u64>,
    pub(super) submission_period_days: Option<i64>,
    pub(super) identical_price_tenderers: Vec<String>,
    pub(super) late_winning_tenderers: Vec<String>,
    pub(super) sole_valid_tenderer_awarded: Option<String>,
    pub(super) disqualified_other_tenderers: usize,
    pub(super) has_active_award: bool,
    pub(super) has_valid_bid_with_amount: bool,
    pub(super) lowest_submitted_bid_disqualified: bool,
}

/// The facts of a contracting process, by the names rules use for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fact {
    Ocid,
    PriceComparison,
    ProcurementMethod,
    ProcurementMethodDetails,
    NumberOfTenderers,
    SubmissionPeriodDays,
    IdenticalPriceTenderers,
    LateWinningTenderers,
    SoleValidTendererAwarded,
    DisqualifiedOtherTenderers,
    HasActiveAward,
    HasValidBidWithAmount,
    LowestSubmittedBidDisqualified,
}

impl Fact {
    const ALL: [Fact; 13] = [
        Fact::Ocid,
        Fact::PriceComparison,
        Fact::ProcurementMethod,
        Fact::ProcurementMethodDetails,
        Fact::NumberOfTenderers,
        Fact::SubmissionPeriodDays,
        Fact::IdenticalPriceTenderers,
        Fact::LateWinningTenderers,
        Fact::SoleValidTendererAwarded,
        Fact::DisqualifiedOtherTenderers,
        Fact::HasActiveAward,
        Fact::HasValidBidWithAmount,
        Fact::LowestSubmittedBidDisqualified,
    ];

    fn name(self) -> &'static str {
        match self {
            Fact::Ocid => "ocid",
            Fact::PriceComparison => "price_comparison",
            Fact::ProcurementMethod => "procurement_method",
            Fact::ProcurementMethodDetails => "procurement_method_details",
            Fact::NumberOfTenderers => "number_of_tenderers",
            Fact::SubmissionPeriodDays => "submission_period_days",
            Fact::IdenticalPriceTenderers => "identical_price_tenderers",
            Fact::LateWinningTenderers => "late_winning_tenderers",
            Fact::SoleValidTendererAwarded => "sole_valid_tenderer_awarded",
            Fact::DisqualifiedOtherTenderers => "disqualified_other_tenderers",
            Fact::HasActiveAward => "has_active_award",
            Fact::HasValidBidWithAmount => "has_valid_bid_with_amount",
            Fact::LowestSubmittedBidDisqualified => "lowest_submitted_bid_disqualified",
        }
    }

    pub(super) fn parse(name: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl Facts<'_> {
    /// The value of one fact (`()` when missing), as a JSON payload of
    /// the same facts would convert to: integers as `i64`, lists of
    /// identifiers as arrays of strings.
    fn value(&self, fact: Fact) -> Dynamic {
        let text = |s: &str| Dynamic::from(s.to_owned());
        let ids = |v: &[String]| Dynamic::from_array(v.iter().map(|s| text(s)).collect());
        let int = |n: usize| Dynamic::from_int(i64::try_from(n).unwrap_or(i64::MAX));
        match fact {
            Fact::Ocid => text(self.ocid),
            Fact::PriceComparison => Dynamic::from_bool(self.price_comparison),
            Fact::ProcurementMethod => self.procurement_method.map_or(Dynamic::UNIT, text),
            Fact::ProcurementMethodDetails => {
                self.procurement_method_details.map_or(Dynamic::UNIT, text)
            }
            Fact::NumberOfTenderers => self.number_of_tenderers.map_or(Dynamic::UNIT, |n| {
                i64::try_from(n).map_or_else(
                    |_| Dynamic::from_decimal(rust_decimal::Decimal::from(n)),
                    Dynamic::from_int,
                )
            }),
            Fact::SubmissionPeriodDays => self
                .submission_period_days
                .map_or(Dynamic::UNIT, Dynamic::from_int),
            Fact::IdenticalPriceTenderers => ids(&self.identical_price_tenderers),
            Fact::LateWinningTenderers => ids(&self.late_winning_tenderers),
            Fact::SoleValidTendererAwarded => self
                .sole_valid_tenderer_awarded
                .as_deref()
                .map_or(Dynamic::UNIT, text),
            Fact::DisqualifiedOtherTenderers => int(self.disqualified_other_tenderers),
            Fact::HasActiveAward => Dynamic::from_bool(self.has_active_award),
            Fact::HasValidBidWithAmount => Dynamic::from_bool(self.has_valid_bid_with_amount),
            Fact::LowestSubmittedBidDisqualified => {
                Dynamic::from_bool(self.lowest_submitted_bid_disqualified)
            }
        }
    }

    /// The `submission` map: every fact, or only `inputs`; missing facts
    /// are left out, as a JSON payload would leave them out.
    pub(super) fn to_dynamic(&self, inputs: Option<&[Fact]>) -> Dynamic {
        let facts = inputs.unwrap_or(&Fact::ALL);
        let map: rhai::Map = facts
            .iter()
            .map(|f| (f.name().into(), self.value(*f)))
            .filter(|(_, v)| !v.is_unit())
            .collect();
        Dynamic::from_map(map)
    }

    /// Writes into `out` a key that is equal for two processes exactly
    /// when `inputs` have equal values, as `value` gives them to a rule.
    /// Each value is tagged with its type and strings with their length,
    /// so "1" and 1, or ["a,b"] and ["a", "b"], differ. Written straight
    /// from the facts: the memo looks a key up once per rule and process.
    pub(super) fn write_key(&self, inputs: &[Fact], out: &mut String) {
        use std::fmt::Write;
        fn text(out: &mut String, s: &str) {
            let _ = write!(out, "s{}:{s}", s.len());
        }
        fn ids(out: &mut String, ids: &[String]) {
            let _ = write!(out, "a{}:", ids.len());
            for id in ids {
                text(out, id);
            }
        }
        fn opt(out: &mut String, s: Option<&str>) {
            match s {
                Some(s) => text(out, s),
                None => out.push('n'),
            }
        }
        fn flag(out: &mut String, b: bool) {
            out.push(if b { 't' } else { 'f' });
        }
        for f in inputs {
            match f {
                Fact::Ocid => text(out, self.ocid),
                Fact::PriceComparison => flag(out, self.price_comparison),
                Fact::ProcurementMethod => opt(out, self.procurement_method),
                Fact::ProcurementMethodDetails => opt(out, self.procurement_method_details),
                // An integer's digits end at the separator below.
                Fact::NumberOfTenderers => match self.number_of_tenderers {
                    Some(n) => {
                        let _ = write!(out, "u{n}");
                    }
                    None => out.push('n'),
                },
                Fact::SubmissionPeriodDays => match self.submission_period_days {
                    Some(n) => {
                        let _ = write!(out, "i{n}");
                    }
                    None => out.push('n'),
                },
                Fact::IdenticalPriceTenderers => ids(out, &self.identical_price_tenderers),
                Fact::LateWinningTenderers => ids(out, &self.late_winning_tenderers),
                Fact::SoleValidTendererAwarded => {
                    opt(out, self.sole_valid_tenderer_awarded.as_deref());
                }
                Fact::DisqualifiedOtherTenderers => {
                    let _ = write!(out, "i{}", self.disqualified_other_tenderers);
                }
                Fact::HasActiveAward => flag(out, self.has_active_award),
                Fact::HasValidBidWithAmount => flag(out, self.has_valid_bid_with_amount),
                Fact::LowestSubmittedBidDisqualified => {
                    flag(out, self.lowest_submitted_bid_disqualified);
                }
            }
            out.push(';');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Facts<'_> {
        fn key(&self, inputs: &[Fact]) -> String {
            let mut key = String::new();
            self.write_key(inputs, &mut key);
            key
        }
    }

    fn facts(ids: &[&str], days: Option<i64>) -> Facts<'static> {
        Facts {
            ocid: "x",
            price_comparison: true,
            procurement_method: Some("open"),
            procurement_method_details: None,
            number_of_tenderers: Some(1),
            submission_period_days: days,
            identical_price_tenderers: ids.iter().map(|s| (*s).to_owned()).collect(),
            late_winning_tenderers: Vec::new(),
            sole_valid_tenderer_awarded: None,
            disqualified_other_tenderers: 0,
            has_active_award: false,
            has_valid_bid_with_amount: false,
            lowest_submitted_bid_disqualified: false,
        }
    }

    #[test]
    fn memo_keys_tell_apart_what_a_rule_can_tell_apart() {
        let ids = [Fact::IdenticalPriceTenderers];
        // Identifiers containing the separators are not confused.
        assert_ne!(
            facts(&["a,b"], None).key(&ids),
            facts(&["a", "b"], None).key(&ids)
        );
        assert_ne!(
            facts(&["a:1"], None).key(&ids),
            facts(&["a"], None).key(&ids)
        );
        assert_eq!(
            facts(&["a", "b"], None).key(&ids),
            facts(&["a", "b"], None).key(&ids)
        );
        // A missing fact is not an empty string or zero.
        let days = [Fact::SubmissionPeriodDays, Fact::ProcurementMethodDetails];
        assert_ne!(facts(&[], None).key(&days), facts(&[], Some(0)).key(&days));
        // Facts a rule does not declare do not split its memo.
        let mut other = facts(&["z"], Some(3));
        other.ocid = "y";
        assert_eq!(
            facts(&[], Some(3)).key(&[Fact::SubmissionPeriodDays]),
            other.key(&[Fact::SubmissionPeriodDays])
        );
    }

    #[test]
    fn a_rule_with_inputs_gets_only_them() {
        let f = facts(&["a"], Some(3));
        let m = f
            .to_dynamic(Some(&[
                Fact::SubmissionPeriodDays,
                Fact::ProcurementMethodDetails,
            ]))
            .cast::<rhai::Map>();
        // Missing facts are absent, as in a JSON payload.
        assert_eq!(m.len(), 1);
        assert_eq!(m["submission_period_days"].as_int(), Ok(3));
        let all = f.to_dynamic(None).cast::<rhai::Map>();
        // Thirteen facts, two of them missing here.
        assert_eq!(all.len(), 11);
        assert!(Fact::ALL.iter().all(|x| Fact::parse(x.name()) == Some(*x)));
        assert_eq!(Fact::parse("tenderers"), None);
    }
}
