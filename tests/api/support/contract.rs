//! Every response a test receives is checked against the OpenAPI document: its status is
//! documented for the operation, its media type is one the operation lists for that status,
//! its required headers are there, and a JSON body validates against the schema (JSON Schema
//! 2020-12, as OpenAPI 3.1 has it). A drift between the handlers and the document then fails
//! the test that saw it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::dev::ResourceDef;
use awc::http::Method;
use jsonschema::Validator;
use serde_json::Value;

use super::Resp;

struct Contract {
    doc: Value,
    /// (path template, its matcher), in document order.
    paths: Vec<(String, ResourceDef)>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let doc = serde_json::to_value(devfund::api::openapi::document().expect("document"))
            .expect("document");
        let paths = doc["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .map(|p| (p.clone(), ResourceDef::new(p.as_str())))
            .collect();
        Contract {
            doc,
            paths,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

/// JSON Pointer escaping of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl Contract {
    /// A validator for the schema at `pointer`, compiled once with the whole document as its
    /// root so that `#/components/schemas/…` references resolve.
    fn validator(&self, pointer: &str) -> Arc<Validator> {
        let mut cache = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(pointer.to_owned())
            .or_insert_with(|| {
                let mut root = self.doc.clone();
                root["$schema"] = Value::from("https://json-schema.org/draft/2020-12/schema");
                root["$ref"] = Value::from(format!("#{}", fragment(pointer)));
                Arc::new(
                    jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft202012)
                        .should_validate_formats(true)
                        .build(&root)
                        .unwrap_or_else(|e| panic!("schema at {pointer} does not compile: {e}")),
                )
            })
            .clone()
    }

    fn validate(&self, pointer: &str, body: &Value, what: &str) {
        let validator = self.validator(pointer);
        let errors: Vec<String> = validator
            .iter_errors(body)
            .take(10)
            .map(|e| format!("  at {}: {}", e.instance_path(), e))
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: the body does not match the OpenAPI document ({pointer}):\n{}\nbody: {}",
            errors.join("\n"),
            truncate(&body.to_string())
        );
    }
}

/// A JSON Pointer as a URI fragment: characters a URI may not hold are percent-encoded.
fn fragment(pointer: &str) -> String {
    pointer
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/~-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(2000) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The media type of a `Content-Type` value, without parameters.
fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Checks one exchange. `path` may carry a query string.
pub fn check(method: &Method, path: &str, resp: &Resp) {
    let c = contract();
    let path = path.split('?').next().unwrap_or(path);
    let what = format!("{method} {path} → {}", resp.status.as_u16());
    let content_type = resp.header("content-type").map(|v| media_type(&v));

    // Every error, documented route or not, is a problem document.
    if content_type.as_deref() == Some("application/problem+json") {
        let body: Value = serde_json::from_slice(&resp.body)
            .unwrap_or_else(|e| panic!("{what}: problem+json that is not JSON: {e}"));
        c.validate("/components/schemas/Problem", &body, &what);
    }

    let method_key = method.as_str().to_ascii_lowercase();
    let Some(template) = c
        .paths
        .iter()
        .find(|(t, def)| def.is_match(path) && c.doc["paths"][t].get(&method_key).is_some())
        .map(|(t, _)| t.clone())
    else {
        // Not an operation of the document (unknown routes, wrong methods, `/docs`).
        return;
    };
    let op_pointer = format!("/paths/{}/{method_key}", escape(&template));
    let responses = &c.doc["paths"][&template][&method_key]["responses"];
    let status = resp.status.as_u16().to_string();
    let class = format!("{}XX", &status[..1]);
    let Some((key, documented)) = [status.as_str(), class.as_str(), "default"]
        .into_iter()
        .find_map(|k| responses.get(k).map(|r| (k.to_owned(), r)))
    else {
        let listed: Vec<&String> = responses
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        panic!(
            "{what}: status {status} is not documented for this operation (documented: {listed:?}); body: {}",
            truncate(&resp.text())
        );
    };
    let response_pointer = format!("{op_pointer}/responses/{}", escape(&key));

    for (name, header) in documented["headers"].as_object().into_iter().flatten() {
        if header["required"].as_bool() == Some(true) {
            assert!(
                resp.header(name).is_some(),
                "{what}: the documented header {name} is missing"
            );
        }
    }

    let content = documented["content"].as_object();
    if resp.body.is_empty() && content_type.is_none() {
        return;
    }
    let Some(content) = content else {
        panic!(
            "{what}: the document says this response has no body, but it has one ({content_type:?}): {}",
            truncate(&resp.text())
        );
    };
    let Some(content_type) = content_type else {
        panic!("{what}: a body without a Content-Type");
    };
    let Some(media) = content.get(&content_type) else {
        let listed: Vec<&String> = content.keys().collect();
        panic!("{what}: Content-Type {content_type} is not documented (documented: {listed:?})");
    };
    let is_json = content_type == "application/json" || content_type.ends_with("+json");
    if is_json && media.get("schema").is_some() {
        // As a client reads it: decoded first when sent compressed.
        let mut decoded = Vec::new();
        let bytes = if resp.header("content-encoding").as_deref() == Some("gzip") {
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(&resp.body[..]),
                &mut decoded,
            )
            .unwrap_or_else(|e| panic!("{what}: gzip that does not decode: {e}"));
            &decoded[..]
        } else {
            &resp.body[..]
        };
        let body: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| {
            panic!(
                "{what}: a JSON body that is not JSON ({e}): {}",
                truncate(&resp.text())
            )
        });
        c.validate(
            &format!(
                "{response_pointer}/content/{}/schema",
                escape(&content_type)
            ),
            &body,
            &what,
        );
    }
}
