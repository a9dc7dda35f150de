//! Advisory locks that serialize writes which read a total before they add to it.

use diesel::RunQueryDsl;

use super::{AnyConnection, Conn};
use crate::domain::FundingLine;

/// The advisory-lock key of one year's envelope of one funding line.
fn envelope_key(year: i32, line: FundingLine) -> i64 {
    let line_offset = match line {
        FundingLine::Line1 => 0,
        FundingLine::Line2 => 1,
    };
    0x0de7_0000_i64 + i64::from(year) * 10 + line_offset
}

/// On PostgreSQL, serializes approvals of one year and line until the transaction ends, so
/// that two approvals at once cannot both fit the envelope on their own and overrun it
/// together (SQLite writes are serialized already by `BEGIN IMMEDIATE`).
pub fn lock_envelope(conn: &mut Conn, year: i32, line: FundingLine) -> diesel::QueryResult<()> {
    if let AnyConnection::Postgresql(_) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(envelope_key(year, line))
            .execute(conn)?;
    }
    Ok(())
}

/// [`lock_envelope`] for several envelopes in one statement (a bulk creation), taken in
/// key order so that two bulk writers cannot deadlock each other.
pub fn lock_envelopes(
    conn: &mut Conn,
    envelopes: &[(i32, FundingLine)],
) -> diesel::QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn
        && !envelopes.is_empty()
    {
        let mut keys: Vec<i64> = envelopes
            .iter()
            .map(|(y, l)| envelope_key(*y, *l))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        diesel::sql_query("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k")
            .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(keys)
            .execute(pg)?;
    }
    Ok(())
}

/// On PostgreSQL, locks project `id`'s row until the transaction ends: writes to what hangs
/// off one project and reads it first (a results framework's one objective) then serialize
/// (SQLite writes are serialized already by `BEGIN IMMEDIATE`).
pub fn lock_project(conn: &mut Conn, id: i64) -> diesel::QueryResult<()> {
    if let AnyConnection::Postgresql(_) = conn {
        diesel::sql_query("SELECT id FROM projects WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(conn)?;
    }
    Ok(())
}

/// The advisory-lock key of the change feed (outside the range of [`envelope_key`]).
const CHANGE_FEED_KEY: i64 = 0x0de7_cf00_0000;

/// On PostgreSQL, serializes appends to the change feed until the transaction ends, so that
/// change ids are assigned in commit order.
///
/// An id drawn from a sequence is not in commit order: transaction A may draw 10, B draw 11
/// and commit, and a reader that saw 11 and moved its cursor past it would never see 10 when
/// A commits. Holding this lock from just before the `changes` insert until commit means the
/// transaction that draws the next id is the next to commit, so a cursor never skips a row
/// that commits later. The lock is taken at the end of a use case (where it records its
/// audit event), so writers queue only for the insert and the commit. SQLite writes are
/// serialized already by `BEGIN IMMEDIATE`.
pub fn lock_change_feed(conn: &mut Conn) -> diesel::QueryResult<()> {
    if let AnyConnection::Postgresql(_) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(CHANGE_FEED_KEY)
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_year_and_line_has_its_own_key() {
        assert_eq!(envelope_key(2026, FundingLine::Line1), 0x0de7_0000 + 20_260);
        assert_eq!(envelope_key(2026, FundingLine::Line2), 0x0de7_0000 + 20_261);
        assert_ne!(
            envelope_key(2026, FundingLine::Line2),
            envelope_key(2027, FundingLine::Line1)
        );
    }
}
