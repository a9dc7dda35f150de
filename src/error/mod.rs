//! The one error type of the service, [`ApiError`], rendered as RFC 9457
//! `application/problem+json`.
//!
//! Every rejected request, whether refused by a handler, an extractor, the router or the
//! database, ends up here:
//! - [`codes`]: the table of codes, each with its status, title and meaning, declared once;
//! - [`problem`]: the problem document and the response it makes;
//! - [`db`]: how diesel and pool errors map to codes (409, 422, 503).

pub mod codes;
pub mod db;
pub mod problem;

pub use codes::ErrorCode;
pub use problem::{FieldError, Problem};

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
        Self::bad_parameter_as(field, "invalid_parameter", message)
    }

    /// A 400 naming the parameter at fault, with a field-error code of its own.
    pub fn bad_parameter_as(field: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::Client {
            code: ErrorCode::ValidationFailed,
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, code, message)],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::internal(anyhow::anyhow!("password=hunter2 at db.internal"));
        assert!(!e.detail().contains("hunter2"));
        assert_eq!(
            e.code().status(),
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
