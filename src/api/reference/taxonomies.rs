//! The Fund's vocabularies.

use actix_web::{HttpResponse, get, web};

use super::{TaxonomyResponse, TaxonomyTermResponse, catalogue};
use crate::api::schemas::TaxonomyName;
use crate::auth::{Authorized, need};
use crate::error::ApiError;
use crate::state::AppState;

/// One of the Fund's vocabularies: `thematic-areas`, `innovation-areas`,
/// `cross-cutting-themes`, `scaling-up-dimensions`, `project-statuses`, `source-types`.
#[utoipa::path(tag = "reference", params(("name" = TaxonomyName, Path, example = "thematic-areas")), security(("bearer" = ["reference:read"])),
    responses((status = 200, description = "The taxonomy", body = TaxonomyResponse)))]
#[get("/taxonomies/{name}")]
pub async fn get_taxonomy(
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
