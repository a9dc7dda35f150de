//! `/reports/*`: every report takes the project list's filters and answers JSON or CSV.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::projects::list::{ListProjectsQuery, filter};
use crate::app::AppState;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::services::reports::{self, Data, Dim, Needs};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(portfolio_report)
        .service(leverage_report)
        .service(allocation_report)
        .service(coverage_report);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioQuery {
    /// One or two of `funding_year, funding_line, region, member_state, thematic_area, status,
    /// sdg_goal, sdg_target, migof_element, gcm_objective`, comma-separated.
    pub group_by: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeverageQuery {
    /// `follow_up_usd` (default) or `leverage`.
    pub rank_by: Option<String>,
    /// How many projects to rank (default 50, at most 500).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllocationQuery {
    pub year: i32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// `sdg`, `migof` or `gcm`.
    pub framework: String,
}

/// Renders report rows as CSV: money as its amount, every other value as it is.
fn csv(rows: &[Value], filename: &str) -> HttpResponse {
    let mut columns: Vec<String> = Vec::new();
    for row in rows {
        for k in row.as_object().into_iter().flat_map(|o| o.keys()) {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let cell = |v: Option<&Value>| -> String {
        match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Object(o)) if o.contains_key("amount") => {
                o["amount"].as_str().unwrap_or_default().to_owned()
            }
            Some(other) => other.to_string(),
        }
    };
    let mut out = String::new();
    crate::api::csv::push_row(&mut out, &columns);
    for row in rows {
        crate::api::csv::push_row(
            &mut out,
            &columns.iter().map(|c| cell(row.get(c))).collect::<Vec<_>>(),
        );
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}.csv\""),
        ))
        .body(out)
}

async fn data(query: &ListProjectsQuery, needs: Needs, state: &AppState) -> Result<Data, ApiError> {
    let filter = filter(query, &state.catalogue)?;
    db::run(&state.pool, move |conn| Data::load(conn, &filter, needs)).await
}

/// Count, seed budget, follow-up USD, leverage and unconverted follow-up amounts, grouped by
/// one or two dimensions, over the projects the filters select. Grouping by member state or
/// region splits each project's money by its states' shares (totals over groups equal the
/// overall totals); SDG, MiGOF and GCM groupings count a project in each of its elements.
#[utoipa::path(tag = "reports", params(PortfolioQuery, ListProjectsQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report", content((Object = "application/json"), (String = "text/csv")))))]
#[get("/reports/portfolio")]
pub async fn portfolio_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: web::Query<PortfolioQuery>,
    projects: web::Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let dims = super::split_list(query.group_by.as_deref())
        .iter()
        .map(|d| {
            Dim::parse(d).ok_or_else(|| {
                ApiError::bad_parameter(
                    "group_by",
                    format!("{d:?} is not one of {}", Dim::expected()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if dims.is_empty() || dims.len() > 2 || (dims.len() == 2 && dims[0] == dims[1]) {
        return Err(ApiError::bad_parameter(
            "group_by",
            "name one or two different dimensions",
        ));
    }
    let data = data(&projects, Needs::for_dims(&dims), &state).await?;
    let report = reports::portfolio(&data, &dims, &state.catalogue)?;
    if crate::api::csv::wanted(&req, projects.format.as_deref()) {
        return Ok(csv(
            report["rows"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
            "portfolio",
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// Projects ranked by follow-up USD (or by leverage), and follow-up funding by source type
/// and by status, over the projects the filters select.
#[utoipa::path(tag = "reports", params(LeverageQuery, ListProjectsQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report", content((Object = "application/json"), (String = "text/csv")))))]
#[get("/reports/leverage")]
pub async fn leverage_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: web::Query<LeverageQuery>,
    projects: web::Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let by_leverage = match query.rank_by.as_deref() {
        None | Some("follow_up_usd") => false,
        Some("leverage") => true,
        Some(_) => {
            return Err(ApiError::bad_parameter(
                "rank_by",
                "use follow_up_usd or leverage",
            ));
        }
    };
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_parameter(
            "limit",
            "must be between 1 and 500",
        ));
    }
    let needs = Needs {
        follow_ups: true,
        ..Needs::default()
    };
    let data = data(&projects, needs, &state).await?;
    let report = reports::leverage(&data, by_leverage, limit)?;
    if crate::api::csv::wanted(&req, projects.format.as_deref()) {
        return Ok(csv(
            report["projects"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
            "leverage",
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// The year's envelope per funding line against the budgets approved for it (projects from
/// approved on), what remains, and the approved money by region (split by member-state shares).
#[utoipa::path(tag = "reports", params(AllocationQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report", body = Object)))]
#[get("/reports/allocation")]
pub async fn allocation_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: web::Query<AllocationQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let year = query.year;
    let catalogue = state.catalogue.clone();
    let report = db::run(&state.pool, move |conn| {
        reports::allocation(conn, year, &catalogue)
    })
    .await?;
    if crate::api::csv::wanted(&req, None) {
        return Ok(csv(
            report["lines"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
            "allocation",
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// Every SDG target, MiGOF element or GCM objective with the number of projects and seed
/// budget mapped to it, including those with none.
#[utoipa::path(tag = "reports", params(CoverageQuery, ListProjectsQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The report", content((Object = "application/json"), (String = "text/csv")))))]
#[get("/reports/coverage")]
pub async fn coverage_report(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: web::Query<CoverageQuery>,
    projects: web::Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !["sdg", "migof", "gcm"].contains(&query.framework.as_str()) {
        return Err(ApiError::bad_parameter(
            "framework",
            "use sdg, migof or gcm",
        ));
    }
    let needs = Needs {
        sdg: query.framework == "sdg",
        migof: query.framework == "migof",
        gcm: query.framework == "gcm",
        ..Needs::default()
    };
    let data = data(&projects, needs, &state).await?;
    let report = reports::coverage(&data, &query.framework, &state.catalogue);
    if crate::api::csv::wanted(&req, projects.format.as_deref()) {
        return Ok(csv(
            report["elements"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
            "coverage",
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}
