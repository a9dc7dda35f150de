//! `GET /audit-events`: the append-only audit trail.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::negotiate::{self, Format};
use super::params::{Query, Text, Timestamp, instant, text};
use super::{PageQuery, page_response, utc};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::audit::{AuditEvent, AuditFilter};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_events);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAuditEventsQuery {
    /// e.g. `member_state`, `eligibility`, `user`, `funding_rule`, `allocation`, `project`.
    #[param(value_type = Option<String>, max_length = 200)]
    pub record_type: Option<Text>,
    /// The record's natural key, e.g. `BRA` or `BRA/2019`.
    #[param(value_type = Option<String>, max_length = 200)]
    pub record_key: Option<Text>,
    #[param(value_type = Option<String>, max_length = 200)]
    pub subject: Option<Text>,
    /// From this instant on (RFC 3339, inclusive).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub from: Option<Timestamp>,
    /// Before this instant (RFC 3339, exclusive).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub to: Option<Timestamp>,
    /// `csv` for the whole filtered trail as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventResponse {
    pub id: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub subject: String,
    pub role: String,
    /// `create`, `update`, `delete`, `change_password`, …
    pub action: String,
    pub record_type: String,
    pub record_key: String,
    /// `{"before": {field: value}, "after": {field: value}}` for the fields that changed.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub request_id: Option<String>,
}

pub fn event_response(e: AuditEvent) -> AuditEventResponse {
    AuditEventResponse {
        id: e.id,
        occurred_at: utc(e.occurred_at),
        subject: e.subject,
        role: e.role,
        action: e.action,
        record_type: e.record_type,
        record_key: e.record_key,
        changes: serde_json::from_str(&e.changes).unwrap_or(serde_json::Value::Null),
        request_id: e.request_id,
    }
}

impl Columns for AuditEventResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "occurred_at",
        "subject",
        "role",
        "action",
        "record_type",
        "record_key",
        "changes_before",
        "changes_after",
        "request_id",
    ];
}

/// The audit trail, newest first; with `Accept: text/csv` (or `format=csv`) the whole
/// filtered trail as CSV (`changes_before` and `changes_after` as JSON text).
#[utoipa::path(tag = "audit", params(ListAuditEventsQuery, PageQuery), security(("bearer" = ["audit:read"])),
    responses((status = 200, description = "One page of events (JSON) or the whole filtered trail (CSV)",
        content((super::Page<AuditEventResponse> = "application/json"), (String = "text/csv")))))]
#[get("/audit-events")]
async fn list_audit_events(
    req: HttpRequest,
    _: Authorized<need::AuditRead>,
    query: Query<ListAuditEventsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filter = AuditFilter {
        record_type: text(&q.record_type),
        record_key: text(&q.record_key),
        subject: text(&q.subject),
        from: instant(q.from),
        to: instant(q.to),
    };
    let page = move |conn: &mut db::Conn, offset: i64, limit: i64| {
        let (rows, total) = AuditEvent::list(conn, &filter, offset, limit)?;
        Ok((
            rows.into_iter().map(event_response).collect::<Vec<_>>(),
            total,
        ))
    };
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = paging.into_inner().paging()?;
    let export = negotiate::choose(&req, q.format)?;
    if export != Format::Json {
        return csv::stream_list(
            export,
            "audit-events",
            &state.pool,
            move |conn, offset, limit| page(conn, offset, limit).map(|p| p.0),
        )
        .await
        .map(negotiate::vary);
    }
    let (items, total) = db::run(&state.pool, move |conn| {
        page(conn, paging.offset(), paging.limit())
    })
    .await?;
    Ok(negotiate::vary(page_response(&req, items, total, paging)))
}
