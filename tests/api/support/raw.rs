//! HTTP over a bare socket, for clients no HTTP library would be: ones that stall, send
//! half a request, or send absurd headers. Each exchange runs on a blocking thread.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

/// What came back on a raw connection, and when.
#[derive(Debug)]
pub struct RawResponse {
    /// The status code, when a response came at all.
    pub status: Option<u16>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// From the moment the request was sent to the first byte of the answer.
    pub first_byte: Option<Duration>,
    /// From the moment the request was sent until the server closed the connection; `None`
    /// when it was still open when the client gave up.
    pub closed_after: Option<Duration>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a problem+json answer with this status and code; returns the document.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, Some(status), "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let doc: Value = serde_json::from_slice(&self.body).expect("a JSON body");
        assert_eq!(doc["code"], code, "{doc}");
        assert_eq!(doc["status"], status);
        assert!(doc["request_id"].is_string(), "{doc}");
        assert_eq!(
            self.header("x-request-id"),
            doc["request_id"].as_str(),
            "the line and the document name the same request"
        );
        doc
    }
}

/// The `host:port` of a test app's base URL.
pub fn address(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// Connects to `addr`, sends `bytes`, then reads until the server closes the connection or
/// `patience` passes. The connection stays open from this side the whole time.
pub async fn exchange(addr: &str, bytes: Vec<u8>, patience: Duration) -> RawResponse {
    let addr = addr.to_owned();
    actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&addr).expect("connect");
        let sent = Instant::now();
        // A server that refuses early may reset before everything is written; what it
        // answered is still worth reading.
        let _ = stream.write_all(&bytes);
        read_until_closed(&mut stream, sent, patience)
    })
    .await
    .expect("the raw exchange ran")
}

/// Reads what the server sends until it closes the connection or `patience` has passed
/// since `sent`.
pub fn read_until_closed(stream: &mut TcpStream, sent: Instant, patience: Duration) -> RawResponse {
    let mut data = Vec::new();
    let mut first_byte = None;
    let mut closed_after = None;
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let left = patience.saturating_sub(sent.elapsed());
        if left.is_zero() {
            break;
        }
        stream.set_read_timeout(Some(left)).expect("read timeout");
        match stream.read(&mut chunk) {
            Ok(0) => {
                closed_after = Some(sent.elapsed());
                break;
            }
            Ok(n) => {
                first_byte.get_or_insert_with(|| sent.elapsed());
                data.extend_from_slice(&chunk[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break;
            }
            // A reset is the server closing too.
            Err(_) => {
                closed_after = Some(sent.elapsed());
                break;
            }
        }
    }
    parse(data, first_byte, closed_after)
}

fn parse(
    data: Vec<u8>,
    first_byte: Option<Duration>,
    closed_after: Option<Duration>,
) -> RawResponse {
    let split = data.windows(4).position(|w| w == b"\r\n\r\n");
    let (head, body) = match split {
        Some(at) => (&data[..at], data[at + 4..].to_vec()),
        None => (&data[..], Vec::new()),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body,
        first_byte,
        closed_after,
    }
}
