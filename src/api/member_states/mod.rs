//! `/member-states` and their eligibility history: the request and response types here, the
//! handlers by action.
//!
//! - `list.rs`: `GET /member-states` (JSON pages or the whole filtered list as CSV);
//! - `write.rs`: create, read, update and delete one member state;
//! - `eligibility.rs`: a member state's eligibility history, one record per year.

mod eligibility;
mod list;
mod write;

use actix_web::HttpResponse;
use actix_web::http::header::ETag;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::{double_option, etag};
use super::schemas::{Iso3Code, RegionCode};
use super::utc;
use crate::domain::IncomeGroup;
use crate::domain::Iso3;
use crate::error::{ApiError, FieldError};
use crate::models::member_state::{Eligibility, MemberState};
use crate::models::reference::Catalogue;
use crate::services::member_states::MemberStateValues;

pub use eligibility::{EligibilityList, EligibilityRequest, check_year};
pub use list::ListMemberStatesQuery;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_member_states)
        .service(write::create_member_state)
        .service(write::get_member_state)
        .service(write::update_member_state)
        .service(write::delete_member_state)
        .service(eligibility::list_eligibility)
        .service(eligibility::get_eligibility)
        .service(eligibility::put_eligibility);
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

/// The checked key and values of a registration (every problem listed).
pub fn create_input(
    c: &Catalogue,
    body: CreateMemberStateRequest,
) -> Result<(Iso3, MemberStateValues), ApiError> {
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
    check(c, &values, &mut errors);
    match iso3.filter(|_| errors.is_empty()) {
        Some(iso3) => Ok((iso3, values)),
        None => Err(ApiError::validation(errors)),
    }
}

/// The stored values `v` changed by `body`, checked.
pub fn apply_update(
    c: &Catalogue,
    mut v: MemberStateValues,
    body: UpdateMemberStateRequest,
) -> Result<MemberStateValues, ApiError> {
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
    check(c, &v, &mut errors);
    if errors.is_empty() {
        Ok(v)
    } else {
        Err(ApiError::validation(errors))
    }
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
