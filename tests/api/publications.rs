//! Publications: writes with If-Match and their audit, bad input, who may write, the list's
//! filters and CSV, a fixed query count, and the publications report on a small data set
//! shaped like the Fund's Migration Profiles (Annex 1 of the 2018 report).

use crate::db_test;
use crate::support::{Resp, TestApp};
use devfund::auth::Role;
use serde_json::{Value, json};

/// A completed project `code` in `iso3`, funded in `year` (entered as history).
async fn project(app: &TestApp, code: &str, iso3: &str, year: i32) {
    app.post_project(
        &app.admin(),
        json!({"code": code, "status": "completed", "funding_year": year, "member_states": [{"iso3": iso3}]}),
    )
    .await
    .assert_status(201);
}

async fn publish(app: &TestApp, body: &Value) -> Resp {
    app.post("/api/v1/publications")
        .signed_as(Role::Evaluator)
        .json(body)
        .send()
        .await
}

fn profile(country: &str, iso3: &str, year: i32, code: &str, languages: &[&str]) -> Value {
    json!({
        "kind": "migration_profile",
        "title": format!("Migration Profile: {country}"),
        "year": year,
        "languages": languages,
        "member_states": [iso3],
        "project_codes": [code],
    })
}

async fn etag(app: &TestApp, path: &str) -> String {
    app.get(path)
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .header("etag")
        .expect("etag")
}

/// Deletes `path` as an evaluator with the ETag of a fresh read.
async fn delete(app: &TestApp, path: &str) -> Resp {
    let tag = etag(app, path).await;
    app.delete(path)
        .signed_as(Role::Evaluator)
        .header("if-match", &tag)
        .send()
        .await
}

async fn get_csv(app: &TestApp, path: &str) -> String {
    app.get(path)
        .signed_as(Role::Viewer)
        .header("accept", "text/csv")
        .send()
        .await
        .assert_status(200)
        .text()
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    app.get(path)
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json()
}

/// The data set: five profiles (Kenya 2015 from PR.0124 funded 2013; Madagascar 2013 from
/// PR.0039, 2012; Mauritius and Seychelles 2013 from PR.0059, 2012; Namibia 2015 from
/// PR.0140, 2014), a study made by PR.0124 and PR.0039 in 2016 about Kenya and Madagascar,
/// and a guidance no project produced. Ids 1–7 in that order.
async fn profiles(app: &TestApp) {
    for (iso3, region) in [
        ("KEN", "EHOA"),
        ("SYC", "EHOA"),
        ("MDG", "SAF"),
        ("MUS", "SAF"),
        ("NAM", "SAF"),
    ] {
        app.eligible_state(iso3, region, 2012, true, true).await;
    }
    for (code, iso3, year) in [
        ("PR.0124", "KEN", 2013),
        ("PR.0039", "MDG", 2012),
        ("PR.0059", "MUS", 2012),
        ("PR.0140", "NAM", 2014),
    ] {
        project(app, code, iso3, year).await;
    }
    for body in [
        profile("Kenya", "KEN", 2015, "PR.0124", &["en"]),
        profile("Madagascar", "MDG", 2013, "PR.0039", &["fr"]),
        profile("Mauritius", "MUS", 2013, "PR.0059", &["fr", "en"]),
        profile("Seychelles", "SYC", 2013, "PR.0059", &["en"]),
        profile("Namibia", "NAM", 2015, "PR.0140", &[]),
        json!({"kind": "study", "title": "Labour migration in Kenya and Madagascar", "year": 2016,
               "languages": ["en", "fr", "en"], "member_states": ["MDG", "KEN"],
               "project_codes": ["PR.0124", "PR.0039"], "isbn": "978-0-306-40615-7"}),
        json!({"kind": "guidance", "title": "Guidance on planning", "year": 2019}),
    ] {
        publish(app, &body).await.assert_status(201);
    }
}

fn ids(doc: &Value) -> Vec<i64> {
    doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .collect()
}

