//! Reports on the booklet's data: the figures the Fund publishes.

use crate::db_test;
use devfund::auth::Role;
use serde_json::{Value, json};

fn usd(v: &Value) -> &str {
    v["amount"].as_str().unwrap()
}

async fn report(app: &crate::support::TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/reports/{query}"))
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json()
}

db_test!(the_booklet_portfolio_adds_up, |app| {
    app.seed_demo();
    let r = report(&app, "portfolio?group_by=funding_line").await;
    assert_eq!(usd(&r["totals"]["seed_budget"]), "1550000.00");
    let lines: Vec<(&str, i64, &str)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["funding_line"].as_str().unwrap(),
                row["projects"].as_i64().unwrap(),
                usd(&row["seed_budget"]),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("line_1", 3, "300000.00"), ("line_2", 6, "1250000.00")]
    );
    assert_eq!(r["rows"][1]["funding_line_label"], "Line 2");
    // USD 16,000,000 stated in USD plus EUR 10,000,000 at 1.12 (December 2019).
    assert_eq!(usd(&r["totals"]["follow_up_usd"]), "27200000.00");
    assert_eq!(r["totals"]["unconverted_follow_up"], 0);
    let by_state = report(
        &app,
        "portfolio?group_by=member_state&member_state=KHM,VNM,LAO",
    )
    .await;
    let ct: Vec<(&str, &str)> = by_state["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["member_state"].as_str().unwrap(),
                usd(&row["seed_budget"]),
            )
        })
        .collect();
    assert_eq!(
        ct,
        [
            ("KHM", "100000.00"),
            ("LAO", "100000.00"),
            ("VNM", "100000.00")
        ]
    );
});

db_test!(
    totals_over_groups_equal_the_overall_total_for_every_dimension,
    |app| {
        app.seed_demo();
        let cents = |v: &Value| -> i64 { usd(v).replace('.', "").parse().unwrap() };
        for dim in [
            "funding_year",
            "funding_line",
            "region",
            "member_state",
            "thematic_area",
            "status",
        ] {
            for extra in ["", ",funding_line"] {
                if extra == ",funding_line" && dim == "funding_line" {
                    continue;
                }
                let r = report(&app, &format!("portfolio?group_by={dim}{extra}")).await;
                let rows = r["rows"].as_array().unwrap();
                let seed: i64 = rows.iter().map(|row| cents(&row["seed_budget"])).sum();
                let follow: i64 = rows.iter().map(|row| cents(&row["follow_up_usd"])).sum();
                assert_eq!(seed, cents(&r["totals"]["seed_budget"]), "{dim}{extra}");
                assert_eq!(follow, cents(&r["totals"]["follow_up_usd"]), "{dim}{extra}");
            }
        }
        for dim in ["sdg_goal", "sdg_target", "migof_element", "gcm_objective"] {
            let r = report(&app, &format!("portfolio?group_by={dim}")).await;
            let notes = r["notes"].to_string();
            assert!(
                notes.contains("counted, with its whole budget, in each"),
                "{dim}: {notes}"
            );
        }
        let r = report(&app, "portfolio?group_by=sdg_target").await;
        let t107 = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["sdg_target"] == "10.7")
            .unwrap();
        assert_eq!(t107["projects"], 8);
        app.get("/api/v1/reports/portfolio?group_by=colour")
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_problem(400, "bad_request");
        app.get("/api/v1/reports/portfolio")
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_problem(400, "bad_request");
    }
);

db_test!(
    line_2_leverage_by_region_answers_the_funds_question,
    |app| {
        app.seed_demo();
        let r = report(&app, "portfolio?group_by=region&funding_line=line_2").await;
        let rows: Vec<(&str, &str, &str, &str)> = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["region"].as_str().unwrap(),
                    usd(&row["seed_budget"]),
                    usd(&row["follow_up_usd"]),
                    row["leverage"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("AP", "650000.00", "16000000.00", "24.62"),
                ("MENA", "200000.00", "0.00", "0.00"),
                ("SA", "200000.00", "0.00", "0.00"),
                ("SEECA", "200000.00", "11200000.00", "56.00"),
            ]
        );
        let csv = app
            .get("/api/v1/reports/portfolio?group_by=region&funding_line=line_2&format=csv")
            .signed_as(Role::Viewer)
            .send()
            .await;
        let text = csv.assert_status(200).text();
        assert!(text.starts_with("region,region_label,projects,seed_budget,follow_up_usd,leverage,unconverted_follow_up\r\n"), "{text}");
        assert!(
            text.contains("AP,Asia and the Pacific,3,650000.00,16000000.00,24.62,0\r\n"),
            "{text}"
        );
    }
);

