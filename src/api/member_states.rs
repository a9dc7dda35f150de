//! `/member-states` and their eligibility history.

use actix_web::http::header::ETag;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv::{self, Columns};
use super::extract::{Body, double_option, etag, if_match};
use super::negotiate::{self, Format};
use super::params::{List, Query, Sort, SortKeys, Text, Timestamp, instant, sort, text, values};
use super::schemas::{Iso3Code, RegionCode};
use super::{FormatQuery, PageQuery, created, page_response, utc};
use crate::app::AppState;
use crate::auth::{Authorized, need};
use crate::db;
use crate::domain::{IncomeGroup, Iso3};
use crate::error::{ApiError, FieldError};
use crate::models::member_state::{Eligibility, MemberState, MemberStateFilter, MemberStateSort};
use crate::models::reference::Catalogue;
use crate::services::Actor;
use crate::services::member_states::{self, EligibilityValues, MemberStateValues};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_member_states)
        .service(create_member_state)
        .service(get_member_state)
        .service(update_member_state)
        .service(delete_member_state)
        .service(list_eligibility)
        .service(get_eligibility)
        .service(put_eligibility);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMemberStateRequest {
    /// ISO 3166-1 alpha-3, e.g. `BRA`.
    #[schema(value_type = Iso3Code)]
    pub iso3: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^ \t\n\r]")]
    pub name: String,
    /// Region code, e.g. `SA` (see `GET /api/v1/regions`).
    #[schema(value_type = RegionCode)]
    pub region: String,
    /// Defaults to true; a non-member may appear only as a beneficiary of a regional project.
    #[serde(default = "yes")]
    pub iom_member: bool,
    /// Year of IOM membership, when known (1951 to this year; only for members).
    #[schema(minimum = 1951)]
    pub member_since: Option<i32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberStateRequest {
    #[schema(min_length = 1, max_length = 200, pattern = r"[^ \t\n\r]")]
    pub name: Option<String>,
    #[schema(value_type = Option<RegionCode>)]
    pub region: Option<String>,
    pub iom_member: Option<bool>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 1951)]
    pub member_since: Option<Option<i32>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    /// World Bank income group that year.
    pub income_group: IncomeGroup,
    pub line_1_eligible: bool,
    /// Line 2 excludes states in arrears under Article 4 of the IOM Constitution.
    pub line_2_eligible: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityResponse {
    pub iso3: String,
    pub year: i32,
    #[schema(value_type = IncomeGroup)]
    pub income_group: String,
    pub line_1_eligible: bool,
    pub line_2_eligible: bool,
    #[schema(required = true)]
    pub note: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Eligibility> for EligibilityResponse {
    fn from(e: &Eligibility) -> Self {
        EligibilityResponse {
            iso3: e.iso3.clone(),
            year: e.year,
            income_group: e.income_group.to_string(),
            line_1_eligible: e.line_1_eligible,
            line_2_eligible: e.line_2_eligible,
            note: e.note.clone(),
            updated_at: utc(e.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberStateResponse {
    pub iso3: String,
    pub name: String,
    pub region: String,
    pub region_label: String,
    pub iom_member: bool,
    #[schema(required = true)]
    pub member_since: Option<i32>,
    /// The latest year's eligibility record; null when none is recorded.
    #[schema(required = true)]
    pub eligibility: Option<EligibilityResponse>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn response(
    c: &Catalogue,
    m: &MemberState,
    eligibility: Option<&Eligibility>,
) -> MemberStateResponse {
    MemberStateResponse {
        iso3: m.iso3.clone(),
        name: m.name.clone(),
        region: m.region.clone(),
        region_label: c
            .region(&m.region)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        iom_member: m.iom_member,
        member_since: m.member_since,
        eligibility: eligibility.map(EligibilityResponse::from),
        created_at: utc(m.created_at),
        updated_at: utc(m.updated_at),
    }
}

fn single(
    c: &Catalogue,
    m: &MemberState,
    eligibility: Option<&Eligibility>,
    status: actix_web::http::StatusCode,
) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(m.version)));
    if status == actix_web::http::StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/member-states/{}", m.iso3),
        ));
    }
    res.json(response(c, m, eligibility))
}

