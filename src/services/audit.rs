//! Writing audit events: called by every use case inside its own transaction. The same call
//! appends the change to the change feed and queues its webhook deliveries
//! ([`super::changes::record`]). [`record_many`] is the same for a batch of records.

use serde::Serialize;
use serde_json::{Map, Value};

use super::Actor;
use super::changes::RecordChange;
use crate::db::Conn;
use crate::error::ApiError;
use crate::models::audit::NewAuditEvent;

fn to_map<T: Serialize>(v: Option<&T>) -> Result<Map<String, Value>, ApiError> {
    match v
        .map(serde_json::to_value)
        .transpose()
        .map_err(ApiError::internal)?
    {
        Some(Value::Object(m)) => Ok(m),
        Some(other) => Ok(Map::from_iter([("value".to_owned(), other)])),
        None => Ok(Map::new()),
    }
}

/// The fields that differ between `before` and `after`, as the event's `changes` text.
fn changes_text(before: &Map<String, Value>, after: &Map<String, Value>) -> String {
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
    serde_json::json!({"before": changed_before, "after": changed_after}).to_string()
}

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
    let (before, after) = (to_map(before)?, to_map(after)?);
    NewAuditEvent {
        occurred_at: crate::models::now(),
        subject: &actor.subject,
        role: actor.role.as_str(),
        action,
        record_type,
        record_key,
        changes: changes_text(&before, &after),
        request_id: crate::request_context::request_id(),
    }
    .insert(conn)?;
    super::changes::record(conn, action, record_type, record_key, &before, &after)
}

/// [`record`] for many records of one type and action at once (a bulk creation): the
/// events, the feed's changes and the outbox's deliveries each written in a few multi-row
/// statements, in the order of `records` (key, before, after) — what recording them one by
/// one writes, at one time.
pub fn record_many(
    conn: &mut Conn,
    actor: &Actor,
    action: &str,
    record_type: &str,
    records: Vec<(String, Option<Value>, Option<Value>)>,
) -> Result<(), ApiError> {
    let mut changes = Vec::with_capacity(records.len());
    for (key, before, after) in records {
        changes.push(RecordChange {
            record_key: key,
            before: to_map(before.as_ref())?,
            after: to_map(after.as_ref())?,
        });
    }
    let occurred_at = crate::models::now();
    let request_id = crate::request_context::request_id();
    let events: Vec<NewAuditEvent<'_>> = changes
        .iter()
        .map(|c| NewAuditEvent {
            occurred_at,
            subject: &actor.subject,
            role: actor.role.as_str(),
            action,
            record_type,
            record_key: &c.record_key,
            changes: changes_text(&c.before, &c.after),
            request_id: request_id.clone(),
        })
        .collect();
    NewAuditEvent::insert_many(conn, &events)?;
    super::changes::record_many(conn, action, record_type, &changes)
}
