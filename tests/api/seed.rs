//! `devfund seed --demo` loads the booklet's member states, idempotently.

use crate::db_test;
use devfund::auth::Role;

db_test!(the_demo_seed_loads_the_booklet_states_once, |app| {
    let mut conn = app.state.pool.get().expect("conn");
    let first = devfund::seed::demo(&mut conn, &app.state.catalogue).expect("seed");
    assert_eq!(first.member_states_created, 10);
    assert_eq!(first.eligibility_written, 11);
    assert_eq!(first.projects_created, 9);
    let again = devfund::seed::demo(&mut conn, &app.state.catalogue).expect("seed again");
    assert_eq!(
        again,
        devfund::seed::SeedReport::default(),
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
    // 10 states, 11 eligibility records, 9 projects, 2 links (PO.0141 builds on two), one
    // exchange rate, 12 follow-up records (each also noted on its project), and the booklet's
    // three ex-post evaluations.
    assert_eq!(events["meta"]["total"], 60);
    let p = app
        .get("/api/v1/projects/CT.0921")
        .bearer(&t)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(p["scope"], "regional");
    assert_eq!(
        p["member_states"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["iso3"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["KHM", "VNM", "LAO"]
    );
    assert_eq!(p["budget"]["amount"], "300000.00");
    let links = app
        .get("/api/v1/projects/PO.0141/links")
        .bearer(&t)
        .send()
        .await
        .json();
    let targets: Vec<String> = links["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["target_code"].as_str().map_or_else(
                || l["target_title"].as_str().unwrap().to_owned(),
                str::to_owned,
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            "IM.0043 – Improving Legal Assistance to Migrants in Brazil",
            "PO.0125"
        ]
    );
    let ib = app
        .get("/api/v1/projects/IB.0123")
        .bearer(&t)
        .send()
        .await
        .json();
    assert!(
        ib["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "missing_sdg_10_7"),
        "IB.0123 lists no SDG 10.7"
    );
});

db_test!(synthetic_projects_are_generated_once_and_listable, |app| {
    let mut conn = app.state.pool.get().expect("conn");
    assert_eq!(
        devfund::seed::synthetic(&mut conn, &app.state.catalogue, 40).expect("generate"),
        40
    );
    assert_eq!(
        devfund::seed::synthetic(&mut conn, &app.state.catalogue, 40).expect("again"),
        0
    );
    assert_eq!(
        devfund::seed::synthetic_follow_ups(&mut conn, 40, 30).expect("follow-ups"),
        30
    );
    drop(conn);
    let t = app.token(Role::Viewer);
    let list = app
        .get("/api/v1/projects?per_page=100")
        .bearer(&t)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(list["meta"]["total"], 49);
    let p = app
        .get("/api/v1/projects/XA.0039")
        .bearer(&t)
        .send()
        .await
        .assert_status(200)
        .json();
    assert!(
        p["sdg_targets"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("10.7"))
    );
    let statuses: std::collections::BTreeSet<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap().to_owned())
        .collect();
    assert!(statuses.len() >= 4, "{statuses:?}");
    let fus = app
        .get("/api/v1/follow-up-funding?per_page=1")
        .bearer(&t)
        .send()
        .await
        .json();
    assert_eq!(
        fus["meta"]["total"], 42,
        "the booklet's 12 and 30 generated"
    );
    let unconverted = app
        .get("/api/v1/reports/leverage")
        .bearer(&t)
        .send()
        .await
        .json();
    assert!(unconverted["by_status"].as_array().unwrap().len() >= 3);
});

db_test!(synthetic_evaluations_feed_the_learning_reports, |app| {
    let mut conn = app.state.pool.get().expect("conn");
    devfund::seed::synthetic(&mut conn, &app.state.catalogue, 60).expect("projects");
    assert_eq!(
        devfund::seed::synthetic_evaluations(&mut conn, 60, 40, 150).expect("evaluations"),
        (40, 150)
    );
    drop(conn);
    let t = app.token(Role::Viewer);
    let get = |path: &'static str| {
        let (app, t) = (&app, &t);
        async move {
            app.get(path)
                .bearer(t)
                .send()
                .await
                .assert_status(200)
                .json()
        }
    };
    let evaluations = get("/api/v1/evaluations?per_page=1").await;
    assert_eq!(
        evaluations["meta"]["total"], 43,
        "the booklet's 3 and 40 generated"
    );
    let recommendations = get("/api/v1/reports/recommendations?group_by=status").await;
    assert_eq!(recommendations["totals"]["recommendations"], 150);
    assert!(
        recommendations["rows"].as_array().unwrap().len() >= 4,
        "{recommendations}"
    );
    // Every generated project has an end date, so the compliance report sees more than the
    // demo's unknown ends: ended ones in several states.
    let compliance = get("/api/v1/reports/evaluation-compliance?as_of=2030-01-01").await;
    let totals = &compliance["totals"];
    let known: u64 = ["overdue", "done", "done_late"]
        .iter()
        .map(|s| totals[*s].as_u64().unwrap_or(0))
        .sum();
    assert!(known > 0, "{totals}");
    assert_eq!(
        totals["unknown_end"], 6,
        "only the booklet's projects lack an end"
    );
    // A status other than open carries its history: opened, then moved on.
    let moved = get("/api/v1/recommendations?status=implemented&per_page=1").await;
    let id = moved["items"][0]["id"]
        .as_i64()
        .expect("an implemented one");
    let history = app
        .get(&format!("/api/v1/recommendations/{id}/history"))
        .bearer(&t)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
});
