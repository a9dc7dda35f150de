//! Tokens this copy of the service has already verified.
//!
//! A client sends the same token on every request until it expires; decoding it (two base64
//! parts, two JSON documents) and checking its HMAC took 15 % of `GET /projects/{code}` in
//! `perf`. The first request that presents a token verifies it in full; later ones find it
//! here by its exact text — signature included, so only the very token that passed can hit —
//! and have its time window checked again, with the same leeway. The keys never change while
//! the service runs, so a token verified once stays valid until it expires. The map is
//! bounded: when it is full it is emptied, and tokens are verified afresh.

use std::collections::HashMap;
use std::sync::Mutex;

use super::keys::{Claims, LEEWAY_SECS};
use super::roles::Role;

/// How many tokens are remembered: far more than the clients of one service copy.
const CAPACITY: usize = 4_096;

#[derive(Default)]
pub struct Verified {
    tokens: Mutex<HashMap<Box<str>, (Claims, Role)>>,
}

impl Verified {
    /// The claims of `token` when it was verified before and is still within its time
    /// window at `now` (Unix seconds).
    pub fn get(&self, token: &str, now: i64) -> Option<(Claims, Role)> {
        let tokens = self.lock();
        let (claims, role) = tokens.get(token)?;
        in_window(claims, now).then(|| (claims.clone(), *role))
    }

    /// Remembers a token that has just passed every check.
    pub fn put(&self, token: &str, claims: &Claims, role: Role) {
        let mut tokens = self.lock();
        if tokens.len() >= CAPACITY {
            tokens.clear();
        }
        tokens.insert(token.into(), (claims.clone(), role));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, (Claims, Role)>> {
        // Every mutation is complete before anything can panic: a poisoned map is whole.
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `exp` and `nbf` as the full verification checks them: expired once `exp` is more than
/// the leeway behind `now`, not yet valid while `nbf` is more than the leeway ahead.
fn in_window(claims: &Claims, now: i64) -> bool {
    let leeway = LEEWAY_SECS as i64;
    now <= claims.exp.saturating_add(leeway)
        && claims
            .nbf
            .is_none_or(|nbf| nbf <= now.saturating_add(leeway))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64, nbf: Option<i64>) -> Claims {
        Claims {
            sub: "alice".into(),
            role: "viewer".into(),
            iss: "devfund".into(),
            aud: "devfund-api".into(),
            exp,
            iat: 0,
            nbf,
            member_states: None,
        }
    }

    #[test]
    fn a_remembered_token_is_answered_only_within_its_window() {
        let verified = Verified::default();
        verified.put("t.o.k", &claims(1_000, Some(500)), Role::Viewer);
        assert!(verified.get("t.o.k", 1_000).is_some());
        assert!(verified.get("t.o.k", 1_030).is_some(), "the leeway");
        assert!(verified.get("t.o.k", 1_031).is_none(), "expired");
        assert!(verified.get("t.o.k", 469).is_none(), "not yet valid");
        assert!(verified.get("t.o.x", 1_000).is_none(), "another token");
    }

    #[test]
    fn the_map_never_holds_more_than_its_capacity() {
        let verified = Verified::default();
        for i in 0..CAPACITY + 10 {
            verified.put(&format!("token-{i}"), &claims(1_000, None), Role::Viewer);
        }
        assert!(verified.lock().len() <= CAPACITY);
        assert!(
            verified
                .get(&format!("token-{}", CAPACITY + 9), 0)
                .is_some()
        );
    }
}
