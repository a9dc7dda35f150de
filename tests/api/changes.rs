//! The change feed: following it from the start and applying each change reproduces the
//! lists (deletes included); cursors page and poll; a malformed cursor is refused; and
//! `updated_since` on lists.

use std::collections::BTreeMap;

use crate::db_test;
use crate::support::TestApp;
use devfund::auth::Role;
use serde_json::{Value, json};

const MERGE_PATCH: &str = "application/merge-patch+json";

async fn etag(app: &TestApp, path: &str) -> String {
    app.get(path)
        .bearer(&app.admin())
        .send()
        .await
        .assert_status(200)
        .header("etag")
        .expect("etag")
}

async fn patch(app: &TestApp, path: &str, body: Value) {
    let tag = etag(app, path).await;
    app.patch(path)
        .bearer(&app.admin())
        .header("if-match", &tag)
        .raw(MERGE_PATCH, body.to_string().into_bytes())
        .send()
        .await
        .assert_status(200);
}

async fn delete(app: &TestApp, path: &str) {
    let tag = etag(app, path).await;
    app.delete(path)
        .bearer(&app.admin())
        .header("if-match", &tag)
        .send()
        .await
        .assert_status(204);
}

async fn publication(app: &TestApp, title: &str) -> i64 {
    let r = app
        .post("/api/v1/publications")
        .bearer(&app.admin())
        .json(&json!({"kind": "study", "title": title, "year": 2024}))
        .send()
        .await;
    r.assert_status(201);
    r.json()["id"].as_i64().expect("id")
}

/// Creates, updates and deletes member states, projects and publications.
async fn churn(app: &TestApp) {
    for (iso3, name) in [("NPL", "Nepal"), ("BGD", "Bangladesh"), ("KEN", "Kenya")] {
        app.create_member_state(iso3, name, "AP").await;
    }
    patch(
        app,
        "/api/v1/member-states/BGD",
        json!({"name": "People's Republic of Bangladesh"}),
    )
    .await;
    delete(app, "/api/v1/member-states/KEN").await;
    for code in ["TS.0001", "TS.0002", "TS.0003"] {
        app.project(json!({"code": code})).await;
    }
    patch(app, "/api/v1/projects/TS.0002", json!({"title": "Renamed"})).await;
    app.transition("TS.0002", "submitted")
        .await
        .assert_status(200);
    delete(app, "/api/v1/projects/TS.0003").await;
    let first = publication(app, "Study one").await;
    let second = publication(app, "Study two").await;
    patch(
        app,
        &format!("/api/v1/publications/{first}"),
        json!({"title": "Study one, revised"}),
    )
    .await;
    delete(app, &format!("/api/v1/publications/{second}")).await;
}

/// The path of a record the mirror follows, by its type and key.
fn path_of(record_type: &str, key: &str) -> Option<String> {
    match record_type {
        "member_state" => Some(format!("/api/v1/member-states/{key}")),
        "project" => Some(format!("/api/v1/projects/{key}")),
        "publication" => Some(format!("/api/v1/publications/{key}")),
        _ => None,
    }
}

async fn feed(app: &TestApp, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/changes{query}"))
        .bearer(&app.admin())
        .send()
        .await;
    r.assert_status(200);
    r.json()
}

/// Follows the feed from `cursor` (pages of `limit`), applying each change to `mirror`;
/// returns the last cursor.
async fn follow(
    app: &TestApp,
    mirror: &mut BTreeMap<String, (Value, String)>,
    mut cursor: Option<String>,
    limit: u32,
) -> String {
    loop {
        let query = match &cursor {
            Some(c) => format!("?after={c}&limit={limit}"),
            None => format!("?limit={limit}"),
        };
        let page = feed(app, &query).await;
        let items = page["items"].as_array().expect("items").clone();
        assert!(items.len() <= limit as usize);
        for item in &items {
            let (t, k) = (
                item["record_type"].as_str().unwrap(),
                item["record_key"].as_str().unwrap(),
            );
            let Some(path) = path_of(t, k) else { continue };
            if item["action"] == "deleted" {
                assert!(item["etag"].is_null(), "{item}");
                mirror.remove(&path);
                continue;
            }
            let r = app.get(&path).bearer(&app.admin()).send().await;
            match r.status.as_u16() {
                200 => {
                    let tag = r.header("etag").expect("etag");
                    mirror.insert(path, (r.json(), tag));
                }
                // Deleted since: a later change in the feed says so.
                404 => {}
                other => panic!("GET {path}: {other}"),
            }
        }
        let next = page["next_cursor"]
            .as_str()
            .expect("next_cursor")
            .to_owned();
        if items.is_empty() {
            assert_eq!(Some(&next), cursor.as_ref().or(Some(&next)));
            return next;
        }
        cursor = Some(next);
    }
}

