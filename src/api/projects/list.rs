//! The project list: filters, sort, pages, incremental sync; its CSV export is in
//! [`super::export`].

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ProjectResponse, response};
use crate::api::kept::{self, Look};
use crate::api::negotiate::{self, Format};
use crate::api::params::{
    List, Query, Sort, SortKeys, Text, Timestamp, instant, sort, text, texts, values,
};
use crate::api::schemas::{
    GcmObjectiveNumber, Iso3Code, MigofElementCode, RegionCode, SdgGoalNumber, SdgTargetCode,
    ThematicAreaCode,
};
use crate::api::{PageQuery, page_answer};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::project::Status;
use crate::domain::{FundingLine, Iso3, Money, Scope};
use crate::error::ApiError;
use crate::models::project::{ProjectFilter, ProjectSort};
use crate::models::reference::Catalogue;
use crate::services::projects;
use crate::state::AppState;

/// Filters of the project list (and of every report): comma-separated values within one
/// filter mean OR (the parameter may also be repeated), filters combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListProjectsQuery {
    /// Lifecycle statuses, e.g. `approved,active`.
    #[param(value_type = Option<Vec<Status>>, style = Form, explode = false)]
    pub status: Option<List<Status>>,
    #[param(value_type = Option<Vec<FundingLine>>, style = Form, explode = false)]
    pub funding_line: Option<List<FundingLine>>,
    /// Funding years, e.g. `2019,2020`.
    #[param(value_type = Option<Vec<i32>>, style = Form, explode = false)]
    pub funding_year: Option<List<i32>>,
    /// Funding years from this one on.
    pub funding_year_from: Option<i32>,
    /// Funding years up to this one.
    pub funding_year_to: Option<i32>,
    /// Regions of the benefitting member states.
    #[param(value_type = Option<Vec<RegionCode>>, style = Form, explode = false)]
    pub region: Option<List<String>>,
    /// Benefitting member states (ISO3).
    #[param(value_type = Option<Vec<Iso3Code>>, style = Form, explode = false)]
    pub member_state: Option<List<Iso3>>,
    #[param(value_type = Option<Vec<ThematicAreaCode>>, style = Form, explode = false)]
    pub thematic_area: Option<List<String>>,
    #[param(value_type = Option<Vec<Scope>>, style = Form, explode = false)]
    pub scope: Option<List<Scope>>,
    /// SDG goal numbers of the mapped targets.
    #[param(value_type = Option<Vec<SdgGoalNumber>>, style = Form, explode = false)]
    pub sdg_goal: Option<List<i32>>,
    /// SDG target codes, e.g. `10.7`.
    #[param(value_type = Option<Vec<SdgTargetCode>>, style = Form, explode = false)]
    pub sdg_target: Option<List<String>>,
    /// MiGOF elements, e.g. `P1,O3`.
    #[param(value_type = Option<Vec<MigofElementCode>>, style = Form, explode = false)]
    pub migof: Option<List<String>>,
    #[param(value_type = Option<Vec<GcmObjectiveNumber>>, style = Form, explode = false)]
    pub gcm_objective: Option<List<i32>>,
    /// Smallest budget, in USD (e.g. `150000` or `150000.50`).
    #[param(value_type = Option<String>, pattern = r"^[0-9]{1,14}(\.[0-9]{1,2})?$")]
    pub budget_min: Option<UsdAmount>,
    /// Largest budget, in USD.
    #[param(value_type = Option<String>, pattern = r"^[0-9]{1,14}(\.[0-9]{1,2})?$")]
    pub budget_max: Option<UsdAmount>,
    /// Projects with (`true`) or without (`false`) approved or received follow-up funding.
    pub has_follow_up: Option<bool>,
    /// Case-insensitive text in the code, title or summary.
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<Text>,
    /// Only projects changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// Sort keys `code`, `title`, `funding_year`, `budget`, `updated_at`, comma-separated;
    /// `-` for descending. The code breaks ties.
    #[param(value_type = Option<String>, pattern = r"^-?(code|title|funding_year|budget|updated_at)(,-?(code|title|funding_year|budget|updated_at))*$")]
    pub sort: Option<Sort<ProjectSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl SortKeys for ProjectSort {
    const KEYS: &'static [(&'static str, Self)] = &[
        ("code", ProjectSort::Code),
        ("title", ProjectSort::Title),
        ("funding_year", ProjectSort::FundingYear),
        ("budget", ProjectSort::Budget),
        ("updated_at", ProjectSort::UpdatedAt),
    ];
}

