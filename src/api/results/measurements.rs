//! `/indicators/{id}/measurements`, `/measurements/{id}`: an indicator's dated values with how
//! far each can be trusted. A measurement of an indicator that is gone is a 404: the
//! indicator's measurements went with it.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::fields::{MeasurementFields, MeasurementResponse, measurement_response};
use super::patches::{Form, UpdateMeasurementRequest, apply};
use super::{PROBLEM, remove, single};
use crate::api::csv;
use crate::api::extract::Body;
use crate::api::params::Query;
use crate::api::{FormatQuery, UpdatedSinceQuery};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::results::Measurement;
use crate::services::Actor;
use crate::services::results::measurements;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_measurements)
        .service(create_measurement)
        .service(get_measurement)
        .service(update_measurement)
        .service(delete_measurement);
}

/// The measurements of one indicator.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasurementList {
    pub items: Vec<MeasurementResponse>,
}

fn measurement_single(m: &Measurement, created: bool) -> HttpResponse {
    let location = created.then(|| format!("/api/v1/measurements/{}", m.id));
    single(&measurement_response(m), m.v.version, location)
}

/// The measurements of an indicator, oldest first; with `Accept: text/csv` (or `format=csv`)
/// as CSV; with `updated_since`, only those changed after that instant.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1), UpdatedSinceQuery, FormatQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The measurements (JSON) or CSV",
        content((MeasurementList = "application/json"), (String = "text/csv")))))]
#[get("/indicators/{id}/measurements")]
pub async fn list_measurements(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    since: Query<UpdatedSinceQuery>,
    query: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, since) = (path.into_inner(), since.instant());
    let rows = db::run(&state.pool, move |conn| {
        measurements::of_indicator(conn, id, since)
    })
    .await?;
    let items: Vec<MeasurementResponse> = rows.iter().map(measurement_response).collect();
    let json = MeasurementList {
        items: items.clone(),
    };
    csv::items_or_json(&req, query.format, "measurements", &items, &json)
}

/// Record a measurement of an indicator (the indicator's ETag moves). 404 when the indicator
/// is not, or no longer, there.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1)), request_body = MeasurementFields,
    security(("bearer" = ["results:write"])),
    responses((status = 201, description = "Created", body = MeasurementResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/indicators/{id}/measurements")]
pub async fn create_measurement(
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    Body(body): Body<MeasurementFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = body.check()?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let m = db::run(&state.pool, move |conn| {
        measurements::create(conn, &actor, id, input)
    })
    .await?;
    Ok(measurement_single(&m, true))
}

/// One measurement.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1)), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The measurement", body = MeasurementResponse, headers(("ETag" = String)))))]
#[get("/measurements/{id}")]
pub async fn get_measurement(
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let m = db::run(&state.pool, move |conn| measurements::find(conn, id)).await?;
    Ok(measurement_single(&m, false))
}

/// Change a measurement: a JSON merge patch of its fields. `If-Match` is required (428
/// without it, 412 when stale).
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    request_body(content = UpdateMeasurementRequest, content_type = "application/merge-patch+json"),
    security(("bearer" = ["results:write"])),
    responses((status = 200, description = "Updated", body = MeasurementResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/measurements/{id}")]
pub async fn update_measurement(
    req: HttpRequest,
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(&*principal);
    let m = apply::<UpdateMeasurementRequest, MeasurementFields>(
        &req,
        actor,
        (path.into_inner(), patch),
        &state,
        measurements::find,
        measurements::update,
    )
    .await?;
    Ok(measurement_single(&m, false))
}

/// Delete a measurement (the indicator's ETag moves). `If-Match` required.
#[utoipa::path(tag = "results", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["results:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/measurements/{id}")]
pub async fn delete_measurement(
    req: HttpRequest,
    principal: Authorized<need::ResultsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(&*principal);
    remove(&req, actor, path.into_inner(), &state, measurements::delete).await
}
