//! Request extractors whose failures are problem+json like every other error.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::strict_json::Strict;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::services::Precondition;

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
    if e.as_error::<PayloadError>().is_some_and(is_body_timeout) {
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

/// Whether a payload error is the body deadline passing: the request middleware's
/// deadline ([`crate::app::middleware::limits`]) fails a body with a timed-out I/O error.
pub fn is_body_timeout(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

/// Deserializes JSON, reporting the path of the field at fault.
///
/// Two things JSON allows are settled first: a string holding a NUL character is refused
/// (422 naming the field: PostgreSQL cannot store one), and a number with an integral value
/// written as a fraction (`2019.0`, `1e3`) counts as the integer it is, as JSON Schema has it.
/// A struct is read only from an object ([`Strict`]), never from an array of its fields.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedBody,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    parse_value(value)
}

/// [`parse_json`] of a value already parsed (one item of a bulk import).
pub fn parse_value<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, ApiError> {
    if let Some(path) = nul_path(&value, "") {
        let field = if path.is_empty() {
            "body".to_owned()
        } else {
            path
        };
        return Err(ApiError::validation(vec![FieldError::new(
            field,
            "nul_character",
            "must not contain a NUL character (U+0000)",
        )]));
    }
    integral_numbers(&mut value);
    serde_path_to_error::deserialize(Strict(value)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
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

/// The path (`member_states[1].iso3`) of the first string or key holding a NUL.
fn nul_path(value: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(at.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_path(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let here = join_path(at, &k.replace('\0', ""));
            if k.contains('\0') {
                Some(here)
            } else {
                nul_path(v, &here)
            }
        }),
        _ => None,
    }
}

/// Rewrites numbers with an integral value (`2019.0`) as integers, within ±2^53 where a
/// float is exact.
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= EXACT
            {
                #[expect(clippy::cast_possible_truncation, reason = "integral and within ±2^53")]
                let i = f as i64;
                *value = Value::from(i);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
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

/// The precondition of `If-Match` (RFC 9110 §13.1.1): absent, `*`, or a list of entity
/// tags compared strongly, so a weak tag (`W/"v3"`) or a tag that names no version of ours
/// can never match (412).
pub fn if_match(req: &HttpRequest) -> Result<Precondition, ApiError> {
    let mut values = req.headers().get_all(header::IF_MATCH).peekable();
    if values.peek().is_none() {
        return Ok(Precondition::Unstated);
    }
    let mut versions = Vec::new();
    for value in values {
        let text = value
            .to_str()
            .map_err(|_| ApiError::precondition_failed())?;
        match if_match_line(text) {
            Some(IfMatchLine::Any) => return Ok(Precondition::Any),
            Some(IfMatchLine::Strong(tags)) => {
                versions.extend(tags.into_iter().filter_map(version_of_tag));
            }
            // Not `*` nor a list of entity tags (empty, unquoted, a trailing comma): it can
            // match nothing, so the precondition fails, as the document's pattern says.
            None => return Ok(Precondition::Never),
        }
    }
    Ok(if versions.is_empty() {
        Precondition::Never
    } else {
        Precondition::OneOf(versions)
    })
}

/// One `If-Match` field line: `*`, or the opaque parts of its strong entity tags (weak ones
/// are valid but never match a write, RFC 9110 §8.8.3.2).
enum IfMatchLine<'a> {
    Any,
    Strong(Vec<&'a str>),
}

/// Parses `"*" / #entity-tag` exactly as [`crate::api::openapi::IF_MATCH_PATTERN`] states it:
/// one or more entity tags separated by commas and optional whitespace; `None` otherwise.
fn if_match_line(text: &str) -> Option<IfMatchLine<'_>> {
    const OWS: [char; 2] = [' ', '\t'];
    let mut rest = text.trim_matches(OWS);
    if rest == "*" {
        return Some(IfMatchLine::Any);
    }
    let mut strong = Vec::new();
    loop {
        let (weak, tag) = match rest.strip_prefix("W/") {
            Some(tag) => (true, tag),
            None => (false, rest),
        };
        let tag = tag.strip_prefix('"')?;
        let close = tag.find('"')?;
        if !weak {
            strong.push(&tag[..close]);
        }
        rest = tag[close + 1..].trim_start_matches(OWS);
        if rest.is_empty() {
            return Some(IfMatchLine::Strong(strong));
        }
        rest = rest.strip_prefix(',')?.trim_start_matches(OWS);
    }
}

/// The record version an opaque tag of ours names (`v12` → 12), if any.
fn version_of_tag(opaque: &str) -> Option<i64> {
    let digits = opaque.strip_prefix('v')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The strong entity tag of a record version.
pub fn etag(version: i64) -> header::EntityTag {
    header::EntityTag::new_strong(format!("v{version}"))
}

/// Whether `If-None-Match` names `current` (RFC 9110 §13.1.2: `*`, or a tag equal to it by
/// the weak comparison): the client's copy is current and a GET answers 304. A malformed
/// field counts as absent.
pub fn none_match(req: &HttpRequest, current: &header::EntityTag) -> bool {
    use actix_web::http::header::Header;
    match header::IfNoneMatch::parse(req) {
        Ok(header::IfNoneMatch::Any) => true,
        Ok(header::IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(current)),
        Err(_) => false,
    }
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
        assert_eq!(
            field_of(r#"{"name": "a\u0000b"}"#),
            ("validation_failed".into(), "name".into())
        );
        assert_eq!(
            field_of(r#"{"name": "a", "inner": {"year": 2019.5}}"#),
            ("validation_failed".into(), "inner.year".into())
        );
        assert!(parse_json::<Sample>(br#"{"name": "a", "inner": {"year": 2019.0}}"#).is_ok());
    }
}

#[cfg(test)]
mod if_match_tests {
    use super::*;

    fn parse(values: &[&str]) -> Precondition {
        let mut req = actix_web::test::TestRequest::default();
        for v in values {
            req = req.append_header((header::IF_MATCH, *v));
        }
        if_match(&req.to_http_request()).unwrap()
    }

    #[test]
    fn if_match_compares_strongly_and_takes_lists_and_any() {
        assert_eq!(parse(&[]), Precondition::Unstated);
        assert_eq!(parse(&["*"]), Precondition::Any);
        assert_eq!(parse(&["\"v3\""]), Precondition::OneOf(vec![3]));
        assert_eq!(parse(&["\"v0\", \"v2\""]), Precondition::OneOf(vec![0, 2]));
        assert_eq!(
            parse(&["\"v1\"", "\"v2\""]),
            Precondition::OneOf(vec![1, 2])
        );
        assert_eq!(parse(&["W/\"v3\""]), Precondition::Never);
        assert_eq!(parse(&["\"abc\""]), Precondition::Never);
        assert_eq!(parse(&["W/\"v3\", \"v4\""]), Precondition::OneOf(vec![4]));
    }

    #[test]
    fn if_match_accepts_exactly_what_the_document_pattern_states() {
        let schema =
            serde_json::json!({"type": "string", "pattern": crate::api::openapi::IF_MATCH_PATTERN});
        let pattern = jsonschema::validator_for(&schema).expect("pattern compiles");
        for text in [
            "*",
            " * ",
            "\"v1\"",
            "\"v1\",\"v2\"",
            "\"v1\" ,\t\"v2\"",
            "W/\"v1\"",
            "\"\"",
            "\"a,b\"",
            "",
            " ",
            "v1",
            "\"v1\",",
            ",\"v1\"",
            "\"v1\" \"v2\"",
            "\"v1",
            "*, \"v1\"",
            "W/v1",
            "\"v1\",,\"v2\"",
        ] {
            assert_eq!(
                if_match_line(text).is_some(),
                pattern.is_valid(&serde_json::json!(text)),
                "{text:?}"
            );
        }
        assert_eq!(parse(&["\"v1\","]), Precondition::Never);
        assert_eq!(parse(&[""]), Precondition::Never);
        assert_eq!(parse(&["\"v+1\""]), Precondition::Never);
    }
}
