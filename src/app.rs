//! The one App factory, used by `devfund serve` and by the integration tests alike.

use std::sync::Arc;

use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::api;
use crate::auth::AuthKeys;
use crate::auth::rate_limit::LoginLimiter;
use crate::config::Config;
use crate::db::{self, Backend, Pool};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::models::reference::Catalogue;

/// Everything a request may need, built once at start-up and shared by every worker.
pub struct AppState {
    pub pool: Pool,
    pub backend: Backend,
    pub catalogue: Arc<Catalogue>,
    pub keys: AuthKeys,
    pub limiter: LoginLimiter,
    pub metrics: Metrics,
    /// Statements run on the pool's connections (for `/metrics` and the query-count tests).
    pub queries: Arc<std::sync::atomic::AtomicU64>,
    pub token_ttl_secs: u64,
    pub max_body_bytes: usize,
    /// How long a request's body may take to arrive (see [`crate::limits`]).
    pub body_timeout: std::time::Duration,
    /// The OpenAPI document, serialized once.
    pub openapi_json: web::Bytes,
    /// Every documented path with its methods, for 405 answers.
    pub routes: api::system::RouteTable,
}

impl AppState {
    /// Connects, migrates, loads the reference catalogue and the keys.
    pub fn build(config: &Config) -> anyhow::Result<web::Data<AppState>> {
        let url = config.database_url();
        let backend = Backend::from_url(url.expose());
        db::ensure_sqlite_dir(url.expose())?;
        let queries = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let pool = db::connect_counted(url.expose(), config.db_pool_size, queries.clone())?;
        let mut conn = pool.get()?;
        let applied = db::migrate::run_pending(&mut conn)?;
        if !applied.is_empty() {
            tracing::info!(
                count = applied.len(),
                backend = backend.name(),
                "applied migrations"
            );
        }
        let catalogue = Arc::new(Catalogue::load(&mut conn)?);
        drop(conn);
        Self::with_pool(config, pool, catalogue, queries)
    }

    /// The state over a pool made elsewhere (tests use it for a database that is down);
    /// `catalogue` is the reference data, `queries` the pool's statement counter.
    pub fn with_pool(
        config: &Config,
        pool: Pool,
        catalogue: Arc<Catalogue>,
        queries: Arc<std::sync::atomic::AtomicU64>,
    ) -> anyhow::Result<web::Data<AppState>> {
        let backend = Backend::from_url(config.database_url().expose());
        let keys = AuthKeys::load(config)?;
        let doc = api::openapi::document_for(&catalogue);
        let openapi_json = web::Bytes::from(serde_json::to_vec(&doc)?);
        let routes = api::system::RouteTable::from_document(&doc);
        Ok(web::Data::new(AppState {
            pool,
            backend,
            catalogue,
            keys,
            limiter: LoginLimiter::default(),
            metrics: Metrics::default(),
            queries,
            token_ttl_secs: config.token_ttl_secs,
            max_body_bytes: config.max_body_bytes,
            body_timeout: std::time::Duration::from_secs(config.body_timeout_secs),
            openapi_json,
            routes,
        }))
    }
}

/// The application: routes, error handlers, request ids, limits.
pub fn build(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.max_body_bytes;
    let (app, _doc) = App::new()
        .app_data(state)
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(
            web::PathConfig::default()
                .error_handler(|err, _| ApiError::bad_parameter("path", err.to_string()).into()),
        )
        .into_utoipa_app()
        .openapi(api::openapi::base())
        .configure(api::system::configure)
        .configure(api::configure)
        .split_for_parts();
    // `validator_url("none")`: Swagger UI would otherwise send the document to an outside
    // validation service.
    let swagger = SwaggerConfig::from("/openapi.json").validator_url("none");
    app.service(SwaggerUi::new("/docs/{_:.*}").config(swagger))
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(api::system::fallback))
        .wrap(from_fn(refuse_nul_in_path))
        .wrap(from_fn(crate::request_context::middleware))
}

/// A path holding an encoded NUL (`%00`) is refused before routing: no record key holds one,
/// and PostgreSQL cannot even compare against one.
async fn refuse_nul_in_path(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.path().to_ascii_lowercase().contains("%00") {
        let res =
            ApiError::bad_parameter("path", "must not contain a NUL character").error_response();
        return Ok(req.into_response(res));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
