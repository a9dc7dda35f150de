//! The one way to obtain a follow-up funding record a use case may change: the record, then
//! its project through the project's guard (the scope rule), then the record's own version.

use super::{FollowUpView, find};
use crate::db::Conn;
use crate::error::ApiError;
use crate::services::projects::{self, WritableProject};
use crate::services::{Actor, Precondition, require_version};

/// A follow-up record the actor may change, with its project (also writable: a follow-up
/// change moves the project's totals, so its version).
#[derive(Debug)]
pub struct WritableFollowUp {
    follow_up: FollowUpView,
    project: WritableProject,
}

impl WritableFollowUp {
    pub fn follow_up(&self) -> &FollowUpView {
        &self.follow_up
    }

    pub fn project(&self) -> &WritableProject {
        &self.project
    }
}

/// Finds record `id` for a write by `actor`: 404 when there is none, 403 when its project
/// lies outside the actor's scope, 428 without `If-Match`, 412 when it is stale.
pub fn load_for_write(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected_version: &Precondition,
) -> Result<WritableFollowUp, ApiError> {
    let follow_up = find(conn, id)?;
    let project = projects::load_for_write(conn, actor, &follow_up.project_code, None)?;
    require_version(expected_version, follow_up.values.version)?;
    Ok(WritableFollowUp { follow_up, project })
}
