//! The change feed: one row per committed change of any record.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::changes;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct Change {
    pub id: i64,
    pub occurred_at: chrono::NaiveDateTime,
    pub record_type: String,
    pub record_key: String,
    pub action: String,
    pub etag: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = changes)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewChange<'a> {
    pub occurred_at: chrono::NaiveDateTime,
    pub record_type: &'a str,
    pub record_key: &'a str,
    pub action: &'a str,
    pub etag: Option<String>,
}

impl NewChange<'_> {
    /// Appends the change; the caller holds the change-feed lock ([`crate::db::lock_change_feed`]).
    pub fn insert(&self, conn: &mut Conn) -> QueryResult<i64> {
        diesel::insert_into(changes::table)
            .values(self)
            .returning(changes::id)
            .get_result(conn)
    }

    /// Appends many changes in order (the caller holds the change-feed lock); answers their
    /// ids, in the same order.
    pub fn insert_many(conn: &mut Conn, rows: &[NewChange<'_>]) -> QueryResult<Vec<i64>> {
        crate::db::in_chunks_returning(conn, rows, 5, |conn, chunk| {
            let mut ids: Vec<i64> =
                crate::on_backend!(conn, |c| diesel::insert_into(changes::table)
                    .values(chunk)
                    .returning(changes::id)
                    .get_results(c))?;
            // Ids are drawn in the order of the rows; RETURNING's order is not promised.
            ids.sort_unstable();
            Ok(ids)
        })
    }
}

impl Change {
    /// The id of the last committed change, 0 before the first: the position of the feed, which
    /// moves with every committed write of a record (ids are assigned in commit order).
    pub fn position(conn: &mut Conn) -> QueryResult<i64> {
        changes::table
            .select(diesel::dsl::max(changes::id))
            .get_result::<Option<i64>>(conn)
            .map(Option::unwrap_or_default)
    }

    /// Up to `limit` changes after id `after`, in id (= commit) order.
    pub fn after(conn: &mut Conn, after: i64, limit: i64) -> QueryResult<Vec<Change>> {
        changes::table
            .filter(changes::id.gt(after))
            .order(changes::id.asc())
            .limit(limit)
            .select(Change::as_select())
            .load(conn)
    }
}
