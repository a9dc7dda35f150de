//! SQL functions diesel's DSL lacks on the multi backend.

diesel::define_sql_function! {
    /// `lower(text)`: case-insensitive matching that behaves the same on both databases
    /// (`LIKE` is case-insensitive on SQLite only).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

use diesel::backend::Backend;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Array, BigInt, HasSqlType, Nullable, Text};
use diesel::sqlite::Sqlite;

/// `CAST(SUM(expr) AS BIGINT)`: an exact integer sum on both databases. diesel's `sum` over
/// BigInt yields Numeric, and on SQLite passes through f64, which loses cents past 2^53; an
/// overflow is a database error, never a wrap.
pub fn sum_exact<E: Expression<SqlType = BigInt>>(expr: E) -> SumExact<E> {
    SumExact(expr)
}

#[derive(Debug, Clone, Copy, QueryId)]
pub struct SumExact<E>(E);

impl<E: Expression<SqlType = BigInt>> Expression for SumExact<E> {
    type SqlType = Nullable<BigInt>;
}

impl<E, GB> ValidGrouping<GB> for SumExact<E> {
    type IsAggregate = is_aggregate::Yes;
}

impl<E: SelectableExpression<QS> + Expression<SqlType = BigInt>, QS> SelectableExpression<QS>
    for SumExact<E>
{
}

impl<E: AppearsOnTable<QS> + Expression<SqlType = BigInt>, QS> AppearsOnTable<QS> for SumExact<E> {}

impl<E: QueryFragment<DB>, DB: Backend> QueryFragment<DB> for SumExact<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        out.push_sql("CAST(SUM(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS BIGINT)");
        Ok(())
    }
}

/// `column IN (values)` with the values as one bound parameter, so the statement is the same
/// for any number of values and stays in diesel's statement cache. diesel's `eq_any` binds
/// each value on SQLite, which makes every list of another length a new statement and marks
/// it not to be cached at all: a page of 50 projects' children was prepared anew on every
/// request (README, Benchmark). Rendered as `= ANY($1)` with an array on PostgreSQL and as
/// `IN (SELECT value FROM json_each(?))` with a JSON array on SQLite (each value through
/// `serde_json`: integers, and text enums whose serde names are their stored text).
///
/// One value is `column = ?` on both: an equality keeps the planner's index order (a page
/// sorted by code over an index on `(funding_line, code)` reads 51 rows, not every match).
pub fn within<C, T>(column: C, values: Vec<T>) -> Within<C, T>
where
    C: Expression,
    T: serde::Serialize,
{
    let json = if values.len() == 1 {
        String::new()
    } else {
        serde_json::to_string(&values).unwrap_or_default()
    };
    Within {
        column,
        values,
        json,
    }
}

#[derive(Debug, Clone)]
pub struct Within<C, T> {
    column: C,
    values: Vec<T>,
    /// The values as a JSON array (SQLite, two values or more, or none).
    json: String,
}

impl<C, T> QueryId for Within<C, T> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: Expression, T> Expression for Within<C, T> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C: ValidGrouping<GB>, T, GB> ValidGrouping<GB> for Within<C, T> {
    type IsAggregate = C::IsAggregate;
}

impl<C: SelectableExpression<QS>, T, QS> SelectableExpression<QS> for Within<C, T> {}

impl<C: AppearsOnTable<QS>, T, QS> AppearsOnTable<QS> for Within<C, T> {}

impl<C, T> QueryFragment<Pg> for Within<C, T>
where
    C: Expression + QueryFragment<Pg>,
    C::SqlType: 'static,
    Pg: HasSqlType<C::SqlType>,
    T: ToSql<C::SqlType, Pg>,
    Vec<T>: ToSql<Array<C::SqlType>, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> diesel::QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        if let [one] = self.values.as_slice() {
            out.push_sql(" = ");
            return out.push_bind_param::<C::SqlType, _>(one);
        }
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<C::SqlType>, _>(&self.values)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C, T> QueryFragment<Sqlite> for Within<C, T>
where
    C: Expression + QueryFragment<Sqlite>,
    Sqlite: HasSqlType<C::SqlType>,
    T: ToSql<C::SqlType, Sqlite>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> diesel::QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        if let [one] = self.values.as_slice() {
            out.push_sql(" = ");
            return out.push_bind_param::<C::SqlType, _>(one);
        }
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

type Multi = <super::AnyConnection as diesel::Connection>::Backend;

impl<C, T> QueryFragment<Multi> for Within<C, T>
where
    Self: QueryFragment<Pg> + QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Multi>) -> diesel::QueryResult<()> {
        Multi::walk_variant_ast(self, pass)
    }
}
