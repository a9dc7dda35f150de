//! Unit tests of the document's fixed parts.

use serde_json::Value;

use super::*;

fn doc() -> Value {
    serde_json::to_value(document().unwrap()).unwrap()
}

#[test]
fn the_oauth2_scheme_fetches_tokens_from_the_token_endpoint_with_every_permission_as_scope() {
    let doc = doc();
    let flows = &doc["components"]["securitySchemes"]["oauth2"]["flows"];
    for flow in ["password", "clientCredentials"] {
        assert_eq!(flows[flow]["tokenUrl"], TOKEN_PATH, "{flow}");
        let scopes = flows[flow]["scopes"].as_object().unwrap();
        assert_eq!(scopes.len(), Permission::ALL.len());
        for p in Permission::ALL {
            assert_eq!(scopes[p.as_str()], p.description());
        }
    }
}

#[test]
fn every_protected_operation_accepts_bearer_or_oauth2_with_the_same_scope() {
    let doc = doc();
    let mut protected = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let security = op["security"].as_array().unwrap();
            let scopes = |scheme: &str| -> Vec<Value> {
                security
                    .iter()
                    .filter_map(|r| r.get(scheme).cloned())
                    .collect()
            };
            let (bearer, oauth2) = (scopes("bearer"), scopes("oauth2"));
            assert_eq!(bearer, oauth2, "{method} {path}");
            if bearer.is_empty() {
                assert_eq!(op["security"], serde_json::json!([{}]), "{method} {path}");
                let responses = op["responses"].as_object().unwrap();
                assert!(
                    !responses.contains_key("401") || path == TOKEN_PATH,
                    "{method} {path} is public but documents 401"
                );
                assert!(!responses.contains_key("403"), "{method} {path}: 403");
            } else {
                assert_eq!(bearer[0].as_array().unwrap().len(), 1, "{method} {path}");
                protected += 1;
            }
        }
    }
    assert!(protected >= 30, "{protected}");
}

#[test]
fn the_token_endpoint_documents_oauth_refusals_and_no_422() {
    let doc = doc();
    let responses = doc["paths"][TOKEN_PATH]["post"]["responses"]
        .as_object()
        .unwrap();
    for status in ["400", "401", "415", "429"] {
        assert_eq!(
            responses[status]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem",
            "{status}"
        );
    }
    assert!(
        responses["401"]["description"]
            .as_str()
            .unwrap()
            .contains("invalid_client")
    );
    assert!(!responses.contains_key("422"));
    assert!(!responses.contains_key("403"));
}
