//! One member state: register, read, change, remove.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::{CreateMemberStateRequest, MemberStateResponse, UpdateMemberStateRequest, single};
use crate::api::extract::{Body, if_match};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::member_state::Eligibility;
use crate::services::Actor;
use crate::services::member_states;
use crate::state::AppState;

/// Register a member state.
#[utoipa::path(tag = "member-states", request_body = CreateMemberStateRequest, security(("bearer" = ["member_states:write"])),
    responses((status = 201, description = "Created", body = MemberStateResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "Already registered (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/member-states")]
pub async fn create_member_state(
    principal: Authorized<need::MemberStatesWrite>,
    Body(body): Body<CreateMemberStateRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (iso3, values) = super::create_input(&state.catalogue, body)?;
    let actor = Actor::from(&*principal);
    let row = db::run(&state.pool, move |conn| {
        member_states::create(conn, &actor, &iso3, values)
    })
    .await?;
    Ok(single(
        &state.catalogue,
        &row,
        None,
        actix_web::http::StatusCode::CREATED,
    ))
}

/// One member state with its latest eligibility.
#[utoipa::path(tag = "member-states", params(("iso3" = String, Path, example = "BRA")), security(("bearer" = ["member_states:read"])),
    responses((status = 200, description = "The member state", body = MemberStateResponse, headers(("ETag" = String)))))]
#[get("/member-states/{iso3}")]
pub async fn get_member_state(
    _: Authorized<need::MemberStatesRead>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let iso3 = path.into_inner();
    let (row, latest) = db::run(&state.pool, move |conn| {
        let row = member_states::find(conn, &iso3)?;
        let latest =
            Eligibility::latest_for(conn, std::slice::from_ref(&row.iso3))?.remove(&row.iso3);
        Ok((row, latest))
    })
    .await?;
    Ok(single(
        &state.catalogue,
        &row,
        latest.as_ref(),
        actix_web::http::StatusCode::OK,
    ))
}

/// Change a member state. `If-Match` with the ETag of your read gives 412 if it changed since.
#[utoipa::path(tag = "member-states", request_body = UpdateMemberStateRequest, security(("bearer" = ["member_states:write"])),
    params(("iso3" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 200, description = "Updated", body = MemberStateResponse, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[patch("/member-states/{iso3}")]
pub async fn update_member_state(
    req: HttpRequest,
    principal: Authorized<need::MemberStatesWrite>,
    path: web::Path<String>,
    Body(body): Body<UpdateMemberStateRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (iso3, actor, catalogue) = (
        path.into_inner(),
        Actor::from(&*principal),
        state.catalogue.clone(),
    );
    let (row, latest) = db::run(&state.pool, move |conn| {
        let row = member_states::update(conn, &actor, &iso3, &expected, |v| {
            super::apply_update(&catalogue, v, body)
        })?;
        let latest =
            Eligibility::latest_for(conn, std::slice::from_ref(&row.iso3))?.remove(&row.iso3);
        Ok((row, latest))
    })
    .await?;
    Ok(single(
        &state.catalogue,
        &row,
        latest.as_ref(),
        actix_web::http::StatusCode::OK,
    ))
}

/// Remove a member state and its eligibility history; 409 while a project refers to it.
#[utoipa::path(tag = "member-states", security(("bearer" = ["member_states:write"])),
    params(("iso3" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "Still referenced (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[delete("/member-states/{iso3}")]
pub async fn delete_member_state(
    req: HttpRequest,
    principal: Authorized<need::MemberStatesWrite>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (iso3, actor) = (path.into_inner(), Actor::from(&*principal));
    db::run(&state.pool, move |conn| {
        member_states::delete(conn, &actor, &iso3, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
