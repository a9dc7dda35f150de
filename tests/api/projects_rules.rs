//! The lifecycle and the Fund's rules on approval.

use crate::db_test;
use crate::support::TestApp;
use serde_json::{Value, json};

/// Approves `code` (from under review) and returns the rule codes of a refusal.
async fn refusal(app: &TestApp, code: &str) -> Vec<String> {
    let r = app.transition(code, "approved").await;
    let doc = r.assert_problem(422, "rule_violation");
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn reviewed(app: &TestApp, overrides: Value) {
    app.project(overrides.clone()).await;
    app.to_review(overrides["code"].as_str().unwrap_or("TS.0001"))
        .await;
}

db_test!(the_lifecycle_moves_only_along_its_edges, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({})).await;
    let r = app.transition("TS.0001", "approved").await;
    let doc = r.assert_problem(409, "invalid_transition");
    assert!(
        doc["detail"].as_str().unwrap().contains("submitted"),
        "{doc}"
    );
    for to in [
        "submitted",
        "under_review",
        "approved",
        "active",
        "suspended",
        "active",
        "completed",
        "closed",
    ] {
        let p = app
            .transition("TS.0001", to)
            .await
            .assert_status(200)
            .json();
        assert_eq!(p["status"], to);
    }
    app.transition("TS.0001", "active")
        .await
        .assert_problem(409, "invalid_transition");
    app.project(json!({"code": "TS.0002"})).await;
    app.transition("TS.0002", "withdrawn")
        .await
        .assert_status(200);
    app.transition("TS.0002", "draft")
        .await
        .assert_problem(409, "invalid_transition");
    let r = app
        .post("/api/v1/projects/TS.0002/transitions")
        .bearer(&app.admin())
        .header("if-match", "\"v2\"")
        .json(&json!({"to": "submitted", "reason": "  "}))
        .send()
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .post("/api/v1/projects/TS.0002/transitions")
        .bearer(&app.admin())
        .header("if-match", "\"v1\"")
        .json(&json!({"to": "submitted", "reason": "late"}))
        .send()
        .await;
    r.assert_problem(412, "precondition_failed");
});

db_test!(a_project_within_the_rules_is_approved, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    reviewed(&app, json!({})).await;
    let p = app
        .transition("TS.0001", "approved")
        .await
        .assert_status(200)
        .json();
    assert_eq!(p["status"], "approved");
});

db_test!(a_budget_over_the_cap_is_refused, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    reviewed(
        &app,
        json!({"budget": {"amount": "100000.01", "currency": "USD"}}),
    )
    .await;
    let r = app.transition("TS.0001", "approved").await;
    let doc = r.assert_problem(422, "rule_violation");
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1);
    let e = &doc["errors"][0];
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("funding_cap_exceeded"), Some("budget"))
    );
    assert_eq!(e["details"]["funding_line"], "line_1");
    assert_eq!(e["details"]["scope"], "national");
    assert_eq!(e["details"]["rule_effective_year"], 2020);
    assert_eq!(e["details"]["exceptional"], false);
});

db_test!(the_exceptional_regional_line_1_cap_needs_the_flag, |app| {
    for iso3 in ["KHM", "VNM"] {
        app.eligible_state(iso3, "AP", 2026, true, true).await;
    }
    let states = json!([{"iso3": "KHM", "endorsed": true}, {"iso3": "VNM", "endorsed": true}]);
    reviewed(&app, json!({"scope": "regional", "member_states": states, "budget": {"amount": "150000", "currency": "USD"}})).await;
    assert_eq!(refusal(&app, "TS.0001").await, ["funding_cap_exceeded"]);
    reviewed(&app, json!({"code": "TS.0002", "scope": "regional", "member_states": states, "exceptional_increase": true, "budget": {"amount": "150000", "currency": "USD"}})).await;
    app.transition("TS.0002", "approved")
        .await
        .assert_status(200);
});

db_test!(a_state_not_eligible_for_the_line_is_refused, |app| {
    app.eligible_state("UKR", "SEECA", 2026, true, false).await;
    reviewed(
        &app,
        json!({"funding_line": "line_2", "member_states": [{"iso3": "UKR"}]}),
    )
    .await;
    let r = app.transition("TS.0001", "approved").await;
    let doc = r.assert_problem(422, "rule_violation");
    assert_eq!(doc["errors"][0]["code"], "member_state_not_eligible");
    assert_eq!(doc["errors"][0]["field"], "member_states[0]");
    assert_eq!(doc["errors"][0]["details"]["iso3"], "UKR");
    // Eligibility is per year: a record for another year does not count.
    app.eligible_state("TUN", "MENA", 2019, true, true).await;
    reviewed(
        &app,
        json!({"code": "TS.0002", "member_states": [{"iso3": "TUN"}]}),
    )
    .await;
    assert_eq!(
        refusal(&app, "TS.0002").await,
        ["member_state_not_eligible"]
    );
});

db_test!(
    a_regional_project_needs_two_endorsing_eligible_states,
    |app| {
        for iso3 in ["KHM", "VNM", "LAO"] {
            app.eligible_state(iso3, "AP", 2026, true, true).await;
        }
        let states = json!([{"iso3": "KHM", "endorsed": true}, {"iso3": "VNM"}, {"iso3": "LAO"}]);
        reviewed(&app, json!({"scope": "regional", "member_states": states})).await;
        assert_eq!(refusal(&app, "TS.0001").await, ["endorsements_missing"]);
    }
);

