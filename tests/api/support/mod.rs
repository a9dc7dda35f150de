//! The test harness: a real server on a free port, over a real database of its own.
//!
//! Every test runs once per configured backend: SQLite always (a copy of a migrated template
//! file) and PostgreSQL when `DEVFUND_TEST_DATABASE_URL` is set (a database created from a
//! migrated template and dropped afterwards). When it is not set, one line on standard error
//! says the PostgreSQL half was skipped.
//!
//! `TEST_LOG=1` shows the service's logs (filtered by `RUST_LOG`, `info` by default): each
//! test's lines are printed with its output when it fails, or as they come with
//! `-- --nocapture`.

pub mod contract;
pub mod db;
pub mod raw;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::web;
use awc::http::{Method, StatusCode, header};
use devfund::auth::Role;
use devfund::config::{Config, Secret};
use devfund::server;
use devfund::state::AppState;
use serde_json::Value;

pub use db::Backend;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// Runs a test body once per configured backend, each time against a fresh app.
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        $(#[$meta])*
        #[actix_web::test]
        async fn $name() {
            for backend in $crate::support::backends() {
                let $app = $crate::support::TestApp::spawn(backend).await;
                $body;
                $app.stop().await;
            }
        }
    };
}

/// With `TEST_LOG` set (and not `0`), sends the service's log lines to the test output, once
/// per test binary.
pub fn init_test_log() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let wanted = std::env::var("TEST_LOG").is_ok_and(|v| !v.is_empty() && v != "0");
        if wanted {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            // A unit test of the library may have set one already; that one then stays.
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
    });
}

/// SQLite always; PostgreSQL when `DEVFUND_TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    static NOTED: AtomicBool = AtomicBool::new(false);
    init_test_log();
    let mut list = vec![Backend::Sqlite];
    match std::env::var("DEVFUND_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => list.push(Backend::Postgres(url)),
        _ => {
            if !NOTED.swap(true, Ordering::SeqCst) {
                use std::io::Write;
                // Written to the real stderr (not the captured test output), once per run.
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: DEVFUND_TEST_DATABASE_URL is not set: the PostgreSQL half of the integration tests was skipped (SQLite only)"
                );
            }
        }
    }
    list
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts a problem+json answer with this status and code; returns the document.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let doc = self.json();
        assert_eq!(doc["code"], code, "{doc}");
        assert_eq!(doc["status"], status);
        assert!(doc["request_id"].is_string(), "{doc}");
        doc
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        self
    }
}

fn spawn_worker(config: &Config) -> devfund::services::webhooks::worker::Handle {
    let pool = devfund::db::connect(config.database_url().expose(), 2).expect("worker pool");
    devfund::services::webhooks::worker::spawn(
        pool,
        devfund::services::webhooks::worker::Settings::from_config(config),
    )
}

pub struct TestApp {
    pub base: String,
    pub backend_name: &'static str,
    pub state: web::Data<AppState>,
    client: awc::Client,
    handle: actix_web::dev::ServerHandle,
    worker: devfund::services::webhooks::worker::Handle,
    config: Config,
    /// Kept for its Drop (and moved over a restart); tests that inspect the database use it.
    pub db: db::TestDb,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns with a configuration adjusted by `tune` (keys, limits).
    pub async fn spawn_with(backend: Backend, tune: impl FnOnce(&mut Config)) -> TestApp {
        init_test_log();
        let backend_name = backend.name();
        eprintln!("backend: {backend_name}");
        let test_db = db::TestDb::create(backend);
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_database(&test_db.url, data_dir.path().to_owned());
        config.jwt_secret = Some(Secret::new(JWT_SECRET));
        config.db_pool_size = 4;
        config.workers = Some(1);
        // Webhook deliveries are polled for often and retried soon in tests.
        config.webhook_poll_ms = 50;
        config.webhook_backoff_ms = 100;
        tune(&mut config);
        Self::start(backend_name, config, test_db, data_dir)
    }

