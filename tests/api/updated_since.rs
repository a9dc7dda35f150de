//! `updated_since` on the lists that gained it after the first ones (allocations, funding
//! rules, a state's eligibility, an evaluation's questions, an indicator's measurements,
//! webhooks): one table-driven test over all six — only what changed strictly after the
//! instant, an update bringing an older record back, the CSV export filtered the same way, a
//! malformed instant refused — and the rules in force in a year, which stay the ones in force.

use crate::db_test;
use crate::support::{Req, Resp, TestApp};
use serde_json::{Value, json};

const MERGE_PATCH: &str = "application/merge-patch+json";

#[derive(Debug, Clone, Copy)]
enum Listed {
    Allocations,
    FundingRules,
    Eligibility,
    Questions,
    Measurements,
    Webhooks,
}

const ALL: [Listed; 6] = [
    Listed::Allocations,
    Listed::FundingRules,
    Listed::Eligibility,
    Listed::Questions,
    Listed::Measurements,
    Listed::Webhooks,
];

impl Listed {
    /// The field that names a record in the list (and the CSV column of the same name).
    fn key(self) -> &'static str {
        match self {
            Listed::Allocations | Listed::Eligibility => "year",
            _ => "id",
        }
    }

    fn exports(self) -> bool {
        !matches!(self, Listed::Webhooks)
    }

    /// Creates what the list hangs off; answers the list's path.
    async fn setup(self, app: &TestApp) -> String {
        match self {
            Listed::Allocations => "/api/v1/allocations".into(),
            Listed::FundingRules => "/api/v1/funding-rules".into(),
            Listed::Webhooks => "/api/v1/webhooks".into(),
            Listed::Eligibility => {
                app.create_member_state("BGD", "Bangladesh", "AP").await;
                "/api/v1/member-states/BGD/eligibility".into()
            }
            // Each list hangs off records of its own: the lists are set up one after another
            // in one database.
            Listed::Questions => {
                app.eligible_state("NPL", "AP", 2020, true, true).await;
                app.project(json!({"status": "completed", "funding_year": 2020}))
                    .await;
                let e = created(app.post("/api/v1/evaluations").bearer(&app.admin()).json(&json!({
                    "subject": {"project_code": "TS.0001"}, "kind": "ex_post", "status": "completed",
                    "title": "Ex-post", "evaluator_type": "external", "completed_on": "2025-01-10"
                })))
                .await;
                format!("/api/v1/evaluations/{}/questions", e["id"])
            }
            Listed::Measurements => {
                app.eligible_state("LKA", "AP", 2020, true, true).await;
                app.project(json!({"code": "TS.0002", "funding_year": 2020, "member_states": [{"iso3": "LKA"}]}))
                    .await;
                let r = created(
                    app.post("/api/v1/projects/TS.0002/results")
                        .bearer(&app.admin())
                        .json(&json!({"level": "objective", "statement": "Better lives"})),
                )
                .await;
                let i = created(
                    app.post(&format!("/api/v1/results/{}/indicators", r["id"]))
                        .bearer(&app.admin())
                        .json(&json!({
                            "label": "i", "name": "Officials trained", "unit": "people",
                            "baseline_value": "0", "baseline_date": "2024-01-01",
                            "target_value": "10", "target_date": "2025-01-01"
                        })),
                )
                .await;
                format!("/api/v1/indicators/{}/measurements", i["id"])
            }
        }
    }

    /// Adds record `n` to the list at `path`; answers its key and ETag (when it has one).
    async fn add(self, app: &TestApp, path: &str, n: u32) -> (String, Option<String>) {
        let r = match self {
            Listed::Allocations => {
                app.put(&format!("{path}/{}/line_2", 2030 + n))
                    .bearer(&app.admin())
                    .json(&json!({"envelope": {"amount": "1000.00", "currency": "USD"}}))
                    .send()
                    .await
            }
            Listed::FundingRules => {
                app.post(path)
                    .bearer(&app.admin())
                    .json(&rule(2030 + n, "first"))
                    .send()
                    .await
            }
            Listed::Eligibility => {
                app.put(&format!("{path}/{}", 2010 + n))
                    .bearer(&app.admin())
                    .json(&eligibility("low"))
                    .send()
                    .await
            }
            Listed::Questions => {
                app.post(path)
                    .bearer(&app.admin())
                    .json(&json!({"label": format!("EQ{n}"), "text": "Was it relevant?"}))
                    .send()
                    .await
            }
            Listed::Measurements => {
                app.post(path)
                    .bearer(&app.admin())
                    .json(&json!({"measured_on": format!("2024-0{n}-01"), "value": n.to_string(), "verification": "verified"}))
                    .send()
                    .await
            }
            Listed::Webhooks => {
                app.post(path)
                    .bearer(&app.admin())
                    .json(&json!({"url": format!("https://example.org/hook{n}"), "events": ["project.approved"]}))
                    .send()
                    .await
            }
        };
        let body = r.assert_status(201).json();
        (key(&body[self.key()]), r.header("etag"))
    }

    /// Changes the record `key` of the list at `path` (its ETag `tag` when it has one).
    async fn change(self, app: &TestApp, path: &str, key: &str, tag: Option<String>) {
        let patch = |target: String, body: Value| {
            app.patch(&target)
                .bearer(&app.admin())
                .header("if-match", tag.as_deref().expect("an ETag"))
                .raw(MERGE_PATCH, body.to_string().into_bytes())
        };
        let r = match self {
            Listed::Allocations => {
                app.put(&format!("{path}/{key}/line_2"))
                    .bearer(&app.admin())
                    .json(&json!({"envelope": {"amount": "2000.00", "currency": "USD"}}))
                    .send()
                    .await
            }
            Listed::FundingRules => {
                let year: u32 = app
                    .get(&format!("{path}/{key}"))
                    .bearer(&app.admin())
                    .send()
                    .await
                    .assert_status(200)
                    .json()["effective_year"]
                    .as_u64()
                    .and_then(|y| u32::try_from(y).ok())
                    .expect("effective_year");
                app.put(&format!("{path}/{key}"))
                    .bearer(&app.admin())
                    .json(&rule(year, "changed"))
                    .send()
                    .await
            }
            Listed::Eligibility => {
                app.put(&format!("{path}/{key}"))
                    .bearer(&app.admin())
                    .json(&eligibility("lower_middle"))
                    .send()
                    .await
            }
            Listed::Questions => {
                patch(
                    format!("/api/v1/evaluation-questions/{key}"),
                    json!({"finding": "Yes."}),
                )
                .send()
                .await
            }
            Listed::Measurements => {
                patch(
                    format!("/api/v1/measurements/{key}"),
                    json!({"note": "Recounted."}),
                )
                .send()
                .await
            }
            Listed::Webhooks => {
                patch(format!("{path}/{key}"), json!({"active": false}))
                    .send()
                    .await
            }
        };
        r.assert_status(200);
    }
}

