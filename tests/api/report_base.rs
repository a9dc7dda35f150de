//! The reports' in-memory base (`services::reports::Shelf`): brought up to date from the
//! change feed by merging only the projects each write changed, it counts exactly what a base
//! read whole counts: a new copy of the service, started after the write, reads it whole.

use devfund::services::reports::Refresh;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::TestApp;

/// Every dimension, framework and ranking the base feeds, and filtered selections of it.
const REPORTS: &[&str] = &[
    "/api/v1/reports/portfolio?group_by=region,funding_year",
    "/api/v1/reports/portfolio?group_by=member_state,status",
    "/api/v1/reports/portfolio?group_by=thematic_area,funding_line",
    "/api/v1/reports/portfolio?group_by=sdg_goal,migof_element",
    "/api/v1/reports/portfolio?group_by=sdg_target,gcm_objective",
    "/api/v1/reports/portfolio?group_by=region&funding_line=line_1&sdg_goal=10",
    "/api/v1/reports/coverage?framework=sdg",
    "/api/v1/reports/coverage?framework=migof",
    "/api/v1/reports/coverage?framework=gcm&region=AP",
    "/api/v1/reports/leverage?rank_by=leverage",
    "/api/v1/reports/leverage?limit=3&member_state=KHM",
];

/// Every report from this app (its base merged with the writes so far), and from a new copy
/// (its base read whole): they must agree.
async fn agree(app: &TestApp) -> Vec<Value> {
    let copy = app.start_copy();
    let mut out = Vec::new();
    for path in REPORTS {
        let get = |on_copy: bool| {
            let req = app.get(path).bearer(&app.admin());
            if on_copy { req.on(&copy) } else { req }
        };
        let merged = get(false).send().await.assert_status(200).json();
        let whole = get(true).send().await.assert_status(200).json();
        assert_eq!(
            merged, whole,
            "{path}: the merged base disagrees with a whole read"
        );
        out.push(merged);
    }
    copy.stop().await;
    out
}

/// The reports after a write: they agree, and some moved.
async fn after(app: &TestApp, last: &[Value], write: &str) -> Vec<Value> {
    let now = agree(app).await;
    assert_ne!(now, last, "{write}: no report moved");
    now
}

async fn etag(app: &TestApp, path: &str) -> String {
    let r = app.get(path).bearer(&app.admin()).send().await;
    r.assert_status(200);
    r.header("etag").expect("etag")
}

