//! A member state's eligibility history: one record per year, read as a list or one year,
//! and recorded (or replaced) one year at a time.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::EligibilityResponse;
use crate::api::csv::{self, Columns};
use crate::api::extract::Body;
use crate::api::params::Query;
use crate::api::{FormatQuery, UpdatedSinceQuery, created};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::IncomeGroup;
use crate::error::ApiError;
use crate::models::member_state::Eligibility;
use crate::services::Actor;
use crate::services::member_states::{self, EligibilityValues};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    /// World Bank income group that year.
    pub income_group: IncomeGroup,
    pub line_1_eligible: bool,
    /// Line 2 excludes states in arrears under Article 4 of the IOM Constitution.
    pub line_2_eligible: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityList {
    /// Newest year first.
    pub items: Vec<EligibilityResponse>,
}

impl Columns for EligibilityResponse {
    const COLUMNS: &'static [&'static str] = &[
        "iso3",
        "year",
        "income_group",
        "line_1_eligible",
        "line_2_eligible",
        "note",
        "updated_at",
    ];
}

/// The eligibility history of a member state, newest year first (JSON or CSV); with
/// `updated_since`, only the years whose record changed after that instant.
#[utoipa::path(tag = "member-states", params(("iso3" = String, Path), UpdatedSinceQuery, FormatQuery), security(("bearer" = ["member_states:read"])),
    responses((status = 200, description = "History (JSON or CSV)",
        content((EligibilityList = "application/json"), (String = "text/csv")))))]
#[get("/member-states/{iso3}/eligibility")]
pub async fn list_eligibility(
    req: HttpRequest,
    _: Authorized<need::MemberStatesRead>,
    path: web::Path<String>,
    since: Query<UpdatedSinceQuery>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (iso3, since) = (path.into_inner(), since.instant());
    let rows = db::run(&state.pool, move |conn| {
        member_states::find(conn, &iso3)?;
        Ok(Eligibility::list_for(conn, &iso3, since)?)
    })
    .await?;
    let list = EligibilityList {
        items: rows.iter().map(EligibilityResponse::from).collect(),
    };
    csv::items_or_json(&req, format.format, "eligibility", &list.items, &list)
}

pub fn check_year(year: i32) -> Result<i32, ApiError> {
    if (1990..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::bad_parameter(
            "year",
            "must be between 1990 and 2100",
        ))
    }
}

/// The eligibility of one year.
#[utoipa::path(tag = "member-states", params(("iso3" = String, Path), ("year" = i32, Path, minimum = 1990, maximum = 2100)), security(("bearer" = ["member_states:read"])),
    responses((status = 200, description = "That year's record", body = EligibilityResponse)))]
#[get("/member-states/{iso3}/eligibility/{year}")]
pub async fn get_eligibility(
    _: Authorized<need::MemberStatesRead>,
    path: web::Path<(String, i32)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (iso3, year) = path.into_inner();
    let year = check_year(year)?;
    let row = db::run(&state.pool, move |conn| {
        member_states::find(conn, &iso3)?;
        Eligibility::find(conn, &iso3, year)?
            .ok_or_else(|| ApiError::not_found(format!("eligibility of {iso3} in {year}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(EligibilityResponse::from(&row)))
}

/// Record (or replace) the eligibility of one year: 201 when new, 200 when replaced.
#[utoipa::path(tag = "member-states", request_body = EligibilityRequest, params(("iso3" = String, Path), ("year" = i32, Path, minimum = 1990, maximum = 2100)),
    security(("bearer" = ["member_states:write"])),
    responses((status = 200, description = "Replaced", body = EligibilityResponse), (status = 201, description = "Created", body = EligibilityResponse)))]
#[put("/member-states/{iso3}/eligibility/{year}")]
pub async fn put_eligibility(
    principal: Authorized<need::MemberStatesWrite>,
    path: web::Path<(String, i32)>,
    Body(body): Body<EligibilityRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (iso3, year) = path.into_inner();
    let year = check_year(year)?;
    let actor = Actor::from(&*principal);
    let values = EligibilityValues {
        income_group: body.income_group,
        line_1_eligible: body.line_1_eligible,
        line_2_eligible: body.line_2_eligible,
        note: body.note,
    };
    let location = format!("/api/v1/member-states/{iso3}/eligibility/{year}");
    let (row, was_created) = db::run(&state.pool, move |conn| {
        member_states::put_eligibility(conn, &actor, &iso3, year, values)
    })
    .await?;
    let body = EligibilityResponse::from(&row);
    Ok(if was_created {
        created(location, &body)
    } else {
        HttpResponse::Ok().json(body)
    })
}
