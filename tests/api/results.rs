//! Results frameworks: the tree and its achievement figures, bad input, officer scope,
//! If-Match, a fixed query count for the tree, and the results report (CSV equal to JSON).

use crate::db_test;
use crate::support::{Resp, TestApp};
use devfund::auth::Role;
use serde_json::{Value, json};

/// A project `code` benefitting `iso3` (eligible in 2020).
async fn project(app: &TestApp, code: &str, iso3: &str) {
    app.project(json!({"code": code, "funding_year": 2020, "member_states": [{"iso3": iso3}]}))
        .await;
}

async fn post_as(app: &TestApp, token: &str, path: &str, body: Value) -> Resp {
    app.post(path).bearer(token).json(&body).send().await
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let token = app.token(Role::Evaluator);
    let r = post_as(app, &token, path, body).await;
    r.assert_status(201);
    r.json()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

async fn result(app: &TestApp, code: &str, level: &str, parent: Option<i64>, label: &str) -> i64 {
    let body = json!({"level": level, "parent_id": parent, "label": label, "statement": format!("{level} {label}")});
    id(&post(app, &format!("/api/v1/projects/{code}/results"), body).await)
}

async fn indicator(app: &TestApp, result: i64, baseline: &str, target: &str) -> i64 {
    let body = json!({
        "label": "i", "name": "Officials trained", "unit": "people",
        "baseline_value": baseline, "baseline_date": "2024-01-01",
        "target_value": target, "target_date": "2025-01-01",
        "means_of_verification": "Training records", "assumptions": "Staff stay in post"
    });
    id(&post(app, &format!("/api/v1/results/{result}/indicators"), body).await)
}

async fn measure(app: &TestApp, indicator: i64, on: &str, value: &str) -> Value {
    let body =
        json!({"measured_on": on, "value": value, "verification": "verified", "source": "Survey"});
    post(
        app,
        &format!("/api/v1/indicators/{indicator}/measurements"),
        body,
    )
    .await
}

async fn read(app: &TestApp, path: &str) -> Resp {
    let r = app.get(path).signed_as(Role::Viewer).send().await;
    r.assert_status(200);
    r
}

/// Objective R0 (an indicator with target = baseline), outcome R1 (one that fell below its
/// baseline), outputs 1.1 (three quarters there) and 1.2 (an indicator never measured).
async fn framework(app: &TestApp, code: &str) -> [i64; 4] {
    let objective = result(app, code, "objective", None, "R0").await;
    let outcome = result(app, code, "outcome", Some(objective), "R1").await;
    let output = result(app, code, "output", Some(outcome), "1.1").await;
    let second = result(app, code, "output", Some(outcome), "1.2").await;
    let flat = indicator(app, objective, "5", "5").await;
    measure(app, flat, "2024-06-01", "7").await;
    let falling = indicator(app, outcome, "10", "20").await;
    // Recorded out of order: the latest is the one measured last, not the one recorded last.
    measure(app, falling, "2024-07-02", "7.5").await;
    measure(app, falling, "2024-03-01", "12").await;
    let rising = indicator(app, output, "0", "40").await;
    measure(app, rising, "2024-07-02", "30").await;
    indicator(app, second, "0", "10").await;
    [objective, outcome, output, second]
}

db_test!(
    a_three_level_framework_comes_back_as_one_tree_with_its_achievements,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        project(&app, "TS.0001", "NPL").await;
        let empty = read(&app, "/api/v1/projects/TS.0001/results").await.json();
        assert_eq!(empty, json!({"project_code": "TS.0001", "objective": null}));
        let [objective, outcome, output, second] = framework(&app, "TS.0001").await;
        let tree = read(&app, "/api/v1/projects/TS.0001/results").await.json();
        let o = &tree["objective"];
        assert_eq!(
            (o["id"].as_i64(), o["level"].as_str()),
            (Some(objective), Some("objective"))
        );
        assert_eq!(
            o["indicators"][0]["achievement"],
            Value::Null,
            "target = baseline"
        );
        assert_eq!(o["indicators"][0]["latest"]["value"], "7");
        assert_eq!(o["indicators"][0]["progress"], "not_assessable");
        let r1 = &o["children"][0];
        assert_eq!(
            (r1["id"].as_i64(), r1["parent_id"].as_i64()),
            (Some(outcome), Some(objective))
        );
        let falling = &r1["indicators"][0];
        assert_eq!(falling["latest"]["value"], "7.5");
        assert_eq!(falling["latest"]["measured_on"], "2024-07-02");
        assert_eq!(falling["achievement"], "-0.2500");
        assert_eq!(falling["progress"], "off_track");
        let outputs: Vec<i64> = r1["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(outputs, [output, second]);
        let rising = &r1["children"][0]["indicators"][0];
        assert_eq!(rising["baseline_value"], "0");
        assert_eq!(rising["target_value"], "40");
        assert_eq!(rising["achievement"], "0.7500");
        // Three quarters done when half the period had gone: on track.
        assert_eq!(rising["progress"], "on_track");
        let unmeasured = &r1["children"][1]["indicators"][0];
        assert_eq!(
            (&unmeasured["latest"], &unmeasured["achievement"]),
            (&Value::Null, &Value::Null)
        );
        assert_eq!(r1["children"][0]["children"], json!([]));
        // Every write left an audit event.
        let trail = app
            .get("/api/v1/audit-events?record_type=measurement")
            .signed_as(Role::Admin)
            .send()
            .await
            .json();
        assert_eq!(trail["items"].as_array().unwrap().len(), 4);
    }
);

db_test!(a_framework_refuses_what_a_logframe_cannot_hold, |app| {
    app.eligible_state("NPL", "AP", 2020, true, true).await;
    project(&app, "TS.0001", "NPL").await;
    project(&app, "TS.0002", "NPL").await;
    let [objective, outcome, output, _] = framework(&app, "TS.0001").await;
    let other = result(&app, "TS.0002", "objective", None, "R0").await;
    let evaluator = app.token(Role::Evaluator);
    let results = "/api/v1/projects/TS.0001/results";
    for (body, field, code) in [
        (
            json!({"level": "output", "statement": "Orphan"}),
            "parent_id",
            "parent_required",
        ),
        (
            json!({"level": "output", "parent_id": objective, "statement": "Skips a level"}),
            "parent_id",
            "wrong_level",
        ),
        (
            json!({"level": "outcome", "parent_id": other, "statement": "Elsewhere"}),
            "parent_id",
            "other_project",
        ),
        (
            json!({"level": "outcome", "parent_id": 999_999, "statement": "Nowhere"}),
            "parent_id",
            "unknown_result",
        ),
        (
            json!({"level": "objective", "parent_id": objective, "statement": "Under itself"}),
            "parent_id",
            "parent_not_allowed",
        ),
        (
            json!({"level": "objective", "statement": "A second one"}),
            "level",
            "objective_exists",
        ),
        (
            json!({"level": "outcome", "parent_id": objective, "statement": " "}),
            "statement",
            "invalid_length",
        ),
    ] {
        let p = post_as(&app, &evaluator, results, body.clone())
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(
            (
                p["errors"][0]["field"].as_str(),
                p["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{body}"
        );
    }
    for (value, code) in [
        ("1e3", "invalid_decimal"),
        ("1.0000001", "too_many_decimals"),
    ] {
        let p = post_as(
            &app,
            &evaluator,
            &format!("/api/v1/results/{output}/indicators"),
            json!({"name": "n", "baseline_value": value}),
        )
        .await
        .assert_problem(422, "validation_failed");
        assert_eq!(
            (
                p["errors"][0]["field"].as_str(),
                p["errors"][0]["code"].as_str()
            ),
            (Some("baseline_value"), Some(code))
        );
    }
    let i = indicator(&app, output, "1", "2").await;
    let measurements = format!("/api/v1/indicators/{i}/measurements");
    for (body, field) in [
        (
            json!({"measured_on": "2024-01-01", "value": "ten", "verification": "reported"}),
            "value",
        ),
        (
            json!({"measured_on": "2024-01-01", "value": "1", "verification": "reported", "period_from": "2024-01-01", "period_to": "2023-12-31"}),
            "period_to",
        ),
    ] {
        let p = post_as(&app, &evaluator, &measurements, body)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(p["errors"][0]["field"], field);
    }
    post_as(
        &app,
        &evaluator,
        &measurements,
        json!({"measured_on": "2024-01-01", "value": "1", "verification": "audited"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    // A result with results under it stays; so does everything under it.
    let tag = read(&app, &format!("/api/v1/results/{outcome}"))
        .await
        .header("etag")
        .unwrap();
    app.delete(&format!("/api/v1/results/{outcome}"))
        .bearer(&evaluator)
        .header("if-match", &tag)
        .send()
        .await
        .assert_problem(409, "conflict");
    // An outcome with outputs keeps its level.
    let p = app
        .patch(&format!("/api/v1/results/{outcome}"))
        .bearer(&evaluator)
        .header("if-match", &tag)
        .json(&json!({"level": "output"}))
        .send()
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["field"], "level");
    // Measurements of an indicator that is gone: 404, and its measurements went with it.
    let m = measure(&app, i, "2024-02-01", "1.5").await;
    let tag = read(&app, &format!("/api/v1/indicators/{i}"))
        .await
        .header("etag")
        .unwrap();
    app.delete(&format!("/api/v1/indicators/{i}"))
        .bearer(&evaluator)
        .header("if-match", &tag)
        .send()
        .await
        .assert_status(204);
    post_as(
        &app,
        &evaluator,
        &measurements,
        json!({"measured_on": "2024-03-01", "value": "2", "verification": "reported"}),
    )
    .await
    .assert_problem(404, "not_found");
    app.get(&measurements)
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/measurements/{}", id(&m)))
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(404, "not_found");
    // Nothing was half-written: the tree holds what it held.
    let tree = read(&app, results).await.json();
    assert_eq!(tree["objective"]["children"].as_array().unwrap().len(), 1);
    assert_eq!(
        tree["objective"]["children"][0]["children"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        tree["objective"]["children"][0]["children"][0]["indicators"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
});

db_test!(
    a_project_officer_writes_the_frameworks_of_their_projects_only,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        project(&app, "TS.0001", "NPL").await;
        let objective = result(&app, "TS.0001", "objective", None, "R0").await;
        let i = indicator(&app, objective, "0", "10").await;
        let m = id(&measure(&app, i, "2024-02-01", "2").await);
        let outsider = app.scoped_token(Role::ProjectOfficer, &["BRA"]);
        let insider = app.scoped_token(Role::ProjectOfficer, &["NPL"]);
        let outcome =
            json!({"level": "outcome", "parent_id": objective, "statement": "More trained"});
        let ind = json!({"name": "Trained"});
        let value = json!({"measured_on": "2024-03-01", "value": "3", "verification": "reported"});
        let writes = [
            ("/api/v1/projects/TS.0001/results".to_owned(), outcome),
            (format!("/api/v1/results/{objective}/indicators"), ind),
            (format!("/api/v1/indicators/{i}/measurements"), value),
        ];
        for (path, body) in &writes {
            post_as(&app, &outsider, path, body.clone())
                .await
                .assert_problem(403, "forbidden");
            post_as(&app, &app.token(Role::Viewer), path, body.clone())
                .await
                .assert_problem(403, "forbidden");
            post_as(&app, &app.token(Role::FundManager), path, body.clone())
                .await
                .assert_problem(403, "forbidden");
        }
        for path in [
            format!("/api/v1/results/{objective}"),
            format!("/api/v1/indicators/{i}"),
            format!("/api/v1/measurements/{m}"),
        ] {
            let tag = read(&app, &path).await.header("etag").unwrap();
            // Outside the scope: 403 before the version is looked at.
            app.patch(&path)
                .bearer(&outsider)
                .header("if-match", "\"v99\"")
                .json(&json!({}))
                .send()
                .await
                .assert_problem(403, "forbidden");
            app.delete(&path)
                .bearer(&outsider)
                .header("if-match", &tag)
                .send()
                .await
                .assert_problem(403, "forbidden");
            app.patch(&path)
                .bearer(&insider)
                .header("if-match", &tag)
                .json(&json!({}))
                .send()
                .await
                .assert_status(200);
        }
        for (path, body) in writes {
            post_as(&app, &insider, &path, body)
                .await
                .assert_status(201);
        }
        let tree = read(&app, "/api/v1/projects/TS.0001/results").await.json();
        assert_eq!(
            tree["objective"]["children"][0]["statement"],
            "More trained"
        );
        assert_eq!(tree["objective"]["indicators"].as_array().unwrap().len(), 2);
        assert_eq!(tree["objective"]["indicators"][0]["latest"]["value"], "3");
    }
);

db_test!(
    writes_need_the_current_etag_and_a_measurement_moves_its_indicators,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        project(&app, "TS.0001", "NPL").await;
        let objective = result(&app, "TS.0001", "objective", None, "R0").await;
        let i = indicator(&app, objective, "0", "10").await;
        let path = format!("/api/v1/indicators/{i}");
        let evaluator = app.token(Role::Evaluator);
        app.patch(&path)
            .bearer(&evaluator)
            .json(&json!({"unit": null}))
            .send()
            .await
            .assert_problem(428, "precondition_required");
        let before = read(&app, &path).await.header("etag").unwrap();
        let m = measure(&app, i, "2024-07-02", "4").await;
        let after = read(&app, &path).await;
        assert_ne!(
            after.header("etag").unwrap(),
            before,
            "a measurement changes the indicator"
        );
        assert_eq!(after.json()["achievement"], "0.4000");
        app.patch(&path)
            .bearer(&evaluator)
            .header("if-match", &before)
            .json(&json!({"unit": null}))
            .send()
            .await
            .assert_problem(412, "precondition_failed");
        let r = app
            .patch(&path)
            .bearer(&evaluator)
            .header("if-match", &after.header("etag").unwrap())
            .json(&json!({"unit": null, "target_value": "8"}))
            .send()
            .await;
        let changed = r.assert_status(200).json();
        assert_eq!(
            (
                &changed["unit"],
                changed["target_value"].as_str(),
                changed["name"].as_str()
            ),
            (&Value::Null, Some("8"), Some("Officials trained"))
        );
        assert_eq!(changed["achievement"], "0.5000");
        // A measurement's own ETag.
        let mpath = format!("/api/v1/measurements/{}", id(&m));
        let mtag = read(&app, &mpath).await.header("etag").unwrap();
        let changed = app
            .patch(&mpath)
            .bearer(&evaluator)
            .header("if-match", &mtag)
            .json(&json!({"value": "-2", "note": "recount"}))
            .send()
            .await;
        assert_eq!(changed.assert_status(200).json()["value"], "-2");
        app.delete(&mpath)
            .bearer(&evaluator)
            .header("if-match", &mtag)
            .send()
            .await
            .assert_problem(412, "precondition_failed");
        let mtag = read(&app, &mpath).await.header("etag").unwrap();
        app.delete(&mpath)
            .bearer(&evaluator)
            .header("if-match", &mtag)
            .send()
            .await
            .assert_status(204);
        assert_eq!(read(&app, &path).await.json()["latest"], Value::Null);
        let trail = app
            .get("/api/v1/audit-events?record_type=measurement")
            .signed_as(Role::Admin)
            .send()
            .await
            .json();
        let actions: Vec<&str> = trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["delete", "update", "create"]);
    }
);

db_test!(
    the_tree_is_read_in_the_same_number_of_queries_whatever_its_size,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        project(&app, "TS.0001", "NPL").await;
        project(&app, "TS.0002", "NPL").await;
        let objective = result(&app, "TS.0001", "objective", None, "R0").await;
        measure(
            &app,
            indicator(&app, objective, "0", "1").await,
            "2024-02-01",
            "1",
        )
        .await;
        let objective = result(&app, "TS.0002", "objective", None, "R0").await;
        for n in 1..=3 {
            let outcome = result(
                &app,
                "TS.0002",
                "outcome",
                Some(objective),
                &format!("R{n}"),
            )
            .await;
            for k in 1..=2 {
                let output = result(
                    &app,
                    "TS.0002",
                    "output",
                    Some(outcome),
                    &format!("{n}.{k}"),
                )
                .await;
                let i = indicator(&app, output, "0", "10").await;
                measure(&app, i, "2024-02-01", "1").await;
                measure(&app, i, "2024-03-01", "2").await;
            }
        }
        let mut counts = Vec::new();
        for code in ["TS.0001", "TS.0002"] {
            let before = app.queries();
            read(&app, &format!("/api/v1/projects/{code}/results")).await;
            counts.push(app.queries() - before);
        }
        assert_eq!(
            counts[0], counts[1],
            "queries for a tree of 1 and of 10 results"
        );
    }
);

db_test!(
    the_results_report_takes_the_project_filters_and_its_csv_equals_its_json,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        app.eligible_state("BRA", "SA", 2020, true, true).await;
        project(&app, "TS.0001", "NPL").await;
        project(&app, "TS.0002", "BRA").await;
        project(&app, "TS.0003", "BRA").await;
        framework(&app, "TS.0001").await;
        let objective = result(&app, "TS.0002", "objective", None, "R0").await;
        let i = indicator(&app, objective, "50", "30").await;
        measure(&app, i, "2024-07-02", "40").await;
        let r = read(&app, "/api/v1/reports/results").await.json();
        assert_eq!(
            r["totals"],
            json!({"indicators": 5, "achieved": 0, "on_track": 2, "off_track": 1, "not_assessable": 2})
        );
        let codes: Vec<&str> = r["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["TS.0001", "TS.0002"],
            "a project without a framework is left out"
        );
        let achievements: Vec<&Value> = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| &row["achievement"])
            .collect();
        assert_eq!(
            achievements,
            [
                &Value::Null,
                &json!("-0.2500"),
                &json!("0.7500"),
                &Value::Null,
                &json!("0.5000")
            ]
        );
        let brazil = read(&app, "/api/v1/reports/results?member_state=BRA")
            .await
            .json();
        assert_eq!(brazil["totals"]["indicators"], 1);
        assert_eq!(brazil["rows"][0]["project_code"], "TS.0002");
        for (query, json) in [("", &r), ("member_state=BRA&", &brazil)] {
            let csv = app
                .get(&format!("/api/v1/reports/results?{query}format=csv"))
                .signed_as(Role::Viewer)
                .send()
                .await
                .assert_status(200)
                .text();
            let mut lines = csv.lines();
            let header: Vec<&str> = lines.next().unwrap().split(',').collect();
            let rows = json["rows"].as_array().unwrap();
            let body: Vec<&str> = lines.collect();
            assert_eq!(body.len(), rows.len());
            for (line, row) in body.iter().zip(rows) {
                // No cell of these rows holds a comma or a quote.
                let cells: Vec<&str> = line.split(',').collect();
                assert_eq!(cells.len(), header.len(), "{line}");
                for (column, cell) in header.iter().zip(cells) {
                    let expected = match &row[*column] {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    assert_eq!(cell, expected, "{column} of {line}");
                }
            }
        }
    }
);
