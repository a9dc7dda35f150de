//! `POST /imports/{kind}`: round trips from the exports, the dry run, all-or-nothing, the
//! Fund's rules, unchanged rows, hostile bodies and the audit event.

use crate::db_test;
use crate::support::{Resp, TestApp, backends, without_keys};
use serde_json::{Value, json};

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn import(app: &TestApp, kind: &str, media: &str, body: Vec<u8>, dry_run: bool) -> Resp {
    import_as(app, &app.admin(), kind, media, body, dry_run).await
}

async fn import_as(
    app: &TestApp,
    token: &str,
    kind: &str,
    media: &str,
    body: Vec<u8>,
    dry_run: bool,
) -> Resp {
    app.post(&format!("/api/v1/imports/{kind}?dry_run={dry_run}"))
        .bearer(token)
        .raw(media, body)
        .send()
        .await
}

async fn get(app: &TestApp, path: &str, accept: &str) -> Resp {
    let r = app
        .get(path)
        .bearer(&app.admin())
        .header("accept", accept)
        .send()
        .await;
    r.assert_status(200);
    r
}

async fn json_items(app: &TestApp, path: &str) -> Vec<Value> {
    get(app, path, "application/json").await.json()["items"]
        .as_array()
        .unwrap()
        .clone()
}

const VOLATILE: &[&str] = &["created_at", "updated_at", "id", "links"];

/// The CSV without the columns the server sets itself.
fn csv_without_times(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let keep: Vec<bool> = rows[0]
        .iter()
        .map(|h| !h.ends_with("updated_at") && h != "created_at" && h != "id")
        .collect();
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c)
                .collect()
        })
        .collect()
}

/// The paths of the lists each kind is exported from, in import order.
const KINDS: &[(&str, &str)] = &[
    ("member-states", "/api/v1/member-states?per_page=500"),
    ("exchange-rates", "/api/v1/exchange-rates?per_page=500"),
    ("projects", "/api/v1/projects?per_page=500"),
    (
        "follow-up-funding",
        "/api/v1/follow-up-funding?per_page=500",
    ),
    ("evaluations", "/api/v1/evaluations?per_page=500"),
    ("recommendations", "/api/v1/recommendations?per_page=500"),
    ("publications", "/api/v1/publications?per_page=500"),
];

/// The kinds keyed by id alone that hang off the portfolio: `KINDS` from here on.
const EVALUATION_KINDS: usize = 4;

/// POSTs `body` to `path` as admin; answers the created record.
async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let r = app.post(path).bearer(&app.admin()).json(&body).send().await;
    r.assert_status(201);
    r.json()
}

