//! The reports' and the project list's kept JSON answers: one query when this copy made the
//! answer at the change feed's current position, and never an answer a committed write made
//! stale, whichever copy of the service wrote.

use serde_json::{Value, json};

use crate::db_test;
use crate::support::{Copy, TestApp};

/// Every kept report (the portfolio twice: a different request is kept apart) and a page of
/// the project list.
const REPORTS: &[&str] = &[
    "/api/v1/reports/portfolio?group_by=region,funding_year",
    "/api/v1/reports/portfolio?group_by=member_state&funding_line=line_1",
    "/api/v1/reports/coverage?framework=sdg",
    "/api/v1/reports/leverage",
    "/api/v1/reports/allocation?year=2026",
    "/api/v1/projects?funding_line=line_1&per_page=1",
];

async fn report(app: &TestApp, copy: Option<&Copy>, path: &str) -> Value {
    let mut req = app.get(path).bearer(&app.admin());
    if let Some(copy) = copy {
        req = req.on(copy);
    }
    req.send().await.assert_status(200).json()
}

/// Every report from both copies (each makes and keeps its own), which must agree.
async fn both(app: &TestApp, copy: &Copy) -> Vec<Value> {
    let mut out = Vec::new();
    for path in REPORTS {
        let here = report(app, None, path).await;
        let there = report(app, Some(copy), path).await;
        assert_eq!(here, there, "{path}: the copies disagree");
        out.push(here);
    }
    out
}

/// Which of [`REPORTS`] moved between `before` and `after`.
fn moved(before: &[Value], after: &[Value]) -> Vec<&'static str> {
    REPORTS
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (b, a))| b != a)
        .map(|(path, _)| *path)
        .collect()
}

db_test!(
    a_kept_answer_costs_one_query_and_a_csv_is_made_each_time,
    |app| {
        app.eligible_state("NPL", "AP", 2026, true, true).await;
        app.project(json!({})).await;
        app.project(json!({"code": "TS.0002"})).await;
        for path in REPORTS {
            let first = app.get(path).bearer(&app.admin()).send().await;
            first.assert_status(200);
            let before = app.queries();
            let again = app.get(path).bearer(&app.admin()).send().await;
            again.assert_status(200);
            assert_eq!(
                app.queries() - before,
                1,
                "{path}: the feed's position alone"
            );
            assert_eq!(
                again.body, first.body,
                "{path}: the same answer, byte for byte"
            );
            assert_eq!(
                again.header("content-type").as_deref(),
                Some("application/json")
            );
            assert_eq!(again.header("vary").as_deref(), Some("Accept"));
            assert_eq!(again.header("link"), first.header("link"), "{path}");
        }
        let page = app
            .get(REPORTS[5])
            .bearer(&app.admin())
            .send()
            .await
            .header("link")
            .expect("a page's Link header");
        assert!(page.contains("rel=\"next\""), "{page}");
        for _ in 0..2 {
            let before = app.queries();
            app.get("/api/v1/reports/portfolio?group_by=region,funding_year&format=csv")
                .bearer(&app.admin())
                .send()
                .await
                .assert_status(200);
            assert!(app.queries() - before > 1, "a CSV is made, not kept");
        }
        // A refused request is refused before anything is looked up, kept or not.
        app.get("/api/v1/reports/portfolio?group_by=region,funding_year&region=XX")
            .bearer(&app.admin())
            .send()
            .await
            .assert_problem(400, "bad_request");
    }
);

db_test!(
    no_copy_of_the_service_reports_what_a_committed_write_changed,
    |app| {
        app.eligible_state("NPL", "AP", 2026, true, true).await;
        app.project(json!({})).await;
        let admin = app.admin();
        let copy = app.start_copy();
        let mut last = both(&app, &copy).await;

        // Follow-up funding in EUR, without a rate yet, through the copy.
        app.post("/api/v1/projects/TS.0001/follow-up-funding")
            .on(&copy)
            .bearer(&admin)
            .json(&json!({"source_type": "ifi", "status": "approved", "amount": {"amount": "1000.00", "currency": "EUR"}, "date": "2026-05"}))
            .send()
            .await
            .assert_status(201);
        let now = both(&app, &copy).await;
        assert_eq!(now[0]["totals"]["unconverted_follow_up"], 1);
        assert_eq!(now[5]["items"][0]["unconverted_follow_up"], 1);
        assert!(moved(&last, &now).contains(&REPORTS[3]), "leverage");
        last = now;

        // A rate through the app converts it: the copy's kept reports move.
        app.put("/api/v1/exchange-rates/EUR/2026-05")
            .bearer(&admin)
            .json(&json!({"usd_per_unit": "1.10", "source": "UN"}))
            .send()
            .await
            .assert_status(201);
        let now = both(&app, &copy).await;
        assert_eq!(now[0]["totals"]["follow_up_usd"]["amount"], "1100.00");
        assert!(moved(&last, &now).contains(&REPORTS[3]), "leverage");
        last = now;

        // The year's envelope changed through the copy.
        app.put("/api/v1/allocations/2026/line_1")
            .on(&copy)
            .bearer(&admin)
            .json(&json!({"envelope": {"amount": "500000.00", "currency": "USD"}}))
            .send()
            .await
            .assert_status(200);
        let now = both(&app, &copy).await;
        assert_eq!(moved(&last, &now), [REPORTS[4]]);
        last = now;

        // A member state renamed through the app: the copy's labels move.
        app.patch("/api/v1/member-states/NPL")
            .bearer(&admin)
            .json(&json!({"name": "Nepal"}))
            .send()
            .await
            .assert_status(200);
        let now = both(&app, &copy).await;
        assert_eq!(now[1]["rows"][0]["member_state_label"], "Nepal");
        assert_eq!(moved(&last, &now), [REPORTS[1]]);
        last = now;

        // A second project through the app, then deleted through the copy.
        app.post_project(&admin, json!({"code": "TS.0002", "sdg_targets": ["16.9"]}))
            .await
            .assert_status(201);
        let now = both(&app, &copy).await;
        assert_eq!(now[0]["totals"]["projects"], 2);
        assert_eq!(now[5]["meta"]["total"], 2);
        let moved_now = moved(&last, &now);
        assert!(moved_now.contains(&REPORTS[2]), "coverage: {moved_now:?}");
        last = now;
        let tag = app
            .get("/api/v1/projects/TS.0002")
            .bearer(&admin)
            .send()
            .await
            .header("etag")
            .expect("etag");
        app.delete("/api/v1/projects/TS.0002")
            .on(&copy)
            .bearer(&admin)
            .header("if-match", &tag)
            .send()
            .await
            .assert_status(204);
        let now = both(&app, &copy).await;
        assert_eq!(now[0]["totals"]["projects"], 1);
        assert_eq!(now[5]["meta"]["total"], 1);
        assert!(moved(&last, &now).contains(&REPORTS[2]), "coverage");
        copy.stop().await;
    }
);
