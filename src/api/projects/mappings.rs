//! Reading and replacing one mapping set of a project at a time.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::fields::{self, MappingFields, MsdMapping};
use super::{ProjectResponse, single};
use crate::api::extract::{Body, if_match};
use crate::app::AppState;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::{ApiError, FieldError};
use crate::models::project::MappingSet;
use crate::services::{Actor, projects};

const PROBLEM: &str = "application/problem+json";

/// One mapping set; a request carries exactly the field of the set it replaces.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingSetBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdg_targets: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migof: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gcm_objectives: Option<Vec<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msd: Option<Vec<MsdMapping>>,
}

async fn read_set(
    set: MappingSet,
    code: String,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let view = db::run(&state.pool, move |conn| projects::find(conn, &code)).await?;
    let m = view.children.mappings;
    let body = match set {
        MappingSet::SdgTargets => MappingSetBody {
            sdg_targets: Some(m.sdg_targets),
            ..Default::default()
        },
        MappingSet::Migof => MappingSetBody {
            migof: Some(m.migof),
            ..Default::default()
        },
        MappingSet::GcmObjectives => MappingSetBody {
            gcm_objectives: Some(m.gcm_objectives),
            ..Default::default()
        },
        MappingSet::Msd => MappingSetBody {
            msd: Some(fields::msd_groups(&m.msd)),
            ..Default::default()
        },
    };
    Ok(HttpResponse::Ok().json(body))
}

async fn replace_set(
    set: MappingSet,
    req: &HttpRequest,
    actor: Actor,
    code: String,
    body: MappingSetBody,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    let present = [
        body.sdg_targets.is_some(),
        body.migof.is_some(),
        body.gcm_objectives.is_some(),
        body.msd.is_some(),
    ];
    let wanted = [
        MappingSet::SdgTargets,
        MappingSet::Migof,
        MappingSet::GcmObjectives,
        MappingSet::Msd,
    ]
    .iter()
    .position(|s| *s == set)
    .unwrap_or_default();
    if present.iter().filter(|p| **p).count() != 1 || !present[wanted] {
        return Err(ApiError::validation(vec![FieldError::new(
            set.field(),
            "required",
            format!("send exactly {{\"{}\": [...]}}", set.field()),
        )]));
    }
    let (sdg, migof, gcm, msd) = (
        body.sdg_targets.unwrap_or_default(),
        body.migof.unwrap_or_default(),
        body.gcm_objectives.unwrap_or_default(),
        body.msd.unwrap_or_default(),
    );
    let mut errors = Vec::new();
    let mappings = fields::mappings(
        MappingFields {
            sdg_targets: &sdg,
            migof: &migof,
            gcm_objectives: &gcm,
            msd: &msd,
        },
        &state.catalogue,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let view = db::run(&state.pool, move |conn| {
        projects::replace_mapping(conn, &actor, &code, expected, set, mappings)
    })
    .await?;
    Ok(single(&view, actix_web::http::StatusCode::OK))
}

macro_rules! mapping_handlers {
    ($set:expr, $path:literal, $get:ident, $get_doc:literal, $put:ident, $put_doc:literal) => {
        #[doc = $get_doc]
        #[utoipa::path(tag = "projects", params(("code" = String, Path)), security(("bearer" = ["projects:read"])),
            responses((status = 200, description = "The mapping set", body = MappingSetBody)))]
        #[get($path)]
        pub async fn $get(
            _: Authorized<need::ProjectsRead>,
            path: web::Path<String>,
            state: web::Data<AppState>,
        ) -> Result<HttpResponse, ApiError> {
            read_set($set, path.into_inner(), &state).await
        }

        #[doc = $put_doc]
        #[utoipa::path(tag = "projects", request_body = MappingSetBody,
            params(("code" = String, Path), ("If-Match" = String, Header, description = "ETag from your last read")),
            security(("bearer" = ["projects:write"])),
            responses((status = 200, description = "The project", body = ProjectResponse, headers(("ETag" = String))),
                (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = PROBLEM),
                (status = 428, description = "No `If-Match` (`precondition_required`)", body = crate::error::Problem, content_type = PROBLEM)))]
        #[put($path)]
        pub async fn $put(
            req: HttpRequest,
            principal: Authorized<need::ProjectsWrite>,
            path: web::Path<String>,
            Body(body): Body<MappingSetBody>,
            state: web::Data<AppState>,
        ) -> Result<HttpResponse, ApiError> {
            replace_set($set, &req, Actor::from(&*principal), path.into_inner(), body, &state).await
        }
    };
}

mapping_handlers!(
    MappingSet::SdgTargets,
    "/projects/{code}/sdg-targets",
    get_project_sdg_targets,
    "The project's SDG targets.",
    replace_project_sdg_targets,
    "Replace the project's SDG targets: `{\"sdg_targets\": [\"10.7\"]}`. `If-Match` required."
);
mapping_handlers!(
    MappingSet::Migof,
    "/projects/{code}/migof",
    get_project_migof,
    "The project's MiGOF principles and objectives.",
    replace_project_migof,
    "Replace the project's MiGOF elements: `{\"migof\": [\"P1\", \"O1\"]}`. `If-Match` required."
);
mapping_handlers!(
    MappingSet::GcmObjectives,
    "/projects/{code}/gcm-objectives",
    get_project_gcm_objectives,
    "The project's GCM objectives.",
    replace_project_gcm_objectives,
    "Replace the project's GCM objectives: `{\"gcm_objectives\": [1, 23]}`. `If-Match` required."
);
mapping_handlers!(
    MappingSet::Msd,
    "/projects/{code}/msd",
    get_project_msd,
    "The project's MSD outcomes and deliverables.",
    replace_project_msd,
    "Replace the project's MSD mapping: `{\"msd\": [{\"outcome\": 3, \"deliverables\": [1, 2]}]}`. `If-Match` required."
);
