//! Create, update and delete a publication, with the checks that need the records: its
//! member states are registered, its projects exist, and the edition it updates exists and is
//! neither itself nor (through its own chain of updates) one of its later editions.

use super::input::PublicationInput;
use super::{PublicationView, RECORD, find};
use crate::db::{Conn, write_tx};
use crate::error::{ApiError, FieldError};
use crate::models::now;
use crate::models::publication::{Publication, PublicationValues, project_ids, registered_states};
use crate::services::{Actor, Precondition, audit, require_version, written};

/// Longest chain of editions followed when looking for a cycle.
const MAX_CHAIN: usize = 1000;

/// The producing projects' ids; every unknown member state, project or edition is a 422
/// naming its field.
fn resolve(
    conn: &mut Conn,
    id: Option<i64>,
    input: &PublicationInput,
) -> Result<Vec<i64>, ApiError> {
    let registered = registered_states(conn, &input.member_states)?;
    let ids = project_ids(conn, &input.project_codes)?;
    let mut errors = unknown(
        "member_states",
        &input.member_states,
        |iso3| registered.iter().any(|r| r == iso3),
        "unknown_member_state",
        "is not a registered member state",
    );
    errors.extend(unknown(
        "project_codes",
        &input.project_codes,
        |code| ids.contains_key(code),
        "unknown_project",
        "is not in the portfolio",
    ));
    if let Some(target) = input.updates_id
        && let Some(error) = check_updates(conn, id, target)?
    {
        errors.push(error);
    }
    if errors.is_empty() {
        let mut ids: Vec<i64> = ids.into_values().collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// An error for each value of the list `field` (at its index as sent) that is not `known`.
fn unknown(
    field: &str,
    values: &[String],
    known: impl Fn(&str) -> bool,
    code: &str,
    what: &str,
) -> Vec<FieldError> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| !known(v))
        .map(|(i, v)| FieldError::new(format!("{field}[{i}]"), code, format!("{v} {what}")))
        .collect()
}

/// What is wrong with publication `id` (none yet when it is being created) updating
/// `target`: nothing, an unknown edition, itself, or a cycle.
fn check_updates(
    conn: &mut Conn,
    id: Option<i64>,
    target: i64,
) -> Result<Option<FieldError>, ApiError> {
    let error = |code: &str, message: String| Some(FieldError::new("updates_id", code, message));
    if Some(target) == id {
        return Ok(error(
            "updates_itself",
            "a publication cannot update itself".to_owned(),
        ));
    }
    let Some(mut next) = Publication::updates_of(conn, target)? else {
        return Ok(error(
            "unknown_publication",
            format!("there is no publication {target}"),
        ));
    };
    // Follow what the target updates, and what that updates, …: reaching `id` would close
    // a cycle.
    for _ in 0..MAX_CHAIN {
        match next {
            None => return Ok(None),
            Some(earlier) if Some(earlier) == id => {
                return Ok(error(
                    "update_cycle",
                    format!("publication {target} is itself a later edition of this one"),
                ));
            }
            Some(earlier) => next = Publication::updates_of(conn, earlier)?.flatten(),
        }
    }
    Ok(None)
}

fn values(input: &PublicationInput) -> PublicationValues {
    PublicationValues {
        kind: input.kind,
        title: input.title.clone(),
        title_lower: input.title.to_lowercase(),
        year: input.year,
        url: input.url.clone(),
        isbn: input.isbn.as_ref().map(|i| i.as_str().to_owned()),
        copies_distributed: input.copies_distributed,
        updates_id: input.updates_id,
        note: input.note.clone(),
        created_at: chrono::NaiveDateTime::default(),
        updated_at: chrono::NaiveDateTime::default(),
        version: 0,
    }
}

fn languages(input: &PublicationInput) -> Vec<String> {
    input
        .languages
        .iter()
        .map(|l| l.as_str().to_owned())
        .collect()
}

/// The member states, each once.
fn states(input: &PublicationInput) -> Vec<String> {
    let mut states = input.member_states.clone();
    states.sort_unstable();
    states.dedup();
    states
}

/// What the audit trail records of a publication.
fn snapshot(v: &PublicationView) -> serde_json::Value {
    let mut doc = serde_json::to_value(&v.values).unwrap_or_default();
    doc["languages"] = serde_json::to_value(&v.children.languages).unwrap_or_default();
    doc["member_states"] = serde_json::to_value(&v.children.member_states).unwrap_or_default();
    doc["project_codes"] = serde_json::to_value(&v.children.project_codes).unwrap_or_default();
    doc
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    input: PublicationInput,
) -> Result<PublicationView, ApiError> {
    write_tx(conn, |conn| {
        let project_ids = resolve(conn, None, &input)?;
        let at = now();
        let mut v = values(&input);
        v.created_at = at;
        v.updated_at = at;
        v.version = 1;
        let id = Publication::insert(conn, &v)?;
        Publication::replace_children(conn, id, &languages(&input), &states(&input), &project_ids)?;
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
    input: PublicationInput,
) -> Result<PublicationView, ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.values.version)?;
        let project_ids = resolve(conn, Some(id), &input)?;
        let mut v = values(&input);
        v.created_at = before.values.created_at;
        v.updated_at = now();
        v.version = before.values.version + 1;
        written(Publication::save(conn, id, before.values.version, &v)?)?;
        Publication::replace_children(conn, id, &languages(&input), &states(&input), &project_ids)?;
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

/// Deletes a publication. One that a later edition updates is kept (409): the later edition
/// would silently lose what it updates.
pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = find(conn, id)?;
        require_version(expected, before.values.version)?;
        let later = Publication::updated_by(conn, id)?;
        if !later.is_empty() {
            let ids: Vec<String> = later.iter().map(i64::to_string).collect();
            return Err(ApiError::conflict(format!(
                "publication {id} is updated by publication {}: delete or change that first",
                ids.join(", ")
            )));
        }
        Publication::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            &id.to_string(),
            Some(&snapshot(&before)),
            None,
        )?;
        Ok(())
    })
}
