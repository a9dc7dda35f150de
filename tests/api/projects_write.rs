//! Projects: create, read, edit, delete, mappings, links, scope and the audit trail.

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

db_test!(one_mapping_set_is_replaced_at_a_time, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({"migof": ["P2"]})).await;
    let admin = app.admin();
    let r = app
        .put("/api/v1/projects/TS.0001/sdg-targets")
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .json(&json!({"sdg_targets": ["10.7", "17.18"]}))
        .send()
        .await;
    let p = r.assert_status(200).json();
    assert_eq!(p["sdg_targets"], json!(["10.7", "17.18"]));
    assert_eq!(p["migof"], json!(["P2"]), "other sets stay");
    assert_eq!(r.header("etag").as_deref(), Some("\"v2\""));
    let set = app
        .get("/api/v1/projects/TS.0001/sdg-targets")
        .bearer(&admin)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(set, json!({"sdg_targets": ["10.7", "17.18"]}));
    app.put("/api/v1/projects/TS.0001/migof")
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .json(&json!({"migof": ["O1"]}))
        .send()
        .await
        .assert_problem(412, "precondition_failed");
    let r = app
        .put("/api/v1/projects/TS.0001/gcm-objectives")
        .bearer(&admin)
        .header("if-match", "\"v2\"")
        .json(&json!({"migof": ["O1"]}))
        .send()
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .put("/api/v1/projects/TS.0001/msd")
        .bearer(&admin)
        .header("if-match", "\"v2\"")
        .json(&json!({"msd": [{"outcome": 2, "deliverables": [1, 3]}]}))
        .send()
        .await;
    assert_eq!(
        r.assert_status(200).json()["msd"],
        json!([{"outcome": 2, "deliverables": [1, 3]}])
    );
    let r = app
        .put("/api/v1/projects/TS.0001/sdg-targets")
        .bearer(&admin)
        .header("if-match", "\"v3\"")
        .json(&json!({"sdg_targets": ["16.3"]}))
        .send()
        .await;
    assert_eq!(
        r.assert_status(200).json()["warnings"][0]["code"],
        "missing_sdg_10_7"
    );
});

db_test!(links_point_into_the_portfolio_or_name_a_title, |app| {
    app.eligible_state("BRA", "SA", 2026, true, true).await;
    app.project(json!({"code": "PO.0125", "member_states": [{"iso3": "BRA"}]}))
        .await;
    app.project(json!({"code": "PO.0141", "member_states": [{"iso3": "BRA"}]}))
        .await;
    let admin = app.admin();
    let r = app
        .post("/api/v1/projects/PO.0141/links")
        .bearer(&admin)
        .json(&json!({"type": "builds_on", "target_code": "PO.0125"}))
        .send()
        .await;
    let link = r.assert_status(201).json();
    assert_eq!(link["target_code"], "PO.0125");
    let r = app.post("/api/v1/projects/PO.0141/links").bearer(&admin).json(&json!({"type": "builds_on", "target_title": "Improving Legal Assistance to Migrants in Brazil"})).send().await;
    r.assert_status(201);
    let r = app
        .post("/api/v1/projects/PO.0141/links")
        .bearer(&admin)
        .json(&json!({"type": "builds_on", "target_code": "IM.0043"}))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "unknown_project"
    );
    let r = app
        .post("/api/v1/projects/PO.0141/links")
        .bearer(&admin)
        .json(&json!({"type": "synergy_with"}))
        .send()
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .post("/api/v1/projects/PO.0141/links")
        .bearer(&admin)
        .json(&json!({"type": "related", "target_title": "x"}))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "type"
    );
    let p = app
        .get("/api/v1/projects/PO.0141")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(p["links"].as_array().unwrap().len(), 2);
    let id = link["id"].as_i64().unwrap();
    app.delete(&format!("/api/v1/projects/PO.0141/links/{id}"))
        .bearer(&admin)
        .send()
        .await
        .assert_status(204);
    app.delete(&format!("/api/v1/projects/PO.0141/links/{id}"))
        .bearer(&admin)
        .send()
        .await
        .assert_problem(404, "not_found");
    let list = app
        .get("/api/v1/projects/PO.0141/links")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
});