/// What the lists hold now, each record as read by its own path.
async fn current(app: &TestApp) -> BTreeMap<String, (Value, String)> {
    let mut out = BTreeMap::new();
    for (list, key, prefix) in [
        (
            "/api/v1/member-states?per_page=500",
            "iso3",
            "/api/v1/member-states/",
        ),
        ("/api/v1/projects?per_page=500", "code", "/api/v1/projects/"),
        (
            "/api/v1/publications?per_page=500",
            "id",
            "/api/v1/publications/",
        ),
    ] {
        let items = app
            .get(list)
            .bearer(&app.admin())
            .send()
            .await
            .assert_status(200)
            .json()["items"]
            .as_array()
            .expect("items")
            .clone();
        for item in items {
            let key = match &item[key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let path = format!("{prefix}{key}");
            let r = app.get(&path).bearer(&app.admin()).send().await;
            r.assert_status(200);
            let tag = r.header("etag").expect("etag");
            out.insert(path, (r.json(), tag));
        }
    }
    out
}

db_test!(
    following_the_feed_from_the_start_reproduces_the_lists,
    |app| {
        churn(&app).await;
        let mut mirror = BTreeMap::new();
        let cursor = follow(&app, &mut mirror, None, 3).await;
        let now = current(&app).await;
        assert_eq!(
            mirror.keys().collect::<Vec<_>>(),
            now.keys().collect::<Vec<_>>()
        );
        assert_eq!(mirror, now);
        assert!(!mirror.contains_key("/api/v1/member-states/KEN"));
        assert!(!mirror.contains_key("/api/v1/projects/TS.0003"));

        // Polling from the end answers nothing and keeps the cursor; new changes follow it.
        let page = feed(&app, &format!("?after={cursor}")).await;
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["next_cursor"], json!(cursor));
        delete(&app, "/api/v1/projects/TS.0001").await;
        patch(
            &app,
            "/api/v1/member-states/BGD",
            json!({"name": "Bangladesh"}),
        )
        .await;
        follow(&app, &mut mirror, Some(cursor), 100).await;
        assert_eq!(mirror, current(&app).await);
    }
);

db_test!(each_change_names_its_action_and_the_etag_after_it, |app| {
    app.create_member_state("NPL", "Nepal", "AP").await;
    patch(
        &app,
        "/api/v1/member-states/NPL",
        json!({"name": "Nepal (FDR)"}),
    )
    .await;
    let tag = etag(&app, "/api/v1/member-states/NPL").await;
    delete(&app, "/api/v1/member-states/NPL").await;
    let items = feed(&app, "").await["items"].as_array().unwrap().clone();
    let actions: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["record_type"].as_str().unwrap(),
                i["record_key"].as_str().unwrap(),
                i["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("member_state", "NPL", "created"),
            ("member_state", "NPL", "updated"),
            ("member_state", "NPL", "deleted")
        ]
    );
    assert_eq!(items[1]["etag"], json!(tag));
    assert!(items[2]["etag"].is_null());
    // Cursors are strictly increasing in the order the changes committed.
    let cursors: Vec<&str> = items
        .iter()
        .map(|i| i["cursor"].as_str().unwrap())
        .collect();
    let page = feed(&app, &format!("?after={}&limit=1", cursors[0])).await;
    assert_eq!(page["items"][0]["cursor"], json!(cursors[1]));
    assert_eq!(page["next_cursor"], json!(cursors[1]));
});

