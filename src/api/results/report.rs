//! `/reports/results`: achievement per indicator over the projects every project filter
//! selects, JSON or CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::params::Query;
use crate::api::projects::list::{ListProjectsQuery, filter};
use crate::api::reports::respond;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::services::reports::{ResultsReport, results};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(results_report);
}

/// Every indicator of the frameworks of the projects the filters select: baseline, target,
/// latest value, `achievement` = (latest − baseline) ÷ (target − baseline) as an exact decimal
/// string (null where it cannot be computed) and progress; per project and overall, how many
/// indicators are achieved, on track, off track or not assessable. As CSV: the rows.
#[utoipa::path(tag = "reports", params(ListProjectsQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The report (JSON) or its rows (CSV)",
        content((ResultsReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/results")]
pub async fn results_report(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    projects: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let selected = filter(&projects, &state.catalogue)?;
    let report = db::run(&state.pool, move |conn| results(conn, &selected)).await?;
    respond(&req, projects.format, &report, &report.rows, "results")
}
