//! `src/db/schema.rs` read as text, and compared with a migrated database.

use std::collections::BTreeMap;
use std::path::Path;

use super::read::Schema;
use super::{column_differences, same_tables};

/// A table as `schema.rs` declares it: columns (name, diesel type, nullable) and primary key.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Declared {
    columns: Vec<(String, String, bool)>,
    primary_key: Vec<String>,
}

/// `src/db/schema.rs`, read as text: every `diesel::table!`, so no list of tables is kept here.
pub fn schema_rs() -> BTreeMap<String, Declared> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs");
    let text = std::fs::read_to_string(&path).expect("read src/db/schema.rs");
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, Declared)> = None;
    let mut sql_name: Option<String> = None;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        let unparsed = format!("src/db/schema.rs:{}: cannot read `{line}`", number + 1);
        match &mut current {
            None => {
                if let Some((head, "{")) = line.rsplit_once(' ')
                    && let Some((name, key)) = head.split_once(" (")
                {
                    let key = key.strip_suffix(')').expect(&unparsed);
                    let declared = Declared {
                        columns: Vec::new(),
                        primary_key: key.split(',').map(|k| k.trim().to_owned()).collect(),
                    };
                    current = Some((name.to_owned(), declared));
                }
            }
            Some((_, declared)) => {
                if line == "}" {
                    let (name, declared) = current.take().expect("a table");
                    tables.insert(name, declared);
                } else if let Some(name) = line
                    .strip_prefix("#[sql_name = \"")
                    .and_then(|l| l.strip_suffix("\"]"))
                {
                    sql_name = Some(name.to_owned());
                } else if line.starts_with("//") || line.starts_with("#[") {
                } else {
                    let (column, ty) = line.split_once(" -> ").expect(&unparsed);
                    let ty = ty.strip_suffix(',').unwrap_or(ty);
                    let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                        Some(inner) => (inner.strip_suffix('>').expect(&unparsed), true),
                        None => (ty, false),
                    };
                    let column = sql_name.take().unwrap_or_else(|| column.to_owned());
                    declared.columns.push((column, ty.to_owned(), nullable));
                }
            }
        }
    }
    assert!(current.is_none(), "src/db/schema.rs ends inside a table");
    assert!(
        tables.len() >= 25,
        "only {} tables read from schema.rs",
        tables.len()
    );
    tables
}

/// What differs between a database and `schema.rs`.
pub fn against_schema_rs(
    backend: &str,
    schema: &Schema,
    declared: &BTreeMap<String, Declared>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (name, table, declared) in same_tables((backend, schema), ("schema.rs", declared), &mut out)
    {
        let columns: Vec<(String, String, bool)> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.diesel_type.clone(), c.nullable))
            .collect();
        out.extend(column_differences(
            name,
            (backend, &columns),
            ("schema.rs", &declared.columns),
        ));
        if table.primary_key != declared.primary_key {
            out.push(format!(
                "{name}: primary key differs:\n    {backend}: {:?}\n    schema.rs: {:?}",
                table.primary_key, declared.primary_key
            ));
        }
    }
    out
}
