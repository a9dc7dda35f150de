//! The HTTP server around the [app]: connection limits and timeouts, used by
//! `devfund serve` and by the integration tests alike, and a shutdown that is bounded.
//!
//! Limits on a connection (all from [`Config`]): the request head must arrive within the
//! request timeout (actix answers a bare 408 and closes otherwise; [`ConnGuard`] covers the
//! heads of later requests on a kept-alive connection, which actix does not time), an idle
//! keep-alive connection is closed after the keep-alive time, each worker holds at most
//! `max_connections` connections (further ones wait in the listen backlog), and a connection
//! being closed gets one second to go. The body deadline and the header limits live in the
//! request middleware ([`crate::app::middleware::limits`]).
//!
//! Shutdown ([`run_until_signalled`]): on SIGTERM or SIGINT the server stops accepting,
//! in-flight requests get the shutdown timeout to finish, and then the process exits
//! regardless — a watchdog thread ends it if anything still holds it two seconds later. A
//! second signal exits at once.

use std::io;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::KeepAlive;
use actix_web::{HttpServer, web};

use crate::api::system::ServedDocument;
use crate::app::{self, middleware::conn_guard::ConnGuard};
use crate::config::Config;
use crate::state::AppState;

/// How long a connection being closed may linger (to flush, and to read what a client still
/// sends of a body nobody will read) before it is dropped.
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long after the shutdown timeout the watchdog ends a process that is still running.
const WATCHDOG_GRACE: Duration = Duration::from_secs(2);

/// Where the server listens.
pub enum Listen {
    /// Bind this address (with the configured backlog).
    Bind(String),
    /// Use a socket already listening (tests bind port 0).
    Listener(TcpListener),
}

/// Starts the server; it runs once the returned future is polled. OS signals are left to
/// the caller ([`run_until_signalled`] for `serve`; tests stop the server by its handle).
pub fn start(state: web::Data<AppState>, config: &Config, listen: Listen) -> io::Result<Server> {
    let workers = workers(config);
    let keep_alive = match config.keep_alive_secs {
        0 => KeepAlive::Disabled,
        secs => KeepAlive::Timeout(Duration::from_secs(secs)),
    };
    let request_timeout = Duration::from_secs(config.request_timeout_secs);
    let document = ServedDocument::for_catalogue(&state.catalogue).map_err(io::Error::other)?;
    let document = web::Data::new(document);
    let mut server = HttpServer::new(move || app::build(state.clone(), document.clone()));
    if let KeepAlive::Timeout(keep_alive) = keep_alive {
        server = server.on_connect(ConnGuard::on_connect(keep_alive + request_timeout));
    }
    let server = server
        .workers(workers)
        .backlog(config.backlog)
        .max_connections(usize::try_from(config.max_connections).unwrap_or(usize::MAX))
        .client_request_timeout(request_timeout)
        .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
        .keep_alive(keep_alive)
        .shutdown_timeout(config.shutdown_timeout_secs)
        .disable_signals();
    let server = match listen {
        Listen::Bind(addr) => server.bind(&addr)?,
        Listen::Listener(listener) => server.listen(listener)?,
    };
    Ok(server.run())
}

/// HTTP worker threads: as configured, or one per core.
pub fn workers(config: &Config) -> usize {
    config
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Runs `server` until SIGTERM or SIGINT, then shuts it down within `shutdown_timeout`.
pub async fn run_until_signalled(server: Server, shutdown_timeout: Duration) -> io::Result<()> {
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        let Some(signal) = next_signal().await else {
            return;
        };
        tracing::info!(
            signal,
            timeout_secs = shutdown_timeout.as_secs(),
            "shutting down: no new connections; in-flight requests may finish within the timeout"
        );
        start_watchdog(shutdown_timeout + WATCHDOG_GRACE);
        let stop = handle.stop(true);
        futures_util::pin_mut!(stop);
        let again = next_signal();
        futures_util::pin_mut!(again);
        if let futures_util::future::Either::Right((Some(signal), _)) =
            futures_util::future::select(stop, again).await
        {
            tracing::warn!(signal, "second signal: exiting now");
            std::process::exit(1);
        }
    });
    server.await
}

/// The next SIGTERM or SIGINT; `None` when signals cannot be watched (logged).
async fn next_signal() -> Option<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "cannot watch SIGTERM and SIGINT; stop the process by SIGKILL");
            return None;
        }
    };
    let term = std::pin::pin!(term.recv());
    let int = std::pin::pin!(int.recv());
    match futures_util::future::select(term, int).await {
        futures_util::future::Either::Left(_) => Some("SIGTERM"),
        futures_util::future::Either::Right(_) => Some("SIGINT"),
    }
}

/// Ends the process after `after`, whatever still holds it (a connection that outlived the
/// server's own shutdown timeout, a blocking database call).
fn start_watchdog(after: Duration) {
    let spawned = std::thread::Builder::new()
        .name("shutdown-watchdog".into())
        .spawn(move || {
            std::thread::sleep(after);
            tracing::error!(
                after_secs = after.as_secs(),
                "shutdown took too long; exiting with requests still in flight"
            );
            std::process::exit(1);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the shutdown watchdog");
    }
}
