//! `/funding-rules`: caps by effective year, funding line and scope.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::extract::Body;
use super::money::UsdInput;
use super::negotiate::Format;
use super::params::{Query, Timestamp, instant};
use super::schemas::ShareText;
use super::{created, utc};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::money::MoneyDto;
use crate::domain::{FundingLine, Money, Scope, Share};
use crate::error::{ApiError, FieldError};
use crate::models::funding_rule::{FundingRule, FundingRuleFilter, FundingRuleValues};
use crate::services::{Actor, funding_rules};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_funding_rules)
        .service(create_funding_rule)
        .service(get_funding_rule)
        .service(replace_funding_rule)
        .service(delete_funding_rule);
}

/// A funding rule as written: the whole rule (PUT replaces it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingRuleRequest {
    /// First funding year the rule applies to; it holds until a later rule for the same line
    /// and scope takes over.
    #[schema(minimum = 2000, maximum = 2100)]
    pub effective_year: i32,
    pub funding_line: FundingLine,
    pub scope: Scope,
    /// Largest budget of one project (USD).
    pub cap: UsdInput,
    /// Largest budget with the exceptional-increase flag (USD); null when there is none.
    pub exceptional_cap: Option<UsdInput>,
    /// Largest staff-and-office share of the budget, e.g. `"0.30"`.
    #[schema(value_type = ShareText)]
    pub staff_office_max_share: String,
    /// Endorsing eligible states a regional project needs.
    #[schema(minimum = 0, maximum = 50)]
    pub min_endorsing_states: i32,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingRuleResponse {
    pub id: i64,
    pub effective_year: i32,
    #[schema(value_type = FundingLine)]
    pub funding_line: FundingLine,
    #[schema(value_type = Scope)]
    pub scope: Scope,
    pub cap: MoneyDto,
    #[schema(required = true)]
    pub exceptional_cap: Option<MoneyDto>,
    pub staff_office_max_share: String,
    pub min_endorsing_states: i32,
    #[schema(required = true)]
    pub note: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&FundingRule> for FundingRuleResponse {
    fn from(r: &FundingRule) -> Self {
        FundingRuleResponse {
            id: r.id,
            effective_year: r.effective_year,
            funding_line: r.funding_line,
            scope: r.scope,
            cap: Money::usd_cents(r.cap_usd_cents).to_dto(),
            exceptional_cap: r
                .exceptional_cap_usd_cents
                .map(|c| Money::usd_cents(c).to_dto()),
            staff_office_max_share: Share::from_ppm(i64::from(r.staff_office_max_share_ppm))
                .to_string(),
            min_endorsing_states: r.min_endorsing_states,
            note: r.note.clone(),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFundingRulesQuery {
    pub funding_line: Option<FundingLine>,
    pub scope: Option<Scope>,
    /// Only the rules in force in this funding year (one per line and scope).
    pub year: Option<i32>,
    /// Only records changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// `csv` for the list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl Columns for FundingRuleResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "effective_year",
        "funding_line",
        "scope",
        "cap",
        "cap_currency",
        "exceptional_cap",
        "exceptional_cap_currency",
        "staff_office_max_share",
        "min_endorsing_states",
        "note",
        "created_at",
        "updated_at",
    ];
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingRuleList {
    pub items: Vec<FundingRuleResponse>,
}

/// Checks a rule and turns it into stored values, listing every problem at once.
fn values(body: FundingRuleRequest) -> Result<FundingRuleValues, ApiError> {
    let mut errors = Vec::new();
    if !(2000..=2100).contains(&body.effective_year) {
        errors.push(FieldError::new(
            "effective_year",
            "out_of_range",
            "must be between 2000 and 2100",
        ));
    }
    let cap = body
        .cap
        .parse()
        .map_err(|e| errors.push(FieldError::new("cap", e.code(), e.to_string())))
        .ok();
    let exceptional = match &body.exceptional_cap {
        None => None,
        Some(input) => input
            .parse()
            .map_err(|e| errors.push(FieldError::new("exceptional_cap", e.code(), e.to_string())))
            .ok(),
    };
    if let (Some(cap), Some(exc)) = (cap, exceptional)
        && exc.minor() < cap.minor()
    {
        errors.push(FieldError::new(
            "exceptional_cap",
            "below_cap",
            "must not be below the cap",
        ));
    }
    let share = Share::parse(&body.staff_office_max_share)
        .map_err(|e| {
            errors.push(FieldError::new(
                "staff_office_max_share",
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    if !(0..=50).contains(&body.min_endorsing_states) {
        errors.push(FieldError::new(
            "min_endorsing_states",
            "out_of_range",
            "must be between 0 and 50",
        ));
    }
    match (cap, share, errors.is_empty()) {
        (Some(cap), Some(share), true) => Ok(FundingRuleValues {
            effective_year: body.effective_year,
            funding_line: body.funding_line,
            scope: body.scope,
            cap_usd_cents: cap.minor(),
            exceptional_cap_usd_cents: exceptional.map(Money::minor),
            staff_office_max_share_ppm: i32::try_from(share.ppm()).unwrap_or(i32::MAX),
            min_endorsing_states: body.min_endorsing_states,
            note: body.note,
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Funding rules, newest first per line and scope; `year` gives the rules in force that year.
#[utoipa::path(tag = "funding", params(ListFundingRulesQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Rules (JSON or CSV)",
        content((FundingRuleList = "application/json"), (String = "text/csv")))))]
#[get("/funding-rules")]
async fn list_funding_rules(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<ListFundingRulesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filter = FundingRuleFilter {
        funding_line: q.funding_line,
        scope: q.scope,
        year: q.year,
    };
    let since = instant(q.updated_since);
    let rows = db::run(&state.pool, move |conn| {
        Ok(FundingRule::list_changed(conn, &filter, since)?)
    })
    .await?;
    let list = FundingRuleList {
        items: rows.iter().map(FundingRuleResponse::from).collect(),
    };
    csv::items_or_json(&req, q.format, "funding-rules", &list.items, &list)
}

/// Add a rule (caps change over the years: a new rule takes over from its effective year).
#[utoipa::path(tag = "funding", request_body = FundingRuleRequest, security(("bearer" = ["reference:write"])),
    responses((status = 201, description = "Created", body = FundingRuleResponse),
        (status = 409, description = "A rule for this year, line and scope exists (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/funding-rules")]
async fn create_funding_rule(
    principal: Authorized<need::ReferenceWrite>,
    Body(body): Body<FundingRuleRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let v = values(body)?;
    let actor = Actor::from(&*principal);
    let row = db::run(&state.pool, move |conn| {
        funding_rules::create(conn, &actor, v)
    })
    .await?;
    Ok(created(
        format!("/api/v1/funding-rules/{}", row.id),
        &FundingRuleResponse::from(&row),
    ))
}

/// One rule.
#[utoipa::path(tag = "funding", params(("id" = i64, Path)), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The rule", body = FundingRuleResponse)))]
#[get("/funding-rules/{id}")]
async fn get_funding_rule(
    _: Authorized<need::ReferenceRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = db::run(&state.pool, move |conn| funding_rules::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(FundingRuleResponse::from(&row)))
}

/// Replace a rule.
#[utoipa::path(tag = "funding", params(("id" = i64, Path)), request_body = FundingRuleRequest, security(("bearer" = ["reference:write"])),
    responses((status = 200, description = "Replaced", body = FundingRuleResponse),
        (status = 409, description = "Another rule has this year, line and scope (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/funding-rules/{id}")]
async fn replace_funding_rule(
    principal: Authorized<need::ReferenceWrite>,
    path: web::Path<i64>,
    Body(body): Body<FundingRuleRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let v = values(body)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let row = db::run(&state.pool, move |conn| {
        funding_rules::replace(conn, &actor, id, v)
    })
    .await?;
    Ok(HttpResponse::Ok().json(FundingRuleResponse::from(&row)))
}

/// Delete a rule.
#[utoipa::path(tag = "funding", params(("id" = i64, Path)), security(("bearer" = ["reference:write"])),
    responses((status = 204, description = "Deleted")))]
#[delete("/funding-rules/{id}")]
async fn delete_funding_rule(
    principal: Authorized<need::ReferenceWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        funding_rules::delete(conn, &actor, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
