//! The Fund's vocabularies mapped to IATI 2.03 codelists, and the arithmetic the export needs
//! (percentages that sum to exactly 100, derived dates). The README's "IATI export" section
//! explains each choice.

use chrono::{Datelike, Months, NaiveDate};

use crate::domain::Scope;
use crate::domain::follow_up::{FollowUpStatus, SourceType};
use crate::domain::project::{LinkType, Status};

/// IATI ActivityStatus: 1 pipeline/identification, 2 implementation, 3 finalisation,
/// 4 closed, 5 cancelled, 6 suspended.
pub fn activity_status(status: Status) -> &'static str {
    match status {
        Status::Draft | Status::Submitted | Status::UnderReview | Status::Approved => "1",
        Status::Active => "2",
        Status::Completed => "3",
        Status::Closed => "4",
        Status::Rejected | Status::Withdrawn | Status::Cancelled => "5",
        Status::Suspended => "6",
    }
}

/// Whether implementation has begun (an actual start date is reported only then).
pub fn started(status: Status) -> bool {
    matches!(
        status,
        Status::Active | Status::Completed | Status::Closed | Status::Suspended
    )
}

/// IATI ActivityScope: 1 global, 2 regional, 3 multi-national, 4 national.
pub fn activity_scope(scope: Scope, states: usize) -> &'static str {
    match scope {
        Scope::Global => "1",
        Scope::Regional => "2",
        Scope::National if states > 1 => "3",
        Scope::National => "4",
    }
}

/// IATI BudgetStatus: 2 committed once the Fund approved the project, 1 indicative before
/// (and for projects that never went ahead).
pub fn budget_status(status: Status) -> &'static str {
    if status.holds_funds() { "2" } else { "1" }
}

/// IATI RelatedActivityType. IATI has no predecessor/successor type: a project that builds
/// on or follows up another is reported as its sibling (3), as is a synergy; co-funding is
/// 4 (co-funded).
pub fn related_activity_type(link: LinkType) -> &'static str {
    match link {
        LinkType::BuildsOn | LinkType::FollowUpOf | LinkType::SynergyWith => "3",
        LinkType::CoFundedWith => "4",
    }
}

/// IATI TransactionType for follow-up funding that counts as leverage: 11 incoming
/// commitment when approved, 1 incoming funds when received; other statuses are not money
/// yet and are left out.
pub fn transaction_type(status: FollowUpStatus) -> Option<&'static str> {
    match status {
        FollowUpStatus::Approved => Some("11"),
        FollowUpStatus::Received => Some("1"),
        FollowUpStatus::Pipeline | FollowUpStatus::Pledged | FollowUpStatus::Declined => None,
    }
}

/// IATI OrganisationType of a follow-up funder: 10 government, 40 multilateral, 60
/// foundation, 70 private sector; none for "other".
pub fn organisation_type(source: SourceType) -> Option<&'static str> {
    match source {
        SourceType::NationalBudget | SourceType::BilateralDonor => Some("10"),
        SourceType::Multilateral | SourceType::Ifi => Some("40"),
        SourceType::Foundation => Some("60"),
        SourceType::PrivateSector => Some("70"),
        SourceType::Other => None,
    }
}

/// Splits 100 into parts proportional to `weights`, in hundredths, summing to exactly 100
/// (largest remainder; ties to the earlier part). Equal parts when every weight is zero.
pub fn percentages(weights: &[i64]) -> Vec<String> {
    let total: i64 = weights.iter().map(|w| (*w).max(0)).sum();
    let weights: Vec<i64> = if total == 0 {
        vec![1; weights.len()]
    } else {
        weights.iter().map(|w| (*w).max(0)).collect()
    };
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if total == 0 {
        return Vec::new();
    }
    let exact: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let scaled = i128::from(*w) * 10_000;
            (scaled / total, scaled % total)
        })
        .collect();
    let mut parts: Vec<i128> = exact.iter().map(|(q, _)| *q).collect();
    let short = 10_000 - parts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(usize::try_from(short).unwrap_or(0)) {
        parts[i] += 1;
    }
    parts
        .into_iter()
        .map(|p| format!("{}.{:02}", p / 100, p % 100))
        .collect()
}

/// `cents` as a decimal amount (`1234.50`).
pub fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The day before the date `months` months after `start`: the last day of a period of that
/// many months (clamped to the calendar's end).
pub fn period_end(start: NaiveDate, months: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(months.max(1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(start)
}

/// 1 January of `year` (or the earliest date chrono knows).
pub fn first_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The ISO date IATI wants (`2019-01-31`), always four-digit years.
pub fn iso(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_sum_to_exactly_100() {
        assert_eq!(percentages(&[1, 1, 1]), ["33.34", "33.33", "33.33"]);
        assert_eq!(percentages(&[600_000, 400_000]), ["60.00", "40.00"]);
        assert_eq!(percentages(&[0, 0]), ["50.00", "50.00"]);
        assert_eq!(percentages(&[1_000_000]), ["100.00"]);
        let seven = percentages(&[142_857; 7]);
        let sum: f64 = seven.iter().map(|p| p.parse::<f64>().unwrap()).sum();
        assert!((sum - 100.0).abs() < 1e-9, "{seven:?}");
    }

    #[test]
    fn periods_end_the_day_before() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(period_end(d(2019, 1, 1), 12), d(2019, 12, 31));
        assert_eq!(period_end(d(2019, 1, 31), 1), d(2019, 2, 27));
        assert_eq!(amount(123_450), "1234.50");
        assert_eq!(amount(-5), "-0.05");
    }
}
