//! SQL functions diesel's DSL lacks on the multi backend.

diesel::define_sql_function! {
    /// `lower(text)`: case-insensitive matching that behaves the same on both databases
    /// (`LIKE` is case-insensitive on SQLite only).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