db_test!(
    the_base_merged_with_each_write_counts_what_a_whole_read_counts,
    |app| {
        app.seed_demo();
        let admin = app.admin();
        let base = &app.state.report_base;
        let mut last = agree(&app).await;
        assert_eq!(
            base.refreshes(Refresh::Whole),
            1,
            "the first report reads it whole"
        );

        app.project(json!({
            "code": "TS.0001",
            "scope": "regional",
            "member_states": [{"iso3": "KHM", "share": "0.5"}, {"iso3": "VNM", "share": "0.3"}, {"iso3": "LAO", "share": "0.2"}],
            "sdg_targets": ["10.7", "8.8"],
            "migof": ["O2", "P1"],
            "gcm_objectives": [23, 1],
            "thematic_area": "labour_migration",
        }))
        .await;
        last = after(&app, &last, "a project created").await;

        let tag = etag(&app, "/api/v1/projects/TS.0001").await;
        app.patch("/api/v1/projects/TS.0001")
            .bearer(&admin)
            .header("if-match", &tag)
            .raw(
                "application/merge-patch+json",
                br#"{"sdg_targets": ["5.2"], "migof": ["P3"], "gcm_objectives": [7], "thematic_area": null, "budget": {"amount": "250000.00", "currency": "USD"}, "member_states": [{"iso3": "KHM", "share": "0.25"}, {"iso3": "LAO", "share": "0.75"}]}"#.to_vec(),
            )
            .send()
            .await
            .assert_status(200);
        last = after(&app, &last, "its mappings, states and budget changed").await;

        let created = app
            .post("/api/v1/projects/TS.0001/follow-up-funding")
            .bearer(&admin)
            .json(&json!({"source_type": "ifi", "status": "approved", "amount": {"amount": "900000.00", "currency": "USD"}, "date": "2026-05"}))
            .send()
            .await;
        let id = created.assert_status(201).json()["id"]
            .as_i64()
            .expect("id");
        app.post("/api/v1/projects/TS.0001/follow-up-funding")
            .bearer(&admin)
            .json(&json!({"source_type": "national_budget", "status": "received", "amount": {"amount": "1000.00", "currency": "EUR"}, "date": "2026-05"}))
            .send()
            .await
            .assert_status(201);
        last = after(&app, &last, "follow-up funding recorded").await;

        let url = format!("/api/v1/follow-up-funding/{id}");
        app.patch(&url)
            .bearer(&admin)
            .header("if-match", "\"v1\"")
            .json(&json!({"status": "received", "source_type": "private_sector"}))
            .send()
            .await
            .assert_status(200);
        last = after(&app, &last, "follow-up funding edited").await;
        app.delete(&url)
            .bearer(&admin)
            .header("if-match", "\"v2\"")
            .send()
            .await
            .assert_status(204);
        last = after(&app, &last, "follow-up funding deleted").await;

        app.transition("TS.0001", "submitted")
            .await
            .assert_status(200);
        last = after(&app, &last, "a project submitted").await;

        // A project deleted, and its code taken by a new one with other mappings.
        app.project(
            json!({"code": "TS.0002", "member_states": [{"iso3": "KHM"}], "gcm_objectives": [5]}),
        )
        .await;
        last = after(&app, &last, "a second project created").await;
        let tag = etag(&app, "/api/v1/projects/TS.0002").await;
        app.delete("/api/v1/projects/TS.0002")
            .bearer(&admin)
            .header("if-match", &tag)
            .send()
            .await
            .assert_status(204);
        app.project(
            json!({"code": "TS.0002", "member_states": [{"iso3": "VNM"}], "sdg_targets": ["16.9"]}),
        )
        .await;
        last = after(&app, &last, "a project deleted and its code reused").await;
        assert_eq!(
            base.refreshes(Refresh::Whole),
            1,
            "every project write was merged, none read the base whole"
        );
        assert!(base.refreshes(Refresh::Merged) >= 8);

        // A record the base does not count: only the position moves.
        let moved = base.refreshes(Refresh::Moved);
        app.put("/api/v1/allocations/2026/line_1")
            .bearer(&admin)
            .json(&json!({"envelope": {"amount": "500000.00", "currency": "USD"}}))
            .send()
            .await
            .assert_status(200);
        assert_eq!(
            agree(&app).await,
            last,
            "an envelope counts in none of these"
        );
        assert_eq!(base.refreshes(Refresh::Moved), moved + 1);

        // A rate: the projects with follow-up funding in its currency are merged.
        app.put("/api/v1/exchange-rates/EUR/2026-05")
            .bearer(&admin)
            .json(&json!({"usd_per_unit": "1.10", "source": "UN"}))
            .send()
            .await
            .assert_status(201);
        last = after(&app, &last, "a rate set").await;

        // A member state moved to another region, then renamed: its projects are merged, with
        // every state's name.
        for (version, change) in [
            (1, json!({"region": "SEECA"})),
            (2, json!({"name": "Kampuchea"})),
        ] {
            app.patch("/api/v1/member-states/KHM")
                .bearer(&admin)
                .header("if-match", &format!("\"v{version}\""))
                .json(&change)
                .send()
                .await
                .assert_status(200);
            last = after(&app, &last, &format!("a member state changed: {change}")).await;
        }
        assert_eq!(
            base.refreshes(Refresh::Whole),
            1,
            "rates and states merged too"
        );

        // A new member state has no key in the base's dictionaries: read whole.
        app.create_member_state("GEO", "Georgia", "SEECA").await;
        agree(&app).await;
        assert_eq!(base.refreshes(Refresh::Whole), 2);
    }
);
