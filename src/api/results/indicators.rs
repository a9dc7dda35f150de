//! `/results/{id}/indicators`, `/indicators/{id}`: what a result is measured by, with its
//! latest measurement. An indicator's ETag moves when one of its measurements changes.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::fields::{IndicatorFields, IndicatorResponse, indicator_response};
use super::patches::{Form, UpdateIndicatorRequest, apply};
use super::{PROBLEM, remove, single};
use crate::api::extract::Body;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::services::Actor;
use crate::services::results::{IndicatorView, indicators};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_indicator)
        .service(get_indicator)
        .service(update_indicator)
        .service(delete_indicator);
}

fn indicator_single(i: &IndicatorView, created: bool) -> HttpResponse {
    let location = created.then(|| format!("/api/v1/indicators/{}", i.indicator.id));
    single(&indicator_response(i), i.indicator.v.version, location)
}

/// Add an indicator to a result: values (baseline, target) are decimal strings.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1)), request_body = IndicatorFields,
    security(("bearer" = ["results:write"])),
    responses((status = 201, description = "Created", body = IndicatorResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/results/{id}/indicators")]
pub async fn create_indicator(
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    Body(body): Body<IndicatorFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = body.check()?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let i = db::run(&state.pool, move |conn| {
        indicators::create(conn, &actor, id, input)
    })
    .await?;
    Ok(indicator_single(&i, true))
}

/// One indicator with its latest measurement, achievement and progress.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1)), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The indicator", body = IndicatorResponse, headers(("ETag" = String)))))]
#[get("/indicators/{id}")]
pub async fn get_indicator(
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let i = db::run(&state.pool, move |conn| indicators::find(conn, id)).await?;
    Ok(indicator_single(&i, false))
}

/// Change an indicator: a JSON merge patch of its fields. `If-Match` is required (428
/// without it, 412 when stale).
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    request_body(content = UpdateIndicatorRequest, content_type = "application/merge-patch+json"),
    security(("bearer" = ["results:write"])),
    responses((status = 200, description = "Updated", body = IndicatorResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/indicators/{id}")]
pub async fn update_indicator(
    req: HttpRequest,
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(&*principal);
    let i = apply::<UpdateIndicatorRequest, IndicatorFields>(
        &req,
        actor,
        (path.into_inner(), patch),
        &state,
        indicators::find,
        indicators::update,
    )
    .await?;
    Ok(indicator_single(&i, false))
}

/// Delete an indicator with its measurements. `If-Match` required.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["results:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/indicators/{id}")]
pub async fn delete_indicator(
    req: HttpRequest,
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(&*principal);
    remove(&req, actor, path.into_inner(), &state, indicators::delete).await
}
