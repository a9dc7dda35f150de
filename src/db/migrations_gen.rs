//! One source for both backends' migrations, and the generator that renders it.
//!
//! Each migration is written once, as `migrations/source/<version>_<name>/up.sql.in` and
//! `down.sql.in`. [`generate`] renders every source file into `migrations/postgres/` and
//! `migrations/sqlite/` under the same directory name, as the `up.sql` and `down.sql` that
//! [`super::migrate`] embeds with diesel's `embed_migrations!`. The directory name carries the
//! version diesel records, so a database that already ran a migration never runs it again.
//!
//! The rendered trees are committed: diesel embeds them at compile time, and a reviewer reads
//! the SQL each database really runs. A test (`tests/api/schema_parity.rs`) fails, naming the
//! file, when they differ from what the generator gives; the same test rewrites them:
//!
//! ```text
//! UPDATE_MIGRATIONS=1 cargo test --test api migrations
//! ```
//!
//! # The dialect
//! A source file is SQL that both databases accept, plus these placeholders, and nothing else:
//!
//! | placeholder | PostgreSQL | SQLite | for |
//! |---|---|---|---|
//! | `{{id}}` | `BIGSERIAL PRIMARY KEY` | `INTEGER PRIMARY KEY AUTOINCREMENT` | a 64-bit key the database assigns, never reused |
//! | `{{text_bytewise}}` | `TEXT COLLATE "C"` | `TEXT` | text compared and sorted byte by byte (SQLite's default `BINARY` collation) |
//! | `{{taxonomy_terms_from_enums}}` | the same on both | | `INSERT`s of the `project-statuses` and `source-types` terms ([below](#vocabularies-the-rust-code-owns)) |
//!
//! An unknown placeholder or a `{{` without its `}}` is an error naming the file and line.
//! Source files end in `.sql.in`, not `.sql`: as they stand, neither database can run them.
//!
//! # Vocabularies the Rust code owns
//! The catalogue's `project-statuses` and `source-types` taxonomies list the closed enums
//! [`Status`] and [`SourceType`]. The codes and their order are taken from `Status::ALL` and
//! `SourceType::ALL`; a status's label is its code with spaces, a source type's label is in
//! [`source_type_label`], a `match` the compiler holds exhaustive. So the enum is the only
//! list: a new variant reaches the catalogue by regenerating (the freshness test says so), and
//! cannot be forgotten in the labels. The other way, a data file under `reference/` that the
//! Python generator reads and a test compares with the enums, would keep a second list alive
//! for a test to police; this way there is nothing to compare.
//!
//! A migration runs once per database. Like any correction to `reference/`, a new or renamed
//! variant changes the generated reference-data migration for new databases only; one that
//! has already run it needs a new migration too (`INSERT … ON CONFLICT DO NOTHING`, which both
//! databases accept, so new databases, which have the row already, take it as well).
//!
//! This module is pure apart from reading the source and reading or writing the two trees:
//! no diesel, no database.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Backend;
use crate::domain::follow_up::SourceType;
use crate::domain::project::Status;

/// The source, relative to the repository root.
pub const SOURCE_DIR: &str = "migrations/source";

/// The one command that rewrites both trees from the source.
pub const REGENERATE: &str = "UPDATE_MIGRATIONS=1 cargo test --test api migrations";

/// The files of a migration's source directory (each renders to its name without `.in`).
const SOURCE_FILES: [&str; 2] = ["up.sql.in", "down.sql.in"];

/// The generated tree of one backend, relative to the repository root.
pub fn tree(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "migrations/postgres",
        Backend::Sqlite => "migrations/sqlite",
    }
}

/// One file of a generated tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Relative to the repository root: `migrations/sqlite/<dir>/up.sql`.
    pub path: PathBuf,
    pub text: String,
}

