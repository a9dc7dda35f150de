//! Evaluation questions: add, edit, remove. A question's change is also its evaluation's
//! (its ETag moves: `question_count` is part of it).

use super::input::QuestionInput;
use crate::db::{Conn, write_tx};
use crate::error::ApiError;
use crate::models::evaluation::Evaluation;
use crate::models::now;
use crate::models::question::{Question, QuestionValues};
use crate::services::{Actor, Precondition, audit, require_version, written};

pub const RECORD: &str = "evaluation_question";

pub fn find(conn: &mut Conn, id: i64) -> Result<Question, ApiError> {
    Question::find(conn, id)?
        .ok_or_else(|| ApiError::not_found(format!("evaluation question {id}")))
}

/// The questions of an evaluation changed after `updated_since` (all when `None`), in order
/// (404 for an unknown evaluation).
pub fn of_evaluation(
    conn: &mut Conn,
    evaluation_id: i64,
    updated_since: Option<chrono::NaiveDateTime>,
) -> Result<Vec<Question>, ApiError> {
    super::row(conn, evaluation_id)?;
    Ok(Question::of_evaluation(conn, evaluation_id, updated_since)?)
}

/// Moves the evaluation's version on, so its ETag tells that its questions changed.
pub(super) fn touch_evaluation(conn: &mut Conn, evaluation_id: i64) -> Result<(), ApiError> {
    let e = super::row(conn, evaluation_id)?;
    written(Evaluation::touch(
        conn,
        evaluation_id,
        now(),
        e.v.version + 1,
    )?)
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    evaluation_id: i64,
    input: QuestionInput,
) -> Result<Question, ApiError> {
    write_tx(conn, |conn| {
        let existing = of_evaluation(conn, evaluation_id, None)?;
        let at = now();
        let next = existing.iter().map(|q| q.v.position).max().unwrap_or(0) + 1;
        let v = QuestionValues {
            evaluation_id,
            label: input.label,
            position: input.position.unwrap_or(next),
            criterion: input.criterion,
            sub_criterion: input.sub_criterion,
            text: input.text,
            finding: input.finding,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let id = Question::insert(conn, &v)?;
        touch_evaluation(conn, evaluation_id)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &id.to_string(),
            None,
            Some(&v),
        )?;
        Ok(Question { id, v })
    })
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
    input: QuestionInput,
) -> Result<Question, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.v.version)?;
        let v = QuestionValues {
            evaluation_id: before.v.evaluation_id,
            label: input.label,
            position: input.position.unwrap_or(before.v.position),
            criterion: input.criterion,
            sub_criterion: input.sub_criterion,
            text: input.text,
            finding: input.finding,
            created_at: before.v.created_at,
            updated_at: now(),
            version: before.v.version + 1,
        };
        written(Question::save(conn, id, before.v.version, &v)?)?;
        touch_evaluation(conn, v.evaluation_id)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            &id.to_string(),
            Some(&before.v),
            Some(&v),
        )?;
        Ok(Question { id, v })
    })
}

pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.v.version)?;
        Question::delete(conn, id)?;
        touch_evaluation(conn, before.v.evaluation_id)?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            &id.to_string(),
            Some(&before.v),
            None,
        )?;
        Ok(())
    })
}
