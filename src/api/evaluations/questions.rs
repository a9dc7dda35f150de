//! `/evaluations/{id}/questions`, `/evaluation-questions/{id}`: the questions an evaluation
//! answered, in their printed order.

use actix_web::http::StatusCode;
use actix_web::http::header::ETag;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::csv::{self, Columns};
use crate::api::extract::{Body, etag, if_match, parse_json};
use crate::api::params::Query;
use crate::api::{FormatQuery, UpdatedSinceQuery};
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::evaluation::Criterion;
use crate::error::ApiError;
use crate::models::question::Question;
use crate::services::Actor;
use crate::services::evaluations::input::QuestionDraft;
use crate::services::evaluations::questions;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_evaluation_questions)
        .service(create_evaluation_question)
        .service(update_evaluation_question)
        .service(delete_evaluation_question);
}

/// An evaluation question as a client writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionFields {
    /// As printed, e.g. `EQ7`.
    #[schema(min_length = 1, max_length = 20, pattern = r"[^ \t\n\r]")]
    pub label: String,
    /// Order in the evaluation (default: after the last).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub position: Option<i32>,
    #[serde(default)]
    pub criterion: Option<Criterion>,
    /// Free text, e.g. `internal coherence`.
    #[serde(default)]
    pub sub_criterion: Option<String>,
    #[schema(min_length = 1, pattern = r"[^ \t\n\r]")]
    pub text: String,
    #[serde(default)]
    pub finding: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionResponse {
    pub id: i64,
    pub evaluation_id: i64,
    pub label: String,
    pub position: i32,
    #[schema(required = true)]
    pub criterion: Option<Criterion>,
    #[schema(required = true)]
    pub sub_criterion: Option<String>,
    pub text: String,
    #[schema(required = true)]
    pub finding: Option<String>,
}

/// The questions of one evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionList {
    pub items: Vec<QuestionResponse>,
}

impl Columns for QuestionResponse {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "evaluation_id",
        "label",
        "position",
        "criterion",
        "sub_criterion",
        "text",
        "finding",
    ];
}

fn response(q: &Question) -> QuestionResponse {
    QuestionResponse {
        id: q.id,
        evaluation_id: q.v.evaluation_id,
        label: q.v.label.clone(),
        position: q.v.position,
        criterion: q.v.criterion,
        sub_criterion: q.v.sub_criterion.clone(),
        text: q.v.text.clone(),
        finding: q.v.finding.clone(),
    }
}

fn draft(f: QuestionFields) -> QuestionDraft {
    QuestionDraft {
        label: f.label,
        position: f.position,
        criterion: f.criterion,
        sub_criterion: f.sub_criterion,
        text: f.text,
        finding: f.finding,
    }
}

fn single(q: &Question, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(q.v.version)));
    if status == StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/evaluation-questions/{}", q.id),
        ));
    }
    res.json(response(q))
}

/// The questions of an evaluation, in order; with `Accept: text/csv` (or `format=csv`) as CSV;
/// with `updated_since`, only those changed after that instant.
#[utoipa::path(tag = "evaluations", params(("id" = i64, Path, minimum = 1), UpdatedSinceQuery, FormatQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The questions (JSON) or CSV",
        content((QuestionList = "application/json"), (String = "text/csv")))))]
#[get("/evaluations/{id}/questions")]
pub async fn list_evaluation_questions(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    path: web::Path<i64>,
    since: Query<UpdatedSinceQuery>,
    query: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, since) = (path.into_inner(), since.instant());
    let rows = db::run(&state.pool, move |conn| {
        questions::of_evaluation(conn, id, since)
    })
    .await?;
    let items: Vec<QuestionResponse> = rows.iter().map(response).collect();
    let json = QuestionList {
        items: items.clone(),
    };
    csv::items_or_json(&req, query.format, "evaluation-questions", &items, &json)
}

/// Add a question to an evaluation (the evaluation's ETag moves).
#[utoipa::path(tag = "evaluations", params(("id" = i64, Path, minimum = 1)), request_body = QuestionFields,
    security(("bearer" = ["evaluations:write"])),
    responses((status = 201, description = "Created", body = QuestionResponse, headers(("ETag" = String), ("Location" = String)))))]
#[post("/evaluations/{id}/questions")]
pub async fn create_evaluation_question(
    principal: Authorized<need::EvaluationsWrite>,
    path: web::Path<i64>,
    Body(body): Body<QuestionFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = draft(body).check()?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let q = db::run(&state.pool, move |conn| {
        questions::create(conn, &actor, id, input)
    })
    .await?;
    Ok(single(&q, StatusCode::CREATED))
}

/// The body of `PATCH /evaluation-questions/{id}`: any subset of the question's fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateQuestionRequest {
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 20,
        pattern = r"[^ \t\n\r]"
    )]
    pub label: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false, minimum = 1, maximum = 10000)]
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<Criterion>)]
    pub criterion: Option<Option<Criterion>>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub sub_criterion: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[schema(nullable = false, min_length = 1, pattern = r"[^ \t\n\r]")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "crate::api::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub finding: Option<Option<String>>,
}

/// Change a question: a JSON merge patch of its fields. `If-Match` is required (428 without
/// it, 412 when stale).
#[utoipa::path(tag = "evaluations", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    request_body(content = UpdateQuestionRequest, content_type = "application/merge-patch+json"),
    security(("bearer" = ["evaluations:write"])),
    responses((status = 200, description = "Updated", body = QuestionResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[patch("/evaluation-questions/{id}")]
pub async fn update_evaluation_question(
    req: HttpRequest,
    principal: Authorized<need::EvaluationsWrite>,
    path: web::Path<i64>,
    Body(patch): Body<serde_json::Value>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let patch = crate::api::patch::object(patch)?;
    parse_json::<UpdateQuestionRequest>(&serde_json::to_vec(&patch).map_err(ApiError::internal)?)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    let q = db::run(&state.pool, move |conn| {
        let current = questions::find(conn, id)?;
        let mut doc = serde_json::to_value(response(&current)).map_err(ApiError::internal)?;
        if let Some(o) = doc.as_object_mut() {
            o.remove("id");
            o.remove("evaluation_id");
        }
        crate::api::patch::merge(&mut doc, patch);
        let merged: QuestionFields = parse_json(doc.to_string().as_bytes())?;
        questions::update(conn, &actor, id, &expected, draft(merged).check()?)
    })
    .await?;
    Ok(single(&q, StatusCode::OK))
}

/// Remove a question. `If-Match` required.
#[utoipa::path(tag = "evaluations", params(("id" = i64, Path, minimum = 1), ("If-Match" = String, Header, description = "ETag from your last read")),
    security(("bearer" = ["evaluations:write"])),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
#[delete("/evaluation-questions/{id}")]
pub async fn delete_evaluation_question(
    req: HttpRequest,
    principal: Authorized<need::EvaluationsWrite>,
    path: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        questions::delete(conn, &actor, id, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
