//! `/allocations`: the envelope per year and funding line.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::extract::Body;
use super::money::UsdInput;
use super::negotiate::Format;
use super::params::{Query, Timestamp, instant};
use super::utc;
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::money::MoneyDto;
use crate::domain::{FundingLine, Money};
use crate::error::{ApiError, FieldError};
use crate::models::allocation::Allocation;
use crate::services::{Actor, allocations};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_allocations).service(put_allocation);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRequest {
    /// The envelope, in USD.
    pub envelope: UsdInput,
    /// e.g. the Council resolution that set it.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationResponse {
    pub year: i32,
    #[schema(value_type = FundingLine)]
    pub funding_line: FundingLine,
    pub envelope: MoneyDto,
    #[schema(required = true)]
    pub note: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Allocation> for AllocationResponse {
    fn from(a: &Allocation) -> Self {
        AllocationResponse {
            year: a.year,
            funding_line: a.funding_line,
            envelope: Money::usd_cents(a.envelope_usd_cents).to_dto(),
            note: a.note.clone(),
            updated_at: utc(a.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationList {
    pub items: Vec<AllocationResponse>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAllocationsQuery {
    pub year: Option<i32>,
    /// Only records changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// `csv` for the list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl Columns for AllocationResponse {
    const COLUMNS: &'static [&'static str] = &[
        "year",
        "funding_line",
        "envelope",
        "envelope_currency",
        "note",
        "updated_at",
    ];
}

/// Envelopes, newest year first.
#[utoipa::path(tag = "funding", params(ListAllocationsQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Envelopes (JSON or CSV)",
        content((AllocationList = "application/json"), (String = "text/csv")))))]
#[get("/allocations")]
async fn list_allocations(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<ListAllocationsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (year, since) = (query.year, instant(query.updated_since));
    let rows = db::run(&state.pool, move |conn| {
        Ok(Allocation::list(conn, year, since)?)
    })
    .await?;
    let list = AllocationList {
        items: rows.iter().map(AllocationResponse::from).collect(),
    };
    csv::items_or_json(&req, query.format, "allocations", &list.items, &list)
}

/// Set the envelope of a year and funding line (201 when new, 200 when replaced).
#[utoipa::path(tag = "funding", request_body = AllocationRequest, security(("bearer" = ["reference:write"])),
    params(("year" = i32, Path, example = 2026, minimum = 2000, maximum = 2100), ("funding_line" = FundingLine, Path)),
    responses((status = 200, description = "Replaced", body = AllocationResponse),
        (status = 201, description = "Created", body = AllocationResponse)))]
#[put("/allocations/{year}/{funding_line}")]
async fn put_allocation(
    principal: Authorized<need::ReferenceWrite>,
    path: web::Path<(i32, String)>,
    Body(body): Body<AllocationRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (year, line) = path.into_inner();
    let line = FundingLine::parse(&line).ok_or_else(|| {
        ApiError::bad_parameter(
            "funding_line",
            format!("must be one of {}", FundingLine::expected()),
        )
    })?;
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::bad_parameter(
            "year",
            "must be between 2000 and 2100",
        ));
    }
    let envelope = body.envelope.parse().map_err(|e| {
        ApiError::validation(vec![FieldError::new("envelope", e.code(), e.to_string())])
    })?;
    let actor = Actor::from(&*principal);
    let note = body.note;
    let (row, created) = db::run(&state.pool, move |conn| {
        allocations::put(conn, &actor, year, line, envelope, note)
    })
    .await?;
    let body = AllocationResponse::from(&row);
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}
