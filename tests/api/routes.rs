//! Every route in the OpenAPI document: 401 without a token, 403 for each role that lacks
//! the permission its `bearer` scope names, and neither for a role that has it.

use crate::db_test;
use awc::http::Method;
use devfund::auth::{Permission, Role};
use serde_json::{Value, json};

/// Operations anyone may call.
const PUBLIC: [&str; 5] = [
    "POST /api/v1/auth/token",
    "GET /health/live",
    "GET /health/ready",
    "GET /metrics",
    "GET /openapi.json",
];

fn sample_value(param: &str) -> &'static str {
    match param {
        "iso3" => "BRA",
        "year" => "2020",
        "id" => "1",
        "delivery_id" => "1",
        "code" => "SA",
        "number" => "10",
        "name" => "thematic-areas",
        "username" => "nobody",
        "funding_line" => "line_1",
        "currency" => "EUR",
        "month" => "2019-06",
        "kind" => "member-states",
        other => panic!("no sample value for path parameter {other}: add one"),
    }
}

fn concrete(path: &str) -> String {
    path.split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => sample_value(param).to_owned(),
                None => seg.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// (method, path, permission or None when public) for every documented operation.
fn operations(doc: &Value) -> Vec<(Method, String, String, Option<Permission>)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let method: Method = method.to_uppercase().parse().expect("method");
            let label = format!("{method} {path}");
            let scopes: Vec<&str> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|req| req.get("bearer"))
                .flat_map(|s| s.as_array().into_iter().flatten().filter_map(Value::as_str))
                .collect();
            let permission = match scopes.as_slice() {
                [] => None,
                [one] => Some(
                    Permission::parse(one)
                        .unwrap_or_else(|| panic!("{label}: unknown permission {one}")),
                ),
                many => panic!("{label}: one permission per operation, found {many:?}"),
            };
            ops.push((method, path.clone(), label, permission));
        }
    }
    ops
}

db_test!(
    every_route_refuses_missing_tokens_and_roles_without_its_permission,
    |app| {
        let doc = app
            .get("/openapi.json")
            .send()
            .await
            .assert_status(200)
            .json();
        let ops = operations(&doc);
        assert!(ops.len() >= 30, "only {} operations documented", ops.len());
        let public: Vec<&str> = ops
            .iter()
            .filter(|o| o.3.is_none())
            .map(|o| o.2.as_str())
            .collect();
        let mut expected_public = PUBLIC.to_vec();
        expected_public.sort_unstable();
        let mut public_sorted = public.clone();
        public_sorted.sort_unstable();
        assert_eq!(public_sorted, expected_public, "public operations changed");

        let mut checked_403 = 0;
        for (method, path, label, permission) in &ops {
            let Some(permission) = permission else {
                continue;
            };
            let url = concrete(path);
            let with_body = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
            let send = |token: Option<String>| {
                let mut req = app.req(method.clone(), &url);
                if let Some(t) = token {
                    req = req.bearer(&t);
                }
                if with_body {
                    req = req.json(&json!({}));
                }
                req.send()
            };
            let r = send(None).await;
            assert_eq!(
                r.status.as_u16(),
                401,
                "{label} without a token: {}",
                r.text()
            );
            r.assert_problem(401, "unauthorized");
            for role in Role::ALL {
                let r = send(Some(app.token(role))).await;
                if role.has(*permission) {
                    assert!(
                        ![401, 403].contains(&r.status.as_u16()),
                        "{label} as {} (has {}): {} {}",
                        role.as_str(),
                        permission.as_str(),
                        r.status,
                        r.text()
                    );
                } else {
                    assert_eq!(
                        r.status.as_u16(),
                        403,
                        "{label} as {}: {}",
                        role.as_str(),
                        r.text()
                    );
                    r.assert_problem(403, "forbidden");
                    checked_403 += 1;
                }
            }
        }
        assert!(checked_403 > 0, "no refusal was checked");
    }
);
