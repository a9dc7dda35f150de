//! Every filter and sort of the project list is served by an index: the statements the list
//! really runs (captured from diesel as it sends them) are explained by SQLite, and no plan
//! may scan a table without an index. A page without a filter, sorted by any key, and a page
//! filtered on one column of the project in the default order, must also be read in order from
//! an index (no temporary B-tree: the page stops after its rows instead of sorting every
//! match, the 132 → 855 req/s of migration 000007). Ranges and filters on a project's member
//! states or mappings select rows through their index and sort only those matches.
//!
//! `q` is not among them: a substring of the code, title or summary (`LIKE '%…%'`) cannot be
//! found through a B-tree, so it reads every project's three columns, by design.
//!
//! SQLite only: PostgreSQL 15 cannot explain a statement with unbound parameters (`EXPLAIN
//! (GENERIC_PLAN)` came in 16), and the indexes are the same migrations on both databases.

use std::sync::{Arc, Mutex};

use devfund::db::AnyConnection;
use devfund::models::project::{ProjectFilter, ProjectSort};
use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::support::{Backend, TestApp};

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// The SQL of every statement `run` sends, without its binds.
fn statements_of(url: &str, run: impl FnOnce(&mut AnyConnection)) -> Vec<String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut conn = AnyConnection::establish(url).expect("connect");
    let into = seen.clone();
    let record = move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let text = query.to_string();
            let sql = text.split(" -- binds:").next().unwrap_or(&text).to_owned();
            into.lock().unwrap().push(sql);
        }
    };
    conn.set_instrumentation(Box::new(record) as Box<dyn Instrumentation>);
    run(&mut conn);
    seen.lock().unwrap().clone()
}

/// SQLite's plan of `sql` (unbound parameters plan as NULLs), one line per step.
fn plan(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load::<PlanLine>(conn)
        .unwrap_or_else(|e| panic!("explain {sql}: {e}"))
        .into_iter()
        .map(|l| l.detail)
        .collect()
}

/// (name, filter, whether the page must be read in order from an index).
fn filters() -> Vec<(&'static str, ProjectFilter, bool)> {
    let f = ProjectFilter::default;
    vec![
        ("no filter", f(), true),
        (
            "status",
            ProjectFilter {
                statuses: vec![devfund::domain::project::Status::Approved],
                ..f()
            },
            true,
        ),
        (
            "funding_line",
            ProjectFilter {
                funding_lines: vec![devfund::domain::FundingLine::Line2],
                ..f()
            },
            true,
        ),
        (
            "funding_year",
            ProjectFilter {
                funding_years: vec![2020],
                ..f()
            },
            true,
        ),
        (
            "funding_year range",
            ProjectFilter {
                funding_year_from: Some(2010),
                funding_year_to: Some(2012),
                ..f()
            },
            false,
        ),
        (
            "scope",
            ProjectFilter {
                scopes: vec![devfund::domain::Scope::Regional],
                ..f()
            },
            true,
        ),
        (
            "thematic_area",
            ProjectFilter {
                thematic_areas: vec!["labour_mobility".into()],
                ..f()
            },
            true,
        ),
        (
            "member_state",
            ProjectFilter {
                member_states: vec!["NPL".into()],
                ..f()
            },
            false,
        ),
        (
            "region",
            ProjectFilter {
                regions: vec!["AP".into()],
                ..f()
            },
            false,
        ),
        (
            "sdg_target",
            ProjectFilter {
                sdg_targets: vec!["10.7".into()],
                ..f()
            },
            false,
        ),
        (
            "sdg_goal",
            ProjectFilter {
                sdg_goals: vec![10],
                ..f()
            },
            false,
        ),
        (
            "migof",
            ProjectFilter {
                migof: vec!["P1".into()],
                ..f()
            },
            false,
        ),
        (
            "gcm_objective",
            ProjectFilter {
                gcm_objectives: vec![5],
                ..f()
            },
            false,
        ),
        (
            "budget range",
            ProjectFilter {
                budget_min_cents: Some(1),
                budget_max_cents: Some(2),
                ..f()
            },
            false,
        ),
        (
            "updated_since",
            ProjectFilter {
                updated_since: chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0)),
                ..f()
            },
            false,
        ),
    ]
}

#[actix_web::test]
async fn every_filter_and_sort_of_the_project_list_reads_an_index() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = app.db.url.clone();
    let mut explainer = SqliteConnection::establish(&url).expect("connect");
    let mut cases: Vec<(String, ProjectFilter, bool)> = filters()
        .into_iter()
        .map(|(name, f, ordered)| (format!("filter {name}"), f, ordered))
        .collect();
    for (name, key) in [
        ("title", ProjectSort::Title),
        ("funding_year", ProjectSort::FundingYear),
        ("budget", ProjectSort::Budget),
        ("updated_at", ProjectSort::UpdatedAt),
    ] {
        for desc in [false, true] {
            let sort = vec![(key, desc)];
            cases.push((
                format!("sort {name} desc={desc}"),
                ProjectFilter {
                    sort,
                    ..ProjectFilter::default()
                },
                true,
            ));
        }
    }
    let mut failures = Vec::new();
    for (name, filter, ordered) in &cases {
        let sql = statements_of(&url, |conn| {
            filter.page(conn, 0, 50).expect("page");
            filter.count(conn).expect("count");
        });
        assert_eq!(sql.len(), 2, "{name}: {sql:?}");
        for statement in &sql {
            let steps = plan(&mut explainer, statement);
            let bad: Vec<&String> = steps
                .iter()
                .filter(|s| {
                    let full_scan = s.starts_with("SCAN projects") && !s.contains("USING");
                    let sorted = *ordered && s.contains("TEMP B-TREE FOR ORDER BY");
                    full_scan || sorted || (s.starts_with("SCAN project_") && !s.contains("USING"))
                })
                .collect();
            if !bad.is_empty() {
                failures.push(format!("{name}: {bad:?}\n  {statement}\n  plan: {steps:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "unindexed plans:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}
