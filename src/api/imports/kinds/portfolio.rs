//! The portfolio kinds: projects (by `code`) and their follow-up funding (by `id` only).

use serde_json::{Map, Value};

use super::super::Kind;
use super::{READ_ONLY, Session, take, take_id};
use crate::api::extract::parse_value;
use crate::api::follow_ups::{FollowUpFields, UpdateFollowUpRequest};
use crate::api::projects::{ProjectFields, UpdateProjectRequest, response as project_response};
use crate::db::Conn;
use crate::error::{ApiError, FieldError};
use crate::models::project::Project;
use crate::models::reference::Catalogue;
use crate::services::imports::{Applied, Batched};
use crate::services::{Actor, Precondition, follow_ups, projects};

/// A project as compared: its response without its times.
fn project_of(view: &projects::ProjectView) -> Result<Value, ApiError> {
    let mut v = serde_json::to_value(project_response(view)).map_err(ApiError::internal)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("created_at");
        o.remove("updated_at");
    }
    Ok(v)
}

/// An item of a project as written: a listed project's states carry their computed share
/// (and names); an item's shares are its own.
fn project_item(item: &mut Map<String, Value>) {
    for key in READ_ONLY {
        item.remove(*key);
    }
    if let Some(Value::Array(states)) = item.get_mut("member_states") {
        for s in states.iter_mut().filter_map(Value::as_object_mut) {
            s.remove("name");
            s.remove("region");
        }
    }
}

/// Which items are new projects, written together ([`create_projects`]): the first row of
/// each code not stored yet. Every other item (an update, a repeated code, one without a
/// code) goes through [`project`].
pub(super) fn new_codes(conn: &mut Conn, items: &[(usize, Value)]) -> Result<Vec<bool>, ApiError> {
    let code_of = |item: &Value| item.get("code").and_then(Value::as_str).map(str::to_owned);
    let codes: Vec<String> = items.iter().filter_map(|(_, item)| code_of(item)).collect();
    let stored = Project::existing_codes(conn, &codes)?;
    let mut seen = std::collections::HashSet::new();
    Ok(items
        .iter()
        .map(|(_, item)| {
            item.is_object()
                && code_of(item).is_some_and(|c| !stored.contains(&c) && seen.insert(c))
        })
        .collect())
}

/// Creates a run of new projects at once ([`projects::bulk::create_many`]).
pub(super) fn create_projects(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    items: Vec<(usize, Value)>,
) -> Result<Batched, ApiError> {
    let mut batched = Batched::default();
    let mut drafts: Vec<(usize, projects::ProjectDraft)> = Vec::new();
    for (row, item) in items {
        let Value::Object(mut item) = item else {
            continue;
        };
        project_item(&mut item);
        match parse_value::<ProjectFields>(Value::Object(item)) {
            Ok(fields) => drafts.push((row, fields.into())),
            Err(e) => batched.failed.push((row, e)),
        }
    }
    let (rows, drafts): (Vec<usize>, Vec<_>) = drafts.into_iter().unzip();
    for (row, outcome) in rows
        .into_iter()
        .zip(projects::bulk::create_many(conn, actor, catalogue, drafts)?)
    {
        match outcome {
            Ok(_) => batched.created += 1,
            Err(e) => batched.failed.push((row, e)),
        }
    }
    Ok(batched)
}

pub(super) fn project(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    project_item(&mut item);
    let code = match item.get("code") {
        Some(Value::String(c)) => c.clone(),
        // The request type names the problem.
        _ => {
            return parse_value::<ProjectFields>(Value::Object(item)).and(Err(
                ApiError::validation(vec![FieldError::new(
                    "code",
                    "invalid_type",
                    "code is a string",
                )]),
            ));
        }
    };
    if Project::find(conn, &code)?.is_none() {
        let fields: ProjectFields = parse_value(Value::Object(item))?;
        let view = projects::create(conn, actor, catalogue, fields.into())?;
        return Ok(Applied {
            before: None,
            after: project_of(&view)?,
        });
    }
    // An existing project: the item is a merge patch of it. Its status moves only through
    // transitions, so the status column is not applied.
    item.remove("code");
    item.remove("status");
    let patch = parse_value::<UpdateProjectRequest>(Value::Object(item))?.into_patch()?;
    let before = projects::find(conn, &code)?;
    let after = projects::update(conn, actor, catalogue, &code, &Precondition::Any, patch)?;
    Ok(Applied {
        before: Some(project_of(&before)?),
        after: project_of(&after)?,
    })
}

fn follow_up_of(view: &follow_ups::FollowUpView) -> Result<Value, ApiError> {
    let mut v =
        serde_json::to_value(crate::api::follow_ups::response(view)).map_err(ApiError::internal)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("created_at");
        o.remove("updated_at");
    }
    Ok(v)
}

/// Follow-up funding has no natural key, only its id: an item with the `id` of a stored
/// record updates it; an item without one (or with an id not stored) is created under its
/// `project_code`, with a new id.
pub(super) fn follow_up(
    session: &mut Session,
    conn: &mut Conn,
    actor: &Actor,
    mut item: Map<String, Value>,
) -> Result<Applied, ApiError> {
    let id = take_id(&mut item)?;
    let code: String = take(&mut item, "project_code")?;
    let existing = session.stored(Kind::FollowUpFunding, id, |id| {
        Ok(crate::models::follow_up::FollowUp::find(conn, id)?.is_some())
    })?;
    match existing {
        None => {
            let fields: FollowUpFields = parse_value(Value::Object(item))?;
            let view = follow_ups::create(conn, actor, &code, fields.into())?;
            session.created(Kind::FollowUpFunding, view.id);
            Ok(Applied {
                before: None,
                after: follow_up_of(&view)?,
            })
        }
        Some(id) => {
            let before = follow_ups::find(conn, id)?;
            if before.project_code != code {
                return Err(ApiError::validation(vec![FieldError::new(
                    "project_code",
                    "project_mismatch",
                    format!(
                        "follow-up funding {id} belongs to {}, not {code}",
                        before.project_code
                    ),
                )]));
            }
            // Every field of the create body, as a merge patch: fields left out are cleared
            // or take their defaults, as on create.
            let full: FollowUpFields = parse_value(Value::Object(item))?;
            let patch_value = serde_json::to_value(&full).map_err(ApiError::internal)?;
            let patch = parse_value::<UpdateFollowUpRequest>(patch_value)?.into_patch()?;
            let after = follow_ups::update(conn, actor, id, &Precondition::Any, patch)?;
            Ok(Applied {
                before: Some(follow_up_of(&before)?),
                after: follow_up_of(&after)?,
            })
        }
    }
}
