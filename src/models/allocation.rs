//! Yearly envelopes per funding line.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::allocations;
use crate::domain::FundingLine;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = allocations)]
pub struct Allocation {
    pub year: i32,
    pub funding_line: FundingLine,
    pub envelope_usd_cents: i64,
    pub note: Option<String>,
    pub updated_at: chrono::NaiveDateTime,
}

impl Allocation {
    /// The envelopes of `year` (all years when `None`) changed after `updated_since`, when
    /// given; newest year first.
    pub fn list(
        conn: &mut Conn,
        year: Option<i32>,
        updated_since: Option<chrono::NaiveDateTime>,
    ) -> QueryResult<Vec<Allocation>> {
        let mut q = allocations::table.into_boxed();
        if let Some(y) = year {
            q = q.filter(allocations::year.eq(y));
        }
        if let Some(since) = updated_since {
            q = q.filter(allocations::updated_at.gt(since));
        }
        q.order((allocations::year.desc(), allocations::funding_line))
            .select(Allocation::as_select())
            .load(conn)
    }

    pub fn find(conn: &mut Conn, year: i32, line: FundingLine) -> QueryResult<Option<Allocation>> {
        allocations::table
            .find((year, line))
            .select(Allocation::as_select())
            .first(conn)
            .optional()
    }

    /// The sum of the envelopes of `line` over all years, exact.
    pub fn total_envelope(conn: &mut Conn, line: &str) -> QueryResult<i64> {
        allocations::table
            .filter(allocations::funding_line.eq(line))
            .select(crate::db::sql::sum_exact(allocations::envelope_usd_cents))
            .first::<Option<i64>>(conn)
            .map(Option::unwrap_or_default)
    }

    /// Inserts or replaces; the caller holds the write transaction.
    pub fn upsert(&self, conn: &mut Conn) -> QueryResult<usize> {
        let updated = diesel::update(allocations::table.find((self.year, self.funding_line)))
            .set((
                allocations::envelope_usd_cents.eq(self.envelope_usd_cents),
                allocations::note.eq(&self.note),
                allocations::updated_at.eq(self.updated_at),
            ))
            .execute(conn)?;
        if updated > 0 {
            return Ok(updated);
        }
        diesel::insert_into(allocations::table)
            .values(self)
            .execute(conn)
    }
}
