//! The evaluation-compliance and recommendations reports.

use crate::db_test;
use crate::support::TestApp;
use devfund::auth::Role;
use serde_json::{Value, json};

async fn report(app: &TestApp, path: &str) -> Value {
    app.get(path)
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json()
}

async fn state_of(app: &TestApp, code: &str, as_of: &str) -> Value {
    let r = report(
        app,
        &format!("/api/v1/reports/evaluation-compliance?as_of={as_of}&q={code}"),
    )
    .await;
    assert_eq!(r["rows"].as_array().map(Vec::len), Some(1), "{r}");
    r["rows"][0]["state"].clone()
}

async fn ended(app: &TestApp, code: &str, end: &str) {
    app.post_project(
        &app.admin(),
        json!({"code": code, "status": "completed", "funding_year": 2020, "end_date": end}),
    )
    .await
    .assert_status(201);
}

async fn evaluated(app: &TestApp, code: &str, kind: &str, completed_on: &str) {
    app.post("/api/v1/evaluations")
        .signed_as(Role::Evaluator)
        .json(
            &json!({"subject": {"project_code": code}, "kind": kind, "status": "completed",
            "title": "Evaluation", "completed_on": completed_on}),
        )
        .send()
        .await
        .assert_status(201);
}

db_test!(
    compliance_states_change_exactly_at_six_and_twelve_months,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        ended(&app, "TS.0001", "2024-01-15").await;
        for (as_of, state) in [
            ("2024-07-14", "not_yet_due"),
            ("2024-07-15", "due"),
            ("2025-01-15", "due"),
            ("2025-01-16", "overdue"),
        ] {
            assert_eq!(state_of(&app, "TS.0001", as_of).await, state, "{as_of}");
        }
        let r = report(
            &app,
            "/api/v1/reports/evaluation-compliance?as_of=2025-01-16",
        )
        .await;
        assert_eq!(r["rows"][0]["due_from"], "2024-07-15");
        assert_eq!(r["rows"][0]["due_by"], "2025-01-15");
        assert_eq!(r["totals"]["overdue"], 1);
        // A completed final evaluation is not the ex-post one.
        evaluated(&app, "TS.0001", "final", "2024-09-01").await;
        assert_eq!(state_of(&app, "TS.0001", "2025-01-16").await, "overdue");
        // An ex-post one completed on the last day is on time; the day after, late.
        evaluated(&app, "TS.0001", "ex_post", "2025-01-15").await;
        assert_eq!(state_of(&app, "TS.0001", "2025-02-01").await, "done");
        ended(&app, "TS.0002", "2024-01-15").await;
        evaluated(&app, "TS.0002", "ex_post", "2025-01-16").await;
        assert_eq!(state_of(&app, "TS.0002", "2025-02-01").await, "done_late");
    }
);

db_test!(the_demo_data_has_three_done_and_six_unknown_ends, |app| {
    app.seed_demo();
    let r = report(&app, "/api/v1/reports/evaluation-compliance").await;
    let states: Vec<(String, String)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["code"].as_str().unwrap().to_owned(),
                row["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let done: Vec<&str> = states
        .iter()
        .filter(|s| s.1 == "done")
        .map(|s| s.0.as_str())
        .collect();
    assert_eq!(done, ["MA.1147", "MD.0001", "PR.0135"]);
    assert_eq!(r["totals"]["unknown_end"], 6);
    assert_eq!(r["totals"]["projects"], 9);
    // Every project filter applies.
    let line_1 = report(
        &app,
        "/api/v1/reports/evaluation-compliance?funding_line=line_1",
    )
    .await;
    assert_eq!(line_1["totals"]["projects"], 3);
    // CSV has the same rows.
    let csv = app
        .get("/api/v1/reports/evaluation-compliance?format=csv")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 10);
    assert!(
        lines[0].starts_with("code,title,ended_on,due_from,due_by,state,evaluation_id"),
        "{}",
        lines[0]
    );
    for (row, (code, state)) in lines[1..].iter().zip(&states) {
        assert!(
            row.starts_with(code.as_str()) && row.contains(&format!(",{state},")),
            "{row}"
        );
    }
    // Seeding again adds nothing.
    app.seed_demo();
    let again = report(&app, "/api/v1/evaluations").await;
    assert_eq!(again["meta"]["total"], 3);
});

db_test!(the_recommendations_report_groups_counts_and_ages, |app| {
    app.eligible_state("NPL", "AP", 2020, true, true).await;
    ended(&app, "TS.0001", "2022-01-15").await;
    evaluated(&app, "TS.0001", "ex_post", "2022-12-01").await;
    let recs = [
        json!({"label": "R1", "text": "a", "category": "strategic", "addressees": ["IOM Nepal", "MoHP"], "priority": "high", "due_date": "2023-06-30"}),
        json!({"label": "R2", "text": "b", "category": "operational", "addressees": ["MoHP"]}),
        json!({"label": "R3", "text": "c", "category": "other", "priority": "high"}),
    ];
    for body in recs {
        app.post("/api/v1/evaluations/1/recommendations")
            .signed_as(Role::Evaluator)
            .json(&body)
            .send()
            .await
            .assert_status(201);
    }
    app.patch("/api/v1/recommendations/3")
        .signed_as(Role::FundManager)
        .header("if-match", "\"v1\"")
        .raw(
            "application/merge-patch+json",
            br#"{"status": "implemented"}"#.to_vec(),
        )
        .send()
        .await
        .assert_status(200);
    let r = report(
        &app,
        "/api/v1/reports/recommendations?group_by=priority&as_of=2023-07-01",
    )
    .await;
    assert_eq!(r["totals"]["recommendations"], 3);
    assert_eq!(r["totals"]["open"], 2);
    assert_eq!(r["totals"]["overdue"], 1);
    assert_eq!(
        r["totals"]["open_6_to_12_months"], 2,
        "made 2022-12-01, seven months before"
    );
    let keys: Vec<&Value> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| &row["key"])
        .collect();
    assert_eq!(keys, [&json!("high"), &Value::Null]);
    assert_eq!(r["rows"][0]["recommendations"], 2);
    assert_eq!(r["rows"][0]["open"], 1);
    let by_addressee = report(
        &app,
        "/api/v1/reports/recommendations?group_by=addressee&as_of=2023-07-01",
    )
    .await;
    let rows: Vec<(Value, Value)> = by_addressee["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["key"].clone(), row["recommendations"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (json!("IOM Nepal"), json!(1)),
            (json!("MoHP"), json!(2)),
            (Value::Null, json!(1))
        ]
    );
    let later = report(
        &app,
        "/api/v1/reports/recommendations?group_by=status&as_of=2025-01-01",
    )
    .await;
    assert_eq!(later["totals"]["open_24_months_or_more"], 2);
    let csv = app
        .get("/api/v1/reports/recommendations?group_by=status&as_of=2025-01-01")
        .signed_as(Role::Viewer)
        .header("accept", "text/csv")
        .send()
        .await
        .assert_status(200)
        .text();
    assert_eq!(
        csv.lines().count(),
        1 + later["rows"].as_array().unwrap().len()
    );
    app.get("/api/v1/reports/recommendations?group_by=colour")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(400, "bad_request");
});
