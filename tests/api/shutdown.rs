//! The built binary stops within its shutdown timeout after SIGTERM, whatever its clients
//! are doing: a slow download or a body that never arrives is cut when the time is up.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use devfund::auth::{AuthKeys, Role};
use devfund::config::{Config, Secret};
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};

use crate::support::JWT_SECRET;

const SHUTDOWN_TIMEOUT_SECS: u64 = 2;
/// The timeout, plus actix's once-a-second check, plus room for a loaded machine.
const EXIT_WITHIN: Duration = Duration::from_secs(SHUTDOWN_TIMEOUT_SECS + 3);

/// The `devfund` binary serving a SQLite database in its own folder.
struct Service {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
}

impl Service {
    fn start(prepare: impl FnOnce(&Path)) -> Service {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let run = |args: &[&str]| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_devfund"));
            command
                .args(args)
                .env("DEVFUND_DATA_DIR", dir.path())
                .env("DEVFUND_BIND", &addr)
                .env("DEVFUND_JWT_SECRET", JWT_SECRET)
                .env("DEVFUND_WORKERS", "1")
                .env(
                    "DEVFUND_SHUTDOWN_TIMEOUT_SECS",
                    SHUTDOWN_TIMEOUT_SECS.to_string(),
                )
                .env("DEVFUND_BODY_TIMEOUT_SECS", "120")
                .env_remove("DATABASE_URL")
                .stdout(Stdio::null())
                .stderr(Stdio::from(
                    std::fs::File::options()
                        .create(true)
                        .append(true)
                        .open(dir.path().join("log"))
                        .expect("log file"),
                ));
            command
        };
        let started = Instant::now();
        let status = run(&["seed", "--demo"]).status().expect("seed");
        assert!(status.success(), "seed failed");
        prepare(&dir.path().join("devfund.sqlite3"));
        eprintln!("seeded in {:?}", started.elapsed());
        let child = run(&["serve"]).spawn().expect("spawn devfund");
        let service = Service { child, addr, dir };
        service.wait_ready();
        eprintln!("ready after {:?}", started.elapsed());
        service
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        loop {
            let ready = TcpStream::connect(&self.addr).ok().and_then(|mut s| {
                s.write_all(b"GET /health/ready HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .ok()?;
                let mut head = [0u8; 12];
                s.read_exact(&mut head).ok()?;
                Some(&head == b"HTTP/1.1 200")
            });
            if ready == Some(true) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "not ready: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn token(&self) -> String {
        let mut config = Config::for_database("unused", self.dir.path().to_owned());
        config.jwt_secret = Some(Secret::new(JWT_SECRET));
        let keys = AuthKeys::load(&config).expect("keys");
        keys.issue("test-admin", Role::Admin, None, 600)
            .expect("token")
            .0
    }

    /// Sends SIGTERM and waits for the process to end; returns how long that took.
    fn terminate(&mut self) -> Duration {
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                eprintln!("exited ({status}) {:?} after SIGTERM", sent.elapsed());
                return sent.elapsed();
            }
            assert!(
                sent.elapsed() < Duration::from_secs(60),
                "still running a minute after SIGTERM: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes the project list long: thousands of copies of a demo project with a 4 KB title,
/// so its CSV (about 16 MB) cannot sit whole in the sockets' buffers.
fn bulk_projects(db: &Path) {
    let mut conn = SqliteConnection::establish(&db.to_string_lossy()).expect("sqlite");
    conn.batch_execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
         INSERT INTO projects (code, title, title_lower, summary, status, funding_line,
           funding_year, scope, budget_usd_cents, staff_office_share_ppm, exceptional_increase,
           thematic_area, management_city, management_country, beneficiaries, duration_months,
           start_date, end_date, actual_end_date, core_national_ownership,
           core_evidence_and_learning, core_scalability, core_innovation, core_sustainability,
           notable_achievements, rule_warnings, created_at, updated_at, version)
         SELECT 'ZZ.' || i, '{title}', lower('{title}'), summary, status, funding_line,
           funding_year, scope, budget_usd_cents, staff_office_share_ppm, exceptional_increase,
           thematic_area, management_city, management_country, beneficiaries, duration_months,
           start_date, end_date, actual_end_date, core_national_ownership,
           core_evidence_and_learning, core_scalability, core_innovation, core_sustainability,
           notable_achievements, rule_warnings, created_at, updated_at, version
         FROM projects, n WHERE code = 'PO.0125'",
        title = "T".repeat(4000)
    ))
    .expect("bulk projects");
}

#[test]
fn sigterm_ends_a_slow_download_within_the_shutdown_timeout() {
    let mut service = Service::start(bulk_projects);
    let mut download = TcpStream::connect(&service.addr).expect("connect");
    write!(
        download,
        "GET /api/v1/projects?format=csv HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\r\n",
        service.token()
    )
    .expect("request");
    let mut chunk = [0u8; 16 * 1024];
    download.read_exact(&mut chunk[..12]).expect("an answer");
    assert_eq!(&chunk[..12], b"HTTP/1.1 200");

    // Read slowly (about 160 KB/s) on another thread until the process is gone, then take
    // what the sockets still hold at full speed.
    let gone = Arc::new(AtomicBool::new(false));
    let reader = std::thread::spawn({
        let gone = gone.clone();
        move || {
            let mut total = 0;
            loop {
                match download.read(&mut chunk) {
                    Ok(0) | Err(_) => return total,
                    Ok(n) => total += n,
                }
                if !gone.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let took = service.terminate();
    gone.store(true, Ordering::Relaxed);
    assert!(
        took < EXIT_WITHIN,
        "exited {took:?} after SIGTERM: {}",
        service.log()
    );
    let received = reader.join().expect("reader");
    eprintln!("received {received} bytes of the export before it was cut");
    assert!(
        received < 15_000_000,
        "the download finished ({received} bytes) instead of being cut"
    );
    assert!(
        TcpStream::connect(&service.addr).is_err(),
        "still accepting"
    );
}

#[test]
fn sigterm_ends_a_request_whose_body_never_comes_within_the_shutdown_timeout() {
    let mut service = Service::start(|_| {});
    let mut upload = TcpStream::connect(&service.addr).expect("connect");
    upload
        .write_all(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: t\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant",
        )
        .expect("half a request");
    std::thread::sleep(Duration::from_millis(300));
    let took = service.terminate();
    assert!(
        took < EXIT_WITHIN,
        "exited {took:?} after SIGTERM: {}",
        service.log()
    );
    assert!(service.log().contains("shutting down"), "{}", service.log());
}
