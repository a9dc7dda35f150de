//! The follow-up funding lists (all, and one project's): filters, sort, pages, CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{FollowUpResponse, response};
use crate::api::csv::{Kind, PAGE_ROWS, Source, Table};
use crate::api::negotiate::{self, Format};
use crate::api::params::{List, Query, Sort, SortKeys, Timestamp, instant, sort, texts, values};
use crate::api::schemas::{CurrencyCode, Iso3Code, ProjectCodeSchema, RegionCode};
use crate::api::{PageQuery, page_response};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::Iso3;
use crate::domain::follow_up::{Dimension, FollowUpStatus, SourceType};
use crate::domain::fx::PartialDate;
use crate::domain::money::Currency;
use crate::domain::project::ProjectCode;
use crate::error::ApiError;
use crate::models::follow_up::{FollowUpFilter, FollowUpSort};
use crate::services::follow_ups::FollowUpView;
use crate::state::AppState;

/// Filters of the follow-up funding list: comma-separated values within one filter mean OR
/// (the parameter may also be repeated), filters combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFollowUpsQuery {
    /// Project codes, e.g. `PO.0125`.
    #[param(value_type = Option<Vec<ProjectCodeSchema>>, style = Form, explode = false)]
    pub project: Option<List<ProjectCode>>,
    /// Benefitting member states of the projects (ISO3).
    #[param(value_type = Option<Vec<Iso3Code>>, style = Form, explode = false)]
    pub member_state: Option<List<Iso3>>,
    /// Regions of the projects' benefitting states.
    #[param(value_type = Option<Vec<RegionCode>>, style = Form, explode = false)]
    pub region: Option<List<String>>,
    #[param(value_type = Option<Vec<SourceType>>, style = Form, explode = false)]
    pub source_type: Option<List<SourceType>>,
    #[param(value_type = Option<Vec<FollowUpStatus>>, style = Form, explode = false)]
    pub status: Option<List<FollowUpStatus>>,
    /// Currencies of the amounts (ISO 4217).
    #[param(value_type = Option<Vec<CurrencyCode>>, style = Form, explode = false)]
    pub currency: Option<List<CurrencyCodeParam>>,
    /// From this date on (`2021`, `2021-06`, `2021-06-03`: compared with the record's first day).
    #[param(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub date_from: Option<DateParam>,
    /// Up to this date (same forms).
    #[param(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub date_to: Option<DateParam>,
    /// Scaling-up dimensions.
    #[param(value_type = Option<Vec<Dimension>>, style = Form, explode = false)]
    pub dimension: Option<List<Dimension>>,
    /// Only rows changed after this instant (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// Sort keys `date`, `amount_usd`, `updated_at`, comma-separated; `-` for descending.
    #[param(value_type = Option<String>, pattern = r"^-?(date|amount_usd|updated_at)(,-?(date|amount_usd|updated_at))*$")]
    pub sort: Option<Sort<FollowUpSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl SortKeys for FollowUpSort {
    const KEYS: &'static [(&'static str, Self)] = &[
        ("date", FollowUpSort::Date),
        ("amount_usd", FollowUpSort::AmountUsd),
        ("updated_at", FollowUpSort::UpdatedAt),
    ];
}

/// An ISO 4217 code in a filter.
#[derive(Debug, Clone, Copy)]
pub struct CurrencyCodeParam(Currency);

impl std::str::FromStr for CurrencyCodeParam {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Currency::parse(s)
            .map(CurrencyCodeParam)
            .ok_or_else(|| "not an ISO 4217 currency code".to_owned())
    }
}

impl std::fmt::Display for CurrencyCodeParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.code())
    }
}

/// A date filter: its first day.
#[derive(Debug, Clone, Copy)]
pub struct DateParam(chrono::NaiveDate);

impl<'de> Deserialize<'de> for DateParam {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        PartialDate::parse(&text)
            .map(|d| DateParam(d.start))
            .ok_or_else(|| serde::de::Error::custom("must be 2021, 2021-06 or 2021-06-03"))
    }
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "project_code",
    "title",
    "source_name",
    "source_type",
    "amount",
    "currency",
    "amount_is_lower_bound",
    "amount_usd",
    "usd_rate",
    "usd_conversion",
    "status",
    "date",
    "in_kind",
    "scaling_up_dimensions",
    "follow_up_project_code",
    "description",
    "evidence_url",
];

