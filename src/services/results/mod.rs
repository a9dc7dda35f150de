//! Results frameworks: a project's objective, its outcomes and their outputs (a logframe),
//! each with indicators whose dated measurements say how far from the baseline towards the
//! target the project has come. Each write is one transaction with its audit event; who may
//! write is `results:write`, narrowed for a scoped project officer by the project's scope rule
//! ([`crate::services::projects::guard`]), which every write here passes through
//! ([`writable_project`]).
//!
//! Choices where the contract is silent:
//! - **One objective per project**, as in a logframe: a second is a 422 naming `level`.
//! - A result with results under it is **not deleted** (409): remove or move its children
//!   first. Its own indicators and their measurements go with it.
//! - An indicator's **latest** measurement is the one with the latest `measured_on` (the last
//!   recorded on a tie), whatever its verification.
//! - A measurement of an indicator that is gone is a 404 (the indicator is named by the path);
//!   its measurements went with it.

pub mod indicators;
pub mod input;
pub mod measurements;
mod tree;
mod write;

pub use tree::{Framework, IndicatorView, ResultNode, depth_first, framework, nodes};
pub use write::{create, delete, update};

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::results::ResultRecord;
use crate::services::Actor;
use crate::services::projects::{self, WritableProject};

pub const RESULT: &str = "result";
pub const INDICATOR: &str = "indicator";
pub const MEASUREMENT: &str = "measurement";

/// Result `id`, 404 when there is none.
pub fn find(conn: &mut Conn, id: i64) -> Result<ResultRecord, ApiError> {
    ResultRecord::find(conn, id)?.ok_or_else(|| ApiError::not_found(format!("result {id}")))
}

/// The project whose framework a write changes, through the project's guard: 403 when it lies
/// outside a scoped officer's states. On PostgreSQL the project's row stays locked until the
/// write commits, so two writes to one framework (two objectives at once) cannot interleave;
/// SQLite serializes writes already.
pub(crate) fn writable_project(
    conn: &mut Conn,
    actor: &Actor,
    project_id: i64,
) -> Result<WritableProject, ApiError> {
    crate::db::lock_project(conn, project_id)?;
    let code = ResultRecord::project_code(conn, project_id)?;
    projects::load_for_write(conn, actor, &code, None)
}