/// Checks the values of a member state, listing every problem.
fn check(c: &Catalogue, v: &MemberStateValues, errors: &mut Vec<FieldError>) {
    let name = v.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "invalid_length",
            "must be 1–200 characters",
        ));
    }
    if c.region(&v.region).is_none() {
        let codes: Vec<&str> = c.regions.iter().map(|r| r.code.as_str()).collect();
        errors.push(FieldError::new(
            "region",
            "unknown_region",
            format!(
                "{:?} is not a region; use one of {}",
                v.region,
                codes.join(", ")
            ),
        ));
    }
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    if let Some(y) = v.member_since {
        if !(1951..=this_year).contains(&y) {
            errors.push(FieldError::new(
                "member_since",
                "out_of_range",
                format!("must be between 1951 and {this_year}"),
            ));
        }
        if !v.iom_member {
            errors.push(FieldError::new(
                "member_since",
                "not_a_member",
                "a non-member has no membership year",
            ));
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMemberStatesQuery {
    /// Regions, comma-separated (OR).
    #[param(value_type = Option<Vec<RegionCode>>, style = Form, explode = false)]
    pub region: Option<List<String>>,
    pub iom_member: Option<bool>,
    /// Case-insensitive text in the name or ISO3 code.
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<Text>,
    /// Only records changed after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub updated_since: Option<Timestamp>,
    /// Sort keys `iso3`, `name`, `region`, `updated_at`, comma-separated; `-` for descending.
    #[param(value_type = Option<String>, pattern = r"^-?(iso3|name|region|updated_at)(,-?(iso3|name|region|updated_at))*$")]
    pub sort: Option<Sort<MemberStateSort>>,
    /// `csv` for the whole filtered list as CSV (the same as `Accept: text/csv`).
    pub format: Option<Format>,
}

impl SortKeys for MemberStateSort {
    const KEYS: &'static [(&'static str, Self)] = &[
        ("iso3", MemberStateSort::Iso3),
        ("name", MemberStateSort::Name),
        ("region", MemberStateSort::Region),
        ("updated_at", MemberStateSort::UpdatedAt),
    ];
}

impl Columns for MemberStateResponse {
    const COLUMNS: &'static [&'static str] = &[
        "iso3",
        "name",
        "region",
        "region_label",
        "iom_member",
        "member_since",
        "eligibility_iso3",
        "eligibility_year",
        "eligibility_income_group",
        "eligibility_line_1_eligible",
        "eligibility_line_2_eligible",
        "eligibility_note",
        "eligibility_updated_at",
        "created_at",
        "updated_at",
    ];
}

/// One batch of member states with their latest eligibility, and the total.
fn page_of(
    conn: &mut db::Conn,
    c: &Catalogue,
    filter: &MemberStateFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MemberStateResponse>, i64), ApiError> {
    let (rows, total) = MemberState::list(conn, filter, offset, limit)?;
    let keys: Vec<String> = rows.iter().map(|r| r.iso3.clone()).collect();
    let latest = Eligibility::latest_for(conn, &keys)?;
    let items = rows
        .iter()
        .map(|m| response(c, m, latest.get(&m.iso3)))
        .collect();
    Ok((items, total))
}

/// Member states with their latest eligibility; with `Accept: text/csv` (or `format=csv`)
/// the whole filtered list as CSV.
#[utoipa::path(tag = "member-states", params(ListMemberStatesQuery, PageQuery), security(("bearer" = ["member_states:read"])),
    responses((status = 200, description = "One page (JSON) or the whole filtered list (CSV)",
        content((super::Page<MemberStateResponse> = "application/json"), (String = "text/csv")))))]
#[get("/member-states")]
async fn list_member_states(
    req: HttpRequest,
    _: Authorized<need::MemberStatesRead>,
    query: Query<ListMemberStatesQuery>,
    paging: Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filter = MemberStateFilter {
        regions: values(&q.region),
        iom_member: q.iom_member,
        q: text(&q.q),
        updated_since: instant(q.updated_since),
        sort: sort(&q.sort),
    };
    if negotiate::choose(&req, q.format)? == Format::Csv {
        let state = state.into_inner();
        return csv::stream_list("member-states", move |offset| {
            let (state, filter) = (state.clone(), filter.clone());
            async move {
                let pool = state.pool.clone();
                db::run(&pool, move |conn| {
                    page_of(conn, &state.catalogue, &filter, offset, csv::BATCH).map(|p| p.0)
                })
                .await
            }
        })
        .await
        .map(negotiate::vary);
    }
    let paging = paging.into_inner().paging()?;
    let catalogue = state.catalogue.clone();
    let (items, total) = db::run(&state.pool, move |conn| {
        page_of(conn, &catalogue, &filter, paging.offset(), paging.limit())
    })
    .await?;
    Ok(negotiate::vary(page_response(&req, items, total, paging)))
}

/// Register a member state.
#[utoipa::path(tag = "member-states", request_body = CreateMemberStateRequest, security(("bearer" = ["member_states:write"])),
    responses((status = 201, description = "Created", body = MemberStateResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "Already registered (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/member-states")]
