//! New projects of an import are created together (`services::projects::bulk`): the outcome
//! equals creating them one by one through `POST /projects` — the projects, their audit
//! events, the change feed and the webhook outbox — and the statements an import issues do
//! not grow with its rows.

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::{TestApp, backends, without_keys};

/// What both apps hold before the projects: states (one never eligible), a small 2021
/// envelope, and a webhook on every project event the file raises.
async fn setup(app: &TestApp) {
    app.eligible_state("NPL", "AP", 2021, true, true).await;
    app.eligible_state("BGD", "AP", 2021, true, true).await;
    app.eligible_state("KHM", "AP", 2021, false, false).await;
    app.put("/api/v1/member-states/NPL/eligibility/2026")
        .bearer(&app.admin())
        .json(&json!({"income_group": "lower_middle", "line_1_eligible": true, "line_2_eligible": true}))
        .send()
        .await
        .assert_status(201);
    app.put("/api/v1/allocations/2021/line_1")
        .bearer(&app.admin())
        .json(&json!({"envelope": {"amount": "250000.00", "currency": "USD"}}))
        .send()
        .await
        .assert_status(201);
    let events = ["project.created", "project.approved", "project.closed"];
    app.post("/api/v1/webhooks")
        .bearer(&app.admin())
        .json(&json!({"url": "https://example.org/hook", "events": events}))
        .send()
        .await
        .assert_status(201);
}

/// Project `n` of a file: national and regional (shares given or split), drafts and past
/// years' records over the cap and the envelope, every mapping set.
fn project(n: usize) -> Value {
    let code = format!("BK.{n:04}");
    let mut p = json!({
        "code": code,
        "title": format!("Bulk project {n}"),
        "summary": "One of many.",
        "funding_line": "line_1",
        "funding_year": 2026,
        "scope": "national",
        "budget": {"amount": "90000.00", "currency": "USD"},
        "staff_office_share": "0.20",
        "member_states": [{"iso3": "NPL", "endorsed": true}],
        "sdg_targets": ["16.3", "10.7", "10.7"],
        "migof": ["O2", "P1"],
        "gcm_objectives": [23, 1],
        "msd": [{"outcome": 3, "deliverables": [2, 1]}],
        "innovation_areas": ["media", "education"],
        "cross_cutting_themes": ["gender", "rights_based_approach"],
        "notable_achievements": ["A first", "A second"]
    });
    match n % 5 {
        1 => {
            p["scope"] = json!("regional");
            p["member_states"] = json!([
                {"iso3": "NPL", "share": "0.6", "endorsed": true},
                {"iso3": "BGD", "share": "0.4"}
            ]);
        }
        2 => {
            p["funding_year"] = json!(2021);
            p["status"] = json!("approved");
            p["budget"] = json!({"amount": "120000.00", "currency": "USD"});
        }
        3 => {
            p["funding_year"] = json!(2021);
            p["status"] = json!("closed");
            p["scope"] = json!("regional");
            p["member_states"] = json!([{"iso3": "KHM", "endorsed": true}, {"iso3": "BGD"}]);
        }
        4 => {
            p["funding_year"] = json!(2021);
            p["status"] = json!("rejected");
            p["staff_office_share"] = json!("0.45");
        }
        _ => {}
    }
    p
}

async fn list(app: &TestApp, path: &str) -> Vec<Value> {
    app.get(path)
        .bearer(&app.admin())
        .send()
        .await
        .assert_status(200)
        .json()["items"]
        .as_array()
        .expect("items")
        .clone()
}

#[derive(QueryableByName)]
struct Delivery {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    webhook_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    event: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    payload: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    change_id: i64,
}

/// The outbox as queued (the worker only moves statuses and attempts).
fn outbox(app: &TestApp) -> Vec<Value> {
    let mut conn = app.state.pool.get().expect("conn");
    diesel::sql_query(
        "SELECT webhook_id, event, payload, change_id FROM webhook_deliveries ORDER BY id",
    )
    .load::<Delivery>(&mut *conn)
    .expect("deliveries")
    .into_iter()
    .map(|d| {
        let payload: Value = serde_json::from_str(&d.payload).expect("JSON payload");
        json!([
            d.webhook_id,
            d.event,
            without_keys(payload, &["occurred_at"]),
            d.change_id
        ])
    })
    .collect()
}