db_test!(leverage_ranks_projects_and_totals_by_source, |app| {
    app.seed_demo();
    let r = report(&app, "leverage").await;
    let top: Vec<&str> = r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["CT.0921", "CE.0411", "IB.0123"]);
    assert_eq!(usd(&r["projects"][0]["follow_up_usd"]), "14500000.00");
    assert_eq!(r["projects"][1]["leverage"], "56.00");
    let by_leverage = report(&app, "leverage?rank_by=leverage&limit=2").await;
    let codes: Vec<&str> = by_leverage["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CE.0411", "CT.0921"]);
    let sources: Vec<(&str, i64, &str)> = r["by_source_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source_type"].as_str().unwrap(),
                s["records"].as_i64().unwrap(),
                usd(&s["follow_up_usd"]),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("bilateral_donor", 3, "10400000.00"),
            ("ifi", 1, "11200000.00"),
            ("national_budget", 2, "0.00"),
            ("other", 5, "0.00"),
            ("private_sector", 1, "5600000.00"),
        ]
    );
    assert_eq!(usd(&r["totals"]["follow_up_usd"]), "27200000.00");
    assert_eq!(r["totals"]["leverage"], "17.55");
});

db_test!(a_missing_rate_is_counted_never_guessed, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({})).await;
    app.post("/api/v1/projects/TS.0001/follow-up-funding")
        .bearer(&app.admin())
        .json(&json!({"source_type": "ifi", "status": "approved", "amount": {"amount": "5000000", "currency": "CHF"}, "date": "2024-02"}))
        .send()
        .await
        .assert_status(201);
    let r = report(&app, "portfolio?group_by=funding_line").await;
    assert_eq!(r["totals"]["unconverted_follow_up"], 1);
    assert_eq!(usd(&r["totals"]["follow_up_usd"]), "0.00");
    assert_eq!(r["rows"][0]["unconverted_follow_up"], 1);
    let lev = report(&app, "leverage").await;
    assert_eq!(lev["by_source_type"][0]["unconverted_follow_up"], 1);
});

db_test!(allocation_and_coverage_show_every_line_and_element, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({"budget": {"amount": "80000", "currency": "USD"}}))
        .await;
    app.to_review("TS.0001").await;
    app.transition("TS.0001", "approved")
        .await
        .assert_status(200);
    app.project(json!({"code": "TS.0002", "gcm_objectives": [5]}))
        .await;
    let r = report(&app, "allocation?year=2026").await;
    assert_eq!(
        r["lines"][0],
        json!({"funding_line": "line_1", "envelope": {"amount": "1400000.00", "currency": "USD"}, "approved": {"amount": "80000.00", "currency": "USD"}, "remaining": {"amount": "1320000.00", "currency": "USD"}})
    );
    assert_eq!(usd(&r["lines"][1]["approved"]), "0.00");
    assert_eq!(
        r["regions"],
        json!([{"region": "AP", "region_label": "Asia and the Pacific", "approved": {"amount": "80000.00", "currency": "USD"}, "share": "1.00"}])
    );
    let cov = report(&app, "coverage?framework=gcm").await;
    let elements = cov["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 23);
    assert_eq!(elements[4]["projects"], 1);
    assert_eq!(elements[0]["projects"], 0);
    let sdg = report(&app, "coverage?framework=sdg").await;
    assert_eq!(sdg["elements"].as_array().unwrap().len(), 169);
    app.get("/api/v1/reports/coverage?framework=odg")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(400, "bad_request");
});
