//! Recording, editing and deleting follow-up funding. The service owns the conversion to USD
//! (at the rate of the value month), the times and the version; every change also moves the
//! project's version and is noted in the project's history.

use super::guard::load_for_write;
use super::input::{FollowUpDraft, FollowUpPatch, NewFollowUp, stored_amount};
use super::{FollowUpView, RECORD};
use crate::db::{Conn, write_tx};
use crate::error::ApiError;
use crate::models::follow_up::{FollowUp, FollowUpContent, FollowUpValues};
use crate::models::now;
use crate::services::projects::{self, WritableProject};
use crate::services::{Actor, Precondition, audit, exchange_rates, written};

/// The values stored of `content` as `version`, converted to USD at the rate of its value
/// month (`created_at` `None`: created now).
fn converted(
    conn: &mut Conn,
    content: FollowUpContent,
    created_at: Option<chrono::NaiveDateTime>,
    version: i64,
) -> Result<FollowUpValues, ApiError> {
    let (usd, rate, conversion) =
        exchange_rates::convert(conn, stored_amount(&content), content.value_month_index)?;
    let at = now();
    Ok(FollowUpValues {
        content,
        amount_usd_cents: usd,
        usd_rate_e10: rate,
        usd_conversion: conversion,
        created_at: created_at.unwrap_or(at),
        updated_at: at,
        version,
    })
}

/// A follow-up change changes the project's totals: its ETag moves and its history says so.
fn note_on_project(
    conn: &mut Conn,
    actor: &Actor,
    project: &WritableProject,
    action: &str,
    id: i64,
) -> Result<(), ApiError> {
    project.touch(conn, now())?;
    let detail = serde_json::json!({"follow_up_id": id});
    audit::record(
        conn,
        actor,
        action,
        projects::RECORD,
        project.code(),
        None,
        Some(&detail),
    )
}

/// Records follow-up funding of project `code`.
pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    draft: FollowUpDraft,
) -> Result<FollowUpView, ApiError> {
    let new = NewFollowUp::check(draft)?;
    write_tx(conn, |conn| {
        let project = projects::load_for_write(conn, actor, code, None)?;
        let v = converted(conn, new.content, None, 1)?;
        let id = FollowUp::insert(conn, project.id(), &v)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            &id.to_string(),
            None,
            Some(&v),
        )?;
        note_on_project(conn, actor, &project, "add_follow_up", id)?;
        Ok(FollowUpView {
            id,
            project_code: code.to_owned(),
            values: v,
        })
    })
}

/// Applies `patch` to record `id` and writes it, when `If-Match` matches.
pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected_version: &Precondition,
    patch: FollowUpPatch,
) -> Result<FollowUpView, ApiError> {
    write_tx(conn, |conn| {
        let writable = load_for_write(conn, actor, id, expected_version)?;
        let before = writable.follow_up();
        let new = NewFollowUp::check(patch.apply(FollowUpDraft::from_view(before)))?;
        let v = converted(
            conn,
            new.content,
            Some(before.values.created_at),
            before.values.version + 1,
        )?;
        written(FollowUp::save(conn, id, before.values.version, &v)?)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            &id.to_string(),
            Some(&before.values),
            Some(&v),
        )?;
        note_on_project(conn, actor, writable.project(), "update_follow_up", id)?;
        Ok(FollowUpView {
            id,
            project_code: before.project_code.clone(),
            values: v,
        })
    })
}

/// Deletes record `id`, when `If-Match` matches.
pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected_version: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let writable = load_for_write(conn, actor, id, expected_version)?;
        let evaluated =
            crate::models::evaluation::EvaluationFilter::default().of_follow_up(conn, id)?;
        if evaluated > 0 {
            return Err(ApiError::conflict(format!(
                "follow-up funding {id} is the subject of {evaluated} evaluation(s); delete or re-point them first"
            )));
        }
        FollowUp::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            &id.to_string(),
            Some(&writable.follow_up().values),
            None,
        )?;
        note_on_project(conn, actor, writable.project(), "remove_follow_up", id)?;
        Ok(())
    })
}
