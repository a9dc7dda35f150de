//! The database layer: one diesel code path over SQLite (embedded default) and PostgreSQL.
//!
//! The backend is chosen from the URL scheme ([`Backend::from_url`]); connections come from an
//! r2d2 pool of [`AnyConnection`]; every write runs in [`write_tx`] (on SQLite a
//! `BEGIN IMMEDIATE` transaction, so readers that later write never deadlock), and every
//! database call from a handler goes through [`run`], which checks a connection out inside
//! actix's blocking pool. The pool carries a [`DbHealth`]: once the database is known to be
//! down, requests answer 503 at once instead of each waiting out the checkout timeout.
//! Advisory locks (the envelope of a year and line, taken before an approval counts what is
//! committed) are in `locks`. A read of many statements that must see one state of the
//! database (a whole list's export) runs in one [`snapshot`] transaction.

pub mod batch;
pub mod health;
mod locks;
mod manager;
pub mod migrate;
pub mod migrations_gen;
mod pool;
pub mod schema;
pub mod snapshot;
pub mod sql;
pub mod wake;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};

pub use health::DbHealth;
pub use locks::{lock_change_feed, lock_envelope, lock_envelopes, lock_project};
pub use manager::ConnectionManager;
pub use pool::{Pool, connect, connect_counted, connect_lazily, run, run_point, run_within};

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Conn = AnyConnection;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgres://` or `postgresql://` selects PostgreSQL; anything else is a SQLite path
    /// (optionally prefixed `sqlite://`).
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// The SQLite file path of a `sqlite://path` or plain path URL.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// Creates the folder of a SQLite database file, so a fresh checkout needs no set-up.
pub fn ensure_sqlite_dir(url: &str) -> std::io::Result<()> {
    if Backend::from_url(url) == Backend::Sqlite
        && let Some(parent) = std::path::Path::new(sqlite_path(url)).parent()
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(())
}

/// Runs `f` in one write transaction: `BEGIN IMMEDIATE` on SQLite (takes the write lock up
/// front, so a read-then-write use case cannot fail with "database is locked"), a plain
/// transaction on PostgreSQL. Commits on `Ok`, rolls back on `Err`. Called inside another
/// `write_tx` it nests as a savepoint, so use cases compose.
pub fn write_tx<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        AnyConnection::Postgresql(_) => {
            let result = conn.transaction(f);
            wake::after_transaction(conn, result.is_ok());
            result
        }
        AnyConnection::Sqlite(inner) => {
            let depth = <AnsiTransactionManager as TransactionManager<SqliteConnection>>::transaction_manager_status_mut(inner)
                .transaction_depth();
            if !matches!(depth, Ok(None)) {
                // Already inside a use case's transaction: nest as a savepoint.
                return conn.transaction(f);
            }
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let AnyConnection::Sqlite(inner) = conn else {
                unreachable!("the variant of a connection never changes")
            };
            match result {
                Ok(value) => {
                    if let Err(e) = AnsiTransactionManager::commit_transaction(inner) {
                        let _ = AnsiTransactionManager::rollback_transaction(inner);
                        wake::after_transaction(conn, false);
                        return Err(e.into());
                    }
                    wake::after_transaction(conn, true);
                    Ok(value)
                }
                Err(e) => {
                    if let Err(rollback) = AnsiTransactionManager::rollback_transaction(inner) {
                        tracing::error!(error = %rollback, "rollback failed");
                    }
                    wake::after_transaction(conn, false);
                    Err(e)
                }
            }
        }
    }
}

/// Runs `$body` with `$c` bound to the backend's own connection: for statements diesel
/// builds for each backend but not for the multi backend (a multi-row `INSERT`). The body
/// is compiled once per backend.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// How many rows of `columns` bind variables each one multi-row statement may carry: the
/// backend's limit on bind variables (SQLite 32,766, PostgreSQL 65,535) over the columns.
pub fn rows_per_statement(conn: &Conn, columns: usize) -> usize {
    let limit = match conn {
        AnyConnection::Postgresql(_) => 65_535,
        AnyConnection::Sqlite(_) => 32_766,
    };
    (limit / columns.max(1)).max(1)
}

/// Writes `rows` in statements of at most [`rows_per_statement`] rows each: `write` runs
/// one multi-row statement per chunk, so any batch that fits the limit is one statement.
pub fn in_chunks<T>(
    conn: &mut Conn,
    rows: &[T],
    columns: usize,
    mut write: impl FnMut(&mut Conn, &[T]) -> QueryResult<usize>,
) -> QueryResult<()> {
    let per = rows_per_statement(conn, columns);
    for chunk in rows.chunks(per) {
        write(conn, chunk)?;
    }
    Ok(())
}

/// [`in_chunks`] for statements that answer rows (`RETURNING`), in order.
pub fn in_chunks_returning<T, R>(
    conn: &mut Conn,
    rows: &[T],
    columns: usize,
    mut write: impl FnMut(&mut Conn, &[T]) -> QueryResult<Vec<R>>,
) -> QueryResult<Vec<R>> {
    let per = rows_per_statement(conn, columns);
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(per) {
        out.extend(write(conn, chunk)?);
    }
    Ok(out)
}

/// Runs `f` inside a savepoint so that a statement expected to fail (a unique violation that
/// is then reported) does not abort the surrounding PostgreSQL transaction.
pub fn savepoint<T, F>(conn: &mut Conn, f: F) -> Result<T, diesel::result::Error>
where
    F: FnOnce(&mut Conn) -> Result<T, diesel::result::Error>,
{
    conn.transaction(f)
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use crate::domain::Scope;

    #[test]
    fn closed_vocabularies_read_through_the_multi_connection_the_pool_hands_out() {
        let mut any =
            super::AnyConnection::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        let scope: Scope =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'regional'"))
                .get_result(&mut any)
                .unwrap();
        assert_eq!(scope, Scope::Regional);
        assert!(
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'local'"))
                .get_result::<Scope>(&mut any)
                .is_err()
        );
    }
}
