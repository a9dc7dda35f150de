//! `/webhooks/{id}/deliveries`: what was sent to a subscription, each attempt, and a manual
//! retry.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::super::params::Query;
use super::super::{PageQuery, page_response, utc};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::webhook::{Attempt, Delivery};
use crate::services::Actor;
use crate::services::webhooks as service;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhook_deliveries)
        .service(retry_webhook_delivery);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResponse {
    pub attempted_at: chrono::DateTime<chrono::Utc>,
    /// The receiver's HTTP status; null when no answer came (timeout, refused connection).
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: i64,
    /// The `Webhook-Id` sent with it (the same on every attempt).
    pub message_id: String,
    #[schema(value_type = super::WebhookEvent)]
    pub event: String,
    #[schema(value_type = String, pattern = "^(pending|delivered|failed)$")]
    pub status: String,
    pub attempts: i32,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<AttemptResponse>,
}

fn response(d: Delivery, attempts: Vec<Attempt>) -> DeliveryResponse {
    DeliveryResponse {
        id: d.id,
        message_id: crate::domain::webhook::message_id(d.change_id, &d.event),
        next_attempt_at: (d.status == "pending").then(|| utc(d.next_attempt_at)),
        payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        created_at: utc(d.created_at),
        delivered_at: d.delivered_at.map(utc),
        attempt_log: attempts
            .into_iter()
            .map(|a| AttemptResponse {
                attempted_at: utc(a.attempted_at),
                status_code: a.status_code,
                duration_ms: a.duration_ms,
                error: a.error,
            })
            .collect(),
    }
}

/// A subscription's deliveries, newest first, each with its attempts.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path, minimum = 1), PageQuery), security(("bearer" = ["webhooks:admin"])),
    responses((status = 200, description = "One page of deliveries", body = super::super::Page<DeliveryResponse>)))]
#[get("/webhooks/{id}/deliveries")]
async fn list_webhook_deliveries(
    req: HttpRequest,
    _: Authorized<need::WebhooksAdmin>,
    path: web::Path<i64>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let paging = paging.into_inner().paging()?;
    let (offset, limit) = (paging.offset(), paging.limit());
    let (rows, total) = db::run(&state.pool, move |conn| {
        service::deliveries(conn, id, offset, limit)
    })
    .await?;
    let items: Vec<DeliveryResponse> = rows.into_iter().map(|(d, a)| response(d, a)).collect();
    Ok(page_response(&req, items, total, paging))
}

/// Make a pending or failed delivery due now (409 once delivered); the worker sends it at
/// once.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path, minimum = 1), ("delivery_id" = i64, Path, minimum = 1)),
    security(("bearer" = ["webhooks:admin"])),
    responses((status = 202, description = "Queued to be sent now", body = DeliveryResponse),
        (status = 409, description = "Delivered already (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
async fn retry_webhook_delivery(
    principal: Authorized<need::WebhooksAdmin>,
    path: web::Path<(i64, i64)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let actor = Actor::from(&*principal);
    let (d, attempts) = db::run(&state.pool, move |conn| {
        service::retry(conn, &actor, id, delivery_id)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(response(d, attempts)))
}
