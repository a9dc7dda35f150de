//! Evaluations, their questions and recommendations: writes, bad input, who may do what,
//! status history, lists with their filters and CSV, and fixed query counts.

use crate::db_test;
use crate::support::{Resp, TestApp};
use devfund::auth::Role;
use serde_json::{Value, json};

/// A completed project `code` in Nepal that ended on `end` (entered as history).
async fn ended_project(app: &TestApp, code: &str, end: Option<&str>) {
    let r = app
        .post_project(
            &app.admin(),
            json!({"code": code, "status": "completed", "funding_year": 2020, "end_date": end}),
        )
        .await;
    r.assert_status(201);
}

async fn evaluate(app: &TestApp, body: Value) -> Resp {
    app.post("/api/v1/evaluations")
        .signed_as(Role::Evaluator)
        .json(&body)
        .send()
        .await
}

fn ex_post(code: &str) -> Value {
    json!({
        "subject": {"project_code": code},
        "kind": "ex_post",
        "status": "completed",
        "title": format!("Ex-post evaluation of {code}"),
        "evaluator_type": "external",
        "evaluators": [{"name": "A. Evaluator", "role": "team leader"}],
        "completed_on": "2025-01-10",
        "methods": ["interviews", "desk_review", "interviews"],
        "summary": "Relevant and partly sustainable.",
        "criteria": [
            {"criterion": "sustainability", "rating": "partly_satisfactory", "finding": "Funding is not yet secured."},
            {"criterion": "relevance", "rating": "highly_satisfactory"}
        ]
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

db_test!(an_evaluation_is_recorded_read_changed_and_deleted, |app| {
    app.eligible_state("NPL", "AP", 2020, true, true).await;
    ended_project(&app, "TS.0001", Some("2024-01-15")).await;
    let r = evaluate(&app, ex_post("TS.0001")).await;
    let e = r.assert_status(201).json();
    let id = e["id"].as_i64().expect("id");
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/evaluations/{id}"))
    );
    assert_eq!(e["subject"], json!({"project_code": "TS.0001"}));
    assert_eq!(e["project_code"], "TS.0001");
    assert_eq!(e["methods"], json!(["desk_review", "interviews"]));
    // Criteria come back in the criteria list's order.
    assert_eq!(e["criteria"][0]["criterion"], "relevance");
    assert_eq!(e["criteria"][1]["rating"], "partly_satisfactory");
    assert_eq!(e["question_count"], 0);
    let path = format!("/api/v1/evaluations/{id}");
    let tag = etag(&app, &path).await;
    app.patch(&path)
        .signed_as(Role::Evaluator)
        .raw(
            "application/merge-patch+json",
            br#"{"summary": null}"#.to_vec(),
        )
        .send()
        .await
        .assert_problem(428, "precondition_required");
    let r = app
        .patch(&path)
        .signed_as(Role::Evaluator)
        .header("if-match", &tag)
        .raw(
            "application/merge-patch+json",
            br#"{"summary": null, "kind": "final"}"#.to_vec(),
        )
        .send()
        .await;
    let changed = r.assert_status(200).json();
    assert_eq!(changed["summary"], Value::Null);
    assert_eq!(changed["kind"], "final");
    assert_eq!(
        changed["evaluators"], e["evaluators"],
        "untouched fields stay"
    );
    app.delete(&path)
        .signed_as(Role::Evaluator)
        .header("if-match", &tag)
        .send()
        .await
        .assert_problem(412, "precondition_failed");
    let tag = etag(&app, &path).await;
    app.delete(&path)
        .signed_as(Role::Evaluator)
        .header("if-match", &tag)
        .send()
        .await
        .assert_status(204);
    app.get(&path)
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_problem(404, "not_found");
    let trail = app
        .get("/api/v1/audit-events?record_type=evaluation")
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

db_test!(a_follow_up_initiative_can_be_the_subject, |app| {
    app.eligible_state("NPL", "AP", 2020, true, true).await;
    ended_project(&app, "TS.0001", None).await;
    let f = app
        .post("/api/v1/projects/TS.0001/follow-up-funding")
        .bearer(&app.admin())
        .json(&json!({"title": "Successor project", "source_type": "bilateral_donor", "status": "approved"}))
        .send()
        .await
        .assert_status(201)
        .json();
    let mut body = ex_post("TS.0001");
    body["subject"] = json!({"follow_up_id": f["id"]});
    body["kind"] = json!("mid_term");
    let e = evaluate(&app, body).await.assert_status(201).json();
    assert_eq!(e["subject"], json!({"follow_up_id": f["id"]}));
    assert_eq!(e["project_code"], "TS.0001", "the project it scaled up");
    let listed = app
        .get("/api/v1/projects/TS.0001/evaluations")
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(listed["meta"]["total"], 1);
    // The record an evaluation names cannot be removed from under it.
    let path = format!("/api/v1/follow-up-funding/{}", f["id"]);
    app.delete(&path)
        .bearer(&app.admin())
        .header("if-match", "*")
        .send()
        .await
        .assert_problem(409, "conflict");
    app.get(&path)
        .signed_as(Role::Viewer)
        .send()
        .await
        .assert_status(200);
});

db_test!(
    bad_evaluations_are_422_naming_the_field_and_write_nothing,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        ended_project(&app, "TS.0001", None).await;
        let cases = [
            (
                json!({"subject": {"project_code": "TS.0001", "follow_up_id": 1}}),
                "subject",
            ),
            (json!({"subject": {}}), "subject"),
            (
                json!({"subject": {"project_code": "XX.9999"}}),
                "subject.project_code",
            ),
            (
                json!({"subject": {"follow_up_id": 999}}),
                "subject.follow_up_id",
            ),
            (
                json!({"criteria": [{"criterion": "beauty"}]}),
                "criteria[0].criterion",
            ),
            (
                json!({"criteria": [{"criterion": "impact", "rating": "excellent"}]}),
                "criteria[0].rating",
            ),
            (
                json!({"criteria": [{"criterion": "impact"}, {"criterion": "impact"}]}),
                "criteria[1].criterion",
            ),
            (json!({"kind": "audit"}), "kind"),
            (json!({"status": "planned"}), "completed_on"),
            (json!({"completed_on": "2025-13"}), "completed_on"),
            (json!({"report_url": "ftp://x"}), "report_url"),
            (json!({"title": "  "}), "title"),
        ];
        for (change, field) in cases {
            let mut body = ex_post("TS.0001");
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let doc = evaluate(&app, body)
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(doc["errors"][0]["field"], field, "{change}: {doc}");
        }
        let all = app
            .get("/api/v1/evaluations")
            .signed_as(Role::Viewer)
            .send()
            .await
            .json();
        assert_eq!(all["meta"]["total"], 0);
    }
);

db_test!(only_evaluators_and_admins_record_evaluations, |app| {
    app.eligible_state("NPL", "AP", 2020, true, true).await;
    ended_project(&app, "TS.0001", None).await;
    for role in [Role::Viewer, Role::ProjectOfficer, Role::FundManager] {
        app.post("/api/v1/evaluations")
            .signed_as(role)
            .json(&ex_post("TS.0001"))
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    app.post("/api/v1/evaluations")
        .signed_as(Role::Admin)
        .json(&ex_post("TS.0001"))
        .send()
        .await
        .assert_status(201);
});

db_test!(
    questions_keep_their_printed_order_and_move_the_evaluation_etag,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        ended_project(&app, "TS.0001", None).await;
        let e = evaluate(&app, ex_post("TS.0001")).await.json();
        let path = format!("/api/v1/evaluations/{}", e["id"]);
        let before = etag(&app, &path).await;
        for (label, criterion) in [("EQ1", "relevance"), ("EQ2", "coherence")] {
            app.post(&format!("{path}/questions"))
            .signed_as(Role::Evaluator)
            .json(&json!({"label": label, "criterion": criterion, "sub_criterion": "internal coherence", "text": "Was it?"}))
            .send()
            .await
            .assert_status(201);
        }
        assert_ne!(etag(&app, &path).await, before);
        let qs = app
            .get(&format!("{path}/questions"))
            .signed_as(Role::Viewer)
            .send()
            .await
            .json();
        let labels: Vec<&str> = qs["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["EQ1", "EQ2"]);
        let q = &qs["items"][1];
        let qpath = format!("/api/v1/evaluation-questions/{}", q["id"]);
        let r = app
            .patch(&qpath)
            .signed_as(Role::Evaluator)
            .header("if-match", "\"v1\"")
            .raw(
                "application/merge-patch+json",
                br#"{"finding": "Yes, mostly.", "position": 1}"#.to_vec(),
            )
            .send()
            .await
            .assert_status(200)
            .json();
        assert_eq!(r["finding"], "Yes, mostly.");
        assert_eq!(r["text"], "Was it?");
        let got = app.get(&path).signed_as(Role::Viewer).send().await.json();
        assert_eq!(got["question_count"], 2);
        let csv = app
            .get(&format!("{path}/questions"))
            .signed_as(Role::Viewer)
            .header("accept", "text/csv")
            .send()
            .await
            .assert_status(200)
            .text();
        assert!(
            csv.starts_with(
                "id,evaluation_id,label,position,criterion,sub_criterion,text,finding\r\n"
            ),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), 3);
    }
);

/// An evaluation of TS.0001 with one recommendation; answers (evaluation id, recommendation).
async fn recommended(app: &TestApp) -> (i64, Value) {
    app.eligible_state("NPL", "AP", 2020, true, true).await;
    ended_project(app, "TS.0001", Some("2024-01-15")).await;
    let e = evaluate(app, ex_post("TS.0001")).await.json();
    let id = e["id"].as_i64().unwrap();
    let r = app
        .post(&format!("/api/v1/evaluations/{id}/recommendations"))
        .signed_as(Role::Evaluator)
        .json(
            &json!({"label": "R1", "text": "Secure national funding.", "category": "strategic",
            "addressees": ["IOM Nepal", "MoHP"], "priority": "high", "due_date": "2025-06-30"}),
        )
        .send()
        .await;
    (id, r.assert_status(201).json())
}

db_test!(
    a_recommendation_keeps_its_status_history_and_each_half_its_writer,
    |app| {
        let (_, rec) = recommended(&app).await;
        assert_eq!(rec["status"], "open");
        assert_eq!(rec["management_response"], Value::Null);
        assert_eq!(
            rec["issued_on"], "2025-01-10",
            "the evaluation's completion"
        );
        let path = format!("/api/v1/recommendations/{}", rec["id"]);
        // The evaluator may not record management's response; the fund manager may not reword.
        app.patch(&path)
            .signed_as(Role::Evaluator)
            .header("if-match", "\"v1\"")
            .raw(
                "application/merge-patch+json",
                br#"{"status": "implemented"}"#.to_vec(),
            )
            .send()
            .await
            .assert_problem(403, "forbidden");
        app.patch(&path)
            .signed_as(Role::FundManager)
            .header("if-match", "\"v1\"")
            .raw(
                "application/merge-patch+json",
                br#"{"text": "Something else."}"#.to_vec(),
            )
            .send()
            .await
            .assert_problem(403, "forbidden");
        app.patch(&path)
            .signed_as(Role::Viewer)
            .header("if-match", "\"v1\"")
            .raw(
                "application/merge-patch+json",
                br#"{"status": "implemented"}"#.to_vec(),
            )
            .send()
            .await
            .assert_problem(403, "forbidden");
        let r = app
        .patch(&path)
        .signed_as(Role::FundManager)
        .header("if-match", "\"v1\"")
        .raw(
            "application/merge-patch+json",
            br#"{"management_response": {"decision": "partially_accepted", "text": "Within the next budget cycle."}, "status": "in_progress", "status_note": "Budget request filed"}"#.to_vec(),
        )
        .send()
        .await
        .assert_status(200)
        .json();
        assert_eq!(r["management_response"]["decision"], "partially_accepted");
        assert_eq!(
            r["management_response"]["responded_by"],
            "test-fund_manager"
        );
        assert_eq!(r["status"], "in_progress");
        app.patch(&path)
            .signed_as(Role::FundManager)
            .header("if-match", "\"v2\"")
            .raw(
                "application/merge-patch+json",
                br#"{"status": "implemented", "status_note": null}"#.to_vec(),
            )
            .send()
            .await
            .assert_status(200);
        let r = app
            .patch(&path)
            .signed_as(Role::Evaluator)
            .header("if-match", "\"v3\"")
            .raw(
                "application/merge-patch+json",
                br#"{"addressees": ["IOM Nepal"]}"#.to_vec(),
            )
            .send()
            .await
            .assert_status(200)
            .json();
        assert_eq!(r["addressees"], json!(["IOM Nepal"]));
        assert_eq!(
            r["status"], "implemented",
            "the evaluator's edit keeps the status"
        );
        let history = app
            .get(&format!("{path}/history"))
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_status(200)
            .json();
        let steps: Vec<(Value, Value, Value)> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["from_status"].clone(),
                    c["to_status"].clone(),
                    c["changed_by"].clone(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                (
                    json!("in_progress"),
                    json!("implemented"),
                    json!("test-fund_manager")
                ),
                (
                    json!("open"),
                    json!("in_progress"),
                    json!("test-fund_manager")
                ),
                (Value::Null, json!("open"), json!("test-evaluator")),
            ]
        );
        assert_eq!(history["items"][1]["note"], "Budget request filed");
    }
);

db_test!(
    a_recommendation_belongs_to_the_evaluation_in_its_path,
    |app| {
        let (id, _) = recommended(&app).await;
        let r = app
            .post(&format!("/api/v1/evaluations/{id}/recommendations"))
            .signed_as(Role::Evaluator)
            .json(
                &json!({"evaluation_id": id + 1, "label": "R2", "text": "x", "category": "other"}),
            )
            .send()
            .await;
        let doc = r.assert_problem(422, "validation_failed");
        assert_eq!(doc["errors"][0]["field"], "evaluation_id");
        app.post(&format!("/api/v1/evaluations/{}/recommendations", id + 1))
            .signed_as(Role::Evaluator)
            .json(&json!({"label": "R2", "text": "x", "category": "other"}))
            .send()
            .await
            .assert_problem(404, "not_found");
    }
);

db_test!(
    recommendations_filter_by_status_addressee_priority_and_overdue,
    |app| {
        let (id, _) = recommended(&app).await;
        app.post(&format!("/api/v1/evaluations/{id}/recommendations"))
        .signed_as(Role::Evaluator)
        .json(&json!({"label": "R2", "text": "Share the toolkit.", "category": "operational", "addressees": ["SDC"], "priority": "low"}))
        .send()
        .await
        .assert_status(201);
        let codes = |doc: Value| -> Vec<String> {
            doc["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["label"].as_str().unwrap().to_owned())
                .collect()
        };
        for (query, expected) in [
            ("", vec!["R1", "R2"]),
            ("addressee=SDC", vec!["R2"]),
            ("addressee=IOM%20Nepal,SDC", vec!["R1", "R2"]),
            ("priority=high", vec!["R1"]),
            ("overdue=true", vec!["R1"]),
            ("overdue=false", vec!["R2"]),
            ("open_longer_than=1", vec!["R1", "R2"]),
            ("open_longer_than=1200", vec![]),
            ("status=implemented", vec![]),
            ("project=TS.0001&evaluation=1,2,3", vec!["R1", "R2"]),
            ("sort=-due_date", vec!["R1", "R2"]),
        ] {
            let doc = app
                .get(&format!("/api/v1/recommendations?{query}"))
                .signed_as(Role::Viewer)
                .send()
                .await
                .assert_status(200)
                .json();
            assert_eq!(codes(doc), expected, "{query}");
        }
        let json = app
            .get("/api/v1/recommendations")
            .signed_as(Role::Viewer)
            .send()
            .await
            .json();
        let csv = app
            .get("/api/v1/recommendations?format=csv")
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_status(200)
            .text();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 3);
        assert!(
            rows[0].starts_with("id,evaluation_id,project_code,evaluation_kind,label,"),
            "{}",
            rows[0]
        );
        assert!(
            rows[1].contains(",R1,") && rows[1].contains("IOM Nepal;MoHP"),
            "{}",
            rows[1]
        );
        assert_eq!(json["items"][1]["label"], "R2");
    }
);

db_test!(
    the_evaluation_list_filters_and_its_csv_has_the_same_rows,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        ended_project(&app, "TS.0001", None).await;
        ended_project(&app, "TS.0002", None).await;
        evaluate(&app, ex_post("TS.0001")).await.assert_status(201);
        let mut mid = ex_post("TS.0002");
        mid["kind"] = json!("mid_term");
        mid["status"] = json!("in_progress");
        mid["completed_on"] = Value::Null;
        mid["criteria"] = json!([{"criterion": "coherence"}]);
        evaluate(&app, mid).await.assert_status(201);
        for (query, expected) in [
            ("kind=ex_post", vec!["TS.0001"]),
            ("status=in_progress,planned", vec!["TS.0002"]),
            ("criterion=coherence", vec!["TS.0002"]),
            ("criterion=relevance,coherence", vec!["TS.0001", "TS.0002"]),
            ("member_state=NPL&region=AP", vec!["TS.0001", "TS.0002"]),
            ("member_state=BRA", vec![]),
            (
                "completed_from=2025&completed_to=2025-01-31",
                vec!["TS.0001"],
            ),
            ("project=TS.0002", vec!["TS.0002"]),
            ("evaluator_type=internal", vec![]),
        ] {
            let doc = app
                .get(&format!("/api/v1/evaluations?{query}"))
                .signed_as(Role::Viewer)
                .send()
                .await
                .assert_status(200)
                .json();
            let got: Vec<&str> = doc["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["project_code"].as_str().unwrap())
                .collect();
            assert_eq!(got, expected, "{query}");
        }
        let csv = app
            .get("/api/v1/evaluations")
            .signed_as(Role::Viewer)
            .header("accept", "text/csv")
            .send()
            .await
            .assert_status(200)
            .text();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 3);
        assert!(
            rows[1].starts_with("1,TS.0001,,TS.0001,ex_post,completed,"),
            "{}",
            rows[1]
        );
        app.get("/api/v1/evaluations?kind=audit")
            .signed_as(Role::Viewer)
            .send()
            .await
            .assert_problem(400, "bad_request");
    }
);

db_test!(
    evaluation_and_recommendation_lists_take_a_fixed_number_of_queries,
    |app| {
        app.eligible_state("NPL", "AP", 2020, true, true).await;
        let mut counts = Vec::new();
        for n in [1, 6] {
            for i in counts.len() * 10..counts.len() * 10 + n {
                let code = format!("TS.{:04}", i + 1);
                ended_project(&app, &code, None).await;
                let e = evaluate(&app, ex_post(&code)).await.json();
                for label in ["R1", "R2"] {
                    app.post(&format!("/api/v1/evaluations/{}/recommendations", e["id"]))
                    .signed_as(Role::Evaluator)
                    .json(&json!({"label": label, "text": "Do it.", "category": "other", "addressees": ["A", "B"]}))
                    .send()
                    .await
                    .assert_status(201);
                }
            }
            let mut per_list = Vec::new();
            for path in ["/api/v1/evaluations", "/api/v1/recommendations"] {
                let before = app.queries();
                app.get(path)
                    .signed_as(Role::Viewer)
                    .send()
                    .await
                    .assert_status(200);
                per_list.push(app.queries() - before);
            }
            counts.push(per_list);
        }
        assert_eq!(counts[0], counts[1], "queries for 1 and for 7 evaluations");
    }
);