/// Evaluations (one of a follow-up initiative), recommendations (one with management's
/// response and a status) and publications (one a later edition of the other) on top of the
/// demo data, every nested field the CSV flattens filled in, and text a CSV must quote.
async fn evaluation_records(app: &TestApp) {
    let follow_up = json_items(app, "/api/v1/follow-up-funding?per_page=1").await[0]["id"].clone();
    let e = created(
        app,
        "/api/v1/evaluations",
        json!({
            "subject": {"project_code": "MD.0001"}, "kind": "mid_term", "status": "completed",
            "title": "Mid-term review, \"phase 2\"", "evaluator_type": "external",
            "evaluators": [{"name": "A. Evaluator", "role": "team leader"},
                           {"name": "B. Second", "role": null}],
            "commissioner": "IOM Development Fund", "period_from": "2019",
            "period_to": "2020-06", "started_on": "2021-01-10", "completed_on": "2021-06-03",
            "report_url": "https://example.org/review.pdf",
            "methods": ["desk_review", "interviews"],
            "limitations": "Remote only; no field visits.",
            "summary": "Findings, with a comma\nand a second line.",
            "criteria": [
                {"criterion": "relevance", "rating": "satisfactory", "finding": "Fits, mostly."},
                {"criterion": "efficiency", "rating": null, "finding": null}
            ]
        }),
    )
    .await;
    created(
        app,
        "/api/v1/evaluations",
        json!({"subject": {"follow_up_id": follow_up}, "kind": "final", "status": "planned",
               "title": "Final evaluation of the scaled-up initiative"}),
    )
    .await;
    let path = format!("/api/v1/evaluations/{}/recommendations", e["id"]);
    let r1 = created(
        app,
        &path,
        json!({"label": "R1", "text": "Secure national funding.", "category": "strategic",
               "addressees": ["IOM Nepal", "MoHP"], "priority": "high",
               "due_date": "2025-06-30"}),
    )
    .await;
    created(
        app,
        &path,
        json!({"label": "R2", "text": "Train more staff.", "category": "operational"}),
    )
    .await;
    let path = format!("/api/v1/recommendations/{}", r1["id"]);
    let tag = get(app, &path, "application/json")
        .await
        .header("etag")
        .unwrap();
    app.patch(&path)
        .bearer(&app.admin())
        .header("if-match", &tag)
        .raw(
            "application/merge-patch+json",
            serde_json::to_vec(&json!({
                "management_response": {"decision": "partially_accepted",
                    "text": "Funding is sought.", "responded_on": "2021-07-01"},
                "status": "in_progress", "status_note": "Talks under way"}))
            .unwrap(),
        )
        .send()
        .await
        .assert_status(200);
    let first = created(
        app,
        "/api/v1/publications",
        json!({"kind": "migration_profile", "title": "Migration Profile: Nepal", "year": 2019,
               "languages": ["en", "fr"], "member_states": ["NPL"],
               "project_codes": ["MD.0001"], "url": "https://example.org/mp.pdf",
               "isbn": "978-0-306-40615-7", "copies_distributed": 250}),
    )
    .await;
    created(
        app,
        "/api/v1/publications",
        json!({"kind": "report", "title": "Migration Profile: Nepal, second edition",
               "year": 2021, "updates_id": first["id"], "note": "Revised, with 2020 data"}),
    )
    .await;
}

/// The demo data's eligibility records, all states together.
async fn eligibility_json(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for s in json_items(app, "/api/v1/member-states?per_page=500").await {
        let iso3 = s["iso3"].as_str().unwrap();
        out.extend(json_items(app, &format!("/api/v1/member-states/{iso3}/eligibility")).await);
    }
    out
}

async fn eligibility_csv(app: &TestApp) -> String {
    let mut out = String::new();
    for s in json_items(app, "/api/v1/member-states?per_page=500").await {
        let iso3 = s["iso3"].as_str().unwrap();
        let text = get(
            app,
            &format!("/api/v1/member-states/{iso3}/eligibility"),
            CSV,
        )
        .await
        .text();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        if out.is_empty() {
            out.push_str(header);
            out.push_str("\r\n");
        }
        for l in lines {
            out.push_str(l);
            out.push_str("\r\n");
        }
    }
    out
}

