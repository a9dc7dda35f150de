//! Read-only reference data, served from the catalogue loaded at start-up (no query per
//! request): the response types and paging here, the handlers by vocabulary.
//!
//! - `regions.rs`: IOM regions;
//! - `sdg.rs`: SDG goals, targets and indicators;
//! - `frameworks.rs`: MiGOF, GCM objectives, MSD outcomes;
//! - `taxonomies.rs`: the Fund's vocabularies.

mod frameworks;
mod regions;
mod sdg;
mod taxonomies;

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::negotiate::{self, Format};
use super::{PageQuery, page_response};
use crate::error::ApiError;
use crate::models::reference::{Catalogue, SdgTarget};
use crate::state::AppState;

pub use sdg::{GoalsQuery, IndicatorsQuery, TargetsQuery};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(regions::list_regions)
        .service(regions::get_region)
        .service(sdg::list_sdg_goals)
        .service(sdg::get_sdg_goal)
        .service(sdg::list_sdg_targets)
        .service(sdg::get_sdg_target)
        .service(sdg::list_sdg_indicators)
        .service(frameworks::list_migof_elements)
        .service(frameworks::list_gcm_objectives)
        .service(frameworks::list_msd_outcomes)
        .service(taxonomies::get_taxonomy);
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
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = paging.paging()?;
    let export = negotiate::choose(req, format)?;
    if export != Format::Json {
        return csv::list(export, filename, &items).map(negotiate::vary);
    }
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
