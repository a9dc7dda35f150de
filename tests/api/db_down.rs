//! A database that is down is answered for fast — 503 `unavailable` with `Retry-After` in
//! about a second, readiness included — and the service recovers by itself when it returns.
//!
//! The shared PostgreSQL cannot be stopped, so "down" is a database the app cannot reach: a
//! SQLite file in a folder that does not exist yet, or PostgreSQL on a port where nothing
//! listens. "Back" is the folder appearing with the database in it, or a forwarder starting on
//! that port to the real server.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use devfund::config::{Config, Secret};
use devfund::db::health::Policy;
use devfund::models::reference::Catalogue;
use devfund::server;
use devfund::state::AppState;

use crate::support::db::TestDb;
use crate::support::{Backend, JWT_SECRET, backends};

/// Fast enough: "about a second or less", with room for a loaded machine.
const FAST: Duration = Duration::from_millis(1500);

#[actix_web::test]
async fn requests_fail_fast_while_the_database_is_down_and_recover_when_it_returns() {
    for backend in backends() {
        let real = TestDb::create(backend.clone());
        let catalogue = Arc::new(Catalogue::load(&mut real.connect()).expect("catalogue"));
        let outage = Outage::new(&backend, &real.url);
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_database(&outage.url, dir.path().to_owned());
        config.jwt_secret = Some(Secret::new(JWT_SECRET));
        config.workers = Some(1);
        config.shutdown_timeout_secs = 1;
        let pool = devfund::db::connect_lazily(&outage.url, 2, Policy::default());
        let state = AppState::with_pool(&config, pool, catalogue, Arc::default()).expect("state");
        let app = Running::start(state.clone(), &config);
        let token = state
            .keys
            .issue("test-admin", devfund::auth::Role::Admin, None, 600)
            .expect("token")
            .0;

        let mut slowest = Duration::ZERO;
        for _ in 0..3 {
            for (path, bearer) in [
                ("/health/ready", None),
                ("/api/v1/member-states", Some(&token)),
            ] {
                let (status, retry_after, took) = app.get(path, bearer).await;
                assert_eq!(status, 503, "{path} on {}", backend.name());
                assert!(retry_after.is_some(), "{path}: no Retry-After");
                assert!(took < FAST, "{path} took {took:?} to say 503");
                slowest = slowest.max(took);
            }
        }
        eprintln!("{}: slowest 503 while down: {slowest:?}", backend.name());
        assert!(state.pool.health().is_down());

        outage.end(&real.url);
        let started = Instant::now();
        loop {
            let (status, _, took) = app.get("/health/ready", None).await;
            assert!(took < FAST, "readiness took {took:?}");
            if status == 200 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "still not ready {:?} after the database returned",
                started.elapsed()
            );
            actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        }
        eprintln!(
            "{}: ready {:?} after the database returned",
            backend.name(),
            started.elapsed()
        );
        let (status, _, _) = app.get("/api/v1/member-states", Some(&token)).await;
        assert_eq!(status, 200);
        assert!(!state.pool.health().is_down());
        app.handle.stop(true).await;
    }
}

struct Running {
    base: String,
    client: awc::Client,
    handle: actix_web::dev::ServerHandle,
}

impl Running {
    fn start(state: web::Data<AppState>, config: &Config) -> Running {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let server =
            server::start(state, config, server::Listen::Listener(listener)).expect("start");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(10))
            .finish();
        Running {
            base,
            client,
            handle,
        }
    }

    /// Status, `Retry-After` and how long the answer took.
    async fn get(&self, path: &str, bearer: Option<&String>) -> (u16, Option<String>, Duration) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let mut response = request.send().await.expect("an answer");
        let _ = response.body().await;
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (response.status().as_u16(), retry_after, started.elapsed())
    }
}

/// A database the app cannot reach until [`Outage::end`].
struct Outage {
    url: String,
    _folder: Option<tempfile::TempDir>,
    /// PostgreSQL: the closed port the app is pointed at, and the real server's address.
    forward: Option<(u16, String)>,
}