#[actix_web::test]
async fn an_export_reimports_unchanged_as_json_csv_and_xlsx() {
    for backend in backends() {
        let source = TestApp::spawn(backend.clone()).await;
        source.seed_demo();
        evaluation_records(&source).await;
        for media in ["application/json", CSV, XLSX] {
            let target = TestApp::spawn(backend.clone()).await;
            // Member states first, then their eligibility, then the rest in order.
            for (i, (kind, path)) in KINDS.iter().enumerate() {
                let body = if media == CSV || media == XLSX {
                    get(&source, path, media).await.body.clone()
                } else {
                    serde_json::to_vec(&json!({"items": json_items(&source, path).await})).unwrap()
                };
                let r = import(&target, kind, media, body, false).await;
                assert_eq!(r.status.as_u16(), 200, "{kind} {media}: {}", r.text());
                assert!(r.json()["created"].as_u64().unwrap() > 0, "{kind}");
                if i == 0 {
                    // Eligibility has no list of its own to export as XLSX: it goes in as CSV.
                    let media = if media == XLSX { CSV } else { media };
                    let body = if media == CSV {
                        eligibility_csv(&source).await.into_bytes()
                    } else {
                        serde_json::to_vec(&json!({"items": eligibility_json(&source).await}))
                            .unwrap()
                    };
                    let r = import(&target, "eligibility", media, body, false).await;
                    assert_eq!(r.status.as_u16(), 200, "eligibility {media}: {}", r.text());
                }
            }
            for (kind, path) in KINDS {
                if media == CSV || media == XLSX {
                    let a = get(&source, path, CSV).await.text();
                    let b = get(&target, path, CSV).await.text();
                    assert_eq!(csv_without_times(&a), csv_without_times(&b), "{kind} CSV");
                } else {
                    let a = without_keys(Value::Array(json_items(&source, path).await), VOLATILE);
                    let b = without_keys(Value::Array(json_items(&target, path).await), VOLATILE);
                    assert_eq!(a, b, "{kind} JSON");
                }
            }
            let a = without_keys(Value::Array(eligibility_json(&source).await), VOLATILE);
            let b = without_keys(Value::Array(eligibility_json(&target).await), VOLATILE);
            assert_eq!(a, b, "eligibility {media}");
            target.stop().await;
        }
        source.stop().await;
    }
}

async fn audit_count(app: &TestApp) -> u64 {
    get(app, "/api/v1/audit-events?per_page=1", "application/json")
        .await
        .json()["meta"]["total"]
        .as_u64()
        .unwrap()
}

/// Every change in the feed, oldest first.
async fn changes(app: &TestApp) -> Vec<Value> {
    let page = get(app, "/api/v1/changes?limit=1000", "application/json")
        .await
        .json();
    let items = page["items"].as_array().expect("items").clone();
    assert!(items.len() < 1000, "the test expects one page of changes");
    items
}

