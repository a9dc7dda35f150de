//! Evaluations and what they judge: kinds, criteria, ratings, recommendations with their
//! management response, and the Fund's ex-post evaluation rule ([`compliance`]).

use chrono::{Months, NaiveDate};

use crate::domain::fx::PartialDate;

crate::domain::funding::closed_enum!(
    /// What kind of evaluation: the Fund requires an `ex_post` evaluation of every project.
    EvaluationKind {
        ExPost => "ex_post",
        MidTerm => "mid_term",
        Final => "final",
        ProjectPerformanceReview => "project_performance_review",
        Thematic => "thematic",
    }
);

crate::domain::funding::closed_enum!(
    /// Where an evaluation stands.
    EvaluationStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

crate::domain::funding::closed_enum!(
    /// Who evaluated: an outside evaluator or IOM staff.
    EvaluatorType { External => "external", Internal => "internal" }
);

crate::domain::funding::closed_enum!(
    /// How the evidence was gathered.
    Method {
        DeskReview => "desk_review",
        Interviews => "interviews",
        FieldVisits => "field_visits",
        Remote => "remote",
        Survey => "survey",
        FocusGroups => "focus_groups",
        Other => "other",
    }
);

crate::domain::funding::closed_enum!(
    /// The OECD-DAC criteria (2019 set, coherence included), plus cross-cutting themes.
    Criterion {
        Relevance => "relevance",
        Coherence => "coherence",
        Effectiveness => "effectiveness",
        Efficiency => "efficiency",
        Impact => "impact",
        Sustainability => "sustainability",
        CrossCutting => "cross_cutting",
    }
);

crate::domain::funding::closed_enum!(
    /// A rating of one criterion, best first.
    Rating {
        HighlySatisfactory => "highly_satisfactory",
        Satisfactory => "satisfactory",
        PartlySatisfactory => "partly_satisfactory",
        Unsatisfactory => "unsatisfactory",
    }
);

crate::domain::funding::closed_enum!(
    /// What a recommendation is about.
    RecommendationCategory {
        Strategic => "strategic",
        Operational => "operational",
        Programmatic => "programmatic",
        Other => "other",
    }
);

crate::domain::funding::closed_enum!(
    /// How urgent a recommendation is.
    Priority { High => "high", Medium => "medium", Low => "low" }
);

crate::domain::funding::closed_enum!(
    /// Management's answer to a recommendation.
    Decision {
        Accepted => "accepted",
        PartiallyAccepted => "partially_accepted",
        Rejected => "rejected",
    }
);

crate::domain::funding::closed_enum!(
    /// Whether a recommendation was carried out.
    RecommendationStatus {
        Open => "open",
        InProgress => "in_progress",
        Implemented => "implemented",
        NotImplemented => "not_implemented",
        NoLongerRelevant => "no_longer_relevant",
    }
);

impl RecommendationStatus {
    /// Still waiting for action: counts as open in the reports and for `overdue`.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RecommendationStatus::Open | RecommendationStatus::InProgress
        )
    }
}

crate::domain::funding::closed_enum!(
    /// Where a project stands against the ex-post evaluation rule on a given day.
    ComplianceState {
        NotYetDue => "not_yet_due",
        Due => "due",
        Overdue => "overdue",
        Done => "done",
        DoneLate => "done_late",
        UnknownEnd => "unknown_end",
    }
);

/// The window of the ex-post rule: from six months after the end to twelve months after it.
pub const DUE_FROM_MONTHS: u32 = 6;
pub const DUE_BY_MONTHS: u32 = 12;

/// One evaluation, as the compliance rule reads it.
#[derive(Debug, Clone)]
pub struct EvaluationFacts {
    pub id: i64,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub completed_on: Option<PartialDate>,
}

/// A project's standing against the ex-post rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compliance {
    pub due_from: Option<NaiveDate>,
    pub due_by: Option<NaiveDate>,
    pub state: ComplianceState,
    /// The completed ex-post evaluation that counts; else an ex-post one planned or under
    /// way, so a fund manager sees that it has started.
    pub evaluation_id: Option<i64>,
}