impl Outage {
    fn new(backend: &Backend, real_url: &str) -> Outage {
        match backend {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().expect("temp dir");
                let url = folder.path().join("later").join("devfund.sqlite3");
                Outage {
                    url: url.to_string_lossy().into_owned(),
                    _folder: Some(folder),
                    forward: None,
                }
            }
            Backend::Postgres(_) => {
                // A port that was free a moment ago: connections to it are refused.
                let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
                let port = probe.local_addr().expect("addr").port();
                drop(probe);
                let (url, target) = with_port(real_url, port);
                Outage {
                    url,
                    _folder: None,
                    forward: Some((port, target)),
                }
            }
        }
    }

    /// The database returns.
    fn end(&self, real_url: &str) {
        match &self.forward {
            None => {
                let path = Path::new(&self.url);
                std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
                std::fs::copy(real_url, path).expect("copy the database in");
            }
            Some((port, target)) => {
                let listener = TcpListener::bind(("127.0.0.1", *port))
                    .unwrap_or_else(|e| panic!("port {port} was taken meanwhile: {e}"));
                forward(listener, target);
            }
        }
    }
}

/// `url` pointed at `port` on 127.0.0.1, and the `host:port` it named.
fn with_port(url: &str, port: u16) -> (String, String) {
    let start = url
        .find('@')
        .map_or(url.find("://").expect("scheme") + 3, |i| i + 1);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    let target = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:5432")
    };
    (
        format!("{}127.0.0.1:{port}{}", &url[..start], &url[end..]),
        target,
    )
}

/// Accepts on `listener` and pipes each connection to `target`, until the process ends.
fn forward(listener: TcpListener, target: &str) {
    let target = target.to_owned();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            pipe(
                client.try_clone().expect("clone"),
                server.try_clone().expect("clone"),
            );
            pipe(server, client);
        }
    });
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(std::net::Shutdown::Write);
    });
}

#[test]
fn urls_get_their_port_replaced() {
    assert_eq!(
        with_port("postgres://postgres@127.0.0.1:5432/t?x=1", 9),
        (
            "postgres://postgres@127.0.0.1:9/t?x=1".to_owned(),
            "127.0.0.1:5432".to_owned()
        )
    );
    assert_eq!(
        with_port("postgres://u@db/t", 9),
        (
            "postgres://u@127.0.0.1:9/t".to_owned(),
            "db:5432".to_owned()
        )
    );
}

#[actix_web::test]
async fn connections_the_server_dropped_are_replaced_without_a_restart() {
    // PostgreSQL only: the server ends every session of the test's database, as a restart of
    // the server would; the pool must notice and reconnect on its own.
    let Some(Backend::Postgres(admin_url)) =
        backends().into_iter().find(|b| b.name() == "postgres")
    else {
        return;
    };
    let app = crate::support::TestApp::spawn(Backend::Postgres(admin_url.clone())).await;
    let admin = app.admin();
    let warm: Vec<_> = (0..4)
        .map(|_| app.get("/api/v1/member-states").bearer(&admin).send())
        .collect();
    for r in futures_util::future::join_all(warm).await {
        r.assert_status(200);
    }
    #[derive(diesel::QueryableByName)]
    struct Current {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let database = {
        let mut pooled = app.state.pool.get().expect("conn");
        let current: Current = diesel::RunQueryDsl::get_result(
            diesel::sql_query("SELECT current_database() AS name"),
            &mut *pooled,
        )
        .expect("database name");
        current.name
    };
    let mut conn = <diesel::PgConnection as diesel::Connection>::establish(&admin_url)
        .expect("admin connection");
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        ),
    )
    .expect("terminate sessions");

    let started = Instant::now();
    let mut answers = Vec::new();
    loop {
        let asked = Instant::now();
        let r = app.get("/api/v1/member-states").bearer(&admin).send().await;
        let took = asked.elapsed();
        assert!(took < FAST, "an answer took {took:?}");
        answers.push(r.status.as_u16());
        if answers.ends_with(&[200, 200, 200]) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not back to normal: {answers:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        answers.iter().all(|s| *s == 200 || *s == 503),
        "{answers:?}"
    );
    app.stop().await;
}
