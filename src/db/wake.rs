//! Waking the webhook worker once a transaction that queued deliveries has committed.
//!
//! A use case queues deliveries (the outbox) inside its transaction, on the blocking thread
//! that runs it, and marks that thread ([`note_outbox_write`]). When the outermost
//! [`super::write_tx`] on that thread commits, the mark is taken and every worker watching
//! [`subscribe`] wakes; on rollback the mark is dropped and nobody wakes. Waking before the
//! commit would let the worker look for rows it cannot see yet. Workers also poll, so a wake
//! that is lost (or spurious, from another app in the same process) costs only latency.

use std::cell::Cell;
use std::sync::LazyLock;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{PgConnection, SqliteConnection};
use tokio::sync::watch;

use super::{AnyConnection, Conn};

thread_local! {
    static QUEUED: Cell<bool> = const { Cell::new(false) };
}

static WAKE: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::channel(0).0);

/// Marks the current transaction as having queued webhook deliveries.
pub fn note_outbox_write() {
    QUEUED.set(true);
}

/// A receiver that sees a new value after each commit that queued deliveries.
pub fn subscribe() -> watch::Receiver<u64> {
    WAKE.subscribe()
}

/// Called after a `write_tx` ends: when it was the outermost transaction, wakes the workers
/// if it committed deliveries, and forgets the mark either way.
pub(super) fn after_transaction(conn: &mut Conn, committed: bool) {
    if !outermost(conn) {
        return;
    }
    if QUEUED.replace(false) && committed {
        WAKE.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Whether no transaction is open on `conn` any more.
fn outermost(conn: &mut Conn) -> bool {
    let depth = match conn {
        AnyConnection::Postgresql(inner) => <AnsiTransactionManager as TransactionManager<
            PgConnection,
        >>::transaction_manager_status_mut(inner)
        .transaction_depth(),
        AnyConnection::Sqlite(inner) => <AnsiTransactionManager as TransactionManager<
            SqliteConnection,
        >>::transaction_manager_status_mut(inner)
        .transaction_depth(),
    };
    matches!(depth, Ok(None))
}