db_test!(a_malformed_cursor_or_limit_is_refused, |app| {
    for query in [
        "?after=not-a-cursor",
        "?after=MTI",
        "?limit=0",
        "?limit=1001",
        "?limit=x",
    ] {
        let r = app
            .get(&format!("/api/v1/changes{query}"))
            .bearer(&app.admin())
            .send()
            .await;
        r.assert_problem(400, "bad_request");
    }
    let r = app
        .get("/api/v1/changes?after=not-a-cursor")
        .bearer(&app.admin())
        .send()
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "invalid_cursor");
    // Only the roles that read the audit trail read the feed.
    app.get("/api/v1/changes")
        .signed_as(Role::FundManager)
        .send()
        .await
        .assert_status(403);
});

db_test!(
    updated_since_lists_only_what_changed_after_the_instant,
    |app| {
        app.create_member_state("NPL", "Nepal", "AP").await;
        app.create_member_state("BGD", "Bangladesh", "AP").await;
        app.project(json!({"code": "TS.0001"})).await;
        app.project(json!({"code": "TS.0002"})).await;
        // An instant strictly after the writes so far (timestamps are stored to the microsecond).
        let feed_items = feed(&app, "").await["items"].as_array().unwrap().clone();
        let last = feed_items.last().unwrap()["occurred_at"]
            .as_str()
            .unwrap()
            .to_owned();
        let since = chrono::DateTime::parse_from_rfc3339(&last).unwrap()
            + chrono::Duration::milliseconds(1);
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        patch(
            &app,
            "/api/v1/projects/TS.0002",
            json!({"title": "Renamed"}),
        )
        .await;
        patch(
            &app,
            "/api/v1/member-states/BGD",
            json!({"name": "Bangladesh (PR)"}),
        )
        .await;
        let since = since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let since = since.replace('+', "%2B");
        for (list, key, expected) in [
            ("projects", "code", "TS.0002"),
            ("member-states", "iso3", "BGD"),
        ] {
            let items = app
                .get(&format!("/api/v1/{list}?updated_since={since}"))
                .bearer(&app.admin())
                .send()
                .await
                .assert_status(200)
                .json()["items"]
                .clone();
            let keys: Vec<&str> = items
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i[key].as_str().unwrap())
                .collect();
            assert_eq!(keys, [expected], "{list}");
        }
    }
);

/// Polls the feed after `cursor` once; answers the cursors it lists and the next cursor.
async fn poll(app: &TestApp, cursor: &str) -> (Vec<String>, String) {
    let page = feed(app, &format!("?after={cursor}&limit=1000")).await;
    let cursors = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["cursor"].as_str().expect("cursor").to_owned())
        .collect();
    (
        cursors,
        page["next_cursor"].as_str().expect("next").to_owned(),
    )
}

db_test!(
    a_follower_polling_during_concurrent_writes_misses_nothing,
    |app| {
        // Four writers commit concurrently while a follower polls with the cursor it was given:
        // a change whose id was taken before a later one's but committed after it would be
        // skipped by the follower. The feed hands out ids in commit order, so nothing is.
        let start = feed(&app, "?limit=1").await["next_cursor"]
            .as_str()
            .expect("next")
            .to_owned();
        let done = std::cell::Cell::new(0);
        let writer = |currency: &'static str| {
            let (app, done) = (&app, &done);
            async move {
                for m in 1..=12 {
                    app.put(&format!("/api/v1/exchange-rates/{currency}/2031-{m:02}"))
                        .bearer(&app.admin())
                        .json(&json!({"usd_per_unit": "1.5", "source": "test"}))
                        .send()
                        .await
                        .assert_status(201);
                }
                done.set(done.get() + 1);
            }
        };
        let follower = async {
            let (mut seen, mut cursor) = (Vec::new(), start.clone());
            loop {
                let finished = done.get() == 4;
                let (cursors, next) = poll(&app, &cursor).await;
                seen.extend(cursors);
                cursor = next;
                if finished {
                    return seen;
                }
            }
        };
        let (seen, ..) = tokio::join!(
            follower,
            writer("EUR"),
            writer("GBP"),
            writer("CHF"),
            writer("JPY")
        );
        let (all, _) = poll(&app, &start).await;
        assert_eq!(all.len(), 48, "every rate is one change");
        assert!(all.windows(2).all(|w| w[0] < w[1]), "cursors ascend");
        assert_eq!(seen, all, "the follower saw every change, in order");
    }
);
