//! Tokens: what is accepted and what is refused, and the token endpoint.

use std::path::PathBuf;

use crate::db_test;
use crate::support::{JWT_SECRET, Resp, TestApp, backends};
use devfund::auth::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn claims(overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut c = json!({"sub": "mallory", "role": "admin", "iss": "devfund", "aud": "devfund-api", "exp": now + 600, "iat": now});
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn hs256(c: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        c,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn rs256(c: &Value, pem_file: &str) -> String {
    let key = EncodingKey::from_rsa_pem(&std::fs::read(fixture(pem_file)).unwrap()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), c, &key).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[actix_web::test]
async fn every_bad_token_is_refused_with_401() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, |c| {
            c.jwt_public_key_file = Some(fixture("test_rsa_public.pem"))
        })
        .await;
        let now = chrono::Utc::now().timestamp();
        let secret = JWT_SECRET.as_bytes();
        let good = hs256(&claims(json!({})), secret);
        let mut tampered = good.clone();
        tampered.replace_range(tampered.len() - 4.., "AAAA");
        let mut forged_payload: Vec<&str> = good.split('.').collect();
        let evil = b64(&serde_json::to_vec(&claims(json!({"sub": "root"}))).unwrap());
        forged_payload[1] = &evil;
        let alg_none = format!(
            "{}.{}.",
            b64(br#"{"alg":"none","typ":"JWT"}"#),
            b64(&serde_json::to_vec(&claims(json!({}))).unwrap())
        );
        let public_pem = std::fs::read(fixture("test_rsa_public.pem")).unwrap();
        let cases: Vec<(&str, String)> = vec![
            (
                "expired",
                hs256(&claims(json!({"exp": now - 3600})), secret),
            ),
            (
                "not yet valid",
                hs256(&claims(json!({"nbf": now + 3600})), secret),
            ),
            (
                "wrong issuer",
                hs256(&claims(json!({"iss": "someone-else"})), secret),
            ),
            (
                "wrong audience",
                hs256(&claims(json!({"aud": "other-api"})), secret),
            ),
            ("no expiry", hs256(&claims(json!({"exp": null})), secret)),
            (
                "unknown role",
                hs256(&claims(json!({"role": "superuser"})), secret),
            ),
            ("tampered signature", tampered),
            ("forged payload", forged_payload.join(".")),
            ("alg none", alg_none),
            (
                "HS256 signed with the RS256 public key",
                hs256(&claims(json!({})), &public_pem),
            ),
            (
                "signed by an untrusted RSA key",
                rs256(&claims(json!({})), "other_rsa_private.pem"),
            ),
            (
                "wrong secret",
                hs256(&claims(json!({})), b"another-secret-another-secret-0000"),
            ),
            ("garbage", "not.a.token".to_owned()),
            ("empty subject", hs256(&claims(json!({"sub": ""})), secret)),
            (
                "blank subject",
                hs256(&claims(json!({"sub": "  "})), secret),
            ),
        ];
        for (name, token) in cases {
            let r = app.get("/api/v1/auth/me").bearer(&token).send().await;
            assert_eq!(r.status.as_u16(), 401, "{name}: {}", r.text());
            r.assert_problem(401, "unauthorized");
            assert!(r.header("www-authenticate").is_some(), "{name}");
        }
        // The same checks pass a good token of each kind.
        let r = app.get("/api/v1/auth/me").bearer(&good).send().await;
        assert_eq!(r.assert_status(200).json()["sub"], "mallory");
        let r = app
            .get("/api/v1/auth/me")
            .bearer(&rs256(
                &claims(json!({"sub": "idp-user", "role": "viewer"})),
                "test_rsa_private.pem",
            ))
            .send()
            .await;
        let me = r.assert_status(200).json();
        assert_eq!(
            (me["sub"].as_str(), me["role"].as_str()),
            (Some("idp-user"), Some("viewer"))
        );
        app.stop().await;
    }
}

#[actix_web::test]
async fn rs256_tokens_are_checked_against_the_jwks_keys_by_kid() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, |c| {
            c.jwt_jwks_file = Some(fixture("test_jwks.json"))
        })
        .await;
        let key =
            EncodingKey::from_rsa_pem(&std::fs::read(fixture("test_rsa_private.pem")).unwrap())
                .unwrap();
        let sign = |kid: Option<&str>| {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = kid.map(str::to_owned);
            jsonwebtoken::encode(&header, &claims(json!({"role": "evaluator"})), &key).unwrap()
        };
        let r = app
            .get("/api/v1/auth/me")
            .bearer(&sign(Some("idp-2026")))
            .send()
            .await;
        assert_eq!(r.assert_status(200).json()["role"], "evaluator");
        app.get("/api/v1/auth/me")
            .bearer(&sign(None))
            .send()
            .await
            .assert_status(200);
        app.get("/api/v1/auth/me")
            .bearer(&sign(Some("rotated-away")))
            .send()
            .await
            .assert_problem(401, "unauthorized");
        let untrusted = rs256(&claims(json!({})), "other_rsa_private.pem");
        app.get("/api/v1/auth/me")
            .bearer(&untrusted)
            .send()
            .await
            .assert_problem(401, "unauthorized");
        app.stop().await;
    }
}