async fn create_member_state(
    principal: Authorized<need::MemberStatesWrite>,
    Body(body): Body<CreateMemberStateRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let iso3 = Iso3::parse(&body.iso3)
        .map_err(|e| errors.push(FieldError::new("iso3", e.code(), e.to_string())))
        .ok();
    let values = MemberStateValues {
        name: body.name.trim().to_owned(),
        region: body.region,
        iom_member: body.iom_member,
        member_since: body.member_since,
    };
    check(&state.catalogue, &values, &mut errors);
    let Some(iso3) = iso3.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
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
async fn get_member_state(
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
async fn update_member_state(
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
        let row = member_states::update(conn, &actor, &iso3, &expected, |mut v| {
            if let Some(name) = body.name {
                v.name = name.trim().to_owned();
            }
            if let Some(region) = body.region {
                v.region = region;
            }
            if let Some(m) = body.iom_member {
                v.iom_member = m;
            }
            if let Some(since) = body.member_since {
                v.member_since = since;
            }
            let mut errors = Vec::new();
            check(&catalogue, &v, &mut errors);
            if errors.is_empty() {
                Ok(v)
            } else {
                Err(ApiError::validation(errors))
            }
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
async fn delete_member_state(
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

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityList {
    /// Newest year first.
    pub items: Vec<EligibilityResponse>,
}

impl Columns for EligibilityResponse {
    const COLUMNS: &'static [&'static str] = &[
        "iso3",
        "year",
        "income_group",
        "line_1_eligible",
        "line_2_eligible",
        "note",
        "updated_at",
    ];
}

/// The eligibility history of a member state, newest year first (JSON or CSV).
#[utoipa::path(tag = "member-states", params(("iso3" = String, Path), FormatQuery), security(("bearer" = ["member_states:read"])),
    responses((status = 200, description = "History (JSON or CSV)",
        content((EligibilityList = "application/json"), (String = "text/csv")))))]
#[get("/member-states/{iso3}/eligibility")]
async fn list_eligibility(
    req: HttpRequest,
    _: Authorized<need::MemberStatesRead>,
    path: web::Path<String>,
    format: Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let iso3 = path.into_inner();
    let rows = db::run(&state.pool, move |conn| {
        member_states::find(conn, &iso3)?;
        Ok(Eligibility::list_for(conn, &iso3)?)
    })
    .await?;
    let list = EligibilityList {
        items: rows.iter().map(EligibilityResponse::from).collect(),
    };
    csv::items_or_json(&req, format.format, "eligibility", &list.items, &list)
}

fn check_year(year: i32) -> Result<i32, ApiError> {
    if (1990..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::bad_parameter(
            "year",
            "must be between 1990 and 2100",
        ))
    }
}

/// The eligibility of one year.
#[utoipa::path(tag = "member-states", params(("iso3" = String, Path), ("year" = i32, Path, minimum = 1990, maximum = 2100)), security(("bearer" = ["member_states:read"])),
    responses((status = 200, description = "That year's record", body = EligibilityResponse)))]
#[get("/member-states/{iso3}/eligibility/{year}")]
async fn get_eligibility(
    _: Authorized<need::MemberStatesRead>,
    path: web::Path<(String, i32)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (iso3, year) = path.into_inner();
    let year = check_year(year)?;
    let row = db::run(&state.pool, move |conn| {
        member_states::find(conn, &iso3)?;
        Eligibility::find(conn, &iso3, year)?
            .ok_or_else(|| ApiError::not_found(format!("eligibility of {iso3} in {year}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(EligibilityResponse::from(&row)))
}

/// Record (or replace) the eligibility of one year: 201 when new, 200 when replaced.
#[utoipa::path(tag = "member-states", request_body = EligibilityRequest, params(("iso3" = String, Path), ("year" = i32, Path, minimum = 1990, maximum = 2100)),
    security(("bearer" = ["member_states:write"])),
    responses((status = 200, description = "Replaced", body = EligibilityResponse), (status = 201, description = "Created", body = EligibilityResponse)))]
#[put("/member-states/{iso3}/eligibility/{year}")]
async fn put_eligibility(
    principal: Authorized<need::MemberStatesWrite>,
    path: web::Path<(String, i32)>,
    Body(body): Body<EligibilityRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (iso3, year) = path.into_inner();
    let year = check_year(year)?;
    let actor = Actor::from(&*principal);
    let values = EligibilityValues {
        income_group: body.income_group,
        line_1_eligible: body.line_1_eligible,
        line_2_eligible: body.line_2_eligible,
        note: body.note,
    };
    let location = format!("/api/v1/member-states/{iso3}/eligibility/{year}");
    let (row, was_created) = db::run(&state.pool, move |conn| {
        member_states::put_eligibility(conn, &actor, &iso3, year, values)
    })
    .await?;
    let body = EligibilityResponse::from(&row);
    Ok(if was_created {
        created(location, &body)
    } else {
        HttpResponse::Ok().json(body)
    })
}