fn rule(year: u32, note: &str) -> Value {
    json!({
        "effective_year": year, "funding_line": "line_2", "scope": "national",
        "cap": {"amount": "350000.00", "currency": "USD"}, "exceptional_cap": null,
        "staff_office_max_share": "0.25", "min_endorsing_states": 2, "note": note
    })
}

fn eligibility(income_group: &str) -> Value {
    json!({"income_group": income_group, "line_1_eligible": true, "line_2_eligible": false})
}

/// Sends a create; answers the created record.
async fn created(req: Req<'_>) -> Value {
    req.send().await.assert_status(201).json()
}

fn key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An instant for a query string: RFC 3339 to the microsecond, `+` escaped.
fn param(t: &str) -> String {
    t.replace('+', "%2B")
}

/// The instant between two writes: the clock the service stamps `updated_at` with, read a
/// little after the last write and a little before the next.
async fn mark() -> String {
    let pause = || actix_web::rt::time::sleep(std::time::Duration::from_millis(5));
    pause().await;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    pause().await;
    at
}

async fn list(app: &TestApp, path: &str, query: &str) -> Value {
    app.get(&format!("{path}?{query}"))
        .bearer(&app.admin())
        .send()
        .await
        .assert_status(200)
        .json()["items"]
        .clone()
}

