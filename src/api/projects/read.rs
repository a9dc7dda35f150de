//! Read one project: the answer kept per project version.

use actix_web::http::header::{ContentType, ETag, EntityTag};
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{ProjectResponse, response};
use crate::api::extract::{etag, none_match};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::services::projects;
use crate::state::AppState;

/// One project with its member states, mappings, links and warnings.
///
/// Send the ETag of your copy in `If-None-Match` to get 304 while it is still the project's.
/// Every request reads the project's version (one indexed read); the answer of that version
/// is served from memory when this copy of the service made it before, and built (one query
/// per part of the project) and kept otherwise. Everything the answer shows moves the
/// version when it changes — the project's fields and lists, its links and follow-up funding,
/// and a new exchange rate that reconverts its follow-ups — so a kept answer is never one a
/// committed write has made stale, whichever service copy wrote.
#[utoipa::path(tag = "projects",
    params(("code" = String, Path, example = "PO.0125"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of your copy: 304 while it is current")),
    security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The project", body = ProjectResponse, headers(("ETag" = String))),
        (status = 304, description = "Your copy is current (`If-None-Match` names the ETag)", headers(("ETag" = String)))))]
#[get("/projects/{code}")]
pub async fn get_project(
    _: Authorized<need::ProjectsRead>,
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let Some((id, version)) = state.project_version(&code).await? else {
        return Err(ApiError::not_found(format!("project {code}")));
    };
    let tag = etag(version);
    if none_match(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header(ETag(tag))
            .finish());
    }
    if let Some(answer) = state.project_answers.get(&id, version) {
        return Ok(answered(tag, answer));
    }
    let view = db::run(&state.pool, move |conn| projects::find(conn, &code)).await?;
    let answer = web::Bytes::from(
        serde_json::to_vec::<ProjectResponse>(&response(&view)).map_err(ApiError::internal)?,
    );
    let version = view.values.version;
    state.project_answers.put(view.id, version, answer.clone());
    Ok(answered(etag(version), answer))
}

/// 200 with a serialized project answer and its ETag.
fn answered(tag: EntityTag, body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ETag(tag))
        .insert_header(ContentType::json())
        .body(body)
}