db_test!(staff_and_office_costs_over_30_percent_are_refused, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    reviewed(&app, json!({"staff_office_share": "0.31"})).await;
    assert_eq!(
        refusal(&app, "TS.0001").await,
        ["staff_office_share_exceeded"]
    );
});

db_test!(approvals_beyond_the_envelope_are_refused, |app| {
    app.eligible_state("NPL", "AP", 2027, true, true).await;
    app.put("/api/v1/allocations/2027/line_1")
        .bearer(&app.admin())
        .json(&json!({"envelope": {"amount": "150000.00", "currency": "USD"}}))
        .send()
        .await
        .assert_status(201);
    reviewed(&app, json!({"funding_year": 2027})).await;
    app.transition("TS.0001", "approved")
        .await
        .assert_status(200);
    reviewed(&app, json!({"code": "TS.0002", "funding_year": 2027, "budget": {"amount": "60000.00", "currency": "USD"}})).await;
    let r = app.transition("TS.0002", "approved").await;
    let doc = r.assert_problem(422, "rule_violation");
    assert_eq!(doc["errors"][0]["code"], "allocation_exceeded");
    assert_eq!(doc["errors"][0]["details"]["committed"], "100000.00");
    // Within what is left, it passes.
    reviewed(&app, json!({"code": "TS.0003", "funding_year": 2027, "budget": {"amount": "50000.00", "currency": "USD"}})).await;
    app.transition("TS.0003", "approved")
        .await
        .assert_status(200);
});

db_test!(every_failing_rule_is_listed_in_one_refusal, |app| {
    app.eligible_state("KHM", "AP", 2026, false, false).await;
    app.eligible_state("VNM", "AP", 2026, true, true).await;
    app.put("/api/v1/allocations/2026/line_1")
        .bearer(&app.admin())
        .json(&json!({"envelope": {"amount": "100000.00", "currency": "USD"}}))
        .send()
        .await
        .assert_status(200);
    let states = json!([{"iso3": "KHM", "endorsed": true}, {"iso3": "VNM"}]);
    reviewed(&app, json!({"scope": "regional", "member_states": states, "budget": {"amount": "250000", "currency": "USD"}, "staff_office_share": "0.5"})).await;
    let codes = refusal(&app, "TS.0001").await;
    assert_eq!(
        codes,
        [
            "funding_cap_exceeded",
            "staff_office_share_exceeded",
            "endorsements_missing",
            "member_state_not_eligible",
            "allocation_exceeded"
        ]
    );
    let p = app
        .get("/api/v1/projects/TS.0001")
        .bearer(&app.admin())
        .send()
        .await
        .json();
    assert_eq!(
        p["status"], "under_review",
        "a refused approval changes nothing"
    );
});

db_test!(
    past_projects_are_entered_with_rule_warnings_not_refusals,
    |app| {
        app.eligible_state("NPL", "AP", 2026, true, true).await;
        let r = app
            .post_project(
                &app.token(devfund::auth::Role::FundManager),
                json!({"status": "completed", "budget": {"amount": "500000", "currency": "USD"}}),
            )
            .await;
        let p = r.assert_status(201).json();
        assert_eq!(p["status"], "completed");
        let codes: Vec<&str> = p["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["funding_cap_exceeded"]);
        let r = app
            .post_project(
                &app.admin(),
                json!({"code": "TS.0002", "status": "under_review"}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed")["errors"][0]["code"],
            "invalid_initial_status"
        );
    }
);

db_test!(
    edits_to_an_approved_project_must_still_fit_the_rules,
    |app| {
        app.eligible_state("NPL", "AP", 2026, true, true).await;
        reviewed(&app, json!({})).await;
        app.transition("TS.0001", "approved")
            .await
            .assert_status(200);
        let officer = app.token(devfund::auth::Role::ProjectOfficer);
        let r = app
            .patch("/api/v1/projects/TS.0001")
            .bearer(&officer)
            .header("if-match", "\"v4\"")
            .json(&json!({"budget": {"amount": "90000.00", "currency": "USD"}}))
            .send()
            .await;
        r.assert_problem(403, "forbidden");
        let r = app
            .patch("/api/v1/projects/TS.0001")
            .bearer(&officer)
            .header("if-match", "\"v4\"")
            .json(&json!({"summary": "Progress report filed"}))
            .send()
            .await;
        r.assert_status(200);
        let r = app
            .patch("/api/v1/projects/TS.0001")
            .bearer(&app.admin())
            .header("if-match", "\"v5\"")
            .json(&json!({"budget": {"amount": "900000.00", "currency": "USD"}}))
            .send()
            .await;
        assert_eq!(
            r.assert_problem(422, "rule_violation")["errors"][0]["code"],
            "funding_cap_exceeded"
        );
        let r = app
            .patch("/api/v1/projects/TS.0001")
            .bearer(&app.admin())
            .header("if-match", "\"v5\"")
            .json(&json!({"budget": {"amount": "95000.00", "currency": "USD"}}))
            .send()
            .await;
        assert_eq!(r.assert_status(200).json()["budget"]["amount"], "95000.00");
    }
);

db_test!(approval_needs_the_staff_and_office_share, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    reviewed(&app, json!({"staff_office_share": null})).await;
    assert_eq!(
        refusal(&app, "TS.0001").await,
        ["staff_office_share_missing"]
    );
    let r = app
        .post_project(
            &app.admin(),
            json!({"code": "TS.0002", "budget": {"amount": "1000000000.01", "currency": "USD"}}),
        )
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "amount_out_of_range"
    );
});
