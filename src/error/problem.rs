//! The RFC 9457 problem document every error response carries, and the response an
//! [`ApiError`] makes: status, `Content-Type: application/problem+json`, the headers its kind
//! needs, and the body.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiError, ErrorCode};
use crate::request_context;

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
