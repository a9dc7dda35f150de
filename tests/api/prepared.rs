//! A page of the project list runs statements that stay prepared: the next page, with other
//! ids and another number of them, prepares nothing new. On SQLite, diesel's `eq_any` bound
//! each value and marked the statement not to be cached, so every page's nine child queries,
//! its filtered page and its count were prepared anew (16 % of a list request's time,
//! README, Benchmark); `db::sql::within` binds the list as one parameter.

use std::sync::{Arc, Mutex};

use devfund::db::AnyConnection;
use devfund::domain::project::Status;
use devfund::models::project::{Children, ProjectFilter};
use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};

use crate::db_test;

/// What a connection told its instrumentation: the SQL of every statement started, and of
/// every statement it prepared into its cache.
#[derive(Default)]
struct Seen {
    started: Vec<String>,
    cached: Vec<String>,
}

/// One page of the list as the handler reads it: the page, its count, its children.
fn read_page(conn: &mut AnyConnection, filter: &ProjectFilter, offset: i64, limit: i64) -> usize {
    let page = filter.page(conn, offset, limit).expect("page");
    filter.count(conn).expect("count");
    let ids: Vec<i64> = page.iter().map(|p| p.id).collect();
    Children::load(conn, &ids).expect("children");
    ids.len()
}

fn sql_of(text: String) -> String {
    text.split(" -- binds:").next().unwrap_or(&text).to_owned()
}

db_test!(
    a_list_page_prepares_nothing_the_page_before_did_not,
    |app| {
        app.seed_demo();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut conn = AnyConnection::establish(&app.db.url).expect("connect");
        let into = seen.clone();
        let record = move |event: InstrumentationEvent<'_>| {
            let mut seen = into.lock().unwrap();
            match event {
                InstrumentationEvent::StartQuery { query, .. } => {
                    seen.started.push(sql_of(query.to_string()));
                }
                InstrumentationEvent::CacheQuery { sql, .. } => {
                    seen.cached.push(sql_of(sql.to_owned()));
                }
                _ => {}
            }
        };
        conn.set_instrumentation(Box::new(record) as Box<dyn Instrumentation>);
        let filters = [
            ("no filter", ProjectFilter::default()),
            (
                "two statuses",
                ProjectFilter {
                    statuses: vec![Status::Completed, Status::Approved],
                    ..ProjectFilter::default()
                },
            ),
        ];
        let mut prepared = Vec::new();
        for (name, filter) in &filters {
            let first = read_page(&mut conn, filter, 0, 3);
            prepared.append(&mut std::mem::take(&mut *seen.lock().unwrap()).cached);
            let second = read_page(&mut conn, filter, 3, 2);
            let after = std::mem::take(&mut *seen.lock().unwrap());
            assert!(
                first == 3 && second > 0,
                "{name}: pages of {first} and {second}"
            );
            assert_eq!(after.started.len(), 11, "{name}: {:?}", after.started);
            assert!(
                after.cached.is_empty(),
                "{name}: the second page prepared {:?}",
                after.cached
            );
            let uncached: Vec<&String> = after
                .started
                .iter()
                .filter(|s| !prepared.contains(s))
                .collect();
            assert!(
                uncached.is_empty(),
                "{name}: statements not served from the cache: {uncached:?}"
            );
        }
    }
);
