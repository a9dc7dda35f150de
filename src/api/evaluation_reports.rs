//! `/reports/evaluation-compliance` and `/reports/recommendations`: did projects get their
//! ex-post evaluation in time, and what became of what evaluations recommended. Both take
//! every project filter and answer JSON or CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::params::Query;
use super::projects::list::{ListProjectsQuery, filter};
use super::reports::respond;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::services::reports::{
    ComplianceReport, RecommendationGroup, RecommendationsReport, evaluation_compliance,
    recommendations,
};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(evaluation_compliance_report)
        .service(recommendations_report);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// The day the rule is applied on (default: today, UTC).
    pub as_of: Option<chrono::NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationsQuery {
    /// What to group by (default `status`).
    pub group_by: Option<RecommendationGroup>,
    /// The day ages and overdue are computed on (default: today, UTC).
    pub as_of: Option<chrono::NaiveDate>,
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The Fund's ex-post evaluation rule (due 6 to 12 months after a project ends) for every
/// completed or closed project the filters select: `not_yet_due`, `due`, `overdue`, `done`,
/// `done_late`, or `unknown_end` (no end date and no completed ex-post evaluation). As CSV:
/// the rows.
#[utoipa::path(tag = "reports", params(ComplianceQuery, ListProjectsQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The report (JSON) or its rows (CSV)",
        content((ComplianceReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/evaluation-compliance")]
pub async fn evaluation_compliance_report(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    query: Query<ComplianceQuery>,
    projects: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let selected = filter(&projects, &state.catalogue)?;
    let as_of = query.as_of.unwrap_or_else(today);
    let report = db::run(&state.pool, move |conn| {
        evaluation_compliance(conn, &selected, as_of)
    })
    .await?;
    respond(
        &req,
        projects.format,
        &report,
        &report.rows,
        "evaluation-compliance",
    )
}

/// Recommendations of the evaluations of the projects the filters select, grouped by status,
/// addressee, priority, project or evaluation kind: how many, how many still open and
/// overdue, and how long the open ones have waited. As CSV: the rows.
#[utoipa::path(tag = "reports", params(RecommendationsQuery, ListProjectsQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The report (JSON) or its rows (CSV)",
        content((RecommendationsReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/recommendations")]
pub async fn recommendations_report(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    query: Query<RecommendationsQuery>,
    projects: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let selected = filter(&projects, &state.catalogue)?;
    let group_by = query.group_by.unwrap_or(RecommendationGroup::Status);
    let as_of = query.as_of.unwrap_or_else(today);
    let report = db::run(&state.pool, move |conn| {
        recommendations(conn, &selected, group_by, as_of)
    })
    .await?;
    respond(
        &req,
        projects.format,
        &report,
        &report.rows,
        "recommendations",
    )
}
