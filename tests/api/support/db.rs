//! A database per test, cloned from a template migrated once per run.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use devfund::db::AnyConnection;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The server URL (any database on it; tests create their own).
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// One test's database; removed when dropped.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Holds the folder (and so the file) until the test ends.
    Sqlite(#[expect(dead_code, reason = "kept for its Drop")] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl TestDb {
    pub fn create(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("devfund.sqlite3");
                std::fs::copy(sqlite_template(), &path).expect("copy template");
                TestDb {
                    url: path.to_string_lossy().into_owned(),
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Backend::Postgres(admin_url) => {
                let template = pg_template(&admin_url);
                let name = format!(
                    "devfund_test_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                let mut admin = PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .expect("create test database");
                TestDb {
                    url: with_database(&admin_url, &name),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }

    /// A direct connection to this test's database (for checks beside the API).
    pub fn connect(&self) -> AnyConnection {
        match &self.cleanup {
            Cleanup::Sqlite(_) => {
                AnyConnection::Sqlite(SqliteConnection::establish(&self.url).expect("sqlite"))
            }
            Cleanup::Postgres { .. } => {
                AnyConnection::Postgresql(PgConnection::establish(&self.url).expect("pg"))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A hash of every migration file, so a changed migration gets a new template.
fn migrations_hash() -> String {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("migrations dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, files)
            } else {
                files.push(path)
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"),
        &mut files,
    );
    files.sort();
    let mut hasher = DefaultHasher::new();
    for f in files {
        f.to_string_lossy().hash(&mut hasher);
        std::fs::read(&f).expect("read migration").hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("template.sqlite3");
            let mut conn = AnyConnection::Sqlite(
                SqliteConnection::establish(&path.to_string_lossy()).expect("sqlite"),
            );
            conn.batch_execute("PRAGMA journal_mode = WAL;")
                .expect("wal");
            devfund::db::migrate::run_pending(&mut conn).expect("migrate template");
            drop(conn);
            (dir, path)
        })
        .1
}

/// The migrated template database on this server, created once (under an advisory lock, so
/// concurrent test processes agree).
fn pg_template(admin_url: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = format!("devfund_tpl_{}", migrations_hash());
            let mut admin = PgConnection::establish(admin_url).expect("connect to PostgreSQL");
            admin
                .batch_execute("SELECT pg_advisory_lock(4242)")
                .expect("lock");
            #[derive(QueryableByName)]
            struct Exists {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                exists: bool,
            }
            let found: Exists = diesel::sql_query(
                "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists",
            )
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result(&mut admin)
            .expect("look up template");
            if !found.exists {
                let building = format!("{name}_build_{}", std::process::id());
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
                    .expect("drop stale");
                admin
                    .batch_execute(&format!("CREATE DATABASE {building}"))
                    .expect("create template");
                {
                    let mut conn = AnyConnection::Postgresql(
                        PgConnection::establish(&with_database(admin_url, &building))
                            .expect("connect template"),
                    );
                    devfund::db::migrate::run_pending(&mut conn).expect("migrate template");
                }
                // Renamed only once complete, so a crash never leaves a half-migrated template.
                admin
                    .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .expect("rename template");
            }
            admin
                .batch_execute("SELECT pg_advisory_unlock(4242)")
                .expect("unlock");
            name
        })
        .clone()
}

#[test]
fn urls_get_their_database_replaced() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}
