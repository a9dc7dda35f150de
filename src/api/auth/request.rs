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

use actix_web::http::header::HeaderValue;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use utoipa::ToSchema;

use super::oauth::OAuthError;
use crate::config::Secret;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::services::users::Kind;

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

/// The engine for Basic credentials: standard alphabet, padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `Basic base64(urlencode(id) ":" urlencode(secret))` → (id, secret); anything else in the
/// `Authorization` header is a failed client authentication.
fn basic_credentials(value: &HeaderValue) -> Result<(String, String), OAuthError> {
    let refuse = |why: &str| {
        OAuthError::invalid_client(
            format!("the Authorization header {why}; send Basic base64(client_id:client_secret)"),
            true,
        )
    };
    let text = value.to_str().map_err(|_| refuse("is not ASCII"))?;
    let (scheme, token) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| refuse("has no credentials"))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(refuse("is not HTTP Basic"));
    }
    let decoded = BASE64
        .decode(token.trim())
        .map_err(|_| refuse("is not valid base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| refuse("is not UTF-8"))?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(|| refuse("has no ':' between client id and secret"))?;
    let id = form_decode(id).ok_or_else(|| refuse("has a badly encoded client id"))?;
    let secret = form_decode(secret).ok_or_else(|| refuse("has a badly encoded client secret"))?;
    Ok((id, secret))
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space, `%XX` a byte); `None`
/// when a `%` escape is broken or the bytes are not UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(b) = input.next() {
        bytes.push(match b {
            b'+' => b' ',
            b'%' => {
                let hex = [input.next()?, input.next()?];
                u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?
            }
            other => other,
        });
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    fn basic(raw: &str) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
        .unwrap()
    }

    fn refusal(r: Result<Credentials, OAuthError>) -> (u16, String, Vec<String>) {
        let e = r.expect_err("refused");
        let res = actix_web::ResponseError::error_response(&e);
        let body = actix_web::body::MessageBody::try_into_bytes(res.into_body()).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let fields = doc["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["field"].as_str().unwrap(),
                    e["code"].as_str().unwrap()
                )
            })
            .collect();
        (
            doc["status"].as_u64().unwrap() as u16,
            doc["code"].as_str().unwrap().to_owned(),
            fields,
        )
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = basic("my%20client:s%3Acret+1%25");
        let (id, secret) = basic_credentials(&header).unwrap();
        assert_eq!((id.as_str(), secret.as_str()), ("my client", "s:cret 1%"));
        let c = read(FORM, b"grant_type=client_credentials", Some(&header)).unwrap();
        assert_eq!(
            (c.kind, c.name.as_str(), c.basic),
            (Kind::Client, "my client", true)
        );
    }

    #[test]
    fn malformed_basic_headers_are_invalid_client() {
        let cases = [
            HeaderValue::from_static("Basic"),
            HeaderValue::from_static("Basic !!!notbase64"),
            HeaderValue::from_static("Bearer abc"),
            basic("no-colon"),
            basic("bad%zzescape:secret"),
            basic("id:%FF"),
        ];
        for header in cases {
            let (status, code, _) =
                refusal(read(FORM, b"grant_type=client_credentials", Some(&header)));
            assert_eq!(
                (status, code.as_str()),
                (401, "invalid_client"),
                "{header:?}"
            );
        }
    }

    #[test]
    fn credentials_in_both_header_and_body_are_invalid_request() {
        let r = read(
            FORM,
            b"grant_type=client_credentials&client_id=a&client_secret=b",
            Some(&basic("a:b")),
        );
        assert_eq!(
            refusal(r),
            (
                400,
                "invalid_request".into(),
                vec!["client_id:duplicated".into()]
            )
        );
    }

    #[test]
    fn the_password_grant_ignores_an_empty_basic_header() {
        let c = read(
            FORM,
            b"grant_type=password&username=alice&password=pw&scope=x",
            Some(&basic(":")),
        )
        .unwrap();
        assert_eq!(
            (c.kind, c.name.as_str(), c.secret.expose(), c.basic),
            (Kind::Person, "alice", "pw", false)
        );
    }

    #[test]
    fn missing_repeated_and_unknown_parameters() {
        let expect = |body: &str, code: &str, fields: &[&str]| {
            let (status, got, got_fields) = refusal(read(FORM, body.as_bytes(), None));
            assert_eq!(
                (
                    status,
                    got.as_str(),
                    got_fields.iter().map(String::as_str).collect()
                ),
                (400, code, fields.to_vec()),
                "{body}"
            );
        };
        expect(
            "username=a&password=b",
            "invalid_request",
            &["grant_type:required"],
        );
        expect(
            "grant_type=password&username=&password=b",
            "invalid_request",
            &["username:required"],
        );
        expect(
            "grant_type=client_credentials",
            "invalid_request",
            &["client_id:required", "client_secret:required"],
        );
        expect(
            "grant_type=password&username=a&username=b&password=c",
            "invalid_request",
            &["body:malformed"],
        );
        expect("grant_type=implicit", "unsupported_grant_type", &[]);
        expect(
            "grant_type=password&username=a&password=b&client_secret=%00",
            "invalid_request",
            &["client_secret:nul_byte"],
        );
    }

    #[test]
    fn nul_bytes_and_overlong_values_are_refused_by_field() {
        let long = "x".repeat(MAX_NAME_BYTES + 1);
        let body = format!("grant_type=password&username={long}&password=a%00b");
        let (status, code, fields) = refusal(read(FORM, body.as_bytes(), None));
        assert_eq!((status, code.as_str()), (400, "invalid_request"));
        assert_eq!(fields, ["username:too_long", "password:nul_byte"]);
        let ok = "x".repeat(MAX_NAME_BYTES);
        let body = format!(
            "grant_type=password&username={ok}&password={}",
            "p".repeat(MAX_SECRET_BYTES)
        );
        assert!(read(FORM, body.as_bytes(), None).is_ok());
    }

    #[test]
    fn json_bodies_are_read_and_other_media_types_refused() {
        let c = read(
            Some("application/json"),
            br#"{"grant_type": "client_credentials", "client_id": "svc", "client_secret": "s"}"#,
            None,
        )
        .unwrap();
        assert_eq!(
            (c.kind, c.name.as_str(), c.basic),
            (Kind::Client, "svc", false)
        );
        let (_, code, fields) = refusal(read(
            Some("application/json"),
            br#"{"grant_type": 5}"#,
            None,
        ));
        assert_eq!(
            (code.as_str(), fields),
            ("invalid_request", vec!["body:malformed".to_owned()])
        );
        let (status, code, _) = refusal(read(Some("text/plain"), b"grant_type=password", None));
        assert_eq!((status, code.as_str()), (415, "unsupported_media_type"));
    }
}
