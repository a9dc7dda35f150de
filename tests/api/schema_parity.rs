//! The two migration trees are generated from `migrations/source`, give the same tables,
//! columns and indexes, and `schema.rs` matches what they create; the taxonomies that mirror
//! a Rust enum hold its variants, in order.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;

use devfund::db::AnyConnection;
use devfund::db::migrations_gen::{self, REGENERATE};
use devfund::db::schema::*;
use devfund::domain::follow_up::SourceType;
use devfund::domain::project::Status;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::support::{Backend, backends, db::TestDb};

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

#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    /// table → (column, nullable)
    columns: BTreeMap<String, BTreeSet<(String, bool)>>,
    /// (index, table), primary keys excluded
    indexes: BTreeSet<(String, String)>,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct Index {
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
}

fn shape(conn: &mut AnyConnection) -> Shape {
    let (columns_sql, indexes_sql) = match conn {
        AnyConnection::Sqlite(_) => (
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
            "SELECT name AS index_name, tbl_name AS table_name FROM sqlite_master \
             WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
        ),
        AnyConnection::Postgresql(_) => (
            "SELECT table_name::text AS table_name, column_name::text AS column_name, (is_nullable = 'YES') AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            "SELECT indexname::text AS index_name, tablename::text AS table_name FROM pg_indexes \
             WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'",
        ),
    };
    let mut s = Shape::default();
    for c in diesel::sql_query(columns_sql)
        .load::<Column>(conn)
        .expect("columns")
    {
        s.columns
            .entry(c.table_name)
            .or_default()
            .insert((c.column_name, c.nullable));
    }
    for i in diesel::sql_query(indexes_sql)
        .load::<Index>(conn)
        .expect("indexes")
    {
        s.indexes.insert((i.index_name, i.table_name));
    }
    s
}

/// Every table of `schema.rs`, read with all its columns: fails if a column is missing.
fn read_every_schema_table(conn: &mut AnyConnection) {
    macro_rules! probe {
        ($($t:ident),+) => {$(
            $t::table.select($t::all_columns).limit(0).execute(conn)
                .unwrap_or_else(|e| panic!("schema.rs table {} does not match: {e}", stringify!($t)));
        )+};
    }
    probe!(
        allocations,
        audit_events,
        eligibility,
        funding_rules,
        gcm_objectives,
        member_states,
        migof_elements,
        msd_deliverables,
        msd_outcomes,
        regions,
        sdg_goals,
        sdg_indicators,
        sdg_targets,
        taxonomy_terms,
        users
    );
}

#[test]
fn both_migration_trees_build_the_same_schema() {
    let mut shapes = Vec::new();
    for backend in backends() {
        let name = backend.name();
        let db = TestDb::create(backend);
        let mut conn = db.connect();
        read_every_schema_table(&mut conn);
        let s = shape(&mut conn);
        assert!(
            s.columns.len() >= 15,
            "{name}: only {} tables",
            s.columns.len()
        );
        assert!(
            s.indexes.contains(&(
                "member_states_updated_at_idx".to_owned(),
                "member_states".to_owned()
            )),
            "{name}"
        );
        shapes.push((name, s));
    }
    if let [(_, sqlite), (_, postgres)] = shapes.as_slice() {
        assert_eq!(
            sqlite.columns, postgres.columns,
            "tables and columns differ between the trees"
        );
        assert_eq!(
            sqlite.indexes, postgres.indexes,
            "indexes differ between the trees"
        );
    }
    assert!(matches!(backends()[0], Backend::Sqlite));
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
    for backend in backends() {
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
