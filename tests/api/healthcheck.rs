//! `devfund healthcheck`, the container health check: exit 0 when the service on the bind
//! address is ready, 1 when it answers anything else or nothing.

use std::process::Command;

use crate::support::raw;
use crate::support::{Backend, TestApp};

/// Runs `devfund healthcheck` against `bind`; true when it exits 0.
async fn healthy(bind: String) -> bool {
    actix_web::rt::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_devfund"))
            .args(["healthcheck", "--timeout-secs", "3"])
            .env("DEVFUND_BIND", bind)
            .output()
            .expect("run devfund healthcheck")
            .status
            .success()
    })
    .await
    .expect("ran")
}

#[actix_web::test]
async fn the_health_check_passes_only_while_the_service_is_ready() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.db_pool_size = 1).await;
    let bind = raw::address(&app.base);
    assert!(healthy(bind.clone()).await, "a ready service is healthy");

    // The only pooled connection held: readiness answers 503, and the check fails.
    let held = app.state.pool.get().expect("conn");
    assert!(!healthy(bind.clone()).await, "503 is unhealthy");
    drop(held);
    assert!(healthy(bind.clone()).await);

    app.stop().await;
    assert!(!healthy(bind).await, "no service is unhealthy");
}
