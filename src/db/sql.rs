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
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable};

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
