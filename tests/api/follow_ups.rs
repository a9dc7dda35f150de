//! Follow-up funding, exchange rates and conversion to USD.

use crate::db_test;
use devfund::auth::Role;
use serde_json::json;

async fn record(
    app: &crate::support::TestApp,
    code: &str,
    body: serde_json::Value,
) -> crate::support::Resp {
    app.post(&format!("/api/v1/projects/{code}/follow-up-funding"))
        .bearer(&app.admin())
        .json(&body)
        .send()
        .await
}

db_test!(follow_up_funding_converts_at_the_rate_of_its_month, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({})).await;
    let admin = app.admin();
    app.put("/api/v1/exchange-rates/EUR/2021-03")
        .bearer(&admin)
        .json(&json!({"usd_per_unit": "1.19", "source": "UN operational rates"}))
        .send()
        .await
        .assert_status(201);
    let exact = record(&app, "TS.0001", json!({"source_type": "national_budget", "status": "received", "amount": {"amount": "50000.00", "currency": "USD"}, "date": "2021"})).await;
    let e = exact.assert_status(201).json();
    assert_eq!(
        (
            e["usd_conversion"].as_str(),
            e["amount_usd"]["amount"].as_str()
        ),
        (Some("exact"), Some("50000.00"))
    );
    // June uses March's rate (latest earlier month within 12 months).
    let r = record(&app, "TS.0001", json!({"source_type": "ifi", "status": "approved", "amount": {"amount": "1000000.00", "currency": "EUR"}, "date": "2021-06-03", "scaling_up_dimensions": ["functional", "quantitative"]})).await;
    let c = r.assert_status(201).json();
    assert_eq!(c["usd_conversion"], "converted");
    assert_eq!(
        c["amount_usd"],
        json!({"amount": "1190000.00", "currency": "USD"})
    );
    assert_eq!(c["usd_rate"], "1.19");
    assert_eq!(
        c["scaling_up_dimensions"],
        json!(["functional", "quantitative"])
    );
    // More than 12 months after the last rate: no guess, flagged.
    let m = record(&app, "TS.0001", json!({"source_type": "ifi", "status": "approved", "amount": {"amount": "10.00", "currency": "EUR"}, "date": "2022-04"})).await.json();
    assert_eq!(
        (m["usd_conversion"].as_str(), m["amount_usd"].is_null()),
        (Some("missing_rate"), true)
    );
    let none = record(
        &app,
        "TS.0001",
        json!({"source_type": "other", "status": "pledged", "in_kind": true}),
    )
    .await
    .json();
    assert_eq!(none["usd_conversion"], "no_amount");
    let p = app
        .get("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        p["follow_up_total_usd"],
        json!({"amount": "1240000.00", "currency": "USD"})
    );
    assert_eq!(p["leverage"], "12.40");
    assert_eq!(p["unconverted_follow_up"], 1);
    // A rate for that month arrives: the record converts, in the same transaction.
    app.put("/api/v1/exchange-rates/EUR/2022-04")
        .bearer(&admin)
        .json(&json!({"usd_per_unit": "1.05", "source": "UN"}))
        .send()
        .await
        .assert_status(201);
    let again = app
        .get(&format!("/api/v1/follow-up-funding/{}", m["id"]))
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        again["amount_usd"],
        json!({"amount": "10.50", "currency": "USD"})
    );
    let p = app
        .get("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(p["unconverted_follow_up"], 0);
});

db_test!(money_and_dates_are_checked_each_with_its_code, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({})).await;
    let cases = [
        (
            json!({"amount": 1500.5, "currency": "USD"}),
            "amount_not_a_string",
        ),
        (
            json!({"amount": "1500.555", "currency": "USD"}),
            "too_many_decimals",
        ),
        (
            json!({"amount": "1500.5", "currency": "JPY"}),
            "too_many_decimals",
        ),
        (
            json!({"amount": "-5.00", "currency": "USD"}),
            "negative_amount",
        ),
        (
            json!({"amount": "5.00", "currency": "EUX"}),
            "unknown_currency",
        ),
        (
            json!({"amount": "1e6", "currency": "USD"}),
            "invalid_amount",
        ),
    ];
    for (amount, code) in cases {
        let r = record(
            &app,
            "TS.0001",
            json!({"source_type": "ifi", "status": "approved", "amount": amount}),
        )
        .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed")["errors"][0]["code"],
            code,
            "{amount}"
        );
    }
    let r = record(
        &app,
        "TS.0001",
        json!({"source_type": "ifi", "status": "approved", "date": "June 2021"}),
    )
    .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["code"],
        "invalid_date"
    );
    let r = record(
        &app,
        "TS.0001",
        json!({"source_type": "lottery", "status": "approved"}),
    )
    .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "source_type"
    );
    let r = record(
        &app,
        "XX.0001",
        json!({"source_type": "ifi", "status": "approved"}),
    )
    .await;
    r.assert_problem(404, "not_found");
    let r = record(&app, "TS.0001", json!({"source_type": "ifi", "status": "approved", "amount": {"amount": "1", "currency": "KWD"}})).await;
    assert_eq!(
        r.assert_status(201).json()["amount"],
        json!({"amount": "1.000", "currency": "KWD"})
    );
});

