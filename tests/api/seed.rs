//! `devfund seed --demo` loads the booklet's member states, idempotently.

use crate::db_test;
use devfund::auth::Role;

db_test!(the_demo_seed_loads_the_booklet_states_once, |app| {
    let mut conn = app.state.pool.get().expect("conn");
    let first = devfund::services::seed::demo(&mut conn).expect("seed");
    assert_eq!(first.member_states_created, 10);
    assert_eq!(first.eligibility_written, 11);
    let again = devfund::services::seed::demo(&mut conn).expect("seed again");
    assert_eq!(
        again,
        devfund::services::seed::SeedReport::default(),
        "a second run changes nothing"
    );
    drop(conn);
    let t = app.token(Role::Viewer);
    let list = app
        .get("/api/v1/member-states?region=AP&sort=iso3")
        .bearer(&t)
        .send()
        .await
        .json();
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["iso3"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["KHM", "LAO", "NPL", "TLS", "VNM"]);
    let bra = app
        .get("/api/v1/member-states/BRA")
        .bearer(&t)
        .send()
        .await
        .json();
    assert_eq!(bra["eligibility"]["year"], 2019);
    assert_eq!(bra["eligibility"]["line_1_eligible"], true);
    let events = app
        .get("/api/v1/audit-events?subject=system:seed")
        .signed_as(Role::Admin)
        .send()
        .await
        .json();
    assert_eq!(events["meta"]["total"], 21);
});
