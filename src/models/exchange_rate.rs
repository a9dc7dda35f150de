//! Monthly exchange rates to USD.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::exchange_rates;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = exchange_rates)]
pub struct ExchangeRate {
    pub currency: String,
    pub month: String,
    pub month_index: i32,
    pub usd_per_unit_e10: i64,
    pub source: String,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
}

/// How far back a rate may be used: the value date's month or up to 12 months earlier.
pub const LOOKBACK_MONTHS: i32 = 12;

impl ExchangeRate {
    pub fn find(conn: &mut Conn, currency: &str, month: &str) -> QueryResult<Option<ExchangeRate>> {
        exchange_rates::table
            .find((currency, month))
            .select(ExchangeRate::as_select())
            .first(conn)
            .optional()
    }

    /// The rate for a value month: that month's, or the latest earlier within 12 months.
    pub fn for_month(
        conn: &mut Conn,
        currency: &str,
        month_index: i32,
    ) -> QueryResult<Option<ExchangeRate>> {
        exchange_rates::table
            .filter(exchange_rates::currency.eq(currency))
            .filter(exchange_rates::month_index.le(month_index))
            .filter(exchange_rates::month_index.ge(month_index - LOOKBACK_MONTHS))
            .order(exchange_rates::month_index.desc())
            .select(ExchangeRate::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts or replaces; the caller holds the write transaction.
    pub fn upsert(&self, conn: &mut Conn) -> QueryResult<()> {
        let updated = diesel::update(exchange_rates::table.find((&self.currency, &self.month)))
            .set((
                exchange_rates::usd_per_unit_e10.eq(self.usd_per_unit_e10),
                exchange_rates::source.eq(&self.source),
                exchange_rates::updated_at.eq(self.updated_at),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(exchange_rates::table)
                .values(self)
                .execute(conn)?;
        }
        Ok(())
    }

    pub fn list(
        conn: &mut Conn,
        currencies: &[String],
        from: Option<i32>,
        to: Option<i32>,
        updated_since: Option<chrono::NaiveDateTime>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<ExchangeRate>, i64)> {
        let filtered = || {
            let mut q = exchange_rates::table.into_boxed();
            if !currencies.is_empty() {
                q = q.filter(exchange_rates::currency.eq_any(currencies.to_vec()));
            }
            if let Some(f) = from {
                q = q.filter(exchange_rates::month_index.ge(f));
            }
            if let Some(t) = to {
                q = q.filter(exchange_rates::month_index.le(t));
            }
            if let Some(since) = updated_since {
                q = q.filter(exchange_rates::updated_at.gt(since));
            }
            q
        };
        let total = filtered().count().get_result(conn)?;
        let rows = filtered()
            .order((exchange_rates::currency, exchange_rates::month_index.desc()))
            .offset(offset)
            .limit(limit)
            .select(ExchangeRate::as_select())
            .load(conn)?;
        Ok((rows, total))
    }
}
