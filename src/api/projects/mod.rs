//! `/projects`: the portfolio.

pub mod export;
pub mod fields;
mod lifecycle;
mod links;
pub(crate) mod list;
mod mappings;
mod patch;
mod read;
pub(crate) mod write;

use actix_web::HttpResponse;
use actix_web::http::header::ETag;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::etag;
use super::utc;
use crate::domain::money::MoneyDto;
use crate::domain::project::{LinkType, Status};
use crate::domain::{FundingLine, Money, Scope, Share};
use crate::models::project::Link;
use crate::services::projects::ProjectDraft;
use crate::services::projects::{ProjectView, equal_shares};
pub use fields::{
    CoreCharacteristics, ManagementSite, MemberStateShare, MsdMapping, ProjectFields,
};
pub use patch::UpdateProjectRequest;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_projects)
        .service(write::create_project)
        .service(read::get_project)
        .service(write::update_project)
        .service(write::delete_project)
        .service(lifecycle::transition_project)
        .service(lifecycle::get_project_history)
        .service(mappings::get_project_sdg_targets)
        .service(mappings::replace_project_sdg_targets)
        .service(mappings::get_project_migof)
        .service(mappings::replace_project_migof)
        .service(mappings::get_project_gcm_objectives)
        .service(mappings::replace_project_gcm_objectives)
        .service(mappings::get_project_msd)
        .service(mappings::replace_project_msd)
        .service(links::list_project_links)
        .service(links::create_project_link)
        .service(links::delete_project_link);
}

/// Something worth a look that did not stop the write.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warning {
    /// e.g. `missing_sdg_10_7`, or a rule code recorded when a past project was entered.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkResponse {
    pub id: i64,
    #[serde(rename = "type")]
    #[schema(value_type = LinkType)]
    pub link_type: LinkType,
    /// The other project, when it is in the portfolio.
    pub target_code: Option<String>,
    /// The other project's title, for one outside the portfolio.
    pub target_title: Option<String>,
    pub note: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Link> for LinkResponse {
    fn from(l: &Link) -> Self {
        LinkResponse {
            id: l.id,
            link_type: l.link_type,
            target_code: l.target_code.clone(),
            target_title: l.target_title.clone(),
            note: l.note.clone(),
            created_at: utc(l.created_at),
        }
    }
}

/// A benefitting member state of a project, as responses show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberStateShareResponse {
    pub iso3: String,
    /// Share of the budget, a decimal string; an equal split shows each state's part.
    pub share: String,
    pub endorsed: bool,
}

