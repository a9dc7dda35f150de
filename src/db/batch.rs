//! Point reads of concurrent requests answered together: [`Batched::read`] queues a key,
//! and one task reads every key queued so far in one query, then the keys queued while it
//! ran, and so on until none is left.
//!
//! For PostgreSQL, where each read is a network round trip through the blocking pool: under
//! load, a dozen requests share one round trip and one hand-off instead of each making its
//! own (`GET /projects/{code}` reads its project's version this way; README, Benchmark). An
//! idle service reads at once: the first key starts the task, nothing waits for a batch to
//! fill.
//!
//! Never stale: a key's query starts after the key was queued, so it sees every write
//! committed before the request asked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

use super::{Conn, Pool, run};
use crate::error::ApiError;

/// Reads the rows of `keys` (each at most once): (key, value) for the keys found.
pub type Fetch<V> =
    dyn Fn(&mut Conn, &[String]) -> Result<Vec<(String, V)>, ApiError> + Send + Sync;

type Answer<V> = Result<Option<V>, ApiError>;

/// Reads by key, batched (see the module).
pub struct Batched<V> {
    pool: Pool,
    fetch: Box<Fetch<V>>,
    queue: Mutex<Queue<V>>,
}

struct Queue<V> {
    /// Whether a task is reading; it takes what is queued until the queue is empty.
    reading: bool,
    waiting: Vec<(String, oneshot::Sender<Answer<V>>)>,
}

impl<V: Clone + Send + 'static> Batched<V> {
    pub fn new(pool: Pool, fetch: Box<Fetch<V>>) -> Arc<Self> {
        Arc::new(Batched {
            pool,
            fetch,
            queue: Mutex::new(Queue {
                reading: false,
                waiting: Vec::new(),
            }),
        })
    }

    /// The value of `key`, read with the keys other requests asked for meanwhile.
    pub async fn read(self: &Arc<Self>, key: String) -> Answer<V> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut queue = self.queue();
            queue.waiting.push((key, tx));
            !std::mem::replace(&mut queue.reading, true)
        };
        if start {
            actix_web::rt::spawn(self.clone().drain());
        }
        rx.await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("a batched read was dropped")))?
    }

    fn queue(&self) -> MutexGuard<'_, Queue<V>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads what is queued, batch after batch, until nothing is.
    async fn drain(self: Arc<Self>) {
        let mut done = Done {
            reads: &self,
            armed: true,
        };
        loop {
            let batch = {
                let mut queue = self.queue();
                if queue.waiting.is_empty() {
                    queue.reading = false;
                    done.armed = false;
                    return;
                }
                std::mem::take(&mut queue.waiting)
            };
            let mut keys: Vec<String> = batch.iter().map(|(k, _)| k.clone()).collect();
            keys.sort_unstable();
            keys.dedup();
            let this = self.clone();
            let read = run(&self.pool, move |conn| (this.fetch)(conn, &keys)).await;
            answer(batch, read);
        }
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.queue().waiting.len()
    }
}

/// Hands each waiter its value, or the batch's error (the first waiter gets it as it is, the
/// others a copy: its cause is logged once).
fn answer<V: Clone>(
    batch: Vec<(String, oneshot::Sender<Answer<V>>)>,
    read: Result<Vec<(String, V)>, ApiError>,
) {
    match read {
        Ok(rows) => {
            let found: HashMap<String, V> = rows.into_iter().collect();
            for (key, tx) in batch {
                let _ = tx.send(Ok(found.get(&key).cloned()));
            }
        }
        Err(e) => {
            let mut batch = batch.into_iter();
            let first = batch.next();
            for (_, tx) in batch {
                let _ = tx.send(Err(copy_of(&e)));
            }
            if let Some((_, tx)) = first {
                let _ = tx.send(Err(e));
            }
        }
    }
}

/// The same failure for another request: a database that is down stays a 503.
fn copy_of(e: &ApiError) -> ApiError {
    match e {
        ApiError::Unavailable { cause } => ApiError::Unavailable {
            cause: anyhow::anyhow!("{cause}"),
        },
        ApiError::Client { code, detail, .. } => ApiError::new(*code, detail.clone()),
        other => ApiError::internal(anyhow::anyhow!("{other}")),
    }
}

