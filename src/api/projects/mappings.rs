//! Reading and replacing one mapping set of a project at a time.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::fields::MsdMapping;
use super::{ProjectResponse, single};
use crate::api::extract::{Body, if_match};
use crate::api::schemas::{GcmObjectiveNumber, MigofElementCode, SdgTargetCode};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::project::{MappingSet, Mappings};
use crate::services::Actor;
use crate::services::projects::input::msd_groups;
use crate::services::projects::{self, MappingDraft};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

/// One mapping set as its `GET` answers it and its `PUT` takes it: `{"<field>": [...]}`.
pub trait SetBody: Serialize + serde::de::DeserializeOwned + ToSchema + 'static {
    const SET: MappingSet;
    fn of(m: &Mappings) -> Self;
    /// The set as the service takes it (the other sets empty).
    fn lists(self) -> MappingDraft;
}

macro_rules! set_body {
    ($(#[$doc:meta])* $name:ident, $set:expr, $field:ident: $ty:ty, $schema:ty, |$m:ident| $of:expr) => {
        $(#[$doc])*
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[schema(value_type = $schema)]
            pub $field: $ty,
        }

        impl SetBody for $name {
            const SET: MappingSet = $set;
            fn of($m: &Mappings) -> Self {
                $name { $field: $of }
            }
            fn lists(self) -> MappingDraft {
                MappingDraft {
                    $field: self.$field.into_iter().map(Into::into).collect(),
                    ..MappingDraft::default()
                }
            }
        }
    };
}

set_body!(
    /// `{"sdg_targets": ["10.7", "16.3"]}`
    SdgTargetsBody, MappingSet::SdgTargets, sdg_targets: Vec<String>, Vec<SdgTargetCode>,
    |m| m.sdg_targets.clone()
);
set_body!(
    /// `{"migof": ["P1", "O1"]}`
    MigofBody, MappingSet::Migof, migof: Vec<String>, Vec<MigofElementCode>,
    |m| m.migof.clone()
);
set_body!(
    /// `{"gcm_objectives": [1, 23]}`
    GcmObjectivesBody, MappingSet::GcmObjectives, gcm_objectives: Vec<i32>, Vec<GcmObjectiveNumber>,
    |m| m.gcm_objectives.clone()
);
set_body!(
    /// `{"msd": [{"outcome": 3, "deliverables": [1, 2]}]}`
    MsdBody, MappingSet::Msd, msd: Vec<MsdMapping>, Vec<MsdMapping>,
    |m| msd_groups(&m.msd).into_iter().map(Into::into).collect()
);

async fn read_set<B: SetBody>(code: String, state: &AppState) -> Result<HttpResponse, ApiError> {
    let view = db::run(&state.pool, move |conn| projects::find(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(B::of(&view.children.mappings)))
}

async fn replace_set<B: SetBody>(
    req: &HttpRequest,
    actor: Actor,
    code: String,
    body: B,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    let (lists, catalogue) = (body.lists(), state.catalogue.clone());
    let view = db::run(&state.pool, move |conn| {
        projects::replace_mapping(conn, &actor, &catalogue, &code, &expected, B::SET, &lists)
    })
    .await?;
    Ok(single(&view, actix_web::http::StatusCode::OK))
}

macro_rules! mapping_handlers {
    ($body:ty, $path:literal, $get:ident, $get_doc:literal, $put:ident, $put_doc:literal) => {
        #[doc = $get_doc]
        #[utoipa::path(tag = "projects", params(("code" = String, Path)), security(("bearer" = ["projects:read"])),
            responses((status = 200, description = "The mapping set", body = $body)))]
        #[get($path)]
        pub async fn $get(
            _: Authorized<need::ProjectsRead>,
            path: web::Path<String>,
            state: web::Data<AppState>,
        ) -> Result<HttpResponse, ApiError> {
            read_set::<$body>(path.into_inner(), &state).await
        }

        #[doc = $put_doc]
        #[utoipa::path(tag = "projects", request_body = $body,
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
            Body(body): Body<$body>,
            state: web::Data<AppState>,
        ) -> Result<HttpResponse, ApiError> {
            replace_set(&req, Actor::from(&*principal), path.into_inner(), body, &state).await
        }
    };
}

mapping_handlers!(
    SdgTargetsBody,
    "/projects/{code}/sdg-targets",
    get_project_sdg_targets,
    "The project's SDG targets.",
    replace_project_sdg_targets,
    "Replace the project's SDG targets: `{\"sdg_targets\": [\"10.7\"]}`. `If-Match` required."
);
mapping_handlers!(
    MigofBody,
    "/projects/{code}/migof",
    get_project_migof,
    "The project's MiGOF principles and objectives.",
    replace_project_migof,
    "Replace the project's MiGOF elements: `{\"migof\": [\"P1\", \"O1\"]}`. `If-Match` required."
);
mapping_handlers!(
    GcmObjectivesBody,
    "/projects/{code}/gcm-objectives",
    get_project_gcm_objectives,
    "The project's GCM objectives.",
    replace_project_gcm_objectives,
    "Replace the project's GCM objectives: `{\"gcm_objectives\": [1, 23]}`. `If-Match` required."
);
mapping_handlers!(
    MsdBody,
    "/projects/{code}/msd",
    get_project_msd,
    "The project's MSD outcomes and deliverables.",
    replace_project_msd,
    "Replace the project's MSD mapping: `{\"msd\": [{\"outcome\": 3, \"deliverables\": [1, 2]}]}`. `If-Match` required."
);
