//! Creating, editing and deleting a project, and replacing one of its mapping sets. The
//! service owns what a client does not write: the initial-status rule, the status (which
//! moves through [`super::lifecycle`]), the rule warnings, the times and the version.

use std::collections::HashMap;

use super::checks::mapping_set;
use super::guard::{in_scope, load_for_write};
use super::input::{MappingDraft, NewProject, ProjectDraft};
use super::patch::ProjectPatch;
use super::rules::{evaluate_rules, recheck};
use super::{ProjectView, RECORD, find, snapshot};
use crate::auth::Permission;
use crate::db::{Conn, write_tx};
use crate::domain::project::Status;
use crate::error::{ApiError, FieldError};
use crate::models::member_state::MemberState;
use crate::models::now;
use crate::models::project::{MappingSet, Mappings, MemberShare, Project, RuleWarnings};
use crate::models::reference::Catalogue;
use crate::services::{Actor, Precondition, audit, written};

/// A new project starts as a draft; a past year's project may be entered in the status it
/// reached (from `approved` on), as history, by those who may approve.
pub(super) fn initial_status(actor: &Actor, status: Option<Status>) -> Result<(), ApiError> {
    if status.is_some_and(Status::is_historical_entry) {
        actor.require(Permission::ProjectsApprove)?;
    }
    if status.is_some_and(|s| s != Status::Draft && !s.is_historical_entry()) {
        return Err(ApiError::validation(vec![FieldError::new(
            "status",
            "invalid_initial_status",
            "a new project starts as draft, or (history) in a status from approved on",
        )]));
    }
    Ok(())
}

/// Every benefitting state must be registered; unknown ones are named.
fn check_states_exist(
    conn: &mut Conn,
    states: &[MemberShare],
) -> Result<HashMap<String, MemberState>, ApiError> {
    let mut found = HashMap::new();
    let mut errors = Vec::new();
    for (i, s) in states.iter().enumerate() {
        match MemberState::find(conn, &s.iso3)? {
            Some(m) => {
                found.insert(s.iso3.clone(), m);
            }
            None => errors.push(FieldError::new(
                format!("member_states[{i}].iso3"),
                "unknown_member_state",
                format!("{} is not a registered member state", s.iso3),
            )),
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(ApiError::validation(errors))
    }
}

fn write_children(conn: &mut Conn, id: i64, new: &NewProject) -> Result<(), ApiError> {
    Project::replace_member_states(conn, id, &new.member_states)?;
    for set in [
        MappingSet::SdgTargets,
        MappingSet::Migof,
        MappingSet::GcmObjectives,
        MappingSet::Msd,
    ] {
        Project::replace_mapping(conn, id, set, &new.mappings)?;
    }
    Project::replace_terms(conn, id, "innovation-areas", &new.innovation_areas)?;
    Project::replace_terms(conn, id, "cross-cutting-themes", &new.cross_cutting_themes)?;
    Ok(())
}

/// Registers a project. A past year's record (a historical initial status) has the Fund's
/// rules reported as its warnings, never enforced.
pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    draft: ProjectDraft,
) -> Result<ProjectView, ApiError> {
    initial_status(actor, draft.status)?;
    let new = NewProject::check(draft, catalogue)?;
    in_scope(actor, &new.member_states)?;
    write_tx(conn, |conn| {
        let code = &new.content.code;
        if Project::find(conn, code)?.is_some() {
            return Err(ApiError::conflict(format!("project {code} already exists")));
        }
        check_states_exist(conn, &new.member_states)?;
        let id = Project::insert(conn, &new.content, now())?;
        if new.content.status.is_historical_entry() {
            let findings = evaluate_rules(conn, id, &new.content, &new.member_states)?;
            written(Project::record_warnings(conn, id, &RuleWarnings(findings))?)?;
        }
        write_children(conn, id, &new)?;
        let view = find(conn, code)?;
        audit::record(
            conn,
            actor,
            "create",
            RECORD,
            code,
            None,
            Some(&snapshot(&view)),
        )?;
        Ok(view)
    })
}

/// Applies `patch` to the stored project and writes it, when `If-Match` matches. The
/// patched project is checked as a new one would be, stays in the actor's scope, and —
/// when its budget already counts against the envelope — passes the Fund's rules again.
pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    code: &str,
    expected_version: &Precondition,
    patch: ProjectPatch,
) -> Result<ProjectView, ApiError> {
    write_tx(conn, |conn| {
        let project = load_for_write(conn, actor, code, Some(expected_version))?;
        let before = project.view();
        let mut next = NewProject::check(patch.apply(ProjectDraft::from_view(before)), catalogue)?;
        // Statuses move only through transitions.
        next.content.status = before.values.content.status;
        in_scope(actor, &next.member_states)?;
        check_states_exist(conn, &next.member_states)?;
        let warnings = recheck(
            conn,
            actor,
            project.id(),
            (
                &before.values.content,
                &before.children.member_states,
                &before.values.rule_warnings,
            ),
            (&next.content, &next.member_states),
        )?;
        written(Project::save(
            conn,
            project.id(),
            project.version(),
            &next.content,
            &warnings,
            now(),
        )?)?;
        write_children(conn, project.id(), &next)?;
        let after = find(conn, code)?;
        audit::record(
            conn,
            actor,
            "update",
            RECORD,
            code,
            Some(&snapshot(before)),
            Some(&snapshot(&after)),
        )?;
        Ok(after)
    })
}

/// Replaces one mapping set (`lists` holds that set; the others are ignored).
pub fn replace_mapping(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    code: &str,
    expected_version: &Precondition,
    set: MappingSet,
    lists: &MappingDraft,
) -> Result<ProjectView, ApiError> {
    let mappings = mapping_set(lists, catalogue)?;
    write_tx(conn, |conn| {
        let project = load_for_write(conn, actor, code, Some(expected_version))?;
        Project::replace_mapping(conn, project.id(), set, &mappings)?;
        project.touch(conn, now())?;
        let after = find(conn, code)?;
        let pick = |m: &Mappings| serde_json::to_value(m).unwrap_or_default()[set.field()].clone();
        let b = serde_json::json!({ set.field(): pick(&project.view().children.mappings) });
        let a = serde_json::json!({ set.field(): pick(&after.children.mappings) });
        audit::record(
            conn,
            actor,
            &format!("replace_{}", set.field()),
            RECORD,
            code,
            Some(&b),
            Some(&a),
        )?;
        Ok(after)
    })
}

/// Deletes a draft (any other status: withdraw or cancel it instead).
pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    expected_version: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let project = load_for_write(conn, actor, code, Some(expected_version))?;
        let status = project.view().values.content.status;
        if status != Status::Draft {
            return Err(ApiError::conflict(format!(
                "only draft projects can be deleted; {code} is {status} (withdraw or cancel it instead)"
            )));
        }
        Project::delete(conn, project.id())?;
        audit::record(
            conn,
            actor,
            "delete",
            RECORD,
            code,
            Some(&snapshot(project.view())),
            None,
        )?;
        Ok(())
    })
}
