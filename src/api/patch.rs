//! JSON merge patch (RFC 7396) for `PATCH` bodies: a typed request checks the patch's shape
//! (so the OpenAPI document can describe it and bad fields are named) and converts into the
//! service's typed patch, which the service applies to the stored record with the same
//! semantics: absent keeps, `null` clears, a list replaces, an object merges key by key.
//! [`merge`] is the RFC's algorithm on JSON documents: the reference the typed patches are
//! tested against (`api/projects/patch.rs`, `api/follow_ups/fields.rs`).

use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, FieldError};

/// RFC 7396: objects merge key by key, `null` removes the key, anything else replaces.
pub fn merge(target: &mut serde_json::Value, patch: serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(t), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge(t.entry(k).or_insert(serde_json::Value::Null), v);
                }
            }
        }
        (t, p) => *t = p,
    }
}

/// The patch as a JSON object; anything else is a 422.
pub fn object(patch: serde_json::Value) -> Result<serde_json::Value, crate::error::ApiError> {
    if patch.is_object() {
        Ok(patch)
    } else {
        Err(crate::error::ApiError::validation(vec![
            crate::error::FieldError::new("body", "invalid_type", "a merge patch is a JSON object"),
        ]))
    }
}

/// A field a patch may set but not clear: present means `Some`, and `null` is refused.
pub fn present<'de, T, D>(de: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(de).map(Some)
}

/// A money object in a patch names its amount: `{"amount": null, ...}` is refused as the
/// merge of it would be (the merged object lacks its amount).
pub fn no_null_amount(field: &str, amount: Option<&serde_json::Value>) -> Result<(), ApiError> {
    if amount.is_some_and(serde_json::Value::is_null) {
        return Err(ApiError::validation(vec![FieldError::new(
            format!("{field}.amount"),
            "required",
            "missing field `amount`",
        )]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn null_removes_and_objects_merge() {
        let mut doc = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        super::merge(
            &mut doc,
            json!({"a": null, "b": {"c": null, "x": 4}, "e": [2]}),
        );
        assert_eq!(doc, json!({"b": {"d": 3, "x": 4}, "e": [2]}));
    }
}
