//! Closes a kept-alive connection whose next request head does not arrive in time.
//!
//! actix-http times the head of the *first* request on a connection only: once a kept-alive
//! connection receives a byte of its next request, its keep-alive timer stops and nothing
//! times the rest of that head, so a client that sends one request and then a few bytes of
//! another holds the connection for ever (measured: still open after 15 s with every
//! timeout at 1 s). Enough such connections exhaust the per-worker cap.
//!
//! [`ConnGuard`] closes that gap from outside the dispatcher: on connect it keeps a duplicate
//! of the socket; the request middleware marks the connection busy while a request is being
//! served ([`ConnGuard::busy`], until its response body ends); and a timer shuts the socket
//! down once the connection has been between requests for longer than the keep-alive time
//! plus the request timeout — which only a stalled head can make happen, since actix itself
//! closes a connection that stays idle past the keep-alive time.
//!
//! The cost is one extra file descriptor per open connection, and that a client which reads
//! the last 32 KiB of a response (the write buffer) more slowly than over that whole interval
//! loses them.

use std::any::Any;
use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use actix_web::rt::time::{Instant, sleep_until};

/// One connection's guard, kept in the connection's data.
pub struct ConnGuard {
    socket: socket2::Socket,
    /// When the connection last became idle; `None` while a request is being served.
    idle_since: Cell<Option<Instant>>,
    /// Requests being served (pipelined ones overlap briefly).
    in_flight: Cell<u32>,
    limit: Duration,
}

/// Marks its connection busy until dropped.
pub struct Busy(Rc<ConnGuard>);

impl Drop for Busy {
    fn drop(&mut self) {
        let left = self.0.in_flight.get().saturating_sub(1);
        self.0.in_flight.set(left);
        if left == 0 {
            self.0.idle_since.set(Some(Instant::now()));
        }
    }
}

impl ConnGuard {
    /// The `on_connect` hook: guards TCP connections with `limit` between requests.
    pub fn on_connect(limit: Duration) -> impl Fn(&dyn Any, &mut Extensions) + Send + Sync {
        move |conn, data| {
            let Some(stream) = conn.downcast_ref::<TcpStream>() else {
                return;
            };
            match socket2::SockRef::from(stream).try_clone() {
                Ok(socket) => {
                    let guard = Rc::new(ConnGuard {
                        socket,
                        idle_since: Cell::new(Some(Instant::now())),
                        in_flight: Cell::new(0),
                        limit,
                    });
                    actix_web::rt::spawn(watch(Rc::downgrade(&guard)));
                    data.insert(guard);
                }
                Err(e) => tracing::warn!(error = %e, "cannot guard a connection"),
            }
        }
    }

    /// Marks the connection busy for as long as the returned value lives.
    pub fn busy(self: &Rc<Self>) -> Busy {
        self.in_flight.set(self.in_flight.get() + 1);
        self.idle_since.set(None);
        Busy(self.clone())
    }
}

/// Shuts the connection down once it has been idle past the limit; ends with the connection.
async fn watch(guard: Weak<ConnGuard>) {
    loop {
        let wake = {
            let Some(guard) = guard.upgrade() else { return };
            match guard.idle_since.get() {
                Some(since) if Instant::now() >= since + guard.limit => {
                    tracing::info!(
                        "closing a kept-alive connection whose next request did not arrive in time"
                    );
                    let _ = guard.socket.shutdown(std::net::Shutdown::Both);
                    return;
                }
                Some(since) => since + guard.limit,
                None => Instant::now() + guard.limit,
            }
        };
        sleep_until(wake).await;
    }
}
