//! The pool of connections, and how a request gets one: [`run`] checks a connection out on
//! actix's blocking pool as the database's [`health`](super::health) allows, and reports back
//! how its use went.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{PgConnection, SqliteConnection};

use super::health::{DbHealth, Policy, Ticket};
use super::manager::{self, ConnectionManager};
use super::{AnyConnection, Backend, Conn};
use crate::error::ApiError;

/// The r2d2 pool and what the service believes about the database behind it. Dereferences
/// to the r2d2 pool (`pool.get()` for tools and tests; handlers use [`run`]).
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<ConnectionManager>,
    health: Arc<DbHealth>,
    backend: Backend,
}

impl std::ops::Deref for Pool {
    type Target = r2d2::Pool<ConnectionManager>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl Pool {
    pub fn health(&self) -> &DbHealth {
        &self.health
    }

    /// Checks a connection out as the database's health allows: the normal wait while it is
    /// up (at most `max_wait` when given), none or a short probe while it is down.
    fn checkout(
        &self,
        max_wait: Option<Duration>,
    ) -> Result<(r2d2::PooledConnection<ConnectionManager>, Ticket), ApiError> {
        let ticket = self.health.admit(Instant::now());
        let got = match ticket {
            Ticket::Wait(wait) => self.wait_for_connection(max_wait.map_or(wait, |m| m.min(wait))),
            Ticket::Probe(wait) => self.inner.get_timeout(wait).map_err(|e| e.to_string()),
            Ticket::NoWait => self
                .inner
                .try_get()
                .ok_or_else(|| "the database is down (failing fast until it answers)".to_owned()),
        };
        match got {
            Ok(conn) => Ok((conn, ticket)),
            Err(e) => {
                // A wait that merely timed out means a busy pool, not a dead database; failed
                // connection attempts have already been reported by the pool's error handler.
                if matches!(ticket, Ticket::Probe(_)) {
                    self.health.failed(ticket, Instant::now());
                }
                Err(ApiError::Unavailable {
                    cause: anyhow::anyhow!("no database connection: {e}"),
                })
            }
        }
    }

    /// Waits up to `wait` for a connection, giving up early once the database is known to be
    /// down (so the requests already waiting when it goes down fail fast too).
    fn wait_for_connection(
        &self,
        wait: Duration,
    ) -> Result<r2d2::PooledConnection<ConnectionManager>, String> {
        const SLICE: Duration = Duration::from_millis(200);
        let deadline = Instant::now() + wait;
        loop {
            let slice = deadline
                .saturating_duration_since(Instant::now())
                .min(SLICE);
            match self.inner.get_timeout(slice) {
                Ok(conn) => return Ok(conn),
                Err(e) if Instant::now() >= deadline || self.health.is_down() => {
                    return Err(e.to_string());
                }
                Err(_) => {}
            }
        }
    }

    /// An idle connection at once, while the database is up; `None` when every connection
    /// is busy or the database is down (the caller then takes the [`run`] path, which waits
    /// or fails fast as the health allows).
    fn checkout_now(&self) -> Option<(r2d2::PooledConnection<ConnectionManager>, Ticket)> {
        let ticket = self.health.admit(Instant::now());
        if !matches!(ticket, Ticket::Wait(_)) {
            return None;
        }
        self.inner.try_get().map(|conn| (conn, ticket))
    }

    /// Tells the health state how a use of a connection went: a statement that failed because
    /// the connection broke counts as the database being down, and the connection is marked
    /// broken so the pool drops it; anything else shows the database answers.
    fn report<T>(&self, conn: &mut Conn, ticket: Ticket, result: &Result<T, ApiError>) {
        let now = Instant::now();
        match result {
            Err(e) if is_connection_failure(e) => {
                mark_broken(conn);
                self.health.failed(ticket, now);
            }
            _ => self.health.succeeded(now),
        }
    }
}

/// Makes the pool discard `conn` when it comes back (see `ConnectionManager::has_broken`).
///
/// libpq reports a session the server ended ("no connection to the server") without diesel
/// marking the connection broken, so without this the pool would hand the same dead
/// connections out again and again, and the service would never recover from a database
/// restart until they aged out.
fn mark_broken(conn: &mut Conn) {
    match conn {
        AnyConnection::Postgresql(c) => {
            <AnsiTransactionManager as TransactionManager<PgConnection>>::transaction_manager_status_mut(c)
                .set_in_error();
        }
        AnyConnection::Sqlite(c) => {
            <AnsiTransactionManager as TransactionManager<SqliteConnection>>::transaction_manager_status_mut(c)
                .set_in_error();
        }
    }
}

/// Whether an error means the connection to the database broke (rather than a statement
/// being refused).
fn is_connection_failure(e: &ApiError) -> bool {
    use diesel::result::{DatabaseErrorKind as Kind, Error};
    let ApiError::Unavailable { cause } = e else {
        return false;
    };
    cause.chain().any(|c| {
        matches!(
            c.downcast_ref::<Error>(),
            Some(Error::DatabaseError(
                Kind::ClosedConnection | Kind::UnableToSendCommand,
                _
            ))
        )
    })
}

/// Feeds the pool's own connection attempts into the health state and the log.
#[derive(Debug)]
struct HealthHooks(Arc<DbHealth>);

impl r2d2::HandleError<manager::ConnectError> for HealthHooks {
    fn handle_error(&self, error: manager::ConnectError) {
        tracing::error!(error = %error, "cannot connect to the database");
        self.0.connect_failed(Instant::now());
    }
}

impl r2d2::HandleEvent for HealthHooks {
    fn handle_acquire(&self, _: r2d2::event::AcquireEvent) {
        self.0.succeeded(Instant::now());
    }
}

/// Builds the pool. Fails fast (with the database's own message) when the first connection
/// cannot be made.
pub fn connect(url: &str, max_size: u32) -> anyhow::Result<Pool> {
    connect_counted(url, max_size, Arc::default())
}

/// As [`connect`], counting every statement run on the pool's connections into `queries`.
pub fn connect_counted(url: &str, max_size: u32, queries: Arc<AtomicU64>) -> anyhow::Result<Pool> {
    let manager = ConnectionManager::new(url, queries);
    // One real connection first, so a bad URL or a server that is down is reported with its
    // own cause instead of a pool timeout.
    r2d2::ManageConnection::connect(&manager)
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
    Ok(pool_of(manager, max_size, Policy::default()))
}

/// A pool that makes no connection up front, with the given health timings: for tests of a
/// database that is down (`serve` always uses [`connect_counted`]).
pub fn connect_lazily(url: &str, max_size: u32, policy: Policy) -> Pool {
    pool_of(
        ConnectionManager::new(url, Arc::default()),
        max_size,
        policy,
    )
}

fn pool_of(manager: ConnectionManager, max_size: u32, policy: Policy) -> Pool {
    let health = Arc::new(DbHealth::new(policy));
    let backend = manager.backend();
    let inner = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(policy.checkout_timeout)
        .test_on_check_out(false)
        .error_handler(Box::new(HealthHooks(health.clone())))
        .event_handler(Box::new(HealthHooks(health.clone())))
        .build_unchecked(manager);
    Pool {
        inner,
        health,
        backend,
    }
}

/// Runs `f` with a pooled connection on actix's blocking thread pool. While the database is
/// known to be down this answers 503 at once (see [`health`](super::health)).
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    run_within(pool, None, f).await
}

/// Runs `f`, one indexed point read, on the calling thread when the database is SQLite, up,
/// and a connection is idle; otherwise exactly as [`run`].
///
/// On SQLite such a read takes microseconds, less than handing it to the blocking pool and
/// back (two thread switches: `perf` put 40 % of `GET /projects/{code}` in the kernel's
/// scheduler before this), and in WAL mode a reader never waits for a writer. PostgreSQL
/// always goes through [`run`]: a network round trip must not hold an async worker.
pub async fn run_point<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    if pool.backend == Backend::Sqlite
        && let Some((mut conn, ticket)) = pool.checkout_now()
    {
        let result = f(&mut conn);
        pool.report(&mut conn, ticket, &result);
        return result;
    }
    run(pool, f).await
}

/// As [`run`], waiting at most `max_wait` for a connection while the database is up.
pub async fn run_within<T, F>(pool: &Pool, max_wait: Option<Duration>, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(crate::request_context::propagate(move || {
        let (mut conn, ticket) = pool.checkout(max_wait)?;
        let result = f(&mut conn);
        pool.report(&mut conn, ticket, &result);
        result
    }))
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("blocking task failed: {e}")))?
}
