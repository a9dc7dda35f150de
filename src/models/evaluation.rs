//! Evaluations and what hangs off them (evaluators, criterion judgements), and the list filter.
//! Questions and recommendations are their own files ([`super::recommendation`]).

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{
    evaluation_criteria, evaluation_evaluators, evaluation_questions, evaluations, member_states,
    project_member_states, projects, recommendations,
};
use crate::domain::evaluation::{
    Criterion, EvaluationKind, EvaluationStatus, EvaluatorType, Rating,
};

/// Every column of an evaluation but its id.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = evaluations)]
#[diesel(treat_none_as_null = true)]
pub struct EvaluationValues {
    pub project_id: i64,
    pub follow_up_id: Option<i64>,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub title: String,
    pub evaluator_type: Option<EvaluatorType>,
    pub commissioner: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    #[serde(skip)]
    pub completed_on_start: Option<chrono::NaiveDate>,
    pub report_url: Option<String>,
    /// `,desk_review,interviews,` (delimited, for filtering).
    pub methods: String,
    pub limitations: Option<String>,
    pub summary: Option<String>,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evaluations)]
pub struct Evaluation {
    pub id: i64,
    #[diesel(embed)]
    pub v: EvaluationValues,
}

/// One evaluator, in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evaluator {
    pub name: String,
    pub role: Option<String>,
}

/// One criterion's judgement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Judgement {
    pub criterion: Criterion,
    pub rating: Option<Rating>,
    pub finding: Option<String>,
}

/// What hangs off an evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvaluationChildren {
    pub evaluators: Vec<Evaluator>,
    pub criteria: Vec<Judgement>,
    pub question_count: i64,
    pub recommendation_count: i64,
}