/// Renders one source file (named `source` in messages) for one backend.
pub fn render(source: &str, text: &str, backend: Backend) -> anyhow::Result<String> {
    let mut out = format!(
        "-- Generated for {} from {source}: do not edit.\n-- Edit the source, then run: {REGENERATE}\n",
        match backend {
            Backend::Postgres => "PostgreSQL",
            Backend::Sqlite => "SQLite",
        }
    );
    for (number, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find("}}") else {
                bail!("{source}:{}: `{{{{` without its `}}}}`", number + 1);
            };
            let name = &rest[start + 2..start + len];
            let expansion =
                expand(name, backend).with_context(|| format!("{source}:{}", number + 1))?;
            out.push_str(&expansion);
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
        out.push('\n');
    }
    Ok(out)
}

fn expand(name: &str, backend: Backend) -> anyhow::Result<String> {
    let pg = backend == Backend::Postgres;
    Ok(match name {
        "id" if pg => "BIGSERIAL PRIMARY KEY".to_owned(),
        "id" => "INTEGER PRIMARY KEY AUTOINCREMENT".to_owned(),
        "text_bytewise" if pg => "TEXT COLLATE \"C\"".to_owned(),
        "text_bytewise" => "TEXT".to_owned(),
        "taxonomy_terms_from_enums" => taxonomy_terms_from_enums(),
        _ => bail!("unknown placeholder `{{{{{name}}}}}` (the dialect: src/db/migrations_gen.rs)"),
    })
}

/// The label the catalogue shows for a source type.
pub fn source_type_label(source_type: SourceType) -> &'static str {
    match source_type {
        SourceType::NationalBudget => "national budget",
        SourceType::BilateralDonor => "bilateral donor",
        SourceType::Multilateral => "multilateral organization",
        SourceType::Ifi => "international financial institution",
        SourceType::PrivateSector => "private sector",
        SourceType::Foundation => "foundation",
        SourceType::Other => "other",
    }
}

/// The terms of the taxonomies that mirror a Rust enum: (taxonomy, code, label), in order.
pub fn enum_taxonomy_terms() -> Vec<(&'static str, &'static str, String)> {
    let statuses = Status::ALL
        .iter()
        .map(|s| ("project-statuses", s.as_str(), s.as_str().replace('_', " ")));
    let sources = SourceType::ALL
        .iter()
        .map(|&t| ("source-types", t.as_str(), source_type_label(t).to_owned()));
    statuses.chain(sources).collect()
}