db_test!(a_malformed_authorization_header_is_401, |app| {
    let r = app
        .get("/api/v1/auth/me")
        .header("authorization", "Basic YWxpY2U6cHc=")
        .send()
        .await;
    r.assert_problem(401, "unauthorized");
});

db_test!(me_describes_the_caller, |app| {
    let token = app.scoped_token(Role::ProjectOfficer, &["BRA", "NPL"]);
    let me = app
        .get("/api/v1/auth/me")
        .bearer(&token)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(me["role"], "project_officer");
    assert_eq!(me["member_states"], json!(["BRA", "NPL"]));
    assert!(me["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("projects:write"))
    );
});

async fn add_user(app: &TestApp, username: &str, role: &str, kind: &str, password: &str) {
    app.post("/api/v1/users")
        .signed_as(Role::Admin)
        .json(&json!({"username": username, "role": role, "kind": kind, "password": password}))
        .send()
        .await
        .assert_status(201);
}

/// A form-encoded token request.
async fn token_form(app: &TestApp, body: &str) -> Resp {
    app.post("/api/v1/auth/token")
        .raw(
            "application/x-www-form-urlencoded",
            body.as_bytes().to_vec(),
        )
        .send()
        .await
}

fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// Asserts an answer of the token endpoint that refuses: a problem with `code`, which is also
/// an RFC 6749 error response with `error`, and never cached.
#[track_caller]
fn assert_oauth(r: &Resp, status: u16, code: &str, error: &str) -> Value {
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
fn assert_no_store(r: &Resp) {
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.header("pragma").as_deref(), Some("no-cache"));
}

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

db_test!(
    repeated_failed_logins_lock_that_name_from_that_address_only,
    |app| {
        add_user(&app, "carol", "viewer", "person", "carol-password-123").await;
        add_user(&app, "dave", "viewer", "person", "dave-password-123").await;
        for _ in 0..5 {
            let r = token_form(
                &app,
                "grant_type=password&username=carol&password=guess-guess",
            )
            .await;
            assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
        }
        // Now even the right password waits, from this address…
        let r = token_form(
            &app,
            "grant_type=password&username=carol&password=carol-password-123",
        )
        .await;
        assert_oauth(&r, 429, "rate_limited", "invalid_request");
        let wait: u64 = r
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!(wait > 0 && wait <= 30, "the first backoff is 30 s: {wait}");
        // …but the name is not locked for everyone, nor the address for every name (a fresh
        // address signing in as carol is proved in the limiter's unit tests: the test client has
        // only one address).
        token_form(
            &app,
            "grant_type=password&username=dave&password=dave-password-123",
        )
        .await
        .assert_status(200);
    }
);

db_test!(an_address_failing_for_many_names_is_refused, |app| {
    // 19 failures for other names from the test client's address, recorded straight into
    // the limiter (the password hash makes each through HTTP slow); the 20th goes through
    // HTTP, so the handler is proved to count the same address.
    let address = std::net::IpAddr::from([127, 0, 0, 1]);
    for i in 0..19 {
        let _failed = app
            .state
            .limiter
            .begin(&format!("user{i}"), address, std::time::Instant::now())
            .unwrap();
    }
    let r = token_form(&app, "grant_type=password&username=user19&password=guess").await;
    assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
    let r = token_form(&app, "grant_type=password&username=anyone&password=guess").await;
    assert_oauth(&r, 429, "rate_limited", "invalid_request");
    assert!(r.header("retry-after").is_some());
});

#[test]
fn the_token_command_refuses_an_empty_subject() {
    let data = tempfile::tempdir().unwrap();
    let run = |sub: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_devfund"))
            .args(["token", "--sub", sub, "--role", "viewer"])
            .env("DEVFUND_DATA_DIR", data.path())
            .env("DEVFUND_JWT_SECRET", JWT_SECRET)
            .env("RUST_LOG", "off")
            .env_remove("DEVFUND_JWT_JWKS_FILE")
            .env_remove("DEVFUND_JWT_PUBLIC_KEY_FILE")
            .output()
            .expect("run devfund")
    };
    for sub in ["", "   "] {
        let out = run(sub);
        assert!(!out.status.success(), "{sub:?} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--sub must name"), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = run("alice");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .split('.')
            .count(),
        3
    );
}
