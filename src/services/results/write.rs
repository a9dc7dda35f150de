//! Create, change and delete a result of a project's framework.

use super::input::ResultInput;
use super::{RESULT, find, writable_project};
use crate::db::{Conn, write_tx};
use crate::domain::results::ResultLevel;
use crate::error::{ApiError, FieldError};
use crate::models::now;
use crate::models::project::Project;
use crate::models::results::{Indicator, ResultRecord, ResultValues};
use crate::services::{Actor, Precondition, audit, require_version, written};

fn invalid(field: &str, code: &str, message: String) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

/// The rules that need the records: a result with results under it keeps its level; the
/// parent is a result of the same project one level up; a project has one objective.
fn check_place(
    conn: &mut Conn,
    project_id: i64,
    input: &ResultInput,
    itself: Option<&ResultRecord>,
) -> Result<(), ApiError> {
    if let Some(before) = itself
        && before.v.level != input.level
        && !ResultRecord::children_of(conn, before.id)?.is_empty()
    {
        return Err(invalid(
            "level",
            "has_children",
            format!(
                "results hang under this {}: it keeps its level while they do",
                before.v.level
            ),
        ));
    }
    if let Some(parent_id) = input.parent_id {
        let Some(parent) = ResultRecord::find(conn, parent_id)? else {
            return Err(invalid(
                "parent_id",
                "unknown_result",
                format!("there is no result {parent_id}"),
            ));
        };
        if parent.v.project_id != project_id {
            return Err(invalid(
                "parent_id",
                "other_project",
                format!("result {parent_id} is of another project's framework"),
            ));
        }
        let above = input.level.parent();
        if above != Some(parent.v.level) {
            let wanted = above.map_or("nothing".to_owned(), |l| format!("an {l}"));
            return Err(invalid(
                "parent_id",
                "wrong_level",
                format!(
                    "an {} hangs under {wanted}; result {parent_id} is an {}",
                    input.level, parent.v.level
                ),
            ));
        }
    }
    if input.level == ResultLevel::Objective
        && ResultRecord::objectives(conn, project_id, itself.map(|r| r.id))? > 0
    {
        return Err(invalid(
            "level",
            "objective_exists",
            "the project has an objective already: a framework has one".to_owned(),
        ));
    }
    Ok(())
}

/// Adds a result to project `code`'s framework.
pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    input: ResultInput,
) -> Result<ResultRecord, ApiError> {
    write_tx(conn, |conn| {
        let project = Project::find(conn, code)?
            .ok_or_else(|| ApiError::not_found(format!("project {code}")))?;
        writable_project(conn, actor, project.id)?;
        check_place(conn, project.id, &input, None)?;
        let position = match input.position {
            Some(p) => p,
            None => ResultRecord::next_position(conn, project.id, input.parent_id)?,
        };
        let at = now();
        let v = ResultValues {
            project_id: project.id,
            parent_id: input.parent_id,
            level: input.level,
            label: input.label,
            statement: input.statement,
            position,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let id = ResultRecord::insert(conn, &v)?;
        audit::record(
            conn,
            actor,
            "create",
            RESULT,
            &id.to_string(),
            None,
            Some(&v),
        )?;
        Ok(ResultRecord { id, v })
    })
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
    input: ResultInput,
) -> Result<ResultRecord, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        writable_project(conn, actor, before.v.project_id)?;
        require_version(expected, before.v.version)?;
        check_place(conn, before.v.project_id, &input, Some(&before))?;
        let v = ResultValues {
            project_id: before.v.project_id,
            parent_id: input.parent_id,
            level: input.level,
            label: input.label,
            statement: input.statement,
            position: input.position.unwrap_or(before.v.position),
            created_at: before.v.created_at,
            updated_at: now(),
            version: before.v.version + 1,
        };
        written(ResultRecord::save(conn, id, before.v.version, &v)?)?;
        audit::record(
            conn,
            actor,
            "update",
            RESULT,
            &id.to_string(),
            Some(&before.v),
            Some(&v),
        )?;
        Ok(ResultRecord { id, v })
    })
}

/// Deletes a result with its indicators and their measurements; 409 while results hang
/// under it.
pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        writable_project(conn, actor, before.v.project_id)?;
        require_version(expected, before.v.version)?;
        let children = ResultRecord::children_of(conn, id)?;
        if !children.is_empty() {
            return Err(ApiError::conflict(format!(
                "{} result(s) hang under this {}: delete or move them first",
                children.len(),
                before.v.level
            )));
        }
        let (indicators, measurements) = Indicator::counts_under(conn, id)?;
        written(ResultRecord::delete(conn, id)?)?;
        let mut doc = serde_json::to_value(&before.v).map_err(ApiError::internal)?;
        doc["indicator_count"] = indicators.into();
        doc["measurement_count"] = measurements.into();
        audit::record(
            conn,
            actor,
            "delete",
            RESULT,
            &id.to_string(),
            Some(&doc),
            None,
        )?;
        Ok(())
    })
}
