//! Sums of money are exact integers on both databases, past 2^53 and up to i64.

use crate::db_test;
use devfund::auth::Role;
use devfund::models::allocation::Allocation;
use serde_json::json;

db_test!(sums_beyond_two_to_the_53_cents_are_exact, |app| {
    let fm = app.token(Role::FundManager);
    // 2^53 + 1 cents and 2^53 + 3 cents: a float sum would round both.
    for (year, cents) in [
        (2030, 9_007_199_254_740_993_i64),
        (2031, 9_007_199_254_740_995_i64),
    ] {
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        app.put(&format!("/api/v1/allocations/{year}/line_2"))
            .bearer(&fm)
            .json(&json!({"envelope": {"amount": amount, "currency": "USD"}}))
            .send()
            .await
            .assert_status(201);
    }
    let mut conn = app.state.pool.get().expect("conn");
    let total = Allocation::total_envelope(&mut conn, "line_2").expect("sum");
    assert_eq!(
        total,
        9_007_199_254_740_993 + 9_007_199_254_740_995 + 1_360_000_000
    );
    assert_eq!(
        Allocation::total_envelope(&mut conn, "line_3").expect("empty sum"),
        0
    );
});
