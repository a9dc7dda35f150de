//! `/reports/*`: every report takes the project list's filters and answers JSON or CSV.
//!
//! The portfolio, coverage, leverage and allocation reports' JSON answers are kept at the
//! change feed's position ([`super::kept`]); the first three are counted from the service's
//! in-memory base of every project, brought up to date from the change feed
//! ([`reports::Shelf`]).

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::kept::{self, Look, Slot};
use super::negotiate::{self, Format};
use super::params::{List, Query};
use super::projects::list::{ListProjectsQuery, filter};
use crate::auth::{Authorized, need};
use crate::db::{self, Conn};
use crate::error::ApiError;
use crate::models::project::ProjectFilter;
use crate::models::reference::Catalogue;
use crate::services::reports::{
    self, AllocationReport, CoverageReport, Data, Dim, Framework, LeverageReport, PortfolioReport,
    RankBy,
};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(portfolio_report)
        .service(leverage_report)
        .service(allocation_report)
        .service(coverage_report);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioQuery {
    /// One or two different dimensions, comma-separated.
    #[param(value_type = Vec<Dim>, style = Form, explode = false, min_items = 1, max_items = 2)]
    pub group_by: List<Dim>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeverageQuery {
    /// What to rank projects by (default `follow_up_usd`).
    pub rank_by: Option<RankBy>,
    /// How many projects to rank (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u16>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllocationQuery {
    #[param(minimum = 1990, maximum = 2100)]
    pub year: i32,
    /// `csv` for the lines as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    pub framework: Framework,
}

/// The report as JSON, or its `rows` as CSV, as the client asked.
pub(crate) fn respond<T: Serialize, R: Serialize>(
    req: &HttpRequest,
    format: Option<Format>,
    report: &T,
    rows: &[R],
    filename: &str,
) -> Result<HttpResponse, ApiError> {
    let res = match negotiate::choose(req, format)? {
        Format::Json => HttpResponse::Ok().json(report),
        table => return rows_as(table, rows, filename),
    };
    Ok(negotiate::vary(res))
}

/// A report's `rows` as a CSV or XLSX attachment.
fn rows_as<R: Serialize>(
    table: Format,
    rows: &[R],
    filename: &str,
) -> Result<HttpResponse, ApiError> {
    let res = super::csv::table(table, filename, rows, super::csv::Currencies::Implied)?;
    Ok(negotiate::vary(res))
}

/// As [`respond`], keeping a JSON answer in `slot` ([`kept`]).
fn answer<T: Serialize, R: Serialize>(
    state: &AppState,
    (format, slot): (Format, Option<Slot>),
    report: &T,
    rows: &[R],
    filename: &str,
) -> Result<HttpResponse, ApiError> {
    match format {
        Format::Json => kept::json(state, slot, report),
        table => rows_as(table, rows, filename),
    }
}

/// Runs `count` over the projects the filters select, counted from this copy's reports base
/// ([`reports::Shelf`]) brought up to the change feed's position.
async fn counted<T, F>(state: &AppState, filter: ProjectFilter, count: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn, &Data, &Catalogue) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let (base, catalogue) = (state.report_base.clone(), state.catalogue.clone());
    db::run(&state.pool, move |conn| {
        base.count(conn, &catalogue, &filter, |conn, data| {
            count(conn, data, &catalogue)
        })
    })
    .await
}

/// Count, seed budget, follow-up USD, leverage and unconverted follow-up amounts, grouped by
/// one or two dimensions, over the projects the filters select. Grouping by member state or
/// region splits each project's money by its states' shares (totals over groups equal the
/// overall totals); SDG, MiGOF and GCM groupings count a project in each of its elements.
/// As CSV: the rows.
#[utoipa::path(tag = "reports", params(PortfolioQuery, ListProjectsQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report (JSON) or its rows (CSV)",
        content((PortfolioReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/portfolio")]
pub async fn portfolio_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: Query<PortfolioQuery>,
    projects: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let dims = &query.group_by.0;
    if dims.is_empty() || dims.len() > 2 || (dims.len() == 2 && dims[0] == dims[1]) {
        return Err(ApiError::bad_parameter(
            "group_by",
            "name one or two different dimensions",
        ));
    }
    let filter = filter(&projects, &state.catalogue)?;
    let format = negotiate::choose(&req, projects.format)?;
    let slot = match kept::look(&req, format, &state).await? {
        Look::Hit(res) => return Ok(res),
        Look::Miss(slot) => slot,
    };
    let dims = dims.clone();
    let report = counted(&state, filter, move |_, data, c| {
        reports::portfolio(data, &dims, c)
    })
    .await?;
    answer(&state, (format, slot), &report, &report.rows, "portfolio")
}

/// Projects ranked by follow-up USD (or by leverage), and follow-up funding by source type
/// and by status, over the projects the filters select. As CSV: the ranked projects.
#[utoipa::path(tag = "reports", params(LeverageQuery, ListProjectsQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report (JSON) or its ranked projects (CSV)",
        content((LeverageReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/leverage")]
pub async fn leverage_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: Query<LeverageQuery>,
    projects: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_parameter(
            "limit",
            "must be between 1 and 500",
        ));
    }
    let filter = filter(&projects, &state.catalogue)?;
    let format = negotiate::choose(&req, projects.format)?;
    let slot = match kept::look(&req, format, &state).await? {
        Look::Hit(res) => return Ok(res),
        Look::Miss(slot) => slot,
    };
    let rank_by = query.rank_by.unwrap_or(RankBy::FollowUpUsd);
    let report = counted(&state, filter, move |conn, data, _| {
        reports::leverage(conn, data, rank_by, usize::from(limit))
    })
    .await?;
    answer(
        &state,
        (format, slot),
        &report,
        &report.projects,
        "leverage",
    )
}

/// The year's envelope per funding line against the budgets approved for it (projects from
/// approved on), what remains, and the approved money by region (split by member-state
/// shares). As CSV: the lines.
#[utoipa::path(tag = "reports", params(AllocationQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report (JSON) or its lines (CSV)",
        content((AllocationReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/allocation")]
pub async fn allocation_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: Query<AllocationQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let year = query.year;
    if !(1990..=2100).contains(&year) {
        return Err(ApiError::bad_parameter(
            "year",
            "must be between 1990 and 2100",
        ));
    }
    let format = negotiate::choose(&req, query.format)?;
    let slot = match kept::look(&req, format, &state).await? {
        Look::Hit(res) => return Ok(res),
        Look::Miss(slot) => slot,
    };
    let catalogue = state.catalogue.clone();
    let report = db::run(&state.pool, move |conn| {
        reports::allocation(conn, year, &catalogue)
    })
    .await?;
    answer(&state, (format, slot), &report, &report.lines, "allocation")
}

/// Every SDG target, MiGOF element or GCM objective with the number of projects and seed
/// budget mapped to it, including those with none. As CSV: the elements.
#[utoipa::path(tag = "reports", params(CoverageQuery, ListProjectsQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report (JSON) or its elements (CSV)",
        content((CoverageReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/coverage")]
pub async fn coverage_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: Query<CoverageQuery>,
    projects: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let framework = query.framework;
    let filter = filter(&projects, &state.catalogue)?;
    let format = negotiate::choose(&req, projects.format)?;
    let slot = match kept::look(&req, format, &state).await? {
        Look::Hit(res) => return Ok(res),
        Look::Miss(slot) => slot,
    };
    let report = counted(&state, filter, move |_, data, c| {
        reports::coverage(data, framework, c)
    })
    .await?;
    answer(
        &state,
        (format, slot),
        &report,
        &report.elements,
        "coverage",
    )
}
