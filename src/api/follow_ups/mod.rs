//! Follow-up funding: nested under a project and as one filterable list.

use actix_web::http::StatusCode;
use actix_web::http::header::ETag;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::{Body, double_option, etag, if_match, parse_json};
use super::money::MoneyInput;
use super::negotiate::{self, Format};
use super::params::{List, Query, Sort, SortKeys, sort, texts, values};
use super::patch::present;
use super::schemas::{CurrencyCode, Iso3Code, PartialDateText, ProjectCodeSchema, RegionCode};
use super::{PageQuery, page_response, utc};
use crate::app::AppState;
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::follow_up::{Conversion, Dimension, FollowUpStatus, SourceType};
use crate::domain::fx::{PartialDate, Rate};
use crate::domain::money::{Currency, MoneyDto};
use crate::domain::project::ProjectCode;
use crate::domain::{Iso3, Money};
use crate::error::{ApiError, FieldError};
use crate::models::follow_up::{FollowUpFilter, FollowUpSort, FollowUpValues};
use crate::services::Actor;
use crate::services::follow_ups::{self, FollowUpView};

const PROBLEM: &str = "application/problem+json";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_project_follow_ups)
        .service(create_follow_up)
        .service(list_follow_ups)
        .service(get_follow_up)
        .service(update_follow_up)
        .service(delete_follow_up);
}

/// Follow-up funding as a client writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpFields {
    /// The follow-up initiative.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub source_name: Option<String>,
    pub source_type: SourceType,
    /// In its own currency; null when unknown.
    #[serde(default)]
    pub amount: Option<MoneyInput>,
    /// "over USD 5.6 million": the amount is a lower bound.
    #[serde(default)]
    pub amount_is_lower_bound: bool,
    pub status: FollowUpStatus,
    /// `2021`, `2021-06` or `2021-06-03`; its month picks the exchange rate (a year alone: December).
    #[serde(default)]
    #[schema(value_type = Option<PartialDateText>)]
    pub date: Option<String>,
    #[serde(default)]
    pub in_kind: bool,
    #[serde(default)]
    pub scaling_up_dimensions: Vec<Dimension>,
    #[serde(default)]
    pub description: Option<String>,
    /// An http(s) address.
    #[serde(default)]
    #[schema(pattern = "^https?://")]
    pub evidence_url: Option<String>,
    /// The follow-up project's own code, when it has one.
    #[serde(default)]
    #[schema(value_type = Option<ProjectCodeSchema>)]
    pub follow_up_project_code: Option<String>,
}

/// A JSON merge patch (RFC 7396) of a follow-up record: the fields it names change, `null`
/// clears a field that may be empty, a list replaces the list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFollowUpRequest {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub source_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub source_type: Option<SourceType>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub amount: Option<Option<MoneyInput>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub amount_is_lower_bound: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub status: Option<FollowUpStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<PartialDateText>)]
    pub date: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub in_kind: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<Dimension>>)]
    pub scaling_up_dimensions: Option<Option<Vec<Dimension>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^https?://")]
    pub evidence_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ProjectCodeSchema>)]
    pub follow_up_project_code: Option<Option<String>>,
}

/// A follow-up funding record as every read and write answers it: every key is always
/// present (null when it has no value).
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpResponse {
    pub id: i64,
    #[schema(example = "PO.0125")]
    pub project_code: String,
    /// The follow-up initiative.
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub source_name: Option<String>,
    pub source_type: SourceType,
    /// In its own currency; null when unknown.
    #[schema(required = true)]
    pub amount: Option<MoneyDto>,
    /// "over USD 5.6 million": the amount is a lower bound.
    pub amount_is_lower_bound: bool,
    pub status: FollowUpStatus,
    /// `2021`, `2021-06` or `2021-06-03`.
    #[schema(required = true, pattern = r"^\d{4}(-\d{2}(-\d{2})?)?$")]
    pub date: Option<String>,
    pub in_kind: bool,
    pub scaling_up_dimensions: Vec<Dimension>,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(required = true)]
    pub evidence_url: Option<String>,
    /// The follow-up project's own code, when it has one.
    #[schema(required = true)]
    pub follow_up_project_code: Option<String>,
    /// The amount in USD at the rate of its value month; null when it has no amount or no rate.
    #[schema(required = true)]
    pub amount_usd: Option<MoneyDto>,
    /// USD per unit used; null when no rate applied.
    #[schema(required = true)]
    pub usd_rate: Option<String>,
    pub usd_conversion: Conversion,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Checks the fields into stored values (conversion filled by the service).