/// A project as every read and write answers it: every key is always present (null when it
/// has no value).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    #[schema(example = "PO.0125")]
    pub code: String,
    pub title: String,
    #[schema(required = true)]
    pub summary: Option<String>,
    pub status: Status,
    pub funding_line: FundingLine,
    pub funding_year: i32,
    pub scope: Scope,
    /// The seed budget, in USD.
    pub budget: MoneyDto,
    /// Staff and office costs as a share of the budget, e.g. `"0.25"`.
    #[schema(required = true)]
    pub staff_office_share: Option<String>,
    pub exceptional_increase: bool,
    #[schema(required = true)]
    pub thematic_area: Option<String>,
    #[schema(required = true)]
    pub management_site: Option<ManagementSite>,
    pub member_states: Vec<MemberStateShareResponse>,
    #[schema(required = true)]
    pub beneficiaries: Option<String>,
    #[schema(required = true)]
    pub duration_months: Option<i32>,
    #[schema(required = true)]
    pub start_date: Option<chrono::NaiveDate>,
    #[schema(required = true)]
    pub end_date: Option<chrono::NaiveDate>,
    #[schema(required = true)]
    pub actual_end_date: Option<chrono::NaiveDate>,
    pub sdg_targets: Vec<String>,
    pub migof: Vec<String>,
    pub gcm_objectives: Vec<i32>,
    pub msd: Vec<MsdMapping>,
    pub innovation_areas: Vec<String>,
    pub cross_cutting_themes: Vec<String>,
    pub core_characteristics: CoreCharacteristics,
    pub notable_achievements: Vec<String>,
    pub links: Vec<LinkResponse>,
    /// Approved and received follow-up funding, in USD.
    pub follow_up_total_usd: MoneyDto,
    /// `follow_up_total_usd` ÷ budget, two decimals (half-even); null for a zero budget.
    #[schema(required = true)]
    pub leverage: Option<String>,
    /// Approved or received follow-up amounts with no exchange rate (not in the total).
    pub unconverted_follow_up: i64,
    pub warnings: Vec<Warning>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn warnings(view: &ProjectView) -> Vec<Warning> {
    let mut out = Vec::new();
    if !view
        .children
        .mappings
        .sdg_targets
        .iter()
        .any(|t| t == "10.7")
    {
        out.push(Warning {
            code: "missing_sdg_10_7".to_owned(),
            message: "every Fund project is expected to support SDG target 10.7 (orderly, safe, regular migration)".to_owned(),
            details: None,
        });
    }
    out.extend(view.values.rule_warnings.0.iter().map(|f| Warning {
        code: f.code.as_str().to_owned(),
        message: f.message.clone(),
        details: Some(f.details.clone()),
    }));
    out
}

/// The project as every read and write answers it: the fields as a client writes them
/// (every share shown, an equal split's derived), and what the service keeps.
pub fn response(view: &ProjectView) -> ProjectResponse {
    let (v, c) = (&view.values, &view.children);
    let f = ProjectDraft::from_view(view);
    let equal = equal_shares(c.member_states.len());
    ProjectResponse {
        code: f.code,
        title: f.title,
        summary: f.summary,
        status: v.content.status,
        funding_line: f.funding_line,
        funding_year: f.funding_year,
        scope: f.scope,
        budget: Money::usd_cents(v.content.budget_usd_cents).to_dto(),
        staff_office_share: f.staff_office_share,
        exceptional_increase: f.exceptional_increase,
        thematic_area: f.thematic_area,
        management_site: f.management_site.map(Into::into),
        member_states: c
            .member_states
            .iter()
            .zip(equal)
            .map(|(s, even)| MemberStateShareResponse {
                iso3: s.iso3.clone(),
                share: Share::from_ppm(s.share_ppm.map_or(even, i64::from)).to_string(),
                endorsed: s.endorsed,
            })
            .collect(),
        beneficiaries: f.beneficiaries,
        duration_months: f.duration_months,
        start_date: f.start_date,
        end_date: f.end_date,
        actual_end_date: f.actual_end_date,
        sdg_targets: f.mappings.sdg_targets,
        migof: f.mappings.migof,
        gcm_objectives: f.mappings.gcm_objectives,
        msd: f.mappings.msd.into_iter().map(Into::into).collect(),
        innovation_areas: f.innovation_areas,
        cross_cutting_themes: f.cross_cutting_themes,
        core_characteristics: f.core_characteristics.unwrap_or_default().into(),
        notable_achievements: f.notable_achievements,
        links: c.links.iter().map(LinkResponse::from).collect(),
        follow_up_total_usd: Money::usd_cents(c.leveraged.usd_cents).to_dto(),
        leverage: crate::domain::fx::ratio(c.leveraged.usd_cents, v.content.budget_usd_cents),
        unconverted_follow_up: c.leveraged.unconverted,
        warnings: warnings(view),
        created_at: utc(v.created_at),
        updated_at: utc(v.updated_at),
    }
}

/// 200 (or `status`) with the project and its ETag.
pub fn single(view: &ProjectView, status: actix_web::http::StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(view.values.version)));
    if status == actix_web::http::StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/projects/{}", view.values.content.code),
        ));
    }
    res.json(response(view))
}
