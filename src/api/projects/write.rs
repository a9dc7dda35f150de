//! Create, read, update (merge patch) and delete a project.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};

use super::fields::ProjectFields;
use super::patch::UpdateProjectRequest;
use super::{ProjectResponse, single};
use crate::api::extract::{Body, if_match, parse_json};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::{ApiError, FieldError};
use crate::services::{Actor, projects};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

/// Register a project. Status defaults to `draft`; a past year's project may be entered with
/// the status it reached (from `approved` on), by admins and fund managers: the Fund's rules
/// are then reported as `warnings`, never enforced. A project without SDG 10.7 is stored and
/// warned about (`missing_sdg_10_7`).
#[utoipa::path(tag = "projects", request_body = ProjectFields, security(("bearer" = ["projects:write"])),
    responses((status = 201, description = "Created", body = ProjectResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The code is taken (`conflict`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[post("/projects")]
pub async fn create_project(
    principal: Authorized<need::ProjectsWrite>,
    Body(body): Body<ProjectFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (actor, catalogue) = (Actor::from(&*principal), state.catalogue.clone());
    let view = db::run(&state.pool, move |conn| {
        projects::create(conn, &actor, &catalogue, body.into())
    })
    .await?;
    Ok(single(&view, StatusCode::CREATED))
}

/// Change a project: a JSON merge patch (RFC 7396) of its fields; `null` clears a field, a
/// list replaces the list. `If-Match` is required (428 without it, 412 when stale). `code` and
/// `status` cannot be patched (use transitions).
#[utoipa::path(tag = "projects", request_body(content = UpdateProjectRequest, content_type = "application/merge-patch+json"),
    params(("code" = String, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["projects:write"])),
    responses((status = 200, description = "Updated", body = ProjectResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/projects/{code}")]
pub async fn update_project(
    req: HttpRequest,
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<String>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let serde_json::Value::Object(patch) = patch else {
        return Err(ApiError::validation(vec![FieldError::new(
            "body",
            "invalid_type",
            "a merge patch is a JSON object",
        )]));
    };
    let mut errors = Vec::new();
    for locked in ["code", "status"] {
        if patch.contains_key(locked) {
            errors.push(FieldError::new(
                locked,
                "read_only",
                format!("{locked} cannot be changed here"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let patch = parse_json::<UpdateProjectRequest>(
        &serde_json::to_vec(&serde_json::Value::Object(patch)).map_err(ApiError::internal)?,
    )?
    .into_patch()?;
    let (code, actor, catalogue) = (
        path.into_inner(),
        Actor::from(&*principal),
        state.catalogue.clone(),
    );
    let view = db::run(&state.pool, move |conn| {
        projects::update(conn, &actor, &catalogue, &code, &expected, patch)
    })
    .await?;
    Ok(single(&view, StatusCode::OK))
}

/// Delete a draft (409 for any other status: withdraw or cancel it instead). `If-Match` required.
#[utoipa::path(tag = "projects", params(("code" = String, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["projects:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "Not a draft (`conflict`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/projects/{code}")]
pub async fn delete_project(
    req: HttpRequest,
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (code, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        projects::delete(conn, &actor, &code, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