/// Everything the projects left behind, comparable between two apps.
async fn outcome(app: &TestApp) -> Vec<Value> {
    let times = &["created_at", "updated_at", "occurred_at", "request_id"];
    vec![
        without_keys(
            Value::Array(list(app, "/api/v1/projects?per_page=500&sort=code").await),
            times,
        ),
        without_keys(
            Value::Array(list(app, "/api/v1/audit-events?record_type=project&per_page=500").await),
            &[
                "created_at",
                "updated_at",
                "occurred_at",
                "request_id",
                "id",
            ],
        ),
        without_keys(
            Value::Array(list(app, "/api/v1/changes?limit=1000").await),
            times,
        ),
        Value::Array(outbox(app)),
    ]
}

#[actix_web::test]
async fn importing_new_projects_equals_creating_them_one_by_one() {
    for backend in backends() {
        let items: Vec<Value> = (0..15).map(project).collect();
        let one_by_one = TestApp::spawn(backend.clone()).await;
        setup(&one_by_one).await;
        for item in &items {
            one_by_one
                .post("/api/v1/projects")
                .bearer(&one_by_one.admin())
                .json(item)
                .send()
                .await
                .assert_status(201);
        }
        let bulk = TestApp::spawn(backend.clone()).await;
        setup(&bulk).await;
        let r = bulk
            .post("/api/v1/imports/projects")
            .bearer(&bulk.admin())
            .json(&json!({"items": items}))
            .send()
            .await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.text());
        assert_eq!(r.json()["created"], 15);

        let (a, b) = (outcome(&one_by_one).await, outcome(&bulk).await);
        for (what, (a, b)) in ["projects", "audit events", "changes", "outbox"]
            .iter()
            .zip(a.iter().zip(&b))
        {
            assert_eq!(a, b, "{what} differ");
        }
        // The comparison covers what matters: warnings counted against the batch's own
        // earlier projects, named states, and deliveries.
        let warned: Vec<Vec<String>> = a[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["warnings"]
                    .as_array()
                    .map(|w| {
                        w.iter()
                            .map(|f| f["code"].as_str().unwrap().to_owned())
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let all: Vec<&String> = warned.iter().flatten().collect();
        for code in [
            "funding_cap_exceeded",
            "allocation_exceeded",
            "member_state_not_eligible",
            "staff_office_share_exceeded",
        ] {
            assert!(all.iter().any(|c| *c == code), "{code} in {warned:?}");
        }
        assert_eq!(a[1].as_array().unwrap().len(), 15);
        assert!(a[3].as_array().unwrap().len() >= 15 + 3);
        one_by_one.stop().await;
        bulk.stop().await;
    }
}

/// The statements an import of `n` new projects issues.
async fn statements(app: &TestApp, from: usize, n: usize) -> u64 {
    let items: Vec<Value> = (from..from + n)
        .map(|k| {
            let mut p = project(k);
            p["title"] = json!(format!("Counted project {k}"));
            p
        })
        .collect();
    let body = json!({"items": items});
    let before = app.queries();
    let r = app
        .post("/api/v1/imports/projects")
        .bearer(&app.admin())
        .json(&body)
        .send()
        .await;
    let after = app.queries();
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    assert_eq!(r.json()["created"], n);
    after - before
}

db_test!(
    importing_10_or_200_new_projects_issues_as_many_statements,
    |app| {
        setup(&app).await;
        let ten = statements(&app, 0, 10).await;
        let two_hundred = statements(&app, 1000, 200).await;
        assert_eq!(ten, two_hundred, "10 projects: {ten}; 200: {two_hundred}");
        assert!(ten < 40, "{ten} statements");
    }
);

db_test!(
    row_errors_of_new_and_existing_projects_are_named_in_row_order,
    |app| {
        setup(&app).await;
        app.project(json!({"code": "BK.0900"})).await;
        let mut bad_update = project(900);
        bad_update["funding_year"] = json!(1800);
        let mut unknown_state = project(2);
        unknown_state["member_states"] = json!([{"iso3": "FRA"}]);
        let mut submitted = project(3);
        submitted["code"] = json!("BK.0333");
        submitted["status"] = json!("submitted");
        let mut again = project(0);
        again["title"] = json!("Written twice: created, then updated");
        let items = json!([project(0), bad_update, unknown_state, again, submitted]);
        let r = app
            .post("/api/v1/imports/projects")
            .bearer(&app.admin())
            .json(&json!({"items": items}))
            .send()
            .await;
        let doc = r.assert_problem(422, "import_rejected");
        let errors: Vec<(u64, String, String)> = doc["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected = [
            (2, "funding_year", "out_of_range"),
            (3, "member_states[0].iso3", "unknown_member_state"),
            (5, "status", "invalid_initial_status"),
        ];
        let expected: Vec<(u64, String, String)> = expected
            .iter()
            .map(|(r, f, c)| (*r, (*f).to_owned(), (*c).to_owned()))
            .collect();
        assert_eq!(errors, expected, "{doc}");
        // The repeated code updated the project its first row created.
        assert_eq!(
            (doc["created"].clone(), doc["updated"].clone()),
            (json!(1), json!(1))
        );
        // Nothing stays written.
        assert_eq!(list(&app, "/api/v1/projects").await.len(), 1);
    }
);

/// The codes of a project's warnings.
async fn warning_codes(app: &TestApp, code: &str) -> Vec<String> {
    app.get(&format!("/api/v1/projects/{code}"))
        .bearer(&app.admin())
        .send()
        .await
        .assert_status(200)
        .json()["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w["code"].as_str().expect("code").to_owned())
        .collect()
}

db_test!(
    a_file_mixing_updates_and_new_projects_is_written_in_row_order,
    |app| {
        // The 2021 envelope is 250,000 (the national cap 100,000). Past years' approved
        // projects C and A hold 100,000 and 40,000. Row 1 raises A to 100,000; row 2 enters a
        // new approved project B of 100,000. In row order A fits (200,000 committed) and B
        // goes over the envelope (300,000), a warning of B's; had B been written first, it
        // would have fitted (240,000) and A's raise would have gone over instead.
        setup(&app).await;
        for (n, amount) in [(799, "100000.00"), (800, "40000.00")] {
            let mut p = project(n);
            p["funding_year"] = json!(2021);
            p["status"] = json!("approved");
            p["budget"] = json!({"amount": amount, "currency": "USD"});
            app.post("/api/v1/projects")
                .bearer(&app.admin())
                .json(&p)
                .send()
                .await
                .assert_status(201);
        }
        assert!(warning_codes(&app, "BK.0800").await.is_empty());
        let mut a = project(800);
        a["funding_year"] = json!(2021);
        a["budget"] = json!({"amount": "100000.00", "currency": "USD"});
        let mut b = project(801);
        b["scope"] = json!("national");
        b["member_states"] = json!([{"iso3": "NPL", "endorsed": true}]);
        b["funding_year"] = json!(2021);
        b["status"] = json!("approved");
        b["budget"] = json!({"amount": "100000.00", "currency": "USD"});
        let r = app
            .post("/api/v1/imports/projects")
            .bearer(&app.admin())
            .json(&json!({"items": [a, b]}))
            .send()
            .await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.text());
        assert_eq!(
            (r.json()["created"].clone(), r.json()["updated"].clone()),
            (json!(1), json!(1))
        );
        let (a, b) = (
            warning_codes(&app, "BK.0800").await,
            warning_codes(&app, "BK.0801").await,
        );
        assert!(!a.contains(&"allocation_exceeded".to_owned()), "A: {a:?}");
        assert!(b.contains(&"allocation_exceeded".to_owned()), "B: {b:?}");
    }
);
