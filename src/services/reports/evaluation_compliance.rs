//! `reports/evaluation-compliance`: the Fund's ex-post evaluation rule (6–12 months after a
//! project ends) applied to every completed or closed project, as of a day.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Conn;
use crate::domain::evaluation::{self, ComplianceState, EvaluationFacts, EvaluationKind};
use crate::domain::fx::PartialDate;
use crate::error::ApiError;
use crate::models::evaluation::{ended_projects, ex_post_evaluations};
use crate::models::project::ProjectFilter;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceRow {
    pub code: String,
    pub title: String,
    /// `actual_end_date`, else `end_date`; null when neither is known.
    pub ended_on: Option<chrono::NaiveDate>,
    /// `ended_on` + 6 months.
    pub due_from: Option<chrono::NaiveDate>,
    /// `ended_on` + 12 months.
    pub due_by: Option<chrono::NaiveDate>,
    pub state: ComplianceState,
    /// The completed ex-post evaluation that counts, else one planned or under way.
    pub evaluation_id: Option<i64>,
}

/// How many projects are in each state.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ComplianceTotals {
    pub projects: i64,
    pub not_yet_due: i64,
    pub due: i64,
    pub overdue: i64,
    pub done: i64,
    pub done_late: i64,
    pub unknown_end: i64,
}

impl ComplianceTotals {
    fn count(&mut self, state: ComplianceState) {
        self.projects += 1;
        let slot = match state {
            ComplianceState::NotYetDue => &mut self.not_yet_due,
            ComplianceState::Due => &mut self.due,
            ComplianceState::Overdue => &mut self.overdue,
            ComplianceState::Done => &mut self.done,
            ComplianceState::DoneLate => &mut self.done_late,
            ComplianceState::UnknownEnd => &mut self.unknown_end,
        };
        *slot += 1;
    }
}

/// `GET /reports/evaluation-compliance`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceReport {
    pub as_of: chrono::NaiveDate,
    pub rows: Vec<ComplianceRow>,
    pub totals: ComplianceTotals,
}

/// The rule for every completed or closed project that `filter` selects, in three queries.
pub fn evaluation_compliance(
    conn: &mut Conn,
    filter: &ProjectFilter,
    as_of: chrono::NaiveDate,
) -> Result<ComplianceReport, ApiError> {
    let selected: HashSet<i64> = filter.report_rows(conn)?.iter().map(|p| p.id).collect();
    let mut evaluations: HashMap<i64, Vec<EvaluationFacts>> = HashMap::new();
    for (project_id, id, status, completed_on) in ex_post_evaluations(conn)? {
        evaluations
            .entry(project_id)
            .or_default()
            .push(EvaluationFacts {
                id,
                kind: EvaluationKind::ExPost,
                status,
                completed_on: completed_on.as_deref().and_then(PartialDate::parse),
            });
    }
    let mut totals = ComplianceTotals::default();
    let rows = ended_projects(conn)?
        .into_iter()
        .filter(|p| selected.contains(&p.id))
        .map(|p| {
            let ended_on = p.actual_end_date.or(p.end_date);
            let facts = evaluations
                .get(&p.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let c = evaluation::compliance(ended_on, facts, as_of);
            totals.count(c.state);
            ComplianceRow {
                code: p.code,
                title: p.title,
                ended_on,
                due_from: c.due_from,
                due_by: c.due_by,
                state: c.state,
                evaluation_id: c.evaluation_id,
            }
        })
        .collect();
    Ok(ComplianceReport {
        as_of,
        rows,
        totals,
    })
}
