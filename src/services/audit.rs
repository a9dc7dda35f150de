//! Writing audit events: called by every use case inside its own transaction. The same call
//! appends the change to the change feed and queues its webhook deliveries
//! ([`super::changes::record`]).

use serde::Serialize;
use serde_json::{Map, Value};

use super::Actor;
use crate::db::Conn;
use crate::error::ApiError;
use crate::models::audit::NewAuditEvent;

/// Appends one event recording `action` on `record_type`/`record_key` with the fields that
/// differ between `before` and `after` (either may be absent: a creation or a deletion), and
/// the change it amounts to in the feed and the outbox.
pub fn record<T: Serialize>(
    conn: &mut Conn,
    actor: &Actor,
    action: &str,
    record_type: &str,
    record_key: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), ApiError> {
    let to_map = |v: Option<&T>| -> Result<Map<String, Value>, ApiError> {
        match v
            .map(serde_json::to_value)
            .transpose()
            .map_err(ApiError::internal)?
        {
            Some(Value::Object(m)) => Ok(m),
            Some(other) => Ok(Map::from_iter([("value".to_owned(), other)])),
            None => Ok(Map::new()),
        }
    };
    let (before, after) = (to_map(before)?, to_map(after)?);
    let mut changed_before = Map::new();
    let mut changed_after = Map::new();
    for key in before.keys().chain(after.keys()) {
        if matches!(
            key.as_str(),
            "updated_at" | "created_at" | "version" | "password_hash"
        ) {
            continue;
        }
        let (b, a) = (before.get(key), after.get(key));
        if b != a {
            changed_before.insert(key.clone(), b.cloned().unwrap_or(Value::Null));
            changed_after.insert(key.clone(), a.cloned().unwrap_or(Value::Null));
        }
    }
    let changes = serde_json::json!({"before": changed_before, "after": changed_after});
    NewAuditEvent {
        occurred_at: crate::models::now(),
        subject: &actor.subject,
        role: actor.role.as_str(),
        action,
        record_type,
        record_key,
        changes: changes.to_string(),
        request_id: crate::request_context::request_id(),
    }
    .insert(conn)?;
    super::changes::record(conn, action, record_type, record_key, &before, &after)
}
