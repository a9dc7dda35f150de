//! The change feed and the webhook outbox, fed from [`super::audit::record`]: every use case
//! records its audit event inside its transaction, and that one call also appends the change
//! to the feed and queues the webhook deliveries it raises. Both are written in the same
//! transaction as the change, so a rolled-back change leaves no trace and a committed one is
//! never lost.

use serde_json::{Map, Value};

use crate::db::{self, Conn};
use crate::domain::webhook::{self, ChangeAction};
use crate::error::ApiError;
use crate::models::change::{Change, NewChange};
use crate::models::webhook::{NewDelivery, Webhook};

/// Fields never sent to a webhook receiver.
const HIDDEN: &[&str] = &["password_hash"];

/// Audit events about an operation rather than a record (a bulk import names its counts):
/// the records it changed have changes of their own, and there is nothing to fetch by key.
const NOT_RECORDS: &[&str] = &["import"];

/// Appends the change an audited `action` amounts to, and queues its webhook deliveries.
/// `before` and `after` are the whole record (either may be empty: a creation or a deletion).
pub fn record(
    conn: &mut Conn,
    audit_action: &str,
    record_type: &str,
    record_key: &str,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> Result<(), ApiError> {
    if NOT_RECORDS.contains(&record_type) {
        return Ok(());
    }
    let action = ChangeAction::of_audit(audit_action);
    let etag = match action {
        ChangeAction::Deleted => None,
        _ => after
            .get("version")
            .and_then(Value::as_i64)
            .map(webhook::etag_of),
    };
    let occurred_at = crate::models::now();
    db::lock_change_feed(conn)?;
    let change_id = NewChange {
        occurred_at,
        record_type,
        record_key,
        action: action.as_str(),
        etag,
    }
    .insert(conn)?;

    let hooks = Webhook::active(conn)?;
    if hooks.is_empty() {
        return Ok(());
    }
    let new_status = match (before.get("status"), after.get("status")) {
        (b, Some(Value::String(a))) if b != Some(&Value::String(a.clone())) => Some(a.as_str()),
        _ => None,
    };
    let events = webhook::events_of(record_type, action, new_status);
    let mut data = if action == ChangeAction::Deleted {
        before.clone()
    } else {
        after.clone()
    };
    for key in HIDDEN {
        data.remove(*key);
    }
    let occurred =
        chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(occurred_at, chrono::Utc);
    let mut queued = false;
    for event in &events {
        let subscribed: Vec<&Webhook> = hooks
            .iter()
            .filter(|h| h.event_list().iter().any(|e| e == event))
            .collect();
        if subscribed.is_empty() {
            continue;
        }
        let payload = serde_json::json!({
            "id": webhook::message_id(change_id, event),
            "event": event,
            "occurred_at": occurred,
            "record_type": record_type,
            "record_key": record_key,
            "data": Value::Object(data.clone()),
        })
        .to_string();
        for hook in subscribed {
            NewDelivery {
                webhook_id: hook.id,
                event,
                payload: &payload,
                change_id,
                status: "pending",
                attempts: 0,
                next_attempt_at: occurred_at,
                created_at: occurred_at,
            }
            .insert(conn)?;
            queued = true;
        }
    }
    if queued {
        db::wake::note_outbox_write();
    }
    Ok(())
}

/// Up to `limit` changes after change `after`, in commit order.
pub fn after(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<Change>, ApiError> {
    Ok(Change::after(conn, after, limit)?)
}
