//! Read-only reference data, served from the catalogue loaded at start-up (no query per
//! request).

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{PageQuery, page_response};
use crate::app::AppState;
use crate::auth::{Authorized, need};
use crate::error::ApiError;
use crate::models::reference::{Catalogue, SdgTarget};

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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalsQuery {
    /// `targets` to include each goal's targets.
    pub include: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetsQuery {
    /// Only the targets of these goals (comma-separated numbers).
    pub goal: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsQuery {
    /// Only the indicators of these targets (comma-separated codes, e.g. `10.7`).
    pub target: Option<String>,
}

fn target_response(t: &SdgTarget) -> SdgTargetResponse {
    SdgTargetResponse {
        code: t.code.clone(),
        goal: t.goal,
        title: t.title.clone(),
    }
}

fn paginate<T>(items: Vec<T>, query: PageQuery, req: &HttpRequest) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
{
    let paging = query.paging()?;
    let total = items.len() as i64;
    let page: Vec<T> = items
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.limit() as usize)
        .collect();
    Ok(page_response(req, page, total, paging))
}

fn catalogue(state: &AppState) -> &Catalogue {
    &state.catalogue
}

/// IOM regions.
#[utoipa::path(tag = "reference", params(PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Regions", body = super::Page<RegionResponse>)))]
#[get("/regions")]
async fn list_regions(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: web::Query<PageQuery>,
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
    paginate(items, query.into_inner(), &req)
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
    responses((status = 200, description = "Goals", body = super::Page<SdgGoalResponse>)))]
#[get("/sdg/goals")]
async fn list_sdg_goals(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: web::Query<GoalsQuery>,
    paging: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let with_targets = match query.include.as_deref() {
        None | Some("") => false,
        Some("targets") => true,
        Some(_) => {
            return Err(ApiError::bad_parameter(
                "include",
                "the only value is `targets`",
            ));
        }
    };
    let c = catalogue(&state);
    let items = c
        .goals
        .iter()
        .filter_map(|g| goal_response(c, g.number, with_targets))
        .collect();
    paginate(items, paging.into_inner(), &req)
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
    responses((status = 200, description = "Targets", body = super::Page<SdgTargetResponse>)))]
#[get("/sdg/targets")]
async fn list_sdg_targets(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: web::Query<TargetsQuery>,
    paging: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goals = super::split_list(query.goal.as_deref())
        .iter()
        .map(|g| {
            g.parse::<i32>()
                .map_err(|_| ApiError::bad_parameter("goal", format!("{g:?} is not a goal number")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let items = catalogue(&state)
        .targets
        .iter()
        .filter(|t| goals.is_empty() || goals.contains(&t.goal))
        .map(target_response)
        .collect();
    paginate(items, paging.into_inner(), &req)
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
    responses((status = 200, description = "Indicators", body = super::Page<SdgIndicatorResponse>)))]
#[get("/sdg/indicators")]
async fn list_sdg_indicators(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    query: web::Query<IndicatorsQuery>,
    paging: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let targets = super::split_list(query.target.as_deref());
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
    paginate(items, paging.into_inner(), &req)
}

/// MiGOF principles P1–P3 and objectives O1–O3, long and short wording.
#[utoipa::path(tag = "reference", params(PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "MiGOF elements", body = super::Page<MigofElementResponse>)))]
#[get("/migof/elements")]
async fn list_migof_elements(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    paging: web::Query<PageQuery>,
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
    paginate(items, paging.into_inner(), &req)
}

/// The 23 objectives of the Global Compact for Migration.
#[utoipa::path(tag = "reference", params(PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "GCM objectives", body = super::Page<GcmObjectiveResponse>)))]
#[get("/gcm/objectives")]
async fn list_gcm_objectives(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    paging: web::Query<PageQuery>,
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
    paginate(items, paging.into_inner(), &req)
}

/// IOM's Migration and Sustainable Development strategy: outcomes and their deliverables.
#[utoipa::path(tag = "reference", params(PageQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "MSD outcomes", body = super::Page<MsdOutcomeResponse>)))]
#[get("/msd/outcomes")]
async fn list_msd_outcomes(
    req: HttpRequest,
    _: Authorized<need::ReferenceRead>,
    paging: web::Query<PageQuery>,
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
    paginate(items, paging.into_inner(), &req)
}

/// One of the Fund's vocabularies: `thematic-areas`, `innovation-areas`,
/// `cross-cutting-themes`, `scaling-up-dimensions`, `project-statuses`, `source-types`.
#[utoipa::path(tag = "reference", params(("name" = String, Path, example = "thematic-areas")), security(("bearer" = ["reference:read"])),
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
