//! `POST /imports/{kind}`: a bulk import of member states, eligibility, projects, follow-up
//! funding, exchange rates, evaluations, recommendations or publications, from JSON (`{"items": [...]}`), CSV (the columns of the CSV
//! export) or XLSX (the first sheet, a header row). One transaction for the whole file; a
//! dry run, or any row error, writes nothing.
//!
//! - [`table`]: the body read into rows, with its size caps;
//! - [`columns`]: each kind's columns, read back into its request body;
//! - [`kinds`]: each row written through the kind's own use case.

mod columns;
mod kinds;
pub mod table;

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::{RawBody, content_type};
use super::params::Query;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::services::Actor;
use crate::services::imports::{self, Report, RowError};
use crate::state::AppState;

/// The largest import body (every other route keeps `DEVFUND_MAX_BODY_BYTES`).
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/imports")
            .app_data(web::PayloadConfig::new(MAX_IMPORT_BYTES))
            .service(import_records),
    );
}

/// What an import holds. (Named `ImportKind` in the document: another `Kind`, the token
/// request's, would otherwise take its place there.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, ToSchema)]
#[schema(as = ImportKind)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    MemberStates,
    Eligibility,
    Projects,
    FollowUpFunding,
    ExchangeRates,
    Evaluations,
    Recommendations,
    Publications,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MemberStates => "member-states",
            Kind::Eligibility => "eligibility",
            Kind::Projects => "projects",
            Kind::FollowUpFunding => "follow-up-funding",
            Kind::ExchangeRates => "exchange-rates",
            Kind::Evaluations => "evaluations",
            Kind::Recommendations => "recommendations",
            Kind::Publications => "publications",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: validate every row (the Fund's rules included) and write nothing.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

/// The 422 of an import with row errors: a problem document that also carries the counts
/// and every row's errors (`row` counts data rows from 1; a table's header is not a row).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub instance: Option<String>,
    /// `import_rejected`.
    pub code: String,
    pub request_id: Option<String>,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    pub truncated: bool,
}

/// The request body of an import, as JSON: `items` holds objects of the kind's create (or
/// PUT) body, with its key fields (`iso3` and `year` for eligibility, `currency` and
/// `month` for exchange rates, `project_code` and an optional `id` for follow-up funding, an
/// optional `id` for evaluations and publications, `evaluation_id` and an optional `id` for
/// recommendations).
#[derive(Debug, ToSchema)]
pub struct ImportItems {
    #[schema(value_type = Vec<Object>, max_items = 100000)]
    pub items: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// The rows of a body: each numbered, and either an item or its parse errors.
type Rows = Vec<(usize, Result<serde_json::Value, ApiError>)>;

fn rows_of(kind: Kind, media: &str, body: &[u8]) -> Result<Rows, ApiError> {
    let table = match media {
        "application/json" => {
            return Ok(table::json_items(body)?
                .into_iter()
                .map(|(row, v)| (row, Ok(v)))
                .collect());
        }
        CSV => table::csv(body)?,
        XLSX => table::xlsx(body)?,
        _ => unreachable!("the media type is checked before"),
    };
    let positions = columns::check_header(kind, &table.header).map_err(ApiError::validation)?;
    Ok(table
        .rows
        .into_iter()
        .map(|(row, cells)| {
            let item = cells
                .map_err(|e| vec![e])
                .and_then(|cells| columns::to_item(kind, &positions, &cells))
                .map_err(ApiError::validation);
            (row, item)
        })
        .collect())
}

/// Import records of one kind: JSON `{"items": [...]}`, CSV in the columns of the kind's CSV
/// export, or XLSX (first sheet, header row). Upserts by natural key (member state `iso3`;
/// eligibility `iso3`+`year`; project `code`; exchange rate `currency`+`month`; follow-up
/// funding, evaluations, recommendations and publications `id`: a row without one, or with
/// an id not stored, is created; a recommendation names its stored `evaluation_id`). Each
/// row needs the permissions of its kind's own routes. One transaction: any row error
/// answers 422 `import_rejected` listing every row's errors, and nothing is written;
/// `dry_run=true` validates everything and writes nothing. Rows count from 1 (a table's
/// header is not a row; row 0 is the file itself: an unknown or missing column). Up to
/// 20 MiB and 100,000 rows.
#[utoipa::path(tag = "imports",
    params(("kind" = Kind, Path), ImportQuery),
    request_body(content(
        (ImportItems = "application/json"),
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    security(("bearer" = ["projects:approve"])),
    responses(
        (status = 200, description = "Imported (or, on a dry run, would import)", body = Report),
        (status = 400, description = "A body that cannot be read: not JSON, not UTF-8 CSV (`invalid_encoding`), not a workbook (`not_a_spreadsheet`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 20 MiB, over 100,000 rows, or a workbook over 200 MB uncompressed (`payload_too_large`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON, CSV or XLSX (`unsupported_media_type`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Row errors (`import_rejected`: nothing written); the file's own problems (an unknown, missing or repeated column, a body that is not `{\"items\": [...]}`) are row 0",
            content((ImportProblem = "application/problem+json")))))]
#[post("/{kind}")]
pub async fn import_records(
    req: HttpRequest,
    principal: Authorized<need::ProjectsApprove>,
    kind: web::Path<Kind>,
    query: Query<ImportQuery>,
    RawBody(body): RawBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let kind = kind.into_inner();
    let dry_run = query.into_inner().dry_run.unwrap_or(false);
    let media = content_type(&req).unwrap_or_default();
    if !["application/json", CSV, XLSX].contains(&media.as_str()) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("send application/json, {CSV} or {XLSX}"),
        ));
    }
    let actor = Actor::from(&*principal);
    let catalogue = state.catalogue.clone();
    let report = db::run(&state.pool, move |conn| {
        let rows = match rows_of(kind, &media, &body) {
            Ok(rows) => rows,
            // The file as a whole (its header, its shape) is row 0.
            Err(ApiError::Client {
                code: ErrorCode::ValidationFailed,
                errors,
                ..
            }) => {
                let mut report = Report {
                    dry_run,
                    ..Report::default()
                };
                for e in &errors {
                    report.push(0, e);
                }
                return Ok(report);
            }
            Err(e) => return Err(e),
        };
        drop(body);
        let mut writer = kinds::Writer {
            kind,
            session: kinds::Session::default(),
            actor: &actor,
            catalogue: &catalogue,
        };
        imports::run(conn, &actor, kind.as_str(), dry_run, rows, &mut writer)
    })
    .await?;
    Ok(answer(report))
}

fn answer(r: Report) -> HttpResponse {
    if r.errors.is_empty() && !r.truncated {
        return HttpResponse::Ok().json(r);
    }
    let e = ApiError::new(
        ErrorCode::ImportRejected,
        format!(
            "{} error(s) in the rows{}; nothing was written",
            r.errors.len(),
            if r.truncated { " (and more)" } else { "" }
        ),
    );
    let p = e.problem();
    e.response_builder().json(ImportProblem {
        type_: p.type_,
        title: p.title.to_owned(),
        status: p.status,
        detail: p.detail,
        instance: p.instance,
        code: p.code.to_owned(),
        request_id: p.request_id,
        dry_run: r.dry_run,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        errors: r.errors,
        truncated: r.truncated,
    })
}
