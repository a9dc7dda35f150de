//! Both backends' migrations come from one source and build the same schema, which is the one
//! `src/db/schema.rs` declares.
//!
//! - The committed trees `migrations/postgres` and `migrations/sqlite` are what
//!   `devfund::db::migrations_gen` renders from `migrations/source` (`UPDATE_MIGRATIONS=1`
//!   rewrites them).
//! - A migrated SQLite and a migrated PostgreSQL database have the same tables; per table the
//!   same columns in the same order with the same type, nullability and generated key, the same
//!   primary key, indexes (name, columns, uniqueness, partial or not), unique constraints and
//!   foreign keys (columns, referenced table and columns, on delete, on update).
//! - Each database has exactly the tables, columns, types, nullability and primary keys of
//!   `schema.rs`.
//! - The taxonomies that mirror a Rust enum hold its variants, in order.
//!
//! PostgreSQL is compared when `DEVFUND_TEST_DATABASE_URL` is set. Unset, SQLite is still
//! checked against `schema.rs` and a note on standard error says what was skipped; unset while
//! `CI` is set, the tests fail instead, so CI cannot pass by never looking at PostgreSQL.
//!
//! Types are compared as diesel names them in `schema.rs` ([`read::diesel_type`]), so the two
//! databases' spellings meet. Text collation is not compared: SQLite's `TEXT` is always
//! bytewise, PostgreSQL's only with `COLLATE "C"` (the `{{text_bytewise}}` placeholder).

mod read;
mod schema_rs;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;

use devfund::db::migrations_gen::{self, REGENERATE};
use devfund::db::schema::taxonomy_terms;
use devfund::domain::follow_up::SourceType;
use devfund::domain::project::Status;
use diesel::prelude::*;

use crate::support::{Backend, db::TestDb};
use read::{Schema, read_schema};
use schema_rs::{against_schema_rs, schema_rs};

#[test]
fn committed_migrations_match_their_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = migrations_gen::generate(root).expect("render migrations/source");
    if std::env::var("UPDATE_MIGRATIONS").is_ok_and(|v| v == "1") {
        let written = migrations_gen::write(root, &generated).expect("write the migration trees");
        let _ = writeln!(
            std::io::stderr(),
            "UPDATE_MIGRATIONS=1: rewrote {} file(s){}",
            written.len(),
            written
                .iter()
                .map(|p| format!("\n  {}", p.display()))
                .collect::<String>()
        );
    }
    let differences = migrations_gen::differences(root, &generated).expect("read the trees");
    assert!(
        differences.is_empty(),
        "the migration trees do not match migrations/source:\n  {}\n\
         Edit migrations/source (never a tree), then regenerate both trees with\n    {REGENERATE}\n\
         and commit them with the source.",
        differences.join("\n  ")
    );
}

#[test]
fn both_backends_migrate_to_the_same_schema_as_schema_rs() {
    let declared = schema_rs();
    let sqlite = {
        let db = TestDb::create(Backend::Sqlite);
        read_schema(&mut db.connect())
    };
    assert_read_whole("sqlite", &sqlite);
    let mut problems = against_schema_rs("sqlite", &sqlite, &declared);
    if let Some(url) = postgres_url("the PostgreSQL half of the schema parity test") {
        let postgres = {
            let db = TestDb::create(Backend::Postgres(url));
            read_schema(&mut db.connect())
        };
        assert_read_whole("postgres", &postgres);
        problems.extend(against_schema_rs("postgres", &postgres, &declared));
        problems.extend(between_backends(&sqlite, &postgres));
    }
    assert!(
        problems.is_empty(),
        "the schemas differ:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn the_taxonomies_of_statuses_and_source_types_list_the_enums() {
    let expected: Vec<(String, String)> = Status::ALL
        .iter()
        .map(|s| ("project-statuses".to_owned(), s.as_str().to_owned()))
        .chain(
            SourceType::ALL
                .iter()
                .map(|t| ("source-types".to_owned(), t.as_str().to_owned())),
        )
        .collect();
    let labels: Vec<String> = migrations_gen::enum_taxonomy_terms()
        .into_iter()
        .map(|(_, _, label)| label)
        .collect();
    let mut backends = vec![Backend::Sqlite];
    backends
        .extend(postgres_url("the PostgreSQL half of the taxonomy check").map(Backend::Postgres));
    for backend in backends {
        let name = backend.name();
        let db = TestDb::create(backend);
        let rows: Vec<(String, String, String, i32)> = taxonomy_terms::table
            .filter(taxonomy_terms::taxonomy.eq_any(["project-statuses", "source-types"]))
            .order((taxonomy_terms::taxonomy, taxonomy_terms::position))
            .select((
                taxonomy_terms::taxonomy,
                taxonomy_terms::code,
                taxonomy_terms::label,
                taxonomy_terms::position,
            ))
            .load(&mut db.connect())
            .expect("taxonomy terms");
        let found: Vec<(String, String)> =
            rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
        assert_eq!(
            found, expected,
            "{name}: codes and order; regenerate with `{REGENERATE}`"
        );
        let found: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(found, labels, "{name}: labels");
        let positions: Vec<i32> = rows.iter().map(|r| r.3).collect();
        let numbered: Vec<i32> = [Status::ALL.len(), SourceType::ALL.len()]
            .into_iter()
            .flat_map(|n| 1..=n as i32)
            .collect();
        assert_eq!(positions, numbered, "{name}: positions");
    }
}

/// PostgreSQL's URL when `DEVFUND_TEST_DATABASE_URL` is set. Otherwise a note on standard
/// error that `what` was skipped, or, when `CI` is set, a failure.
fn postgres_url(what: &str) -> Option<String> {
    if let Ok(url) = std::env::var("DEVFUND_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        return Some(url);
    }
    let ci = std::env::var("CI").unwrap_or_default();
    assert!(
        ci.is_empty() || ci == "false" || ci == "0",
        "CI={ci} but DEVFUND_TEST_DATABASE_URL is not set: {what} cannot run, and in CI it \
         must (set it to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test)"
    );
    // The real standard error, not the test's captured output: the note shows on a passing run.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {what}: DEVFUND_TEST_DATABASE_URL is not set (SQLite was checked alone)"
    );
    None
}

