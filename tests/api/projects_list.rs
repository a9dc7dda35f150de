//! The project list on the booklet's nine projects: filters, sort, pages, CSV, query count.

use crate::db_test;
use crate::support::{Resp, TestApp};
use devfund::auth::Role;
use serde_json::json;

async fn codes(app: &TestApp, query: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/projects?{query}"))
        .signed_as(Role::Viewer)
        .send()
        .await;
    let body = r.assert_status(200).json();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

db_test!(filters_combine_or_within_and_across_fields, |app| {
    app.seed_demo();
    let cases: [(&str, &[&str]); 17] = [
        ("funding_line=line_1", &["CE.0352", "MD.0001", "PO.0125"]),
        (
            "funding_line=line_2&sort=code",
            &[
                "CE.0411", "CT.0921", "IB.0123", "MA.1147", "PO.0141", "PR.0135",
            ],
        ),
        ("member_state=BRA", &["PO.0125", "PO.0141"]),
        ("member_state=NPL,TLS", &["IB.0123", "MA.1147"]),
        ("member_state=VNM&funding_line=line_1", &[]),
        ("region=AP", &["CT.0921", "IB.0123", "MA.1147"]),
        ("region=SA,MENA", &["PO.0125", "PO.0141", "PR.0135"]),
        ("funding_year=2018", &["CE.0411", "MD.0001", "PO.0125"]),
        (
            "funding_year_from=2018&funding_line=line_2",
            &["CE.0411", "IB.0123", "PO.0141"],
        ),
        (
            "funding_year_from=2015&funding_year_to=2016",
            &["CE.0352", "CT.0921"],
        ),
        ("scope=regional", &["CT.0921"]),
        ("migof=O3", &["IB.0123"]),
        ("sdg_goal=5", &["MD.0001"]),
        ("budget_min=200000.01", &["CT.0921"]),
        (
            "budget_max=100000&status=completed",
            &["CE.0352", "MD.0001", "PO.0125"],
        ),
        ("q=BRAZIL", &["PO.0125", "PO.0141"]),
        ("q=po.01", &["PO.0125", "PO.0141"]),
    ];
    for (query, expected) in cases {
        assert_eq!(codes(&app, query).await, expected, "{query}");
    }
    let with_10_7 = codes(&app, "sdg_target=10.7&per_page=100").await;
    assert_eq!(with_10_7.len(), 8);
    assert!(!with_10_7.contains(&"IB.0123".to_owned()));
    let r = app
        .get("/api/v1/projects?funding_line=line_3")
        .signed_as(Role::Viewer)
        .send()
        .await;
    assert_eq!(
        r.assert_problem(400, "bad_request")["errors"][0]["field"],
        "funding_line"
    );
    let r = app
        .get("/api/v1/projects?budget_min=1.5e5")
        .signed_as(Role::Viewer)
        .send()
        .await;
    r.assert_problem(400, "bad_request");
});

db_test!(sorting_is_multi_key_and_paging_links_the_pages, |app| {
    app.seed_demo();
    assert_eq!(
        codes(&app, "sort=-budget,code").await,
        [
            "CT.0921", "CE.0411", "IB.0123", "PO.0141", "PR.0135", "MA.1147", "CE.0352", "MD.0001",
            "PO.0125"
        ]
    );
    assert_eq!(
        codes(&app, "sort=funding_year,-code&per_page=3").await,
        ["PR.0135", "CT.0921", "CE.0352"]
    );
    let r = app
        .get("/api/v1/projects?sort=code&per_page=4&page=2")
        .signed_as(Role::Viewer)
        .send()
        .await;
    let body = r.assert_status(200).json();
    assert_eq!(body["meta"], json!({"total": 9, "page": 2, "per_page": 4}));
    let link = r.header("link").unwrap();
    assert!(
        link.contains("page=3>; rel=\"next\"") && link.contains("page=1>; rel=\"prev\""),
        "{link}"
    );
    let titles: Vec<String> = app
        .get("/api/v1/projects?sort=title&per_page=100")
        .signed_as(Role::Viewer)
        .send()
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
});

db_test!(updated_since_returns_only_what_changed, |app| {
    app.seed_demo();
    let all = app
        .get("/api/v1/projects?sort=-updated_at&per_page=1")
        .signed_as(Role::Viewer)
        .send()
        .await
        .json();
    let mark = all["items"][0]["updated_at"].as_str().unwrap().to_owned();
    assert!(
        codes(&app, &format!("updated_since={mark}"))
            .await
            .is_empty()
    );
    actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    app.put("/api/v1/projects/CE.0352/gcm-objectives")
        .bearer(&app.admin())
        .header("if-match", "\"v1\"")
        .json(&json!({"gcm_objectives": [19]}))
        .send()
        .await
        .assert_status(200);
    assert_eq!(
        codes(&app, &format!("updated_since={}", mark.replace('+', "%2B"))).await,
        ["CE.0352"]
    );
});

fn csv_rows(r: &Resp) -> Vec<Vec<String>> {
    r.text()
        .lines()
        .map(|line| {
            // The booklet's titles hold no quotes; a quoted field is read whole.
            let mut cells = Vec::new();
            let mut cur = String::new();
            let mut quoted = false;
            for ch in line.chars() {
                match ch {
                    '"' => quoted = !quoted,
                    ',' if !quoted => cells.push(std::mem::take(&mut cur)),
                    c => cur.push(c),
                }
            }
            cells.push(cur);
            cells
        })
        .collect()
}

db_test!(
    the_csv_export_holds_the_same_projects_as_the_json_list,
    |app| {
        app.seed_demo();
        let query = "region=AP,SA&sort=-budget";
        let json_list = app
            .get(&format!("/api/v1/projects?{query}"))
            .signed_as(Role::Viewer)
            .send()
            .await
            .json();
        let r = app
            .get(&format!("/api/v1/projects?{query}"))
            .signed_as(Role::Viewer)
            .header("accept", "text/csv")
            .send()
            .await;
        assert_eq!(
            r.assert_status(200).header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        let rows = csv_rows(&r);
        let header = &rows[0];
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no column {name}"))
        };
        let items = json_list["items"].as_array().unwrap();
        assert_eq!(rows.len() - 1, items.len());
        for (row, p) in rows[1..].iter().zip(items) {
            assert_eq!(row[col("code")], p["code"].as_str().unwrap());
            assert_eq!(row[col("title")], p["title"].as_str().unwrap());
            assert_eq!(
                row[col("budget_usd")],
                p["budget"]["amount"].as_str().unwrap()
            );
            assert_eq!(row[col("funding_year")], p["funding_year"].to_string());
            let states: Vec<&str> = p["member_states"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["iso3"].as_str().unwrap())
                .collect();
            assert_eq!(row[col("member_states")], states.join(";"));
            let targets: Vec<&str> = p["sdg_targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert_eq!(row[col("sdg_targets")], targets.join(";"));
            assert_eq!(row[col("updated_at")], p["updated_at"].as_str().unwrap());
        }
        let ct = rows.iter().find(|r| r[0] == "CT.0921").unwrap();
        assert_eq!(
            ct[col("member_state_names")],
            "Cambodia;Viet Nam;Lao People's Democratic Republic"
        );
        assert_eq!(ct[col("region_labels")], "Asia and the Pacific");
        let same = app
            .get(&format!("/api/v1/projects?{query}&format=csv"))
            .signed_as(Role::Viewer)
            .send()
            .await;
        assert_eq!(same.text(), r.text());
    }
);

db_test!(
    a_list_page_takes_the_same_number_of_queries_whatever_its_size,
    |app| {
        app.seed_demo();
        let count_for = |query: &'static str| {
            let app = &app;
            async move {
                let before = app.queries();
                app.get(&format!("/api/v1/projects?{query}"))
                    .signed_as(Role::Viewer)
                    .send()
                    .await
                    .assert_status(200);
                app.queries() - before
            }
        };
        let one = count_for("per_page=1").await;
        let nine = count_for("per_page=9").await;
        let filtered = count_for("per_page=9&region=AP&sdg_goal=10").await;
        assert_eq!(one, nine, "queries grow with the page size");
        assert_eq!(nine, filtered);
        assert!(nine <= 12, "{nine} queries for one page");
    }
);
