//! Reads a migrated database's schema into one shape for both backends: SQLite's pragmas and
//! PostgreSQL's catalogues, normalized as [`diesel_type`] and the comments below say.

use std::collections::{BTreeMap, BTreeSet};

use devfund::db::AnyConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text};

/// A table as both databases are compared: column order and names as created.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// `CREATE [UNIQUE] INDEX`es, by name (primary keys and unique constraints apart).
    pub indexes: BTreeMap<String, Index>,
    /// Inline `UNIQUE` constraints, by columns: each database names their index its own way.
    pub unique_constraints: BTreeSet<Vec<String>>,
    pub foreign_keys: BTreeSet<ForeignKey>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// See [`diesel_type`].
    pub diesel_type: String,
    pub nullable: bool,
    /// The database assigns it (`BIGSERIAL`, SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`).
    pub generated_key: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Index {
    /// `(expression)` for a column that is an expression.
    pub columns: Vec<String>,
    pub unique: bool,
    pub partial: bool,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: String,
    pub on_update: String,
}

pub type Schema = BTreeMap<String, Table>;

/// A column type as diesel names it in `schema.rs`: the mapping that lets SQLite's declared
/// names and PostgreSQL's types meet.
///
/// | `schema.rs` | PostgreSQL | SQLite (declared) |
/// |---|---|---|
/// | `BigInt` | `bigint` (`BIGSERIAL` too) | `BIGINT`; `INTEGER PRIMARY KEY AUTOINCREMENT`, a 64-bit rowid |
/// | `Integer` | `integer` | `INTEGER`, `INT` |
/// | `SmallInt` | `smallint` | `SMALLINT` |
/// | `Text` | `text` | `TEXT` |
/// | `Bool` | `boolean` | `BOOLEAN` |
/// | `Date` | `date` | `DATE` |
/// | `Timestamp` | `timestamp without time zone` | `TIMESTAMP` |
/// | `Double` | `double precision` | `DOUBLE`, `DOUBLE PRECISION`, `REAL` |
///
/// SQLite stores every integer in up to 8 bytes whatever its declared name, but diesel reads
/// the declared name, so that is what is compared. Any other type reads `unmapped(..)` and so
/// differs from everything: extend the table when a migration uses a new type.
pub fn diesel_type(declared: &str, generated_key: bool) -> String {
    if generated_key {
        return "BigInt".to_owned();
    }
    match declared.to_ascii_lowercase().as_str() {
        "bigint" => "BigInt",
        "integer" | "int" => "Integer",
        "smallint" => "SmallInt",
        "text" => "Text",
        "boolean" => "Bool",
        "date" => "Date",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "double" | "double precision" | "real" => "Double",
        other => return format!("unmapped({other})"),
    }
    .to_owned()
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    declared_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    /// 1-based position in the primary key; 0 when not part of it.
    #[diesel(sql_type = Integer)]
    key_position: i32,
    #[diesel(sql_type = Bool)]
    generated_key: bool,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    /// `pk` (primary key), `u` (unique constraint) or `c` (`CREATE INDEX`), as SQLite says it.
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Bool)]
    partial: bool,
    /// `None` for an expression.
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    key_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    referenced_table: String,
    /// `None` on SQLite when the key names the referenced table's primary key implicitly.
    #[diesel(sql_type = Nullable<Text>)]
    referenced_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, \
     p.type AS declared_type, p.\"notnull\" <> 0 AS not_null, p.pk AS key_position, \
     (p.pk = 1 AND upper(p.type) = 'INTEGER' AND instr(upper(m.sql), 'AUTOINCREMENT') > 0 \
      AND (SELECT count(*) FROM pragma_table_info(m.name) k WHERE k.pk > 0) = 1) AS generated_key \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
     ORDER BY m.name, p.cid";

const SQLITE_INDEXES: &str = "SELECT m.name AS table_name, l.name AS index_name, \
     l.\"unique\" <> 0 AS is_unique, l.origin AS origin, l.partial <> 0 AS partial, i.name AS column_name \
     FROM sqlite_master m JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
     ORDER BY m.name, l.name, i.seqno";

const SQLITE_FOREIGN_KEYS: &str = "SELECT m.name AS table_name, CAST(f.id AS TEXT) AS key_name, \
     f.\"from\" AS column_name, f.\"table\" AS referenced_table, f.\"to\" AS referenced_column, \
     f.on_delete AS on_delete, f.on_update AS on_update \
     FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
     ORDER BY m.name, f.id, f.seq";

const PG_COLUMNS: &str = "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
     c.data_type::text AS declared_type, c.is_nullable = 'NO' AS not_null, \
     COALESCE(k.ordinal_position::int, 0) AS key_position, \
     (c.is_identity = 'YES' OR COALESCE(c.column_default LIKE 'nextval(%', false)) AS generated_key \
     FROM information_schema.columns c \
     LEFT JOIN (information_schema.table_constraints t \
       JOIN information_schema.key_column_usage k ON k.constraint_schema = t.constraint_schema \
        AND k.constraint_name = t.constraint_name AND k.table_name = t.table_name) \
       ON t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema \
        AND t.table_name = c.table_name AND k.column_name = c.column_name \
     WHERE c.table_schema = 'public' AND c.table_name <> '__diesel_schema_migrations' \
     ORDER BY c.table_name, c.ordinal_position";

