//! Whole-list exports read one snapshot, page by page by keyset, in a fixed number of
//! queries a page. The exports are driven here through the library with small pages, so
//! that a dozen projects span many pages; the HTTP tests of each list check the bytes.

use devfund::api::csv::table::csv_body;
use devfund::api::projects::export::ProjectRows;
use devfund::api::stream::CHANNEL;
use devfund::auth::Role;
use devfund::models::project::{ProjectFilter, ProjectSort};
use futures_util::StreamExt;

use crate::db_test;
use crate::support::TestApp;

/// Seeds the demo's nine projects and `n` synthetic ones (`XA.0000`…).
fn seed(app: &TestApp, n: u32) {
    let mut conn = app.state.pool.get().expect("conn");
    devfund::seed::synthetic(&mut conn, &app.state.catalogue, n).expect("synthetic");
}

/// The whole CSV of the filtered projects, read through pages of `page_rows`.
async fn export(app: &TestApp, filter: ProjectFilter, page_rows: i64) -> String {
    let rows = ProjectRows::new(filter, app.state.catalogue.clone()).page_rows(page_rows);
    let mut body = csv_body(&app.state.pool, rows).await.expect("export");
    let mut text = Vec::new();
    while let Some(chunk) = body.next().await {
        text.extend_from_slice(&chunk.expect("chunk"));
    }
    String::from_utf8(text).expect("UTF-8")
}

fn codes(csv: &str) -> Vec<&str> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect()
}

db_test!(
    a_write_committed_while_an_export_is_read_does_not_show_in_it,
    |app| {
        seed(&app, 12);
        let filter = ProjectFilter {
            q: Some("xa.".to_owned()),
            ..ProjectFilter::default()
        };
        // Twelve projects in pages of two: six pages. The reader sends a chunk a page and
        // runs at most CHANNEL chunks (and the one it waits to send) ahead of the body, so
        // once the first chunk is here, the last pages are certainly still unread.
        const {
            assert!(
                CHANNEL + 2 < 5,
                "the channel would let the reader reach the last page"
            )
        };
        let rows = ProjectRows::new(filter.clone(), app.state.catalogue.clone()).page_rows(2);
        let mut body = csv_body(&app.state.pool, rows).await.expect("export");
        let mut text = body.next().await.expect("a chunk").expect("bytes").to_vec();
        assert_eq!(
            codes(std::str::from_utf8(&text).unwrap()),
            ["XA.0000", "XA.0001"]
        );

        // Meanwhile: a new project that sorts last, and the last one renamed.
        let admin = app.admin();
        app.post_project(
            &admin,
            serde_json::json!({"code": "XA.9999", "title": "Late"}),
        )
        .await
        .assert_status(201);
        let etag = app
            .get("/api/v1/projects/XA.0011")
            .bearer(&admin)
            .send()
            .await
            .header("etag")
            .expect("etag");
        app.patch("/api/v1/projects/XA.0011")
            .bearer(&admin)
            .header("if-match", &etag)
            .raw(
                "application/merge-patch+json",
                br#"{"title": "Renamed while exported"}"#.to_vec(),
            )
            .send()
            .await
            .assert_status(200);

        while let Some(chunk) = body.next().await {
            text.extend_from_slice(&chunk.expect("chunk"));
        }
        let during = String::from_utf8(text).expect("UTF-8");
        let expected: Vec<String> = (0..12).map(|k| format!("XA.{k:04}")).collect();
        assert_eq!(codes(&during), expected, "{during}");
        assert!(!during.contains("Renamed while exported"), "{during}");

        // The writes did commit: the next export has them.
        let after = export(&app, filter, 2).await;
        assert_eq!(codes(&after).len(), 13);
        assert!(after.contains("XA.9999,Late,"), "{after}");
        assert!(after.contains("Renamed while exported"), "{after}");
    }
);

db_test!(
    keyset_pages_hold_the_same_rows_as_one_page_in_every_sort_order,
    |app| {
        seed(&app, 23);
        for sort in [
            vec![],
            vec![(ProjectSort::Budget, true)],
            vec![
                (ProjectSort::FundingYear, false),
                (ProjectSort::Title, true),
            ],
            vec![(ProjectSort::UpdatedAt, true), (ProjectSort::Code, true)],
        ] {
            let filter = ProjectFilter {
                sort: sort.clone(),
                ..ProjectFilter::default()
            };
            let whole = export(&app, filter.clone(), 1000).await;
            assert_eq!(codes(&whole).len(), 32, "{sort:?}");
            for page_rows in [1, 2, 5] {
                assert_eq!(
                    export(&app, filter.clone(), page_rows).await,
                    whole,
                    "{sort:?} in pages of {page_rows}"
                );
            }
        }
        // The HTTP export is the same document.
        let r = app
            .get("/api/v1/projects?format=csv&sort=-budget")
            .signed_as(Role::Viewer)
            .send()
            .await;
        r.assert_status(200);
        let filter = ProjectFilter {
            sort: vec![(ProjectSort::Budget, true)],
            ..ProjectFilter::default()
        };
        assert_eq!(r.text(), export(&app, filter, 7).await);
    }
);

db_test!(
    an_export_page_takes_the_same_queries_whatever_its_size,
    |app| {
        seed(&app, 12);
        let filter = ProjectFilter {
            q: Some("xa.".to_owned()),
            ..ProjectFilter::default()
        };
        let mut queries = Vec::new();
        // 12 projects in 6, 4, 3 and 2 full pages (then one empty read each).
        for page_rows in [2, 3, 4, 6] {
            let before = app.queries();
            let csv = export(&app, filter.clone(), page_rows).await;
            queries.push(app.queries() - before);
            assert_eq!(codes(&csv).len(), 12);
        }
        let per_page = queries[2] - queries[3];
        assert_eq!(queries[1] - queries[2], per_page, "{queries:?}");
        assert_eq!(queries[0] - queries[1], 2 * per_page, "{queries:?}");
        assert!(per_page <= 10, "{per_page} queries a page");
    }
);
