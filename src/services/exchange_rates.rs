//! Exchange rates, and keeping follow-up conversions in step with them.

use super::{Actor, audit};
use crate::db::{Conn, write_tx};
use crate::domain::follow_up::Conversion;
use crate::domain::fx::{Month, Rate};
use crate::domain::money::{Currency, Money};
use crate::error::ApiError;
use crate::models::exchange_rate::ExchangeRate;
use crate::models::follow_up::FollowUp;
use crate::models::now;
use crate::models::project::Project;

/// A checked rate.
#[derive(Debug, Clone)]
pub struct RateInput {
    pub currency: Currency,
    pub month: Month,
    pub rate: Rate,
    pub source: String,
}

/// The USD value of an amount on its value month, and how it was obtained.
pub fn convert(
    conn: &mut Conn,
    amount: Option<Money>,
    value_month_index: Option<i32>,
) -> Result<(Option<i64>, Option<i64>, Conversion), ApiError> {
    let Some(amount) = amount else {
        return Ok((None, None, Conversion::NoAmount));
    };
    if amount.currency() == Currency::USD {
        return Ok((
            Some(amount.minor()),
            Some(10_000_000_000),
            Conversion::Exact,
        ));
    }
    let Some(month) = value_month_index else {
        return Ok((None, None, Conversion::MissingRate));
    };
    match ExchangeRate::for_month(conn, amount.currency().code(), month)? {
        None => Ok((None, None, Conversion::MissingRate)),
        Some(r) => {
            let usd = Rate::from_e10(r.usd_per_unit_e10)
                .to_usd_cents(amount)
                .ok_or_else(|| {
                    ApiError::validation(vec![crate::error::FieldError::new(
                        "amount",
                        "amount_out_of_range",
                        "too large once converted to USD",
                    )])
                })?;
            Ok((Some(usd), Some(r.usd_per_unit_e10), Conversion::Converted))
        }
    }
}

/// Recomputes the USD value of every follow-up in `currency` (after its rates changed).
///
/// The projects whose totals moved get a new version: their answer (`follow_up_total_usd`,
/// `leverage`) changed, so their ETag must too, or a cached copy or a client's `304` would
/// keep the old totals.
fn reconvert(conn: &mut Conn, currency: Currency) -> Result<usize, ApiError> {
    let mut changed = 0;
    let mut projects = Vec::new();
    for f in FollowUp::in_currency(conn, currency.code())? {
        let amount =
            f.v.content
                .amount_minor
                .map(|m| Money::from_minor(m, currency));
        let (usd, rate, conversion) = convert(conn, amount, f.v.content.value_month_index)?;
        if (usd, rate, conversion) != (f.v.amount_usd_cents, f.v.usd_rate_e10, f.v.usd_conversion) {
            let mut v = f.v.clone();
            v.amount_usd_cents = usd;
            v.usd_rate_e10 = rate;
            v.usd_conversion = conversion;
            super::written(FollowUp::save(conn, f.id, f.v.version, &v)?)?;
            changed += 1;
            if f.v.content.status.counts_as_leverage() && projects.last() != Some(&f.project_id) {
                projects.push(f.project_id);
            }
        }
    }
    projects.sort_unstable();
    projects.dedup();
    Project::bump_versions(conn, &projects, now())?;
    Ok(changed)
}

/// Sets rates (one, or a whole CSV upload) in one transaction, and reconverts the follow-up
/// funding they affect. Answers the stored rates and whether each was new.
pub fn put(
    conn: &mut Conn,
    actor: &Actor,
    rates: Vec<RateInput>,
) -> Result<Vec<(ExchangeRate, bool)>, ApiError> {
    write_tx(conn, |conn| {
        let mut out = Vec::with_capacity(rates.len());
        let mut currencies = Vec::new();
        for r in rates {
            let before = ExchangeRate::find(conn, r.currency.code(), &r.month.to_string())?;
            let row = ExchangeRate {
                currency: r.currency.code().to_owned(),
                month: r.month.to_string(),
                month_index: r.month.index(),
                usd_per_unit_e10: r.rate.e10(),
                source: r.source,
                updated_at: now(),
            };
            row.upsert(conn)?;
            let action = if before.is_some() { "update" } else { "create" };
            audit::record(
                conn,
                actor,
                action,
                "exchange_rate",
                &format!("{}/{}", row.currency, row.month),
                before.as_ref(),
                Some(&row),
            )?;
            if !currencies.contains(&r.currency) {
                currencies.push(r.currency);
            }
            out.push((row, before.is_none()));
        }
        for c in currencies {
            reconvert(conn, c)?;
        }
        Ok(out)
    })
}
