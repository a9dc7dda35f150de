//! Typed links between projects.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::LinkResponse;
use crate::api::csv::{self, Columns};
use crate::api::extract::Body;
use crate::api::params::Query;
use crate::api::schemas::ProjectCodeSchema;
use crate::api::{FormatQuery, created};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::project::LinkType;
use crate::error::ApiError;
use crate::services::Actor;
use crate::services::projects::{self, LinkDraft};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLinkRequest {
    #[serde(rename = "type")]
    pub link_type: LinkType,
    /// A project of the portfolio…
    #[serde(default)]
    #[schema(value_type = Option<ProjectCodeSchema>)]
    pub target_code: Option<String>,
    /// …or, for one outside it, its title alone.
    #[serde(default)]
    pub target_title: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkList {
    pub items: Vec<LinkResponse>,
}

impl Columns for LinkResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "type",
        "target_code",
        "target_title",
        "note",
        "created_at",
    ];
}

/// The project's links to other projects (JSON or CSV).
#[utoipa::path(tag = "projects", params(("code" = String, Path), FormatQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "Links (JSON or CSV)",
        content((LinkList = "application/json"), (String = "text/csv")))))]
#[get("/projects/{code}/links")]
pub async fn list_project_links(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    path: web::Path<String>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let view = db::run(&state.pool, move |conn| projects::find(conn, &code)).await?;
    let list = LinkList {
        items: view.children.links.iter().map(LinkResponse::from).collect(),
    };
    csv::items_or_json(&req, format.format, "links", &list.items, &list)
}

/// Link the project to another: `builds_on`, `follow_up_of`, `synergy_with`, `co_funded_with`.
/// The other side is `target_code` (in the portfolio) or `target_title` (outside it).
#[utoipa::path(tag = "projects", params(("code" = String, Path)), request_body = CreateLinkRequest, security(("bearer" = ["projects:write"])),
    responses((status = 201, description = "Linked", body = LinkResponse, headers(("Location" = String)))))]
#[post("/projects/{code}/links")]
pub async fn create_project_link(
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<String>,
    Body(body): Body<CreateLinkRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (code, actor) = (path.into_inner(), Actor::from(&*principal));
    let link = LinkDraft {
        link_type: body.link_type,
        target_code: body.target_code,
        target_title: body.target_title,
        note: body.note,
    };
    let location_code = code.clone();
    let row = db::run(&state.pool, move |conn| {
        projects::add_link(conn, &actor, &code, link)
    })
    .await?;
    Ok(created(
        format!("/api/v1/projects/{location_code}/links/{}", row.id),
        &LinkResponse::from(&row),
    ))
}

/// Remove a link.
#[utoipa::path(tag = "projects", params(("code" = String, Path), ("id" = i64, Path)), security(("bearer" = ["projects:write"])),
    responses((status = 204, description = "Removed")))]
#[delete("/projects/{code}/links/{id}")]
pub async fn delete_project_link(
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<(String, i64)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let ((code, id), actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        projects::remove_link(conn, &actor, &code, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
