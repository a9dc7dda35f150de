//! Follow-up funding use cases: record, edit, delete; each converts to USD at the rate of
//! its value month and writes its audit event in the same transaction.
//!
//! - [`input`]: a follow-up record as a client writes it ([`FollowUpDraft`]), checked into
//!   [`NewFollowUp`]; a [`FollowUpPatch`] applied to the stored record and checked the same way.
//! - [`guard`]: a record is changed only by those who may write its project (the project's
//!   scope rule, [`crate::services::projects::guard`]), then its own `If-Match`.
//! - [`write`](mod@write): create, update, delete.

pub mod guard;
pub mod input;
pub mod write;

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::follow_up::{FollowUp, FollowUpValues};
use crate::models::project::Project;

pub use guard::{WritableFollowUp, load_for_write};
pub use input::{FollowUpDraft, FollowUpPatch, NewFollowUp};
pub use write::{create, delete, update};

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
    let project_code = Project::codes(conn, &[f.project_id])?
        .remove(&f.project_id)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("follow-up {id} has no project")))?;
    Ok(FollowUpView {
        id: f.id,
        project_code,
        values: f.v,
    })
}
