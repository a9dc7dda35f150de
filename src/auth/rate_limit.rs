//! Failed-login limiter: slows password guessing down without letting a guesser lock the real
//! user out.
//!
//! Limiting by user name alone (as this module once did) lets anyone lock `alice` out by
//! failing five times as her. Limiting by address alone lets a botnet guess one account from
//! many addresses. So three records are kept, over a window of 15 minutes:
//!
//! 1. **Pair** (user name, client address): after 5 failures, each within a window of the
//!    one before, the pair is refused for 30 s, and each further failure doubles the wait
//!    (60 s, 120 s, …), capped at the window. The record is forgotten once a whole window
//!    passes after its wait ends: a user who mistyped is free again after the window, while a
//!    guesser who keeps at it stays at one guess per window instead of five fresh ones.
//! 2. **Address**: 20 failures, whatever the names, refuse the address until the oldest of
//!    them leaves the window (one address trying many accounts).
//! 3. **Name, across addresses**: at 10 failures for a name in the window (a distributed
//!    guess at one account), an address that has itself failed for that name in the window is
//!    refused; an address with no failure for it still gets its attempt. The real user, from
//!    an address of their own, still signs in; a botnet gets about one guess per address per
//!    window.
//!
//! A refused attempt is not a failure: it reaches no password check and counts nowhere.
//!
//! An attempt is counted as a failure *when it starts* ([`LoginLimiter::begin`]), under the
//! lock that checks the limits, and taken back when it succeeds
//! ([`LoginLimiter::succeeded`]) or could not be decided ([`LoginLimiter::abandoned`], e.g.
//! the database is down). Checking first and counting after the slow password hash would let
//! a burst of parallel guesses through before the first failure is recorded. A success clears
//! its pair's record only: the address and the name keep their other failures.
//!
//! Names are compared case-insensitively. IPv6 clients are counted per /64 (the block one
//! subscriber usually holds, so a single host cannot pose as 2^64 addresses); IPv4-mapped
//! IPv6 addresses count as their IPv4 address. The address is the TCP peer: behind a reverse
//! proxy every client shares the proxy's address, and rule 2 then applies to all of them.
//!
//! Memory is bounded: records past their lifetime are dropped when a map grows past
//! [`Policy::max_entries`], and if live records alone exceed it, the least recently failed
//! are dropped. Kept in memory per service copy; behind a load balancer each copy limits on
//! its own, which still bounds guessing to (copies × limit) per window.
//!
//! Time is a parameter (`now`) of every method, so the rules are tested without sleeping.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The limits; [`Policy::default`] is what the service uses.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How long a failure counts.
    pub window: Duration,
    /// Failures of one (name, address) pair before it must wait.
    pub pair_limit: u32,
    /// The first wait of a pair at its limit; it doubles with each further failure.
    pub first_backoff: Duration,
    /// Failures from one address, any names, before it is refused.
    pub address_limit: usize,
    /// Failures for one name, any addresses, before addresses that failed for it are refused.
    pub name_limit: usize,
    /// Records kept per kind (pairs, addresses, names) before the oldest are dropped.
    pub max_entries: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: Duration::from_secs(15 * 60),
            pair_limit: 5,
            first_backoff: Duration::from_secs(30),
            address_limit: 20,
            name_limit: 10,
            max_entries: 20_000,
        }
    }
}

/// A sign-in attempt the limiter let through, counted as a failure until it is reported
/// otherwise.
#[must_use = "report a success with `succeeded`, an undecided attempt with `abandoned`"]
#[derive(Debug)]
pub struct Attempt {
    name: String,
    net: Net,
    at: Instant,
}

/// An address as the limiter counts it: IPv4 whole, IPv6 by /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Net(IpAddr);

