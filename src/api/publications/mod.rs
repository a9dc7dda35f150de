//! `/publications`, `/projects/{code}/publications`: what projects produced (country
//! migration profiles, studies, guidance), and `/reports/publications` ([`report`]).

pub mod fields;
pub mod report;

use actix_web::http::StatusCode;
use actix_web::http::header::ETag;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use self::fields::{PublicationFields, PublicationResponse, from_stored, response};
use super::PageQuery;
use super::csv;
use super::extract::{Body, etag, if_match, parse_json};
use super::negotiate::Format;
use super::params::{
    List, Query, Sort, SortKeys, Text, Timestamp, instant, sort, text, texts, values,
};
use super::patch::{merge, object};
use super::schemas::{Iso3Code, LanguageCode, ProjectCodeSchema, RegionCode};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::Iso3;
use crate::domain::project::ProjectCode;
use crate::domain::publication::{Language, MAX_YEAR, MIN_YEAR, PublicationKind};
use crate::error::ApiError;
use crate::models::publication::{PublicationFilter, PublicationSort};
use crate::services::{Actor, publications};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_publications)
        .service(list_project_publications)
        .service(create_publication)
        .service(get_publication)
        .service(update_publication)
        .service(delete_publication)
        .configure(report::configure);
}

fn single(p: &publications::PublicationView, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(p.values.version)));
    if status == StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/publications/{}", p.id),
        ));
    }
    res.json(response(p))
}

/// Filters of the publication list: comma-separated values within one filter mean OR,
/// filters combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPublicationsQuery {
    #[param(value_type = Option<Vec<PublicationKind>>, style = Form, explode = false)]
    pub kind: Option<List<PublicationKind>>,
    /// Publications one of these projects produced.
    #[param(value_type = Option<Vec<ProjectCodeSchema>>, style = Form, explode = false)]
    pub project: Option<List<ProjectCode>>,
    /// Publications about one of these member states (ISO3; the publication's own states).
    #[param(value_type = Option<Vec<Iso3Code>>, style = Form, explode = false)]
    pub member_state: Option<List<Iso3>>,
    /// Publications about a member state of one of these regions.
    #[param(value_type = Option<Vec<RegionCode>>, style = Form, explode = false)]
    pub region: Option<List<String>>,
    /// Published in this year or later.
    #[param(minimum = 1900, maximum = 2200)]
    pub year_from: Option<i32>,
    /// Published in this year or earlier.
    #[param(minimum = 1900, maximum = 2200)]
    pub year_to: Option<i32>,
    /// Published in one of these languages (ISO 639-1).
    #[param(value_type = Option<Vec<LanguageCode>>, style = Form, explode = false)]
    pub language: Option<List<Language>>,
    /// Case-insensitive text in the title, or an ISBN (with or without hyphens).
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<Text>,
    /// Changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// Sort keys `year`, `title`, `updated_at`, comma-separated; `-` for descending. The id
    /// breaks ties.
    #[param(value_type = Option<String>, pattern = r"^-?(year|title|updated_at)(,-?(year|title|updated_at))*$")]
    pub sort: Option<Sort<PublicationSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl SortKeys for PublicationSort {
    const KEYS: &'static [(&'static str, Self)] = &[
        ("year", PublicationSort::Year),
        ("title", PublicationSort::Title),
        ("updated_at", PublicationSort::UpdatedAt),
    ];
}

fn list_filter(q: &ListPublicationsQuery, state: &AppState) -> Result<PublicationFilter, ApiError> {
    let regions = values(&q.region);
    if let Some(r) = regions.iter().find(|r| state.catalogue.region(r).is_none()) {
        return Err(ApiError::bad_parameter(
            "region",
            format!("{r:?} is not a known code"),
        ));
    }
    for (name, year) in [("year_from", q.year_from), ("year_to", q.year_to)] {
        if year.is_some_and(|y| !(MIN_YEAR..=MAX_YEAR).contains(&y)) {
            return Err(ApiError::bad_parameter(
                name,
                format!("must be between {MIN_YEAR} and {MAX_YEAR}"),
            ));
        }
    }
    Ok(PublicationFilter {
        kinds: values(&q.kind),
        project_codes: texts(&q.project),
        member_states: texts(&q.member_state),
        regions,
        year_from: q.year_from,
        year_to: q.year_to,
        languages: q
            .language
            .iter()
            .flat_map(|l| l.0.iter().map(|l| l.as_str().to_owned()))
            .collect(),
        q: text(&q.q),
        updated_since: instant(q.updated_since),
        sort: sort(&q.sort),
    })
}

async fn list(
    req: &HttpRequest,
    filter: PublicationFilter,
    format: Option<Format>,
    paging: PageQuery,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let counting = filter.clone();
    csv::page_or_stream(
        req,
        format,
        paging,
        &state.pool,
        "publications",
        move |conn| Ok(counting.count(conn)?),
        move |conn, offset, limit| {
            let views = publications::list(conn, &filter, offset, limit)?;
            Ok(views.iter().map(response).collect())
        },
        std::convert::identity,
    )
    .await
}

