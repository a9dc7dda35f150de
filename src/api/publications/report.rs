//! `/reports/publications`: what the projects the filters select produced, grouped, with the
//! median years from seed funding to publication.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::params::Query;
use crate::api::projects::list::{ListProjectsQuery, filter};
use crate::api::reports::respond;
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::services::reports::{PublicationGroup, PublicationsReport, publications};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(publications_report);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicationsQuery {
    /// What to group by (default `year`).
    pub group_by: Option<PublicationGroup>,
}

/// Publications of the projects the filters select (a publication is in when one of its
/// producing projects matches; only matching projects count), grouped by year, kind, region,
/// member state or language: how many, by how many projects, and the median years from the
/// funding year to the publication year over every (publication, producing project) pair. A
/// publication with several member states, regions or languages counts once in each. As
/// CSV: the rows.
#[utoipa::path(tag = "reports", params(PublicationsQuery, ListProjectsQuery), security(("bearer" = ["evaluations:read"])),
    responses((status = 200, description = "The report (JSON) or its rows (CSV)",
        content((PublicationsReport = "application/json"), (String = "text/csv")))))]
#[get("/reports/publications")]
pub async fn publications_report(
    req: HttpRequest,
    _: Authorized<need::EvaluationsRead>,
    query: Query<PublicationsQuery>,
    projects: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let selected = filter(&projects, &state.catalogue)?;
    let group_by = query.group_by.unwrap_or(PublicationGroup::Year);
    let report = db::run(&state.pool, move |conn| {
        publications(conn, &selected, group_by)
    })
    .await?;
    respond(&req, projects.format, &report, &report.rows, "publications")
}
