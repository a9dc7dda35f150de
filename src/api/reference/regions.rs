//! IOM regions.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{RegionResponse, catalogue, paginate};
use crate::api::params::Query;
use crate::api::{FormatQuery, PageQuery};
use crate::auth::{Authorized, need};
use crate::error::ApiError;
use crate::state::AppState;

/// IOM regions.
#[utoipa::path(tag = "reference", params(PageQuery, FormatQuery), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "Regions: one page (JSON) or all (CSV)",
        content((crate::api::Page<RegionResponse> = "application/json"), (String = "text/csv")))))]
#[get("/regions")]
pub async fn list_regions(
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
pub async fn get_region(
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
