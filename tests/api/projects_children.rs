//! Projects: mapping sets, links, officer scope and the history of every write.

use crate::db_test;
use devfund::auth::Role;
use serde_json::json;

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
