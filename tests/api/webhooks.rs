//! Webhooks: a receiver inside the test gets each subscribed event once, signed (checked here
//! independently of the service's own code); a receiver that fails twice gets it on the third
//! try; a restarted service still delivers; several service copies send each delivery once;
//! manual retry; secrets are write-only; target URLs are checked; and the delivery latency
//! from commit to receipt.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::db_test;
use crate::support::{TestApp, backends};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    at: Instant,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }

    /// Verifies the Standard Webhooks signature under `secret`, as a receiver would.
    fn verify(&self, secret: &str) {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("prefix"))
            .expect("base64 key");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.body).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        assert!(
            self.signature.split(' ').any(|s| s == expected),
            "bad signature {} for {}",
            self.signature,
            self.id
        );
        let ts: i64 = self.timestamp.parse().expect("unix seconds");
        assert!(
            (chrono::Utc::now().timestamp() - ts).abs() < 300,
            "stale timestamp"
        );
    }
}

struct Shared {
    got: Mutex<Vec<Received>>,
    /// Requests answered 500 before the receiver starts answering 204.
    fail_first: usize,
}

/// A small HTTP server on 127.0.0.1 that records what it is sent.
struct Receiver {
    url: String,
    shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    shared: web::Data<Arc<Shared>>,
) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut got = shared.got.lock().unwrap();
    got.push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8(body.to_vec()).expect("UTF-8 body"),
        at: Instant::now(),
    });
    if got.len() <= shared.fail_first {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::NoContent().finish()
    }
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let shared = Arc::new(Shared {
            got: Mutex::new(Vec::new()),
            fail_first,
        });
        let data = web::Data::new(shared.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            shared,
            handle,
        }
    }

    fn got(&self) -> Vec<Received> {
        self.shared.got.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until at least `n` requests arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} deliveries arrived",
                got.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

async fn subscribe(app: &TestApp, url: &str, events: &[&str]) -> Value {
    let r = app
        .post("/api/v1/webhooks")
        .bearer(&app.admin())
        .json(&json!({"url": url, "events": events, "secret": SECRET}))
        .send()
        .await;
    r.assert_status(201);
    let body = r.json();
    assert!(
        body.get("secret").is_none(),
        "a given secret is never answered"
    );
    assert_eq!(body["has_secret"], json!(true));
    body
}

async fn deliveries(app: &TestApp, hook: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/webhooks/{hook}/deliveries"))
        .bearer(&app.admin())
        .send()
        .await
        .assert_status(200)
        .json()["items"]
        .as_array()
        .expect("items")
        .clone()
}

