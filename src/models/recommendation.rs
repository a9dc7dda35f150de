//! Recommendations (with their addressees and status history) and the recommendation list's
//! filter. Evaluation questions are in [`super::question`].

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    evaluations, projects, recommendation_addressees, recommendation_status_changes,
    recommendations,
};
use crate::domain::evaluation::{
    Decision, EvaluationKind, Priority, RecommendationCategory, RecommendationStatus,
};

/// Every column of a recommendation but its id.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = recommendations)]
#[diesel(treat_none_as_null = true)]
pub struct RecommendationValues {
    pub evaluation_id: i64,
    pub label: String,
    pub position: i32,
    pub text: String,
    pub category: RecommendationCategory,
    pub priority: Option<Priority>,
    pub due_date: Option<chrono::NaiveDate>,
    pub response_decision: Option<Decision>,
    pub response_text: Option<String>,
    pub responded_on: Option<chrono::NaiveDate>,
    pub responded_by: Option<String>,
    pub status: RecommendationStatus,
    pub status_note: Option<String>,
    #[serde(skip)]
    pub issued_on: chrono::NaiveDate,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recommendations)]
pub struct Recommendation {
    pub id: i64,
    #[diesel(embed)]
    pub v: RecommendationValues,
}

/// One change of a recommendation's status.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = recommendation_status_changes)]
pub struct StatusChange {
    pub id: i64,
    pub recommendation_id: i64,
    pub from_status: Option<RecommendationStatus>,
    pub to_status: RecommendationStatus,
    pub note: Option<String>,
    pub changed_at: chrono::NaiveDateTime,
    pub changed_by: String,
    pub changed_by_role: String,
}

/// A status change to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = recommendation_status_changes)]
pub struct NewStatusChange<'a> {
    pub recommendation_id: i64,
    pub from_status: Option<RecommendationStatus>,
    pub to_status: RecommendationStatus,
    pub note: Option<&'a str>,
    pub changed_at: chrono::NaiveDateTime,
    pub changed_by: &'a str,
    pub changed_by_role: &'a str,
}

