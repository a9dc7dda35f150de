//! Follow-up funding use cases: record, edit, delete; each converts to USD at the rate of
//! its value month and writes its audit event in the same transaction.

use super::projects::{self, check_scope};
use super::{Actor, Precondition, audit, exchange_rates, require_version};
use crate::db::{Conn, write_tx};
use crate::domain::money::{Currency, Money};
use crate::error::ApiError;
use crate::models::follow_up::{FollowUp, FollowUpValues};
use crate::models::now;
use crate::models::project::Project;

const RECORD: &str = "follow_up";

/// A follow-up funding record with the code of its project.
#[derive(Debug, Clone)]
pub struct FollowUpView {
    pub id: i64,
    pub project_code: String,
    pub values: FollowUpValues,
}

pub fn find(conn: &mut Conn, id: i64) -> Result<FollowUpView, ApiError> {
    let f = FollowUp::find(conn, id)?
        .ok_or_else(|| ApiError::not_found(format!("follow-up funding {id}")))?;
    let code = project_code(conn, f.project_id)?;
    Ok(FollowUpView {
        id: f.id,
        project_code: code,
        values: f.v,
    })
}

fn project_code(conn: &mut Conn, project_id: i64) -> Result<String, ApiError> {
    use crate::db::schema::projects;
    use diesel::prelude::*;
    Ok(projects::table
        .find(project_id)
        .select(projects::code)
        .first(conn)?)
}

/// Fills the conversion columns from the amount and value month.
fn with_conversion(conn: &mut Conn, mut v: FollowUpValues) -> Result<FollowUpValues, ApiError> {
    let amount = match (v.amount_minor, v.currency.as_deref()) {
        (Some(minor), Some(code)) => {
            let currency = Currency::parse(code)
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored currency {code}")))?;
            Some(Money::from_minor(minor, currency))
        }
        _ => None,
    };
    let (usd, rate, conversion) = exchange_rates::convert(conn, amount, v.value_month_index)?;
    v.amount_usd_cents = usd;
    v.usd_rate_e10 = rate;
    v.usd_conversion = conversion.as_str().to_owned();
    Ok(v)
}

/// A follow-up change changes the project's totals: its ETag moves and its history says so.
fn note_on_project(
    conn: &mut Conn,
    actor: &Actor,
    project: &projects::ProjectView,
    action: &str,
    id: i64,
) -> Result<(), ApiError> {
    super::written(Project::touch(
        conn,
        project.id,
        now(),
        project.values.version + 1,
    )?)?;
    let detail = serde_json::json!({"follow_up_id": id});
    audit::record(
        conn,
        actor,
        action,
        projects::RECORD,
        &project.values.code,
        None,
        Some(&detail),
    )
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    values: FollowUpValues,
) -> Result<FollowUpView, ApiError> {
    write_tx(conn, |conn| {
        let project = projects::find(conn, code)?;
        check_scope(actor, &project.children.member_states)?;
        let at = now();
        let mut v = with_conversion(conn, values)?;
        v.created_at = at;
        v.updated_at = at;
        v.version = 1;
        let id = FollowUp::insert(conn, project.id, &v)?;
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

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected_version: &Precondition,
    change: impl FnOnce(&FollowUpView) -> Result<FollowUpValues, ApiError>,
) -> Result<FollowUpView, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        let project = projects::find(conn, &before.project_code)?;
        check_scope(actor, &project.children.member_states)?;
        require_version(expected_version, before.values.version)?;
        let mut v = with_conversion(conn, change(&before)?)?;
        v.created_at = before.values.created_at;
        v.updated_at = now();
        v.version = before.values.version + 1;
        super::written(FollowUp::save(conn, id, before.values.version, &v)?)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            &id.to_string(),
            Some(&before.values),
            Some(&v),
        )?;
        note_on_project(conn, actor, &project, "update_follow_up", id)?;
        Ok(FollowUpView {
            id,
            project_code: before.project_code,
            values: v,
        })
    })
}

pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected_version: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        let project = projects::find(conn, &before.project_code)?;
        check_scope(actor, &project.children.member_states)?;
        require_version(expected_version, before.values.version)?;
        FollowUp::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            &id.to_string(),
            Some(&before.values),
            None,
        )?;
        note_on_project(conn, actor, &project, "remove_follow_up", id)?;
        Ok(())
    })
}