    fn start(
        backend_name: &'static str,
        config: Config,
        test_db: db::TestDb,
        data_dir: tempfile::TempDir,
    ) -> TestApp {
        let state = AppState::build(&config).expect("app state");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = server::start(state.clone(), &config, server::Listen::Listener(listener))
            .expect("listen");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        // The worker gets a pool of its own, as a second service copy would: its polling
        // stays out of the app's statement count, which the query-count tests read.
        let worker = spawn_worker(&config);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            backend_name,
            state,
            client: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .finish(),
            handle,
            worker,
            config,
            db: test_db,
            _data_dir: data_dir,
        }
    }

    /// Starts a second copy of the service on the same database: its own state, pool and
    /// in-memory answers, as a second replica behind a load balancer. Send to it with
    /// [`Req::on`].
    pub fn start_copy(&self) -> Copy {
        let state = AppState::build(&self.config).expect("the copy's state");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server =
            server::start(state, &self.config, server::Listen::Listener(listener)).expect("listen");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Copy {
            base: format!("http://127.0.0.1:{port}"),
            handle,
        }
    }

    /// Starts another webhook worker on the same database, with a pool of its own: the
    /// worker a second copy of the service runs.
    pub fn spawn_worker(&self) -> devfund::services::webhooks::worker::Handle {
        spawn_worker(&self.config)
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
        self.worker.stop().await;
    }

    /// Stops the server and its webhook worker and starts new ones on the same database (a
    /// restart of the service); the new app listens on another port.
    pub async fn restart(self) -> TestApp {
        self.handle.stop(true).await;
        self.worker.stop().await;
        let TestApp {
            backend_name,
            config,
            db,
            _data_dir,
            state,
            ..
        } = self;
        drop(state);
        Self::start(backend_name, config, db, _data_dir)
    }

    /// A token for `role`, signed with the service's key.
    pub fn token(&self, role: Role) -> String {
        self.state
            .keys
            .issue(&format!("test-{}", role.as_str()), role, None, 600)
            .expect("token")
            .0
    }

    /// A project officer's token scoped to `states`.
    pub fn scoped_token(&self, role: Role, states: &[&str]) -> String {
        let states = states.iter().map(|s| (*s).to_owned()).collect();
        self.state
            .keys
            .issue("test-scoped", role, Some(states), 600)
            .expect("token")
            .0
    }

    pub fn admin(&self) -> String {
        self.token(Role::Admin)
    }

    pub fn req(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            app: self,
            base: None,
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.req(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        self.req(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Req<'_> {
        self.req(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Req<'_> {
        self.req(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        self.req(Method::DELETE, path)
    }

    /// Creates a member state as admin and asserts 201.
    pub async fn create_member_state(&self, iso3: &str, name: &str, region: &str) -> Value {
        let r = self
            .post("/api/v1/member-states")
            .bearer(&self.admin())
            .json(&serde_json::json!({"iso3": iso3, "name": name, "region": region}))
            .send()
            .await;
        r.assert_status(201);
        r.json()
    }
}

/// Builders of test data through the API.
impl TestApp {
    /// A member state with an eligibility record (both lines as given) for `year`.
    pub async fn eligible_state(
        &self,
        iso3: &str,
        region: &str,
        year: i32,
        line_1: bool,
        line_2: bool,
    ) {
        self.create_member_state(iso3, iso3, region).await;
        self.put(&format!("/api/v1/member-states/{iso3}/eligibility/{year}"))
            .bearer(&self.admin())
            .json(&serde_json::json!({"income_group": "lower_middle", "line_1_eligible": line_1, "line_2_eligible": line_2}))
            .send()
            .await
            .assert_status(201);
    }

    /// Posts a project as `token`; `overrides` replaces fields of a valid national line-1 draft.
    pub async fn post_project(&self, token: &str, overrides: Value) -> Resp {
        let mut body = serde_json::json!({
            "code": "TS.0001",
            "title": "Test project",
            "funding_line": "line_1",
            "funding_year": 2026,
            "scope": "national",
            "budget": {"amount": "100000.00", "currency": "USD"},
            "staff_office_share": "0.20",
            "member_states": [{"iso3": "NPL"}],
            "sdg_targets": ["10.7"]
        });
        for (k, v) in overrides.as_object().expect("object") {
            body[k] = v.clone();
        }
        self.post("/api/v1/projects")
            .bearer(token)
            .json(&body)
            .send()
            .await
    }

    /// Creates a project as admin and returns its ETag.
    pub async fn project(&self, overrides: Value) -> String {
        let r = self.post_project(&self.admin(), overrides).await;
        r.assert_status(201);
        r.header("etag").expect("etag")
    }

    /// Moves a project as admin and returns the response.
    pub async fn transition(&self, code: &str, to: &str) -> Resp {
        let etag = self
            .get(&format!("/api/v1/projects/{code}"))
            .bearer(&self.admin())
            .send()
            .await
            .header("etag")
            .expect("etag");
        self.post(&format!("/api/v1/projects/{code}/transitions"))
            .bearer(&self.admin())
            .header("if-match", &etag)
            .json(&serde_json::json!({"to": to, "reason": "test"}))
            .send()
            .await
    }

    /// Moves a draft to under review.
    pub async fn to_review(&self, code: &str) {
        self.transition(code, "submitted").await.assert_status(200);
        self.transition(code, "under_review")
            .await
            .assert_status(200);
    }

    /// Loads the booklet's demo data into this app's database.
    pub fn seed_demo(&self) {
        let mut conn = self.state.pool.get().expect("conn");
        devfund::seed::demo(&mut conn, &self.state.catalogue).expect("seed");
    }

    /// Statements run so far on this app's connections.
    pub fn queries(&self) -> u64 {
        self.state.queries.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A second copy of the service over a test's database ([`TestApp::start_copy`]).
pub struct Copy {
    base: String,
    handle: actix_web::dev::ServerHandle,
}

impl Copy {
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    /// Another copy of the service to send to, instead of the app's own.
    base: Option<String>,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Req<'_> {
    /// Sends to `copy` (a second copy of the service) instead of the app.
    pub fn on(mut self, copy: &Copy) -> Self {
        self.base = Some(copy.base.clone());
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn signed_as(self, role: Role) -> Self {
        let token = self.app.token(role);
        self.bearer(&token)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(self, value: &Value) -> Self {
        self.raw("application/json", serde_json::to_vec(value).expect("json"))
    }

    pub fn raw(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .push(("content-type".to_owned(), content_type.to_owned()));
        self.body = Some(body);
        self
    }

    pub async fn send(self) -> Resp {
        let base = self.base.as_deref().unwrap_or(&self.app.base);
        let url = format!("{base}{}", self.path);
        let mut request = self.app.client.request(self.method.clone(), &url);
        for (k, v) in &self.headers {
            request = request.insert_header((k.as_str(), v.as_str()));
        }
        let sent = match self.body {
            Some(body) => request.send_body(body).await,
            None => request.send().await,
        };
        let mut response = sent.unwrap_or_else(|e| panic!("{} {url}: {e}", self.method));
        let body = response
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .expect("body")
            .to_vec();
        let resp = Resp {
            status: response.status(),
            headers: response.headers().clone(),
            body,
        };
        contract::check(&self.method, &self.path, &resp);
        resp
    }
}

/// `value` without `keys`, at any depth: what two runs of the same thing may differ in
/// (times, request ids, ids the server sets).
pub fn without_keys(mut value: serde_json::Value, keys: &[&str]) -> serde_json::Value {
    use serde_json::Value;
    match &mut value {
        Value::Object(o) => {
            for k in keys {
                o.remove(*k);
            }
            for v in o.values_mut() {
                *v = without_keys(v.take(), keys);
            }
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                *v = without_keys(v.take(), keys);
            }
        }
        _ => {}
    }
    value
}
