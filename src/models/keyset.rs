//! Keyset pagination: the rows after the last one read, in a list's order, as a `WHERE`
//! condition on its sort keys (never `OFFSET`, which reads every skipped row again on each
//! page). The last key of every order is unique, so "after" is exact.
//!
//! Keys may sort either way and mix directions, so the condition is the expanded form of
//! `(k1, k2, …) > (v1, v2, …)`: `k1 after v1 OR (k1 = v1 AND (k2 after v2 OR (…)))`, led by
//! `k1 >= v1` (or `<=`) when `k1` cannot be NULL, which an index on `k1` reads as a range.
//! A nullable key sorts NULL where the database puts it: first in ascending order on SQLite,
//! last on PostgreSQL, so the pages follow exactly the order the list is read in.

use diesel::BoolExpressionMethods;
use diesel::expression::BoxableExpression;
use diesel::sql_types::Bool;

use crate::db::{AnyConnection, Conn, MultiBackend};

/// A condition on the rows of table `T`.
pub type Cond<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Bool>>;

/// One sort key, compared with the last row's value of it.
pub struct Step<T> {
    /// The row's key equals the last row's.
    pub equal: Cond<T>,
    /// The row's key comes after the last row's, in the list's direction.
    pub after: Cond<T>,
    /// When the key cannot be NULL: it equals or comes after the last row's (the range an
    /// index reads); only the first key's is used.
    pub from: Option<Cond<T>>,
}

/// The rows after the last one read, whose keys `steps` compare, in order.
pub fn after<T: 'static>(mut steps: Vec<Step<T>>) -> Option<Cond<T>> {
    let last = steps.pop()?;
    let mut from = last.from;
    let mut cond = last.after;
    while let Some(step) = steps.pop() {
        cond = Box::new(step.after.or(step.equal.and(cond)));
        from = step.from;
    }
    Some(match from {
        Some(from) => Box::new(from.and(cond)),
        None => cond,
    })
}

/// Whether the database sorts NULL before every value in ascending order.
pub fn nulls_first(conn: &Conn) -> bool {
    matches!(conn, AnyConnection::Sqlite(_))
}

/// A condition that holds for no row.
pub fn none<T>() -> Cond<T> {
    Box::new(diesel::dsl::sql::<Bool>("1 = 0"))
}

/// The [`Step`] of a key that cannot be NULL: `$column` (sorted descending when `$desc`)
/// against the last row's `$value`.
#[macro_export]
macro_rules! keyset_step {
    ($column:expr, $value:expr, $desc:expr) => {{
        use diesel::ExpressionMethods as _;
        let value = $value;
        if $desc {
            $crate::models::keyset::Step {
                equal: Box::new($column.eq(value.clone())),
                after: Box::new($column.lt(value.clone())),
                from: Some(Box::new($column.le(value))),
            }
        } else {
            $crate::models::keyset::Step {
                equal: Box::new($column.eq(value.clone())),
                after: Box::new($column.gt(value.clone())),
                from: Some(Box::new($column.ge(value))),
            }
        }
    }};
}

/// The [`Step`] of a nullable key: `$column` (descending when `$desc`) against the last
/// row's `$value` (an `Option`), NULL sorting first in ascending order when `$nulls_first`.
#[macro_export]
macro_rules! keyset_nullable_step {
    ($column:expr, $value:expr, $desc:expr, $nulls_first:expr) => {{
        use diesel::BoolExpressionMethods as _;
        use diesel::ExpressionMethods as _;
        use diesel::NullableExpressionMethods as _;
        use $crate::models::keyset::{Cond, Step, none};
        let (desc, nulls_first) = ($desc, $nulls_first);
        // In value order NULL is the smallest value when it sorts first ascending.
        let null_smallest = nulls_first;
        let greater = !desc;
        match $value {
            None => Step {
                equal: Box::new($column.is_null()),
                after: if greater == null_smallest {
                    Box::new($column.is_not_null()) as Cond<_>
                } else {
                    none()
                },
                from: None,
            },
            Some(value) => {
                let column = $column.assume_not_null();
                let after: Cond<_> = match (greater, null_smallest) {
                    (true, true) => Box::new(column.gt(value.clone())),
                    (true, false) => Box::new(column.gt(value.clone()).or($column.is_null())),
                    (false, true) => Box::new(column.lt(value.clone()).or($column.is_null())),
                    (false, false) => Box::new(column.lt(value.clone())),
                };
                Step {
                    equal: Box::new(column.eq(value)),
                    after,
                    from: None,
                }
            }
        }
    }};
}
