//! Limits on what a client may send, enforced before any handler runs.
//!
//! - **Header size**: one header line over [`MAX_HEADER_BYTES`] or all of them over
//!   [`MAX_HEADERS_BYTES`] is refused with 431 `request_header_fields_too_large`. actix-http has
//!   its own, higher limit (a request head of 128 KiB that it cannot finish parsing, or more
//!   than 96 header lines), which answers a bare 431 with an empty body and closes the
//!   connection before this service ever sees the request; ours is lower so that every
//!   realistic oversized request gets a problem document.
//! - **Body deadline**: [`DeadlinePayload`] replaces a request's payload with one that fails
//!   once the body has not finished arriving within the configured time, whichever handler or
//!   extractor reads it. The request middleware then answers 408 `request_timeout` and closes
//!   the connection.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use futures_util::Stream;

use crate::error::{ApiError, ErrorCode};

/// actix-http's boxed payload stream (not re-exported by actix-web).
type BoxedPayloadStream = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// The largest single header line (name, `: `, value) accepted.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// The largest total of header lines (each with its CRLF) accepted.
pub const MAX_HEADERS_BYTES: usize = 32 * 1024;

/// 431 when a header, or the headers together, are larger than this service accepts.
pub fn check_headers(headers: &HeaderMap) -> Result<(), ApiError> {
    let mut total = 0;
    for (name, value) in headers {
        let line = name.as_str().len() + 2 + value.len();
        if line > MAX_HEADER_BYTES {
            return Err(too_large(format!(
                "the {name} header is {line} bytes; this service accepts at most \
                 {MAX_HEADER_BYTES} bytes per header and {MAX_HEADERS_BYTES} in all"
            )));
        }
        total += line + 2;
    }
    if total > MAX_HEADERS_BYTES {
        return Err(too_large(format!(
            "the headers are {total} bytes; this service accepts at most {MAX_HEADERS_BYTES} \
             bytes of headers"
        )));
    }
    Ok(())
}

fn too_large(detail: String) -> ApiError {
    ApiError::new(ErrorCode::RequestHeaderFieldsTooLarge, detail)
}

/// The 408 answered when a body did not arrive in time.
pub fn body_timeout_error(timeout: Duration) -> ApiError {
    ApiError::new(
        ErrorCode::RequestTimeout,
        format!(
            "the request body did not arrive within {} s; the connection is closed",
            timeout.as_secs()
        ),
    )
}

/// How long a request's body may take to arrive, registered as app data for the middleware.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// What the middleware keeps of a request's body while its response is sent.
#[derive(Clone)]
pub struct BodyWatch {
    /// The connection's own payload. Held until the response ends, so that actix sees a body
    /// that was never finished and closes the connection rather than waiting to drain it.
    pub original: Rc<RefCell<Payload>>,
    expired: Rc<Cell<bool>>,
}

impl BodyWatch {
    /// Whether the deadline passed before the body had arrived.
    pub fn expired(&self) -> bool {
        self.expired.get()
    }
}

/// A payload that fails with a timed-out I/O error once `timeout` has passed without the body
/// having ended (the error [`crate::api::extract::is_body_timeout`] recognizes).
pub struct DeadlinePayload {
    watch: BodyWatch,
    deadline: Pin<Box<actix_web::rt::time::Sleep>>,
    ended: bool,
}

impl DeadlinePayload {
    /// Wraps `payload`; the returned watch tells whether the deadline passed.
    pub fn wrap(payload: Payload, timeout: Duration) -> (Payload, BodyWatch) {
        let watch = BodyWatch {
            original: Rc::new(RefCell::new(payload)),
            expired: Rc::default(),
        };
        let stream = DeadlinePayload {
            watch: watch.clone(),
            deadline: Box::pin(actix_web::rt::time::sleep(timeout)),
            ended: false,
        };
        let boxed: BoxedPayloadStream = Box::pin(stream);
        (Payload::from(boxed), watch)
    }
}

impl Stream for DeadlinePayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        let polled = Pin::new(&mut *this.watch.original.borrow_mut()).poll_next(cx);
        match polled {
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => {
                this.ended = true;
                polled
            }
            Poll::Ready(Some(Ok(_))) => polled,
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.ended = true;
                this.watch.expired.set(true);
                Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the request body did not arrive in time",
                )))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(list: &[(&str, usize)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, len) in list {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(&"a".repeat(*len)).unwrap(),
            );
        }
        map
    }

    #[test]
    fn ordinary_headers_pass() {
        assert!(check_headers(&headers(&[("authorization", 2000), ("accept", 20)])).is_ok());
        assert!(check_headers(&headers(&[("authorization", MAX_HEADER_BYTES - 15)])).is_ok());
    }

    #[test]
    fn one_header_over_8_kib_is_refused() {
        let e = check_headers(&headers(&[("authorization", MAX_HEADER_BYTES)])).unwrap_err();
        assert_eq!(e.code(), ErrorCode::RequestHeaderFieldsTooLarge);
        assert!(e.to_string().contains("authorization header"), "{e}");
    }

    #[test]
    fn headers_over_32_kib_together_are_refused() {
        let many: Vec<(String, usize)> = (0..5).map(|i| (format!("x-h{i}"), 7000)).collect();
        let list: Vec<(&str, usize)> = many.iter().map(|(n, l)| (n.as_str(), *l)).collect();
        let e = check_headers(&headers(&list)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::RequestHeaderFieldsTooLarge);
    }

    #[actix_web::test]
    async fn a_body_that_stalls_fails_at_the_deadline_and_says_so() {
        use futures_util::StreamExt;
        let stalled: BoxedPayloadStream = Box::pin(futures_util::stream::pending());
        let (mut payload, watch) =
            DeadlinePayload::wrap(Payload::from(stalled), Duration::from_millis(50));
        let started = std::time::Instant::now();
        let item = payload.next().await.expect("an item");
        assert!(crate::api::extract::is_body_timeout(&item.unwrap_err()));
        assert!(watch.expired());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(payload.next().await.is_none());
    }

    #[actix_web::test]
    async fn a_body_that_arrives_is_passed_through() {
        use futures_util::StreamExt;
        let whole = Payload::from(Bytes::from_static(b"hello"));
        let (mut payload, watch) = DeadlinePayload::wrap(whole, Duration::from_secs(5));
        assert_eq!(payload.next().await.unwrap().unwrap(), "hello");
        assert!(payload.next().await.is_none());
        assert!(!watch.expired());
    }
}
