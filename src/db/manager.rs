//! An r2d2 manager that picks the backend from the URL scheme itself.
//!
//! diesel's `MultiConnection::establish` tries each backend in turn, so a PostgreSQL that is
//! down would surface as "Invalid connection url for multiconnection"; choosing here keeps
//! libpq's real error in the log.

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

#[derive(Debug)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
    queries: Arc<AtomicU64>,
}

impl ConnectionManager {
    /// A manager whose connections count every statement they run into `queries`.
    pub fn new(url: &str, queries: Arc<AtomicU64>) -> Self {
        Self {
            url: url.to_owned(),
            backend: Backend::from_url(url),
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
            Backend::Postgres => Ok(AnyConnection::Postgresql(PgConnection::establish(
                &self.url,
            )?)),
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