/// Every publication, filtered (OR within a filter, AND across), one page at a time; with
/// `Accept: text/csv` (or `format=csv`) the whole filtered list as CSV (lists joined by `;`).
#[utoipa::path(tag = "publications", params(ListPublicationsQuery, PageQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((super::Page<PublicationResponse> = "application/json"), (String = "text/csv")))))]
#[get("/publications")]
pub async fn list_publications(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    query: Query<ListPublicationsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filter = list_filter(&q, &state)?;
    list(&req, filter, q.format, paging.into_inner(), &state).await
}

/// What one project produced, with the same filters.
#[utoipa::path(tag = "publications", params(("code" = String, Path, example = "MD.0001"), ListPublicationsQuery, PageQuery),
    security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "One page (JSON) or the whole list (CSV)",
        content((super::Page<PublicationResponse> = "application/json"), (String = "text/csv")))))]
#[get("/projects/{code}/publications")]
pub async fn list_project_publications(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<String>,
    query: Query<ListPublicationsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let known = code.clone();
    db::run(&state.pool, move |conn| {
        crate::services::projects::find(conn, &known).map(|_| ())
    })
    .await?;
    let q = query.into_inner();
    let mut filter = list_filter(&q, &state)?;
    filter.project_codes = vec![code];
    list(&req, filter, q.format, paging.into_inner(), &state).await
}

/// Record a publication: what it is, the projects that produced it, the member states it is
/// about, and the earlier edition it updates.
#[utoipa::path(tag = "publications", request_body = PublicationFields, security(("bearer" = ["publications:write"])),
    responses((status = 201, description = "Created", body = PublicationResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/publications")]
pub async fn create_publication(
    principal: Authorized<need::PublicationsWrite>,
    Body(body): Body<PublicationFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_draft().check()?;
    let actor = Actor::from(&*principal);
    let view = db::run(&state.pool, move |conn| {
        publications::create(conn, &actor, input)
    })
    .await?;
    Ok(single(&view, StatusCode::CREATED))
}

/// One publication.
#[utoipa::path(tag = "publications", params(("id" = i64, Path, minimum = 1)), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The publication", body = PublicationResponse, headers(("ETag" = String)))))]
#[get("/publications/{id}")]
pub async fn get_publication(
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| publications::find(conn, id)).await?;
    Ok(single(&view, StatusCode::OK))
}

/// The body of `PATCH /publications/{id}`: any subset of the publication's fields (a JSON
/// merge patch: `null` clears a field, a list replaces the list).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePublicationRequest {
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(nullable = false)]
    pub kind: Option<PublicationKind>,
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 300,
        pattern = r"[^ \t\n\r]"
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(nullable = false, minimum = 1900, maximum = 2200)]
    pub year: Option<i32>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<Vec<LanguageCode>>, max_items = 200)]
    pub languages: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<Vec<Iso3Code>>, max_items = 200)]
    pub member_states: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<Vec<ProjectCodeSchema>>, max_items = 200)]
    pub project_codes: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^https?://[^ ]+$", max_length = 2000)]
    pub url: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^(97[89](-?[0-9]){10}|([0-9]-?){9}[0-9X])$")]
    pub isbn: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 2147483647)]
    pub copies_distributed: Option<Option<i32>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub updates_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub note: Option<Option<String>>,
}

/// Change a publication: a JSON merge patch (RFC 7396) of its fields. `If-Match` is required
/// (428 without it, 412 when stale).
#[utoipa::path(tag = "publications", request_body(content = UpdatePublicationRequest, content_type = "application/merge-patch+json"),
    params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["publications:write"])),
    responses((status = 200, description = "Updated", body = PublicationResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/publications/{id}")]
pub async fn update_publication(
    req: HttpRequest,
    principal: Authorized<need::PublicationsWrite>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let patch = object(patch)?;
    parse_json::<UpdatePublicationRequest>(
        &serde_json::to_vec(&patch).map_err(ApiError::internal)?,
    )?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let view = db::run(&state.pool, move |conn| {
        let current = publications::find(conn, id)?;
        let mut doc = serde_json::to_value(from_stored(&current)).map_err(ApiError::internal)?;
        merge(&mut doc, patch);
        let merged: PublicationFields = parse_json(doc.to_string().as_bytes())?;
        let input = merged.into_draft().check()?;
        publications::update(conn, &actor, id, &expected, input)
    })
    .await?;
    Ok(single(&view, StatusCode::OK))
}

/// Delete a publication (409 while a later edition updates it). `If-Match` required.
#[utoipa::path(tag = "publications", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["publications:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "A later edition updates it (`conflict`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/publications/{id}")]
pub async fn delete_publication(
    req: HttpRequest,
    principal: Authorized<need::PublicationsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        publications::delete(conn, &actor, id, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
