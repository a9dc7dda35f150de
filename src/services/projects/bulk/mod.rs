//! Creating many new projects at once — an import's new rows, the synthetic seed — in a
//! fixed number of statements, with the outcome of creating them one by one through
//! [`super::create`], in order: each draft checked the same way (and refused with the same
//! error), a history entry's rule warnings counted against what the batch's earlier
//! projects commit, and each project's audit event, change and webhook deliveries the same
//! (its snapshot built in memory rather than read back).
//!
//! The facts every draft needs are loaded once (stored codes, member states, and for
//! history entries the funding rules, eligibility, envelopes and what is committed), and
//! the rows are written with multi-row INSERTs chunked under the backend's limit on bind
//! variables. It runs inside the caller's transaction.

mod facts;

use std::collections::{HashMap, HashSet};

use super::guard::in_scope;
use super::input::{NewProject, ProjectDraft};
use super::write::initial_status;
use super::{ProjectView, RECORD, snapshot};
use crate::db::Conn;
use crate::error::{ApiError, FieldError};
use crate::models::member_state::MemberState;
use crate::models::now;
use crate::models::project::{Children, NewChildren, Project, ProjectValues, RuleWarnings};
use crate::models::reference::Catalogue;
use crate::services::{Actor, audit};
use facts::Facts;

/// Creates the projects `drafts` describe, in order; answers each draft's project, or the
/// error [`super::create`] would have answered for it (a later draft with the code of an
/// earlier one is a conflict, as it would be once that one exists). The `Err` is a failure
/// of the database: nothing of the batch is to be kept.
pub fn create_many(
    conn: &mut Conn,
    actor: &Actor,
    catalogue: &Catalogue,
    drafts: Vec<ProjectDraft>,
) -> Result<Vec<Result<ProjectView, ApiError>>, ApiError> {
    let checked: Vec<Result<NewProject, ApiError>> = drafts
        .into_iter()
        .map(|draft| {
            initial_status(actor, draft.status)?;
            let new = NewProject::check(draft, catalogue)?;
            in_scope(actor, &new.member_states)?;
            Ok(new)
        })
        .collect();
    let valid = || checked.iter().filter_map(|c| c.as_ref().ok());
    let codes: Vec<String> = valid().map(|n| n.content.code.clone()).collect();
    let stored = Project::existing_codes(conn, &codes)?;
    let mut iso3s: Vec<String> = valid()
        .flat_map(|n| n.member_states.iter().map(|s| s.iso3.clone()))
        .collect();
    iso3s.sort_unstable();
    iso3s.dedup();
    let members = MemberState::find_many(conn, &iso3s)?;

    let mut taken = HashSet::new();
    let accepted: Vec<Result<NewProject, ApiError>> = checked
        .into_iter()
        .map(|c| {
            let new = c?;
            let code = &new.content.code;
            if stored.contains(code) || taken.contains(code) {
                return Err(ApiError::conflict(format!("project {code} already exists")));
            }
            states_registered(&new, &members)?;
            taken.insert(code.clone());
            Ok(new)
        })
        .collect();

    let entries: Vec<_> = accepted
        .iter()
        .filter_map(|a| a.as_ref().ok())
        .filter(|n| n.content.status.is_historical_entry())
        .map(|n| &n.content)
        .collect();
    let mut facts = Facts::load(conn, &entries)?;
    let at = now();
    let views: Vec<Result<(NewProject, ProjectView), ApiError>> = accepted
        .into_iter()
        .map(|a| {
            a.map(|new| {
                let warnings = if new.content.status.is_historical_entry() {
                    RuleWarnings(facts.evaluate(&new.content, &new.member_states, &members))
                } else {
                    RuleWarnings::default()
                };
                facts.commit(&new.content);
                let view = view_of(&new, warnings, &members, catalogue, at);
                (new, view)
            })
        })
        .collect();
    write(conn, actor, views, at)
}

/// Every benefitting state registered, or the error [`super::write::create`] answers.
fn states_registered(
    new: &NewProject,
    members: &HashMap<String, MemberState>,
) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = new
        .member_states
        .iter()
        .enumerate()
        .filter(|(_, s)| !members.contains_key(&s.iso3))
        .map(|(i, s)| {
            FieldError::new(
                format!("member_states[{i}].iso3"),
                "unknown_member_state",
                format!("{} is not a registered member state", s.iso3),
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The project as [`super::find`] reads it back once written (its id still to come): the
/// states named, and the mapping sets in the order the database answers them.
fn view_of(
    new: &NewProject,
    rule_warnings: RuleWarnings,
    members: &HashMap<String, MemberState>,
    catalogue: &Catalogue,
    at: chrono::NaiveDateTime,
) -> ProjectView {
    let mut member_states = new.member_states.clone();
    for s in &mut member_states {
        if let Some(m) = members.get(&s.iso3) {
            s.name.clone_from(&m.name);
            s.region.clone_from(&m.region);
        }
    }
    let mut mappings = new.mappings.clone();
    mappings
        .sdg_targets
        .sort_by_key(|t| catalogue.target(t).map(|x| x.position));
    mappings.migof.sort_by_key(|e| {
        catalogue
            .migof
            .iter()
            .find(|x| &x.code == e)
            .map(|x| x.position)
    });
    mappings.gcm_objectives.sort_unstable();
    mappings.msd.sort_unstable();
    let mut innovation_areas = new.innovation_areas.clone();
    innovation_areas.sort_unstable();
    let mut cross_cutting_themes = new.cross_cutting_themes.clone();
    cross_cutting_themes.sort_unstable();
    ProjectView {
        id: 0,
        values: ProjectValues {
            content: new.content.clone(),
            rule_warnings,
            created_at: at,
            updated_at: at,
            version: 1,
        },
        children: Children {
            member_states,
            mappings,
            innovation_areas,
            cross_cutting_themes,
            ..Children::default()
        },
    }
}

/// Writes the accepted projects (rows, children, audit events with their changes and
/// deliveries) and answers each draft's outcome with its id.
fn write(
    conn: &mut Conn,
    actor: &Actor,
    views: Vec<Result<(NewProject, ProjectView), ApiError>>,
    at: chrono::NaiveDateTime,
) -> Result<Vec<Result<ProjectView, ApiError>>, ApiError> {
    let ok: Vec<&(NewProject, ProjectView)> =
        views.iter().filter_map(|v| v.as_ref().ok()).collect();
    let rows: Vec<_> = ok
        .iter()
        .map(|(_, view)| (&view.values.content, &view.values.rule_warnings))
        .collect();
    let ids = Project::insert_many(conn, &rows, at)?;
    let id_of = |code: &String| {
        ids.get(code).copied().ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("project {code} was inserted without an id"))
        })
    };
    let mut children = Vec::with_capacity(ok.len());
    for (new, _) in &ok {
        children.push(NewChildren {
            id: id_of(&new.content.code)?,
            member_states: &new.member_states,
            mappings: &new.mappings,
            innovation_areas: &new.innovation_areas,
            cross_cutting_themes: &new.cross_cutting_themes,
        });
    }
    Project::insert_children_many(conn, &children)?;
    let records = ok
        .iter()
        .map(|(_, view)| {
            let key = view.values.content.code.clone();
            (key, None, Some(snapshot(view)))
        })
        .collect();
    audit::record_many(conn, actor, "create", RECORD, records)?;
    views
        .into_iter()
        .map(|v| match v {
            Ok((_, mut view)) => {
                view.id = id_of(&view.values.content.code)?;
                Ok(Ok(view))
            }
            Err(e) => Ok(Err(e)),
        })
        .collect()
}
