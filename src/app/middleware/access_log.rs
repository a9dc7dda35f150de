//! The access log line and the latency metric, written when a response has been sent in
//! full — or when it never will be: the client went away, the body stream failed, or the
//! server gave up on the connection at shutdown.
//!
//! [`LoggedBody`] wraps a response body, counts the bytes handed to the connection, and logs
//! once, at the end of the body or when actix drops it unfinished.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{self, Bytes};

use super::conn_guard::Busy;
use super::limits::BodyWatch;
use crate::metrics::Metrics;

/// How a response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every byte of the body was handed to the connection.
    Complete,
    /// The body was dropped before its end: the client went away, or shutdown cut it.
    ClientGone,
    /// The body stream itself failed (a streamed export that broke off).
    BodyError,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Complete => "complete",
            Outcome::ClientGone => "client_gone",
            Outcome::BodyError => "body_error",
        }
    }
}

/// What the line will say, gathered when the response head was ready.
pub struct Entry {
    pub span: tracing::Span,
    pub method: Method,
    pub route: String,
    pub status: StatusCode,
    pub started: Instant,
    pub head_elapsed: Duration,
    /// Where the request is counted (absent in unit tests that build an app without it).
    pub metrics: Option<web::Data<Metrics>>,
}

/// What must live exactly as long as the response body, neither less nor more.
pub struct Held {
    /// The request's body (see [`BodyWatch::original`]): when actix finishes the response it
    /// must still see an unfinished body as unfinished, and close the connection.
    pub body: Option<BodyWatch>,
    /// The connection counts as busy until the response has been sent.
    pub busy: Option<Busy>,
}

impl Entry {
    fn write(self, outcome: Outcome, bytes: u64) {
        let elapsed = self.started.elapsed();
        self.span.in_scope(|| {
            tracing::info!(
                method = %self.method,
                route = %self.route,
                status = self.status.as_u16(),
                bytes,
                outcome = outcome.as_str(),
                head_ms = self.head_elapsed.as_secs_f64() * 1000.0,
                elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                "served"
            );
        });
        if let Some(metrics) = self.metrics {
            metrics.observe(
                self.method.as_str(),
                &self.route,
                self.status.as_u16(),
                elapsed,
            );
            if outcome != Outcome::Complete {
                metrics.observe_incomplete(&self.route, outcome.as_str());
            }
        }
    }
}

/// A response body that writes its [`Entry`] once it ends.
pub struct LoggedBody {
    inner: BoxBody,
    bytes: u64,
    /// The body's size as the response declared it.
    declared: BodySize,
    /// HEAD answers carry a length but actix sends no body.
    head_request: bool,
    entry: Option<Entry>,
    _held: Held,
}

impl LoggedBody {
    pub fn new(inner: BoxBody, entry: Entry, held: Held) -> Self {
        LoggedBody {
            declared: inner.size(),
            inner,
            bytes: 0,
            head_request: entry.method == Method::HEAD,
            entry: Some(entry),
            _held: held,
        }
    }

    fn finish(&mut self, outcome: Outcome) {
        if let Some(entry) = self.entry.take() {
            entry.write(outcome, self.bytes);
        }
    }
}

impl MessageBody for LoggedBody {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.inner.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => {
                this.bytes += chunk.len() as u64;
            }
            Poll::Ready(Some(Err(_))) => this.finish(Outcome::BodyError),
            Poll::Ready(None) => this.finish(Outcome::Complete),
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for LoggedBody {
    fn drop(&mut self) {
        // actix never polls a body it knows to be empty, nor one of a HEAD answer.
        let complete = self.head_request
            || match self.declared {
                BodySize::None => true,
                BodySize::Sized(n) => self.bytes >= n,
                BodySize::Stream => false,
            };
        self.finish(if complete {
            Outcome::Complete
        } else {
            Outcome::ClientGone
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use actix_web::body::BodyStream;
    use futures_util::stream;

    use super::*;

    /// Collects the log lines written while it is the thread's subscriber.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Lines {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    fn capture() -> (Lines, tracing::subscriber::DefaultGuard) {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (lines, tracing::subscriber::set_default(subscriber))
    }

    fn logged(body: BoxBody) -> LoggedBody {
        let entry = Entry {
            span: tracing::info_span!("request", request_id = "req-42"),
            method: Method::GET,
            route: "/api/v1/projects".to_owned(),
            status: StatusCode::OK,
            started: Instant::now(),
            head_elapsed: Duration::ZERO,
            metrics: None,
        };
        let held = Held {
            body: None,
            busy: None,
        };
        LoggedBody::new(body, entry, held)
    }

    fn chunks(items: Vec<Result<&'static str, &'static str>>) -> BoxBody {
        let items = items.into_iter().map(|r| {
            r.map(|s| Bytes::from_static(s.as_bytes()))
                .map_err(std::io::Error::other)
        });
        BoxBody::new(BodyStream::new(stream::iter(items)))
    }

    #[actix_web::test]
    async fn the_line_is_written_when_the_body_ends_with_its_size_and_request_id() {
        let (lines, _guard) = capture();
        let body = logged(chunks(vec![Ok("hello"), Ok("world")]));
        assert_eq!(lines.text(), "", "nothing is logged when the head goes out");
        let sent = actix_web::body::to_bytes(body).await.unwrap();
        assert_eq!(sent, "helloworld");
        let text = lines.text();
        assert_eq!(text.matches("served").count(), 1, "{text}");
        assert!(text.contains("req-42"), "{text}");
        assert!(text.contains("bytes=10"), "{text}");
        assert!(text.contains("outcome=\"complete\""), "{text}");
    }

    #[actix_web::test]
    async fn a_body_dropped_before_its_end_is_logged_as_the_client_gone() {
        let (lines, _guard) = capture();
        let mut body = logged(chunks(vec![Ok("hello"), Ok("world")]));
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(matches!(
            Pin::new(&mut body).poll_next(&mut cx),
            Poll::Ready(Some(Ok(_)))
        ));
        drop(body);
        let text = lines.text();
        assert!(text.contains("outcome=\"client_gone\""), "{text}");
        assert!(text.contains("bytes=5"), "{text}");
    }

    #[actix_web::test]
    async fn a_body_stream_that_fails_is_logged_as_such() {
        let (lines, _guard) = capture();
        let body = logged(chunks(vec![Ok("hello"), Err("export failed")]));
        assert!(actix_web::body::to_bytes(body).await.is_err());
        let text = lines.text();
        assert_eq!(text.matches("served").count(), 1, "{text}");
        assert!(text.contains("outcome=\"body_error\""), "{text}");
    }

    #[actix_web::test]
    async fn an_empty_body_actix_never_polls_counts_as_complete() {
        let (lines, _guard) = capture();
        drop(logged(BoxBody::new(())));
        assert!(
            lines.text().contains("outcome=\"complete\""),
            "{}",
            lines.text()
        );
    }
}
