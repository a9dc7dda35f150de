//! `/evaluations/{id}/recommendations`, `/recommendations`: what evaluations recommended,
//! management's response, and whether it was carried out (with the history of its status).
//!
//! - [`fields`]: the request and response types;
//! - [`export`]: the CSV (and XLSX) rows.

pub mod export;
pub mod fields;

use actix_web::http::StatusCode;
use actix_web::http::header::ETag;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub use self::export::RecommendationRow;
use self::export::row;
use self::fields::{CONTENT, change, draft, response};
pub use self::fields::{
    ManagementResponse, RecommendationFields, RecommendationResponse, StatusChangeResponse,
    StatusHistory, UpdateRecommendationRequest,
};
use crate::api::csv;
use crate::api::extract::{Body, etag, if_match, parse_json};
use crate::api::negotiate::Format;
use crate::api::params::{List, Query, Sort, SortKeys, Timestamp, instant, sort, texts, values};
use crate::api::schemas::{NonEmptyText, ProjectCodeSchema};
use crate::api::{FormatQuery, PageQuery};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::evaluation::{Priority, RecommendationStatus};
use crate::domain::project::ProjectCode;
use crate::error::{ApiError, FieldError};
use crate::models::recommendation::{RecommendationFilter, RecommendationSort};
use crate::services::Actor;
use crate::services::evaluations::input::ResponseDraft;
use crate::services::evaluations::recommendations::{
    self as service, RecommendationPatch, RecommendationView,
};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_recommendations)
        .service(list_evaluation_recommendations)
        .service(create_recommendation)
        .service(get_recommendation)
        .service(update_recommendation)
        .service(list_recommendation_history);
}

fn single(r: &RecommendationView, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(r.values.version)));
    if status == StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/recommendations/{}", r.id),
        ));
    }
    res.json(response(r))
}

