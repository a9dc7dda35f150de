//! The scope rule, and the one way to obtain a project a use case may change.
//!
//! **The scope rule**: a project officer scoped to member states (their token's
//! `member_states`) may write only projects all of whose benefitting states are in that
//! scope — the project as it is, and as it will be after the change. Permissions
//! ([`crate::auth::roles`]) say what a role may do anywhere; this rule narrows it per record.
//!
//! Every write to a project, or to what hangs off it (mappings, links, follow-up funding),
//! starts from [`load_for_write`], which finds the project, applies the scope rule, then the
//! caller's `If-Match` — in that order, so a caller outside the scope learns nothing about the
//! record's version (403, never 428 or 412). A [`WritableProject`] cannot be built anywhere
//! else, so a use case cannot forget the check.

use super::{ProjectView, find};
use crate::db::Conn;
use crate::error::ApiError;
use crate::models::project::{MemberShare, Project};
use crate::services::{Actor, Precondition, require_version, written};

/// A project the actor may change, as it was read inside the write's transaction.
#[derive(Debug)]
pub struct WritableProject {
    view: ProjectView,
}

impl WritableProject {
    pub fn view(&self) -> &ProjectView {
        &self.view
    }

    pub fn into_view(self) -> ProjectView {
        self.view
    }

    pub fn id(&self) -> i64 {
        self.view.id
    }

    pub fn code(&self) -> &str {
        &self.view.values.content.code
    }

    pub fn version(&self) -> i64 {
        self.view.values.version
    }

    /// Marks the project changed by a write to what hangs off it (a mapping set, a link,
    /// follow-up funding): its version moves, so its ETag does; 412 when another writer got
    /// there first.
    pub fn touch(&self, conn: &mut Conn, at: chrono::NaiveDateTime) -> Result<(), ApiError> {
        written(Project::touch(conn, self.id(), at, self.version() + 1)?)
    }
}

/// Finds project `code` for a write by `actor`: 404 when there is none, 403 when it lies
/// outside the actor's scope, then — for writes that take `If-Match`
/// (`precondition` given) — 428 without one and 412 when it is stale. Writes that take no
/// `If-Match` (links, follow-up funding, which has its own version) pass `None`.
pub fn load_for_write(
    conn: &mut Conn,
    actor: &Actor,
    code: &str,
    precondition: Option<&Precondition>,
) -> Result<WritableProject, ApiError> {
    let view = find(conn, code)?;
    in_scope(actor, &view.children.member_states)?;
    if let Some(expected) = precondition {
        require_version(expected, view.values.version)?;
    }
    Ok(WritableProject { view })
}

/// The scope rule for the states a project will have: those of a new project, or those an
/// edit gives it ([`super::write`]).
pub(super) fn in_scope(actor: &Actor, states: &[MemberShare]) -> Result<(), ApiError> {
    let Some(scope) = &actor.member_states else {
        return Ok(());
    };
    match states.iter().find(|s| !scope.contains(&s.iso3)) {
        Some(outside) => Err(ApiError::forbidden(format!(
            "your scope ({}) does not include {}",
            scope.join(", "),
            outside.iso3
        ))),
        None => Ok(()),
    }
}
