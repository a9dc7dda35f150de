//! What a request may need, built once at start-up and shared by every worker.
//!
//! [`AppState`] holds the pool, the reference catalogue and the values read from the
//! configuration. It knows nothing of HTTP routes: the OpenAPI document and the route table
//! are built by [`crate::app`] from [`crate::api`], and registered beside it. The signing keys
//! and the metrics are also registered on their own (`web::Data<AuthKeys>`,
//! `web::Data<Metrics>`), so that the [`crate::auth::Principal`] extractor and the request
//! middleware take only what they use; the state keeps a handle on each for the handlers
//! (and tests) that hold it.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use actix_web::web;

use crate::auth::AuthKeys;
use crate::auth::rate_limit::LoginLimiter;
use crate::cache::{JsonAnswer, VersionedCache};
use crate::config::Config;
use crate::db::batch::Batched;
use crate::db::{self, Backend, Pool};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::models::change::Change;
use crate::models::project::Project;
use crate::models::reference::Catalogue;

/// Everything a request may need, built once at start-up and shared by every worker.
pub struct AppState {
    pub pool: Pool,
    pub backend: Backend,
    pub catalogue: Arc<Catalogue>,
    /// The token signing and verifying keys (also registered as their own `web::Data`).
    pub keys: web::Data<AuthKeys>,
    pub limiter: LoginLimiter,
    /// Request counts and latencies (also registered as their own `web::Data`).
    pub metrics: web::Data<Metrics>,
    /// Statements run on the pool's connections (for `/metrics` and the query-count tests).
    pub queries: Arc<AtomicU64>,
    pub token_ttl_secs: u64,
    pub max_body_bytes: usize,
    /// The IATI reporting organisation's identifier (`DEVFUND_IATI_ORG_REF`).
    pub iati_org_ref: String,
    /// How long a request's body may take to arrive (see [`crate::app::middleware::limits`]).
    pub body_timeout: Duration,
    /// `GET /projects/{code}` answers by project id, each for one version of the project.
    pub project_answers: VersionedCache<i64>,
    /// Project versions (id, version) by code, read for concurrent requests together
    /// ([`AppState::project_version`]).
    project_versions: Arc<Batched<(i64, i64)>>,
    /// The change feed's position, read once for concurrent requests
    /// ([`AppState::feed_position`]).
    positions: Arc<Batched<i64>>,
    /// The reports' and the project list's JSON answers by request (path and query), each for
    /// one position of the change feed ([`crate::api::kept`]).
    pub kept_answers: VersionedCache<String, JsonAnswer>,
    /// What the portfolio, coverage and leverage reports count of every project, kept at a
    /// position of the change feed and brought up to date from it.
    pub report_base: Arc<crate::services::reports::Shelf>,
}

/// How much memory the project answers may hold: about 5,000 projects at 1.6 KB each, the
/// Fund's whole portfolio five times over, and a small part of the service's memory.
pub const PROJECT_ANSWERS_BYTES: usize = 8 << 20;

impl AppState {
    /// Connects, migrates, loads the reference catalogue and the keys.
    pub fn build(config: &Config) -> anyhow::Result<web::Data<AppState>> {
        let url = config.database_url();
        let backend = Backend::from_url(url.expose());
        db::ensure_sqlite_dir(url.expose())?;
        let queries = Arc::new(AtomicU64::new(0));
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
        queries: Arc<AtomicU64>,
    ) -> anyhow::Result<web::Data<AppState>> {
        let backend = Backend::from_url(config.database_url().expose());
        let keys = web::Data::new(AuthKeys::load(config)?);
        let project_versions = Batched::new(
            pool.clone(),
            Box::new(|conn: &mut db::Conn, codes: &[String]| {
                Ok(Project::versions_of(conn, codes)?)
            }),
        );
        let positions = Batched::new(
            pool.clone(),
            Box::new(|conn: &mut db::Conn, _: &[String]| {
                Ok(vec![(String::new(), Change::position(conn)?)])
            }),
        );
        Ok(web::Data::new(AppState {
            pool,
            backend,
            catalogue,
            keys,
            limiter: LoginLimiter::default(),
            metrics: web::Data::new(Metrics::default()),
            queries,
            token_ttl_secs: config.token_ttl_secs,
            max_body_bytes: config.max_body_bytes,
            iati_org_ref: config.iati_org_ref.clone(),
            body_timeout: Duration::from_secs(config.body_timeout_secs),
            project_answers: VersionedCache::new(PROJECT_ANSWERS_BYTES),
            project_versions,
            positions,
            kept_answers: VersionedCache::new(config.kept_answers_mib.saturating_mul(1 << 20)),
            report_base: Arc::default(),
        }))
    }
}

/// The point reads every request of a kind makes first. On SQLite, on the worker's own thread
/// ([`db::run_point`]); on PostgreSQL, where each is a network round trip through the blocking
/// pool, concurrent requests share one ([`crate::db::batch`]): `GET /projects/{code}` went from
/// 13,600 to 32,900 req/s (README, Benchmark).
impl AppState {
    /// (id, version) of the project `code`, if it exists.
    pub async fn project_version(&self, code: &str) -> Result<Option<(i64, i64)>, ApiError> {
        match self.backend {
            Backend::Postgres => self.project_versions.read(code.to_owned()).await,
            Backend::Sqlite => {
                let codes = [code.to_owned()];
                db::run_point(&self.pool, move |conn| {
                    let found = Project::versions_of(conn, &codes)?;
                    Ok(found.into_iter().next().map(|(_, v)| v))
                })
                .await
            }
        }
    }

    /// The change feed's position (its last change's id; 0 when empty).
    pub async fn feed_position(&self) -> Result<i64, ApiError> {
        match self.backend {
            Backend::Postgres => Ok(self
                .positions
                .read(String::new())
                .await?
                .unwrap_or_default()),
            Backend::Sqlite => db::run_point(&self.pool, |conn| Ok(Change::position(conn)?)).await,
        }
    }
}