async fn keys(app: &TestApp, listed: Listed, path: &str, query: &str) -> Vec<String> {
    let items = list(app, path, query).await;
    let mut keys: Vec<String> = items
        .as_array()
        .expect("items")
        .iter()
        .map(|i| key(&i[listed.key()]))
        .collect();
    keys.sort();
    keys
}

/// The key column of the CSV export, sorted.
fn csv_keys(listed: Listed, r: &Resp) -> Vec<String> {
    let text = r.text();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == listed.key())
        .expect("the key column");
    let mut keys: Vec<String> = lines
        .map(|l| {
            l.split(',')
                .nth(col)
                .expect("a key")
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    keys.sort();
    keys
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

db_test!(
    updated_since_lists_only_the_records_changed_after_the_instant,
    |app| {
        for listed in ALL {
            let path = listed.setup(&app).await;
            let (first, first_tag) = listed.add(&app, &path, 1).await;
            let (second, _) = listed.add(&app, &path, 2).await;
            let since = mark().await;
            let (third, _) = listed.add(&app, &path, 3).await;
            let everything = keys(&app, listed, &path, "").await;
            for k in [&first, &second, &third] {
                assert!(everything.contains(k), "{listed:?}: {k} in {everything:?}");
            }
            let query = format!("updated_since={}", param(&since));
            assert_eq!(
                keys(&app, listed, &path, &query).await,
                [third.as_str()],
                "{listed:?}"
            );
            // Strictly after: a record's own `updated_at` leaves it out.
            let items = list(&app, &path, &query).await;
            if let Some(at) = items[0]["updated_at"].as_str() {
                let q = format!("updated_since={}", param(at));
                assert!(keys(&app, listed, &path, &q).await.is_empty(), "{listed:?}");
            }
            listed.change(&app, &path, &first, first_tag).await;
            let changed = sorted(vec![first.clone(), third.clone()]);
            assert_eq!(
                keys(&app, listed, &path, &query).await,
                changed,
                "{listed:?}"
            );
            if listed.exports() {
                let r = app
                    .get(&format!("{path}?{query}&format=csv"))
                    .bearer(&app.admin())
                    .send()
                    .await;
                assert_eq!(
                    csv_keys(listed, r.assert_status(200)),
                    changed,
                    "{listed:?}"
                );
            }
            app.get(&format!("{path}?updated_since=yesterday"))
                .bearer(&app.admin())
                .send()
                .await
                .assert_problem(400, "bad_request");
        }
    }
);

/// The effective years of the line-2 national rules in force in `year` changed after `since`.
async fn in_force(app: &TestApp, year: u32, since: &str) -> Vec<u64> {
    let path = format!(
        "/api/v1/funding-rules?year={year}&funding_line=line_2&scope=national&updated_since={since}"
    );
    let r = app.get(&path).bearer(&app.admin()).send().await;
    r.assert_status(200).json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["effective_year"].as_u64().expect("year"))
        .collect()
}

db_test!(
    funding_rules_in_force_in_a_year_stay_those_with_updated_since,
    |app| {
        let post = |year: u32| {
            app.post("/api/v1/funding-rules")
                .bearer(&app.admin())
                .json(&rule(year, "first"))
                .send()
        };
        let old = post(2030).await.assert_status(201).json()["id"].clone();
        post(2031).await.assert_status(201);
        let since = param(&mark().await);
        app.put(&format!("/api/v1/funding-rules/{old}"))
            .bearer(&app.admin())
            .json(&rule(2030, "changed"))
            .send()
            .await
            .assert_status(200);
        // In 2032 the 2031 rule is in force (unchanged): the changed 2030 rule is not, and
        // does not stand in for it.
        assert!(in_force(&app, 2032, &since).await.is_empty());
        assert_eq!(in_force(&app, 2030, &since).await, [2030]);
    }
);
