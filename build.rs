//! Tells cargo to embed the migrations again when a file of either tree is added, removed or
//! changed. diesel's `embed_migrations!` (src/db/migrate.rs) reads the trees at compile time,
//! but cargo only tracks the files it already embedded, so a new migration directory would go
//! unnoticed until something else changed (diesel_migrations documents this build script).

fn main() {
    println!("cargo:rerun-if-changed=migrations/postgres");
    println!("cargo:rerun-if-changed=migrations/sqlite");
}
