//! Member states and their eligibility history.

use crate::db_test;
use devfund::auth::Role;
use serde_json::json;

db_test!(a_member_state_is_created_read_back_and_listed, |app| {
    let created = app.create_member_state("BRA", "Brazil", "SA").await;
    assert_eq!(created["region_label"], "South America");
    assert_eq!(created["iom_member"], true);
    let r = app
        .get("/api/v1/member-states/BRA")
        .signed_as(Role::Viewer)
        .send()
        .await;
    let body = r.assert_status(200).json();
    assert_eq!(body["name"], "Brazil");
    assert_eq!(r.header("etag").as_deref(), Some("\"v1\""));
    let list = app
        .get("/api/v1/member-states")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["items"][0]["iso3"], "BRA");
});

db_test!(creation_answers_201_with_location, |app| {
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::FundManager)
        .json(&json!({"iso3": "NPL", "name": "Nepal", "region": "AP", "member_since": 2006}))
        .send()
        .await;
    r.assert_status(201);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v1/member-states/NPL")
    );
    assert_eq!(r.json()["member_since"], 2006);
});

db_test!(invalid_member_states_are_refused_field_by_field, |app| {
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .json(&json!({"iso3": "XXX", "name": "Nowhere", "region": "MARS"}))
        .send()
        .await;
    let doc = r.assert_problem(422, "validation_failed");
    let fields: Vec<(&str, &str)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        vec![("iso3", "unknown_iso3"), ("region", "unknown_region")]
    );
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .json(&json!({"iso3": "br", "name": "B", "region": "SA"}))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "invalid_iso3"
    );
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .json(&json!({"iso3": "CHE", "name": "Switzerland", "region": "EEA", "iom_member": false, "member_since": 1951}))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "not_a_member"
    );
    let list = app
        .get("/api/v1/member-states")
        .signed_as(Role::Admin)
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 0, "nothing half-written");
});

db_test!(a_duplicate_member_state_is_a_conflict, |app| {
    app.create_member_state("BRA", "Brazil", "SA").await;
    let r = app
        .post("/api/v1/member-states")
        .signed_as(Role::Admin)
        .json(&json!({"iso3": "BRA", "name": "Brasil", "region": "SA"}))
        .send()
        .await;
    r.assert_problem(409, "conflict");
});

db_test!(patch_honours_if_match_and_a_stale_etag_is_412, |app| {
    app.create_member_state("UKR", "Ukraine", "SEECA").await;
    let admin = app.admin();
    let r = app
        .patch("/api/v1/member-states/UKR")
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .json(&json!({"member_since": 2001}))
        .send()
        .await;
    r.assert_status(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"v2\""));
    assert_eq!(r.json()["member_since"], 2001);
    // A second editor still holding v1 is refused, and the first edit stands.
    let r = app
        .patch("/api/v1/member-states/UKR")
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .json(&json!({"name": "Ukrayina"}))
        .send()
        .await;
    r.assert_problem(412, "precondition_failed");
    let now = app
        .get("/api/v1/member-states/UKR")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        (now["name"].as_str(), now["member_since"].as_i64()),
        (Some("Ukraine"), Some(2001))
    );
    // null clears; an unknown region is refused naming the field.
    let r = app
        .patch("/api/v1/member-states/UKR")
        .bearer(&admin)
        .json(&json!({"member_since": null}))
        .send()
        .await;
    assert!(r.assert_status(200).json()["member_since"].is_null());
    let r = app
        .patch("/api/v1/member-states/UKR")
        .bearer(&admin)
        .json(&json!({"region": "EU"}))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "region"
    );
    let r = app
        .patch("/api/v1/member-states/ZZZ")
        .bearer(&admin)
        .json(&json!({"name": "x"}))
        .send()
        .await;
    r.assert_problem(404, "not_found");
});

db_test!(delete_removes_the_state_and_its_history, |app| {
    app.create_member_state("TUN", "Tunisia", "MENA").await;
    let admin = app.admin();
    app.put("/api/v1/member-states/TUN/eligibility/2013")
        .bearer(&admin)
        .json(&json!({"income_group": "upper_middle", "line_1_eligible": true, "line_2_eligible": true}))
        .send()
        .await
        .assert_status(201);
    let r = app
        .delete("/api/v1/member-states/TUN")
        .bearer(&admin)
        .header("if-match", "\"v7\"")
        .send()
        .await;
    r.assert_problem(412, "precondition_failed");
    app.delete("/api/v1/member-states/TUN")
        .bearer(&admin)
        .send()
        .await
        .assert_status(204);
    app.get("/api/v1/member-states/TUN")
        .bearer(&admin)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/member-states/TUN/eligibility")
        .bearer(&admin)
        .send()
        .await
        .assert_problem(404, "not_found");
});

