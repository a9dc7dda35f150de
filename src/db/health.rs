//! What the service believes about its database, so that requests fail fast while it is down.
//!
//! While the database is **up**, a request waits for a pooled connection up to the normal
//! checkout timeout. Once a checkout fails, a connection cannot be made, or a statement fails
//! because the connection broke, the database is **down**: from then on a request takes an
//! idle pooled connection if one is at hand and otherwise answers 503 at once, except that one
//! request per probe interval (the *probe*) waits briefly for a connection. The first success —
//! a probe's, a request that found a working connection, or the pool making a new connection in
//! the background — marks the database up again.
//!
//! The state machine takes the time as an argument, so it is tested without sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The timings of the state machine.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// How long a request waits for a connection while the database is up.
    pub checkout_timeout: Duration,
    /// How long the probe waits for a connection while the database is down.
    pub probe_timeout: Duration,
    /// How often one request may probe while the database is down.
    pub probe_interval: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            checkout_timeout: Duration::from_secs(5),
            probe_timeout: Duration::from_millis(800),
            probe_interval: Duration::from_secs(1),
        }
    }
}

/// How one request may get its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticket {
    /// The database is up: wait up to this long.
    Wait(Duration),
    /// The database is down and this request probes it: wait up to this long.
    Probe(Duration),
    /// The database is down: take an idle connection if there is one, never wait.
    NoWait,
}

#[derive(Debug, Default)]
struct Down {
    since: Option<Instant>,
    next_probe: Option<Instant>,
    probe_started: Option<Instant>,
}

/// The shared belief; one per pool.
#[derive(Debug, Default)]
pub struct DbHealth {
    policy: Policy,
    down: Mutex<Down>,
}

impl DbHealth {
    pub fn new(policy: Policy) -> Self {
        DbHealth {
            policy,
            down: Mutex::default(),
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Down> {
        // The state stays consistent whatever a panicking holder did: recover it.
        self.down.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the database is believed down.
    pub fn is_down(&self) -> bool {
        self.lock().since.is_some()
    }

    /// How the request arriving at `now` may check a connection out.
    pub fn admit(&self, now: Instant) -> Ticket {
        let mut down = self.lock();
        let Some(next_probe) = down.next_probe else {
            return Ticket::Wait(self.policy.checkout_timeout);
        };
        // A probe that never reported (its thread died) does not block the next one forever.
        let probe_stale = down.probe_started.is_some_and(|started| {
            now >= started + self.policy.probe_timeout + self.policy.probe_interval
        });
        if now >= next_probe && (down.probe_started.is_none() || probe_stale) {
            down.probe_started = Some(now);
            Ticket::Probe(self.policy.probe_timeout)
        } else {
            Ticket::NoWait
        }
    }

    /// The database answered (a statement ran, or a new connection was made).
    pub fn succeeded(&self, now: Instant) {
        let mut down = self.lock();
        if let Some(since) = down.since {
            tracing::warn!(
                down_for_secs = now.saturating_duration_since(since).as_secs_f64(),
                "the database answers again"
            );
        }
        *down = Down::default();
    }

    /// A request holding `ticket` could not use the database.
    pub fn failed(&self, ticket: Ticket, now: Instant) {
        let mut down = self.lock();
        match (down.since, ticket) {
            (None, _) => {
                tracing::error!("the database is unreachable; failing fast until it answers");
                *down = Down {
                    since: Some(now),
                    next_probe: Some(now + self.policy.probe_interval),
                    probe_started: None,
                };
            }
            (Some(_), Ticket::Probe(_)) => {
                down.next_probe = Some(now + self.policy.probe_interval);
                down.probe_started = None;
            }
            (Some(_), _) => {}
        }
    }

    /// The pool could not make a connection (from its own background attempts too).
    pub fn connect_failed(&self, now: Instant) {
        self.failed(Ticket::NoWait, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health() -> (DbHealth, Instant) {
        (DbHealth::new(Policy::default()), Instant::now())
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn an_up_database_lets_every_request_wait_the_normal_timeout() {
        let (h, t0) = health();
        assert_eq!(h.admit(t0), Ticket::Wait(secs(5.0)));
        assert_eq!(h.admit(t0 + secs(10.0)), Ticket::Wait(secs(5.0)));
        assert!(!h.is_down());
    }

    #[test]
    fn after_a_failure_requests_do_not_wait_until_the_probe_interval_passes() {
        let (h, t0) = health();
        h.failed(Ticket::Wait(secs(5.0)), t0);
        assert!(h.is_down());
        assert_eq!(h.admit(t0 + secs(0.1)), Ticket::NoWait);
        assert_eq!(h.admit(t0 + secs(0.9)), Ticket::NoWait);
    }

    #[test]
    fn one_request_per_interval_probes_and_the_others_do_not_wait() {
        let (h, t0) = health();
        h.failed(Ticket::Wait(secs(5.0)), t0);
        let probe = h.admit(t0 + secs(1.0));
        assert_eq!(probe, Ticket::Probe(secs(0.8)));
        assert_eq!(h.admit(t0 + secs(1.1)), Ticket::NoWait);
        h.failed(probe, t0 + secs(1.8));
        assert_eq!(h.admit(t0 + secs(2.0)), Ticket::NoWait);
        assert!(matches!(h.admit(t0 + secs(2.8)), Ticket::Probe(_)));
    }

    #[test]
    fn bystander_failures_do_not_postpone_the_next_probe() {
        let (h, t0) = health();
        h.failed(Ticket::Wait(secs(5.0)), t0);
        h.failed(Ticket::NoWait, t0 + secs(0.5));
        h.connect_failed(t0 + secs(0.9));
        assert!(matches!(h.admit(t0 + secs(1.0)), Ticket::Probe(_)));
    }

    #[test]
    fn a_success_marks_the_database_up_again() {
        let (h, t0) = health();
        h.connect_failed(t0);
        let probe = h.admit(t0 + secs(1.0));
        assert!(matches!(probe, Ticket::Probe(_)));
        h.succeeded(t0 + secs(1.2));
        assert!(!h.is_down());
        assert_eq!(h.admit(t0 + secs(1.3)), Ticket::Wait(secs(5.0)));
    }

    #[test]
    fn a_probe_that_never_reports_is_replaced() {
        let (h, t0) = health();
        h.failed(Ticket::Wait(secs(5.0)), t0);
        assert!(matches!(h.admit(t0 + secs(1.0)), Ticket::Probe(_)));
        assert_eq!(h.admit(t0 + secs(2.0)), Ticket::NoWait);
        assert!(matches!(h.admit(t0 + secs(2.9)), Ticket::Probe(_)));
    }
}
