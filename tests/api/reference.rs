//! Reference data shipped with the service, and the funding rules and envelopes.

use crate::db_test;
use devfund::auth::Role;
use serde_json::json;

db_test!(the_reference_data_is_loaded_and_served, |app| {
    let t = app.token(Role::Viewer);
    let get = |path: &'static str| app.get(path).bearer(&t).send();
    assert_eq!(get("/api/v1/regions").await.json()["meta"]["total"], 9);
    assert_eq!(
        get("/api/v1/regions/SA").await.json()["name"],
        "South America"
    );
    get("/api/v1/regions/XX")
        .await
        .assert_problem(404, "not_found");
    assert_eq!(get("/api/v1/sdg/goals").await.json()["meta"]["total"], 17);
    let goals = get("/api/v1/sdg/goals?include=targets&per_page=17")
        .await
        .json();
    let total_targets: usize = goals["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["targets"].as_array().unwrap().len())
        .sum();
    assert_eq!(total_targets, 169);
    assert_eq!(
        get("/api/v1/sdg/targets?per_page=500").await.json()["meta"]["total"],
        169
    );
    let goal_10 = get("/api/v1/sdg/goals/10").await.json();
    assert_eq!(goal_10["short_title"], "Reduced inequalities");
    let codes: Vec<&str> = goal_10["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec![
            "10.1", "10.2", "10.3", "10.4", "10.5", "10.6", "10.7", "10.a", "10.b", "10.c"
        ]
    );
    let t107 = get("/api/v1/sdg/targets/10.7").await.json();
    assert!(
        t107["title"]
            .as_str()
            .unwrap()
            .starts_with("Facilitate orderly, safe, regular and responsible migration")
    );
    assert_eq!(get("/api/v1/sdg/targets/16.10").await.json()["goal"], 16);
    assert_eq!(
        get("/api/v1/sdg/targets?goal=10").await.json()["meta"]["total"],
        10
    );
    let ind = get("/api/v1/sdg/indicators?target=10.7").await.json();
    let ind_codes: Vec<&str> = ind["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(ind_codes, vec!["10.7.1", "10.7.2", "10.7.3", "10.7.4"]);
    assert_eq!(
        ind["items"][0]["framework_version"],
        "2020 comprehensive review"
    );
    let migof = get("/api/v1/migof/elements").await.json();
    let m: Vec<&str> = migof["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(m, vec!["P1", "P2", "P3", "O1", "O2", "O3"]);
    assert!(
        migof["items"][0]["short_text"].as_str().unwrap().len()
            < migof["items"][0]["text"].as_str().unwrap().len()
    );
    let gcm = get("/api/v1/gcm/objectives?per_page=100").await.json();
    assert_eq!(gcm["meta"]["total"], 23);
    assert_eq!(gcm["items"][22]["number"], 23);
    let msd = get("/api/v1/msd/outcomes").await.json();
    assert_eq!(msd["items"].as_array().unwrap().len(), 3);
    assert_eq!(msd["items"][2]["deliverables"].as_array().unwrap().len(), 3);
    for (name, count) in [
        ("thematic-areas", 10),
        ("innovation-areas", 9),
        ("cross-cutting-themes", 3),
        ("scaling-up-dimensions", 4),
        ("project-statuses", 11),
        ("source-types", 7),
    ] {
        let tax = app
            .get(&format!("/api/v1/taxonomies/{name}"))
            .bearer(&t)
            .send()
            .await
            .assert_status(200)
            .json();
        assert_eq!(tax["terms"].as_array().unwrap().len(), count, "{name}");
    }
    get("/api/v1/taxonomies/colours")
        .await
        .assert_problem(404, "not_found");
});

db_test!(the_current_funding_rules_and_envelopes_are_loaded, |app| {
    let t = app.token(Role::Viewer);
    let rules = app
        .get("/api/v1/funding-rules?year=2026")
        .bearer(&t)
        .send()
        .await
        .assert_status(200)
        .json();
    let caps: Vec<(String, String, String, Option<String>)> = rules["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["funding_line"].as_str().unwrap().to_owned(),
                r["scope"].as_str().unwrap().to_owned(),
                r["cap"]["amount"].as_str().unwrap().to_owned(),
                r["exceptional_cap"]["amount"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        caps,
        vec![
            ("line_1".into(), "national".into(), "100000.00".into(), None),
            (
                "line_1".into(),
                "regional".into(),
                "100000.00".into(),
                Some("200000.00".into())
            ),
            ("line_2".into(), "national".into(), "300000.00".into(), None),
            ("line_2".into(), "regional".into(), "400000.00".into(), None),
        ]
    );
    assert_eq!(rules["items"][0]["staff_office_max_share"], "0.30");
    assert_eq!(rules["items"][0]["effective_year"], 2020);
    let none = app
        .get("/api/v1/funding-rules?year=2019")
        .bearer(&t)
        .send()
        .await
        .json();
    assert_eq!(
        none["items"].as_array().unwrap().len(),
        0,
        "the first version is effective from 2020"
    );
    let env = app
        .get("/api/v1/allocations?year=2026")
        .bearer(&t)
        .send()
        .await
        .json();
    let amounts: Vec<(&str, &str)> = env["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["funding_line"].as_str().unwrap(),
                a["envelope"]["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        vec![("line_1", "1400000.00"), ("line_2", "13600000.00")]
    );
});

db_test!(funding_rules_are_versioned_by_year, |app| {
    let fm = app.token(Role::FundManager);
    let rule = json!({
        "effective_year": 2027, "funding_line": "line_2", "scope": "national",
        "cap": {"amount": "350000.00", "currency": "USD"}, "exceptional_cap": null,
        "staff_office_max_share": "0.25", "min_endorsing_states": 2, "note": "raised cap"
    });
    let r = app
        .post("/api/v1/funding-rules")
        .bearer(&fm)
        .json(&rule)
        .send()
        .await;
    let created = r.assert_status(201).json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/funding-rules/{id}"))
    );
    app.post("/api/v1/funding-rules")
        .bearer(&fm)
        .json(&rule)
        .send()
        .await
        .assert_problem(409, "conflict");
    let in_2027 = app
        .get("/api/v1/funding-rules?year=2027&funding_line=line_2&scope=national")
        .bearer(&fm)
        .send()
        .await
        .json();
    assert_eq!(in_2027["items"][0]["cap"]["amount"], "350000.00");
    let in_2026 = app
        .get("/api/v1/funding-rules?year=2026&funding_line=line_2&scope=national")
        .bearer(&fm)
        .send()
        .await
        .json();
    assert_eq!(in_2026["items"][0]["cap"]["amount"], "300000.00");
    let mut changed = rule.clone();
    changed["cap"] = json!({"amount": "360000", "currency": "USD"});
    let r = app
        .put(&format!("/api/v1/funding-rules/{id}"))
        .bearer(&fm)
        .json(&changed)
        .send()
        .await;
    assert_eq!(r.assert_status(200).json()["cap"]["amount"], "360000.00");
    app.delete(&format!("/api/v1/funding-rules/{id}"))
        .bearer(&fm)
        .send()
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/funding-rules/{id}"))
        .bearer(&fm)
        .send()
        .await
        .assert_problem(404, "not_found");
    let events = app
        .get("/api/v1/audit-events?record_type=funding_rule")
        .signed_as(Role::Admin)
        .send()
        .await
        .json();
    assert_eq!(events["meta"]["total"], 3);
});

db_test!(funding_rule_money_and_shares_are_checked, |app| {
    let fm = app.token(Role::FundManager);
    let r = app
        .post("/api/v1/funding-rules")
        .bearer(&fm)
        .json(&json!({
            "effective_year": 2027, "funding_line": "line_1", "scope": "regional",
            "cap": {"amount": 100000.5, "currency": "USD"},
            "exceptional_cap": {"amount": "200000.00", "currency": "EUR"},
            "staff_office_max_share": "1.30", "min_endorsing_states": 2
        }))
        .send()
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
        vec![
            ("cap", "amount_not_a_string"),
            ("exceptional_cap", "wrong_currency"),
            ("staff_office_max_share", "share_out_of_range")
        ]
    );
    let r = app
        .post("/api/v1/funding-rules")
        .bearer(&fm)
        .json(&json!({
            "effective_year": 2027, "funding_line": "line_1", "scope": "regional",
            "cap": {"amount": "100000.001", "currency": "USD"}, "exceptional_cap": null,
            "staff_office_max_share": "0.3", "min_endorsing_states": 2
        }))
        .send()
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "too_many_decimals"
    );
});

db_test!(envelopes_are_set_per_year_and_line, |app| {
    let fm = app.token(Role::FundManager);
    let r = app
        .put("/api/v1/allocations/2027/line_1")
        .bearer(&fm)
        .json(&json!({"envelope": {"amount": "1500000.00", "currency": "USD"}}))
        .send()
        .await;
    r.assert_status(201);
    let r = app
        .put("/api/v1/allocations/2027/line_1")
        .bearer(&fm)
        .json(&json!({"envelope": {"amount": "1600000", "currency": "USD"}, "note": "revised"}))
        .send()
        .await;
    assert_eq!(
        r.assert_status(200).json()["envelope"]["amount"],
        "1600000.00"
    );
    app.put("/api/v1/allocations/2027/line_3")
        .bearer(&fm)
        .json(&json!({"envelope": {"amount": "1", "currency": "USD"}}))
        .send()
        .await
        .assert_problem(400, "bad_request");
    let list = app
        .get("/api/v1/allocations")
        .bearer(&fm)
        .send()
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
});
