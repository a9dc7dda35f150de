//! Publication use cases: what projects produced (country migration profiles, studies,
//! guidance), with their languages, member states, producing projects and the earlier edition
//! each updates. Each write is one transaction with its audit event; who may write is the
//! route's permission (`publications:write`, [`crate::auth::roles`]).

pub mod input;
mod write;

pub use write::{create, delete, update};

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::publication::{
    Publication, PublicationChildren, PublicationFilter, PublicationValues,
};

pub const RECORD: &str = "publication";

/// A publication with its languages, member states and project codes.
#[derive(Debug, Clone)]
pub struct PublicationView {
    pub id: i64,
    pub values: PublicationValues,
    pub children: PublicationChildren,
}

pub fn find(conn: &mut Conn, id: i64) -> Result<PublicationView, ApiError> {
    let row = Publication::find(conn, id)?
        .ok_or_else(|| ApiError::not_found(format!("publication {id}")))?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// Views of `rows` in a fixed number of queries (three, whatever their number).
pub fn views(conn: &mut Conn, rows: Vec<Publication>) -> Result<Vec<PublicationView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut children = Publication::children(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| PublicationView {
            id: r.id,
            children: children.remove(&r.id).unwrap_or_default(),
            values: r.v,
        })
        .collect())
}

/// One page of the filtered list.
pub fn list(
    conn: &mut Conn,
    filter: &PublicationFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<PublicationView>, ApiError> {
    let rows = filter.page(conn, offset, limit)?;
    views(conn, rows)
}
