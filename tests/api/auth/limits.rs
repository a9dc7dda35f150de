//! Failed sign-ins: the pair and address limits through HTTP (the limiter's unit tests
//! cover the rest, with time injected).

use super::{add_user, assert_oauth, token_form};
use crate::db_test;

db_test!(
    repeated_failed_logins_lock_that_name_from_that_address_only,
    |app| {
        add_user(&app, "carol", "viewer", "person", "carol-password-123").await;
        add_user(&app, "dave", "viewer", "person", "dave-password-123").await;
        for _ in 0..5 {
            let r = token_form(
                &app,
                "grant_type=password&username=carol&password=guess-guess",
            )
            .await;
            assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
        }
        // Now even the right password waits, from this address…
        let r = token_form(
            &app,
            "grant_type=password&username=carol&password=carol-password-123",
        )
        .await;
        assert_oauth(&r, 429, "rate_limited", "invalid_request");
        let wait: u64 = r
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!(wait > 0 && wait <= 30, "the first backoff is 30 s: {wait}");
        // …but the name is not locked for everyone, nor the address for every name (a fresh
        // address signing in as carol is proved in the limiter's unit tests: the test client has
        // only one address).
        token_form(
            &app,
            "grant_type=password&username=dave&password=dave-password-123",
        )
        .await
        .assert_status(200);
    }
);

db_test!(an_address_failing_for_many_names_is_refused, |app| {
    // 19 failures for other names from the test client's address, recorded straight into
    // the limiter (the password hash makes each through HTTP slow); the 20th goes through
    // HTTP, so the handler is proved to count the same address.
    let address = std::net::IpAddr::from([127, 0, 0, 1]);
    for i in 0..19 {
        let _failed = app
            .state
            .limiter
            .begin(&format!("user{i}"), address, std::time::Instant::now())
            .unwrap();
    }
    let r = token_form(&app, "grant_type=password&username=user19&password=guess").await;
    assert_oauth(&r, 400, "invalid_grant", "invalid_grant");
    let r = token_form(&app, "grant_type=password&username=anyone&password=guess").await;
    assert_oauth(&r, 429, "rate_limited", "invalid_request");
    assert!(r.header("retry-after").is_some());
});
