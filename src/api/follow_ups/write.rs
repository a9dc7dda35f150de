//! Recording, reading, changing and deleting one follow-up funding record.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::fields::{FollowUpFields, UpdateFollowUpRequest};
use super::{FollowUpResponse, single};
use crate::api::extract::{Body, if_match, parse_json};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::{ApiError, FieldError};
use crate::services::Actor;
use crate::services::follow_ups;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

/// Record follow-up funding of a project; it is converted to USD at the rate of its month.
#[utoipa::path(tag = "follow-up-funding", params(("code" = String, Path)), request_body = FollowUpFields, security(("bearer" = ["projects:write"])),
    responses((status = 201, description = "Recorded", body = FollowUpResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/projects/{code}/follow-up-funding")]
pub async fn create_follow_up(
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<String>,
    Body(body): Body<FollowUpFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (code, actor) = (path.into_inner(), Actor::from(&*principal));
    let view = db::run(&state.pool, move |conn| {
        follow_ups::create(conn, &actor, &code, body.into())
    })
    .await?;
    Ok(single(&view, StatusCode::CREATED))
}

/// One follow-up funding record.
#[utoipa::path(tag = "follow-up-funding", params(("id" = i64, Path)), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The record", body = FollowUpResponse, headers(("ETag" = String)))))]
#[get("/follow-up-funding/{id}")]
pub async fn get_follow_up(
    _: Authorized<need::ProjectsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| follow_ups::find(conn, id)).await?;
    Ok(single(&view, StatusCode::OK))
}

/// Change a record: a JSON merge patch of its fields. `If-Match` required.
#[utoipa::path(tag = "follow-up-funding", params(("id" = i64, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
    request_body(content = UpdateFollowUpRequest, content_type = "application/merge-patch+json"),
    security(("bearer" = ["projects:write"])),
    responses((status = 200, description = "Updated", body = FollowUpResponse),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/follow-up-funding/{id}")]
pub async fn update_follow_up(
    req: HttpRequest,
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    if !patch.is_object() {
        return Err(ApiError::validation(vec![FieldError::new(
            "body",
            "invalid_type",
            "a merge patch is a JSON object",
        )]));
    }
    let patch = parse_json::<UpdateFollowUpRequest>(
        &serde_json::to_vec(&patch).map_err(ApiError::internal)?,
    )?
    .into_patch()?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let view = db::run(&state.pool, move |conn| {
        follow_ups::update(conn, &actor, id, &expected, patch)
    })
    .await?;
    Ok(single(&view, StatusCode::OK))
}

/// Delete a record. `If-Match` required.
#[utoipa::path(tag = "follow-up-funding", params(("id" = i64, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["projects:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "An evaluation names it as its subject (`conflict`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/follow-up-funding/{id}")]
pub async fn delete_follow_up(
    req: HttpRequest,
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        follow_ups::delete(conn, &actor, id, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