/// A USD amount in a query parameter (`150000` or `150000.50`).
#[derive(Debug, Clone, Copy)]
pub struct UsdAmount(pub i64);

impl std::str::FromStr for UsdAmount {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Money::parse(s, "USD")
            .map(|m| UsdAmount(m.minor()))
            .map_err(|e| e.to_string())
    }
}

impl<'de> Deserialize<'de> for UsdAmount {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        String::deserialize(de)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Checks each value of a code filter against the catalogue, naming the parameter.
fn known<T: Clone + std::fmt::Debug>(
    field: &str,
    list: &Option<List<T>>,
    exists: impl Fn(&T) -> bool,
) -> Result<Vec<T>, ApiError> {
    let values = values(list);
    match values.iter().find(|v| !exists(v)) {
        Some(v) => Err(ApiError::bad_parameter(
            field,
            format!("{v:?} is not a known code"),
        )),
        None => Ok(values),
    }
}

pub(crate) fn filter(q: &ListProjectsQuery, c: &Catalogue) -> Result<ProjectFilter, ApiError> {
    Ok(ProjectFilter {
        statuses: values(&q.status),
        funding_lines: values(&q.funding_line),
        funding_years: values(&q.funding_year),
        funding_year_from: q.funding_year_from,
        funding_year_to: q.funding_year_to,
        regions: known("region", &q.region, |v| c.region(v).is_some())?,
        member_states: texts(&q.member_state),
        thematic_areas: known("thematic_area", &q.thematic_area, |v| {
            c.terms("thematic-areas").contains(&v.as_str())
        })?,
        scopes: values(&q.scope),
        sdg_goals: known("sdg_goal", &q.sdg_goal, |v| {
            c.goals.iter().any(|g| g.number == *v)
        })?,
        sdg_targets: known("sdg_target", &q.sdg_target, |v| c.target(v).is_some())?,
        migof: known("migof", &q.migof, |v| c.migof.iter().any(|m| m.code == *v))?,
        gcm_objectives: known("gcm_objective", &q.gcm_objective, |v| {
            c.gcm.iter().any(|g| g.number == *v)
        })?,
        budget_min_cents: q.budget_min.map(|a| a.0),
        budget_max_cents: q.budget_max.map(|a| a.0),
        has_follow_up: q.has_follow_up,
        q: text(&q.q),
        updated_since: instant(q.updated_since),
        sort: sort(&q.sort),
    })
}

/// The portfolio, filtered and sorted, a page at a time; with `Accept: text/csv` (or
/// `format=csv`) the whole filtered list as CSV, streamed (or as XLSX with `format=xlsx`), one row per project, lists joined
/// by `;`. Each page loads its member states and mappings in a fixed number of queries, and
/// its JSON is kept at the change feed's position (read first, on every request), so that a
/// page asked again before the next committed write costs that one read.
#[utoipa::path(tag = "projects", params(ListProjectsQuery, PageQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "One page of projects (JSON) or the whole list (CSV)",
        content((crate::api::Page<ProjectResponse> = "application/json"), (String = "text/csv")))))]
#[get("/projects")]
pub async fn list_projects(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: Query<ListProjectsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let filter = filter(&query, &state.catalogue)?;
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = paging.into_inner().paging()?;
    let export = negotiate::choose(&req, query.format)?;
    if export != Format::Json {
        return super::export::respond(export, &state.pool, state.catalogue.clone(), filter)
            .await
            .map(negotiate::vary);
    }
    let slot = match kept::look(&req, export, &state).await? {
        Look::Hit(res) => return Ok(res),
        Look::Miss(slot) => slot,
    };
    let (views, total) = db::run(&state.pool, move |conn| {
        let total = filter.count(conn)?;
        let rows = filter.page(conn, paging.offset(), paging.limit())?;
        Ok((projects::with_children(conn, rows)?, total))
    })
    .await?;
    let items: Vec<ProjectResponse> = views.iter().map(response).collect();
    let answer = page_answer(&req, items, total, paging)?;
    Ok(kept::answer(&state, slot, answer))
}