db_test!(eligibility_is_history_per_year, |app| {
    app.create_member_state("NPL", "Nepal", "AP").await;
    let admin = app.admin();
    let put = |year: i32, group: &'static str, line_2: bool| {
        app.put(&format!("/api/v1/member-states/NPL/eligibility/{year}"))
            .bearer(&admin)
            .json(&json!({"income_group": group, "line_1_eligible": true, "line_2_eligible": line_2, "note": "test"}))
            .send()
    };
    put(2017, "low", true).await.assert_status(201);
    put(2021, "lower_middle", false).await.assert_status(201);
    let r = put(2021, "lower_middle", true).await;
    assert_eq!(r.assert_status(200).json()["line_2_eligible"], true);
    let history = app
        .get("/api/v1/member-states/NPL/eligibility")
        .bearer(&admin)
        .send()
        .await
        .json();
    let years: Vec<i64> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, vec![2021, 2017]);
    let one = app
        .get("/api/v1/member-states/NPL/eligibility/2017")
        .bearer(&admin)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(one["income_group"], "low");
    app.get("/api/v1/member-states/NPL/eligibility/2018")
        .bearer(&admin)
        .send()
        .await
        .assert_problem(404, "not_found");
    let state = app
        .get("/api/v1/member-states/NPL")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        state["eligibility"]["year"], 2021,
        "the latest year is shown"
    );
    let r = app
        .put("/api/v1/member-states/NPL/eligibility/2022")
        .bearer(&admin)
        .json(&json!({"income_group": "middle", "line_1_eligible": true, "line_2_eligible": true}))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "income_group"
    );
    app.put("/api/v1/member-states/NPL/eligibility/1800")
        .bearer(&admin)
        .json(&json!({"income_group": "low", "line_1_eligible": true, "line_2_eligible": true}))
        .send()
        .await
        .assert_problem(400, "bad_request");
});

db_test!(the_list_filters_sorts_and_pages, |app| {
    for (iso3, name, region) in [
        ("BRA", "Brazil", "SA"),
        ("NPL", "Nepal", "AP"),
        ("KHM", "Cambodia", "AP"),
        ("VNM", "Viet Nam", "AP"),
        ("TUN", "Tunisia", "MENA"),
    ] {
        app.create_member_state(iso3, name, region).await;
    }
    let admin = app.admin();
    let codes = |v: &serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["iso3"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app
        .get("/api/v1/member-states?region=AP,MENA&sort=-name")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(codes(&r), vec!["VNM", "TUN", "NPL", "KHM"]);
    let r = app
        .get("/api/v1/member-states?q=NAM")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(codes(&r), vec!["VNM"], "q is case-insensitive");
    let r = app
        .get("/api/v1/member-states?q=bra")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(codes(&r), vec!["BRA"]);
    let r = app
        .get("/api/v1/member-states?per_page=2&page=2")
        .bearer(&admin)
        .send()
        .await;
    let body = r.assert_status(200).json();
    assert_eq!(codes(&body), vec!["NPL", "TUN"], "default order is by code");
    assert_eq!(body["meta"], json!({"total": 5, "page": 2, "per_page": 2}));
    let link = r.header("link").unwrap();
    assert!(
        link.contains("page=3>; rel=\"next\"")
            && link.contains("page=1>; rel=\"prev\"")
            && link.contains("page=3>; rel=\"last\""),
        "{link}"
    );
    let r = app
        .get("/api/v1/member-states?sort=iso3")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(codes(&r), vec!["BRA", "KHM", "NPL", "TUN", "VNM"]);
    let future = "2999-01-01T00:00:00Z";
    let r = app
        .get(&format!("/api/v1/member-states?updated_since={future}"))
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(r["meta"]["total"], 0);
});

db_test!(every_write_leaves_an_audit_event, |app| {
    let admin = app.admin();
    app.create_member_state("KGZ", "Kyrgyzstan", "SEECA").await;
    app.patch("/api/v1/member-states/KGZ")
        .bearer(&admin)
        .header("x-request-id", "req-42")
        .json(&json!({"member_since": 2000}))
        .send()
        .await
        .assert_status(200);
    app.put("/api/v1/member-states/KGZ/eligibility/2018")
        .bearer(&admin)
        .json(&json!({"income_group": "lower_middle", "line_1_eligible": true, "line_2_eligible": true}))
        .send()
        .await
        .assert_status(201);
    app.delete("/api/v1/member-states/KGZ")
        .bearer(&admin)
        .send()
        .await
        .assert_status(204);
    let events = app
        .get("/api/v1/audit-events?record_type=member_state&record_key=KGZ")
        .bearer(&admin)
        .send()
        .await
        .assert_status(200)
        .json();
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["delete", "update", "create"]);
    let update = &events["items"][1];
    assert_eq!(update["subject"], "test-admin");
    assert_eq!(update["role"], "admin");
    assert_eq!(update["request_id"], "req-42");
    assert_eq!(
        update["changes"],
        json!({"before": {"member_since": null}, "after": {"member_since": 2000}})
    );
    let elig = app
        .get("/api/v1/audit-events?record_type=eligibility")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(elig["items"][0]["record_key"], "KGZ/2018");
    // A refused write leaves no event.
    app.post("/api/v1/member-states")
        .bearer(&admin)
        .json(&json!({"iso3": "KGZ", "name": "", "region": "SEECA"}))
        .send()
        .await
        .assert_status(422);
    let all = app
        .get("/api/v1/audit-events?subject=test-admin")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(all["meta"]["total"], 4);
});

db_test!(
    a_state_without_eligibility_has_empty_eligibility_cells_in_csv,
    |app| {
        app.create_member_state("BRA", "Brazil", "SA").await;
        let csv = app
            .get("/api/v1/member-states?format=csv")
            .signed_as(devfund::auth::Role::Viewer)
            .send()
            .await
            .assert_status(200)
            .text();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(lines[1].starts_with("BRA,Brazil,SA,"), "{}", lines[1]);
    }
);