db_test!(a_publication_is_recorded_read_changed_and_deleted, |app| {
    app.eligible_state("KEN", "EHOA", 2013, true, true).await;
    project(&app, "PR.0124", "KEN", 2013).await;
    let mut body = profile("Kenya", "KEN", 2015, "PR.0124", &["sw", "en", "en"]);
    body["isbn"] = json!("0-8044-2957-X");
    body["copies_distributed"] = json!(500);
    body["url"] = json!("https://publications.iom.int/mp-kenya");
    let r = publish(&app, &body).await;
    let p = r.assert_status(201).json();
    let id = p["id"].as_i64().expect("id");
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/publications/{id}"))
    );
    assert_eq!(p["languages"], json!(["en", "sw"]), "sorted, once each");
    assert_eq!(p["isbn"], "080442957X", "kept without hyphens");
    assert_eq!(p["project_codes"], json!(["PR.0124"]));
    assert_eq!(p["updates_id"], Value::Null);
    // The 2019 update of the profile.
    let mut update = profile("Kenya", "KEN", 2019, "PR.0124", &["en"]);
    update["updates_id"] = json!(id);
    update["title"] = json!("Migration Profile: Kenya (2019 update)");
    let later = publish(&app, &update).await.assert_status(201).json();
    assert_eq!(later["updates_id"], id);
    let path = format!("/api/v1/publications/{id}");
    let tag = etag(&app, &path).await;
    app.patch(&path)
        .signed_as(Role::Evaluator)
        .raw(
            "application/merge-patch+json",
            br#"{"note": "printed"}"#.to_vec(),
        )
        .send()
        .await
        .assert_problem(428, "precondition_required");
    let changed = app
        .patch(&path)
        .signed_as(Role::FundManager)
        .header("if-match", &tag)
        .raw(
            "application/merge-patch+json",
            br#"{"note": "printed", "isbn": null, "languages": ["en"]}"#.to_vec(),
        )
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(changed["note"], "printed");
    assert_eq!(changed["isbn"], Value::Null);
    assert_eq!(changed["languages"], json!(["en"]));
    assert_eq!(changed["copies_distributed"], 500, "untouched fields stay");
    app.patch(&path)
        .signed_as(Role::Evaluator)
        .header("if-match", &tag)
        .raw(
            "application/merge-patch+json",
            br#"{"year": 2016}"#.to_vec(),
        )
        .send()
        .await
        .assert_problem(412, "precondition_failed");
    delete(&app, &path).await.assert_problem(409, "conflict");
    let later_path = format!("/api/v1/publications/{}", later["id"]);
    delete(&app, &later_path).await.assert_status(204);
    delete(&app, &path).await.assert_status(204);
    app.get(&path)
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(404, "not_found");
    let trail = app
        .get(&format!(
            "/api/v1/audit-events?record_type=publication&record_key={id}"
        ))
        .signed_as(Role::Admin)
        .send()
        .await
        .json();
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "update", "create"]);
});

