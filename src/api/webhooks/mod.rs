//! `/webhooks`: subscriptions to change events (admin), and their delivery log
//! ([`deliveries`]). The secret is write-only: accepted on create and update, never answered
//! (except a generated one, once, in the 201 that created it) and never logged.

pub mod deliveries;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETag, LOCATION};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::{Body, etag, if_match, parse_json};
use super::params::Query;
use super::patch::object;
use super::{UpdatedSinceQuery, utc};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::webhook::Webhook;
use crate::services::Actor;
use crate::services::webhooks::{self as service, WebhookInput, WebhookPatch};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .configure(deliveries::configure);
}

/// An event a subscription may name: `<record_type>.created|updated|deleted` for each record
/// type, and `project.<status>` when a project enters that status.
pub struct WebhookEvent;

impl utoipa::PartialSchema for WebhookEvent {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(crate::domain::webhook::all_events()))
            .into()
    }
}

impl ToSchema for WebhookEvent {}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where deliveries are POSTed: an `http` or `https` URL with a host.
    #[schema(
        max_length = 2000,
        pattern = r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#][^\s\x00-\x1f\x7f-\x9f]*)?$",
        example = "https://example.org/devfund-hook"
    )]
    pub url: String,
    #[schema(value_type = Vec<WebhookEvent>, min_items = 1, max_items = 200)]
    pub events: Vec<String>,
    /// `whsec_` and the base64 of a 24–64 byte key. Absent: one is generated and answered
    /// once, in this request's 201. Write-only.
    #[schema(
        pattern = "^whsec_(?:(?:[A-Za-z0-9+/]{4}){8,21}(?:[A-Za-z0-9+/][AQgw]==)?|(?:[A-Za-z0-9+/]{4}){8,20}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)$",
        example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        write_only
    )]
    pub secret: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

/// A change to a subscription: a JSON merge patch (RFC 7396). `If-Match` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(
        nullable = false,
        max_length = 2000,
        pattern = r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#][^\s\x00-\x1f\x7f-\x9f]*)?$"
    )]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(nullable = false, value_type = Option<Vec<WebhookEvent>>, min_items = 1, max_items = 200)]
    pub events: Option<Vec<String>>,
    /// A new secret (write-only).
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(
        nullable = false,
        write_only,
        pattern = "^whsec_(?:(?:[A-Za-z0-9+/]{4}){8,21}(?:[A-Za-z0-9+/][AQgw]==)?|(?:[A-Za-z0-9+/]{4}){8,20}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)$"
    )]
    pub secret: Option<String>,
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    pub id: i64,
    pub url: String,
    #[schema(value_type = Vec<WebhookEvent>)]
    pub events: Vec<String>,
    pub active: bool,
    /// Always true: a subscription always has a secret, which is never shown again.
    pub has_secret: bool,
    /// Only in the 201 of a create that generated the secret: keep it, it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn response(w: &Webhook, generated: Option<String>) -> WebhookResponse {
    WebhookResponse {
        id: w.id,
        url: w.url.clone(),
        events: w.event_list(),
        active: w.active,
        has_secret: !w.secret.is_empty(),
        secret: generated,
        created_at: utc(w.created_at),
        updated_at: utc(w.updated_at),
    }
}

fn single(w: &Webhook, generated: Option<String>, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(w.version)));
    if status == StatusCode::CREATED {
        res.insert_header((LOCATION, format!("/api/v1/webhooks/{}", w.id)));
    }
    res.json(response(w, generated))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookResponse>,
}

/// Every subscription (with `updated_since`, those changed after that instant).
#[utoipa::path(tag = "webhooks", params(UpdatedSinceQuery), security(("bearer" = ["webhooks:admin"])),
    responses((status = 200, description = "Every subscription", body = WebhookList)))]
#[get("/webhooks")]
async fn list_webhooks(
    _: Authorized<need::WebhooksAdmin>,
    query: Query<UpdatedSinceQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let since = query.instant();
    let rows = db::run(&state.pool, move |conn| service::list(conn, since)).await?;
    Ok(HttpResponse::Ok().json(WebhookList {
        items: rows.iter().map(|w| response(w, None)).collect(),
    }))
}

/// Subscribe a URL to events. Deliveries are POSTed JSON, signed the Standard Webhooks way
/// (see the README, "Change feed and webhooks").
#[utoipa::path(tag = "webhooks", request_body = CreateWebhookRequest, security(("bearer" = ["webhooks:admin"])),
    responses((status = 201, description = "Created", body = WebhookResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/webhooks")]
async fn create_webhook(
    principal: Authorized<need::WebhooksAdmin>,
    Body(body): Body<CreateWebhookRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = WebhookInput {
        url: body.url,
        events: body.events,
        secret: body.secret,
        active: body.active.unwrap_or(true),
    };
    let actor = Actor::from(&*principal);
    let (row, generated) = db::run(&state.pool, move |conn| {
        service::create(conn, &actor, input)
    })
    .await?;
    Ok(single(&row, generated, StatusCode::CREATED))
}

/// One subscription (its secret is never shown).
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path, minimum = 1)), security(("bearer" = ["webhooks:admin"])),
    responses((status = 200, description = "The subscription", body = WebhookResponse, headers(("ETag" = String)))))]
#[get("/webhooks/{id}")]
async fn get_webhook(
    _: Authorized<need::WebhooksAdmin>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = db::run(&state.pool, move |conn| service::find(conn, id)).await?;
    Ok(single(&row, None, StatusCode::OK))
}

/// Change a subscription (a JSON merge patch). `If-Match` is required (428 without it, 412
/// when stale).
#[utoipa::path(tag = "webhooks", request_body(content = UpdateWebhookRequest, content_type = "application/merge-patch+json"),
    params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["webhooks:admin"])),
    responses((status = 200, description = "Updated", body = WebhookResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/webhooks/{id}")]
async fn update_webhook(
    req: HttpRequest,
    principal: Authorized<need::WebhooksAdmin>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let patch = object(patch)?;
    let body: UpdateWebhookRequest =
        parse_json(&serde_json::to_vec(&patch).map_err(ApiError::internal)?)?;
    let patch = WebhookPatch {
        url: body.url,
        events: body.events,
        secret: body.secret,
        active: body.active,
    };
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let row = db::run(&state.pool, move |conn| {
        service::update(conn, &actor, id, &expected, patch)
    })
    .await?;
    Ok(single(&row, None, StatusCode::OK))
}

/// Delete a subscription and its delivery log. `If-Match` is required.
#[utoipa::path(tag = "webhooks", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["webhooks:admin"])),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/webhooks/{id}")]
async fn delete_webhook(
    req: HttpRequest,
    principal: Authorized<need::WebhooksAdmin>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        service::delete(conn, &actor, id, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
