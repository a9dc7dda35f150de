//! XLSX exports: the same header and cells as the CSV export of the same list or report,
//! read back with calamine; numbers as numeric cells, full dates as date cells, codes as
//! text; the first row frozen; `Accept` negotiation and `format=xlsx`.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use devfund::auth::Role;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::{Resp, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An RFC 4180 reading of a CSV body: quoted fields may hold commas, quotes and newlines.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell) = (Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => row.push(std::mem::take(&mut cell)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            c => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && row.is_empty(),
        "CSV must end with a line break"
    );
    rows
}

fn sheet(r: &Resp) -> calamine::Range<Data> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(r.body.clone())).expect("an XLSX workbook");
    book.worksheet_range_at(0)
        .expect("one worksheet")
        .expect("a readable worksheet")
}

/// Whether the first worksheet's first row is frozen.
fn first_row_frozen(r: &Resp) -> bool {
    let mut zip = zip::ZipArchive::new(Cursor::new(r.body.clone())).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("sheet1")
        .read_to_string(&mut xml)
        .unwrap();
    xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#)
}

/// What a compared column must hold in the sheet.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    Number,
    Date,
    Bool,
    Text,
}

/// Asserts the sheet holds the CSV's header and every cell (numbers compared numerically,
/// dates as dates, a formula-guarded CSV cell as its text), and that the `typed` columns
/// hold cells of their kind wherever they are not empty.
#[track_caller]
fn assert_same(csv: &Resp, xlsx: &Resp, typed: &[(&str, Expect)]) {
    let rows = csv_rows(&csv.text());
    let range = sheet(xlsx);
    assert_eq!(
        range.height(),
        rows.len(),
        "rows: the CSV has {}",
        rows.len()
    );
    assert!(rows.len() > 1, "the export has no data rows");
    let header = &rows[0];
    let width = header.len();
    assert_eq!(range.width(), width, "columns");
    for (i, name) in header.iter().enumerate() {
        assert_eq!(range.get((0, i)), Some(&Data::String(name.clone())));
    }
    for (name, _) in typed {
        assert!(header.iter().any(|h| h == name), "no column {name}");
    }
    for (r, row) in rows.iter().enumerate().skip(1) {
        assert_eq!(row.len(), width, "CSV row {r}");
        for (c, text) in row.iter().enumerate() {
            let cell = range.get((r, c)).unwrap_or(&Data::Empty);
            let column = header[c].as_str();
            let what = format!("row {r} column {column}: CSV {text:?}, XLSX {cell:?}");
            match cell {
                Data::Empty => assert!(text.is_empty(), "{what}"),
                Data::String(s) => assert!(
                    s == text || (text.starts_with('\'') && &text[1..] == s),
                    "{what}"
                ),
                Data::Float(f) => {
                    let expected: f64 = text.parse().unwrap_or_else(|_| panic!("{what}"));
                    assert!((f - expected).abs() < 1e-9, "{what}");
                }
                Data::Int(i) => assert_eq!(text.parse::<i64>().ok(), Some(*i), "{what}"),
                Data::Bool(b) => assert_eq!(text, &b.to_string(), "{what}"),
                Data::DateTime(d) => {
                    // Serial days since 1899-12-30 (every date here is after 1900-03-01).
                    let serial = d.as_f64();
                    assert_eq!(serial.fract(), 0.0, "{what}: not a whole day");
                    let date = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
                        + chrono::Days::new(serial as u64);
                    assert_eq!(&date.to_string(), text, "{what}");
                }
                other => panic!("{what}: unexpected cell {other:?}"),
            }
            if let Some((_, kind)) = typed.iter().find(|(n, _)| *n == column)
                && !text.is_empty()
            {
                let ok = match kind {
                    Expect::Number => matches!(cell, Data::Float(_) | Data::Int(_)),
                    Expect::Date => matches!(cell, Data::DateTime(_)),
                    Expect::Bool => matches!(cell, Data::Bool(_)),
                    Expect::Text => matches!(cell, Data::String(_)),
                };
                assert!(ok, "{what}: not a {kind:?} cell");
            }
        }
    }
}