db_test!(only_writers_of_publications_may_write_them, |app| {
    app.eligible_state("KEN", "EHOA", 2013, true, true).await;
    let body = json!({"kind": "report", "title": "Annual report", "year": 2020});
    for role in [Role::Viewer, Role::ProjectOfficer] {
        app.post("/api/v1/publications")
            .signed_as(role)
            .json(&body)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    for role in [Role::FundManager, Role::Admin] {
        app.post("/api/v1/publications")
            .signed_as(role)
            .json(&body)
            .send()
            .await
            .assert_status(201);
    }
    let doc = get_json(&app, "/api/v1/publications").await;
    assert_eq!(doc["meta"]["total"], 2);
});

/// Posts `body` and answers the (field, code) pairs of its 422.
async fn refused(app: &TestApp, body: &Value) -> Vec<(String, String)> {
    let doc = publish(app, body)
        .await
        .assert_problem(422, "validation_failed");
    doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

db_test!(bad_publications_are_refused_naming_the_field, |app| {
    app.eligible_state("KEN", "EHOA", 2013, true, true).await;
    project(&app, "PR.0124", "KEN", 2013).await;
    let good = profile("Kenya", "KEN", 2015, "PR.0124", &["en"]);
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    for (body, expected) in [
        (
            with("languages", json!(["en", "xx"])),
            pair("languages[1]", "unknown_language"),
        ),
        (
            with("member_states", json!(["BRA"])),
            pair("member_states[0]", "unknown_member_state"),
        ),
        (
            with("project_codes", json!(["ZZ.9999", "PR.0124"])),
            pair("project_codes[0]", "unknown_project"),
        ),
        (
            with("member_states", json!(["KEN", "KEN", "BRA"])),
            pair("member_states[2]", "unknown_member_state"),
        ),
        (
            with("updates_id", json!(99)),
            pair("updates_id", "unknown_publication"),
        ),
        (
            with("isbn", json!("978-0-306-40615-8")),
            pair("isbn", "invalid_isbn_checksum"),
        ),
        (
            with("isbn", json!("978 0 306 40615 7")),
            pair("isbn", "invalid_isbn"),
        ),
        (
            with("copies_distributed", json!(-1)),
            pair("copies_distributed", "out_of_range"),
        ),
        (with("year", json!(1899)), pair("year", "out_of_range")),
        (with("title", json!("  ")), pair("title", "invalid_length")),
        (with("url", json!("ftp://x")), pair("url", "invalid_url")),
    ] {
        assert_eq!(refused(&app, &body).await, [expected], "{body}");
    }
    app.post("/api/v1/publications")
        .signed_as(Role::Evaluator)
        .json(&with("kind", json!("poster")))
        .send()
        .await
        .assert_problem(422, "validation_failed");
    let first = publish(&app, &good).await.assert_status(201).json();
    let second = publish(&app, &with("updates_id", first["id"].clone()))
        .await
        .assert_status(201)
        .json();
    // 1 ← 2: making 1 update 2 (or itself) would close a loop.
    for (target, code) in [
        (&second["id"], "update_cycle"),
        (&first["id"], "updates_itself"),
    ] {
        let path = format!("/api/v1/publications/{}", first["id"]);
        let tag = etag(&app, &path).await;
        let doc = app
            .patch(&path)
            .signed_as(Role::Evaluator)
            .header("if-match", &tag)
            .json(&json!({"updates_id": target}))
            .send()
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(doc["errors"][0]["field"], "updates_id");
        assert_eq!(doc["errors"][0]["code"], code);
    }
    let doc = get_json(&app, "/api/v1/publications").await;
    assert_eq!(doc["meta"]["total"], 2, "nothing half-written");
});

db_test!(
    the_publication_list_filters_and_its_csv_has_the_same_rows,
    |app| {
        profiles(&app).await;
        for (query, expected) in [
            ("kind=study,guidance", vec![6, 7]),
            ("project=PR.0059", vec![3, 4]),
            ("member_state=KEN", vec![1, 6]),
            ("region=SAF", vec![2, 3, 5, 6]),
            ("region=EHOA&kind=migration_profile", vec![1, 4]),
            ("year_from=2014&year_to=2015", vec![1, 5]),
            ("language=fr", vec![2, 3, 6]),
            ("language=en,fr&year_from=2016", vec![6]),
            ("q=KENYA", vec![1, 6]),
            ("q=9780306406157", vec![6]),
            ("q=978-0-306-40615-7", vec![6]),
            ("q=100%25", vec![]),
            (
                "sort=-year,title&kind=migration_profile",
                vec![1, 5, 2, 3, 4],
            ),
        ] {
            let doc = get_json(&app, &format!("/api/v1/publications?{query}")).await;
            assert_eq!(ids(&doc), expected, "{query}");
        }
        let study = get_json(&app, "/api/v1/publications/6").await;
        assert_eq!(study["member_states"], json!(["KEN", "MDG"]), "sorted");
        assert_eq!(study["project_codes"], json!(["PR.0039", "PR.0124"]));
        assert_eq!(study["languages"], json!(["en", "fr"]), "once each");
        let mine = get_json(&app, "/api/v1/projects/PR.0039/publications?sort=-year").await;
        assert_eq!(ids(&mine), [6, 2]);
        app.get("/api/v1/projects/ZZ.9999/publications")
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_problem(404, "not_found");
        for bad in [
            "region=XX".to_owned(),
            "language=english".to_owned(),
            "kind=poster".to_owned(),
            "sort=isbn".to_owned(),
            "year_from=1899".to_owned(),
            "year_to=2201".to_owned(),
            "format=csv&per_page=501".to_owned(),
            "q=a%00b".to_owned(),
            format!("q={}", "x".repeat(201)),
        ] {
            app.get(&format!("/api/v1/publications?{bad}"))
                .signed_as(Role::Viewer)
                .send()
                .await
                .assert_problem(400, "bad_request");
        }
        let json_list = get_json(&app, "/api/v1/publications?language=en").await;
        let csv = get_csv(&app, "/api/v1/publications?language=en").await;
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(
            rows[0],
            "id,kind,title,year,languages,member_states,project_codes,url,isbn,copies_distributed,updates_id,note,created_at,updated_at"
        );
        let items = json_list["items"].as_array().unwrap();
        assert_eq!(rows.len(), 1 + items.len());
        for (row, item) in rows[1..].iter().zip(items) {
            let cells: Vec<&str> = row.split(',').collect();
            assert_eq!(cells[0], item["id"].to_string());
            assert_eq!(cells[2], item["title"]);
            assert_eq!(cells[3], item["year"].to_string());
            let joined: Vec<&str> = item["languages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            assert_eq!(cells[4], joined.join(";"));
            let isbn = item["isbn"].as_str().unwrap_or("");
            assert_eq!(cells[8], isbn);
        }
    }
);

db_test!(
    the_publication_list_takes_a_fixed_number_of_queries,
    |app| {
        app.eligible_state("KEN", "EHOA", 2013, true, true).await;
        app.eligible_state("MDG", "SAF", 2013, true, true).await;
        project(&app, "PR.0124", "KEN", 2013).await;
        project(&app, "PR.0039", "MDG", 2013).await;
        let mut counts = Vec::new();
        for n in [1, 6] {
            for _ in 0..n {
                publish(
                    &app,
                    &json!({"kind": "study", "title": "A study", "year": 2016,
                        "languages": ["en", "fr"], "member_states": ["KEN", "MDG"],
                        "project_codes": ["PR.0124", "PR.0039"]}),
                )
                .await
                .assert_status(201);
            }
            let before = app.queries();
            let doc = get_json(&app, "/api/v1/publications").await;
            counts.push(app.queries() - before);
            assert_eq!(
                doc["items"][0]["project_codes"].as_array().unwrap().len(),
                2
            );
        }
        assert_eq!(counts[0], counts[1], "queries for 1 and for 7 publications");
    }
);

/// (key, label, publications, projects, median) of each row.
fn rows(report: &Value) -> Vec<(Value, Value, i64, i64, Value)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"].clone(),
                r["label"].clone(),
                r["publications"].as_i64().unwrap(),
                r["projects"].as_i64().unwrap(),
                r["median_years_from_funding"].clone(),
            )
        })
        .collect()
}

