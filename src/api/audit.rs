//! `GET /audit-events`: the append-only audit trail.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{PageQuery, page_response, parse_timestamp, utc};
use crate::app::AppState;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::audit::{AuditEvent, AuditFilter};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_events);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAuditEventsQuery {
    /// e.g. `member_state`, `eligibility`, `user`, `funding_rule`, `allocation`.
    pub record_type: Option<String>,
    /// The record's natural key, e.g. `BRA` or `BRA/2019`.
    pub record_key: Option<String>,
    pub subject: Option<String>,
    /// From this time on (RFC 3339, inclusive).
    pub from: Option<String>,
    /// Before this time (RFC 3339, exclusive).
    pub to: Option<String>,
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

/// The audit trail, newest first.
#[utoipa::path(tag = "audit", params(ListAuditEventsQuery, PageQuery), security(("bearer" = ["audit:read"])),
    responses((status = 200, description = "One page of events", body = super::Page<AuditEventResponse>)))]
#[get("/audit-events")]
async fn list_audit_events(
    req: HttpRequest,
    _: Authorized<need::AuditRead>,
    query: web::Query<ListAuditEventsQuery>,
    paging: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging.into_inner().paging()?;
    let q = query.into_inner();
    let filter = AuditFilter {
        record_type: q.record_type,
        record_key: q.record_key,
        subject: q.subject,
        from: parse_timestamp("from", q.from.as_deref())?,
        to: parse_timestamp("to", q.to.as_deref())?,
    };
    let (rows, total) = db::run(&state.pool, move |conn| {
        Ok(AuditEvent::list(
            conn,
            &filter,
            paging.offset(),
            paging.limit(),
        )?)
    })
    .await?;
    let items = rows.into_iter().map(event_response).collect();
    Ok(page_response(&req, items, total, paging))
}