/// Fetches `path` as CSV (by `Accept`) and as XLSX (by `Accept`, then by `format=xlsx`
/// overriding an `Accept` of CSV), checks the XLSX response and that both ways agree.
async fn both(app: &TestApp, path: &str, filename: &str) -> (Resp, Resp) {
    let csv = app
        .get(path)
        .signed_as(Role::Admin)
        .header("accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    let by_accept = app
        .get(path)
        .signed_as(Role::Admin)
        .header("accept", &format!("text/csv;q=0.5, {XLSX}"))
        .send()
        .await;
    by_accept.assert_status(200);
    assert_eq!(by_accept.header("content-type").as_deref(), Some(XLSX));
    assert_eq!(
        by_accept.header("content-disposition"),
        Some(format!("attachment; filename=\"{filename}.xlsx\""))
    );
    assert_eq!(by_accept.header("vary").as_deref(), Some("Accept"));
    assert!(first_row_frozen(&by_accept), "the first row is not frozen");
    let sep = if path.contains('?') { '&' } else { '?' };
    let by_format = app
        .get(&format!("{path}{sep}format=xlsx"))
        .signed_as(Role::Admin)
        .header("accept", "text/csv")
        .send()
        .await;
    by_format.assert_status(200);
    assert_eq!(by_format.header("content-type").as_deref(), Some(XLSX));
    assert_eq!(sheet(&by_format), sheet(&by_accept));
    (csv, by_accept)
}

db_test!(the_projects_xlsx_holds_the_csv_cells_typed, |app| {
    app.seed_demo();
    // The booklet has no dates; one project with them.
    app.eligible_state("MNG", "AP", 2026, true, true).await;
    app.project(json!({
        "member_states": [{"iso3": "MNG"}],
        "start_date": "2026-03-01",
        "end_date": "2027-02-28",
    }))
    .await;
    let (csv, xlsx) = both(&app, "/api/v1/projects?sort=-budget", "projects").await;
    assert_same(
        &csv,
        &xlsx,
        &[
            ("code", Expect::Text),
            ("member_states", Expect::Text),
            ("funding_year", Expect::Number),
            ("budget_usd", Expect::Number),
            ("follow_up_total_usd", Expect::Number),
            ("leverage", Expect::Number),
            ("exceptional_increase", Expect::Bool),
            ("start_date", Expect::Date),
            ("end_date", Expect::Date),
            ("updated_at", Expect::Text),
        ],
    );
    // The demo portfolio has dates and leverage to type, not only empty cells.
    let range = sheet(&xlsx);
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let filled = |n: &str| {
        range
            .rows()
            .skip(1)
            .filter(|r| !matches!(r[col(n)], Data::Empty))
            .count()
    };
    assert!(filled("start_date") > 0 && filled("leverage") > 0);
    assert_eq!(
        range
            .get((1, col("code")))
            .map(|c| c.to_string().contains('.')),
        Some(true)
    );
});

db_test!(
    the_follow_up_funding_xlsx_holds_the_csv_cells_typed,
    |app| {
        app.seed_demo();
        let (csv, xlsx) = both(&app, "/api/v1/follow-up-funding", "follow-up-funding").await;
        assert_same(
            &csv,
            &xlsx,
            &[
                ("id", Expect::Number),
                ("project_code", Expect::Text),
                ("amount", Expect::Number),
                ("currency", Expect::Text),
                ("amount_usd", Expect::Number),
                ("in_kind", Expect::Bool),
            ],
        );
    }
);

db_test!(report_xlsx_holds_the_csv_cells_typed, |app| {
    app.seed_demo();
    let (csv, xlsx) = both(
        &app,
        "/api/v1/reports/portfolio?group_by=region",
        "portfolio",
    )
    .await;
    assert_same(
        &csv,
        &xlsx,
        &[
            ("region", Expect::Text),
            ("projects", Expect::Number),
            ("seed_budget", Expect::Number),
            ("leverage", Expect::Number),
        ],
    );
    let (csv, xlsx) = both(&app, "/api/v1/reports/leverage", "leverage").await;
    assert_same(
        &csv,
        &xlsx,
        &[("code", Expect::Text), ("leverage", Expect::Number)],
    );
});

db_test!(the_member_states_xlsx_holds_the_csv_cells_typed, |app| {
    app.seed_demo();
    let (csv, xlsx) = both(&app, "/api/v1/member-states", "member-states").await;
    assert_same(
        &csv,
        &xlsx,
        &[("iso3", Expect::Text), ("region", Expect::Text)],
    );
});

db_test!(the_evaluations_xlsx_holds_the_csv_cells_typed, |app| {
    app.eligible_state("NPL", "AP", 2020, true, true).await;
    let r = app
        .post_project(
            &app.admin(),
            json!({"code": "TS.0001", "status": "completed", "funding_year": 2020, "end_date": "2024-01-15"}),
        )
        .await;
    r.assert_status(201);
    let body: Value = json!({
        "subject": {"project_code": "TS.0001"},
        "kind": "ex_post",
        "status": "completed",
        "title": "=HYPERLINK(\"http://x\")",
        "evaluator_type": "external",
        "evaluators": [{"name": "A. Evaluator", "role": "team leader"}],
        "completed_on": "2025-01-10",
        "methods": ["interviews"],
        "summary": "Relevant, \"partly\" sustainable,\nand more.",
    });
    app.post("/api/v1/evaluations")
        .signed_as(Role::Evaluator)
        .json(&body)
        .send()
        .await
        .assert_status(201);
    let (csv, xlsx) = both(&app, "/api/v1/evaluations", "evaluations").await;
    assert_same(&csv, &xlsx, &[("completed_on", Expect::Date)]);
    // The would-be formula is text in the sheet, as typed.
    let range = sheet(&xlsx);
    assert!(
        range.rows().any(|r| r
            .iter()
            .any(|c| c == &Data::String("=HYPERLINK(\"http://x\")".into()))),
        "the title is not plain text"
    );
});

db_test!(
    an_accept_that_allows_no_format_names_xlsx_in_the_406,
    |app| {
        let r = app
            .get("/api/v1/member-states")
            .signed_as(Role::Viewer)
            .header("accept", "application/xml")
            .send()
            .await;
        let doc = r.assert_problem(406, "not_acceptable");
        assert!(doc["detail"].as_str().unwrap().contains("xlsx"), "{doc}");
        let r = app
            .get("/api/v1/member-states?format=xml")
            .signed_as(Role::Viewer)
            .send()
            .await;
        r.assert_status(400);
    }
);