/// Filters of the recommendation list: comma-separated values within one filter mean OR,
/// filters combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListRecommendationsQuery {
    /// Project codes (of the evaluations).
    #[param(value_type = Option<Vec<ProjectCodeSchema>>, style = Form, explode = false)]
    pub project: Option<List<ProjectCode>>,
    /// Evaluation ids.
    #[param(value_type = Option<Vec<i64>>, style = Form, explode = false)]
    pub evaluation: Option<List<i64>>,
    #[param(value_type = Option<Vec<RecommendationStatus>>, style = Form, explode = false)]
    pub status: Option<List<RecommendationStatus>>,
    /// Addressees, exactly as written (e.g. `IOM Mongolia`).
    #[param(value_type = Option<Vec<NonEmptyText>>, style = Form, explode = false)]
    pub addressee: Option<List<String>>,
    #[param(value_type = Option<Vec<Priority>>, style = Form, explode = false)]
    pub priority: Option<List<Priority>>,
    /// `true`: open (`open`, `in_progress`) and past the due date; `false`: all others.
    pub overdue: Option<bool>,
    /// Open, and made at least this many months ago.
    #[param(minimum = 0, maximum = 1200)] // OPEN_LONGER_THAN_MAX
    pub open_longer_than: Option<u16>,
    /// Changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// Sort keys `due_date`, `issued_on`, `updated_at`, comma-separated; `-` for descending.
    #[param(value_type = Option<String>, pattern = r"^-?(due_date|issued_on|updated_at)(,-?(due_date|issued_on|updated_at))*$")]
    pub sort: Option<Sort<RecommendationSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`); `xlsx` as an XLSX workbook.
    pub format: Option<Format>,
}

impl SortKeys for RecommendationSort {
    const KEYS: &'static [(&'static str, Self)] = &[
        ("due_date", RecommendationSort::DueDate),
        ("issued_on", RecommendationSort::IssuedOn),
        ("updated_at", RecommendationSort::UpdatedAt),
    ];
}

/// The longest `open_longer_than` accepted: a hundred years, as the document states.
const OPEN_LONGER_THAN_MAX: u16 = 1200;

fn list_filter(q: &ListRecommendationsQuery) -> Result<RecommendationFilter, ApiError> {
    let today = chrono::Utc::now().date_naive();
    let issued_by = match q.open_longer_than {
        Some(months) if months > OPEN_LONGER_THAN_MAX => {
            return Err(ApiError::bad_parameter(
                "open_longer_than",
                format!("at most {OPEN_LONGER_THAN_MAX} months"),
            ));
        }
        Some(months) => Some(
            today
                .checked_sub_months(chrono::Months::new(u32::from(months)))
                .ok_or_else(|| ApiError::bad_parameter("open_longer_than", "too far back"))?,
        ),
        None => None,
    };
    Ok(RecommendationFilter {
        project_codes: texts(&q.project),
        evaluation_ids: values(&q.evaluation),
        statuses: values(&q.status),
        addressees: values(&q.addressee),
        priorities: values(&q.priority),
        overdue: q.overdue,
        issued_by,
        today: Some(today),
        updated_since: instant(q.updated_since),
        sort: sort(&q.sort),
    })
}

async fn list(
    req: &HttpRequest,
    filter: RecommendationFilter,
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
        "recommendations",
        move |conn| Ok(counting.count(conn)?),
        move |conn, offset, limit| {
            let views = service::list(conn, &filter, offset, limit)?;
            Ok(views.iter().map(response).collect())
        },
        row,
    )
    .await
}

/// Every recommendation, filtered; with `Accept: text/csv` (or `format=csv`) the whole
/// filtered list as CSV.
#[utoipa::path(tag = "recommendations", params(ListRecommendationsQuery, PageQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((crate::api::Page<RecommendationResponse> = "application/json"), (String = "text/csv")))))]
#[get("/recommendations")]
pub async fn list_recommendations(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    query: Query<ListRecommendationsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    list(
        &req,
        list_filter(&q)?,
        q.format,
        paging.into_inner(),
        &state,
    )
    .await
}

/// The recommendations of one evaluation, in their printed order, with the same filters.
#[utoipa::path(tag = "recommendations", params(("id" = i64, Path, minimum = 1), ListRecommendationsQuery, PageQuery),
    security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "One page (JSON) or the whole list (CSV)",
        content((crate::api::Page<RecommendationResponse> = "application/json"), (String = "text/csv")))))]
#[get("/evaluations/{id}/recommendations")]
pub async fn list_evaluation_recommendations(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    query: Query<ListRecommendationsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    db::run(&state.pool, move |conn| {
        crate::services::evaluations::row(conn, id).map(|_| ())
    })
    .await?;
    let q = query.into_inner();
    let mut filter = list_filter(&q)?;
    filter.evaluation_ids = vec![id];
    list(&req, filter, q.format, paging.into_inner(), &state).await
}

/// Record a recommendation of an evaluation (status `open`; management responds with PATCH).
#[utoipa::path(tag = "recommendations", params(("id" = i64, Path, minimum = 1)), request_body = RecommendationFields,
    security(("bearer" = ["evaluations:write"])),
    responses((status = 201, description = "Created", body = RecommendationResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/evaluations/{id}/recommendations")]
pub async fn create_recommendation(
    principal: Authorized<need::EvaluationsWrite>,
    path: web::Path<i64>,
    Body(body): Body<RecommendationFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    if body.evaluation_id.is_some_and(|e| e != id) {
        return Err(ApiError::validation(vec![FieldError::new(
            "evaluation_id",
            "wrong_evaluation",
            format!(
                "this is the path of evaluation {id}; post to the other evaluation's path instead"
            ),
        )]));
    }
    let input = draft(body).check()?;
    let actor = Actor::from(&*principal);
    let r = db::run(&state.pool, move |conn| {
        service::create(conn, &actor, id, input)
    })
    .await?;
    Ok(single(&r, StatusCode::CREATED))
}

/// One recommendation with management's response and its status.
#[utoipa::path(tag = "recommendations", params(("id" = i64, Path, minimum = 1)), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The recommendation", body = RecommendationResponse, headers(("ETag" = String)))))]
#[get("/recommendations/{id}")]
pub async fn get_recommendation(
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let r = db::run(&state.pool, move |conn| service::find(conn, id)).await?;
    Ok(single(&r, StatusCode::OK))
}

/// Change a recommendation: a JSON merge patch. An evaluator changes what it says; a fund
/// manager records management's response and the status (each status change is kept, see
/// `…/history`). `If-Match` required (428 without it, 412 when stale).
#[utoipa::path(tag = "recommendations", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    request_body(content = UpdateRecommendationRequest, content_type = "application/merge-patch+json"),
    security(("bearer" = ["recommendations:update"])),
    responses((status = 200, description = "Updated", body = RecommendationResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/recommendations/{id}")]
pub async fn update_recommendation(
    req: HttpRequest,
    principal: Authorized<need::RecommendationsUpdate>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let patch = crate::api::patch::object(patch)?;
    parse_json::<UpdateRecommendationRequest>(
        &serde_json::to_vec(&patch).map_err(ApiError::internal)?,
    )?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let r = db::run(&state.pool, move |conn| {
        let current = service::find(conn, id)?;
        let touches = |key: &str| patch.get(key).is_some();
        let mut doc = serde_json::to_value(response(&current)).map_err(ApiError::internal)?;
        crate::api::patch::merge(&mut doc, patch.clone());
        let content = if CONTENT.iter().any(|k| touches(k)) {
            let mut fields = serde_json::Map::new();
            for key in CONTENT {
                if let Some(v) = doc.get(*key).filter(|v| !v.is_null()) {
                    fields.insert((*key).to_owned(), v.clone());
                }
            }
            let f: RecommendationFields =
                parse_json(serde_json::Value::Object(fields).to_string().as_bytes())?;
            Some(draft(f).check()?)
        } else {
            None
        };
        let response_part = if touches("management_response") {
            let m: Option<ManagementResponse> =
                serde_json::from_value(doc["management_response"].clone()).map_err(|e| {
                    ApiError::validation(vec![FieldError::new(
                        "management_response",
                        "invalid",
                        e.to_string(),
                    )])
                })?;
            Some(
                m.map(|m| {
                    ResponseDraft {
                        decision: m.decision,
                        text: m.text,
                        responded_on: m.responded_on,
                        responded_by: m.responded_by,
                    }
                    .check("management_response")
                })
                .transpose()?,
            )
        } else {
            None
        };
        // The patch's shape was checked above: a status here is one of the enum's.
        let status = touches("status")
            .then(|| serde_json::from_value::<RecommendationStatus>(doc["status"].clone()))
            .transpose()
            .map_err(ApiError::internal)?;
        let status_note = touches("status_note").then(|| {
            doc["status_note"]
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        });
        service::update(
            conn,
            &actor,
            id,
            &expected,
            RecommendationPatch {
                content,
                response: response_part,
                status,
                status_note,
            },
        )
    })
    .await?;
    Ok(single(&r, StatusCode::OK))
}

/// Every status a recommendation has had, newest first, with who set it and when.
#[utoipa::path(tag = "recommendations", params(("id" = i64, Path, minimum = 1), FormatQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The history (JSON) or CSV",
        content((StatusHistory = "application/json"), (String = "text/csv")))))]
#[get("/recommendations/{id}/history")]
pub async fn list_recommendation_history(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    query: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let rows = db::run(&state.pool, move |conn| service::history(conn, id)).await?;
    let items: Vec<StatusChangeResponse> = rows.into_iter().map(change).collect();
    let json = StatusHistory {
        items: items.clone(),
    };
    csv::items_or_json(&req, query.format, "recommendation-history", &items, &json)
}
