//! `/exchange-rates`: monthly rates to USD, one at a time or a CSV upload.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::extract::{Body, RawBody, content_type, parse_json};
use super::follow_ups::CurrencyCodeParam;
use super::negotiate::{self, Format};
use super::params::{List, Query, Timestamp, instant, texts};
use super::schemas::{CurrencyCode, MonthText, RateText, RatedCurrencyCode};
use super::{PageQuery, page_response, utc};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::fx::{Month, Rate};
use crate::domain::money::Currency;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::models::exchange_rate::ExchangeRate;
use crate::services::Actor;
use crate::services::exchange_rates::{self, RateInput};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_exchange_rates)
        .service(load_exchange_rates)
        .service(put_exchange_rate);
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// USD per unit of the currency, a decimal string (EUR around `"1.12"`).
    #[schema(value_type = RateText)]
    pub usd_per_unit: String,
    /// e.g. `UN operational rates of exchange`.
    #[schema(min_length = 1, pattern = r"[^ \t\n\r]")]
    pub source: String,
}

/// One row of a bulk load (also the CSV columns `currency,month,usd_per_unit,source`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    /// Any currency but USD.
    #[schema(value_type = RatedCurrencyCode)]
    pub currency: String,
    #[schema(value_type = MonthText)]
    pub month: String,
    #[schema(value_type = RateText)]
    pub usd_per_unit: String,
    #[schema(min_length = 1, pattern = r"[^ \t\n\r]")]
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RateResponse {
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
    #[schema(value_type = MonthText)]
    pub month: String,
    pub usd_per_unit: String,
    pub source: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&ExchangeRate> for RateResponse {
    fn from(r: &ExchangeRate) -> Self {
        RateResponse {
            currency: r.currency.clone(),
            month: r.month.clone(),
            usd_per_unit: Rate::from_e10(r.usd_per_unit_e10).to_string(),
            source: r.source.clone(),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoadResponse {
    pub created: usize,
    pub updated: usize,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListRatesQuery {
    /// Currencies, comma-separated.
    #[param(value_type = Option<Vec<CurrencyCode>>, style = Form, explode = false)]
    pub currency: Option<List<CurrencyCodeParam>>,
    /// From this month on, `2019-01`.
    #[param(value_type = Option<String>, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$")]
    pub month_from: Option<MonthParam>,
    /// Up to this month.
    #[param(value_type = Option<String>, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$")]
    pub month_to: Option<MonthParam>,
    /// Only rates changed after this instant (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

/// A month filter, `2019-06`.
#[derive(Debug, Clone, Copy)]
pub struct MonthParam(Month);

impl<'de> Deserialize<'de> for MonthParam {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        Month::parse(&text)
            .map(MonthParam)
            .ok_or_else(|| serde::de::Error::custom("must be YYYY-MM, e.g. 2019-06"))
    }
}

impl Columns for RateResponse {
    const COLUMNS: &'static [&'static str] =
        &["currency", "month", "usd_per_unit", "source", "updated_at"];
}

/// Checks one rate; `prefix` names the row in a bulk load (`rows[3].`).
pub(crate) fn check(
    prefix: &str,
    currency: &str,
    month: &str,
    rate: &str,
    source: &str,
    errors: &mut Vec<FieldError>,
) -> Option<RateInput> {
    let c = Currency::parse(currency);
    if c.is_none() {
        errors.push(FieldError::new(
            format!("{prefix}currency"),
            "unknown_currency",
            format!("{currency:?} is not an ISO 4217 currency"),
        ));
    }
    if c == Some(Currency::USD) {
        errors.push(FieldError::new(
            format!("{prefix}currency"),
            "usd_rate",
            "USD needs no rate",
        ));
    }
    let m = Month::parse(month);
    if m.is_none() {
        errors.push(FieldError::new(
            format!("{prefix}month"),
            "invalid_month",
            "must be YYYY-MM, e.g. 2019-06",
        ));
    }
    let r = Rate::parse(rate)
        .map_err(|e| {
            errors.push(FieldError::new(
                format!("{prefix}usd_per_unit"),
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    if crate::domain::wire::is_blank(source) {
        errors.push(FieldError::new(
            format!("{prefix}source"),
            "required",
            "say where the rate comes from",
        ));
    }
    Some(RateInput {
        currency: c.filter(|c| *c != Currency::USD)?,
        month: m?,
        rate: r?,
        source: crate::domain::wire::trim(source).to_owned(),
    })
}

/// Monthly rates to USD, by currency then newest month first; with `Accept: text/csv` (or
/// `format=csv`) the whole filtered list as CSV, in the columns a CSV upload takes (and
/// `updated_at`).
#[utoipa::path(tag = "exchange-rates", params(ListRatesQuery, PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((super::Page<RateResponse> = "application/json"), (String = "text/csv")))))]
#[get("/exchange-rates")]
pub async fn list_exchange_rates(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<ListRatesQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let currencies = texts(&q.currency);
    let (from, to) = (
        q.month_from.map(|m| m.0.index()),
        q.month_to.map(|m| m.0.index()),
    );
    let since = instant(q.updated_since);
    let page = move |conn: &mut db::Conn, offset: i64, limit: i64| {
        let (rows, total) = ExchangeRate::list(conn, &currencies, from, to, since, offset, limit)?;
        Ok((
            rows.iter().map(RateResponse::from).collect::<Vec<_>>(),
            total,
        ))
    };
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = paging.into_inner().paging()?;
    let export = negotiate::choose(&req, q.format)?;
    if export != Format::Json {
        return csv::stream_list(
            export,
            "exchange-rates",
            &state.pool,
            move |conn, offset, limit| page(conn, offset, limit).map(|p| p.0),
        )
        .await
        .map(negotiate::vary);
    }
    let (items, total) = db::run(&state.pool, move |conn| {
        page(conn, paging.offset(), paging.limit())
    })
    .await?;
    Ok(negotiate::vary(page_response(&req, items, total, paging)))
}

/// Set the rate of one currency and month (201 new, 200 replaced). Follow-up funding in that
/// currency is converted again in the same transaction.
#[utoipa::path(tag = "exchange-rates", request_body = RateRequest,
    params(("currency" = RatedCurrencyCode, Path, example = "EUR"), ("month" = MonthText, Path, example = "2019-06")),
    security(("bearer" = ["reference:write"])),
    responses((status = 200, description = "Replaced", body = RateResponse), (status = 201, description = "Created", body = RateResponse)))]
#[put("/exchange-rates/{currency}/{month}")]
pub async fn put_exchange_rate(
    principal: Authorized<need::ReferenceWrite>,
    path: web::Path<(String, String)>,
    Body(body): Body<RateRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (currency, month) = path.into_inner();
    let mut errors = Vec::new();
    let input = check(
        "",
        &currency,
        &month,
        &body.usd_per_unit,
        &body.source,
        &mut errors,
    );
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let actor = Actor::from(&*principal);
    let mut stored = db::run(&state.pool, move |conn| {
        exchange_rates::put(conn, &actor, vec![input])
    })
    .await?;
    let (row, created) = stored
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no rate stored")))?;
    let body = RateResponse::from(&row);
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// Load many rates at once: `text/csv` with the header `currency,month,usd_per_unit,source`,
/// or a JSON array of the same objects. All or nothing: one bad row refuses the load with
/// every bad row listed (`rows[i].field`).
#[utoipa::path(tag = "exchange-rates",
    request_body(content((String = "text/csv"), (Vec<RateRow> = "application/json"))),
    security(("bearer" = ["reference:write"])),
    responses((status = 200, description = "Loaded", body = LoadResponse)))]
#[post("/exchange-rates")]
pub async fn load_exchange_rates(
    req: HttpRequest,
    principal: Authorized<need::ReferenceWrite>,
    RawBody(body): RawBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rows: Vec<RateRow> = match content_type(&req).as_deref() {
        Some("text/csv") => parse_csv(&body)?,
        Some("application/json") => parse_json(&body)?,
        _ => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send text/csv or application/json",
            ));
        }
    };
    let mut errors = Vec::new();
    let inputs: Vec<RateInput> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            check(
                &format!("rows[{i}]."),
                &r.currency,
                &r.month,
                &r.usd_per_unit,
                &r.source,
                &mut errors,
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let actor = Actor::from(&*principal);
    let stored = db::run(&state.pool, move |conn| {
        exchange_rates::put(conn, &actor, inputs)
    })
    .await?;
    let created = stored.iter().filter(|(_, c)| *c).count();
    Ok(HttpResponse::Ok().json(LoadResponse {
        created,
        updated: stored.len() - created,
    }))
}

/// The rows of a rates CSV: a header naming the four columns (any order), values without
/// embedded commas (quotes are stripped).
fn parse_csv(body: &[u8]) -> Result<Vec<RateRow>, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(ErrorCode::MalformedBody, "the CSV is not UTF-8"))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(|h| h.trim().trim_matches('"').to_owned())
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "header",
                "missing_column",
                format!("the CSV needs a {name} column"),
            )])
        })
    };
    let (c, m, r, s) = (
        col("currency")?,
        col("month")?,
        col("usd_per_unit")?,
        col("source")?,
    );
    Ok(lines
        .map(|line| {
            let cells: Vec<&str> = line
                .split(',')
                .map(|x| x.trim().trim_matches('"'))
                .collect();
            let get = |i: usize| cells.get(i).copied().unwrap_or_default().to_owned();
            RateRow {
                currency: get(c),
                month: get(m),
                usd_per_unit: get(r),
                source: get(s),
            }
        })
        .collect())
}
