//! Request extractors whose failures are problem+json like every other error.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, ErrorCode, FieldError};

/// A JSON request body: `Content-Type: application/json` required (415 otherwise), the size
/// limit enforced (413), syntax errors 400 `malformed_body`, and type or shape errors 422
/// naming the field at fault.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json =
            content_type(req).is_some_and(|ct| ct == "application/json" || ct.ends_with("+json"));
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "the body must be JSON, sent with Content-Type: application/json",
                ));
            }
            let bytes = bytes.await.map_err(payload_error)?;
            parse_json(&bytes).map(Body)
        })
    }
}

/// A raw body, for handlers that accept more than JSON; limit and read errors as [`Body`].
pub struct RawBody(pub web::Bytes);

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move { bytes.await.map(RawBody).map_err(payload_error) })
    }
}

/// The media type of the request, lower-cased, without parameters.
pub fn content_type(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Maps a body-reading failure: too large → 413, too slow → 408 (the request middleware
/// answers that one whatever the handler does), anything else → 400.
pub fn payload_error(e: actix_web::Error) -> ApiError {
    if e.as_error::<PayloadError>()
        .is_some_and(crate::limits::is_body_timeout)
    {
        return ApiError::new(
            ErrorCode::RequestTimeout,
            "the request body did not arrive in time",
        );
    }
    let too_large = e
        .as_error::<PayloadError>()
        .is_some_and(|p| matches!(p, PayloadError::Overflow))
        || e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
    if too_large {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            "the request body is larger than this service accepts",
        )
    } else {
        ApiError::new(
            ErrorCode::MalformedBody,
            "the request body could not be read",
        )
    }
}

/// Deserializes JSON, reporting the path of the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new(
                ErrorCode::MalformedBody,
                format!("the body is not valid JSON: {inner}"),
            );
        }
        let path = e.path().to_string();
        let message = inner.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        let (field, code) = if let Some(name) = between_backticks(&message, "missing field") {
            (join_path(&path, &name), "required")
        } else if let Some(name) = between_backticks(&message, "unknown field") {
            // The path already ends at the unknown field.
            (if path == "." { name } else { path }, "unknown_field")
        } else {
            (
                if path == "." { "body".to_owned() } else { path },
                "invalid_type",
            )
        };
        ApiError::validation(vec![FieldError::new(field, code, message)])
    })
}

fn between_backticks(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?.trim_start();
    let rest = rest.strip_prefix('`')?;
    Some(rest.split('`').next()?.to_owned())
}

fn join_path(path: &str, field: &str) -> String {
    if path == "." || path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// For PATCH bodies: distinguishes an absent field (`None`) from an explicit `null`
/// (`Some(None)`), so a client can clear a value.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// The version a client expects, from `If-Match: "v3"`; `*` or no header means any.
/// A header that names no version of ours can never match: 412.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::precondition_failed())?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or_else(ApiError::precondition_failed)
}

/// The strong entity tag of a record version.
pub fn etag(version: i64) -> header::EntityTag {
    header::EntityTag::new_strong(format!("v{version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        year: i32,
    }

    fn field_of(json: &str) -> (String, String) {
        match parse_json::<Sample>(json.as_bytes()).unwrap_err() {
            ApiError::Client { code, errors, .. } => (
                code.as_str().to_owned(),
                errors.first().map(|e| e.field.clone()).unwrap_or_default(),
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        assert_eq!(field_of("{"), ("malformed_body".into(), String::new()));
        assert_eq!(field_of("{}"), ("validation_failed".into(), "name".into()));
        assert_eq!(
            field_of(r#"{"name": 1}"#),
            ("validation_failed".into(), "name".into())
        );
        assert_eq!(
            field_of(r#"{"name": "a", "inner": {"year": "x"}}"#),
            ("validation_failed".into(), "inner.year".into())
        );
        assert_eq!(
            field_of(r#"{"name": "a", "colour": 1}"#),
            ("validation_failed".into(), "colour".into())
        );
    }
}