db_test!(
    a_dry_run_writes_nothing_and_a_real_run_is_one_audit_event,
    |app| {
        app.seed_demo();
        let before = get(&app, "/api/v1/member-states", CSV).await.text();
        let audit = audit_count(&app).await;
        let feed = changes(&app).await;
        let csv = "iso3,name,region,iom_member,member_since\r\nISL,Iceland,SEECA,true,\r\n\
               NPL,Nepal (renamed),AP,true,\r\n";
        let r = import(&app, "member-states", CSV, csv.into(), true).await;
        r.assert_status(200);
        let report = r.json();
        assert_eq!(report["dry_run"], true);
        assert_eq!(
            (report["created"].as_u64(), report["updated"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(get(&app, "/api/v1/member-states", CSV).await.text(), before);
        assert_eq!(audit_count(&app).await, audit);
        assert_eq!(
            changes(&app).await,
            feed,
            "a dry run leaves the change feed alone"
        );

        let r = import(&app, "member-states", CSV, csv.into(), false).await;
        r.assert_status(200);
        assert_eq!(r.json()["dry_run"], false);
        // The change feed names the records, not the import.
        let new: Vec<(String, String)> = changes(&app).await[feed.len()..]
            .iter()
            .map(|c| {
                (
                    c["record_key"].as_str().unwrap().to_owned(),
                    c["action"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            new,
            [
                ("ISL".to_owned(), "created".to_owned()),
                ("NPL".to_owned(), "updated".to_owned())
            ]
        );
        let events = get(
            &app,
            "/api/v1/audit-events?record_type=import",
            "application/json",
        )
        .await
        .json();
        let events = events["items"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["record_key"], "member-states");
        let text = events[0].to_string();
        assert!(
            text.contains("\"created\":1") && text.contains("\"updated\":1"),
            "{text}"
        );
        // The import event, and one event per changed record.
        assert_eq!(audit_count(&app).await, audit + 3);

        // The same file again changes nothing.
        let r = import(&app, "member-states", CSV, csv.into(), false).await;
        let report = r.json();
        assert_eq!(
            (
                report["created"].as_u64(),
                report["updated"].as_u64(),
                report["unchanged"].as_u64()
            ),
            (Some(0), Some(0), Some(2)),
            "{report}"
        );
        assert_eq!(audit_count(&app).await, audit + 4);
    }
);

fn rates_csv(n: usize, bad: Option<usize>) -> String {
    let mut out = "currency,month,usd_per_unit,source\r\n".to_owned();
    let currencies = [
        "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "NZD",
    ];
    for i in 0..n {
        let (c, m) = (currencies[i % 10], i / 10);
        let month = if Some(i + 1) == bad {
            "2019-13".to_owned()
        } else {
            format!("{}-{:02}", 1990 + m / 12, m % 12 + 1)
        };
        out.push_str(&format!("{c},{month},1.25,test\r\n"));
    }
    out
}

db_test!(
    one_bad_row_in_a_thousand_rejects_the_import_and_is_named,
    |app| {
        let r = import(
            &app,
            "exchange-rates",
            CSV,
            rates_csv(1000, Some(637)).into(),
            false,
        )
        .await;
        let doc = r.assert_problem(422, "import_rejected");
        let errors = doc["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{doc}");
        assert_eq!(errors[0]["row"], 637);
        assert_eq!(errors[0]["field"], "month");
        assert_eq!(doc["created"], 999);
        let list = json_items(&app, "/api/v1/exchange-rates").await;
        assert!(list.is_empty(), "nothing is written: {list:?}");
        assert_eq!(
            get(
                &app,
                "/api/v1/audit-events?record_type=import",
                "application/json"
            )
            .await
            .json()["items"],
            json!([])
        );
        let r = import(
            &app,
            "exchange-rates",
            CSV,
            rates_csv(1000, None).into(),
            false,
        )
        .await;
        r.assert_status(200);
        assert_eq!(r.json()["created"], 1000);
    }
);

db_test!(an_approved_project_over_its_cap_is_a_row_error, |app| {
    app.eligible_state("NPL", "AP", 2026, true, true).await;
    app.project(json!({})).await;
    app.to_review("TS.0001").await;
    app.transition("TS.0001", "approved")
        .await
        .assert_status(200);
    let mut item = get(&app, "/api/v1/projects/TS.0001", "application/json")
        .await
        .json();
    item["budget"] = json!({"amount": "900000000.00", "currency": "USD"});
    let body = serde_json::to_vec(&json!({"items": [item]})).unwrap();
    let r = import(&app, "projects", "application/json", body, true).await;
    let doc = r.assert_problem(422, "import_rejected");
    let errors = doc["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{doc}");
    assert!(errors.iter().all(|e| e["row"] == 1), "{doc}");
    let p = get(&app, "/api/v1/projects/TS.0001", "application/json")
        .await
        .json();
    assert_eq!(p["budget"]["amount"], "100000.00");
});

fn xlsx_member_states() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["iso3", "name", "region", "iom_member", "member_since"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "BRA").unwrap();
    sheet.write_string(1, 1, "Brazil").unwrap();
    sheet.write_string(1, 2, "SA").unwrap();
    sheet.write_boolean(1, 3, true).unwrap();
    sheet.write_number(1, 4, 1998.0).unwrap();
    sheet.write_string(2, 0, "TUN").unwrap();
    sheet.write_string(2, 1, "Tunisia").unwrap();
    sheet.write_string(2, 2, "MENA").unwrap();
    sheet.write_boolean(2, 3, false).unwrap();
    book.save_to_buffer().unwrap()
}

db_test!(an_xlsx_first_sheet_imports_with_typed_cells, |app| {
    let r = import(&app, "member-states", XLSX, xlsx_member_states(), false).await;
    r.assert_status(200);
    assert_eq!(r.json()["created"], 2);
    let s = get(&app, "/api/v1/member-states/BRA", "application/json")
        .await
        .json();
    assert_eq!(
        (s["member_since"].as_i64(), s["iom_member"].as_bool()),
        (Some(1998), Some(true))
    );
    let s = get(&app, "/api/v1/member-states/TUN", "application/json")
        .await
        .json();
    assert_eq!(s["iom_member"], false);
});

/// A zip whose one part declares 3 GB uncompressed.
fn zip_bomb() -> Vec<u8> {
    let name = b"xl/worksheets/sheet1.xml";
    let data = [0u8; 16];
    let crc = 0u32;
    let size: u32 = 3_000_000_000;
    let mut out = Vec::new();
    let local = |out: &mut Vec<u8>| {
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(0u16.to_le_bytes()); // stored
        out.extend([0u8; 4]);
        out.extend(crc.to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name);
    };
    local(&mut out);
    out.extend(data);
    let cd_start = out.len() as u32;
    out.extend(0x0201_4b50u32.to_le_bytes());
    out.extend(20u16.to_le_bytes());
    out.extend(20u16.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(crc.to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(size.to_le_bytes());
    out.extend((name.len() as u16).to_le_bytes());
    out.extend([0u8; 8]);
    out.extend([0u8; 4]);
    out.extend(0u32.to_le_bytes());
    out.extend(name);
    let cd_len = out.len() as u32 - cd_start;
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(1u16.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The `code`s of a problem's errors (and the problem's own code).
fn codes(doc: &Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

db_test!(
    hostile_bodies_get_a_clear_4xx_and_nothing_is_written,
    |app| {
        let cases: Vec<(&str, Vec<u8>, u16, &str, &str)> = vec![
            (
                CSV,
                b"currency,month,usd_per_unit\r\nEUR,2019-01,1.1\r\n".to_vec(),
                422,
                "import_rejected",
                "missing_column",
            ),
            (
                CSV,
                b"currency,month,usd_per_unit,source,colour\r\nEUR,2019-01,1.1,x,red\r\n".to_vec(),
                422,
                "import_rejected",
                "unknown_column",
            ),
            (
                CSV,
                b"currency,month,usd_per_unit,source\r\nEUR,2019-01,1.1,Banque de Fran\xe7e\r\n"
                    .to_vec(),
                400,
                "malformed_body",
                "invalid_encoding",
            ),
            (
                CSV,
                b"currency,month,usd_per_unit,source\r\nEUR,2019-01,1.1,=HYPERLINK(\"x\")\r\n"
                    .to_vec(),
                422,
                "import_rejected",
                "formula",
            ),
            (
                CSV,
                b"currency,month,usd_per_unit,source\r\nEUR,2019-01,1.1,@SUM(A1)\r\n".to_vec(),
                422,
                "import_rejected",
                "formula",
            ),
            (
                XLSX,
                b"PK\x03\x04 this is not a workbook".to_vec(),
                400,
                "malformed_body",
                "not_a_spreadsheet",
            ),
            (XLSX, zip_bomb(), 413, "payload_too_large", "zip_bomb"),
            (
                "application/json",
                b"{\"items\": 3}".to_vec(),
                422,
                "import_rejected",
                "invalid_type",
            ),
        ];
        for (media, body, status, code, field_code) in cases {
            let r = import(&app, "exchange-rates", media, body, false).await;
            let doc = r.assert_problem(status, code);
            assert!(
                codes(&doc).contains(&field_code.to_owned()),
                "{field_code}: {doc}"
            );
        }
        // A guarded formula-like text (as the export writes it) is text, and a negative number
        // is a number.
        let ok = "currency,month,usd_per_unit,source\r\nEUR,2019-01,1.1,'=not a formula\r\n";
        import(&app, "exchange-rates", CSV, ok.into(), false)
            .await
            .assert_status(200);
        let rates = json_items(&app, "/api/v1/exchange-rates").await;
        assert_eq!(rates[0]["source"], "=not a formula");
        let r = import(&app, "exchange-rates", "text/plain", b"x".to_vec(), false).await;
        r.assert_problem(415, "unsupported_media_type");

        // 100,001 rows: too many; 100,000 rows of garbage: errors capped, answered fast.
        let mut garbage = "currency,month,usd_per_unit,source\r\n".to_owned();
        for _ in 0..100_000 {
            garbage.push_str("???,??,??,\r\n");
        }
        let started = std::time::Instant::now();
        let r = import(&app, "exchange-rates", CSV, garbage.clone().into(), false).await;
        let doc = r.assert_problem(422, "import_rejected");
        assert_eq!(doc["truncated"], true);
        assert_eq!(doc["errors"].as_array().unwrap().len(), 1000);
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
        garbage.push_str("???,??,??,\r\n");
        let r = import(&app, "exchange-rates", CSV, garbage.into(), false).await;
        r.assert_problem(413, "payload_too_large");
        // Over 20 MiB.
        let huge = vec![b'a'; 20 * 1024 * 1024 + 1];
        let r = import(&app, "exchange-rates", CSV, huge, false).await;
        r.assert_problem(413, "payload_too_large");
        assert_eq!(json_items(&app, "/api/v1/exchange-rates").await.len(), 1);
    }
);

/// The field each kind keyed by id changes in a test, and its new value.
fn changed(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "recommendations" => ("text", "Secure national and donor funding."),
        _ => ("title", "A changed title"),
    }
}

db_test!(
    a_dry_run_of_evaluations_recommendations_and_publications_writes_nothing,
    |app| {
        app.seed_demo();
        evaluation_records(&app).await;
        let audit = audit_count(&app).await;
        let feed = changes(&app).await;
        for (kind, path) in &KINDS[EVALUATION_KINDS..] {
            let before = json_items(&app, path).await;
            let mut items = before.clone();
            // One new record (an item without its id) and one changed.
            let mut new = items.last().unwrap().clone();
            new.as_object_mut().unwrap().remove("id");
            let (field, value) = changed(kind);
            items[0][field] = json!(value);
            items.push(new);
            let body = serde_json::to_vec(&json!({ "items": items })).unwrap();
            let r = import(&app, kind, "application/json", body, true).await;
            assert_eq!(r.status.as_u16(), 200, "{kind}: {}", r.text());
            let report = r.json();
            assert_eq!(
                (
                    report["dry_run"].as_bool(),
                    report["created"].as_u64(),
                    report["updated"].as_u64(),
                    report["unchanged"].as_u64()
                ),
                (Some(true), Some(1), Some(1), Some(before.len() as u64 - 1)),
                "{kind}: {report}"
            );
            assert_eq!(json_items(&app, path).await, before, "{kind}");
        }
        assert_eq!(audit_count(&app).await, audit);
        assert_eq!(changes(&app).await, feed);
    }
);

/// The recommendations CSV export with `evaluation_id` of its data row `row` (from 1) set
/// to `to`.
fn with_evaluation_id(csv_text: &str, row: usize, to: &str) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let at = rows[0].iter().position(|h| h == "evaluation_id").unwrap();
    rows[row][at] = to.to_owned();
    let mut writer = csv::Writer::from_writer(Vec::new());
    for r in rows {
        writer.write_record(r).unwrap();
    }
    writer.into_inner().unwrap()
}

db_test!(
    a_recommendation_of_an_unknown_evaluation_is_a_row_error_naming_evaluation_id,
    |app| {
        app.seed_demo();
        evaluation_records(&app).await;
        let path = "/api/v1/recommendations";
        let before = get(&app, path, CSV).await.text();
        // A stored recommendation moved to an unknown evaluation, and a new one of it.
        let mut items = json_items(&app, path).await;
        items[1]["evaluation_id"] = json!(9999);
        let mut new = items[0].clone();
        new.as_object_mut().unwrap().remove("id");
        new["evaluation_id"] = json!(9999);
        items.push(new);
        let body = serde_json::to_vec(&json!({ "items": items })).unwrap();
        let r = import(&app, "recommendations", "application/json", body, false).await;
        let doc = r.assert_problem(422, "import_rejected");
        let errors: Vec<(u64, &str, &str)> = doc["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["field"].as_str().unwrap(),
                    e["code"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                (2, "evaluation_id", "unknown_evaluation"),
                (3, "evaluation_id", "unknown_evaluation")
            ],
            "{doc}"
        );
        // The same as CSV.
        let r = import(
            &app,
            "recommendations",
            CSV,
            with_evaluation_id(&before, 1, "9999"),
            false,
        )
        .await;
        let doc = r.assert_problem(422, "import_rejected");
        assert_eq!(doc["errors"][0]["row"], 1, "{doc}");
        assert_eq!(doc["errors"][0]["field"], "evaluation_id", "{doc}");
        assert_eq!(doc["errors"][0]["code"], "unknown_evaluation", "{doc}");
        // A stored recommendation named under another stored evaluation.
        let other = json_items(&app, "/api/v1/evaluations").await[0]["id"].to_string();
        let r = import(
            &app,
            "recommendations",
            CSV,
            with_evaluation_id(&before, 1, &other),
            false,
        )
        .await;
        let doc = r.assert_problem(422, "import_rejected");
        assert_eq!(doc["errors"][0]["code"], "wrong_evaluation", "{doc}");
        assert_eq!(get(&app, path, CSV).await.text(), before);
    }
);

db_test!(
    each_row_needs_the_permissions_of_its_kinds_own_routes,
    |app| {
        app.seed_demo();
        evaluation_records(&app).await;
        // A fund manager may import, but not write evaluations or what a recommendation says.
        let manager = app.token(devfund::auth::Role::FundManager);
        let evaluations = json_items(&app, "/api/v1/evaluations").await;
        let body = serde_json::to_vec(&json!({ "items": [evaluations[0]] })).unwrap();
        let r = import_as(
            &app,
            &manager,
            "evaluations",
            "application/json",
            body,
            true,
        )
        .await;
        let doc = r.assert_problem(422, "import_rejected");
        assert_eq!(codes(&doc), ["forbidden"], "{doc}");
        let mut recommendations = json_items(&app, "/api/v1/recommendations").await;
        recommendations[1]["text"] = json!("Changed by a fund manager.");
        let body = serde_json::to_vec(&json!({ "items": [recommendations[1]] })).unwrap();
        let r = import_as(
            &app,
            &manager,
            "recommendations",
            "application/json",
            body,
            true,
        )
        .await;
        let doc = r.assert_problem(422, "import_rejected");
        assert_eq!(codes(&doc), ["forbidden"], "{doc}");
        // ... but may record management's response and the status.
        let mut item = json_items(&app, "/api/v1/recommendations").await[1].clone();
        item["management_response"] = json!({"decision": "accepted", "text": null,
            "responded_on": "2021-08-01", "responded_by": "Fund manager"});
        item["status"] = json!("implemented");
        let body = serde_json::to_vec(&json!({ "items": [item] })).unwrap();
        let r = import_as(
            &app,
            &manager,
            "recommendations",
            "application/json",
            body,
            false,
        )
        .await;
        r.assert_status(200);
        assert_eq!(r.json()["updated"], 1);
        let id = item["id"].as_i64().unwrap();
        let stored = get(
            &app,
            &format!("/api/v1/recommendations/{id}"),
            "application/json",
        )
        .await
        .json();
        assert_eq!(stored["status"], "implemented");
        assert_eq!(stored["management_response"]["decision"], "accepted");
    }
);

db_test!(
    an_id_created_earlier_in_the_same_import_is_not_a_stored_record,
    |app| {
        app.seed_demo();
        let item = json!({"id": 1, "kind": "study", "title": "A study", "year": 2020});
        let body = serde_json::to_vec(&json!({ "items": [item, item] })).unwrap();
        let r = import(
            &app,
            "publications",
            "application/json",
            body.clone(),
            false,
        )
        .await;
        r.assert_status(200);
        assert_eq!(r.json()["created"], 2, "{}", r.text());
        // Now id 1 is stored: both rows name it, and change nothing.
        let r = import(&app, "publications", "application/json", body, false).await;
        r.assert_status(200);
        let report = r.json();
        assert_eq!(
            (report["created"].as_u64(), report["unchanged"].as_u64()),
            (Some(0), Some(2)),
            "{report}"
        );
    }
);
