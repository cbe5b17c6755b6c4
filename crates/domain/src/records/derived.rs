//! Derived records: facts about a tenant's whole data set that no single
//! filing holds, such as a declaration that was never filed or the gifts
//! one giver made over time. The dataset job computes them and files each
//! as a record of its own kind, with a natural key, so the ordinary
//! pipeline evaluates them: the same rules, findings, risk map, alerts and
//! access rules as everything else. A derived record changes (a new
//! version) only when the fact changes.

use crate::org::closed_enum;

closed_enum!(
    /// The kinds of derived record. Nobody files them through the API.
    DerivedKind {
        DeclarationObligation => "declaration_obligation",
        GiftGiverHistory => "gift_giver_history",
        TrainingStatus => "training_status",
        FeedbackStatus => "feedback_status",
        CaseDeadline => "case_deadline",
        GovernanceStatus => "governance_status",
        TenderSpecification => "tender_specification",
        ProcurementRedFlag => "procurement_red_flag",
    }
);

/// The key that groups one giver's gifts: the BIN or IIN when the filer
/// gave one, else the name folded to lower case with punctuation and
/// repeated spaces removed, so that `ТОО «Альфа»` and `тоо альфа` are one
/// giver. Names written in different scripts stay apart; the registry's
/// name matching is for people, not companies.
pub fn giver_key(name: &str, bin: Option<&str>, iin: Option<&str>) -> String {
    if let Some(b) = bin {
        return format!("bin:{b}");
    }
    if let Some(i) = iin {
        return format!("iin:{i}");
    }
    let folded: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!("name:{}", folded.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_win_over_names() {
        assert_eq!(
            giver_key("Alpha", Some("180340021791"), None),
            "bin:180340021791"
        );
        assert_eq!(
            giver_key("Bek", None, Some("900101300011")),
            "iin:900101300011"
        );
    }

    #[test]
    fn names_fold_case_punctuation_and_spaces() {
        assert_eq!(giver_key("ТОО «Альфа»", None, None), "name:тоо альфа");
        assert_eq!(giver_key("  тоо   АЛЬФА ", None, None), "name:тоо альфа");
        assert_ne!(
            giver_key("ТОО Альфа", None, None),
            giver_key("ТОО Бета", None, None)
        );
    }

    #[test]
    fn kinds_round_trip() {
        for &k in DerivedKind::ALL {
            assert_eq!(DerivedKind::parse(k.as_str()).ok(), Some(k));
        }
        assert!(DerivedKind::parse("gift").is_err());
    }
}
