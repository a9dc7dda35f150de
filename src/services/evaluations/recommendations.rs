//! Recommendations: an evaluator writes what is recommended (content); management records
//! its response and the implementation status, whose every change is kept with who and when.
//! A patch that touches both halves needs both permissions.

use super::input::{RecommendationInput, ResponseDraft};
use crate::auth::Permission;
use crate::db::{Conn, write_tx};
use crate::domain::evaluation::RecommendationStatus;
use crate::error::ApiError;
use crate::models::now;
use crate::models::recommendation::{
    NewStatusChange, Recommendation, RecommendationFilter, RecommendationValues, StatusChange,
};
use crate::services::{Actor, Precondition, audit, require_version, written};

pub const RECORD: &str = "recommendation";

/// A recommendation with its addressees, its evaluation's kind and its project's code.
#[derive(Debug, Clone)]
pub struct RecommendationView {
    pub id: i64,
    pub values: RecommendationValues,
    pub addressees: Vec<String>,
    pub project_code: String,
    pub evaluation_kind: crate::domain::evaluation::EvaluationKind,
}

/// Views of `rows` in three queries, whatever their number.
pub fn views(
    conn: &mut Conn,
    rows: Vec<Recommendation>,
) -> Result<Vec<RecommendationView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let evaluation_ids: Vec<i64> = rows.iter().map(|r| r.v.evaluation_id).collect();
    let mut addressees = Recommendation::addressees(conn, &ids)?;
    let context = Recommendation::context(conn, &evaluation_ids)?;
    rows.into_iter()
        .map(|r| {
            // The foreign key guarantees the evaluation; its absence is a broken database.
            let (project_code, evaluation_kind) =
                context.get(&r.v.evaluation_id).cloned().ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!(
                        "recommendation {} has no evaluation {}",
                        r.id,
                        r.v.evaluation_id
                    ))
                })?;
            Ok(RecommendationView {
                id: r.id,
                addressees: addressees.remove(&r.id).unwrap_or_default(),
                project_code,
                evaluation_kind,
                values: r.v,
            })
        })
        .collect()
}

pub fn find(conn: &mut Conn, id: i64) -> Result<RecommendationView, ApiError> {
    let row = Recommendation::find(conn, id)?
        .ok_or_else(|| ApiError::not_found(format!("recommendation {id}")))?;
    Ok(views(conn, vec![row])?.remove(0))
}

pub fn list(
    conn: &mut Conn,
    filter: &RecommendationFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<RecommendationView>, ApiError> {
    let rows = filter.page(conn, offset, limit)?;
    views(conn, rows)
}

/// The status history, newest first (404 for an unknown recommendation).
pub fn history(conn: &mut Conn, id: i64) -> Result<Vec<StatusChange>, ApiError> {
    find(conn, id)?;
    Ok(Recommendation::history(conn, id)?)
}

/// What a patch changes: the content (the evaluator's), the response and the status
/// (management's). `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct RecommendationPatch {
    pub content: Option<RecommendationInput>,
    pub response: Option<Option<ResponseDraft>>,
    pub status: Option<RecommendationStatus>,
    pub status_note: Option<Option<String>>,
}

fn may(actor: &Actor, permission: Permission, what: &str) -> Result<(), ApiError> {
    if actor.role.has(permission) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "changing {what} needs the permission {}",
            permission.as_str()
        )))
    }
}

fn snapshot(v: &RecommendationValues, addressees: &[String]) -> serde_json::Value {
    let mut doc = serde_json::to_value(v).unwrap_or_default();
    doc["addressees"] = serde_json::to_value(addressees).unwrap_or_default();
    doc
}

fn record_change(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    from: Option<RecommendationStatus>,
    to: RecommendationStatus,
    note: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    Recommendation::record_change(
        conn,
        &NewStatusChange {
            recommendation_id: id,
            from_status: from,
            to_status: to,
            note,
            changed_at: at,
            changed_by: &actor.subject,
            changed_by_role: actor.role.as_str(),
        },
    )?;
    Ok(())
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    evaluation_id: i64,
    input: RecommendationInput,
) -> Result<RecommendationView, ApiError> {
    write_tx(conn, |conn| {
        let evaluation = super::row(conn, evaluation_id)?;
        let at = now();
        let next = Recommendation::count_of(conn, evaluation_id)? + 1;
        let v = RecommendationValues {
            evaluation_id,
            label: input.label,
            position: input
                .position
                .unwrap_or(i32::try_from(next).unwrap_or(i32::MAX)),
            text: input.text,
            category: input.category,
            priority: input.priority,
            due_date: input.due_date,
            response_decision: None,
            response_text: None,
            responded_on: None,
            responded_by: None,
            status: RecommendationStatus::Open,
            status_note: None,
            issued_on: evaluation.v.completed_on_start.unwrap_or(at.date()),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let id = Recommendation::insert(conn, &v)?;
        Recommendation::replace_addressees(conn, id, &input.addressees)?;
        record_change(conn, actor, id, None, RecommendationStatus::Open, None, at)?;
        super::questions::touch_evaluation(conn, evaluation_id)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &id.to_string(),
            None,
            Some(&snapshot(&v, &input.addressees)),
        )?;
        find(conn, id)
    })
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
    patch: RecommendationPatch,
) -> Result<RecommendationView, ApiError> {
    if patch.content.is_some() {
        may(
            actor,
            Permission::EvaluationsWrite,
            "what a recommendation says",
        )?;
    }
    if patch.response.is_some() || patch.status.is_some() || patch.status_note.is_some() {
        may(
            actor,
            Permission::RecommendationsRespond,
            "the management response or status",
        )?;
    }
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.values.version)?;
        let at = now();
        let mut v = before.values.clone();
        let mut addressees = before.addressees.clone();
        if let Some(c) = patch.content {
            v.label = c.label;
            v.position = c.position.unwrap_or(v.position);
            v.text = c.text;
            v.category = c.category;
            v.priority = c.priority;
            v.due_date = c.due_date;
            addressees = c.addressees;
        }
        if let Some(response) = patch.response {
            v.response_decision = response.as_ref().map(|r| r.decision);
            v.response_text = response.as_ref().and_then(|r| r.text.clone());
            v.responded_on = response
                .as_ref()
                .map(|r| r.responded_on.unwrap_or(at.date()));
            v.responded_by =
                response.map(|r| r.responded_by.unwrap_or_else(|| actor.subject.clone()));
        }
        if let Some(note) = patch.status_note.clone() {
            v.status_note = note;
        }
        if let Some(status) = patch.status
            && status != before.values.status
        {
            v.status = status;
            record_change(
                conn,
                actor,
                id,
                Some(before.values.status),
                status,
                v.status_note.as_deref(),
                at,
            )?;
        }
        v.updated_at = at;
        v.version = before.values.version + 1;
        written(Recommendation::save(conn, id, before.values.version, &v)?)?;
        if addressees != before.addressees {
            Recommendation::replace_addressees(conn, id, &addressees)?;
        }
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            &id.to_string(),
            Some(&snapshot(&before.values, &before.addressees)),
            Some(&snapshot(&v, &addressees)),
        )?;
        find(conn, id)
    })
}

/// Sets the day the recommendations of an evaluation were made: its completion, else the day
/// each was recorded.
pub(super) fn reissue(
    conn: &mut Conn,
    evaluation_id: i64,
    completed: Option<chrono::NaiveDate>,
) -> Result<(), ApiError> {
    Recommendation::reissue(conn, evaluation_id, completed)?;
    Ok(())
}
