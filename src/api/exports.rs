//! `/exports/…`: the portfolio in other systems' formats. `GET /exports/iati.xml` writes the
//! filtered projects as IATI 2.03 activities, streamed a page at a time from one snapshot.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::params::Query;
use super::projects::list::{ListProjectsQuery, filter};
use crate::auth::{Authorized, need};
use crate::error::ApiError;
use crate::services::iati;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_iati);
}

/// The filtered projects as IATI 2.03 activities (an `iati-activities` XML document).
///
/// Every filter of `GET /projects` applies, in its sort order; one `iati-activity` per
/// project, valid against the official IATI 2.03 activity schema (an empty selection gives an empty `iati-activities`, which that
/// schema does not accept). Identifiers are `{org ref}-{project code}` under the configured
/// `DEVFUND_IATI_ORG_REF`. The document is streamed from one consistent snapshot: projects are
/// read a thousand at a time.
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
    let (org_ref, catalogue) = (state.iati_org_ref.clone(), state.catalogue.clone());
    let generated = chrono::Utc::now();
    // One snapshot, a page of activities per chunk (see `super::stream`); the first page is
    // read before answering, so that a failure there is still a proper problem response.
    let body = super::stream::body(&state.pool, "IATI export", move |conn, sink| {
        let mut pages = iati::Pages::new(filter, super::csv::PAGE_ROWS);
        let mut chunk = iati::head(generated);
        while pages.next(conn, &org_ref, &catalogue, &mut chunk)? {
            sink.send(std::mem::take(&mut chunk))?;
        }
        chunk.push_str(iati::TAIL);
        sink.send(chunk)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"iati.xml\"",
        ))
        .streaming(body))
}
