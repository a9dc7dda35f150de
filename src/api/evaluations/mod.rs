//! `/evaluations`, `/projects/{code}/evaluations`: evaluations of projects and of the
//! initiatives that scaled them up; their questions ([`questions`]) and recommendations
//! ([`recommendations`]).

pub mod fields;
pub mod questions;
pub mod recommendations;

use actix_web::http::StatusCode;
use actix_web::http::header::ETag;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use self::fields::{EvaluationFields, EvaluationResponse, from_stored, response};
use super::PageQuery;
use super::csv::{self, Columns};
use super::extract::{Body, etag, if_match, parse_json};
use super::negotiate::Format;
use super::params::{List, Query, Sort, SortKeys, Timestamp, instant, sort, texts, values};
use super::patch::merge;
use super::schemas::{Iso3Code, ProjectCodeSchema, RegionCode};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::Iso3;
use crate::domain::evaluation::{Criterion, EvaluationKind, EvaluationStatus, EvaluatorType};
use crate::domain::fx::PartialDate;
use crate::domain::project::ProjectCode;
use crate::error::{ApiError, FieldError};
use crate::models::evaluation::{EvaluationFilter, EvaluationSort};
use crate::services::{Actor, evaluations};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_evaluations)
        .service(list_project_evaluations)
        .service(create_evaluation)
        .service(get_evaluation)
        .service(update_evaluation)
        .service(delete_evaluation)
        .configure(questions::configure)
        .configure(recommendations::configure);
}

fn single(e: &evaluations::EvaluationView, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(e.values.version)));
    if status == StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/evaluations/{}", e.id),
        ));
    }
    res.json(response(e))
}

impl Columns for EvaluationResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "subject_project_code",
        "subject_follow_up_id",
        "project_code",
        "kind",
        "status",
        "title",
        "evaluator_type",
        "evaluators",
        "commissioner",
        "period_from",
        "period_to",
        "started_on",
        "completed_on",
        "report_url",
        "methods",
        "limitations",
        "summary",
        "criteria",
        "question_count",
        "recommendation_count",
        "created_at",
        "updated_at",
    ];
}

/// A completion-date filter: its first day.
#[derive(Debug, Clone, Copy)]
pub struct DayParam(chrono::NaiveDate);

impl<'de> Deserialize<'de> for DayParam {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        PartialDate::parse(&text)
            .map(|d| DayParam(d.start))
            .ok_or_else(|| serde::de::Error::custom("must be 2021, 2021-06 or 2021-06-03"))
    }
}

/// Filters of the evaluation list: comma-separated values within one filter mean OR, filters
/// combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListEvaluationsQuery {
    /// Project codes (the project evaluated, or whose follow-up initiative was).
    #[param(value_type = Option<Vec<ProjectCodeSchema>>, style = Form, explode = false)]
    pub project: Option<List<ProjectCode>>,
    #[param(value_type = Option<Vec<EvaluationKind>>, style = Form, explode = false)]
    pub kind: Option<List<EvaluationKind>>,
    #[param(value_type = Option<Vec<EvaluationStatus>>, style = Form, explode = false)]
    pub status: Option<List<EvaluationStatus>>,
    #[param(value_type = Option<Vec<EvaluatorType>>, style = Form, explode = false)]
    pub evaluator_type: Option<List<EvaluatorType>>,
    /// Evaluations that judge one of these criteria.
    #[param(value_type = Option<Vec<Criterion>>, style = Form, explode = false)]
    pub criterion: Option<List<Criterion>>,
    /// Benefitting member states of the projects (ISO3).
    #[param(value_type = Option<Vec<Iso3Code>>, style = Form, explode = false)]
    pub member_state: Option<List<Iso3>>,
    /// Regions of the projects' benefitting states.
    #[param(value_type = Option<Vec<RegionCode>>, style = Form, explode = false)]
    pub region: Option<List<String>>,
    /// Completed on or after (`2021`, `2021-06`, `2021-06-03`: compared with the first day).
    #[param(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub completed_from: Option<DayParam>,
    /// Completed on or before (same forms).
    #[param(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub completed_to: Option<DayParam>,
    /// Changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// Sort keys `completed_on`, `updated_at`, comma-separated; `-` for descending.
    #[param(value_type = Option<String>, pattern = r"^-?(completed_on|updated_at)(,-?(completed_on|updated_at))*$")]
    pub sort: Option<Sort<EvaluationSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl SortKeys for EvaluationSort {
    const KEYS: &'static [(&'static str, Self)] = &[
        ("completed_on", EvaluationSort::CompletedOn),
        ("updated_at", EvaluationSort::UpdatedAt),
    ];
}

fn list_filter(q: &ListEvaluationsQuery) -> EvaluationFilter {
    EvaluationFilter {
        project_codes: texts(&q.project),
        kinds: values(&q.kind),
        statuses: values(&q.status),
        evaluator_types: values(&q.evaluator_type),
        criteria: values(&q.criterion),
        member_states: texts(&q.member_state),
        regions: values(&q.region),
        completed_from: q.completed_from.map(|d| d.0),
        completed_to: q.completed_to.map(|d| d.0),
        updated_since: instant(q.updated_since),
        sort: sort(&q.sort),
    }
}

async fn list(
    req: &HttpRequest,
    filter: EvaluationFilter,
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
        "evaluations",
        move |conn| Ok(counting.count(conn)?),
        move |conn, offset, limit| {
            let views = evaluations::list(conn, &filter, offset, limit)?;
            Ok(views.iter().map(response).collect())
        },
        std::convert::identity,
    )
    .await
}