db_test!(follow_ups_are_edited_with_if_match_and_audited, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({})).await;
    let created = record(&app, "TS.0001", json!({"source_type": "bilateral_donor", "status": "pledged", "amount": {"amount": "20000", "currency": "USD"}})).await;
    let id = created.json()["id"].as_i64().unwrap();
    let admin = app.admin();
    let url = format!("/api/v1/follow-up-funding/{id}");
    app.patch(&url)
        .bearer(&admin)
        .json(&json!({"status": "received"}))
        .send()
        .await
        .assert_problem(428, "precondition_required");
    let r = app
        .patch(&url)
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .json(&json!({"status": "received", "amount_is_lower_bound": true}))
        .send()
        .await;
    let u = r.assert_status(200).json();
    assert_eq!(
        (u["status"].as_str(), u["amount_is_lower_bound"].as_bool()),
        (Some("received"), Some(true))
    );
    app.patch(&url)
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .json(&json!({"status": "declined"}))
        .send()
        .await
        .assert_problem(412, "precondition_failed");
    let officer = app.scoped_token(Role::ProjectOfficer, &["BRA"]);
    app.delete(&url)
        .bearer(&officer)
        .header("if-match", "\"v2\"")
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.delete(&url)
        .bearer(&admin)
        .header("if-match", "\"v2\"")
        .send()
        .await
        .assert_status(204);
    let events = app
        .get(&format!(
            "/api/v1/audit-events?record_type=follow_up&record_key={id}"
        ))
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
    assert_eq!(actions, ["delete", "update", "create"]);
    let history = app
        .get("/api/v1/projects/TS.0001/history")
        .bearer(&admin)
        .send()
        .await
        .json();
    let on_project: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .take(3)
        .collect();
    assert_eq!(
        on_project,
        ["remove_follow_up", "update_follow_up", "add_follow_up"]
    );
    let project = app
        .get("/api/v1/projects/TS.0001")
        .bearer(&admin)
        .send()
        .await;
    assert_eq!(
        project.header("etag").as_deref(),
        Some("\"v4\""),
        "each follow-up change moves the project's ETag"
    );
});

db_test!(the_follow_up_list_filters_on_projects_and_money, |app| {
    app.seed_demo();
    let t = app.token(Role::Viewer);
    let ids = |q: &'static str| {
        let (app, t) = (&app, t.clone());
        async move {
            let body = app
                .get(&format!("/api/v1/follow-up-funding?{q}"))
                .bearer(&t)
                .send()
                .await
                .assert_status(200)
                .json();
            (body["meta"]["total"].as_i64().unwrap(), body)
        }
    };
    assert_eq!(ids("per_page=100").await.0, 12);
    assert_eq!(ids("currency=EUR").await.0, 1);
    assert_eq!(ids("source_type=bilateral_donor,ifi").await.0, 4);
    assert_eq!(ids("region=AP").await.0, 6);
    assert_eq!(
        ids("member_state=VNM&source_type=private_sector").await.0,
        1
    );
    assert_eq!(ids("project=CT.0921&date_from=2018").await.0, 1);
    let (n, sorted) = ids("sort=-amount_usd&per_page=2&currency=USD,EUR").await;
    assert_eq!(n, 5);
    assert_eq!(sorted["items"][0]["project_code"], "CE.0411");
    assert_eq!(sorted["items"][0]["amount_usd"]["amount"], "11200000.00");
    let private = ids("source_type=private_sector").await.1;
    assert_eq!(private["items"][0]["amount_is_lower_bound"], true);
    let nested = app
        .get("/api/v1/projects/IB.0123/follow-up-funding")
        .bearer(&t)
        .send()
        .await
        .json();
    assert_eq!(
        nested["items"][0]["amount"],
        json!({"amount": "1500000.00", "currency": "USD"})
    );
    let csv = app
        .get("/api/v1/follow-up-funding?format=csv")
        .bearer(&t)
        .send()
        .await;
    let text = csv.assert_status(200).text();
    assert_eq!(text.lines().count(), 13, "a header and the 12 records");
    assert!(
        text.lines().any(|l| l.contains(",CE.0411,")
            && l.contains(",10000000.00,EUR,false,11200000.00,1.12,converted,")),
        "{text}"
    );
    app.get("/api/v1/follow-up-funding?currency=EURO")
        .bearer(&t)
        .send()
        .await
        .assert_problem(400, "bad_request");
});

db_test!(exchange_rates_load_from_csv_all_or_nothing, |app| {
    let admin = app.admin();
    let csv = "currency,month,usd_per_unit,source\nEUR,2020-01,1.11,UN\nJPY,2020-01,0.0092,UN\nKWD,2020-01,3.3,UN\n";
    let r = app
        .post("/api/v1/exchange-rates")
        .bearer(&admin)
        .raw("text/csv", csv.as_bytes().to_vec())
        .send()
        .await;
    assert_eq!(
        r.assert_status(200).json(),
        json!({"created": 3, "updated": 0})
    );
    let bad = "currency,month,usd_per_unit,source\nEUR,2020-02,1.10,UN\nXXX,2020-13,-1,UN\n";
    let r = app
        .post("/api/v1/exchange-rates")
        .bearer(&admin)
        .raw("text/csv", bad.as_bytes().to_vec())
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
        ["rows[1].currency", "rows[1].month", "rows[1].usd_per_unit"]
    );
    let list = app
        .get("/api/v1/exchange-rates?currency=EUR")
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        list["meta"]["total"], 1,
        "nothing of the refused load stays"
    );
    assert_eq!(list["items"][0]["usd_per_unit"], "1.11");
    let json_rows =
        json!([{"currency": "EUR", "month": "2020-01", "usd_per_unit": "1.12", "source": "UN"}]);
    let r = app
        .post("/api/v1/exchange-rates")
        .bearer(&admin)
        .json(&json_rows)
        .send()
        .await;
    assert_eq!(
        r.assert_status(200).json(),
        json!({"created": 0, "updated": 1})
    );
    app.put("/api/v1/exchange-rates/USD/2020-01")
        .bearer(&admin)
        .json(&json!({"usd_per_unit": "1", "source": "x"}))
        .send()
        .await
        .assert_problem(422, "validation_failed");
});