const PG_INDEXES: &str = "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
     x.indisunique AS is_unique, \
     CASE WHEN x.indisprimary THEN 'pk' \
          WHEN EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('u', 'x')) THEN 'u' \
          ELSE 'c' END AS origin, \
     x.indpred IS NOT NULL AS partial, a.attname::text AS column_name \
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
     LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 \
     WHERE n.nspname = 'public' AND t.relname <> '__diesel_schema_migrations' \
     ORDER BY t.relname, i.relname, k.ord";

const PG_FOREIGN_KEYS: &str = "SELECT t.relname::text AS table_name, c.conname::text AS key_name, \
     a.attname::text AS column_name, r.relname::text AS referenced_table, \
     ra.attname::text AS referenced_column, \
     c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update \
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_class r ON r.oid = c.confrelid \
     CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refattnum, ord) \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
     JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refattnum \
     WHERE c.contype = 'f' AND n.nspname = 'public' \
     ORDER BY t.relname, c.conname, k.ord";

/// PostgreSQL's `pg_constraint` action codes in SQLite's words.
fn action(code: &str) -> String {
    match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        other => other,
    }
    .to_owned()
}

pub fn read_schema(conn: &mut AnyConnection) -> Schema {
    let pg = matches!(conn, AnyConnection::Postgresql(_));
    let [columns_sql, indexes_sql, foreign_keys_sql] = if pg {
        [PG_COLUMNS, PG_INDEXES, PG_FOREIGN_KEYS]
    } else {
        [SQLITE_COLUMNS, SQLITE_INDEXES, SQLITE_FOREIGN_KEYS]
    };
    let mut schema = Schema::new();
    let mut keys: BTreeMap<String, Vec<(i32, String)>> = BTreeMap::new();
    for c in diesel::sql_query(columns_sql)
        .load::<ColumnRow>(conn)
        .expect("columns")
    {
        let table = schema.entry(c.table_name.clone()).or_insert_with(|| Table {
            columns: Vec::new(),
            primary_key: Vec::new(),
            indexes: BTreeMap::new(),
            unique_constraints: BTreeSet::new(),
            foreign_keys: BTreeSet::new(),
        });
        if c.key_position > 0 {
            keys.entry(c.table_name)
                .or_default()
                .push((c.key_position, c.column_name.clone()));
        }
        table.columns.push(Column {
            diesel_type: diesel_type(&c.declared_type, c.generated_key),
            // SQLite lets a primary key other than a rowid hold NULL unless it says NOT NULL,
            // a legacy of its own; diesel and PostgreSQL treat every key column as NOT NULL,
            // and so does this comparison.
            nullable: !c.not_null && c.key_position == 0,
            generated_key: c.generated_key,
            name: c.column_name,
        });
    }
    for (table, mut key) in keys {
        key.sort();
        schema.get_mut(&table).expect("table").primary_key =
            key.into_iter().map(|(_, c)| c).collect();
    }
    let mut unique_constraints: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for i in diesel::sql_query(indexes_sql)
        .load::<IndexRow>(conn)
        .expect("indexes")
    {
        let column = i.column_name.unwrap_or_else(|| "(expression)".to_owned());
        match i.origin.as_str() {
            "pk" => {}
            "u" => unique_constraints
                .entry((i.table_name, i.index_name))
                .or_default()
                .push(column),
            _ => schema
                .get_mut(&i.table_name)
                .expect("table of an index")
                .indexes
                .entry(i.index_name)
                .or_insert_with(|| Index {
                    columns: Vec::new(),
                    unique: i.is_unique,
                    partial: i.partial,
                })
                .columns
                .push(column),
        }
    }
    for ((table, _), columns) in unique_constraints {
        schema
            .get_mut(&table)
            .expect("table of a constraint")
            .unique_constraints
            .insert(columns);
    }
    let mut foreign_keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for f in diesel::sql_query(foreign_keys_sql)
        .load::<ForeignKeyRow>(conn)
        .expect("foreign keys")
    {
        let key = foreign_keys
            .entry((f.table_name, f.key_name))
            .or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                references: f.referenced_table.clone(),
                referenced_columns: Vec::new(),
                on_delete: if pg {
                    action(&f.on_delete)
                } else {
                    f.on_delete
                },
                on_update: if pg {
                    action(&f.on_update)
                } else {
                    f.on_update
                },
            });
        key.columns.push(f.column_name);
        let referenced = f.referenced_column.unwrap_or_else(|| {
            let position = key.referenced_columns.len();
            schema[&f.referenced_table].primary_key[position].clone()
        });
        key.referenced_columns.push(referenced);
    }
    for ((table, _), key) in foreign_keys {
        schema
            .get_mut(&table)
            .expect("table of a foreign key")
            .foreign_keys
            .insert(key);
    }
    schema
}