/// Ends a drain that stopped before the queue was empty (its task dropped while the runtime
/// shuts down, or a panic): the queue is marked idle and whoever still waits gets an error,
/// so no request waits forever. Disarmed when the drain ends normally, since by then another
/// drain may have started.
struct Done<'a, V> {
    reads: &'a Batched<V>,
    armed: bool,
}

impl<V> Drop for Done<'_, V> {
    fn drop(&mut self) {
        if self.armed {
            let mut queue = self
                .reads
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            queue.reading = false;
            for (_, tx) in queue.waiting.drain(..) {
                let _ = tx.send(Err(ApiError::internal(anyhow::anyhow!(
                    "a batched read stopped"
                ))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    fn pool() -> (tempfile::TempDir, Pool) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = dir.path().join("batch.sqlite3");
        let pool = crate::db::connect(url.to_str().expect("path"), 2).expect("pool");
        (dir, pool)
    }

    async fn until(what: impl Fn() -> bool) {
        for _ in 0..500 {
            if what() {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        panic!("timed out");
    }

    #[actix_web::test]
    async fn keys_asked_while_a_read_runs_are_read_together_in_the_next() {
        let (_dir, pool) = pool();
        let batches = Arc::new(Mutex::new(Vec::<Vec<String>>::new()));
        let (release, gate) = mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        let seen = batches.clone();
        let reads = Batched::new(
            pool,
            Box::new(move |_: &mut Conn, keys: &[String]| {
                let first = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(keys.to_vec());
                    seen.len() == 1
                };
                if first {
                    gate.lock().unwrap().recv().expect("released");
                }
                Ok(keys
                    .iter()
                    .filter(|k| *k != "missing")
                    .map(|k| (k.clone(), k.len()))
                    .collect())
            }),
        );
        let first = actix_web::rt::spawn({
            let reads = reads.clone();
            async move { reads.read("a".into()).await }
        });
        until(|| batches.lock().unwrap().len() == 1).await;
        let later: Vec<_> = ["bb", "ccc", "bb", "missing"]
            .into_iter()
            .map(|k| {
                let reads = reads.clone();
                actix_web::rt::spawn(async move { reads.read(k.into()).await })
            })
            .collect();
        until(|| reads.waiting() == 4).await;
        release.send(()).expect("release");
        assert_eq!(first.await.expect("task").expect("read"), Some(1));
        let mut got = Vec::new();
        for task in later {
            got.push(task.await.expect("task").expect("read"));
        }
        assert_eq!(got, [Some(2), Some(3), Some(2), None]);
        assert_eq!(
            *batches.lock().unwrap(),
            [
                vec!["a".to_owned()],
                vec!["bb".into(), "ccc".into(), "missing".into()]
            ]
        );
        assert_eq!(reads.waiting(), 0);
        assert!(!reads.queue().reading, "the queue is idle again");
    }

    #[actix_web::test]
    async fn a_failed_read_fails_every_request_of_its_batch_the_same_way() {
        let (_dir, pool) = pool();
        let reads = Batched::<i64>::new(
            pool,
            Box::new(|_: &mut Conn, _: &[String]| {
                Err(ApiError::Unavailable {
                    cause: anyhow::anyhow!("database down"),
                })
            }),
        );
        let tasks: Vec<_> = ["a", "b", "c"]
            .into_iter()
            .map(|k| {
                let reads = reads.clone();
                actix_web::rt::spawn(async move { reads.read(k.into()).await })
            })
            .collect();
        for task in tasks {
            let e = task.await.expect("task").expect_err("fails");
            assert_eq!(e.code(), crate::error::ErrorCode::Unavailable);
        }
        assert!(!reads.queue().reading);
    }

    #[actix_web::test]
    async fn a_read_that_panics_fails_its_requests_and_leaves_the_queue_usable() {
        let (_dir, pool) = pool();
        let reads = Batched::<i64>::new(
            pool,
            Box::new(|_: &mut Conn, keys: &[String]| {
                assert!(keys != ["boom"], "a read that panics");
                Ok(keys.iter().map(|k| (k.clone(), 7)).collect())
            }),
        );
        let e = reads.read("boom".into()).await.expect_err("fails");
        assert_eq!(e.code(), crate::error::ErrorCode::Internal);
        assert_eq!(reads.read("fine".into()).await.expect("read"), Some(7));
    }
}