/// Every aspect was read (a query that silently returned nothing would make both sides agree).
fn assert_read_whole(backend: &str, schema: &Schema) {
    let tables = schema.values();
    let columns = || tables.clone().flat_map(|t| &t.columns);
    assert!(
        schema.len() >= 25,
        "{backend}: only {} tables",
        schema.len()
    );
    assert!(
        columns().any(|c| c.nullable),
        "{backend}: no nullable column"
    );
    assert!(
        columns().any(|c| c.generated_key),
        "{backend}: no generated key"
    );
    let some = |what: &str, found: bool| assert!(found, "{backend}: no {what} read");
    some(
        "composite primary key",
        tables.clone().any(|t| t.primary_key.len() > 1),
    );
    some(
        "unique index",
        tables
            .clone()
            .flat_map(|t| t.indexes.values())
            .any(|i| i.unique),
    );
    some(
        "multi-column index",
        tables
            .clone()
            .flat_map(|t| t.indexes.values())
            .any(|i| i.columns.len() > 1),
    );
    some(
        "foreign key",
        tables.clone().any(|t| !t.foreign_keys.is_empty()),
    );
    some(
        "ON DELETE CASCADE",
        tables
            .clone()
            .flat_map(|t| &t.foreign_keys)
            .any(|f| f.on_delete == "CASCADE"),
    );
}

/// What differs between the two databases, table by table and aspect by aspect.
fn between_backends(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, a, b) in same_tables(("sqlite", sqlite), ("postgres", postgres), &mut out) {
        out.extend(column_differences(
            name,
            ("sqlite", &a.columns),
            ("postgres", &b.columns),
        ));
        macro_rules! aspect {
            ($($field:ident),+) => {$(
                if a.$field != b.$field {
                    out.push(format!(
                        "{name}: {} differ:\n    sqlite:   {:?}\n    postgres: {:?}",
                        stringify!($field), a.$field, b.$field
                    ));
                }
            )+};
        }
        aspect!(primary_key, indexes, unique_constraints, foreign_keys);
    }
    out
}

/// The tables both sides have, each with its two versions; a table on one side only is
/// written to `out`.
pub(super) fn same_tables<'a, A, B>(
    (a_name, a): (&str, &'a BTreeMap<String, A>),
    (b_name, b): (&str, &'a BTreeMap<String, B>),
    out: &mut Vec<String>,
) -> Vec<(&'a str, &'a A, &'a B)> {
    let mut both = Vec::new();
    for name in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
        match (a.get(name), b.get(name)) {
            (Some(x), Some(y)) => both.push((name.as_str(), x, y)),
            (Some(_), None) => out.push(format!("table {name} is in {a_name}, not in {b_name}")),
            _ => out.push(format!("table {name} is in {b_name}, not in {a_name}")),
        }
    }
    both
}

/// The columns that differ, one line each; or both lists when their lengths differ.
pub(super) fn column_differences<T: std::fmt::Debug + PartialEq>(
    table: &str,
    (a_name, a): (&str, &[T]),
    (b_name, b): (&str, &[T]),
) -> Vec<String> {
    if a.len() != b.len() {
        return vec![format!(
            "{table}: {} columns on {a_name}, {} on {b_name}:\n    {a_name}: {a:?}\n    {b_name}: {b:?}",
            a.len(),
            b.len()
        )];
    }
    a.iter()
        .zip(b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| {
            format!(
                "{table}: column {} differs:\n    {a_name}: {x:?}\n    {b_name}: {y:?}",
                i + 1
            )
        })
        .collect()
}
