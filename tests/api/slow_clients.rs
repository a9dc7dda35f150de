//! Clients that are slow or hostile cannot hold the service: heads, bodies and the gaps
//! between kept-alive requests are timed, and oversized headers get a problem document.
//! Every timeout is set to 1 s here; each assertion allows a margin for a loaded machine.

use std::time::Duration;

use crate::support::raw::{self, RawResponse};
use crate::support::{Backend, TestApp, backends};

/// An app whose every timeout is one second.
async fn impatient(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.request_timeout_secs = 1;
        c.body_timeout_secs = 1;
        c.keep_alive_secs = 1;
        c.shutdown_timeout_secs = 1;
    })
    .await
}

/// Generous bounds: what must happen at about 1 s must happen before this.
const SOON: Duration = Duration::from_millis(3500);

fn assert_closed_soon(r: &RawResponse) {
    let closed = r
        .closed_after
        .unwrap_or_else(|| panic!("still open: {r:?}"));
    assert!(closed < SOON, "closed only after {closed:?}");
}

fn stalled_post(path: &str, extra_headers: &str, content_type: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\n{extra_headers}Content-Type: {content_type}\r\n\
         Content-Length: 100\r\n\r\n0123456789"
    )
    .into_bytes()
}

#[actix_web::test]
async fn a_body_that_stops_arriving_gets_408_and_the_connection_is_closed() {
    for backend in backends() {
        let app = impatient(backend).await;
        let addr = raw::address(&app.base);
        // Unauthenticated, on the token endpoint: the incident's case.
        let r = raw::exchange(
            &addr,
            stalled_post(
                "/api/v1/auth/token",
                "",
                "application/x-www-form-urlencoded",
            ),
            Duration::from_secs(10),
        )
        .await;
        r.assert_problem(408, "request_timeout");
        assert_eq!(r.header("connection"), Some("close"));
        let answered = r.first_byte.expect("an answer");
        assert!(
            answered >= Duration::from_millis(900) && answered < SOON,
            "answered after {answered:?}"
        );
        assert_closed_soon(&r);

        // A JSON body read by a signed-in handler is held to the same deadline.
        let bearer = format!("Authorization: Bearer {}\r\n", app.admin());
        let r = raw::exchange(
            &addr,
            stalled_post("/api/v1/member-states", &bearer, "application/json"),
            Duration::from_secs(10),
        )
        .await;
        r.assert_problem(408, "request_timeout");
        assert_closed_soon(&r);
        app.stop().await;
    }
}

#[actix_web::test]
async fn a_refused_request_with_an_unfinished_body_is_not_kept_to_drain_it() {
    let app = impatient(Backend::Sqlite).await;
    // Chunked, so actix would otherwise wait to drain a body nobody reads.
    let request = "POST /api/v1/member-states HTTP/1.1\r\nHost: test\r\n\
                   Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
    let r = raw::exchange(
        &raw::address(&app.base),
        request.as_bytes().to_vec(),
        Duration::from_secs(10),
    )
    .await;
    r.assert_problem(401, "unauthorized");
    assert_eq!(r.header("connection"), Some("close"));
    assert_closed_soon(&r);
    app.stop().await;
}

#[actix_web::test]
async fn a_client_that_sends_no_head_or_half_a_head_is_dropped() {
    let app = impatient(Backend::Sqlite).await;
    let addr = raw::address(&app.base);
    for bytes in [&b""[..], b"GET /health/live HTTP/1.1\r\nHost: te"] {
        let r = raw::exchange(&addr, bytes.to_vec(), Duration::from_secs(10)).await;
        // actix answers these itself, with a bare 408 (see the README's Limits).
        assert_eq!(r.status, Some(408), "{r:?}");
        assert_closed_soon(&r);
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_kept_alive_connection_whose_next_head_stalls_is_closed() {
    let app = impatient(Backend::Sqlite).await;
    let addr = raw::address(&app.base);
    let r = actix_web::rt::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n")
            .expect("first request");
        let mut first = [0u8; 12];
        stream.read_exact(&mut first).expect("first answer");
        assert_eq!(&first, b"HTTP/1.1 200");
        // Drain the rest of the first answer, then start a second request and stall.
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .expect("timeout");
        let mut rest = [0u8; 4096];
        let _ = stream.read(&mut rest);
        stream
            .write_all(b"GET /health/live HT")
            .expect("half a head");
        raw::read_until_closed(
            &mut stream,
            std::time::Instant::now(),
            Duration::from_secs(10),
        )
    })
    .await
    .expect("ran");
    // keep-alive (1 s) + request timeout (1 s), checked about once a second.
    let closed = r
        .closed_after
        .unwrap_or_else(|| panic!("still open: {r:?}"));
    assert!(
        closed < Duration::from_secs(5),
        "closed only after {closed:?}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn oversized_headers_get_431_problem_json() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = raw::address(&app.base);
    // One header over 8 KiB: a 20 KB bearer token.
    let big = format!(
        "GET /api/v1/regions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
         Connection: close\r\n\r\n",
        "a".repeat(20_000)
    );
    let r = raw::exchange(&addr, big.into_bytes(), Duration::from_secs(10)).await;
    let doc = r.assert_problem(431, "request_header_fields_too_large");
    assert!(
        doc["detail"].as_str().unwrap().contains("authorization"),
        "{doc}"
    );
    // Headers over 32 KiB together, each under 8 KiB.
    let many: String = (0..6)
        .map(|i| format!("X-Filler-{i}: {}\r\n", "b".repeat(7000)))
        .collect();
    let r = raw::exchange(
        &addr,
        format!("GET /health/live HTTP/1.1\r\nHost: test\r\n{many}Connection: close\r\n\r\n")
            .into_bytes(),
        Duration::from_secs(10),
    )
    .await;
    r.assert_problem(431, "request_header_fields_too_large");
    app.stop().await;
}

#[actix_web::test]
async fn only_a_head_past_actix_own_128_kib_limit_gets_a_bare_431() {
    // Documents the one 431 this service cannot dress: actix refuses the head before any
    // middleware runs, with an empty body, and closes. The README's Limits say so.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let absurd = format!(
        "GET /health/live HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\r\n",
        "a".repeat(200_000)
    );
    let r = raw::exchange(
        &raw::address(&app.base),
        absurd.into_bytes(),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(r.status, Some(431), "{r:?}");
    assert_eq!(r.header("content-length"), Some("0"));
    assert!(r.closed_after.is_some());
    app.stop().await;
}
