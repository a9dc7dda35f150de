//! Evaluation questions: the questions an evaluation asked, in order, each with its finding.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::evaluation_questions;
use crate::domain::evaluation::Criterion;

/// Every column of an evaluation question but its id.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize,
)]
#[diesel(table_name = evaluation_questions)]
#[diesel(treat_none_as_null = true)]
pub struct QuestionValues {
    pub evaluation_id: i64,
    pub label: String,
    pub position: i32,
    pub criterion: Option<Criterion>,
    pub sub_criterion: Option<String>,
    pub text: String,
    pub finding: Option<String>,
    #[serde(skip)]
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evaluation_questions)]
pub struct Question {
    pub id: i64,
    #[diesel(embed)]
    pub v: QuestionValues,
}

impl Question {
    pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<Question>> {
        evaluation_questions::table
            .find(id)
            .select(Question::as_select())
            .first(conn)
            .optional()
    }

    /// The questions of an evaluation changed after `updated_since` (all when `None`), in
    /// order.
    pub fn of_evaluation(
        conn: &mut Conn,
        evaluation_id: i64,
        updated_since: Option<chrono::NaiveDateTime>,
    ) -> QueryResult<Vec<Question>> {
        let mut q = evaluation_questions::table
            .filter(evaluation_questions::evaluation_id.eq(evaluation_id))
            .into_boxed();
        if let Some(since) = updated_since {
            q = q.filter(evaluation_questions::updated_at.gt(since));
        }
        q.order((evaluation_questions::position, evaluation_questions::id))
            .select(Question::as_select())
            .load(conn)
    }

    pub fn insert(conn: &mut Conn, v: &QuestionValues) -> QueryResult<i64> {
        diesel::insert_into(evaluation_questions::table)
            .values(v)
            .returning(evaluation_questions::id)
            .get_result(conn)
    }

    pub fn save(conn: &mut Conn, id: i64, expected: i64, v: &QuestionValues) -> QueryResult<usize> {
        diesel::update(
            evaluation_questions::table
                .find(id)
                .filter(evaluation_questions::version.eq(expected)),
        )
        .set(v)
        .execute(conn)
    }

    pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
        diesel::delete(evaluation_questions::table.find(id)).execute(conn)
    }
}
