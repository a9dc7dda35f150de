//! Bearer tokens: what is accepted and what is refused; `devfund token`.

use std::path::PathBuf;

use crate::db_test;
use crate::support::{JWT_SECRET, TestApp, backends};
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
