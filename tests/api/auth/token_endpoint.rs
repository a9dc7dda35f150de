//! `POST /api/v1/auth/token`: the grants, HTTP Basic client authentication, and the
//! OAuth-shaped refusals.

use super::{add_user, assert_no_store, assert_oauth, basic, token_form};
use crate::db_test;
use devfund::auth::Role;
use serde_json::json;

db_test!(people_sign_in_with_the_password_grant, |app| {
    add_user(
        &app,
        "alice",
        "fund_manager",
        "person",
        "correct horse battery",
    )
    .await;
    let r = token_form(
        &app,
        "grant_type=password&username=alice&password=correct+horse+battery",
    )
    .await;
    let body = r.assert_status(200).json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["role"], "fund_manager");
    assert_eq!(body["expires_in"], 3600);
    assert!(
        body["scope"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|s| s == "projects:approve"),
        "{body}"
    );
    assert_no_store(&r);
    let me = app
        .get("/api/v1/auth/me")
        .bearer(body["access_token"].as_str().unwrap())
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(me["sub"], "alice");
    // As Swagger UI's Authorize button sends it: an empty Basic client and a scope.
    app.post("/api/v1/auth/token")
        .header("authorization", &basic("", ""))
        .raw(
            "application/x-www-form-urlencoded",
            b"grant_type=password&username=alice&password=correct+horse+battery&scope=projects%3Aread"
                .to_vec(),
        )
        .send()
        .await
        .assert_status(200);
    // JSON works too; a wrong password is an invalid grant.
    let r = app
        .post("/api/v1/auth/token")
        .json(
            &json!({"grant_type": "password", "username": "alice", "password": "wrong password!"}),
        )
        .send()
        .await;
    assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
    let r = token_form(
        &app,
        "grant_type=password&username=nobody&password=whatever",
    )
    .await;
    assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
});

db_test!(service_clients_use_client_credentials, |app| {
    add_user(
        &app,
        "reporting-system",
        "viewer",
        "client",
        "s3cret-s3cret-s3cret",
    )
    .await;
    let r = app
        .post("/api/v1/auth/token")
        .json(&json!({"grant_type": "client_credentials", "client_id": "reporting-system", "client_secret": "s3cret-s3cret-s3cret"}))
        .send()
        .await;
    assert_eq!(r.assert_status(200).json()["role"], "viewer");
    // A client's secret is no user's password.
    let r = app
        .post("/api/v1/auth/token")
        .json(&json!({"grant_type": "password", "username": "reporting-system", "password": "s3cret-s3cret-s3cret"}))
        .send()
        .await;
    assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
    // A wrong secret in the body: 401, without a Basic challenge.
    let r = token_form(
        &app,
        "grant_type=client_credentials&client_id=reporting-system&client_secret=wrong-wrong-wrong",
    )
    .await;
    assert_oauth(&r, 401, "invalid_client", "invalid_client");
    assert_eq!(r.header("www-authenticate"), None);
    let r = app
        .post("/api/v1/auth/token")
        .json(&json!({"grant_type": "implicit"}))
        .send()
        .await;
    assert_oauth(&r, 400, "unsupported_grant_type", "unsupported_grant_type");
    let r = token_form(&app, "grant_type=client_credentials").await;
    let doc = assert_oauth(&r, 400, "invalid_request", "invalid_request");
    let fields: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["client_id", "client_secret"]);
});

