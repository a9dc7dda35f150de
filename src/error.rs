//! The one error type of the service and its table of codes, rendered as RFC 9457
//! `application/problem+json`.
//!
//! Every rejected request, whether refused by a handler, an extractor, the router or the
//! database, ends up here; [`ErrorCode::spec`] is the single table of code → status → title.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::request_context;

/// Stable, machine-readable error codes. Clients match on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    MalformedBody,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    InvalidTransition,
    RequestTimeout,
    PayloadTooLarge,
    UnsupportedMediaType,
    RequestHeaderFieldsTooLarge,
    ValidationFailed,
    RuleViolation,
    RateLimited,
    Internal,
    Unavailable,
    /// OAuth 2.0 (RFC 6749 §5.2), on the token endpoint only: a parameter is missing, repeated
    /// or malformed, or client credentials came by two methods.
    InvalidRequest,
    /// OAuth 2.0: the user name or password of the password grant is wrong.
    InvalidGrant,
    /// OAuth 2.0: a grant type other than `password` and `client_credentials`.
    UnsupportedGrantType,
    /// OAuth 2.0: client authentication (`client_credentials`, or a malformed HTTP Basic
    /// header) failed.
    InvalidClient,
}

impl ErrorCode {
    /// The table: code, HTTP status, title.
    pub const fn spec(self) -> (&'static str, StatusCode, &'static str) {
        use ErrorCode::*;
        match self {
            BadRequest => ("bad_request", StatusCode::BAD_REQUEST, "Bad request"),
            MalformedBody => (
                "malformed_body",
                StatusCode::BAD_REQUEST,
                "Malformed request body",
            ),
            Unauthorized => ("unauthorized", StatusCode::UNAUTHORIZED, "Unauthorized"),
            Forbidden => ("forbidden", StatusCode::FORBIDDEN, "Forbidden"),
            NotFound => ("not_found", StatusCode::NOT_FOUND, "Not found"),
            MethodNotAllowed => (
                "method_not_allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
            ),
            NotAcceptable => (
                "not_acceptable",
                StatusCode::NOT_ACCEPTABLE,
                "Not acceptable",
            ),
            Conflict => ("conflict", StatusCode::CONFLICT, "Conflict"),
            PreconditionFailed => (
                "precondition_failed",
                StatusCode::PRECONDITION_FAILED,
                "Precondition failed",
            ),
            PreconditionRequired => (
                "precondition_required",
                StatusCode::PRECONDITION_REQUIRED,
                "Precondition required",
            ),
            InvalidTransition => (
                "invalid_transition",
                StatusCode::CONFLICT,
                "Invalid transition",
            ),
            RequestTimeout => (
                "request_timeout",
                StatusCode::REQUEST_TIMEOUT,
                "Request timeout",
            ),
            PayloadTooLarge => (
                "payload_too_large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
            ),
            UnsupportedMediaType => (
                "unsupported_media_type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
            ),
            RequestHeaderFieldsTooLarge => (
                "request_header_fields_too_large",
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "Request header fields too large",
            ),
            ValidationFailed => (
                "validation_failed",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Validation failed",
            ),
            RuleViolation => (
                "rule_violation",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Rule violation",
            ),
            RateLimited => (
                "rate_limited",
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
            ),
            Internal => (
                "internal",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
            ),
            Unavailable => (
                "unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
            ),
            InvalidRequest => (
                "invalid_request",
                StatusCode::BAD_REQUEST,
                "Invalid token request",
            ),
            InvalidGrant => ("invalid_grant", StatusCode::BAD_REQUEST, "Invalid grant"),
            UnsupportedGrantType => (
                "unsupported_grant_type",
                StatusCode::BAD_REQUEST,
                "Unsupported grant type",
            ),
            InvalidClient => (
                "invalid_client",
                StatusCode::UNAUTHORIZED,
                "Client authentication failed",
            ),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.spec().0
    }

    pub fn status(self) -> StatusCode {
        self.spec().1
    }
}

/// One field-level problem, named by its JSON path (`member_states[1].iso3`) or parameter.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, query parameter or path parameter at fault.
    pub field: String,
    /// A stable code for the problem, e.g. `invalid_iso3`, `required`, `unknown_region`.
    pub code: String,
    pub message: String,
    /// The facts behind a rule violation (line, scope, rule version, state, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
            details: None,
        }
    }
}

