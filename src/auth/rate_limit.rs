//! Failed-login limiter: per user name and per client address, in a sliding window.
//!
//! Kept in memory per service copy; behind a load balancer each copy limits on its own,
//! which still bounds guessing to (copies × limit) per window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    window: Duration,
    per_user: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl LoginLimiter {
    pub fn new(window: Duration, per_user: usize, per_address: usize) -> Self {
        Self {
            window,
            per_user,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when either the user or the address has too many recent failures.
    pub fn check(&self, username: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        for (key, limit) in [
            (user_key(username), self.per_user),
            (addr_key(address), self.per_address),
        ] {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= limit {
                    let oldest = times[0];
                    let left = self.window.saturating_sub(now.duration_since(oldest));
                    wait = wait.max(left.as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    pub fn record_failure(&self, username: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(user_key(username)).or_default().push(now);
        map.entry(addr_key(address)).or_default().push(now);
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
    }

    pub fn record_success(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&user_key(username));
    }
}

fn user_key(username: &str) -> String {
    format!("u:{}", username.to_lowercase())
}

fn addr_key(address: &str) -> String {
    format!("a:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_for_a_user_is_refused() {
        let l = LoginLimiter::default();
        for _ in 0..5 {
            assert!(l.check("bob", "1.2.3.4").is_ok());
            l.record_failure("bob", "1.2.3.4");
        }
        assert!(l.check("bob", "5.6.7.8").is_err());
        assert!(l.check("carol", "5.6.7.8").is_ok());
    }

    #[test]
    fn many_users_from_one_address_are_refused() {
        let l = LoginLimiter::new(Duration::from_secs(60), 100, 3);
        for i in 0..3 {
            l.record_failure(&format!("user{i}"), "9.9.9.9");
        }
        assert!(l.check("someone", "9.9.9.9").is_err());
    }
}
