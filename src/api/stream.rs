//! A long read streamed to a response body from one snapshot of the database: the exports of
//! whole lists (CSV) and of the portfolio (IATI XML).
//!
//! One pooled connection, held by one task on the blocking pool, reads inside one read
//! transaction ([`crate::db::snapshot`]), so a write committed while the body is being sent
//! never shows half-way through it. The reader renders each page to bytes on that task and
//! sends them through a small bounded channel to the body: it runs at most [`CHANNEL`]
//! chunks ahead of the connection, so memory stays flat however long the list, and a slow
//! client slows the reader instead of piling pages up. When the body is dropped (the client
//! went away, or the server stops) the reader's next send fails, which ends the task, rolls
//! the transaction back and gives the connection back to the pool.
//!
//! The cost: an export holds one pooled connection for as long as its client takes to read
//! it (on SQLite, a long read also keeps the WAL from being checkpointed past its snapshot).

use actix_web::web::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::db::{self, Conn, Pool};
use crate::error::ApiError;

/// Chunks (pages) that may wait between the reader and the body.
pub const CHANNEL: usize = 2;

/// Why a reader stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// Nobody reads the body any more (the client went away, or the server is stopping).
    Gone,
    Failed(ApiError),
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Self {
        Stop::Failed(e)
    }
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Failed(e.into())
    }
}

/// Where a reader sends what it rendered, chunk by chunk.
pub struct Sink {
    tx: mpsc::Sender<Result<Bytes, ApiError>>,
}

impl Sink {
    /// Sends one chunk, waiting while [`CHANNEL`] chunks already wait for the connection;
    /// [`Stop::Gone`] once the body is gone. Call it only from the blocking pool.
    pub fn send(&self, chunk: impl Into<Bytes>) -> Result<(), Stop> {
        self.tx
            .blocking_send(Ok(chunk.into()))
            .map_err(|_| Stop::Gone)
    }
}

/// The body of a streamed read: its chunks, in order.
pub type Body = futures_util::stream::LocalBoxStream<'static, Result<Bytes, actix_web::Error>>;

/// Runs `read` on one pooled connection inside one snapshot transaction, on the blocking
/// pool, and answers once its first chunk has been sent, so that a failure before that
/// (no connection, a bad first page) is still a proper problem response: the body is that
/// chunk and the rest as the reader sends them. `read` must send at least one chunk. A
/// failure after the first chunk ends the body early and is logged as `what` stopping.
pub async fn body<F>(pool: &Pool, what: &'static str, read: F) -> Result<Body, ApiError>
where
    F: FnOnce(&mut Conn, &Sink) -> Result<(), Stop> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel(CHANNEL);
    let failed = tx.clone();
    let sink = Sink { tx };
    let pool = pool.clone();
    // The spawned task does not inherit the request's context (its id in the log lines).
    let context = crate::request_context::current();
    actix_web::rt::spawn(async move {
        let reader = db::run(&pool, move |conn| {
            match db::snapshot::read(conn, |conn| read(conn, &sink)) {
                Ok(()) => Ok(()),
                Err(Stop::Gone) => {
                    tracing::debug!("{what}: the body was dropped; the reader stops");
                    Ok(())
                }
                Err(Stop::Failed(e)) => Err(e),
            }
        });
        let result = match context {
            Some(cx) => crate::request_context::scope(cx, reader).await,
            None => reader.await,
        };
        if let Err(e) = result {
            // Nobody may be listening any more; then there is no one to tell.
            let _ = failed.send(Err(e)).await;
        }
    });
    let first = match rx.recv().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(e)) => return Err(e),
        None => {
            return Err(ApiError::internal(anyhow::anyhow!(
                "{what} ended before its first chunk"
            )));
        }
    };
    let rest = futures_util::stream::unfold(Some(rx), move |rx| async move {
        let mut rx = rx?;
        match rx.recv().await? {
            Ok(chunk) => Some((Ok(chunk), Some(rx))),
            Err(e) => {
                tracing::error!(error = %e, "{what} stopped");
                Some((
                    Err(actix_web::error::ErrorInternalServerError("export failed")),
                    None,
                ))
            }
        }
    });
    Ok(futures_util::stream::once(async move { Ok(first) })
        .chain(rest)
        .boxed_local())
}
