//! The limiter's rules, each with time injected.

use super::*;

const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

fn addr(i: u32) -> IpAddr {
    IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i))
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// `n` failures for `name` from `address` at `now`, each let through.
fn fail(l: &LoginLimiter, name: &str, address: IpAddr, now: Instant, n: usize) {
    for i in 0..n {
        let _failed = l
            .begin(name, address, now)
            .unwrap_or_else(|w| panic!("failure {i} of {name} refused for {w} s"));
    }
}

#[test]
fn a_pair_waits_after_five_failures_and_the_wait_doubles() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    fail(&l, "alice", HOME, t0, 5);
    assert_eq!(l.begin("alice", HOME, t0).unwrap_err(), 30);
    assert_eq!(l.begin("alice", HOME, t0 + secs(10)).unwrap_err(), 20);
    // The wait over, one more guess; it fails, and the next wait is 60 s, then 120 s.
    fail(&l, "alice", HOME, t0 + secs(30), 1);
    assert_eq!(l.begin("alice", HOME, t0 + secs(30)).unwrap_err(), 60);
    fail(&l, "alice", HOME, t0 + secs(90), 1);
    assert_eq!(l.begin("alice", HOME, t0 + secs(90)).unwrap_err(), 120);
}

#[test]
fn the_backoff_is_capped_at_the_window_and_outlives_it() {
    let l = LoginLimiter::default();
    let mut t = Instant::now();
    fail(&l, "alice", HOME, t, 5);
    let mut waits = Vec::new();
    for _ in 0..6 {
        let wait = l.begin("alice", HOME, t).unwrap_err();
        waits.push(wait);
        t += secs(wait);
        fail(&l, "alice", HOME, t, 1);
    }
    assert_eq!(waits, [30, 60, 120, 240, 480, 900]);
    // Still one guess per window, not five fresh ones.
    assert_eq!(l.begin("alice", HOME, t).unwrap_err(), 900);
}

#[test]
fn a_pair_is_forgotten_a_window_after_its_last_failure() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    fail(&l, "alice", HOME, t0, 4);
    fail(&l, "alice", HOME, t0 + secs(900), 4);
    assert!(l.begin("alice", HOME, t0 + secs(900)).is_ok());
}

#[test]
fn a_success_clears_its_pair_only() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    fail(&l, "alice", HOME, t0, 4);
    fail(&l, "bob", HOME, t0, 4);
    let ok = l.begin("alice", HOME, t0).unwrap();
    l.succeeded(ok);
    fail(&l, "alice", HOME, t0, 4);
    assert!(l.begin("alice", HOME, t0).is_ok());
    assert!(l.begin("bob", HOME, t0).is_ok());
    assert!(l.begin("bob", HOME, t0).is_err(), "bob's failures stay");
}

#[test]
fn the_real_user_from_a_fresh_address_is_not_blocked_by_a_guesser() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    fail(&l, "alice", addr(666), t0, 5);
    assert!(l.begin("alice", addr(666), t0).is_err());
    let attempt = l.begin("alice", HOME, t0 + secs(1)).expect("fresh address");
    l.succeeded(attempt);
}

#[test]
fn an_address_failing_for_many_names_is_refused() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    for i in 0..20 {
        fail(&l, &format!("user{i}"), HOME, t0 + secs(i), 1);
    }
    assert_eq!(l.begin("someone", HOME, t0 + secs(20)).unwrap_err(), 880);
    assert!(l.begin("someone", addr(1), t0 + secs(20)).is_ok());
    // As the oldest failures leave the window, the address may try again.
    assert!(l.begin("someone", HOME, t0 + secs(900)).is_ok());
}

#[test]
fn a_distributed_guess_gets_one_try_per_address_while_fresh_addresses_still_sign_in() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    for i in 0..10 {
        fail(&l, "alice", addr(i), t0, 1);
    }
    // Past 10 failures for alice, an address that failed for her waits…
    let wait = l.begin("alice", addr(3), t0 + secs(60)).unwrap_err();
    assert_eq!(wait, 840);
    // …though it may still try other names…
    assert!(l.begin("bob", addr(3), t0 + secs(60)).is_ok());
    // …and every address that has not failed for alice gets its attempt, the real user's
    // among them.
    for i in 10..50 {
        fail(&l, "alice", addr(i), t0 + secs(60), 1);
    }
    let attempt = l
        .begin("alice", HOME, t0 + secs(61))
        .expect("the real user");
    l.succeeded(attempt);
}

#[test]
fn a_refused_attempt_counts_nowhere() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    fail(&l, "alice", HOME, t0, 5);
    for _ in 0..100 {
        assert!(l.begin("alice", HOME, t0).is_err());
    }
    assert!(l.begin("bob", HOME, t0).is_ok(), "the address is not at 20");
    assert!(l.begin("alice", HOME, t0 + secs(30)).is_ok());
}

#[test]
fn parallel_attempts_are_counted_before_they_are_decided() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    let in_flight: Vec<Attempt> = (0..5)
        .map(|_| l.begin("alice", HOME, t0).unwrap())
        .collect();
    assert!(
        l.begin("alice", HOME, t0).is_err(),
        "a sixth guess in the burst"
    );
    // A database failure takes its attempt back.
    for attempt in in_flight {
        l.abandoned(attempt);
    }
    assert!(l.begin("alice", HOME, t0).is_ok());
}

#[test]
fn names_are_case_insensitive_and_ipv6_counts_per_64() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    let host = |last: u16| IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, last));
    for i in 0..5 {
        fail(
            &l,
            if i % 2 == 0 { "Alice" } else { "ALICE" },
            host(i),
            t0,
            1,
        );
    }
    assert!(l.begin("alice", host(99), t0).is_err());
    let other_net = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 0, 0, 1));
    assert!(l.begin("alice", other_net, t0).is_ok());
    let mapped = IpAddr::V6(std::net::Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
    fail(&l, "carol", mapped, t0, 5);
    assert!(l.begin("carol", HOME, t0).is_err());
}

#[test]
fn memory_stays_bounded_under_a_flood_of_names_and_addresses() {
    let l = LoginLimiter::new(Policy {
        max_entries: 100,
        ..Policy::default()
    });
    let t0 = Instant::now();
    for i in 0..1_000 {
        let _ = l.begin(
            &format!("user{i}"),
            addr(i),
            t0 + Duration::from_millis(u64::from(i)),
        );
    }
    let state = l.lock();
    assert!(state.pairs.len() <= 100, "{}", state.pairs.len());
    assert!(state.addresses.len() <= 100);
    assert!(state.names.len() <= 100);
    // The most recent records are the ones kept.
    assert!(state.names.contains_key("user999"));
}