impl Recommendation {
    pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<Recommendation>> {
        recommendations::table
            .find(id)
            .select(Recommendation::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(conn: &mut Conn, v: &RecommendationValues) -> QueryResult<i64> {
        diesel::insert_into(recommendations::table)
            .values(v)
            .returning(recommendations::id)
            .get_result(conn)
    }

    pub fn save(
        conn: &mut Conn,
        id: i64,
        expected: i64,
        v: &RecommendationValues,
    ) -> QueryResult<usize> {
        diesel::update(
            recommendations::table
                .find(id)
                .filter(recommendations::version.eq(expected)),
        )
        .set(v)
        .execute(conn)
    }

    /// How many recommendations an evaluation has.
    pub fn count_of(conn: &mut Conn, evaluation_id: i64) -> QueryResult<i64> {
        recommendations::table
            .filter(recommendations::evaluation_id.eq(evaluation_id))
            .count()
            .get_result(conn)
    }

    /// Dates an evaluation's recommendations from its completion, else from the day each was
    /// recorded.
    pub fn reissue(
        conn: &mut Conn,
        evaluation_id: i64,
        completed: Option<chrono::NaiveDate>,
    ) -> QueryResult<()> {
        let of_evaluation =
            recommendations::table.filter(recommendations::evaluation_id.eq(evaluation_id));
        if let Some(day) = completed {
            diesel::update(of_evaluation)
                .set(recommendations::issued_on.eq(day))
                .execute(conn)?;
            return Ok(());
        }
        let rows: Vec<(i64, chrono::NaiveDateTime)> = of_evaluation
            .select((recommendations::id, recommendations::created_at))
            .load(conn)?;
        for (id, created) in rows {
            diesel::update(recommendations::table.find(id))
                .set(recommendations::issued_on.eq(created.date()))
                .execute(conn)?;
        }
        Ok(())
    }

    pub fn replace_addressees(conn: &mut Conn, id: i64, names: &[String]) -> QueryResult<()> {
        diesel::delete(
            recommendation_addressees::table
                .filter(recommendation_addressees::recommendation_id.eq(id)),
        )
        .execute(conn)?;
        for (i, name) in names.iter().enumerate() {
            diesel::insert_into(recommendation_addressees::table)
                .values((
                    recommendation_addressees::recommendation_id.eq(id),
                    recommendation_addressees::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                    recommendation_addressees::name.eq(name),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// The addressees of `ids`, in order, in one query.
    pub fn addressees(conn: &mut Conn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
        let rows: Vec<(i64, String)> = recommendation_addressees::table
            .filter(recommendation_addressees::recommendation_id.eq_any(ids))
            .order((
                recommendation_addressees::recommendation_id,
                recommendation_addressees::position,
            ))
            .select((
                recommendation_addressees::recommendation_id,
                recommendation_addressees::name,
            ))
            .load(conn)?;
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, name) in rows {
            out.entry(id).or_default().push(name);
        }
        Ok(out)
    }

    pub fn record_change(conn: &mut Conn, change: &NewStatusChange<'_>) -> QueryResult<usize> {
        diesel::insert_into(recommendation_status_changes::table)
            .values(change)
            .execute(conn)
    }

    /// The status history of a recommendation, newest first.
    pub fn history(conn: &mut Conn, id: i64) -> QueryResult<Vec<StatusChange>> {
        recommendation_status_changes::table
            .filter(recommendation_status_changes::recommendation_id.eq(id))
            .order(recommendation_status_changes::id.desc())
            .select(StatusChange::as_select())
            .load(conn)
    }

    /// The project code and evaluation kind of each evaluation in `ids`, in one query.
    pub fn context(
        conn: &mut Conn,
        evaluation_ids: &[i64],
    ) -> QueryResult<HashMap<i64, (String, EvaluationKind)>> {
        Ok(evaluations::table
            .inner_join(projects::table)
            .filter(evaluations::id.eq_any(evaluation_ids))
            .select((evaluations::id, projects::code, evaluations::kind))
            .load::<(i64, String, EvaluationKind)>(conn)?
            .into_iter()
            .map(|(id, code, kind)| (id, (code, kind)))
            .collect())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendationSort {
    DueDate,
    IssuedOn,
    UpdatedAt,
}

/// The recommendation list's filters: OR within one, AND across them.
#[derive(Debug, Default, Clone)]
pub struct RecommendationFilter {
    pub project_codes: Vec<String>,
    pub evaluation_ids: Vec<i64>,
    pub statuses: Vec<RecommendationStatus>,
    pub addressees: Vec<String>,
    pub priorities: Vec<Priority>,
    /// Open and past its due date (as of `today`) when true; the opposite when false.
    pub overdue: Option<bool>,
    /// Open, and issued on or before this day.
    pub issued_by: Option<chrono::NaiveDate>,
    pub today: Option<chrono::NaiveDate>,
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub sort: Vec<(RecommendationSort, bool)>,
}

type Boxed<'a> = recommendations::BoxedQuery<'a, crate::db::MultiBackend>;

fn open_statuses() -> Vec<RecommendationStatus> {
    RecommendationStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect()
}

impl RecommendationFilter {
    fn apply<'a>(&self, mut q: Boxed<'a>) -> Boxed<'a> {
        if !self.project_codes.is_empty() {
            q = q.filter(
                recommendations::evaluation_id.eq_any(
                    evaluations::table
                        .inner_join(projects::table)
                        .filter(projects::code.eq_any(self.project_codes.clone()))
                        .select(evaluations::id),
                ),
            );
        }
        if !self.evaluation_ids.is_empty() {
            q = q.filter(recommendations::evaluation_id.eq_any(self.evaluation_ids.clone()));
        }
        if !self.statuses.is_empty() {
            q = q.filter(recommendations::status.eq_any(self.statuses.clone()));
        }
        if !self.addressees.is_empty() {
            q = q.filter(
                recommendations::id.eq_any(
                    recommendation_addressees::table
                        .filter(recommendation_addressees::name.eq_any(self.addressees.clone()))
                        .select(recommendation_addressees::recommendation_id),
                ),
            );
        }
        if !self.priorities.is_empty() {
            q = q.filter(recommendations::priority.eq_any(self.priorities.clone()));
        }
        if let (Some(overdue), Some(today)) = (self.overdue, self.today) {
            let late = recommendations::status
                .eq_any(open_statuses())
                .and(recommendations::due_date.lt(today));
            q = if overdue {
                q.filter(late)
            } else {
                q.filter(diesel::dsl::not(
                    late.and(recommendations::due_date.is_not_null()),
                ))
            };
        }
        if let Some(by) = self.issued_by {
            q = q
                .filter(recommendations::status.eq_any(open_statuses()))
                .filter(recommendations::issued_on.le(by));
        }
        if let Some(since) = self.updated_since {
            q = q.filter(recommendations::updated_at.gt(since));
        }
        q
    }

    pub fn count(&self, conn: &mut Conn) -> QueryResult<i64> {
        self.apply(recommendations::table.into_boxed())
            .count()
            .get_result(conn)
    }

    pub fn page(
        &self,
        conn: &mut Conn,
        offset: i64,
        limit: i64,
    ) -> QueryResult<Vec<Recommendation>> {
        let mut q = self.apply(recommendations::table.into_boxed());
        for (key, desc) in &self.sort {
            q = match (key, desc) {
                // Without a due date last, on both databases.
                (RecommendationSort::DueDate, false) => q
                    .then_order_by(recommendations::due_date.is_null())
                    .then_order_by(recommendations::due_date.asc()),
                (RecommendationSort::DueDate, true) => q
                    .then_order_by(recommendations::due_date.is_null())
                    .then_order_by(recommendations::due_date.desc()),
                (RecommendationSort::IssuedOn, false) => {
                    q.then_order_by(recommendations::issued_on.asc())
                }
                (RecommendationSort::IssuedOn, true) => {
                    q.then_order_by(recommendations::issued_on.desc())
                }
                (RecommendationSort::UpdatedAt, false) => {
                    q.then_order_by(recommendations::updated_at.asc())
                }
                (RecommendationSort::UpdatedAt, true) => {
                    q.then_order_by(recommendations::updated_at.desc())
                }
            };
        }
        q.then_order_by(recommendations::evaluation_id.asc())
            .then_order_by(recommendations::position.asc())
            .then_order_by(recommendations::id.asc())
            .offset(offset)
            .limit(limit)
            .select(Recommendation::as_select())
            .load(conn)
    }
}

/// A recommendation as the recommendations report reads it.
#[derive(Debug, Clone, Queryable)]
pub struct ReportRecommendation {
    pub id: i64,
    pub project_id: i64,
    pub evaluation_kind: EvaluationKind,
    pub status: RecommendationStatus,
    pub priority: Option<Priority>,
    pub due_date: Option<chrono::NaiveDate>,
    pub issued_on: chrono::NaiveDate,
}

/// Every recommendation with its evaluation's project and kind (one query).
pub fn report_rows(conn: &mut Conn) -> QueryResult<Vec<ReportRecommendation>> {
    recommendations::table
        .inner_join(evaluations::table)
        .order(recommendations::id)
        .select((
            recommendations::id,
            evaluations::project_id,
            evaluations::kind,
            recommendations::status,
            recommendations::priority,
            recommendations::due_date,
            recommendations::issued_on,
        ))
        .load(conn)
}

/// Every (recommendation, addressee) pair (one query).
pub fn all_addressees(conn: &mut Conn) -> QueryResult<Vec<(i64, String)>> {
    recommendation_addressees::table
        .order((
            recommendation_addressees::recommendation_id,
            recommendation_addressees::position,
        ))
        .select((
            recommendation_addressees::recommendation_id,
            recommendation_addressees::name,
        ))
        .load(conn)
}
