//! `POST /auth/token`: the OAuth 2.0 token endpoint (RFC 6749 §4.3 and §4.4).

use std::net::{IpAddr, Ipv6Addr};
use std::time::Instant;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::oauth::{self, OAuthError};
use super::request::{self, Credentials, TokenRequest};
use crate::api::extract::{RawBody, content_type};
use crate::auth::Role;
use crate::db;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::services::users::{self, Kind};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// The permissions the token's role grants, space-separated (RFC 6749 §5.1).
    pub scope: String,
    pub role: Role,
}

/// Exchange a user's password or a service client's secret for an access token.
///
/// OAuth 2.0: `grant_type=password` with `username` and `password`, or
/// `grant_type=client_credentials` with the client's id and secret in HTTP Basic
/// (`curl -u id:secret`, each part form-urlencoded) or as `client_id` and `client_secret` in
/// the body. Refusals are problem documents that also carry OAuth's `error` (equal to `code`
/// on 400 and 401) and `error_description`. Nothing this endpoint answers may be cached.
///
/// Failed attempts are limited per user name and address together, per address, and per
/// name across addresses: past a limit the answer is 429 `rate_limited` with `Retry-After`.
#[utoipa::path(tag = "auth", security(()),
    // Only the form encoding OAuth 2.0 defines is documented; the same fields as a JSON
    // object are accepted too. Two content types of one schema make openapi-python-client
    // 0.29 generate a module that does not import.
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded",
        description = "Form-encoded as OAuth 2.0 has it (the same fields as a JSON object are also accepted)"),
    responses(
        (status = 200, description = "A signed access token", body = TokenResponse,
            headers(
                ("Cache-Control" = String, description = "`no-store`, on every answer of this endpoint"),
                ("Pragma" = String, description = "`no-cache`, on every answer of this endpoint"),
            )),
        (status = 400, description = "`invalid_request` (a parameter missing, repeated, too long or holding a NUL byte, \
a malformed body, client credentials sent both in the header and the body; `errors` names the field), \
`invalid_grant` (wrong user name or password) or `unsupported_grant_type`",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_client`: client authentication failed, or the `Authorization` header \
is not HTTP Basic; `WWW-Authenticate: Basic` when the client used HTTP Basic",
            body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither form-encoded nor JSON (`unsupported_media_type`, `error`: `invalid_request`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts (`rate_limited`, `error`: `invalid_request`)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
#[post("/auth/token")]
pub async fn create_token(
    req: HttpRequest,
    body: Result<RawBody, ApiError>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let RawBody(body) = body?;
    let Credentials {
        kind,
        name,
        secret,
        basic,
    } = request::read(
        content_type(&req).as_deref(),
        &body,
        req.headers().get(header::AUTHORIZATION),
    )?;
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
        users::authenticate(conn, kind, &lookup, secret.expose())
    })
    .await;
    let user = match checked {
        Ok(Some(user)) => user,
        // The attempt stays counted as a failure.
        Ok(None) => return Err(refusal(kind, basic)),
        Err(e) => {
            state.limiter.abandoned(attempt);
            return Err(e.into());
        }
    };
    state.limiter.succeeded(attempt);
    let role = user.role;
    let (token, _exp) = state
        .keys
        .issue(
            &user.username,
            role,
            user.member_state_list(),
            state.token_ttl_secs,
        )
        .map_err(ApiError::internal)?;
    let scope: Vec<&str> = role.permissions().iter().map(|p| p.as_str()).collect();
    let mut res = HttpResponse::Ok().json(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: state.token_ttl_secs,
        scope: scope.join(" "),
        role,
    });
    oauth::no_store(&mut res);
    Ok(res)
}

/// Wrong credentials, an unknown name, a disabled login or the wrong kind of login, alike:
/// the user's grant is invalid, or the client failed to authenticate.
fn refusal(kind: Kind, basic: bool) -> OAuthError {
    match kind {
        Kind::Person => ApiError::new(
            ErrorCode::InvalidGrant,
            "the user name or password is not valid",
        )
        .into(),
        Kind::Client => OAuthError::invalid_client("client authentication failed", basic),
    }
}