impl Evaluation {
    pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<Evaluation>> {
        evaluations::table
            .find(id)
            .select(Evaluation::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(conn: &mut Conn, v: &EvaluationValues) -> QueryResult<i64> {
        diesel::insert_into(evaluations::table)
            .values(v)
            .returning(evaluations::id)
            .get_result(conn)
    }

    /// Writes `v` when the row still has version `expected`; answers rows written.
    pub fn save(
        conn: &mut Conn,
        id: i64,
        expected: i64,
        v: &EvaluationValues,
    ) -> QueryResult<usize> {
        diesel::update(
            evaluations::table
                .find(id)
                .filter(evaluations::version.eq(expected)),
        )
        .set(v)
        .execute(conn)
    }

    /// Marks the evaluation changed (a question or recommendation write).
    pub fn touch(
        conn: &mut Conn,
        id: i64,
        at: chrono::NaiveDateTime,
        version: i64,
    ) -> QueryResult<usize> {
        diesel::update(
            evaluations::table
                .find(id)
                .filter(evaluations::version.eq(version - 1)),
        )
        .set((
            evaluations::updated_at.eq(at),
            evaluations::version.eq(version),
        ))
        .execute(conn)
    }

    pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
        diesel::delete(evaluations::table.find(id)).execute(conn)
    }

    /// Replaces the evaluators and the criterion judgements.
    pub fn replace_children(
        conn: &mut Conn,
        id: i64,
        evaluators: &[Evaluator],
        criteria: &[Judgement],
    ) -> QueryResult<()> {
        diesel::delete(
            evaluation_evaluators::table.filter(evaluation_evaluators::evaluation_id.eq(id)),
        )
        .execute(conn)?;
        for (i, e) in evaluators.iter().enumerate() {
            diesel::insert_into(evaluation_evaluators::table)
                .values((
                    evaluation_evaluators::evaluation_id.eq(id),
                    evaluation_evaluators::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                    evaluation_evaluators::name.eq(&e.name),
                    evaluation_evaluators::role.eq(&e.role),
                ))
                .execute(conn)?;
        }
        diesel::delete(
            evaluation_criteria::table.filter(evaluation_criteria::evaluation_id.eq(id)),
        )
        .execute(conn)?;
        for j in criteria {
            diesel::insert_into(evaluation_criteria::table)
                .values((
                    evaluation_criteria::evaluation_id.eq(id),
                    evaluation_criteria::criterion.eq(j.criterion),
                    evaluation_criteria::rating.eq(j.rating),
                    evaluation_criteria::finding.eq(&j.finding),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// The children of `ids`, in four queries whatever their number.
    pub fn children(conn: &mut Conn, ids: &[i64]) -> QueryResult<HashMap<i64, EvaluationChildren>> {
        let mut out: HashMap<i64, EvaluationChildren> = HashMap::new();
        let people: Vec<(i64, String, Option<String>)> = evaluation_evaluators::table
            .filter(evaluation_evaluators::evaluation_id.eq_any(ids))
            .order((
                evaluation_evaluators::evaluation_id,
                evaluation_evaluators::position,
            ))
            .select((
                evaluation_evaluators::evaluation_id,
                evaluation_evaluators::name,
                evaluation_evaluators::role,
            ))
            .load(conn)?;
        for (id, name, role) in people {
            out.entry(id)
                .or_default()
                .evaluators
                .push(Evaluator { name, role });
        }
        let judged: Vec<(i64, Criterion, Option<Rating>, Option<String>)> =
            evaluation_criteria::table
                .filter(evaluation_criteria::evaluation_id.eq_any(ids))
                .select((
                    evaluation_criteria::evaluation_id,
                    evaluation_criteria::criterion,
                    evaluation_criteria::rating,
                    evaluation_criteria::finding,
                ))
                .load(conn)?;
        for (id, criterion, rating, finding) in judged {
            out.entry(id).or_default().criteria.push(Judgement {
                criterion,
                rating,
                finding,
            });
        }
        for c in out.values_mut() {
            // The order of the criteria list, not of the table.
            c.criteria.sort_by_key(|j| j.criterion);
        }
        let questions: Vec<(i64, i64)> = evaluation_questions::table
            .filter(evaluation_questions::evaluation_id.eq_any(ids))
            .group_by(evaluation_questions::evaluation_id)
            .select((
                evaluation_questions::evaluation_id,
                diesel::dsl::count_star(),
            ))
            .load(conn)?;
        for (id, n) in questions {
            out.entry(id).or_default().question_count = n;
        }
        let recs: Vec<(i64, i64)> = recommendations::table
            .filter(recommendations::evaluation_id.eq_any(ids))
            .group_by(recommendations::evaluation_id)
            .select((recommendations::evaluation_id, diesel::dsl::count_star()))
            .load(conn)?;
        for (id, n) in recs {
            out.entry(id).or_default().recommendation_count = n;
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationSort {
    CompletedOn,
    UpdatedAt,
}

/// The evaluation list's filters: OR within one, AND across them.
#[derive(Debug, Default, Clone)]
pub struct EvaluationFilter {
    pub project_codes: Vec<String>,
    pub kinds: Vec<EvaluationKind>,
    pub statuses: Vec<EvaluationStatus>,
    pub evaluator_types: Vec<EvaluatorType>,
    pub criteria: Vec<Criterion>,
    pub member_states: Vec<String>,
    pub regions: Vec<String>,
    pub completed_from: Option<chrono::NaiveDate>,
    pub completed_to: Option<chrono::NaiveDate>,
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub sort: Vec<(EvaluationSort, bool)>,
}

type Boxed<'a> = evaluations::BoxedQuery<'a, crate::db::MultiBackend>;

impl EvaluationFilter {
    fn apply<'a>(&self, mut q: Boxed<'a>) -> Boxed<'a> {
        if !self.project_codes.is_empty() {
            q = q.filter(
                evaluations::project_id.eq_any(
                    projects::table
                        .filter(projects::code.eq_any(self.project_codes.clone()))
                        .select(projects::id),
                ),
            );
        }
        if !self.kinds.is_empty() {
            q = q.filter(evaluations::kind.eq_any(self.kinds.clone()));
        }
        if !self.statuses.is_empty() {
            q = q.filter(evaluations::status.eq_any(self.statuses.clone()));
        }
        if !self.evaluator_types.is_empty() {
            q = q.filter(evaluations::evaluator_type.eq_any(self.evaluator_types.clone()));
        }
        if !self.criteria.is_empty() {
            q = q.filter(
                evaluations::id.eq_any(
                    evaluation_criteria::table
                        .filter(evaluation_criteria::criterion.eq_any(self.criteria.clone()))
                        .select(evaluation_criteria::evaluation_id),
                ),
            );
        }
        if !self.member_states.is_empty() {
            q = q.filter(
                evaluations::project_id.eq_any(
                    project_member_states::table
                        .filter(project_member_states::iso3.eq_any(self.member_states.clone()))
                        .select(project_member_states::project_id),
                ),
            );
        }
        if !self.regions.is_empty() {
            q = q.filter(
                evaluations::project_id.eq_any(
                    project_member_states::table
                        .inner_join(member_states::table)
                        .filter(member_states::region.eq_any(self.regions.clone()))
                        .select(project_member_states::project_id),
                ),
            );
        }
        if let Some(from) = self.completed_from {
            q = q.filter(evaluations::completed_on_start.ge(from));
        }
        if let Some(to) = self.completed_to {
            q = q.filter(evaluations::completed_on_start.le(to));
        }
        if let Some(since) = self.updated_since {
            q = q.filter(evaluations::updated_at.gt(since));
        }
        q
    }

    /// How many evaluations have the follow-up record `id` as their subject.
    pub fn of_follow_up(&self, conn: &mut Conn, id: i64) -> QueryResult<i64> {
        self.apply(evaluations::table.into_boxed())
            .filter(evaluations::follow_up_id.eq(id))
            .count()
            .get_result(conn)
    }

    pub fn count(&self, conn: &mut Conn) -> QueryResult<i64> {
        self.apply(evaluations::table.into_boxed())
            .count()
            .get_result(conn)
    }

    pub fn page(&self, conn: &mut Conn, offset: i64, limit: i64) -> QueryResult<Vec<Evaluation>> {
        let mut q = self.apply(evaluations::table.into_boxed());
        for (key, desc) in &self.sort {
            q = match (key, desc) {
                // Not completed last, on both databases.
                (EvaluationSort::CompletedOn, false) => q
                    .then_order_by(evaluations::completed_on_start.is_null())
                    .then_order_by(evaluations::completed_on_start.asc()),
                (EvaluationSort::CompletedOn, true) => q
                    .then_order_by(evaluations::completed_on_start.is_null())
                    .then_order_by(evaluations::completed_on_start.desc()),
                (EvaluationSort::UpdatedAt, false) => {
                    q.then_order_by(evaluations::updated_at.asc())
                }
                (EvaluationSort::UpdatedAt, true) => {
                    q.then_order_by(evaluations::updated_at.desc())
                }
            };
        }
        q.then_order_by(evaluations::id.asc())
            .offset(offset)
            .limit(limit)
            .select(Evaluation::as_select())
            .load(conn)
    }
}

/// A project as the compliance report reads it.
#[derive(Debug, Clone, Queryable)]
pub struct EndedProject {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub end_date: Option<chrono::NaiveDate>,
    pub actual_end_date: Option<chrono::NaiveDate>,
}

/// Every completed or closed project, by code (one query).
pub fn ended_projects(conn: &mut Conn) -> QueryResult<Vec<EndedProject>> {
    use crate::domain::project::Status;
    projects::table
        .filter(projects::status.eq_any([Status::Completed, Status::Closed]))
        .order(projects::code)
        .select((
            projects::id,
            projects::code,
            projects::title,
            projects::end_date,
            projects::actual_end_date,
        ))
        .load(conn)
}

/// An ex-post evaluation as the compliance rule reads it: (project, id, status, completed on).
pub type ExPostRow = (i64, i64, EvaluationStatus, Option<String>);

/// Every ex-post evaluation of a project itself (one query).
pub fn ex_post_evaluations(conn: &mut Conn) -> QueryResult<Vec<ExPostRow>> {
    evaluations::table
        .filter(evaluations::kind.eq(EvaluationKind::ExPost))
        .filter(evaluations::follow_up_id.is_null())
        .select((
            evaluations::project_id,
            evaluations::id,
            evaluations::status,
            evaluations::completed_on,
        ))
        .load(conn)
}
