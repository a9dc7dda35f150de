//! Projects: create, read, edit and delete (mappings, links, scope and history:
//! `projects_children.rs`).

use crate::db_test;
use devfund::auth::Role;
use serde_json::json;

db_test!(a_project_is_created_with_its_etag_and_warnings, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    let r = app.post_project(&app.token(Role::ProjectOfficer), json!({"sdg_targets": ["16.3"], "migof": ["P1", "O1", "P1"], "gcm_objectives": [23, 1], "msd": [{"outcome": 3, "deliverables": [2, 1]}]})).await;
    let p = r.assert_status(201).json();
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v1/projects/TS.0001")
    );
    assert_eq!(r.header("etag").as_deref(), Some("\"v1\""));
    assert_eq!(p["status"], "draft");
    assert_eq!(
        p["budget"],
        json!({"amount": "100000.00", "currency": "USD"})
    );
    assert_eq!(
        p["member_states"],
        json!([{"iso3": "NPL", "share": "1.00", "endorsed": false}])
    );
    assert_eq!(p["migof"], json!(["P1", "O1"]));
    assert_eq!(p["gcm_objectives"], json!([1, 23]));
    assert_eq!(p["msd"], json!([{"outcome": 3, "deliverables": [1, 2]}]));
    assert_eq!(p["warnings"][0]["code"], "missing_sdg_10_7");
    let read = app
        .get("/api/v1/projects/TS.0001")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(read["title"], "Test project");
    app.post_project(&app.admin(), json!({}))
        .await
        .assert_problem(409, "conflict");
});

db_test!(
    shares_split_equally_unless_given_and_must_sum_to_one,
    |app| {
        for iso3 in ["KHM", "VNM", "LAO"] {
            app.eligible_state(iso3, "AP", 2026, true, true).await;
        }
        let states = json!([{"iso3": "KHM"}, {"iso3": "VNM"}, {"iso3": "LAO"}]);
        let p = app
            .post_project(
                &app.admin(),
                json!({"scope": "regional", "member_states": states}),
            )
            .await
            .assert_status(201)
            .json();
        let shares: Vec<&str> = p["member_states"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["share"].as_str().unwrap())
            .collect();
        assert_eq!(shares, ["0.333334", "0.333333", "0.333333"]);
        let uneven = json!([{"iso3": "KHM", "share": "0.5"}, {"iso3": "VNM", "share": "0.3"}, {"iso3": "LAO", "share": "0.1"}]);
        let r = app
            .post_project(
                &app.admin(),
                json!({"code": "TS.0002", "scope": "regional", "member_states": uneven}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed")["errors"][0]["code"],
            "shares_do_not_sum_to_one"
        );
        let thirds = json!([{"iso3": "KHM", "share": "0.333333"}, {"iso3": "VNM", "share": "0.333333"}, {"iso3": "LAO", "share": "0.333333"}]);
        app.post_project(
            &app.admin(),
            json!({"code": "TS.0003", "scope": "regional", "member_states": thirds}),
        )
        .await
        .assert_status(201);
    }
);

db_test!(invalid_projects_are_refused_listing_every_field, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    let r = app
        .post_project(
            &app.admin(),
            json!({
                "code": "ts-1", "budget": {"amount": "100000.00", "currency": "EUR"}, "staff_office_share": "1.2",
                "sdg_targets": ["10.7", "10.99"], "migof": ["P9"], "gcm_objectives": [24],
                "msd": [{"outcome": 1, "deliverables": [7]}], "thematic_area": "astrology",
                "member_states": [{"iso3": "NPL"}, {"iso3": "BRA"}]
            }),
        )
        .await;
    let doc = r.assert_problem(422, "validation_failed");
    let codes: Vec<(&str, &str)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("code", "invalid_code"),
            ("budget", "wrong_currency"),
            ("staff_office_share", "share_out_of_range"),
            ("thematic_area", "unknown_term"),
            ("member_states", "national_project_has_one_state"),
            ("sdg_targets[1]", "unknown_sdg_target"),
            ("migof[0]", "unknown_migof_element"),
            ("gcm_objectives[0]", "unknown_gcm_objective"),
            ("msd[0].deliverables[0]", "unknown_msd_deliverable"),
        ]
    );
    let r = app
        .post_project(&app.admin(), json!({"member_states": [{"iso3": "BRA"}]}))
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "unknown_member_state"
    );
    let r = app
        .post_project(
            &app.admin(),
            json!({"budget": {"amount": 100000, "currency": "USD"}}),
        )
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "amount_not_a_string"
    );
    let list = app
        .get("/api/v1/projects")
        .signed_as(Role::Admin)
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 0, "nothing half-written");
});

db_test!(patch_needs_a_current_if_match, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    let v1 = app.project(json!({"summary": "first"})).await;
    let admin = app.admin();
    let patch = |etag: Option<&str>, body: serde_json::Value| {
        let mut r = app.patch("/api/v1/projects/TS.0001").bearer(&admin);
        if let Some(e) = etag {
            r = r.header("if-match", e);
        }
        r.raw(
            "application/merge-patch+json",
            body.to_string().into_bytes(),
        )
        .send()
    };
    patch(None, json!({"title": "No precondition"}))
        .await
        .assert_problem(428, "precondition_required");
    let r = patch(
        Some(&v1),
        json!({"title": "Renamed", "summary": null, "sdg_targets": ["10.7", "16.3"]}),
    )
    .await;
    let p = r.assert_status(200).json();
    assert_eq!(r.header("etag").as_deref(), Some("\"v2\""));
    assert_eq!(
        (p["title"].as_str(), p["summary"].is_null()),
        (Some("Renamed"), true)
    );
    assert_eq!(p["sdg_targets"], json!(["10.7", "16.3"]));
    // A second editor still on v1 cannot overwrite the first.
    patch(Some(&v1), json!({"title": "Lost update"}))
        .await
        .assert_problem(412, "precondition_failed");
    let now = app
        .get("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(now["title"], "Renamed");
    let r = patch(
        Some("\"v2\""),
        json!({"code": "TS.0009", "status": "approved"}),
    )
    .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = patch(
        Some("\"v2\""),
        json!({"budget": {"amount": "1.001", "currency": "USD"}}),
    )
    .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "budget"
    );
});

db_test!(only_drafts_are_deleted, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    let etag = app.project(json!({})).await;
    let admin = app.admin();
    app.delete("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .send()
        .await
        .assert_problem(428, "precondition_required");
    app.transition("TS.0001", "submitted")
        .await
        .assert_status(200);
    let etag2 = app
        .get("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .send()
        .await
        .header("etag")
        .unwrap();
    app.delete("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .header("if-match", &etag)
        .send()
        .await
        .assert_problem(412, "precondition_failed");
    app.delete("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .header("if-match", &etag2)
        .send()
        .await
        .assert_problem(409, "conflict");
    app.project(json!({"code": "TS.0002"})).await;
    app.delete("/api/v1/projects/TS.0002")
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .send()
        .await
        .assert_status(204);
    app.get("/api/v1/projects/TS.0002")
        .bearer(&admin)
        .send()
        .await
        .assert_problem(404, "not_found");
});
