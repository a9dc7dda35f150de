//! Moving a project along its lifecycle, and its history.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{ProjectResponse, single};
use crate::api::audit::{AuditEventResponse, event_response};
use crate::api::csv;
use crate::api::extract::{Body, if_match};
use crate::api::negotiate::{self, Format};
use crate::api::params::Query;
use crate::api::{FormatQuery, PageQuery, page_response};
use crate::auth::{Authorized, Permission, need};
use crate::db;
use crate::domain::project::Status;
use crate::error::{ApiError, FieldError};
use crate::models::audit::{AuditEvent, AuditFilter};
use crate::services::{Actor, projects};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The status to move to.
    pub to: Status,
    /// Why; kept in the project's history (not blank).
    #[schema(min_length = 1, pattern = r"[^ \t\n\r]")]
    pub reason: String,
}

/// Move a project along one edge of its lifecycle:
/// draft → submitted → under_review → approved → active → completed → closed, with
/// submitted/under_review → withdrawn, under_review → rejected, approved/active/suspended →
/// cancelled, active ⇄ suspended, and submitted → draft, under_review → submitted to return it.
/// Entering `approved` needs `projects:approve` and applies the Fund's rules for the funding
/// year: 422 `rule_violation` lists every rule that fails.
#[utoipa::path(tag = "projects", request_body = TransitionRequest,
    params(("code" = String, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["projects:write"])),
    responses((status = 200, description = "Moved", body = ProjectResponse, headers(("ETag" = String))),
        (status = 409, description = "Not an edge of the lifecycle (`invalid_transition`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[post("/projects/{code}/transitions")]
pub async fn transition_project(
    req: HttpRequest,
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<String>,
    Body(body): Body<TransitionRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if body.to == Status::Approved {
        principal.require(Permission::ProjectsApprove)?;
    }
    if crate::domain::wire::is_blank(&body.reason) {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            "required",
            "say why the status changes",
        )]));
    }
    let expected = if_match(&req)?;
    let reason = crate::domain::wire::trim(&body.reason).to_owned();
    let (code, actor, to) = (path.into_inner(), Actor::from(&*principal), body.to);
    let view = db::run(&state.pool, move |conn| {
        projects::transition(conn, &actor, &code, &expected, to, &reason)
    })
    .await?;
    Ok(single(&view, actix_web::http::StatusCode::OK))
}

/// Status changes and edits of a project, newest first (its audit trail); with
/// `Accept: text/csv` (or `format=csv`) the whole history as CSV.
#[utoipa::path(tag = "projects", params(("code" = String, Path), PageQuery, FormatQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "One page of events (JSON) or the whole history (CSV)",
        content((crate::api::Page<AuditEventResponse> = "application/json"), (String = "text/csv")))))]
#[get("/projects/{code}/history")]
pub async fn get_project_history(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    path: web::Path<String>,
    paging: Query<PageQuery>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let filter = AuditFilter {
        record_type: Some(projects::RECORD.to_owned()),
        record_key: Some(code.clone()),
        ..AuditFilter::default()
    };
    let page = move |conn: &mut db::Conn, offset: i64, limit: i64| {
        let (rows, total) = AuditEvent::list(conn, &filter, offset, limit)?;
        if total == 0 {
            projects::find(conn, &code)?;
        }
        Ok((
            rows.into_iter().map(event_response).collect::<Vec<_>>(),
            total,
        ))
    };
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = paging.into_inner().paging()?;
    let export = negotiate::choose(&req, format.format)?;
    if export != Format::Json {
        // The first page is read before answering, so an unknown project is still a 404.
        return csv::stream_list(
            export,
            "history",
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