db_test!(clients_authenticate_with_http_basic, |app| {
    add_user(
        &app,
        "etl@job.example",
        "viewer",
        "client",
        "p@ss:word+100%",
    )
    .await;
    // `curl -u` style: base64(urlencode(id) ":" urlencode(secret)) (RFC 6749 §2.3.1).
    let r = app
        .post("/api/v1/auth/token")
        .header(
            "authorization",
            &basic("etl%40job.example", "p%40ss%3Aword%2B100%25"),
        )
        .raw(
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials".to_vec(),
        )
        .send()
        .await;
    assert_eq!(r.assert_status(200).json()["role"], "viewer");
    assert_no_store(&r);
    let with_header = |header: String, body: &'static str| {
        app.post("/api/v1/auth/token")
            .header("authorization", &header)
            .raw(
                "application/x-www-form-urlencoded",
                body.as_bytes().to_vec(),
            )
            .send()
    };
    // A wrong secret, or a header that is not Basic: 401 with a Basic challenge.
    for header in [
        basic("etl%40job.example", "wrong"),
        "Basic not-base64!".to_owned(),
        "Bearer abc.def.ghi".to_owned(),
    ] {
        let r = with_header(header.clone(), "grant_type=client_credentials").await;
        assert_oauth(&r, 401, "invalid_client", "invalid_client");
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Basic realm=\"devfund\""),
            "{header}"
        );
    }
    // Credentials in the header and in the body: one method per request.
    let r = with_header(
        basic("etl%40job.example", "p%40ss%3Aword%2B100%25"),
        "grant_type=client_credentials&client_id=etl%40job.example",
    )
    .await;
    let doc = assert_oauth(&r, 400, "invalid_request", "invalid_request");
    assert_eq!(doc["errors"][0]["code"], "duplicated");
});

db_test!(malformed_token_requests_are_invalid_request, |app| {
    for (content_type, body) in [
        (
            "application/x-www-form-urlencoded",
            "username=alice&password=pw",
        ),
        (
            "application/x-www-form-urlencoded",
            "grant_type=password&password=pw",
        ),
        (
            "application/x-www-form-urlencoded",
            "grant_type=password&username=a&username=b&password=pw",
        ),
        ("application/json", "{\"grant_type\": "),
        ("application/json", r#"{"grant_type": ["password"]}"#),
    ] {
        let r = app
            .post("/api/v1/auth/token")
            .raw(content_type, body.as_bytes().to_vec())
            .send()
            .await;
        let doc = assert_oauth(&r, 400, "invalid_request", "invalid_request");
        assert!(doc["errors"][0]["field"].is_string(), "{body}: {doc}");
    }
    // A media type the endpoint does not read: 415, with OAuth's error all the same.
    let r = app
        .post("/api/v1/auth/token")
        .raw("text/plain", b"grant_type=password".to_vec())
        .send()
        .await;
    assert_oauth(&r, 415, "unsupported_media_type", "invalid_request");
    let mut huge = b"grant_type=password&username=a&password=".to_vec();
    huge.resize(app.state.max_body_bytes + 1, b'x');
    let r = app
        .post("/api/v1/auth/token")
        .raw("application/x-www-form-urlencoded", huge)
        .send()
        .await;
    assert_oauth(&r, 413, "payload_too_large", "invalid_request");
});

db_test!(
    nul_bytes_and_overlong_credentials_never_reach_the_database,
    |app| {
        let long_name = "a".repeat(257);
        let long_secret = "s".repeat(1025);
        for (body, field, code) in [
            (
                "grant_type=password&username=al%00ice&password=pw".to_owned(),
                "username",
                "nul_byte",
            ),
            (
                "grant_type=password&username=alice&password=p%00w".to_owned(),
                "password",
                "nul_byte",
            ),
            (
                "grant_type=client_credentials&client_id=c%00&client_secret=s".to_owned(),
                "client_id",
                "nul_byte",
            ),
            (
                format!("grant_type=password&username={long_name}&password=pw"),
                "username",
                "too_long",
            ),
            (
                format!("grant_type=client_credentials&client_id=c&client_secret={long_secret}"),
                "client_secret",
                "too_long",
            ),
        ] {
            let r = token_form(&app, &body).await;
            let doc = assert_oauth(&r, 400, "invalid_request", "invalid_request");
            assert_eq!(
                (
                    doc["errors"][0]["field"].as_str(),
                    doc["errors"][0]["code"].as_str()
                ),
                (Some(field), Some(code)),
                "{doc}"
            );
            assert!(doc["detail"].as_str().unwrap().starts_with(field), "{doc}");
        }
    }
);

db_test!(disabled_logins_cannot_sign_in, |app| {
    add_user(&app, "bob", "viewer", "person", "bob-password-123").await;
    app.patch("/api/v1/users/bob")
        .signed_as(Role::Admin)
        .json(&json!({"disabled": true}))
        .send()
        .await
        .assert_status(200);
    let r = app
        .post("/api/v1/auth/token")
        .json(&json!({"grant_type": "password", "username": "bob", "password": "bob-password-123"}))
        .send()
        .await;
    assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
});
