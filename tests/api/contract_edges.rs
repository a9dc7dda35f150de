//! Where the document and the server once disagreed (found by schemathesis), on both
//! databases: each value the document refuses, the server refuses; each value it allows, the
//! server accepts.

use crate::db_test;
use crate::support::TestApp;
use devfund::auth::Role;
use serde_json::{Value, json};

/// Nepal, eligible in 2026: what the default test project needs.
async fn nepal(app: &TestApp) {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
}

async fn project_total(app: &TestApp) -> u64 {
    app.get("/api/v1/projects")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json()["meta"]["total"]
        .as_u64()
        .expect("total")
}

db_test!(an_object_is_never_read_from_an_array_of_its_fields, |app| {
    nepal(&app).await;
    for (overrides, field) in [
        (json!({"management_site": [null, null]}), "management_site"),
        (json!({"member_states": [["NPL"]]}), "member_states[0]"),
        (json!({"budget": ["100000.00", "USD"]}), "budget"),
    ] {
        let doc = app
            .post_project(&app.admin(), overrides.clone())
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(doc["errors"][0]["field"], field, "{overrides}: {doc}");
        assert_eq!(doc["errors"][0]["code"], "invalid_type", "{doc}");
    }
    assert_eq!(project_total(&app).await, 0);
    // The object form of the same values is accepted.
    app.post_project(
        &app.admin(),
        json!({"management_site": {"city": "Kathmandu", "country": "NPL"}}),
    )
    .await
    .assert_status(201);
});

async fn patch_state(app: &TestApp, if_match: &str, name: &str) -> crate::support::Resp {
    app.patch("/api/v1/member-states/UKR")
        .bearer(&app.admin())
        .header("if-match", if_match)
        .json(&json!({"name": name}))
        .send()
        .await
}

db_test!(
    a_malformed_if_match_fails_even_where_none_is_required,
    |app| {
        app.create_member_state("UKR", "Ukraine", "SEECA").await;
        // Member states take an optional If-Match: a malformed one is still not "absent".
        for malformed in [
            "",
            " ",
            "\"v1\",",
            ",\"v1\"",
            "\"v1\" \"v2\"",
            "\"v1",
            "*, \"v1\"",
        ] {
            patch_state(&app, malformed, "Changed")
                .await
                .assert_problem(412, "precondition_failed");
        }
        let name = app
            .get("/api/v1/member-states/UKR")
            .signed_as(Role::Viewer)
            .send()
            .await
            .json()["name"]
            .clone();
        assert_eq!(name, "Ukraine");
        // The same tag, well formed, matches; so does a list with whitespace and a weak member.
        patch_state(&app, "\"v1\"", "Ukraina")
            .await
            .assert_status(200);
        patch_state(&app, " W/\"v2\" ,\t\"v2\" ", "Ukraine")
            .await
            .assert_status(200);
    }
);

db_test!(open_longer_than_stops_where_the_document_does, |app| {
    let doc = app
        .get("/api/v1/recommendations?open_longer_than=1201")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(400, "bad_request");
    assert_eq!(doc["errors"][0]["field"], "open_longer_than", "{doc}");
    app.get("/api/v1/recommendations?open_longer_than=1200")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200);
    let doc = app
        .get("/api/v1/recommendations?addressee=SDC,,IOM")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(400, "bad_request");
    assert_eq!(doc["errors"][0]["field"], "addressee", "{doc}");
});

async fn evaluate(app: &TestApp, subject: Value) -> crate::support::Resp {
    app.post("/api/v1/evaluations")
        .signed_as(Role::Evaluator)
        .json(&json!({
            "subject": subject,
            "kind": "final",
            "status": "planned",
            "title": "Final evaluation",
        }))
        .send()
        .await
}

db_test!(an_evaluation_subject_is_one_key_never_null, |app| {
    nepal(&app).await;
    app.project(json!({})).await;
    for (subject, field) in [
        (json!({}), "subject"),
        (json!({"project_code": null}), "subject.project_code"),
        (
            json!({"project_code": "TS.0001", "follow_up_id": null}),
            "subject.follow_up_id",
        ),
    ] {
        let doc = evaluate(&app, subject.clone())
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(doc["errors"][0]["field"], field, "{subject}: {doc}");
    }
    let r = evaluate(&app, json!({"project_code": "TS.0001"})).await;
    r.assert_status(201);
    assert_eq!(r.json()["subject"], json!({"project_code": "TS.0001"}));
});

db_test!(a_transition_reason_is_not_blank_as_documented, |app| {
    nepal(&app).await;
    app.project(json!({})).await;
    for reason in ["", " \t\r\n"] {
        let doc = app
            .post("/api/v1/projects/TS.0001/transitions")
            .bearer(&app.admin())
            .header("if-match", "*")
            .json(&json!({"to": "submitted", "reason": reason}))
            .send()
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(doc["errors"][0]["field"], "reason", "{doc}");
    }
    // A no-break space is not blank to the document's pattern, nor to the server.
    app.post("/api/v1/projects/TS.0001/transitions")
        .bearer(&app.admin())
        .header("if-match", "*")
        .json(&json!({"to": "submitted", "reason": "\u{a0}"}))
        .send()
        .await
        .assert_status(200);
});

db_test!(usd_has_no_exchange_rate_and_the_document_says_so, |app| {
    let doc = app
        .put("/api/v1/exchange-rates/USD/2020-01")
        .bearer(&app.admin())
        .json(&json!({"usd_per_unit": "1", "source": "none"}))
        .send()
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(doc["errors"][0]["field"], "currency", "{doc}");
    let document = app.get("/openapi.json").send().await.json();
    let rated = document["components"]["schemas"]["RatedCurrencyCode"]["enum"]
        .as_array()
        .expect("an enum")
        .clone();
    assert!(rated.contains(&json!("EUR")));
    assert!(!rated.contains(&json!("USD")));
});

db_test!(
    a_project_is_created_only_in_a_documented_initial_status,
    |app| {
        nepal(&app).await;
        let document = app.get("/openapi.json").send().await.json();
        let initial = document["components"]["schemas"]["InitialStatus"]["enum"]
            .as_array()
            .expect("an enum")
            .clone();
        assert!(initial.contains(&json!("draft")) && initial.contains(&json!("closed")));
        for refused in ["submitted", "under_review"] {
            assert!(!initial.contains(&json!(refused)));
            app.post_project(&app.admin(), json!({"status": refused}))
                .await
                .assert_problem(422, "validation_failed");
        }
        assert_eq!(project_total(&app).await, 0);
    }
);

db_test!(paging_is_checked_whatever_the_format, |app| {
    for (path, field) in [
        ("/api/v1/projects?format=csv&per_page=100000", "per_page"),
        ("/api/v1/follow-up-funding?format=csv&page=0", "page"),
        (
            "/api/v1/recommendations?format=csv&per_page=501",
            "per_page",
        ),
    ] {
        let doc = app
            .get(path)
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_problem(400, "bad_request");
        assert_eq!(doc["errors"][0]["field"], field, "{path}: {doc}");
    }
    // An empty list is the empty array of the form style: no filter.
    for path in [
        "/api/v1/projects?status=",
        "/api/v1/recommendations?addressee=",
    ] {
        app.get(path)
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_status(200);
    }
    let doc = app
        .get("/api/v1/recommendations?addressee=SD%00C")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(400, "bad_request");
    assert_eq!(doc["errors"][0]["code"], "nul_character", "{doc}");
});
