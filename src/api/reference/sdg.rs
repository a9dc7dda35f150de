//! The Sustainable Development Goals: goals, targets and indicators.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    GoalInclude, SdgGoalResponse, SdgIndicatorResponse, SdgTargetResponse, catalogue, paginate,
    target_response,
};
use crate::api::PageQuery;
use crate::api::negotiate::Format;
use crate::api::params::{List, Query, values};
use crate::api::schemas::{SdgGoalNumber, SdgTargetCode};
use crate::auth::{Authorized, need};
use crate::error::ApiError;
use crate::models::reference::Catalogue;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalsQuery {
    /// `targets` to include each goal's targets.
    pub include: Option<GoalInclude>,
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetsQuery {
    /// Only the targets of these goals (comma-separated numbers).
    #[param(value_type = Option<Vec<SdgGoalNumber>>, style = Form, explode = false)]
    pub goal: Option<List<i32>>,
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsQuery {
    /// Only the indicators of these targets (comma-separated codes, e.g. `10.7`).
    #[param(value_type = Option<Vec<SdgTargetCode>>, style = Form, explode = false)]
    pub target: Option<List<String>>,
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

fn goal_response(c: &Catalogue, number: i32, with_targets: bool) -> Option<SdgGoalResponse> {
    let g = c.goals.iter().find(|g| g.number == number)?;
    Some(SdgGoalResponse {
        number: g.number,
        title: g.title.clone(),
        short_title: g.short_title.clone(),
        targets: with_targets.then(|| {
            c.targets
                .iter()
                .filter(|t| t.goal == number)
                .map(target_response)
                .collect()
        }),
    })
}

/// The 17 Sustainable Development Goals; `include=targets` adds their targets.
#[utoipa::path(tag = "reference", params(GoalsQuery, PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Goals: one page (JSON) or all (CSV)",
        content((crate::api::Page<SdgGoalResponse> = "application/json"), (String = "text/csv")))))]
#[get("/sdg/goals")]
pub async fn list_sdg_goals(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<GoalsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let with_targets = query.include == Some(GoalInclude::Targets);
    let c = catalogue(&state);
    let items = c
        .goals
        .iter()
        .filter_map(|g| goal_response(c, g.number, with_targets))
        .collect();
    paginate(items, paging.into_inner(), query.format, &req, "sdg-goals")
}

/// One goal with its targets.
#[utoipa::path(tag = "reference", params(("number" = i32, Path, example = 10)), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The goal", body = SdgGoalResponse)))]
#[get("/sdg/goals/{number}")]
pub async fn get_sdg_goal(
    _: Authorized<need::ReferenceRead>,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let goal = goal_response(catalogue(&state), number, true)
        .ok_or_else(|| ApiError::not_found(format!("SDG goal {number}")))?;
    Ok(HttpResponse::Ok().json(goal))
}

/// The 169 SDG targets; `goal=10` narrows to one goal.
#[utoipa::path(tag = "reference", params(TargetsQuery, PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Targets: one page (JSON) or all (CSV)",
        content((crate::api::Page<SdgTargetResponse> = "application/json"), (String = "text/csv")))))]
#[get("/sdg/targets")]
pub async fn list_sdg_targets(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<TargetsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goals = values(&query.goal);
    let items = catalogue(&state)
        .targets
        .iter()
        .filter(|t| goals.is_empty() || goals.contains(&t.goal))
        .map(target_response)
        .collect();
    paginate(
        items,
        paging.into_inner(),
        query.format,
        &req,
        "sdg-targets",
    )
}

/// One target.
#[utoipa::path(tag = "reference", params(("code" = String, Path, example = "10.7")), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The target", body = SdgTargetResponse)))]
#[get("/sdg/targets/{code}")]
pub async fn get_sdg_target(
    _: Authorized<need::ReferenceRead>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let t = catalogue(&state)
        .target(&code)
        .ok_or_else(|| ApiError::not_found(format!("SDG target {code}")))?;
    Ok(HttpResponse::Ok().json(target_response(t)))
}

/// SDG indicators with their framework version; `target=10.7` narrows to one target.
#[utoipa::path(tag = "reference", params(IndicatorsQuery, PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Indicators: one page (JSON) or all (CSV)",
        content((crate::api::Page<SdgIndicatorResponse> = "application/json"), (String = "text/csv")))))]
#[get("/sdg/indicators")]
pub async fn list_sdg_indicators(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<IndicatorsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let targets = values(&query.target);
    let items = catalogue(&state)
        .indicators
        .iter()
        .filter(|i| targets.is_empty() || targets.contains(&i.target_code))
        .map(|i| SdgIndicatorResponse {
            code: i.code.clone(),
            target: i.target_code.clone(),
            title: i.title.clone(),
            framework_version: i.framework_version.clone(),
        })
        .collect();
    paginate(
        items,
        paging.into_inner(),
        query.format,
        &req,
        "sdg-indicators",
    )
}
