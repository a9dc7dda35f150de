//! `/exports/…`: the portfolio in other systems' formats. `GET /exports/iati.xml` writes the
//! filtered projects as IATI 2.03 activities, streamed a batch at a time.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use futures_util::StreamExt;
use utoipa_actix_web::service_config::ServiceConfig;

use super::params::Query;
use super::projects::list::{ListProjectsQuery, filter};
use crate::auth::{Authorized, need};
use crate::db;
use crate::error::ApiError;
use crate::models::project::ProjectFilter;
use crate::services::iati;
use crate::state::AppState;

/// Projects per batch of the IATI export.
pub const IATI_BATCH: i64 = 1000;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_iati);
}

/// One batch of activities from `offset`, and how many projects it held.
async fn iati_batch(
    state: Arc<AppState>,
    filter: ProjectFilter,
    offset: i64,
) -> Result<(String, usize), ApiError> {
    let (org_ref, catalogue) = (state.iati_org_ref.clone(), state.catalogue.clone());
    db::run(&state.pool, move |conn| {
        iati::batch(conn, &filter, offset, IATI_BATCH, &org_ref, &catalogue)
    })
    .await
}

/// The filtered projects as IATI 2.03 activities (an `iati-activities` XML document).
///
/// Every filter of `GET /projects` applies, in its sort order; one `iati-activity` per
/// project, valid against the official IATI 2.03 activity schema (an empty selection gives an empty `iati-activities`, which that
/// schema does not accept). Identifiers are `{org ref}-{project code}` under the configured
/// `DEVFUND_IATI_ORG_REF`. The document is streamed: projects are read a thousand at a time.
/// `format` is ignored. The README's "IATI export" section maps each field.
#[utoipa::path(tag = "exports", params(ListProjectsQuery), security(("bearer" = ["projects:read"])),
    responses((status = 200, description = "The IATI 2.03 activities (an attachment, iati.xml)",
        content((String = "application/xml")),
        headers(("Content-Disposition" = String, description = "`attachment; filename=\"iati.xml\"`")))))]
#[get("/exports/iati.xml")]
pub async fn export_iati(
    _: Authorized<need::ProjectsRead>,
    query: Query<ListProjectsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter(&query, &state.catalogue)?;
    let state = state.into_inner();
    // The first batch is read before answering, so that a failure there is still a proper
    // problem response; a later failure ends the stream early (and is logged).
    let (first, n) = iati_batch(state.clone(), filter.clone(), 0).await?;
    let head = format!("{}{first}", iati::head(chrono::Utc::now()));
    let more = (n as i64 == IATI_BATCH).then_some(IATI_BATCH);
    let rest = super::csv::later_batches(more, IATI_BATCH, "IATI export", move |offset| {
        iati_batch(state.clone(), filter.clone(), offset)
    });
    let body = futures_util::stream::once(async move { Ok(web::Bytes::from(head)) })
        .chain(rest)
        .chain(futures_util::stream::once(async {
            Ok(web::Bytes::from_static(iati::TAIL.as_bytes()))
        }));
    Ok(HttpResponse::Ok()
        .content_type("application/xml")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"iati.xml\"",
        ))
        .streaming(body))
}
