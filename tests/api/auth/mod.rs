//! Authentication: bearer tokens, the OAuth 2.0 token endpoint, and its failed-login limits.

mod limits;
mod token_endpoint;
mod tokens;

use crate::support::{Resp, TestApp};
use devfund::auth::Role;
use serde_json::{Value, json};

pub async fn add_user(app: &TestApp, username: &str, role: &str, kind: &str, password: &str) {
    app.post("/api/v1/users")
        .signed_as(Role::Admin)
        .json(&json!({"username": username, "role": role, "kind": kind, "password": password}))
        .send()
        .await
        .assert_status(201);
}

/// A form-encoded token request.
pub async fn token_form(app: &TestApp, body: &str) -> Resp {
    app.post("/api/v1/auth/token")
        .raw(
            "application/x-www-form-urlencoded",
            body.as_bytes().to_vec(),
        )
        .send()
        .await
}

pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// Asserts an answer of the token endpoint that refuses: a problem with `code`, which is also
/// an RFC 6749 error response with `error`, and never cached.
#[track_caller]
pub fn assert_oauth(r: &Resp, status: u16, code: &str, error: &str) -> Value {
    let doc = r.assert_problem(status, code);
    assert_eq!(doc["error"], error, "{doc}");
    let description = doc["error_description"]
        .as_str()
        .expect("error_description");
    assert!(
        !description.is_empty()
            && description
                .chars()
                .all(|c| (' '..='~').contains(&c) && c != '"' && c != '\\'),
        "{description}"
    );
    for key in ["type", "title", "detail", "instance"] {
        assert!(doc[key].is_string(), "{key}: {doc}");
    }
    assert_no_store(r);
    doc
}

#[track_caller]
pub fn assert_no_store(r: &Resp) {
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.header("pragma").as_deref(), Some("no-cache"));
}
