//! Health, metrics, the OpenAPI document, and answers for unknown paths and methods.

use std::io::Read;
use std::time::Duration;

use actix_web::dev::ResourceDef;
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, web};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::metrics::Metrics;
use crate::models::reference::Catalogue;
use crate::services::reports::Refresh;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(live)
        .service(ready)
        .service(metrics)
        .service(openapi_json);
}

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`
    pub status: &'static str,
    /// Database backend (`sqlite` or `postgres`), on readiness only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "system", operation_id = "live", security(()),
    responses((status = 200, description = "Alive", body = HealthResponse)))]
#[get("/health/live")]
async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse {
        status: "ok",
        database: None,
    })
}

/// How long readiness waits for a pooled connection.
const READY_CHECKOUT: Duration = Duration::from_millis(800);
/// How long readiness waits for its answer in all.
const READY_TIMEOUT: Duration = Duration::from_secs(1);

/// Readiness: the database answers a query. 503 `unavailable` when it does not.
#[utoipa::path(tag = "system", operation_id = "ready", security(()),
    responses((status = 200, description = "Ready to serve", body = HealthResponse)))]
#[get("/health/ready")]
async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    use diesel::connection::SimpleConnection;
    let backend = state.backend;
    // Answers within about a second either way: no long checkout wait, and a query that
    // hangs (a database host that stopped answering) is not waited for.
    let check = db::run_within(&state.pool, Some(READY_CHECKOUT), |conn| {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ApiError::Unavailable { cause: e.into() })
    });
    actix_web::rt::time::timeout(READY_TIMEOUT, check)
        .await
        .map_err(|_| ApiError::Unavailable {
            cause: anyhow::anyhow!("the database did not answer within {READY_TIMEOUT:?}"),
        })??;
    Ok(HttpResponse::Ok().json(HealthResponse {
        status: "ok",
        database: Some(backend.name()),
    }))
}

/// Prometheus metrics in the text exposition format. Public, like health: restrict it at
/// the proxy if the request counts per route are sensitive where you run.
#[utoipa::path(tag = "system", operation_id = "metrics", security(()),
    responses((status = 200, description = "Metrics", content_type = "text/plain", body = String)))]
#[get("/metrics")]
async fn metrics(metrics: web::Data<Metrics>, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(
            Some(state.pool.state()),
            state.queries.load(std::sync::atomic::Ordering::Relaxed),
            &Refresh::ALL.map(|r| (r.as_str(), state.report_base.refreshes(r))),
        ))
}

/// This document (OpenAPI 3.1). Sent gzip-compressed (`Content-Encoding: gzip`, about a
/// tenth of its size) to a client whose `Accept-Encoding` takes gzip.
#[utoipa::path(tag = "system", operation_id = "get_openapi", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
#[get("/openapi.json")]
async fn openapi_json(req: HttpRequest, document: web::Data<ServedDocument>) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.content_type("application/json")
        .insert_header((header::VARY, "Accept-Encoding"));
    if takes_gzip(&req) {
        return res
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(document.gzip.clone());
    }
    match document.json() {
        Ok(json) => res.body(json),
        Err(e) => ApiError::internal(e).error_response(),
    }
}

/// Whether `Accept-Encoding` takes gzip: gzip's own entry decides, else `*`'s; an entry takes
/// it unless its `q` is 0 (or not a number).
fn takes_gzip(req: &HttpRequest) -> bool {
    let codings: Vec<(String, bool)> = req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1.0), |(_, v)| v.trim().parse::<f32>().ok());
            (name, q.is_some_and(|q| q > 0.0))
        })
        .collect();
    let entry = |name: &str| codings.iter().find(|(n, _)| n == name).map(|(_, ok)| *ok);
    entry("gzip").or_else(|| entry("*")).unwrap_or(false)
}

/// The OpenAPI document as the running service serves it, and the route table made from it;
/// built once per server and registered as its own `web::Data` by [`crate::app`].
pub struct ServedDocument {
    /// The document, serialized once and kept gzip-compressed: 1.3 MB of JSON held for the
    /// service's life was the largest single part of its idle memory.
    gzip: web::Bytes,
    /// Every documented path with its methods, for 405 answers.
    pub routes: RouteTable,
}

impl ServedDocument {
    /// The document of the routes this service runs, with the reference codes of `catalogue`.
    pub fn for_catalogue(catalogue: &Catalogue) -> anyhow::Result<ServedDocument> {
        let doc = super::openapi::document_for(catalogue);
        let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
        serde_json::to_writer(&mut gzip, &doc)?;
        Ok(ServedDocument {
            gzip: web::Bytes::from(gzip.finish()?),
            routes: RouteTable::from_document(&doc),
        })
    }

    /// The document's JSON, for a client that does not take gzip.
    pub fn json(&self) -> std::io::Result<Vec<u8>> {
        let mut json = Vec::with_capacity(self.gzip.len() * 12);
        GzDecoder::new(&self.gzip[..]).read_to_end(&mut json)?;
        Ok(json)
    }
}

/// Every documented path pattern with the methods it answers.
pub struct RouteTable(Vec<(ResourceDef, Vec<Method>)>);

impl RouteTable {
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (item.get.is_some(), Method::GET),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(has, m)| has.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        RouteTable(routes)
    }

    /// The methods a path answers, when it is a known path at all.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let mut found: Option<Vec<Method>> = None;
        for (def, methods) in &self.0 {
            if def.is_match(path) {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(methods.iter().cloned());
            }
        }
        found
    }
}

/// Unknown path → 404; known path, other method → 405 with `Allow`.
pub async fn fallback(req: HttpRequest, document: web::Data<ServedDocument>) -> HttpResponse {
    let error = match document.routes.allowed(req.path()) {
        Some(methods) if !methods.contains(req.method()) => {
            let allow = methods
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::MethodNotAllowed { allow }
        }
        _ => ApiError::new(
            ErrorCode::NotFound,
            format!("no route for {} {}", req.method(), req.path()),
        ),
    };
    error.error_response()
}

/// Sets `Cache-Control: no-store` (for responses that carry credentials).
pub fn no_store(res: &mut HttpResponse) {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
}