fn row(
    key: Value,
    label: Value,
    publications: i64,
    projects: i64,
    median: &str,
) -> (Value, Value, i64, i64, Value) {
    (key, label, publications, projects, json!(median))
}

db_test!(the_publications_report_counts_groups_and_medians, |app| {
    profiles(&app).await;
    let by_year = get_json(&app, "/api/v1/reports/publications?group_by=year").await;
    assert_eq!(
        rows(&by_year),
        [
            row(json!("2013"), Value::Null, 3, 2, "1.0"),
            row(json!("2015"), Value::Null, 2, 2, "1.5"),
            row(json!("2016"), Value::Null, 1, 2, "3.5"),
        ]
    );
    assert_eq!(
        by_year["totals"],
        json!({"publications": 6, "projects": 4, "median_years_from_funding": "1.0"})
    );
    assert!(
        by_year["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "1 publication(s) name no producing project and are not counted"),
        "{by_year}"
    );
    let by_region = get_json(&app, "/api/v1/reports/publications?group_by=region").await;
    assert_eq!(
        rows(&by_region),
        [
            row(json!("EHOA"), json!("East and Horn of Africa"), 3, 3, "2.5"),
            row(json!("SAF"), json!("Southern Africa"), 4, 4, "1.0"),
        ]
    );
    let by_language = get_json(&app, "/api/v1/reports/publications?group_by=language").await;
    assert_eq!(
        rows(&by_language),
        [
            row(json!("en"), Value::Null, 4, 3, "2.0"),
            row(json!("fr"), Value::Null, 3, 3, "2.0"),
            row(Value::Null, Value::Null, 1, 1, "1.0"),
        ]
    );
    let by_kind = get_json(&app, "/api/v1/reports/publications?group_by=kind").await;
    assert_eq!(
        rows(&by_kind),
        [
            row(json!("migration_profile"), Value::Null, 5, 4, "1.0"),
            row(json!("study"), Value::Null, 1, 2, "3.5"),
        ]
    );
    let by_state = get_json(&app, "/api/v1/reports/publications?group_by=member_state").await;
    assert_eq!(
        rows(&by_state)[0],
        row(json!("KEN"), json!("KEN"), 2, 2, "3.0")
    );
    // Project filters: only the 2012-funded projects (PR.0039, PR.0059) and what they made.
    let funded_2012 = get_json(
        &app,
        "/api/v1/reports/publications?group_by=year&funding_year=2012",
    )
    .await;
    assert_eq!(
        rows(&funded_2012),
        [
            row(json!("2013"), Value::Null, 3, 2, "1.0"),
            row(json!("2016"), Value::Null, 1, 1, "4.0"),
        ]
    );
    assert_eq!(funded_2012["totals"]["publications"], 4);
    // Every project filter is checked as the document states it (codes of the catalogue).
    for bad in [
        "group_by=colour",
        "gcm_objective=24",
        "sdg_goal=18",
        "region=XX",
    ] {
        let doc = app
            .get(&format!("/api/v1/reports/publications?{bad}"))
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_problem(400, "bad_request");
        assert_eq!(doc["errors"][0]["field"], bad.split('=').next().unwrap());
    }
});

db_test!(the_publications_report_as_csv_equals_its_json, |app| {
    profiles(&app).await;
    for group_by in ["year", "kind", "region", "member_state", "language"] {
        let path = format!("/api/v1/reports/publications?group_by={group_by}");
        let doc = get_json(&app, &path).await;
        let csv = get_csv(&app, &path).await;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "key,label,publications,projects,median_years_from_funding"
        );
        let cell = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let from_json: Vec<String> = doc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                [
                    "key",
                    "label",
                    "publications",
                    "projects",
                    "median_years_from_funding",
                ]
                .iter()
                .map(|k| cell(&r[*k]))
                .collect::<Vec<_>>()
                .join(",")
            })
            .collect();
        assert_eq!(lines[1..], from_json[..], "{group_by}");
    }
});

#[test]
fn the_document_states_the_isbn_pattern_the_server_enforces() {
    let doc: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("document");
    for schema in ["PublicationFields", "UpdatePublicationRequest"] {
        assert_eq!(
            doc["components"]["schemas"][schema]["properties"]["isbn"]["pattern"],
            devfund::domain::publication::ISBN_PATTERN,
            "{schema}"
        );
    }
}
