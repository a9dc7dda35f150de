//! `/users`: administration of logins.

use crate::db_test;
use devfund::auth::Role;
use serde_json::json;

db_test!(an_admin_manages_logins_and_never_sees_a_hash, |app| {
    let admin = app.admin();
    let r = app
        .post("/api/v1/users")
        .bearer(&admin)
        .json(&json!({"username": "officer.npl", "role": "project_officer", "password": "a-long-password", "member_states": ["NPL"]}))
        .send()
        .await;
    let created = r.assert_status(201).json();
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v1/users/officer.npl")
    );
    assert_eq!(created["kind"], "person");
    assert_eq!(created["member_states"], json!(["NPL"]));
    assert!(
        !r.text().contains("argon2") && !r.text().contains("password"),
        "{}",
        r.text()
    );
    let r = app
        .get("/api/v1/users/officer.npl")
        .bearer(&admin)
        .send()
        .await;
    r.assert_status(200);
    let etag = r.header("etag").unwrap();
    let r = app
        .patch("/api/v1/users/officer.npl")
        .bearer(&admin)
        .header("if-match", &etag)
        .json(&json!({"member_states": null, "role": "viewer"}))
        .send()
        .await;
    let updated = r.assert_status(200).json();
    assert_eq!(
        (updated["role"].as_str(), updated["member_states"].is_null()),
        (Some("viewer"), true)
    );
    app.patch("/api/v1/users/officer.npl")
        .bearer(&admin)
        .header("if-match", &etag)
        .json(&json!({"disabled": true}))
        .send()
        .await
        .assert_problem(412, "precondition_failed");
    let list = app.get("/api/v1/users").bearer(&admin).send().await.json();
    assert_eq!(list["meta"]["total"], 1);
    app.delete("/api/v1/users/officer.npl")
        .bearer(&admin)
        .send()
        .await
        .assert_status(204);
    app.get("/api/v1/users/officer.npl")
        .bearer(&admin)
        .send()
        .await
        .assert_problem(404, "not_found");
    let events = app
        .get("/api/v1/audit-events?record_type=user")
        .bearer(&admin)
        .send()
        .await
        .json();
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["delete", "update", "create"]);
    assert!(!events.to_string().contains("argon2"));
});

db_test!(bad_logins_are_refused, |app| {
    let admin = app.admin();
    let r = app
        .post("/api/v1/users")
        .bearer(&admin)
        .json(&json!({"username": "Bad Name", "role": "viewer", "kind": "robot", "password": "short", "member_states": ["XYZ"]}))
        .send()
        .await;
    let doc = r.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["username", "kind", "password", "member_states[0]"]
    );
    let r = app
        .post("/api/v1/users")
        .bearer(&admin)
        .json(&json!({"username": "x1", "role": "root", "password": "long-enough-pw"}))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "role"
    );
    let body = json!({"username": "dup", "role": "viewer", "password": "long-enough-pw"});
    app.post("/api/v1/users")
        .bearer(&admin)
        .json(&body)
        .send()
        .await
        .assert_status(201);
    app.post("/api/v1/users")
        .bearer(&admin)
        .json(&body)
        .send()
        .await
        .assert_problem(409, "conflict");
    app.post("/api/v1/users")
        .signed_as(Role::FundManager)
        .json(&body)
        .send()
        .await
        .assert_problem(403, "forbidden");
});
