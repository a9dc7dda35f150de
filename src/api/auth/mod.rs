//! `POST /auth/token` (the OAuth 2.0 token endpoint) and `GET /auth/me`.
//!
//! - [`token`]: the handler: read the request, ask the limiter, check the secret, sign.
//! - [`request`]: reading a token request (form or JSON, HTTP Basic client authentication).
//! - [`oauth`]: its refusals, problem+json documents that are also RFC 6749 error responses.

pub mod oauth;
pub mod request;
pub mod token;

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{Authorized, Role, need};
use crate::error::ApiError;

pub use request::TokenRequest;
pub use token::TokenResponse;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(token::create_token).service(get_me);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub sub: String,
    pub role: Role,
    /// Member states the caller is scoped to; null when unscoped.
    pub member_states: Option<Vec<String>>,
    /// When the token expires.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// What the role may do.
    pub permissions: Vec<&'static str>,
}

/// The caller, as their token says.
#[utoipa::path(tag = "auth", security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The caller", body = MeResponse)))]
#[get("/auth/me")]
async fn get_me(principal: Authorized<need::ReferenceRead>) -> Result<HttpResponse, ApiError> {
    let principal = principal.into_inner();
    let expires_at = chrono::DateTime::from_timestamp(principal.expires_at, 0).unwrap_or_default();
    Ok(HttpResponse::Ok().json(MeResponse {
        sub: principal.subject,
        role: principal.role,
        member_states: principal.member_states,
        expires_at,
        permissions: principal
            .role
            .permissions()
            .iter()
            .map(|p| p.as_str())
            .collect(),
    }))
}