/// Applies the ex-post rule to a project that ended on `ended_on` (unknown: `None`) as of
/// `as_of`. Only a completed `ex_post` evaluation satisfies it; the earliest one counts.
///
/// A completion date known only to the year or month counts from its first day: it is late
/// only when it certainly falls after `due_by`, which keeps the booklet's year-only records
/// `done` rather than guessing them late.
pub fn compliance(
    ended_on: Option<NaiveDate>,
    evaluations: &[EvaluationFacts],
    as_of: NaiveDate,
) -> Compliance {
    let due_from = ended_on.and_then(|d| d.checked_add_months(Months::new(DUE_FROM_MONTHS)));
    let due_by = ended_on.and_then(|d| d.checked_add_months(Months::new(DUE_BY_MONTHS)));
    let ex_post = || {
        evaluations
            .iter()
            .filter(|e| e.kind == EvaluationKind::ExPost)
    };
    let completed = ex_post()
        .filter(|e| e.status == EvaluationStatus::Completed)
        .min_by_key(|e| (e.completed_on.as_ref().map(|d| d.start), e.id));
    let state = match (completed, due_by) {
        (Some(e), Some(by)) => match &e.completed_on {
            Some(on) if on.start > by => ComplianceState::DoneLate,
            _ => ComplianceState::Done,
        },
        (Some(_), None) => ComplianceState::Done,
        (None, None) => ComplianceState::UnknownEnd,
        (None, Some(by)) => match due_from {
            Some(from) if as_of < from => ComplianceState::NotYetDue,
            _ if as_of <= by => ComplianceState::Due,
            _ => ComplianceState::Overdue,
        },
    };
    let evaluation_id = completed.map(|e| e.id).or_else(|| {
        ex_post()
            .filter(|e| e.status != EvaluationStatus::Cancelled)
            .map(|e| e.id)
            .max()
    });
    Compliance {
        due_from,
        due_by,
        state,
        evaluation_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn done(id: i64, kind: EvaluationKind, on: &str) -> EvaluationFacts {
        EvaluationFacts {
            id,
            kind,
            status: EvaluationStatus::Completed,
            completed_on: PartialDate::parse(on),
        }
    }

    fn state(end: Option<&str>, evals: &[EvaluationFacts], as_of: &str) -> ComplianceState {
        compliance(end.map(day), evals, day(as_of)).state
    }

    #[test]
    fn the_window_opens_exactly_six_months_after_the_end() {
        let c = compliance(Some(day("2024-03-31")), &[], day("2024-09-29"));
        assert_eq!(c.due_from, Some(day("2024-09-30")));
        assert_eq!(c.due_by, Some(day("2025-03-31")));
        assert_eq!(c.state, ComplianceState::NotYetDue);
        assert_eq!(
            state(Some("2024-03-31"), &[], "2024-09-30"),
            ComplianceState::Due
        );
    }

    #[test]
    fn the_window_closes_exactly_twelve_months_after_the_end() {
        assert_eq!(
            state(Some("2024-01-15"), &[], "2025-01-15"),
            ComplianceState::Due
        );
        assert_eq!(
            state(Some("2024-01-15"), &[], "2025-01-16"),
            ComplianceState::Overdue
        );
    }

    #[test]
    fn a_completed_ex_post_evaluation_is_done_up_to_the_last_day_then_late() {
        let end = Some("2024-01-15");
        let on_time = [done(1, EvaluationKind::ExPost, "2025-01-15")];
        assert_eq!(state(end, &on_time, "2026-01-01"), ComplianceState::Done);
        let late = [done(2, EvaluationKind::ExPost, "2025-01-16")];
        assert_eq!(state(end, &late, "2026-01-01"), ComplianceState::DoneLate);
        // Early is fine too: the rule is "no later than".
        let early = [done(3, EvaluationKind::ExPost, "2024-03-01")];
        assert_eq!(state(end, &early, "2024-04-01"), ComplianceState::Done);
    }

    #[test]
    fn only_an_ex_post_evaluation_that_is_completed_counts() {
        let end = Some("2023-06-30");
        let other_kind = [done(1, EvaluationKind::Final, "2023-12-01")];
        assert_eq!(
            state(end, &other_kind, "2024-07-01"),
            ComplianceState::Overdue
        );
        let planned = [EvaluationFacts {
            id: 7,
            kind: EvaluationKind::ExPost,
            status: EvaluationStatus::InProgress,
            completed_on: None,
        }];
        let c = compliance(end.map(day), &planned, day("2024-01-01"));
        assert_eq!(c.state, ComplianceState::Due);
        assert_eq!(c.evaluation_id, Some(7), "the one under way is named");
    }

    #[test]
    fn an_unknown_end_is_done_with_an_evaluation_else_unknown() {
        let year_only = [done(4, EvaluationKind::ExPost, "2012")];
        let c = compliance(None, &year_only, day("2026-11-29"));
        assert_eq!(c.state, ComplianceState::Done);
        assert_eq!(c.evaluation_id, Some(4));
        assert_eq!(c.due_from, None);
        assert_eq!(state(None, &[], "2026-11-29"), ComplianceState::UnknownEnd);
    }

    #[test]
    fn a_partial_completion_date_is_late_only_when_certainly_late() {
        let end = Some("2023-06-30");
        // Due by 2024-06-30: "2024" and "2024-06" may be on time; "2024-07" is not.
        for on in ["2024", "2024-06"] {
            let e = [done(1, EvaluationKind::ExPost, on)];
            assert_eq!(state(end, &e, "2025-01-01"), ComplianceState::Done, "{on}");
        }
        let e = [done(1, EvaluationKind::ExPost, "2024-07")];
        assert_eq!(state(end, &e, "2025-01-01"), ComplianceState::DoneLate);
    }

    #[test]
    fn the_month_arithmetic_clamps_to_the_last_day() {
        let c = compliance(Some(day("2023-08-31")), &[], day("2024-01-01"));
        assert_eq!(c.due_from, Some(day("2024-02-29")));
        assert_eq!(c.due_by, Some(day("2024-08-31")));
    }
}