/// An RFC 9457 problem document, as every error response carries it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `urn:devfund:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The request path.
    pub instance: Option<String>,
    /// The stable error code (see the table in the API documentation).
    pub code: &'static str,
    pub request_id: Option<String>,
    /// Per-field problems (validation and rule violations).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// On answers of the OAuth 2.0 token endpoint only: the RFC 6749 §5.2 error code, equal to
    /// `code` on 400 and 401; `invalid_request` on 413, 415 and 429; `server_error` and
    /// `temporarily_unavailable` on 500 and 503.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// On answers of the token endpoint only: `detail` restricted to the characters RFC 6749
    /// allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// Every way a request can fail. Internal causes are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    Client {
        code: ErrorCode,
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("rate limited: {detail}")]
    RateLimited {
        detail: String,
        retry_after_secs: u64,
    },
    #[error("unavailable: {cause}")]
    Unavailable { cause: anyhow::Error },
    #[error("internal: {cause:#}")]
    Internal { cause: anyhow::Error },
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError::Client {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, detail)
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            ErrorCode::PreconditionFailed,
            "the resource changed since you read it; fetch it again and retry with its new ETag",
        )
    }

    /// 422 `validation_failed` with one entry per field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::fields(ErrorCode::ValidationFailed, errors)
    }

    /// An error with `code` listing the fields at fault; the detail names the one field, or
    /// counts them.
    pub fn fields(code: ErrorCode, errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        ApiError::Client {
            code,
            detail,
            errors,
        }
    }

    /// A 400 naming the query or path parameter at fault.
    pub fn bad_parameter(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::Client {
            code: ErrorCode::ValidationFailed,
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, "invalid_parameter", message)],
        }
        .with_status_400()
    }

    fn with_status_400(self) -> Self {
        match self {
            ApiError::Client { detail, errors, .. } => ApiError::Client {
                code: ErrorCode::BadRequest,
                detail,
                errors,
            },
            other => other,
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal {
            cause: cause.into(),
        }
    }

    pub fn pool(e: r2d2::Error) -> Self {
        ApiError::Unavailable {
            cause: anyhow::anyhow!("no database connection: {e}"),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Client { code, .. } => *code,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::Unavailable { .. } => ErrorCode::Unavailable,
            ApiError::Internal { .. } => ErrorCode::Internal,
            ApiError::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Client { detail, .. } | ApiError::RateLimited { detail, .. } => {
                detail.clone()
            }
            ApiError::Unavailable { .. } => {
                "the database is unavailable; retry after the indicated delay".to_owned()
            }
            ApiError::Internal { .. } => {
                "an unexpected error occurred; quote the request id when reporting it".to_owned()
            }
            ApiError::MethodNotAllowed { allow } => {
                format!("this path answers only {allow}")
            }
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match &e {
            Error::NotFound => ApiError::not_found("record"),
            Error::DatabaseError(Kind::UniqueViolation, _) => {
                ApiError::conflict("a record with this key already exists")
            }
            Error::DatabaseError(Kind::ForeignKeyViolation, info) => {
                tracing::info!(detail = info.message(), "foreign key violation");
                ApiError::new(
                    ErrorCode::ValidationFailed,
                    "the request refers to a record that does not exist, or removes one still in use",
                )
            }
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
                ApiError::Unavailable { cause: e.into() }
            }
            Error::DatabaseError(Kind::Unknown, info)
                if info.message().contains("database is locked") =>
            {
                ApiError::Unavailable { cause: e.into() }
            }
            _ => ApiError::internal(e),
        }
    }
}

impl ApiError {
    /// The problem document of this error. Logs the cause of a 5xx, once: call it once per
    /// response.
    pub fn problem(&self) -> Problem {
        let (code_str, status, title) = self.code().spec();
        let ctx = request_context::current();
        match self {
            ApiError::Internal { cause } | ApiError::Unavailable { cause } => {
                tracing::error!(code = code_str, error = %format!("{cause:#}"), "request failed");
            }
            _ => {}
        }
        let errors = match self {
            ApiError::Client { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            type_: format!("urn:devfund:problem:{code_str}"),
            title,
            status: status.as_u16(),
            detail: self.detail(),
            instance: ctx.as_ref().map(|c| c.path.clone()),
            code: code_str,
            request_id: ctx.map(|c| c.request_id),
            errors,
            error: None,
            error_description: None,
        }
    }

    /// The status, `Content-Type: application/problem+json` and the headers this error
    /// carries (`Retry-After`, `Allow`, `WWW-Authenticate`); the body is the caller's.
    pub fn response_builder(&self) -> HttpResponseBuilder {
        let mut res = HttpResponse::build(self.code().status());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            ApiError::RateLimited {
                retry_after_secs, ..
            } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable { .. } => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(v) = HeaderValue::from_str(allow) {
                    res.insert_header((header::ALLOW, v));
                }
            }
            ApiError::Client {
                code: ErrorCode::Unauthorized,
                ..
            } => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"devfund\""));
            }
            _ => {}
        }
        res
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        self.response_builder()
            .body(serde_json::to_vec(&problem).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_snake_case_name() {
        use ErrorCode::*;
        let all = [
            BadRequest,
            MalformedBody,
            Unauthorized,
            Forbidden,
            NotFound,
            MethodNotAllowed,
            NotAcceptable,
            Conflict,
            PreconditionFailed,
            PreconditionRequired,
            InvalidTransition,
            RequestTimeout,
            PayloadTooLarge,
            UnsupportedMediaType,
            RequestHeaderFieldsTooLarge,
            ValidationFailed,
            RuleViolation,
            RateLimited,
            Internal,
            Unavailable,
            InvalidRequest,
            InvalidGrant,
            UnsupportedGrantType,
            InvalidClient,
        ];
        let names: std::collections::BTreeSet<_> = all.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), all.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::internal(anyhow::anyhow!("password=hunter2 at db.internal"));
        assert!(!e.detail().contains("hunter2"));
        assert_eq!(e.code().status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