db_test!(
    a_scoped_officer_writes_only_projects_of_their_states,
    |app| {
        app.eligible_state("NPL", "AP", 2026, true, true).await;
        app.eligible_state("BRA", "SA", 2026, true, true).await;
        let officer = app.scoped_token(Role::ProjectOfficer, &["NPL"]);
        app.post_project(&officer, json!({}))
            .await
            .assert_status(201);
        app.post_project(
            &officer,
            json!({"code": "TS.0002", "member_states": [{"iso3": "BRA"}]}),
        )
        .await
        .assert_problem(403, "forbidden");
        app.project(json!({"code": "TS.0003", "member_states": [{"iso3": "BRA"}]}))
            .await;
        let r = app
            .patch("/api/v1/projects/TS.0003")
            .bearer(&officer)
            .header("if-match", "\"v1\"")
            .json(&json!({"title": "Mine now"}))
            .send()
            .await;
        r.assert_problem(403, "forbidden");
        let r = app
            .patch("/api/v1/projects/TS.0001")
            .bearer(&officer)
            .header("if-match", "\"v1\"")
            .json(&json!({"member_states": [{"iso3": "BRA"}]}))
            .send()
            .await;
        r.assert_problem(403, "forbidden");
        // Officers move their projects but may not approve, nor enter history.
        let post = |to: &'static str, etag: &'static str| {
            app.post("/api/v1/projects/TS.0001/transitions")
                .bearer(&officer)
                .header("if-match", etag)
                .json(&json!({"to": to, "reason": "ready"}))
                .send()
        };
        post("submitted", "\"v1\"").await.assert_status(200);
        app.transition("TS.0001", "under_review")
            .await
            .assert_status(200);
        post("approved", "\"v3\"")
            .await
            .assert_problem(403, "forbidden");
        app.post_project(
            &officer,
            json!({"code": "TS.0004", "status": "completed", "funding_year": 2015}),
        )
        .await
        .assert_problem(403, "forbidden");
        app.post_project(&app.token(Role::Viewer), json!({"code": "TS.0005"}))
            .await
            .assert_problem(403, "forbidden");
        let list = app
            .get("/api/v1/projects")
            .signed_as(Role::Viewer)
            .send()
            .await
            .json();
        assert_eq!(list["meta"]["total"], 2);
    }
);

db_test!(every_kind_of_project_write_is_in_its_history, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({"code": "TS.0002"})).await;
    app.project(json!({})).await;
    let admin = app.admin();
    app.patch("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .header("x-request-id", "edit-1")
        .json(&json!({"title": "Edited"}))
        .send()
        .await
        .assert_status(200);
    app.put("/api/v1/projects/TS.0001/sdg-targets")
        .bearer(&admin)
        .header("if-match", "\"v2\"")
        .json(&json!({"sdg_targets": ["10.7", "5.2"]}))
        .send()
        .await
        .assert_status(200);
    let link = app
        .post("/api/v1/projects/TS.0001/links")
        .bearer(&admin)
        .json(&json!({"type": "synergy_with", "target_code": "TS.0002"}))
        .send()
        .await
        .json();
    app.delete(&format!("/api/v1/projects/TS.0001/links/{}", link["id"]))
        .bearer(&admin)
        .send()
        .await
        .assert_status(204);
    app.transition("TS.0001", "submitted")
        .await
        .assert_status(200);
    app.delete("/api/v1/projects/TS.0002")
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .send()
        .await
        .assert_status(204);
    let history = app
        .get("/api/v1/projects/TS.0001/history")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "transition",
            "remove_link",
            "add_link",
            "replace_sdg_targets",
            "update",
            "create"
        ]
    );
    assert_eq!(
        history["items"][0]["changes"],
        json!({"before": {"status": "draft", "reason": null}, "after": {"status": "submitted", "reason": "test"}})
    );
    assert_eq!(
        history["items"][4]["changes"],
        json!({"before": {"title": "Test project"}, "after": {"title": "Edited"}})
    );
    assert_eq!(history["items"][4]["request_id"], "edit-1");
    assert_eq!(
        history["items"][3]["changes"]["after"],
        json!({"sdg_targets": ["5.2", "10.7"]})
    );
    let deleted = app
        .get("/api/v1/audit-events?record_type=project&record_key=TS.0002")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(deleted["items"][0]["action"], "delete");
    app.get("/api/v1/projects/XX.9999/history")
        .bearer(&admin)
        .send()
        .await
        .assert_problem(404, "not_found");
});
