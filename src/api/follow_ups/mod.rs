//! Follow-up funding: nested under a project and as one filterable list. The request and
//! response types and their conversion; the checks and the writes are the service's
//! ([`crate::services::follow_ups`]).

mod fields;
mod list;
mod write;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::ETag;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::etag;
use super::utc;
use crate::domain::Money;
use crate::domain::follow_up::{Conversion, Dimension, FollowUpStatus, SourceType};
use crate::domain::fx::Rate;
use crate::domain::money::MoneyDto;
use crate::services::follow_ups::FollowUpView;
use crate::services::follow_ups::input::stored_amount;

pub use fields::{FollowUpFields, UpdateFollowUpRequest};
pub use list::{CurrencyCodeParam, ListFollowUpsQuery};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_project_follow_ups)
        .service(write::create_follow_up)
        .service(list::list_follow_ups)
        .service(write::get_follow_up)
        .service(write::update_follow_up)
        .service(write::delete_follow_up);
}

/// A follow-up funding record as every read and write answers it: every key is always
/// present (null when it has no value).
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpResponse {
    pub id: i64,
    #[schema(example = "PO.0125")]
    pub project_code: String,
    /// The follow-up initiative.
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub source_name: Option<String>,
    pub source_type: SourceType,
    /// In its own currency; null when unknown.
    #[schema(required = true)]
    pub amount: Option<MoneyDto>,
    /// "over USD 5.6 million": the amount is a lower bound.
    pub amount_is_lower_bound: bool,
    pub status: FollowUpStatus,
    /// `2021`, `2021-06` or `2021-06-03`.
    #[schema(required = true, pattern = r"^\d{4}(-\d{2}(-\d{2})?)?$")]
    pub date: Option<String>,
    pub in_kind: bool,
    pub scaling_up_dimensions: Vec<Dimension>,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(required = true)]
    pub evidence_url: Option<String>,
    /// The follow-up project's own code, when it has one.
    #[schema(required = true)]
    pub follow_up_project_code: Option<String>,
    /// The amount in USD at the rate of its value month; null when it has no amount or no rate.
    #[schema(required = true)]
    pub amount_usd: Option<MoneyDto>,
    /// USD per unit used; null when no rate applied.
    #[schema(required = true)]
    pub usd_rate: Option<String>,
    pub usd_conversion: Conversion,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn response(f: &FollowUpView) -> FollowUpResponse {
    let v = &f.values;
    let c = &v.content;
    FollowUpResponse {
        id: f.id,
        project_code: f.project_code.clone(),
        title: c.title.clone(),
        source_name: c.source_name.clone(),
        source_type: c.source_type,
        amount: stored_amount(c).map(|m| MoneyDto {
            amount: m.amount_string(),
            currency: m.currency().code().to_owned(),
        }),
        amount_is_lower_bound: c.amount_is_lower_bound,
        status: c.status,
        date: c.date_text.clone(),
        in_kind: c.in_kind,
        scaling_up_dimensions: c.dimension_list(),
        description: c.description.clone(),
        evidence_url: c.evidence_url.clone(),
        follow_up_project_code: c.follow_up_project_code.clone(),
        amount_usd: v.amount_usd_cents.map(|c| Money::usd_cents(c).to_dto()),
        usd_rate: v.usd_rate_e10.map(|r| Rate::from_e10(r).to_string()),
        usd_conversion: v.usd_conversion,
        created_at: utc(v.created_at),
        updated_at: utc(v.updated_at),
    }
}

fn single(f: &FollowUpView, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(f.values.version)));
    if status == StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/follow-up-funding/{}", f.id),
        ));
    }
    res.json(response(f))
}
