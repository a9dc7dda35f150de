//! `GET /changes`: every committed change of any record, in commit order.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::params::{Query, Text};
use super::utc;
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::webhook;
use crate::error::ApiError;
use crate::services::changes;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_changes);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListChangesQuery {
    /// The `next_cursor` (or an item's `cursor`) of an earlier answer; absent: from the start.
    /// Opaque (its pattern is stated so that anything else is told apart without a request);
    /// one the pattern refuses answers 400 (`invalid_cursor`).
    #[param(value_type = Option<String>, pattern = "^c[0-7][0-9a-f]{15}$")]
    pub after: Option<Text>,
    /// Items per answer, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000, default = 100, value_type = Option<i32>)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeItem {
    /// Pass as `after` to read what came after this change.
    pub cursor: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// e.g. `project`, `member_state`, `follow_up`, `publication` (as in the audit trail).
    pub record_type: String,
    /// The record's key: a project code, an ISO3 code, a numeric id, `BRA/2019`…
    pub record_key: String,
    #[schema(value_type = String, example = "updated", pattern = "^(created|updated|deleted)$")]
    pub action: String,
    /// The record's `ETag` after the change (as the header: `"v3"`); null on delete and for
    /// records without a version.
    pub etag: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeItem>,
    /// The cursor to pass next: the last item's, or the `after` given when there were none
    /// (the start of the feed when neither).
    pub next_cursor: String,
}

/// The change feed: every committed create, update and delete, in commit order. A client that
/// starts with no `after`, applies each change (reads the record by key, or removes it on
/// `deleted`) and then polls with `next_cursor` keeps a copy equal to the database.
#[utoipa::path(tag = "changes", params(ListChangesQuery), security(("bearer" = ["audit:read"])),
    responses((status = 200, description = "The changes after the cursor", body = ChangePage)))]
#[get("/changes")]
async fn list_changes(
    _: Authorized<need::AuditRead>,
    query: Query<ListChangesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let after_text = q.after.as_ref().map(|t| t.0.clone());
    let after = match &after_text {
        None => 0,
        Some(text) => webhook::parse_cursor(text).ok_or_else(|| {
            ApiError::bad_parameter_as("after", "invalid_cursor", "is not a cursor of this feed")
        })?,
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_parameter(
            "limit",
            "must be between 1 and 1000",
        ));
    }
    let rows = db::run(&state.pool, move |conn| changes::after(conn, after, limit)).await?;
    let items: Vec<ChangeItem> = rows
        .into_iter()
        .map(|c| ChangeItem {
            cursor: webhook::cursor(c.id),
            occurred_at: utc(c.occurred_at),
            record_type: c.record_type,
            record_key: c.record_key,
            action: c.action,
            etag: c.etag,
        })
        .collect();
    let next_cursor = items
        .last()
        .map(|i| i.cursor.clone())
        .or(after_text)
        .unwrap_or_else(|| webhook::cursor(0));
    Ok(HttpResponse::Ok().json(ChangePage { items, next_cursor }))
}
