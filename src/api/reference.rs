//! Read-only reference data, served from the catalogue loaded at start-up (no query per
//! request).

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::negotiate::{self, Format};
use super::params::{List, Query, values};
use super::schemas::{SdgGoalNumber, SdgTargetCode, TaxonomyName};
use super::{FormatQuery, PageQuery, page_response};
use crate::auth::{Authorized, need};
use crate::error::ApiError;
use crate::models::reference::{Catalogue, SdgTarget};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_regions)
        .service(get_region)
        .service(list_sdg_goals)
        .service(get_sdg_goal)
        .service(list_sdg_targets)
        .service(get_sdg_target)
        .service(list_sdg_indicators)
        .service(list_migof_elements)
        .service(list_gcm_objectives)
        .service(list_msd_outcomes)
        .service(get_taxonomy);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionResponse {
    /// e.g. `SA`
    pub code: String,
    pub name: String,
    /// Seat of the regional office.
    pub seat: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SdgTargetResponse {
    /// A string, never a number: `10.7`, `16.10`, `10.c`.
    pub code: String,
    pub goal: i32,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SdgGoalResponse {
    pub number: i32,
    pub title: String,
    pub short_title: String,
    /// Present when asked for (`include=targets`, or on a single goal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<SdgTargetResponse>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SdgIndicatorResponse {
    /// e.g. `10.7.2`
    pub code: String,
    pub target: String,
    pub title: String,
    /// The global indicator framework version the wording comes from.
    pub framework_version: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MigofElementResponse {
    /// `P1`–`P3`, `O1`–`O3`
    pub code: String,
    /// `principle` or `objective`
    pub kind: String,
    pub text: String,
    pub short_text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GcmObjectiveResponse {
    pub number: i32,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MsdDeliverableResponse {
    pub number: i32,
    pub title: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MsdOutcomeResponse {
    pub number: i32,
    /// The profiles print numbers only; titles are empty unless an admin has set them.
    pub title: Option<String>,
    pub deliverables: Vec<MsdDeliverableResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonomyTermResponse {
    pub code: String,
    pub label: String,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonomyResponse {
    pub name: String,
    pub terms: Vec<TaxonomyTermResponse>,
}

crate::domain::funding::closed_enum!(
    /// What a goal list may include.
    GoalInclude { Targets => "targets" }
);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalsQuery {
    /// `targets` to include each goal's targets.
    pub include: Option<GoalInclude>,
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`).
    pub format: Option<Format>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetsQuery {
    /// Only the targets of these goals (comma-separated numbers).
    #[param(value_type = Option<Vec<SdgGoalNumber>>, style = Form, explode = false)]
    pub goal: Option<List<i32>>,
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`).
    pub format: Option<Format>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsQuery {
    /// Only the indicators of these targets (comma-separated codes, e.g. `10.7`).
    #[param(value_type = Option<Vec<SdgTargetCode>>, style = Form, explode = false)]
    pub target: Option<List<String>>,
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`).
    pub format: Option<Format>,
}

macro_rules! columns {
    ($($ty:ty => [$($col:literal),+ $(,)?]),+ $(,)?) => {$(
        impl Columns for $ty {
            const COLUMNS: &'static [&'static str] = &[$($col),+];
        }
    )+};
}

columns!(
    RegionResponse => ["code", "name", "seat"],
    SdgGoalResponse => ["number", "title", "short_title", "targets"],
    SdgTargetResponse => ["code", "goal", "title"],
    SdgIndicatorResponse => ["code", "target", "title", "framework_version"],
    MigofElementResponse => ["code", "kind", "text", "short_text"],
    GcmObjectiveResponse => ["number", "title"],
    MsdOutcomeResponse => ["number", "title", "deliverables"],
);

fn target_response(t: &SdgTarget) -> SdgTargetResponse {
    SdgTargetResponse {
        code: t.code.clone(),
        goal: t.goal,
        title: t.title.clone(),
    }
}

/// One page of an in-memory list as JSON, or all of it as CSV.
fn paginate<T: Serialize + Columns>(
    items: Vec<T>,
    paging: PageQuery,
    format: Option<Format>,
    req: &HttpRequest,
    filename: &str,
) -> Result<HttpResponse, ApiError> {
    if negotiate::choose(req, format)? == Format::Csv {
        return csv::list(filename, &items).map(negotiate::vary);
    }
    let paging = paging.paging()?;
    let total = items.len() as i64;
    let page: Vec<T> = items
        .into_iter()
        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.limit()).unwrap_or(usize::MAX))
        .collect();
    Ok(negotiate::vary(page_response(req, page, total, paging)))
}

fn catalogue(state: &AppState) -> &Catalogue {
    &state.catalogue
}

/// IOM regions.
#[utoipa::path(tag = "reference", params(PageQuery, FormatQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Regions: one page (JSON) or all (CSV)",
        content((super::Page<RegionResponse> = "application/json"), (String = "text/csv")))))]
#[get("/regions")]
async fn list_regions(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<PageQuery>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = catalogue(&state)
        .regions
        .iter()
        .map(|r| RegionResponse {
            code: r.code.clone(),
            name: r.name.clone(),
            seat: r.seat.clone(),
        })
        .collect();
    paginate(items, query.into_inner(), format.format, &req, "regions")
}

/// One region.
#[utoipa::path(tag = "reference", params(("code" = String, Path, example = "SA")), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The region", body = RegionResponse)))]
#[get("/regions/{code}")]
async fn get_region(
    _: Authorized<need::ReferenceRead>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let r = catalogue(&state)
        .region(&code)
        .ok_or_else(|| ApiError::not_found(format!("region {code}")))?;
    Ok(HttpResponse::Ok().json(RegionResponse {
        code: r.code.clone(),
        name: r.name.clone(),
        seat: r.seat.clone(),
    }))
}

fn goal_response(c: &Catalogue, number: i32, with_targets: bool) -> Option<SdgGoalResponse> {
    let g = c.goals.iter().find(|g| g.number == number)?;
    Some(SdgGoalResponse {
        number: g.number,
        title: g.title.clone(),
        short_title: g.short_title.clone(),
        targets: with_targets.then(|| {
            c.targets
                .iter()
                .filter(|t| t.goal == number)
                .map(target_response)
                .collect()
        }),
    })
}

/// The 17 Sustainable Development Goals; `include=targets` adds their targets.
#[utoipa::path(tag = "reference", params(GoalsQuery, PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Goals: one page (JSON) or all (CSV)",
        content((super::Page<SdgGoalResponse> = "application/json"), (String = "text/csv")))))]
#[get("/sdg/goals")]
async fn list_sdg_goals(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<GoalsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let with_targets = query.include == Some(GoalInclude::Targets);
    let c = catalogue(&state);
    let items = c
        .goals
        .iter()
        .filter_map(|g| goal_response(c, g.number, with_targets))
        .collect();
    paginate(items, paging.into_inner(), query.format, &req, "sdg-goals")
}

/// One goal with its targets.
#[utoipa::path(tag = "reference", params(("number" = i32, Path, example = 10)), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The goal", body = SdgGoalResponse)))]
#[get("/sdg/goals/{number}")]
async fn get_sdg_goal(
    _: Authorized<need::ReferenceRead>,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let goal = goal_response(catalogue(&state), number, true)
        .ok_or_else(|| ApiError::not_found(format!("SDG goal {number}")))?;
    Ok(HttpResponse::Ok().json(goal))
}

/// The 169 SDG targets; `goal=10` narrows to one goal.
#[utoipa::path(tag = "reference", params(TargetsQuery, PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Targets: one page (JSON) or all (CSV)",
        content((super::Page<SdgTargetResponse> = "application/json"), (String = "text/csv")))))]
#[get("/sdg/targets")]
async fn list_sdg_targets(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<TargetsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goals = values(&query.goal);
    let items = catalogue(&state)
        .targets
        .iter()
        .filter(|t| goals.is_empty() || goals.contains(&t.goal))
        .map(target_response)
        .collect();
    paginate(
        items,
        paging.into_inner(),
        query.format,
        &req,
        "sdg-targets",
    )
}

/// One target.
#[utoipa::path(tag = "reference", params(("code" = String, Path, example = "10.7")), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The target", body = SdgTargetResponse)))]
#[get("/sdg/targets/{code}")]
async fn get_sdg_target(
    _: Authorized<need::ReferenceRead>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let t = catalogue(&state)
        .target(&code)
        .ok_or_else(|| ApiError::not_found(format!("SDG target {code}")))?;
    Ok(HttpResponse::Ok().json(target_response(t)))
}

/// SDG indicators with their framework version; `target=10.7` narrows to one target.
#[utoipa::path(tag = "reference", params(IndicatorsQuery, PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Indicators: one page (JSON) or all (CSV)",
        content((super::Page<SdgIndicatorResponse> = "application/json"), (String = "text/csv")))))]
#[get("/sdg/indicators")]
async fn list_sdg_indicators(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: Query<IndicatorsQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let targets = values(&query.target);
    let items = catalogue(&state)
        .indicators
        .iter()
        .filter(|i| targets.is_empty() || targets.contains(&i.target_code))
        .map(|i| SdgIndicatorResponse {
            code: i.code.clone(),
            target: i.target_code.clone(),
            title: i.title.clone(),
            framework_version: i.framework_version.clone(),
        })
        .collect();
    paginate(
        items,
        paging.into_inner(),
        query.format,
        &req,
        "sdg-indicators",
    )
}

/// MiGOF principles P1–P3 and objectives O1–O3, long and short wording.
#[utoipa::path(tag = "reference", params(PageQuery, FormatQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "MiGOF elements: one page (JSON) or all (CSV)",
        content((super::Page<MigofElementResponse> = "application/json"), (String = "text/csv")))))]
#[get("/migof/elements")]
async fn list_migof_elements(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    paging: Query<PageQuery>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = catalogue(&state)
        .migof
        .iter()
        .map(|m| MigofElementResponse {
            code: m.code.clone(),
            kind: m.kind.clone(),
            text: m.text.clone(),
            short_text: m.short_text.clone(),
        })
        .collect();
    paginate(
        items,
        paging.into_inner(),
        format.format,
        &req,
        "migof-elements",
    )
}

/// The 23 objectives of the Global Compact for Migration.
#[utoipa::path(tag = "reference", params(PageQuery, FormatQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "GCM objectives: one page (JSON) or all (CSV)",
        content((super::Page<GcmObjectiveResponse> = "application/json"), (String = "text/csv")))))]
#[get("/gcm/objectives")]
async fn list_gcm_objectives(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    paging: Query<PageQuery>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = catalogue(&state)
        .gcm
        .iter()
        .map(|g| GcmObjectiveResponse {
            number: g.number,
            title: g.title.clone(),
        })
        .collect();
    paginate(
        items,
        paging.into_inner(),
        format.format,
        &req,
        "gcm-objectives",
    )
}

/// IOM's Migration and Sustainable Development strategy: outcomes and their deliverables.
#[utoipa::path(tag = "reference", params(PageQuery, FormatQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "MSD outcomes: one page (JSON) or all (CSV)",
        content((super::Page<MsdOutcomeResponse> = "application/json"), (String = "text/csv")))))]
#[get("/msd/outcomes")]
async fn list_msd_outcomes(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    paging: Query<PageQuery>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let c = catalogue(&state);
    let items = c
        .msd_outcomes
        .iter()
        .map(|o| MsdOutcomeResponse {
            number: o.number,
            title: o.title.clone(),
            deliverables: c
                .msd_deliverables
                .iter()
                .filter(|d| d.outcome == o.number)
                .map(|d| MsdDeliverableResponse {
                    number: d.number,
                    title: d.title.clone(),
                })
                .collect(),
        })
        .collect();
    paginate(
        items,
        paging.into_inner(),
        format.format,
        &req,
        "msd-outcomes",
    )
}

/// One of the Fund's vocabularies: `thematic-areas`, `innovation-areas`,
/// `cross-cutting-themes`, `scaling-up-dimensions`, `project-statuses`, `source-types`.
#[utoipa::path(tag = "reference", params(("name" = TaxonomyName, Path, example = "thematic-areas")), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The taxonomy", body = TaxonomyResponse)))]
#[get("/taxonomies/{name}")]
async fn get_taxonomy(
    _: Authorized<need::ReferenceRead>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    let terms = catalogue(&state)
        .taxonomies
        .get(&name)
        .ok_or_else(|| ApiError::not_found(format!("taxonomy {name}")))?;
    Ok(HttpResponse::Ok().json(TaxonomyResponse {
        name: name.clone(),
        terms: terms
            .iter()
            .map(|t| TaxonomyTermResponse {
                code: t.code.clone(),
                label: t.label.clone(),
                description: t.description.clone(),
            })
            .collect(),
    }))
}
