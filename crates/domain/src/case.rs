//! Reports from the feedback channels and the cases they become.

use crate::org::closed_enum;

closed_enum!(
    /// Where a case stands. `received` until a handler acknowledges it
    /// (within 7 days by default); `escalated` when the tenant has handed
    /// it to the Agency; `closed` with an outcome.
    CaseStatus {
        Received => "received",
        Acknowledged => "acknowledged",
        UnderReview => "under_review",
        Escalated => "escalated",
        Closed => "closed",
    }
);

impl CaseStatus {
    /// Whether the case still runs against its deadlines.
    pub fn is_open(self) -> bool {
        self != CaseStatus::Closed
    }
}

closed_enum!(
    /// How a case ended.
    CaseOutcome {
        Substantiated => "substantiated",
        NotSubstantiated => "not_substantiated",
        ReferredToLawEnforcement => "referred_to_law_enforcement",
        InsufficientInformation => "insufficient_information",
        OutOfScope => "out_of_scope",
    }
);

closed_enum!(
    /// Whose channel a report came through: the organisation's own, or the
    /// Agency's (about that organisation, read by the Agency only).
    ReportChannel {
        Tenant => "tenant",
        Agency => "agency",
    }
);

closed_enum!(
    /// The front door a report came through; `finding` for a finding a
    /// compliance officer escalated to a case (there is no reporter).
    ReportSource {
        Web => "web",
        Api => "api",
        WhatsApp => "whatsapp",
        Telegram => "telegram",
        Finding => "finding",
    }
);

closed_enum!(
    /// Who wrote a message on a case. Notes are the handlers' own and never
    /// reach the reporter.
    MessageAuthor {
        Reporter => "reporter",
        Handler => "handler",
        Note => "note",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_refused() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Ok(*s));
        }
        let e = CaseStatus::parse("done").unwrap_err();
        assert!(e.expected.contains("under_review"), "{e}");
        assert!(!CaseStatus::Closed.is_open());
        assert!(CaseStatus::Escalated.is_open());
    }
}
