//! `reports/recommendations`: recommendations grouped by status, addressee, priority, project
//! or evaluation kind, with how many are still open, overdue, and how long the open ones have
//! waited. A recommendation with several addressees counts once for each of them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Months;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::project::ProjectFilter;
use crate::models::recommendation::{all_addressees, report_rows};

crate::domain::funding::closed_enum!(
    /// What the recommendations report groups by.
    RecommendationGroup {
        Status => "status",
        Addressee => "addressee",
        Priority => "priority",
        Project => "project",
        EvaluationKind => "evaluation_kind",
    }
);

/// Counts of one group (or of all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecommendationCounts {
    pub recommendations: i64,
    /// `open` or `in_progress`.
    pub open: i64,
    /// Open and past their due date.
    pub overdue: i64,
    /// Open ones by how long ago they were made (the evaluation's completion, else the day
    /// the recommendation was recorded): under 6 months, 6–12, 12–24, 24 and more.
    pub open_under_6_months: i64,
    pub open_6_to_12_months: i64,
    pub open_12_to_24_months: i64,
    pub open_24_months_or_more: i64,
}

/// One group: its key (a status, an addressee, a priority, a project code or an evaluation
/// kind; null for "none", e.g. no priority) and its counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationGroupRow {
    pub key: Option<String>,
    #[serde(flatten)]
    pub counts: RecommendationCounts,
}

/// `GET /reports/recommendations`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationsReport {
    pub group_by: RecommendationGroup,
    pub as_of: chrono::NaiveDate,
    pub rows: Vec<RecommendationGroupRow>,
    /// Every recommendation once.
    pub totals: RecommendationCounts,
    pub notes: Vec<String>,
}

impl RecommendationCounts {
    fn add(
        &mut self,
        open: bool,
        overdue: bool,
        issued: chrono::NaiveDate,
        as_of: chrono::NaiveDate,
    ) {
        self.recommendations += 1;
        if !open {
            return;
        }
        self.open += 1;
        self.overdue += i64::from(overdue);
        let before = |months| {
            as_of
                .checked_sub_months(Months::new(months))
                .unwrap_or(as_of)
        };
        let slot = if issued > before(6) {
            &mut self.open_under_6_months
        } else if issued > before(12) {
            &mut self.open_6_to_12_months
        } else if issued > before(24) {
            &mut self.open_12_to_24_months
        } else {
            &mut self.open_24_months_or_more
        };
        *slot += 1;
    }
}

/// The report over the recommendations of the projects `filter` selects, in four queries.
pub fn recommendations(
    conn: &mut Conn,
    filter: &ProjectFilter,
    group_by: RecommendationGroup,
    as_of: chrono::NaiveDate,
) -> Result<RecommendationsReport, ApiError> {
    let projects = filter.report_rows(conn)?;
    let selected: HashSet<i64> = projects.iter().map(|p| p.id).collect();
    let codes: HashMap<i64, String> = projects.into_iter().map(|p| (p.id, p.code)).collect();
    let mut addressees: HashMap<i64, Vec<String>> = HashMap::new();
    if group_by == RecommendationGroup::Addressee {
        for (id, name) in all_addressees(conn)? {
            addressees.entry(id).or_default().push(name);
        }
    }
    let mut groups: BTreeMap<Option<String>, RecommendationCounts> = BTreeMap::new();
    let mut totals = RecommendationCounts::default();
    for r in report_rows(conn)?
        .into_iter()
        .filter(|r| selected.contains(&r.project_id))
    {
        let open = r.status.is_open();
        let overdue = open && r.due_date.is_some_and(|d| d < as_of);
        totals.add(open, overdue, r.issued_on, as_of);
        let keys: Vec<Option<String>> = match group_by {
            RecommendationGroup::Status => vec![Some(r.status.as_str().to_owned())],
            RecommendationGroup::Priority => vec![r.priority.map(|p| p.as_str().to_owned())],
            RecommendationGroup::EvaluationKind => {
                vec![Some(r.evaluation_kind.as_str().to_owned())]
            }
            RecommendationGroup::Project => vec![codes.get(&r.project_id).cloned()],
            RecommendationGroup::Addressee => match addressees.remove(&r.id) {
                Some(names) => names.into_iter().map(Some).collect(),
                None => vec![None],
            },
        };
        for key in keys {
            groups
                .entry(key)
                .or_default()
                .add(open, overdue, r.issued_on, as_of);
        }
    }
    // Named groups first, in order; "none" last.
    let (mut rows, none): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .map(|(key, counts)| RecommendationGroupRow { key, counts })
        .partition(|r| r.key.is_some());
    rows.extend(none);
    let mut notes = vec![format!("ages and overdue are as of {as_of}")];
    if group_by == RecommendationGroup::Addressee {
        notes.push(
            "a recommendation with several addressees counts in each of their rows; totals count it once"
                .to_owned(),
        );
    }
    Ok(RecommendationsReport {
        group_by,
        as_of,
        rows,
        totals,
        notes,
    })
}
