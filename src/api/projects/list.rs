//! The project list: filters, sort, pages, incremental sync, and the CSV export.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ProjectResponse, response};
use crate::api::{PageQuery, page_response, parse_sort, parse_timestamp, split_list};
use crate::app::AppState;
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::project::Status;
use crate::domain::{FundingLine, Money, Scope, Share};
use crate::error::ApiError;
use crate::models::project::{ProjectFilter, ProjectSort};
use crate::models::reference::Catalogue;
use crate::services::projects::{self, ProjectView};

/// Filters of the project list; comma-separated values within one mean OR, filters AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListProjectsQuery {
    /// e.g. `approved,active`
    pub status: Option<String>,
    /// `line_1`, `line_2`
    pub funding_line: Option<String>,
    pub funding_year: Option<String>,
    pub funding_year_from: Option<i32>,
    pub funding_year_to: Option<i32>,
    /// Region codes of the benefitting states.
    pub region: Option<String>,
    /// ISO3 codes of the benefitting states.
    pub member_state: Option<String>,
    pub thematic_area: Option<String>,
    /// `national`, `regional`, `global`
    pub scope: Option<String>,
    /// SDG goal numbers.
    pub sdg_goal: Option<String>,
    /// SDG target codes, e.g. `10.7`.
    pub sdg_target: Option<String>,
    /// MiGOF elements, e.g. `P1,O3`.
    pub migof: Option<String>,
    /// GCM objective numbers.
    pub gcm_objective: Option<String>,
    /// Smallest budget, in USD units.
    pub budget_min: Option<String>,
    /// Largest budget, in USD units.
    pub budget_max: Option<String>,
    /// Case-insensitive text in the code, title or summary.
    pub q: Option<String>,
    /// Only projects changed after this time (RFC 3339), for incremental sync.
    pub updated_since: Option<String>,
    /// `code`, `title`, `funding_year`, `budget`, `updated_at`; `-` for descending; comma-separated.
    pub sort: Option<String>,
    /// `csv` for the whole filtered list as CSV (same as `Accept: text/csv`).
    pub format: Option<String>,
}

const SORTS: [(&str, ProjectSort); 5] = [
    ("code", ProjectSort::Code),
    ("title", ProjectSort::Title),
    ("funding_year", ProjectSort::FundingYear),
    ("budget", ProjectSort::Budget),
    ("updated_at", ProjectSort::UpdatedAt),
];

/// Parses each value of a list filter with `parse`, naming the parameter on failure.
fn parse_each<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, ApiError> {
    split_list(value)
        .into_iter()
        .map(|v| {
            parse(&v).ok_or_else(|| {
                ApiError::bad_parameter(field, format!("{v:?} is not a valid value"))
            })
        })
        .collect()
}

fn budget(field: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|v| {
            Money::parse(v, "USD")
                .map(Money::minor)
                .map_err(|e| ApiError::bad_parameter(field, e.to_string()))
        })
        .transpose()
}

pub(crate) fn filter(q: &ListProjectsQuery, c: &Catalogue) -> Result<ProjectFilter, ApiError> {
    let strings = |field: &str, value: Option<&str>, ok: &dyn Fn(&str) -> bool| {
        parse_each(field, value, |v| ok(v).then(|| v.to_owned()))
    };
    let number = |v: &str| v.parse::<i32>().ok();
    Ok(ProjectFilter {
        statuses: parse_each("status", q.status.as_deref(), |v| {
            Status::parse(v).map(|s| s.as_str().to_owned())
        })?,
        funding_lines: parse_each("funding_line", q.funding_line.as_deref(), |v| {
            FundingLine::parse(v).map(|l| l.as_str().to_owned())
        })?,
        funding_years: parse_each("funding_year", q.funding_year.as_deref(), number)?,
        funding_year_from: q.funding_year_from,
        funding_year_to: q.funding_year_to,
        regions: strings("region", q.region.as_deref(), &|v| c.region(v).is_some())?,
        member_states: strings("member_state", q.member_state.as_deref(), &|v| {
            crate::domain::Iso3::parse(v).is_ok()
        })?,
        thematic_areas: strings("thematic_area", q.thematic_area.as_deref(), &|v| {
            c.taxonomies
                .get("thematic-areas")
                .is_some_and(|t| t.iter().any(|x| x.code == v))
        })?,
        scopes: parse_each("scope", q.scope.as_deref(), |v| {
            Scope::parse(v).map(|s| s.as_str().to_owned())
        })?,
        sdg_goals: parse_each("sdg_goal", q.sdg_goal.as_deref(), number)?,
        sdg_targets: strings("sdg_target", q.sdg_target.as_deref(), &|v| {
            c.target(v).is_some()
        })?,
        migof: strings("migof", q.migof.as_deref(), &|v| {
            c.migof.iter().any(|m| m.code == v)
        })?,
        gcm_objectives: parse_each("gcm_objective", q.gcm_objective.as_deref(), number)?,
        budget_min_cents: budget("budget_min", q.budget_min.as_deref())?,
        budget_max_cents: budget("budget_max", q.budget_max.as_deref())?,
        q: q.q
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        updated_since: parse_timestamp("updated_since", q.updated_since.as_deref())?,
        sort: parse_sort(q.sort.as_deref(), &SORTS)?,
    })
}

