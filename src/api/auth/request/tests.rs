//! Reading token requests: grants, client authentication, limits, media types.

use base64::Engine;

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
