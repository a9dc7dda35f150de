//! An indicator of a result: add, read with its latest measurement, change, remove. A
//! measurement written moves its indicator's version ([`touch`]): the indicator's latest value,
//! achievement and progress are part of what its ETag stands for.

use super::input::IndicatorInput;
use super::{INDICATOR, IndicatorView, writable_project};
use crate::db::{Conn, write_tx};
use crate::error::ApiError;
use crate::models::now;
use crate::models::results::{Indicator, IndicatorValues, LatestOf, Measurement};
use crate::services::{Actor, Precondition, audit, require_version, written};

/// Indicator `id`'s row, 404 when there is none.
pub fn row(conn: &mut Conn, id: i64) -> Result<Indicator, ApiError> {
    Indicator::find(conn, id)?.ok_or_else(|| ApiError::not_found(format!("indicator {id}")))
}

/// Indicator `id` with its latest measurement (two queries).
pub fn find(conn: &mut Conn, id: i64) -> Result<IndicatorView, ApiError> {
    let indicator = row(conn, id)?;
    let latest = Measurement::latest(conn, LatestOf::Indicator(id))?
        .into_iter()
        .next();
    Ok(IndicatorView::new(indicator, latest))
}

/// The project of an indicator's result.
fn project_of(conn: &mut Conn, indicator: &Indicator) -> Result<i64, ApiError> {
    Ok(super::find(conn, indicator.v.result_id)?.v.project_id)
}

/// Indicator `id` for a write by `actor`: 404, then 403 outside the actor's scope, then 428
/// without `If-Match` and 412 when stale.
pub(super) fn load_for_write(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: Option<&Precondition>,
) -> Result<Indicator, ApiError> {
    let indicator = row(conn, id)?;
    let project = project_of(conn, &indicator)?;
    writable_project(conn, actor, project)?;
    if let Some(expected) = expected {
        require_version(expected, indicator.v.version)?;
    }
    Ok(indicator)
}

/// Moves the indicator's version on: one of its measurements changed.
pub(super) fn touch(conn: &mut Conn, indicator: &Indicator) -> Result<(), ApiError> {
    written(Indicator::touch(
        conn,
        indicator.id,
        now(),
        indicator.v.version + 1,
    )?)
}

fn values(input: IndicatorInput, result_id: i64) -> IndicatorValues {
    IndicatorValues {
        result_id,
        label: input.label,
        name: input.name,
        unit: input.unit,
        baseline_micros: input.baseline_value.map(|v| v.micros()),
        baseline_date: input.baseline_date,
        target_micros: input.target_value.map(|v| v.micros()),
        target_date: input.target_date,
        means_of_verification: input.means_of_verification,
        assumptions: input.assumptions,
        created_at: chrono::NaiveDateTime::default(),
        updated_at: chrono::NaiveDateTime::default(),
        version: 0,
    }
}

pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    result_id: i64,
    input: IndicatorInput,
) -> Result<IndicatorView, ApiError> {
    write_tx(conn, |conn| {
        let result = super::find(conn, result_id)?;
        writable_project(conn, actor, result.v.project_id)?;
        let at = now();
        let mut v = values(input, result_id);
        v.created_at = at;
        v.updated_at = at;
        v.version = 1;
        let id = Indicator::insert(conn, &v)?;
        audit::record(
            conn,
            actor,
            "create",
            INDICATOR,
            &id.to_string(),
            None,
            Some(&v),
        )?;
        Ok(IndicatorView::new(Indicator { id, v }, None))
    })
}

pub fn update(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
    input: IndicatorInput,
) -> Result<IndicatorView, ApiError> {
    write_tx(conn, |conn| {
        let before = load_for_write(conn, actor, id, Some(expected))?;
        let mut v = values(input, before.v.result_id);
        v.created_at = before.v.created_at;
        v.updated_at = now();
        v.version = before.v.version + 1;
        written(Indicator::save(conn, id, before.v.version, &v)?)?;
        audit::record(
            conn,
            actor,
            "update",
            INDICATOR,
            &id.to_string(),
            Some(&before.v),
            Some(&v),
        )?;
        find(conn, id)
    })
}

/// Deletes an indicator with its measurements.
pub fn delete(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: &Precondition,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = load_for_write(conn, actor, id, Some(expected))?;
        let measurements = Measurement::of_indicator(conn, id, None)?.len();
        written(Indicator::delete(conn, id)?)?;
        let mut doc = serde_json::to_value(&before.v).map_err(ApiError::internal)?;
        doc["measurement_count"] = measurements.into();
        audit::record(
            conn,
            actor,
            "delete",
            INDICATOR,
            &id.to_string(),
            Some(&doc),
            None,
        )?;
        Ok(())
    })
}
