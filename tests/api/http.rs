//! HTTP behaviour common to every route: problem+json, request ids, limits, health, docs.

use crate::db_test;
use crate::support::{Backend, TestApp};
use devfund::auth::Role;
use serde_json::json;

db_test!(unknown_routes_answer_404_problem_json, |app| {
    let r = app.get("/api/v1/no-such-thing").send().await;
    r.assert_problem(404, "not_found");
});

db_test!(
    a_known_path_with_another_method_answers_405_with_allow,
    |app| {
        let r = app
            .req(awc::http::Method::DELETE, "/api/v1/regions")
            .signed_as(Role::Admin)
            .send()
            .await;
        r.assert_problem(405, "method_not_allowed");
        assert_eq!(r.header("allow").as_deref(), Some("GET"));
        let r = app
            .put("/api/v1/member-states/BRA/eligibility")
            .send()
            .await;
        r.assert_problem(405, "method_not_allowed");
    }
);

db_test!(malformed_json_is_a_400_problem, |app| {
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .raw("application/json", b"{\"iso3\": ".to_vec())
        .send()
        .await;
    r.assert_problem(400, "malformed_body");
});

db_test!(a_body_that_is_not_json_is_refused_with_415, |app| {
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .raw("text/plain", b"BRA".to_vec())
        .send()
        .await;
    r.assert_problem(415, "unsupported_media_type");
});

db_test!(wrong_types_and_unknown_fields_name_the_field, |app| {
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .json(&json!({"iso3": "BRA", "name": "Brazil", "region": "SA", "member_since": "2004"}))
        .send()
        .await;
    let doc = r.assert_problem(422, "validation_failed");
    assert_eq!(doc["errors"][0]["field"], "member_since");
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .json(&json!({"iso3": "BRA", "name": "Brazil", "region": "SA", "colour": "green"}))
        .send()
        .await;
    let doc = r.assert_problem(422, "validation_failed");
    assert_eq!(doc["errors"][0]["field"], "colour");
    assert_eq!(doc["errors"][0]["code"], "unknown_field");
});

db_test!(
    bad_query_and_path_values_are_400_naming_the_parameter,
    |app| {
        let admin = app.admin();
        let r = app
            .get("/api/v1/member-states?per_page=0")
            .bearer(&admin)
            .send()
            .await;
        assert_eq!(
            r.assert_problem(400, "bad_request")["errors"][0]["field"],
            "per_page"
        );
        let r = app
            .get("/api/v1/member-states?per_page=501")
            .bearer(&admin)
            .send()
            .await;
        r.assert_problem(400, "bad_request");
        let r = app
            .get("/api/v1/member-states?page=abc")
            .bearer(&admin)
            .send()
            .await;
        r.assert_problem(400, "bad_request");
        let r = app
            .get("/api/v1/member-states?sort=colour")
            .bearer(&admin)
            .send()
            .await;
        assert_eq!(
            r.assert_problem(400, "bad_request")["errors"][0]["field"],
            "sort"
        );
        let r = app
            .get("/api/v1/member-states?updated_since=yesterday")
            .bearer(&admin)
            .send()
            .await;
        r.assert_problem(400, "bad_request");
        let r = app.get("/api/v1/sdg/goals/ten").bearer(&admin).send().await;
        r.assert_problem(400, "bad_request");
    }
);

#[actix_web::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_with(backend, |c| c.max_body_bytes = 256).await;
        let big = json!({"iso3": "BRA", "name": "x".repeat(1000), "region": "SA"});
        let r = app
            .post("/api/v1/member-states")
            .signed_as(Role::Admin)
            .json(&big)
            .send()
            .await;
        r.assert_problem(413, "payload_too_large");
        let r = app
            .get("/api/v1/member-states/BRA")
            .signed_as(Role::Admin)
            .send()
            .await;
        r.assert_problem(404, "not_found");
        app.stop().await;
    }
}

db_test!(request_ids_are_echoed_or_generated, |app| {
    let r = app
        .get("/health/live")
        .header("x-request-id", "trace-abc-123")
        .send()
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("trace-abc-123"));
    let r = app.get("/health/live").send().await;
    let generated = r.header("x-request-id").expect("generated id");
    assert_eq!(generated.len(), 36);
    let r = app
        .get("/api/v1/regions")
        .header("x-request-id", "bad id with spaces")
        .send()
        .await;
    let doc = r.assert_problem(401, "unauthorized");
    let echoed = r.header("x-request-id").unwrap();
    assert_ne!(echoed, "bad id with spaces");
    assert_eq!(doc["request_id"], echoed.as_str());
});

db_test!(health_and_metrics_answer, |app| {
    let r = app.get("/health/live").send().await;
    assert_eq!(r.assert_status(200).json()["status"], "ok");
    let r = app.get("/health/ready").send().await;
    assert_eq!(r.assert_status(200).json()["database"], app.backend_name);
    let r = app.get("/metrics").send().await;
    let text = r.assert_status(200).text();
    assert!(
        text.contains(
            "devfund_http_requests_total{method=\"GET\",route=\"/health/ready\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("devfund_db_pool_connections"), "{text}");
});

#[actix_web::test]
async fn readiness_is_503_when_the_database_is_gone() {
    // SQLite only: removing the file's folder makes every new connection fail.
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.db_pool_size = 1).await;
    let r = app.get("/health/ready").send().await;
    r.assert_status(200);
    // Exhaust the single pooled connection so the next checkout times out.
    let held = app.state.pool.get().expect("conn");
    let started = std::time::Instant::now();
    let r = app.get("/health/ready").send().await;
    r.assert_problem(503, "unavailable");
    assert!(r.header("retry-after").is_some());
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_millis(1500),
        "readiness took {took:?}, not about a second"
    );
    // A busy pool is not a database that is down: nothing fails fast because of it.
    assert!(!app.state.pool.health().is_down());
    drop(held);
    app.get("/health/ready").send().await.assert_status(200);
    app.stop().await;
}

db_test!(swagger_ui_is_served_from_the_binary, |app| {
    let r = app.get("/docs/").send().await;
    assert!(
        r.assert_status(200).text().contains("swagger"),
        "{}",
        r.text()
    );
    let r = app.get("/docs/swagger-ui-bundle.js").send().await;
    r.assert_status(200);
    let r = app.get("/openapi.json").send().await;
    assert_eq!(r.assert_status(200).json()["openapi"], "3.1.0");
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.header("vary").as_deref(), Some("Accept-Encoding"));
    // A client that takes gzip gets the same document compressed; `q=0` refuses it.
    let zipped = app
        .get("/openapi.json")
        .header("accept-encoding", "br;q=1.0, gzip;q=0.8")
        .send()
        .await;
    zipped.assert_status(200);
    assert_eq!(zipped.header("content-encoding").as_deref(), Some("gzip"));
    assert!(
        zipped.body.len() * 5 < r.body.len(),
        "{} bytes",
        zipped.body.len()
    );
    let mut json = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&zipped.body[..]),
        &mut json,
    )
    .expect("gzip");
    assert_eq!(json, r.body);
    for refusing in ["gzip;q=0, identity", "gzip; Q=0, *", "br, deflate"] {
        let refused = app
            .get("/openapi.json")
            .header("accept-encoding", refusing)
            .send()
            .await;
        assert_eq!(refused.header("content-encoding"), None, "{refusing}");
        assert_eq!(refused.body, r.body, "{refusing}");
    }
});
