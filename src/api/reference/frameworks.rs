//! Migration frameworks: MiGOF, the Global Compact for Migration, and IOM's Migration and
//! Sustainable Development strategy.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{
    GcmObjectiveResponse, MigofElementResponse, MsdDeliverableResponse, MsdOutcomeResponse,
    catalogue, paginate,
};
use crate::api::params::Query;
use crate::api::{FormatQuery, PageQuery};
use crate::auth::{Authorized, need};
use crate::error::ApiError;
use crate::state::AppState;

/// MiGOF principles P1–P3 and objectives O1–O3, long and short wording.
#[utoipa::path(tag = "reference", params(PageQuery, FormatQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "MiGOF elements: one page (JSON) or all (CSV)",
        content((crate::api::Page<MigofElementResponse> = "application/json"), (String = "text/csv")))))]
#[get("/migof/elements")]
pub async fn list_migof_elements(
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
        content((crate::api::Page<GcmObjectiveResponse> = "application/json"), (String = "text/csv")))))]
#[get("/gcm/objectives")]
pub async fn list_gcm_objectives(
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
        content((crate::api::Page<MsdOutcomeResponse> = "application/json"), (String = "text/csv")))))]
#[get("/msd/outcomes")]
pub async fn list_msd_outcomes(
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
