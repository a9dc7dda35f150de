//! An r2d2 manager that picks the backend from the URL scheme itself.
//!
//! diesel's `MultiConnection::establish` tries each backend in turn, so a PostgreSQL that is
//! down would surface as "Invalid connection url for multiconnection"; choosing here keeps
//! libpq's real error in the log. PostgreSQL connections get a `connect_timeout` unless the URL
//! sets one, so an unreachable host fails a connection attempt instead of hanging it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::{
    Instrumentation, InstrumentationEvent, SimpleConnection, TransactionManager,
};
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};

use super::{AnyConnection, Backend, sqlite_path};

/// How long a SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Seconds libpq may spend making a connection, unless the URL says otherwise.
const PG_CONNECT_TIMEOUT_SECS: u32 = 5;

#[derive(Debug)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
    queries: Arc<AtomicU64>,
}

impl ConnectionManager {
    /// The database the URL names.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A manager whose connections count every statement they run into `queries`.
    pub fn new(url: &str, queries: Arc<AtomicU64>) -> Self {
        let backend = Backend::from_url(url);
        let url = match backend {
            Backend::Postgres => with_connect_timeout(url),
            Backend::Sqlite => url.to_owned(),
        };
        Self {
            url,
            backend,
            queries,
        }
    }

    fn counter(&self) -> impl Instrumentation {
        let queries = self.queries.clone();
        move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                queries.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Adds `connect_timeout` to a PostgreSQL URL that has none.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={PG_CONNECT_TIMEOUT_SECS}")
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<AnyConnection, ConnectError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.url)?;
                conn.set_instrumentation(self.counter());
                Ok(AnyConnection::Postgresql(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(&self.url))?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                ))?;
                conn.set_instrumentation(self.counter());
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        // A connection left inside a transaction (a panic mid-use case) must not be reused.
        match conn {
            AnyConnection::Postgresql(c) => {
                diesel::connection::AnsiTransactionManager::is_broken_transaction_manager(c)
            }
            AnyConnection::Sqlite(c) => {
                diesel::connection::AnsiTransactionManager::is_broken_transaction_manager(c)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_connect_timeout;
    use diesel::prelude::*;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }

    /// `.cargo/config.toml` builds the bundled SQLite without per-connection mutexes and
    /// memory statistics; a build that lost the setting (another config, a system SQLite)
    /// fails here instead of only getting slower.
    #[test]
    fn the_bundled_sqlite_is_built_multi_threaded_without_memory_statistics() {
        let mut conn = diesel::SqliteConnection::establish(":memory:").expect("sqlite");
        let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)
            .expect("compile options")
            .into_iter()
            .map(|o| o.compile_options)
            .collect();
        for wanted in ["THREADSAFE=2", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|o| o == wanted),
                "{wanted} not in {options:?}"
            );
        }
    }

    #[test]
    fn postgres_urls_get_a_connect_timeout_unless_they_set_one() {
        assert_eq!(
            with_connect_timeout("postgres://u@h/db"),
            "postgres://u@h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?sslmode=require"),
            "postgres://u@h/db?sslmode=require&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?connect_timeout=2"),
            "postgres://u@h/db?connect_timeout=2"
        );
    }
}
