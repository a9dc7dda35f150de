//! `/users`: people and service clients (admin only).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::extract::{Body, double_option, etag, if_match};
use super::negotiate::{self, Format};
use super::params::{Query, Timestamp, instant};
use super::schemas::Iso3Code;
use super::{PageQuery, created, page_response, utc};
use crate::auth::{Authorized, Role, need};
use crate::db;
use crate::domain::Iso3;
use crate::error::{ApiError, FieldError};
use crate::models::user::User;
use crate::services::Actor;
use crate::services::users::{self, Kind, NewUser, UserChange};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(delete_user);
}

const MIN_PASSWORD: usize = 12;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Lower-case letters, digits and `._@-`, 2–64 characters.
    #[schema(pattern = "^[a-z0-9._@-]{2,64}$")]
    pub username: String,
    pub role: Role,
    /// `person` (password grant, the default) or `client` (client_credentials grant).
    #[serde(default)]
    #[schema(value_type = Option<Kind>)]
    pub kind: Option<String>,
    /// At least 12 characters.
    #[schema(min_length = 12)]
    pub password: String,
    /// ISO3 codes a project officer is scoped to.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Iso3Code>>)]
    pub member_states: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub role: Option<Role>,
    /// At least 12 characters.
    #[schema(min_length = 12)]
    pub password: Option<String>,
    /// `null` removes the scope.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<Iso3Code>>)]
    pub member_states: Option<Option<Vec<String>>>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub username: String,
    #[schema(value_type = Kind)]
    pub kind: String,
    pub role: Role,
    /// Member states a project officer is scoped to; null when unscoped.
    #[schema(required = true)]
    pub member_states: Option<Vec<String>>,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        UserResponse {
            username: u.username.clone(),
            kind: u.kind.clone(),
            role: u.role,
            member_states: u.member_state_list(),
            disabled: u.disabled,
            created_at: utc(u.created_at),
            updated_at: utc(u.updated_at),
        }
    }
}

fn user_response(u: &User) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(actix_web::http::header::ETag(etag(u.version)))
        .json(UserResponse::from(u))
}

fn check_states(states: &Option<Vec<String>>, errors: &mut Vec<FieldError>) {
    for (i, s) in states.iter().flatten().enumerate() {
        if let Err(e) = Iso3::parse(s) {
            errors.push(FieldError::new(
                format!("member_states[{i}]"),
                e.code(),
                e.to_string(),
            ));
        }
    }
}

