//! The two embedded migration trees, chosen by backend.
//!
//! Both trees are generated from one source, `migrations/source/`, by
//! [`super::migrations_gen`]: edit the source, never a tree.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::AnyConnection;

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// An arbitrary, fixed key: service copies starting together migrate one at a time.
const PG_MIGRATION_LOCK: i64 = 0x0de7_f0d0;

/// Applies every pending migration; returns the versions applied now.
pub fn run_pending(conn: &mut AnyConnection) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        AnyConnection::Postgresql(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))?;
            let result = pg.run_pending_migrations(POSTGRES).map(versions);
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))?;
            result
        }
        AnyConnection::Sqlite(lite) => lite.run_pending_migrations(SQLITE).map(versions),
    };
    applied.map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}

fn versions(list: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    list.into_iter().map(|v| v.to_string()).collect()
}
