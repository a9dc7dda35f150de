//! `POST /auth/token` (OAuth 2.0 token endpoint) and `GET /auth/me`.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::{RawBody, content_type, parse_json};
use crate::app::AppState;
use crate::auth::{Authorized, Role, need};
use crate::db;
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::services::users::{self, Kind};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_token).service(get_me);
}

/// A token request, form-encoded (`application/x-www-form-urlencoded`, as OAuth 2.0 has it)
/// or JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `password` or `client_credentials`.
    pub grant_type: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub role: Role,
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

/// Exchange a user's password or a service client's secret for an access token.
///
/// Failed attempts are limited per user name and address together, per address, and per
/// name across addresses: past a limit the answer is 429 `rate_limited` with `Retry-After`.
#[utoipa::path(tag = "auth", security(()),
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded",
        description = "Also accepted as application/json"),
    responses(
        (status = 200, description = "A signed access token", body = TokenResponse),
        (status = 401, description = "Wrong credentials (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/token")]
async fn create_token(
    req: HttpRequest,
    RawBody(body): RawBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let request: TokenRequest = match content_type(&req).as_deref() {
        Some("application/x-www-form-urlencoded") => {
            serde_urlencoded::from_bytes(&body).map_err(|e| {
                ApiError::validation(vec![FieldError::new("body", "invalid_form", e.to_string())])
            })?
        }
        Some("application/json") => parse_json(&body)?,
        _ => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the token request as application/x-www-form-urlencoded or application/json",
            ));
        }
    };
    let (kind, name, secret) = match request.grant_type.as_str() {
        "password" => (Kind::Person, request.username, request.password),
        "client_credentials" => (Kind::Client, request.client_id, request.client_secret),
        other => {
            return Err(ApiError::validation(vec![FieldError::new(
                "grant_type",
                "unsupported_grant_type",
                format!("{other:?} is not supported; use password or client_credentials"),
            )]));
        }
    };
    let (name_field, secret_field) = match kind {
        Kind::Person => ("username", "password"),
        Kind::Client => ("client_id", "client_secret"),
    };
    let mut missing = Vec::new();
    if name.as_deref().is_none_or(str::is_empty) {
        missing.push(FieldError::new(
            name_field,
            "required",
            "is required for this grant",
        ));
    }
    if secret.as_deref().is_none_or(str::is_empty) {
        missing.push(FieldError::new(
            secret_field,
            "required",
            "is required for this grant",
        ));
    }
    if !missing.is_empty() {
        return Err(ApiError::validation(missing));
    }
    let (name, secret) = (name.unwrap_or_default(), secret.unwrap_or_default());
    let address = req
        .peer_addr()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |a| a.ip());
    let attempt = state
        .limiter
        .begin(&name, address, Instant::now())
        .map_err(|wait| ApiError::RateLimited {
            detail: format!("too many failed sign-in attempts; wait {wait} s before trying again"),
            retry_after_secs: wait,
        })?;
    let lookup = name.clone();
    let checked = db::run(&state.pool, move |conn| {
        users::authenticate(conn, kind, &lookup, &secret)
    })
    .await;
    let user = match checked {
        Ok(Some(user)) => user,
        // The attempt stays counted as a failure.
        Ok(None) => return Err(ApiError::unauthorized("the credentials are not valid")),
        Err(e) => {
            state.limiter.abandoned(attempt);
            return Err(e);
        }
    };
    state.limiter.succeeded(attempt);
    let role = Role::parse(&user.role).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("stored role {:?} is unknown", user.role))
    })?;
    let (token, _exp) = state
        .keys
        .issue(
            &user.username,
            role,
            user.member_state_list(),
            state.token_ttl_secs,
        )
        .map_err(ApiError::internal)?;
    let mut res = HttpResponse::Ok().json(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: state.token_ttl_secs,
        role,
    });
    super::system::no_store(&mut res);
    Ok(res)
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
