//! Evaluation use cases: evaluations of a project or of a scaled-up initiative, their
//! questions, and their recommendations with management's response and status history.
//! Each write is one transaction with its audit event. Who may write is the route's
//! permission ([`crate::auth::roles`]); a recommendation's fields are split between the
//! evaluator (content) and management (response and status): see [`recommendations`].

pub mod demo;
pub mod input;
pub mod questions;
pub mod recommendations;
mod write;

pub use write::{create, delete, update};

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::evaluation::{
    Evaluation, EvaluationChildren, EvaluationFilter, EvaluationValues,
};
use crate::models::project::Project;

pub const RECORD: &str = "evaluation";

/// An evaluation with its project's code and what hangs off it.
#[derive(Debug, Clone)]
pub struct EvaluationView {
    pub id: i64,
    pub project_code: String,
    pub values: EvaluationValues,
    pub children: EvaluationChildren,
}

pub fn find(conn: &mut Conn, id: i64) -> Result<EvaluationView, ApiError> {
    let row = row(conn, id)?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// The evaluation's own row (one query), 404 when there is none: for what needs no more than
/// that it exists, its version or its completion.
pub fn row(conn: &mut Conn, id: i64) -> Result<Evaluation, ApiError> {
    Evaluation::find(conn, id)?.ok_or_else(|| ApiError::not_found(format!("evaluation {id}")))
}

/// Views of `rows` in a fixed number of queries (five, whatever their number).
pub fn views(conn: &mut Conn, rows: Vec<Evaluation>) -> Result<Vec<EvaluationView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let project_ids: Vec<i64> = rows.iter().map(|r| r.v.project_id).collect();
    let mut children = Evaluation::children(conn, &ids)?;
    let codes = Project::codes(conn, &project_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| EvaluationView {
            id: r.id,
            project_code: codes.get(&r.v.project_id).cloned().unwrap_or_default(),
            children: children.remove(&r.id).unwrap_or_default(),
            values: r.v,
        })
        .collect())
}

/// One page of the filtered list, and the total.
pub fn list(
    conn: &mut Conn,
    filter: &EvaluationFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<EvaluationView>, ApiError> {
    let rows = filter.page(conn, offset, limit)?;
    views(conn, rows)
}
