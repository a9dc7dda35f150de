//! Create, update and delete an evaluation.

use super::input::{EvaluationInput, Subject};
use super::{EvaluationView, RECORD, find};
use crate::db::{Conn, write_tx};
use crate::error::{ApiError, FieldError};
use crate::models::evaluation::{Evaluation, EvaluationValues};
use crate::models::follow_up::FollowUp;
use crate::models::now;
use crate::models::project::Project;
use crate::models::recommendation::Recommendation;
use crate::services::{Actor, Precondition, audit, require_version, written};

/// The project an evaluation's subject belongs to, and the follow-up record when the subject
/// is one: an unknown one is a 422 naming the field.
fn resolve(conn: &mut Conn, subject: &Subject) -> Result<(i64, Option<i64>), ApiError> {
    match subject {
        Subject::Project(code) => match Project::find(conn, code)? {
            Some(p) => Ok((p.id, None)),
            None => Err(ApiError::validation(vec![FieldError::new(
                "subject.project_code",
                "unknown_project",
                format!("{code} is not in the portfolio"),
            )])),
        },
        Subject::FollowUp(id) => match FollowUp::find(conn, *id)? {
            Some(f) => Ok((f.project_id, Some(f.id))),
            None => Err(ApiError::validation(vec![FieldError::new(
                "subject.follow_up_id",
                "unknown_follow_up",
                format!("there is no follow-up funding record {id}"),
            )])),
        },
    }
}

fn values(input: &EvaluationInput, project_id: i64, follow_up_id: Option<i64>) -> EvaluationValues {
    let text = |d: &Option<crate::domain::fx::PartialDate>| d.as_ref().map(|d| d.text.clone());
    let methods = if input.methods.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = input.methods.iter().map(|m| m.as_str()).collect();
        format!(",{},", names.join(","))
    };
    EvaluationValues {
        project_id,
        follow_up_id,
        kind: input.kind,
        status: input.status,
        title: input.title.clone(),
        evaluator_type: input.evaluator_type,
        commissioner: input.commissioner.clone(),
        period_from: text(&input.period_from),
        period_to: text(&input.period_to),
        started_on: text(&input.started_on),
        completed_on: text(&input.completed_on),
        completed_on_start: input.completed_on.as_ref().map(|d| d.start),
        report_url: input.report_url.clone(),
        methods,
        limitations: input.limitations.clone(),
        summary: input.summary.clone(),
        created_at: chrono::NaiveDateTime::default(),
        updated_at: chrono::NaiveDateTime::default(),
        version: 0,
    }
}

/// What the audit trail records of an evaluation.
fn snapshot(v: &EvaluationView) -> serde_json::Value {
    let mut doc = serde_json::to_value(&v.values).unwrap_or_default();
    doc["evaluators"] = serde_json::to_value(&v.children.evaluators).unwrap_or_default();
    doc["criteria"] = serde_json::to_value(&v.children.criteria).unwrap_or_default();
    doc
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    input: EvaluationInput,
) -> Result<EvaluationView, ApiError> {
    write_tx(conn, |conn| {
        let (project_id, follow_up_id) = resolve(conn, &input.subject)?;
        let at = now();
        let mut v = values(&input, project_id, follow_up_id);
        v.created_at = at;
        v.updated_at = at;
        v.version = 1;
        let id = Evaluation::insert(conn, &v)?;
        Evaluation::replace_children(conn, id, &input.evaluators, &input.criteria)?;
        let view = find(conn, id)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &id.to_string(),
            None,
            Some(&snapshot(&view)),
        )?;
        Ok(view)
    })
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
    input: EvaluationInput,
) -> Result<EvaluationView, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.values.version)?;
        let (project_id, follow_up_id) = resolve(conn, &input.subject)?;
        let mut v = values(&input, project_id, follow_up_id);
        v.created_at = before.values.created_at;
        v.updated_at = now();
        v.version = before.values.version + 1;
        written(Evaluation::save(conn, id, before.values.version, &v)?)?;
        Evaluation::replace_children(conn, id, &input.evaluators, &input.criteria)?;
        if v.completed_on_start != before.values.completed_on_start {
            // Recommendations count their age from the evaluation's completion.
            super::recommendations::reissue(conn, id, v.completed_on_start)?;
        }
        let after = find(conn, id)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            &id.to_string(),
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )?;
        Ok(after)
    })
}

/// Deletes an evaluation with its questions and recommendations.
pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.values.version)?;
        let recommendations = Recommendation::count_of(conn, id)?;
        Evaluation::delete(conn, id)?;
        let mut doc = snapshot(&before);
        doc["recommendation_count"] = recommendations.into();
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            &id.to_string(),
            Some(&doc),
            None,
        )?;
        Ok(())
    })
}