pub fn to_values(f: FollowUpFields) -> Result<FollowUpValues, ApiError> {
    let mut errors = Vec::new();
    let amount = f.amount.as_ref().and_then(|a| {
        a.parse()
            .map_err(|e| errors.push(FieldError::new("amount", e.code(), e.to_string())))
            .ok()
    });
    let date = f.date.as_deref().and_then(|d| {
        PartialDate::parse(d)
            .ok_or_else(|| {
                errors.push(FieldError::new(
                    "date",
                    "invalid_date",
                    "must be 2021, 2021-06 or 2021-06-03",
                ))
            })
            .ok()
    });
    if let Some(url) = &f.evidence_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        errors.push(FieldError::new(
            "evidence_url",
            "invalid_url",
            "must be an http(s) address",
        ));
    }
    if let Some(code) = &f.follow_up_project_code
        && ProjectCode::parse(code).is_none()
    {
        errors.push(FieldError::new(
            "follow_up_project_code",
            "invalid_code",
            "must look like PO.0125",
        ));
    }
    if f.amount.is_none() && f.amount_is_lower_bound {
        errors.push(FieldError::new(
            "amount_is_lower_bound",
            "no_amount",
            "a lower bound needs an amount",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut dims: Vec<&str> = f.scaling_up_dimensions.iter().map(|d| d.as_str()).collect();
    dims.sort_unstable();
    dims.dedup();
    Ok(FollowUpValues {
        title: text(f.title),
        source_name: text(f.source_name),
        source_type: f.source_type.as_str().to_owned(),
        amount_minor: amount.map(Money::minor),
        currency: amount.map(|a| a.currency().code().to_owned()),
        amount_is_lower_bound: f.amount_is_lower_bound,
        status: f.status.as_str().to_owned(),
        date_text: date.as_ref().map(|d| d.text.clone()),
        date_start: date.as_ref().map(|d| d.start),
        value_month_index: date.as_ref().map(|d| d.value_month.index()),
        in_kind: f.in_kind,
        dimensions: if dims.is_empty() {
            String::new()
        } else {
            format!(",{},", dims.join(","))
        },
        description: text(f.description),
        evidence_url: f.evidence_url,
        follow_up_project_code: f.follow_up_project_code,
        amount_usd_cents: None,
        usd_rate_e10: None,
        usd_conversion: Conversion::NoAmount.as_str().to_owned(),
        created_at: chrono::NaiveDateTime::default(),
        updated_at: chrono::NaiveDateTime::default(),
        version: 0,
    })
}

fn fields_of(v: &FollowUpValues) -> FollowUpFields {
    let amount = match (
        v.amount_minor,
        v.currency.as_deref().and_then(Currency::parse),
    ) {
        (Some(minor), Some(c)) => {
            let m = Money::from_minor(minor, c);
            Some(MoneyInput {
                amount: serde_json::Value::String(m.amount_string()),
                currency: c.code().to_owned(),
            })
        }
        _ => None,
    };
    FollowUpFields {
        title: v.title.clone(),
        source_name: v.source_name.clone(),
        source_type: SourceType::parse(&v.source_type).unwrap_or(SourceType::Other),
        amount,
        amount_is_lower_bound: v.amount_is_lower_bound,
        status: FollowUpStatus::parse(&v.status).unwrap_or(FollowUpStatus::Pipeline),
        date: v.date_text.clone(),
        in_kind: v.in_kind,
        scaling_up_dimensions: v
            .dimensions
            .split(',')
            .filter_map(Dimension::parse)
            .collect(),
        description: v.description.clone(),
        evidence_url: v.evidence_url.clone(),
        follow_up_project_code: v.follow_up_project_code.clone(),
    }
}

pub fn response(f: &FollowUpView) -> FollowUpResponse {
    let v = &f.values;
    let fields = fields_of(v);
    FollowUpResponse {
        id: f.id,
        project_code: f.project_code.clone(),
        title: fields.title,
        source_name: fields.source_name,
        source_type: fields.source_type,
        amount: fields.amount.map(|a| MoneyDto {
            amount: a.amount.as_str().unwrap_or_default().to_owned(),
            currency: a.currency,
        }),
        amount_is_lower_bound: fields.amount_is_lower_bound,
        status: fields.status,
        date: fields.date,
        in_kind: fields.in_kind,
        scaling_up_dimensions: fields.scaling_up_dimensions,
        description: fields.description,
        evidence_url: fields.evidence_url,
        follow_up_project_code: fields.follow_up_project_code,
        amount_usd: v.amount_usd_cents.map(|c| Money::usd_cents(c).to_dto()),
        usd_rate: v.usd_rate_e10.map(|r| Rate::from_e10(r).to_string()),
        usd_conversion: Conversion::parse(&v.usd_conversion).unwrap_or(Conversion::NoAmount),
        created_at: utc(v.created_at),
        updated_at: utc(v.updated_at),
    }
}

fn single(f: &FollowUpView, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(f.values.version)));
    if status == StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/follow-up-funding/{}", f.id),
        ));
    }
    res.json(response(f))
}

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
    #[param(value_type = Option<String>, pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    pub date_from: Option<DateParam>,
    /// Up to this date (same forms).
    #[param(value_type = Option<String>, pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    pub date_to: Option<DateParam>,
    /// Scaling-up dimensions.
    #[param(value_type = Option<Vec<Dimension>>, style = Form, explode = false)]
    pub dimension: Option<List<Dimension>>,
    /// Sort keys `date`, `amount_usd`, `updated_at`, comma-separated; `-` for descending.
    #[param(value_type = Option<String>, pattern = r"^-?(date|amount_usd|updated_at)(,-?(date|amount_usd|updated_at))*$")]
    pub sort: Option<Sort<FollowUpSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`).
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

const CSV_COLUMNS: &str = "id,project_code,title,source_name,source_type,amount,currency,amount_is_lower_bound,\
amount_usd,usd_rate,usd_conversion,status,date,in_kind,scaling_up_dimensions,follow_up_project_code,description,evidence_url";

fn csv_row(out: &mut String, f: &FollowUpView) {
    let r = response(f);
    let amount = r.amount.as_ref();
    crate::api::csv::push_row(
        out,
        &[
            r.id.to_string(),
            r.project_code,
            r.title.unwrap_or_default(),
            r.source_name.unwrap_or_default(),
            r.source_type.as_str().to_owned(),
            amount.map(|a| a.amount.clone()).unwrap_or_default(),
            amount.map(|a| a.currency.clone()).unwrap_or_default(),
            r.amount_is_lower_bound.to_string(),
            r.amount_usd.map(|m| m.amount).unwrap_or_default(),
            r.usd_rate.unwrap_or_default(),
            r.usd_conversion.as_str().to_owned(),
            r.status.as_str().to_owned(),
            r.date.unwrap_or_default(),
            r.in_kind.to_string(),
            r.scaling_up_dimensions
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            r.follow_up_project_code.unwrap_or_default(),
            r.description.unwrap_or_default(),
            r.evidence_url.unwrap_or_default(),
        ],
    );
}

/// One batch of views of follow-up rows, with their projects' codes (two queries).
fn views(
    conn: &mut crate::db::Conn,
    filter: &FollowUpFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<FollowUpView>, ApiError> {
    let rows = filter.page(conn, offset, limit)?;
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

fn list_filter(q: &ListFollowUpsQuery) -> FollowUpFilter {
    FollowUpFilter {
        project_codes: texts(&q.project),
        member_states: texts(&q.member_state),
        regions: values(&q.region),
        source_types: texts(&q.source_type),
        statuses: texts(&q.status),
        currencies: texts(&q.currency),
        date_from: q.date_from.map(|d| d.0),
        date_to: q.date_to.map(|d| d.0),
        dimensions: texts(&q.dimension),
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
    if negotiate::choose(req, format)? == Format::Csv {
        let pool = state.pool.clone();
        return crate::api::csv::stream("follow-up-funding", CSV_COLUMNS, move |offset| {
            let (pool, filter) = (pool.clone(), filter.clone());
            async move {
                let batch = db::run(&pool, move |conn| {
                    views(conn, &filter, offset, crate::api::csv::BATCH)
                })
                .await?;
                let mut out = String::new();
                for f in &batch {
                    csv_row(&mut out, f);
                }
                Ok((out, batch.len()))
            }
        })
        .await
        .map(negotiate::vary);
    }
    let paging = paging.paging()?;
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
        content((super::Page<FollowUpResponse> = "application/json"), (String = "text/csv")))))]
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
        content((super::Page<FollowUpResponse> = "application/json"), (String = "text/csv")))))]
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

/// Record follow-up funding of a project; it is converted to USD at the rate of its month.
#[utoipa::path(tag = "follow-up-funding", params(("code" = String, Path)), request_body = FollowUpFields, security(("bearer" = ["projects:write"])),
    responses((status = 201, description = "Recorded", body = FollowUpResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/projects/{code}/follow-up-funding")]
pub async fn create_follow_up(
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<String>,
    Body(body): Body<FollowUpFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let values = to_values(body)?;
    let (code, actor) = (path.into_inner(), Actor::from(&*principal));
    let view = db::run(&state.pool, move |conn| {
        follow_ups::create(conn, &actor, &code, values)
    })
    .await?;
    Ok(single(&view, StatusCode::CREATED))
}

/// One follow-up funding record.
#[utoipa::path(tag = "follow-up-funding", params(("id" = i64, Path)), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The record", body = FollowUpResponse, headers(("ETag" = String)))))]
#[get("/follow-up-funding/{id}")]
pub async fn get_follow_up(
    _: Authorized<need::ProjectsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| follow_ups::find(conn, id)).await?;
    Ok(single(&view, StatusCode::OK))
}

/// Change a record: a JSON merge patch of its fields. `If-Match` required.
#[utoipa::path(tag = "follow-up-funding", params(("id" = i64, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
    request_body(content = UpdateFollowUpRequest, content_type = "application/merge-patch+json"),
    security(("bearer" = ["projects:write"])),
    responses((status = 200, description = "Updated", body = FollowUpResponse),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/follow-up-funding/{id}")]
pub async fn update_follow_up(
    req: HttpRequest,
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    if !patch.is_object() {
        return Err(ApiError::validation(vec![FieldError::new(
            "body",
            "invalid_type",
            "a merge patch is a JSON object",
        )]));
    }
    parse_json::<UpdateFollowUpRequest>(&serde_json::to_vec(&patch).map_err(ApiError::internal)?)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let view = db::run(&state.pool, move |conn| {
        follow_ups::update(conn, &actor, id, &expected, |current| {
            let mut doc =
                serde_json::to_value(fields_of(&current.values)).map_err(ApiError::internal)?;
            super::patch::merge(&mut doc, patch);
            to_values(parse_json(doc.to_string().as_bytes())?)
        })
    })
    .await?;
    Ok(single(&view, StatusCode::OK))
}

/// Delete a record. `If-Match` required.
#[utoipa::path(tag = "follow-up-funding", params(("id" = i64, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["projects:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/follow-up-funding/{id}")]
pub async fn delete_follow_up(
    req: HttpRequest,
    principal: Authorized<need::ProjectsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        follow_ups::delete(conn, &actor, id, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