fn check_password(password: &str, errors: &mut Vec<FieldError>) {
    if password.chars().count() < MIN_PASSWORD {
        errors.push(FieldError::new(
            "password",
            "too_short",
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
}

fn valid_username(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._@-".contains(&b))
}

impl Columns for UserResponse {
    const COLUMNS: &'static [&'static str] = &[
        "username",
        "kind",
        "role",
        "member_states",
        "disabled",
        "created_at",
        "updated_at",
    ];
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Only logins changed after this instant (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// `csv` for the whole list as CSV (the same as `Accept: text/csv`).
    pub format: Option<Format>,
}

/// List logins; with `Accept: text/csv` (or `format=csv`) all of them as CSV.
#[utoipa::path(tag = "users", params(PageQuery, ListUsersQuery), security(("bearer" = ["users:admin"])),
    responses((status = 200, description = "One page of logins (JSON) or all of them (CSV)",
        content((super::Page<UserResponse> = "application/json"), (String = "text/csv")))))]
#[get("/users")]
async fn list_users(
    req: HttpRequest,
    _: Authorized<need::UsersAdmin>,
    query: Query<PageQuery>,
    format: Query<ListUsersQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let since = instant(format.updated_since);
    let page = move |conn: &mut db::Conn, offset: i64, limit: i64| {
        let (rows, total) = User::list(conn, since, offset, limit)?;
        Ok((
            rows.iter().map(UserResponse::from).collect::<Vec<_>>(),
            total,
        ))
    };
    // Paging is checked even for an export, which ignores it: a bad value is refused either way.
    let paging = query.into_inner().paging()?;
    let export = negotiate::choose(&req, format.format)?;
    if export != Format::Json {
        return csv::stream_list(export, "users", &state.pool, move |conn, offset, limit| {
            page(conn, offset, limit).map(|p| p.0)
        })
        .await
        .map(negotiate::vary);
    }
    let (items, total) = db::run(&state.pool, move |conn| {
        page(conn, paging.offset(), paging.limit())
    })
    .await?;
    Ok(negotiate::vary(page_response(&req, items, total, paging)))
}

/// Create a login for a person or a service client.
#[utoipa::path(tag = "users", request_body = CreateUserRequest, security(("bearer" = ["users:admin"])),
    responses(
        (status = 201, description = "Created", body = UserResponse),
        (status = 409, description = "The user name is taken (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/users")]
async fn create_user(
    principal: Authorized<need::UsersAdmin>,
    Body(body): Body<CreateUserRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    if !valid_username(&body.username) {
        errors.push(FieldError::new(
            "username",
            "invalid_username",
            "2–64 lower-case letters, digits or ._@-",
        ));
    }
    // Read here rather than by serde, so that every problem of the request is listed at once.
    let kind = match body.kind.as_deref() {
        None => Kind::Person,
        Some(k) => Kind::parse(k).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "kind",
                "invalid_kind",
                format!("must be one of {}", Kind::expected()),
            ));
            Kind::Person
        }),
    };
    check_password(&body.password, &mut errors);
    check_states(&body.member_states, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let actor = Actor::from(&*principal);
    let new = NewUser {
        username: body.username,
        kind,
        role: body.role,
        member_states: body.member_states,
        password: body.password,
    };
    let user = db::run(&state.pool, move |conn| users::create(conn, &actor, new)).await?;
    Ok(created(
        format!("/api/v1/users/{}", user.username),
        &UserResponse::from(&user),
    ))
}

/// One login.
#[utoipa::path(tag = "users", security(("bearer" = ["users:admin"])),
    params(("username" = String, Path)),
    responses((status = 200, description = "The login", body = UserResponse, headers(("ETag" = String)))))]
#[get("/users/{username}")]
async fn get_user(
    _: Authorized<need::UsersAdmin>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    let user = db::run(&state.pool, move |conn| users::find(conn, &name)).await?;
    Ok(user_response(&user))
}

/// Change a login's role, scope, password or disabled flag. `If-Match` is honoured.
#[utoipa::path(tag = "users", request_body = UpdateUserRequest, security(("bearer" = ["users:admin"])),
    params(("username" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses(
        (status = 200, description = "Updated", body = UserResponse),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/users/{username}")]
async fn update_user(
    req: HttpRequest,
    principal: Authorized<need::UsersAdmin>,
    path: web::Path<String>,
    Body(body): Body<UpdateUserRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let mut errors = Vec::new();
    if let Some(p) = &body.password {
        check_password(p, &mut errors);
    }
    if let Some(states) = &body.member_states {
        check_states(states, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let actor = Actor::from(&*principal);
    let name = path.into_inner();
    let change = UserChange {
        role: body.role,
        member_states: body.member_states,
        password: body.password,
        disabled: body.disabled,
    };
    let user = db::run(&state.pool, move |conn| {
        users::update(conn, &actor, &name, &expected, change)
    })
    .await?;
    Ok(user_response(&user))
}

/// Delete a login. Tokens already issued stay valid until they expire.
#[utoipa::path(tag = "users", security(("bearer" = ["users:admin"])),
    params(("username" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Stale `If-Match` (`precondition_failed`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[delete("/users/{username}")]
async fn delete_user(
    req: HttpRequest,
    principal: Authorized<need::UsersAdmin>,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let actor = Actor::from(&*principal);
    let name = path.into_inner();
    db::run(&state.pool, move |conn| {
        users::delete(conn, &actor, &name, &expected)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