fn csv_row<T: Table>(out: &mut T, f: &FollowUpView) {
    let r = response(f);
    let amount = r.amount.as_ref();
    out.display(Kind::Number, r.id);
    out.text(&r.project_code);
    out.text(r.title.as_deref().unwrap_or_default());
    out.text(r.source_name.as_deref().unwrap_or_default());
    out.text(r.source_type.as_str());
    out.cell(Kind::Number, amount.map_or("", |a| &a.amount));
    out.text(amount.map_or("", |a| &a.currency));
    out.display(Kind::Bool, r.amount_is_lower_bound);
    out.cell(
        Kind::Number,
        r.amount_usd.as_ref().map_or("", |m| &m.amount),
    );
    out.cell(Kind::Number, r.usd_rate.as_deref().unwrap_or_default());
    out.text(r.usd_conversion.as_str());
    out.text(r.status.as_str());
    out.cell(Kind::Date, r.date.as_deref().unwrap_or_default());
    out.display(Kind::Bool, r.in_kind);
    out.joined(
        Kind::Text,
        r.scaling_up_dimensions.iter().map(|d| d.as_str()),
    );
    out.text(r.follow_up_project_code.as_deref().unwrap_or_default());
    out.text(r.description.as_deref().unwrap_or_default());
    out.text(r.evidence_url.as_deref().unwrap_or_default());
    out.end_row();
}

/// The whole filtered list, a page at a time by keyset, from the export's one snapshot.
struct FollowUpRows {
    filter: FollowUpFilter,
    last: Option<crate::models::follow_up::FollowUp>,
}

impl Source for FollowUpRows {
    fn columns(&self) -> &'static [&'static str] {
        CSV_COLUMNS
    }

    fn next_page<T: Table>(&mut self, conn: &mut db::Conn, out: &mut T) -> Result<bool, ApiError> {
        let rows = self.filter.after(conn, self.last.as_ref(), PAGE_ROWS)?;
        let full = rows.len() as i64 == PAGE_ROWS;
        self.last = rows.last().cloned();
        for view in views_of(conn, rows)? {
            csv_row(out, &view);
        }
        Ok(full)
    }
}

/// Views of follow-up rows, with their projects' codes (one query).
fn views_of(
    conn: &mut crate::db::Conn,
    rows: Vec<crate::models::follow_up::FollowUp>,
) -> Result<Vec<FollowUpView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.project_id).collect();
    let codes = crate::models::project::Project::codes(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| FollowUpView {
            id: r.id,
            project_code: codes.get(&r.project_id).cloned().unwrap_or_default(),
            values: r.v,
        })
        .collect())
}

/// One page of views of follow-up rows (two queries).
fn views(
    conn: &mut crate::db::Conn,
    filter: &FollowUpFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<FollowUpView>, ApiError> {
    let rows = filter.page(conn, offset, limit)?;
    views_of(conn, rows)
}

fn list_filter(q: &ListFollowUpsQuery) -> FollowUpFilter {
    FollowUpFilter {
        project_codes: texts(&q.project),
        member_states: texts(&q.member_state),
        regions: values(&q.region),
        source_types: values(&q.source_type),
        statuses: values(&q.status),
        currencies: texts(&q.currency),
        date_from: q.date_from.map(|d| d.0),
        date_to: q.date_to.map(|d| d.0),
        dimensions: values(&q.dimension),
        updated_since: instant(q.updated_since),
        sort: sort(&q.sort),
    }
}

async fn list(
    req: &HttpRequest,
    filter: FollowUpFilter,
    format: Option<Format>,
    paging: PageQuery,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = paging.paging()?;
    let export = negotiate::choose(req, format)?;
    if export != Format::Json {
        let rows = FollowUpRows { filter, last: None };
        return crate::api::csv::export(export, "follow-up-funding", &state.pool, rows)
            .await
            .map(negotiate::vary);
    }
    let (views, total) = db::run(&state.pool, move |conn| {
        let total = filter.count(conn)?;
        Ok((
            views(conn, &filter, paging.offset(), paging.limit())?,
            total,
        ))
    })
    .await?;
    Ok(negotiate::vary(page_response(
        req,
        views.iter().map(response).collect(),
        total,
        paging,
    )))
}

/// All follow-up funding, filtered (OR within a filter, AND across) and sorted; with
/// `Accept: text/csv` (or `format=csv`) the whole filtered list as CSV, streamed.
#[utoipa::path(tag = "follow-up-funding", params(ListFollowUpsQuery, PageQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((crate::api::Page<FollowUpResponse> = "application/json"), (String = "text/csv")))))]
#[get("/follow-up-funding")]
pub async fn list_follow_ups(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    query: Query<ListFollowUpsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(
        &req,
        list_filter(&query),
        query.format,
        paging.into_inner(),
        &state,
    )
    .await
}

/// The follow-up funding of one project.
#[utoipa::path(tag = "follow-up-funding", params(("code" = String, Path), ListFollowUpsQuery, PageQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((crate::api::Page<FollowUpResponse> = "application/json"), (String = "text/csv")))))]
#[get("/projects/{code}/follow-up-funding")]
pub async fn list_project_follow_ups(
    req: HttpRequest,
    _: Authorized<need::ProjectsRead>,
    path: web::Path<String>,
    query: Query<ListFollowUpsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let lookup = code.clone();
    db::run(&state.pool, move |conn| {
        crate::services::projects::find(conn, &lookup).map(|_| ())
    })
    .await?;
    let mut filter = list_filter(&query);
    filter.project_codes = vec![code];
    list(&req, filter, query.format, paging.into_inner(), &state).await
}
