//! Yearly envelopes per funding line.

use super::{Actor, audit};
use crate::db::{Conn, write_tx};
use crate::domain::{FundingLine, Money};
use crate::error::ApiError;
use crate::models::allocation::Allocation;
use crate::models::now;

/// Sets the envelope of `year` and `line`; answers the row and whether it was new.
pub fn put(
    conn: &mut Conn,
    actor: &Actor,
    year: i32,
    line: FundingLine,
    envelope: Money,
    note: Option<String>,
) -> Result<(Allocation, bool), ApiError> {
    write_tx(conn, |conn| {
        let before = Allocation::find(conn, year, line)?;
        let row = Allocation {
            year,
            funding_line: line,
            envelope_usd_cents: envelope.minor(),
            note,
            updated_at: now(),
        };
        row.upsert(conn)?;
        let action = if before.is_some() { "update" } else { "create" };
        audit::record(
            conn,
            actor,
            action,
            "allocation",
            &format!("{year}/{line}"),
            before.as_ref(),
            Some(&row),
        )?;
        Ok((row, before.is_none()))
    })
}