/// `INSERT`s of [`enum_taxonomy_terms`], in the shape `tools/gen_reference_sql.py` writes.
fn taxonomy_terms_from_enums() -> String {
    let mut out = String::new();
    let mut position = 0;
    let mut taxonomy = "";
    for (name, code, label) in enum_taxonomy_terms() {
        if name != taxonomy {
            (taxonomy, position) = (name, 0);
        }
        position += 1;
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = write!(
            out,
            "INSERT INTO taxonomy_terms (taxonomy, code, label, description, position) \
             VALUES ({}, {}, {}, NULL, {position});",
            quote(name),
            quote(code),
            quote(&label)
        );
    }
    out
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Every file of both trees, rendered from the source under `root` (the repository root).
pub fn generate(root: &Path) -> anyhow::Result<Vec<Generated>> {
    let mut out = Vec::new();
    for dir in source_migrations(root)? {
        for file in SOURCE_FILES {
            let source = format!("{SOURCE_DIR}/{dir}/{file}");
            let text = std::fs::read_to_string(root.join(&source)).with_context(|| {
                format!("reading {source} (every migration has both {SOURCE_FILES:?})")
            })?;
            let name = file.trim_end_matches(".in");
            for backend in [Backend::Postgres, Backend::Sqlite] {
                out.push(Generated {
                    path: Path::new(tree(backend)).join(&dir).join(name),
                    text: render(&source, &text, backend)?,
                });
            }
        }
    }
    Ok(out)
}

/// The migration directories of the source, sorted; anything else there is an error.
fn source_migrations(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut dirs = Vec::new();
    for entry in
        std::fs::read_dir(root.join(SOURCE_DIR)).with_context(|| format!("reading {SOURCE_DIR}"))?
    {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_dir() {
            bail!("{SOURCE_DIR}/{name}: only migration directories belong here");
        }
        for file in std::fs::read_dir(entry.path())? {
            let file = file?.file_name().to_string_lossy().into_owned();
            if !SOURCE_FILES.contains(&file.as_str()) {
                bail!("{SOURCE_DIR}/{name}/{file}: a migration's source is {SOURCE_FILES:?} only");
            }
        }
        dirs.push(name);
    }
    dirs.sort();
    Ok(dirs)
}

/// How the committed trees under `root` differ from `generated`: one line per file, naming
/// it. Empty when they match.
pub fn differences(root: &Path, generated: &[Generated]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for file in generated {
        match std::fs::read_to_string(root.join(&file.path)) {
            Ok(text) if text == file.text => {}
            Ok(text) => {
                let line = text
                    .lines()
                    .zip(file.text.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| text.lines().count().min(file.text.lines().count()));
                out.push(format!(
                    "{} is stale: it differs from its source from line {}",
                    file.path.display(),
                    line + 1
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.push(format!("{} is missing", file.path.display()))
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", file.path.display())),
        }
    }
    for backend in [Backend::Postgres, Backend::Sqlite] {
        for path in files_under(root, Path::new(tree(backend)))? {
            if !generated.iter().any(|g| g.path == path) {
                out.push(format!(
                    "{} is not generated from {SOURCE_DIR}: write the migration there (as \
                     `<version>_<name>/up.sql.in` and `down.sql.in`), or delete it",
                    path.display()
                ));
            }
        }
    }
    Ok(out)
}

/// Writes the generated files that differ from what is on disk; returns their paths. A file
/// in a tree that no source produces is left alone ([`differences`] names it).
pub fn write(root: &Path, generated: &[Generated]) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for file in generated {
        let path = root.join(&file.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.text.as_str()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &file.text)
            .with_context(|| format!("writing {}", file.path.display()))?;
        written.push(file.path.clone());
    }
    Ok(written)
}

/// The files below `dir` (relative to `root`), as paths relative to `root`.
fn files_under(root: &Path, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(root.join(dir)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for entry in entries {
        let entry = entry?;
        let path = dir.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            out.extend(files_under(root, &path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_each_backends_sql() {
        let source = "CREATE TABLE t (\n    id {{id}},\n    code {{text_bytewise}} NOT NULL\n);\n";
        let pg = render("t.sql.in", source, Backend::Postgres).unwrap();
        let lite = render("t.sql.in", source, Backend::Sqlite).unwrap();
        assert!(pg.ends_with(
            "CREATE TABLE t (\n    id BIGSERIAL PRIMARY KEY,\n    code TEXT COLLATE \"C\" NOT NULL\n);\n"
        ));
        assert!(lite.ends_with(
            "CREATE TABLE t (\n    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    code TEXT NOT NULL\n);\n"
        ));
        assert!(pg.starts_with("-- Generated for PostgreSQL from t.sql.in: do not edit.\n"));
    }

    #[test]
    fn an_unknown_or_unclosed_placeholder_names_its_line() {
        let err = render("x.sql.in", "SELECT 1;\nid {{serial}}\n", Backend::Sqlite).unwrap_err();
        assert!(
            format!("{err:#}").starts_with("x.sql.in:2: unknown placeholder `{{serial}}`"),
            "{err:#}"
        );
        let err = render("x.sql.in", "id {{id\n", Backend::Postgres).unwrap_err();
        assert_eq!(format!("{err:#}"), "x.sql.in:1: `{{` without its `}}`");
    }

    #[test]
    fn enum_taxonomies_list_every_variant_in_order() {
        let sql = taxonomy_terms_from_enums();
        assert_eq!(
            sql.lines().count(),
            Status::ALL.len() + SourceType::ALL.len()
        );
        assert!(sql.starts_with(
            "INSERT INTO taxonomy_terms (taxonomy, code, label, description, position) \
             VALUES ('project-statuses', 'draft', 'draft', NULL, 1);\n"
        ));
        assert!(
            sql.contains("VALUES ('project-statuses', 'under_review', 'under review', NULL, 3);")
        );
        assert!(sql.ends_with("VALUES ('source-types', 'other', 'other', NULL, 7);"));
    }
}
