//! Project use cases: create, edit, delete, move along the lifecycle, replace a mapping set,
//! link. Each is one transaction that writes its audit event; history is that trail.
//!
//! Where each rule lives:
//! - [`input`]: what a client writes, checked once into typed values — a [`ProjectDraft`]
//!   becomes a [`NewProject`]; a [`ProjectPatch`] ([`patch`]) is applied to the stored
//!   project and the result checked the same way. The HTTP layer and the seed both come here.
//! - [`guard`]: **the scope rule** (a project officer scoped to member states writes only
//!   their projects). [`load_for_write`] is the only way to obtain a [`WritableProject`].
//! - [`write`](mod@write): create (with the initial-status rule), update, delete, replace a mapping set.
//! - [`lifecycle`]: moving along the lifecycle; entering `approved` applies the Fund's rules.
//! - [`links`]: typed links between projects.
//! - [`bulk`]: many new projects at once (imports, the synthetic seed), as if created one by
//!   one.
//! - [`rules`]: the Fund's rules applied to a stored project (the rules themselves are
//!   [`crate::domain::rules`]), and the re-check an edit of a funded project needs.

pub mod bulk;
mod checks;
pub mod guard;
pub mod input;
pub mod lifecycle;
pub mod links;
pub mod patch;
pub mod rules;
pub mod write;

use serde::Serialize;

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::project::{Children, Mappings, MemberShare, Project, ProjectValues};

pub use checks::equal_shares;
pub use guard::{WritableProject, load_for_write};
pub use input::{MappingDraft, NewProject, ProjectDraft};
pub use lifecycle::transition;
pub use links::{LinkDraft, add_link, remove_link};
pub use patch::ProjectPatch;
pub use rules::evaluate_rules;
pub use write::{create, delete, replace_mapping, update};

pub const RECORD: &str = "project";

/// A project with everything that hangs off it.
#[derive(Debug, Clone)]
pub struct ProjectView {
    pub id: i64,
    pub values: ProjectValues,
    pub children: Children,
}

/// What the audit trail records of a project.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    values: &'a ProjectValues,
    member_states: &'a [MemberShare],
    #[serde(flatten)]
    mappings: &'a Mappings,
    innovation_areas: &'a [String],
    cross_cutting_themes: &'a [String],
}

fn snapshot(view: &ProjectView) -> serde_json::Value {
    let c = &view.children;
    serde_json::to_value(Snapshot {
        values: &view.values,
        member_states: &c.member_states,
        mappings: &c.mappings,
        innovation_areas: &c.innovation_areas,
        cross_cutting_themes: &c.cross_cutting_themes,
    })
    .unwrap_or_default()
}

pub fn find(conn: &mut Conn, code: &str) -> Result<ProjectView, ApiError> {
    let p =
        Project::find(conn, code)?.ok_or_else(|| ApiError::not_found(format!("project {code}")))?;
    let children = Children::load(conn, &[p.id])?
        .remove(&p.id)
        .unwrap_or_default();
    Ok(ProjectView {
        id: p.id,
        values: p.v,
        children,
    })
}

/// Views of `rows` with their children, in a fixed number of queries.
pub fn with_children(conn: &mut Conn, rows: Vec<Project>) -> Result<Vec<ProjectView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut children = Children::load(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|p| ProjectView {
            id: p.id,
            children: children.remove(&p.id).unwrap_or_default(),
            values: p.v,
        })
        .collect())
}
