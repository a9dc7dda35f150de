//! The dated measurements of an indicator: list, add, change, remove. Each write also moves
//! the indicator's version ([`super::indicators`]).

use super::MEASUREMENT;
use super::indicators::{self, load_for_write, touch};
use super::input::MeasurementInput;
use crate::db::{Conn, write_tx};
use crate::error::ApiError;
use crate::models::now;
use crate::models::results::{Measurement, MeasurementValues};
use crate::services::{Actor, Precondition, audit, require_version, written};

pub fn find(conn: &mut Conn, id: i64) -> Result<Measurement, ApiError> {
    Measurement::find(conn, id)?.ok_or_else(|| ApiError::not_found(format!("measurement {id}")))
}

/// The measurements of an indicator changed after `updated_since` (all when `None`), oldest
/// first (404 for an unknown indicator).
pub fn of_indicator(
    conn: &mut Conn,
    indicator_id: i64,
    updated_since: Option<chrono::NaiveDateTime>,
) -> Result<Vec<Measurement>, ApiError> {
    indicators::row(conn, indicator_id)?;
    Ok(Measurement::of_indicator(
        conn,
        indicator_id,
        updated_since,
    )?)
}

fn values(
    input: MeasurementInput,
    indicator_id: i64,
    at: chrono::NaiveDateTime,
) -> MeasurementValues {
    MeasurementValues {
        indicator_id,
        measured_on: input.measured_on,
        period_from: input.period_from,
        period_to: input.period_to,
        value_micros: input.value.micros(),
        verification: input.verification,
        source: input.source,
        note: input.note,
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

/// Records a measurement of indicator `indicator_id`: 404 when the indicator is not (or no
/// longer) there.
pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    indicator_id: i64,
    input: MeasurementInput,
) -> Result<Measurement, ApiError> {
    write_tx(conn, |conn| {
        let indicator = load_for_write(conn, actor, indicator_id, None)?;
        let v = values(input, indicator_id, now());
        let id = Measurement::insert(conn, &v)?;
        touch(conn, &indicator)?;
        audit::record(
            conn,
            actor,
            "create",
            MEASUREMENT,
            &id.to_string(),
            None,
            Some(&v),
        )?;
        Ok(Measurement { id, v })
    })
}

/// Measurement `id` and its indicator for a write: 404, 403 outside the scope, 428/412.
fn writable(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(Measurement, crate::models::results::Indicator), ApiError> {
    let before = find(conn, id)?;
    let indicator = load_for_write(conn, actor, before.v.indicator_id, None)?;
    require_version(expected, before.v.version)?;
    Ok((before, indicator))
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
    input: MeasurementInput,
) -> Result<Measurement, ApiError> {
    write_tx(conn, |conn| {
        let (before, indicator) = writable(conn, actor, id, expected)?;
        let mut v = values(input, before.v.indicator_id, now());
        v.created_at = before.v.created_at;
        v.version = before.v.version + 1;
        written(Measurement::save(conn, id, before.v.version, &v)?)?;
        touch(conn, &indicator)?;
        audit::record(
            conn,
            actor,
            "update",
            MEASUREMENT,
            &id.to_string(),
            Some(&before.v),
            Some(&v),
        )?;
        Ok(Measurement { id, v })
    })
}

pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let (before, indicator) = writable(conn, actor, id, expected)?;
        written(Measurement::delete(conn, id)?)?;
        touch(conn, &indicator)?;
        audit::record(
            conn,
            actor,
            "delete",
            MEASUREMENT,
            &id.to_string(),
            Some(&before.v),
            None,
        )?;
        Ok(())
    })
}
