//! `GET /projects/{code}`: one query when this copy made the answer before, 304 to a current
//! ETag, and never an answer a committed write made stale, whichever copy of the service wrote.

use serde_json::{Value, json};

use crate::db_test;
use crate::support::{Copy, Resp, TestApp};

async fn read(app: &TestApp, copy: Option<&Copy>, if_none_match: Option<&str>) -> Resp {
    let mut req = app.get("/api/v1/projects/TS.0001").bearer(&app.admin());
    if let Some(copy) = copy {
        req = req.on(copy);
    }
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    req.send().await
}

/// The project as `copy` (or the app) answers it, asserting 200.
async fn project(app: &TestApp, copy: Option<&Copy>) -> Value {
    read(app, copy, None).await.assert_status(200).json()
}

db_test!(
    a_kept_answer_costs_one_query_and_a_current_etag_answers_304,
    |app| {
        app.eligible_state("NPL", "AP", 2026, true, true).await;
        let created = app.project(json!({})).await;
        let first = read(&app, None, None).await;
        first.assert_status(200);
        assert_eq!(first.header("etag"), Some(created.clone()));

        let before = app.queries();
        let again = read(&app, None, None).await;
        assert_eq!(app.queries() - before, 1, "the version read alone");
        assert_eq!(again.body, first.body, "the same answer, byte for byte");
        assert_eq!(again.header("etag"), Some(created.clone()));

        for tag in [created.clone(), format!("W/{created}"), "*".to_owned()] {
            let before = app.queries();
            let not_modified = read(&app, None, Some(&tag)).await;
            not_modified.assert_status(304);
            assert!(not_modified.body.is_empty(), "{tag}");
            assert_eq!(not_modified.header("etag"), Some(created.clone()));
            assert_eq!(app.queries() - before, 1, "{tag}");
        }
        read(&app, None, Some("\"v0\", \"v99\""))
            .await
            .assert_status(200);

        let patched = app
            .patch("/api/v1/projects/TS.0001")
            .bearer(&app.admin())
            .header("if-match", &created)
            .raw(
                "application/merge-patch+json",
                br#"{"title": "Renamed"}"#.to_vec(),
            )
            .send()
            .await;
        let new_tag = patched.assert_status(200).header("etag").expect("etag");
        assert_ne!(new_tag, created);
        let fresh = read(&app, None, Some(&created)).await;
        assert_eq!(fresh.assert_status(200).json()["title"], "Renamed");
        assert_eq!(fresh.header("etag"), Some(new_tag));
        read(&app, None, Some("not a tag")).await.assert_status(200);
        app.get("/api/v1/projects/TS.0404")
            .bearer(&app.admin())
            .send()
            .await
            .assert_problem(404, "not_found");
    }
);

db_test!(
    no_copy_of_the_service_answers_what_a_committed_write_changed,
    |app| {
        app.eligible_state("NPL", "AP", 2026, true, true).await;
        app.project(json!({})).await;
        let admin = app.admin();
        app.post("/api/v1/projects/TS.0001/follow-up-funding")
            .bearer(&admin)
            .json(&json!({"source_type": "ifi", "status": "approved", "amount": {"amount": "1000.00", "currency": "EUR"}, "date": "2026-05"}))
            .send()
            .await
            .assert_status(201);
        let copy = app.start_copy();
        // Both copies make and keep the answer.
        for _ in 0..2 {
            let here = project(&app, None).await;
            let there = project(&app, Some(&copy)).await;
            assert_eq!(here, there);
            assert_eq!(here["unconverted_follow_up"], 1);
        }
        let old = read(&app, None, None).await.header("etag").expect("etag");

        // A rate set on the copy reconverts the follow-up: the app's answer moves with it.
        app.put("/api/v1/exchange-rates/EUR/2026-05")
            .on(&copy)
            .bearer(&admin)
            .json(&json!({"usd_per_unit": "1.10", "source": "UN"}))
            .send()
            .await
            .assert_status(201);
        let p = read(&app, None, Some(&old)).await;
        let tag = p.header("etag").expect("etag");
        let p = p.assert_status(200).json();
        assert_eq!(
            (
                p["unconverted_follow_up"].clone(),
                p["follow_up_total_usd"]["amount"].clone()
            ),
            (json!(0), json!("1100.00"))
        );
        assert_ne!(tag, old);

        // A rate changed through an import on the app: the copy's answer moves.
        let _ = project(&app, Some(&copy)).await;
        app.post("/api/v1/imports/exchange-rates")
            .bearer(&admin)
            .json(&json!({"items": [{"currency": "EUR", "month": "2026-05", "usd_per_unit": "1.20", "source": "UN"}]}))
            .send()
            .await
            .assert_status(200);
        let p = project(&app, Some(&copy)).await;
        assert_eq!(p["follow_up_total_usd"]["amount"], "1200.00");

        // More follow-up funding through the copy; a link and an edit through the app.
        let _ = project(&app, None).await;
        app.post("/api/v1/projects/TS.0001/follow-up-funding")
            .on(&copy)
            .bearer(&admin)
            .json(&json!({"source_type": "national_budget", "status": "received", "amount": {"amount": "50.00", "currency": "USD"}, "date": "2026"}))
            .send()
            .await
            .assert_status(201);
        assert_eq!(
            project(&app, None).await["follow_up_total_usd"]["amount"],
            "1250.00"
        );
        app.post("/api/v1/projects/TS.0001/links")
            .bearer(&admin)
            .json(&json!({"type": "builds_on", "target_title": "An earlier pilot"}))
            .send()
            .await
            .assert_status(201);
        let there = project(&app, Some(&copy)).await;
        assert_eq!(there["links"][0]["target_title"], "An earlier pilot");
        let tag = read(&app, None, None).await.header("etag").expect("etag");
        app.put("/api/v1/projects/TS.0001/sdg-targets")
            .bearer(&admin)
            .header("if-match", &tag)
            .json(&json!({"sdg_targets": ["10.7", "16.9"]}))
            .send()
            .await
            .assert_status(200);
        assert_eq!(
            project(&app, Some(&copy)).await["sdg_targets"],
            json!(["10.7", "16.9"])
        );

        // Deleted on the copy: gone from the app.
        let tag = read(&app, None, None).await.header("etag").expect("etag");
        app.delete("/api/v1/projects/TS.0001")
            .on(&copy)
            .bearer(&admin)
            .header("if-match", &tag)
            .send()
            .await
            .assert_status(204);
        read(&app, None, Some(&tag))
            .await
            .assert_problem(404, "not_found");
        copy.stop().await;
    }
);
