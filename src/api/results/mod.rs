//! `/projects/{code}/results`, `/results/{id}`: a project's results framework (objective →
//! outcomes → outputs), its indicators ([`indicators`]) with their measurements
//! ([`measurements`]), and `/reports/results` ([`report`]). Reading needs
//! `evaluations:read`; writing `results:write`, which a scoped project officer holds for the
//! projects in their scope only (403 for the others).

pub mod fields;
pub mod indicators;
pub mod measurements;
pub mod patches;
pub mod report;

use actix_web::http::StatusCode;
use actix_web::http::header::ETag;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use self::fields::{
    FrameworkResponse, ResultFields, ResultResponse, framework_response, result_response,
};
use self::patches::{Form, UpdateResultRequest, apply};
use super::extract::{Body, etag, if_match};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::results::ResultRecord;
use crate::services::{Actor, results};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_project_results)
        .service(create_result)
        .service(get_result)
        .service(update_result)
        .service(delete_result)
        .configure(indicators::configure)
        .configure(measurements::configure)
        .configure(report::configure);
}

/// One record's answer: its ETag, its `Location` when created.
pub(crate) fn single<T: serde::Serialize>(
    body: &T,
    version: i64,
    created_at: Option<String>,
) -> HttpResponse {
    let status = if created_at.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(version)));
    if let Some(location) = created_at {
        res.insert_header((actix_web::http::header::LOCATION, location));
    }
    res.json(body)
}

/// A write that removes record `id` under `If-Match`, answered 204.
pub(crate) type Removal =
    fn(&mut crate::db::Conn, &Actor, i64, &crate::services::Precondition) -> Result<(), ApiError>;

/// Runs `removal` of record `id` with the caller's `If-Match`: 204 when done.
pub(crate) async fn remove(
    req: &HttpRequest,
    actor: Actor,
    id: i64,
    state: &AppState,
    removal: Removal,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    db::run(&state.pool, move |conn| {
        removal(conn, &actor, id, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn result_single(r: &ResultRecord, created: bool) -> HttpResponse {
    let location = created.then(|| format!("/api/v1/results/{}", r.id));
    single(&result_response(r), r.v.version, location)
}

/// The project's results framework as one tree: the objective, the outcomes under it and the
/// outputs under those (each in `position` order), every result with its indicators and their
/// latest measurement, achievement and progress. Read in four queries whatever its size.
#[utoipa::path(tag = "results", params(("code" = String, Path, example = "MD.0001")), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The framework", body = FrameworkResponse)))]
#[get("/projects/{code}/results")]
pub async fn get_project_results(
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let framework = db::run(&state.pool, move |conn| results::framework(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(framework_response(&framework)))
}

/// Add a result to the project's framework: its one objective, an outcome under the
/// objective, or an output under one of its outcomes (422 naming `parent_id` otherwise, or
/// naming `level` for a second objective).
#[utoipa::path(tag = "results", params(("code" = String, Path, example = "MD.0001")), request_body = ResultFields,
    security(("bearer" = ["results:write"])),
    responses((status = 201, description = "Created", body = ResultResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/projects/{code}/results")]
pub async fn create_result(
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<String>,
    Body(body): Body<ResultFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = body.check()?;
    let (code, actor) = (path.into_inner(), Actor::from(&*principal));
    let r = db::run(&state.pool, move |conn| {
        results::create(conn, &actor, &code, input)
    })
    .await?;
    Ok(result_single(&r, true))
}

/// One result, without what hangs off it (the framework has that).
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1)), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The result", body = ResultResponse, headers(("ETag" = String)))))]
#[get("/results/{id}")]
pub async fn get_result(
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let r = db::run(&state.pool, move |conn| results::find(conn, id)).await?;
    Ok(result_single(&r, false))
}

/// Change a result: a JSON merge patch of its fields (it may move under another parent of the
/// same project; a result with results under it keeps its level). `If-Match` is required
/// (428 without it, 412 when stale).
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    request_body(content = UpdateResultRequest, content_type = "application/merge-patch+json"),
    security(("bearer" = ["results:write"])),
    responses((status = 200, description = "Updated", body = ResultResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/results/{id}")]
pub async fn update_result(
    req: HttpRequest,
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(&*principal);
    let r = apply::<UpdateResultRequest, ResultFields>(
        &req,
        actor,
        (path.into_inner(), patch),
        &state,
        results::find,
        results::update,
    )
    .await?;
    Ok(result_single(&r, false))
}

/// Delete a result with its indicators and their measurements; 409 while results hang under
/// it (delete or move them first). `If-Match` required.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["results:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "Results hang under it (`conflict`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/results/{id}")]
pub async fn delete_result(
    req: HttpRequest,
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(&*principal);
    remove(&req, actor, path.into_inner(), &state, results::delete).await
}