/// Waits (up to 20 s) until the newest delivery of the log has `status` after `attempts`
/// attempts (the attempt recorded, not only sent).
async fn wait_status(app: &TestApp, hook: i64, status: &str, attempts: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let items = deliveries(app, hook).await;
        if let Some(d) = items
            .first()
            .filter(|d| d["status"] == status && d["attempts"] == attempts)
        {
            return d.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {status} delivery after {attempts}: {items:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn rename(app: &TestApp, iso3: &str, name: &str) {
    let path = format!("/api/v1/member-states/{iso3}");
    let tag = app
        .get(&path)
        .bearer(&app.admin())
        .send()
        .await
        .header("etag")
        .unwrap();
    app.patch(&path)
        .bearer(&app.admin())
        .header("if-match", &tag)
        .raw(
            "application/merge-patch+json",
            json!({"name": name}).to_string().into_bytes(),
        )
        .send()
        .await
        .assert_status(200);
}

db_test!(each_subscribed_event_arrives_once_and_signed, |app| {
    let receiver = Receiver::start(0).await;
    let hook = subscribe(
        &app,
        &receiver.url,
        &[
            "member_state.created",
            "member_state.updated",
            "project.created",
            "project.submitted",
        ],
    )
    .await;
    app.create_member_state("NPL", "Nepal", "AP").await;
    rename(&app, "NPL", "Nepal (FDR)").await;
    app.project(json!({"code": "TS.0001"})).await;
    app.transition("TS.0001", "submitted")
        .await
        .assert_status(200);
    app.create_member_state("BGD", "Bangladesh", "AP").await;
    // Not subscribed (project.updated, project.draft, member_state.deleted): nothing sent.
    let tag = app
        .get("/api/v1/member-states/BGD")
        .bearer(&app.admin())
        .send()
        .await
        .header("etag")
        .unwrap();
    app.delete("/api/v1/member-states/BGD")
        .bearer(&app.admin())
        .header("if-match", &tag)
        .send()
        .await
        .assert_status(204);

    receiver.wait_for(5).await;
    // Settle, then check nothing more came.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let got = receiver.got();
    let mut events: Vec<String> = got
        .iter()
        .map(|r| r.json()["event"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "member_state.created",
            "member_state.created",
            "member_state.updated",
            "project.created",
            "project.submitted",
        ]
    );
    for r in &got {
        r.verify(SECRET);
        let body = r.json();
        assert_eq!(body["id"], json!(r.id));
        assert!(body["occurred_at"].is_string());
    }
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "each event once");
    let updated = got
        .iter()
        .find(|r| r.json()["event"] == "member_state.updated")
        .unwrap();
    assert_eq!(updated.json()["data"]["name"], json!("Nepal (FDR)"));
    let submitted = got
        .iter()
        .find(|r| r.json()["event"] == "project.submitted")
        .unwrap();
    assert_eq!(submitted.json()["record_key"], json!("TS.0001"));
    assert_eq!(submitted.json()["data"]["status"], json!("submitted"));

    let log = deliveries(&app, hook["id"].as_i64().unwrap()).await;
    assert_eq!(log.len(), got.len());
    for d in &log {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempt_log"].as_array().unwrap().len(), 1);
        assert_eq!(d["attempt_log"][0]["status_code"], 204);
    }
    receiver.stop().await;
});

db_test!(
    a_receiver_that_fails_twice_gets_the_event_on_the_third_try,
    |app| {
        let receiver = Receiver::start(2).await;
        let hook = subscribe(&app, &receiver.url, &["member_state.created"]).await;
        let hook = hook["id"].as_i64().unwrap();
        app.create_member_state("NPL", "Nepal", "AP").await;
        let got = receiver.wait_for(3).await;
        assert_eq!(got.len(), 3);
        for r in &got {
            r.verify(SECRET);
            assert_eq!(r.id, got[0].id, "the same message id on every try");
            assert_eq!(r.body, got[0].body, "the same body on every try");
        }
        assert!(
            got[1].at - got[0].at >= Duration::from_millis(90),
            "backoff respected"
        );
        let d = wait_status(&app, hook, "delivered", 3).await;
        let codes: Vec<&Value> = d["attempt_log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["status_code"])
            .collect();
        assert_eq!(codes, [&json!(500), &json!(500), &json!(204)]);
        assert_eq!(d["attempts"], 3);
        assert_eq!(d["attempt_log"][0]["error"], "HTTP 500");
        assert!(d["attempt_log"][0]["duration_ms"].is_i64());
        receiver.stop().await;
    }
);

#[actix_web::test]
async fn a_service_restarted_mid_retry_still_delivers() {
    for backend in backends() {
        // The retry falls due a second after the first try fails: after the restart.
        let app = TestApp::spawn_with(backend, |c| c.webhook_backoff_ms = 1000).await;
        let receiver = Receiver::start(1).await;
        let hook = subscribe(&app, &receiver.url, &["member_state.created"]).await;
        let hook = hook["id"].as_i64().unwrap();
        app.create_member_state("NPL", "Nepal", "AP").await;
        receiver.wait_for(1).await;
        let pending = wait_status(&app, hook, "pending", 1).await;
        assert!(pending["next_attempt_at"].is_string());

        let app = app.restart().await;
        let got = receiver.wait_for(2).await;
        assert_eq!(got[0].id, got[1].id);
        got[1].verify(SECRET);
        wait_status(&app, hook, "delivered", 2).await;
        receiver.stop().await;
        app.stop().await;
    }
}

#[actix_web::test]
async fn a_manual_retry_sends_a_pending_delivery_now() {
    for backend in backends() {
        // Retries an hour apart: only a manual retry sends it again within the test.
        let app = TestApp::spawn_with(backend, |c| c.webhook_backoff_ms = 3_600_000).await;
        let receiver = Receiver::start(1).await;
        let hook = subscribe(&app, &receiver.url, &["member_state.created"]).await;
        let hook = hook["id"].as_i64().unwrap();
        app.create_member_state("NPL", "Nepal", "AP").await;
        receiver.wait_for(1).await;
        let pending = wait_status(&app, hook, "pending", 1).await;
        let id = pending["id"].as_i64().unwrap();
        let r = app
            .post(&format!("/api/v1/webhooks/{hook}/deliveries/{id}/retry"))
            .bearer(&app.admin())
            .send()
            .await;
        r.assert_status(202);
        assert_eq!(r.json()["status"], "pending");
        receiver.wait_for(2).await;
        wait_status(&app, hook, "delivered", 2).await;
        app.post(&format!("/api/v1/webhooks/{hook}/deliveries/{id}/retry"))
            .bearer(&app.admin())
            .send()
            .await
            .assert_problem(409, "conflict");
        app.post(&format!("/api/v1/webhooks/{hook}/deliveries/999999/retry"))
            .bearer(&app.admin())
            .send()
            .await
            .assert_status(404);
        receiver.stop().await;
        app.stop().await;
    }
}

db_test!(secrets_are_write_only_and_bad_input_is_refused, |app| {
    // A generated secret is answered once, in the 201.
    let r = app
        .post("/api/v1/webhooks")
        .bearer(&app.admin())
        .json(&json!({"url": "https://example.org/hook", "events": ["project.approved"]}))
        .send()
        .await;
    r.assert_status(201);
    let created = r.json();
    let secret = created["secret"]
        .as_str()
        .expect("generated secret")
        .to_owned();
    assert!(secret.starts_with("whsec_"));
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/webhooks/{id}");

    let mut bodies = Vec::new();
    let got = app.get(&path).bearer(&app.admin()).send().await;
    got.assert_status(200);
    let tag = got.header("etag").unwrap();
    bodies.push(got.text());
    let patched = app
        .patch(&path)
        .bearer(&app.admin())
        .header("if-match", &tag)
        .raw(
            "application/merge-patch+json",
            json!({"secret": SECRET, "active": false})
                .to_string()
                .into_bytes(),
        )
        .send()
        .await;
    patched.assert_status(200);
    assert_eq!(patched.json()["active"], json!(false));
    bodies.push(patched.text());
    for list in [
        "/api/v1/webhooks",
        "/api/v1/audit-events",
        "/api/v1/changes",
    ] {
        bodies.push(
            app.get(list)
                .bearer(&app.admin())
                .send()
                .await
                .assert_status(200)
                .text(),
        );
    }
    for body in &bodies {
        assert!(
            !body.contains(&secret) && !body.contains(SECRET),
            "secret leaked: {body}"
        );
    }

    for (body, field) in [
        (
            json!({"url": "ftp://example.org", "events": ["project.approved"]}),
            "url",
        ),
        (
            json!({"url": "http://", "events": ["project.approved"]}),
            "url",
        ),
        (
            json!({"url": "example.org/hook", "events": ["project.approved"]}),
            "url",
        ),
        (
            json!({"url": "https://example.org", "events": ["project.exploded"]}),
            "events[0]",
        ),
        (
            json!({"url": "https://example.org", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://example.org", "events": ["project.approved"], "secret": "hunter2"}),
            "secret",
        ),
    ] {
        let r = app
            .post("/api/v1/webhooks")
            .bearer(&app.admin())
            .json(&body)
            .send()
            .await;
        let problem = r.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], json!(field), "{body}");
        assert!(!r.text().contains("hunter2"));
    }

    // Only an admin manages webhooks; a stale ETag is refused; delete needs If-Match.
    app.get("/api/v1/webhooks")
        .signed_as(devfund::auth::Role::FundManager)
        .send()
        .await
        .assert_status(403);
    app.delete(&path)
        .bearer(&app.admin())
        .header("if-match", &tag)
        .send()
        .await
        .assert_status(412);
    app.delete(&path)
        .bearer(&app.admin())
        .send()
        .await
        .assert_status(428);
    let tag = app
        .get(&path)
        .bearer(&app.admin())
        .send()
        .await
        .header("etag")
        .unwrap();
    app.delete(&path)
        .bearer(&app.admin())
        .header("if-match", &tag)
        .send()
        .await
        .assert_status(204);
    app.get(&path)
        .bearer(&app.admin())
        .send()
        .await
        .assert_status(404);
});

db_test!(delivery_latency_from_commit_to_receipt, |app| {
    let receiver = Receiver::start(0).await;
    subscribe(&app, &receiver.url, &["member_state.updated"]).await;
    app.create_member_state("NPL", "Nepal", "AP").await;
    let mut latencies = Vec::new();
    for i in 0..50 {
        let path = "/api/v1/member-states/NPL";
        let tag = app
            .get(path)
            .bearer(&app.admin())
            .send()
            .await
            .header("etag")
            .unwrap();
        let r = app
            .patch(path)
            .bearer(&app.admin())
            .header("if-match", &tag)
            .raw(
                "application/merge-patch+json",
                json!({"name": format!("Nepal {i}")})
                    .to_string()
                    .into_bytes(),
            )
            .send()
            .await;
        r.assert_status(200);
        let committed = Instant::now();
        let got = receiver.wait_for(i + 1).await;
        latencies.push(got[i].at.saturating_duration_since(committed));
    }
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    eprintln!(
        "webhook latency ({}): median {:?}, max {:?} over {} events",
        app.backend_name,
        median,
        latencies.last().unwrap(),
        latencies.len()
    );
    // Woken by the commit, not by the 50 ms poll.
    assert!(median < Duration::from_millis(500), "median {median:?}");
    receiver.stop().await;
});

db_test!(several_service_copies_send_each_delivery_once, |app| {
    // Three more workers on the same database, each with its own pool: four service copies
    // racing for the same outbox rows.
    let copies: Vec<_> = (0..3).map(|_| app.spawn_worker()).collect();
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&app, &receiver.url, &["exchange_rate.created"]).await;
    let hook = hook["id"].as_i64().unwrap();
    // One commit queues forty deliveries at once.
    let items: Vec<Value> = (0..40)
        .map(|i| {
            json!({"currency": "EUR", "month": format!("{}-{:02}", 2030 + i / 12, i % 12 + 1),
                   "usd_per_unit": "1.1", "source": "test"})
        })
        .collect();
    app.post("/api/v1/imports/exchange-rates")
        .bearer(&app.admin())
        .json(&json!({ "items": items }))
        .send()
        .await
        .assert_status(200);
    receiver.wait_for(40).await;
    // Long enough for every copy to poll several times more.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let got = receiver.got();
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        got.len(),
        40,
        "each delivery sent once: {} requests",
        got.len()
    );
    assert_eq!(ids.len(), 40);
    let log = deliveries(&app, hook).await;
    assert_eq!(log.len(), 40);
    assert!(
        log.iter()
            .all(|d| d["status"] == "delivered" && d["attempts"] == 1)
    );
    for copy in copies {
        copy.stop().await;
    }
    receiver.stop().await;
});
