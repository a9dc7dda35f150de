//! The table of error codes: each code's stable name, HTTP status, title and meaning,
//! declared once in `make_error_codes!`. The enum, [`ErrorCode::ALL`], [`ErrorCode::spec`]
//! and [`ErrorCode::doc`] all come from that one list; the README's table of codes is
//! checked against it.

use actix_web::http::StatusCode;

/// Declares [`ErrorCode`] from rows of `Variant => "code", STATUS, "Title", "when it is
/// answered";` (the style of meilisearch's `make_error_codes!`).
macro_rules! make_error_codes {
    ($($variant:ident => $code:literal, $status:ident, $title:literal, $doc:literal;)+) => {
        /// Stable, machine-readable error codes. Clients match on these; never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the table.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The table: code, HTTP status, title.
            pub const fn spec(self) -> (&'static str, StatusCode, &'static str) {
                match self {
                    $(ErrorCode::$variant => ($code, StatusCode::$status, $title),)+
                }
            }

            /// When the code is answered (the README's table says the same).
            pub const fn doc(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $doc,)+
                }
            }
        }
    };
}

make_error_codes! {
    BadRequest => "bad_request", BAD_REQUEST, "Bad request",
        "a query or path parameter is invalid (named in `errors`)";
    MalformedBody => "malformed_body", BAD_REQUEST, "Malformed request body",
        "the body is not valid JSON";
    Unauthorized => "unauthorized", UNAUTHORIZED, "Unauthorized",
        "no token, or an invalid or expired one";
    Forbidden => "forbidden", FORBIDDEN, "Forbidden",
        "the role lacks the permission";
    NotFound => "not_found", NOT_FOUND, "Not found",
        "no such record or route";
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed",
        "the path exists, the method does not (`Allow` lists them)";
    NotAcceptable => "not_acceptable", NOT_ACCEPTABLE, "Not acceptable",
        "a list or report whose `Accept` allows none of `application/json`, `text/csv` and XLSX";
    Conflict => "conflict", CONFLICT, "Conflict",
        "the record exists already, or is still referenced, or (projects) only a draft can be deleted";
    InvalidTransition => "invalid_transition", CONFLICT, "Invalid transition",
        "the lifecycle has no edge from the project's status to the one asked";
    PreconditionFailed => "precondition_failed", PRECONDITION_FAILED, "Precondition failed",
        "`If-Match` names an old version";
    PreconditionRequired => "precondition_required", PRECONDITION_REQUIRED, "Precondition required",
        "a project write without `If-Match`";
    RequestTimeout => "request_timeout", REQUEST_TIMEOUT, "Request timeout",
        "the body did not finish arriving within `DEVFUND_BODY_TIMEOUT_SECS`; the connection is closed";
    PayloadTooLarge => "payload_too_large", PAYLOAD_TOO_LARGE, "Payload too large",
        "the body is over `DEVFUND_MAX_BODY_BYTES`";
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
        "the body is not JSON";
    RequestHeaderFieldsTooLarge => "request_header_fields_too_large", REQUEST_HEADER_FIELDS_TOO_LARGE,
        "Request header fields too large",
        "one header over 8 KiB, or all over 32 KiB (see Limits)";
    ValidationFailed => "validation_failed", UNPROCESSABLE_ENTITY, "Validation failed",
        "a field is invalid (each listed in `errors` with its own code)";
    RuleViolation => "rule_violation", UNPROCESSABLE_ENTITY, "Rule violation",
        "a Fund rule fails on approval; `errors` lists every failed rule with its `details`";
    ImportRejected => "import_rejected", UNPROCESSABLE_ENTITY, "Import rejected",
        "a bulk import with at least one row error; `errors` lists every row's errors (`row`, `field`, `code`, `message`) and nothing was written";
    RateLimited => "rate_limited", TOO_MANY_REQUESTS, "Too many requests",
        "too many failed sign-ins";
    Internal => "internal", INTERNAL_SERVER_ERROR, "Internal error",
        "unexpected; the detail reveals nothing, the log has the cause and the request id";
    Unavailable => "unavailable", SERVICE_UNAVAILABLE, "Service unavailable",
        "the database is down or saturated; `Retry-After` says when to retry";
    InvalidRequest => "invalid_request", BAD_REQUEST, "Invalid token request",
        "token endpoint: a parameter missing, repeated, too long or with a NUL byte (named in `errors`), a malformed body, or client credentials both in the header and the body";
    InvalidGrant => "invalid_grant", BAD_REQUEST, "Invalid grant",
        "token endpoint: wrong user name or password (or a disabled login)";
    UnsupportedGrantType => "unsupported_grant_type", BAD_REQUEST, "Unsupported grant type",
        "token endpoint: a grant other than `password` and `client_credentials`";
    InvalidClient => "invalid_client", UNAUTHORIZED, "Client authentication failed",
        "token endpoint: client authentication failed, or an `Authorization` header that is not HTTP Basic (`WWW-Authenticate: Basic` when the client used Basic)";
}

impl ErrorCode {
    /// The stable name clients match on, e.g. `validation_failed`.
    pub const fn as_str(self) -> &'static str {
        self.spec().0
    }

    pub const fn status(self) -> StatusCode {
        self.spec().1
    }

    /// The problem document's `title`.
    pub const fn title(self) -> &'static str {
        self.spec().2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_snake_case_name() {
        let names: std::collections::BTreeSet<_> =
            ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
    }

    #[test]
    fn every_code_is_an_error_status() {
        for code in ErrorCode::ALL {
            let status = code.status();
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{code:?}"
            );
        }
    }

    /// The README's table of codes is this table, row for row.
    #[test]
    fn the_readme_lists_every_code_with_its_status_and_meaning() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("| code | status | when |")
            .expect("the README's table of error codes");
        let documented: Vec<&str> = readme[start..]
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .collect();
        let declared: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| {
                format!(
                    "| `{}` | {} | {} |",
                    c.as_str(),
                    c.status().as_u16(),
                    c.doc()
                )
            })
            .collect();
        assert_eq!(documented, declared);
    }
}
