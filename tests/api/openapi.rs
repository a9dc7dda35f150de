//! The committed OpenAPI document is the generated one, and it is complete.

use serde_json::Value;

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json")
}

#[test]
fn the_committed_document_is_current() {
    let generated = devfund::api::openapi::document()
        .expect("document")
        .to_pretty_json()
        .expect("serialize");
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_fully_described() {
    let doc: Value =
        serde_json::to_value(devfund::api::openapi::document().expect("document")).expect("value");
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let label = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{label}: no operationId"));
            assert!(
                ids.insert(id.to_owned()),
                "{label}: duplicate operationId {id}"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{label}: no tag"
            );
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{label}: no summary"
            );
            assert!(
                op["security"].is_array(),
                "{label}: no security requirement"
            );
            let responses = op["responses"].as_object().unwrap();
            for status in ["400", "500", "503"] {
                let schema =
                    &responses[status]["content"]["application/problem+json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/Problem",
                    "{label}: {status} is not a problem"
                );
            }
            let protected = op["security"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s.get("bearer").is_some());
            if protected {
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{label}: 401/403 missing"
                );
            }
        }
    }
}

#[test]
fn every_reference_resolves() {
    let doc: Value =
        serde_json::to_value(devfund::api::openapi::document().expect("document")).expect("value");
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let missing: std::collections::BTreeSet<&str> = text
        .split("\"$ref\":\"#/components/schemas/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| !schemas.contains_key(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "unresolved schema references: {missing:?}"
    );
}

/// `api::openapi` adds what utoipa's derives cannot state, by component and path name: a
/// rename must not silently drop it.
#[test]
fn the_rules_added_after_the_derives_are_in_the_document() {
    let doc: Value =
        serde_json::to_value(devfund::api::openapi::document().expect("document")).expect("value");
    let subject = &doc["components"]["schemas"]["SubjectFields"];
    assert_eq!(subject["minProperties"], 1, "{subject}");
    assert_eq!(subject["maxProperties"], 1, "{subject}");
    let group_by = doc["paths"]["/api/v1/reports/portfolio"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "group_by")
        .expect("group_by");
    assert_eq!(group_by["schema"]["uniqueItems"], true, "{group_by}");
}
