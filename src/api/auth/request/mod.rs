//! Reading a token request (RFC 6749 §3.2, §4.3, §4.4) into who asks and with what secret,
//! before anything reaches the limiter or the database.
//!
//! - The body is `application/x-www-form-urlencoded` (or JSON); empty parameters count as
//!   absent, unknown ones (`scope`, …) are ignored, a repeated one is `invalid_request`
//!   (§3.2).
//! - A client authenticates with HTTP Basic, `base64(urlencode(id) ":" urlencode(secret))`
//!   (§2.3.1, which servers must support), or with `client_id` and `client_secret` in the
//!   body; using both is `invalid_request`, a malformed `Authorization` header is 401
//!   `invalid_client`.
//! - The password grant authenticates the user, not a client: the service registers no OAuth
//!   clients for it (Swagger UI, for one, sends an empty `Basic Og==`), so client
//!   credentials sent with it are checked for shape and otherwise ignored.
//! - Names and secrets are bounded (256 and 1024 bytes) and may not hold a NUL byte, which
//!   PostgreSQL refuses in text.

mod basic;

use actix_web::http::header::HeaderValue;
use serde::Deserialize;
use utoipa::ToSchema;

use super::oauth::OAuthError;
use crate::config::Secret;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::services::users::Kind;
use basic::basic_credentials;

/// Longest user name or client id accepted, in bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// Longest password or client secret accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 1024;

/// A token request, form-encoded (`application/x-www-form-urlencoded`, as OAuth 2.0 has it)
/// or JSON. Unknown parameters are ignored.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `password` or `client_credentials`.
    #[schema(required = true, value_type = String)]
    pub grant_type: Option<String>,
    /// The password grant: the user's name.
    #[schema(max_length = 256)]
    pub username: Option<String>,
    /// The password grant: the user's password.
    #[schema(max_length = 1024)]
    pub password: Option<String>,
    /// The client credentials grant, when not sent with HTTP Basic: the client's id.
    #[schema(max_length = 256)]
    pub client_id: Option<String>,
    /// The client credentials grant, when not sent with HTTP Basic: the client's secret.
    #[schema(max_length = 1024)]
    pub client_secret: Option<String>,
    /// Accepted and ignored: a token carries its role's permissions, which the answer's
    /// `scope` lists.
    pub scope: Option<String>,
}

/// Who asks for a token, and with what secret.
#[derive(Debug)]
pub struct Credentials {
    pub kind: Kind,
    pub name: String,
    pub secret: Secret,
    /// The client authenticated with HTTP Basic (a failure then challenges it).
    pub basic: bool,
}

/// Reads the body (of media type `content_type`) and the `Authorization` header.
pub fn read(
    content_type: Option<&str>,
    body: &[u8],
    authorization: Option<&HeaderValue>,
) -> Result<Credentials, OAuthError> {
    let request = parse_body(content_type, body)?;
    let header_client = authorization.map(basic_credentials).transpose()?;
    let body_client = (present(request.client_id), present(request.client_secret));
    if header_client.is_some() && (body_client.0.is_some() || body_client.1.is_some()) {
        return Err(invalid(vec![FieldError::new(
            "client_id",
            "duplicated",
            "client credentials were sent both in the Authorization header and in the body; use one",
        )]));
    }
    let grant = present(request.grant_type).ok_or_else(|| {
        invalid(vec![FieldError::new(
            "grant_type",
            "required",
            "is required: password or client_credentials",
        )])
    })?;
    let kind = match grant.as_str() {
        "password" => Kind::Person,
        "client_credentials" => Kind::Client,
        other => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedGrantType,
                format!(
                    "grant_type {other:?} is not supported; use password or client_credentials"
                ),
            )
            .into());
        }
    };
    let basic = header_client.is_some();
    // The client's credentials, from whichever place they came; an empty Basic part is absent.
    let (client_id, client_secret) = match header_client {
        Some((id, secret)) => (present(Some(id)), present(Some(secret))),
        None => body_client,
    };
    let mut errors = Vec::new();
    // Checked under every grant, so that none lets a NUL byte through.
    check(
        "client_id",
        client_id.as_deref(),
        MAX_NAME_BYTES,
        &mut errors,
    );
    check(
        "client_secret",
        client_secret.as_deref(),
        MAX_SECRET_BYTES,
        &mut errors,
    );
    let (name, secret) = match kind {
        Kind::Person => {
            let (username, password) = (present(request.username), present(request.password));
            check("username", username.as_deref(), MAX_NAME_BYTES, &mut errors);
            check(
                "password",
                password.as_deref(),
                MAX_SECRET_BYTES,
                &mut errors,
            );
            (
                required("username", username, &mut errors),
                required("password", password, &mut errors),
            )
        }
        Kind::Client => (
            required("client_id", client_id, &mut errors),
            required("client_secret", client_secret, &mut errors),
        ),
    };
    match (name, secret) {
        (Some(name), Some(secret)) if errors.is_empty() => Ok(Credentials {
            kind,
            name,
            secret: Secret::new(secret),
            basic: basic && kind == Kind::Client,
        }),
        _ => Err(invalid(errors)),
    }
}

/// RFC 6749 §3.2: a parameter sent empty is treated as absent.
fn present(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.is_empty())
}

fn required(field: &str, value: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    if value.is_none() {
        errors.push(FieldError::new(
            field,
            "required",
            "is required for this grant",
        ));
    }
    value
}

fn invalid(errors: Vec<FieldError>) -> OAuthError {
    if errors.is_empty() {
        ApiError::new(ErrorCode::InvalidRequest, "the token request is not valid").into()
    } else {
        ApiError::fields(ErrorCode::InvalidRequest, errors).into()
    }
}

/// A NUL byte or too many bytes in `value`.
fn check(field: &str, value: Option<&str>, max: usize, errors: &mut Vec<FieldError>) {
    let Some(value) = value else { return };
    if value.contains('\0') {
        errors.push(FieldError::new(
            field,
            "nul_byte",
            "must not contain a NUL byte",
        ));
    } else if value.len() > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("must be at most {max} bytes"),
        ));
    }
}

fn parse_body(content_type: Option<&str>, body: &[u8]) -> Result<TokenRequest, OAuthError> {
    match content_type {
        Some("application/x-www-form-urlencoded") => serde_urlencoded::from_bytes(body)
            .map_err(|e| malformed(format!("the form body is not valid: {e}"))),
        Some("application/json") => serde_json::from_slice(body).map_err(|e| {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            malformed(format!("the JSON body is not valid: {message}"))
        }),
        _ => Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the token request as application/x-www-form-urlencoded or application/json",
        )
        .into()),
    }
}

fn malformed(message: String) -> OAuthError {
    invalid(vec![FieldError::new("body", "malformed", message)])
}

#[cfg(test)]
mod tests;
