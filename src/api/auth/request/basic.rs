//! HTTP Basic client authentication (RFC 6749 §2.3.1): `Basic base64(urlencode(id) ":"
//! urlencode(secret))`, padding optional.

use actix_web::http::header::HeaderValue;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::super::oauth::OAuthError;

/// The engine for Basic credentials: standard alphabet, padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `Basic base64(urlencode(id) ":" urlencode(secret))` → (id, secret); anything else in the
/// `Authorization` header is a failed client authentication.
pub(super) fn basic_credentials(value: &HeaderValue) -> Result<(String, String), OAuthError> {
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
