//! Projects: their code, lifecycle and links.

use serde::{Deserialize, Serialize};

/// A project code: two capital letters, a dot, four digits (`PO.0125`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectCode(String);

impl ProjectCode {
    pub fn parse(s: &str) -> Option<ProjectCode> {
        let b = s.as_bytes();
        let ok = b.len() == 7
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2] == b'.'
            && b[3..].iter().all(u8::is_ascii_digit);
        ok.then(|| ProjectCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The pattern every project code matches, as the OpenAPI document states it.
pub const PROJECT_CODE_PATTERN: &str = r"^[A-Z]{2}\.[0-9]{4}$";

impl std::str::FromStr for ProjectCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ProjectCode::parse(s).ok_or_else(|| {
            "must look like PO.0125: two capital letters, a dot, four digits".to_owned()
        })
    }
}

impl std::fmt::Display for ProjectCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

crate::domain::funding::closed_enum!(
    /// Where a project is in its lifecycle.
    Status {
        Draft => "draft",
        Submitted => "submitted",
        UnderReview => "under_review",
        Approved => "approved",
        Active => "active",
        Completed => "completed",
        Closed => "closed",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        Suspended => "suspended",
        Cancelled => "cancelled",
    }
);

impl Status {
    /// The statuses a project may move to from this one (PRODUCT.md §2).
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Draft => &[Submitted, Withdrawn],
            Submitted => &[UnderReview, Draft, Withdrawn],
            UnderReview => &[Approved, Rejected, Submitted, Withdrawn],
            Approved => &[Active, Cancelled],
            Active => &[Completed, Suspended, Cancelled],
            Suspended => &[Active, Cancelled],
            Completed => &[Closed],
            Closed | Rejected | Withdrawn | Cancelled => &[],
        }
    }

    pub fn can_move_to(self, to: Status) -> bool {
        self.next().contains(&to)
    }

    /// Statuses whose budget counts against the year's envelope.
    pub fn holds_funds(self) -> bool {
        matches!(
            self,
            Status::Approved
                | Status::Active
                | Status::Suspended
                | Status::Completed
                | Status::Closed
        )
    }

    /// Every status that [holds funds](Status::holds_funds).
    pub fn holding_funds() -> Vec<Status> {
        Status::ALL
            .iter()
            .copied()
            .filter(|s| s.holds_funds())
            .collect()
    }

    /// Statuses a new record may start in only as history (past years, entered as they were).
    pub fn is_historical_entry(self) -> bool {
        !matches!(
            self,
            Status::Draft | Status::Submitted | Status::UnderReview
        )
    }
}

crate::domain::funding::closed_enum!(
    /// How two projects relate.
    LinkType {
        BuildsOn => "builds_on",
        FollowUpOf => "follow_up_of",
        SynergyWith => "synergy_with",
        CoFundedWith => "co_funded_with",
    }
);

crate::domain::funding::closed_enum!(
    /// Which of the Fund's rules a finding is about (the codes [`crate::domain::rules`]
    /// reports).
    RuleCode {
        FundingRuleMissing => "funding_rule_missing",
        FundingCapExceeded => "funding_cap_exceeded",
        StaffOfficeShareMissing => "staff_office_share_missing",
        StaffOfficeShareExceeded => "staff_office_share_exceeded",
        EndorsementsMissing => "endorsements_missing",
        MemberStateNotEligible => "member_state_not_eligible",
        AllocationExceeded => "allocation_exceeded",
    }
);

/// One failed (or, for history, merely reported) Fund rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFinding {
    pub code: RuleCode,
    pub message: String,
    /// The facts behind the finding (line, scope, rule version, state, …).
    pub details: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_booklet_shape() {
        assert!(ProjectCode::parse("PO.0125").is_some());
        for bad in [
            "po.0125", "PO0125", "PO.125", "POO.0125", "PO.01250", "P1.0125",
        ] {
            assert!(ProjectCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_lifecycle_only_moves_along_its_edges() {
        assert!(Status::Draft.can_move_to(Status::Submitted));
        assert!(Status::UnderReview.can_move_to(Status::Approved));
        assert!(!Status::Draft.can_move_to(Status::Approved));
        assert!(!Status::Closed.can_move_to(Status::Active));
        assert!(Status::ALL.iter().all(|s| !s.can_move_to(*s)));
        for terminal in [
            Status::Closed,
            Status::Rejected,
            Status::Withdrawn,
            Status::Cancelled,
        ] {
            assert!(terminal.next().is_empty());
        }
    }
}
