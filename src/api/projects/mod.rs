//! `/projects`: the portfolio.

pub mod fields;
mod lifecycle;
mod links;
pub(crate) mod list;
mod mappings;
pub(crate) mod write;

use actix_web::HttpResponse;
use actix_web::http::header::ETag;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::etag;
use super::utc;
use crate::domain::project::RuleFinding;
use crate::models::project::Link;
use crate::services::projects::ProjectView;
pub use fields::{
    CoreCharacteristics, ManagementSite, MemberStateShare, MsdMapping, ProjectFields, to_input,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_projects)
        .service(write::create_project)
        .service(write::get_project)
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
    /// `builds_on`, `follow_up_of`, `synergy_with`, `co_funded_with`.
    #[serde(rename = "type")]
    pub link_type: String,
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
            link_type: l.link_type.clone(),
            target_code: l.target_code.clone(),
            target_title: l.target_title.clone(),
            note: l.note.clone(),
            created_at: utc(l.created_at),
        }
    }
}

/// A project as every read and write answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    #[serde(flatten)]
    pub fields: ProjectFields,
    pub links: Vec<LinkResponse>,
    /// Approved and received follow-up funding, in USD.
    pub follow_up_total_usd: crate::domain::money::MoneyDto,
    /// `follow_up_total_usd` ÷ budget, two decimals (half-even); null for a zero budget.
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
    let recorded: Vec<RuleFinding> =
        serde_json::from_str(&view.values.rule_warnings).unwrap_or_default();
    out.extend(recorded.into_iter().map(|f| Warning {
        code: f.code,
        message: f.message,
        details: Some(f.details),
    }));
    out
}

pub fn response(view: &ProjectView) -> ProjectResponse {
    ProjectResponse {
        fields: fields::from_stored(&view.values, &view.children),
        links: view.children.links.iter().map(LinkResponse::from).collect(),
        follow_up_total_usd: crate::domain::Money::usd_cents(view.children.leveraged.usd_cents)
            .to_dto(),
        leverage: crate::domain::fx::ratio(
            view.children.leveraged.usd_cents,
            view.values.budget_usd_cents,
        ),
        unconverted_follow_up: view.children.leveraged.unconverted,
        warnings: warnings(view),
        created_at: utc(view.values.created_at),
        updated_at: utc(view.values.updated_at),
    }
}

/// 200 (or `status`) with the project and its ETag.
pub fn single(view: &ProjectView, status: actix_web::http::StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header(ETag(etag(view.values.version)));
    if status == actix_web::http::StatusCode::CREATED {
        res.insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/projects/{}", view.values.code),
        ));
    }
    res.json(response(view))
}