/// The portfolio, filtered and sorted, a page at a time; with `Accept: text/csv` (or
/// `format=csv`) the whole filtered list as CSV, streamed, one row per project, lists joined
/// by `;`. Each page loads its member states and mappings in a fixed number of queries.
#[utoipa::path(tag = "projects", params(ListProjectsQuery, PageQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "One page of projects (JSON) or the whole list (CSV)",
        content((inline(crate::api::Page<ProjectResponse>) = "application/json"), (String = "text/csv")))))]
#[get("/projects")]
pub async fn list_projects(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: web::Query<ListProjectsQuery>,
    paging: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let filter = filter(&query, &state.catalogue)?;
    if crate::api::csv::wanted(&req, query.format.as_deref()) {
        return csv::respond(state.into_inner(), filter).await;
    }
    let paging = paging.into_inner().paging()?;
    let (views, total) = db::run(&state.pool, move |conn| {
        let total = filter.count(conn)?;
        let rows = filter.page(conn, paging.offset(), paging.limit())?;
        Ok((projects::with_children(conn, rows)?, total))
    })
    .await?;
    let items: Vec<ProjectResponse> = views.iter().map(response).collect();
    Ok(page_response(&req, items, total, paging))
}

mod csv {
    use std::sync::Arc;

    use super::*;
    use crate::api::csv::{BATCH, push_row, stream};

    const COLUMNS: &str = "code,title,status,funding_line,funding_year,scope,budget_usd,staff_office_share,\
exceptional_increase,thematic_area,thematic_area_label,member_states,member_state_names,regions,region_labels,\
sdg_targets,migof,gcm_objectives,msd,start_date,end_date,actual_end_date,follow_up_total_usd,leverage,updated_at";

    fn row(out: &mut String, v: &ProjectView, c: &Catalogue) {
        let p = &v.values;
        let ch = &v.children;
        let join = |items: Vec<String>| items.join(";");
        let mut regions: Vec<String> = ch.member_states.iter().map(|s| s.region.clone()).collect();
        regions.dedup();
        let label = |code: &Option<String>| {
            code.as_ref()
                .and_then(|a| {
                    c.taxonomies
                        .get("thematic-areas")?
                        .iter()
                        .find(|t| &t.code == a)
                        .map(|t| t.label.clone())
                })
                .unwrap_or_default()
        };
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        push_row(
            out,
            &[
                p.code.clone(),
                p.title.clone(),
                p.status.clone(),
                p.funding_line.clone(),
                p.funding_year.to_string(),
                p.scope.clone(),
                Money::usd_cents(p.budget_usd_cents).amount_string(),
                p.staff_office_share_ppm
                    .map(|s| Share::from_ppm(i64::from(s)).to_string())
                    .unwrap_or_default(),
                p.exceptional_increase.to_string(),
                p.thematic_area.clone().unwrap_or_default(),
                label(&p.thematic_area),
                join(ch.member_states.iter().map(|s| s.iso3.clone()).collect()),
                join(ch.member_states.iter().map(|s| s.name.clone()).collect()),
                join(regions.clone()),
                join(
                    regions
                        .iter()
                        .map(|r| c.region(r).map(|x| x.name.clone()).unwrap_or_default())
                        .collect(),
                ),
                join(ch.mappings.sdg_targets.clone()),
                join(ch.mappings.migof.clone()),
                join(
                    ch.mappings
                        .gcm_objectives
                        .iter()
                        .map(i32::to_string)
                        .collect(),
                ),
                join(
                    ch.mappings
                        .msd
                        .iter()
                        .map(|(o, d)| format!("{o}.{d}"))
                        .collect(),
                ),
                date(p.start_date),
                date(p.end_date),
                date(p.actual_end_date),
                Money::usd_cents(ch.leveraged.usd_cents).amount_string(),
                crate::domain::fx::ratio(ch.leveraged.usd_cents, p.budget_usd_cents)
                    .unwrap_or_default(),
                crate::api::utc(p.updated_at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ],
        );
    }

    /// Streams the whole filtered list in the list's order.
    pub async fn respond(
        state: Arc<AppState>,
        filter: ProjectFilter,
    ) -> Result<HttpResponse, ApiError> {
        stream("projects", COLUMNS, move |offset| {
            let (state, filter) = (state.clone(), filter.clone());
            async move {
                let pool = state.pool.clone();
                let views = db::run(&pool, move |conn| {
                    let rows = filter.page(conn, offset, BATCH)?;
                    projects::with_children(conn, rows)
                })
                .await?;
                let mut out = String::new();
                for v in &views {
                    row(&mut out, v, &state.catalogue);
                }
                Ok((out, views.len()))
            }
        })
        .await
    }
}
