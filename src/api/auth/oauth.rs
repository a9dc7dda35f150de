//! Errors of the token endpoint: RFC 9457 problems that are also RFC 6749 §5.2 error
//! responses.
//!
//! The service answers every refusal with `application/problem+json` and a stable `code`;
//! OAuth 2.0 clients read `error` and `error_description` from the JSON body of a token
//! response. RFC 9457 allows extension members, and OAuth client libraries (Authlib,
//! oauthlib, Spring Security, Swagger UI) parse any JSON body whatever its `+json` media type,
//! so one document carries both: the problem members, plus `error` (equal to `code` on 400
//! and 401) and `error_description`. Like a successful token response, it is never cached
//! (`Cache-Control: no-store`, `Pragma: no-cache`, RFC 6749 §5.1).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::error::{ApiError, ErrorCode};

/// A refusal of the token endpoint.
#[derive(Debug, thiserror::Error)]
#[error("{inner}")]
pub struct OAuthError {
    inner: ApiError,
    /// The client tried HTTP Basic authentication: a 401 challenges it (RFC 6749 §5.2).
    basic_challenge: bool,
}

impl OAuthError {
    /// 401 `invalid_client`. `basic` says the client authenticated with HTTP Basic: the
    /// answer then carries `WWW-Authenticate: Basic realm="devfund"`, as RFC 6749 §5.2
    /// requires. A client that sent its credentials in the body gets no challenge, which would
    /// make a browser open its own sign-in dialog over a page that called the endpoint.
    pub fn invalid_client(detail: impl Into<String>, basic: bool) -> Self {
        OAuthError {
            inner: ApiError::new(ErrorCode::InvalidClient, detail),
            basic_challenge: basic,
        }
    }
}

impl From<ApiError> for OAuthError {
    fn from(inner: ApiError) -> Self {
        OAuthError {
            inner,
            basic_challenge: false,
        }
    }
}

/// The RFC 6749 `error` a token-endpoint problem with `code` carries.
///
/// The four OAuth codes are their own `error`. Every other 4xx is `invalid_request`, the
/// §5.2 code for a request the server will not take as it is:
/// - 413, 415 and a body that is not valid form or JSON are malformed requests;
/// - 429 `rate_limited` too. §5.2 has no code for "wait", and a token client is only bound
///   to understand §5.2's codes. `invalid_grant` would tell the user their (possibly right)
///   password is wrong, `invalid_client` that the client is misconfigured; `slow_down`
///   belongs to the device flow, `temporarily_unavailable` to the authorization endpoint, and
///   some libraries retry at once on the latter. `invalid_request` makes every library
///   (Authlib, oauthlib, Spring) surface `error_description`, which says how long to wait,
///   while the status 429 and `Retry-After` carry the delay for HTTP-level retry logic.
///
/// 5xx carry the OAuth registry's `server_error` and `temporarily_unavailable`.
pub fn oauth_error(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        InvalidRequest | InvalidGrant | UnsupportedGrantType | InvalidClient => code.as_str(),
        Unauthorized => InvalidClient.as_str(),
        RateLimited => InvalidRequest.as_str(),
        BadRequest
        | MalformedBody
        | Forbidden
        | NotFound
        | MethodNotAllowed
        | NotAcceptable
        | RequestTimeout
        | RequestHeaderFieldsTooLarge
        | Conflict
        | PreconditionFailed
        | PreconditionRequired
        | InvalidTransition
        | PayloadTooLarge
        | UnsupportedMediaType
        | ValidationFailed
        | RuleViolation
        | ImportRejected => InvalidRequest.as_str(),
        Internal => "server_error",
        Unavailable => "temporarily_unavailable",
    }
}

/// `detail` within the characters RFC 6749 allows in `error_description` (printable ASCII
/// but `"` and `\`).
fn description(detail: &str) -> String {
    detail
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// Marks a response of the token endpoint as never to be stored (RFC 6749 §5.1).
pub fn no_store(res: &mut HttpResponse) {
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.inner.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut problem = self.inner.problem();
        problem.error = Some(oauth_error(self.inner.code()));
        problem.error_description = Some(description(&problem.detail));
        let mut builder = self.inner.response_builder();
        if self.basic_challenge && self.inner.code() == ErrorCode::InvalidClient {
            builder.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"devfund\""));
        }
        let mut res = builder.body(serde_json::to_vec(&problem).unwrap_or_default());
        no_store(&mut res);
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_codes_are_their_own_error_and_other_refusals_are_invalid_request() {
        for code in [
            ErrorCode::InvalidRequest,
            ErrorCode::InvalidGrant,
            ErrorCode::UnsupportedGrantType,
            ErrorCode::InvalidClient,
        ] {
            assert_eq!(oauth_error(code), code.as_str());
        }
        assert_eq!(oauth_error(ErrorCode::RateLimited), "invalid_request");
        assert_eq!(
            oauth_error(ErrorCode::UnsupportedMediaType),
            "invalid_request"
        );
        assert_eq!(oauth_error(ErrorCode::Internal), "server_error");
    }

    #[test]
    fn descriptions_keep_to_the_characters_oauth_allows() {
        assert_eq!(
            description("grant_type \"implicit\" \\ é\n"),
            "grant_type 'implicit' / ??"
        );
    }

    #[test]
    fn a_basic_challenge_is_sent_only_to_a_client_that_tried_basic() {
        let challenged = OAuthError::invalid_client("no", true).error_response();
        assert_eq!(challenged.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            challenged.headers().get(header::WWW_AUTHENTICATE).unwrap(),
            "Basic realm=\"devfund\""
        );
        let quiet = OAuthError::invalid_client("no", false).error_response();
        assert!(quiet.headers().get(header::WWW_AUTHENTICATE).is_none());
        assert_eq!(
            quiet.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        assert_eq!(quiet.headers().get(header::PRAGMA).unwrap(), "no-cache");
    }
}