/// Every evaluation, filtered (OR within a filter, AND across), one page at a time; with
/// `Accept: text/csv` (or `format=csv`) the whole filtered list as CSV (evaluators and
/// criteria as JSON text).
#[utoipa::path(tag = "evaluations", params(ListEvaluationsQuery, PageQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((super::Page<EvaluationResponse> = "application/json"), (String = "text/csv")))))]
#[get("/evaluations")]
pub async fn list_evaluations(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    query: Query<ListEvaluationsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    list(&req, list_filter(&q), q.format, paging.into_inner(), &state).await
}

/// The evaluations of one project (and of its follow-up initiatives), with the same filters.
#[utoipa::path(tag = "evaluations", params(("code" = String, Path, example = "MD.0001"), ListEvaluationsQuery, PageQuery),
    security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "One page (JSON) or the whole list (CSV)",
        content((super::Page<EvaluationResponse> = "application/json"), (String = "text/csv")))))]
#[get("/projects/{code}/evaluations")]
pub async fn list_project_evaluations(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<String>,
    query: Query<ListEvaluationsQuery>,
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
    let mut filter = list_filter(&q);
    filter.project_codes = vec![code];
    list(&req, filter, q.format, paging.into_inner(), &state).await
}

/// Record an evaluation of a project (`subject.project_code`) or of a scaled-up initiative
/// recorded as follow-up funding (`subject.follow_up_id`), with its criterion judgements.
#[utoipa::path(tag = "evaluations", request_body = EvaluationFields, security(("bearer" = ["evaluations:write"])),
    responses((status = 201, description = "Created", body = EvaluationResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/evaluations")]
pub async fn create_evaluation(
    principal: Authorized<need::EvaluationsWrite>,
    Body(body): Body<EvaluationFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_draft().check()?;
    let actor = Actor::from(&*principal);
    let view = db::run(&state.pool, move |conn| {
        evaluations::create(conn, &actor, input)
    })
    .await?;
    Ok(single(&view, StatusCode::CREATED))
}

/// One evaluation with its evaluators, criterion judgements and counts.
#[utoipa::path(tag = "evaluations", params(("id" = i64, Path, minimum = 1)), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The evaluation", body = EvaluationResponse, headers(("ETag" = String)))))]
#[get("/evaluations/{id}")]
pub async fn get_evaluation(
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| evaluations::find(conn, id)).await?;
    Ok(single(&view, StatusCode::OK))
}

/// The body of `PATCH /evaluations/{id}`: any subset of the evaluation's fields (a JSON merge
/// patch: `null` clears a field, a list replaces the list).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEvaluationRequest {
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(nullable = false)]
    pub subject: Option<fields::SubjectFields>,
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(nullable = false)]
    pub kind: Option<EvaluationKind>,
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(nullable = false)]
    pub status: Option<EvaluationStatus>,
    #[serde(default, deserialize_with = "super::patch::present")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 300,
        pattern = r"[^ \t\n\r]"
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<EvaluatorType>)]
    pub evaluator_type: Option<Option<EvaluatorType>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<Vec<fields::EvaluatorFields>>)]
    pub evaluators: Option<Option<Vec<fields::EvaluatorFields>>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub commissioner: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub period_from: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub period_to: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub started_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^((19[0-9]{2}|2[01][0-9]{2}|2200)(-(0[1-9]|1[0-2]))?|(19[0-9]{2}|2[01][0-9]{2}|2200)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29)$")]
    pub completed_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^https?://[^ ]+$")]
    pub report_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<Vec<crate::domain::evaluation::Method>>)]
    pub methods: Option<Option<Vec<crate::domain::evaluation::Method>>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub limitations: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<Vec<fields::CriterionFields>>)]
    pub criteria: Option<Option<Vec<fields::CriterionFields>>>,
}

/// Change an evaluation: a JSON merge patch (RFC 7396) of its fields. `If-Match` is required
/// (428 without it, 412 when stale). A new `subject` replaces the old one whole.
#[utoipa::path(tag = "evaluations", request_body(content = UpdateEvaluationRequest, content_type = "application/merge-patch+json"),
    params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["evaluations:write"])),
    responses((status = 200, description = "Updated", body = EvaluationResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/evaluations/{id}")]
pub async fn update_evaluation(
    req: HttpRequest,
    principal: Authorized<need::EvaluationsWrite>,
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
    parse_json::<UpdateEvaluationRequest>(
        &serde_json::to_vec(&patch).map_err(ApiError::internal)?,
    )?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let view = db::run(&state.pool, move |conn| {
        let current = evaluations::find(conn, id)?;
        let mut doc = serde_json::to_value(from_stored(&current)).map_err(ApiError::internal)?;
        if patch.get("subject").is_some() {
            // A subject is one of two keys: a new one replaces the old, never merges with it.
            doc["subject"] = serde_json::json!({});
        }
        merge(&mut doc, patch);
        let merged: EvaluationFields = parse_json(doc.to_string().as_bytes())?;
        let input = merged.into_draft().check()?;
        evaluations::update(conn, &actor, id, &expected, input)
    })
    .await?;
    Ok(single(&view, StatusCode::OK))
}

/// Delete an evaluation, with its questions and recommendations. `If-Match` required.
#[utoipa::path(tag = "evaluations", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["evaluations:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/evaluations/{id}")]
pub async fn delete_evaluation(
    req: HttpRequest,
    principal: Authorized<need::EvaluationsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        evaluations::delete(conn, &actor, id, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
