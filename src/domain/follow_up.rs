//! Follow-up funding vocabularies.

crate::domain::funding::closed_enum!(
    /// Who provided the follow-up funding.
    SourceType {
        NationalBudget => "national_budget",
        BilateralDonor => "bilateral_donor",
        Multilateral => "multilateral",
        Ifi => "ifi",
        PrivateSector => "private_sector",
        Foundation => "foundation",
        Other => "other",
    }
);

crate::domain::funding::closed_enum!(
    /// How far the funding got.
    FollowUpStatus {
        Pipeline => "pipeline",
        Pledged => "pledged",
        Approved => "approved",
        Received => "received",
        Declined => "declined",
    }
);

impl FollowUpStatus {
    /// Statuses that count as leveraged money.
    pub fn counts_as_leverage(self) -> bool {
        matches!(self, FollowUpStatus::Approved | FollowUpStatus::Received)
    }

    /// Every status that [counts as leverage](FollowUpStatus::counts_as_leverage).
    pub fn leveraging() -> Vec<FollowUpStatus> {
        FollowUpStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.counts_as_leverage())
            .collect()
    }
}

crate::domain::funding::closed_enum!(
    /// How a pilot was scaled up (the booklet's four dimensions).
    Dimension {
        Quantitative => "quantitative",
        Functional => "functional",
        Political => "political",
        Organizational => "organizational",
    }
);

crate::domain::funding::closed_enum!(
    /// How `amount_usd` was obtained.
    Conversion {
        Exact => "exact",
        Converted => "converted",
        MissingRate => "missing_rate",
        NoAmount => "no_amount",
    }
);
