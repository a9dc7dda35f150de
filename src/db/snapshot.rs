//! One read transaction that sees one snapshot of the database, for reads that take many
//! statements and must not see a write land half-way (a whole list's export).
//!
//! SQLite: a deferred `BEGIN`; its first read fixes the WAL snapshot every later read of the
//! transaction sees, while writers go on committing beside it (WAL readers block no writer).
//! PostgreSQL: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`, whose snapshot is taken at
//! its first statement. Either way the transaction is rolled back at the end: it wrote
//! nothing, and a rollback is also what ends it when the reader stops early.

use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::{AnyConnection, Conn};

/// Runs `f` inside one read-only snapshot transaction on `conn`, and ends the transaction
/// whatever `f` answers. Not for use inside another transaction (the snapshot would be the
/// outer one's).
pub fn read<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    begin(conn)?;
    let result = f(conn);
    if let Err(e) = end(conn) {
        // A connection that cannot roll back is broken: the pool drops it (`has_broken`).
        tracing::warn!(error = %e, "ending a snapshot transaction failed");
    }
    result
}

fn begin(conn: &mut Conn) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ),
        AnyConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN"),
    }
}

fn end(conn: &mut Conn) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(c) => AnsiTransactionManager::rollback_transaction(c),
        AnyConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
    }
}