impl Net {
    fn of(address: IpAddr) -> Net {
        match address {
            IpAddr::V4(_) => Net(address),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Net(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Net(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

/// A pair's failures: how many in a row, and when the last one was.
#[derive(Debug, Clone, Copy)]
struct Strikes {
    count: u32,
    last: Instant,
}

/// The times of the most recent failures of an address or a name, oldest first; no more
/// are kept than the limit needs.
type Recent = VecDeque<Instant>;

#[derive(Default)]
struct State {
    pairs: HashMap<(String, Net), Strikes>,
    addresses: HashMap<Net, Recent>,
    names: HashMap<String, Recent>,
}

pub struct LoginLimiter {
    policy: Policy,
    state: Mutex<State>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Policy::default())
    }
}

impl LoginLimiter {
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            state: Mutex::new(State::default()),
        }
    }

    /// Lets an attempt by `name` from `address` through, counting it as a failure until
    /// reported otherwise, or refuses it with the number of seconds to wait (at least 1).
    pub fn begin(&self, name: &str, address: IpAddr, now: Instant) -> Result<Attempt, u64> {
        let p = &self.policy;
        let name = name.to_lowercase();
        let net = Net::of(address);
        let pair = (name, net);
        let mut state = self.lock();
        let State {
            pairs,
            addresses,
            names,
        } = &mut *state;

        if pairs.get(&pair).is_some_and(|s| now >= self.expiry(s)) {
            pairs.remove(&pair);
        }
        let strikes = pairs.get(&pair).copied();
        let mut until: Option<Instant> = None;
        let mut refuse = |at: Instant| {
            if at > now {
                until = Some(until.map_or(at, |u| u.max(at)));
            }
        };
        // 1. The pair, with its backoff.
        if let Some(s) = strikes {
            refuse(s.last + self.backoff(s.count));
        }
        // 2. The address.
        if let Some(oldest) = full(addresses.get_mut(&net), p.address_limit, now, p.window) {
            refuse(oldest + p.window);
        }
        // 3. The name, for an address that has failed for it in the window.
        if let Some(s) = strikes.filter(|s| now < s.last + p.window)
            && let Some(oldest) = full(names.get_mut(&pair.0), p.name_limit, now, p.window)
        {
            refuse((oldest + p.window).min(s.last + p.window));
        }
        if let Some(until) = until {
            let wait = until.duration_since(now);
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }

        let s = pairs.entry(pair.clone()).or_insert(Strikes {
            count: 0,
            last: now,
        });
        s.count += 1;
        s.last = now;
        push(addresses.entry(net).or_default(), now, p.address_limit);
        push(names.entry(pair.0.clone()).or_default(), now, p.name_limit);

        let window = p.window;
        bound(
            pairs,
            p.max_entries,
            |s| now < self.expiry(s),
            |s| Some(s.last),
        );
        bound(
            addresses,
            p.max_entries,
            |r| is_live(r, now, window),
            newest,
        );
        bound(names, p.max_entries, |r| is_live(r, now, window), newest);
        Ok(Attempt {
            name: pair.0,
            net,
            at: now,
        })
    }

    /// The credentials were right: the pair's record is cleared, and this attempt no longer
    /// counts for its address or name (their other failures stay).
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self.lock();
        let key = (attempt.name, attempt.net);
        state.pairs.remove(&key);
        take_back(&mut state.addresses, &key.1, attempt.at);
        take_back(&mut state.names, &key.0, attempt.at);
    }

    /// The attempt could not be decided (an internal error): it no longer counts anywhere.
    pub fn abandoned(&self, attempt: Attempt) {
        let mut state = self.lock();
        let key = (attempt.name, attempt.net);
        if let Some(s) = state.pairs.get_mut(&key) {
            s.count = s.count.saturating_sub(1);
            if s.count == 0 {
                state.pairs.remove(&key);
            }
        }
        take_back(&mut state.addresses, &key.1, attempt.at);
        take_back(&mut state.names, &key.0, attempt.at);
    }

    /// How long a pair with `count` failures waits after its last one.
    fn backoff(&self, count: u32) -> Duration {
        let p = &self.policy;
        match count.checked_sub(p.pair_limit) {
            None => Duration::ZERO,
            Some(extra) => p
                .first_backoff
                .saturating_mul(1u32 << extra.min(20))
                .min(p.window),
        }
    }

    /// When a pair's record is forgotten: a window after its wait ends.
    fn expiry(&self, s: &Strikes) -> Instant {
        s.last + self.backoff(s.count) + self.policy.window
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves counters, not invariants: carry on.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Drops the failures that left the window; when `limit` remain, the oldest of them.
fn full(
    recent: Option<&mut Recent>,
    limit: usize,
    now: Instant,
    window: Duration,
) -> Option<Instant> {
    let recent = recent?;
    while recent.front().is_some_and(|t| now >= *t + window) {
        recent.pop_front();
    }
    (recent.len() >= limit)
        .then(|| recent.front().copied())
        .flatten()
}

/// Records a failure, keeping only the `limit` most recent: the limit is reached exactly when
/// all of them are in the window.
fn push(recent: &mut Recent, now: Instant, limit: usize) {
    recent.push_back(now);
    while recent.len() > limit.max(1) {
        recent.pop_front();
    }
}

fn take_back<K: Eq + Hash>(map: &mut HashMap<K, Recent>, key: &K, at: Instant) {
    if let Some(recent) = map.get_mut(key) {
        if let Some(i) = recent.iter().rposition(|t| *t == at) {
            recent.remove(i);
        }
        if recent.is_empty() {
            map.remove(key);
        }
    }
}

fn is_live(recent: &Recent, now: Instant, window: Duration) -> bool {
    recent.back().is_some_and(|t| now < *t + window)
}

fn newest(recent: &Recent) -> Option<Instant> {
    recent.back().copied()
}

/// Keeps `map` at most `cap` entries: past it, drops expired records, then if need be the
/// least recently failed, down to three quarters of `cap` (so this runs once per many
/// failures, not on each).
fn bound<K: Eq + Hash + Clone, V>(
    map: &mut HashMap<K, V>,
    cap: usize,
    live: impl Fn(&V) -> bool,
    last: impl Fn(&V) -> Option<Instant>,
) {
    if map.len() <= cap {
        return;
    }
    map.retain(|_, v| live(v));
    if map.len() <= cap {
        return;
    }
    let mut by_age: Vec<(Option<Instant>, K)> =
        map.iter().map(|(k, v)| (last(v), k.clone())).collect();
    by_age.sort_unstable_by_key(|(t, _)| *t);
    let excess = map.len() - cap * 3 / 4;
    for (_, key) in by_age.into_iter().take(excess) {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests;
